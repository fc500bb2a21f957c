"""Turning what people type or keep in spreadsheets into clean values.

Dates in the forms the office writes them (ISO, ``23/11/2026``, ``23-11-2026``,
``23 November 2026``, ``23 Agt 2026``), NIP numbers, periods (``2026-10``), targets
(``>= 0.90``), scores and spreadsheet header names. Month names come from Babel's locale
data for Indonesian and English, plus the abbreviations Indonesian offices use that CLDR
does not list (``Agt``, ``Nop``, ``Peb``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from qmstrack.errors import InvalidInput
from qmstrack.i18n import N_, _, sentence

_EXTRA_MONTH_ALIASES = {
    "agt": 8, "agu": 8, "agust": 8, "peb": 2, "pebruari": 2, "nop": 11, "nopember": 11,
    "sept": 9, "okt": 10, "des": 12, "mei": 5, "jun": 6, "jul": 7,
}


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Lower-case month names and abbreviations (Indonesian and English) to month numbers."""
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    from qmstrack.i18n import LANGUAGES

    widths: tuple[Literal["wide", "abbreviated"], ...] = ("wide", "abbreviated")
    for locale in LANGUAGES:
        for width in widths:
            for number, name in get_month_names(width, locale=locale).items():
                names[name.lower().rstrip(".")] = number
    names.update(_EXTRA_MONTH_ALIASES)
    return names


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_TEXT = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


FIRST_YEAR, LAST_YEAR = 1900, 2100  # the years a date may have (see parse_date)


def parse_date(value: object, *, field: str = "date", today: date | None = None) -> date:
    """Parse one date; raise ``InvalidInput`` naming the field and the accepted forms.

    ``today`` and ``yesterday`` (and ``hari ini``, ``kemarin``) are accepted when the caller
    passes ``today``. A date outside the years 1900-2100 (``FIRST_YEAR``-``LAST_YEAR``) is
    refused: no record of an office predates 1900, and 0001 or 9999 is a typing mistake
    whose neighbouring days (due dates, twelve-month spans) Python cannot represent.
    """
    found = _parse_date(value, field, today)
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise InvalidInput(_(
            "The {field} {value} is outside the years {first}-{last}; check the year."
        ).format(field=field, value=found.isoformat(), first=FIRST_YEAR, last=LAST_YEAR))
    return found


def _parse_date(value: object, field: str, today: date | None) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        raise InvalidInput(sentence(N_("The {field} is missing."), field=field))
    text = str(value).strip()
    if not text:
        raise InvalidInput(sentence(N_("The {field} is empty."), field=field))
    if today is not None:
        lowered = text.lower()
        if lowered in ("today", "hari ini"):
            return today
        if lowered in ("yesterday", "kemarin"):
            return today - timedelta(days=1)
    try:
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _ISO_DATETIME.match(text):
            return date.fromisoformat(m[1])
        if m := _DMY.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if m := _TEXT.match(text):
            month = month_names().get(m[2].lower())
            if month is not None:
                return date(int(m[3]), month, int(m[1]))
    except ValueError:
        m = _DMY.match(text)
        swapped = _real_date(int(m[3]), int(m[1]), int(m[2])) if m else None
        if m is not None and swapped is not None:
            # 11/23/2026: written month first, the American way; never swapped silently.
            raise InvalidInput(sentence(N_(
                "The {field} {text!r} is not a real calendar date: dates are written day "
                "first, so {iso} is {day}/{month}/{year}."),
                field=field, text=text, iso=swapped.isoformat(), day=m[2], month=m[1],
                year=m[3])) from None
        raise InvalidInput(sentence(N_("The {field} {text!r} is not a real calendar date."),
                                    field=field, text=text)) from None
    shown = text if len(text) <= 40 else text[:37] + "..."
    raise InvalidInput(sentence(N_(
        "The {field} {text!r} is not a date; write it as 2026-11-23, 23/11/2026 or "
        "23 November 2026."), field=field, text=shown))


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_optional_date(value: object, *, field: str = "date") -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value, field=field)


# --- NIP ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nip:
    """A valid NIP (Nomor Induk Pegawai) and what it encodes."""

    value: str
    birth_date: date
    appointed: tuple[int, int]
    sex: int
    serial: int

    def formatted(self) -> str:
        v = self.value
        return f"{v[:8]} {v[8:14]} {v[14]} {v[15:]}"


# How a spreadsheet writes a long number cell in a CSV: 1,98609262015051E+017.
SCIENTIFIC_NUMBER = re.compile(r"^\d[.,]\d+[eE]\+?\d+$")


# The lowest age at which a CPNS can be appointed: applicants are at least 18 (PP Nomor 11
# Tahun 2017 on the management of civil servants, Pasal 23); and a birth year that can
# still be on a staff register.
NIP_MIN_AGE = 18
NIP_FIRST_BIRTH_YEAR = 1940


def parse_nip(value: object, *, today: date | None = None) -> Nip:
    """Validate an 18-digit NIP; spaces, dots and dashes between groups are accepted.

    The appointment must come at the age of 18 or later, and not after next year.
    """
    if value is None:
        raise InvalidInput(sentence(N_("The NIP is missing.")))
    if isinstance(value, float):
        # A spreadsheet number keeps 15 significant digits: an 18-digit NIP typed into a
        # number cell has already lost its last digits, and guessing them could name the
        # wrong person.
        raise InvalidInput(
            f"The NIP {value:.0f} was stored as a number, which keeps only 15 digits; format "
            "the NIP column as text and type the NIP again."
        )
    raw = str(value).strip()
    if SCIENTIFIC_NUMBER.match(raw):
        # The CSV of a number cell: 1,98609262015051E+017 (Indonesian) or 1.986...E+17.
        raise InvalidInput(
            f"The NIP {raw} was stored as a number, which keeps only 15 digits; format the "
            "NIP column as text and type the NIP again."
        )
    digits = re.sub(r"[\s.\-]", "", raw)
    shown = raw if len(raw) <= 30 else raw[:27] + "..."
    if not digits.isascii() or not digits.isdigit():
        raise InvalidInput(sentence(N_("The NIP {value!r} must contain only digits (18 of them)."),
                                    value=shown))
    if len(digits) != 18:
        raise InvalidInput(sentence(N_("The NIP {value!r} has {n} digits; a NIP has 18."),
                                    value=shown, n=len(digits)))
    try:
        birth = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidInput(
            f"The NIP {shown!r} does not start with a real birth date (YYYYMMDD)."
        ) from None
    if birth.year < NIP_FIRST_BIRTH_YEAR:
        raise InvalidInput(_("The NIP {value!r} has a birth year {year}, before {first}.")
                           .format(value=shown, year=birth.year, first=NIP_FIRST_BIRTH_YEAR))
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12:
        raise InvalidInput(sentence(N_("The NIP {value!r} has an appointment month {month}."),
                                    value=shown, month=f"{month:02d}"))
    # The slack of a year makes the server's zone irrelevant here.
    this_year = (today or date.today()).year
    if (year, month) < (birth.year + NIP_MIN_AGE, birth.month) or year > this_year + 1:
        raise InvalidInput(_(
            "The NIP {value!r} has an appointment date {appointed} that does not fit its "
            "birth date {birth} (appointed before the age of {age}, or in the future).").format(
                value=shown, appointed=f"{year}-{month:02d}", birth=birth.isoformat(),
                age=NIP_MIN_AGE))
    sex = int(digits[14])
    if sex not in (1, 2):
        raise InvalidInput(f"The NIP {shown!r} has sex digit {sex}; it must be 1 or 2.")
    serial = int(digits[15:])
    if serial == 0:
        raise InvalidInput(
            f"The NIP {shown!r} has serial number 000 (a spreadsheet that stored the NIP as a "
            "number drops its last digits; format that column as text)."
        )
    return Nip(digits, birth, (year, month), sex, serial)


# --- numbers, targets, codes ------------------------------------------------------------


def parse_int(value: object, *, field: str, minimum: int | None = None,
              maximum: int | None = None) -> int:
    if isinstance(value, bool):
        raise InvalidInput(sentence(N_("The {field} must be a whole number."), field=field))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"[+-]?\d{1,15}", text.replace(".", "").replace(",", "")) or (
        # "1.5" is not a whole number; "1.500.000" (Indonesian thousands) is.
        re.search(r"[.,]\d{1,2}$", text)
    ):
        raise InvalidInput(sentence(N_("The {field} {text!r} is not a whole number."),
                                    field=field, text=text))
    number = int(text.replace(".", "").replace(",", ""))
    if minimum is not None and number < minimum:
        raise InvalidInput(sentence(N_("The {field} {number} is below {minimum}."),
                                    field=field, number=number, minimum=minimum))
    if maximum is not None and number > maximum:
        raise InvalidInput(sentence(N_("The {field} {number} is above {maximum}."),
                                    field=field, number=number, maximum=maximum))
    return number


_TARGET = re.compile(r"^\s*(>=|<=|>|<|==|=)\s*([+-]?\d+(?:[.,]\d+)?)\s*(%?)\s*$")


@dataclass(frozen=True)
class Target:
    """A comparison a value must meet, such as ``>= 0.90``."""

    op: str
    threshold: float

    def met_by(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return {
            ">=": value >= self.threshold,
            "<=": value <= self.threshold,
            ">": value > self.threshold,
            "<": value < self.threshold,
            "==": value == self.threshold,
        }[self.op]

    def __str__(self) -> str:
        return f"{self.op} {self.threshold:g}"


def parse_target(text: object) -> Target:
    """``">= 0.90"``, ``"<= 0"``, ``">= 90%"`` (percent becomes a fraction)."""
    m = _TARGET.match(str(text))
    if not m:
        raise InvalidInput(
            f"The target {str(text)[:40]!r} is not a comparison such as '>= 0.90' or '<= 0'."
        )
    op = "==" if m[1] == "=" else m[1]
    threshold = float(m[2].replace(",", "."))
    if m[3]:
        threshold /= 100
    return Target(op, threshold)


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,39}$")


def parse_code(value: object, *, field: str) -> str:
    """A short identifier (unit, service, rule code): letters, digits, ``_ . - /``."""
    text = str(value).strip() if value is not None else ""
    if not _CODE.match(text):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidInput(sentence(N_(
            "The {field} {text!r} is not a valid code (letters, digits, '_', '.', '-', '/', "
            "at most 40 characters)."), field=field, text=shown))
    return text.upper() if field == "unit" else text


def clean_text(value: object, *, field: str, max_length: int = 2000,
               required: bool = False) -> str:
    """Strip a free-text value, refuse control characters and absurd lengths."""
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise InvalidInput(sentence(N_("The {field} is empty."), field=field))
    if len(text) > max_length:
        raise InvalidInput(sentence(N_(
            "The {field} is {n} characters long; the limit is {limit}."),
            field=field, n=len(text), limit=max_length))
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise InvalidInput(sentence(N_("The {field} contains control characters."),
                                    field=field))
    return text


def normalise_header(name: object) -> str:
    """``'Tgl. Masuk'`` -> ``'tglmasuk'``: case, spaces and punctuation do not matter."""
    text = unicodedata.normalize("NFKC", str(name or "")).lower().lstrip("\ufeff")
    return re.sub(r"[\W_]+", "", text)
