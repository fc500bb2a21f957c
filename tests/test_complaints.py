"""Complaints: due dates by hand, respond/close rules, imports, metrics and commands.

Indonesian public holidays near the data: Monday 17 August 2026 (Independence Day) and
Tuesday 25 August 2026 (the Prophet's Birthday). With 5 working days (the default):

  ref  unit  received         due (by hand)                        responded   closed
  C1   SMA*  Fri 2026-08-14   18, 19, 20, 21, 24      -> Mon 08-24  08-24 (ok)  08-28
  C2   SMP   Mon 2026-08-03   4, 5, 6, 7, 10          -> Mon 08-10  08-12 (late)
  C3   SMA   Thu 2026-07-30   31 Jul, 3, 4, 5, 6 Aug  -> Thu 08-06  08-05 (ok)  09-02
  C4   SMP   Mon 2026-08-17   18, 19, 20, 21, 24      -> Mon 08-24  -
  C5   SMA   Fri 2026-08-28   31, 1, 2, 3, 4          -> Fri 09-04  -
  C6   SMA   Wed 2026-07-01   2, 3, 6, 7, 8           -> Wed 07-08  07-03 (ok)  07-10
  C7   SMA   Tue 2026-09-01   2, 3, 4, 7, 8           -> Tue 09-08  -
  C8   -     Thu 2026-08-20   21, 24, 26, 27, 28      -> Fri 08-28  09-01 (late)
  (* from its request RQ1)

August 2026, all units: received C1 C2 C4 C5 C8 = 5; of them, as of 31 August, on time
C1, late C2 (answered late), C4 and C8 (unanswered, due passed), not yet due C5: response
on-time rate 1/4; open at 31 August C2 C3 C4 C5 C8 = 5; overdue (open, not responded by
31 August, due before it) C4 C8 = 2.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from qmstrack.db import set_setting, writing
from qmstrack.errors import Conflict, ImportRefused, InvalidInput, NotFound
from qmstrack.metrics import Period, Scope, compute, metric_names
from qmstrack.registers.complaints import (
    add_complaint,
    close_complaint,
    get_complaint,
    import_complaints,
    list_complaints,
    next_complaint_ref,
    parse_channel,
    respond_complaint,
)
from qmstrack.registers.requests import add_request

AUGUST = Period(date(2026, 8, 1), date(2026, 8, 31))
SEPTEMBER = Period(date(2026, 9, 1), date(2026, 9, 30))


def count(db, table: str = "complaints") -> int:
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def snapshot(db):
    return (list(db.execute("SELECT * FROM complaints ORDER BY id").fetchall()),
            count(db, "change_log"))


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


@pytest.fixture
def with_request(office):
    add_request(office, ref="RQ1", service="SMA-LEG", requester="r", received="2026-08-10")
    return office


@pytest.fixture
def august(with_request):
    db = with_request

    def add(ref, received, unit=None, request=None, responded=None, closed=None):
        add_complaint(db, ref=ref, received=received, channel="lapor", subject=f"s {ref}",
                      unit=unit, request=request)
        if responded:
            respond_complaint(db, ref, on=responded, response="jawaban")
        if closed:
            close_complaint(db, ref, on=closed, outcome="selesai")

    add("C1", "2026-08-14", request="RQ1", responded="2026-08-24", closed="2026-08-28")
    add("C2", "2026-08-03", unit="SMP", responded="2026-08-12")
    add("C3", "2026-07-30", unit="SMA", responded="2026-08-05", closed="2026-09-02")
    add("C4", "2026-08-17", unit="SMP")
    add("C5", "2026-08-28", unit="SMA")
    add("C6", "2026-07-01", unit="SMA", responded="2026-07-03", closed="2026-07-10")
    add("C7", "2026-09-01", unit="SMA")
    add("C8", "2026-08-20", responded="2026-09-01")
    return db


# --- values and due dates ---------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("lapor", "lapor"), ("SP4N-LAPOR!", "lapor"), ("LAPOR!", "lapor"),
    ("sp4n lapor", "lapor"), ("walk-in", "walk-in"), ("Langsung", "walk-in"),
    ("datang langsung", "walk-in"), ("Telepon", "phone"), ("phone", "phone"),
    ("E-mail", "email"), ("email", "email"), ("Surat", "letter"), ("letter", "letter"),
])
def test_parse_channel(text, expected):
    assert parse_channel(text) == expected


def test_parse_channel_refuses():
    with pytest.raises(InvalidInput, match="not one of lapor, walk-in, phone, email, letter"):
        parse_channel("fax")


def test_due_dates_skip_weekends_and_public_holidays(august):
    due = dict(august.execute("SELECT ref_no, response_due_on FROM complaints").fetchall())
    assert due == {
        "C1": "2026-08-24", "C2": "2026-08-10", "C3": "2026-08-06", "C4": "2026-08-24",
        "C5": "2026-09-04", "C6": "2026-07-08", "C7": "2026-09-08", "C8": "2026-08-28",
    }


def test_configured_response_days_and_the_stored_due_date(office):
    first = add_complaint(office, received="2026-08-14", channel="email", subject="a")
    with writing(office):
        set_setting(office, "complaint_response_days", 10)
    # 18, 19, 20, 21, 24, (25 Prophet's Birthday), 26, 27, 28, 31, 1 September.
    ten = add_complaint(office, received="2026-08-14", channel="email", subject="b")
    assert ten["response_due_on"] == "2026-09-01"
    # The due date was stored when the first complaint was recorded.
    assert get_complaint(office, first["ref_no"])["response_due_on"] == "2026-08-24"
    with writing(office):
        set_setting(office, "complaint_response_days", 0)
    # 0 days: the first working day on or after Saturday 15 August (17th is a holiday).
    same_day = add_complaint(office, received="2026-08-15", channel="email", subject="c")
    assert same_day["response_due_on"] == "2026-08-18"


def test_generated_numbers(with_request):
    db = with_request
    assert next_complaint_ref(db, 2026) == "ADU-2026-0001"
    first = add_complaint(db, received="2026-08-14", channel="lapor", subject="a",
                          request="RQ1", complainant="Ani", contact="0812")
    assert first["ref_no"] == "ADU-2026-0001"
    assert first["unit"] == "SMA"  # the request's unit
    assert (first["complainant"], first["contact"], first["status"]) == ("Ani", "0812",
                                                                         "open")
    add_complaint(db, ref="LAPOR-98765", received="2026-08-14", channel="lapor",
                  subject="b")
    assert add_complaint(db, received="2026-09-01", channel="phone", subject="c",
                         unit="SMP")["ref_no"] == "ADU-2026-0002"
    assert add_complaint(db, received="2025-12-30", channel="letter",
                         subject="d")["ref_no"] == "ADU-2025-0001"


def test_add_refusals(with_request):
    db = with_request
    add_complaint(db, ref="X1", received="2026-08-14", channel="lapor", subject="a")
    before = snapshot(db)
    cases = [
        ({"channel": "fax"}, InvalidInput, "not one of lapor"),
        ({"received": "31/02/2026"}, InvalidInput, "not a real calendar date"),
        ({"received": "2099-01-01"}, InvalidInput, "in the future"),
        ({"request": "NOPE"}, InvalidInput, "no request 'NOPE'"),
        ({"unit": "NOPE"}, InvalidInput, "no unit 'NOPE'"),
        ({"subject": " "}, InvalidInput, "subject is empty"),
        ({"ref": "X1"}, Conflict, "already exists"),
        ({"ref": "bad ref!"}, InvalidInput, "not a valid code"),
    ]
    for kwargs, error, reason in cases:
        values = {"received": "2026-08-14", "channel": "lapor", "subject": "s", **kwargs}
        with pytest.raises(error, match=reason):
            add_complaint(db, **values)
    assert snapshot(db) == before


# --- respond and close ------------------------------------------------------------------


def test_respond_and_close_rules(office):
    db = office
    add_complaint(db, ref="K1", received="2026-08-14", channel="walk-in", subject="a",
                  unit="SMA")
    before = snapshot(db)
    with pytest.raises(InvalidInput, match="before the complaint was received"):
        respond_complaint(db, "K1", on="2026-08-13", response="r")
    with pytest.raises(InvalidInput, match="in the future"):
        respond_complaint(db, "K1", on="2026-08-20", response="r", today=date(2026, 8, 19))
    with pytest.raises(InvalidInput, match="response is empty"):
        respond_complaint(db, "K1", on="2026-08-20", response="  ")
    with pytest.raises(NotFound, match="no complaint 'K9'"):
        respond_complaint(db, "K9", on="2026-08-20", response="r")
    assert snapshot(db) == before

    late = respond_complaint(db, "K1", on="2026-08-25", response="Maaf, sudah diproses")
    assert (late["responded_on"], late["on_time"], late["status"]) == (
        "2026-08-25", False, "responded")
    with pytest.raises(Conflict, match="already responded to on 2026-08-25"):
        respond_complaint(db, "K1", on="2026-08-26", response="again")
    with pytest.raises(InvalidInput, match="before the response"):
        close_complaint(db, "K1", on="2026-08-24", outcome="o")
    with pytest.raises(InvalidInput, match="outcome is empty"):
        close_complaint(db, "K1", on="2026-08-26", outcome="")
    closed = close_complaint(db, "K1", on="2026-08-25", outcome="Diterima pelapor")
    assert (closed["closed_on"], closed["outcome"], closed["status"]) == (
        "2026-08-25", "Diterima pelapor", "closed")
    with pytest.raises(Conflict, match="already closed on 2026-08-25"):
        close_complaint(db, "K1", on="2026-08-26", outcome="o")


def test_a_complaint_may_be_closed_without_response_and_then_never_changes(office):
    db = office
    add_complaint(db, ref="K2", received="2026-08-14", channel="phone", subject="a")
    with pytest.raises(InvalidInput, match="before the complaint was received"):
        close_complaint(db, "K2", on="2026-08-13", outcome="o")
    closed = close_complaint(db, "K2", on="2026-08-14", outcome="Dicabut pelapor")
    assert closed["responded_on"] is None and closed["on_time"] is None
    with pytest.raises(Conflict, match="closed on 2026-08-14"):
        respond_complaint(db, "K2", on="2026-08-15", response="r")


def test_list_filters(august):
    db = august
    on = date(2026, 8, 31)

    def refs(**kw):
        return [r["ref_no"] for r in list_complaints(db, today=on, **kw)]

    assert refs() == ["C6", "C3", "C2", "C1", "C4", "C8", "C5", "C7"]
    assert refs(open_on=on) == ["C3", "C2", "C4", "C8", "C5"]
    assert refs(overdue_on=on) == ["C4", "C8"]
    assert refs(units=("SMP",)) == ["C2", "C4"]
    assert refs(since=date(2026, 8, 14), until=date(2026, 8, 20)) == ["C1", "C4", "C8"]
    shown = get_complaint(db, "C8", today=on)
    assert (shown["overdue"], shown["status"], shown["unit"]) == (True, "responded", None)
    assert get_complaint(db, "C8", today=date(2026, 9, 2))["overdue"] is False


# --- metrics ----------------------------------------------------------------------------


def test_complaint_metrics_are_registered():
    assert {"complaints.received", "complaints.open", "complaints.response_on_time_rate",
            "complaints.overdue"} <= set(metric_names())


@pytest.mark.parametrize("period, units, expected", [
    (AUGUST, (), {"received": 5, "open": 5, "response_on_time_rate": 1 / 4, "overdue": 2}),
    (AUGUST, ("SMA",), {"received": 2, "open": 2, "response_on_time_rate": 1.0,
                        "overdue": 0}),
    (AUGUST, ("SMP",), {"received": 2, "open": 2, "response_on_time_rate": 0.0,
                        "overdue": 1}),
    # Sunday 16 August: C1 C2 C3 open; C2 and C3 already responded; C1 not yet due.
    (Period(date(2026, 8, 16), date(2026, 8, 16)), (),
     {"received": 0, "open": 3, "response_on_time_rate": None, "overdue": 0}),
    # September: C7 received, unanswered past its due date (late); open at 30 September
    # C2 C4 C5 C7 C8;
    # overdue C4 (due 24 Aug), C5 (due 4 Sep), C7 (due 8 Sep), none responded.
    (SEPTEMBER, (), {"received": 1, "open": 5, "response_on_time_rate": 0.0,
                     "overdue": 3}),
])
def test_complaint_metrics(august, period, units, expected):
    for key, value in expected.items():
        got = compute(august, f"complaints.{key}", period, Scope(units))
        assert got == (None if value is None else pytest.approx(value)), key


# --- imports ----------------------------------------------------------------------------

VALID = (
    "No;No. Pengaduan;Tanggal Diterima;Saluran;Perihal;Bidang;No Registrasi;Nama Pelapor;"
    "No HP;Tanggal Tanggapan;Tanggapan;Tanggal Selesai;Tindak Lanjut\n"
    "1;ADU-2026-0101;14/08/2026;SP4N-LAPOR!;Legalisir lama;;RQ1;Ani;081234;"
    "24 Agustus 2026;Sudah dijawab;28-08-2026;Selesai\n"
    "2;ADU-2026-0102;17 Agt 2026;datang langsung;Antrean panjang;SMP;;Budi;;;;;\n"
    "3;ADU-2026-0103;2026-08-20;Telepon;Tidak dilayani;;;;;;;;\n"
)


def test_import_valid_file_and_reimport_changes_nothing(with_request, tmp_path):
    db = with_request
    path = write(tmp_path, "pengaduan.csv", VALID)
    report = import_complaints(db, path)
    assert (report.rows, report.inserted, report.updated, report.rejected) == (3, 3, 0, 0)
    assert report.ignored_columns == ["No"]
    first = get_complaint(db, "ADU-2026-0101")
    assert (first["unit"], first["channel"], first["response_due_on"], first["on_time"],
            first["closed_on"], first["contact"], first["outcome"]) == (
        "SMA", "lapor", "2026-08-24", True, "2026-08-28", "081234", "Selesai")
    second = get_complaint(db, "ADU-2026-0102")
    assert (second["channel"], second["unit"], second["response_due_on"]) == (
        "walk-in", "SMP", "2026-08-24")
    third = get_complaint(db, "ADU-2026-0103")
    assert (third["channel"], third["unit"], third["response_due_on"]) == (
        "phone", None, "2026-08-28")

    before = snapshot(db)
    with writing(db):
        set_setting(db, "complaint_response_days", 10)
    after_setting = snapshot(db)
    again = import_complaints(db, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(db) == after_setting
    assert snapshot(db)[0] == before[0]


def test_reimport_keeps_a_response_recorded_since_and_takes_new_ones(with_request,
                                                                     tmp_path):
    db = with_request
    path = write(tmp_path, "pengaduan.csv", VALID)
    import_complaints(db, path)
    respond_complaint(db, "ADU-2026-0103", on="2026-08-27", response="Ditelepon balik")
    updated_text = VALID.replace("2;ADU-2026-0102;17 Agt 2026;datang langsung;Antrean "
                                 "panjang;SMP;;Budi;;;;;",
                                 "2;ADU-2026-0102;17 Agt 2026;datang langsung;Antrean "
                                 "panjang;SMP;;Budi;;25/08/2026;Loket ditambah;;")
    report = import_complaints(db, write(tmp_path, "v2.csv", updated_text))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    kept = get_complaint(db, "ADU-2026-0103")
    assert (kept["responded_on"], kept["response"]) == ("2026-08-27", "Ditelepon balik")
    new = get_complaint(db, "ADU-2026-0102")
    assert (new["responded_on"], new["response"], new["on_time"]) == (
        "2026-08-25", "Loket ditambah", False)


def test_import_messy_xlsx(with_request, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Nomor", "Tanggal", "Media", "Pokok Pengaduan", "Unit Kerja", "Pelapor",
                  "Kontak", "Tgl Tanggapan", "Jawaban", "Tgl Selesai", "Hasil"])
    sheet.append([None] * 11)
    sheet.append(["LAPOR-1", datetime(2026, 8, 14, 9, 30), "E-mail", "  Ijazah hilang ",
                  "sma", "Citra", 81234567.0, datetime(2026, 8, 18), "Dibalas", None, None])
    sheet.append([20260815, "2026-08-15", "surat", "Biaya", "SMP", None, None, None, None,
                  None, None])
    path = tmp_path / "aduan.xlsx"
    book.save(path)
    report = import_complaints(with_request, path)
    assert (report.rows, report.inserted) == (2, 2)
    first = get_complaint(with_request, "LAPOR-1")
    assert (first["received_on"], first["channel"], first["subject"], first["unit"],
            first["contact"], first["responded_on"], first["on_time"]) == (
        "2026-08-14", "email", "Ijazah hilang", "SMA", "81234567", "2026-08-18", True)
    assert get_complaint(with_request, "20260815")["channel"] == "letter"


INVALID = (
    "No Pengaduan,Tanggal,Saluran,Perihal,Bidang,No Registrasi,Tanggal Tanggapan,"
    "Tanggapan,Tanggal Selesai,Hasil\n"
    "A1,2026-08-14,fax,x,,,,,,\n"
    "A2,31/02/2026,lapor,x,,,,,,\n"
    "A3,2026-08-14,lapor,x,,NOPE,,,,\n"
    "A4,2026-08-14,lapor,x,XYZ,,,,,\n"
    "A5,2026-08-14,lapor,x,,,2026-08-20,ok,2026-08-19,selesai\n"
    "A6,2026-08-14,lapor,x,,,,dijawab,,\n"
    "A7,2099-01-01,lapor,x,,,,,,\n"
    "A8,2026-08-14,lapor,,,,,,,\n"
    "A9,2026-08-14,email,baik,SMA,,,,,\n"
    "A9,2026-08-15,email,dua kali,SMA,,,,,\n"
)


def test_import_refuses_a_file_with_invalid_rows_naming_each(with_request, tmp_path):
    db = with_request
    path = write(tmp_path, "salah.csv", INVALID)
    before = snapshot(db)
    with pytest.raises(ImportRefused) as caught:
        import_complaints(db, path)
    assert caught.value.total_bad_rows == 9
    details = "\n".join(caught.value.details)
    for expected in ["row 2, column Saluran", "row 3, column Tanggal", "row 4, column No "
                     "Registrasi", "row 5, column Bidang", "row 6, column Tanggal Selesai",
                     "row 7, column Tanggal Tanggapan", "row 8, column Tanggal",
                     "row 9, column Perihal", "row 11: repeats the record of row 10"]:
        assert expected in details, expected
    assert snapshot(db) == before


def test_import_skip_invalid_and_dry_run(with_request, tmp_path):
    db = with_request
    path = write(tmp_path, "salah.csv", INVALID)
    before = snapshot(db)
    dry = import_complaints(db, write(tmp_path, "ok.csv", VALID), dry_run=True)
    assert (dry.inserted, dry.dry_run) == (3, True)
    assert snapshot(db) == before
    report = import_complaints(db, path, skip_invalid=True)
    assert (report.inserted, report.rejected) == (1, 9)
    assert count(db) == 1 and get_complaint(db, "A9")["subject"] == "baik"
    rejects = (tmp_path / "salah.csv.rejects.csv").read_text(encoding="utf-8-sig")
    assert rejects.count("\n") == 10  # header + 9 rejected rows


# --- the commands -----------------------------------------------------------------------


def test_complaint_commands(cli, with_request, tmp_path):
    added = cli("complaint", "add", "--received", "14 Agustus 2026", "--channel",
                "SP4N-LAPOR!", "--subject", "Legalisir lama", "--request", "RQ1",
                "--complainant", "Ani", "--contact", "0812")
    assert added.exit_code == 0, added.stderr
    ref = added.stdout.strip()
    assert ref == "ADU-2026-0001" and "due 2026-08-24" in added.stderr
    other = cli("complaint", "add", "--received", "2026-08-20", "--channel", "surat",
                "--subject", "Surat belum dibalas", "--unit", "SMP", "--ref", "S-1")
    assert other.exit_code == 0, other.stderr

    responded = cli("complaint", "respond", ref, "--on", "2026-08-24", "--response", "Sudah")
    assert responded.exit_code == 0 and "on time" in responded.stderr
    closed = cli("complaint", "close", ref, "--on", "2026-08-28", "--outcome", "Selesai")
    assert closed.exit_code == 0, closed.stderr

    shown = json.loads(cli("complaint", "show", ref, "--json").stdout)
    assert (shown["unit"], shown["channel"], shown["on_time"], shown["status"],
            shown["complainant"]) == ("SMA", "lapor", True, "closed", "Ani")
    listed = json.loads(cli("complaint", "list", "--json").stdout)
    assert [r["ref_no"] for r in listed] == [ref, "S-1"]
    assert [r["ref_no"] for r in json.loads(cli("complaint", "list", "--open",
                                                "--json").stdout)] == ["S-1"]
    assert [r["ref_no"] for r in json.loads(cli("complaint", "list", "--overdue", "--unit",
                                                "SMP", "--json").stdout)] == ["S-1"]
    table = cli("complaint", "list", "--since", "2026-08-15")
    assert "S-1" in table.stdout and ref not in table.stdout
    assert "Ani" not in cli("complaint", "list").stdout  # no personal data in the table
    csv_out = cli("complaint", "list", "--csv", "--delimiter", ",").stdout
    assert csv_out.splitlines()[0].startswith("ref_no,received_on,channel")

    imported = cli("complaint", "import", str(write(tmp_path, "p.csv", VALID)), "--json")
    assert imported.exit_code == 0, imported.stderr
    assert json.loads(imported.stdout)["inserted"] == 3
    refused = cli("complaint", "import", str(write(tmp_path, "bad.csv", INVALID)))
    assert refused.exit_code == 1
    assert "9 invalid rows, nothing was imported" in refused.stderr
    assert "row 2, column Saluran" in refused.stderr

    metrics = json.loads(cli("metrics", "--from", "2026-08-01", "--to", "2026-08-31",
                             "--json").stdout)["metrics"]
    assert metrics["complaints.received"] == 5
    # Received in August: ADU-2026-0001 and ADU-2026-0101 answered on time; S-1,
    # ADU-2026-0102 and ADU-2026-0103 unanswered on 31 August past their due dates.
    assert metrics["complaints.response_on_time_rate"] == pytest.approx(2 / 5)


def test_complaint_commands_refuse_bad_input(cli, with_request):
    db = with_request
    add_complaint(db, ref="K1", received="2026-08-14", channel="lapor", subject="a")
    before = snapshot(db)
    base = ["complaint", "add", "--received", "2026-08-14", "--subject", "s"]
    cases = [
        ([*base, "--channel", "fax"], 2, "--channel: The channel 'fax' is not one of"),
        ([*base, "--channel", "lapor", "--received", "kemarin lusa"], 2, "--received"),
        ([*base, "--channel", "lapor", "--request", "NOPE"], 1, "no request 'NOPE'"),
        ([*base, "--channel", "lapor", "--unit", "NOPE"], 1, "no unit 'NOPE'"),
        ([*base, "--channel", "lapor", "--ref", "K1"], 1, "already exists"),
        (["complaint", "respond", "K1", "--on", "2026-08-13", "--response", "r"], 1,
         "before the complaint was received"),
        (["complaint", "respond", "K1", "--on", "2026-02-30", "--response", "r"], 2,
         "not a real calendar date"),
        (["complaint", "close", "NOPE", "--outcome", "o"], 1, "no complaint 'NOPE'"),
        (["complaint", "show", "NOPE"], 1, "no complaint 'NOPE'"),
        (["complaint", "list", "--unit", "NOPE"], 2, "--unit"),
    ]
    for args, code, reason in cases:
        result = cli(*args)
        assert result.exit_code == code, (args, result.stderr)
        assert result.stderr.startswith("Error: ") and reason in result.stderr, (
            args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert snapshot(db) == before


def test_response_timeliness_is_judged_over_the_complaints_received_in_the_period(august):
    from qmstrack.registers.complaints import complaint_counts

    counts = complaint_counts(august, AUGUST, Scope())
    # C1 on time; C2 answered late; C4, C8 unanswered on 31 August with the due date
    # passed; C5 not yet due, not counted. C3 (received in July, answered in August) is
    # July's.
    assert (counts["responded"], counts["responded_on_time"], counts["response_late"]) == (
        2, 1, 3)
    assert counts["response_on_time_rate"] == pytest.approx(1 / 4)
    # July: C3 and C6 received, both answered on time (C3 in August, before its due date).
    july = complaint_counts(august, Period(date(2026, 7, 1), date(2026, 7, 31)), Scope())
    assert july["response_on_time_rate"] == 1.0
    # Judged as of the end: on 2026-08-12 C2 was answered late, C1 not yet due.
    early = complaint_counts(august, Period(date(2026, 8, 1), date(2026, 8, 12)), Scope())
    assert (early["responded_on_time"], early["response_late"]) == (0, 1)
