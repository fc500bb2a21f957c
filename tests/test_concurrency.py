"""Concurrent use: cron's summary and an export while clerks import and add requests.

SPEC: "Concurrent use (cron while a person works) never fails with 'database is locked'."
Real processes of the installed ``qmstrack`` share one database file: two clerks add
requests one by one, a third imports spreadsheets, while the nightly ``summary --json``
(with an occasional ``db check``) and an ``export`` + ``verify`` run in a loop until the
writers are done. Every writer does a fixed number of operations, so the run is bounded
(about 15-30 s on two cores).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.procs import DAY, count, new_office_db, run, write_requests_csv

ADDS_PER_CLERK = 6
IMPORT_FILES = 4
ROWS_PER_FILE = 400
READER_MAX_LOOPS = 40
DEADLINE_S = 240


@dataclass
class Log:
    """Every process a thread ran: (args, exit code, stdout, stderr)."""

    runs: list[tuple[tuple[str, ...], int, str, str]] = field(default_factory=list)
    error: BaseException | None = None

    def run(self, db: Path, *args: str):
        result = run(db, *args, timeout=DEADLINE_S)
        self.runs.append((args, result.returncode, result.stdout, result.stderr))
        return result


def in_thread(target, *args) -> tuple[threading.Thread, Log]:
    log = Log()

    def body():
        try:
            target(log, *args)
        except BaseException as exc:  # reported by the test, not lost in the thread
            log.error = exc

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, log


def test_cron_and_clerks_at_once_lose_nothing(tmp_path):
    db = new_office_db(tmp_path / "qms.db")
    files = []
    for n in range(IMPORT_FILES):
        path = tmp_path / f"permohonan-{n}.csv"
        write_requests_csv(path, f"IMP{n}", ROWS_PER_FILE, delimiter=";")
        files.append(path)
    exports = tmp_path / "exports"
    exports.mkdir()
    writers_done = threading.Event()
    added: dict[str, list[str]] = {}
    imported: list[int] = []
    summaries: list[int] = []
    bundles: list[Path] = []

    def clerk(log: Log, name: str) -> None:
        refs = added.setdefault(name, [])
        for i in range(ADDS_PER_CLERK):
            result = log.run(db, "request", "add", "--service", "SMA-LEG", "--requester",
                             f"Pemohon {name} {i}", "--received", DAY, "--channel", "loket")
            if result.returncode == 0:
                refs.append(result.stdout.strip())

    def importer(log: Log) -> None:
        for path in files:
            result = log.run(db, "request", "import", str(path), "--json")
            if result.returncode == 0:
                imported.append(json.loads(result.stdout)["inserted"])

    def nightly(log: Log) -> None:
        loops = 0
        while loops < READER_MAX_LOOPS and (loops < 3 or not writers_done.is_set()):
            result = log.run(db, "summary", "--date", DAY, "--json")
            if result.returncode == 0:
                summaries.append(json.loads(result.stdout)["requests"]["received"])
            if loops % 3 == 2:
                log.run(db, "db", "check")
            loops += 1

    def exporter(log: Log) -> None:
        loops = 0
        while loops < READER_MAX_LOOPS and (loops < 2 or not writers_done.is_set()):
            out = exports / (f"bundle-{loops}.zip" if loops % 2 else f"bundle-{loops}")
            extra = ("--redact",) if loops % 3 == 1 else ()
            result = log.run(db, "export", "--from", DAY, "--to", DAY, "--out", str(out),
                             *extra)
            if result.returncode == 0:
                bundles.append(out)
                log.run(db, "verify", str(out))
            loops += 1

    started = time.monotonic()
    readers = [in_thread(nightly), in_thread(exporter)]
    writers = [in_thread(clerk, "A"), in_thread(clerk, "B"), in_thread(importer)]
    for thread, _ in writers:
        thread.join(DEADLINE_S)
    writers_done.set()
    for thread, _ in readers:
        thread.join(DEADLINE_S)
    elapsed = time.monotonic() - started
    logs = [log for _, log in readers + writers]

    processes = sum(len(log.runs) for log in logs)
    print(f"{processes} processes in {elapsed:.1f} s: {len(summaries)} summaries, "
          f"{len(bundles)} exports, {sum(len(r) for r in added.values())} adds, "
          f"{len(imported)} imports")
    for log in logs:
        assert log.error is None, repr(log.error)
        for args, code, stdout, stderr in log.runs:
            shown = f"qmstrack {' '.join(args)} -> {code}\n{stderr}"
            assert "locked" not in stderr.lower() and "locked" not in stdout.lower(), shown
            assert "Traceback" not in stderr, shown
            assert code == 0, shown
    assert all(not t.is_alive() for t, _ in readers + writers), "a process hung"

    # No lost write: every reported addition is there, once.
    refs = [ref for clerk_refs in added.values() for ref in clerk_refs]
    assert len(refs) == 2 * ADDS_PER_CLERK and len(set(refs)) == len(refs)
    assert imported == [ROWS_PER_FILE] * IMPORT_FILES
    expected = len(refs) + sum(imported)
    final = count(db, "SELECT count(*) FROM requests WHERE received_on = ?", [DAY])
    assert final == expected
    placeholders = ", ".join("?" for _ in refs)
    assert count(db, f"SELECT count(*) FROM requests WHERE ref_no IN ({placeholders})",
                 refs) == len(refs)

    # Counts add up: the day's figure only ever grew, and never past the final count.
    assert summaries == sorted(summaries), summaries
    assert summaries and summaries[-1] <= final and summaries[0] >= 0
    last = run(db, "summary", "--date", DAY, "--json")
    assert json.loads(last.stdout)["requests"]["received"] == final

    # Every export is one consistent snapshot that verifies.
    exported = []
    for out in bundles:
        if out.suffix == ".zip":
            continue
        rows = json.loads((out / "data" / "registers" / "requests.json").read_text("utf-8"))
        csv_lines = (out / "data" / "registers" / "requests.csv").read_text(
            "utf-8-sig").splitlines()
        assert len(csv_lines) == len(rows) + 1
        exported.append(len(rows))
    assert exported == sorted(exported) and all(n <= final for n in exported), exported
    verify_runs = [r for log in logs for r in log.runs if r[0][0] == "verify"]
    assert len(verify_runs) == len(bundles) >= 2

    check = run(db, "db", "check")
    assert check.returncode == 0, check.stderr
    seals = count(db, "SELECT count(*) FROM change_seals")
    assert seals >= len(refs) + IMPORT_FILES
