"""Working days and due dates.

A working day is one of the office's working weekdays (Monday to Friday unless configured)
that is neither an Indonesian public holiday (the ``holidays`` package, country ``ID``) nor
an extra day off configured by the office (cuti bersama). The calendar precomputes the
sorted working days of the years in use, so a due date is one binary search, not a loop.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta

import sqlite_utils


class WorkingCalendar:
    """Working days between ``first_year`` and ``last_year`` (grown on demand)."""

    def __init__(self, weekdays: Iterable[int] = (1, 2, 3, 4, 5),
                 extra_days_off: Iterable[date] = ()):
        self.weekdays = frozenset(weekdays)
        self.extra_days_off = frozenset(extra_days_off)
        self._years: tuple[int, int] | None = None
        self._ordinals: list[int] = []
        self._holiday_names: dict[date, str] = {}

    @classmethod
    def from_db(cls, db: sqlite_utils.Database) -> WorkingCalendar:
        from qmstrack.db import get_setting

        extra = [date.fromisoformat(d) for d in get_setting(db, "extra_days_off") or []]
        return cls(get_setting(db, "working_weekdays") or (1, 2, 3, 4, 5), extra)

    def _ensure(self, year: int) -> None:
        if self._years and self._years[0] <= year <= self._years[1]:
            return
        lo = min(year, self._years[0]) if self._years else year - 1
        hi = max(year, self._years[1]) if self._years else year + 1
        import holidays

        public = holidays.country_holidays("ID", years=range(lo, hi + 1))
        self._holiday_names = dict(public.items())
        ordinals = []
        day = date(lo, 1, 1)
        end = date(hi, 12, 31)
        while day <= end:
            if day.isoweekday() in self.weekdays and day not in public and (
                day not in self.extra_days_off
            ):
                ordinals.append(day.toordinal())
            day += timedelta(days=1)
        self._ordinals = ordinals
        self._years = (lo, hi)

    def is_working_day(self, day: date) -> bool:
        self._ensure(day.year)
        i = bisect.bisect_left(self._ordinals, day.toordinal())
        return i < len(self._ordinals) and self._ordinals[i] == day.toordinal()

    def holiday_name(self, day: date) -> str | None:
        self._ensure(day.year)
        if day in self.extra_days_off:
            return "cuti bersama"
        return self._holiday_names.get(day)

    def due_date(self, received: date, working_days: int) -> date:
        """The n-th working day after ``received``; for n = 0 the first on or after it."""
        if working_days < 0:
            raise ValueError("working_days must be >= 0")
        # n working days can span at most a few weeks per day in any real calendar;
        # make sure the years they can reach are loaded.
        self._ensure(received.year)
        self._ensure(received.year + 1 + working_days // 200)
        ordinal = received.toordinal()
        if working_days == 0:
            i = bisect.bisect_left(self._ordinals, ordinal)
        else:
            i = bisect.bisect_right(self._ordinals, ordinal) + working_days - 1
        return date.fromordinal(self._ordinals[i])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days after ``start`` ``end`` is."""
        self._ensure(start.year)
        self._ensure(end.year)
        lo = bisect.bisect_right(self._ordinals, start.toordinal())
        hi = bisect.bisect_right(self._ordinals, end.toordinal())
        return hi - lo
