"""Exit codes mean what the specification says, and come from one place (qmstrack.exitcodes)."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import click
import pytest
from helpers.procs import run, start

from qmstrack import errors
from qmstrack.exitcodes import ExitCode


def test_the_codes_are_the_promised_numbers():
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0, "FAILED": 1, "USAGE": 2, "ATTENTION": 3, "INTERRUPTED": 130}
    # click reports its own usage errors with the same number as qmstrack's.
    assert click.UsageError("x").exit_code == ExitCode.USAGE


@pytest.mark.parametrize("kind, code", [
    (errors.QmsError, ExitCode.FAILED),
    (errors.NotFound, ExitCode.FAILED),
    (errors.InvalidInput, ExitCode.FAILED),
    (errors.Conflict, ExitCode.FAILED),
    (errors.IntegrityFailure, ExitCode.FAILED),
    (errors.DatabaseError, ExitCode.FAILED),
    (errors.UsageError, ExitCode.USAGE),
    (errors.MissingAnswer, ExitCode.USAGE),
])
def test_each_error_kind_has_its_code(kind, code):
    assert kind("x").exit_code == code
    assert errors.ImportRefused("f.csv", [], 1).exit_code == ExitCode.FAILED


def test_the_cli_exits_with_each_code(office, cli):
    assert cli("unit", "list").exit_code == ExitCode.OK
    assert cli("finding", "show", "F-NO-SUCH").exit_code == ExitCode.FAILED
    assert cli("unit", "list", "--no-such-option").exit_code == ExitCode.USAGE
    assert cli("summary", "--from", "2026-08-21", "--to", "2026-08-10").exit_code == (
        ExitCode.USAGE)


def _has_open(pid: int, path) -> bool:
    """Whether process ``pid`` has ``path`` open (Linux /proc)."""
    fds = f"/proc/{pid}/fd"
    try:
        links = [os.readlink(os.path.join(fds, fd)) for fd in os.listdir(fds)]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return str(path) in links


def _sleeping(pid: int) -> bool:
    """Whether process ``pid`` is asleep in a timed wait: SQLite's busy handler sleeps
    between its tries for a lock; nothing else in a command does (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/wchan") as wchan:
            where = wchan.read()
        with open(f"/proc/{pid}/stat") as stat:
            status = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    # Kernels that hide wchan show "0": the sleeping state alone then.
    return status == "S" and ("nanosleep" in where or where == "0")


def test_ctrl_c_exits_130_and_writes_nothing(tmp_path):
    """Ctrl-C while a command waits for the write lock: one sentence, 130, no change.

    The lock stays held until the command has exited: it is Ctrl-C that ends the wait (well
    before the 60 s busy timeout), not the lock coming free."""
    db = tmp_path / "qms.db"
    assert run(db, "init", "--org", "Dinas").returncode == ExitCode.OK
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    proc = start(db, "unit", "add", "SMA", "--name", "Bidang SMA")
    try:
        deadline = time.monotonic() + 60
        waiting = 0
        # Waiting for the lock: the database open, and asleep in SQLite's busy handler at
        # five samples in a row.
        while waiting < 5:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the command never waited for the lock"
            waiting = waiting + 1 if _has_open(proc.pid, db) and _sleeping(proc.pid) else 0
            time.sleep(0.01)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == ExitCode.INTERRUPTED, stderr
    assert took < 20, took  # the wait ended by Ctrl-C, not by the busy timeout
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Interrupted" in lines[0], stderr
    assert "Traceback" not in stderr
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM units").fetchone()[0] == 0
    finally:
        conn.close()
