"""Protecting spreadsheet users from formula injection in the CSV files qmstrack writes.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run as a
formula by Excel and LibreOffice; such text is written with a leading apostrophe.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
