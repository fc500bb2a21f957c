"""Option values: parse with the domain parsers, and report a bad value as wrong usage.

A value typed on the command line that cannot be understood is a usage error (exit 2),
like any other bad option; bad data found in files or the database is exit 1.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from qmstrack.errors import InvalidInput, UsageError

T = TypeVar("T")


def option_value(option: str, parse: Callable[[], T], *, message: str | None = None) -> T:
    """``parse()``, its ``InvalidInput`` turned into a usage error naming the option (or
    into ``message``)."""
    try:
        return parse()
    except InvalidInput as exc:
        if message:
            raise UsageError(message) from None
        from qmstrack.cli.lang import translate_message

        # The refusal in the terminal's language (the whole line matches no template).
        raise UsageError(f"{option}: {translate_message(str(exc))}") from None


def opt_date(value: str | None, option: str, *, today: date | None = None) -> date | None:
    if value is None:
        return None
    from qmstrack.cli.state import office_today
    from qmstrack.parsing import parse_date

    return option_value(option, lambda: parse_date(value, field="date",
                                                   today=today or office_today()))


def opt_units(db, values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return ()
    from qmstrack.registers.common import require_units

    return option_value("--unit", lambda: require_units(db, values))


def opt_lang(value: str | None, db=None, *, configured: str | None = None) -> str:
    """``--lang``, else the office's configured language (from ``db``, or ``configured``),
    else Indonesian."""
    from qmstrack.i18n import check_lang, choices_text, choose_lang

    if value is not None:
        return option_value("--lang", lambda: check_lang(value), message=(
            f"--lang {value!r} is not available; use {choices_text()}."))
    if db is not None:
        from qmstrack.db import get_setting

        configured = get_setting(db, "lang")
    return choose_lang(None, configured)


def opt_period(start: str | None, end: str | None, *, other=None,
               other_option: str | None = None, default=None, today: date | None = None):
    """The period of ``--from``/``--to``, or ``other`` (what ``--period``, ``--date`` or
    ``--year`` named), or ``default`` (:func:`qmstrack.periods.choose_period`)."""
    from qmstrack.periods import choose_period

    first, last = opt_date(start, "--from", today=today), opt_date(end, "--to", today=today)
    return option_value("--from/--to", lambda: choose_period(
        first, last, other=other, other_option=other_option, default=default))


def opt_range(start: str | None, end: str | None, *, today: date | None = None
              ) -> tuple[date | None, date | None]:
    """``--from`` and ``--to`` where either may be left open."""
    from qmstrack.periods import Period

    first, last = opt_date(start, "--from", today=today), opt_date(end, "--to", today=today)
    if first is not None and last is not None:
        option_value("--from/--to", lambda: Period(first, last))
    return first, last
