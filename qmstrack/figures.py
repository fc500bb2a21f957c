"""Figures as people read them: measured values, targets, dates and periods in a language.

A rate (0-1) reads ``92,5%``, a count ``12``, an index (the IKM) ``80,25``; a target
``>= 0.9`` on a rate reads ``≥ 90,0%``; the period of a calendar month reads
``Oktober 2026`` and an objective's quarter ``Triwulan III 2026``. The audit, the audit
report, the review pack and the nightly summary all write figures through these
functions, so one number never reads two ways. The kind of a metric comes from its
declaration (:mod:`qmstrack.metric_catalogue`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from qmstrack.errors import InvalidInput
from qmstrack.i18n import format_date, format_number, format_pattern, format_percent, gettext
from qmstrack.periods import Period, label_kind, parse_span

TARGET_OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}
ROMAN = ("I", "II", "III", "IV")


def as_date(value: Any) -> date | None:
    """A date, or the ISO text of one (a timestamp's date part); None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def date_full(value: Any, lang: str) -> str:
    d = as_date(value)
    return format_date(d, lang) if d else "–"


def date_short(value: Any, lang: str) -> str:
    d = as_date(value)
    return format_date(d, lang, full=False) if d else "–"


def month_name(d: date, lang: str, pattern: str = "LLLL y") -> str:
    """``Oktober 2026`` (or another CLDR pattern: ``LLL`` -> ``Okt``)."""
    return format_pattern(d, lang, pattern)


def period_text(start: date, end: date, lang: str) -> str:
    """``Oktober 2026`` for a calendar month, else both days written in full."""
    from qmstrack.i18n import format_period

    if end >= start and Period(start, end).is_calendar_month():
        return month_name(start, lang)
    return format_period(start, end, lang)


def metric_kind(name: str | None) -> str:
    """``rate``, ``count`` or ``index``: the declaration's, else guessed from the name (a
    frozen checklist may name a metric this version no longer declares)."""
    if not name:
        return "count"
    from qmstrack.metric_catalogue import declared

    declaration = declared(name)
    if declaration is not None:
        return declaration.kind
    if name.endswith("rate") or name.endswith("_12m"):
        return "rate"
    return "index" if name.endswith("ikm") else "count"


def format_value(value: float | int | None, kind: str | None, lang: str) -> str:
    """A measured value as people read it: rate -> ``92,5%``, count -> ``12``,
    index -> ``80,25``."""
    if value is None:
        return "–"
    if kind == "rate":
        return format_percent(value, lang)
    if kind == "index":
        return format_number(value, lang, decimals=2)
    whole = float(value).is_integer()
    return format_number(int(value) if whole else value, lang, decimals=0 if whole else 2)


def format_target(target_text: str | None, kind: str, lang: str) -> str:
    """``>= 0.9`` for a rate -> ``≥ 90,0%``; empty when there is no target."""
    if not target_text:
        return ""
    from qmstrack.parsing import parse_target

    try:
        target = parse_target(target_text)
    except InvalidInput:
        return target_text
    return f"{TARGET_OPS.get(target.op, target.op)} {format_value(target.threshold, kind, lang)}"


def objective_kind(objective: Mapping[str, Any]) -> str:
    """How an objective's values read: its metric's kind; for a value recorded by hand, a
    rate when the target is a fraction (``>= 0.9``), else a count."""
    if objective.get("metric"):
        return objective.get("metric_kind") or metric_kind(objective["metric"])
    from qmstrack.parsing import parse_target

    try:
        threshold = parse_target(objective.get("target") or "").threshold
    except InvalidInput:
        return "count"
    return "rate" if 0 < threshold <= 1 else "count"


def span_text(label: str, lang: str) -> str:
    """A span's label as people read it: ``2026-08`` -> ``Agustus 2026``,
    ``2026-Q3`` -> ``Triwulan III 2026``, ``2026-S1`` -> ``Semester I 2026``,
    ``2026`` -> ``2026``."""
    kind = label_kind(label)
    if kind == "month":
        return month_name(parse_span(label, "month").start, lang)
    if kind in ("quarter", "semester"):
        m = re.fullmatch(r"(\d{4})-?[QqSs](\d)", label)
        assert m is not None
        if kind == "quarter":
            text = gettext("Q%(number)s %(year)s", lang)
        else:
            text = gettext("Semester %(number)s %(year)s", lang)
        roman = ROMAN[int(m[2]) - 1]
        return text % {"number": m[2], "quarter": roman, "roman": roman, "year": m[1]}
    return label
