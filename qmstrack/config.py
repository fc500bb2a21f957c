"""The office's settings: organisation, language, working calendar, defaults.

Settings live in the database (table ``settings``), so cron and every person at a terminal
see the same ones. Changing the working calendar (extra days off, working weekdays)
recomputes the stored due dates it affects, so every metric keeps following the
definition of a working day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.calendar import WorkingCalendar
from qmstrack.db import DEFAULT_SETTINGS, get_setting, set_setting, writing
from qmstrack.errors import InvalidInput
from qmstrack.i18n import N_, _
from qmstrack.parsing import clean_text, parse_date, parse_int


@dataclass(frozen=True)
class Setting:
    key: str
    description: str
    parse: Callable[[str], Any]


def _lang(value: str) -> str:
    from qmstrack.i18n import check_lang

    return check_lang(value)


def _weekdays(value: str) -> list[int]:
    names = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
             "sen": 1, "sel": 2, "rab": 3, "kam": 4, "jum": 5, "sab": 6, "min": 7}
    days = set()
    for part in str(value).replace(";", ",").split(","):
        part = part.strip().lower()
        if not part:
            continue
        if part[:3] in names:
            days.add(names[part[:3]])
        else:
            days.add(parse_int(part, field="weekday", minimum=1, maximum=7))
    if not days:
        raise InvalidInput("Give at least one working weekday, e.g. 1,2,3,4,5 (Monday = 1).")
    return sorted(days)


def _days(value: str) -> int:
    return parse_int(value, field="number of working days", minimum=0, maximum=60)


def _calendar_days(value: str) -> int:
    return parse_int(value, field="number of days", minimum=1, maximum=365)


def _recurrences(value: str) -> int:
    return parse_int(value, field="number of recurrences", minimum=2, maximum=24)


def _text(value: str) -> str:
    return clean_text(value, field="value", max_length=300, required=True)


def _directory(value: str) -> str:
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise InvalidInput(f"{path} is not a directory.")
    return str(path)


def _short_text(value: str) -> str:
    return clean_text(value, field="value", max_length=60, required=True)


def _email(value: str) -> str:
    import re

    text = clean_text(value, field="e-mail address", max_length=254, required=True)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise InvalidInput(_("{value} is not an e-mail address.").format(value=repr(text)))
    return text


def _yes_no(value: str) -> bool:
    text = str(value).strip().lower()
    if text in ("yes", "ya", "y", "true", "1", "on"):
        return True
    if text in ("no", "tidak", "n", "false", "0", "off"):
        return False
    raise InvalidInput(_("The value {value!r} is not yes or no (ya/tidak).").format(
        value=text[:20]))


def _timezone(value: str) -> str:
    from qmstrack.clock import check_zone

    return check_zone(value)


DELIMITER_NAMES = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "comma": ",",
                   "semicolon": ";", "koma": ",", "titik koma": ";", "titikkoma": ";"}


def parse_delimiter(value: str) -> str:
    """``,``, ``;`` or a tab (``tab``)."""
    found = DELIMITER_NAMES.get(str(value).strip().lower() or str(value))
    if found is None:
        raise InvalidInput(_("The CSV delimiter {value} is not one of ',', ';' and 'tab'."
                             ).format(value=repr(str(value)[:10])))
    return found


def csv_delimiter(db: sqlite_utils.Database) -> str:
    """The office's CSV delimiter: the setting, else ``;`` when the office language is id
    (Excel in an Indonesian locale reads and writes ``;``), else ``,``."""
    value = get_setting(db, "csv_delimiter")
    if value:
        return parse_delimiter(value)
    return ";" if (get_setting(db, "lang") or "id") == "id" else ","


def _ikm_weight(value: str) -> str:
    from qmstrack.satisfaction import parse_weight

    return parse_weight(value)


def _risk_scale(value: str) -> int:
    from qmstrack.registers.risks import parse_scale

    return parse_scale(value)


def _checklist(value: str) -> str:
    from qmstrack.checklists import resolve_checklist

    return resolve_checklist(value).id if not Path(value).exists() else str(Path(value))


SETTINGS: dict[str, Setting] = {s.key: s for s in [
    Setting("org_name", "Name of the organisation, shown on reports.", _text),
    Setting("org_address", N_("The office's postal address, printed on its documents."),
            _text),
    Setting("logo", N_("The office's logo on its letterhead: a PNG or JPEG file, kept in "
                       "the evidence store."), str),
    Setting("doc_number.audit_report", N_("Document number printed on the audit report "
                                          "(e.g. FM-SPMI-07; {year} is the report's year)."),
            _short_text),
    Setting("doc_number.review_pack", N_("Document number printed on the management review "
                                         "pack."), _short_text),
    Setting("doc_number.summary", N_("Document number printed on the daily summary."),
            _short_text),
    Setting("doc_number.finding_form", N_("Document number printed on the corrective-action "
                                          "request form (PTK)."), _short_text),
    Setting("doc_number.skm_report", N_("Document number printed on the SKM report."),
            _short_text),
    Setting("doc_number.review_minutes", N_("Document number printed on the minutes of a "
                                            "management review."), _short_text),
    Setting("doc_number.audit_letter", N_("Document number printed on the internal audit "
                                          "notification letter."), _short_text),
    Setting("doc_revision", N_("Revision of the printed documents (e.g. 00)."), _short_text),
    Setting("contact_name", N_("Who answers for the evidence bundle (its Contact-Name), "
                               "e.g. the quality management representative."), _text),
    Setting("contact_email", N_("The e-mail address of that person (the bundle's "
                                "Contact-Email)."), _email),
    Setting("lang", "Default language of reports and summaries: id or en.", _lang),
    Setting("timezone", N_("The office's time zone (IANA name, e.g. Asia/Makassar for WITA): "
                           "what 'today' means, and how times are shown."), _timezone),
    Setting("working_weekdays", "Working weekdays, Monday = 1 (default 1,2,3,4,5).",
            _weekdays),
    Setting("cuti_bersama", N_("Whether the cuti bersama of the joint decree (SKB) are days "
                               "off (default yes)."), _yes_no),
    Setting("complaint_response_days",
            "Working days to respond to a complaint (default 5).", _days),
    Setting("finding_due_days.major", "Days to correct a major nonconformity (default 30).",
            _calendar_days),
    Setting("finding_due_days.minor", "Days to correct a minor nonconformity (default 60).",
            _calendar_days),
    Setting("finding_due_days.observation", "Days to act on an observation (default 90).",
            _calendar_days),
    Setting("finding_recurrence_flag", N_(
        "Audits finding the same minor nonconformity after which it is flagged for raising "
        "to major (ISO 9001:2015 10.2.1; default 3)."), _recurrences),
    Setting("default_checklist", "Checklist of the monthly audit (default iso9001-2015).",
            _checklist),
    Setting("report_dir", "Where audit reports go when --out is not given.", _directory),
    Setting("template_dir", "Templates that override the built-in report templates.",
            _directory),
    Setting("checklist_dir", "The office's own checklists (YAML).", _directory),
    Setting("ikm_weight", N_("Weight of each SKM element in the IKM: exact (1/9, the "
                             "default), or 0.111 or 0.11 to reproduce earlier reports."),
            _ikm_weight),
    Setting("risk_scale", "Top of the risks' likelihood and impact scores, 3 to 10 "
            "(default 5: a 5 x 5 matrix).", _risk_scale),
    Setting("csv_delimiter", "Delimiter of the CSV that lists print: ',', ';' or tab "
            "(default ';' when the language is id, else ',').", parse_delimiter),
]}


def show_settings(db: sqlite_utils.Database) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in SETTINGS:
        if "." in key:
            parent, child = key.split(".", 1)
            out[key] = (get_setting(db, parent) or {}).get(
                child, DEFAULT_SETTINGS[parent][child])
        else:
            out[key] = get_setting(db, key)
    if not out.get("timezone"):
        from qmstrack.clock import office_zone_name

        # Not recorded (a database from before the setting): the system's, as used.
        out["timezone"] = office_zone_name(db)
    out["extra_days_off"] = get_setting(db, "extra_days_off") or []
    out["worked_days"] = get_setting(db, "worked_days") or []
    return out


def _require(key: str) -> Setting:
    if key not in SETTINGS:
        raise InvalidInput(f"There is no setting {key!r}; known: {', '.join(SETTINGS)}.")
    return SETTINGS[key]


def set_value(db: sqlite_utils.Database, key: str, value: str,
              db_path: str | Path | None = None) -> Any:
    """Change one setting; a new working week recomputes every stored due date. The logo
    (a file) is copied into the evidence store beside ``db_path`` and kept by its SHA-256."""
    parsed = _require(key).parse(value)
    if key == "logo":
        from qmstrack.evidence import store_file
        from qmstrack.letterhead import check_logo

        if db_path is None:
            raise InvalidInput("The logo is a file kept beside the database; name the "
                               "database.")
        source = check_logo(value)
        with writing(db):
            parsed = store_file(db, db_path, source)
            set_setting(db, key, parsed)
        return parsed
    with writing(db):
        if "." in key:
            parent, child = key.split(".", 1)
            current = dict(DEFAULT_SETTINGS[parent])
            current.update(get_setting(db, parent) or {})
            current[child] = parsed
            set_setting(db, parent, current)
        else:
            set_setting(db, key, parsed)
        if key in CALENDAR_KEYS:
            recompute_due_dates(db)
    return parsed


def unset_value(db: sqlite_utils.Database, key: str) -> None:
    _require(key)
    with writing(db):
        if "." in key:
            parent, child = key.split(".", 1)
            current = dict(get_setting(db, parent) or {})
            current.pop(child, None)
            set_setting(db, parent, current)
        else:
            db.execute("DELETE FROM settings WHERE key = ?", [key])
        if key in CALENDAR_KEYS:
            recompute_due_dates(db)


# --- the working calendar --------------------------------------------------------------

CALENDAR_KEYS = ("working_weekdays", "complaint_response_days", "cuti_bersama")


def _dates(db: sqlite_utils.Database, key: str) -> list[str]:
    return sorted(set(get_setting(db, key) or []))


def _extra_days(db: sqlite_utils.Database) -> list[str]:
    return _dates(db, "extra_days_off")


def _parse_days(days: Iterable[Any]) -> list[str]:
    return sorted({parse_date(d, field="day off").isoformat() for d in days})


def add_days_off(db: sqlite_utils.Database, days: Iterable[Any]) -> tuple[list[str], int]:
    """Add office days off; return the days added and due dates changed.

    A holiday or cuti bersama day the office had marked as worked is a day off again.
    """
    parsed = _parse_days(days)
    with writing(db):
        current = _extra_days(db)
        worked = _dates(db, "worked_days")
        added = [d for d in parsed if d not in current]
        set_setting(db, "extra_days_off", sorted(set(current) | set(added)))
        if set(worked) & set(parsed):
            set_setting(db, "worked_days", [d for d in worked if d not in parsed])
        changed = recompute_due_dates(db, around=parsed)
    return added, changed


def remove_days_off(db: sqlite_utils.Database, days: Iterable[Any]) -> tuple[list[str], int]:
    """Undo what the office configured for these days: an extra day off is a working day
    again, a holiday it had marked as worked is a day off again."""
    parsed = _parse_days(days)
    with writing(db):
        current = _extra_days(db)
        worked = _dates(db, "worked_days")
        missing = [d for d in parsed if d not in current and d not in worked]
        if missing:
            raise InvalidInput(_("{day} is not one of the office's extra days off, nor a "
                                 "day off it marked as worked.").format(day=missing[0]))
        set_setting(db, "extra_days_off", [d for d in current if d not in parsed])
        set_setting(db, "worked_days", [d for d in worked if d not in parsed])
        changed = recompute_due_dates(db, around=parsed)
    return parsed, changed


def mark_worked(db: sqlite_utils.Database, days: Iterable[Any]) -> tuple[list[str], int]:
    """Mark public holidays or cuti bersama days as working days of the office."""
    parsed = _parse_days(days)
    with writing(db):
        calendar = WorkingCalendar.from_db(db)
        extra = set(_extra_days(db))
        for text in parsed:
            day = date.fromisoformat(text)
            if text in extra:
                raise InvalidInput(_("{day} is one of the office's own days off; remove it "
                                     "with 'qmstrack config days-off remove {day}'.").format(
                                         day=text))
            national = calendar.national_day(day)
            if national is None or day.isoweekday() not in calendar.weekdays:
                raise InvalidInput(_("{day} is not a public holiday or cuti bersama day on a "
                                     "working weekday; there is nothing to mark as worked.")
                                   .format(day=text))
        worked = _dates(db, "worked_days")
        marked = [d for d in parsed if d not in worked]
        set_setting(db, "worked_days", sorted(set(worked) | set(marked)))
        changed = recompute_due_dates(db, around=marked)
    return marked, changed


def holiday_language(lang: str) -> str:
    """The ``holidays`` package's name for a qmstrack language."""
    return {"id": "id", "en": "en_US"}.get(lang, "id")


@dataclass(frozen=True)
class CalendarYear:
    rows: list[dict[str, Any]]
    has_estimates: bool
    has_cuti_bersama: bool


def calendar_year(db: sqlite_utils.Database, year: int, lang: str = "id") -> CalendarYear:
    """The year's days off on working weekdays and where each comes from.

    ``kind``: ``public holiday`` or ``cuti bersama`` (the ``holidays`` package, categories
    ``public`` and ``government``) or ``office`` (an extra day off of the office).
    ``day_off`` is false for a day the office works (marked as worked, or cuti bersama with
    the ``cuti_bersama`` setting off). ``estimated``: the package's date is an estimate.
    """
    from qmstrack.calendar import GOVERNMENT, national_days_off, package_version

    calendar = WorkingCalendar.from_db(db)
    national = national_days_off(year, year, holiday_language(lang))
    version = package_version()
    rows = []
    day = date(year, 1, 1)
    while day.year == year:
        found = national.get(day)
        if day.isoweekday() in calendar.weekdays and (
                found or day in calendar.extra_days_off):
            if day in calendar.extra_days_off:
                kind, name, source, estimated = "office", "", "config days-off add", False
            else:
                assert found is not None
                kind = "cuti bersama" if found.category == GOVERNMENT else "public holiday"
                name, estimated = found.name, found.estimated
                source = f"holidays {version} ({found.category})"
            rows.append({"date": day.isoformat(), "weekday": day.strftime("%A"),
                         "kind": kind, "name": name, "source": source,
                         "estimated": estimated,
                         "day_off": not calendar.is_working_day(day)})
        day = date.fromordinal(day.toordinal() + 1)
    return CalendarYear(rows, any(r["estimated"] for r in rows),
                        any(n.category == GOVERNMENT for n in national.values()))


def days_off(db: sqlite_utils.Database, year: int) -> list[dict[str, Any]]:
    """Every non-working weekday of a year: public holidays, cuti bersama and the office's
    days off."""
    lang = get_setting(db, "lang") or "id"
    return [{k: r[k] for k in ("date", "weekday", "kind", "name", "estimated")}
            for r in calendar_year(db, year, lang).rows if r["day_off"]]


def recompute_due_dates(db: sqlite_utils.Database, around: Iterable[str] | None = None) -> int:
    """Recompute stored due dates after the calendar changed; return how many changed.

    With ``around`` (the days that changed), only requests and complaints whose span from
    receipt to due date covers one of those days can change; otherwise all are checked.
    """
    calendar = WorkingCalendar.from_db(db)
    response_days = get_setting(db, "complaint_response_days")
    response_days = 5 if response_days is None else int(response_days)
    days = list(around) if around is not None else None
    if days is not None and not days:
        return 0
    window = ""
    params: list[Any] = []
    if days is not None:
        window = " WHERE " + " OR ".join("(received_on <= ? AND {due} >= ?)" for _ in days)
        for d in days:
            params.extend([d, d])
    changed = 0
    rows = db.execute(
        "SELECT r.id, r.received_on, r.due_on, s.sla_days FROM requests r "
        "JOIN services s ON s.code = r.service_code"
        + window.replace("received_on", "r.received_on").replace("{due}", "r.due_on"),
        params).fetchall()
    updates = []
    for rid, received, due, sla in rows:
        new = calendar.due_date(date.fromisoformat(received), sla).isoformat()
        if new != due:
            updates.append((new, rid))
    db.conn.executemany("UPDATE requests SET due_on = ? WHERE id = ?", updates)
    changed += len(updates)
    rows = db.execute("SELECT id, received_on, response_due_on FROM complaints"
                      + window.replace("{due}", "response_due_on"), params).fetchall()
    updates = []
    for cid, received, due in rows:
        new = calendar.due_date(date.fromisoformat(received), response_days).isoformat()
        if new != due:
            updates.append((new, cid))
    db.conn.executemany("UPDATE complaints SET response_due_on = ? WHERE id = ?", updates)
    return changed + len(updates)
