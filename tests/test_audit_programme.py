"""The audit programme the officer edits (month x clauses x units x lead auditor), its
pro-rated coverage target, and the opening and closing meetings."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qmstrack.audit_programme import plan_rows, planned_clauses, programme_target, set_plan
from qmstrack.audits import get_audit, record_meetings, run_audit
from qmstrack.checklists import resolve_checklist
from qmstrack.errors import Conflict, InvalidInput
from qmstrack.parsing import parse_target
from qmstrack.periods import Period, parse_month

BUDI = "198609262015051001"  # SMA
SITI = "199001012019032002"  # SMP
ISO = "iso9001-2015"


def test_plan_set_and_show(cli, office):
    done = cli("audit", "plan", "set", "--month", "2027-02", "--clauses", "8.5,7.5",
               "--unit", "SMA", "--auditor", SITI)
    assert done.exit_code == 0, done.stderr
    assert "2027-02 SMA: clauses 7.5,8.5, lead auditor " + SITI in done.stderr
    shown = json.loads(cli("audit", "plan", "show", "--year", "2027", "--json").stdout)
    assert shown == [{"month": "2027-02", "unit": "SMA", "clauses": "7.5,8.5",
                      "lead_auditor": SITI, "lead_auditor_name": "Siti Rahma",
                      "own_unit_allowed": False}]
    # Set again: the month and unit are replaced, not duplicated.
    assert cli("audit", "plan", "set", "--month", "2027-02", "--clauses", "9.2",
               "--unit", "SMA").exit_code == 0
    again = json.loads(cli("audit", "plan", "show", "--year", "2027", "--json").stdout)
    assert [(r["clauses"], r["lead_auditor"]) for r in again] == [("9.2", "")]
    assert "No programme" in cli("audit", "plan", "show", "--year", "2030").stderr
    # Without a subcommand: the 12-month coverage, as before.
    coverage = cli("audit", "plan", "--on", "2026-11-01", "--json")
    assert coverage.exit_code == 0 and json.loads(coverage.stdout)[0]["status"] == "due"


def test_an_auditor_may_not_audit_their_own_unit_unless_allowed(cli, office):
    refused = cli("audit", "plan", "set", "--month", "2027-03", "--clauses", "8.5",
                  "--unit", "SMA", "--unit", "SMP", "--auditor", BUDI)
    assert refused.exit_code == 1
    assert "belongs to SMA and may not audit their own unit" in refused.stderr
    assert office.execute("SELECT count(*) FROM audit_plan").fetchone()[0] == 0
    allowed = cli("audit", "plan", "set", "--month", "2027-03", "--clauses", "8.5",
                  "--unit", "SMA", "--auditor", BUDI, "--allow-own-unit")
    assert allowed.exit_code == 0 and "(own unit, allowed)" in allowed.stderr
    (row,) = plan_rows(office, resolve_checklist(ISO), 2027)
    assert row["own_unit_allowed"] is True


@pytest.mark.parametrize("args, code, text", [
    (["--month", "2027-13", "--clauses", "8.5"], 2, "--month"),
    (["--month", "2027-02", "--clauses", "9.9.9"], 1, "Clause 9.9.9 is not a clause"),
    (["--month", "2027-02", "--clauses", " , "], 1, "Name the clauses"),
    (["--month", "2027-02", "--clauses", "8.5", "--unit", "MARS"], 2, "MARS"),
    (["--month", "2027-02", "--clauses", "8.5", "--auditor", "199901012020011001"], 1,
     "There is no staff member"),
])
def test_plan_set_refuses_bad_input(cli, office, args, code, text):
    result = cli("audit", "plan", "set", *args)
    assert result.exit_code == code, result.stderr
    assert text in result.stderr and "Traceback" not in result.stderr
    assert office.execute("SELECT count(*) FROM audit_plan").fetchone()[0] == 0


def test_the_coverage_target_follows_the_programme(office):
    checklist = resolve_checklist(ISO)
    october = Period(date(2026, 10, 1), date(2026, 10, 31))
    target = parse_target(">= 1.0")
    # No programme: spread evenly, month 1 of 12.
    spread, note = programme_target(office, checklist, october, target)
    assert "month 1 of the 12-month programme" in note and spread.threshold < 0.1
    # A programme planning clause 8.5 (and so its sub-clauses) up to October.
    set_plan(office, checklist, parse_month("2026-09"), ["8.5"], ["SMA"])
    set_plan(office, checklist, parse_month("2027-01"), ["4", "5"], ["SMA"])
    planned, note = programme_target(office, checklist, october, target)
    total = sum(1 for c in checklist.iter_clauses() if c.assessable)
    under = sum(1 for c in checklist.iter_clauses()
                if c.assessable and (c.ref == "8.5" or c.ref.startswith("8.5.")))
    assert note == (f"Target pro-rated to the audit programme: {under} of {total} clauses "
                    "planned by 2026-10-31.")
    assert planned.threshold == pytest.approx(under / total, abs=1e-4)
    assert planned_clauses(office, checklist, parse_month("2026-09"), ["SMA"]) == {"8.5"}
    assert planned_clauses(office, checklist, parse_month("2026-09"), ["SMP"]) == set()


def test_the_audit_asks_the_months_planned_clauses_first(office):
    checklist = resolve_checklist(ISO)
    set_plan(office, checklist, parse_month("2026-10"), ["9.2"], ["SMA"])
    asked = []

    def ask(item, position, count):
        asked.append((item.clause_ref, position, count))
        return None

    run_audit(office, parse_month("2026-10"), ["SMA"], checklist, ask=ask,
              today=date(2026, 11, 2))
    assert asked[0][0].startswith("9.2") and asked[0][1] == 1
    first_other = next(i for i, (ref, _, _) in enumerate(asked) if not ref.startswith("9.2"))
    assert all(ref.startswith("9.2") for ref, _, _ in asked[:first_other])
    assert [p for _, p, _ in asked] == list(range(1, len(asked) + 1))


def test_opening_and_closing_meetings(cli, office, tmp_path):
    checklist = resolve_checklist(ISO)
    run = run_audit(office, parse_month("2026-10"), ["SMA"], checklist,
                    today=date(2026, 11, 2))
    with pytest.raises(InvalidInput, match="cannot be before the opening"):
        record_meetings(office, run.audit_id, opening=date(2026, 11, 5),
                        closing=date(2026, 11, 3))
    done = cli("audit", "meetings", str(run.audit_id), "--opening", "2026-11-03",
               "--closing", "2026-11-05")
    assert done.exit_code == 0, done.stderr
    audit = get_audit(office, run.audit_id)
    assert (audit["opening_meeting_on"], audit["closing_meeting_on"]) == ("2026-11-03",
                                                                          "2026-11-05")
    report = cli("audit", "report", str(run.audit_id), "--format", "md", "--lang", "en",
                 "--out", str(tmp_path))
    text = open(report.stdout.strip(), encoding="utf-8").read()
    assert "| Opening meeting | Tuesday, 3 November 2026 |" in text
    assert "| Closing meeting | Thursday, 5 November 2026 |" in text
    bad = cli("audit", "meetings", str(run.audit_id))
    assert bad.exit_code == 2 and "Give --opening, --closing or both" in bad.stderr
    assert cli("audit", "finalize", str(run.audit_id), "--allow-pending").exit_code == 0
    with pytest.raises(Conflict, match="can no longer change"):
        record_meetings(office, run.audit_id, closing=date(2026, 11, 6))
