"""The organisational units in scope (e.g. SMP, SMA, SEKRETARIAT)."""

from __future__ import annotations

import sqlite_utils

from qmstrack.db import writing
from qmstrack.parsing import clean_text, parse_code
from qmstrack.registers.common import query_dicts


def add_unit(db: sqlite_utils.Database, code: str, name: str | None = None) -> dict:
    """Add a unit, or rename an existing one."""
    record = {
        "code": parse_code(code, field="unit"),
        "name": clean_text(name or code, field="unit name", max_length=200, required=True),
    }
    with writing(db):
        db.table("units").upsert(record, pk="code")
    return record


def list_units(db: sqlite_utils.Database):
    return query_dicts(db, "SELECT code, name FROM units ORDER BY code")
