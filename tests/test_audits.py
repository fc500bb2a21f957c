"""The monthly internal audit: evaluation, answers, resume, finalization, findings."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from qmstrack.audit_programme import clause_coverage
from qmstrack.audits import (
    Answer,
    answer_item,
    finalize_audit,
    get_audit,
    load_answers,
    run_audit,
)
from qmstrack.checklists import load_checklist_file
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput
from qmstrack.metrics import Period
from qmstrack.registers.adherence import add_observation
from qmstrack.registers.requests import add_request, update_request

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
BUDI = "198609262015051001"

CHECKLIST = """\
id: office-test
title: {en: Test checklist, id: Daftar periksa uji}
standard: ISO 9001
edition: "2015"
version: 3
languages: [en, id]
clauses:
  - ref: "8"
    title: {en: Operation, id: Operasi}
    clauses:
      - ref: "8.5"
        title: {en: Service provision, id: Penyediaan layanan}
        clauses:
          - ref: "8.5.1"
            title: {en: Control of service provision, id: Pengendalian penyediaan layanan}
            items:
              - id: on-time
                question: {en: "Are requests completed on time?", id: "Apakah tepat waktu?"}
                metric: requests.on_time_rate
                target: ">= 0.90"
                on_miss: minor
              - id: adherence
                question: {en: "Do staff keep to the SOPs?", id: "Apakah SOP dipatuhi?"}
                metric: adherence.rate
                target: ">= 0.95"
                on_miss: major
              - id: smp-overdue
                question: {en: "No overdue SMP requests?", id: "Tidak ada yang terlambat?"}
                units: [SMP]
                metric: requests.overdue
                target: "<= 0"
                on_miss: observation
              - id: sop-displayed
                question: {en: "Are the SOPs displayed at the desk?", id: "Apakah SOP dipajang?"}
  - ref: "9"
    title: {en: Performance evaluation, id: Evaluasi kinerja}
    clauses:
      - ref: "9.2"
        title: {en: Internal audit, id: Audit internal}
        items:
          - id: programme
            question: {en: "Is there an audit programme?", id: "Apakah ada program audit?"}
"""


@pytest.fixture
def checklist(tmp_path):
    path = tmp_path / "office-test.yaml"
    path.write_text(CHECKLIST, encoding="utf-8")
    return load_checklist_file(path)


@pytest.fixture
def october(office):
    db = office
    # SMA: 4 completed, 1 late -> on-time rate 0.75 (target 0.90 missed).
    for i, closed in enumerate(["2026-10-06", "2026-10-07", "2026-10-07", "2026-10-12"]):
        add_request(db, ref=f"SMA-{i}", service="SMA-LEG", requester="x",
                    received="2026-10-02")
        update_request(db, f"SMA-{i}", status="completed", on=closed)
    add_observation(db, staff=BUDI, rule="SOP-LEG", result="comply", on="2026-10-05")
    add_observation(db, staff=BUDI, rule="SOP-LEG", result="breach", on="2026-10-06",
                    note="No receipt given")
    return db


def test_audit_evaluates_metrics_and_leaves_person_items_pending(october, checklist):
    run = run_audit(october, OCTOBER, ["SMA"], checklist, auditor="Wakil MM",
                    today=date(2026, 11, 2))
    assert not run.resumed
    assert run.evaluated == 3
    audit = get_audit(october, run.audit_id)
    results = {r["item_id"]: r for r in audit["results"]}
    # due 2026-10-07 (Fri 2 Oct + 3 working days); the one closed on the 12th is late
    assert results["on-time"]["grade"] == "minor"
    assert results["on-time"]["measured"] == pytest.approx(0.75)
    assert results["on-time"]["target"] == ">= 0.9"
    assert results["on-time"]["evidence"] == "SMA-3"
    assert results["adherence"]["grade"] == "major"
    assert "No receipt given" in results["adherence"]["evidence"]
    # The SMP-only item does not apply to an SMA audit.
    assert results["smp-overdue"]["grade"] == "na"
    assert results["sop-displayed"]["grade"] == "pending"
    assert results["programme"]["grade"] == "pending"
    assert audit["counts"] == {"conform": 0, "minor": 1, "major": 1, "observation": 0,
                               "na": 1, "pending": 2}
    # Each missed target opened a finding tied to the audit and the item's clause.
    findings = {f["item_id"]: f for f in audit["findings"]}
    assert set(findings) == {"on-time", "adherence"}
    assert findings["adherence"]["grade"] == "major"
    assert findings["adherence"]["clause_ref"] == "8.5.1"
    assert findings["adherence"]["unit"] == "SMA"
    assert sorted(run.findings_raised) == sorted(f["ref_no"] for f in audit["findings"])


def test_running_again_resumes_the_same_audit_and_follows_the_data(october, checklist):
    first = run_audit(october, OCTOBER, ["SMA"], checklist)
    # The late request turns out to have been recorded wrongly; the data changes.
    with writing(october):
        october.execute("UPDATE requests SET due_on = '2026-10-12' WHERE ref_no = 'SMA-3'")
    second = run_audit(october, OCTOBER, ["SMA"], checklist)
    assert second.resumed and second.audit_id == first.audit_id
    assert october.execute("SELECT count(*) FROM audits").fetchone()[0] == 1
    audit = get_audit(october, second.audit_id)
    results = {r["item_id"]: r for r in audit["results"]}
    assert results["on-time"]["grade"] == "conform"
    # The untouched finding for the item that now conforms was withdrawn; the other stays.
    assert [f["item_id"] for f in audit["findings"]] == ["adherence"]
    assert second.findings_raised == []


def test_another_scope_is_another_audit(october, checklist):
    a = run_audit(october, OCTOBER, ["SMA"], checklist)
    b = run_audit(october, OCTOBER, ["SMP"], checklist)
    assert a.audit_id != b.audit_id
    results = {r["item_id"]: r for r in get_audit(october, b.audit_id)["results"]}
    assert results["on-time"]["grade"] == "na"  # no SMP request completed
    assert results["smp-overdue"]["grade"] == "conform"


def test_answers_and_findings_from_person_items(october, checklist):
    run = run_audit(october, OCTOBER, ["SMA"], checklist)
    ref = answer_item(october, run.audit_id, "sop-displayed",
                      Answer("observation", "SOP poster faded", "photo 12"))
    assert ref is not None
    assert answer_item(october, run.audit_id, "programme", Answer("conform")) is None
    audit = get_audit(october, run.audit_id)
    results = {r["item_id"]: r for r in audit["results"]}
    assert results["sop-displayed"]["grade"] == "observation"
    assert results["sop-displayed"]["evidence"] == "photo 12"
    finding = next(f for f in audit["findings"] if f["item_id"] == "sop-displayed")
    assert finding["grade"] == "observation"
    assert "SOP poster faded" in finding["description"]
    with pytest.raises(InvalidInput, match="evaluated from the data"):
        answer_item(october, run.audit_id, "on-time", Answer("conform"))
    with pytest.raises(InvalidInput, match="needs a note"):
        answer_item(october, run.audit_id, "programme", Answer("minor"))


def test_finalize_refuses_pending_then_freezes_everything(october, checklist, db_path):
    run = run_audit(october, OCTOBER, ["SMA"], checklist)
    with pytest.raises(Conflict, match="2 pending items"):
        finalize_audit(october, run.audit_id)
    answer_item(october, run.audit_id, "sop-displayed", Answer("conform"))
    answer_item(october, run.audit_id, "programme", Answer("conform"))
    final = finalize_audit(october, run.audit_id, today=date(2026, 11, 3))
    assert final["status"] == "final" and final["finalized_on"] == "2026-11-03"
    with pytest.raises(Conflict, match="can no longer change"):
        answer_item(october, run.audit_id, "programme", Answer("na"))
    with pytest.raises(Conflict, match="finalized"):
        run_audit(october, OCTOBER, ["SMA"], checklist)
    with pytest.raises(Conflict):
        finalize_audit(october, run.audit_id)
    # Not even the sqlite3 shell can change a final audit.
    raw = sqlite3.connect(db_path)
    for statement in ("UPDATE audit_results SET grade = 'conform'",
                      "DELETE FROM audit_results",
                      "UPDATE audits SET status = 'open'",
                      "DELETE FROM audits"):
        with pytest.raises(sqlite3.IntegrityError, match="audit is final"):
            raw.execute(statement)
    raw.close()


def test_the_frozen_checklist_outlives_edits_to_the_file(october, checklist, tmp_path):
    run = run_audit(october, OCTOBER, ["SMA"], checklist)
    path = tmp_path / "office-test.yaml"
    path.write_text(CHECKLIST.replace("version: 3", "version: 4").replace(
        "id: programme", "id: programme-renamed"), encoding="utf-8")
    changed = load_checklist_file(path)
    again = run_audit(october, OCTOBER, ["SMA"], changed)
    assert again.audit_id == run.audit_id
    audit = get_audit(october, run.audit_id)
    assert audit["checklist_version"] == 3
    assert audit["checklist_sha256"] == checklist.sha256
    assert "programme" in {r["item_id"] for r in audit["results"]}


def test_clause_coverage_over_twelve_months(october, checklist):
    run = run_audit(october, OCTOBER, ["SMA"], checklist)
    rows = {r["clause_ref"]: r for r in clause_coverage(october, checklist, date(2026, 11, 1))}
    assert set(rows) == {"8.5.1", "9.2"}
    assert rows["8.5.1"]["status"] == "covered"  # metric items were graded
    assert rows["9.2"]["status"] == "due"       # its only item is still pending
    answer_item(october, run.audit_id, "programme", Answer("conform"))
    rows = {r["clause_ref"]: r for r in clause_coverage(october, checklist, date(2026, 11, 1))}
    assert rows["9.2"]["last_audited"] == "2026-10-31"
    # Thirteen months later the October audit no longer counts.
    later = clause_coverage(october, checklist, date(2027, 11, 30))
    assert {r["status"] for r in later} == {"due"}


COVERAGE_ITEM = """\
          - id: coverage
            question: {en: "Were the clauses audited this year?", id: "Sudah diaudit?"}
            metric: audits.clause_coverage_12m
            target: ">= 0.5"
            on_miss: observation
"""


def test_clause_coverage_item_measures_the_audits_own_checklist(october, tmp_path):
    """An office auditing against its own checklist: the coverage item counts its clauses,
    not those of the default checklist (ISO 9001:2015, never used here)."""
    path = tmp_path / "office-test.yaml"
    path.write_text(CHECKLIST + COVERAGE_ITEM, encoding="utf-8")
    own = load_checklist_file(path)
    run = run_audit(october, OCTOBER, ["SMA"], own, today=date(2026, 11, 2))
    result = {r["item_id"]: r for r in get_audit(october, run.audit_id)["results"]}
    # 8.5.1 was graded by this audit's metric items, and 9.2 by the coverage item itself:
    # the figure counts the audit's own results, as the programme does.
    assert {r["status"] for r in clause_coverage(october, own, OCTOBER.end)} == {"covered"}
    assert result["coverage"]["measured"] == pytest.approx(1.0)
    assert result["coverage"]["grade"] == "conform"


# --- answers files ---------------------------------------------------------------------


def test_answers_file_yaml_and_csv(tmp_path, checklist):
    yaml_file = tmp_path / "answers.yaml"
    yaml_file.write_text(
        "sop-displayed: conform\n"
        "programme:\n  grade: minor\n  note: No programme for 2026\n  evidence: folder\n",
        encoding="utf-8")
    answers = load_answers(yaml_file, checklist)
    assert answers["sop-displayed"] == Answer("conform", "", "")
    assert answers["programme"] == Answer("minor", "No programme for 2026", "folder")
    csv_file = tmp_path / "answers.csv"
    csv_file.write_text("\ufeffitem;nilai;catatan\nsop-displayed;sesuai;\nprogramme;na;\n",
                        encoding="utf-8")
    answers = load_answers(csv_file, checklist)
    assert answers["sop-displayed"].grade == "conform"
    assert answers["programme"].grade == "na"


@pytest.mark.parametrize("content, message", [
    ("sop-displayed: conform\nnot-an-item: conform\n", "answers.yaml:2: unknown item"),
    ("sop-displayed: excellent\n", "answers.yaml:1: The grade 'excellent'"),
    ("on-time: conform\n", "answers.yaml:1: item on-time is evaluated from the data"),
    ("programme: minor\n", "answers.yaml:1: a minor result needs a note"),
    ("sop-displayed: conform\nsop-displayed: na\n", "answers.yaml:2: item sop-displayed is "
                                                     "answered twice"),
])
def test_answers_file_refused_whole_with_the_line_named(tmp_path, checklist, content,
                                                         message):
    path = tmp_path / "answers.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_answers(path, checklist)
    assert "nothing was recorded" in str(caught.value)
    assert any(line.startswith(message) for line in caught.value.details), caught.value.details


@pytest.mark.parametrize("content, message", [
    ("sop-displayed: [conform\n", "not valid YAML at line"),
    ("- sop-displayed\n", "must map item ids to answers"),
    ("programme: !!python/object/apply:os.system ['echo hi']\n", "answers.yaml:1"),
    ("programme:\n  grade: conform\n  colour: red\n", "answers.yaml:3: unknown field"),
    ("", "is empty"),
])
def test_malformed_answers_files(tmp_path, checklist, content, message):
    path = tmp_path / "answers.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_answers(path, checklist)
    assert message in str(caught.value)


def test_malformed_answers_csv(tmp_path, checklist):
    path = tmp_path / "answers.csv"
    path.write_text("item,grade\nprogramme,conform,extra\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 2 has 3 cells"):
        load_answers(path, checklist)
    path.write_text("what,ever\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="needs the columns item and grade"):
        load_answers(path, checklist)


# --- the command line ------------------------------------------------------------------


def test_audit_command_end_to_end(cli, october, checklist, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("sop-displayed: conform\n", encoding="utf-8")
    out = tmp_path / "reports"
    args = ["audit", "--period", "2026-10", "--unit", "SMA", "--checklist",
            str(tmp_path / "office-test.yaml"), "--auditor", "Wakil MM", "--no-input",
            "--out", str(out)]
    first = cli(*args, "--answers", str(answers), "--json")
    assert first.exit_code == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["resumed"] is False
    assert data["counts"]["pending"] == 1
    assert len(data["findings_raised"]) == 2
    assert all(p.startswith(str(out)) for p in data["reports"])
    second = cli(*args)
    assert second.exit_code == 0, second.stderr
    assert "Resumed audit" in second.stderr
    audit_id = str(data["audit_id"])

    shown = cli("audit", "show", audit_id, "--json")
    assert json.loads(shown.stdout)["counts"] == data["counts"]
    listed = json.loads(cli("audit", "list", "--json").stdout)
    assert [a["id"] for a in listed] == [data["audit_id"]]

    refused = cli("audit", "finalize", audit_id)
    assert refused.exit_code == 1 and "still has 1 pending item; answer it" in refused.stderr
    answered = cli("audit", "answer", audit_id, "programme", "--grade", "conform")
    assert answered.exit_code == 0, answered.stderr
    assert cli("audit", "finalize", audit_id).exit_code == 0
    blocked = cli("audit", "answer", audit_id, "programme", "--grade", "na")
    assert blocked.exit_code == 1 and "can no longer change" in blocked.stderr
    rerun = cli(*args)
    assert rerun.exit_code == 1 and "finalized" in rerun.stderr


def test_run_audit_refuses_a_period_not_begun_and_flags_one_not_over(october, checklist):
    from qmstrack.errors import UsageError

    with pytest.raises(UsageError, match="has not begun yet"):
        run_audit(october, OCTOBER, ["SMA"], checklist, today=date(2026, 9, 30))
    assert october.execute("SELECT count(*) FROM audits").fetchone()[0] == 0
    during = run_audit(october, OCTOBER, ["SMA"], checklist, today=date(2026, 10, 31))
    assert during.period_not_over is True
    after = run_audit(october, OCTOBER, ["SMA"], checklist, today=date(2026, 11, 1))
    assert after.resumed and after.period_not_over is False


def test_audit_of_a_period_not_begun_is_refused_and_one_not_over_is_flagged(cli, october):
    from datetime import date

    from qmstrack.periods import previous_month

    far = cli("audit", "--period", "2099-01", "--no-input")
    assert far.exit_code == 2
    assert far.stderr.startswith("Error: The period 2099-01-01 to 2099-01-31 has not begun")
    assert october.execute("SELECT count(*) FROM audits").fetchone()[0] == 0
    month = date.today().strftime("%Y-%m")
    current = cli("audit", "--period", month, "--no-input")
    assert current.exit_code == 0, current.stderr
    assert "Warning: the period ends on " in current.stderr
    assert "run the audit again after the period ends" in current.stderr
    last = previous_month(date.today())[0].strftime("%Y-%m")
    ended = cli("audit", "--period", last, "--no-input")
    assert ended.exit_code == 0 and "Warning" not in ended.stderr


@pytest.mark.parametrize("args, code", [
    (["audit", "--period", "2026-13"], 2),
    (["audit", "--period", "2026-10", "--from", "2026-10-01", "--to", "2026-10-31"], 2),
    (["audit", "--from", "2026-10-01"], 2),
    (["audit", "--period", "2026-10", "--unit", "MARS"], 2),
    (["audit", "--period", "2026-10", "--checklist", "no-such-checklist"], 1),
    (["audit", "answer", "99", "x", "--grade", "conform"], 1),
    (["audit", "answer", "1", "x", "--grade", "great"], 2),
    (["audit", "report", "1", "--format", "odt"], 2),
])
def test_audit_command_bad_input(cli, october, args, code):
    result = cli(*args, "--no-input") if args[1].startswith("--") else cli(*args)
    assert result.exit_code == code, result.stderr
    assert result.stderr.startswith("Error: ") or "Usage" in result.stderr
    assert "Traceback" not in result.stderr
    assert october.execute("SELECT count(*) FROM audits").fetchone()[0] == 0
