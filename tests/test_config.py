"""``qmstrack config``: settings, and a working calendar whose changes reach the due dates."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qmstrack.config import add_days_off, days_off, recompute_due_dates, set_value
from qmstrack.db import get_setting
from qmstrack.errors import InvalidInput
from qmstrack.registers.complaints import add_complaint
from qmstrack.registers.requests import add_request, update_request

# The records are of late December 2026, whenever the tests run.
YEAR_END = date(2026, 12, 31)


def due(db, ref):
    return db.execute("SELECT due_on FROM requests WHERE ref_no = ?", [ref]).fetchone()[0]


def test_a_new_day_off_moves_the_due_dates_it_touches(office):
    # Thursday 17 December 2026 + 3 working days: Fri 18, Mon 21, Tue 22.
    add_request(office, ref="R1", service="SMA-LEG", requester="a", received="2026-12-17",
                today=YEAR_END)
    # Received after the new day off: untouched.
    add_request(office, ref="R2", service="SMA-LEG", requester="b", received="2026-12-28",
                today=YEAR_END)
    # Completed on its old due date: late once the calendar says so.
    add_request(office, ref="R3", service="SMA-LEG", requester="c", received="2026-12-17",
                today=YEAR_END)
    update_request(office, "R3", status="completed", on="2026-12-22", today=YEAR_END)
    assert due(office, "R1") == "2026-12-22"
    added, changed = add_days_off(office, ["21/12/2026"])
    assert added == ["2026-12-21"] and changed == 2
    assert due(office, "R1") == "2026-12-23"
    assert due(office, "R3") == "2026-12-23"
    assert due(office, "R2") == "2026-12-31"
    # Adding it again changes nothing.
    assert add_days_off(office, ["2026-12-21"]) == ([], 0)
    assert get_setting(office, "extra_days_off") == ["2026-12-21"]


def test_complaint_response_dates_follow_the_calendar_and_the_setting(office):
    add_complaint(office, ref="ADU-1", channel="lapor", subject="x", received="2026-12-17",
                  today=date(2026, 12, 31))
    first = office.execute("SELECT response_due_on FROM complaints").fetchone()[0]
    # Fri 18, Mon 21, Tue 22, Wed 23; Thu 24 is cuti bersama, Fri 25 Christmas: Mon 28.
    assert first == "2026-12-28"
    set_value(office, "complaint_response_days", "3")
    assert office.execute("SELECT response_due_on FROM complaints").fetchone()[0] == \
        "2026-12-22"


def test_a_six_day_week(office):
    add_request(office, ref="R1", service="SMA-LEG", requester="a", received="2026-12-17",
                today=YEAR_END)
    set_value(office, "working_weekdays", "mon,tue,wed,thu,fri,sat")
    assert get_setting(office, "working_weekdays") == [1, 2, 3, 4, 5, 6]
    assert due(office, "R1") == "2026-12-21"  # Fri 18, Sat 19, Mon 21
    assert recompute_due_dates(office) == 0


def test_days_off_lists_public_holidays_and_office_days(office):
    add_days_off(office, ["2026-12-24"])
    rows = {r["date"]: r for r in days_off(office, 2026)}
    assert rows["2026-08-17"]["kind"] == "public holiday"
    assert rows["2026-12-24"]["kind"] == "office"
    assert "2026-08-16" not in rows  # a Sunday is not a working weekday anyway


@pytest.mark.parametrize("key, value", [
    ("lang", "fr"), ("working_weekdays", "8"), ("working_weekdays", ""),
    ("complaint_response_days", "-1"), ("finding_due_days.major", "0"), ("colour", "red"),
])
def test_bad_settings_are_refused(office, key, value):
    with pytest.raises(InvalidInput):
        set_value(office, key, value)


def test_config_commands(cli, office):
    assert cli("config", "set", "org_name", "Dinas Pendidikan").exit_code == 0
    assert cli("config", "set", "finding_due_days.major", "14").exit_code == 0
    shown = json.loads(cli("config", "show", "--json").stdout)
    assert shown["org_name"] == "Dinas Pendidikan"
    assert shown["finding_due_days.major"] == 14
    assert shown["finding_due_days.minor"] == 60
    assert cli("config", "unset", "finding_due_days.major").exit_code == 0
    assert json.loads(cli("config", "show", "--json").stdout)["finding_due_days.major"] == 30

    added = cli("config", "days-off", "add", "2026-12-24", "31 Desember 2026")
    assert added.exit_code == 0, added.stderr
    assert "Added 2 days off; 0 due dates recomputed." in added.stderr
    listed = json.loads(cli("config", "days-off", "list", "--year", "2026", "--json").stdout)
    assert {"2026-12-24", "2026-12-31"} <= {r["date"] for r in listed if r["kind"] == "office"}
    removed = cli("config", "days-off", "remove", "2026-12-24")
    assert removed.exit_code == 0 and "Removed 1 day off; 0 due dates recomputed." in (
        removed.stderr)

    bad = cli("config", "set", "lang", "fr")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: lang: ")
    unknown = cli("config", "days-off", "remove", "2026-01-02")
    assert unknown.exit_code == 2 and "not one of the office's extra days off" in unknown.stderr
    garbage = cli("config", "days-off", "add", "someday")
    assert garbage.exit_code == 2 and "Traceback" not in garbage.stderr


# --- cuti bersama, worked holidays and the calendar of a year ----------------------------


def test_cuti_bersama_count_and_the_office_can_work_them(office, cli):
    # Wed 23 December 2026 + 3 working days: Thu 24 (cuti bersama), Fri 25 (Christmas) and
    # the weekend are off: Mon 28, Tue 29, Wed 30.
    add_request(office, ref="R1", service="SMA-LEG", requester="a", received="2026-12-23",
                today=YEAR_END)
    assert due(office, "R1") == "2026-12-30"
    worked = cli("config", "days-off", "work", "24/12/2026")
    assert worked.exit_code == 0, worked.stderr
    assert "Days marked as worked: 1; due dates recomputed: 1." in worked.stderr
    assert due(office, "R1") == "2026-12-29"
    assert get_setting(office, "worked_days") == ["2026-12-24"]
    shown = json.loads(cli("config", "show", "--json").stdout)
    assert shown["worked_days"] == ["2026-12-24"] and shown["cuti_bersama"] is True
    listed = json.loads(cli("config", "days-off", "list", "--year", "2026", "--json").stdout)
    assert "2026-12-24" not in {r["date"] for r in listed}
    assert {"2026-03-20", "2026-12-25"} <= {r["date"] for r in listed}
    undone = cli("config", "days-off", "remove", "2026-12-24")
    assert undone.exit_code == 0, undone.stderr
    assert due(office, "R1") == "2026-12-30"
    assert cli("config", "set", "cuti_bersama", "tidak").exit_code == 0
    assert due(office, "R1") == "2026-12-29"
    assert cli("config", "unset", "cuti_bersama").exit_code == 0
    assert due(office, "R1") == "2026-12-30"


def test_what_cannot_be_marked_as_worked(office, cli):
    add_days_off(office, ["2026-11-27"])
    before = office.execute("SELECT value FROM settings ORDER BY key").fetchall()
    for args, text in [
        (["2026-12-23"], "is not a public holiday or cuti bersama day"),
        (["2026-08-16"], "is not a public holiday or cuti bersama day"),  # a Sunday
        (["2026-11-27"], "one of the office's own days off"),
        (["2026-12-24", "someday"], "--"),
        (["2026-12-24", "32/12/2026"], "not a real calendar date"),
    ]:
        result = cli("config", "days-off", "work", *args)
        assert result.exit_code == 2, (args, result.output)
        assert text in result.stderr or text == "--", (args, result.stderr)
        assert "Traceback" not in result.output
    assert cli("config", "set", "cuti_bersama", "perhaps").exit_code == 2
    huge = cli("config", "days-off", "work", *["2026-12-24"] * 2000, "x" * 10_000)
    assert huge.exit_code == 2 and len(huge.stderr) < 400
    assert office.execute("SELECT value FROM settings ORDER BY key").fetchall() == before


def test_the_calendar_of_a_year_says_where_each_day_off_comes_from(office, cli):
    add_days_off(office, ["2026-11-27"])
    result = cli("config", "calendar", "--year", "2026", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["date"]: r for r in json.loads(result.stdout)}
    assert rows["2026-11-27"]["kind"] == "office" and rows["2026-11-27"]["day_off"]
    assert rows["2026-08-17"]["kind"] == "public holiday"
    assert rows["2026-12-24"]["kind"] == "cuti bersama"
    assert rows["2026-12-24"]["source"].startswith("holidays ")
    assert not any(r["estimated"] for r in rows.values())
    assert set(rows["2026-08-17"]) == {"date", "weekday", "kind", "name", "source",
                                       "estimated", "day_off"}
    # The Islamic holidays of 2027 are still the package's estimates.
    result = cli("config", "calendar", "--year", "2027", "--json")
    rows = {r["date"]: r for r in json.loads(result.stdout)}
    assert rows["2027-03-10"]["estimated"] and not rows["2027-08-17"]["estimated"]
    assert "estimates" in result.stderr
    table = cli("config", "calendar", "--year", "2027", "--lang", "en")
    assert "Eid al-Fitr (estimated)" in table.stdout and "estimated" in table.stdout
    future = cli("config", "calendar", "--year", "2031")
    assert future.exit_code == 0
    assert "no cuti bersama for 2031 yet" in future.stderr
    assert cli("config", "calendar", "--year", "1800").exit_code == 2
    assert cli("config", "calendar", "--lang", "fr").exit_code == 2
