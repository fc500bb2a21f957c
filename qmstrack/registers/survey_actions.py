"""The SKM follow-up plan (rencana tindak lanjut, PermenPAN-RB 14/2017).

The regulation asks that the results of the survey be followed up, starting with the
weakest elements: each action names the element it improves (U1..U9), what is done, who
owns it (a staff member), when it is due, and, once done, when it was closed. An action
may answer one unit's or one service's survey; without either it is office-wide.

An action is ``open``, ``overdue`` (open, due before the day) or ``closed``, as a
management review's action is (:func:`qmstrack.reviews.action_state`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_code, parse_date
from qmstrack.registers.common import get_service, get_staff, query_dicts, require_unit
from qmstrack.registers.surveys import ELEMENT_COUNT

ELEMENT_CODES = tuple(f"U{i}" for i in range(1, ELEMENT_COUNT + 1))
MAX_ACTION_CHARS = 2000

ACTION_SQL = """
    SELECT a.id, a.element, a.action, a.owner_nip, s.name AS owner_name, a.unit,
           a.service_code, a.raised_on, a.due_on, a.closed_on, a.note
    FROM survey_actions a LEFT JOIN staff s ON s.nip = a.owner_nip
"""


def parse_element(value: Any) -> str:
    """``U3``, ``u3``, ``3`` or ``unsur 3`` -> ``U3``."""
    text = "".join(str(value).split()).upper().removeprefix("UNSUR")
    code = text if text.startswith("U") else f"U{text}"
    if code not in ELEMENT_CODES:
        raise InvalidInput(f"The element {str(value)[:20]!r} is not one of U1 to U9.")
    return code


def action_state(action: dict[str, Any], as_of: date) -> str:
    """``closed`` (closed on or before ``as_of``), ``overdue`` (open, due before it) or
    ``open``."""
    day = as_of.isoformat()
    if action.get("closed_on") and action["closed_on"] <= day:
        return "closed"
    if action["due_on"] < day:
        return "overdue"
    return "open"


def _decorate(row: dict[str, Any], today: date) -> dict[str, Any]:
    return {**row, "owner_name": row["owner_name"] or "", "state": action_state(row, today)}


def get_action(db: sqlite_utils.Database, action_id: int, today: date | None = None
               ) -> dict[str, Any]:
    rows = list(query_dicts(db, f"{ACTION_SQL} WHERE a.id = ?", [int(action_id)]))
    if not rows:
        raise NotFound(f"There is no SKM follow-up action {action_id}; 'qmstrack survey "
                       "action list' shows them.")
    return _decorate(rows[0], today or office_today(db))


def add_action(db: sqlite_utils.Database, *, element: Any, action: Any, owner: Any,
               due: Any, unit: Any = None, service: Any = None, raised: Any = None,
               today: date | None = None) -> dict[str, Any]:
    """Record one follow-up action; returns it."""
    today = today or office_today(db)
    code = parse_element(element)
    text = clean_text(action, field="action", max_length=MAX_ACTION_CHARS, required=True)
    staff = get_staff(db, owner)
    raised_on = parse_date(raised, field="date raised") if raised is not None else today
    if raised_on > today:
        raise InvalidInput(f"The date raised {raised_on} is in the future.")
    due_on = parse_date(due, field="due date")
    if due_on < raised_on:
        raise InvalidInput(f"The due date {due_on} is before the action was raised "
                           f"({raised_on}).")
    unit_code = require_unit(db, unit) if unit is not None else None
    service_code = None
    if service is not None:
        found = get_service(db, parse_code(service, field="service code"))
        service_code = found["code"]
        if unit_code is not None and unit_code != found["unit"]:
            raise InvalidInput(f"The service {service_code} belongs to unit {found['unit']}, "
                               f"not {unit_code}.")
        unit_code = found["unit"]
    with writing(db):
        table = db.table("survey_actions")
        table.insert({
            "element": code, "action": text, "owner_nip": staff["nip"], "unit": unit_code,
            "service_code": service_code, "raised_on": raised_on.isoformat(),
            "due_on": due_on.isoformat(), "closed_on": None, "note": ""})
        new_id = int(table.last_rowid or 0)
    return get_action(db, new_id, today)


def close_action(db: sqlite_utils.Database, action_id: int, *, on: Any = None,
                 note: str = "", today: date | None = None) -> dict[str, Any]:
    """Close an action on a day (not before it was raised, not in the future)."""
    today = today or office_today(db)
    day = parse_date(on, field="closing date") if on is not None else today
    if day > today:
        raise InvalidInput(f"The closing date {day} is in the future.")
    note = clean_text(note, field="note", max_length=2000)
    with writing(db):
        action = get_action(db, action_id, today)
        if action["closed_on"]:
            raise Conflict(f"SKM follow-up action {action_id} was already closed on "
                           f"{action['closed_on']}.")
        if day.isoformat() < action["raised_on"]:
            raise InvalidInput(f"The closing date {day} is before the action was raised "
                               f"({action['raised_on']}).")
        changes = {"closed_on": day.isoformat()}
        if note:
            changes["note"] = note
        db.table("survey_actions").update(action["id"], changes)
    return get_action(db, action_id, today)


def _scope_clauses(units: tuple[str, ...], service: str | None) -> tuple[list[str], list]:
    """Office-wide actions belong to every scope; a unit's to the unit and its services."""
    clauses: list[str] = []
    params: list[Any] = []
    if units:
        clauses.append(f"(a.unit IS NULL OR a.unit IN ({', '.join('?' for _ in units)}))")
        params.extend(units)
    if service is not None:
        clauses.append("(a.service_code IS NULL OR a.service_code = ?)")
        params.append(service)
    return clauses, params


def list_actions(db: sqlite_utils.Database, *, units: tuple[str, ...] = (),
                 service: str | None = None, raised_by: date | None = None,
                 open_since: date | None = None, overdue_on: date | None = None,
                 today: date | None = None) -> Iterator[dict[str, Any]]:
    """Actions by due date: raised by ``raised_by``, not closed before ``open_since``,
    overdue on ``overdue_on`` (open then, due before it); states as of ``today``."""
    today = today or office_today(db)
    clauses, params = _scope_clauses(units, service)
    if raised_by is not None:
        clauses.append("a.raised_on <= ?")
        params.append(raised_by.isoformat())
    if open_since is not None:
        clauses.append("(a.closed_on IS NULL OR a.closed_on >= ?)")
        params.append(open_since.isoformat())
    if overdue_on is not None:
        day = overdue_on.isoformat()
        clauses.append("(a.closed_on IS NULL OR a.closed_on > ?) AND a.due_on < ? "
                       "AND a.raised_on <= ?")
        params.extend([day, day, day])
    where = " AND ".join(clauses) or "1"
    for row in query_dicts(db, f"{ACTION_SQL} WHERE {where} ORDER BY a.due_on, a.id", params):
        yield _decorate(row, today)
