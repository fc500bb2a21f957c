"""The internal audit: one audit per period, scope and checklist, and its results.

Running the audit freezes a copy of the checklist (its text and SHA-256) into the audit,
evaluates every metric-bound item from the recorded data (value, target, evidence), takes
the answers to person-answered items from a file or from the person at the terminal, and
leaves the rest ``pending``. Running it again for the same period and scope resumes the
same open audit. Every ``minor``, ``major`` or ``observation`` result opens a finding.
A final audit can no longer change: qmstrack refuses, and so do triggers in the database.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.checklists import Checklist, Item, load_checklist_text
from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound, UsageError
from qmstrack.findings import raise_finding
from qmstrack.metrics import find_metric
from qmstrack.parsing import clean_text
from qmstrack.periods import Period
from qmstrack.registers.common import known_units, query_dicts
from qmstrack.registers.competence import gap_evidence
from qmstrack.registers.documents import (
    stale_evidence,
    unapproved_evidence,
    undistributed_evidence,
)
from qmstrack.registers.providers import overdue_evidence as provider_evidence
from qmstrack.registers.risks import overdue_evidence as risk_evidence
from qmstrack.scope import Scope

GRADES = ("conform", "minor", "major", "observation", "na", "pending")
ANSWER_GRADES = ("conform", "minor", "major", "observation", "na")
FINDING_GRADES = ("minor", "major", "observation")
GRADE_ALIASES = {
    "conform": "conform", "c": "conform", "ok": "conform", "sesuai": "conform",
    "conformity": "conform", "minor": "minor", "mi": "minor", "ringan": "minor",
    "major": "major", "ma": "major", "mayor": "major", "berat": "major",
    "observation": "observation", "o": "observation", "obs": "observation",
    "observasi": "observation", "ofi": "observation", "na": "na", "n/a": "na",
    "tidak berlaku": "na", "tb": "na", "not applicable": "na",
}
EVIDENCE_LIMIT = 50
# What a person may type at the audit's prompt besides a grade, in Indonesian and English.
PROMPT_ACTIONS = {"s": "skip", "skip": "skip", "lewati": "skip", "lewat": "skip",
                  "l": "skip", "q": "quit", "quit": "quit", "keluar": "quit",
                  "k": "quit", "exit": "quit", "berhenti": "quit"}


def parse_grade(value: Any) -> str:
    text = " ".join(str(value or "").strip().lower().split())
    grade = GRADE_ALIASES.get(text)
    if grade is None:
        raise InvalidInput(
            f"The grade {str(value)[:30]!r} is not one of {', '.join(ANSWER_GRADES)}."
        )
    return grade


def parse_prompt_key(value: Any) -> str:
    """A grade, ``skip`` or ``quit`` from what a person typed at the prompt: the keys
    (``c``, ``mi``, ``ma``, ``o``, ``na``, ``s``, ``q``) or the full words in Indonesian
    or English (``sesuai``, ``mayor``, ``observasi``, ``tidak berlaku``, ``lewati``,
    ``keluar``, ``conform``, ``skip``, ...)."""
    text = " ".join(str(value or "").strip().lower().split())
    if text in PROMPT_ACTIONS:
        return PROMPT_ACTIONS[text]
    return parse_grade(text)


@dataclass(frozen=True)
class Answer:
    grade: str
    note: str = ""
    evidence: str = ""


@dataclass
class AuditRun:
    """What one run of ``qmstrack audit`` did."""

    audit_id: int
    resumed: bool
    evaluated: int = 0
    answered: int = 0
    findings_raised: list[str] = field(default_factory=list)
    # The period was not over on the day of the run: its measured items cover the records
    # up to that day, are provisional, and a later run brings them up to date.
    period_not_over: bool = False
    # Open findings of earlier audits this run saw again (a recurrence recorded on each).
    findings_recurred: list[str] = field(default_factory=list)

    def note(self, outcomes: Iterable[tuple[str, str]]) -> None:
        for kind, ref in outcomes:
            (self.findings_raised if kind == "raised" else self.findings_recurred).append(ref)


# --- evidence for metric-bound items ----------------------------------------------------


def _refs(db, sql: str, params: list) -> list[str]:
    return [r[0] for r in db.execute(sql, params)]


def _late_requests(db, period: Period, scope: Scope) -> list[str]:
    where, params = scope.where("unit", "service_code")
    return _refs(db, f"SELECT ref_no FROM requests WHERE status = 'completed' AND closed_on "
                     f"BETWEEN ? AND ? AND closed_on > due_on AND {where} ORDER BY closed_on",
                 [period.start.isoformat(), period.end.isoformat(), *params])


def _overdue_requests(db, period: Period, scope: Scope) -> list[str]:
    where, params = scope.where("unit", "service_code")
    e = period.end.isoformat()
    # Open at the end = never closed, or closed after it: two disjoint index ranges (one OR
    # would make SQLite read every request received before the end).
    return _refs(db, f"""
        SELECT ref_no FROM (
            SELECT ref_no, due_on FROM requests
            WHERE closed_on IS NULL AND received_on <= ? AND due_on < ? AND {where}
            UNION ALL
            SELECT ref_no, due_on FROM requests
            WHERE closed_on > ? AND +received_on <= ? AND due_on < ? AND {where}
        ) ORDER BY due_on, ref_no""", [e, e, *params, e, e, e, *params])


def _breaches(db, period: Period, scope: Scope) -> list[str]:
    where, params = scope.where("unit")
    # Each observation named by its day (and time), staff member, rule and the object
    # observed: two breaches of one day are two lines.
    return [f"{d}{' ' + at if at else ''} {nip} {rule}{f' ({obj})' if obj else ''}: "
            f"{note}".rstrip(": ")
            for d, at, nip, rule, obj, note in db.execute(
                f"SELECT observed_on, observed_at, staff_nip, rule_code, object_ref, note "
                f"FROM adherence WHERE result = 'breach' AND observed_on BETWEEN ? AND ? "
                f"AND {where} ORDER BY observed_on, observed_at, id",
                [period.start.isoformat(), period.end.isoformat(), *params])]


def _findings(extra: str):
    def evidence(db, period: Period, scope: Scope) -> list[str]:
        where, params = scope.where("unit")
        e = period.end.isoformat()
        return _refs(db, f"SELECT ref_no FROM findings WHERE raised_on <= ? AND (closed_on "
                         f"IS NULL OR closed_on > ?) AND {extra} AND {where} ORDER BY ref_no",
                     [e, e, *([e] if "?" in extra else []), *params])

    return evidence


def _satisfaction_sample(db, period: Period, scope: Scope) -> list[str]:
    """The sample behind the IKM (Krejcie-Morgan, PermenPAN-RB 14/2017): below the
    required sample the IKM is indicative, and the evidence says so."""
    from qmstrack.satisfaction import satisfaction_figures, weight_text

    figures = satisfaction_figures(db, period, scope, sample=True)
    sample = figures["sample"]
    line = (f"Sample: {sample['responses']} responses; Krejcie-Morgan requires "
            f"{sample['required']} for a population of {sample['population']} requests "
            f"received; weight {weight_text(figures['weight'])}.")
    if sample["adequate"]:
        return [line + " The sample is adequate."]
    return [line + " The IKM is indicative (kurang representatif)."]


EVIDENCE: dict[str, Callable[[Any, Period, Scope], list[str]]] = {
    "satisfaction.ikm": _satisfaction_sample,
    "satisfaction.responses": _satisfaction_sample,
    "requests.on_time_rate": _late_requests,
    "requests.on_time": _late_requests,
    "requests.overdue": _overdue_requests,
    "requests.open": _overdue_requests,
    "adherence.rate": _breaches,
    "adherence.breaches": _breaches,
    "findings.overdue": _findings("due_on < ?"),
    "findings.open": _findings("1"),
    "findings.open_major": _findings("grade = 'major'"),
    "documents.stale": stale_evidence,
    "documents.without_approval": unapproved_evidence,
    "documents.undistributed": undistributed_evidence,
    "providers.evaluation_overdue": provider_evidence,
    "risks.treatment_overdue": risk_evidence,
    "competence.gaps": gap_evidence,
}


# --- the objects behind a finding, stored as data and written for people at report time --


def _late_request_objects(db, period: Period, scope: Scope) -> list[dict[str, Any]]:
    from qmstrack.calendar import WorkingCalendar

    calendar = WorkingCalendar.from_db(db)
    where, params = scope.where("unit", "service_code")
    return [{"kind": "late_request", "ref": ref, "due_on": due, "closed_on": closed,
             "days_late": calendar.working_days_between(date.fromisoformat(due),
                                                        date.fromisoformat(closed))}
            for ref, due, closed in db.execute(
                f"SELECT ref_no, due_on, closed_on FROM requests WHERE status = 'completed' "
                f"AND closed_on BETWEEN ? AND ? AND closed_on > due_on AND {where} "
                f"ORDER BY closed_on, ref_no LIMIT {EVIDENCE_LIMIT}",
                [period.start.isoformat(), period.end.isoformat(), *params])]


def _overdue_request_objects(db, period: Period, scope: Scope) -> list[dict[str, Any]]:
    from qmstrack.calendar import WorkingCalendar

    calendar = WorkingCalendar.from_db(db)
    where, params = scope.where("unit", "service_code")
    e = period.end.isoformat()
    return [{"kind": "overdue_request", "ref": ref, "due_on": due,
             "days_late": calendar.working_days_between(date.fromisoformat(due), period.end)}
            for ref, due in db.execute(f"""
                SELECT ref_no, due_on FROM (
                    SELECT ref_no, due_on FROM requests
                    WHERE closed_on IS NULL AND received_on <= ? AND due_on < ? AND {where}
                    UNION ALL
                    SELECT ref_no, due_on FROM requests
                    WHERE closed_on > ? AND +received_on <= ? AND due_on < ? AND {where}
                ) ORDER BY due_on, ref_no LIMIT {EVIDENCE_LIMIT}""",
                [e, e, *params, e, e, e, *params])]


def _stale_document_objects(db, period: Period, scope: Scope) -> list[dict[str, Any]]:
    e = period.end.isoformat()
    params: list[Any] = [e, e]
    unit_clause = ""
    if scope.units:
        unit_clause = f" AND (unit IS NULL OR unit IN ({', '.join('?' for _ in scope.units)}))"
        params.extend(scope.units)
    return [{"kind": "stale_document", "ref": str(doc_id), "title": title,
             "review_due_on": due}
            for doc_id, title, due in db.execute(
                "SELECT id, title, review_due_on FROM documents WHERE review_due_on IS NOT "
                "NULL AND review_due_on < ? AND (withdrawn_on IS NULL OR withdrawn_on > ?)"
                + unit_clause + f" ORDER BY review_due_on, id LIMIT {EVIDENCE_LIMIT}",
                params)]


def _overdue_finding_objects(db, period: Period, scope: Scope) -> list[dict[str, Any]]:
    where, params = scope.where("unit")
    e = period.end.isoformat()
    return [{"kind": "overdue_finding", "ref": ref, "due_on": due}
            for ref, due in db.execute(
                f"SELECT ref_no, due_on FROM findings WHERE raised_on <= ? AND (closed_on IS "
                f"NULL OR closed_on > ?) AND due_on < ? AND {where} ORDER BY due_on, ref_no "
                f"LIMIT {EVIDENCE_LIMIT}", [e, e, e, *params])]


#: The objects behind a failing metric item, kept on the finding (``seen_in``) as data.
OBJECTS: dict[str, Callable[[Any, Period, Scope], list[dict[str, Any]]]] = {
    "requests.on_time_rate": _late_request_objects,
    "requests.on_time": _late_request_objects,
    "requests.overdue": _overdue_request_objects,
    "documents.stale": _stale_document_objects,
    "findings.overdue": _overdue_finding_objects,
}


def _evidence_text(lines: list[str]) -> str:
    if len(lines) > EVIDENCE_LIMIT:
        return "\n".join(lines[:EVIDENCE_LIMIT] + [f"... and {len(lines) - EVIDENCE_LIMIT} more"])
    return "\n".join(lines)


# --- audits ----------------------------------------------------------------------------


def _scope_key(units: Iterable[str]) -> str:
    return json.dumps(sorted(set(units)))


def frozen_checklist(audit: dict[str, Any]) -> Checklist:
    """The checklist exactly as it was when the audit started."""
    return load_checklist_text(audit["checklist_yaml"],
                               f"audit {audit['id']} ({audit['checklist_id']})")


def get_audit_row(db: sqlite_utils.Database, audit_id: int) -> dict[str, Any]:
    rows = list(query_dicts(db, "SELECT * FROM audits WHERE id = ?", [int(audit_id)]))
    if not rows:
        raise NotFound(f"There is no audit {audit_id}; 'qmstrack audit list' shows them.")
    row = rows[0]
    row["scope"] = json.loads(row["scope"])
    return row


def _require_open(audit: dict[str, Any]) -> None:
    if audit["status"] == "final":
        raise Conflict(
            f"Audit {audit['id']} was finalized on {audit['finalized_on']} and can no longer "
            "change."
        )


def checklist_in_use(db: sqlite_utils.Database, period: Period, units: Iterable[str],
                     checklist: Checklist) -> Checklist:
    """The checklist an audit run will use: the frozen copy of the open audit it would
    resume, else ``checklist`` itself. Nothing is written."""
    scope = tuple(sorted(set(units))) or tuple(known_units(db))
    row = db.execute(
        "SELECT id FROM audits WHERE period_start = ? AND period_end = ? AND scope = ? AND "
        "checklist_id = ? AND status = 'open'",
        [period.start.isoformat(), period.end.isoformat(), _scope_key(scope),
         checklist.id]).fetchone()
    return frozen_checklist(get_audit_row(db, row[0])) if row else checklist


def start_or_resume(db: sqlite_utils.Database, period: Period, units: Iterable[str],
                    checklist: Checklist, auditor: str = "",
                    today: date | None = None) -> tuple[dict[str, Any], bool]:
    """The open audit of this period, scope and checklist, created when there is none."""
    scope = tuple(sorted(set(units))) or tuple(known_units(db))
    if not scope:
        raise InvalidInput("There are no units to audit; add them with 'qmstrack unit add'.")
    key = [period.start.isoformat(), period.end.isoformat(), _scope_key(scope), checklist.id]
    with writing(db):
        row = db.execute(
            "SELECT id, status FROM audits WHERE period_start = ? AND period_end = ? AND "
            "scope = ? AND checklist_id = ? ORDER BY status = 'open' DESC, id DESC LIMIT 1",
            key).fetchone()
        if row and row[1] == "open":
            audit = get_audit_row(db, row[0])
            if auditor and auditor != audit["lead_auditor"]:
                db.table("audits").update(audit["id"], {"lead_auditor": auditor})
                audit["lead_auditor"] = auditor
            return audit, True
        if row:
            raise Conflict(
                f"The audit of {period.start} to {period.end} for {', '.join(scope)} was "
                f"finalized (audit {row[0]}); see 'qmstrack audit show {row[0]}'."
            )
        audit_id = db.table("audits").insert({
            "period_start": key[0], "period_end": key[1], "scope": key[2],
            "checklist_id": checklist.id, "checklist_version": checklist.version,
            "checklist_sha256": checklist.sha256, "checklist_yaml": checklist.raw_text,
            "lead_auditor": clean_text(auditor, field="auditor", max_length=200),
            "status": "open", "started_on": (today or office_today(db)).isoformat(),
        }).last_pk
        db.table("audit_results").insert_all(
            {"audit_id": audit_id, "item_id": item.id, "clause_ref": item.clause_ref,
             "grade": "pending", "metric": item.metric, "target": item.target_text}
            for item in checklist.iter_items()
        )
    assert audit_id is not None
    return get_audit_row(db, audit_id), False


def _item_scope(item: Item, audit_units: Iterable[str], checklist=None) -> Scope | None:
    units = tuple(u for u in audit_units if item.applies_to(u))
    return Scope(units, checklist=checklist) if units else None


_SEVERITY = {"na": 0, "conform": 1, "observation": 2, "minor": 3, "major": 4}
COVERAGE_METRIC = "audits.clause_coverage_12m"


def _grade_of(item: Item, target: Any, measured: Any) -> str:
    met = target.met_by(measured) if target is not None else None
    if met is None:
        return "na"
    return "conform" if met else (item.on_miss or "minor")


def evaluate_metrics(db: sqlite_utils.Database, audit: dict[str, Any],
                     today: date | None = None, *, only: str | None = None
                     ) -> tuple[int, list[str], list[str]]:
    """(Re-)evaluate every metric-bound item of an open audit from the data (``only``: the
    items of that metric).

    Each unit of the item's scope is measured on its own: a failing unit gets its finding
    (or a recurrence on the open one of an earlier audit), and the item's grade is the
    worst of its units'. While the period is not over on ``today``, the figures are
    provisional: measured and shown, graded ``pending``, and no finding comes from them.
    The clause-coverage items are measured last, so that they count this audit's own
    results (:func:`answer_item` measures them again after each answer).
    Returns the items evaluated, the findings raised and the findings seen again.
    """
    _require_open(audit)
    today = today or office_today(db)
    checklist = frozen_checklist(audit)
    items = [i for i in checklist.iter_items()
             if i.is_metric and (only is None or i.metric == only)]
    coverage = [i for i in items if i.metric == COVERAGE_METRIC]
    raised: list[str] = []
    recurred: list[str] = []
    with writing(db):
        # Coverage last, and twice: the second time it counts its own clause, graded by
        # the first (the figure the report's coverage section shows).
        for item in [i for i in items if i.metric != COVERAGE_METRIC] + coverage + coverage:
            for kind, ref in _evaluate_item(db, audit, checklist, item, today):
                (raised if kind == "raised" else recurred).append(ref)
        # A finding the first coverage pass raised and the second withdrew is gone.
        alive = {r[0] for r in db.execute(
            f"SELECT ref_no FROM findings WHERE {_OF_AUDIT}", [audit["id"], audit["id"]])}
    return (len(items), sorted(set(raised) & alive), sorted(set(recurred) & alive))


def _evaluate_item(db: sqlite_utils.Database, audit: dict[str, Any], checklist: Checklist,
                   item: Item, today: date) -> list[tuple[str, str]]:
    period = Period(date.fromisoformat(audit["period_start"]),
                    date.fromisoformat(audit["period_end"]))
    provisional = period.end >= today
    scope = _item_scope(item, audit["scope"], checklist)
    measured, evidence = None, ""
    target, target_text = item.target, item.target_text
    by_unit: dict[str, tuple[str, Any, str]] = {}
    if scope is None:
        grade, note = "na", "Not applicable to the audited units."
    elif (metric := find_metric(item.metric or "")) is None:
        grade, note = "pending", (f"The metric {item.metric} is not available in this "
                                  "version of qmstrack; answer this item by hand.")
    else:
        note = ""
        if item.metric == COVERAGE_METRIC and target is not None:
            from qmstrack.audit_programme import programme_target

            target, note = programme_target(db, checklist, period, target)
            target_text = str(target)
        measured = metric.compute(db, period, scope)
        grade = _grade_of(item, target, measured)
        if grade == "na":
            note = "No data in the period."
        if item.metric in EVIDENCE and grade != "na":
            evidence = _evidence_text(EVIDENCE[item.metric](db, period, scope))
        if len(scope.units) == 1:
            by_unit[scope.units[0]] = (grade, measured, evidence)
        else:
            for unit in scope.units:
                one = Scope((unit,), checklist=checklist)
                value = metric.compute(db, period, one)
                unit_grade = _grade_of(item, target, value)
                unit_evidence = ""
                if item.metric in EVIDENCE and unit_grade in FINDING_GRADES:
                    unit_evidence = _evidence_text(EVIDENCE[item.metric](db, period, one))
                by_unit[unit] = (unit_grade, value, unit_evidence)
            worst = max((g for g, _, _ in by_unit.values()), key=_SEVERITY.__getitem__,
                        default=grade)
            if _SEVERITY[worst] > _SEVERITY[grade]:
                grade = worst
        if provisional:
            grade = "pending"
            note = f"Provisional: the period ends on {period.end}; measured up to {today}."
    db.execute(
        "UPDATE audit_results SET grade = ?, measured = ?, target = ?, evidence = ?, "
        "note = ?, answered_by = 'qmstrack', answered_on = ? "
        "WHERE audit_id = ? AND item_id = ?",
        [grade, measured, target_text, evidence, note, today.isoformat(), audit["id"],
         item.id])
    outcomes: list[tuple[str, str]] = []
    kept: set[str | None] = set(by_unit) if not provisional else set()
    for gone in set(_finding_units(db, audit, item)) - kept:
        # A unit no longer measured (or a provisional figure): its finding goes.
        _sync_finding(db, audit, item, "conform", gone, today=today)
    for unit, (unit_grade, value, unit_evidence) in sorted(by_unit.items()):
        if provisional:
            continue
        objects = (OBJECTS[item.metric](db, period, Scope((unit,), checklist=checklist))
                   if item.metric in OBJECTS and unit_grade in FINDING_GRADES else [])
        outcome = _sync_finding(db, audit, item, unit_grade, unit, value, today,
                                evidence=unit_evidence, objects=objects)
        if outcome:
            outcomes.append(outcome)
    return outcomes


def _describe(db: sqlite_utils.Database, item: Item, measured: Any, note: str) -> str:
    """The finding's description, in the office's configured language."""
    from qmstrack.db import get_setting
    from qmstrack.i18n import choose_lang, gettext

    lang = choose_lang(None, get_setting(db, "lang"))
    question = item.text("question", lang)
    if item.is_metric and measured is not None:
        from qmstrack.figures import format_target, format_value, metric_kind

        kind = metric_kind(item.metric)
        return gettext("{question} Measured {value} against the target {target} "
                       "({metric}).", lang).format(
            question=question, value=format_value(measured, kind, lang),
            target=format_target(item.target_text, kind, lang), metric=item.metric)
    return f"{question} {note}".strip()


_OF_AUDIT = ("(audit_id = ? OR EXISTS (SELECT 1 FROM json_each(findings.seen_in) "
             "WHERE json_extract(value, '$.audit') = ?))")


def _finding_units(db: sqlite_utils.Database, audit: dict[str, Any], item: Item
                   ) -> list[str | None]:
    """The units of the findings this audit raised or saw again for an item."""
    return [r[0] for r in db.execute(
        f"SELECT unit FROM findings WHERE item_id = ? AND {_OF_AUDIT}",
        [item.id, audit["id"], audit["id"]])]


def _seen_entry(audit: dict[str, Any], measured: Any, evidence: str,
                objects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"audit": audit["id"], "start": audit["period_start"],
            "end": audit["period_end"], "measured": measured, "evidence": evidence,
            "objects": objects or []}


def _sync_finding(db: sqlite_utils.Database, audit: dict[str, Any], item: Item, grade: str,
                  unit: str | None, measured: Any = None, today: date | None = None,
                  note: str = "", evidence: str = "",
                  objects: list[dict[str, Any]] | None = None) -> tuple[str, str] | None:
    """Keep the finding of an item and unit in line with this audit's grade.

    The finding is this audit's own, or the open finding of an earlier audit (same
    checklist, item and unit) that this audit records a recurrence on (SPEC: an item
    failing again in a scope with an open finding for that item adds a recurrence to that
    finding). Returns ``("raised", ref)`` or ``("recurred", ref)`` when one was added.
    """
    existing = db.execute(
        "SELECT id, ref_no, grade, status, (SELECT count(*) FROM finding_actions a "
        "WHERE a.finding_id = findings.id), audit_id, seen_in FROM findings "
        f"WHERE item_id = ? AND unit IS ? AND {_OF_AUDIT}",
        [item.id, unit, audit["id"], audit["id"]]).fetchone()
    entry = _seen_entry(audit, measured, evidence, objects)
    if grade not in FINDING_GRADES:
        if existing is None:
            return None
        # The data or the answer changed while the audit was open: this audit's evidence
        # is withdrawn; the finding goes only if nobody has started working on it yet and
        # no other audit saw it.
        seen = [e for e in json.loads(existing[6]) if e.get("audit") != audit["id"]]
        if not seen and existing[3] == "open" and existing[4] == 0:
            db.execute("DELETE FROM findings WHERE id = ?", [existing[0]])
        elif seen:
            db.table("findings").update(existing[0], {"seen_in": json.dumps(seen),
                                                      "recurrences": len(seen)})
        return None
    if existing:
        seen = [entry if e.get("audit") == audit["id"] else e
                for e in json.loads(existing[6])]
        changes: dict[str, Any] = {"seen_in": json.dumps(seen)}
        if existing[5] == audit["id"] and existing[2] != grade and existing[3] == "open":
            changes["grade"] = grade
        db.table("findings").update(existing[0], changes)
        return None
    earlier = db.execute(
        "SELECT f.id, f.ref_no, f.seen_in FROM findings f JOIN audits a ON a.id = f.audit_id "
        "WHERE f.item_id = ? AND f.unit IS ? AND f.status != 'closed' AND "
        "a.checklist_id = ? AND f.clause_ref = ? ORDER BY f.raised_on, f.id LIMIT 1",
        [item.id, unit, audit["checklist_id"], item.clause_ref]).fetchone()
    if earlier:
        seen = sorted([*json.loads(earlier[2]), entry], key=lambda e: (e["start"], e["audit"]))
        db.table("findings").update(earlier[0], {"seen_in": json.dumps(seen),
                                                 "recurrences": len(seen)})
        return "recurred", earlier[1]
    raised_on = min(today or office_today(db), max(date.fromisoformat(audit["period_end"]),
                                               date.fromisoformat(audit["started_on"])))
    finding = raise_finding(
        db, clause_ref=item.clause_ref, grade=grade, description=_describe(
            db, item, measured, note), raised_on=raised_on, source="internal",
        unit=unit, audit_id=audit["id"], item_id=item.id, seen_in=[entry])
    return "raised", finding["ref_no"]


def _answer_unit(audit: dict[str, Any], item: Item) -> str | None:
    scope = _item_scope(item, audit["scope"])
    return scope.units[0] if scope and len(scope.units) == 1 else None


def answer_item(db: sqlite_utils.Database, audit_id: int, item_id: str, answer: Answer, *,
                by: str = "", today: date | None = None) -> str | None:
    """Record a person's answer to one item; return the ref of the finding it opened or
    saw again."""
    outcome = _answer_item(db, audit_id, item_id, answer, by=by, today=today)
    return outcome[1] if outcome else None


def _answer_item(db: sqlite_utils.Database, audit_id: int, item_id: str, answer: Answer, *,
                 by: str = "", today: date | None = None) -> tuple[str, str] | None:
    """:func:`answer_item`, returning ``("raised", ref)`` or ``("recurred", ref)``."""
    with writing(db):
        audit = get_audit_row(db, audit_id)
        _require_open(audit)
        item = frozen_checklist(audit).find_item(item_id)
        if item.is_metric:
            raise InvalidInput(f"Item {item_id} is evaluated from the data "
                               f"({item.metric}); it cannot be answered by hand.")
        grade = parse_grade(answer.grade)
        note = clean_text(answer.note, field="note", max_length=4000)
        evidence = clean_text(answer.evidence, field="evidence", max_length=4000)
        if grade in FINDING_GRADES and not note:
            raise InvalidInput(f"A {grade} result needs a note that says what was found.")
        db.execute(
            "UPDATE audit_results SET grade = ?, note = ?, evidence = ?, answered_by = ?, "
            "answered_on = ? WHERE audit_id = ? AND item_id = ?",
            [grade, note, evidence, clean_text(by, field="auditor", max_length=200)
             or audit["lead_auditor"], (today or office_today(db)).isoformat(), audit_id,
             item_id])
        outcome = _sync_finding(db, audit, item, grade, _answer_unit(audit, item),
                                today=today, note=note, evidence=evidence)
        # The clauses this audit covers changed: its coverage items follow.
        evaluate_metrics(db, audit, today, only=COVERAGE_METRIC)
        return outcome


def apply_answers(db: sqlite_utils.Database, audit_id: int, answers: dict[str, Answer], *,
                  by: str = "", today: date | None = None) -> list[tuple[str, str]]:
    """Apply a whole answers file in one transaction; the findings raised or seen again."""
    outcomes = []
    with writing(db):
        for item_id, answer in answers.items():
            outcome = _answer_item(db, audit_id, item_id, answer, by=by, today=today)
            if outcome:
                outcomes.append(outcome)
    return outcomes


def pending_items(db: sqlite_utils.Database, audit: dict[str, Any]) -> list[Item]:
    checklist = frozen_checklist(audit)
    pending = {r[0] for r in db.execute(
        "SELECT item_id FROM audit_results WHERE audit_id = ? AND grade = 'pending'",
        [audit["id"]])}
    return [item for item in checklist.iter_items()
            if item.id in pending and not item.is_metric]


def run_audit(db: sqlite_utils.Database, period: Period, units: Iterable[str],
              checklist: Checklist, *, auditor: str = "",
              answers: dict[str, Answer] | None = None,
              ask: Callable[[Item, int, int], Answer | None] | None = None,
              before_questions: Callable[[AuditRun, dict[str, Any], int], None]
              | None = None,
              today: date | None = None) -> AuditRun:
    """Start or resume the audit, evaluate the data, take the answers given.

    ``ask(item, position, count)`` is called for each pending person-answered item
    (position from 1); ``before_questions(run, audit, count)`` once before the first.
    A period that has not begun on ``today`` is refused: there is nothing to audit yet.
    """
    today = today or office_today(db)
    if period.start > today:
        raise UsageError(f"The period {period.start} to {period.end} has not begun yet "
                         f"(today is {today}); there is nothing to audit.")
    audit, resumed = start_or_resume(db, period, units, checklist, auditor, today)
    _require_open(audit)
    run = AuditRun(audit["id"], resumed, period_not_over=period.end >= today)
    run.evaluated, raised, recurred = evaluate_metrics(db, audit, today)
    run.findings_raised.extend(raised)
    run.findings_recurred.extend(recurred)
    if answers:
        run.note(apply_answers(db, audit["id"], answers, by=auditor, today=today))
        run.answered += len(answers)
    if ask is not None:
        items = _planned_first(db, audit, pending_items(db, audit))
        if before_questions is not None:
            before_questions(run, audit, len(items))
        for position, item in enumerate(items, start=1):
            answer = ask(item, position, len(items))
            if answer is None:
                continue
            # Each answer is saved at once, so an interrupted session keeps what was said.
            outcome = _answer_item(db, audit["id"], item.id, answer, by=auditor,
                                   today=today)
            run.answered += 1
            run.note([outcome] if outcome else [])
    return run


def _planned_first(db: sqlite_utils.Database, audit: dict[str, Any], items: list[Item]
                   ) -> list[Item]:
    """The items of the clauses the programme plans for the audit's month come first."""
    from qmstrack.audit_programme import planned_clauses

    period = Period(date.fromisoformat(audit["period_start"]),
                    date.fromisoformat(audit["period_end"]))
    planned = planned_clauses(db, frozen_checklist(audit), period, audit["scope"])
    if not planned:
        return items

    def is_planned(item: Item) -> bool:
        return any(item.clause_ref == p or item.clause_ref.startswith(p + ".")
                   for p in planned)

    return sorted(items, key=lambda item: not is_planned(item))


def record_meetings(db: sqlite_utils.Database, audit_id: int, *,
                    opening: date | None = None, closing: date | None = None
                    ) -> dict[str, Any]:
    """The dates of the audit's opening and closing meetings (ISO 19011:2018 6.4.3 and
    6.4.9: the audit opens and closes with a meeting of auditors and auditees)."""
    with writing(db):
        audit = get_audit_row(db, audit_id)
        _require_open(audit)
        changes: dict[str, Any] = {}
        if opening is not None:
            changes["opening_meeting_on"] = opening.isoformat()
        if closing is not None:
            changes["closing_meeting_on"] = closing.isoformat()
        if not changes:
            raise UsageError("Give --opening, --closing or both.")
        first = changes.get("opening_meeting_on", audit.get("opening_meeting_on"))
        last = changes.get("closing_meeting_on", audit.get("closing_meeting_on"))
        if first and last and last < first:
            raise InvalidInput(f"The closing meeting ({last}) cannot be before the opening "
                               f"meeting ({first}).")
        today = office_today(db).isoformat()
        for name, value in changes.items():
            if value > today:
                raise InvalidInput(f"The {name.split('_')[0]} meeting date {value} is in the "
                                   "future.")
        db.table("audits").update(audit["id"], changes)
    return get_audit_row(db, audit_id)


def finalize_audit(db: sqlite_utils.Database, audit_id: int, *, allow_pending: bool = False,
                   today: date | None = None) -> dict[str, Any]:
    with writing(db):
        audit = get_audit_row(db, audit_id)
        _require_open(audit)
        pending = db.execute(
            "SELECT count(*) FROM audit_results WHERE audit_id = ? AND grade = 'pending'",
            [audit_id]).fetchone()[0]
        if pending and not allow_pending:
            from qmstrack.i18n import count_of

            raise Conflict(
                f"Audit {audit_id} still has {count_of(pending, 'pending item')}; answer "
                f"{'it' if pending == 1 else 'them'} or pass --allow-pending."
            )
        import hashlib

        if hashlib.sha256(audit["checklist_yaml"].encode("utf-8")).hexdigest() != audit[
                "checklist_sha256"]:
            from qmstrack.errors import IntegrityFailure

            raise IntegrityFailure(f"The frozen checklist of audit {audit_id} no longer "
                                   "matches its hash.")
        db.table("audits").update(audit_id, {"status": "final",
                                       "finalized_on": (today or office_today(db)).isoformat()})
    return get_audit_row(db, audit_id)


def list_audits(db: sqlite_utils.Database):
    sql = """
        SELECT a.id, a.period_start, a.period_end, a.scope, a.checklist_id, a.lead_auditor,
               a.status, a.started_on, a.finalized_on,
               sum(r.grade = 'conform') AS conform, sum(r.grade = 'minor') AS minor,
               sum(r.grade = 'major') AS major, sum(r.grade = 'observation') AS observation,
               sum(r.grade = 'na') AS na, sum(r.grade = 'pending') AS pending
        FROM audits a LEFT JOIN audit_results r ON r.audit_id = a.id
        GROUP BY a.id ORDER BY a.period_start DESC, a.id DESC
    """
    for row in query_dicts(db, sql):
        row["scope"] = ", ".join(json.loads(row["scope"]))
        yield row


def grade_counts(db: sqlite_utils.Database, audit_id: int) -> dict[str, int]:
    counts = dict.fromkeys(GRADES, 0)
    for grade, n in db.execute("SELECT grade, count(*) FROM audit_results WHERE audit_id = ? "
                               "GROUP BY grade", [audit_id]):
        counts[grade] = n
    return counts


def get_audit(db: sqlite_utils.Database, audit_id: int, lang: str = "en") -> dict[str, Any]:
    """The audit with its results in checklist order, counts and findings."""
    audit = get_audit_row(db, audit_id)
    checklist = frozen_checklist(audit)
    results = {r["item_id"]: r for r in query_dicts(
        db, "SELECT item_id, clause_ref, grade, metric, measured, target, evidence, note, "
            "answered_by, answered_on FROM audit_results WHERE audit_id = ?", [audit_id])}
    ordered = []
    for item in checklist.iter_items():
        row = results.get(item.id)
        if row is None:
            continue
        row["question"] = item.text("question", lang)
        ordered.append(row)
    audit.pop("checklist_yaml")
    audit["checklist_title"] = checklist.text("title", lang)
    audit["checklist_edition"] = checklist.edition
    audit["counts"] = grade_counts(db, audit_id)
    audit["results"] = ordered
    # Its own findings and the open ones of earlier audits it saw again.
    audit["findings"] = [
        {**{k: f[k] for k in ("ref_no", "item_id", "clause_ref", "grade", "status", "due_on",
                              "unit", "description", "recurrences")},
         "first_audit": f["audit_id"], "seen_in": json.loads(f["seen_in"])}
        for f in query_dicts(db, f"SELECT * FROM findings WHERE {_OF_AUDIT} ORDER BY ref_no",
                             [audit_id, audit_id])]
    failed: dict[str, list[str]] = {}
    for f in audit["findings"]:
        if f["item_id"] and f["unit"]:
            failed.setdefault(f["item_id"], []).append(f["unit"])
    for row in ordered:
        row["failed_units"] = sorted(failed.get(row["item_id"], []))
    return audit


# --- answers files ---------------------------------------------------------------------


def load_answers(path: Path, checklist: Checklist) -> dict[str, Answer]:
    """Read answers from YAML (``item: grade`` or ``item: {grade, note, evidence}``) or CSV
    (columns item, grade, note, evidence); refuse the whole file on any bad line."""
    if not path.exists() or path.is_dir():
        raise InvalidInput(f"The answers file {path} does not exist.")
    if path.stat().st_size > 5 * 1024 * 1024:
        raise InvalidInput(f"The answers file {path} is larger than 5 MB.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"The answers file {path} is not UTF-8 text.") from None
    if path.suffix.lower() == ".csv":
        entries = _answers_from_csv(text)
    else:
        entries = _answers_from_yaml(text, path.name)
    problems: list[str] = []
    answers: dict[str, Answer] = {}
    items = {item.id: item for item in checklist.iter_items()}
    for line, item_id, grade, note, evidence in entries:
        where = f"{path.name}:{line}"
        item = items.get(item_id)
        if item is None:
            problems.append(f"{where}: unknown item {item_id!r}")
            continue
        if item.is_metric:
            problems.append(f"{where}: item {item_id} is evaluated from the data")
            continue
        if item_id in answers:
            problems.append(f"{where}: item {item_id} is answered twice")
            continue
        try:
            parsed = parse_grade(grade)
            note = clean_text(note, field="note", max_length=4000)
            evidence = clean_text(evidence, field="evidence", max_length=4000)
            if parsed in FINDING_GRADES and not note:
                raise InvalidInput(f"a {parsed} result needs a note")
        except InvalidInput as exc:
            problems.append(f"{where}: {exc}")
            continue
        answers[item_id] = Answer(parsed, note, evidence)
    if problems:
        raise InvalidInput(
            f"The answers file {path.name} has {len(problems)} bad "
            f"{'line' if len(problems) == 1 else 'lines'}; nothing was recorded.",
            problems)
    return answers


def _answers_from_yaml(text: str, name: str) -> list[tuple[int, str, Any, Any, Any]]:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"The answers file {name} is not valid YAML{line}.") from None
    except RecursionError:
        raise InvalidInput(f"The answers file {name} is nested too deeply to hold "
                           "answers.") from None
    if node is None:
        raise InvalidInput(f"The answers file {name} is empty.")
    if not isinstance(node, yaml.MappingNode):
        raise InvalidInput(f"The answers file {name} must map item ids to answers "
                           f"(line {node.start_mark.line + 1}).")
    entries = []
    for key, value in node.value:
        line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode) or not _plain_tag(key):
            raise InvalidInput(f"{name}:{line}: an item id must be plain text.")
        if isinstance(value, yaml.ScalarNode) and _plain_tag(value):
            entries.append((line, key.value, value.value, "", ""))
        elif isinstance(value, yaml.MappingNode):
            fields: dict[str, Any] = {}
            for k, v in value.value:
                if not (isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
                        and _plain_tag(k) and _plain_tag(v)):
                    raise InvalidInput(f"{name}:{k.start_mark.line + 1}: answer fields must "
                                       "be plain text.")
                if k.value not in ("grade", "note", "evidence"):
                    raise InvalidInput(f"{name}:{k.start_mark.line + 1}: unknown field "
                                       f"{k.value!r} (use grade, note, evidence).")
                fields[k.value] = v.value
            entries.append((line, key.value, fields.get("grade"), fields.get("note", ""),
                            fields.get("evidence", "")))
        else:
            raise InvalidInput(f"{name}:{line}: the answer to {key.value!r} must be a grade "
                               "or a mapping with grade, note and evidence.")
    return entries


def _plain_tag(node) -> bool:
    return node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[1] in (
        "str", "int", "float", "bool", "null", "map")


def _answers_from_csv(text: str) -> list[tuple[int, str, Any, Any, Any]]:
    try:
        return _read_answers_csv(text)
    except csv.Error as exc:
        raise InvalidInput(f"The answers CSV cannot be read ({exc}).") from None


def _read_answers_csv(text: str) -> list[tuple[int, str, Any, Any, Any]]:
    from qmstrack.parsing import normalise_header

    lines = text.splitlines()
    if not lines:
        raise InvalidInput("The answers file is empty.")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = [normalise_header(h) for h in next(reader)]
    aliases = {"item": ("item", "itemid", "id", "butir"), "grade": ("grade", "nilai", "hasil"),
               "note": ("note", "catatan"), "evidence": ("evidence", "bukti")}
    index = {}
    for name, names in aliases.items():
        for i, h in enumerate(header):
            if h in names:
                index[name] = i
    if "item" not in index or "grade" not in index:
        raise InvalidInput("The answers CSV needs the columns item and grade (line 1).")
    entries = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InvalidInput(f"The answers CSV line {number} has {len(row)} cells; the "
                               f"header has {len(header)}.")

        def cell(name: str, row=row) -> str:
            return row[index[name]].strip() if name in index else ""

        entries.append((number, cell("item"), cell("grade"), cell("note"), cell("evidence")))
    return entries
