"""The office's clock: its time zone, today's date there, and timestamps shown in its time.

"Today" is the date in the office's time zone (the ``timezone`` setting, an IANA name such
as ``Asia/Makassar``), whatever the zone of the server or of cron: an office in Samarinda
(WITA, UTC+8) that runs its nightly summary on a UTC server at 00:30 WITA means the day
that has just ended there, not the one before. Every default date, default period and
future-date check asks :func:`office_today`.

Timestamps (change-log seals, stored evidence) are stored in UTC and shown in office time
with the zone's abbreviation. Indonesia's three zones are WIB, WITA and WIT (Keputusan
Presiden Nomor 41 Tahun 1987 on the three time zones of Indonesia): Asia/Jakarta and
Asia/Pontianak are WIB, Asia/Makassar is WITA, Asia/Jayapura is WIT. Other zones are shown
with the abbreviation of the IANA database (``CET``), or their offset when it has none.

Without the setting the system's zone is used (``tzlocal`` reads it from ``TZ``,
``/etc/localtime`` or the Windows registry); ``qmstrack init`` records it and says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING

from qmstrack.errors import InvalidInput
from qmstrack.i18n import _

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    import sqlite_utils

SETTING = "timezone"
FALLBACK_ZONE = "UTC"

INDONESIAN_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
# What people type for Indonesia's zones.
ZONE_ALIASES = {"wib": "Asia/Jakarta", "wita": "Asia/Makassar", "wit": "Asia/Jayapura"}


def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` of an IANA name (checked by :func:`check_zone`)."""
    return _zone(check_zone(name))


@cache
def _zone(name: str) -> ZoneInfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def check_zone(value: object) -> str:
    """An IANA time zone name as zoneinfo knows it; ``WIB``/``WITA``/``WIT`` are accepted."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = str(value or "").strip()
    name = ZONE_ALIASES.get(text.lower(), text)
    problem = None
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name or (
            "\\" in name):
        problem = "invalid"
    else:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            problem = "unknown"
    if problem is not None:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InvalidInput(_(
            "The time zone {zone!r} is not an IANA time zone name; use for example "
            "Asia/Makassar (WITA), Asia/Jakarta (WIB) or Asia/Jayapura (WIT).").format(
                zone=shown))
    return name


def system_zone_name() -> str:
    """The system's IANA zone name, or UTC when the system does not name a valid one."""
    try:
        import tzlocal

        name = tzlocal.get_localzone_name()
    except Exception:  # noqa: BLE001 - any failure to read the system's zone means "unknown"
        name = None
    try:
        return check_zone(name) if name else FALLBACK_ZONE
    except InvalidInput:
        return FALLBACK_ZONE


def office_zone_name(db: sqlite_utils.Database) -> str:
    """The configured zone, else the system's."""
    from qmstrack.db import get_setting

    configured = get_setting(db, SETTING)
    if configured:
        try:
            return check_zone(configured)
        except InvalidInput:
            pass
    return system_zone_name()


def office_zone(db: sqlite_utils.Database) -> ZoneInfo:
    return _zone(office_zone_name(db))


def utc_now() -> datetime:
    return datetime.now(UTC)


def office_now(db: sqlite_utils.Database) -> datetime:
    """Now, as an aware datetime in the office's zone."""
    return utc_now().astimezone(office_zone(db))


def office_today(db: sqlite_utils.Database) -> date:
    """Today's date in the office's time zone."""
    return office_now(db).date()


def abbreviation(moment: datetime) -> str:
    """WIB / WITA / WIT for Indonesia's zones; the IANA abbreviation or offset otherwise."""
    key = getattr(moment.tzinfo, "key", None)
    if key in INDONESIAN_ABBREVIATIONS:
        return INDONESIAN_ABBREVIATIONS[key]
    name = moment.tzname() or ""
    if name and name[0] in "+-":
        # The IANA database has no letters for this zone: "-03" reads better as UTC-03.
        return f"UTC{name}"
    return name or "UTC"


def parse_instant(value: str | datetime) -> datetime:
    """A stored timestamp (ISO 8601; UTC when it carries no offset) as an aware datetime."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def format_instant(value: str | datetime | None, tz: ZoneInfo, *,
                   seconds: bool = False) -> str:
    """``2026-03-17 00:30 WITA``: a stored timestamp in office time, with the zone."""
    if value is None or value == "":
        return ""
    try:
        moment = parse_instant(value).astimezone(tz)
    except ValueError:
        return str(value)
    shape = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{moment.strftime(shape)} {abbreviation(moment)}"


def day_start_utc(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in the zone ``tz``."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
