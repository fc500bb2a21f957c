"""Spreadsheet imports: messy Indonesian CSV exports, XLSX, mapping, dry runs, refusals.

Every import runs through the real CLI (or the register's import function) against a real
SQLite file; "nothing changed" is checked with row counts and the change log.
"""

from __future__ import annotations

import csv
import json
import shutil
import stat
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from qmstrack import changelog
from qmstrack.db import writing
from qmstrack.errors import ImportRefused, InvalidInput
from qmstrack.registers.requests import get_request, import_requests, update_request

DATA = Path(__file__).parent / "data"
BUDI = "198609262015051001"
SITI = "199001012019032002"


def snapshot(db) -> dict[str, int]:
    """Row counts of the registers and the change log: 'the database is unchanged'."""
    tables = ["units", "services", "staff", "rules", "requests", "request_events",
              "adherence", "change_log", "change_seals"]
    return {t: db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in tables}


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copy(DATA / name, target)
    return target


def assert_clean_exit(result, code: int) -> None:
    assert result.exit_code == code, (result.stdout, result.stderr)
    # An unexpected exception would be swallowed by CliRunner: make it fail the test.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception)
    assert "Traceback" not in result.stderr


def import_json(result) -> dict:
    assert_clean_exit(result, 0)
    return json.loads(result.stdout)


# --- the messy Indonesian Excel export --------------------------------------------------


def test_indonesian_excel_csv_export(office, cli, tmp_path):
    path = copy("permohonan_excel_id.csv", tmp_path)
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 0)
    assert result.stdout == ""
    assert ("Imported permohonan_excel_id.csv: 5 rows, 5 new, 0 updated, 0 unchanged, "
            "0 rejected.") in result.stderr
    assert "Ignored columns: No." in result.stderr

    ani = get_request(office, "SMA/2026/001")
    assert (ani["received_on"], ani["status"], ani["due_on"]) == (
        "2026-11-23", "received", "2026-11-26")
    assert ani["requester"] == "Ani Lestari" and ani["contact"] == "081234567890"

    budi = get_request(office, "SMA/2026/002")
    assert budi["received_on"] == "2026-08-05" and budi["closed_on"] == "2026-08-10"
    assert budi["status"] == "completed" and budi["on_time"] is True
    assert budi["staff_nip"] == BUDI and budi["contact"] == "0812 555 111"
    assert [(e["status"], e["on_date"]) for e in budi["events"]] == [
        ("received", "2026-08-05"), ("completed", "2026-08-10")]

    citra = get_request(office, "SMA/2026/003")
    assert citra["status"] == "in_progress" and citra["due_on"] == "2026-08-24"
    assert [e["status"] for e in citra["events"]] == ["received", "in_progress"]

    dewi = get_request(office, "SMP/2026/001")
    assert dewi["requester"] == "Dewi; S.Pd"
    assert (dewi["status"], dewi["closed_on"], dewi["unit"]) == ("rejected", "2026-08-04",
                                                                 "SMP")
    eko = get_request(office, "SEK/2026/001")
    assert (eko["due_on"], eko["closed_on"], eko["on_time"]) == (
        "2026-12-01", "2026-12-01", True)
    assert list(changelog.verify_chain(office)) == []


def test_reimport_is_idempotent(office, cli, tmp_path):
    path = copy("permohonan_excel_id.csv", tmp_path)
    first = import_json(cli("request", "import", str(path), "--json"))
    assert (first["inserted"], first["rows"]) == (5, 5)
    before = snapshot(office)
    second = import_json(cli("request", "import", str(path), "--json"))
    assert (second["inserted"], second["updated"], second["unchanged"],
            second["rejected"]) == (0, 0, 5, 0)
    assert snapshot(office) == before  # no events, no change-log entries, no seals


def test_reimport_of_a_changed_row_updates_it_and_records_the_event(office, cli, tmp_path):
    path = copy("permohonan_excel_id.csv", tmp_path)
    import_json(cli("request", "import", str(path), "--json"))
    text = path.read_bytes().replace(
        b"23/11/2026;SMA-LEG;Ani Lestari;081234567890;diterima;;",
        b"23/11/2026;SMA-LEG;Ani Lestari;081234567890;selesai;25/11/2026;")
    path.write_bytes(text)
    report = import_json(cli("request", "import", str(path), "--json"))
    assert (report["inserted"], report["updated"], report["unchanged"]) == (0, 1, 4)
    ani = get_request(office, "SMA/2026/001")
    assert ani["status"] == "completed" and ani["on_time"] is True
    assert [(e["status"], e["on_date"]) for e in ani["events"]] == [
        ("received", "2026-11-23"), ("completed", "2026-11-25")]
    assert list(changelog.verify_chain(office)) == []


def _reimport_older_copy(office, cli, tmp_path):
    """Import the file with Ani's request completed, then keep the older copy at hand."""
    older = copy("permohonan_excel_id.csv", tmp_path)
    newer = tmp_path / "newer.csv"
    newer.write_bytes(older.read_bytes().replace(
        b"23/11/2026;SMA-LEG;Ani Lestari;081234567890;diterima;;",
        b"23/11/2026;SMA-LEG;Ani Lestari;081234567890;selesai;25/11/2026;"))
    import_json(cli("request", "import", str(newer), "--json"))
    return older, newer


def test_an_older_copy_of_the_file_does_not_reopen_a_closed_request(office, cli, tmp_path):
    older, _ = _reimport_older_copy(office, cli, tmp_path)
    before = snapshot(office)
    result = cli("request", "import", str(older))
    assert_clean_exit(result, 1)
    assert "1 invalid row, nothing was imported" in result.stderr
    assert ("row 2, column Status: is received, but request SMA/2026/001 was completed on "
            "2026-11-25; an import does not reopen a closed request") in result.stderr
    assert snapshot(office) == before
    assert get_request(office, "SMA/2026/001")["status"] == "completed"

    # Kept apart with --skip-invalid: the other rows are checked as usual (unchanged).
    report = import_json(cli("request", "import", str(older), "--skip-invalid", "--json"))
    assert (report["inserted"], report["updated"], report["unchanged"],
            report["rejected"]) == (0, 0, 4, 1)
    with open(report["rejects_file"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [(r[0], r[3]) for r in rows[1:]] == [("2", "SMA/2026/001")]
    assert "an import does not reopen a closed request" in rows[1][1]
    assert snapshot(office) == before
    assert list(changelog.verify_chain(office)) == []


def test_an_import_does_not_move_a_request_back_or_redate_its_closing(office, cli, tmp_path):
    _, newer = _reimport_older_copy(office, cli, tmp_path)
    before = snapshot(office)
    # SMA/2026/003 is in progress: a row saying received (diterima) would move it back.
    back = tmp_path / "back.csv"
    back.write_bytes(newer.read_bytes().replace(b";diproses;;", b";diterima;;"))
    result = cli("request", "import", str(back))
    assert_clean_exit(result, 1)
    assert ("row 4, column Status: is received, but request SMA/2026/003 is already "
            "in_progress; an import does not move a request back") in result.stderr
    # The closing date of a closed request stays as it was recorded.
    redated = tmp_path / "redated.csv"
    redated.write_bytes(newer.read_bytes().replace(b"selesai;25/11/2026;",
                                                   b"selesai;26/11/2026;"))
    result = cli("request", "import", str(redated))
    assert_clean_exit(result, 1)
    assert ("row 2, column Tanggal Selesai: is 2026-11-26, but request SMA/2026/001 was "
            "completed on 2026-11-25; an import does not change a closing date"
            ) in result.stderr
    assert snapshot(office) == before
    # Closed with 'request update', the request is not reopened by the file that still
    # says diproses; the rows before and after it are named in row order.
    update_request(office, "SMA/2026/003", status="completed", on="2026-08-20")
    before = snapshot(office)
    both = tmp_path / "both.csv"
    both.write_bytes(newer.read_bytes().replace(b"selesai;25/11/2026;", b"diproses;;"))
    result = cli("request", "import", str(both))
    assert_clean_exit(result, 1)
    err = result.stderr
    assert "2 invalid rows, nothing was imported" in err
    first = err.index("row 2, column Status: is in_progress, but request SMA/2026/001 was "
                      "completed on 2026-11-25")
    second = err.index("row 4, column Status: is in_progress, but request SMA/2026/003 "
                       "was completed on 2026-08-20")
    assert first < second
    assert snapshot(office) == before


def test_cp1252_encoded_csv(office, cli, tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes("No. Registrasi;Tgl Masuk;Kode Layanan;Nama Pemohon;Keterangan\r\n"
                     "W-1;5 Agt 2026;SMA-LEG;Jérôme Façade;Surat dikirim – cepat\r\n"
                     .encode("cp1252"))
    assert_clean_exit(cli("request", "import", str(path)), 0)
    record = get_request(office, "W-1")
    assert record["requester"] == "Jérôme Façade"
    assert record["notes"] == "Surat dikirim – cepat"


def test_english_headers_with_comma_and_rating(office, cli, tmp_path):
    report = import_json(cli("request", "import", str(copy("requests_en.csv", tmp_path)),
                             "--json"))
    assert report["inserted"] == 3
    assert get_request(office, "EN-1")["rating"] == 4
    assert get_request(office, "EN-2")["status"] == "in_progress"
    assert get_request(office, "EN-3")["status"] == "received"


def test_map_option(office, cli, tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("Nomor Berkas,Tgl Masuk,Kode Layanan,Atas Nama,Memo\n"
                    "M-1,2026-08-05,SMA-LEG,Ani,segera\n", encoding="utf-8")
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    assert "no column for the required field 'ref_no'" in result.stderr
    assert "--map" in result.stderr
    result = cli("request", "import", str(path), "--map", "Nomor Berkas=ref_no",
                 "--map", "atas nama=requester", "--map", "MEMO=notes")
    assert_clean_exit(result, 0)
    record = get_request(office, "M-1")
    assert (record["requester"], record["notes"]) == ("Ani", "segera")


@pytest.mark.parametrize("mapping", ["Nomor Berkas=nonsense", "no-equals-sign", "=ref_no"])
def test_bad_map_option_is_a_usage_error(office, cli, tmp_path, mapping):
    path = copy("requests_en.csv", tmp_path)
    before = snapshot(office)
    result = cli("request", "import", str(path), "--map", mapping)
    assert_clean_exit(result, 2)
    assert "--map" in result.stderr and "COLUMN=FIELD" in result.stderr
    assert snapshot(office) == before


def test_two_columns_for_one_field_refused(office, cli, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("ref_no;No. Registrasi;Tgl Masuk;Kode Layanan;Nama Pemohon\n"
                    "A;B;2026-08-05;SMA-LEG;X\n", encoding="utf-8")
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    assert "two columns mean the same field 'ref_no'" in result.stderr


# --- dry run ------------------------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(office, cli, tmp_path):
    path = copy("permohonan_excel_id.csv", tmp_path)
    before = snapshot(office)
    result = cli("request", "import", str(path), "--dry-run")
    assert_clean_exit(result, 0)
    assert "Would import permohonan_excel_id.csv: 5 rows, 5 new" in result.stderr
    report = import_json(cli("request", "import", str(path), "--dry-run", "--json"))
    assert report["dry_run"] is True and report["inserted"] == 5
    assert snapshot(office) == before
    # After a real import, a dry run of the same file predicts "all unchanged".
    import_json(cli("request", "import", str(path), "--json"))
    report = import_json(cli("request", "import", str(path), "--dry-run", "--json"))
    assert (report["inserted"], report["unchanged"]) == (0, 5)


def test_dry_run_with_invalid_rows_still_refuses(office, cli, tmp_path):
    path = copy("permohonan_invalid.csv", tmp_path)
    before = snapshot(office)
    result = cli("request", "import", str(path), "--dry-run")
    assert_clean_exit(result, 1)
    assert snapshot(office) == before


# --- invalid rows ------------------------------------------------------------------------


def test_invalid_file_is_refused_whole_naming_every_bad_row(office, cli, tmp_path):
    path = copy("permohonan_invalid.csv", tmp_path)
    before = snapshot(office)
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    err = result.stderr
    assert "Error: " in err and "4 invalid rows, nothing was imported" in err
    assert "--skip-invalid" in err
    expected = [
        "row 2, column Tgl Masuk: The received date '31/02/2026' is not a real calendar date",
        "row 3, column Kode Layanan: There is no service 'NOPE'",
        "row 3, column Tanggal Selesai: is empty, but a completed request needs its closing",
        "row 5, column Status: The status 'hilang' is not one of",
        "row 5, column Petugas: The NIP '19860926 201505 1 00' has 17 digits",
        "row 7, column Tanggal Selesai: 2026-08-09 is before the received date 2026-08-10",
    ]
    for line in expected:
        assert line in err, line
    assert "row 4" not in err and "row 6" not in err
    assert snapshot(office) == before
    assert not list(tmp_path.glob("*rejects*"))
    assert not list(tmp_path.glob(".*partial"))


def test_skip_invalid_keeps_valid_rows_and_writes_rejects(office, cli, tmp_path):
    path = copy("permohonan_invalid.csv", tmp_path)
    result = cli("request", "import", str(path), "--skip-invalid")
    assert_clean_exit(result, 0)
    assert "6 rows, 2 new, 0 updated, 0 unchanged, 4 rejected" in result.stderr
    rejects = tmp_path / "permohonan_invalid.csv.rejects.csv"
    assert f"Rejected rows written to {rejects}" in result.stderr
    assert get_request(office, "OK-1")["status"] == "completed"
    assert get_request(office, "OK-2")["status"] == "received"
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600

    with open(rejects, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["row", "error", "No. Registrasi"]
    assert [r[0] for r in rows[1:]] == ["2", "3", "5", "7"]
    by_ref = {r[2]: r for r in rows[1:]}
    assert "not a real calendar date" in by_ref["BAD-1"][1]
    assert "There is no service 'NOPE'" in by_ref["BAD-2"][1]
    assert "hilang" in by_ref["BAD-3"][1] and "17 digits" in by_ref["BAD-3"][1]
    # Formula-looking cells are neutralised for whoever opens the file in Excel.
    assert by_ref["BAD-2"][5] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert by_ref["BAD-4"][5] == "'+62 812"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")) and not cell.startswith("-")


def test_skip_invalid_rejects_option_and_unwritable_place(office, cli, tmp_path):
    path = copy("permohonan_invalid.csv", tmp_path)
    before = snapshot(office)
    result = cli("request", "import", str(path), "--skip-invalid", "--rejects",
                 str(tmp_path / "missing-dir" / "rejects.csv"))
    assert_clean_exit(result, 1)
    assert "Cannot write the rejects file" in result.stderr
    assert snapshot(office) == before
    result = cli("request", "import", str(path), "--skip-invalid", "--rejects", str(tmp_path))
    assert_clean_exit(result, 1)
    assert "is a directory" in result.stderr
    assert snapshot(office) == before
    target = tmp_path / "out" / "afgewezen.csv"
    target.parent.mkdir()
    result = cli("request", "import", str(path), "--skip-invalid", "--rejects", str(target))
    assert_clean_exit(result, 0)
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == 5


def test_skip_invalid_with_no_bad_rows_writes_no_rejects_file(office, cli, tmp_path):
    path = copy("requests_en.csv", tmp_path)
    report = import_json(cli("request", "import", str(path), "--skip-invalid", "--json"))
    assert report["rejects_file"] is None
    assert [p.name for p in tmp_path.iterdir() if "rejects" in p.name or "partial" in p.name
            ] == []


def test_repeated_reference_in_one_file(office, cli, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("ref_no,received_on,service_code,requester\n"
                    "R-1,2026-08-05,SMA-LEG,A\nR-1,2026-08-06,SMA-LEG,B\n", encoding="utf-8")
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    assert "row 3: repeats the record of row 2 (R-1)" in result.stderr


def test_more_problems_than_listed(office, tmp_path):
    path = tmp_path / "many.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("ref_no,received_on,service_code,requester\n")
        for i in range(1005):
            fh.write(f"R-{i},not a date,SMA-LEG,A\n")
    before = snapshot(office)
    with pytest.raises(ImportRefused) as info:
        import_requests(office, path)
    assert info.value.total_bad_rows == 1005
    assert "1005 invalid rows" in info.value.message
    assert len(info.value.problems) == 1000
    assert info.value.details[-1].startswith("... and more")
    assert snapshot(office) == before


# --- files that are not what they claim -----------------------------------------------


def test_header_without_a_required_column(office, cli, tmp_path):
    path = tmp_path / "no-service.csv"
    path.write_text("No. Registrasi;Tgl Masuk;Nama Pemohon\nA;2026-08-05;X\n",
                    encoding="utf-8")
    before = snapshot(office)
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    assert "no column for the required field 'service_code'" in result.stderr
    assert "kode_layanan" in result.stderr
    assert snapshot(office) == before


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "is empty"),
    (b"\r\n\r\n  \r\n", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a text (CSV) file"),
    (b"\xef\xbb\xbf", "is empty"),
])
def test_empty_and_binary_files(office, cli, tmp_path, content, reason):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    before = snapshot(office)
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    assert reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(office) == before


def test_header_only_file_imports_nothing(office, cli, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("ref_no,received_on,service_code,requester\n", encoding="utf-8")
    report = import_json(cli("request", "import", str(path), "--json"))
    assert (report["rows"], report["inserted"]) == (0, 0)


def test_missing_file_and_directory(office, cli, tmp_path):
    result = cli("request", "import", str(tmp_path / "nope.csv"))
    assert_clean_exit(result, 1)
    assert "does not exist" in result.stderr
    result = cli("request", "import", str(tmp_path))
    assert_clean_exit(result, 2)
    assert "directory" in result.stderr
    with pytest.raises(InvalidInput, match="is a directory"):
        import_requests(office, tmp_path)


def test_fake_and_old_excel_files(office, cli, tmp_path):
    fake = tmp_path / "data.xlsx"
    fake.write_text("ref_no,received_on\n", encoding="utf-8")
    result = cli("request", "import", str(fake))
    assert_clean_exit(result, 1)
    assert "named like an Excel file but is not one" in result.stderr
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = cli("request", "import", str(broken))
    assert_clean_exit(result, 1)
    assert "not a readable XLSX workbook" in result.stderr
    old = tmp_path / "lama.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    result = cli("request", "import", str(old))
    assert_clean_exit(result, 1)
    assert "Excel 97-2003" in result.stderr


def test_huge_field_is_refused_with_its_row_and_column(office, cli, tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("ref_no;received_on;service_code;requester;Catatan\n"
                    f"H-1;2026-08-05;SMA-LEG;A;{'x' * 20_000}\n"
                    "H-2;2026-08-05;SMA-LEG;B;short\n", encoding="utf-8")
    before = snapshot(office)
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    assert "row 2, column Catatan: is longer than 10000 characters" in result.stderr
    assert len(result.stderr) < 2000  # the field itself is not echoed
    assert snapshot(office) == before
    result = cli("request", "import", str(path), "--skip-invalid")
    assert_clean_exit(result, 0)
    assert get_request(office, "H-2")["notes"] == "short"


def test_twenty_thousand_rows(office, tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("No. Registrasi;Tgl Masuk;Kode Layanan;Nama Pemohon;Status;Tanggal Selesai\n")
        for i in range(20_000):
            day = 1 + i % 28
            fh.write(f"B-{i:05d};{day:02d}/07/2026;SMA-LEG;Pemohon {i};selesai;"
                     f"{day:02d}/08/2026\n")
    seals = office.execute("SELECT count(*) FROM change_seals").fetchone()[0]
    started = time.monotonic()
    report = import_requests(office, path, command="qmstrack request import")
    elapsed = time.monotonic() - started
    assert (report.rows, report.inserted, report.rejected) == (20_000, 20_000, 0)
    assert office.execute("SELECT count(*) FROM requests").fetchone()[0] == 20_000
    # Received and completed, both on the row: no status event repeats them.
    assert office.execute("SELECT count(*) FROM request_events").fetchone()[0] == 0
    assert elapsed < 30
    # One file, one transaction, one seal.
    assert office.execute("SELECT count(*) FROM change_seals").fetchone()[0] == seals + 1
    assert office.execute("SELECT command FROM change_seals ORDER BY id DESC LIMIT 1"
                          ).fetchone()[0] == "qmstrack request import"
    assert list(changelog.verify_chain(office)) == []


# --- XLSX --------------------------------------------------------------------------------


def read_xlsx(path: Path, sheet: int = 0) -> list[list]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return [[None if c == "" else c for c in row]
            for row in book.get_sheet_by_index(sheet).to_python(skip_empty_area=False)]


def make_xlsx(path: Path, rows: list[list]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Permohonan"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


XLSX_HEADER = ["No", "No. Registrasi", "Tgl Masuk", "Kode Layanan", "Nama Pemohon", "No HP",
               "Status", "Tanggal Selesai", "Petugas", "Keterangan"]


def test_xlsx_with_date_cells_text_nips_and_a_formula(office, cli, tmp_path):
    path = make_xlsx(tmp_path / "permohonan.xlsx", [
        XLSX_HEADER,
        [1, "X-1", date(2026, 8, 14), "SMA-LEG", "Ani", 81234567, "selesai",
         datetime(2026, 8, 20, 9, 30), "19860926 201505 1 001",
         '=HYPERLINK("http://x","y")'],
        [2, "X-2", "5 Agt 2026", "SMA-LEG", "Budi", "0812", "diterima", None, BUDI, None],
        [3, 1003, date(2026, 8, 14), "SMP-LEG", "Citra", None, None, None, SITI, "ok"],
        [None, None, None, None, None, None, None, None, None, None],
    ])
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 0)
    assert "3 rows, 3 new" in result.stderr
    x1 = get_request(office, "X-1")
    assert (x1["received_on"], x1["closed_on"], x1["due_on"]) == (
        "2026-08-14", "2026-08-20", "2026-08-20")
    assert x1["on_time"] is True and x1["staff_nip"] == BUDI
    assert x1["contact"] == "81234567"
    # The formula is never evaluated or stored as a formula.
    assert not x1["notes"].startswith("=")
    assert get_request(office, "X-2")["received_on"] == "2026-08-05"
    assert get_request(office, "1003")["staff_nip"] == SITI
    # Same workbook again: nothing changes.
    before = snapshot(office)
    report = import_json(cli("request", "import", str(path), "--json"))
    assert (report["inserted"], report["updated"], report["unchanged"]) == (0, 0, 3)
    assert snapshot(office) == before


def test_xlsx_nip_stored_as_number_is_refused_clearly(office, cli, tmp_path):
    path = make_xlsx(tmp_path / "angka.xlsx", [
        XLSX_HEADER,
        [1, "N-1", date(2026, 8, 14), "SMA-LEG", "Ani", None, None, None, int(BUDI), None],
        [2, "N-2", date(2026, 8, 14), "SMA-LEG", "Budi", None, None, None, None, None],
    ])
    before = snapshot(office)
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    assert "row 2, column Petugas: The NIP" in result.stderr
    assert "stored as a number" in result.stderr and "format the NIP column as text" \
        in result.stderr
    assert snapshot(office) == before
    result = cli("request", "import", str(path), "--skip-invalid")
    assert_clean_exit(result, 0)
    # A workbook's rejected rows go to a workbook, the cells as they were read.
    rejects = tmp_path / "angka.xlsx.rejects.xlsx"
    rows = read_xlsx(rejects)
    assert [r[0] for r in rows[1:]] == [2]
    assert rows[1][2 + 8] == float(int(BUDI))  # the number cell, as the clerk sees it
    assert get_request(office, "N-2")["staff_nip"] is None


def test_xlsx_invalid_rows_named_with_spreadsheet_row_numbers(office, cli, tmp_path):
    path = make_xlsx(tmp_path / "salah.xlsx", [
        [None, None],
        XLSX_HEADER,
        [1, "E-1", date(2026, 8, 14), "SMA-LEG", "Ani", None, "selesai",
         datetime(2026, 8, 10), None, None],
    ])
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    assert "row 3, column Tanggal Selesai: 2026-08-10 is before the received date" \
        in result.stderr


def test_xlsx_empty_workbook(office, cli, tmp_path):
    path = make_xlsx(tmp_path / "kosong.xlsx", [])
    result = cli("request", "import", str(path))
    assert_clean_exit(result, 1)
    assert "is empty" in result.stderr


# --- the other registers' imports ------------------------------------------------------


def test_staff_import(db, cli, tmp_path):
    for unit in ("SMA", "SMP", "SEKRETARIAT"):
        assert cli("unit", "add", unit).exit_code == 0
    path = copy("pegawai.csv", tmp_path)
    report = import_json(cli("staff", "import", str(path), "--json"))
    assert (report["inserted"], report["rejected"]) == (3, 0)
    rows = {r[0]: r for r in db.execute("SELECT nip, name, unit, position, active FROM staff")}
    assert rows[BUDI][1:] == ("Budi Santoso", "SMA", "Pengadministrasi", 1)
    assert rows[SITI][2] == "SMP"
    assert rows["198512122010011003"][4] == 0  # pensiun
    before = snapshot(db)
    report = import_json(cli("staff", "import", str(path), "--json"))
    assert report["unchanged"] == 3
    assert snapshot(db) == before


def test_staff_import_bad_nips(db, cli, tmp_path):
    assert cli("unit", "add", "SMA").exit_code == 0
    path = tmp_path / "staff.csv"
    path.write_text("NIP,Nama,Bidang\n"
                    "198613262015051001,A,SMA\n"
                    "19860926201505100,B,SMA\n"
                    "198609262015051001,C,NOPE\n", encoding="utf-8")
    before = snapshot(db)
    result = cli("staff", "import", str(path))
    assert_clean_exit(result, 1)
    assert "row 2, column NIP:" in result.stderr and "birth date" in result.stderr
    assert "row 3, column NIP:" in result.stderr and "17 digits" in result.stderr
    assert "row 4, column Bidang: There is no unit 'NOPE'" in result.stderr
    assert snapshot(db) == before


def test_rules_import(office, cli, tmp_path):
    with writing(office):
        office.execute("DELETE FROM rules")  # start from the file
    path = copy("sop.csv", tmp_path)
    report = import_json(cli("rule", "import", str(path), "--json"))
    assert report["inserted"] == 2
    rules = dict(office.execute("SELECT code, clauses FROM rules").fetchall())
    assert rules == {"SOP-LEG": "7.5.3,8.5.1", "SOP-ARSIP": "7.5.3"}
    report = import_json(cli("rule", "import", str(path), "--json"))
    assert report["unchanged"] == 2


def test_services_import_csv_and_yaml(db, cli, tmp_path):
    for unit in ("SMA", "SMP", "SEKRETARIAT"):
        assert cli("unit", "add", unit).exit_code == 0
    report = import_json(cli("service", "import", str(copy("layanan.csv", tmp_path)),
                             "--json"))
    assert report["inserted"] == 4
    sla = dict(db.execute("SELECT code, sla_days FROM services").fetchall())
    assert sla == {"SMA-LEG": 3, "SMA-MUT": 5, "SMP-LEG": 3, "SEK-SURAT": 0}
    yaml_path = copy("layanan.yaml", tmp_path)
    dry = import_json(cli("service", "import", str(yaml_path), "--dry-run", "--json"))
    assert (dry["inserted"], dry["updated"], dry["dry_run"]) == (1, 0, True)
    assert db.execute("SELECT count(*) FROM services").fetchone()[0] == 4
    report = import_json(cli("service", "import", str(yaml_path), "--json"))
    assert (report["inserted"], report["unchanged"]) == (1, 1)
    assert db.execute("SELECT sla_days FROM services WHERE code = 'SMA-KIP'").fetchone()[0] == 2


def test_services_yaml_errors(db, cli, tmp_path):
    assert cli("unit", "add", "SMA").exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  - code: A\n    name: [unclosed\n", encoding="utf-8")
    result = cli("service", "import", str(bad))
    assert_clean_exit(result, 1)
    assert "bad.yaml, line 4: not valid YAML" in result.stderr
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("services:\n  - code: A\n    name: A\n    unit: SMA\n    sla_days: -2\n"
                     "    colour: red\n", encoding="utf-8")
    result = cli("service", "import", str(wrong))
    assert_clean_exit(result, 1)
    assert "row 1, column colour: is not a service field" in result.stderr
    assert "below 0" in result.stderr
    assert db.execute("SELECT count(*) FROM services").fetchone()[0] == 0


def test_adherence_import(office, cli, tmp_path):
    path = copy("observasi.csv", tmp_path)
    report = import_json(cli("adherence", "import", str(path), "--json"))
    assert report["inserted"] == 3
    results = dict(office.execute(
        "SELECT rule_code || '/' || staff_nip, result FROM adherence").fetchall())
    assert results == {f"SOP-LEG/{BUDI}": "comply", f"SOP-ARSIP/{BUDI}": "breach",
                       f"SOP-ARSIP/{SITI}": "na"}
    before = snapshot(office)
    report = import_json(cli("adherence", "import", str(path), "--json"))
    assert report["unchanged"] == 3
    assert snapshot(office) == before


def test_adherence_import_refuses_future_and_unknown(office, cli, tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text("NIP;Kode SOP;Tanggal;Hasil\n"
                    f"{BUDI};SOP-LEG;01/01/2099;patuh\n"
                    f"{BUDI};SOP-NOPE;01/01/2024;patuh\n"
                    f"{BUDI};SOP-LEG;01/01/2024;kadang\n", encoding="utf-8")
    result = cli("adherence", "import", str(path))
    assert_clean_exit(result, 1)
    assert "row 2, column Tanggal: 2099-01-01 is in the future" in result.stderr
    assert "row 3, column Kode SOP: There is no rule 'SOP-NOPE'" in result.stderr
    assert "row 4, column Hasil:" in result.stderr
    assert office.execute("SELECT count(*) FROM adherence").fetchone()[0] == 0


def test_import_after_cli_update_keeps_chain_valid(office, cli, tmp_path):
    path = copy("requests_en.csv", tmp_path)
    import_json(cli("request", "import", str(path), "--json"))
    update_request(office, "EN-2", status="completed", on=date(2026, 11, 5))
    assert list(changelog.verify_chain(office)) == []
