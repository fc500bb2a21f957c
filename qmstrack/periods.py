"""Periods: the spans of days that every figure, audit, objective and export covers.

A :class:`Period` is ``[start, end]`` with both days included, as the product
specification defines every figure ("for a period [start, end], dates inclusive"). It is a
pair, so ``start, end = period`` and ``Period(*pair)`` work.

A :class:`Span` is a named period of the calendar, with the label that data and scripts
use: a month ``2026-10``, a quarter (*triwulan*) ``2026-Q3``, a semester ``2026-S1`` or a
year ``2026``. :data:`SPAN_KINDS` lists them; :func:`spans_of_year`,
:func:`span_containing` and :func:`parse_span` answer every question about them, so that
quality objectives, the management review, the audit report and the command line count
months and quarters the same way.

Calendar arithmetic is the standard library's (``calendar.monthrange``); month names and
their translations are Babel's, in :mod:`qmstrack.figures`.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from qmstrack.errors import InvalidInput


class _Days(NamedTuple):
    start: date
    end: date


class Period(_Days):
    """The days from ``start`` to ``end``, both included; ``end`` before ``start`` is refused."""

    __slots__ = ()

    def __new__(cls, start: date, end: date) -> Period:
        if end < start:
            raise InvalidInput(f"The period ends ({end}) before it starts ({start}).")
        return super().__new__(cls, start, end)

    def __repr__(self) -> str:
        return f"Period({self.start!r}, {self.end!r})"

    def is_calendar_month(self) -> bool:
        """Whether the period is exactly one calendar month."""
        return (self.start.day == 1 and (self.start.year, self.start.month)
                == (self.end.year, self.end.month) and self.end == month_end(self.end))

    def is_calendar_year(self) -> bool:
        return self.start == date(self.start.year, 1, 1) and self.end == date(
            self.start.year, 12, 31)


@dataclass(frozen=True)
class Span:
    """A named period of the calendar: its label (``2026-Q3``), first and last day."""

    label: str
    start: date
    end: date

    def as_period(self) -> Period:
        return Period(self.start, self.end)


def month_end(day: date) -> date:
    """The last day of the month of ``day``."""
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic, clamped to the month's end: 31 Jan + 1 month = 28/29 Feb."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def twelve_months_before(end: date) -> date:
    """The same day one year earlier (28 February for 29 February)."""
    return add_months(end, -12)


# --- the named spans ---------------------------------------------------------------------


def month(year: int, number: int) -> Span:
    first = date(year, number, 1)
    return Span(f"{year}-{number:02d}", first, month_end(first))


def quarter(year: int, number: int) -> Span:
    first = 3 * (number - 1) + 1
    return Span(f"{year}-Q{number}", date(year, first, 1), month(year, first + 2).end)


def semester(year: int, number: int) -> Span:
    first = 6 * (number - 1) + 1
    return Span(f"{year}-S{number}", date(year, first, 1), month(year, first + 5).end)


def year(number: int) -> Span:
    return Span(str(number), date(number, 1, 1), date(number, 12, 31))


@dataclass(frozen=True)
class SpanKind:
    """One kind of span: how many a year has, how one is made and how its label is written."""

    name: str
    per_year: int
    make: Callable[[int, int], Span]
    pattern: re.Pattern[str]
    example: str

    def number_of(self, day: date) -> int:
        return (day.month - 1) // (12 // self.per_year) + 1


SPAN_KINDS: dict[str, SpanKind] = {
    "month": SpanKind("month", 12, month, re.compile(r"^(\d{4})-(\d{1,2})$"),
                      "a month such as 2026-10"),
    "quarter": SpanKind("quarter", 4, quarter, re.compile(r"^(\d{4})-?[Qq]([1-4])$"),
                        "a quarter such as 2026-Q3"),
    "semester": SpanKind("semester", 2, semester, re.compile(r"^(\d{4})-?[Ss]([12])$"),
                         "a semester such as 2026-S1"),
    "year": SpanKind("year", 1, lambda y, _n: year(y), re.compile(r"^(\d{4})$"),
                     "a year such as 2026"),
}


def _kind(name: str) -> SpanKind:
    return SPAN_KINDS[name]


def spans_of_year(kind: str, in_year: int) -> list[Span]:
    """Every span of a kind in the year, in order (12 months, 4 quarters, 2 semesters or
    the year itself)."""
    k = _kind(kind)
    return [k.make(in_year, n) for n in range(1, k.per_year + 1)]


def span_containing(kind: str, day: date) -> Span:
    k = _kind(kind)
    return k.make(day.year, k.number_of(day))


def parse_span(text: object, kind: str) -> Span:
    """``2026-10`` (month), ``2026-Q3`` (quarter), ``2026-S1`` (semester), ``2026`` (year)."""
    raw = str(text or "").strip()
    k = _kind(kind)
    m = k.pattern.match(raw)
    if not m or (kind == "month" and not 1 <= int(m[2]) <= 12):
        raise InvalidInput(f"The period {raw[:20]!r} is not {k.example}.")
    _check_year(int(m[1]), raw)
    return k.make(int(m[1]), int(m[2]) if k.per_year > 1 else 1)


# The years a period may fall in: the same as qmstrack.parsing's for dates (a sibling
# module of this layer, so named again here; tests/test_hardening.py checks they agree).
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _check_year(year: int, text: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"The period {text[:20]!r} is outside the years "
                           f"{FIRST_YEAR}-{LAST_YEAR}; check the year.")


def label_kind(label: str) -> str | None:
    """The kind of span a label names (``2026-Q3`` -> ``quarter``), None if it names none."""
    for name, k in SPAN_KINDS.items():
        m = k.pattern.match(label)
        if m and (name != "month" or 1 <= int(m[2]) <= 12):
            return name
    return None


def parse_month(text: object) -> Period:
    """``2026-10`` -> the days of that month."""
    m = SPAN_KINDS["month"].pattern.match(str(text).strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise InvalidInput(f"The period {text!r} is not a month; write it as 2026-10.")
    _check_year(int(m[1]), str(text).strip())
    return month(int(m[1]), int(m[2])).as_period()


def previous_month(today: date) -> Period:
    """The calendar month before the one of ``today``."""
    last = today.replace(day=1) - timedelta(days=1)
    return month(last.year, last.month).as_period()


def month_spans(period: Period) -> list[Period]:
    """The calendar months touching the period, each cut to the period, oldest first."""
    spans = []
    first = period.start.replace(day=1)
    while first <= period.end:
        spans.append(Period(max(period.start, first), min(period.end, month_end(first))))
        first = month_end(first) + timedelta(days=1)
    return spans


def quarter_spans(period: Period) -> list[tuple[str, Period]]:
    """The calendar quarters touching the period, each cut to the period, with its label
    (``2026-Q1``)."""
    spans: list[tuple[str, Period]] = []
    for part in month_spans(period):
        label = span_containing("quarter", part.start).label
        if spans and spans[-1][0] == label:
            spans[-1] = (label, Period(spans[-1][1].start, part.end))
        else:
            spans.append((label, part))
    return spans


def months_back(end: date, count: int) -> list[Period]:
    """The ``count`` whole calendar months ending with the month of ``end``, oldest first."""
    months = []
    first = end.replace(day=1)
    for _ in range(count):
        months.append(Period(first, month_end(first)))
        first = (first - timedelta(days=1)).replace(day=1)
    return months[::-1]


def year_to_date(in_year: int, today: date) -> Period | None:
    """1 January of the year up to today (at most 31 December); None before the year."""
    start = date(in_year, 1, 1)
    if today < start:
        return None
    return Period(start, min(today, date(in_year, 12, 31)))


# --- choosing the period of a command ------------------------------------------------------


def choose_period(start: date | None, end: date | None, *, other: Period | None = None,
                  other_option: str | None = None, default: Period | None = None) -> Period:
    """The period a command covers: ``--from``/``--to`` (both), or one other way of naming
    it (``--period``, ``--date``, ``--year``: ``other``), or ``default``.

    Options given together that contradict each other are a usage error; a period whose
    end comes before its start is ``InvalidInput`` (the command line reports it as wrong
    usage of ``--from/--to``).
    """
    from qmstrack.errors import UsageError

    if other is not None and (start is not None or end is not None):
        raise UsageError(f"Give either {other_option} or --from/--to, not both.")
    if (start is None) != (end is None):
        hint = f" (or {other_option})" if other_option else ""
        raise UsageError(f"--from and --to go together; pass both{hint}.")
    if start is not None and end is not None:
        return Period(start, end)
    if other is not None:
        return other
    if default is None:
        raise UsageError("Give the period with --from and --to.")
    return default
