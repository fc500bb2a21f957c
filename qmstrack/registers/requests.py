"""Service requests (permohonan layanan) and their status events.

A request is received on a date for a service; its due date is computed once, from the
service time in working days (``qmstrack.calendar``), and stored so that every metric is
plain SQL. Statuses: ``received`` -> ``in_progress`` -> ``completed`` or ``rejected``
(closed).

The request row holds its first and last transitions: ``received_on`` is when it was
received, ``status`` and ``closed_on`` how and when it was closed. ``request_events`` keeps
only what the row does not: the transitions in between (``in_progress``, with its date and
note). A request's history (:func:`get_request`) is the row's transitions and those events,
in date order.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.calendar import WorkingCalendar
from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.i18n import _
from qmstrack.parsing import clean_text, parse_code, parse_date, parse_int
from qmstrack.registers.common import (
    date_filters,
    get_service,
    get_staff,
    no_staff_member,
    query_dicts,
)
from qmstrack.staff_ids import staff_key
from qmstrack.tabular import (
    Field,
    ImportReport,
    Memo,
    RowBuilder,
    RowsRefused,
    build_one,
    run_import,
    text_cell,
)
from qmstrack.write_behind import WriteBehind

CLOSED = ("completed", "rejected")
OPEN = frozenset(("received", "in_progress"))
STATUS_ALIASES = {
    "received": "received", "diterima": "received", "terima": "received", "baru": "received",
    "masuk": "received", "in_progress": "in_progress", "inprogress": "in_progress",
    "in progress": "in_progress", "diproses": "in_progress", "proses": "in_progress",
    "sedang diproses": "in_progress", "completed": "completed", "complete": "completed",
    "done": "completed", "selesai": "completed", "rejected": "rejected",
    "ditolak": "rejected", "tolak": "rejected",
}

LIST_COLUMNS = [
    "ref_no", "received_on", "service_code", "unit", "status", "closed_on", "due_on",
    "on_time", "staff_nip", "requester", "rating",
]

IMPORT_FIELDS = [
    # Not plain "No": Indonesian spreadsheets start with a "No" column counting the rows.
    # The column is needed; an empty cell is a new request, numbered as 'request add' does.
    Field("ref_no", ("no_registrasi", "no_reg", "nomor", "nomor_registrasi",
                     "reference", "ref"), required=True),
    Field("received_on", ("tanggal_masuk", "tgl_masuk", "tanggal_diterima", "received",
                          "tanggal"), required=True, kind="date"),
    Field("service_code", ("kode_layanan", "layanan", "service", "jenis_layanan"),
          required=True),
    Field("unit", ("bidang", "unit_kerja")),
    Field("requester", ("nama_pemohon", "pemohon", "nama"), required=True),
    Field("contact", ("kontak", "no_hp", "telepon", "hp", "email"), kind="phone"),
    Field("channel", ("kanal", "saluran", "media")),
    Field("status", ()),
    Field("closed_on", ("tanggal_selesai", "tgl_selesai", "completed_on", "closed"),
          kind="date"),
    Field("rating", ("nilai", "penilaian")),
    Field("staff", ("petugas", "nip", "staff_nip", "ni_pppk", "kode_petugas")),
    Field("notes", ("keterangan", "catatan", "note")),
]


def parse_status(value: Any) -> str:
    text = str(value).strip().lower().replace("-", " ").replace("_", " ")
    status = STATUS_ALIASES.get(text) or STATUS_ALIASES.get(text.replace(" ", "_"))
    if status is None:
        raise InvalidInput(_(
            "The status {value!r} is not one of received, in_progress, completed, "
            "rejected (diterima, diproses, selesai, ditolak).").format(value=str(value)[:30]))
    return status


def parse_rating(value: Any) -> int:
    return parse_int(value, field="rating", minimum=1, maximum=4)


class _Lookups:
    """Services, staff and the calendar, loaded once per import or command.

    The converters of the columns whose values repeat from row to row (dates, codes,
    statuses, NIPs, ratings, channels) remember the values they accepted: a million-row
    import parses a few thousand distinct dates, not a million.
    """

    def __init__(self, db: sqlite_utils.Database, today: date | None = None):
        # Dates after the office's today have not happened yet.
        self.today = today or office_today(db)
        self.services = {
            code: (unit, sla) for code, unit, sla in db.execute(
                "SELECT code, unit, sla_days FROM services")
        }
        self.units = {r[0] for r in db.execute("SELECT code FROM units")}
        self.staff = {r[0] for r in db.execute("SELECT nip FROM staff")}
        self.calendar = WorkingCalendar.from_db(db)
        self.received_on = Memo(lambda v: parse_date(v, field="received date"))
        self.closed_on = Memo(lambda v: parse_date(v, field="closing date"))
        self.service_code = Memo(self.service)
        self.unit_code = Memo(self.unit)
        self.status = Memo(parse_status)
        self.rating = Memo(parse_rating)
        self.staff_member = Memo(self.staff_nip)
        self.channel = Memo(lambda v: clean_text(v, field="channel", max_length=50).lower())
        self.sequences: dict[str, int] = {}

    def number(self, db: sqlite_utils.Database, unit: str, received: date) -> str:
        """The next reference number for ``unit`` and the year of ``received``."""
        prefix = f"{unit}-{received.year}-"
        seq = self.sequences.get(prefix)
        if seq is None:
            seq = int(next_ref(db, unit, received)[len(prefix):]) - 1
        self.sequences[prefix] = seq + 1
        return f"{prefix}{seq + 1:06d}"

    def service(self, value: Any) -> str:
        code = parse_code(value, field="service code")
        if code not in self.services:
            raise InvalidInput(_("There is no service {code!r}.").format(code=code))
        return code

    def unit(self, value: Any) -> str:
        code = parse_code(value, field="unit")
        if code not in self.units:
            raise InvalidInput(_("There is no unit {code!r}.").format(code=code))
        return code

    def staff_nip(self, value: Any) -> str:
        key = staff_key(value)
        if key not in self.staff:
            raise InvalidInput(no_staff_member(key))
        return key


def _ref(value: Any) -> str:
    return parse_code(_text(value), field="reference number")


def _requester(value: Any) -> str:
    return text_cell(value, field="requester", max_length=200)


def _contact(value: Any) -> str:
    return text_cell(_text(value), field="contact", max_length=200)


def _notes(value: Any) -> str:
    return text_cell(value, field="notes", max_length=4000)


def _convert(lk: _Lookups, b: RowBuilder, *, numbered: bool = True) -> dict[str, Any] | None:
    ref = b.get("ref_no", _ref, required=numbered)
    received = b.get("received_on", lk.received_on, required=True)
    service = b.get("service_code", lk.service_code, required=True)
    unit = b.get("unit", lk.unit_code)
    requester = b.get("requester", _requester, required=True)
    contact = b.get("contact", _contact, default="")
    channel = b.get("channel", lk.channel, default="")
    status = b.get("status", lk.status)
    closed = b.get("closed_on", lk.closed_on)
    rating = b.get("rating", lk.rating)
    staff = b.get("staff", lk.staff_member)
    notes = b.get("notes", _notes, default="")
    if status is None:
        status = "completed" if closed else "received"
    if status in CLOSED and closed is None and b.raw("closed_on") is None:
        b.fail("closed_on", f"is empty, but a {status} request needs its closing date")
    if status not in CLOSED and closed is not None:
        b.fail("status", f"is {status}, but the row has a closing date")
    if received and received > lk.today:
        b.fail("received_on", _("The received date {day} is in the future.").format(
            day=received.isoformat()))
    if closed and closed > lk.today:
        b.fail("closed_on", _("The closing date {day} is in the future.").format(
            day=closed.isoformat()))
    if received and closed and closed < received:
        b.fail("closed_on", f"{closed} is before the received date {received}")
    if b.problems or received is None or service is None:
        return None
    service_unit, sla = lk.services[service]
    return {
        "ref_no": ref,
        "received_on": received.isoformat(),
        "service_code": service,
        "unit": unit or service_unit,
        "requester": requester,
        "contact": contact,
        "channel": channel,
        "staff_nip": staff,
        "status": status,
        "closed_on": closed.isoformat() if closed else None,
        "due_on": lk.calendar.due_date(received, sla).isoformat(),
        "rating": rating,
        "notes": notes,
    }


def _text(value: Any) -> str:
    # Spreadsheets turn "081234" into 81234.0; keep whole numbers whole.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def next_ref(db: sqlite_utils.Database, unit: str, received: date) -> str:
    prefix = f"{unit}-{received.year}-"
    # Only generated-style numbers (prefix + 6 digits) count; codes never hold GLOB's * ? [.
    row = db.execute(
        "SELECT ref_no FROM requests WHERE ref_no GLOB ? ORDER BY ref_no DESC LIMIT 1",
        [prefix + "[0-9]" * 6],
    ).fetchone()
    seq = int(row[0][len(prefix):]) + 1 if row else 1
    return f"{prefix}{seq:06d}"


def add_request(db: sqlite_utils.Database, *, service: str, requester: str,
                ref: str | None = None, received: Any = None, unit: str | None = None,
                contact: str = "", channel: str = "", staff: str | None = None,
                note: str = "", today: date | None = None) -> dict[str, Any]:
    """Register one request; the reference number is generated when none is given."""
    lk = _Lookups(db, today)
    received_on = parse_date(received, field="received date") if received else lk.today
    with writing(db):
        svc = get_service(db, parse_code(service, field="service code"))
        values = {
            "ref_no": ref or next_ref(db, parse_code(unit, field="unit") if unit
                                      else svc["unit"], received_on),
            "received_on": received_on, "service_code": service, "unit": unit,
            "requester": requester, "contact": contact, "channel": channel,
            "staff": staff, "notes": note,
        }
        record = build_one(lambda b: _convert(lk, b), values)
        same = db.execute("SELECT ref_no FROM requests WHERE ref_no = ? COLLATE NOCASE",
                          [record["ref_no"]]).fetchone()
        if same:
            raise Conflict(_("A request {ref} already exists.").format(ref=same[0]))
        _insert_many(db, [record])
    return record


_INSERT_COLUMNS = ("id", "ref_no", "received_on", "service_code", "unit", "requester",
                   "contact", "channel", "staff_nip", "status", "closed_on", "due_on",
                   "rating", "notes")
_ROWS_PER_STATEMENT = 500


def _insert_rows(db: sqlite_utils.Database, table: str, columns: tuple[str, ...],
                 rows: list[tuple]) -> None:
    """INSERT many rows, several hundred per statement.

    One statement per row would make SQLite open a statement journal for every row (the
    change-log triggers make each INSERT a multi-row change); per several hundred rows it
    costs a third of the time.
    """
    if not rows:
        return
    import sqlite3

    width = len(columns)
    limit = db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(_ROWS_PER_STATEMENT, limit // width))
    one = "(" + ", ".join("?" * width) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    full = len(rows) - len(rows) % per
    flat = itertools.chain.from_iterable
    if full:
        sql = head + ", ".join([one] * per)
        for i in range(0, full, per):
            db.conn.execute(sql, list(flat(rows[i:i + per])))
    if full < len(rows):
        rest = rows[full:]
        db.conn.execute(head + ", ".join([one] * len(rest)), list(flat(rest)))


def _insert_many(db: sqlite_utils.Database, records: list[dict[str, Any]],
                 behind: WriteBehind | None = None) -> None:
    """Insert new requests, and the event of those that arrive already in progress.

    The ids are given, not left to SQLite: the write transaction holds the lock, so the
    next ids are the ones SQLite would choose (max + 1), and the events need them. A row's
    receipt and closing are on the row itself; only ``in_progress`` is an event. With
    ``behind``, the INSERTs run on its thread while the caller goes on.
    """
    first = (db.execute("SELECT max(id) FROM requests").fetchone()[0] or 0) + 1
    rows, events = [], []
    for rid, r in enumerate(records, start=first):
        rows.append((rid, r["ref_no"], r["received_on"], r["service_code"], r["unit"],
                     r["requester"], r["contact"], r["channel"], r["staff_nip"], r["status"],
                     r["closed_on"], r["due_on"], r["rating"], r["notes"]))
        if r["status"] == "in_progress":
            events.append((rid, "in_progress", r["received_on"], "imported"))

    def write() -> None:
        _insert_rows(db, "requests", _INSERT_COLUMNS, rows)
        _insert_rows(db, "request_events", ("request_id", "status", "on_date", "note"),
                     events)

    if behind is None:
        write()
    else:
        behind.submit(write)


def _existing(db: sqlite_utils.Database, refs: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(refs), 500):
        chunk = refs[i:i + 500]
        cursor = db.execute(
            f"SELECT * FROM requests WHERE ref_no COLLATE NOCASE IN "
            f"({', '.join('?' for _ in chunk)})", chunk)
        names = [d[0] for d in cursor.description]
        out.update((row[1].upper(), dict(zip(names, row, strict=True))) for row in cursor)
    return out


_STAGE = {"received": 0, "in_progress": 1, "completed": 2, "rejected": 2}


def _backwards(old: dict[str, Any], record: dict[str, Any]) -> tuple[str, str] | None:
    """Why a row may not overwrite the stored request, if it would move it backwards.

    An import updates requests, but the way ``request update`` does: a closed request
    stays closed on its date, and no request goes back a status. A row that does either is
    most often from an older copy of the spreadsheet.
    """
    ref, status, closed = old["ref_no"], old["status"], old["closed_on"]
    if status in CLOSED and record["status"] != status:
        return ("status", f"is {record['status']}, but request {ref} was {status} on "
                          f"{closed}; an import does not reopen a closed request "
                          "(is the file an older copy?)")
    if status in CLOSED and record["closed_on"] != closed:
        return ("closed_on", f"is {record['closed_on']}, but request {ref} was {status} on "
                             f"{closed}; an import does not change a closing date")
    if _STAGE[record["status"]] < _STAGE[status]:
        return ("status", f"is {record['status']}, but request {ref} is already {status}; "
                          "an import does not move a request back (is the file an older "
                          "copy?)")
    return None


def record_key(record: dict[str, Any]) -> Any:
    """What makes two rows one request: the reference number, whatever its case; for a row
    without one, its received date, service, requester and contact."""
    if record["ref_no"]:
        return record["ref_no"].upper()
    return ("", record["received_on"], record["service_code"], record["requester"],
            record["contact"])


def _unnumbered_match(db: sqlite_utils.Database, record: dict[str, Any]) -> str | None:
    row = db.execute(
        "SELECT ref_no FROM requests WHERE received_on = ? AND service_code = ? AND "
        "requester = ? AND contact = ? ORDER BY id LIMIT 2",
        [record["received_on"], record["service_code"], record["requester"],
         record["contact"]]).fetchall()
    return row[0][0] if len(row) == 1 else None


def _batch_writer(lk: _Lookups, behind: WriteBehind):
    def write(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
        return _write_batch(db, batch, lk, behind)
    return write


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]],
                 lk: _Lookups | None = None, behind: WriteBehind | None = None):
    if behind is not None:
        # The previous batch's INSERTs are done before the connection is used again.
        behind.settle()
    existing = _existing(db, [r["ref_no"] for r in batch if r["ref_no"]])
    matched: dict[int, str] = {}
    for i, record in enumerate(batch):
        if not record["ref_no"]:
            ref = _unnumbered_match(db, record)
            if ref is not None:
                matched[i] = ref
    if matched:
        existing.update(_existing(db, list(matched.values())))
    refused = {}
    for i, record in enumerate(batch):
        ref = record["ref_no"] or matched.get(i)
        old = existing.get(ref.upper()) if ref else None
        problem = old and _backwards(old, record)
        if problem:
            refused[record_key(record)] = problem
    if refused:
        raise RowsRefused(refused)
    for i, record in enumerate(batch):
        ref = record["ref_no"] or matched.get(i)
        if ref:
            old = existing.get(ref.upper())
            # A stored request keeps its own spelling of the number.
            record["ref_no"] = old["ref_no"] if old else ref
        else:
            numbers = lk or _Lookups(db)
            record["ref_no"] = numbers.number(db, record["unit"], date.fromisoformat(
                record["received_on"]))
    new = [r for r in batch if r["ref_no"].upper() not in existing]
    if new:
        _insert_many(db, new, behind)
    updated = unchanged = 0
    for record in batch:
        old = existing.get(record["ref_no"].upper())
        if old is None:
            continue
        if all(old[k] == v for k, v in record.items()):
            unchanged += 1
            continue
        updated += 1
        sets = ", ".join(f"{k} = ?" for k in record)
        db.execute(f"UPDATE requests SET {sets} WHERE id = ?", [*record.values(), old["id"]])
        if old["status"] != record["status"] and record["status"] == "in_progress":
            db.execute(
                "INSERT INTO request_events (request_id, status, on_date, note) "
                "VALUES (?, 'in_progress', ?, 'imported')",
                [old["id"], record["received_on"]],
            )
    return len(new), updated, unchanged


def import_requests(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    """Import requests; rows without a reference number are numbered as ``request add``
    numbers them, and found again on a second import by their received date, service,
    requester and contact."""
    lk = _Lookups(db)
    # A batch's new rows are written on a second thread while the next batch is checked.
    behind = WriteBehind(db)
    return run_import(db, path, fields=IMPORT_FIELDS,
                      convert=lambda b: _convert(lk, b, numbered=False),
                      write_batch=_batch_writer(lk, behind), write_behind=behind,
                      key=record_key,
                      # New requests and events get the ids after the highest
                      # (_insert_many, and SQLite's own choice for an event).
                      append_only=("requests", "request_events"), **options)


def _get_row(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    rows = list(query_dicts(db, "SELECT * FROM requests WHERE ref_no = ?", [str(ref).strip()]))
    if not rows:
        rows = list(query_dicts(db, "SELECT * FROM requests WHERE ref_no = ? COLLATE NOCASE "
                                    "LIMIT 1", [str(ref).strip()]))
    if not rows:
        raise NotFound(_("There is no request {ref!r}; 'qmstrack request list' shows them.")
                       .format(ref=ref))
    return rows[0]


def update_request(db: sqlite_utils.Database, ref: str, *, status: str, on: Any,
                   rating: int | None = None, note: str = "",
                   staff: str | None = None, today: date | None = None) -> dict[str, Any]:
    """Move a request to a new status on a date; closing sets its closing date."""
    new_status = parse_status(status)
    on_date = parse_date(on, field="date of the change")
    if on_date > (today or office_today(db)):
        raise InvalidInput(_("The date of the change {day} is in the future.").format(
            day=on_date.isoformat()))
    note = clean_text(note, field="note", max_length=4000)
    if rating is not None:
        rating = parse_rating(rating)
    with writing(db):
        row = _get_row(db, ref)
        if row["status"] in CLOSED:
            raise Conflict(_("Request {ref} was already {status} on {day}.").format(
                ref=row["ref_no"], status=row["status"], day=row["closed_on"]))
        if new_status == "received":
            raise InvalidInput(_("A request cannot go back to 'received'."))
        if new_status == row["status"]:
            raise Conflict(_("Request {ref} is already {status}.").format(
                ref=row["ref_no"], status=new_status))
        last = db.execute(
            "SELECT max(on_date) FROM request_events WHERE request_id = ?", [row["id"]]
        ).fetchone()[0] or row["received_on"]
        if on_date.isoformat() < last:
            raise InvalidInput(_(
                "The date {day} is before the request's last change ({last}).").format(
                    day=on_date, last=last))
        if rating is not None and new_status not in CLOSED:
            raise InvalidInput(_("A rating can be given only when the request is closed."))
        changes: dict[str, Any] = {"status": new_status}
        if new_status in CLOSED:
            changes["closed_on"] = on_date.isoformat()
        if rating is not None:
            changes["rating"] = rating
        if staff:
            changes["staff_nip"] = get_staff(db, staff)["nip"]
        if note:
            changes["notes"] = (row["notes"] + "\n" + note).strip()
        db.table("requests").update(row["id"], changes)
        if new_status not in CLOSED:  # a closing is the row's status and closed_on
            db.table("request_events").insert(
                {"request_id": row["id"], "status": new_status,
                 "on_date": on_date.isoformat(), "note": note})
    return get_request(db, row["ref_no"])


def _decorate(row: dict[str, Any]) -> dict[str, Any]:
    if row["status"] == "completed":
        row["on_time"] = row["closed_on"] <= row["due_on"]
    else:
        row["on_time"] = None
    return row


def get_request(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    """One request with its history: received, the events in between, and its closing."""
    row = _decorate(_get_row(db, ref))
    row["events"] = history(db, row)
    row.pop("id")
    return row


def history(db: sqlite_utils.Database, row: dict[str, Any]) -> list[dict[str, Any]]:
    """A request's transitions in date order: its receipt and closing from the row, the
    transitions in between from ``request_events``."""
    events = [{"status": "received", "on_date": row["received_on"], "note": ""}]
    events += query_dicts(
        db, "SELECT status, on_date, note FROM request_events WHERE request_id = ? "
            "ORDER BY on_date, id", [row["id"]])
    if row["status"] in CLOSED and row["closed_on"] and not any(
            e["status"] == row["status"] for e in events):
        events.append({"status": row["status"], "on_date": row["closed_on"], "note": ""})
    # Stable: on the same day, received comes first and the closing last.
    return sorted(events, key=lambda e: e["on_date"])


def list_requests(db: sqlite_utils.Database, *, units: tuple[str, ...] = (),
                  statuses: tuple[str, ...] = (), service: str | None = None,
                  since: date | None = None, until: date | None = None,
                  overdue_on: date | None = None, limit: int | None = None,
                  search: str | None = None):
    """Stream requests (received between since and until), oldest first.

    ``search``: only those whose requester, contact or reference number contains the text
    (letters in any case).
    """
    clauses, params = date_filters("received_on", since, until)
    if search is not None:
        text = clean_text(search, field="search text", max_length=200, required=True)
        # LIKE's wildcards in the text are plain characters.
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
        clauses.append("(requester LIKE ? ESCAPE '\\' OR contact LIKE ? ESCAPE '\\' "
                       "OR ref_no LIKE ? ESCAPE '\\')")
        params.extend([pattern] * 3)
    if units:
        clauses.append(f"unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    if statuses:
        marks = ", ".join("?" for _ in statuses)
        if set(statuses) <= OPEN:
            # Open requests have no closing date: the partial index idx_requests_open
            # holds exactly those; the second SELECT finds any open request that has one
            # (only an edit outside qmstrack makes such a row), so nothing is missed.
            clauses.append(
                f"id IN (SELECT id FROM requests WHERE closed_on IS NULL AND status IN "
                f"({marks}) UNION ALL SELECT id FROM requests WHERE closed_on IS NOT NULL "
                f"AND status IN ({marks}))")
            params.extend([*statuses, *statuses])
        else:
            clauses.append(f"status IN ({marks})")
            params.extend(statuses)
    if service:
        clauses.append("service_code = ?")
        params.append(service)
    if overdue_on:
        # open on that day, and due before it (the SPEC's 'overdue'): never closed, or
        # closed after that day; two ranges of idx_requests_closed.
        clauses.append("id IN (SELECT id FROM requests WHERE closed_on IS NULL AND "
                       "received_on <= ? AND due_on < ? UNION ALL SELECT id FROM requests "
                       "WHERE closed_on > ? AND +received_on <= ? AND due_on < ?)")
        params.extend([overdue_on.isoformat()] * 5)
    where = " AND ".join(clauses) or "1"
    sql = (f"SELECT ref_no, received_on, service_code, unit, status, closed_on, due_on, "
           f"staff_nip, requester, contact, channel, rating, notes FROM requests "
           f"WHERE {where} ORDER BY received_on, ref_no")
    if limit:
        sql += f" LIMIT {int(limit)}"
    for row in query_dicts(db, sql, params):
        yield _decorate(row)
