"""Management reviews (ISO 9001:2015 clause 9.3.3): the reviews held and the actions they
decided, followed up like corrective actions.

:func:`record_review` stores a review (date, chair, attendees) and one action per decision,
with its owner and due date; actions are *open*, *closed* (:func:`close_action`), and
*overdue* when still open on a day after their due date (:func:`action_state`). The inputs
a review looks at are compiled by :mod:`qmstrack.review_pack`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound, UsageError
from qmstrack.parsing import clean_text, parse_date
from qmstrack.registers.common import get_staff, query_dicts

NOTE_LENGTH = 4000
ACTION_COLUMNS = ["id", "review_id", "held_on", "decision", "owner_nip", "owner_name",
                  "due_on", "state", "closed_on", "note"]
REVIEW_COLUMNS = ["id", "held_on", "chair", "attendees", "actions", "open", "overdue",
                  "closed"]


def pair_with_decisions(values: Sequence[Any] | None, count: int, option: str) -> list[Any]:
    """Values given once for every decision, or once per decision in the same order."""
    values = list(values or [])
    if not values:
        return [None] * count
    if len(values) == 1:
        return values * count
    if len(values) != count:
        raise UsageError(f"{option} is given {len(values)} times for {count} decisions; give "
                         "it once for all of them or once per --decision, in the same order.")
    return values


def _one_line(value: Any, field: str) -> str:
    text = clean_text(value, field=field, max_length=200, required=True)
    if "\n" in text or "\t" in text:
        raise InvalidInput(f"The {field} must be one line of text.")
    return text


def record_review(db: sqlite_utils.Database, *, held_on: Any, chair: str,
                  attendees: Iterable[str], decisions: Sequence[str],
                  owners: Sequence[str | None] | None = None,
                  dues: Sequence[Any] | None = None,
                  today: date | None = None) -> dict[str, Any]:
    """Record a management review and one tracked action per decision.

    ``owners`` (NIPs) and ``dues`` pair with ``decisions`` by position (or are None).
    Everything is checked before anything is written.
    """
    today = today or office_today(db)
    day = parse_date(held_on, field="review date")
    if day > today:
        raise InvalidInput(f"The review date {day} is in the future.")
    chair = _one_line(chair, "chair's name")
    people = [_one_line(a, "attendee's name") for a in attendees]
    texts = [clean_text(d, field="decision", max_length=NOTE_LENGTH, required=True)
             for d in decisions]
    if not texts:
        raise InvalidInput("A management review needs at least one decision.")
    owners = list(owners) if owners is not None else [None] * len(texts)
    dues = list(dues) if dues is not None else [None] * len(texts)
    if len(owners) != len(texts) or len(dues) != len(texts):
        raise InvalidInput("Each decision needs its own owner and due date (or none).")
    actions = []
    for number, (text, owner, due) in enumerate(zip(texts, owners, dues, strict=True), 1):
        nip = get_staff(db, owner)["nip"] if owner else None
        due_on = parse_date(due, field=f"due date of decision {number}") if due else None
        if due_on is not None and due_on < day:
            raise InvalidInput(f"The due date {due_on} of decision {number} is before the "
                               f"review ({day}).")
        actions.append({"decision": text, "owner_nip": nip,
                        "due_on": due_on.isoformat() if due_on else None,
                        "status": "open", "closed_on": None, "note": ""})
    with writing(db):
        same = db.execute("SELECT id FROM reviews WHERE held_on = ?",
                          [day.isoformat()]).fetchone()
        if same:
            raise Conflict(f"A management review of {day} is already recorded (review "
                           f"{same[0]}); 'qmstrack review show {same[0]}' shows it.")
        review_id = db.table("reviews").insert({
            "held_on": day.isoformat(), "chair": chair,
            "attendees": json.dumps(people, ensure_ascii=False),
        }).last_pk
        db.table("review_actions").insert_all({**a, "review_id": review_id} for a in actions)
    assert review_id is not None
    return get_review(db, review_id, today=today)


def action_state(action: dict[str, Any], as_of: date) -> str:
    """``closed`` (closed on or before ``as_of``), ``overdue`` (open, due before it) or
    ``open``."""
    day = as_of.isoformat()
    if action.get("closed_on") and action["closed_on"] <= day:
        return "closed"
    if action.get("due_on") and action["due_on"] < day:
        return "overdue"
    return "open"


def _attendees(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, list):
        return [str(v) for v in value]
    return [line.strip() for line in str(text).splitlines() if line.strip()]


ACTION_SQL = """
    SELECT a.id, a.review_id, r.held_on, a.decision, a.owner_nip, s.name AS owner_name,
           a.due_on, a.status, a.closed_on, a.note
    FROM review_actions a JOIN reviews r ON r.id = a.review_id
    LEFT JOIN staff s ON s.nip = a.owner_nip
"""


def _decorate_action(row: dict[str, Any], as_of: date) -> dict[str, Any]:
    row["state"] = action_state(row, as_of)
    row["overdue"] = row["state"] == "overdue"
    row["owner_name"] = row.get("owner_name") or ""
    return row


def list_actions(db: sqlite_utils.Database, *, open_only: bool = False,
                 overdue_only: bool = False, review_id: int | None = None,
                 today: date | None = None) -> Iterator[dict[str, Any]]:
    """Stream review actions, oldest review first, each with its ``state`` as of today."""
    today = today or office_today(db)
    clauses: list[str] = []
    params: list[Any] = []
    if review_id is not None:
        clauses.append("a.review_id = ?")
        params.append(int(review_id))
    if open_only or overdue_only:
        clauses.append("(a.closed_on IS NULL OR a.closed_on > ?)")
        params.append(today.isoformat())
    if overdue_only:
        clauses.append("a.due_on IS NOT NULL AND a.due_on < ?")
        params.append(today.isoformat())
    where = " AND ".join(clauses) or "1"
    for row in query_dicts(db, f"{ACTION_SQL} WHERE {where} ORDER BY r.held_on, a.id",
                           params):
        yield _decorate_action(row, today)


def _counts(actions: Iterable[dict[str, Any]]) -> dict[str, int]:
    """``total``, ``open`` (overdue ones included), ``overdue`` and ``closed``."""
    counts = {"total": 0, "open": 0, "overdue": 0, "closed": 0}
    for action in actions:
        counts["total"] += 1
        counts["closed" if action["state"] == "closed" else "open"] += 1
        counts["overdue"] += action["state"] == "overdue"
    return counts


def get_review(db: sqlite_utils.Database, review_id: int, *,
               today: date | None = None) -> dict[str, Any]:
    """One review with its attendees, its actions (state as of today) and their counts."""
    rows = list(query_dicts(db, "SELECT * FROM reviews WHERE id = ?", [int(review_id)]))
    if not rows:
        raise NotFound(f"There is no management review {review_id}; 'qmstrack review list' "
                       "shows them.")
    review = rows[0]
    review["attendees"] = _attendees(review["attendees"])
    review["actions"] = list(list_actions(db, review_id=review["id"], today=today))
    review["counts"] = _counts(review["actions"])
    return review


def list_reviews(db: sqlite_utils.Database, *, today: date | None = None
                 ) -> Iterator[dict[str, Any]]:
    """Stream the reviews, latest first, with the number of their actions per state."""
    today = today or office_today(db)
    reviews = list(query_dicts(db, "SELECT id, held_on, chair, attendees FROM reviews "
                                   "ORDER BY held_on DESC, id DESC"))
    actions: dict[int, list[dict[str, Any]]] = {}
    for action in list_actions(db, today=today):
        actions.setdefault(action["review_id"], []).append(action)
    for review in reviews:
        review["attendees"] = _attendees(review["attendees"])
        counts = _counts(actions.get(review["id"], []))
        review["actions"] = counts.pop("total")
        review.update(counts)
        yield review


def close_action(db: sqlite_utils.Database, action_id: int, *, on: Any = None,
                 note: str = "", today: date | None = None) -> dict[str, Any]:
    """Close a review action on a day (not before its review, not in the future)."""
    today = today or office_today(db)
    day = parse_date(on, field="closing date") if on is not None else today
    if day > today:
        raise InvalidInput(f"The closing date {day} is in the future.")
    note = clean_text(note, field="note", max_length=2000)
    with writing(db):
        rows = list(query_dicts(db, f"{ACTION_SQL} WHERE a.id = ?", [int(action_id)]))
        if not rows:
            raise NotFound(f"There is no review action {action_id}; 'qmstrack review "
                           "actions' shows them.")
        action = rows[0]
        if action["status"] == "closed":
            raise Conflict(f"Review action {action_id} was already closed on "
                           f"{action['closed_on']}.")
        if day.isoformat() < action["held_on"]:
            raise InvalidInput(f"The closing date {day} is before the review that decided "
                               f"the action ({action['held_on']}).")
        changes = {"status": "closed", "closed_on": day.isoformat()}
        if note:
            changes["note"] = note
        db.table("review_actions").update(action["id"], changes)
    rows = list(query_dicts(db, f"{ACTION_SQL} WHERE a.id = ?", [int(action_id)]))
    return _decorate_action(rows[0], today)
