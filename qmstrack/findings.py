"""Findings and their corrective actions, tracked to closure.

A finding is a nonconformity (``major``/``minor``) or an ``observation`` (opportunity for
improvement), raised by an internal audit (automatically, from a result) or recorded by
hand, including those of the certification body. Its life: ``open`` -> ``action_planned``
(root cause, correction, corrective action, owner, due date) -> ``closed`` once someone
verified the action was effective. An action verified as not effective reopens the finding
with a new action.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import get_setting, writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_code, parse_date
from qmstrack.registers.common import get_staff, query_dicts, require_unit

GRADES = ("major", "minor", "observation")
SOURCES = ("internal", "sucofindo", "certification", "external", "management", "complaint")

LIST_COLUMNS = ["ref_no", "raised_on", "source", "grade", "clause_ref", "unit", "item_id",
                "recurrences", "status", "due_on", "closed_on", "description"]
#: Recurrences after which a minor nonconformity is flagged for the auditor to consider
#: raising it to major (setting ``finding_recurrence_flag``).
DEFAULT_RECURRENCE_FLAG = 3


def recurrence_flag(db: sqlite_utils.Database) -> int:
    """How many recurrences flag a minor finding for raising to major."""
    value = get_setting(db, "finding_recurrence_flag")
    return DEFAULT_RECURRENCE_FLAG if value is None else int(value)


def flags_for_major(finding: dict[str, Any], flag_at: int) -> bool:
    """A minor seen in ``flag_at`` audits or more: the auditor considers raising it."""
    return finding["grade"] == "minor" and int(finding.get("recurrences") or 1) >= flag_at


def parse_grade(value: str) -> str:
    grade = str(value).strip().lower()
    aliases = {"mayor": "major", "ringan": "minor", "observasi": "observation",
               "ofi": "observation", "obs": "observation", "kecil": "minor", "berat": "major"}
    grade = aliases.get(grade, grade)
    if grade not in GRADES:
        raise InvalidInput(f"The grade {value!r} is not major, minor or observation.")
    return grade


def parse_clause_ref(value: str) -> str:
    ref = str(value).strip()
    parts = ref.split(".")
    if not ref or len(parts) > 5 or not all(p.isdigit() and len(p) <= 2 for p in parts):
        raise InvalidInput(f"The clause {value!r} is not a clause number like 8.5.1.")
    return ref


def default_due(db: sqlite_utils.Database, grade: str, raised: date) -> date:
    days = (get_setting(db, "finding_due_days") or {}).get(grade)
    if days is None:
        days = {"major": 30, "minor": 60, "observation": 90}[grade]
    return raised + timedelta(days=int(days))


def next_finding_ref(db: sqlite_utils.Database, year: int) -> str:
    prefix = f"F-{year}-"
    row = db.execute(
        "SELECT ref_no FROM findings WHERE ref_no LIKE ? ORDER BY ref_no DESC LIMIT 1",
        [prefix + "%"],
    ).fetchone()
    seq = int(row[0][len(prefix):]) + 1 if row and row[0][len(prefix):].isdigit() else 1
    return f"{prefix}{seq:03d}"


def raise_finding(db: sqlite_utils.Database, *, clause_ref: str, grade: str,
                  description: str, raised_on: date, source: str = "internal",
                  unit: str | None = None, audit_id: int | None = None,
                  item_id: str | None = None, due_on: date | None = None,
                  ref_no: str | None = None, evidence_file: Any = None,
                  db_path: Any = None,
                  seen_in: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Record a finding; its corrective-action due date defaults per grade. An
    ``evidence_file`` is copied into the evidence store beside ``db_path``."""
    grade = parse_grade(grade)
    source = str(source).strip().lower()
    if source not in SOURCES:
        raise InvalidInput(f"The source {source!r} is not one of {', '.join(SOURCES)}.")
    clause = parse_clause_ref(clause_ref)
    if audit_id is None:
        # Typed by a person: a clause of the office's checklist (an audit's finding takes
        # the clause of the checklist it was frozen with).
        from qmstrack.checklists import office_clause_check

        office_clause_check(db)(clause)
    record = {
        "ref_no": parse_code(ref_no, field="finding reference") if ref_no
        else next_finding_ref(db, raised_on.year),
        "source": source,
        "audit_id": audit_id,
        "item_id": item_id,
        "clause_ref": clause,
        "grade": grade,
        "unit": require_unit(db, unit) if unit else None,
        "description": clean_text(description, field="description", max_length=4000,
                                  required=True),
        "raised_on": raised_on.isoformat(),
        "status": "open",
        "due_on": (due_on or default_due(db, grade, raised_on)).isoformat(),
        "recurrences": max(1, len(seen_in or ())),
        "seen_in": json.dumps(seen_in or []),
    }
    with writing(db):
        if db.execute("SELECT 1 FROM findings WHERE ref_no = ?",
                      [record["ref_no"]]).fetchone():
            raise Conflict(f"A finding {record['ref_no']} already exists.")
        if evidence_file is not None:
            from qmstrack.evidence import store_file

            record["evidence_sha256"] = store_file(db, db_path, evidence_file)
        db.table("findings").insert(record)
    return record


def get_finding(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    rows = list(query_dicts(db, "SELECT * FROM findings WHERE ref_no = ?", [str(ref).strip()]))
    if not rows:
        raise NotFound(f"There is no finding {ref!r}; 'qmstrack finding list' shows them.")
    row = rows[0]
    row["actions"] = list(query_dicts(
        db, "SELECT action, owner_nip, planned_on, due_on, verified_by, verified_on, "
            "effective, note FROM finding_actions WHERE finding_id = ? ORDER BY id",
        [row["id"]]))
    return row


def plan_finding(db: sqlite_utils.Database, ref: str, *, action: str, due: Any,
                 root_cause: str | None = None, correction: str | None = None,
                 owner: str | None = None, on: date | None = None) -> dict[str, Any]:
    """Record the root cause, correction and corrective action with its owner and due date."""
    on = on or office_today(db)
    due_on = parse_date(due, field="due date")
    action = clean_text(action, field="action", max_length=4000, required=True)
    with writing(db):
        finding = get_finding(db, ref)
        if finding["status"] == "closed":
            raise Conflict(f"Finding {finding['ref_no']} was closed on {finding['closed_on']}.")
        if due_on < date.fromisoformat(finding["raised_on"]):
            raise InvalidInput(f"The due date {due_on} is before the finding was raised "
                               f"({finding['raised_on']}).")
        owner_nip = get_staff(db, owner)["nip"] if owner else None
        changes: dict[str, Any] = {"status": "action_planned", "due_on": due_on.isoformat()}
        if root_cause is not None:
            changes["root_cause"] = clean_text(root_cause, field="root cause", max_length=4000)
        if correction is not None:
            changes["correction"] = clean_text(correction, field="correction", max_length=4000)
        if owner_nip:
            changes["owner_nip"] = owner_nip
        db.table("findings").update(finding["id"], changes)
        db.table("finding_actions").insert({
            "finding_id": finding["id"], "action": action, "owner_nip": owner_nip,
            "planned_on": on.isoformat(), "due_on": due_on.isoformat(), "note": "",
        })
    return get_finding(db, ref)


def close_finding(db: sqlite_utils.Database, ref: str, *, verified_by: str, effective: bool,
                  note: str = "", on: date | None = None, new_action: str | None = None,
                  new_due: Any = None) -> dict[str, Any]:
    """Verify the current action. Effective: the finding closes. Not effective: it reopens,
    with the new action when one is given."""
    on = on or office_today(db)
    verified_by = clean_text(verified_by, field="verifier", max_length=200, required=True)
    note = clean_text(note, field="note", max_length=4000)
    with writing(db):
        finding = get_finding(db, ref)
        if finding["status"] == "closed":
            raise Conflict(f"Finding {finding['ref_no']} was already closed on "
                           f"{finding['closed_on']}.")
        action = db.execute(
            "SELECT id FROM finding_actions WHERE finding_id = ? AND verified_on IS NULL "
            "ORDER BY id DESC LIMIT 1", [finding["id"]]).fetchone()
        if action is None:
            raise Conflict(f"Finding {finding['ref_no']} has no corrective action to verify; "
                           "plan one first with 'qmstrack finding plan'.")
        if on < date.fromisoformat(finding["raised_on"]):
            raise InvalidInput(f"The verification date {on} is before the finding was raised.")
        db.table("finding_actions").update(action[0], {
            "verified_by": verified_by, "verified_on": on.isoformat(),
            "effective": 1 if effective else 0, "note": note,
        })
        if effective:
            db.table("findings").update(finding["id"], {"status": "closed",
                                                  "closed_on": on.isoformat()})
        else:
            db.table("findings").update(finding["id"], {"status": "open"})
    if not effective and new_action:
        return plan_finding(db, ref, action=new_action,
                            due=new_due or default_due(db, finding["grade"], on), on=on)
    return get_finding(db, ref)


def list_findings(db: sqlite_utils.Database, *, open_on: date | None = None,
                  overdue_on: date | None = None, units: tuple[str, ...] = (),
                  source: str | None = None, audit_id: int | None = None):
    """Stream findings; ``open_on``/``overdue_on`` follow the SPEC's definitions."""
    clauses: list[str] = []
    params: list[Any] = []
    if open_on:
        clauses.append("raised_on <= ? AND (closed_on IS NULL OR closed_on > ?)")
        params.extend([open_on.isoformat()] * 2)
    if overdue_on:
        clauses.append("raised_on <= ? AND (closed_on IS NULL OR closed_on > ?) "
                       "AND due_on < ?")
        params.extend([overdue_on.isoformat()] * 3)
    if units:
        clauses.append(f"unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    if source:
        clauses.append("source = ?")
        params.append(source)
    if audit_id is not None:
        clauses.append("audit_id = ?")
        params.append(audit_id)
    where = " AND ".join(clauses) or "1"
    return query_dicts(db, f"SELECT * FROM findings WHERE {where} ORDER BY raised_on, ref_no",
                       params)
