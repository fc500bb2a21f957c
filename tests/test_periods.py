"""Periods: months, quarters, semesters and years, and choosing the period of a command."""

from __future__ import annotations

from datetime import date

import pytest

from qmstrack.errors import InvalidInput
from qmstrack.periods import parse_month, previous_month


def test_parse_period_and_previous_month():
    assert parse_month("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert parse_month("2028-2") == (date(2028, 2, 1), date(2028, 2, 29))
    assert previous_month(date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    for bad in ("2026-13", "2026-00", "Oktober", "2026-10-01"):
        with pytest.raises(InvalidInput, match="not a month"):
            parse_month(bad)
