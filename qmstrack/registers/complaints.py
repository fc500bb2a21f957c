"""Complaints from the public (pengaduan), their response and closing, and their counts.

A complaint is received on a date through a channel (``lapor`` for SP4N-LAPOR!,
``walk-in``, ``phone``, ``email``, ``letter``), about a subject, optionally for a unit and
a registered request. Its response is due the configured number of working days after
receipt (setting ``complaint_response_days``, default 5), counted like a request's due
date; the due date is computed once, when the complaint is recorded, and stored. It is
answered once (``respond``: on or after the day received) and closed once (``close``: on or
after the response). A complaint may be closed without a recorded response (for example
one withdrawn by the complainant, or handed to another agency): the outcome says why.
Nothing changes a closed complaint.

Complainant, contact, subject and response are personal data, kept in their own columns.

Imports (CSV/XLSX) upsert on the complaint number. An empty response or closing cell never
erases a response or closing already recorded (for example with ``complaint respond``), so
re-importing an older copy of the spreadsheet loses nothing.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.calendar import WorkingCalendar
from qmstrack.clock import office_today
from qmstrack.db import get_setting, writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_code, parse_date
from qmstrack.periods import Period
from qmstrack.registers.common import date_filters, query_dicts
from qmstrack.scope import Scope
from qmstrack.tabular import Field, ImportReport, RowBuilder, build_one, run_import

CHANNELS = ("lapor", "walk-in", "phone", "email", "letter")
# Keys are normalised: lower case, without spaces or punctuation ("SP4N-LAPOR!" -> sp4nlapor).
CHANNEL_ALIASES = {
    "lapor": "lapor", "sp4nlapor": "lapor", "sp4n": "lapor", "laporgoid": "lapor",
    "walkin": "walk-in", "langsung": "walk-in", "datang": "walk-in",
    "datanglangsung": "walk-in", "tatapmuka": "walk-in", "loket": "walk-in",
    "phone": "phone", "telepon": "phone", "telpon": "phone", "telp": "phone",
    "tel": "phone", "sms": "phone", "whatsapp": "phone", "wa": "phone",
    "email": "email", "surel": "email", "surat": "letter", "letter": "letter",
    "suratresmi": "letter",
}
DEFAULT_RESPONSE_DAYS = 5

COLUMNS = ["ref_no", "received_on", "channel", "unit", "request_ref", "subject",
           "complainant", "contact", "response_due_on", "responded_on", "on_time",
           "response", "closed_on", "outcome"]
# For people at a terminal: no complainant, contact or response text.
TABLE_COLUMNS = ["ref_no", "received_on", "channel", "unit", "request_ref", "subject",
                 "response_due_on", "responded_on", "on_time", "closed_on"]

IMPORT_FIELDS = [
    # Not plain "No": Indonesian spreadsheets start with a "No" column counting the rows,
    # and taking it for the complaint number would merge unrelated complaints.
    Field("ref_no", ("no_pengaduan", "nomor_pengaduan", "nomor", "no_aduan", "no_laporan",
                     "nomor_laporan", "reference", "ref"), required=True),
    Field("received_on", ("tanggal", "tgl_masuk", "tanggal_diterima", "tanggal_masuk",
                          "tgl_diterima", "tanggal_pengaduan", "received"), required=True,
          kind="date"),
    Field("channel", ("saluran", "kanal", "media", "sumber"), required=True),
    Field("subject", ("perihal", "pokok_pengaduan", "isi", "isi_pengaduan", "pengaduan",
                      "uraian"), required=True),
    Field("unit", ("bidang", "unit_kerja")),
    Field("request_ref", ("no_registrasi", "no_permohonan", "nomor_registrasi", "request")),
    Field("complainant", ("nama_pelapor", "pelapor", "nama_pengadu", "pengadu", "nama")),
    Field("contact", ("kontak", "no_hp", "hp", "no_telepon", "telepon_pelapor"), kind="phone"),
    Field("responded_on", ("tanggal_tanggapan", "tgl_tanggapan", "tanggal_respon",
                           "responded"), kind="date"),
    Field("response", ("tanggapan", "jawaban", "respon")),
    Field("closed_on", ("tanggal_selesai", "tgl_selesai", "closed"), kind="date"),
    Field("outcome", ("hasil", "tindak_lanjut", "penyelesaian")),
]


# --- values ---------------------------------------------------------------------------


def parse_channel(value: Any) -> str:
    key = re.sub(r"[\W_]+", "", str(value or "").lower())
    if key not in CHANNEL_ALIASES:
        raise InvalidInput(
            f"The channel {str(value)[:30]!r} is not one of {', '.join(CHANNELS)} "
            "(SP4N-LAPOR!, langsung, telepon, email, surat)."
        )
    return CHANNEL_ALIASES[key]


def response_days(db: sqlite_utils.Database) -> int:
    """Working days allowed for a response (setting ``complaint_response_days``)."""
    value = get_setting(db, "complaint_response_days")
    if value is None:
        return DEFAULT_RESPONSE_DAYS
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if days < 0 or days > 365:
        raise InvalidInput(f"The setting complaint_response_days ({value!r}) must be a "
                           "number of working days between 0 and 365.")
    return days


def _text(value: Any) -> str:
    # Spreadsheets turn "081234" into 81234.0; keep whole numbers whole.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Lookups:
    """Units, requests, existing complaints and the calendar for one command or import."""

    def __init__(self, db: sqlite_utils.Database, today: date | None = None):
        self.db = db
        self.today = today or office_today(db)
        self.units = {r[0] for r in db.execute("SELECT code FROM units")}
        self.calendar = WorkingCalendar.from_db(db)
        self.days = response_days(db)
        self._request_units: dict[str, str | None] = {}

    def unit(self, value: Any) -> str:
        code = parse_code(value, field="unit")
        if code not in self.units:
            raise InvalidInput(f"There is no unit {code!r}.")
        return code

    def request(self, value: Any) -> str:
        ref = parse_code(_text(value).strip(), field="request reference")
        if ref not in self._request_units:
            row = self.db.execute("SELECT unit FROM requests WHERE ref_no = ?",
                                  [ref]).fetchone()
            self._request_units[ref] = row[0] if row else None
        if self._request_units[ref] is None:
            raise InvalidInput(f"There is no request {ref!r}.")
        return ref

    def request_unit(self, ref: str) -> str | None:
        return self._request_units.get(ref)

    def existing(self, ref: str) -> dict[str, Any] | None:
        rows = list(query_dicts(self.db, "SELECT * FROM complaints WHERE ref_no = ?", [ref]))
        return rows[0] if rows else None

    def past_date(self, b: RowBuilder, name: str, label: str) -> date | None:
        day = b.get(name, lambda v: parse_date(v, field=label))
        if day is not None and day > self.today:
            b.fail(name, f"The {label} {day} is in the future.")
        return day


def _convert(lk: _Lookups, b: RowBuilder) -> dict[str, Any] | None:
    ref = b.get("ref_no", lambda v: parse_code(_text(v), field="complaint number"),
                required=True)
    received = lk.past_date(b, "received_on", "received date")
    if received is None and b.raw("received_on") is None:
        b.fail("received_on", "is empty")
    channel = b.get("channel", parse_channel, required=True)
    subject = b.get("subject", lambda v: clean_text(v, field="subject", max_length=2000),
                    required=True)
    unit = b.get("unit", lk.unit)
    request_ref = b.get("request_ref", lk.request)
    complainant = b.get("complainant", lambda v: clean_text(v, field="complainant",
                                                            max_length=200), default="")
    contact = b.get("contact", lambda v: clean_text(_text(v), field="contact",
                                                    max_length=200), default="")
    responded = lk.past_date(b, "responded_on", "response date")
    response = b.get("response", lambda v: clean_text(v, field="response", max_length=4000),
                     default="")
    closed = lk.past_date(b, "closed_on", "closing date")
    outcome = b.get("outcome", lambda v: clean_text(v, field="outcome", max_length=2000),
                    default="")
    if b.problems or ref is None or received is None:
        return None

    old = lk.existing(ref)
    if old is not None:
        # An empty cell never erases a response or closing already recorded.
        if responded is None and old["responded_on"]:
            responded = date.fromisoformat(old["responded_on"])
        response = response or old["response"]
        if closed is None and old["closed_on"]:
            closed = date.fromisoformat(old["closed_on"])
        outcome = outcome or old["outcome"]
    if response and responded is None:
        b.fail("responded_on", "is empty, but the row has a response")
    if outcome and closed is None:
        b.fail("closed_on", "is empty, but the row has an outcome")
    if responded and responded < received:
        b.fail("responded_on", f"{responded} is before the received date {received}")
    if closed and closed < received:
        b.fail("closed_on", f"{closed} is before the received date {received}")
    if closed and responded and closed < responded:
        b.fail("closed_on", f"{closed} is before the response date {responded}")
    if b.problems:
        return None
    if unit is None and request_ref is not None:
        unit = lk.request_unit(request_ref)
    if old is not None and old["received_on"] == received.isoformat():
        due = old["response_due_on"]  # stored when first recorded; settings may change
    else:
        due = lk.calendar.due_date(received, lk.days).isoformat()
    return {
        "ref_no": ref,
        "received_on": received.isoformat(),
        "channel": channel,
        "subject": subject,
        "unit": unit,
        "request_ref": request_ref,
        "complainant": complainant,
        "contact": contact,
        "response_due_on": due,
        "responded_on": responded.isoformat() if responded else None,
        "response": response,
        "closed_on": closed.isoformat() if closed else None,
        "outcome": outcome,
    }


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    inserted = updated = unchanged = 0
    for record in batch:
        rows = list(query_dicts(db, "SELECT * FROM complaints WHERE ref_no = ?",
                                [record["ref_no"]]))
        if not rows:
            db.table("complaints").insert(record)
            inserted += 1
        elif all(rows[0][k] == v for k, v in record.items()):
            unchanged += 1
        else:
            db.table("complaints").update(rows[0]["id"], record)
            updated += 1
    return inserted, updated, unchanged


def import_complaints(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    """Import complaints from CSV or XLSX (Indonesian or English headers)."""
    lk = _Lookups(db)
    return run_import(db, path, fields=IMPORT_FIELDS, convert=lambda b: _convert(lk, b),
                      write_batch=_write_batch, key=lambda r: r["ref_no"], **options)


# --- one at a time --------------------------------------------------------------------


def next_complaint_ref(db: sqlite_utils.Database, year: int) -> str:
    """``ADU-2026-0001``: the next number of the year (hand-written numbers ignored)."""
    prefix = f"ADU-{year}-"
    row = db.execute(
        "SELECT ref_no FROM complaints WHERE ref_no GLOB ? ORDER BY ref_no DESC LIMIT 1",
        [prefix + "[0-9]" * 4],
    ).fetchone()
    seq = int(row[0][len(prefix):]) + 1 if row else 1
    if seq > 9999:
        raise Conflict(f"The complaint numbers of {year} are used up; give one with --ref.")
    return f"{prefix}{seq:04d}"


def add_complaint(db: sqlite_utils.Database, *, channel: str, subject: str,
                  received: Any = None, request: str | None = None, unit: str | None = None,
                  complainant: str = "", contact: str = "", ref: str | None = None,
                  today: date | None = None) -> dict[str, Any]:
    """Record a complaint; its number is generated when none is given."""
    today = today or office_today(db)
    lk = _Lookups(db, today)
    received_on = parse_date(received, field="received date") if received else today
    with writing(db):
        values = {
            "ref_no": ref or next_complaint_ref(db, received_on.year),
            "received_on": received_on, "channel": channel, "subject": subject,
            "unit": unit, "request_ref": request, "complainant": complainant,
            "contact": contact,
        }
        if ref and lk.existing(parse_code(ref, field="complaint number")):
            raise Conflict(f"A complaint {ref.strip()} already exists.")
        record = build_one(lambda b: _convert(lk, b), values)
        db.table("complaints").insert(record)
    return get_complaint(db, record["ref_no"], today=today)


def _row(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    rows = list(query_dicts(db, "SELECT * FROM complaints WHERE ref_no = ?",
                            [str(ref).strip()]))
    if not rows:
        raise NotFound(f"There is no complaint {str(ref).strip()[:40]!r}; "
                       "'qmstrack complaint list' shows them.")
    return rows[0]


def _decorate(row: dict[str, Any], today: date) -> dict[str, Any]:
    responded, closed = row.get("responded_on"), row.get("closed_on")
    row["on_time"] = responded <= row["response_due_on"] if responded else None
    row["status"] = "closed" if closed else ("responded" if responded else "open")
    t = today.isoformat()
    row["overdue"] = bool(
        row["received_on"] <= t and (closed is None or closed > t)
        and (responded is None or responded > t) and row["response_due_on"] < t
    )
    return row


def get_complaint(db: sqlite_utils.Database, ref: str, *, today: date | None = None
                  ) -> dict[str, Any]:
    """One complaint with ``on_time``, ``status`` (open/responded/closed) and ``overdue``."""
    row = _decorate(_row(db, ref), today or office_today(db))
    row.pop("id")
    return row


def _check_day(on: Any, label: str, today: date) -> date:
    day = parse_date(on, field=label) if on is not None else today
    if day > today:
        raise InvalidInput(f"The {label} {day} is in the future.")
    return day


def respond_complaint(db: sqlite_utils.Database, ref: str, *, response: str, on: Any = None,
                      today: date | None = None) -> dict[str, Any]:
    """Record the response (once), on or after the day the complaint was received."""
    today = today or office_today(db)
    day = _check_day(on, "response date", today)
    text = clean_text(response, field="response", max_length=4000, required=True)
    with writing(db):
        row = _row(db, ref)
        if row["closed_on"]:
            raise Conflict(f"Complaint {row['ref_no']} was closed on {row['closed_on']}; it "
                           "can no longer change.")
        if row["responded_on"]:
            raise Conflict(f"Complaint {row['ref_no']} was already responded to on "
                           f"{row['responded_on']}.")
        if day.isoformat() < row["received_on"]:
            raise InvalidInput(f"The response date {day} is before the complaint was "
                               f"received ({row['received_on']}).")
        db.table("complaints").update(row["id"], {"responded_on": day.isoformat(),
                                            "response": text})
    return get_complaint(db, row["ref_no"], today=today)


def close_complaint(db: sqlite_utils.Database, ref: str, *, outcome: str, on: Any = None,
                    today: date | None = None) -> dict[str, Any]:
    """Close a complaint (once) with its outcome, on or after its response.

    A complaint without a response may be closed too (withdrawn, passed to another
    agency); the outcome says why. Its response then never counts as on time or late.
    """
    today = today or office_today(db)
    day = _check_day(on, "closing date", today)
    text = clean_text(outcome, field="outcome", max_length=2000, required=True)
    with writing(db):
        row = _row(db, ref)
        if row["closed_on"]:
            raise Conflict(f"Complaint {row['ref_no']} was already closed on "
                           f"{row['closed_on']}.")
        if day.isoformat() < row["received_on"]:
            raise InvalidInput(f"The closing date {day} is before the complaint was received "
                               f"({row['received_on']}).")
        if row["responded_on"] and day.isoformat() < row["responded_on"]:
            raise InvalidInput(f"The closing date {day} is before the response "
                               f"({row['responded_on']}).")
        db.table("complaints").update(row["id"], {"closed_on": day.isoformat(), "outcome": text})
    return get_complaint(db, row["ref_no"], today=today)


def list_complaints(db: sqlite_utils.Database, *, open_on: date | None = None,
                    overdue_on: date | None = None, units: tuple[str, ...] = (),
                    since: date | None = None, until: date | None = None,
                    today: date | None = None):
    """Stream complaints received between ``since`` and ``until``, oldest first.

    ``open_on``: not closed on that day. ``overdue_on``: open on that day, not responded
    to, and due before it (the definition of the ``complaints.overdue`` metric).
    """
    clauses, params = date_filters("received_on", since, until)
    for day in (open_on, overdue_on):
        if day:
            clauses.append("received_on <= ? AND (closed_on IS NULL OR closed_on > ?)")
            params.extend([day.isoformat()] * 2)
    if overdue_on:
        clauses.append("(responded_on IS NULL OR responded_on > ?) AND response_due_on < ?")
        params.extend([overdue_on.isoformat()] * 2)
    if units:
        clauses.append(f"unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    where = " AND ".join(clauses) or "1"
    today = today or office_today(db)
    for row in query_dicts(db, f"SELECT * FROM complaints WHERE {where} "
                               "ORDER BY received_on, ref_no", params):
        row.pop("id")
        yield _decorate(row, today)


# --- the figures (the complaint metrics of qmstrack.metric_defs read them) -------------


def complaint_counts(db: sqlite_utils.Database, period: Period, scope: Scope) -> dict:
    """Every complaint figure of a period; a complaint without a unit counts only when the
    scope is all units.

    Timeliness is judged over the complaints *received* in the period, as of its end (the
    SPEC's definition, the question clause 9.1.2 asks): responded on or before the due date
    = on time; responded later, or unanswered once the due date has passed = late;
    unanswered and not yet due = not counted. ``responded`` and ``responded_on_time`` are
    those received in the period and answered by its end; ``response_late`` adds the
    unanswered ones past due; ``response_on_time_rate`` = on time / (on time + late).
    """
    where, params = scope.where("unit")
    s, e = period.start.isoformat(), period.end.isoformat()
    received, responded, on_time, late = db.execute(
        f"""
        SELECT count(*),
               coalesce(sum(responded_on <= ?), 0),
               coalesce(sum(responded_on <= ? AND responded_on <= response_due_on), 0),
               coalesce(sum(CASE WHEN responded_on <= ? THEN responded_on > response_due_on
                                 ELSE response_due_on < ? END), 0)
        FROM complaints WHERE received_on BETWEEN ? AND ? AND {where}
        """, [e, e, e, e, s, e, *params]).fetchone()
    # open: received on or before end, not closed on or before end;
    # overdue: open, not responded to by end, response due before end.
    open_, overdue = db.execute(
        f"""
        SELECT count(*),
               coalesce(sum((responded_on IS NULL OR responded_on > ?)
                            AND response_due_on < ?), 0)
        FROM complaints
        WHERE received_on <= ? AND (closed_on IS NULL OR closed_on > ?) AND {where}
        """, [e, e, e, e, *params]).fetchone()
    return {
        "received": received,
        "responded": responded,
        "responded_on_time": on_time,
        "response_late": late,
        "response_on_time_rate": on_time / (on_time + late) if on_time + late else None,
        "open": open_,
        "overdue": overdue,
    }
