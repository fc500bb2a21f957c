"""Staff (pegawai): NIP, name, unit, position, active flag.

The NIP is validated (18 digits: birth date, appointment year and month, sex 1/2, serial)
and stored without spaces; people may type it with spaces (``19860926 201505 1 001``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.db import writing
from qmstrack.errors import InvalidInput
from qmstrack.parsing import clean_text, parse_nip
from qmstrack.registers.common import query_dicts, require_unit
from qmstrack.tabular import (
    Field,
    ImportReport,
    RowBuilder,
    build_one,
    run_import,
    upsert_batch,
)

COLUMNS = ["nip", "name", "unit", "position", "active"]

IMPORT_FIELDS = [
    Field("nip", ("nip_pegawai", "nomor_induk_pegawai"), required=True),
    Field("name", ("nama", "nama_pegawai"), required=True),
    Field("unit", ("bidang", "unit_kerja"), required=True),
    Field("position", ("jabatan",)),
    Field("active", ("aktif", "status")),
]

_TRUE = {"1", "yes", "ya", "y", "true", "aktif", "active"}
_FALSE = {"0", "no", "tidak", "n", "false", "nonaktif", "non-aktif", "inactive", "pensiun"}


def _parse_active(value: Any) -> int:
    text = str(value).strip().lower()
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    raise InvalidInput(f"The active flag {text!r} is not yes/no (ya/tidak).")


def _convert(db: sqlite_utils.Database, b: RowBuilder) -> dict[str, Any]:
    nip = b.get("nip", parse_nip, required=True)
    return {
        "nip": nip.value if nip else None,
        "name": b.get("name", lambda v: clean_text(v, field="name", max_length=200),
                      required=True),
        "unit": b.get("unit", lambda v: require_unit(db, v), required=True),
        "position": b.get("position", lambda v: clean_text(v, field="position",
                                                           max_length=200), default=""),
        "active": b.get("active", _parse_active, default=1),
    }


def add_staff(db: sqlite_utils.Database, **values: Any) -> dict[str, Any]:
    record = build_one(lambda b: _convert(db, b), values)
    with writing(db):
        db.table("staff").upsert(record, pk="nip")
    return record


def list_staff(db: sqlite_utils.Database, units: tuple[str, ...] = (),
               include_inactive: bool = False):
    clauses: list[str] = []
    params: list[Any] = []
    if units:
        clauses.append(f"unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    if not include_inactive:
        clauses.append("active = 1")
    where = " AND ".join(clauses) or "1"
    return query_dicts(
        db, f"SELECT {', '.join(COLUMNS)} FROM staff WHERE {where} ORDER BY unit, name",
        params,
    )


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    return upsert_batch(db, "staff", "nip", batch)


def import_staff(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    return run_import(db, path, fields=IMPORT_FIELDS, convert=lambda b: _convert(db, b),
                      write_batch=_write_batch, key=lambda r: r["nip"], **options)
