"""What a spreadsheet would do to the CSV files qmstrack writes, and how it is prevented.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run as a
formula by Excel and LibreOffice; such text is written with a leading apostrophe.

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


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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
