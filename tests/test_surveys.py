"""Survey responses (SKM), their import, and the IKM: NRR per element, index and category."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

import pytest

from qmstrack.errors import ImportRefused, InvalidInput, NotFound
from qmstrack.metrics import Period, Scope, compute, metric_names
from qmstrack.registers.surveys import (
    add_response,
    import_responses,
    list_responses,
    parse_scores,
)
from qmstrack.satisfaction import (
    category_of,
    ikm_from_nrr,
    rounded_ikm,
    satisfaction_figures,
    satisfaction_report,
)

AUG = Period(date(2026, 8, 1), date(2026, 8, 31))
HEADER = "tanggal,kode_layanan,u1,u2,u3,u4,u5,u6,u7,u8,u9,saran\n"


def count(db) -> int:
    return db.execute("SELECT count(*) FROM surveys").fetchone()[0]


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


# --- scores ---------------------------------------------------------------------------


def test_parse_scores_accepts_nine_scores_in_the_usual_spellings():
    assert parse_scores("4,3,4,4,3,4,4,3,4") == (4, 3, 4, 4, 3, 4, 4, 3, 4)
    assert parse_scores(" 4; 3 ;4,4 3 4 4 3 4 ") == (4, 3, 4, 4, 3, 4, 4, 3, 4)
    assert parse_scores([1, "2", 3.0, 4, 1, 2, 3, 4, 1]) == (1, 2, 3, 4, 1, 2, 3, 4, 1)


@pytest.mark.parametrize("text, words", [
    ("4,3", ["9 scores", "got 2"]),
    ("4,3,4,4,3,4,4,3,4,4", ["9 scores", "got 10"]),
    ("", ["got 0"]),
    ("5,3,4,4,3,4,4,3,4", ["element 1", "Persyaratan", "'5'", "1 to 4"]),
    ("4,3,4,4,3,4,4,3,0", ["element 9", "Sarana dan Prasarana", "'0'"]),
    ("4,3,4,4,3.5,4,4,3,4", ["element 5", "'3.5'"]),
    ("a,b,c,d,e,f,g,h,i", ["element 1", "'a'"]),
])
def test_parse_scores_refuses_bad_lists_naming_the_element(text, words):
    with pytest.raises(InvalidInput) as exc:
        parse_scores(text)
    for word in words:
        assert word in str(exc.value)


# --- adding by hand -------------------------------------------------------------------


def test_add_response_takes_the_unit_of_the_service_and_a_uuid_key(office):
    record = add_response(office, service="SMP-LEG", scores="4,3,4,4,3,4,4,3,4",
                          on="12/08/2026", note="Pelayanan cepat")
    assert record["unit"] == "SMP"
    assert record["responded_on"] == "2026-08-12"
    assert uuid.UUID(hex=record["response_key"]).version == 4
    rows = list(list_responses(office))
    assert len(rows) == 1
    assert [rows[0][f"u{i}"] for i in range(1, 10)] == [4, 3, 4, 4, 3, 4, 4, 3, 4]
    assert rows[0]["note"] == "Pelayanan cepat"
    # the same answers again are a second respondent
    add_response(office, service="SMP-LEG", scores="4,3,4,4,3,4,4,3,4", on="2026-08-12")
    assert count(office) == 2


def test_add_response_refuses_unknown_service_and_future_date(office):
    with pytest.raises(NotFound):
        add_response(office, service="NOPE", scores="4,4,4,4,4,4,4,4,4", on="2026-08-12")
    with pytest.raises(InvalidInput, match="future"):
        add_response(office, service="SMA-LEG", scores="4,4,4,4,4,4,4,4,4", on="2026-08-12",
                     today=date(2026, 8, 11))
    assert count(office) == 0


def test_cli_add_prints_the_key(office, cli):
    result = cli("survey", "add", "--service", "SMA-LEG", "--scores", "4,3,4,4,3,4,4,3,4",
                 "--date", "2026-08-12")
    assert result.exit_code == 0, result.stderr
    key = result.stdout.strip()
    assert uuid.UUID(hex=key).version == 4
    assert "saved" in result.stderr


@pytest.mark.parametrize("scores", ["4,3", "5,3,4,4,3,4,4,3,4", "a,b,c,d,e,f,g,h,i",
                                    "4,3,4,4,3,4,4,3,4,1"])
def test_cli_add_bad_scores_is_wrong_usage_and_writes_nothing(office, cli, scores):
    result = cli("survey", "add", "--service", "SMA-LEG", "--scores", scores,
                 "--date", "2026-08-12")
    assert result.exit_code == 2
    assert "--scores" in result.stderr
    assert "Traceback" not in result.stderr
    assert count(office) == 0


def test_cli_add_unknown_service_and_bad_date(office, cli):
    result = cli("survey", "add", "--service", "NOPE", "--scores", "4,4,4,4,4,4,4,4,4",
                 "--date", "2026-08-12")
    assert result.exit_code == 1
    assert "NOPE" in result.stderr
    result = cli("survey", "add", "--service", "SMA-LEG", "--scores", "4,4,4,4,4,4,4,4,4",
                 "--date", "31/02/2026")
    assert result.exit_code == 2
    assert "--date" in result.stderr
    assert count(office) == 0


# --- importing ------------------------------------------------------------------------


def test_import_csv_and_reimport_changes_nothing(office, tmp_path):
    path = write(tmp_path, "skm.csv", HEADER
                 + "2026-08-11,SMA-LEG,4,4,4,4,4,4,4,4,4,Bagus\n"
                 + "12/08/2026,SMP-LEG,2,3,4,1,2,3,4,1,2,\n"
                 + "12/08/2026,SMP-LEG,2,3,4,1,2,3,4,1,2,\n")
    report = import_responses(office, path)
    assert (report.rows, report.inserted, report.updated, report.unchanged) == (3, 3, 0, 0)
    # two identical rows are two respondents, each with its own key
    keys = {r["response_key"] for r in list_responses(office)}
    assert len(keys) == 3 and all(k.startswith("h:") for k in keys)
    units = [r["unit"] for r in list_responses(office)]
    assert units == ["SMA", "SMP", "SMP"]
    again = import_responses(office, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert count(office) == 3


def test_import_with_sheet_numbers_updates_the_same_response(office, tmp_path):
    header = "no;tanggal;layanan;U1;U2;U3;U4;U5;U6;U7;U8;U9\n"
    first = write(tmp_path, "skm.csv", "\ufeff" + header
                  + "017;2026-08-11;SMA-LEG;4;4;4;4;4;4;4;4;4\n"
                  + "18;2026-08-11;SMA-LEG;3;3;3;3;3;3;3;3;3\n"
                  + "17;2026-08-11;SMP-LEG;2;2;2;2;2;2;2;2;2\n")
    report = import_responses(office, first)
    assert report.inserted == 3
    keys = sorted(r["response_key"] for r in list_responses(office))
    assert keys == ["SMA-LEG:17", "SMA-LEG:18", "SMP-LEG:17"]
    # sheet 17 corrected (and written without its leading zero, as Excel does)
    second = write(tmp_path, "skm2.csv", header
                   + "17;2026-08-11;SMA-LEG;4;4;4;4;4;4;4;4;1\n"
                   + "18;2026-08-11;SMA-LEG;3;3;3;3;3;3;3;3;3\n")
    report = import_responses(office, second)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    row = next(r for r in list_responses(office) if r["response_key"] == "SMA-LEG:17")
    assert row["u9"] == 1
    assert count(office) == 3


@pytest.mark.parametrize("headers", [
    "Tanggal,Kode Layanan,Persyaratan,Sistem/Mekanisme/Prosedur,Waktu Penyelesaian,"
    "Biaya/Tarif,Produk Spesifikasi Jenis Pelayanan,Kompetensi Pelaksana,Perilaku Pelaksana,"
    "Penanganan Pengaduan/Saran/Masukan,Sarana dan Prasarana",
    "tgl,layanan,unsur1,unsur2,unsur3,unsur4,unsur5,unsur6,unsur7,unsur8,unsur9",
    "TANGGAL,KODE_LAYANAN,UNSUR_1,UNSUR_2,UNSUR_3,UNSUR_4,UNSUR_5,UNSUR_6,UNSUR_7,UNSUR_8,"
    "UNSUR_9",
    "tanggal,layanan,U1 Persyaratan,U2 Prosedur,U3 Waktu,U4 Biaya,U5 Produk,U6 Kompetensi,"
    "U7 Perilaku,U8 Pengaduan,U9 Sarpras",
    "tanggal,layanan,\"Sistem, Mekanisme, dan Prosedur\",Persyaratan,Waktu Penyelesaian,"
    "Biaya,Produk,Kompetensi Pelaksana,Perilaku Pelaksana,"
    "\"Penanganan Pengaduan, Saran dan Masukan\",Sarana Prasarana",
])
def test_import_understands_element_headers(office, tmp_path, headers):
    path = write(tmp_path, "skm.csv", headers + "\n2026-08-11,SMA-LEG,1,2,3,4,1,2,3,4,4\n")
    import_responses(office, path)
    row = next(iter(list_responses(office)))
    scores = [row[f"u{i}"] for i in range(1, 10)]
    if headers.startswith("tanggal,layanan,\"Sistem"):
        # columns in another order still land on the right element
        assert scores == [2, 1, 3, 4, 1, 2, 3, 4, 4]
    else:
        assert scores == [1, 2, 3, 4, 1, 2, 3, 4, 4]


def test_import_xlsx(office, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["No Kuesioner", "Tanggal", "Kode Layanan", *[f"U{i}" for i in range(1, 10)],
               "Saran"])
    ws.append([1, date(2026, 8, 11), "SMA-LEG", 4, 4, 4, 4, 4, 4, 4, 4, 4, "Mantap"])
    ws.append([2, "12/08/2026", "SMA-LEG", 3.0, 3, 3, 3, 3, 3, 3, 3, 3, None])
    path = tmp_path / "skm.xlsx"
    book.save(path)
    report = import_responses(office, path)
    assert report.inserted == 2
    assert import_responses(office, path).unchanged == 2
    rows = list(list_responses(office))
    assert [r["response_key"] for r in rows] == ["SMA-LEG:1", "SMA-LEG:2"]
    assert rows[0]["note"] == "Mantap"


def test_import_refuses_bad_rows_naming_each_and_writes_nothing(office, tmp_path):
    path = write(tmp_path, "skm.csv", HEADER
                 + "2026-08-11,SMA-LEG,4,4,4,4,4,4,4,4,4,\n"      # row 2: fine
                 + "2026-08-11,SMA-LEG,4,4,4,5,4,4,4,4,4,\n"      # row 3: u4 out of range
                 + "2026-08-11,SMA-LEG,4,4,4,4,4,4,4,,,\n"        # row 4: two elements missing
                 + "2026-08-11,NOPE,4,4,4,4,4,4,4,4,4,\n"         # row 5: unknown service
                 + "2026-08-11,SMA-LEG,4,x,4,4,4,4,4,4,4,\n")     # row 6: not a number
    with pytest.raises(ImportRefused) as exc:
        import_responses(office, path)
    details = "\n".join(exc.value.details)
    assert "row 3, column u4" in details and "element 4" in details
    assert "row 4, column u8" in details and "7 of the 9" in details
    assert "row 5, column kode_layanan" in details and "NOPE" in details
    assert "row 6, column u2" in details
    assert "row 2" not in details
    assert exc.value.total_bad_rows == 4
    assert count(office) == 0


def test_cli_import_bad_rows_exit_1_names_rows(office, cli, tmp_path):
    path = write(tmp_path, "skm.csv", HEADER
                 + "2026-08-11,SMA-LEG,4,4,4,4,4,4,4,4,4,\n"
                 + "2026-08-11,SMA-LEG,0,4,4,4,4,4,4,4,4,\n")
    result = cli("survey", "import", str(path))
    assert result.exit_code == 1
    assert "row 3, column u1" in result.stderr
    assert "nothing was imported" in result.stderr
    assert count(office) == 0


def test_import_refuses_a_tenth_element_and_repeated_sheet_numbers(office, tmp_path):
    path = write(tmp_path, "skm.csv",
                 "no,tanggal,layanan,u1,u2,u3,u4,u5,u6,u7,u8,u9,u10\n"
                 "1,2026-08-11,SMA-LEG,4,4,4,4,4,4,4,4,4,\n"
                 "2,2026-08-11,SMA-LEG,4,4,4,4,4,4,4,4,4,3\n"
                 "1,2026-08-12,SMA-LEG,3,3,3,3,3,3,3,3,3,\n")
    with pytest.raises(ImportRefused) as exc:
        import_responses(office, path)
    details = "\n".join(exc.value.details)
    assert "row 3, column u10" in details
    assert "row 4" in details and "repeats the record of row 2" in details
    assert count(office) == 0


def test_import_without_an_element_column_names_it(office, tmp_path):
    path = write(tmp_path, "skm.csv", "tanggal,layanan,u1,u2,u3,u4,u5,u6,u7,u8\n"
                                      "2026-08-11,SMA-LEG,4,4,4,4,4,4,4,4\n")
    with pytest.raises(InvalidInput, match="'u9'"):
        import_responses(office, path)


# --- listing --------------------------------------------------------------------------


def test_cli_list_filters_and_formats(office, cli):
    add_response(office, service="SMA-LEG", scores="4,4,4,4,4,4,4,4,4", on="2026-08-11")
    add_response(office, service="SMP-LEG", scores="3,3,3,3,3,3,3,3,3", on="2026-08-12")
    add_response(office, service="SMA-MUT", scores="2,2,2,2,2,2,2,2,2", on="2026-08-20")
    result = cli("survey", "list", "--json", "--unit", "SMA")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["service_code"] for r in rows] == ["SMA-LEG", "SMA-MUT"]
    result = cli("survey", "list", "--json", "--from", "2026-08-12", "--to", "2026-08-12")
    assert [r["service_code"] for r in json.loads(result.stdout)] == ["SMP-LEG"]
    result = cli("survey", "list", "--csv", "--delimiter", ",", "--service", "SMA-MUT")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("responded_on,service_code,unit,u1")
    assert len(lines) == 2 and lines[1].startswith("2026-08-20,SMA-MUT,SMA,2")
    assert cli("survey", "list", "--unit", "NOPE").exit_code == 2
    assert cli("survey", "list", "--service", "NOPE").exit_code == 1


# --- IKM ------------------------------------------------------------------------------


@pytest.mark.parametrize("ikm, letter", [
    (100.0, "A"),
    (88.31, "A"),
    (88.30999, "A"),          # shown as 88.31: an A, as the regulation's table is read
    (88.305, "A"),            # half up
    (88.30499, "B"),          # shown as 88.30
    (88.3, "B"),
    (76.61, "B"),
    (76.60999999999999, "B"),  # binary noise of a true 76.61
    (76.6049, "C"),
    (76.6, "C"),
    (65.00, "C"),
    (64.99999999999999, "C"),
    (64.995, "C"),            # shown as 65.00
    (64.99, "D"),
    (64.994, "D"),
    (25.0, "D"),
])
def test_category_at_the_boundaries(ikm, letter):
    assert category_of(ikm).letter == letter


def test_category_labels_and_no_responses():
    assert category_of(None) is None
    assert [(category_of(x).letter, category_of(x).label) for x in (90, 80, 70, 50)] == [
        ("A", "Sangat Baik"), ("B", "Baik"), ("C", "Kurang Baik"), ("D", "Tidak Baik")]
    assert rounded_ikm(88.30999) == Decimal("88.31")
    assert rounded_ikm(78.70370370370371) == Decimal("78.70")
    assert ikm_from_nrr([4.0] * 9) == 100.0
    assert ikm_from_nrr([1.0] * 9) == 25.0
    assert ikm_from_nrr([None] * 9) is None


def _dataset(db):
    add_response(db, service="SMA-LEG", scores="4,4,4,4,4,4,4,4,4", on="2026-08-11")
    add_response(db, service="SMA-LEG", scores="3,3,3,3,3,3,3,3,3", on="2026-08-12")
    add_response(db, service="SMP-LEG", scores="2,3,4,1,2,3,4,1,2", on="2026-08-13")
    add_response(db, service="SMA-LEG", scores="1,1,1,1,1,1,1,1,1", on="2026-09-01")


def test_nrr_ikm_and_category_by_hand(office):
    _dataset(office)
    figures = satisfaction_figures(office, AUG)
    assert figures["responses"] == 3
    expected_nrr = [3, 10 / 3, 11 / 3, 8 / 3, 3, 10 / 3, 11 / 3, 8 / 3, 3]
    assert figures["nrr"] == pytest.approx(expected_nrr, abs=1e-12)
    # (85/3) / 9 * 25 = 2125/27
    assert figures["ikm"] == pytest.approx(2125 / 27, abs=1e-12)
    assert (figures["category"], figures["category_label"]) == ("B", "Baik")
    sma = satisfaction_figures(office, AUG, Scope(units=("SMA",)))
    assert (sma["responses"], sma["ikm"], sma["category"]) == (2, 87.5, "B")
    one = satisfaction_figures(office, AUG, Scope(service="SMP-LEG"))
    assert one["ikm"] == pytest.approx(22 / 9 * 25)  # 61.11
    assert one["category"] == "D"
    empty = satisfaction_figures(office, Period(date(2026, 7, 1), date(2026, 7, 31)))
    assert empty == {"responses": 0, "nrr": [None] * 9, "ikm": None, "category": None,
                     "category_label": None}


def test_ikm_exactly_65_from_data_is_c(office):
    # 4 respondents scoring 3 everywhere and 1 scoring 1: NRR 2.6 each, IKM 65.00 exactly
    for _ in range(4):
        add_response(office, service="SMA-LEG", scores=[3] * 9, on="2026-08-11")
    add_response(office, service="SMA-LEG", scores=[1] * 9, on="2026-08-11")
    figures = satisfaction_figures(office, AUG)
    assert figures["ikm"] == pytest.approx(65.0, abs=1e-9)
    assert figures["category"] == "C"


def test_metric_registry_uses_the_same_figures(office):
    _dataset(office)
    assert {"satisfaction.responses", "satisfaction.ikm"} <= set(metric_names())
    assert compute(office, "satisfaction.responses", AUG) == 3
    assert compute(office, "satisfaction.ikm", AUG) == satisfaction_figures(office, AUG)["ikm"]
    assert compute(office, "satisfaction.ikm", AUG, Scope(service="SMA-LEG")) == 87.5
    assert compute(office, "satisfaction.ikm", Period(date(2026, 7, 1), date(2026, 7, 2))
                   ) is None


def test_report_overall_and_per_service(office):
    _dataset(office)
    report = satisfaction_report(office, start=date(2026, 8, 1), end=date(2026, 8, 31))
    assert report["period"] == {"start": "2026-08-01", "end": "2026-08-31"}
    assert report["overall"]["responses"] == 3
    assert [(s["service_code"], s["unit"], s["responses"], s["category"])
            for s in report["services"]] == [("SMA-LEG", "SMA", 2, "B"),
                                              ("SMP-LEG", "SMP", 1, "D")]
    assert report["services"][0]["service_name"] == "Legalisir ijazah SMA"
    assert report["services"][0]["nrr"] == [3.5] * 9
    # no bounds: the period is the data's own
    everything = satisfaction_report(office)
    assert everything["period"] == {"start": "2026-08-11", "end": "2026-09-01"}
    assert everything["overall"]["responses"] == 4


def test_cli_report_json_and_table(office, cli):
    _dataset(office)
    result = cli("survey", "report", "--from", "2026-08-01", "--to", "2026-08-31", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"period", "scope", "weight", "overall", "units", "services",
                         "weakest", "trend", "actions"}
    interface = {"responses", "ikm", "category", "weight", "sample", "elements", "profile"}
    assert set(data["overall"]) == interface
    assert data["overall"]["ikm"] == pytest.approx(2125 / 27, abs=1e-12)  # full precision
    assert [e["code"] for e in data["overall"]["elements"]] == [f"U{i}" for i in range(1, 10)]
    assert set(data["services"][0]) == interface | {"service_code", "service_name", "unit"}
    assert set(data["units"][0]) == interface | {"unit", "unit_name"}
    table = cli("survey", "report", "--from", "2026-08-01", "--to", "2026-08-31")
    assert table.exit_code == 0
    assert "78.70" in table.stdout and "| B " in table.stdout
    assert "Persyaratan" in table.stdout
    assert "weight 1/9" in table.stdout
    empty = cli("survey", "report", "--from", "2026-07-01", "--to", "2026-07-31", "--json")
    data = json.loads(empty.stdout)
    assert data["overall"]["ikm"] is None and data["overall"]["category"] is None
    assert all(s["responses"] == 0 for s in data["services"])
    assert cli("survey", "report", "--service", "SMP-LEG", "--json").exit_code == 0
    assert cli("survey", "report", "--from", "2026-08-31", "--to", "2026-08-01").exit_code == 2


def test_a_sheet_number_reused_on_another_day_is_refused_not_overwritten(office, tmp_path):
    header = "no,tanggal,layanan,u1,u2,u3,u4,u5,u6,u7,u8,u9\n"
    august = write(tmp_path, "agustus.csv", header + "1,2026-08-11,SMA-LEG,4,4,4,4,4,4,4,4,4\n")
    import_responses(office, august)
    september = write(tmp_path, "september.csv",
                      header + "1,2026-09-01,SMA-LEG,2,2,2,2,2,2,2,2,2\n"
                               "1,2026-09-01,SMP-LEG,2,2,2,2,2,2,2,2,2\n")
    with pytest.raises(ImportRefused) as exc:
        import_responses(office, september)
    assert "row 2, column no" in exc.value.details[0]
    assert "already imported for 2026-08-11" in exc.value.details[0]
    assert len(exc.value.details) == 1  # SMP-LEG sheet 1 is new
    rows = list(list_responses(office))
    assert [(r["responded_on"], r["u1"]) for r in rows] == [("2026-08-11", 4)]
