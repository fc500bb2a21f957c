"""Who a staff member is: the employment type and its identifier.

Everyone whose adherence is assessed is on the staff register, down to the security guards,
under one of three employment types, each with its own identifier:

- ``pns`` (Pegawai Negeri Sipil): the NIP, 18 digits (Peraturan Kepala BKN Nomor 22 Tahun
  2007): birth date ``YYYYMMDD``, year and month of appointment as CPNS ``YYYYMM``, sex
  (1 male, 2 female), serial ``001``-``999``; validated by :func:`qmstrack.parsing.parse_nip`.
- ``pppk`` (Pegawai Pemerintah dengan Perjanjian Kerja, PP Nomor 49 Tahun 2018): the NI PPPK
  (Nomor Induk PPPK) issued by BKN, also 18 digits but laid out differently. BKN describes
  it as "tahun, bulan, dan tanggal lahir, tahun pengangkatan pertama sebagai calon PPPK,
  jumlah perjanjian kerja calon PPPK, jenis kelamin calon PPPK dan nomor urut calon PPPK":
  digits 1-8 the birth date, 9-12 the year of first appointment, 13-14 a two-digit code of
  the work agreement (not a month: numbers issued since 2022 carry codes such as ``21`` or
  ``24``), 15 the sex, 16-18 the serial. ``19860316 202221 2 001`` and
  ``19900913 202524 2 014`` are NI PPPK. PP 49/2018 Pasal 16 sets the lowest age for
  applying as PPPK at 20 years, and the first PPPK were appointed in 2019.
- ``non-asn`` (honorary and contract workers, security guards, cleaners...): no national
  number, so the office gives each a code such as ``KEAMANAN-01``. A code has letters and a
  number, so that it is never mistaken for a NIP typed short, nor for a person's name.

Anywhere a staff member is named (``--staff``, ``--owner``, an import column) the NIP, the
NI PPPK or the code is accepted: :func:`staff_key` reduces what was typed to the stored
identifier (digits without spaces, or the code in capitals), and the register says whose it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from qmstrack.errors import InvalidInput
from qmstrack.i18n import _
from qmstrack.parsing import SCIENTIFIC_NUMBER

EMPLOYMENT_ALIASES = {
    "pns": "pns", "cpns": "pns", "asn pns": "pns", "pegawai negeri sipil": "pns",
    "pppk": "pppk", "p3k": "pppk", "pppk paruh waktu": "pppk", "asn pppk": "pppk",
    "pegawai pemerintah dengan perjanjian kerja": "pppk",
    "non-asn": "non-asn", "non asn": "non-asn", "nonasn": "non-asn", "non": "non-asn",
    "honorer": "non-asn", "tenaga honorer": "non-asn", "kontrak": "non-asn",
    "tenaga kontrak": "non-asn", "outsourcing": "non-asn", "alih daya": "non-asn",
    "ptt": "non-asn", "thl": "non-asn", "non-pns": "non-asn", "non pns": "non-asn",
}
# The lowest age for applying as PPPK (PP 49/2018 Pasal 16 huruf a), and the first year
# PPPK were appointed.
PPPK_MIN_AGE = 20
PPPK_FIRST_YEAR = 2019

_SEPARATORS = re.compile(r"[\s.\-]")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.\-/]{1,39}$")


def parse_employment(value: object) -> str:
    """``pns``, ``pppk`` or ``non-asn`` from what offices write (``P3K``, ``honorer``...)."""
    text = " ".join(str(value or "").strip().lower().replace("_", " ").split())
    found = EMPLOYMENT_ALIASES.get(text) or EMPLOYMENT_ALIASES.get(text.replace(" ", "-"))
    if found is None:
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise InvalidInput(_(
            "The employment type {value!r} is not pns, pppk or non-asn (PNS, PPPK/P3K, "
            "honorer, kontrak).").format(value=shown))
    return found


@dataclass(frozen=True)
class NiPppk:
    """A valid NI PPPK and what it encodes."""

    value: str
    birth_date: date
    appointed_year: int
    agreement: str
    sex: int
    serial: int

    def formatted(self) -> str:
        v = self.value
        return f"{v[:8]} {v[8:14]} {v[14]} {v[15:]}"


def _digits(value: object, label: str) -> tuple[str, str]:
    """The digits of an 18-digit number as typed, and the text to quote in messages."""
    if value is None:
        raise InvalidInput(_("The {label} is missing.").format(label=label))
    if isinstance(value, float):
        raise InvalidInput(_(
            "The {label} {value:.0f} was stored as a number, which keeps only 15 digits; "
            "format the {label} column as text and type the number again.").format(
                label=label, value=value))
    raw = str(value).strip()
    if SCIENTIFIC_NUMBER.match(raw):
        # The CSV of a number cell: 1,98609262015051E+017 (Indonesian) or 1.986...E+17.
        raise InvalidInput(_(
            "The {label} {value} was stored as a number, which keeps only 15 digits; "
            "format the {label} column as text and type the number again.").format(
                label=label, value=raw))
    shown = raw if len(raw) <= 30 else raw[:27] + "..."
    digits = _SEPARATORS.sub("", raw)
    if not digits.isascii() or not digits.isdigit():
        raise InvalidInput(_("The {label} {value!r} must contain only digits (18 of them).")
                           .format(label=label, value=shown))
    if len(digits) != 18:
        raise InvalidInput(_("The {label} {value!r} has {n} digits; it has 18.").format(
            label=label, value=shown, n=len(digits)))
    return digits, shown


def parse_ni_pppk(value: object, *, today: date | None = None) -> NiPppk:
    """Validate an 18-digit NI PPPK; spaces, dots and dashes between groups are accepted."""
    digits, shown = _digits(value, "NI PPPK")
    try:
        birth = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidInput(_(
            "The NI PPPK {value!r} does not start with a real birth date (YYYYMMDD).").format(
                value=shown)) from None
    year = int(digits[8:12])
    this_year = (today or date.today()).year
    if birth.year < 1940:
        raise InvalidInput(_("The NI PPPK {value!r} has a birth year {year}, before 1940.")
                           .format(value=shown, year=birth.year))
    if not PPPK_FIRST_YEAR <= year <= this_year + 1:
        raise InvalidInput(_(
            "The NI PPPK {value!r} has an appointment year {year}; PPPK are appointed from "
            "{first} on, and not in years to come.").format(
                value=shown, year=year, first=PPPK_FIRST_YEAR))
    if year - birth.year < PPPK_MIN_AGE:
        raise InvalidInput(_(
            "The NI PPPK {value!r} has an appointment year {year} that does not fit its birth "
            "date {birth} (PPPK are at least {age} years old).").format(
                value=shown, year=year, birth=birth.isoformat(), age=PPPK_MIN_AGE))
    agreement = digits[12:14]
    if agreement == "00":
        raise InvalidInput(_("The NI PPPK {value!r} has 00 in digits 13-14 (the work "
                             "agreement code).").format(value=shown))
    sex = int(digits[14])
    if sex not in (1, 2):
        raise InvalidInput(_("The NI PPPK {value!r} has sex digit {sex}; it must be 1 or 2.")
                           .format(value=shown, sex=sex))
    serial = int(digits[15:])
    if serial == 0:
        raise InvalidInput(_("The NI PPPK {value!r} has serial number 000.").format(
            value=shown))
    return NiPppk(digits, birth, year, agreement, sex, serial)


def parse_office_code(value: object) -> str:
    """An office code for non-ASN staff (``KEAMANAN-01``), in capitals."""
    text = str(value or "").strip().upper()
    if not _CODE.match(text) or not re.search(r"[A-Z]", text) or not re.search(r"\d", text):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidInput(_(
            "The staff code {value!r} is not an office code: letters and a number, such as "
            "KEAMANAN-01 (at most 40 characters).").format(value=shown))
    return text


@dataclass(frozen=True)
class StaffId:
    value: str
    employment: str


def _is_number(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    if SCIENTIFIC_NUMBER.match(str(value or "").strip()):
        return True
    return bool(_SEPARATORS.sub("", str(value or "").strip()).isdigit())


def parse_staff_id(value: object, employment: str | None = None, *,
                   today: date | None = None) -> StaffId:
    """Validate a new staff member's identifier by the rules of their employment type.

    Without an employment type, a code (letters and a number) is ``non-asn``, and an
    18-digit number is ``pns`` when it is a valid NIP, else ``pppk`` when it is a valid
    NI PPPK.
    """
    from qmstrack.parsing import parse_nip

    kind = parse_employment(employment) if employment is not None else None
    if kind == "non-asn" or (kind is None and not _is_number(value)):
        if _is_number(value):
            raise InvalidInput(_(
                "The staff code {value!r} is a number; a non-ASN staff member has an office "
                "code with letters, such as KEAMANAN-01 (an 18-digit number is a NIP or an NI "
                "PPPK).").format(value=str(value).strip()[:30]))
        return StaffId(parse_office_code(value), "non-asn")
    if kind == "pppk":
        return StaffId(parse_ni_pppk(value, today=today).value, "pppk")
    if kind == "pns":
        return StaffId(parse_nip(value, today=today).value, "pns")
    try:
        return StaffId(parse_nip(value, today=today).value, "pns")
    except InvalidInput as as_nip:
        try:
            return StaffId(parse_ni_pppk(value, today=today).value, "pppk")
        except InvalidInput:
            raise as_nip from None


def staff_key(value: object) -> str:
    """The stored identifier a person typed to name a staff member (a NIP or NI PPPK
    without spaces, or a code in capitals); whether it exists is the register's business."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, float) or _is_number(value):
        digits, _shown = _digits(value, "NIP")
        return digits
    text = str(value or "").strip()
    if not text:
        raise InvalidInput(_("The staff member is missing (a NIP, NI PPPK or office code)."))
    try:
        return parse_office_code(text)
    except InvalidInput:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidInput(_(
            "{value!r} is not a NIP, an NI PPPK (18 digits) or an office code such as "
            "KEAMANAN-01.").format(value=shown)) from None


def describe(staff_id: str, employment: str) -> dict[str, object]:
    """What an identifier encodes, for ``staff show``."""
    from qmstrack.parsing import parse_nip

    out: dict[str, object] = {}
    try:
        if employment == "pns":
            nip = parse_nip(staff_id, today=date.max)
            out.update(nip_formatted=nip.formatted(), birth_date=nip.birth_date.isoformat(),
                       appointed=f"{nip.appointed[0]}-{nip.appointed[1]:02d}",
                       sex={1: "male", 2: "female"}[nip.sex])
        elif employment == "pppk":
            ni = parse_ni_pppk(staff_id, today=date.max)
            out.update(ni_pppk_formatted=ni.formatted(), birth_date=ni.birth_date.isoformat(),
                       appointed=str(ni.appointed_year), agreement_code=ni.agreement,
                       sex={1: "male", 2: "female"}[ni.sex])
    except InvalidInput:
        # A row written before a rule was tightened: show it, do not refuse it.
        pass
    return out
