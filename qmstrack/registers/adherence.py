"""Adherence observations: did a staff member keep to a rule (SOP) on a given day?

Each observation belongs to the unit of the staff member at the time it is recorded.
Results are ``comply``, ``breach`` or ``na``; the adherence rate counts only the first two.
Every observation is its own record, with an optional time of day and the object observed
(a request number, a file): an observer who checks the same clerk on two files in one day
keeps both. A recorded observation changes only through :func:`update_observation`
(``qmstrack adherence update ID``).

An import is idempotent: its key is the staff member, rule and day plus whatever of the
time, the sheet's row-number column (``No``) and the object observed the sheet has
(:func:`import_key`), stored in ``import_key``; importing the same sheet again changes
nothing, and a row whose key is already stored updates that observation.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_code, parse_date, parse_int
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

LIST_COLUMNS = ["id", "observed_on", "observed_at", "unit", "staff_nip", "rule_code",
                "object_ref", "result", "observer", "note"]

IMPORT_FIELDS = [
    Field("staff", ("nip", "petugas", "staff_nip", "pegawai", "ni_pppk", "kode_petugas",
                    "kode_pegawai"), required=True),
    Field("rule", ("kode_sop", "sop", "rule_code", "aturan"), required=True),
    Field("observed_on", ("tanggal", "tgl", "date", "tanggal_observasi"), required=True,
          kind="date"),
    Field("result", ("hasil", "kepatuhan"), required=True),
    Field("observer", ("pengamat", "auditor", "pemeriksa")),
    Field("note", ("catatan", "keterangan", "notes")),
    Field("observed_at", ("jam", "waktu", "pukul", "time", "observed_at", "jam_observasi",
                          "waktu_observasi")),
    Field("object_ref", ("objek", "object", "object_ref", "berkas", "no_berkas",
                         "nomor_berkas", "no_permohonan", "nomor_permohonan", "no_registrasi",
                         "request", "request_ref")),
    Field("row_no", ("no", "nomor", "no_urut", "nomor_urut", "row", "row_no")),
]

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)(?:[:.]\d\d)?$")


def parse_time(value: Any) -> str:
    """A time of day: ``08:30``, ``8.30``, ``08:30:00`` or a spreadsheet's time cell ->
    ``HH:MM``."""
    if isinstance(value, datetime):
        return value.strftime("%H:%M")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta) and timedelta(0) <= value < timedelta(days=1):
        minutes = int(value.total_seconds()) // 60
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    text = str(value).strip()
    m = _TIME.match(text)
    if not m:
        raise InvalidInput(f"The time {text[:20]!r} is not a time of day like 08:30.")
    return f"{int(m[1]):02d}:{m[2]}"


def import_key(record: dict[str, Any], row_no: int | None = None) -> str:
    """The part of an imported observation's key beyond staff, rule and day: the time,
    the sheet's row number and the object observed, those the sheet gives."""
    parts = []
    if record.get("observed_at"):
        parts.append(f"at {record['observed_at']}")
    if row_no is not None:
        parts.append(f"no {row_no}")
    if record.get("object_ref"):
        parts.append(f"object {record['object_ref']}")
    return " ".join(parts)


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
    at = b.get("observed_at", parse_time)
    obj = b.get("object_ref", lambda v: clean_text(v, field="object observed",
                                                   max_length=100), default="")
    row_no = b.get("row_no", lambda v: parse_int(v, field="row number", minimum=0))
    if observed and observed > lk.today:
        b.fail("observed_on", f"{observed} is in the future")
    if b.problems:
        return None
    record = {
        "staff_nip": nip, "rule_code": rule, "observed_on": observed.isoformat(),
        "observed_at": at, "object_ref": obj,
        "unit": lk.staff_unit[nip], "result": result, "observer": observer, "note": note,
    }
    record["import_key"] = import_key(record, row_no)
    return record


def _key(record: dict[str, Any]) -> tuple[str, str, str, str]:
    return (record["staff_nip"], record["rule_code"], record["observed_on"],
            record["import_key"])


_COMPARED = ("unit", "result", "observer", "note", "observed_at", "object_ref")


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    # One look-up per batch for the rows already recorded (the key has four columns: a
    # row-value IN list, answered by idx_adherence_import).
    existing: dict[tuple, tuple] = {}
    for i in range(0, len(batch), 200):
        chunk = batch[i:i + 200]
        keys = ", ".join("(?, ?, ?, ?)" for _ in chunk)
        for row in db.execute(
            "SELECT staff_nip, rule_code, observed_on, import_key, id, "
            f"{', '.join(_COMPARED)} FROM adherence "
            f"WHERE (staff_nip, rule_code, observed_on, import_key) IN (VALUES {keys})",
            [part for record in chunk for part in _key(record)],
        ):
            existing[tuple(row[:4])] = tuple(row[4:])
    inserted = updated = unchanged = 0
    new = []
    for record in batch:
        old = existing.get(_key(record))
        if old is None:
            new.append(record)
        elif tuple(old[1:]) == tuple(record[c] for c in _COMPARED):
            unchanged += 1
        else:
            db.table("adherence").update(old[0], record)
            updated += 1
    if new:
        db.table("adherence").insert_all(new)
        inserted = len(new)
    return inserted, updated, unchanged


def add_observation(db: sqlite_utils.Database, *, staff: str, rule: str, result: str,
                    on: Any = None, at: Any = None, object_ref: str = "", observer: str = "",
                    note: str = "", evidence_sha256: str | None = None,
                    evidence_file: Any = None, db_path: Any = None) -> dict[str, Any]:
    """Record one new observation (never replacing another: a second one of the same
    staff member, rule and day is kept); ``evidence_file`` is copied into the evidence
    store (beside ``db_path``) in the same transaction. The record returned has its
    ``id`` and ``same_day``: how many observations of that staff member and rule the day
    now has."""
    lk = _Lookups(db)
    values = {"staff": staff, "rule": rule, "result": result,
              "observed_on": on or office_today(db), "observed_at": at,
              "object_ref": object_ref or None, "observer": observer, "note": note}
    record = build_one(lambda b: _convert(lk, b), values)
    # Recorded by hand: not the row of an import, so no import key.
    record["import_key"] = None
    with writing(db):
        if evidence_file is not None:
            from qmstrack.evidence import store_file

            evidence_sha256 = store_file(db, db_path, evidence_file)
        if evidence_sha256:
            record["evidence_sha256"] = evidence_sha256
        record["id"] = db.table("adherence").insert(record).last_pk
    record["same_day"] = db.execute(
        "SELECT count(*) FROM adherence WHERE staff_nip = ? AND rule_code = ? "
        "AND observed_on = ?", [record["staff_nip"], record["rule_code"],
                                record["observed_on"]]).fetchone()[0]
    return record


def get_observation(db: sqlite_utils.Database, obs_id: Any) -> dict[str, Any]:
    number = parse_int(obs_id, field="observation id", minimum=1)
    rows = list(query_dicts(db, "SELECT * FROM adherence WHERE id = ?", [number]))
    if not rows:
        raise NotFound(f"There is no observation {number}; 'qmstrack adherence list' shows "
                       "them with their ids.")
    return rows[0]


_KEEP = object()


def update_observation(db: sqlite_utils.Database, obs_id: Any, *, result: Any = None,
                       on: Any = None, at: Any = _KEEP, object_ref: Any = None,
                       observer: Any = None, note: Any = None, rule: Any = None,
                       evidence_file: Any = None, drop_evidence: bool = False,
                       db_path: Any = None) -> tuple[dict[str, Any], list[str]]:
    """Correct one observation explicitly; returns it and the names of the fields that
    changed (none: nothing was written). The staff member stays (an observation of
    someone else is another observation); a new result without a new evidence file keeps
    the old file only when ``drop_evidence`` is not given."""
    if evidence_file is not None and drop_evidence:
        raise InvalidInput("Give a new evidence file or drop the old one, not both.")
    lk = _Lookups(db)
    with writing(db):
        old = get_observation(db, obs_id)
        values = {
            "staff": old["staff_nip"],
            "rule": old["rule_code"] if rule is None else rule,
            "result": old["result"] if result is None else result,
            "observed_on": old["observed_on"] if on is None else on,
            "observed_at": old["observed_at"] if at is _KEEP else at,
            "object_ref": (old["object_ref"] if object_ref is None else object_ref) or None,
            "observer": old["observer"] if observer is None else observer,
            "note": old["note"] if note is None else note,
        }
        record = build_one(lambda b: _convert(lk, b), values)
        record.pop("import_key")
        # The unit is the staff member's when the observation was recorded.
        record["unit"] = old["unit"]
        if evidence_file is not None:
            from qmstrack.evidence import store_file

            record["evidence_sha256"] = store_file(db, db_path, evidence_file)
        elif drop_evidence:
            record["evidence_sha256"] = None
        changed = [k for k, v in record.items() if old.get(k) != v]
        if changed:
            db.table("adherence").update(old["id"], {k: record[k] for k in changed})
    return get_observation(db, old["id"]), changed


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
            "ORDER BY observed_on, unit, staff_nip, rule_code, id", params)


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
