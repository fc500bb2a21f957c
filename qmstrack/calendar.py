"""Working days and due dates.

A working day is one of the office's working weekdays (Monday to Friday unless configured)
that is not an Indonesian public holiday, not a cuti bersama day, and not an extra day off
of the office, unless the office marks that day as worked. Public holidays and cuti bersama
come from the ``holidays`` package (country ``ID``, categories ``public`` and
``government``); the cuti bersama of each year are those of the joint decree (SKB) of the
Minister of Religious Affairs, the Minister of Manpower and the Minister for State
Apparatus and Bureaucratic Reform, e.g. for 2026 SKB Nomor 1497 Tahun 2025, Nomor 2 Tahun
2025 and Nomor 5 Tahun 2025 of 19 September 2025: 16 February, 18, 20, 23 and 24 March,
15 and 28 May and 24 December. Dates the package has not had confirmed yet (Islamic and
lunar holidays of years to come) carry its "(estimated)" label, and are flagged so.

The calendar precomputes the sorted working days of the years in use, so a due date is one
binary search, not a loop, and remembers the due dates it has computed (an import asks for
the same few thousand).

Importing the ``holidays`` package costs a fifth of a second (it loads every country), more
than a nightly summary spends on its queries; so the national days off of each year, once
computed, are kept in a small JSON file in the user cache directory, keyed by the installed
``holidays`` package (its files' sizes and times, so an upgrade recomputes them), the
categories and the language of the names. The file is the user's only (0600) and holds the
SHA-256 of its content; a file others can write, or whose content no longer matches its
hash (a poisoned cache that would move due dates), is not used. The cache is an
optimisation only: when it cannot be read or written, or is not trusted, the package is
used.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import sqlite_utils

_DUE_CACHE_SIZE = 100_000
COUNTRY = "ID"
PUBLIC, GOVERNMENT = "public", "government"
CATEGORIES = (PUBLIC, GOVERNMENT)


@dataclass(frozen=True)
class NationalDay:
    """A public holiday or a cuti bersama day, as the ``holidays`` package has it."""

    name: str
    category: str
    estimated: bool = False


class WorkingCalendar:
    """Working days between ``first_year`` and ``last_year`` (grown on demand).

    ``cuti_bersama`` (default on) counts the cuti bersama as days off; ``worked_days`` are
    days off (holidays, cuti bersama) the office works on all the same.
    """

    def __init__(self, weekdays: Iterable[int] = (1, 2, 3, 4, 5),
                 extra_days_off: Iterable[date] = (), *,
                 worked_days: Iterable[date] = (), cuti_bersama: bool = True):
        self.weekdays = frozenset(weekdays)
        self.extra_days_off = frozenset(extra_days_off)
        self.worked_days = frozenset(worked_days)
        self.cuti_bersama = bool(cuti_bersama)
        self._years: tuple[int, int] | None = None
        self._ordinals: list[int] = []
        self._national: dict[date, NationalDay] = {}
        self._due: dict[tuple[date, int], date] = {}

    @classmethod
    def from_db(cls, db: sqlite_utils.Database) -> WorkingCalendar:
        from qmstrack.db import get_setting

        extra = [date.fromisoformat(d) for d in get_setting(db, "extra_days_off") or []]
        worked = [date.fromisoformat(d) for d in get_setting(db, "worked_days") or []]
        joint = get_setting(db, "cuti_bersama")
        return cls(get_setting(db, "working_weekdays") or (1, 2, 3, 4, 5), extra,
                   worked_days=worked, cuti_bersama=True if joint is None else bool(joint))

    def _counts(self, day: NationalDay) -> bool:
        return day.category == PUBLIC or self.cuti_bersama

    def _ensure(self, first: int, last: int | None = None) -> None:
        """Make sure the years ``first``..``last`` are loaded, growing the range at most once."""
        last = first if last is None else last
        if self._years and self._years[0] <= first and last <= self._years[1]:
            return
        lo = min(first, self._years[0]) if self._years else first - 1
        hi = max(last, self._years[1]) if self._years else last + 1
        national = national_days_off(lo, hi)
        self._national = national
        self._due.clear()
        off = {d.toordinal() for d, n in national.items() if self._counts(n)}
        off |= {d.toordinal() for d in self.extra_days_off}
        off -= {d.toordinal() for d in self.worked_days}
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
        national = self._national.get(day)
        return national.name if national else None

    def national_day(self, day: date) -> NationalDay | None:
        """The public holiday or cuti bersama day on ``day``, counted or not."""
        self._ensure(day.year)
        return self._national.get(day)

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


# --- national days off, cached ------------------------------------------------------------


def public_holidays(first_year: int, last_year: int,
                    language: str | None = None) -> dict[date, str]:
    """Indonesian public holidays (date -> name) of the years ``first_year``..``last_year``."""
    return {d: n.name for d, n in national_days_off(first_year, last_year, language).items()
            if n.category == PUBLIC}


def national_days_off(first_year: int, last_year: int,
                      language: str | None = None) -> dict[date, NationalDay]:
    """Public holidays and cuti bersama of the years ``first_year``..``last_year``.

    ``language`` is that of the names (``id``, ``en_US``); None lets the ``holidays``
    package take it from the environment, as it does by default. A day that is both (none
    so far) is a public holiday.
    """
    years = range(first_year, last_year + 1)
    cache = _HolidayCache.open(language)
    if cache is not None:
        found = cache.get(years)
        if found is not None:
            return found
    import holidays

    days: dict[date, NationalDay] = {}
    for category in (GOVERNMENT, PUBLIC):
        entity = holidays.country_holidays(COUNTRY, years=years, categories=(category,),
                                           language=language)
        estimated = _estimated_pattern(entity)
        for day, name in entity.items():
            days[day] = NationalDay(str(name), category, bool(estimated.fullmatch(str(name))))
    if cache is not None:
        cache.put(years, days)
    return days


def _estimated_pattern(entity) -> re.Pattern[str]:
    """Names the package labels as estimates ("%s (estimated)", in the names' language)."""
    templates = []
    for attr in ("estimated_label", "observed_estimated_label"):
        label = getattr(entity, attr, None)
        if label:
            templates.append(str(entity.tr(label)))
    if not templates:
        return re.compile(r"(?!)")
    return re.compile("|".join(re.escape(t).replace("%s", ".+") for t in templates))


def _language_key(language: str | None) -> str:
    if language:
        return language
    # What the package reads when no language is given.
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name):
            return f"env:{os.environ[name]}"
    return "env:"


class _HolidayCache:
    """``{"key": ..., "years": {"2026": [["2026-02-16", "Cuti Bersama ...", "government",
    false], ...]}}``; the key names the package, the categories and the language."""

    def __init__(self, path: Path, key: str):
        self.path = path
        self.key = key

    @classmethod
    def open(cls, language: str | None = None) -> _HolidayCache | None:
        package = _package_key()
        if package is None or os.environ.get("QMSTRACK_NO_HOLIDAY_CACHE"):
            return None
        import hashlib

        import platformdirs

        directory = Path(platformdirs.user_cache_dir("qmstrack", appauthor=False))
        key = f"{package}|categories={','.join(CATEGORIES)}|language={_language_key(language)}"
        name = hashlib.sha256(key.encode()).hexdigest()[:16]
        return cls(directory / f"holidays-{COUNTRY}-{name}.json", key)

    def _load(self) -> dict:
        """The cached years, trusted only from a regular file of the user's own that nobody
        else can write, whose SHA-256 of the years still matches (else recomputed)."""
        import stat

        try:
            info = self.path.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or (
                    hasattr(os, "getuid") and info.st_uid != os.getuid()):
                return {}
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("key") != self.key or not isinstance(
                data.get("years"), dict) or data.get("sha256") != _years_hash(data["years"]):
            return {}
        return data["years"]

    def get(self, years: range) -> dict[date, NationalDay] | None:
        stored = self._load()
        out: dict[date, NationalDay] = {}
        try:
            for year in years:
                for day, name, category, estimated in stored[str(year)]:
                    if category not in CATEGORIES:
                        return None
                    out[date.fromisoformat(day)] = NationalDay(str(name), category,
                                                               bool(estimated))
        except (KeyError, TypeError, ValueError):
            return None
        return out

    def put(self, years: range, days: dict[date, NationalDay]) -> None:
        stored = self._load()
        for year in years:
            stored[str(year)] = sorted([d.isoformat(), n.name, n.category, n.estimated]
                                       for d, n in days.items() if d.year == year)
        from qmstrack.atomic import write_atomically

        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Owner-only, with the hash of its content: a file changed by hand is not used.
            write_atomically(self.path, json.dumps({"key": self.key, "years": stored,
                                                    "sha256": _years_hash(stored)}),
                             mode=0o600)
        except OSError:
            pass


def _years_hash(years: Any) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(years, sort_keys=True, ensure_ascii=False).encode()
                          ).hexdigest()


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


def package_version() -> str:
    """The installed ``holidays`` version, for saying where a day off comes from."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:
        return "?"
