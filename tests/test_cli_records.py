"""The record commands through the real Typer app: unit, service, staff, rule, request,
adherence. Data on stdout, messages on stderr, exit codes, and bad input refused cleanly."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, timedelta

import pytest

from qmstrack import __version__, changelog

# Lists as CSV with commas (the office's default delimiter in id is ';').
COMMA_CSV = ("--csv", "--delimiter", ",")

BUDI = "198609262015051001"
SITI = "199001012019032002"
ANDI = "198512122010011003"


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception)
    assert "Traceback" not in result.stderr
    return result.stdout


def fails(result, code: int, *fragments: str) -> str:
    """A clean failure: the exit code, one 'Error:' sentence, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr
    assert "Error:" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return result.stderr


def as_json(result):
    return json.loads(ok(result))


def as_csv(result) -> list[dict]:
    return list(csv.DictReader(io.StringIO(ok(result))))


def snapshot(db) -> dict[str, int]:
    tables = ["units", "services", "staff", "rules", "requests", "request_events",
              "adherence", "settings", "change_log", "change_seals"]
    return {t: db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in tables}


# --- units --------------------------------------------------------------------------------


def test_unit_commands(db, cli):
    out = ok(cli("unit", "add", "sma", "--name", "Bidang Pembinaan SMA"))
    assert out == ""
    ok(cli("unit", "add", "SMP"))
    assert as_json(cli("unit", "list", "--json")) == [
        {"code": "SMA", "name": "Bidang Pembinaan SMA"}, {"code": "SMP", "name": "SMP"}]
    table = ok(cli("unit", "list"))
    assert "Bidang Pembinaan SMA" in table and "\x1b[" not in table
    ok(cli("unit", "add", "SMA", "--name", "Bidang SMA"))
    assert as_json(cli("unit", "list", "--json"))[0]["name"] == "Bidang SMA"
    before = snapshot(db)
    fails(cli("unit", "add", "S M A"), 1, "not a valid code")
    assert snapshot(db) == before


def test_empty_lists_say_so_on_stderr(db, cli):
    result = cli("unit", "list")
    assert ok(result) == ""
    assert "No units yet" in result.stderr
    assert as_json(cli("request", "list", "--json")) == []
    assert ok(cli("service", "list", *COMMA_CSV)).splitlines() == [
        "code,name,unit,sla_days,fee,requirements,active"]


# --- services -------------------------------------------------------------------------


def test_service_commands(office, cli):
    result = cli("service", "add", "--code", "SMA-KIP", "--name", "Rekomendasi KIP",
                 "--unit", "sma", "--sla-days", "2", "--fee", "0",
                 "--requirements", "Kartu keluarga")
    ok(result)
    assert "Service SMA-KIP saved (2 working days)" in result.stderr
    rows = as_json(cli("service", "list", "--json", "--unit", "SMA"))
    assert [r["code"] for r in rows] == ["SMA-KIP", "SMA-LEG", "SMA-MUT"]
    assert rows[0] == {"code": "SMA-KIP", "name": "Rekomendasi KIP", "unit": "SMA",
                       "sla_days": 2, "fee": 0, "requirements": "Kartu keluarga",
                       "active": 1}
    rows = as_csv(cli("service", "list", *COMMA_CSV, "--unit", "SMP", "--unit", "SEKRETARIAT"))
    assert [r["code"] for r in rows] == ["SEK-SURAT", "SMP-LEG"]
    assert rows[0]["sla_days"] == "0"
    assert "Legalisir ijazah SMA" in ok(cli("service", "list"))


def test_service_time_is_said_in_words(office, cli):
    for days, said in (("1", "(1 working day)"), ("0", "(same day)"), ("5", "(5 working days)")):
        result = cli("service", "add", "--code", f"SMA-X{days}", "--name", "Surat",
                     "--unit", "SMA", "--sla-days", days)
        ok(result)
        assert f"Service SMA-X{days} saved {said}." in result.stderr


def test_service_add_bad_values(office, cli):
    before = snapshot(office)
    base = ["service", "add", "--code", "X", "--name", "X", "--unit", "SMA"]
    fails(cli(*base, "--sla-days", "-1"), 1, "below 0")
    fails(cli(*base, "--sla-days", "tiga"), 2, "--sla-days")
    fails(cli(*base, "--sla-days", "1", "--fee", "-100"), 1, "fee", "below 0")
    fails(cli("service", "add", "--code", "X", "--name", "X", "--unit", "NOPE",
              "--sla-days", "1"), 1, "no unit 'NOPE'", "qmstrack unit add")
    fails(cli("service", "add", "--code", "X", "--name", "X", "--unit", "SMA"), 2,
          "--sla-days")
    assert snapshot(office) == before


# --- staff --------------------------------------------------------------------------------


def test_staff_commands(office, cli):
    result = cli("staff", "add", "--nip", "19920202 202012 1 004", "--name", "Dedi",
                 "--unit", "SMA", "--position", "Verifikator")
    ok(result)
    assert "199202022020121004" in result.stderr
    rows = as_json(cli("staff", "list", "--json", "--unit", "SMA"))
    assert [r["name"] for r in rows] == ["Budi Santoso", "Dedi"]
    office.execute("UPDATE staff SET active = 0 WHERE nip = ?", [ANDI])
    # In CSV a NIP is written in its groups, so that no spreadsheet takes it for a number.
    assert ANDI not in [r["nip"].replace(" ", "")
                        for r in as_csv(cli("staff", "list", *COMMA_CSV))]
    listed = [r["nip"] for r in as_csv(cli("staff", "list", *COMMA_CSV, "--all"))]
    assert ANDI in [nip.replace(" ", "") for nip in listed]
    assert "19851212 201001 1 003" in listed

    shown = as_json(cli("staff", "show", "19900101 201903 2 002", "--json"))
    assert shown["nip"] == SITI and shown["sex"] == "female"
    assert shown["birth_date"] == "1990-01-01" and shown["appointed"] == "2019-03"
    assert shown["nip_formatted"] == "19900101 201903 2 002"
    assert "Budi Santoso" in ok(cli("staff", "show", BUDI))


def test_staff_bad_input(office, cli):
    before = snapshot(office)
    fails(cli("staff", "add", "--nip", "12345", "--name", "X", "--unit", "SMA"), 1,
          "has 5 digits")
    fails(cli("staff", "add", "--nip", "198613262015051001", "--name", "X", "--unit",
              "SMA"), 1, "birth date")
    fails(cli("staff", "add", "--nip", "199202022020121004", "--name", "X", "--unit",
              "NOPE"), 1, "no unit 'NOPE'")
    fails(cli("staff", "show", "199202022020121004"), 1, "no staff member")
    fails(cli("staff", "show", "abc"), 2, "NIP")
    fails(cli("staff", "list", "--unit", "NOPE"), 2, "--unit", "no unit 'NOPE'")
    assert snapshot(office) == before


# --- rules --------------------------------------------------------------------------------


def test_rule_commands(office, cli):
    ok(cli("rule", "add", "--code", "SOP-MUT", "--title", "SOP mutasi siswa", "--unit", "SMA",
           "--clause", "8.5.1", "--clause", "8.2.2"))
    rows = as_json(cli("rule", "list", "--json", "--unit", "SMA"))
    assert {r["code"]: r["clauses"] for r in rows} == {
        "SOP-ARSIP": "7.5.3", "SOP-LEG": "8.5.1", "SOP-MUT": "8.2.2,8.5.1"}
    assert [r["code"] for r in as_csv(cli("rule", "list", *COMMA_CSV, "--unit", "SMP"))] == [
        "SOP-ARSIP"]
    before = snapshot(office)
    fails(cli("rule", "add", "--code", "SOP-X", "--title", "X", "--clause", "delapan"), 1,
          "not like 8.5.1")
    fails(cli("rule", "add", "--code", "SOP-X", "--title", "X", "--unit", "NOPE"), 1,
          "no unit")
    assert snapshot(office) == before


# --- requests -------------------------------------------------------------------------------


def test_request_add_update_show(office, cli):
    result = cli("request", "add", "--service", "SMA-LEG", "--requester", "Ani Lestari",
                 "--received", "14/08/2026", "--contact", "0812", "--channel", "walk-in",
                 "--staff", "19860926 201505 1 001", "--note", "Legalisir 3 lembar")
    assert ok(result).strip() == "SMA-2026-000001"
    assert "due 2026-08-20" in result.stderr

    result = cli("request", "update", "SMA-2026-000001", "--status", "diproses",
                 "--on", "18 Agt 2026")
    ok(result)
    assert "now in_progress" in result.stderr
    result = cli("request", "update", "SMA-2026-000001", "--status", "completed",
                 "--on", "2026-08-21", "--rating", "3", "--note", "Diambil")
    ok(result)
    assert "late (due 2026-08-20)" in result.stderr

    shown = as_json(cli("request", "show", "SMA-2026-000001", "--json"))
    assert shown["status"] == "completed" and shown["on_time"] is False
    assert shown["rating"] == 3 and shown["staff_nip"] == BUDI
    assert shown["channel"] == "walk-in"
    assert shown["notes"] == "Legalisir 3 lembar\nDiambil"
    assert [(e["status"], e["on_date"]) for e in shown["events"]] == [
        ("received", "2026-08-14"), ("in_progress", "2026-08-18"),
        ("completed", "2026-08-21")]
    table = ok(cli("request", "show", "SMA-2026-000001"))
    assert "History" in table and "2026-08-18" in table
    assert list(changelog.verify_chain(office)) == []


def test_request_status_rules_on_the_command_line(office, cli):
    ok(cli("request", "add", "--service", "SMA-LEG", "--requester", "A", "--ref", "R-1",
           "--received", "2026-08-14"))
    before = snapshot(office)
    fails(cli("request", "update", "R-1", "--status", "completed", "--on", "2026-08-13"), 1,
          "before the request's last change (2026-08-14)")
    fails(cli("request", "update", "R-1", "--status", "received", "--on", "2026-08-15"), 1,
          "cannot go back to 'received'")
    fails(cli("request", "update", "R-1", "--status", "in_progress", "--on", "2026-08-15",
              "--rating", "4"), 1, "only when the request is closed")
    fails(cli("request", "update", "R-1", "--status", "completed", "--on", "2026-08-15",
              "--rating", "5"), 1, "rating 5 is above 4")
    fails(cli("request", "update", "R-1", "--status", "completed", "--on", "2026-08-15",
              "--rating", "0"), 1, "rating 0 is below 1")
    fails(cli("request", "update", "R-1", "--status", "lost"), 1, "not one of received")
    fails(cli("request", "update", "R-1", "--status", "completed", "--on", "kapan-kapan"), 2,
          "--on")
    fails(cli("request", "update", "R-404", "--status", "completed", "--on", "2026-08-15"),
          1, "no request 'R-404'")
    fails(cli("request", "update", "R-1", "--status", "completed", "--on", "2026-08-15",
              "--staff", "199202022020121004"), 1, "no staff member")
    assert snapshot(office) == before

    ok(cli("request", "update", "R-1", "--status", "rejected", "--on", "2026-08-15"))
    after_close = snapshot(office)
    fails(cli("request", "update", "R-1", "--status", "completed", "--on", "2026-08-16"), 1,
          "already rejected on 2026-08-15")
    assert snapshot(office) == after_close
    events = as_json(cli("request", "show", "R-1", "--json"))["events"]
    assert [(e["status"], e["on_date"]) for e in events] == [
        ("received", "2026-08-14"), ("rejected", "2026-08-15")]


def test_request_add_bad_input(office, cli):
    before = snapshot(office)
    fails(cli("request", "add", "--service", "NOPE", "--requester", "A"), 1, "no service")
    fails(cli("request", "add", "--service", "SMA-LEG", "--requester", "A",
              "--received", "31/02/2026"), 2, "--received", "not a real calendar date")
    fails(cli("request", "add", "--service", "SMA-LEG", "--requester", " "), 1)
    fails(cli("request", "add", "--service", "SMA-LEG", "--requester", "A",
              "--unit", "NOPE"), 1, "no unit 'NOPE'")
    ok(cli("request", "add", "--service", "SMA-LEG", "--requester", "A", "--ref", "R-1"))
    fails(cli("request", "add", "--service", "SMA-LEG", "--requester", "A", "--ref", "R-1"),
          1, "already exists")
    after = snapshot(office)
    assert after["requests"] == before["requests"] + 1


@pytest.fixture
def requests_in(office):
    """Five requests in two units, some closed, one open long past its due date.

    Registered through the register functions (the commands are tested above), which keeps
    the many tests using this fixture quick.
    """
    from qmstrack.registers.requests import add_request, update_request

    today = date.today()
    rows = [
        ("A-1", "SMA-LEG", "2025-08-04", "completed", "2025-08-06"),
        ("A-2", "SMA-MUT", "2025-08-11", "rejected", "2025-08-12"),
        ("A-3", "SMP-LEG", "2025-08-14", "in_progress", None),
        ("A-4", "SMA-LEG", "2024-01-08", None, None),                      # overdue
        ("A-5", "SMA-LEG", today.isoformat(), None, None),                 # not yet due
    ]
    for ref, service, received, status, closed in rows:
        add_request(office, service=service, requester=f"P {ref}", ref=ref, received=received)
        if status:
            update_request(office, ref, status=status, on=closed or received)
    return office


def test_request_list_json_fields(requests_in, cli):
    rows = as_json(cli("request", "list", "--json"))
    assert [r["ref_no"] for r in rows][:4] == ["A-4", "A-1", "A-2", "A-3"]
    required = {"ref_no", "received_on", "service_code", "unit", "status", "closed_on",
                "due_on", "on_time"}
    for row in rows:
        assert required <= set(row)
    a1 = next(r for r in rows if r["ref_no"] == "A-1")
    assert a1 == {**a1, "received_on": "2025-08-04", "service_code": "SMA-LEG", "unit": "SMA",
                  "status": "completed", "closed_on": "2025-08-06", "due_on": "2025-08-07",
                  "on_time": True}
    a2 = next(r for r in rows if r["ref_no"] == "A-2")
    assert a2["on_time"] is None and a2["status"] == "rejected"


def test_request_list_filters(requests_in, cli):
    def refs(*args):
        return [r["ref_no"] for r in as_json(cli("request", "list", "--json", *args))]

    assert refs("--unit", "smp") == ["A-3"]
    assert refs("--status", "completed", "--status", "ditolak") == ["A-1", "A-2"]
    assert refs("--service", "SMA-LEG", "--until", "2025-08-31") == ["A-4", "A-1"]
    assert refs("--since", "10/08/2025", "--until", "14 Agt 2025") == ["A-2", "A-3"]
    # Open and past due today: A-4 (received 2024) and A-3 (in progress since Aug 2025).
    assert refs("--overdue") == ["A-4", "A-3"]
    assert refs("--limit", "2") == ["A-4", "A-1"]
    assert refs("--service", "NOPE") == []
    rows = as_csv(cli("request", "list", *COMMA_CSV, "--unit", "SMA", "--until", "2025-08-31"))
    assert [r["ref_no"] for r in rows] == ["A-4", "A-1", "A-2"]
    assert rows[0]["closed_on"] == "" and "requester" in rows[0]
    table = ok(cli("request", "list"))
    assert "A-3" in table and "P A-3" not in table  # names stay out of the people's table


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (["--unit", "NOPE"], 2, "--unit: There is no unit 'NOPE'"),
    (["--since", "kemarin lusa"], 2, "--since: The date 'kemarin lusa' is not a date"),
    (["--until", "31/02/2026"], 2, "--until"),
    (["--status", "hilang"], 2, "--status: The status 'hilang'"),
    (["--limit", "0"], 2, "--limit"),
    (["--limit", "-3"], 2, "--limit"),
    (["--json", "--bogus"], 2, "--bogus"),
])
def test_request_list_bad_options(requests_in, cli, args, code, fragment):
    before = snapshot(requests_in)
    result = cli("request", "list", *args)
    fails(result, code, fragment)
    assert result.stdout == ""
    assert snapshot(requests_in) == before


def test_request_list_since_today_and_yesterday(requests_in, cli):
    rows = as_json(cli("request", "list", "--json", "--since", "yesterday"))
    assert [r["ref_no"] for r in rows] == ["A-5"]
    assert as_json(cli("request", "list", "--json", "--since", "today",
                       "--until", "today"))[0]["ref_no"] == "A-5"


# --- adherence ---------------------------------------------------------------------------


@pytest.fixture
def observations(office):
    from qmstrack.registers.adherence import add_observation

    for staff, rule, on, result in [
        ("19860926 201505 1 001", "SOP-LEG", "2024-08-05", "patuh"),
        (BUDI, "SOP-ARSIP", "2024-08-05", "breach"),
        (SITI, "SOP-ARSIP", "2024-08-06", "na"),
        (ANDI, "SOP-ARSIP", "2024-09-02", "comply"),
    ]:
        add_observation(office, staff=staff, rule=rule, result=result, on=on, observer="WMM")
    return office


def test_adherence_add_list(observations, cli):
    rows = as_json(cli("adherence", "list", "--json"))
    assert len(rows) == 4
    assert rows[0] == {"id": 2, "observed_on": "2024-08-05", "observed_at": None,
                       "unit": "SMA", "staff_nip": BUDI, "rule_code": "SOP-ARSIP",
                       "object_ref": "", "result": "breach", "observer": "WMM", "note": ""}

    def count(*args):
        return len(as_json(cli("adherence", "list", "--json", *args)))

    assert count("--unit", "SMA") == 2
    assert count("--staff", "19900101 201903 2 002") == 1
    assert count("--rule", "SOP-ARSIP") == 3
    assert count("--result", "tidak patuh") == 1
    assert count("--since", "2024-08-06", "--until", "2024-08-31") == 1
    assert len(as_csv(cli("adherence", "list", *COMMA_CSV, "--unit", "SEKRETARIAT"))) == 1
    assert "SOP-LEG" in ok(cli("adherence", "list"))


def test_adherence_add_today_by_default(office, cli):
    result = cli("adherence", "add", "--staff", BUDI, "--rule", "SOP-LEG", "--result", "ya")
    ok(result)
    assert date.today().isoformat() in result.stderr


def test_adherence_stats(observations, cli):
    by_unit = {r["key"]: r for r in as_json(cli("adherence", "stats", "--json"))}
    assert by_unit["SMA"] == {"key": "SMA", "name": "Bidang Pembinaan SMA", "comply": 1,
                              "breach": 1, "na": 0, "observations": 2, "rate": 0.5}
    assert by_unit["SMP"]["rate"] is None
    assert by_unit["SEKRETARIAT"]["rate"] == 1.0
    by_staff = as_json(cli("adherence", "stats", "--by", "staff", "--json",
                           "--until", "2024-08-31"))
    assert {r["key"] for r in by_staff} == {BUDI, SITI}
    by_rule = as_csv(cli("adherence", "stats", "--by", "rule", *COMMA_CSV, "--unit", "SMA"))
    assert {r["key"]: r["rate"] for r in by_rule} == {"SOP-ARSIP": "0.0", "SOP-LEG": "1.0"}
    table = ok(cli("adherence", "stats"))
    assert "50.0%" in table


def test_adherence_bad_input(observations, cli):
    before = snapshot(observations)
    fails(cli("adherence", "stats", "--by", "observer"), 2, "--by", "not one of unit")
    fails(cli("adherence", "stats", "--since", "besok"), 2, "--since")
    fails(cli("adherence", "list", "--result", "kadang"), 2, "--result")
    fails(cli("adherence", "list", "--staff", "123"), 2, "--staff", "3 digits")
    fails(cli("adherence", "list", "--unit", "NOPE"), 2, "--unit")
    fails(cli("adherence", "add", "--staff", BUDI, "--rule", "SOP-NOPE", "--result", "comply",
              "--on", "2024-08-05"), 1, "no rule 'SOP-NOPE'")
    fails(cli("adherence", "add", "--staff", BUDI, "--rule", "SOP-LEG", "--result", "maybe",
              "--on", "2024-08-05"), 1, "not comply, breach or na")
    fails(cli("adherence", "add", "--staff", BUDI, "--rule", "SOP-LEG", "--result", "comply",
              "--on", (date.today() + timedelta(days=2)).isoformat()), 1, "in the future")
    assert snapshot(observations) == before


# --- odds and ends -------------------------------------------------------------------------


def test_version():
    result = subprocess.run([sys.executable, "-m", "qmstrack", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == f"qmstrack {__version__}"
    assert result.stderr == ""


def test_output_is_plain_when_not_a_terminal(requests_in, cli):
    out = ok(cli("request", "list"))
    assert "\x1b[" not in out
    assert "+--" in out or "|" in out


def test_change_log_stays_valid_after_every_command(office, cli):
    ok(cli("unit", "add", "BARU"))
    ok(cli("service", "add", "--code", "B-1", "--name", "B", "--unit", "BARU", "--sla-days",
           "1"))
    ok(cli("staff", "add", "--nip", "199202022020121004", "--name", "Dedi", "--unit", "BARU"))
    ok(cli("rule", "add", "--code", "SOP-B", "--title", "B"))
    ok(cli("request", "add", "--service", "B-1", "--requester", "X", "--ref", "B-1",
           "--received", "2026-08-03"))
    ok(cli("request", "update", "B-1", "--status", "completed", "--on", "2026-08-04"))
    ok(cli("adherence", "add", "--staff", "199202022020121004", "--rule", "SOP-B",
           "--result", "comply", "--on", "2024-08-05"))
    assert list(changelog.verify_chain(office)) == []
    commands = {r[0] for r in office.execute("SELECT command FROM change_seals")}
    assert {"qmstrack unit add", "qmstrack service add", "qmstrack staff add",
            "qmstrack rule add", "qmstrack request add", "qmstrack request update",
            "qmstrack adherence add"} <= commands
