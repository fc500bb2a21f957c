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
    assert first == "2026-12-24"  # Fri 18, Mon 21, Tue 22, Wed 23, Thu 24
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
