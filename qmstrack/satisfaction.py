"""Public satisfaction (Indeks Kepuasan Masyarakat, PermenPAN-RB 14/2017) from survey responses.

For a period and a scope of units (optionally one service):

- NRR of an element (nilai rata-rata) = the mean score of that element over the responses;
- IKM = (sum of the nine NRR x 1/9) x 25, on a 0-100 scale;
- category: A (Sangat Baik) when IKM >= 88.31, B (Baik) >= 76.61, C (Kurang Baik) >= 65.00,
  otherwise D (Tidak Baik).

Everything is aggregated in SQL (one ``avg`` per element column); rows are never loaded.

Rounding: figures keep full precision in data (JSON, the metric registry); people see the
IKM with two decimals. The regulation's category table is read against that two-decimal
value, so the category is decided on the IKM *rounded to two decimals, half up* (computed
with ``Decimal`` from the float's shortest representation, so binary noise such as
76.60999999999999 for a true 76.61 cannot push a response set into the lower category, and
the category a person sees always agrees with the number printed beside it). An IKM of
88.30999 is therefore shown as 88.31 and is an A; 88.30499 is shown as 88.30 and is a B.

The metrics ``satisfaction.responses`` and ``satisfaction.ikm`` are defined here (declared in
:mod:`qmstrack.metric_catalogue`), so the audit, the summary and the survey report all
share these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlite_utils

from qmstrack.i18n import N_
from qmstrack.metric_catalogue import defines
from qmstrack.periods import Period
from qmstrack.registers.surveys import ELEMENT_COUNT, SCORE_COLUMNS
from qmstrack.scope import Scope

SCALE = 25
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Category:
    letter: str
    label: str  # as the regulation names it (Indonesian): the value data and JSON carry
    message: str  # the name people read, a catalogue message (English source text)
    minimum: Decimal  # the two-decimal IKM from which the category starts


CATEGORIES: tuple[Category, ...] = (
    Category("A", "Sangat Baik", N_("Very good"), Decimal("88.31")),
    Category("B", "Baik", N_("Good"), Decimal("76.61")),
    Category("C", "Kurang Baik", N_("Less than good"), Decimal("65.00")),
    Category("D", "Tidak Baik", N_("Not good"), Decimal("0")),
)


def rounded_ikm(ikm: float) -> Decimal:
    """The IKM as people read it: two decimals, half up."""
    return Decimal(repr(float(ikm))).quantize(CENT, rounding=ROUND_HALF_UP)


def category_of(ikm: float | None) -> Category | None:
    """The category of an IKM (None for no responses), judged on its two-decimal value."""
    if ikm is None:
        return None
    shown = rounded_ikm(ikm)
    for category in CATEGORIES:
        if shown >= category.minimum:
            return category
    return CATEGORIES[-1]


def ikm_from_nrr(nrr: Sequence[float | None]) -> float | None:
    """IKM = (sum of the nine NRR x 1/9) x 25; None when there were no responses."""
    if len(nrr) != ELEMENT_COUNT:
        raise ValueError(f"expected {ELEMENT_COUNT} NRR values, got {len(nrr)}")
    known = [v for v in nrr if v is not None]
    if len(known) != len(nrr):
        return None
    return sum(known) / ELEMENT_COUNT * SCALE


def _figures(responses: int, averages: Sequence[float | None]) -> dict:
    nrr = [None if responses == 0 or v is None else float(v) for v in averages]
    ikm = ikm_from_nrr(nrr)
    category = category_of(ikm)
    return {
        "responses": responses,
        "nrr": nrr,
        "ikm": ikm,
        "category": category.letter if category else None,
        "category_label": category.label if category else None,
    }


_AVERAGES = ", ".join(f"avg({c})" for c in SCORE_COLUMNS)


def _where(start: date | None, end: date | None, scope: Scope) -> tuple[str, list]:
    clauses, params = [], []
    if start is not None:
        clauses.append("s.responded_on >= ?")
        params.append(start.isoformat())
    if end is not None:
        clauses.append("s.responded_on <= ?")
        params.append(end.isoformat())
    where, scope_params = scope.where("s.unit", "s.service_code")
    return " AND ".join([*clauses, where]), [*params, *scope_params]


def satisfaction_figures(db: sqlite_utils.Database, period: Period,
                         scope: Scope = Scope()) -> dict:
    """Responses, NRR per element, IKM and category over a period: one SQL aggregate."""
    where, params = _where(period.start, period.end, scope)
    row = db.execute(f"SELECT count(*), {_AVERAGES} FROM surveys s WHERE {where}",
                     params).fetchone()
    return _figures(row[0], row[1:])


def satisfaction_report(db: sqlite_utils.Database, *, start: date | None = None,
                        end: date | None = None, scope: Scope = Scope()) -> dict:
    """Overall and per-service figures; an open end of the period is the data's own.

    Shape: ``{"period": {"start", "end"}, "overall": {...}, "services": [{...}, ...]}``
    (see ``qmstrack survey report --json``).
    """
    where, params = _where(start, end, scope)
    row = db.execute(
        f"SELECT count(*), min(s.responded_on), max(s.responded_on), {_AVERAGES} "
        f"FROM surveys s WHERE {where}", params).fetchone()
    overall = _figures(row[0], row[3:])
    services = []
    cursor = db.execute(
        f"""
        SELECT s.service_code, v.name, v.unit, count(*), {_AVERAGES}
        FROM surveys s JOIN services v ON v.code = s.service_code
        WHERE {where}
        GROUP BY s.service_code ORDER BY v.unit, s.service_code
        """, params)
    for code, name, unit, responses, *nrr in cursor:
        services.append({"service_code": code, "service_name": name, "unit": unit,
                         **_figures(responses, nrr)})
    return {
        "period": {
            "start": start.isoformat() if start else row[1],
            "end": end.isoformat() if end else row[2],
        },
        "overall": overall,
        "services": services,
    }


@defines("satisfaction.responses")
def _satisfaction_responses(db, period, scope):
    return satisfaction_figures(db, period, scope)["responses"]


@defines("satisfaction.ikm")
def _satisfaction_ikm(db, period, scope):
    return satisfaction_figures(db, period, scope)["ikm"]


def category_letter(letter: str) -> Category:
    """The category of a letter (``A`` .. ``D``)."""
    return next(c for c in CATEGORIES if c.letter == letter)
