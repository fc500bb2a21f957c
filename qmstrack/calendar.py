"""Working days and due dates.

A working day is one of the office's working weekdays (Monday to Friday unless configured)
that is neither an Indonesian public holiday (the ``holidays`` package, country ``ID``) nor
an extra day off configured by the office (cuti bersama). The calendar precomputes the
sorted working days of the years in use, so a due date is one binary search, not a loop,
and remembers the due dates it has computed (an import asks for the same few thousand).

Importing the ``holidays`` package costs a fifth of a second (it loads every country), more
than a nightly summary spends on its queries; so the Indonesian public holidays of each year,
once computed, are kept in a small JSON file in the user cache directory, keyed by the
installed ``holidays`` package (its files' sizes and times, so an upgrade recomputes them).
The cache is an optimisation only: when it cannot be read or written, the package is used.
"""

from __future__ import annotations

import bisect
import json
import os
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path

import sqlite_utils

_DUE_CACHE_SIZE = 100_000
COUNTRY = "ID"


class WorkingCalendar:
    """Working days between ``first_year`` and ``last_year`` (grown on demand)."""

    def __init__(self, weekdays: Iterable[int] = (1, 2, 3, 4, 5),
                 extra_days_off: Iterable[date] = ()):
        self.weekdays = frozenset(weekdays)
        self.extra_days_off = frozenset(extra_days_off)
        self._years: tuple[int, int] | None = None
        self._ordinals: list[int] = []
        self._holiday_names: dict[date, str] = {}
        self._due: dict[tuple[date, int], date] = {}

    @classmethod
    def from_db(cls, db: sqlite_utils.Database) -> WorkingCalendar:
        from qmstrack.db import get_setting

        extra = [date.fromisoformat(d) for d in get_setting(db, "extra_days_off") or []]
        return cls(get_setting(db, "working_weekdays") or (1, 2, 3, 4, 5), extra)

    def _ensure(self, first: int, last: int | None = None) -> None:
        """Make sure the years ``first``..``last`` are loaded, growing the range at most once."""
        last = first if last is None else last
        if self._years and self._years[0] <= first and last <= self._years[1]:
            return
        lo = min(first, self._years[0]) if self._years else first - 1
        hi = max(last, self._years[1]) if self._years else last + 1
        public = public_holidays(lo, hi)
        self._holiday_names = public
        self._due.clear()
        off = {d.toordinal() for d in public} | {d.toordinal() for d in self.extra_days_off}
        weekdays = self.weekdays
        # Ordinal 1 (1 January of year 1) was a Monday: the ISO weekday is (o - 1) % 7 + 1.
        self._ordinals = [
            o for o in range(date(lo, 1, 1).toordinal(), date(hi, 12, 31).toordinal() + 1)
            if (o - 1) % 7 + 1 in weekdays and o not in off
        ]
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
        key = (received, working_days)
        due = self._due.get(key)
        if due is not None:
            return due
        if working_days < 0:
            raise ValueError("working_days must be >= 0")
        # n working days can span at most a few weeks per day in any real calendar;
        # make sure the years they can reach are loaded.
        self._ensure(received.year, received.year + 1 + working_days // 200)
        ordinal = received.toordinal()
        if working_days == 0:
            i = bisect.bisect_left(self._ordinals, ordinal)
        else:
            i = bisect.bisect_right(self._ordinals, ordinal) + working_days - 1
        due = date.fromordinal(self._ordinals[i])
        if len(self._due) >= _DUE_CACHE_SIZE:
            self._due.clear()
        self._due[key] = due
        return due

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days after ``start`` ``end`` is."""
        self._ensure(min(start.year, end.year), max(start.year, end.year))
        lo = bisect.bisect_right(self._ordinals, start.toordinal())
        hi = bisect.bisect_right(self._ordinals, end.toordinal())
        return hi - lo


# --- public holidays, cached ------------------------------------------------------------


def public_holidays(first_year: int, last_year: int) -> dict[date, str]:
    """Indonesian public holidays (date -> name) of the years ``first_year``..``last_year``."""
    years = range(first_year, last_year + 1)
    cache = _HolidayCache.open()
    if cache is not None:
        found = cache.get(years)
        if found is not None:
            return found
    import holidays

    public = dict(holidays.country_holidays(COUNTRY, years=years).items())
    if cache is not None:
        cache.put(years, public)
    return public


class _HolidayCache:
    """``{"key": ..., "years": {"2026": [["2026-01-01", "Tahun Baru Masehi"], ...]}}``."""

    def __init__(self, path: Path, key: str):
        self.path = path
        self.key = key

    @classmethod
    def open(cls) -> _HolidayCache | None:
        key = _package_key()
        if key is None or os.environ.get("QMSTRACK_NO_HOLIDAY_CACHE"):
            return None
        import hashlib

        import platformdirs

        directory = Path(platformdirs.user_cache_dir("qmstrack", appauthor=False))

        name = hashlib.sha256(key.encode()).hexdigest()[:16]
        return cls(directory / f"holidays-{COUNTRY}-{name}.json", key)

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("key") != self.key or not isinstance(
                data.get("years"), dict):
            return {}
        return data["years"]

    def get(self, years: range) -> dict[date, str] | None:
        stored = self._load()
        out: dict[date, str] = {}
        try:
            for year in years:
                for day, name in stored[str(year)]:
                    out[date.fromisoformat(day)] = name
        except (KeyError, TypeError, ValueError):
            return None
        return out

    def put(self, years: range, public: dict[date, str]) -> None:
        stored = self._load()
        for year in years:
            stored[str(year)] = sorted([d.isoformat(), str(n)] for d, n in public.items()
                                       if d.year == year)
        from qmstrack.atomic import default_mode, write_atomically

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps({"key": self.key, "years": stored}),
                             mode=default_mode())
        except OSError:
            pass


@cache
def _package_key() -> str | None:
    """Identifies the installed ``holidays`` package without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("holidays")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    root = Path(spec.origin).parent
    parts = [str(root)]
    for name in ("version.py", "countries/indonesia.py", "holiday_base.py"):
        try:
            st = (root / name).stat()
        except OSError:
            return None
        parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)
