"""Lookups shared by the registers: units, services and staff that a record refers to."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlite_utils

from qmstrack.errors import InvalidInput, NotFound
from qmstrack.i18n import _
from qmstrack.parsing import parse_code


def query_dicts(db: sqlite_utils.Database, sql: str, params=()):
    """Stream the rows of a query as dicts."""
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def known_units(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT code FROM units ORDER BY code")]


def require_unit(db: sqlite_utils.Database, value: object) -> str:
    code = parse_code(value, field="unit")
    if db.execute("SELECT 1 FROM units WHERE code = ?", [code]).fetchone() is None:
        known = ", ".join(known_units(db)) or _("none yet")
        raise InvalidInput(_(
            "There is no unit {code!r} (known: {known}); add it with 'qmstrack unit add'.")
            .format(code=code, known=known))
    return code


def require_units(db: sqlite_utils.Database, values) -> tuple[str, ...]:
    return tuple(sorted({require_unit(db, v) for v in values or ()}))


def get_service(db: sqlite_utils.Database, code: str) -> dict[str, Any]:
    rows = list(query_dicts(db, "SELECT * FROM services WHERE code = ?", [code]))
    if not rows:
        raise NotFound(_("There is no service {code!r}; 'qmstrack service list' shows them.")
                       .format(code=code))
    return rows[0]


def get_staff(db: sqlite_utils.Database, staff: object) -> dict[str, Any]:
    """The staff member named by a NIP, NI PPPK or office code, however it was typed."""
    from qmstrack.staff_ids import staff_key

    key = staff_key(staff)
    rows = list(query_dicts(db, "SELECT * FROM staff WHERE nip = ?", [key]))
    if not rows:
        raise NotFound(_("There is no staff member with NIP, NI PPPK or code {key}; add them "
                         "with 'qmstrack staff add'.").format(key=key))
    return rows[0]


def no_staff_member(key: str) -> str:
    return _("There is no staff member with NIP, NI PPPK or code {key}.").format(key=key)


def iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def date_filters(column: str, since: date | None, until: date | None
                 ) -> tuple[list[str], list[Any]]:
    clauses, params = [], []
    if since:
        clauses.append(f"{column} >= ?")
        params.append(since.isoformat())
    if until:
        clauses.append(f"{column} <= ?")
        params.append(until.isoformat())
    return clauses, params
