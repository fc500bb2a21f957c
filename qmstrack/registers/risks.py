"""Risks and opportunities (ISO 9001:2015 clause 6.1): the register risiko of each unit.

Each risk (or opportunity) belongs to a unit and a process (a service code or the name of
a process), with its description, cause and impact, a likelihood score and an impact score
from 1 to the office's scale (setting ``risk_scale``, default 5, at most 10), their product
``level`` and the band it falls in (low, medium, high, very high: the share of the highest
level, see :func:`level_band`), the treatment, its owner (a staff member) and due date, the
date of its last review, its status (open, or closed on a date) and the residual scores
after treatment. 6.1.2 asks the organisation to plan actions and evaluate their
effectiveness: a treatment whose due date passed while the risk is still open is
*overdue* (``risks.treatment_overdue``, the summary's list, the audit's evidence).

Imports (CSV/XLSX) upsert on the risk number (``ref_no``), like the other registers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import get_setting, writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_code, parse_date, parse_int
from qmstrack.registers.common import no_staff_member, query_dicts, require_unit
from qmstrack.staff_ids import staff_key
from qmstrack.tabular import Field, ImportReport, RowBuilder, build_one, run_import, upsert_batch

DEFAULT_SCALE = 5
KINDS = {"risk": "risk", "risiko": "risk", "opportunity": "opportunity",
         "peluang": "opportunity"}
BANDS = ("low", "medium", "high", "very_high")

LIST_COLUMNS = ["ref_no", "kind", "unit", "process", "description", "likelihood", "severity",
                "level", "band", "treatment", "owner_nip", "due_on", "reviewed_on", "status",
                "closed_on", "residual_level", "overdue"]


def risk_scale(db: sqlite_utils.Database) -> int:
    """The top of the likelihood and impact scores (setting ``risk_scale``, default 5)."""
    value = get_setting(db, "risk_scale")
    return int(value) if value else DEFAULT_SCALE


def parse_scale(value: Any) -> int:
    scale = parse_int(value, field="risk scale")
    if not 3 <= scale <= 10:
        raise InvalidInput("The risk scale must be between 3 and 10 (5 for a 5 x 5 matrix).")
    return scale


def level_band(level: int | None, scale: int) -> str | None:
    """The band of a level as a share of the highest (scale x scale): up to 20% low, up to
    44% medium, up to 60% high, above very high (on a 5 x 5 matrix: 1-5, 6-11, 12-15,
    16-25)."""
    if level is None:
        return None
    share = level / (scale * scale)
    return "low" if share <= 0.2 else "medium" if share <= 0.44 else \
        "high" if share <= 0.6 else "very_high"


def parse_score(value: Any, field: str, scale: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    score = parse_int(value, field=f"{field} score")
    if not 1 <= score <= scale:
        raise InvalidInput(f"The {field} score {score} is outside the scale 1-{scale}.")
    return score


def parse_kind(value: Any) -> str:
    kind = KINDS.get(str(value or "").strip().lower())
    if kind is None:
        raise InvalidInput(f"The kind {str(value)[:20]!r} is not risk or opportunity "
                           "(risiko, peluang).")
    return kind


IMPORT_FIELDS = [
    Field("ref_no", ("no_risiko", "nomor_risiko", "kode_risiko", "kode", "ref", "ref_no",
                     "risk_no"), required=True),
    Field("kind", ("jenis", "risiko_peluang", "kind")),
    Field("unit", ("unit", "bidang", "unit_kerja"), required=True),
    Field("process", ("proses", "layanan", "proses_layanan", "process")),
    Field("description", ("risiko", "uraian_risiko", "uraian", "deskripsi", "description",
                          "risk"), required=True),
    Field("cause", ("penyebab", "sebab", "cause")),
    Field("impact", ("akibat", "dampak_risiko", "uraian_dampak", "impact")),
    Field("likelihood", ("kemungkinan", "skor_kemungkinan", "nilai_kemungkinan", "k",
                         "likelihood", "probabilitas"), required=True),
    Field("severity", ("dampak", "skor_dampak", "nilai_dampak", "d", "impact_score",
                       "severity"), required=True),
    Field("treatment", ("penanganan", "rencana_penanganan", "mitigasi", "tindakan",
                        "treatment")),
    Field("owner", ("pemilik_risiko", "penanggung_jawab", "pj", "nip_pemilik", "owner")),
    Field("identified_on", ("tanggal_identifikasi", "tanggal", "identified_on"), kind="date"),
    Field("due_on", ("batas_waktu", "target_waktu", "tenggat", "due_on", "due"), kind="date"),
    Field("reviewed_on", ("tanggal_tinjauan", "ditinjau", "reviewed_on"), kind="date"),
    Field("status", ("status",)),
    Field("closed_on", ("tanggal_ditutup", "ditutup", "closed_on"), kind="date"),
    Field("residual_likelihood", ("kemungkinan_residual", "k_residual",
                                  "residual_likelihood")),
    Field("residual_severity", ("dampak_residual", "d_residual", "residual_impact_score",
                                "residual_severity")),
]


class _Convert:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.scale = risk_scale(db)
        self.today = office_today(db)
        self.staff = {r[0] for r in db.execute("SELECT nip FROM staff")}

    def owner(self, value: Any) -> str:
        key = staff_key(value)
        if key not in self.staff:
            raise InvalidInput(no_staff_member(key))
        return key

    def __call__(self, b: RowBuilder) -> dict[str, Any] | None:
        scale = self.scale
        ref = b.get("ref_no", lambda v: parse_code(v, field="risk number").upper(),
                    required=True)
        kind = b.get("kind", parse_kind, default="risk")
        unit = b.get("unit", lambda v: require_unit(self.db, v), required=True)

        def text(name: str, limit: int = 2000, required: bool = False) -> str:
            return b.get(name, lambda v: clean_text(v, field=name, max_length=limit),
                         required=required, default="")

        process = text("process", 200)
        description = text("description", 2000, required=True)
        cause, impact, treatment = text("cause"), text("impact"), text("treatment")
        likelihood = b.get("likelihood", lambda v: parse_score(v, "likelihood", scale),
                           required=True)
        severity = b.get("severity", lambda v: parse_score(v, "impact", scale), required=True)
        owner = b.get("owner", self.owner)
        dates: dict[str, date | None] = {
            name: b.get(name, _date_reader(name.replace("_on", "") + " date"))
            for name in ("identified_on", "due_on", "reviewed_on", "closed_on")}
        status = b.get("status", lambda v: {"open": "open", "terbuka": "open",
                                            "aktif": "open", "closed": "closed",
                                            "ditutup": "closed", "selesai": "closed"}.get(
            str(v).strip().lower()) or _bad_status(v))
        r_likelihood = b.get("residual_likelihood",
                             lambda v: parse_score(v, "residual likelihood", scale))
        r_severity = b.get("residual_severity",
                           lambda v: parse_score(v, "residual impact", scale))
        if b.problems:
            return None
        # Without its date, a risk was identified by the first date the row gives.
        identified = dates["identified_on"] or min(
            [self.today, *(d for d in dates.values() if d is not None)])
        for name in ("identified_on", "reviewed_on", "closed_on"):
            day = dates[name]
            if day is not None and day > self.today:
                b.fail(name, f"{day} is in the future")
        for name in ("due_on", "reviewed_on", "closed_on"):
            day = dates[name]
            if day is not None and day < identified:
                b.fail(name, f"{day} is before the risk was identified ({identified})")
        closed = dates["closed_on"]
        status = status or ("closed" if closed else "open")
        if status == "closed" and not closed:
            b.fail("closed_on", "a closed risk needs the date it was closed")
        if status == "open" and closed:
            b.fail("status", "a risk with a closing date is not open")
        if (r_likelihood is None) != (r_severity is None):
            b.fail("residual_severity" if r_likelihood else "residual_likelihood",
                   "the residual level needs both the residual likelihood and impact scores")
        if b.problems:
            return None

        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "ref_no": ref, "kind": kind, "unit": unit, "process": process,
            "description": description, "cause": cause, "impact": impact,
            "likelihood": likelihood, "severity": severity, "level": likelihood * severity,
            "treatment": treatment, "owner_nip": owner, "identified_on": identified.isoformat(),
            "due_on": iso(dates["due_on"]), "reviewed_on": iso(dates["reviewed_on"]),
            "status": status, "closed_on": iso(closed),
            "residual_likelihood": r_likelihood, "residual_severity": r_severity,
            "residual_level": r_likelihood * r_severity if r_likelihood else None,
        }


def _date_reader(field: str):
    def read(value: Any) -> date:
        return parse_date(value, field=field)

    return read


def _bad_status(value: Any) -> str:
    raise InvalidInput(f"The status {str(value)[:20]!r} is not open or closed "
                       "(terbuka, ditutup).")


def next_ref(db: sqlite_utils.Database, unit: str) -> str:
    """``R-SMA-001``, ``R-SMA-002``...: the next free number of the unit."""
    n = db.execute("SELECT count(*) FROM risks WHERE unit = ?", [unit]).fetchone()[0] + 1
    while db.execute("SELECT 1 FROM risks WHERE ref_no = ?", [f"R-{unit}-{n:03d}"]).fetchone():
        n += 1
    return f"R-{unit}-{n:03d}"


def add_risk(db: sqlite_utils.Database, **values: Any) -> dict[str, Any]:
    """Record a risk or opportunity; its number is the next of its unit unless given."""
    values = {k: v for k, v in values.items() if v not in (None, "")}
    with writing(db):
        if "ref_no" not in values:
            values["ref_no"] = next_ref(db, require_unit(db, values.get("unit")))
        record = build_one(_Convert(db), values)
        if db.execute("SELECT 1 FROM risks WHERE ref_no = ?", [record["ref_no"]]).fetchone():
            raise Conflict(f"Risk {record['ref_no']} is already recorded; 'qmstrack risk "
                           "update' changes it.")
        db.table("risks").insert(record)
    return get_risk(db, record["ref_no"])


def get_risk(db: sqlite_utils.Database, ref: Any) -> dict[str, Any]:
    key = parse_code(ref, field="risk number").upper()
    rows = list(query_dicts(db, "SELECT * FROM risks WHERE ref_no = ?", [key]))
    if not rows:
        raise NotFound(f"There is no risk {key!r}; 'qmstrack risk list' shows them.")
    return _decorate(rows[0], risk_scale(db), office_today(db))


def _decorate(row: dict[str, Any], scale: int, today: date) -> dict[str, Any]:
    row["band"] = level_band(row["level"], scale)
    row["residual_band"] = level_band(row["residual_level"], scale)
    row["overdue"] = bool(row["status"] == "open" and row["due_on"]
                          and row["due_on"] < today.isoformat())
    return row


_UPDATABLE = ("kind", "process", "description", "cause", "impact", "likelihood", "severity",
              "treatment", "owner", "due_on", "reviewed_on", "status", "closed_on",
              "residual_likelihood", "residual_severity")


def update_risk(db: sqlite_utils.Database, ref: Any, **changes: Any
                ) -> tuple[dict[str, Any], list[str]]:
    """Change a risk (a review, a new treatment, closing it, the residual scores); returns
    it and the columns that changed."""
    with writing(db):
        old = get_risk(db, ref)
        values: dict[str, Any] = {
            "ref_no": old["ref_no"], "unit": old["unit"], "identified_on": old["identified_on"],
            "owner": old["owner_nip"],
            **{k: old[k] for k in _UPDATABLE if k in old}}
        for k, v in changes.items():
            if v is not None:
                values[k] = v
        if changes.get("status") == "open":
            values["closed_on"] = None
        record = build_one(_Convert(db), {k: v for k, v in values.items() if v not in
                                          (None, "")})
        changed = [k for k, v in record.items() if old.get(k) != v]
        if changed:
            db.table("risks").update(old["id"], {k: record[k] for k in changed})
    return get_risk(db, old["ref_no"]), changed


def list_risks(db: sqlite_utils.Database, *, units: tuple[str, ...] = (),
               status: str | None = None, overdue: bool = False, today: date | None = None):
    today = today or office_today(db)
    scale = risk_scale(db)
    clauses: list[str] = []
    params: list[Any] = []
    if units:
        clauses.append(f"unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    if status:
        if status not in ("open", "closed"):
            raise InvalidInput(f"The status {status[:20]!r} is not open or closed.")
        clauses.append("status = ?")
        params.append(status)
    if overdue:
        clauses.append("status = 'open' AND due_on < ?")
        params.append(today.isoformat())
    where = " AND ".join(clauses) or "1"
    for row in query_dicts(db, f"SELECT * FROM risks WHERE {where} "
                               "ORDER BY unit, level DESC, ref_no", params):
        yield _decorate(row, scale, today)


def risk_matrix(db: sqlite_utils.Database, *, units: tuple[str, ...] = (),
                residual: bool = False) -> dict[str, Any]:
    """The heat map of the open risks: ``cells[likelihood][impact]`` lists their numbers;
    ``residual`` places them by their residual scores (those that have them)."""
    scale = risk_scale(db)
    lk, sv = ("residual_likelihood", "residual_severity") if residual else \
        ("likelihood", "severity")
    where = f"status = 'open' AND kind = 'risk' AND {lk} IS NOT NULL"
    params: list[Any] = []
    if units:
        where += f" AND unit IN ({', '.join('?' for _ in units)})"
        params.extend(units)
    cells: dict[int, dict[int, list[str]]] = {
        likelihood: {impact: [] for impact in range(1, scale + 1)}
        for likelihood in range(1, scale + 1)}
    for ref, likelihood, impact in db.execute(
            f"SELECT ref_no, {lk}, {sv} FROM risks WHERE {where} ORDER BY ref_no", params):
        if likelihood <= scale and impact <= scale:
            cells[likelihood][impact].append(ref)
    rows = [{"likelihood": likelihood,
             "cells": [{"impact": impact, "refs": cells[likelihood][impact],
                        "level": likelihood * impact,
                        "band": level_band(likelihood * impact, scale)}
                       for impact in range(1, scale + 1)]}
            for likelihood in range(scale, 0, -1)]
    return {"scale": scale, "rows": rows, "units": list(units), "residual": residual,
            "total": sum(len(refs) for row in cells.values() for refs in row.values())}


def import_risks(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    convert = _Convert(db)
    return run_import(db, path, fields=IMPORT_FIELDS, convert=convert,
                      write_batch=lambda d, batch: upsert_batch(d, "risks", "ref_no", batch),
                      key=lambda r: r["ref_no"], **options)


def _overdue_rows(db: sqlite_utils.Database, period, scope) -> list[tuple]:
    e = period.end.isoformat()
    params: list[Any] = [e, e, e]
    unit_clause = ""
    if scope.units:
        unit_clause = f" AND unit IN ({', '.join('?' for _ in scope.units)})"
        params.extend(scope.units)
    return db.execute(
        "SELECT ref_no, unit, description, due_on, owner_nip FROM risks "
        "WHERE identified_on <= ? AND (closed_on IS NULL OR closed_on > ?) "
        "AND due_on IS NOT NULL AND due_on < ?" + unit_clause + " ORDER BY due_on, ref_no",
        params).fetchall()


# risks.treatment_overdue: risks and opportunities open at the end of the period whose
# treatment was due before it (ISO 9001:2015 6.1.2: actions planned, their effectiveness
# evaluated).
def treatment_overdue(db: sqlite_utils.Database, period, scope) -> int:
    return len(_overdue_rows(db, period, scope))


def overdue_evidence(db: sqlite_utils.Database, period, scope) -> list[str]:
    """The risks ``risks.treatment_overdue`` counts, as the audit names them."""
    return [f"{ref} {unit}: {description[:80]} (treatment due {due})"
            for ref, unit, description, due, _owner in _overdue_rows(db, period, scope)]


def overdue_treatments(db: sqlite_utils.Database, period, scope) -> list[dict[str, Any]]:
    """The same risks as records, for the summary."""
    return [{"ref_no": ref, "unit": unit, "description": description, "due_on": due,
             "owner_nip": owner}
            for ref, unit, description, due, owner in _overdue_rows(db, period, scope)]


def risk_summary(db: sqlite_utils.Database, period) -> dict[str, Any]:
    """Open risks at the end of the period by band, before and after treatment (the review
    pack's 9.3.2 e))."""
    e = period.end.isoformat()
    scale = risk_scale(db)
    counts = {band: 0 for band in BANDS}
    residual = {band: 0 for band in BANDS}
    opportunities = 0
    for kind, level, r_level in db.execute(
            "SELECT kind, level, residual_level FROM risks WHERE identified_on <= ? "
            "AND (closed_on IS NULL OR closed_on > ?)", [e, e]):
        if kind == "opportunity":
            opportunities += 1
            continue
        counts[str(level_band(level, scale))] += 1
        if r_level is not None:
            residual[str(level_band(r_level, scale))] += 1
    closed = db.execute("SELECT count(*) FROM risks WHERE closed_on BETWEEN ? AND ?",
                        [period.start.isoformat(), e]).fetchone()[0]
    return {"bands": counts, "residual_bands": residual, "open": sum(counts.values()),
            "opportunities": opportunities, "closed_in_period": closed}
