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
    assessable = [clause.ref for clause in checklist.iter_clauses() if clause.assessable]
    total = len(assessable)
    if not total:
        return target, ""
    planned = _planned_in_window(db, checklist, period.end)
    if planned is not None:
        # The programme the officer wrote: the clauses it plans in the 12 months up to the
        # end (a planned clause takes its sub-clauses with it).
        expected = sum(1 for ref in assessable
                       if any(ref == p or ref.startswith(p + ".") for p in planned))
        note = (f"Target pro-rated to the audit programme: {expected} of {total} clauses "
                f"planned by {period.end}.")
        threshold = math.floor(target.threshold * expected / total * 10000) / 10000
        return Target(target.op, threshold), note
    months = programme_months(db, checklist, period.end)
    if months >= 12:
        return target, ""
    expected = math.floor(total * months / 12)
    # Rounded down, so that exactly the expected clauses meet it.
    threshold = math.floor(target.threshold * expected / total * 10000) / 10000
    return Target(target.op, threshold), (
        f"Target pro-rated to month {months} of the 12-month programme: {expected} of "
        f"{total} clauses.")


def _planned_in_window(db: sqlite_utils.Database, checklist: Checklist, end: date
                       ) -> set[str] | None:
    """The clauses planned in the 12 months up to ``end``; None without a programme."""
    if db.execute("SELECT 1 FROM audit_plan WHERE checklist_id = ? LIMIT 1",
                  [checklist.id]).fetchone() is None:
        return None
    refs: set[str] = set()
    for (clauses,) in db.execute(
            "SELECT clauses FROM audit_plan WHERE checklist_id = ? AND month_start > ? AND "
            "month_start <= ?", [checklist.id, twelve_months_before(end).isoformat(),
                                 end.isoformat()]):
        refs.update(r for r in clauses.split(",") if r)
    return refs


@defines("audits.clause_coverage_12m")
def _clause_coverage_12m(db: sqlite_utils.Database, period: Period, scope: Scope):
    rows = clause_coverage(db, scope.checklist or default_checklist(db), period.end,
                           scope.units)
    if not rows:
        return None
    return sum(1 for r in rows if r["status"] == "covered") / len(rows)


# --- the yearly programme the officer edits -----------------------------------------------


def set_plan(db: sqlite_utils.Database, checklist: Checklist, month: Period,
             clauses: Iterable[str], units: Iterable[str], auditor: str | None = None, *,
             allow_own_unit: bool = False) -> list[dict[str, Any]]:
    """Plan the clauses each of ``units`` is audited on in ``month``, with its lead auditor
    (replacing what was planned for that month and unit).

    ISO 9001:2015 clause 9.2.2 c) asks auditors to be objective and impartial: an auditor
    of the unit audited is refused unless ``allow_own_unit``, which is then recorded.
    """
    from qmstrack.db import writing
    from qmstrack.errors import Conflict, InvalidInput
    from qmstrack.registers.common import get_staff, require_unit

    if not month.is_calendar_month():
        raise InvalidInput(f"The programme is planned by calendar month; {month.start} to "
                           f"{month.end} is not one.")
    refs = _plan_clauses(checklist, clauses)
    codes = sorted({require_unit(db, u) for u in units})
    if not codes:
        raise InvalidInput("Name the units to audit with --unit.")
    staff = get_staff(db, auditor) if auditor else None
    own = [u for u in codes if staff is not None and staff["unit"] == u]
    if staff is not None and own and not allow_own_unit:
        raise Conflict(f"{staff['name']} ({staff['nip']}) belongs to {', '.join(own)} and may "
                       "not audit their own unit (ISO 9001:2015 9.2.2 c); choose another "
                       "auditor, or pass --allow-own-unit to record the exception.")
    rows = []
    with writing(db):
        for unit in codes:
            row = {"checklist_id": checklist.id, "month_start": month.start.isoformat(),
                   "unit": unit, "clauses": ",".join(refs),
                   "lead_auditor_nip": staff["nip"] if staff else None,
                   "own_unit_allowed": int(unit in own)}
            db.execute("DELETE FROM audit_plan WHERE checklist_id = ? AND month_start = ? "
                       "AND unit = ?", [checklist.id, row["month_start"], unit])
            db.table("audit_plan").insert(row)
            rows.append(row)
    return rows


def _plan_clauses(checklist: Checklist, clauses: Iterable[str]) -> list[str]:
    from qmstrack.errors import InvalidInput

    known = {c.ref: c for c in checklist.iter_clauses()}
    refs: list[str] = []
    for ref in (str(c).strip() for c in clauses):
        if not ref:
            continue
        if ref not in known:
            raise InvalidInput(f"Clause {ref} is not a clause of the checklist "
                               f"{checklist.id}; 'qmstrack checklist show {checklist.id}' "
                               "lists them.")
        if ref not in refs:
            refs.append(ref)
    if not refs:
        raise InvalidInput("Name the clauses to audit with --clauses, e.g. 7.5,8.5.")
    order = {ref: i for i, ref in enumerate(known)}
    return sorted(refs, key=order.__getitem__)


def plan_rows(db: sqlite_utils.Database, checklist: Checklist, year: int
              ) -> list[dict[str, Any]]:
    """The programme of a year: month, unit, clauses, lead auditor (and name)."""
    return [{"month": month[:7], "unit": unit, "clauses": clauses,
             "lead_auditor": nip or "", "lead_auditor_name": name or "",
             "own_unit_allowed": bool(own)}
            for month, unit, clauses, nip, name, own in db.execute(
                "SELECT p.month_start, p.unit, p.clauses, p.lead_auditor_nip, s.name, "
                "p.own_unit_allowed FROM audit_plan p LEFT JOIN staff s "
                "ON s.nip = p.lead_auditor_nip WHERE p.checklist_id = ? AND "
                "p.month_start BETWEEN ? AND ? ORDER BY p.month_start, p.unit",
                [checklist.id, f"{year:04d}-01-01", f"{year:04d}-12-01"])]


def planned_clauses(db: sqlite_utils.Database, checklist: Checklist, period: Period,
                    units: Iterable[str]) -> set[str]:
    """The clauses the programme plans in the months of ``period`` for ``units``."""
    units = list(units)
    marks = ", ".join("?" for _ in units) or "NULL"
    refs: set[str] = set()
    for (clauses,) in db.execute(
            f"SELECT clauses FROM audit_plan WHERE checklist_id = ? AND month_start "
            f"BETWEEN ? AND ? AND unit IN ({marks})",
            [checklist.id, period.start.replace(day=1).isoformat(), period.end.isoformat(),
             *units]):
        refs.update(r for r in clauses.split(",") if r)
    return refs
