"""Adherence observations: did a staff member keep to a rule (SOP) on a given day?

Each observation belongs to the unit of the staff member at the time it is recorded.
Results are ``comply``, ``breach`` or ``na``; the adherence rate counts only the first two.
One observation per staff member, rule and day (the natural key for idempotent imports).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import InvalidInput
from qmstrack.parsing import clean_text, parse_code, parse_date
from qmstrack.registers.common import date_filters, no_staff_member, query_dicts
from qmstrack.staff_ids import staff_key
from qmstrack.tabular import Field, ImportReport, RowBuilder, build_one, run_import

RESULTS = {
    "comply": "comply", "complies": "comply", "yes": "comply", "ya": "comply",
    "patuh": "comply", "sesuai": "comply", "breach": "breach", "no": "breach",
    "tidak": "breach", "tidak patuh": "breach", "tidakpatuh": "breach",
    "tidak sesuai": "breach", "melanggar": "breach", "na": "na", "n/a": "na", "n.a.": "na",
    "not applicable": "na", "tidak berlaku": "na", "tb": "na", "-": "na",
}

LIST_COLUMNS = ["observed_on", "unit", "staff_nip", "rule_code", "result", "observer", "note"]

IMPORT_FIELDS = [
    Field("staff", ("nip", "petugas", "staff_nip", "pegawai", "ni_pppk", "kode_petugas",
                    "kode_pegawai"), required=True),
    Field("rule", ("kode_sop", "sop", "rule_code", "aturan"), required=True),
    Field("observed_on", ("tanggal", "tgl", "date", "tanggal_observasi"), required=True,
          kind="date"),
    Field("result", ("hasil", "kepatuhan"), required=True),
    Field("observer", ("pengamat", "auditor", "pemeriksa")),
    Field("note", ("catatan", "keterangan", "notes")),
]


def parse_result(value: Any) -> str:
    text = " ".join(str(value).strip().lower().split())
    if text not in RESULTS:
        raise InvalidInput(
            f"The result {str(value)[:30]!r} is not comply, breach or na "
            "(patuh, tidak patuh, tidak berlaku)."
        )
    return RESULTS[text]


class _Lookups:
    def __init__(self, db: sqlite_utils.Database):
        self.today = office_today(db)
        self.staff_unit = dict(db.execute("SELECT nip, unit FROM staff").fetchall())
        self.rules = {r[0] for r in db.execute("SELECT code FROM rules")}

    def staff(self, value: Any) -> str:
        key = staff_key(value)
        if key not in self.staff_unit:
            raise InvalidInput(no_staff_member(key))
        return key

    def rule(self, value: Any) -> str:
        code = parse_code(value, field="rule code")
        if code not in self.rules:
            raise InvalidInput(f"There is no rule {code!r}; add it with 'qmstrack rule add'.")
        return code


def _convert(lk: _Lookups, b: RowBuilder) -> dict[str, Any] | None:
    nip = b.get("staff", lk.staff, required=True)
    rule = b.get("rule", lk.rule, required=True)
    observed = b.get("observed_on", lambda v: parse_date(v, field="observation date"),
                     required=True)
    result = b.get("result", parse_result, required=True)
    observer = b.get("observer", lambda v: clean_text(v, field="observer", max_length=200),
                     default="")
    note = b.get("note", lambda v: clean_text(v, field="note", max_length=4000), default="")
    if observed and observed > lk.today:
        b.fail("observed_on", f"{observed} is in the future")
    if b.problems:
        return None
    return {
        "staff_nip": nip, "rule_code": rule, "observed_on": observed.isoformat(),
        "unit": lk.staff_unit[nip], "result": result, "observer": observer, "note": note,
    }


def _key(record: dict[str, Any]) -> tuple[str, str, str]:
    return (record["staff_nip"], record["rule_code"], record["observed_on"])


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    # One look-up per batch for the rows already recorded (the natural key has three
    # columns: a row-value IN list).
    existing: dict[tuple, tuple] = {}
    for i in range(0, len(batch), 300):
        chunk = batch[i:i + 300]
        keys = ", ".join("(?, ?, ?)" for _ in chunk)
        for row in db.execute(
            "SELECT staff_nip, rule_code, observed_on, id, unit, result, observer, note "
            f"FROM adherence WHERE (staff_nip, rule_code, observed_on) IN (VALUES {keys})",
            [part for record in chunk for part in _key(record)],
        ):
            existing[tuple(row[:3])] = tuple(row[3:])
    inserted = updated = unchanged = 0
    new = []
    for record in batch:
        old = existing.get(_key(record))
        if old is None:
            new.append(record)
        elif tuple(old[1:]) == (record["unit"], record["result"], record["observer"],
                                record["note"]):
            unchanged += 1
        else:
            db.table("adherence").update(old[0], record)
            updated += 1
    if new:
        db.table("adherence").insert_all(new)
        inserted = len(new)
    return inserted, updated, unchanged


def add_observation(db: sqlite_utils.Database, *, staff: str, rule: str, result: str,
                    on: Any = None, observer: str = "", note: str = "",
                    evidence_sha256: str | None = None, evidence_file: Any = None,
                    db_path: Any = None) -> dict[str, Any]:
    """Record one observation; ``evidence_file`` is copied into the evidence store (beside
    ``db_path``) in the same transaction."""
    lk = _Lookups(db)
    values = {"staff": staff, "rule": rule, "result": result,
              "observed_on": on or office_today(db), "observer": observer, "note": note}
    record = build_one(lambda b: _convert(lk, b), values)
    with writing(db):
        if evidence_file is not None:
            from qmstrack.evidence import store_file

            evidence_sha256 = store_file(db, db_path, evidence_file)
        if evidence_sha256:
            record["evidence_sha256"] = evidence_sha256
        _write_batch(db, [record])
    return record


def import_observations(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    lk = _Lookups(db)
    return run_import(db, path, fields=IMPORT_FIELDS, convert=lambda b: _convert(lk, b),
                      write_batch=_write_batch, key=_key, **options)


def list_observations(db: sqlite_utils.Database, *, units: tuple[str, ...] = (),
                      staff: str | None = None, rule: str | None = None,
                      result: str | None = None, since: date | None = None,
                      until: date | None = None):
    clauses, params = date_filters("observed_on", since, until)
    if units:
        clauses.append(f"unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    if staff:
        clauses.append("staff_nip = ?")
        params.append(staff_key(staff))
    if rule:
        clauses.append("rule_code = ?")
        params.append(rule)
    if result:
        clauses.append("result = ?")
        params.append(parse_result(result))
    where = " AND ".join(clauses) or "1"
    return query_dicts(
        db, f"SELECT {', '.join(LIST_COLUMNS)} FROM adherence WHERE {where} "
            "ORDER BY observed_on, unit, staff_nip, rule_code", params)


GROUPINGS = {"unit": "a.unit", "staff": "a.staff_nip", "rule": "a.rule_code"}


def adherence_stats(db: sqlite_utils.Database, *, by: str = "unit",
                    units: tuple[str, ...] = (), since: date | None = None,
                    until: date | None = None):
    """comply / breach / na counts and the rate, grouped by unit, staff or rule."""
    if by not in GROUPINGS:
        raise InvalidInput(f"The grouping {str(by)[:20]!r} is not one of "
                           f"{', '.join(GROUPINGS)}.")
    clauses, params = date_filters("a.observed_on", since, until)
    if units:
        clauses.append(f"a.unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    where = " AND ".join(clauses) or "1"
    label = {"unit": "u.name", "staff": "s.name", "rule": "r.title"}[by]
    sql = f"""
        SELECT {GROUPINGS[by]} AS key, {label} AS name,
               sum(a.result = 'comply') AS comply, sum(a.result = 'breach') AS breach,
               sum(a.result = 'na') AS na
        FROM adherence a
        JOIN units u ON u.code = a.unit
        JOIN staff s ON s.nip = a.staff_nip
        JOIN rules r ON r.code = a.rule_code
        WHERE {where}
        GROUP BY {GROUPINGS[by]}
        ORDER BY {GROUPINGS[by]}
    """
    for row in query_dicts(db, sql, params):
        rated = row["comply"] + row["breach"]
        row["observations"] = rated + row["na"]
        row["rate"] = row["comply"] / rated if rated else None
        yield row
