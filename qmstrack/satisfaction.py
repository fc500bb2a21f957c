"""Public satisfaction (Indeks Kepuasan Masyarakat, PermenPAN-RB 14/2017) from survey responses.

For a period and a scope of units (optionally one service), following the Lampiran of
Peraturan Menteri PANRB Nomor 14 Tahun 2017 (Pedoman Penyusunan Survei Kepuasan Masyarakat
Unit Penyelenggara Pelayanan Publik), bab "Pengolahan data":

- NRR of an element (nilai rata-rata per unsur) = the mean score of that element over the
  responses; its weighted NRR (NRR tertimbang) = NRR x the weight; its converted value
  (nilai konversi) = NRR x 25; its category (mutu pelayanan per unsur) from the
  regulation's interval table on the 1-4 scale: 1.00-2.5996 D, 2.60-3.064 C,
  3.0644-3.532 B, 3.5324-4.00 A (judged on the NRR rounded to four decimals, half up, as
  the table is written; a value in a gap of the table, e.g. 3.0642, belongs to the lower
  category, because it has not reached the next one's lower bound);
- the weight (bobot nilai rata-rata tertimbang) is 1/9 (number of weights / number of
  elements); the setting ``ikm_weight`` is ``exact`` (1/9, the default) or ``0.111`` (or
  ``0.11``), the rounded weights offices' spreadsheets use, so that an office can reproduce
  its earlier reports; every report states the weight used;
- IKM = (sum of the nine weighted NRR) x 25, on a 25-100 scale;
- category: A (Sangat Baik) when IKM >= 88.31, B (Baik) >= 76.61, C (Kurang Baik) >= 65.00,
  otherwise D (Tidak Baik) (the table's converted intervals 25.00-64.99, 65.00-76.60,
  76.61-88.30, 88.31-100.00);
- sample adequacy: the population N is the requests received in the period for the scope
  (or a number the office gives); the required sample is Krejcie and Morgan's
  s = X^2 N P(1-P) / (d^2 (N-1) + X^2 P(1-P)) with X^2 = 3.841, P = 0.5, d = 0.05, rounded
  up (R. V. Krejcie and D. W. Morgan, "Determining sample size for research activities",
  Educational and Psychological Measurement 30, 1970, pp. 607-610; their Table 1 rounds
  to the nearest whole number, so it is at most one below this rule). An IKM from fewer
  responses is *indicative* (kurang representatif), and every output says so.

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

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import sqlite_utils

from qmstrack.errors import InvalidInput
from qmstrack.i18n import N_, _
from qmstrack.metric_catalogue import defines
from qmstrack.periods import Period
from qmstrack.registers.surveys import ELEMENT_COUNT, SCORE_COLUMNS, element_label
from qmstrack.scope import Scope

SCALE = 25
CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")

# The weights an office may use (setting ``ikm_weight``): the regulation's 1/9, and the
# rounded values of older spreadsheets.
WEIGHTS: dict[str, float] = {"exact": 1 / ELEMENT_COUNT, "0.111": 0.111, "0.11": 0.11}
DEFAULT_WEIGHT = "exact"

# Krejcie and Morgan (1970): chi-square for one degree of freedom at 95 % (3.841), the
# population proportion that gives the largest sample (0.5), the accuracy (0.05).
KM_CHI_SQUARE = Fraction(3841, 1000)
KM_PROPORTION = Fraction(1, 2)
KM_ACCURACY = Fraction(5, 100)


@dataclass(frozen=True)
class Category:
    letter: str
    label: str  # as the regulation names it (Indonesian): the value data and JSON carry
    message: str  # the name people read, a catalogue message (English source text)
    minimum: Decimal  # the two-decimal IKM from which the category starts
    element_minimum: Decimal  # the four-decimal NRR (1-4 scale) from which it starts


CATEGORIES: tuple[Category, ...] = (
    Category("A", "Sangat Baik", N_("Very good"), Decimal("88.31"), Decimal("3.5324")),
    Category("B", "Baik", N_("Good"), Decimal("76.61"), Decimal("3.0644")),
    Category("C", "Kurang Baik", N_("Less than good"), Decimal("65.00"), Decimal("2.60")),
    Category("D", "Tidak Baik", N_("Not good"), Decimal("0"), Decimal("0")),
)


def rounded_ikm(ikm: float) -> Decimal:
    """The IKM as people read it: two decimals, half up."""
    return Decimal(repr(float(ikm))).quantize(CENT, rounding=ROUND_HALF_UP)


def rounded_nrr(nrr: float) -> Decimal:
    """An element's NRR as the regulation's table reads it: four decimals, half up."""
    return Decimal(repr(float(nrr))).quantize(TEN_THOUSANDTH, rounding=ROUND_HALF_UP)


def category_of(ikm: float | None) -> Category | None:
    """The category of an IKM (None for no responses), judged on its two-decimal value."""
    if ikm is None:
        return None
    shown = rounded_ikm(ikm)
    for category in CATEGORIES:
        if shown >= category.minimum:
            return category
    return CATEGORIES[-1]


def element_category(nrr: float | None) -> Category | None:
    """The category of one element's NRR (mutu pelayanan per unsur), judged on its
    four-decimal value against 2.60 (C), 3.0644 (B) and 3.5324 (A)."""
    if nrr is None:
        return None
    shown = rounded_nrr(nrr)
    for category in CATEGORIES:
        if shown >= category.element_minimum:
            return category
    return CATEGORIES[-1]


def parse_weight(value: Any) -> str:
    """The ``ikm_weight`` setting: ``exact`` (1/9), ``0.111`` or ``0.11``."""
    text = str(value).strip().lower().replace(",", ".")
    if text in ("1/9", "exact", "tepat"):
        return "exact"
    if text in WEIGHTS:
        return text
    raise InvalidInput(_("The IKM weight {value} is not one of exact (1/9), 0.111 and 0.11."
                         ).format(value=repr(str(value)[:20])))


def ikm_weight(db: sqlite_utils.Database) -> str:
    """The office's weight setting (``exact`` unless it chose a rounded one)."""
    from qmstrack.db import get_setting

    value = get_setting(db, "ikm_weight")
    return value if value in WEIGHTS else DEFAULT_WEIGHT


def weight_text(weight: str) -> str:
    """The weight as reports state it: ``1/9 (0.1111...)`` or the rounded value."""
    return "1/9" if weight == "exact" else weight


def ikm_from_nrr(nrr: Sequence[float | None], weight: str = DEFAULT_WEIGHT) -> float | None:
    """IKM = (sum of the nine NRR x weight) x 25; None when there were no responses."""
    if len(nrr) != ELEMENT_COUNT:
        raise ValueError(f"expected {ELEMENT_COUNT} NRR values, got {len(nrr)}")
    known = [v for v in nrr if v is not None]
    if len(known) != len(nrr):
        return None
    if weight == "exact":
        return sum(known) / ELEMENT_COUNT * SCALE
    return sum(known) * WEIGHTS[weight] * SCALE


def weighted_nrr(nrr: float | None, weight: str = DEFAULT_WEIGHT) -> float | None:
    if nrr is None:
        return None
    return nrr / ELEMENT_COUNT if weight == "exact" else nrr * WEIGHTS[weight]


def required_sample(population: int) -> int:
    """Krejcie and Morgan's required sample for a population of ``population``, rounded up
    (computed in exact fractions: 3.841 N 0.25 / (0.0025 (N-1) + 3.841 x 0.25))."""
    if population <= 0:
        return 0
    pq = KM_PROPORTION * (1 - KM_PROPORTION)
    s = (KM_CHI_SQUARE * population * pq
         / (KM_ACCURACY ** 2 * (population - 1) + KM_CHI_SQUARE * pq))
    return math.ceil(s)


def population_of(db: sqlite_utils.Database, period: Period, scope: Scope) -> int:
    """The requests received in the period for the scope: the survey's population."""
    where, params = scope.where("unit", "service_code")
    return db.execute(
        f"SELECT count(*) FROM requests WHERE received_on BETWEEN ? AND ? AND {where}",
        [period.start.isoformat(), period.end.isoformat(), *params]).fetchone()[0]


def sample_adequacy(responses: int, population: int) -> dict[str, Any]:
    """``{population, required, responses, adequate}``: adequate when there is at least one
    response and no fewer than the required sample."""
    required = required_sample(population)
    return {"population": population, "required": required, "responses": responses,
            "adequate": responses > 0 and responses >= required}


def element_rows(nrr: Sequence[float | None], weight: str, lang: str = "id"
                 ) -> list[dict[str, Any]]:
    """The per-element table: code, name, NRR, weighted NRR, converted value, category."""
    rows = []
    for i, value in enumerate(nrr, start=1):
        category = element_category(value)
        rows.append({"code": f"U{i}", "name": element_label(i, lang), "nrr": value,
                     "nrr_weighted": weighted_nrr(value, weight),
                     "converted": None if value is None else value * SCALE,
                     "category": category.letter if category else None})
    return rows


def weakest_elements(elements: Sequence[dict[str, Any]], count: int = 3
                     ) -> list[dict[str, Any]]:
    """The ``count`` elements with the lowest NRR (ties at the last place included),
    lowest first: where the follow-up plan starts."""
    known = sorted((e for e in elements if e["nrr"] is not None),
                   key=lambda e: (rounded_nrr(e["nrr"]), e["code"]))
    if len(known) <= count:
        return known
    last = rounded_nrr(known[count - 1]["nrr"])
    return [e for e in known if rounded_nrr(e["nrr"]) <= last]


def _figures(responses: int, averages: Sequence[float | None],
             weight: str = DEFAULT_WEIGHT) -> dict:
    nrr = [None if responses == 0 or v is None else float(v) for v in averages]
    ikm = ikm_from_nrr(nrr, weight)
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
                         scope: Scope = Scope(), *, sample: bool = False,
                         population: int | None = None) -> dict:
    """Responses, NRR per element, IKM and category over a period: one SQL aggregate, with
    the office's weight. With ``sample``, also ``weight`` and ``sample`` (the population
    is the requests received unless ``population`` is given)."""
    where, params = _where(period.start, period.end, scope)
    row = db.execute(f"SELECT count(*), {_AVERAGES} FROM surveys s WHERE {where}",
                     params).fetchone()
    weight = ikm_weight(db)
    figures = _figures(row[0], row[1:], weight)
    if sample:
        figures["weight"] = weight
        figures["sample"] = sample_adequacy(
            row[0], population_of(db, period, scope) if population is None else population)
    return figures


def satisfaction_report(db: sqlite_utils.Database, *, start: date | None = None,
                        end: date | None = None, scope: Scope = Scope()) -> dict:
    """Overall and per-service figures; an open end of the period is the data's own.

    Shape: ``{"period": {"start", "end"}, "overall": {...}, "services": [{...}, ...]}``
    (the survey report, :mod:`qmstrack.survey_report`, adds the rest).
    """
    where, params = _where(start, end, scope)
    weight = ikm_weight(db)
    row = db.execute(
        f"SELECT count(*), min(s.responded_on), max(s.responded_on), {_AVERAGES} "
        f"FROM surveys s WHERE {where}", params).fetchone()
    overall = _figures(row[0], row[3:], weight)
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
                         **_figures(responses, nrr, weight)})
    return {
        "period": {
            "start": start.isoformat() if start else row[1],
            "end": end.isoformat() if end else row[2],
        },
        "weight": weight,
        "overall": overall,
        "services": services,
    }


# --- the respondents' profile ------------------------------------------------------------

# The answers of the profile block of the regulation's sample questionnaire (Lampiran,
# "contoh kuesioner"), in the order the tables list them;
# any other value is kept as the respondent wrote it, counted under its own value after
# these, and an empty answer is counted under "" (not stated).
KNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "sex": ("L", "P"),
    "age": ("10-19", "20-29", "30-39", "40-49", "50-59", "60-100"),
    "education": ("SD", "SMP", "SMA", "S1", "S2", "S3"),
    "occupation": ("PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya"),
}
# An age in years falls in its band; an age band written on the form is kept as written.
_AGE_GROUP = ("CASE WHEN age IS NULL THEN age_band WHEN age < 20 THEN '10-19' "
              "WHEN age < 30 THEN '20-29' WHEN age < 40 THEN '30-39' "
              "WHEN age < 50 THEN '40-49' WHEN age < 60 THEN '50-59' ELSE '60-100' END")
_PROFILE_SQL = {"sex": "sex", "age": _AGE_GROUP, "education": "education",
                "occupation": "occupation"}


def profile_counts(db: sqlite_utils.Database, start: date | None, end: date | None,
                   scope: Scope = Scope()) -> dict[str, dict[str, int]]:
    """Responses counted by each profile value (``sex``, ``age``, ``education``,
    ``occupation``), in SQL: the known values first (matched ignoring case and spaces),
    then the others as written, then "" (not stated)."""
    where, params = _where(start, end, scope)
    out: dict[str, dict[str, int]] = {}
    for field, expression in _PROFILE_SQL.items():
        known = {" ".join(v.casefold().split()): v for v in KNOWN_VALUES[field]}
        counts: dict[str, int] = {}
        for value, n in db.execute(
                f"SELECT trim({expression}), count(*) FROM surveys s WHERE {where} "
                "GROUP BY 1", params):
            text = value or ""
            key = known.get(" ".join(text.casefold().split()), text)
            counts[key] = counts.get(key, 0) + n
        order = {v: i for i, v in enumerate(KNOWN_VALUES[field])}
        out[field] = dict(sorted(counts.items(), key=lambda kv: (
            kv[0] == "", order.get(kv[0], len(order)), kv[0].casefold())))
    return out


@defines("satisfaction.responses")
def _satisfaction_responses(db, period, scope):
    return satisfaction_figures(db, period, scope)["responses"]


@defines("satisfaction.ikm")
def _satisfaction_ikm(db, period, scope):
    return satisfaction_figures(db, period, scope)["ikm"]


def category_letter(letter: str) -> Category:
    """The category of a letter (``A`` .. ``D``)."""
    return next(c for c in CATEGORIES if c.letter == letter)
