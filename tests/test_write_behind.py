"""The request import writes each batch on a second thread while the next is checked: the
rows, the errors and the rollback are those of an import without it."""

from __future__ import annotations

import csv
import signal
import sqlite3
import sys
import threading
import time
from datetime import date, timedelta

import pytest
import sqlite_utils

from qmstrack import changelog
from qmstrack.db import open_db
from qmstrack.errors import InvalidInput
from qmstrack.integrity import check_database
from qmstrack.registers.requests import import_requests
from qmstrack.write_behind import WriteBehind, usable_from_another_thread

ROWS = 400


def _write_csv(path, rows: int = ROWS, *, dates: dict[int, str] | None = None) -> None:
    """``rows`` requests R-00000 ..., received in 2026; ``dates`` puts other received-date
    text on some rows."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["No. Registrasi", "Tanggal Masuk", "Kode Layanan", "Nama Pemohon",
                    "Status", "Tanggal Selesai"])
        for i in range(rows):
            received = date(2026, 1, 2) + timedelta(days=i % 280)
            text = (dates or {}).get(i, f"{received:%d/%m/%Y}")
            closed = received + timedelta(days=i % 5)
            w.writerow([f"R-{i:05d}", text, "SMA-LEG", f"Pemohon {i}", "selesai",
                        f"{closed:%d/%m/%Y}"])


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 50 rows, written 10 rows a statement: several statements a batch."""
    monkeypatch.setattr("qmstrack.tabular.BATCH_SIZE", 50)
    monkeypatch.setattr("qmstrack.registers.requests._ROWS_PER_STATEMENT", 10)


@pytest.fixture
def writer_threads(office):
    """The threads the request rows were inserted on, and each insert made slow enough
    that the importing thread runs ahead of the writes."""
    seen: set[int] = set()

    def note_thread() -> int:
        seen.add(threading.get_ident())
        time.sleep(0.0005)
        return 1

    office.conn.create_function("note_thread", 0, note_thread)
    office.execute("CREATE TEMP TRIGGER note_writer AFTER INSERT ON main.requests "
                   "BEGIN SELECT note_thread(); END")
    return seen


def _unchanged(db, entries_before: int) -> None:
    # Writes still running behind a failed import would land outside its transaction:
    # give them the time to, then look.
    time.sleep(0.2)
    assert not db.conn.in_transaction
    assert db.execute("SELECT count(*) FROM requests").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM change_log").fetchone()[0] == entries_before


@pytest.mark.usefixtures("small_batches")
def test_qmstrack_connections_write_behind_on_a_second_thread(office, tmp_path, writer_threads):
    assert WriteBehind(office).threaded
    path = tmp_path / "r.csv"
    _write_csv(path)
    report = import_requests(office, path)
    assert (report.inserted, report.rejected) == (ROWS, 0)
    assert threading.get_ident() not in writer_threads and writer_threads
    assert [r[0] for r in office.execute("SELECT ref_no FROM requests ORDER BY id")] == [
        f"R-{i:05d}" for i in range(ROWS)]
    assert list(changelog.verify_chain(office)) == []


@pytest.mark.usefixtures("small_batches", "writer_threads")
@pytest.mark.parametrize("failing", [0, 51, 237, ROWS - 1],
                         ids=["first row", "second batch", "a middle batch", "last row"])
def test_an_error_of_the_writes_behind_fails_the_import_and_nothing_is_written(
        office, tmp_path, db_path, failing):
    path = tmp_path / "r.csv"
    _write_csv(path)
    office.execute("CREATE TEMP TRIGGER planted BEFORE INSERT ON main.requests "
                   f"WHEN NEW.ref_no = 'R-{failing:05d}' "
                   "BEGIN SELECT RAISE(ABORT, 'planted refusal'); END")
    entries = office.execute("SELECT count(*) FROM change_log").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="planted refusal"):
        import_requests(office, path)
    _unchanged(office, entries)
    # The connection is whole: the same file imports once the planted trigger is gone.
    office.execute("DROP TRIGGER temp.planted")
    assert import_requests(office, path).inserted == ROWS
    assert check_database(office, db_path).ok


@pytest.mark.usefixtures("small_batches", "writer_threads")
def test_a_refusal_while_a_batch_is_being_written_rolls_back_cleanly(office, tmp_path,
                                                                     db_path):
    # Three dates that can only be month first, well after the first batches: the import
    # stops in the importing thread while the writes of a batch are still running.
    path = tmp_path / "r.csv"
    _write_csv(path, dates={300: "11/13/2026", 301: "11/14/2026", 302: "11/15/2026"})
    entries = office.execute("SELECT count(*) FROM change_log").fetchone()[0]
    with pytest.raises(InvalidInput, match="month"):
        import_requests(office, path)
    _unchanged(office, entries)
    _write_csv(path)
    assert import_requests(office, path).inserted == ROWS
    assert check_database(office, db_path).ok


def test_a_connection_bound_to_its_thread_writes_in_the_importing_thread(office, db_path,
                                                                       tmp_path):
    office.close()
    bound = sqlite_utils.Database(sqlite3.connect(db_path))
    bound.execute("PRAGMA foreign_keys = ON")
    seen: set[int] = set()
    bound.conn.create_function("note_thread",
                               0, lambda: seen.add(threading.get_ident()) or 1)
    bound.execute("CREATE TEMP TRIGGER note_writer AFTER INSERT ON main.requests "
                  "BEGIN SELECT note_thread(); END")
    assert not usable_from_another_thread(bound)
    path = tmp_path / "r.csv"
    _write_csv(path, 120)
    assert import_requests(bound, path).inserted == 120
    assert seen == {threading.get_ident()}
    bound.close()
    again = open_db(db_path)
    assert check_database(again, db_path).ok
    again.close()


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="Ctrl-C sent to one thread")
def test_ctrl_c_while_waiting_is_raised_only_once_the_writes_have_ended(db):
    main = threading.main_thread().ident
    assert threading.get_ident() == main
    finished = threading.Event()
    interrupted = threading.Event()

    def handler(_signum, _frame):
        interrupted.set()
        raise KeyboardInterrupt

    def work() -> None:
        # Wait until the importing thread is waiting for this work, then press Ctrl-C.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            frame = sys._current_frames().get(main)
            names = set()
            while frame is not None:
                names.add(frame.f_code.co_name)
                frame = frame.f_back
            if "settle" in names and "wait" in names:
                break
            time.sleep(0.001)
        signal.pthread_kill(main, signal.SIGINT)
        interrupted.wait(10)
        time.sleep(0.05)
        db.execute("SELECT 1").fetchone()
        finished.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        behind = WriteBehind(db)
        assert behind.threaded
        with pytest.raises(KeyboardInterrupt):
            behind.submit(work)
            behind.settle()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert interrupted.is_set() and finished.is_set()


def test_an_error_behind_is_raised_once_and_abandon_drops_it(db):
    behind = WriteBehind(db)

    def fail() -> None:
        raise sqlite3.OperationalError("database or disk is full")

    behind.submit(fail)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        behind.settle()
    behind.settle()  # raised once
    behind.submit(fail)
    behind.abandon()
    behind.settle()
    ran: list[int] = []
    behind.submit(lambda: ran.append(threading.get_ident()))
    behind.submit(lambda: ran.append(threading.get_ident()))  # waits for the first
    behind.settle()
    assert len(ran) == 2 and threading.get_ident() not in ran
