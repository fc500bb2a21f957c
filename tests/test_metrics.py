"""Each metric computed on hand-made data whose every figure is worked out by hand."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qmstrack.findings import close_finding, plan_finding, raise_finding
from qmstrack.metrics import Period, Scope, compute, metric_names
from qmstrack.registers.adherence import add_observation
from qmstrack.registers.requests import add_request, update_request

AUGUST = Period(date(2026, 8, 1), date(2026, 8, 31))
BUDI, SITI, ANDI = "198609262015051001", "199001012019032002", "198512122010011003"


@pytest.fixture
def august(office):
    db = office
    # A: Friday 14 August, 3 working days; Monday 17 August is Independence Day, so the
    # due date is Thursday 20 August. Completed that day: on time.
    add_request(db, ref="A", service="SMA-LEG", requester="a", received="2026-08-14")
    update_request(db, "A", status="completed", on="2026-08-20")
    # B: same, completed a day late.
    add_request(db, ref="B", service="SMA-LEG", requester="b", received="2026-08-14")
    update_request(db, "B", status="completed", on="2026-08-21")
    # C: received in July (Thu 30), 5 working days -> due Thu 6 August; completed 5 Aug.
    add_request(db, ref="C", service="SMA-MUT", requester="c", received="2026-07-30")
    update_request(db, "C", status="in_progress", on="2026-07-31")
    update_request(db, "C", status="completed", on="2026-08-05")
    # D: received Friday 28 August, due Wednesday 2 September: open, not overdue.
    add_request(db, ref="D", service="SMP-LEG", requester="d", received="2026-08-28")
    # E: received Monday 3 August, due Thursday 6 August, closed only in September:
    # open and overdue at the end of August.
    add_request(db, ref="E", service="SMP-LEG", requester="e", received="2026-08-03")
    update_request(db, "E", status="completed", on="2026-09-10")
    # F: same-day service received on a Saturday: due the next Monday; rejected.
    add_request(db, ref="F", service="SEK-SURAT", requester="f", received="2026-08-08")
    update_request(db, "F", status="rejected", on="2026-08-10")
    # G after the period, H before it: counted nowhere.
    add_request(db, ref="G", service="SMA-LEG", requester="g", received="2026-09-01")
    add_request(db, ref="H", service="SMA-LEG", requester="h", received="2026-07-01")
    update_request(db, "H", status="completed", on="2026-07-03")

    add_observation(db, staff=BUDI, rule="SOP-LEG", result="comply", on="2026-08-03")
    add_observation(db, staff=BUDI, rule="SOP-LEG", result="breach", on="2026-08-04")
    add_observation(db, staff=SITI, rule="SOP-ARSIP", result="comply", on="2026-08-03")
    add_observation(db, staff=SITI, rule="SOP-ARSIP", result="na", on="2026-08-04")
    add_observation(db, staff=ANDI, rule="SOP-ARSIP", result="comply", on="2026-08-05")
    add_observation(db, staff=ANDI, rule="SOP-ARSIP", result="breach", on="2026-07-20")

    # F1 major, overdue at the end of August; F2 minor, due later; F3 closed in August;
    # F4 raised after the period.
    raise_finding(db, ref_no="F1", clause_ref="8.5.1", grade="major", unit="SMA",
                  description="x", raised_on=date(2026, 7, 15), due_on=date(2026, 8, 14))
    raise_finding(db, ref_no="F2", clause_ref="7.5.3", grade="minor", unit="SMP",
                  description="y", raised_on=date(2026, 8, 10))
    raise_finding(db, ref_no="F3", clause_ref="9.1.2", grade="observation", unit="SMA",
                  description="z", raised_on=date(2026, 7, 1))
    plan_finding(db, "F3", action="fix", due="2026-08-01", on=date(2026, 7, 2))
    close_finding(db, "F3", verified_by="WMM", effective=True, on=date(2026, 8, 20))
    raise_finding(db, ref_no="F4", clause_ref="8.2.1", grade="major", unit="SMA",
                  description="w", raised_on=date(2026, 9, 5))
    return db


def test_due_dates_skip_weekends_and_holidays(august):
    due = dict(august.execute("SELECT ref_no, due_on FROM requests").fetchall())
    assert due["A"] == "2026-08-20"
    assert due["C"] == "2026-08-06"
    assert due["D"] == "2026-09-02"
    assert due["F"] == "2026-08-10"


@pytest.mark.parametrize("name, expected", [
    ("requests.received", 5),
    ("requests.completed", 3),
    ("requests.rejected", 1),
    ("requests.on_time", 2),
    ("requests.on_time_rate", 2 / 3),
    ("requests.open", 2),
    ("requests.overdue", 1),
    ("adherence.observations", 5),
    ("adherence.breaches", 1),
    ("adherence.rate", 0.75),
    ("findings.open", 2),
    ("findings.overdue", 1),
    ("findings.open_major", 1),
])
def test_metric_over_all_units(august, name, expected):
    assert compute(august, name, AUGUST) == pytest.approx(expected)


@pytest.mark.parametrize("units, name, expected", [
    (("SMA",), "requests.received", 2),
    (("SMA",), "requests.completed", 3),
    (("SMA",), "requests.on_time_rate", 2 / 3),
    (("SMA",), "requests.open", 0),
    (("SMP",), "requests.on_time_rate", None),
    (("SMP",), "requests.open", 2),
    (("SMP",), "requests.overdue", 1),
    (("SEKRETARIAT",), "requests.rejected", 1),
    (("SMA",), "adherence.rate", 0.5),
    (("SMP",), "adherence.rate", 1.0),
    (("SMP",), "adherence.observations", 2),
    (("SMA",), "findings.open_major", 1),
    (("SMP",), "findings.open", 1),
    (("SMP", "SEKRETARIAT"), "requests.received", 3),
])
def test_metric_scoped_to_units(august, units, name, expected):
    value = compute(august, name, AUGUST, Scope(units))
    assert value == (None if expected is None else pytest.approx(expected))


def test_metric_scoped_to_one_service(august):
    scope = Scope(("SMA",), "SMA-LEG")
    assert compute(august, "requests.completed", AUGUST, scope) == 2
    assert compute(august, "requests.on_time_rate", AUGUST, scope) == pytest.approx(0.5)


def test_an_empty_day_has_zero_counts_and_null_rates(august):
    sunday = Period(date(2026, 8, 16), date(2026, 8, 16))
    assert compute(august, "requests.received", sunday) == 0
    assert compute(august, "requests.on_time_rate", sunday) is None
    assert compute(august, "adherence.rate", sunday) is None
    # Still open that day: B, A (received 14th), E; D not yet received.
    assert compute(august, "requests.open", sunday) == 3


def test_open_counts_follow_the_period_end_not_today(august):
    end_of_july = Period(date(2026, 7, 1), date(2026, 7, 31))
    # C was open at the end of July (completed 5 August), H was closed.
    assert compute(august, "requests.open", end_of_july) == 1
    assert compute(august, "findings.open", end_of_july) == 2  # F1, F3


def test_metrics_command_lists_and_computes(cli, august):
    listed = cli("metrics", "--list", "--json")
    assert listed.exit_code == 0, listed.stderr
    names = {row["name"] for row in json.loads(listed.stdout)}
    assert {"requests.on_time_rate", "adherence.rate", "findings.open_major",
            "audits.clause_coverage_12m"} <= names
    assert names == set(metric_names())

    result = cli("metrics", "--from", "2026-08-01", "--to", "2026-08-31", "--unit", "SMA",
                 "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["metrics"]["requests.received"] == 2
    assert data["metrics"]["requests.on_time_rate"] == pytest.approx(2 / 3)
    table = cli("metrics", "--from", "2026-08-01", "--to", "2026-08-31")
    assert "66.7%" in table.stdout


@pytest.mark.parametrize("args", [
    ["metrics", "--from", "2026-08-01"],
    ["metrics", "--from", "yesterdayish", "--to", "2026-08-31"],
    ["metrics", "--from", "2026-08-31", "--to", "2026-08-01"],
    ["metrics", "--unit", "NOPE"],
])
def test_metrics_command_refuses_bad_options(cli, august, args):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr


# --- the declaration ------------------------------------------------------------------------


def _same_day_completed(db, period, scope):
    where, params = scope.where("unit", "service_code")
    return db.execute(
        f"SELECT count(*) FROM requests WHERE status = 'completed' AND closed_on = "
        f"received_on AND closed_on BETWEEN ? AND ? AND {where}",
        [period.start.isoformat(), period.end.isoformat(), *params]).fetchone()[0]


SAME_DAY_CHECKLIST = """\
id: same-day
title: Same day
standard: ISO 9001
edition: "2015"
version: 1
languages: [en]
clauses:
  - ref: "8.5"
    title: Service provision
    items:
      - id: 8.5-a
        question: Are some requests completed the day they arrive?
        metric: requests.same_day
        target: ">= 1"
"""


def test_a_metric_added_by_a_temporary_registration(cli, august, tmp_path):
    from qmstrack.checklists import load_checklist_text
    from qmstrack.errors import InvalidInput, NotFound
    from qmstrack.metric_catalogue import Declaration, temporary_metric
    from qmstrack.metrics import get_metric, planned_metrics
    from qmstrack.objectives import require_metric

    update_request(august, "G", status="completed", on="2026-09-01")
    september = Period(date(2026, 9, 1), date(2026, 9, 30))
    declaration = Declaration("requests.same_day", "count", "requests",
                              "Requests completed the day they arrived",
                              "Requests completed on the day they were received.",
                              per_service=True)
    with temporary_metric(declaration, _same_day_completed):
        assert "requests.same_day" in metric_names()
        assert compute(august, "requests.same_day", september) == 1
        assert compute(august, "requests.same_day", september, Scope(("SMP",))) == 0
        assert require_metric("requests.same_day", with_service=True).kind == "count"
        checklist = load_checklist_text(SAME_DAY_CHECKLIST, "same-day.yaml")
        assert checklist.find_item("8.5-a").metric == "requests.same_day"
        listed = cli("metrics", "--list", "--json")
        assert "requests.same_day" in {row["name"] for row in json.loads(listed.stdout)}
    assert "requests.same_day" not in metric_names()
    assert planned_metrics() == []
    with pytest.raises(NotFound):
        get_metric("requests.same_day")
    with pytest.raises(InvalidInput) as refused:
        load_checklist_text(SAME_DAY_CHECKLIST, "same-day.yaml")
    assert "unknown metric 'requests.same_day'" in refused.value.details[0]
    listed = cli("metrics", "--list", "--json")
    assert "requests.same_day" not in {row["name"] for row in json.loads(listed.stdout)}


def test_a_declared_metric_without_a_definition_is_planned(august):
    from qmstrack.audits import run_audit
    from qmstrack.checklists import load_checklist_text
    from qmstrack.metric_catalogue import Declaration, temporary_metric
    from qmstrack.metrics import find_metric, planned_metrics

    declaration = Declaration("requests.same_day", "count", "requests", "Same day",
                              "Requests completed on the day they were received.")
    with temporary_metric(declaration):
        assert planned_metrics() == ["requests.same_day"]
        assert find_metric("requests.same_day") is None
        checklist = load_checklist_text(SAME_DAY_CHECKLIST, "same-day.yaml")
        run = run_audit(august, Period(date(2026, 8, 1), date(2026, 8, 31)), (), checklist,
                        today=date(2026, 9, 2))
        grade, note = august.execute(
            "SELECT grade, note FROM audit_results WHERE audit_id = ?",
            [run.audit_id]).fetchone()
        assert grade == "pending" and "not available" in note


def test_every_metric_is_declared_once_and_defined():
    from qmstrack.metric_catalogue import KINDS, declarations, defines, labels

    names = [d.name for d in declarations()]
    assert len(names) == len(set(names))
    assert set(names) == set(metric_names())
    assert {d.kind for d in declarations()} <= set(KINDS)
    assert labels()["complaints.overdue"] == "Complaints not answered in time"
    with pytest.raises(ValueError, match="not declared"):
        defines("requests.nowhere")(_same_day_completed)
    with pytest.raises(ValueError, match="defined twice"):
        defines("requests.received")(_same_day_completed)


def test_the_metric_table_of_the_docs_is_the_declaration():
    from pathlib import Path

    from qmstrack.metric_catalogue import declarations

    text = (Path(__file__).parents[1] / "docs" / "checklist-format.md").read_text("utf-8")
    table = text.split("<!-- metrics:", 1)[1].split("<!-- end of metrics -->", 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in table.splitlines()[1:] if line.startswith("|")][2:]
    assert rows == [[f"`{d.name}`", d.kind, d.unit, "yes" if d.per_service else "no",
                     d.description] for d in declarations()]
