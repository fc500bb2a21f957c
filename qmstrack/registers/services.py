"""Services and their service standards (standar pelayanan, PermenPAN-RB 15/2014).

A service has a code, a name, the unit that delivers it, its service time in working days
(``sla_days``; 0 = same day), its fee in rupiah and its requirements. Services are added
one by one or imported from CSV/XLSX or YAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.db import writing
from qmstrack.errors import InvalidInput
from qmstrack.parsing import clean_text, parse_code, parse_int
from qmstrack.registers.common import query_dicts, require_unit
from qmstrack.tabular import (
    Field,
    ImportReport,
    RowBuilder,
    build_one,
    run_import,
    upsert_batch,
)

COLUMNS = ["code", "name", "unit", "sla_days", "fee", "requirements", "active"]

IMPORT_FIELDS = [
    Field("code", ("kode", "kode_layanan", "service_code"), required=True),
    Field("name", ("nama", "nama_layanan", "layanan", "service"), required=True),
    Field("unit", ("bidang", "unit_kerja"), required=True),
    Field("sla_days", ("waktu_pelayanan", "waktu", "hari_kerja", "sla", "service_time"),
          required=True),
    Field("fee", ("biaya", "tarif")),
    Field("requirements", ("persyaratan", "syarat")),
]


def build_service(db: sqlite_utils.Database, values: dict[str, Any]) -> dict[str, Any]:
    """Validate one service record (raises InvalidInput on the first bad field)."""
    return build_one(lambda b: _convert(db, b), values)


def _convert(db: sqlite_utils.Database, b: RowBuilder) -> dict[str, Any]:
    return {
        "code": b.get("code", lambda v: parse_code(v, field="service code"), required=True),
        "name": b.get("name", lambda v: clean_text(v, field="service name", max_length=300),
                      required=True),
        "unit": b.get("unit", lambda v: require_unit(db, v), required=True),
        "sla_days": b.get("sla_days", _parse_sla, required=True),
        "fee": b.get("fee", lambda v: parse_int(_strip_rp(v), field="fee", minimum=0),
                     default=0),
        "requirements": b.get(
            "requirements", lambda v: clean_text(v, field="requirements", max_length=4000),
            default=""),
        "active": 1,
    }


def _strip_rp(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("gratis", "free", "-", "rp0", "rp 0"):
            return 0
        return text.removeprefix("Rp").removeprefix("rp").strip()
    return value


def _parse_sla(value: Any) -> int:
    text = str(value).strip().lower()
    for suffix in ("hari kerja", "working days", "working day", "hari", "days", "day"):
        text = text.removesuffix(suffix).strip()
    return parse_int(text, field="service time (working days)", minimum=0, maximum=365)


def add_service(db: sqlite_utils.Database, **values: Any) -> dict[str, Any]:
    record = build_one(lambda b: _convert(db, b), values)
    with writing(db):
        db.table("services").upsert(record, pk="code")
    return record


def list_services(db: sqlite_utils.Database, units: tuple[str, ...] = ()):
    where, params = "1", []
    if units:
        where = f"unit IN ({', '.join('?' for _ in units)})"
        params = list(units)
    return query_dicts(
        db, f"SELECT {', '.join(COLUMNS)} FROM services WHERE {where} ORDER BY unit, code",
        params,
    )


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    return upsert_batch(db, "services", "code", batch)


def import_services(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    """Import services from CSV/XLSX, or from YAML (a list, or ``services:`` list)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        return _import_yaml(db, path, dry_run=options.get("dry_run", False))
    return run_import(db, path, fields=IMPORT_FIELDS, convert=lambda b: _convert(db, b),
                      write_batch=_write_batch, key=lambda r: r["code"], **options)


def _import_yaml(db: sqlite_utils.Database, path: Path, *, dry_run: bool) -> ImportReport:
    from qmstrack.errors import ImportRefused, RowProblem
    from qmstrack.tabular import RowInvalid

    data = read_yaml(path)
    if isinstance(data, dict):
        data = data.get("services")
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise InvalidInput(f"{path.name} must hold a list of services (or 'services:' list).")
    report = ImportReport(source=str(path), dry_run=dry_run)
    problems, records, seen = [], [], set()
    fields = {f.name: f for f in IMPORT_FIELDS}
    for number, item in enumerate(data, start=1):
        report.rows += 1
        values = {}
        for key, value in item.items():
            name = next((f.name for f in fields.values()
                         if str(key).lower().replace(" ", "_") in {f.name, *f.aliases}), None)
            if name is None:
                problems.append(RowProblem(number, str(key), "is not a service field"))
            else:
                values[name] = value
        builder = RowBuilder(values, {})
        record = _convert(db, builder)
        try:
            builder.done()
            if record["code"] in seen:
                raise RowInvalid([("code", f"repeats service {record['code']}")])
            seen.add(record["code"])
            records.append(record)
        except RowInvalid as exc:
            report.rejected += 1
            problems.extend(RowProblem(number, c, r) for c, r in exc.problems)
    if problems:
        raise ImportRefused(str(path), problems, len({p.row for p in problems}))
    try:
        with writing(db) as w:
            report.inserted, report.updated, report.unchanged = _write_batch(w, records)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


class _DryRun(Exception):
    """Raised inside the transaction so a dry run rolls back what it counted."""


MAX_YAML_BYTES = 10 * 1024 * 1024
MAX_INT_DIGITS = 18  # any count, fee or service time fits; a 100,000-digit one is refused


def read_yaml(path: Path) -> Any:
    """A services file read with the checklists' safe reader (:mod:`qmstrack.checklist_yaml`):
    no alias expansion, no tags constructed, nesting bounded, duplicate keys refused,
    integers of at most 18 digits. The first problem is one sentence naming the file and
    the line.
    """
    from qmstrack.checklist_yaml import BOOL, INT, NULL, Node, Problems, compose, decode

    if not path.is_file():
        raise InvalidInput(f"The file {path} does not exist.")
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        raise InvalidInput(f"{path.name} is {size / 1024 / 1024:.1f} MB; a services file may "
                           f"be at most {MAX_YAML_BYTES // 1024 // 1024} MB.")
    problems = Problems(path.name)
    text = decode(path.read_bytes(), problems)
    root = compose(text, problems) if text is not None and text.strip("\ufeff \t\r\n") \
        else None
    if root is None and not problems:
        raise InvalidInput(f"{path.name} is empty; it must hold a list of services.")

    def value(node: Node) -> Any:
        if node.kind == "map":
            return {str(value(key)): value(item) for key, item in node.value}
        if node.kind == "seq":
            return [value(item) for item in node.value]
        if node.tag == NULL:
            return None
        if node.tag == BOOL:
            return node.value.lower() in ("true", "yes", "on", "y")
        if node.tag == INT:
            digits = node.value.lstrip("+-").replace("_", "")
            if len(digits) > MAX_INT_DIGITS or not digits.isdigit():
                problems.add(node.line, "", f"the number {node.value[:20]!r}"
                             f"{'...' if len(node.value) > 20 else ''} is not a whole "
                             f"number of at most {MAX_INT_DIGITS} digits")
                return None
            return int(node.value.replace("_", ""))
        return node.value

    data = value(root) if root is not None and not problems else None
    if problems:
        line, message = sorted(problems.found, key=lambda found: found[0])[0]
        where = f", line {line}" if line else ""
        raise InvalidInput(f"{path.name}{where}: {message}; nothing was imported.")
    return data
