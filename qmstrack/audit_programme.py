"""The 12-month audit programme: which clauses of a checklist were audited when, and the
metric of its coverage.

ISO 9001:2015 clause 9.2.2 asks for an audit programme that covers the system at planned
intervals; qmstrack plans it over twelve months. :func:`clause_coverage` answers, for every
assessable clause, when it was last audited (an audit whose period ended in the 12 months
up to a day, with a result other than ``pending``) and whether it is covered or due.
``audits.clause_coverage_12m`` is the covered share (declared in
:mod:`qmstrack.metric_catalogue`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlite_utils

from qmstrack.metric_catalogue import defines
from qmstrack.parsing import Target
from qmstrack.periods import Period, twelve_months_before
from qmstrack.scope import Scope

if TYPE_CHECKING:
    from qmstrack.checklists import Checklist

DEFAULT_CHECKLIST = "iso9001-2015"


def default_checklist(db: sqlite_utils.Database) -> Checklist:
    """The checklist the office audits against (setting ``default_checklist``)."""
    from qmstrack.checklists import resolve_checklist
    from qmstrack.db import get_setting

    return resolve_checklist(get_setting(db, "default_checklist") or DEFAULT_CHECKLIST,
                             get_setting(db, "checklist_dir") or None)


def clause_coverage(db: sqlite_utils.Database, checklist: Checklist, end: date,
                    units: Iterable[str] = ()) -> list[dict[str, Any]]:
    """For every assessable clause: when it was last audited in the 12 months up to
    ``end``, and whether it is covered or due.

    ``title`` and ``title_id`` are the clause's title in English and Indonesian (the JSON
    of ``audit plan``); :func:`clause_title` gives it in any language.
    """
    start = twelve_months_before(end)
    scope = set(units)
    last: dict[str, str] = {}
    for ref, period_end, audit_scope in db.execute(
        "SELECT r.clause_ref, a.period_end, a.scope FROM audit_results r "
        "JOIN audits a ON a.id = r.audit_id WHERE a.checklist_id = ? AND r.grade != 'pending' "
        "AND a.period_end > ? AND a.period_end <= ?",
        [checklist.id, start.isoformat(), end.isoformat()]):
        if scope and not scope & set(json.loads(audit_scope)):
            continue
        if ref not in last or period_end > last[ref]:
            last[ref] = period_end
    rows = []
    for clause in checklist.iter_clauses():
        if not clause.assessable:
            continue
        rows.append({"clause_ref": clause.ref, "title": clause.text("title", "en"),
                     "title_id": clause.text("title", "id"),
                     "last_audited": last.get(clause.ref),
                     "status": "covered" if clause.ref in last else "due"})
    return rows


def due_clauses(checklist: Checklist, coverage: list[dict[str, Any]], lang: str
                ) -> list[dict[str, Any]]:
    """The clauses of :func:`clause_coverage` still due, with their title in ``lang``."""
    from qmstrack.figures import as_date

    return [{"clause_ref": r["clause_ref"],
             "title": checklist.find_clause(r["clause_ref"]).text("title", lang),
             "last_audited": as_date(r["last_audited"])}
            for r in coverage if r["status"] == "due"]


def programme_months(db: sqlite_utils.Database, checklist: Checklist, end: date) -> int:
    """Which month of the 12-month programme ``end`` falls in: counted from the first
    audit against the checklist (1 for the first audit), at most 12."""
    first = db.execute("SELECT min(period_start) FROM audits WHERE checklist_id = ?",
                       [checklist.id]).fetchone()[0]
    if first is None:
        return 1
    start = date.fromisoformat(first)
    return max(1, min(12, (end.year - start.year) * 12 + end.month - start.month + 1))


def programme_target(db: sqlite_utils.Database, checklist: Checklist, period: Period,
                     target: Target) -> tuple[Target, str]:
    """The coverage target of an audit, pro-rated along the programme, and a note saying
    so (empty when nothing was pro-rated).

    ISO 9001:2015 clause 9.2.2 a) asks for an audit programme "including the frequency";
    a programme meant to cover every clause in twelve months has, in its month m, covered
    the clauses scheduled so far: spread evenly, floor(clauses x m / 12). The target is
    that share of the 12-month target, so no audit raises an observation for clauses the
    programme has not scheduled yet.
    """
    import math

    if target.op not in (">=", ">"):
        return target, ""
    total = sum(1 for clause in checklist.iter_clauses() if clause.assessable)
    months = programme_months(db, checklist, period.end)
    if months >= 12 or not total:
        return target, ""
    expected = math.floor(total * months / 12)
    # Rounded down, so that exactly the expected clauses meet it.
    threshold = math.floor(target.threshold * expected / total * 10000) / 10000
    return Target(target.op, threshold), (
        f"Target pro-rated to month {months} of the 12-month programme: {expected} of "
        f"{total} clauses.")


@defines("audits.clause_coverage_12m")
def _clause_coverage_12m(db: sqlite_utils.Database, period: Period, scope: Scope):
    rows = clause_coverage(db, scope.checklist or default_checklist(db), period.end,
                           scope.units)
    if not rows:
        return None
    return sum(1 for r in rows if r["status"] == "covered") / len(rows)
