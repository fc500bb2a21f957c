"""Rules staff must follow: SOPs and regulations, each evidencing ISO clauses."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.db import writing
from qmstrack.errors import InvalidInput
from qmstrack.parsing import clean_text, parse_code
from qmstrack.registers.common import query_dicts, require_unit
from qmstrack.tabular import (
    Field,
    ImportReport,
    RowBuilder,
    build_one,
    run_import,
    upsert_batch,
)

COLUMNS = ["code", "title", "unit", "clauses"]

IMPORT_FIELDS = [
    Field("code", ("kode", "kode_sop", "no_sop", "nomor_sop", "rule"), required=True),
    Field("title", ("judul", "nama", "nama_sop"), required=True),
    Field("unit", ("bidang", "unit_kerja")),
    Field("clauses", ("klausul", "klausul_iso", "iso_clauses")),
]

_CLAUSE = re.compile(r"^\d{1,2}(\.\d{1,2}){0,3}$")


def parse_clauses(value: Any) -> str:
    """``'8.5.1, 7.5'`` -> ``'7.5,8.5.1'`` (validated clause references)."""
    if isinstance(value, (list, tuple)):
        parts = [str(p).strip() for p in value]
    else:
        parts = [p.strip() for p in re.split(r"[,;\s]+", str(value or "")) if p.strip()]
    for part in parts:
        if not _CLAUSE.match(part):
            raise InvalidInput(f"The clause reference {part[:20]!r} is not like 8.5.1.")
    key = lambda ref: [int(x) for x in ref.split(".")]  # noqa: E731
    return ",".join(sorted(set(parts), key=key))


def _known_clauses(db: sqlite_utils.Database) -> Callable[[Any], str]:
    """:func:`parse_clauses`, each clause also checked against the office's checklist."""
    from qmstrack.checklists import office_clause_check

    check = office_clause_check(db)

    def parse(value: Any) -> str:
        refs = parse_clauses(value)
        for ref in refs.split(",") if refs else ():
            check(ref)
        return refs

    return parse


def _convert(db: sqlite_utils.Database, b: RowBuilder,
             clauses: Callable[[Any], str]) -> dict[str, Any]:
    return {
        "code": b.get("code", lambda v: parse_code(v, field="rule code"), required=True),
        "title": b.get("title", lambda v: clean_text(v, field="title", max_length=300),
                       required=True),
        "unit": b.get("unit", lambda v: require_unit(db, v)),
        "clauses": b.get("clauses", clauses, default=""),
    }


def add_rule(db: sqlite_utils.Database, **values: Any) -> dict[str, Any]:
    clauses = _known_clauses(db)
    record = build_one(lambda b: _convert(db, b, clauses), values)
    with writing(db):
        db.table("rules").upsert(record, pk="code")
    return record


def list_rules(db: sqlite_utils.Database, units: tuple[str, ...] = ()):
    where, params = "1", []
    if units:
        where = f"(unit IN ({', '.join('?' for _ in units)}) OR unit IS NULL)"
        params = list(units)
    return query_dicts(db, f"SELECT {', '.join(COLUMNS)} FROM rules WHERE {where} "
                           "ORDER BY code", params)


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    return upsert_batch(db, "rules", "code", batch)


def import_rules(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    clauses = _known_clauses(db)
    return run_import(db, path, fields=IMPORT_FIELDS,
                      convert=lambda b: _convert(db, b, clauses),
                      write_batch=_write_batch, key=lambda r: r["code"], **options)
