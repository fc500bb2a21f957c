"""Competence (ISO 9001:2015 clause 7.2): what each position requires, and the training
records that show the people in it meet it.

The office lists its competences (``competences``: a code and a title), which of them each
position requires (``position_competences``; the position is the staff register's
``position``, compared without regard to case), and its training records (``trainings``):
who (a staff member of any employment type: PNS, PPPK, non-ASN), which competence, what,
when, how many hours, the certificate file (kept in the evidence store) and the evaluation
of its effectiveness (7.2 d: "evaluate the effectiveness of the actions taken").

A staff member has a *gap* for a competence their position requires when no training for it
is recorded on or before the day, or the only ones were evaluated not effective.
``competence.gaps`` counts the gaps of the active staff at the end of a period; the matrix
(:func:`competence_matrix`) shows every staff member against every competence required.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_code, parse_date
from qmstrack.registers.common import no_staff_member, query_dicts
from qmstrack.staff_ids import staff_key
from qmstrack.tabular import Field, ImportReport, RowBuilder, build_one, run_import

EFFECTIVENESS = {
    "effective": "effective", "efektif": "effective", "ya": "effective", "yes": "effective",
    "not effective": "not_effective", "not_effective": "not_effective",
    "tidak efektif": "not_effective", "tidak": "not_effective", "no": "not_effective",
}
TRAINING_COLUMNS = ["id", "staff_nip", "competence_code", "title", "held_on", "hours",
                    "organiser", "effectiveness", "evaluated_on", "certificate_sha256"]


def parse_effectiveness(value: Any) -> str:
    text = " ".join(str(value or "").strip().lower().replace("_", " ").split())
    found = EFFECTIVENESS.get(text)
    if found is None:
        raise InvalidInput(f"The effectiveness {str(value)[:30]!r} is not effective or not "
                           "effective (efektif, tidak efektif).")
    return found


def parse_hours(value: Any) -> float:
    try:
        hours = float(str(value).replace(",", ".")) if not isinstance(value, (int, float)) \
            else float(value)
    except ValueError:
        raise InvalidInput(f"The hours {str(value)[:20]!r} are not a number.") from None
    if not 0 < hours <= 2000:
        raise InvalidInput(f"The hours {hours:g} are not between 0 and 2000.")
    return hours


def _competence_code(value: Any) -> str:
    return parse_code(value, field="competence code").upper()


def add_competence(db: sqlite_utils.Database, code: Any, title: Any,
                   description: Any = "") -> dict[str, Any]:
    """Add a competence, or change its title."""
    record = {"code": _competence_code(code),
              "title": clean_text(title, field="title", max_length=200, required=True),
              "description": clean_text(description or "", field="description",
                                        max_length=2000)}
    with writing(db):
        db.table("competences").upsert(record, pk="code")
    return record


def require_competence(db: sqlite_utils.Database, position: Any, code: Any) -> dict[str, Any]:
    """Record that a position requires a competence (idempotent)."""
    text = clean_text(position, field="position", max_length=200, required=True)
    with writing(db):
        competence = _known_competence(db, code)
        if not db.execute("SELECT 1 FROM staff WHERE position = ? COLLATE NOCASE",
                          [text]).fetchone():
            raise InvalidInput(f"No staff member holds the position {text!r}; the position is "
                               "written as in 'qmstrack staff list'.")
        db.execute("INSERT OR IGNORE INTO position_competences (position, competence_code) "
                   "VALUES (?, ?)", [text, competence])
    return {"position": text, "competence_code": competence}


def _known_competence(db: sqlite_utils.Database, code: Any) -> str:
    key = _competence_code(code)
    if not db.execute("SELECT 1 FROM competences WHERE code = ?", [key]).fetchone():
        raise NotFound(f"There is no competence {key!r}; add it with 'qmstrack competence "
                       "add'.")
    return key


TRAINING_FIELDS = [
    Field("staff", ("nip", "pegawai", "staff", "staff_nip", "ni_pppk", "kode_pegawai"),
          required=True),
    Field("competence", ("kompetensi", "kode_kompetensi", "competence")),
    Field("title", ("pelatihan", "nama_pelatihan", "judul", "diklat", "title", "training"),
          required=True),
    Field("held_on", ("tanggal", "tanggal_pelatihan", "tgl", "held_on", "date"),
          required=True, kind="date"),
    Field("hours", ("jam", "jp", "jumlah_jam", "jam_pelajaran", "hours")),
    Field("organiser", ("penyelenggara", "organiser", "organizer")),
    Field("effectiveness", ("efektivitas", "hasil_evaluasi", "effectiveness")),
    Field("evaluated_on", ("tanggal_evaluasi", "dievaluasi", "evaluated_on"), kind="date"),
    Field("note", ("catatan", "keterangan", "note")),
]


class _Convert:
    def __init__(self, db: sqlite_utils.Database):
        self.today = office_today(db)
        self.staff = {r[0] for r in db.execute("SELECT nip FROM staff")}
        self.competences = {r[0] for r in db.execute("SELECT code FROM competences")}

    def staff_member(self, value: Any) -> str:
        key = staff_key(value)
        if key not in self.staff:
            raise InvalidInput(no_staff_member(key))
        return key

    def competence(self, value: Any) -> str:
        key = _competence_code(value)
        if key not in self.competences:
            raise InvalidInput(f"There is no competence {key!r}; add it with 'qmstrack "
                               "competence add'.")
        return key

    def __call__(self, b: RowBuilder) -> dict[str, Any] | None:
        nip = b.get("staff", self.staff_member, required=True)
        competence = b.get("competence", self.competence)
        title = b.get("title", lambda v: clean_text(v, field="title", max_length=300),
                      required=True)
        held = b.get("held_on", lambda v: parse_date(v, field="training date"), required=True)
        hours = b.get("hours", parse_hours)
        organiser = b.get("organiser", lambda v: clean_text(v, field="organiser",
                                                            max_length=200), default="")
        effectiveness = b.get("effectiveness", parse_effectiveness)
        evaluated = b.get("evaluated_on", lambda v: parse_date(v, field="evaluation date"))
        note = b.get("note", lambda v: clean_text(v, field="note", max_length=4000),
                     default="")
        if b.problems:
            return None
        if held > self.today:
            b.fail("held_on", f"{held} is in the future")
        if effectiveness and not evaluated:
            evaluated = self.today
        if evaluated and not effectiveness:
            b.fail("effectiveness", "an evaluation date needs its result (effective or not)")
        if evaluated and evaluated < held:
            b.fail("evaluated_on", f"the evaluation {evaluated} is before the training {held}")
        if evaluated and evaluated > self.today:
            b.fail("evaluated_on", f"{evaluated} is in the future")
        if b.problems:
            return None
        return {"staff_nip": nip, "competence_code": competence, "title": title,
                "held_on": held.isoformat(), "hours": hours, "organiser": organiser,
                "effectiveness": effectiveness,
                "evaluated_on": evaluated.isoformat() if evaluated else None, "note": note}


def add_training(db: sqlite_utils.Database, *, certificate: Any = None, db_path: Any = None,
                 **values: Any) -> dict[str, Any]:
    """Record a training; its certificate file (if any) goes into the evidence store."""
    if certificate is not None and db_path is None:
        raise InvalidInput("The database path is needed to store the certificate.")
    record = build_one(_Convert(db), {k: v for k, v in values.items() if v not in (None, "")})
    with writing(db):
        if certificate is not None:
            from qmstrack.evidence import store_file

            record["certificate_sha256"] = store_file(db, db_path, certificate)
        _write_trainings(db, [record])
    return record


def _key(record: dict[str, Any]) -> tuple[str, str, str]:
    return (record["staff_nip"], record["title"], record["held_on"])


_COMPARED = ("competence_code", "hours", "organiser", "effectiveness", "evaluated_on", "note")


def _write_trainings(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    existing: dict[tuple, dict[str, Any]] = {}
    for i in range(0, len(batch), 300):
        chunk = batch[i:i + 300]
        for row in query_dicts(
                db, "SELECT * FROM trainings WHERE (staff_nip, title, held_on) IN (VALUES "
                    f"{', '.join('(?, ?, ?)' for _ in chunk)})",
                [part for r in chunk for part in _key(r)]):
            existing[_key(row)] = row
    inserted = updated = unchanged = 0
    for record in batch:
        old = existing.get(_key(record))
        if old is None:
            db.table("trainings").insert(record)
            inserted += 1
        elif all(old.get(c) == record.get(c) for c in _COMPARED) and \
                "certificate_sha256" not in record:
            unchanged += 1
        else:
            db.table("trainings").update(old["id"], record)
            updated += 1
    return inserted, updated, unchanged


def import_trainings(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    """Import training records (rekap diklat): one row per staff member and training."""
    return run_import(db, path, fields=TRAINING_FIELDS, convert=_Convert(db),
                      write_batch=_write_trainings, key=_key, **options)


def list_trainings(db: sqlite_utils.Database, *, staff: str | None = None):
    where, params = "1", []
    if staff:
        where, params = "staff_nip = ?", [staff_key(staff)]
    return query_dicts(db, f"SELECT {', '.join(TRAINING_COLUMNS)} FROM trainings "
                           f"WHERE {where} ORDER BY held_on, staff_nip, id", params)


_GAPS = """
    SELECT s.nip, s.name, s.unit, s.position, c.code, c.title,
           EXISTS (SELECT 1 FROM trainings t WHERE t.staff_nip = s.nip
                   AND t.competence_code = c.code AND t.held_on <= ?
                   AND (t.effectiveness IS NULL OR t.effectiveness = 'effective'
                        OR t.evaluated_on > ?)) AS met
    FROM staff s
    JOIN position_competences pc ON pc.position = s.position COLLATE NOCASE
    JOIN competences c ON c.code = pc.competence_code
    WHERE s.active = 1
"""


def _pairs(db: sqlite_utils.Database, on: date, units: tuple[str, ...] = ()):
    sql, params = _GAPS, [on.isoformat(), on.isoformat()]
    if units:
        sql += f" AND s.unit IN ({', '.join('?' for _ in units)})"
        params.extend(units)
    return db.execute(sql + " ORDER BY s.unit, s.nip, c.code", params).fetchall()


def competence_matrix(db: sqlite_utils.Database, *, units: tuple[str, ...] = (),
                      on: date | None = None) -> dict[str, Any]:
    """Staff x required competence on a day: ``met`` or a gap, per cell."""
    day = on or office_today(db)
    rows: dict[str, dict[str, Any]] = {}
    codes: dict[str, str] = {}
    for nip, name, unit, position, code, title, met in _pairs(db, day, units):
        codes[code] = title
        row = rows.setdefault(nip, {"staff_nip": nip, "name": name, "unit": unit,
                                    "position": position, "cells": {}, "gaps": 0})
        row["cells"][code] = bool(met)
        row["gaps"] += 0 if met else 1
    return {"on": day.isoformat(), "competences": [{"code": c, "title": t}
                                                   for c, t in sorted(codes.items())],
            "rows": list(rows.values()), "gaps": sum(r["gaps"] for r in rows.values())}


# competence.gaps: for the active staff at the end of the period, the competences their
# position requires without a training on or before that day that was not evaluated
# ineffective (ISO 9001:2015 7.2 c), d)).
def competence_gaps(db: sqlite_utils.Database, period, scope) -> int:
    return sum(1 for row in _pairs(db, period.end, tuple(scope.units)) if not row[6])


def gap_evidence(db: sqlite_utils.Database, period, scope) -> list[str]:
    """The gaps ``competence.gaps`` counts, naming the staff member and the competence."""
    return [f"{nip} {name} ({position}): {code} {title}"
            for nip, name, _unit, position, code, title, met
            in _pairs(db, period.end, tuple(scope.units)) if not met]
