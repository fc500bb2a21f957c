"""External providers (ISO 9001:2015 clause 8.4): who supplies the office, and how well.

A provider (printing of certificates, IT services, courier, catering for events...) has a
code, what it supplies, the criteria it is evaluated against (8.4.1: "criteria for the
evaluation, selection, monitoring of performance and re-evaluation"), an optional unit
that uses it, and a status: ``approved``, ``conditional`` (kept under closer watch) or
``stopped``. Each evaluation scores quality, delivery and service from 1 to 5; the result
follows the mean score (4 or more approved, 3 or more conditional, below 3 stopped) unless
the evaluator gives one, and the provider's status follows its latest evaluation. The
re-evaluation falls due 12 months later (6 when conditional) unless a date is given.

``providers.evaluation_overdue`` counts the providers in use (not stopped) at the end of a
period that were never evaluated by then or whose re-evaluation was due before it; the
review pack shows them under 9.3.2 c) 7) (performance of external providers).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_code, parse_date, parse_int
from qmstrack.periods import add_months
from qmstrack.registers.common import query_dicts, require_unit
from qmstrack.tabular import Field, ImportReport, RowBuilder, build_one, run_import, upsert_batch

STATUSES = ("approved", "conditional", "stopped")
STATUS_ALIASES = {
    "approved": "approved", "disetujui": "approved", "terpilih": "approved",
    "aktif": "approved", "ok": "approved", "conditional": "conditional",
    "bersyarat": "conditional", "dengan catatan": "conditional", "stopped": "stopped",
    "dihentikan": "stopped", "berhenti": "stopped", "diputus": "stopped",
}

LIST_COLUMNS = ["code", "name", "supplies", "unit", "status", "last_evaluated_on",
                "last_score", "next_due_on", "overdue"]


def parse_status(value: Any) -> str:
    text = " ".join(str(value or "").strip().lower().split())
    status = STATUS_ALIASES.get(text)
    if status is None:
        raise InvalidInput(f"The provider status {str(value)[:30]!r} is not approved, "
                           "conditional or stopped (disetujui, bersyarat, dihentikan).")
    return status


def parse_score(value: Any, field: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    score = parse_int(value, field=f"{field} score")
    if not 1 <= score <= 5:
        raise InvalidInput(f"The {field} score {score} is outside the scale 1-5.")
    return score


def result_of(score: float) -> str:
    return "approved" if score >= 4 else "conditional" if score >= 3 else "stopped"


PROVIDER_FIELDS = [
    Field("code", ("kode", "kode_penyedia", "provider", "provider_code"), required=True),
    Field("name", ("nama", "nama_penyedia", "penyedia"), required=True),
    Field("supplies", ("produk", "jasa", "barang_jasa", "yang_disediakan", "supplies")),
    Field("criteria", ("kriteria", "kriteria_evaluasi", "criteria")),
    Field("unit", ("unit", "bidang", "unit_pengguna")),
    Field("status", ("status",)),
    Field("since", ("sejak", "tanggal_kontrak", "mulai"), kind="date"),
    Field("contact", ("kontak", "telepon", "contact"), kind="phone"),
    # An evaluation on the same row (a list of evaluated providers): all three scores and
    # its date, or none of them.
    Field("evaluated_on", ("tanggal_evaluasi", "tgl_evaluasi", "dievaluasi", "evaluated_on"),
          kind="date"),
    Field("quality", ("mutu", "nilai_mutu", "kualitas", "quality")),
    Field("delivery", ("ketepatan_waktu", "nilai_ketepatan", "pengiriman", "delivery")),
    Field("service", ("layanan", "nilai_layanan", "pelayanan", "service")),
    Field("result", ("hasil", "hasil_evaluasi", "result")),
    Field("next_due_on", ("evaluasi_ulang", "tanggal_evaluasi_ulang", "next_due_on"),
          kind="date"),
]
_EVALUATION = ("evaluated_on", "quality", "delivery", "service")


def _convert_provider(db: sqlite_utils.Database, b: RowBuilder) -> dict[str, Any] | None:
    code = b.get("code", lambda v: parse_code(v, field="provider code").upper(), required=True)
    name = b.get("name", lambda v: clean_text(v, field="name", max_length=200),
                 required=True)
    supplies = b.get("supplies", lambda v: clean_text(v, field="supplies", max_length=500),
                     default="")
    criteria = b.get("criteria", lambda v: clean_text(v, field="criteria", max_length=2000),
                     default="")
    unit = b.get("unit", lambda v: require_unit(db, v))
    status = b.get("status", parse_status, default="approved")
    since = b.get("since", lambda v: parse_date(v, field="start date"))
    contact = b.get("contact", lambda v: clean_text(v, field="contact", max_length=200),
                    default="")
    given = [name for name in _EVALUATION if b.raw(name) is not None]
    evaluation = None
    if given:
        evaluation = _convert_evaluation(b, given)
    if b.problems:
        return None
    record = {"code": code, "name": name, "supplies": supplies, "criteria": criteria,
              "unit": unit, "status": status, "since": since.isoformat() if since else None,
              "contact": str(contact)}
    if evaluation is not None:
        if since and evaluation["evaluated_on"] < record["since"]:
            b.fail("evaluated_on", f"the evaluation {evaluation['evaluated_on']} is before the "
                                   f"provider started ({record['since']})")
            return None
        record["evaluation"] = evaluation
        if b.raw("status") is None:
            record["status"] = evaluation["result"]
    return record


def _convert_evaluation(b: RowBuilder, given: list[str]) -> dict[str, Any] | None:
    for name in _EVALUATION:
        if name not in given:
            b.fail(name, "is empty (an evaluation needs its date and the three scores)")
    on = b.get("evaluated_on", lambda v: parse_date(v, field="evaluation date"))
    scores = {name: b.get(name, _score_reader(name))
              for name in ("quality", "delivery", "service")}
    result = b.get("result", parse_status)
    due = b.get("next_due_on", lambda v: parse_date(v, field="re-evaluation date"))
    if b.problems:
        return None
    return _evaluation(b, on, scores, result, due)


def _score_reader(field: str):
    def read(value: Any) -> int:
        return parse_score(value, field)

    return read


def _evaluation(b: RowBuilder | None, on: date, scores: dict[str, int], result: str | None,
                due: date | None) -> dict[str, Any] | None:
    score = round(sum(scores.values()) / len(scores), 2)
    outcome = result or result_of(score)
    due = due or add_months(on, 6 if outcome == "conditional" else 12)
    if due <= on:
        message = f"The re-evaluation date {due} is not after the evaluation ({on})."
        if b is None:
            raise InvalidInput(message)
        b.fail("next_due_on", message)
        return None
    return {"evaluated_on": on.isoformat(), **scores, "score": score, "result": outcome,
            "next_due_on": due.isoformat()}


def _write_providers(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    """Providers upserted on their code; an evaluation on the row upserted on the provider
    and its date (with several evaluations of one provider, its status is the latest
    one's). Each row counts once: inserted when its provider or evaluation is new, updated
    when either changed, else unchanged."""
    providers: dict[str, dict[str, Any]] = {}
    latest: dict[str, str] = {}
    for record in batch:
        on = record["evaluation"]["evaluated_on"] if record.get("evaluation") else ""
        if record["code"] not in providers or on >= latest[record["code"]]:
            providers[record["code"]] = {k: v for k, v in record.items() if k != "evaluation"}
            latest[record["code"]] = on
    outcome: dict[str, str] = {}
    for code, provider in providers.items():
        old = list(query_dicts(db, "SELECT * FROM providers WHERE code = ?", [code]))
        if not old:
            db.table("providers").insert(provider)
            outcome[code] = "inserted"
        elif all(old[0].get(k) == v for k, v in provider.items()):
            outcome[code] = "unchanged"
        else:
            db.table("providers").update(code, provider)
            outcome[code] = "updated"
    inserted = updated = unchanged = 0
    for record in batch:
        state = outcome[record["code"]]
        evaluation = record.get("evaluation")
        if evaluation is not None:
            row = {"provider_code": record["code"], **evaluation}
            old = list(query_dicts(db, "SELECT * FROM provider_evaluations WHERE "
                                       "provider_code = ? AND evaluated_on = ?",
                                   [record["code"], evaluation["evaluated_on"]]))
            if not old:
                db.table("provider_evaluations").insert(row)
                state = "inserted"
            elif any(old[0].get(k) != v for k, v in row.items()):
                db.table("provider_evaluations").update(old[0]["id"], row)
                state = "inserted" if state == "inserted" else "updated"
        inserted += state == "inserted"
        updated += state == "updated"
        unchanged += state == "unchanged"
    return inserted, updated, unchanged


def _provider_key(record: dict[str, Any]) -> Any:
    evaluation = record.get("evaluation")
    return (record["code"], evaluation["evaluated_on"] if evaluation else "")


def add_provider(db: sqlite_utils.Database, **values: Any) -> dict[str, Any]:
    """Add a provider, or change one (the same code)."""
    record = build_one(lambda b: _convert_provider(db, b),
                       {k: v for k, v in values.items() if v is not None})
    with writing(db):
        upsert_batch(db, "providers", "code", [record])
    return get_provider(db, record["code"])


def import_providers(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    return run_import(db, path, fields=PROVIDER_FIELDS,
                      convert=lambda b: _convert_provider(db, b),
                      write_batch=_write_providers, key=_provider_key, **options)


def get_provider(db: sqlite_utils.Database, code: Any, *,
                 today: date | None = None) -> dict[str, Any]:
    key = parse_code(code, field="provider code").upper()
    rows = list(query_dicts(db, "SELECT * FROM providers WHERE code = ?", [key]))
    if not rows:
        raise NotFound(f"There is no provider {key!r}; add it with 'qmstrack provider add'.")
    row = rows[0]
    row["evaluations"] = list(query_dicts(
        db, "SELECT id, evaluated_on, quality, delivery, service, score, result, next_due_on, "
            "evaluator, note FROM provider_evaluations WHERE provider_code = ? "
            "ORDER BY evaluated_on", [key]))
    return row


def evaluate_provider(db: sqlite_utils.Database, code: Any, *, quality: Any, delivery: Any,
                      service: Any, on: Any = None, result: Any = None,
                      next_due: Any = None, evaluator: str = "", note: str = "",
                      today: date | None = None) -> dict[str, Any]:
    """Record an evaluation; the provider's status follows its latest evaluation."""
    today = today or office_today(db)
    scores = {"quality": parse_score(quality, "quality"),
              "delivery": parse_score(delivery, "delivery"),
              "service": parse_score(service, "service")}
    evaluated = parse_date(on, field="evaluation date") if on else today
    if evaluated > today:
        raise InvalidInput(f"The evaluation date {evaluated} is in the future.")
    evaluation = _evaluation(
        None, evaluated, scores, parse_status(result) if result not in (None, "") else None,
        parse_date(next_due, field="re-evaluation date") if next_due else None)
    assert evaluation is not None  # refused above otherwise
    outcome = evaluation["result"]
    with writing(db):
        provider = get_provider(db, code)
        if any(e["evaluated_on"] == evaluated.isoformat() for e in provider["evaluations"]):
            raise Conflict(f"Provider {provider['code']} already has an evaluation on "
                           f"{evaluated}.")
        if provider["since"] and evaluated.isoformat() < provider["since"]:
            raise InvalidInput(f"The evaluation date {evaluated} is before the provider "
                               f"started ({provider['since']}).")
        db.table("provider_evaluations").insert({
            "provider_code": provider["code"], **evaluation,
            "evaluator": clean_text(evaluator, field="evaluator", max_length=200),
            "note": clean_text(note, field="note", max_length=4000)})
        latest = max([e["evaluated_on"] for e in provider["evaluations"]] +
                     [evaluated.isoformat()])
        if latest == evaluated.isoformat() and provider["status"] != outcome:
            db.table("providers").update(provider["code"], {"status": outcome})
    return get_provider(db, provider["code"])


_LATEST = """
    SELECT p.code, p.name, p.supplies, p.unit, p.status,
           e.evaluated_on AS last_evaluated_on, e.score AS last_score, e.next_due_on
    FROM providers p
    LEFT JOIN provider_evaluations e ON e.id = (
        SELECT id FROM provider_evaluations WHERE provider_code = p.code
        AND evaluated_on <= ? ORDER BY evaluated_on DESC LIMIT 1)
"""


def list_providers(db: sqlite_utils.Database, *, status: str | None = None,
                   overdue: bool = False, today: date | None = None):
    """Providers with their latest evaluation; ``overdue``: only those to re-evaluate."""
    day = (today or office_today(db)).isoformat()
    clauses, params = ["1"], [day]
    if status:
        clauses.append("p.status = ?")
        params.append(parse_status(status))
    for row in query_dicts(db, _LATEST + f" WHERE {' AND '.join(clauses)} ORDER BY p.code",
                           params):
        row["overdue"] = row["status"] != "stopped" and (
            row["next_due_on"] is None or row["next_due_on"] < day)
        if not overdue or row["overdue"]:
            yield row


def _overdue_rows(db: sqlite_utils.Database, period, scope):
    e = period.end.isoformat()
    where = "(p.since IS NULL OR p.since <= ?) AND p.status != 'stopped' " \
            "AND (e.next_due_on IS NULL OR e.next_due_on < ?)"
    params: list[Any] = [e, e, e]
    if scope.units:
        where += f" AND (p.unit IS NULL OR p.unit IN ({', '.join('?' for _ in scope.units)}))"
        params.extend(scope.units)
    return db.execute(_LATEST + f" WHERE {where} ORDER BY p.code", params).fetchall()


# providers.evaluation_overdue: providers in use (not stopped) at the end of the period,
# never evaluated by then or whose re-evaluation was due before it (ISO 9001:2015 8.4.1).
def evaluation_overdue(db: sqlite_utils.Database, period, scope) -> int:
    return len(_overdue_rows(db, period, scope))


def overdue_evidence(db: sqlite_utils.Database, period, scope) -> list[str]:
    """The providers ``providers.evaluation_overdue`` counts, as the audit names them."""
    return [f"{code} {name}: " + (f"re-evaluation due {due} (last {last})" if due
                                  else "never evaluated")
            for code, name, _s, _u, _st, last, _score, due in _overdue_rows(db, period, scope)]


def provider_summary(db: sqlite_utils.Database, start: date, end: date) -> dict[str, Any]:
    """Counts by status, the evaluations of the period and their mean score (the review
    pack's 9.3.2 c) 7))."""
    by_status = dict(db.execute("SELECT status, count(*) FROM providers GROUP BY status"))
    evaluated, mean = db.execute(
        "SELECT count(*), avg(score) FROM provider_evaluations WHERE evaluated_on "
        "BETWEEN ? AND ?", [start.isoformat(), end.isoformat()]).fetchone()
    evaluations = list(query_dicts(
        db, "SELECT e.provider_code AS code, p.name, e.evaluated_on, e.score, e.result, "
            "e.next_due_on FROM provider_evaluations e JOIN providers p "
            "ON p.code = e.provider_code WHERE e.evaluated_on BETWEEN ? AND ? "
            "ORDER BY e.evaluated_on, e.provider_code", [start.isoformat(), end.isoformat()]))
    return {"by_status": {s: by_status.get(s, 0) for s in STATUSES},
            "evaluated": evaluated, "mean_score": mean, "evaluations": evaluations}
