"""What a spreadsheet would do to the CSV files qmstrack writes, and how it is prevented.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run as a
formula by Excel and LibreOffice (OWASP, "CSV Injection"); such text is written with a
leading apostrophe. So is a cell in which one of them (or its full-width form, ``＝`` ``＋``
``－`` ``＠``, which an East Asian input method types and spreadsheets may fold to ASCII)
comes after leading blanks: spaces (LibreOffice's "Trim spaces" import option evaluates
`` =1+1``), tabs, line feeds, carriage returns, no-break and other Unicode spaces, or
invisible characters such as the zero-width space and the byte-order mark.

Digits-only identifiers are read as numbers: an 18-digit NIP loses its last digits and a
phone number its leading 0. In CSV (there is no cell type to say "text"), they are written
in the forms people write them, which no spreadsheet takes for a number: a NIP in its
groups (``19860926 201505 1 001``, as it is printed), a phone number as phonenumbers writes
it nationally (``0812-3456-7890``). Both are read back by qmstrack's imports.
"""

from __future__ import annotations

import re
from typing import Any

NIP_COLUMNS = frozenset({"nip", "staff_nip", "observer_nip"})
PHONE_COLUMNS = frozenset({"contact", "phone", "no_hp"})
_DIGITS = re.compile(r"^\d{6,18}$")

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What starts a formula once the blanks before it are gone (ASCII and full-width forms).
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Characters a spreadsheet may skip or trim before a formula: every Unicode space
# (str.isspace) and the invisible format characters (zero-width space, joiners, word
# joiner, byte-order mark, Mongolian vowel separator, soft hyphen).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad"


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, with a leading apostrophe."""
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first.isalnum() and first not in FORMULA_STARTS:  # the usual cell, at once
        return value
    if value.startswith(FORMULA_PREFIXES) or _formula_after_blanks(value):
        return "'" + value
    return value


def _formula_after_blanks(value: str) -> bool:
    for char in value:
        if char in FORMULA_STARTS:
            return True
        if not (char.isspace() or char in INVISIBLE):
            return False
    return False


def kept_as_text(column: str, value: Any) -> Any:
    """A NIP or a phone number in a form a spreadsheet keeps as text (see above)."""
    if not isinstance(value, str) or not _DIGITS.match(value):
        return value
    if column in NIP_COLUMNS and len(value) == 18:
        return f"{value[:8]} {value[8:14]} {value[14]} {value[15:]}"
    if column in PHONE_COLUMNS and value.startswith("0"):
        import phonenumbers

        try:
            number = phonenumbers.parse(value, "ID")
        except phonenumbers.NumberParseException:
            return value
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return value
