"""kill -9 in the middle of an import, a migration, an export and a backup.

SPEC, "Bad input, and nothing lost": a crash or kill in the middle of any command leaves
the database as it was before it. Each test starts the installed ``qmstrack`` as a real
process and SIGKILLs it at several points, found by watching what the process does (the
database's write lock taken, a ``.partial`` file or folder appearing) rather than by
guessing from the clock alone, plus a few plain delays. After every kill:

* ``qmstrack db check`` passes (SQLite integrity, hash chain, replay of every row);
* the interrupted work is in the database entirely or not at all;
* no half-written file sits under a finished file's name (temporary ``.partial``
  names may remain, and the next run copes with them).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from helpers.procs import (
    DAY,
    applied_migrations,
    count,
    db_check,
    holds_write_lock,
    kill_when,
    new_office_db,
    run,
    start,
    write_requests_csv,
)

from qmstrack.db import open_db, writing
from qmstrack.migrations import MIGRATIONS, applied_names, migration_set

ROWS = 30_000  # rows of the big import (about 5 s to import on a laptop core)
OLD = "m001_initial_schema"
ALL = list(MIGRATIONS)


def assert_check_passes(db: Path, where: str) -> None:
    result = db_check(db)
    assert result.returncode == 0, f"db check failed after the kill {where}: {result.stderr}"
    assert "Traceback" not in result.stderr


def no_lock_left(db: Path, where: str) -> None:
    assert not holds_write_lock(db), f"a killed process still holds the lock ({where})"


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    """An office database with ROWS requests imported (and sealed) today."""
    from qmstrack.registers.requests import import_requests

    base = tmp_path_factory.mktemp("crash-template")
    path = new_office_db(base / "template.db")
    csv_path = base / "seed.csv"
    write_requests_csv(csv_path, "SEED", ROWS)
    db = open_db(path)
    try:
        report = import_requests(db, csv_path)
        assert report.inserted == ROWS
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


def copy_db(template: Path, target: Path) -> Path:
    """The database and its evidence store (an import keeps its file there)."""
    from qmstrack.evidence import copy_store

    shutil.copyfile(template, target)
    copy_store(template, target)
    return target


# --- (a) an import ----------------------------------------------------------------------

# (name, wait for, delay after it, import with --skip-invalid and a rejects file)
IMPORT_KILLS = [
    ("0.3 s after start", "start", 0.3, False),
    ("as soon as the write lock is taken", "lock", 0.0, False),
    ("0.5 s into the transaction", "lock", 0.5, False),
    ("1.5 s into the transaction, writing a rejects file", "lock", 1.5, True),
    ("3 s into the transaction", "lock", 3.0, False),
]


def test_killed_import_leaves_all_or_nothing(tmp_path):
    db = new_office_db(tmp_path / "qms.db")
    outcomes = []
    for number, (name, wait_for, delay, skip) in enumerate(IMPORT_KILLS):
        prefix = f"K{number}"
        csv_path = tmp_path / f"permohonan-{number}.csv"
        valid = write_requests_csv(csv_path, prefix, ROWS, bad_every=500 if skip else 0)
        rejects = tmp_path / f"ditolak-{number}.csv"
        before = {
            "requests": count(db, "SELECT count(*) FROM requests"),
            "log": count(db, "SELECT count(*) FROM change_log"),
            "seals": count(db, "SELECT count(*) FROM change_seals"),
        }
        args = ["request", "import", str(csv_path)]
        if skip:
            args += ["--skip-invalid", "--rejects", str(rejects)]
        proc = start(db, *args)
        ready = (lambda: True) if wait_for == "start" else (lambda: holds_write_lock(db))
        interrupted = kill_when(proc, ready, delay=delay)
        where = f"{name} (kill point {number})"
        no_lock_left(db, where)

        imported = count(db, "SELECT count(*) FROM requests WHERE ref_no LIKE ?",
                         [f"{prefix}-%"])
        after = {
            "requests": count(db, "SELECT count(*) FROM requests"),
            "log": count(db, "SELECT count(*) FROM change_log"),
            "seals": count(db, "SELECT count(*) FROM change_seals"),
        }
        if imported == 0:
            assert after == before, where
            assert not rejects.exists(), f"a rejects file claims a finished import: {where}"
            outcomes.append((name, "none"))
            assert interrupted, f"the import ended on its own yet wrote nothing: {where}"
        else:
            assert imported == valid, f"{imported} of {valid} rows after the kill {where}"
            assert after["requests"] == before["requests"] + valid
            assert after["seals"] == before["seals"] + 1
            if skip:
                lines = rejects.read_text("utf-8-sig").splitlines()
                assert len(lines) == 1 + ROWS // 500, where
            outcomes.append((name, "all"))
        # A rejects file is either finished or still under its temporary name.
        for leftover in tmp_path.glob(f".ditolak-{number}.csv.*"):
            assert leftover.name.endswith(".partial"), leftover
        assert_check_passes(db, where)

    print("import kill outcomes:", outcomes)
    # Killed as soon as it took the lock, an import of ROWS rows cannot have committed.
    assert outcomes[1] == (IMPORT_KILLS[1][0], "none")
    # A killed import is simply run again: everything arrives, once.
    total = count(db, "SELECT count(*) FROM requests")
    result = run(db, "request", "import", str(tmp_path / "permohonan-1.csv"))
    assert result.returncode == 0, result.stderr
    assert count(db, "SELECT count(*) FROM requests WHERE ref_no LIKE 'K1-%'") == ROWS
    assert count(db, "SELECT count(*) FROM requests") == total + ROWS
    assert_check_passes(db, "after the re-run")


# --- (b) a migration --------------------------------------------------------------------


@pytest.fixture(scope="module")
def old_db(tmp_path_factory) -> Path:
    """A database at the first schema version only, big enough that upgrading it (the
    backup first, then the migrations) takes a moment."""
    import sqlite_utils
    from helpers.procs import setup_office

    base = tmp_path_factory.mktemp("crash-old")
    path = base / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    try:
        db.execute("PRAGMA journal_mode = WAL")
        migration_set().apply(db, stop_before=ALL[1])
        assert applied_names(db) == [OLD]
        setup_office(db)
        with writing(db, "test: a year of audit results"):
            db.execute(
                "INSERT INTO audits (id, period_start, period_end, scope, checklist_id, "
                "checklist_version, checklist_sha256, checklist_yaml, started_on) VALUES "
                "(1, '2025-01-01', '2025-12-31', '[\"SMA\"]', 'iso9001-2015', 1, ?, '', "
                "'2026-01-05')", ["0" * 64])
            db.conn.executemany(
                "INSERT INTO audit_results (audit_id, item_id, clause_ref, grade) "
                "VALUES (1, ?, ?, 'conform')",
                ((f"item-{i:06d}", f"{4 + i % 7}.{1 + i % 5}") for i in range(50_000)))
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


def upgrade_backups(db: Path) -> list[Path]:
    return sorted(p for p in db.parent.glob(f"{db.name}.before-upgrade-*")
                  if ".partial" not in p.name)


MIGRATION_KILLS = [
    ("during the backup before the upgrade", "partial", 0.0),
    ("during the migration transaction", "lock", 0.0),
    ("0.6 s after start", "start", 0.6),
    ("0.9 s after start", "start", 0.9),
]


@pytest.mark.parametrize("name,wait_for,delay", MIGRATION_KILLS,
                         ids=[k[0] for k in MIGRATION_KILLS])
def test_killed_upgrade_leaves_either_version(old_db, tmp_path, name, wait_for, delay):
    if len(ALL) < 2:
        pytest.fail("there is only one migration; nothing to upgrade")
    db = copy_db(old_db, tmp_path / "qms.db")
    results = count(db, "SELECT count(*) FROM audit_results")
    proc = start(db, "unit", "list")
    if wait_for == "partial":
        def ready() -> bool:
            return any(tmp_path.glob(".qms.db.before-upgrade-*.partial"))
    elif wait_for == "lock":
        def ready() -> bool:
            return holds_write_lock(db)
    else:
        def ready() -> bool:
            return True
    interrupted = kill_when(proc, ready, delay=delay, poll=0.001)
    no_lock_left(db, name)
    version = applied_migrations(db)
    assert version in ([OLD], ALL), version
    print(f"upgrade killed {name}: interrupted={interrupted}, version={version[-1]}")
    if version == [OLD]:
        # Nothing of the later schema slipped in.
        conn = sqlite3.connect(db)
        triggers = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        conn.close()
        assert "audits_final_no_update" not in triggers
    else:
        assert upgrade_backups(db), "upgraded without a backup first"
    # Any finished backup is a whole database at the old version.
    for backup in upgrade_backups(db):
        conn = sqlite3.connect(backup)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert [r[0] for r in conn.execute(
                "SELECT name FROM _sqlite_migrations ORDER BY rowid")] == [OLD]
            assert conn.execute("SELECT count(*) FROM audit_results").fetchone()[0] == results
        finally:
            conn.close()
    if wait_for == "partial":
        assert interrupted and version == [OLD] and not upgrade_backups(db)
    # The next command finishes the upgrade and the data is whole.
    assert_check_passes(db, name)
    assert applied_migrations(db) == ALL
    assert count(db, "SELECT count(*) FROM audit_results") == results
    assert upgrade_backups(db)


# --- (c) an export ----------------------------------------------------------------------


def leftovers(folder: Path, target: Path) -> list[str]:
    """Entries beside the target other than temporary ``.partial`` ones."""
    return sorted(p.name for p in folder.iterdir()
                  if p.name != target.name and not (p.name.startswith(".")
                                                    and p.name.endswith(".partial")))


def partial_dirs(folder: Path, target: Path) -> list[Path]:
    return sorted(folder.glob(f".{target.name}.*.partial"))


EXPORT_KILLS = [
    ("bundle", "as soon as the temporary folder appears", "partial", 0.0),
    ("bundle", "0.8 s into writing the registers", "partial", 0.8),
    ("bundle.zip", "while the zip is written", "zip", 0.0),
    ("bundle.zip", "0.3 s into writing the zip", "zip", 0.3),
]


def test_killed_export_leaves_no_bundle_behind(big_db, tmp_path):
    db = copy_db(big_db, tmp_path / "qms.db")
    exports = tmp_path / "exports"
    exports.mkdir()
    period = ["--from", "2026-01-01", "--to", "2026-12-31"]
    outcomes = []
    for target_name, name, wait_for, delay in EXPORT_KILLS:
        out = exports / target_name
        proc = start(db, "export", *period, "--out", str(out), "--force")
        if wait_for == "partial":
            def ready(out=out) -> bool:
                return bool(partial_dirs(exports, out))
        else:
            def ready(out=out) -> bool:
                return any((d / "bundle.zip").exists() for d in partial_dirs(exports, out))
        interrupted = kill_when(proc, ready, delay=delay)
        outcomes.append((name, "interrupted" if interrupted else "finished"))
        assert leftovers(exports, out) == [], f"half-made files after the kill {name}"
        if interrupted:
            assert not out.exists(), f"a bundle claims to be finished after the kill {name}"
        else:
            assert run(db, "verify", str(out)).returncode == 0
            shutil.rmtree(out) if out.is_dir() else out.unlink()
    print("export kill outcomes:", outcomes)
    assert outcomes[0][1] == "interrupted"
    # The database was only read; it is intact, and exporting again works beside the
    # leftovers.
    assert_check_passes(db, "of the exports")
    for target_name in ("bundle", "bundle.zip"):
        out = exports / target_name
        result = run(db, "export", *period, "--out", str(out))
        assert result.returncode == 0, result.stderr
        verified = run(db, "verify", str(out))
        assert verified.returncode == 0, verified.stderr
    requests_csv = (exports / "bundle" / "data" / "registers" / "requests.csv")
    assert len(requests_csv.read_text("utf-8-sig").splitlines()) == ROWS + 1


# --- (d) a backup -----------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


BACKUP_KILLS = [
    ("while the database is copied", "partial", 0.0),
    ("while the evidence files are copied", "evidence", 0.0),
    ("0.5 s after start", "start", 0.5),
    ("0.8 s after start", "start", 0.8),
]


def test_killed_backup_is_absent_or_complete(big_db, tmp_path):
    from qmstrack.evidence import store_file

    db = copy_db(big_db, tmp_path / "qms.db")
    conn = open_db(db)
    try:
        for i in range(20):
            source = tmp_path / f"bukti-{i}.pdf"
            source.write_bytes(f"%PDF evidence {i} ".encode() * 12_000)
            store_file(conn, db, source)
    finally:
        conn.close()
    requests = count(db, "SELECT count(*) FROM requests")
    before = sha256(db)
    backups = tmp_path / "backups"
    backups.mkdir()
    for number, (name, wait_for, delay) in enumerate(BACKUP_KILLS):
        out = backups / f"qms-{number}.db"
        proc = start(db, "db", "backup", str(out))
        if wait_for == "partial":
            def ready(out=out) -> bool:
                return any(backups.glob(f".{out.name}.*.partial"))
        elif wait_for == "evidence":
            def ready(out=out) -> bool:
                return (backups / f"{out.stem}-evidence").exists()
        else:
            def ready() -> bool:
                return True
        interrupted = kill_when(proc, ready, delay=delay, poll=0.001)
        print(f"backup killed {name}: interrupted={interrupted}, "
              f"finished file={out.exists()}")
        if out.exists():
            copy = sqlite3.connect(out)
            try:
                assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                assert copy.execute("SELECT count(*) FROM requests").fetchone()[0] == requests
            finally:
                copy.close()
        if wait_for == "partial":
            assert interrupted and not out.exists()
        # Every evidence file under its final name is whole (its name is its hash).
        store = backups / f"{out.stem}-evidence" / "sha256"
        for stored in store.rglob("*") if store.exists() else ():
            if stored.is_file() and not stored.name.endswith(".partial"):
                assert sha256(stored) == stored.name, stored
        for leftover in backups.iterdir():
            if leftover.name.startswith((f"{out.name}.", f".{out.name}.")):
                assert leftover.name.startswith(f".{out.name}."), leftover
                assert leftover.name.endswith((".partial", ".partial-journal")), leftover
        # A backup only reads: the database file did not change.
        assert sha256(db) == before
        # Running the backup again (after a kill) gives a complete, checkable copy.
        again = run(db, "db", "backup", str(out), "--force")
        assert again.returncode == 0, again.stderr
    assert_check_passes(out, "re-run of the last backup")
    assert_check_passes(db, "of the backups")


def test_kill_points_are_reached_quickly(tmp_path):
    """The lock probe used above sees a writer's lock (guards the suite itself)."""
    db = new_office_db(tmp_path / "qms.db")
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        assert not holds_write_lock(db)
        conn.execute("BEGIN IMMEDIATE")
        assert holds_write_lock(db)
        conn.execute("ROLLBACK")
        assert not holds_write_lock(db)
    finally:
        conn.close()
    started = time.monotonic()
    proc = start(db, "unit", "list")
    assert kill_when(proc, lambda: True) is True
    assert time.monotonic() - started < 10
    assert_check_passes(db, "of a process killed at start")
    assert count(db, "SELECT count(*) FROM requests WHERE received_on = ?", [DAY]) == 0
