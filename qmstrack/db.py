"""Opening the database: where it lives, its pragmas, bringing its schema up to date (the
migrations themselves are in ``qmstrack.migrations``), write transactions and settings.

Every command gets its ``sqlite_utils.Database`` from :func:`open_db`. Writes go through
:func:`writing`, which takes the write lock up front (``BEGIN IMMEDIATE``) so that a nightly
cron job and a person at the terminal queue behind each other instead of failing with
"database is locked", and which seals the change log before committing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from qmstrack import migrations
from qmstrack.errors import DatabaseError

BUSY_TIMEOUT_MS = 60_000
# How long one try for the write lock waits inside SQLite (see ``begin_immediate``).
LOCK_TRY_MS = 50
ENV_VAR = "QMSTRACK_DB"


def default_db_path() -> Path:
    """The database used when neither ``--db`` nor ``QMSTRACK_DB`` is given."""
    import platformdirs

    return Path(platformdirs.user_data_dir("qmstrack", appauthor=False)) / "qmstrack.db"


def resolve_db_path(option: str | os.PathLike | None) -> tuple[Path, str]:
    """Return the database path and where it came from (option, environment or default)."""
    if option:
        return Path(option).expanduser(), "--db option"
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser(), f"{ENV_VAR} environment variable"
    return default_db_path(), "default location"


def _connect(path: Path) -> sqlite_utils.Database:
    # Usable from a second thread: an import writes one batch there while the next is
    # checked, never both at once (qmstrack.write_behind).
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    # No sqlite-utils plugins: qmstrack uses none, and scanning for them costs every command.
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only (records hold personal data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0),
                 0o600)
    os.close(fd)


def open_db(path: str | os.PathLike, *, create: bool = False) -> sqlite_utils.Database:
    """Open (and, with ``create``, create) the database, bringing its schema up to date.

    A database written by a newer qmstrack is refused untouched. An older one is backed up
    beside itself before its migrations run.
    """
    path = Path(path)
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file.")
    if not path.exists():
        if not create:
            raise DatabaseError(
                f"No database at {path}; run 'qmstrack init' first or pass --db PATH."
            )
        try:
            _create_private_file(path)
        except OSError as exc:
            raise DatabaseError(f"Cannot create the database {path}: {exc.strerror}.") from exc
    try:
        db = _connect(path)
        _refuse_foreign(db, path)
        # Before anything is written (switching to WAL rewrites the file's header).
        _refuse_newer(db)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        upgrade(db, path)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable qmstrack database ({exc}).") from exc
    return db


def _refuse_foreign(db: sqlite_utils.Database, path: Path) -> None:
    """Refuse, before changing anything, a SQLite file that belongs to another program."""
    if migrations.applied_names(db):
        return
    tables = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != ?", [Migrations.migrations_table]
    ).fetchall()
    if tables:
        db.close()
        raise DatabaseError(
            f"{path} is a SQLite database of another program, not a qmstrack database; "
            "nothing was changed."
        )


def _refuse_newer(db: sqlite_utils.Database) -> None:
    """Refuse a database written by a newer qmstrack (a migration this one does not know)."""
    unknown = migrations.unknown_migrations(db)
    if unknown:
        db.close()
        raise DatabaseError(
            f"The database was written by a newer version of qmstrack (unknown migration "
            f"{unknown[0]!r}); upgrade qmstrack instead of using this version on it."
        )


def upgrade(db: sqlite_utils.Database, path: Path | None = None) -> list[str]:
    """Apply pending migrations; return their names. Refuse a database from a newer version."""
    _refuse_newer(db)
    if not migrations.pending_names(db):
        return []
    if migrations.applied_names(db) and path is not None:
        backup_before_upgrade(db, path)
    # All pending migrations run in one transaction holding the write lock, so two processes
    # never migrate at once and a crash leaves the database at its previous version.
    # Foreign keys are off meanwhile (SQLite's way to rebuild a table others refer to: they
    # can only be switched outside a transaction) and checked before the commit.
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        begin_immediate(db)
        steps = migrations.migration_set()
        pending = [m.name for m in steps.pending(db)]
        resealing = _before_migrations(db, pending)
        steps.apply(db)
        if resealing is not None:
            _seal_migrations(db, resealing, pending)
        broken = db.execute("PRAGMA foreign_key_check").fetchone()
        if broken is not None:
            raise DatabaseError(
                f"Upgrading the database would break a reference from table {broken[0]} "
                f"to {broken[2]}; nothing was changed.")
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    return pending


def _before_migrations(db: sqlite_utils.Database, pending: list[str]
                       ) -> tuple[dict[str, str], set[str]] | None:
    """Before migrations run on a database with version-2 seals: the tables' definitions,
    and the tables whose rows still match their sealed digests. None when the database
    has changes no seal covers (the migrations then seal nothing: those stay reported)."""
    from qmstrack import changelog

    if ("m007_tamper_evidence" not in migrations.applied_names(db)
            or changelog.unsealed_changes(db) is not None):
        return None
    stored = changelog.stored_digests(db)
    intact = {t for t in changelog.digested_tables(db)
              if changelog.scan_digest(db, t) == stored.get(t, (0, 0))}
    return _definitions(db), intact


def _definitions(db: sqlite_utils.Database) -> dict[str, str]:
    return {name: sql for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'")}


def _seal_migrations(db: sqlite_utils.Database, before: tuple[dict[str, str], set[str]],
                     pending: list[str]) -> None:
    """Seal what the migrations changed; a table they redefined is digested again from
    scratch, if its rows matched their digest before (a row changed outside qmstrack is
    never taken into a new digest)."""
    from qmstrack import changelog

    definitions, intact = before
    after = _definitions(db)
    rescanned = set()
    for table in changelog.digested_tables(db):
        if after.get(table) != definitions.get(table) and (
                table in intact or table not in definitions):
            changelog.set_digest(db, table, *changelog.scan_digest(db, table))
            rescanned.add(table)
    changelog.seal(db, f"qmstrack upgrade ({', '.join(pending)})",
                   rescanned=frozenset(rescanned))


def backup_before_upgrade(db: sqlite_utils.Database, path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.before-upgrade-{stamp}")
    backup_to(db, target)
    return target


def backup_to(db: sqlite_utils.Database, target: Path,
              before_rename: Callable[[], object] | None = None) -> None:
    """Copy the live database with SQLite's online backup API (safe with WAL and readers).

    The copy is written under a new hidden name beside the target (``qmstrack.atomic``:
    owner-only, never through a planted link, never shared with a backup running at the
    same time) and renamed over the target when complete, after ``before_rename`` (which
    copies what belongs with it) has returned; if that raises, the target is left as it
    was.
    """
    from qmstrack.atomic import AtomicFile

    try:
        with AtomicFile(target, binary=True) as pending:
            # SQLite writes the copy through its own connection to the temporary name.
            dest = sqlite3.connect(str(pending.temp))
            try:
                db.conn.backup(dest)
            finally:
                dest.close()
                pending.temp.with_name(pending.temp.name + "-journal").unlink(missing_ok=True)
            if before_rename is not None:
                before_rename()
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise DatabaseError(f"Cannot write the backup {target}: {reason}.") from exc


def begin_immediate(db: sqlite_utils.Database) -> None:
    """Take the write lock (``BEGIN IMMEDIATE``), waiting up to ``BUSY_TIMEOUT_MS`` while
    another process writes.

    SQLite's busy timeout waits in a C loop that Python's signal handlers cannot break into:
    Ctrl-C pressed meanwhile was only seen once the lock came free, or when the minute was up
    (and then after the "database is locked" error had begun to be reported). The wait is
    made of short tries instead (``LOCK_TRY_MS`` each); between two tries Python runs its
    signal handlers, so Ctrl-C ends the wait at once, before anything is written.
    """
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    db.conn.execute(f"PRAGMA busy_timeout = {LOCK_TRY_MS}")
    try:
        while True:
            try:
                db.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if (exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY
                        or time.monotonic() >= deadline):
                    raise
    finally:
        db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextlib.contextmanager
def writing(db: sqlite_utils.Database, command: str = "") -> Iterator[sqlite_utils.Database]:
    """One write transaction: take the write lock now, seal the change log, commit.

    It refuses to start (``IntegrityFailure``, nothing written) when the database holds
    changes its last seal does not cover (``qmstrack.changelog.guard``). The seal names
    the command and the user (``--as NAME``, ``QMSTRACK_USER`` or the OS user).

    Inside it, sqlite-utils' own ``db.atomic()`` blocks become savepoints, so a failure
    anywhere rolls the whole command back.
    """
    from qmstrack import changelog

    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        begin_immediate(db)
        # Never seal what something else wrote: refuse when the last seal does not cover
        # the change log, the schema or the table digests as they are now.
        changelog.guard(db)
        changelog.reset_pending(db)
        with db.atomic():
            yield db
        changelog.seal(db, command or getattr(db, "qms_command", ""))
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


# --- settings -------------------------------------------------------------------------

# Settings whose value is never shown nor exported: the pseudonymisation key.
SECRET_SETTINGS = frozenset({"pseudonym_secret"})

# Settings are JSON values.
DEFAULT_SETTINGS: dict[str, Any] = {
    "org_name": "",
    "org_address": "",
    "contact_name": "",
    "contact_email": "",
    # The office's logo: the SHA-256 of its file in the evidence store.
    "logo": "",
    # Document numbers per kind of printed output (qmstrack.letterhead.KINDS).
    "doc_number": {"audit_report": "", "review_pack": "", "summary": "",
                   "finding_form": "", "skm_report": "",
                   "review_minutes": "", "audit_letter": ""},
    "doc_revision": "",
    "lang": "id",
    # ISO weekday numbers (Monday = 1) the office works on.
    "working_weekdays": [1, 2, 3, 4, 5],
    # Extra non-working days of the office, ISO dates.
    "extra_days_off": [],
    # Public holidays or cuti bersama the office works on, ISO dates.
    "worked_days": [],
    # The cuti bersama (holidays' "government" category) are days off.
    "cuti_bersama": True,
    "complaint_response_days": 5,
    "finding_due_days": {"major": 30, "minor": 60, "observation": 90},
    "default_checklist": "iso9001-2015",
    "report_dir": "",
    "template_dir": "",
    "checklist_dir": "",
    # The weight of each SKM element in the IKM (qmstrack.satisfaction.WEIGHTS).
    "ikm_weight": "exact",
}


def get_setting(db: sqlite_utils.Database, key: str) -> Any:
    import json

    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    if row is None:
        return DEFAULT_SETTINGS.get(key)
    return json.loads(row[0])


def set_setting(db: sqlite_utils.Database, key: str, value: Any) -> None:
    import json

    db.table("settings").upsert({"key": key, "value": json.dumps(value)}, pk="key")
