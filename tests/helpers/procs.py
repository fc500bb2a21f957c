"""Running the installed ``qmstrack`` as real processes, probing locks, and killing them.

The crash and concurrency suites drive the console script exactly as cron or a clerk
would: a separate process per command, ``--db`` naming the file. Kills are SIGKILL
(``Popen.kill``), which no ``finally`` block or signal handler can soften.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

# A day that is a working day (Monday 2 March 2026) for every record these suites write.
DAY = "2026-03-02"


def executable() -> str:
    """The installed console script (same lookup as ``conftest.qmstrack_executable``)."""
    import shutil

    found = shutil.which("qmstrack", path=os.path.dirname(sys.executable))
    return found or shutil.which("qmstrack") or "qmstrack"


def command(db: Path, *args: str) -> list[str]:
    return [executable(), "--db", str(db), *args]


def run(db: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``qmstrack --db DB ARGS`` to completion (stdin closed: no prompts)."""
    return subprocess.run(command(db, *args), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def start(db: Path, *args: str) -> subprocess.Popen:
    """Start ``qmstrack --db DB ARGS`` in the background (output to pipes)."""
    return subprocess.Popen(command(db, *args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def holds_write_lock(db: Path) -> bool:
    """True when some process holds the database's write lock right now.

    Asks for the write lock itself without waiting (``BEGIN IMMEDIATE``, busy timeout 0)
    and gives it back at once; a writer that asks meanwhile simply waits its turn.
    """
    conn = sqlite3.connect(str(db), timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
        raise
    else:
        conn.execute("ROLLBACK")
        return False
    finally:
        conn.close()


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], *, delay: float = 0.0,
              timeout: float = 120, poll: float = 0.005) -> bool:
    """SIGKILL ``proc`` ``delay`` seconds after ``ready()`` first holds.

    Returns True when the process was still running at the moment it was killed (it was
    interrupted), False when it had already ended on its own.
    """
    deadline = time.monotonic() + timeout
    while proc.poll() is None and not ready():
        if time.monotonic() > deadline:
            proc.kill()
            proc.communicate()
            raise AssertionError("the awaited point was never reached")
        time.sleep(poll)
    if delay:
        end = time.monotonic() + delay
        while proc.poll() is None and time.monotonic() < end:
            time.sleep(poll)
    interrupted = proc.poll() is None
    if interrupted:
        proc.kill()
    proc.communicate(timeout=60)
    return interrupted


def count(db: Path, sql: str, params: Iterable = ()) -> int:
    """A single number from the database, read with a plain connection."""
    conn = sqlite3.connect(str(db), timeout=60)
    try:
        return conn.execute(sql, list(params)).fetchone()[0]
    finally:
        conn.close()


def applied_migrations(db: Path) -> list[str]:
    conn = sqlite3.connect(str(db), timeout=60)
    try:
        return [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'qmstrack' "
            "ORDER BY rowid")]
    finally:
        conn.close()


def write_requests_csv(path: Path, prefix: str, rows: int, *, day: str = DAY,
                       service: str = "SMA-LEG", bad_every: int = 0,
                       delimiter: str = ",") -> int:
    """A requests spreadsheet of ``rows`` rows with references PREFIX-000001...

    With ``bad_every`` every n-th row has an impossible date. Returns the number of
    valid rows.
    """
    valid = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(["No. Registrasi", "Tgl Masuk", "Kode Layanan", "Nama Pemohon",
                         "No HP", "Keterangan"])
        for i in range(1, rows + 1):
            bad = bad_every and i % bad_every == 0
            writer.writerow([f"{prefix}-{i:06d}", "31/02/2026" if bad else day, service,
                             f"Pemohon {prefix} {i}", f"0812{i:08d}",
                             "berkas lengkap, diambil sendiri"])
            valid += 0 if bad else 1
    return valid


def setup_office(db) -> None:
    """Units, services and staff (the ``office`` fixture of conftest, for helper use)."""
    from qmstrack.registers.rules import add_rule
    from qmstrack.registers.services import add_service
    from qmstrack.registers.staff import add_staff
    from qmstrack.registers.units import add_unit

    add_unit(db, "SMP", "Bidang Pembinaan SMP")
    add_unit(db, "SMA", "Bidang Pembinaan SMA")
    add_service(db, code="SMA-LEG", name="Legalisir ijazah SMA", unit="SMA", sla_days=3)
    add_service(db, code="SMP-LEG", name="Legalisir ijazah SMP", unit="SMP", sla_days=3)
    budi = {"nip": "198609262015051001", "name": "Budi Santoso", "unit": "SMA",
            "position": "Pengadministrasi"}
    if "employment" in {r[1] for r in db.execute("PRAGMA table_info(staff)")}:
        add_staff(db, **budi)
    else:
        # A database at a schema from before employment types (upgrade tests).
        from qmstrack.db import writing

        with writing(db, "test: staff of an older version"):
            db["staff"].insert(budi)
    add_rule(db, code="SOP-LEG", title="SOP legalisir", unit="SMA", clauses=["8.5.1"])


def new_office_db(path: Path) -> Path:
    """Create a database with the office's registers; return its path."""
    from qmstrack.db import open_db

    db = open_db(path, create=True)
    try:
        setup_office(db)
    finally:
        db.close()
    return path


def db_check(db: Path) -> subprocess.CompletedProcess:
    """``qmstrack db check`` (which must pass after every kill)."""
    return run(db, "db", "check")
