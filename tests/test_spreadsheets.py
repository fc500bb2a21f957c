"""The registers offices keep, in and out: files saved by LibreOffice Calc (XLSX, ODS, XLS,
semicolon CSV), Google Forms and Microsoft Forms exports, month-first dates, hostile files,
and lists written to XLSX that LibreOffice reads back with their NIPs intact.

The office files under tests/data/office were written by LibreOffice from the sources in
tests/data/office/make_office_files.py (run it to make them again); the round-trip tests
run LibreOffice here, once per test, converting every file of the test in one call.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest

from qmstrack.registers.requests import get_request

OFFICE = Path(__file__).parent / "data" / "office"
BUDI = "198609262015051001"


def ok(result, code: int = 0):
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception)
    assert "Traceback" not in result.stderr
    return result


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copy(OFFICE / name, target)
    return target


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def requests_of(db) -> dict[str, dict]:
    return {r[0]: {"received_on": r[1], "contact": r[2], "status": r[3], "closed_on": r[4]}
            for r in db.execute("SELECT ref_no, received_on, contact, status, closed_on "
                                "FROM requests")}


# --- registers saved by LibreOffice Calc ------------------------------------------------


@pytest.mark.parametrize("name", ["register.xlsx", "register.ods", "register.xls",
                                  "register.csv"])
def test_a_register_saved_by_libreoffice_imports_as_it_is(office, cli, tmp_path, name):
    path = copy(name, tmp_path)
    result = ok(cli("request", "import", str(path)))
    err = result.stderr
    assert "3 rows, 3 new, 0 updated, 0 unchanged, 0 rejected" in err
    # Title rows (one merged), the office's name and a blank row stand above the header.
    assert "header in row 4" in err
    assert "Skipped 1 total row (9)" in err
    if name != "register.csv":
        assert "has 2 sheets; only the first, 'November', was read (the others: " \
               "'Desember')" in err
        assert err.startswith("Warning: ")
    rows = requests_of(office)
    # Typed date cells, and the CSV's 02/11/26: 2 November, never 11 February.
    assert rows["SMA/2026/001"]["received_on"] == "2026-11-02"
    assert rows["SMA/2026/001"]["closed_on"] == "2026-11-04"
    assert rows["SMA/2026/003"]["received_on"] == "2026-11-23"
    # The phone number kept as a number gets its leading 0 back, with a note.
    assert rows["SMA/2026/001"]["contact"] == "081234567890"
    assert "1 phone number in the column No. HP was stored as a number; its leading 0 " \
           "was restored." in err
    # The row without a registration number is numbered as 'request add' numbers them.
    assert rows["SMA-2026-000001"]["received_on"] == "2026-11-03"
    assert get_request(office, "SMA/2026/001")["staff_nip"] == BUDI
    # The same file again changes nothing: the unnumbered row is found again.
    before = count(office, "change_log")
    again = json.loads(ok(cli("request", "import", str(path), "--json")).stdout)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert again["sheets"][0]["header_row"] == 4 and again["skipped_rows"] == 1
    assert count(office, "change_log") == before


def test_the_other_sheet_and_all_sheets(office, cli, tmp_path):
    path = copy("register.xlsx", tmp_path)
    result = ok(cli("request", "import", str(path), "--sheet", "desember"))
    assert "2 rows, 2 new" in result.stderr and "Warning" not in result.stderr
    assert "Skipped 1 total row (7)" in result.stderr  # TOTAL
    assert set(requests_of(office)) == {"SMA/2026/010", "SMA/2026/011"}
    report = json.loads(ok(cli("request", "import", str(path), "--all-sheets",
                               "--json")).stdout)
    assert (report["inserted"], report["unchanged"]) == (3, 2)
    assert [s["sheet"] for s in report["sheets"]] == ["November", "Desember"]
    assert len(requests_of(office)) == 5
    # By number, and a sheet that does not exist.
    assert "2 unchanged" in ok(cli("request", "import", str(path), "--sheet", "2")).stderr
    result = ok(cli("request", "import", str(path), "--sheet", "Maret"), 2)
    assert "has no sheet 'Maret'; its sheets: 1 'November', 2 'Desember'" in result.stderr
    result = ok(cli("request", "import", str(copy("register.csv", tmp_path)), "--sheet",
                    "1"), 2)
    assert "--sheet is for workbooks" in result.stderr


def test_header_row_option_and_a_header_not_found(office, cli, tmp_path):
    path = tmp_path / "judul.csv"
    path.write_text("Catatan bulan ini;;\nRef;Masuk;Layanan;Nama\n"
                    "A-1;02/11/2026;SMA-LEG;Ani\n", encoding="utf-8")
    result = ok(cli("request", "import", str(path)), 1)
    assert "no column for the required field" in result.stderr
    assert "--header-row N" in result.stderr
    result = ok(cli("request", "import", str(path), "--header-row", "2", "--map",
                    "Masuk=received_on", "--map", "Layanan=service_code", "--map",
                    "Nama=requester", "--map", "Ref=ref_no"))
    assert "1 new" in result.stderr
    assert requests_of(office)["A-1"]["received_on"] == "2026-11-02"


# --- dates: never a silent swap ----------------------------------------------------------


def test_a_month_first_file_is_refused_never_misread(office, cli, tmp_path):
    path = tmp_path / "us.csv"
    path.write_text("No. Registrasi,Tanggal Masuk,Kode Layanan,Nama Pemohon\n"
                    "M-1,11/02/2026,SMA-LEG,Ani\n"      # could be 11 February
                    "M-2,11/23/2026,SMA-LEG,Budi\n"     # only 23 November
                    "M-3,11/30/2026,SMA-LEG,Citra\n", encoding="utf-8")
    result = ok(cli("request", "import", str(path)), 1)
    assert ("the column Tanggal Masuk holds dates that can only be month first (row 3, "
            "column Tanggal Masuk: 11/23/2026, that is 23/11/2026; row 4, column Tanggal "
            "Masuk: 11/30/2026, that is 30/11/2026)") in result.stderr
    assert "--date-order mdy" in result.stderr
    assert count(office, "requests") == 0
    ok(cli("request", "import", str(path), "--date-order", "mdy"))
    assert requests_of(office)["M-1"]["received_on"] == "2026-11-02"
    assert requests_of(office)["M-2"]["received_on"] == "2026-11-23"
    # Day-first values read as month first are refused the same way.
    other = tmp_path / "id.csv"
    other.write_text("No. Registrasi,Tanggal Masuk,Kode Layanan,Nama Pemohon\n"
                     "D-1,23/11/2026,SMA-LEG,Dewi\n", encoding="utf-8")
    result = ok(cli("request", "import", str(other), "--date-order", "mdy"), 1)
    assert "can only be day first (row 2, column Tanggal Masuk: 23/11/2026, that is " \
           "11/23/2026)" in result.stderr
    assert ok(cli("request", "import", str(other), "--date-order", "ymd"), 2)


def test_two_digit_years_of_a_libreoffice_csv_are_this_century(office, cli, tmp_path):
    path = tmp_path / "lo.csv"
    path.write_text("No. Registrasi;Tanggal Masuk;Kode Layanan;Nama Pemohon;Status;"
                    "Tanggal Selesai\nY-1;23/11/26;SMA-LEG;Ani;selesai;25/11/26\n",
                    encoding="utf-8")
    ok(cli("request", "import", str(path)))
    row = requests_of(office)["Y-1"]
    assert (row["received_on"], row["closed_on"]) == ("2026-11-23", "2026-11-25")


# --- numbers that were meant as text ------------------------------------------------------


def test_a_nip_in_scientific_notation_gets_the_stored_as_a_number_message(office, cli,
                                                                          tmp_path):
    path = tmp_path / "nip.csv"
    path.write_text("No. Registrasi;Tanggal Masuk;Kode Layanan;Nama Pemohon;Petugas\n"
                    "N-1;02/11/2026;SMA-LEG;Ani;1,98609262015051E+017\n", encoding="utf-8")
    result = ok(cli("request", "import", str(path)), 1)
    assert "row 2, column Petugas: The NIP 1,98609262015051E+017 was stored as a number" \
        in result.stderr
    assert "format the NIP column as text" in result.stderr


def test_international_phone_numbers_become_the_indonesian_form(office, cli, tmp_path):
    path = tmp_path / "hp.csv"
    path.write_text("No. Registrasi,Tanggal Masuk,Kode Layanan,Nama Pemohon,No HP\n"
                    "P-1,02/11/2026,SMA-LEG,Ani,+62 812-3456-7890\n"
                    "P-2,02/11/2026,SMA-LEG,Budi,ani@example.org\n"
                    "P-3,02/11/2026,SMA-LEG,Citra,0812 555 111\n", encoding="utf-8")
    result = ok(cli("request", "import", str(path)))
    assert "leading 0" not in result.stderr
    rows = requests_of(office)
    assert rows["P-1"]["contact"] == "081234567890"
    assert rows["P-2"]["contact"] == "ani@example.org"
    assert rows["P-3"]["contact"] == "0812 555 111"  # already Indonesian: as written


def test_reference_numbers_differing_only_in_case_are_one_request(office, cli, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("No. Registrasi,Tanggal Masuk,Kode Layanan,Nama Pemohon\n"
                     "SMA-2025-000001,02/11/2025,SMA-LEG,Ani\n", encoding="utf-8")
    ok(cli("request", "import", str(first)))
    second = tmp_path / "b.csv"
    second.write_text("No. Registrasi,Tanggal Masuk,Kode Layanan,Nama Pemohon\n"
                      "sma-2025-000001,02/11/2025,SMA-LEG,Ani\n", encoding="utf-8")
    report = json.loads(ok(cli("request", "import", str(second), "--json")).stdout)
    assert (report["inserted"], report["unchanged"]) == (0, 1)
    assert list(requests_of(office)) == ["SMA-2025-000001"]
    both = tmp_path / "c.csv"
    both.write_text("No. Registrasi,Tanggal Masuk,Kode Layanan,Nama Pemohon\n"
                    "X-9,02/11/2025,SMA-LEG,Ani\nx-9,02/11/2025,SMA-LEG,Ani\n",
                    encoding="utf-8")
    result = ok(cli("request", "import", str(both)), 1)
    assert "row 3: repeats the record of row 2 (X-9)" in result.stderr
    assert ok(cli("request", "show", "sma-2025-000001", "--json"))


# --- rejects in the input's format -----------------------------------------------------------


def test_rejects_of_a_workbook_are_a_workbook_with_the_cells_as_read(office, cli, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["No. Registrasi", "Tanggal Masuk", "Kode Layanan", "Nama Pemohon", "Petugas"])
    ws.append(["R-1", date(2026, 11, 2), "NOPE", "Ani", 198609262015051001])
    ws.append(["R-2", date(2026, 11, 2), "SMA-LEG", "Budi", BUDI])
    path = tmp_path / "tolak.xlsx"
    book.save(path)
    report = json.loads(ok(cli("request", "import", str(path), "--skip-invalid",
                               "--json")).stdout)
    assert report["rejects_file"].endswith("tolak.xlsx.rejects.xlsx")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(report["rejects_file"]).get_sheet_by_index(0) \
        .to_python()
    assert rows[0][:3] == ["row", "error", "No. Registrasi"]
    assert rows[1][0] == 2 and "There is no service 'NOPE'" in rows[1][1]
    # The date cell is a date, the number a number: what the clerk saw, not Python's text.
    assert rows[1][3] == date(2026, 11, 2) and rows[1][6] == 1.98609262015051e17


# --- Google Forms and Microsoft Forms ---------------------------------------------------------


def test_a_google_forms_export_imports_with_no_option(office, cli, tmp_path):
    ok(cli("config", "set", "timezone", "Asia/Makassar"))  # Samarinda: WITA
    path = copy("google_forms_skm.csv", tmp_path)
    result = ok(cli("survey", "import", str(path), "--json"))
    report = json.loads(result.stdout)
    assert (report["inserted"], report["rejected"]) == (3, 0)
    rows = json.loads(ok(cli("survey", "list", "--json")).stdout)
    first = rows[0]
    assert first["service_code"] == "SMA-LEG" and first["responded_on"] == "2026-11-23"
    # Sangat Sesuai, Mudah, Sangat Cepat, Gratis, Sesuai, Sangat Kompeten, Sangat Sopan dan
    # Ramah, then complaint handling (Dikelola dengan baik) and facilities (Baik).
    assert [first[f"u{i}"] for i in range(1, 10)] == [4, 3, 4, 4, 3, 4, 4, 4, 3]
    assert (first["sex"], first["age"], first["education"], first["occupation"]) == (
        "P", 34, "S1", "PNS")
    assert first["note"] == 'Petugas ramah, "terima kasih".'
    # 11:40 PM at GMT+7 is already the next day in the office's zone (WITA, UTC+8).
    assert [r["responded_on"] for r in rows] == ["2026-11-23", "2026-11-24", "2026-11-24"]
    assert [rows[2][f"u{i}"] for i in range(1, 10)] == [1] * 9
    again = json.loads(ok(cli("survey", "import", str(path), "--json")).stdout)
    assert again["unchanged"] == 3


def test_unknown_service_names_are_listed_with_the_way_out(office, cli, tmp_path):
    text = (OFFICE / "google_forms_skm.csv").read_text("utf-8")
    path = tmp_path / "skm.csv"
    path.write_text(text.replace("Mutasi siswa SMA", "Pindah Sekolah"), encoding="utf-8")
    result = ok(cli("survey", "import", str(path)), 1)
    assert "row 4, column Layanan yang Anda terima: There is no service 'Pindah Sekolah'" \
        in result.stderr
    assert "1 service name is neither a code nor a service's name: 'Pindah Sekolah'; " \
           "give its code with --service-map 'Name=CODE'." in result.stderr
    assert count(office, "surveys") == 0
    ok(cli("survey", "import", str(path), "--service-map", "pindah sekolah=SMA-MUT"))
    assert count(office, "surveys") == 3
    assert ok(cli("survey", "import", str(path), "--service-map", "x=NOPE"), 2)


def test_a_microsoft_forms_export_imports_as_it_is(office, cli, tmp_path):
    path = copy("msforms.xlsx", tmp_path)
    result = ok(cli("survey", "import", str(path)))
    assert "2 rows, 2 new" in result.stderr
    assert "Ignored columns: Start time, Email, Name" in result.stderr
    rows = json.loads(ok(cli("survey", "list", "--json")).stdout)
    # "mutasi siswa  SMA": a service's name, case and spacing aside.
    assert [(r["service_code"], r["responded_on"]) for r in rows] == [
        ("SMA-LEG", "2026-11-23"), ("SMA-MUT", "2026-11-24")]
    assert rows[1]["age"] is None and rows[1]["age_band"] == "25-34 tahun"
    assert rows[1]["sex"] == "L" and rows[0]["note"] == "Antrean sudah tertib."
    # The response ID keys the rows: a second import changes nothing.
    assert sorted(r["response_key"] for r in rows) == ["SMA-LEG:1", "SMA-MUT:2"]


def test_ages_and_suggestions_outside_the_bounds_are_refused_naming_the_row(office, cli,
                                                                           tmp_path):
    path = tmp_path / "skm.csv"
    path.write_text("tanggal,layanan,u1,u2,u3,u4,u5,u6,u7,u8,u9,usia,saran\n"
                    "2026-08-11,SMA-LEG,4,4,4,4,4,4,4,4,4,7,\n"
                    f"2026-08-11,SMA-LEG,4,4,4,4,4,4,4,4,4,30,{'x' * 5001}\n"
                    "2026-08-11,SMA-LEG,Sangat Sesuai,4,4,4,4,4,4,4,Sangat Sesuai,30,\n",
                    encoding="utf-8")
    result = ok(cli("survey", "import", str(path)), 1)
    assert "row 2, column usia: is 7; an age is from 10 to 100 years" in result.stderr
    assert "row 3, column saran: is 5,001 characters long; a suggestion is at most 5,000" \
        in result.stderr
    assert "row 4, column u9" in result.stderr and "Sangat baik (4)" in result.stderr
    assert count(office, "surveys") == 0


# --- hostile files ---------------------------------------------------------------------------


def _xlsx_with_sheet(path: Path, sheet_xml: str) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["x"])
    book.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = sheet_xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '{dimension}<sheetData>{rows}</sheetData></worksheet>')


@pytest.mark.parametrize(("dimension", "rows", "expected"), [
    ('<dimension ref="A1:XFD1048576"/>',
     '<row r="1"><c r="A1" t="inlineStr"><is><t>No. Registrasi</t></is></c></row>',
     "claims the range A1:XFD1048576 (17,179,869,184 cells)"),
    ("", '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
         '<c r="ZZ1000000" t="inlineStr"><is><t>y</t></is></c></row>',
     "spans 1,000,000 rows by 702 columns"),
    ("", '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
         '<c r="XFD1" t="inlineStr"><is><t>y</t></is></c></row>',
     "uses columns past ZZ"),
    ("", '<row><c t="inlineStr"><is><t>x</t></is></c>' + "<c/>" * 800
         + "<c><v>1</v></c></row>", "uses columns past ZZ"),
])
def test_a_workbook_that_would_be_laid_out_past_the_bounds_is_refused(office, cli, tmp_path,
                                                                      dimension, rows,
                                                                      expected):
    path = _xlsx_with_sheet(tmp_path / "besar.xlsx", SHEET.format(dimension=dimension,
                                                                  rows=rows))
    assert path.stat().st_size < 10_000
    result = ok(cli("request", "import", str(path)), 1)
    assert expected in result.stderr and "is refused" in result.stderr
    assert count(office, "requests") == 0


def _set_declared_size(path: Path, member: str, size: int) -> None:
    """Rewrite the zip directory's uncompressed size of ``member`` (a lying directory)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    central = data.rfind(b"PK\x01\x02" + b"\x00" * 0, 0)  # the last central entry
    position = 0
    while True:
        central = data.find(b"PK\x01\x02", position)
        if central < 0:
            raise AssertionError(member)
        length = int.from_bytes(data[central + 28:central + 30], "little")
        if data[central + 46:central + 46 + length] == name:
            data[central + 24:central + 28] = size.to_bytes(4, "little")
            break
        position = central + 4
    path.write_bytes(bytes(data))


def test_zip_bombs_are_refused_before_they_are_inflated(office, cli, tmp_path):
    # Parts that declare gigabytes, or inflate far past what they declare.
    claimed = _xlsx_with_sheet(tmp_path / "klaim.xlsx", SHEET.format(dimension="", rows=""))
    _set_declared_size(claimed, "xl/worksheets/sheet1.xml", 3_000_000_000)
    result = ok(cli("request", "import", str(claimed)), 1)
    assert "its part xl/worksheets/sheet1.xml inflates to 3,000,000,000 bytes, past the " \
           "limit" in result.stderr
    lying = _xlsx_with_sheet(tmp_path / "bohong.xlsx", SHEET.format(
        dimension="", rows="<row r='1'/>" * 20_000))
    _set_declared_size(lying, "xl/worksheets/sheet1.xml", 1000)
    result = ok(cli("request", "import", str(lying)), 1)
    assert "is not a readable XLSX workbook" in result.stderr
    # A real bomb: 40 MB of one repeated row in 100 KB, a ratio past the limit.
    ratio = tmp_path / "rasio.xlsx"
    body = "<row r='1'><c r='A1'><v>1</v></c></row>" * 1_100_000
    _xlsx_with_sheet(ratio, SHEET.format(dimension="", rows=body))
    result = ok(cli("request", "import", str(ratio)), 1)
    assert "inflates" in result.stderr and "a decompression bomb much more" in result.stderr


def test_an_ods_repeating_a_value_past_the_bounds_is_refused(office, cli, tmp_path):
    path = copy("register.ods", tmp_path)
    with zipfile.ZipFile(path) as source:
        parts = [(i, source.read(i)) for i in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in parts:
            if info.filename == "content.xml":
                data = data.replace(
                    b'<table:table-cell office:value-type="string" calcext:value-type='
                    b'"string"><text:p>Ani Lestari',
                    b'<table:table-cell table:number-columns-repeated="1000000" '
                    b'office:value-type="string" calcext:value-type="string"><text:p>'
                    b'Ani Lestari', 1)
                assert b"1000000" in data
            target.writestr(info, data, zipfile.ZIP_DEFLATED)
    result = ok(cli("request", "import", str(path)), 1)
    assert "repeats a cell that holds a value 1,000,000 times" in result.stderr


def test_hostile_csv_rows_and_headers_are_refused_while_streaming(office, cli, tmp_path):
    long_row = tmp_path / "panjang.csv"
    long_row.write_text("No. Registrasi,Nama Pemohon\nA-1," + "x" * 1_200_000 + "\n",
                        encoding="utf-8")
    result = ok(cli("request", "import", str(long_row)), 1)
    assert "line 2 is longer than 1,000,000 characters" in result.stderr
    wide = tmp_path / "lebar.csv"
    wide.write_text(",".join(f"k{i}" for i in range(5000)) + "\n", encoding="utf-8")
    result = ok(cli("request", "import", str(wide)), 1)
    assert "row 1 has 5,000 cells; at most 702 columns are read" in result.stderr
    assert len(result.stderr) < 400
    quote = tmp_path / "kutip.csv"
    # Quoted cells with line breaks that never end the row.
    quote.write_text('No. Registrasi,Nama Pemohon\nA-1,' + ('"' + "x" * 900 + '\n",') * 2500,
                     encoding="utf-8")
    result = ok(cli("request", "import", str(quote)), 1)
    assert "is longer than 2,000,000 characters (a quote left open?)" in result.stderr


def test_one_foreign_byte_in_a_utf8_file_is_refused_naming_the_line(office, cli, tmp_path):
    path = tmp_path / "campur.csv"
    path.write_bytes("No. Registrasi,Tanggal Masuk,Kode Layanan,Nama Pemohon\n"
                     "E-1,02/11/2026,SMA-LEG,Dédé\n".encode()
                     + b"E-2,02/11/2026,SMA-LEG,Jos\xe9\n")
    result = ok(cli("request", "import", str(path)), 1)
    assert "is UTF-8 text, but line 3 is not" in result.stderr
    assert count(office, "requests") == 0
    # A file that is Windows-1252 throughout is read as such, with a warning.
    ansi = tmp_path / "ansi.csv"
    ansi.write_bytes(b"No. Registrasi,Tanggal Masuk,Kode Layanan,Nama Pemohon\n"
                     b"E-3,02/11/2026,SMA-LEG,Jos\xe9\n")
    result = ok(cli("request", "import", str(ansi)))
    assert "Warning: ansi.csv is not UTF-8; it was read as Windows-1252" in result.stderr
    assert get_request(office, "E-3")["requester"] == "José"


# --- out: XLSX that LibreOffice reads back ----------------------------------------------------


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice (soffice) is needed: .ci/run installs libreoffice-calc"
    return found


def _to_csv(files: list[Path], out: Path, profile: Path) -> None:
    """One LibreOffice run converts every file; each sheet to NAME-SHEET.csv."""
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,"
                    "true,false,false,false,-1", "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=180)


def test_xlsx_lists_and_the_export_workbook_open_in_libreoffice(office, cli, tmp_path):
    ok(cli("request", "add", "--service", "SMA-LEG", "--requester", "=Ani()",
           "--contact", "081234567890", "--received", "2026-11-02", "--staff", BUDI))
    ok(cli("request", "add", "--service", "SMA-MUT", "--requester", "Budi", "--ref", "R-2",
           "--received", "2026-11-03"))
    ok(cli("request", "update", "R-2", "--status", "completed", "--on", "2026-11-05"))
    listed = tmp_path / "permohonan.xlsx"
    result = ok(cli("request", "list", "--xlsx", str(listed)))
    assert f"2 rows written to {listed}." in result.stderr and result.stdout == ""
    staff = tmp_path / "pegawai.xlsx"
    ok(cli("staff", "list", "--xlsx", str(staff)))
    bundle = tmp_path / "bundle"
    ok(cli("export", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(bundle)))
    workbook = bundle / "data" / "registers" / "registers.xlsx"
    assert workbook.exists()

    out = tmp_path / "csv"
    _to_csv([listed, staff, workbook], out, tmp_path / "profile")
    (request_csv,) = out.glob("permohonan*.csv")
    rows = list(csv.DictReader(io.StringIO(request_csv.read_text("utf-8-sig"))))
    assert [r["ref_no"] for r in rows] == ["SMA-2026-000001", "R-2"]
    assert rows[0]["staff_nip"] == BUDI  # 18 digits, not 1.98609262015051E+017
    assert rows[0]["requester"] == "=Ani()"  # text, never run as a formula
    assert rows[0]["received_on"] == "2026-11-02"
    assert rows[1]["on_time"] in ("yes", "ya") and rows[0]["on_time"] == ""
    (staff_csv,) = out.glob("pegawai*.csv")
    nips = [r["nip"] for r in csv.DictReader(io.StringIO(staff_csv.read_text("utf-8-sig")))]
    assert BUDI in nips
    sheets = {p.name for p in out.glob("registers-*.csv")}
    assert len(sheets) >= 10, sheets
    register = next(p for p in out.glob("registers-*.csv")
                    if {"ref_no", "due_on", "staff_nip"} <= set(
                        p.read_text("utf-8-sig").splitlines()[0].split(",")))
    exported = list(csv.DictReader(io.StringIO(register.read_text("utf-8-sig"))))
    assert {r["staff_nip"] for r in exported} == {BUDI, ""}
    assert {r["ref_no"] for r in exported} == {"SMA-2026-000001", "R-2"}


def test_csv_lists_use_the_office_delimiter_and_keep_nips_as_text(office, cli):
    ok(cli("request", "add", "--service", "SMA-LEG", "--requester", "Ani", "--contact",
           "081234567890", "--received", "2026-11-02", "--staff", BUDI))
    text = ok(cli("request", "list", "--csv")).stdout
    header, row = text.splitlines()[:2]
    assert header.startswith("ref_no;received_on;")  # the office speaks Indonesian
    assert "19860926 201505 1 001" in row
    from qmstrack.csvsafe import kept_as_text

    assert kept_as_text("contact", "081234567890") == "0812-3456-7890"
    assert kept_as_text("contact", "0812") == "0812"
    assert kept_as_text("notes", BUDI) == BUDI
    ok(cli("config", "set", "csv_delimiter", "tab"))
    assert ok(cli("request", "list", "--csv")).stdout.startswith("ref_no\treceived_on")
    assert ok(cli("request", "list", "--csv", "--delimiter", ",")).stdout.startswith(
        "ref_no,received_on")
    assert "--delimiter" in ok(cli("request", "list", "--csv", "--delimiter", "|"),
                               2).stderr
    assert ok(cli("request", "list", "--xlsx", "x.xlsx", "--json"), 2)


# --- languages ----------------------------------------------------------------------------

READER_MODULES = ["sheet_reader.py", "tabular.py", "sheet_writer.py", "register_workbook.py",
                  "registers/surveys.py", "cli/imports.py", "cli/output.py", "config.py",
                  "csvsafe.py"]


def test_every_message_of_the_reader_has_an_indonesian_translation():
    import re

    from babel.messages.extract import extract_from_file

    from qmstrack.i18n import translations

    t = translations("id")
    root = Path(__file__).parents[1] / "qmstrack"
    messages = [m for name in READER_MODULES
                for _, m, _, _ in extract_from_file("python", str(root / name))]
    assert len(messages) > 60
    for message in messages:
        source = message[0] if isinstance(message, tuple) else message
        translated = (t.ngettext(message[0], message[1], 1) if isinstance(message, tuple)
                      else t.gettext(message))
        assert translated != source, message
        assert sorted(re.findall(r"\{[^{}]*\}", translated)) == sorted(
            re.findall(r"\{[^{}]*\}", source)), message


def test_the_reader_speaks_the_terminal_language(office, tmp_path):
    from qmstrack.errors import InvalidInput
    from qmstrack.i18n import set_terminal_language, terminal_language
    from qmstrack.registers.requests import import_requests

    path = tmp_path / "us.csv"
    path.write_text("No. Registrasi,Tanggal Masuk,Kode Layanan,Nama Pemohon\n"
                    "M-2,11/23/2026,SMA-LEG,Budi\n", encoding="utf-8")
    before = terminal_language()
    try:
        set_terminal_language("id")
        with pytest.raises(InvalidInput, match="hanya bisa dibaca bulan lebih dulu"):
            import_requests(office, path)
    finally:
        set_terminal_language(before)
