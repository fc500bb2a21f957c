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


def option_value(option: str, parse: Callable[[], T]) -> T:
    try:
        return parse()
    except InvalidInput as exc:
        raise UsageError(f"{option}: {exc}") from None


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
