"""Quality objectives (sasaran mutu): targets per unit, and whether each period met them.

An objective belongs to a unit (optionally to one of its services) and a year. It is
either bound to a metric of the registry (``qmstrack.metrics``), which measures it from the
records, or *manual*: someone records its value for each period by hand. Its frequency
(``monthly``, ``quarterly``, ``yearly``) sets the periods of the year it is judged on:
``2026-10``, ``2026-Q3``, ``2026``. A period is *achieved* when its value meets the target
(``Target.met_by``), *missed* when it does not.

Status of a period, as of ``today``:

- ``future``: it has not started; no value is shown.
- ``in_progress``: it has started but not ended. A metric is measured from its first day
  to today (an "overdue" count measured to a future end would count work not yet late).
- ``achieved`` / ``missed`` / ``no_value``: a completed period (it ended before today).

Year to date: a metric objective is measured over 1 January .. min(today, 31 December)
of its year, with the same metric and scope; a manual objective's year-to-date value is the
mean of the values recorded for periods that have started (an unweighted mean: each period
counts once, whatever the volume of work behind it).

An objective *missed twice* has two consecutive completed periods whose values both
missed the target; :func:`objectives_missed_twice` answers that for the two periods just
before a given day, for the audit and the nightly summary. A yearly objective has one
period per year, so it is never missed twice.

Metric-bound objectives are computed by the metric registry itself; there is no second
implementation of any figure here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.metrics import Metric, find_metric, metric_names
from qmstrack.parsing import Target, clean_text, parse_code, parse_target
from qmstrack.periods import (
    Period,
    Span,
    parse_span,
    span_containing,
    spans_of_year,
    year_to_date,
)
from qmstrack.registers.common import get_service, query_dicts, require_unit
from qmstrack.scope import Scope

FREQUENCY_ALIASES = {
    "monthly": "monthly", "month": "monthly", "bulanan": "monthly",
    "quarterly": "quarterly", "quarter": "quarterly", "triwulan": "quarterly",
    "triwulanan": "quarterly", "yearly": "yearly", "annual": "yearly", "year": "yearly",
    "annually": "yearly", "tahunan": "yearly",
}
MIN_YEAR, MAX_YEAR = 2000, 2100

LIST_COLUMNS = ["id", "year", "unit", "service_code", "title", "kind", "metric", "target",
                "frequency"]


# --- values people type ---------------------------------------------------------------


def parse_frequency(value: object) -> str:
    text = str(value or "").strip().lower()
    if text not in FREQUENCY_ALIASES:
        raise InvalidInput(
            f"The frequency {str(value)[:20]!r} is not monthly, quarterly or yearly."
        )
    return FREQUENCY_ALIASES[text]


def parse_year(value: object) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text) or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise InvalidInput(f"The year {text[:10]!r} is not a year between {MIN_YEAR} and "
                           f"{MAX_YEAR}.")
    return int(text)


# The span of the calendar each frequency judges an objective on (qmstrack.periods).
SPAN_OF_FREQUENCY = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}


def periods_of_year(frequency: str, year: int) -> list[Span]:
    """Every period of the year for a frequency, in order (12, 4 or 1 of them)."""
    return spans_of_year(SPAN_OF_FREQUENCY[frequency], year)


def period_containing(frequency: str, day: date) -> Span:
    return span_containing(SPAN_OF_FREQUENCY[frequency], day)


def parse_objective_period(text: object, frequency: str, year: int | None = None, *,
                           today: date | None = None) -> Span:
    """``2026-10`` (monthly), ``2026-Q3`` (quarterly) or ``2026`` (yearly).

    With ``year``, the period must lie in that year; with ``today``, it must have started.
    """
    try:
        period = parse_span(text, SPAN_OF_FREQUENCY[frequency])
    except InvalidInput as exc:
        raise InvalidInput(f"{str(exc).rstrip('.')} (the objective is {frequency}).") from None
    if year is not None and period.start.year != year:
        raise InvalidInput(f"The period {period.label} is not in the objective's year {year}.")
    if today is not None and period.start > today:
        raise InvalidInput(f"The period {period.label} has not started yet; record its value "
                           "once it has.")
    return period


_NUMBER = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*(%?)$")


def parse_value(value: object) -> float:
    """A measured value: ``92.5``, ``92,5``; a trailing ``%`` divides by 100 (``92,5%``)."""
    if isinstance(value, bool):
        raise InvalidInput("The value must be a number.")
    if isinstance(value, (int, float)):
        return float(value)
    raw = str(value or "").strip()
    m = _NUMBER.match(raw)
    if not m:
        raise InvalidInput(f"The value {raw[:20]!r} is not a number such as 92,5 or 92.5 or "
                           "92,5%.")
    number = float(m[1].replace(",", "."))
    return number / 100 if m[2] else number


def require_metric(name: object, *, with_service: bool = False) -> Metric:
    """The registered metric of that name; refuses ``--service`` for metrics not per service."""
    key = str(name or "").strip()
    metric = find_metric(key)
    if metric is None:
        raise InvalidInput(f"There is no metric {key[:60]!r}; 'qmstrack metrics --list' "
                           "shows them.")
    if with_service and not metric.per_service:
        per_service = [n for n in metric_names() if (m := find_metric(n)) and m.per_service]
        raise InvalidInput(
            f"The metric {key} is not measured per service, so it takes no service "
            f"(per-service metrics: {', '.join(per_service) or 'none'})."
        )
    return metric


def check_target(target: object, metric: Metric | None = None) -> Target:
    """Parse a target; a rate is a fraction, so ``>= 95`` on a rate is refused."""
    parsed = parse_target(target)
    if metric is not None and metric.kind == "rate" and abs(parsed.threshold) > 1:
        raise InvalidInput(
            f"The metric {metric.name} is a rate between 0 and 1, so the target "
            f"{str(target).strip()!r} can never be compared; write it as '>= 0.95' or "
            "'>= 95%'."
        )
    return parsed


# --- the register ---------------------------------------------------------------------


def add_objective(db: sqlite_utils.Database, *, unit: str, title: str, target: str,
                  metric: str | None = None, service: str | None = None,
                  frequency: str = "monthly", year: int | None = None,
                  today: date | None = None) -> dict[str, Any]:
    """Add an objective: bound to ``metric``, or manual when ``metric`` is None.

    A manual objective may name a service, as a label; a metric objective may name one
    only when its metric is measured per service.
    """
    metric_def = require_metric(metric, with_service=service is not None) if metric else None
    record = {
        "unit": require_unit(db, unit),
        "service_code": None,
        "title": clean_text(title, field="title", max_length=500, required=True),
        "metric": metric_def.name if metric_def else None,
        "target": str(check_target(target, metric_def)),
        "frequency": parse_frequency(frequency),
        "year": parse_year(year if year is not None else (today or office_today(db)).year),
    }
    if service is not None:
        record["service_code"] = get_service(db, parse_code(service, field="service code"))[
            "code"]
    with writing(db):
        record["id"] = db.table("objectives").insert(record).last_pk
    return _decorate(dict(record))


def _decorate(row: dict[str, Any]) -> dict[str, Any]:
    row["kind"] = "metric" if row["metric"] else "manual"
    return row


def get_objective(db: sqlite_utils.Database, objective_id: int) -> dict[str, Any]:
    rows = list(query_dicts(db, "SELECT * FROM objectives WHERE id = ?", [objective_id]))
    if not rows:
        raise NotFound(f"There is no objective {objective_id}; 'qmstrack objective list' "
                       "shows them.")
    return _decorate(rows[0])


def manual_objective(db: sqlite_utils.Database, objective_id: int) -> dict[str, Any]:
    """The objective, if its values are recorded by hand; refuses a metric-bound one."""
    objective = get_objective(db, objective_id)
    if objective["metric"]:
        raise Conflict(
            f"Objective {objective_id} is measured by the metric {objective['metric']}; its "
            "values come from the records and cannot be recorded by hand."
        )
    return objective


def list_objectives(db: sqlite_utils.Database, *, year: int | None = None,
                    units: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if year is not None:
        clauses.append("year = ?")
        params.append(year)
    if units:
        clauses.append(f"unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    where = " AND ".join(clauses) or "1"
    for row in query_dicts(db, f"SELECT * FROM objectives WHERE {where} "
                               "ORDER BY year, unit, id", params):
        yield _decorate(row)


def record_value(db: sqlite_utils.Database, objective_id: int, *, period: str,
                 value: object, note: str = "", today: date | None = None
                 ) -> dict[str, Any]:
    """Record (or correct) the value of a manual objective for one period.

    Returns the stored row with ``replaced`` (the previous value, or None).
    """
    today = today or office_today(db)
    objective = manual_objective(db, objective_id)
    p = parse_objective_period(period, objective["frequency"], objective["year"],
                               today=today)
    number = parse_value(value)
    note = clean_text(note, field="note", max_length=2000)
    row = {"objective_id": objective_id, "period": p.label, "value": number, "note": note}
    with writing(db):
        old = db.execute("SELECT value FROM objective_values WHERE objective_id = ? AND "
                         "period = ?", [objective_id, p.label]).fetchone()
        db.table("objective_values").upsert(row, pk=("objective_id", "period"))
    target = parse_target(objective["target"])
    return {**row, "target": objective["target"], "achieved": target.met_by(number),
            "replaced": old[0] if old else None}


# --- measuring ------------------------------------------------------------------------


class _Measure:
    """Values of one objective: from its metric, or from the recorded values."""

    def __init__(self, db: sqlite_utils.Database, objective: dict[str, Any]):
        self.db = db
        self.objective = objective
        self.metric: Metric | None = None
        self.recorded: dict[str, float] = {}
        if objective["metric"]:
            self.metric = find_metric(objective["metric"])
            service = objective["service_code"] if (
                self.metric and self.metric.per_service) else None
            self.scope = Scope((objective["unit"],), service)
        else:
            self.recorded = dict(db.execute(
                "SELECT period, value FROM objective_values WHERE objective_id = ?",
                [objective["id"]]).fetchall())

    def value(self, period: Span, until: date) -> float | int | None:
        """The value of a period, measured up to ``until`` at the latest."""
        if self.objective["metric"]:
            if self.metric is None:  # a metric no longer registered
                return None
            end = min(period.end, until)
            return self.metric.compute(self.db, Period(period.start, end), self.scope)
        return self.recorded.get(period.label)

    def year_to_date(self, today: date) -> tuple[float | int | None, date | None, date | None]:
        span = year_to_date(self.objective["year"], today)
        if span is None:
            return None, None, None
        start, end = span
        if self.objective["metric"]:
            if self.metric is None:
                return None, start, end
            return self.metric.compute(self.db, Period(start, end), self.scope), start, end
        values = [v for p, v in self.recorded.items()
                  if parse_objective_period(p, self.objective["frequency"]).start <= end]
        return (sum(values) / len(values) if values else None), start, end


def _period_row(p: Span, value, target: Target, today: date) -> dict[str, Any]:
    if p.start > today:
        value = None
    achieved = target.met_by(value)
    if p.start > today:
        status = "future"
    elif p.end >= today:
        status = "in_progress"
    elif value is None:
        status = "no_value"
    else:
        status = "achieved" if achieved else "missed"
    return {"period": p.label, "start": p.start.isoformat(), "end": p.end.isoformat(),
            "value": value, "achieved": achieved, "status": status}


def missed_twice(rows: list[dict[str, Any]]) -> bool:
    """Whether two consecutive periods of ``rows`` (period rows of an objective) were missed."""
    return any(a["status"] == "missed" and b["status"] == "missed"
               for a, b in zip(rows, rows[1:], strict=False))


def _head(objective: dict[str, Any], measure: _Measure) -> dict[str, Any]:
    return {
        "id": objective["id"], "year": objective["year"], "unit": objective["unit"],
        "service_code": objective["service_code"], "title": objective["title"],
        "kind": objective["kind"], "metric": objective["metric"],
        "metric_kind": measure.metric.kind if measure.metric else None,
        "target": objective["target"], "frequency": objective["frequency"],
    }


def objective_status(db: sqlite_utils.Database, *, year: int | None = None,
                     units: tuple[str, ...] = (), ids: tuple[int, ...] = (),
                     today: date | None = None) -> list[dict[str, Any]]:
    """Every objective of the year (default: this year) with each period's value and status.

    One dict per objective: ``id, year, unit, service_code, title, kind (metric|manual),
    metric, metric_kind, target, frequency``, then ``periods`` (one dict per period:
    ``period, start, end, value, achieved (bool|None), status``), ``year_to_date``
    (``start, end, value, achieved, method``), ``achieved_periods``, ``missed_periods``,
    ``no_value_periods`` (completed periods only) and ``missed_twice`` (two consecutive
    completed periods both missed, anywhere in the year).
    """
    today = today or office_today(db)
    year = year if year is not None else today.year
    out = []
    for objective in list_objectives(db, year=year, units=units):
        if ids and objective["id"] not in ids:
            continue
        measure = _Measure(db, objective)
        target = parse_target(objective["target"])
        rows = [_period_row(p, measure.value(p, today) if p.start <= today else None,
                            target, today)
                for p in periods_of_year(objective["frequency"], objective["year"])]
        ytd, ytd_start, ytd_end = measure.year_to_date(today)
        done = [r for r in rows if r["status"] in ("achieved", "missed", "no_value")]
        out.append({
            **_head(objective, measure),
            "periods": rows,
            "year_to_date": {
                "start": ytd_start.isoformat() if ytd_start else None,
                "end": ytd_end.isoformat() if ytd_end else None,
                "value": ytd, "achieved": target.met_by(ytd),
                "method": "metric" if objective["metric"] else "mean of recorded values",
            },
            "achieved_periods": sum(r["status"] == "achieved" for r in done),
            "missed_periods": sum(r["status"] == "missed" for r in done),
            "no_value_periods": sum(r["status"] == "no_value" for r in done),
            "missed_twice": missed_twice(done),
        })
    return out


def objectives_missed_twice(db: sqlite_utils.Database, on: date) -> list[dict[str, Any]]:
    """Objectives whose two most recent completed periods before ``on`` were both missed.

    "Most recent" means the two periods just before the one containing ``on`` (for a
    monthly objective on 2026-10-05: 2026-08 and 2026-09); both must belong to the
    objective's year and both must have a value that missed the target. Each dict holds the
    objective's fields and ``periods`` (the two periods, older first).
    """
    out = []
    for objective in list_objectives(db):
        if objective["year"] not in (on.year, on.year - 1):
            continue
        current = period_containing(objective["frequency"], on)
        done = [p for p in periods_of_year(objective["frequency"], objective["year"])
                if p.end < on]
        if len(done) < 2 or done[-1].end + timedelta(days=1) != current.start:
            continue
        measure = _Measure(db, objective)
        target = parse_target(objective["target"])
        rows = [_period_row(p, measure.value(p, p.end), target, on) for p in done[-2:]]
        if all(r["status"] == "missed" for r in rows):
            out.append({**_head(objective, measure), "periods": rows})
    return out
