"""Benchmark datasets shaped like the demo, at the size of a large office's ten years.

The units, services (with their demand weights and service times), staff and rules are the
demo's (``qmstrack.demo``); requests, adherence observations and survey responses follow the
demo's rules (busy June-August, most requests closed within their service time, about 9%
late by 1-6 working days, 3% rejected, the last weeks still open), spread evenly over the
working days of ``years`` years ending on the demo's last day (2026-10-31). On top of the
demo, a small share of requests (``STALE_SHARE``) is never closed: in ten years of a real
register some requests are forgotten, and they stay open and overdue in every summary.

Two ways out, from the same generator (the same seed gives the same records):

- :func:`write_requests_csv`: the requests as the clerks' spreadsheet, Indonesian headers,
  dates written ``23/11/2026``, statuses in Indonesian, NIPs with spaces; for
  ``qmstrack request import``.
- :func:`fill_database`: requests (with their in-progress events), adherence observations and
  survey responses written with ``executemany`` inside qmstrack's own ``writing()``
  transaction, so the change-log triggers fire and the log is sealed once at the end:
  ``qmstrack db check`` stays valid.

Datasets are cached in a work directory outside the repository (``$TMPDIR/qmstrack-bench``
by default), keyed by their size, seed, this module's version and the schema's migrations,
so a second benchmark run on the same data does not regenerate them.

Adherence: the demo's eleven staff and nine rules allow at most 55 distinct observations
(staff, rule, day) per working day; 300,000 observations over ten years need more than
that, so staff are added in the demo's units (valid NIPs, same positions) until the
observations fill at most half of the possible slots. A large office has more staff anyway.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from qmstrack import demo
from qmstrack.calendar import WorkingCalendar

DATAGEN_VERSION = 3
DEFAULT_END = demo.DEMO_END
STALE_SHARE = 0.0005
FULL_REQUESTS = 1_000_000
FULL_ADHERENCE = 300_000
FULL_SURVEYS = 100_000

CSV_HEADERS = ["No", "No. Registrasi", "Tanggal Masuk", "Kode Layanan", "Bidang",
               "Nama Pemohon", "No. HP", "Kanal", "Status", "Tanggal Selesai", "Nilai",
               "Petugas", "Keterangan"]
STATUS_ID = {"received": "diterima", "in_progress": "diproses", "completed": "selesai",
             "rejected": "ditolak"}
NOTES = ["", "", "", "", "", "", "", "", "Berkas lengkap", "Diambil oleh keluarga",
         "Menunggu tanda tangan kepala bidang", "Dikirim lewat pos"]


def default_workdir() -> Path:
    return Path(os.environ.get("QMSTRACK_BENCH_DIR")
                or Path(tempfile.gettempdir()) / "qmstrack-bench")


@dataclass(frozen=True)
class Shape:
    """How much data, over how long."""

    requests: int = FULL_REQUESTS
    adherence: int = FULL_ADHERENCE
    surveys: int = FULL_SURVEYS
    years: int = 10
    end: date = DEFAULT_END
    seed: int = 1

    @property
    def start(self) -> date:
        return date(self.end.year - self.years, self.end.month, self.end.day) + timedelta(1)

    def label(self) -> str:
        return (f"r{self.requests}-a{self.adherence}-s{self.surveys}-y{self.years}-"
                f"e{self.end.isoformat()}-seed{self.seed}")


@dataclass(frozen=True)
class RequestRow:
    ref_no: str
    received: date
    service: str
    unit: str
    requester: str
    contact: str
    channel: str
    staff: str
    status: str
    closed: date | None
    due: date
    started: date
    sla: int
    rating: int | None
    notes: str


# --- staff -------------------------------------------------------------------------------


def staff_list(shape: Shape) -> list[tuple[str, str, str, str]]:
    """The demo's staff, plus enough extra staff for the adherence observations."""
    staff = list(demo.STAFF)
    days = max(1, len(working_days(shape.start, shape.end)))
    per_day = shape.adherence / days
    rules_per_staff = 5  # each unit has 2 own rules + 3 office-wide ones
    needed = math.ceil(per_day * 2 / rules_per_staff)
    units = [u for u, _ in demo.UNITS]
    i = 0
    while len(staff) < needed:
        unit = units[i % len(units)]
        birth = date(1975, 1, 1) + timedelta(days=97 * i % 7000)
        appointed = (birth.year + 25, 1 + i % 12)
        nip = (f"{birth:%Y%m%d}{appointed[0]}{appointed[1]:02d}{1 + i % 2}"
               f"{100 + i % 900:03d}")
        staff.append((nip, f"Pegawai {unit.title()} {i + 1}", unit,
                      "Pengadministrasi Umum"))
        i += 1
    return staff


def nip_spaced(nip: str) -> str:
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


# --- the calendar -------------------------------------------------------------------------


_CALENDAR = WorkingCalendar()


def working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if _CALENDAR.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _spread(total: int, days: list[date], rng: random.Random, noise: float) -> list[int]:
    """``total`` split over ``days``: 1.6x in June-August, some day-to-day noise."""
    weights = [max(0.1, rng.gauss(1.0, noise)) * (1.6 if d.month in (6, 7, 8) else 1.0)
               for d in days]
    scale = total / sum(weights)
    counts, carry = [], 0.0
    for w in weights:
        carry += w * scale
        n = int(carry)
        carry -= n
        counts.append(n)
    counts[-1] += total - sum(counts)
    return counts


# --- requests ---------------------------------------------------------------------------


def generate_requests(shape: Shape) -> Iterator[RequestRow]:
    """The requests of ``shape``, oldest first (the demo's rules, at scale)."""
    rng = random.Random(shape.seed)
    cal = _CALENDAR
    staff_by_unit: dict[str, list[str]] = {}
    for nip, _, unit, _ in staff_list(shape):
        staff_by_unit.setdefault(unit, []).append(nip)
    services = demo.SERVICES
    cum, acc = [], 0
    for s in services:
        acc += s[5]
        cum.append(acc)
    days = working_days(shape.start, shape.end)
    counts = _spread(shape.requests, days, rng, 0.25)
    due_cache: dict[tuple[date, int], date] = {}

    def due(day: date, n: int) -> date:
        key = (day, n)
        d = due_cache.get(key)
        if d is None:
            d = due_cache[key] = cal.due_date(day, n)
        return d

    sequence: dict[tuple[str, int], int] = {}
    names = [f"{a} {b}" for a in demo.FIRST_NAMES for b in demo.LAST_NAMES]
    end = shape.end
    choices, random_ = rng.choices, rng.random
    for day, count in zip(days, counts, strict=True):
        picked = choices(services, cum_weights=cum, k=count)
        for code, _, unit, sla, _, _ in picked:
            key = (unit, day.year)
            seq = sequence[key] = sequence.get(key, 0) + 1
            outcome = random_()
            if outcome < 0.03:
                status = "rejected"
                closed = due(day, rng.randint(0, max(sla, 1)))
            else:
                status = "completed"
                lateness = rng.randint(1, 6) if outcome > 0.91 else 0
                spent = rng.randint(0, sla) if lateness == 0 else sla + lateness
                closed = due(day, spent)
            started = due(day, 0 if sla == 0 else rng.randint(0, 1))
            if closed > end or random_() < STALE_SHARE:
                status, closed = ("in_progress" if started <= end else "received"), None
            rating = (rng.choice((3, 4, 4, 4, 3, 2)) if closed and random_() < 0.4
                      else None)
            yield RequestRow(
                f"{unit}-{day.year}-{seq:06d}", day, code, unit, rng.choice(names),
                f"08{rng.randint(11, 59)}{rng.randint(10000000, 99999999)}",
                rng.choice(demo.CHANNELS), rng.choice(staff_by_unit[unit]), status, closed,
                due(day, sla), started, sla, rating, rng.choice(NOTES))


def write_requests_csv(path: Path, shape: Shape) -> int:
    """The requests as the clerks keep them; returns the number of data rows."""
    tmp = path.with_name(path.name + ".partial")
    n = 0
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_HEADERS)
        for n, r in enumerate(generate_requests(shape), start=1):
            w.writerow((n, r.ref_no, f"{r.received:%d/%m/%Y}", r.service, r.unit,
                        r.requester, r.contact, r.channel, STATUS_ID[r.status],
                        f"{r.closed:%d/%m/%Y}" if r.closed else "", r.rating or "",
                        nip_spaced(r.staff), r.notes))
    os.replace(tmp, path)
    return n


def write_requests_xlsx(path: Path, shape: Shape) -> int:
    """The same register as an Excel workbook: typed date cells, ratings as numbers.

    Written by openpyxl's write-only mode (as Excel would store it: shared strings, one
    sheet); the NIPs and phone numbers are text, as a careful clerk keeps them.
    """
    import openpyxl

    tmp = path.with_name(path.name + ".partial")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Permohonan")
    sheet.append(CSV_HEADERS)
    n = 0
    for n, r in enumerate(generate_requests(shape), start=1):
        sheet.append((n, r.ref_no, r.received, r.service, r.unit, r.requester, r.contact,
                      r.channel, STATUS_ID[r.status], r.closed, r.rating,
                      nip_spaced(r.staff), r.notes))
    book.save(tmp)
    os.replace(tmp, path)
    return n


# --- adherence and surveys ------------------------------------------------------------


def generate_adherence(shape: Shape) -> Iterator[tuple]:
    rng = random.Random(shape.seed + 1)
    staff = staff_list(shape)
    rules_for = {u: [r[0] for r in demo.RULES if r[2] in (None, u)] for u, _ in demo.UNITS}
    days = working_days(shape.start, shape.end)
    slots = [(nip, unit, rule) for nip, _, unit, _ in staff for rule in rules_for[unit]]
    for day, count in zip(days, _spread(shape.adherence, days, rng, 0.3), strict=True):
        iso = day.isoformat()
        for nip, unit, rule in rng.sample(slots, min(count, len(slots))):
            result, observer, note = demo.observation(rng, day)
            yield (nip, rule, iso, unit, result, observer, note)


def generate_surveys(shape: Shape) -> Iterator[tuple]:
    rng = random.Random(shape.seed + 2)
    services = demo.SERVICES
    cum, acc = [], 0
    for s in services:
        acc += s[5]
        cum.append(acc)
    days = working_days(shape.start, shape.end)
    number = 0
    for day, count in zip(days, _spread(shape.surveys, days, rng, 0.3), strict=True):
        busy = day.month in (6, 7, 8)
        iso = day.isoformat()
        for code, _, unit, _, _, _ in rng.choices(services, cum_weights=cum, k=count):
            number += 1
            scores = []
            for element in range(1, 10):
                low = 0.30 if (element == 3 and busy) else 0.12 if element in (3, 8) else 0.06
                draw = rng.random()
                scores.append(2 if draw < low else 3 if draw < low + 0.40 else 4)
            yield (f"{code}:{number}", iso, code, unit, *scores)


# --- databases ---------------------------------------------------------------------------


def create_base(path: Path, shape: Shape) -> None:
    """A new database with the demo's settings, units, services, staff and rules."""
    from qmstrack.db import open_db, set_setting, writing

    db = open_db(path, create=True)
    try:
        # Sealed as if the office had set qmstrack up the day before its first record.
        db.qms_seal_at = f"{shape.start - timedelta(days=1)}T09:00:00+00:00"
        with writing(db, "benchmarks.datagen base"):
            set_setting(db, "org_name", demo.DEMO_ORG)
            db.conn.executemany("INSERT INTO units (code, name) VALUES (?, ?)", demo.UNITS)
            db.conn.executemany(
                "INSERT INTO services (code, name, unit, sla_days, fee, requirements, active) "
                "VALUES (?, ?, ?, ?, ?, '', 1)", [s[:5] for s in demo.SERVICES])
            db.conn.executemany(
                "INSERT INTO staff (nip, name, unit, position, active) "
                "VALUES (?, ?, ?, ?, 1)", staff_list(shape))
            db.conn.executemany(
                "INSERT INTO rules (code, title, unit, clauses) VALUES (?, ?, ?, ?)",
                demo.RULES)
    finally:
        db.close()


def _by_month(rows, day_of) -> Iterator[tuple[str, list]]:
    for month, group in itertools.groupby(rows, key=lambda r: day_of(r)[:7]):
        yield month, list(group)


def fill_database(path: Path, shape: Shape, *, log=print) -> dict[str, float]:
    """Base registers plus requests (with their in-progress events), adherence observations and
    survey responses, written month by month: one ``writing()`` transaction (so one
    sealed range of the change log) per month, the seal dated at the end of that month, as
    if the office had imported its spreadsheets monthly. Returns seconds per step."""
    from qmstrack.db import open_db, writing

    create_base(path, shape)
    db = open_db(path)
    timings = {"requests": 0.0, "adherence": 0.0, "surveys": 0.0, "seal": 0.0}
    sources = {
        "requests": _by_month(generate_requests(shape), lambda r: r.received.isoformat()),
        "adherence": _by_month(generate_adherence(shape), lambda t: t[2]),
        "surveys": _by_month(generate_surveys(shape), lambda t: t[1]),
    }
    pending = {name: next(it, None) for name, it in sources.items()}
    request_id = 0
    started = time.perf_counter()
    try:
        db.execute("PRAGMA cache_size = -65536")
        months = sorted({p[0] for p in pending.values() if p} | {
            f"{d.year}-{d.month:02d}" for d in (shape.start, shape.end)})
        month = months[0]
        while any(pending.values()):
            # The seal as the office would have made it: at the end of the month.
            year, mon = int(month[:4]), int(month[5:])
            last_day = date(year + mon // 12, mon % 12 + 1, 1) - timedelta(days=1)
            db.qms_seal_at = f"{last_day.isoformat()}T09:00:00+00:00"
            with writing(db, "benchmarks.datagen"):
                group = pending["requests"]
                if group and group[0] == month:
                    t = time.perf_counter()
                    rows, events = [], []
                    for r in group[1]:
                        request_id += 1
                        closed = r.closed.isoformat() if r.closed else None
                        received = r.received.isoformat()
                        rows.append((request_id, r.ref_no, received, r.service, r.unit,
                                     r.requester, r.contact, r.channel, r.staff, r.status,
                                     closed, r.due.isoformat(), r.rating, r.notes))
                        # As qmstrack keeps them: receipt and closing are on the row.
                        if r.status != "received" and r.sla > 0:
                            events.append((request_id, "in_progress", r.started.isoformat(),
                                           ""))
                    _insert(db, "requests", ("id", "ref_no", "received_on", "service_code",
                                             "unit", "requester", "contact", "channel",
                                             "staff_nip", "status", "closed_on", "due_on",
                                             "rating", "notes"), rows)
                    _insert(db, "request_events", ("request_id", "status", "on_date", "note"),
                            events)
                    pending["requests"] = next(sources["requests"], None)
                    timings["requests"] += time.perf_counter() - t
                group = pending["adherence"]
                if group and group[0] == month:
                    t = time.perf_counter()
                    _insert(db, "adherence", ("staff_nip", "rule_code", "observed_on", "unit",
                                              "result", "observer", "note"), group[1])
                    pending["adherence"] = next(sources["adherence"], None)
                    timings["adherence"] += time.perf_counter() - t
                group = pending["surveys"]
                if group and group[0] == month:
                    t = time.perf_counter()
                    _insert(db, "surveys", ("response_key", "responded_on", "service_code",
                                            "unit", "u1", "u2", "u3", "u4", "u5", "u6", "u7",
                                            "u8", "u9"), group[1])
                    pending["surveys"] = next(sources["surveys"], None)
                    timings["surveys"] += time.perf_counter() - t
                sealing = time.perf_counter()
            timings["seal"] += time.perf_counter() - sealing
            month = f"{last_day + timedelta(days=1):%Y-%m}"
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    log(f"  requests {shape.requests:,} ({timings['requests']:.1f} s), adherence "
        f"{shape.adherence:,} ({timings['adherence']:.1f} s), surveys {shape.surveys:,} "
        f"({timings['surveys']:.1f} s), sealing and commits {timings['seal']:.1f} s; "
        f"{time.perf_counter() - started:.1f} s in all")
    return timings


def _insert(db, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Several hundred rows per INSERT statement (as ``qmstrack request import`` does)."""
    per = max(1, min(500, 30_000 // len(columns)))
    one = "(" + ", ".join("?" * len(columns)) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    for i in range(0, len(rows), per):
        chunk = rows[i:i + per]
        db.conn.execute(head + ", ".join([one] * len(chunk)), [v for r in chunk for v in r])


def _schema_tag() -> str:
    from qmstrack.migrations import MIGRATIONS

    names = ",".join(MIGRATIONS)
    return hashlib.sha256(f"{DATAGEN_VERSION}:{names}".encode()).hexdigest()[:10]


def cached(kind: str, shape: Shape, workdir: Path | None = None, *, fresh: bool = False,
           log=print) -> Path:
    """The dataset ``kind`` ("db", "base", "csv", "xlsx") of ``shape``, generated when missing."""
    workdir = workdir or default_workdir()
    workdir.mkdir(parents=True, exist_ok=True)
    suffix = {"db": ".db", "base": ".base.db", "csv": ".csv", "xlsx": ".xlsx"}[kind]
    path = workdir / f"{shape.label()}-{_schema_tag()}{suffix}"
    if path.exists() and not fresh:
        return path
    for old in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if old.exists():
            old.unlink()
    t = time.perf_counter()
    log(f"Generating {path.name} ...")
    if kind == "csv":
        write_requests_csv(path, shape)
    elif kind == "xlsx":
        write_requests_xlsx(path, shape)
    else:
        tmp = path.with_name(path.name + ".partial")
        for old in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            if old.exists():
                old.unlink()
        if kind == "base":
            create_base(tmp, shape)
        else:
            fill_database(tmp, shape, log=log)
        os.replace(tmp, path)
    log(f"  generated in {time.perf_counter() - t:.1f} s ({path.stat().st_size / 1e6:,.0f} MB)")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["db", "base", "csv", "xlsx"])
    parser.add_argument("--rows", type=int, default=FULL_REQUESTS, help="requests")
    parser.add_argument("--adherence", type=int, default=None)
    parser.add_argument("--surveys", type=int, default=None)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args(argv)
    shape = scaled_shape(args.rows, args.years, args.adherence, args.surveys)
    print(cached(args.kind, shape, args.workdir, fresh=args.fresh, log=lambda m: print(
        m, file=sys.stderr)))
    return 0


def scaled_shape(requests: int, years: int = 10, adherence: int | None = None,
                 surveys: int | None = None) -> Shape:
    """A shape with the full dataset's proportions (3 observations, 1 survey per 10
    requests) unless given."""
    return Shape(requests=requests,
                 adherence=adherence if adherence is not None else requests * 3 // 10,
                 surveys=surveys if surveys is not None else requests // 10,
                 years=years)


if __name__ == "__main__":
    raise SystemExit(main())
