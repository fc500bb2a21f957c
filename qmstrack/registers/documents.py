"""Documented information (ISO 9001 clause 7.5): the office's controlled documents.

Each document has a type (policy, SOP, review minutes...), a title, the ISO clause(s) it
evidences, an optional unit (none = office-wide), an optional file kept in the evidence
store (``qmstrack.evidence``), its issue date and how often it must be reviewed. A
document whose review date has passed is *stale*; the ``documents.stale`` metric counts
them so the audit and the summary can flag them.
"""

from __future__ import annotations

import os
import re
from datetime import date
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_date, parse_int
from qmstrack.periods import add_months
from qmstrack.registers.common import query_dicts, require_unit

TYPES = ("policy", "objectives", "sop", "procedure", "form", "record", "review-minutes",
         "training", "other")
TYPE_ALIASES = {
    "kebijakan": "policy", "kebijakan-mutu": "policy", "quality-policy": "policy",
    "sasaran": "objectives", "sasaran-mutu": "objectives", "objective": "objectives",
    "prosedur": "procedure", "formulir": "form", "rekaman": "record", "catatan": "record",
    "notulen": "review-minutes", "minutes": "review-minutes", "rtm": "review-minutes",
    "management-review": "review-minutes", "pelatihan": "training", "lainnya": "other",
    "sop": "sop", "standard-operating-procedure": "sop",
}

LIST_COLUMNS = ["id", "type", "title", "clause", "unit", "issued_on", "review_due_on",
                "stale", "withdrawn_on", "file_sha256"]

_EVERY = re.compile(
    r"^(\d{1,3})\s*(m|mo|mon|month|months|bln|bulan|y|yr|year|years|thn|tahun)$"
)


def parse_type(value: Any) -> str:
    text = "-".join(str(value or "").strip().lower().replace("_", " ").split())
    kind = text if text in TYPES else TYPE_ALIASES.get(text)
    if kind is None:
        raise InvalidInput(
            f"The document type {str(value)[:30]!r} is not one of {', '.join(TYPES)}."
        )
    return kind


def parse_review_every(value: Any) -> int:
    """``12m``, ``6m``, ``1y``, ``24m`` (also ``12 bulan``, ``1 tahun``) -> months."""
    text = str(value or "").strip().lower()
    m = _EVERY.match(text)
    if not m:
        raise InvalidInput(
            f"The review interval {str(value)[:20]!r} is not like 12m, 6m, 1y or 24m."
        )
    months = int(m[1]) * (12 if m[2][0] in "yt" else 1)
    if not 1 <= months <= 120:
        raise InvalidInput("The review interval must be between 1 month and 10 years.")
    return months


def _clause(value: Any) -> str:
    from qmstrack.registers.rules import parse_clauses

    clauses = parse_clauses(value)
    if not clauses:
        raise InvalidInput("The clause is empty; give the ISO clause it evidences, e.g. 7.5.3.")
    return clauses


def add_document(db: sqlite_utils.Database, db_path: str | os.PathLike | None = None, *,
                 type: str, title: str, clause: str, unit: str | None = None,
                 file: str | os.PathLike | None = None, issued: Any = None,
                 review_every: Any = None, today: date | None = None) -> dict[str, Any]:
    """Register a document; its file (if any) is copied into the evidence store."""
    kind = parse_type(type)
    title = clean_text(title, field="title", max_length=300, required=True)
    clauses = _clause(clause)
    issued_on = parse_date(issued, field="issue date") if issued else (today or office_today(db))
    months = parse_review_every(review_every) if review_every not in (None, "") else None
    due = add_months(issued_on, months).isoformat() if months else None
    if file is not None and db_path is None:
        raise InvalidInput("The database path is needed to store the document's file.")
    with writing(db):
        unit_code = require_unit(db, unit) if unit else None
        sha = None
        if file is not None:
            from qmstrack.evidence import store_file

            assert db_path is not None  # refused above
            sha = store_file(db, db_path, file)
        cursor = db.execute(
            "INSERT INTO documents (type, title, clause, unit, file_sha256, issued_on, "
            "review_months, review_due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [kind, title, clauses, unit_code, sha, issued_on.isoformat(), months, due],
        )
        doc_id = cursor.lastrowid
    return get_document(db, doc_id, today=today)


def _get_row(db: sqlite_utils.Database, doc_id: Any) -> dict[str, Any]:
    number = parse_int(doc_id, field="document id", minimum=1)
    rows = list(query_dicts(db, "SELECT * FROM documents WHERE id = ?", [number]))
    if not rows:
        raise NotFound(f"There is no document {number}; 'qmstrack document list' shows them.")
    return rows[0]


def _decorate(row: dict[str, Any], today: date) -> dict[str, Any]:
    due = row.get("review_due_on")
    row["stale"] = bool(due and not row.get("withdrawn_on") and due < today.isoformat())
    return row


def get_document(db: sqlite_utils.Database, doc_id: Any, *,
                 today: date | None = None) -> dict[str, Any]:
    """One document, with its stored file's details."""
    row = _decorate(_get_row(db, doc_id), today or office_today(db))
    row["file"] = None
    if row["file_sha256"]:
        files = list(query_dicts(
            db, "SELECT sha256, size, original_name, media_type, stored_at "
                "FROM evidence_files WHERE sha256 = ?", [row["file_sha256"]]))
        row["file"] = files[0] if files else None
    return row


def list_documents(db: sqlite_utils.Database, *, expired: bool = False,
                   type: str | None = None, unit: str | None = None,
                   include_withdrawn: bool = False, today: date | None = None):
    """Stream documents; ``expired`` keeps only those past their review date."""
    today = today or office_today(db)
    clauses: list[str] = []
    params: list[Any] = []
    if not include_withdrawn:
        clauses.append("withdrawn_on IS NULL")
    if expired:
        clauses.append("withdrawn_on IS NULL AND review_due_on IS NOT NULL "
                       "AND review_due_on < ?")
        params.append(today.isoformat())
    if type:
        clauses.append("type = ?")
        params.append(parse_type(type))
    if unit:
        clauses.append("(unit = ? OR unit IS NULL)")
        params.append(require_unit(db, unit))
    where = " AND ".join(clauses) or "1"
    for row in query_dicts(db, f"SELECT * FROM documents WHERE {where} ORDER BY id", params):
        yield _decorate(row, today)


def withdraw_document(db: sqlite_utils.Database, doc_id: Any, *, on: Any = None,
                      today: date | None = None) -> dict[str, Any]:
    """Mark a document withdrawn (superseded); it stays in the register and the log."""
    on_date = parse_date(on, field="withdrawal date") if on else (today or office_today(db))
    with writing(db):
        row = _get_row(db, doc_id)
        if row["withdrawn_on"]:
            raise Conflict(f"Document {row['id']} was already withdrawn on "
                           f"{row['withdrawn_on']}.")
        if row["issued_on"] and on_date.isoformat() < row["issued_on"]:
            raise InvalidInput(f"The withdrawal date {on_date} is before the document was "
                               f"issued ({row['issued_on']}).")
        db.table("documents").update(row["id"], {"withdrawn_on": on_date.isoformat()})
    return get_document(db, row["id"], today=today)


def review_document(db: sqlite_utils.Database, doc_id: Any, *, on: Any = None,
                    review_every: Any = None, today: date | None = None) -> dict[str, Any]:
    """Record that a document was reviewed on a date: its next review is due from then."""
    on_date = parse_date(on, field="review date") if on else (today or office_today(db))
    with writing(db):
        row = _get_row(db, doc_id)
        if row["withdrawn_on"]:
            raise Conflict(f"Document {row['id']} was withdrawn on {row['withdrawn_on']}.")
        months = (parse_review_every(review_every) if review_every not in (None, "")
                  else row["review_months"])
        if not months:
            raise InvalidInput(f"Document {row['id']} has no review interval; pass "
                               "--review-every (e.g. 12m).")
        if row["issued_on"] and on_date.isoformat() < row["issued_on"]:
            raise InvalidInput(f"The review date {on_date} is before the document was "
                               f"issued ({row['issued_on']}).")
        db.table("documents").update(row["id"], {
            "review_months": months,
            "review_due_on": add_months(on_date, months).isoformat(),
        })
    return get_document(db, row["id"], today=today)


# documents.stale: non-withdrawn documents whose review date is before the end of the
# period. A document withdrawn after the period end was still in force during it.
# Office-wide documents (no unit) count in every unit's scope.
def stale_documents(db: sqlite_utils.Database, period, scope) -> int:
    e = period.end.isoformat()
    params: list[Any] = [e, e]
    unit_clause = ""
    if scope.units:
        unit_clause = (f" AND (unit IS NULL OR unit IN "
                       f"({', '.join('?' for _ in scope.units)}))")
        params.extend(scope.units)
    return db.execute(
        "SELECT count(*) FROM documents WHERE review_due_on IS NOT NULL "
        "AND review_due_on < ? AND (withdrawn_on IS NULL OR withdrawn_on > ?)" + unit_clause,
        params,
    ).fetchone()[0]
