"""Service requests (permohonan layanan) and their status events.

A request is received on a date for a service; its due date is computed once, from the
service time in working days (``qmstrack.calendar``), and stored so that every metric is
plain SQL. Each status change is kept as an event with its date. Statuses:
``received`` -> ``in_progress`` -> ``completed`` or ``rejected`` (closed).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.calendar import WorkingCalendar
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.parsing import clean_text, parse_code, parse_date, parse_int, parse_nip
from qmstrack.registers.common import date_filters, get_service, get_staff, query_dicts
from qmstrack.tabular import Field, ImportReport, RowBuilder, build_one, run_import

STATUSES = ("received", "in_progress", "completed", "rejected")
CLOSED = ("completed", "rejected")
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
    Field("ref_no", ("no_registrasi", "no_reg", "nomor", "nomor_registrasi",
                     "reference", "ref"), required=True),
    Field("received_on", ("tanggal_masuk", "tgl_masuk", "tanggal_diterima", "received",
                          "tanggal"), required=True),
    Field("service_code", ("kode_layanan", "layanan", "service", "jenis_layanan"),
          required=True),
    Field("unit", ("bidang", "unit_kerja")),
    Field("requester", ("nama_pemohon", "pemohon", "nama"), required=True),
    Field("contact", ("kontak", "no_hp", "telepon", "hp", "email")),
    Field("channel", ("kanal", "saluran", "media")),
    Field("status", ()),
    Field("closed_on", ("tanggal_selesai", "tgl_selesai", "completed_on", "closed")),
    Field("rating", ("nilai", "penilaian")),
    Field("staff", ("petugas", "nip", "staff_nip")),
    Field("notes", ("keterangan", "catatan", "note")),
]


def parse_status(value: Any) -> str:
    text = str(value).strip().lower().replace("-", " ").replace("_", " ")
    status = STATUS_ALIASES.get(text) or STATUS_ALIASES.get(text.replace(" ", "_"))
    if status is None:
        raise InvalidInput(
            f"The status {str(value)[:30]!r} is not one of received, in_progress, completed, "
            "rejected (diterima, diproses, selesai, ditolak)."
        )
    return status


def parse_rating(value: Any) -> int:
    return parse_int(value, field="rating", minimum=1, maximum=4)


class _Lookups:
    """Services, staff and the calendar, loaded once per import or command."""

    def __init__(self, db: sqlite_utils.Database):
        self.services = {
            code: (unit, sla) for code, unit, sla in db.execute(
                "SELECT code, unit, sla_days FROM services")
        }
        self.units = {r[0] for r in db.execute("SELECT code FROM units")}
        self.staff = {r[0] for r in db.execute("SELECT nip FROM staff")}
        self.calendar = WorkingCalendar.from_db(db)

    def service(self, value: Any) -> str:
        code = parse_code(value, field="service code")
        if code not in self.services:
            raise InvalidInput(f"There is no service {code!r}.")
        return code

    def unit(self, value: Any) -> str:
        code = parse_code(value, field="unit")
        if code not in self.units:
            raise InvalidInput(f"There is no unit {code!r}.")
        return code

    def staff_nip(self, value: Any) -> str:
        nip = parse_nip(value).value
        if nip not in self.staff:
            raise InvalidInput(f"There is no staff member with NIP {nip}.")
        return nip


def _convert(lk: _Lookups, b: RowBuilder) -> dict[str, Any] | None:
    ref = b.get("ref_no", lambda v: parse_code(_text(v), field="reference number"),
                required=True)
    received = b.get("received_on", lambda v: parse_date(v, field="received date"),
                     required=True)
    service = b.get("service_code", lk.service, required=True)
    unit = b.get("unit", lk.unit)
    requester = b.get("requester", lambda v: clean_text(v, field="requester", max_length=200),
                      required=True)
    contact = b.get("contact", lambda v: clean_text(_text(v), field="contact", max_length=200),
                    default="")
    channel = b.get("channel", lambda v: clean_text(v, field="channel", max_length=50).lower(),
                    default="")
    status = b.get("status", parse_status)
    closed = b.get("closed_on", lambda v: parse_date(v, field="closing date"))
    rating = b.get("rating", parse_rating)
    staff = b.get("staff", lk.staff_nip)
    notes = b.get("notes", lambda v: clean_text(v, field="notes", max_length=4000), default="")
    if status is None:
        status = "completed" if closed else "received"
    if status in CLOSED and closed is None and b.raw("closed_on") is None:
        b.fail("closed_on", f"is empty, but a {status} request needs its closing date")
    if status not in CLOSED and closed is not None:
        b.fail("status", f"is {status}, but the row has a closing date")
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
    lk = _Lookups(db)
    received_on = parse_date(received, field="received date") if received else (
        today or date.today())
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
        if db.execute("SELECT 1 FROM requests WHERE ref_no = ?",
                      [record["ref_no"]]).fetchone():
            raise Conflict(f"A request {record['ref_no']} already exists.")
        _insert_many(db, [record])
    return record


def _insert_many(db: sqlite_utils.Database, records: list[dict[str, Any]]) -> None:
    columns = list(records[0])
    db.conn.executemany(
        f"INSERT INTO requests ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        [[r[c] for c in columns] for r in records],
    )
    ids = _ids(db, [r["ref_no"] for r in records])
    events = []
    for r in records:
        rid = ids[r["ref_no"]]
        events.append((rid, "received", r["received_on"], ""))
        if r["status"] == "in_progress":
            events.append((rid, "in_progress", r["received_on"], "imported"))
        elif r["status"] in CLOSED:
            events.append((rid, r["status"], r["closed_on"], ""))
    db.conn.executemany(
        "INSERT INTO request_events (request_id, status, on_date, note) VALUES (?, ?, ?, ?)",
        events,
    )


def _ids(db: sqlite_utils.Database, refs: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(refs), 500):
        chunk = refs[i:i + 500]
        out.update(db.execute(
            f"SELECT ref_no, id FROM requests WHERE ref_no IN ({', '.join('?' for _ in chunk)})",
            chunk,
        ).fetchall())
    return out


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    refs = [r["ref_no"] for r in batch]
    cursor = db.execute(
        f"SELECT * FROM requests WHERE ref_no IN ({', '.join('?' for _ in refs)})", refs)
    names = [d[0] for d in cursor.description]
    existing = {row[1]: dict(zip(names, row, strict=True)) for row in cursor}
    new = [r for r in batch if r["ref_no"] not in existing]
    if new:
        _insert_many(db, new)
    updated = unchanged = 0
    for record in batch:
        old = existing.get(record["ref_no"])
        if old is None:
            continue
        if all(old[k] == v for k, v in record.items()):
            unchanged += 1
            continue
        updated += 1
        sets = ", ".join(f"{k} = ?" for k in record)
        db.execute(f"UPDATE requests SET {sets} WHERE id = ?", [*record.values(), old["id"]])
        if old["status"] != record["status"]:
            on = record["closed_on"] or record["received_on"]
            db.execute(
                "INSERT INTO request_events (request_id, status, on_date, note) "
                "VALUES (?, ?, ?, 'imported')",
                [old["id"], record["status"], on],
            )
    return len(new), updated, unchanged


def import_requests(db: sqlite_utils.Database, path: Path, **options) -> ImportReport:
    lk = _Lookups(db)
    return run_import(db, path, fields=IMPORT_FIELDS, convert=lambda b: _convert(lk, b),
                      write_batch=_write_batch, key=lambda r: r["ref_no"], **options)


def _get_row(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    rows = list(query_dicts(db, "SELECT * FROM requests WHERE ref_no = ?", [str(ref).strip()]))
    if not rows:
        raise NotFound(f"There is no request {ref!r}; 'qmstrack request list' shows them.")
    return rows[0]


def update_request(db: sqlite_utils.Database, ref: str, *, status: str, on: Any,
                   rating: int | None = None, note: str = "",
                   staff: str | None = None) -> dict[str, Any]:
    """Move a request to a new status on a date; closing sets its closing date."""
    new_status = parse_status(status)
    on_date = parse_date(on, field="date of the change")
    note = clean_text(note, field="note", max_length=4000)
    if rating is not None:
        rating = parse_rating(rating)
    with writing(db):
        row = _get_row(db, ref)
        if row["status"] in CLOSED:
            raise Conflict(
                f"Request {row['ref_no']} was already {row['status']} on {row['closed_on']}."
            )
        if new_status == "received":
            raise InvalidInput("A request cannot go back to 'received'.")
        if new_status == row["status"]:
            raise Conflict(f"Request {row['ref_no']} is already {new_status}.")
        last = db.execute(
            "SELECT max(on_date) FROM request_events WHERE request_id = ?", [row["id"]]
        ).fetchone()[0] or row["received_on"]
        if on_date.isoformat() < last:
            raise InvalidInput(
                f"The date {on_date} is before the request's last change ({last})."
            )
        if rating is not None and new_status not in CLOSED:
            raise InvalidInput("A rating can be given only when the request is closed.")
        changes: dict[str, Any] = {"status": new_status}
        if new_status in CLOSED:
            changes["closed_on"] = on_date.isoformat()
        if rating is not None:
            changes["rating"] = rating
        if staff:
            changes["staff_nip"] = get_staff(db, parse_nip(staff).value)["nip"]
        if note:
            changes["notes"] = (row["notes"] + "\n" + note).strip()
        db["requests"].update(row["id"], changes)
        db["request_events"].insert(
            {"request_id": row["id"], "status": new_status, "on_date": on_date.isoformat(),
             "note": note})
    return get_request(db, row["ref_no"])


def _decorate(row: dict[str, Any]) -> dict[str, Any]:
    if row["status"] == "completed":
        row["on_time"] = row["closed_on"] <= row["due_on"]
    else:
        row["on_time"] = None
    return row


def get_request(db: sqlite_utils.Database, ref: str) -> dict[str, Any]:
    row = _decorate(_get_row(db, ref))
    row["events"] = list(query_dicts(
        db, "SELECT status, on_date, note FROM request_events WHERE request_id = ? "
            "ORDER BY on_date, id", [row["id"]]))
    row.pop("id")
    return row


def list_requests(db: sqlite_utils.Database, *, units: tuple[str, ...] = (),
                  statuses: tuple[str, ...] = (), service: str | None = None,
                  since: date | None = None, until: date | None = None,
                  overdue_on: date | None = None, limit: int | None = None):
    """Stream requests (received between since and until), oldest first."""
    clauses, params = date_filters("received_on", since, until)
    if units:
        clauses.append(f"unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    if statuses:
        clauses.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params.extend(statuses)
    if service:
        clauses.append("service_code = ?")
        params.append(service)
    if overdue_on:
        # open on that day, and due before it (the SPEC's 'overdue')
        clauses.append("received_on <= ? AND (closed_on IS NULL OR closed_on > ?) "
                       "AND due_on < ?")
        params.extend([overdue_on.isoformat()] * 3)
    where = " AND ".join(clauses) or "1"
    sql = (f"SELECT ref_no, received_on, service_code, unit, status, closed_on, due_on, "
           f"staff_nip, requester, contact, channel, rating, notes FROM requests "
           f"WHERE {where} ORDER BY received_on, ref_no")
    if limit:
        sql += f" LIMIT {int(limit)}"
    for row in query_dicts(db, sql, params):
        yield _decorate(row)
