"""Staff (pegawai): who they are (employment type and identifier), name, unit, position.

Each staff member is PNS (identified by the NIP), PPPK (the NI PPPK) or non-ASN (a code the
office gives, such as ``KEAMANAN-01``): the rules of each are in ``qmstrack.staff_ids``.
Identifiers are stored without spaces (codes in capitals) in the column ``nip``; people may
type NIPs with spaces (``19860926 201505 1 001``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import InvalidInput
from qmstrack.parsing import clean_text
from qmstrack.registers.common import query_dicts, require_unit
from qmstrack.staff_ids import parse_employment, parse_staff_id
from qmstrack.tabular import (
    Field,
    ImportReport,
    RowBuilder,
    build_one,
    run_import,
    upsert_batch,
)

# What scripts get (--json, --csv): ``id`` is the NIP, NI PPPK or code; ``nip`` the NIP of
# a PNS only (it was the identifier before there were other employment types).
COLUMNS = ["id", "employment", "nip", "name", "unit", "position", "active"]
TABLE_COLUMNS = ["id", "employment", "name", "unit", "position", "active"]

IMPORT_FIELDS = [
    Field("nip", ("nip_pegawai", "nomor_induk_pegawai", "id", "ni_pppk", "nip_ni_pppk",
                  "nomor_induk", "kode", "kode_pegawai", "kode_petugas", "nip_kode"),
          required=True),
    Field("name", ("nama", "nama_pegawai"), required=True),
    Field("unit", ("bidang", "unit_kerja"), required=True),
    Field("position", ("jabatan",)),
    Field("active", ("aktif", "status")),
    Field("employment", ("status_kepegawaian", "jenis_pegawai", "status_pegawai",
                         "jenis_kepegawaian", "kepegawaian")),
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


def _convert(db: sqlite_utils.Database, b: RowBuilder, today) -> dict[str, Any] | None:
    employment = b.get("employment", parse_employment)
    if b.problems:
        b.get("nip", lambda v: v, required=True)
        staff_id = None
    else:
        staff_id = b.get("nip", lambda v: parse_staff_id(v, employment, today=today),
                         required=True)
    return {
        "nip": staff_id.value if staff_id else None,
        "employment": staff_id.employment if staff_id else employment,
        "name": b.get("name", lambda v: clean_text(v, field="name", max_length=200),
                      required=True),
        "unit": b.get("unit", lambda v: require_unit(db, v), required=True),
        "position": b.get("position", lambda v: clean_text(v, field="position",
                                                           max_length=200), default=""),
        "active": b.get("active", _parse_active, default=1),
    }


def add_staff(db: sqlite_utils.Database, **values: Any) -> dict[str, Any]:
    """Add (or update) a staff member: ``nip`` (the NIP, NI PPPK or code), ``employment``
    (optional: told from the identifier), ``name``, ``unit``, ``position``."""
    today = office_today(db)
    record = build_one(lambda b: _convert(db, b, today), values)
    with writing(db):
        db.table("staff").upsert(record, pk="nip")
    return record


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["nip"], "employment": row["employment"],
            "nip": row["nip"] if row["employment"] == "pns" else None,
            "name": row["name"], "unit": row["unit"], "position": row["position"],
            "active": row["active"]}


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
    rows = query_dicts(
        db, "SELECT nip, employment, name, unit, position, active FROM staff "
            f"WHERE {where} ORDER BY unit, name", params)
    return (_listed(row) for row in rows)


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    return upsert_batch(db, "staff", "nip", batch)


def import_staff(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    today = office_today(db)
    return run_import(db, path, fields=IMPORT_FIELDS,
                      convert=lambda b: _convert(db, b, today),
                      write_batch=_write_batch, key=lambda r: r["nip"], **options)
