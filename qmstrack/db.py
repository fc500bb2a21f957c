"""Opening the database: where it lives, its pragmas, its migrations and write transactions.

Every command gets its ``sqlite_utils.Database`` from :func:`open_db`. Writes go through
:func:`writing`, which takes the write lock up front (``BEGIN IMMEDIATE``) so that a nightly
cron job and a person at the terminal queue behind each other instead of failing with
"database is locked", and which seals the change log before committing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from qmstrack.errors import DatabaseError

BUSY_TIMEOUT_MS = 60_000
ENV_VAR = "QMSTRACK_DB"

migrations = Migrations("qmstrack")


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
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    # No sqlite-utils plugins: qmstrack uses none, and scanning for them costs every command.
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only (records hold personal data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
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
    if migrations.applied(db):
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


def unknown_migrations(db: sqlite_utils.Database) -> list[str]:
    """Migrations recorded in the database that this version of qmstrack does not know."""
    known = {m.name for m in migrations._migrations}
    return [m.name for m in migrations.applied(db) if m.name not in known]


def _refuse_newer(db: sqlite_utils.Database) -> None:
    """Refuse a database written by a newer qmstrack (a migration this one does not know)."""
    unknown = unknown_migrations(db)
    if unknown:
        db.close()
        raise DatabaseError(
            f"The database was written by a newer version of qmstrack (unknown migration "
            f"{unknown[0]!r}); upgrade qmstrack instead of using this version on it."
        )


def upgrade(db: sqlite_utils.Database, path: Path | None = None) -> list[str]:
    """Apply pending migrations; return their names. Refuse a database from a newer version."""
    _refuse_newer(db)
    pending = [m.name for m in migrations.pending(db)]
    if not pending:
        return []
    if migrations.applied(db) and path is not None:
        backup_before_upgrade(db, path)
    # All pending migrations run in one transaction holding the write lock, so two processes
    # never migrate at once and a crash leaves the database at its previous version.
    db.execute("BEGIN IMMEDIATE")
    try:
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    return pending


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run several SQL statements inside the current transaction.

    ``sqlite3.executescript`` would commit first, which a migration must never do.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"Incomplete SQL statement: {statement.strip()[:60]}")


def backup_before_upgrade(db: sqlite_utils.Database, path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.before-upgrade-{stamp}")
    backup_to(db, target)
    return target


def backup_to(db: sqlite_utils.Database, target: Path) -> None:
    """Copy the live database with SQLite's online backup API (safe with WAL and readers).

    The copy is written under a new hidden name beside the target (``mkstemp``: owner-only,
    never through a planted link, never shared with a backup running at the same time)
    and renamed over the target when complete.
    """
    import tempfile

    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                    suffix=".partial")
        os.close(fd)
        tmp = Path(name)
        dest = sqlite3.connect(str(tmp))
        try:
            db.conn.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise DatabaseError(f"Cannot write the backup {target}: "
                            f"{exc.strerror or exc}.") from exc
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + "-journal").unlink(missing_ok=True)


@contextlib.contextmanager
def writing(db: sqlite_utils.Database, command: str = "") -> Iterator[sqlite_utils.Database]:
    """One write transaction: take the write lock now, seal the change log, commit.

    Inside it, sqlite-utils' own ``db.atomic()`` blocks become savepoints, so a failure
    anywhere rolls the whole command back.
    """
    from qmstrack import changelog

    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        with db.atomic():
            yield db
        changelog.seal(db, command or getattr(db, "qms_command", ""))
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise


# --- settings -------------------------------------------------------------------------

DEFAULT_SETTINGS: dict[str, object] = {
    "org_name": "",
    "lang": "id",
    # ISO weekday numbers (Monday = 1) the office works on.
    "working_weekdays": [1, 2, 3, 4, 5],
    # Extra non-working days (cuti bersama), ISO dates.
    "extra_days_off": [],
    "complaint_response_days": 5,
    "finding_due_days": {"major": 30, "minor": 60, "observation": 90},
    "default_checklist": "iso9001-2015",
    "report_dir": "",
    "template_dir": "",
    "checklist_dir": "",
}


def get_setting(db: sqlite_utils.Database, key: str):
    import json

    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    if row is None:
        return DEFAULT_SETTINGS.get(key)
    return json.loads(row[0])


def set_setting(db: sqlite_utils.Database, key: str, value) -> None:
    import json

    db["settings"].upsert({"key": key, "value": json.dumps(value)}, pk="key")


# --- migrations -----------------------------------------------------------------------
# Never edit a migration that has shipped: add a new one at the end.

LOGGED_TABLES = [
    "settings",
    "units",
    "services",
    "staff",
    "rules",
    "requests",
    "request_events",
    "adherence",
    "surveys",
    "complaints",
    "audits",
    "audit_results",
    "findings",
    "finding_actions",
    "objectives",
    "objective_values",
    "documents",
    "evidence_files",
    "reviews",
    "review_actions",
]


@migrations(name="m001_initial_schema")
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE units (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL
        );
        CREATE TABLE services (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            unit TEXT NOT NULL REFERENCES units(code),
            sla_days INTEGER NOT NULL CHECK (sla_days >= 0),
            fee INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
            requirements TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE staff (
            nip TEXT PRIMARY KEY CHECK (length(nip) = 18),
            name TEXT NOT NULL,
            unit TEXT NOT NULL REFERENCES units(code),
            position TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE rules (
            code TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            unit TEXT REFERENCES units(code),
            clauses TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE requests (
            id INTEGER PRIMARY KEY,
            ref_no TEXT NOT NULL UNIQUE,
            received_on TEXT NOT NULL,
            service_code TEXT NOT NULL REFERENCES services(code),
            unit TEXT NOT NULL REFERENCES units(code),
            requester TEXT NOT NULL,
            contact TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL DEFAULT '',
            staff_nip TEXT REFERENCES staff(nip),
            status TEXT NOT NULL DEFAULT 'received'
                CHECK (status IN ('received', 'in_progress', 'completed', 'rejected')),
            closed_on TEXT,
            due_on TEXT NOT NULL,
            rating INTEGER CHECK (rating BETWEEN 1 AND 4),
            notes TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX idx_requests_received ON requests(received_on, unit);
        CREATE INDEX idx_requests_closed ON requests(closed_on, unit, status);
        CREATE INDEX idx_requests_open ON requests(status, due_on);
        CREATE TABLE request_events (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES requests(id),
            status TEXT NOT NULL,
            on_date TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX idx_request_events_request ON request_events(request_id);
        CREATE TABLE adherence (
            id INTEGER PRIMARY KEY,
            staff_nip TEXT NOT NULL REFERENCES staff(nip),
            rule_code TEXT NOT NULL REFERENCES rules(code),
            observed_on TEXT NOT NULL,
            unit TEXT NOT NULL REFERENCES units(code),
            result TEXT NOT NULL CHECK (result IN ('comply', 'breach', 'na')),
            observer TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            evidence_sha256 TEXT REFERENCES evidence_files(sha256),
            UNIQUE (staff_nip, rule_code, observed_on)
        );
        CREATE INDEX idx_adherence_date ON adherence(observed_on, unit, result);
        CREATE TABLE surveys (
            id INTEGER PRIMARY KEY,
            response_key TEXT NOT NULL UNIQUE,
            responded_on TEXT NOT NULL,
            service_code TEXT NOT NULL REFERENCES services(code),
            unit TEXT NOT NULL REFERENCES units(code),
            u1 INTEGER NOT NULL CHECK (u1 BETWEEN 1 AND 4),
            u2 INTEGER NOT NULL CHECK (u2 BETWEEN 1 AND 4),
            u3 INTEGER NOT NULL CHECK (u3 BETWEEN 1 AND 4),
            u4 INTEGER NOT NULL CHECK (u4 BETWEEN 1 AND 4),
            u5 INTEGER NOT NULL CHECK (u5 BETWEEN 1 AND 4),
            u6 INTEGER NOT NULL CHECK (u6 BETWEEN 1 AND 4),
            u7 INTEGER NOT NULL CHECK (u7 BETWEEN 1 AND 4),
            u8 INTEGER NOT NULL CHECK (u8 BETWEEN 1 AND 4),
            u9 INTEGER NOT NULL CHECK (u9 BETWEEN 1 AND 4),
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX idx_surveys_date ON surveys(responded_on, unit, service_code);
        CREATE TABLE complaints (
            id INTEGER PRIMARY KEY,
            ref_no TEXT NOT NULL UNIQUE,
            received_on TEXT NOT NULL,
            channel TEXT NOT NULL,
            subject TEXT NOT NULL,
            unit TEXT REFERENCES units(code),
            request_ref TEXT,
            complainant TEXT NOT NULL DEFAULT '',
            contact TEXT NOT NULL DEFAULT '',
            response_due_on TEXT NOT NULL,
            responded_on TEXT,
            response TEXT NOT NULL DEFAULT '',
            closed_on TEXT,
            outcome TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX idx_complaints_received ON complaints(received_on, unit);
        CREATE TABLE evidence_files (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            original_name TEXT NOT NULL,
            media_type TEXT NOT NULL DEFAULT '',
            stored_at TEXT NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            title TEXT NOT NULL,
            clause TEXT NOT NULL DEFAULT '',
            unit TEXT REFERENCES units(code),
            file_sha256 TEXT REFERENCES evidence_files(sha256),
            issued_on TEXT,
            review_months INTEGER,
            review_due_on TEXT,
            withdrawn_on TEXT
        );
        CREATE TABLE audits (
            id INTEGER PRIMARY KEY,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            scope TEXT NOT NULL,
            checklist_id TEXT NOT NULL,
            checklist_version INTEGER NOT NULL,
            checklist_sha256 TEXT NOT NULL,
            checklist_yaml TEXT NOT NULL,
            lead_auditor TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'final')),
            started_on TEXT NOT NULL,
            finalized_on TEXT
        );
        CREATE UNIQUE INDEX idx_audits_open_unique
            ON audits(period_start, period_end, scope, checklist_id) WHERE status = 'open';
        CREATE TABLE audit_results (
            audit_id INTEGER NOT NULL REFERENCES audits(id),
            item_id TEXT NOT NULL,
            clause_ref TEXT NOT NULL,
            grade TEXT NOT NULL DEFAULT 'pending'
                CHECK (grade IN ('conform', 'minor', 'major', 'observation', 'na', 'pending')),
            metric TEXT,
            measured REAL,
            target TEXT,
            evidence TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            answered_by TEXT NOT NULL DEFAULT '',
            answered_on TEXT,
            PRIMARY KEY (audit_id, item_id)
        );
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            ref_no TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL DEFAULT 'internal',
            audit_id INTEGER REFERENCES audits(id),
            item_id TEXT,
            clause_ref TEXT NOT NULL,
            grade TEXT NOT NULL CHECK (grade IN ('major', 'minor', 'observation')),
            unit TEXT REFERENCES units(code),
            description TEXT NOT NULL,
            raised_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'action_planned', 'closed')),
            root_cause TEXT NOT NULL DEFAULT '',
            correction TEXT NOT NULL DEFAULT '',
            owner_nip TEXT REFERENCES staff(nip),
            due_on TEXT,
            closed_on TEXT,
            evidence_sha256 TEXT REFERENCES evidence_files(sha256)
        );
        CREATE INDEX idx_findings_status ON findings(status, due_on);
        CREATE TABLE finding_actions (
            id INTEGER PRIMARY KEY,
            finding_id INTEGER NOT NULL REFERENCES findings(id),
            action TEXT NOT NULL,
            owner_nip TEXT REFERENCES staff(nip),
            planned_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            verified_by TEXT,
            verified_on TEXT,
            effective INTEGER,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX idx_finding_actions_finding ON finding_actions(finding_id);
        CREATE TABLE objectives (
            id INTEGER PRIMARY KEY,
            unit TEXT NOT NULL REFERENCES units(code),
            service_code TEXT REFERENCES services(code),
            title TEXT NOT NULL,
            metric TEXT,
            target TEXT NOT NULL,
            frequency TEXT NOT NULL DEFAULT 'monthly'
                CHECK (frequency IN ('monthly', 'quarterly', 'yearly')),
            year INTEGER NOT NULL
        );
        CREATE TABLE objective_values (
            objective_id INTEGER NOT NULL REFERENCES objectives(id),
            period TEXT NOT NULL,
            value REAL NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (objective_id, period)
        );
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            held_on TEXT NOT NULL,
            chair TEXT NOT NULL DEFAULT '',
            attendees TEXT NOT NULL DEFAULT '',
            minutes_sha256 TEXT REFERENCES evidence_files(sha256)
        );
        CREATE TABLE review_actions (
            id INTEGER PRIMARY KEY,
            review_id INTEGER NOT NULL REFERENCES reviews(id),
            decision TEXT NOT NULL,
            owner_nip TEXT REFERENCES staff(nip),
            due_on TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            closed_on TEXT,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE change_log (
            id INTEGER PRIMARY KEY,
            tbl TEXT NOT NULL,
            row_key TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
            old TEXT,
            new TEXT
        );
        CREATE TABLE change_seals (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            command TEXT NOT NULL,
            first_id INTEGER NOT NULL,
            last_id INTEGER NOT NULL,
            prev_sha256 TEXT NOT NULL,
            sha256 TEXT NOT NULL
        );
        """
    )
    for table in LOGGED_TABLES:
        create_change_triggers(db, table)


def create_change_triggers(db: sqlite_utils.Database, table: str) -> None:
    """Record every insert, update and delete on ``table`` in ``change_log``.

    Triggers live in the schema, so edits made with the plain ``sqlite3`` shell are logged
    too; those entries stay unsealed and ``qmstrack db check`` names them.
    """
    columns = [row[1] for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()]
    pks = [row[1] for row in sorted(
        (r for r in db.execute(f"PRAGMA table_info([{table}])").fetchall() if r[5]),
        key=lambda r: r[5],
    )] or ["rowid"]

    def obj(alias: str) -> str:
        return "json_object(" + ", ".join(f"'{c}', {alias}.[{c}]" for c in columns) + ")"

    def key(alias: str) -> str:
        if len(pks) == 1:
            return f"CAST({alias}.[{pks[0]}] AS TEXT)"
        return "json_array(" + ", ".join(f"{alias}.[{c}]" for c in pks) + ")"

    run_script(
        db,
        f"""
        CREATE TRIGGER [log_{table}_insert] AFTER INSERT ON [{table}] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('{table}', {key('NEW')}, 'insert', NULL, {obj('NEW')});
        END;
        CREATE TRIGGER [log_{table}_update] AFTER UPDATE ON [{table}] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('{table}', {key('NEW')}, 'update', {obj('OLD')}, {obj('NEW')});
        END;
        CREATE TRIGGER [log_{table}_delete] AFTER DELETE ON [{table}] BEGIN
            INSERT INTO change_log (tbl, row_key, op, old, new)
            VALUES ('{table}', {key('OLD')}, 'delete', {obj('OLD')}, NULL);
        END;
        """
    )


@migrations(name="m002_final_audits_are_immutable")
def m002_final_audits_are_immutable(db: sqlite_utils.Database) -> None:
    """A final audit cannot change, whoever tries: the database itself refuses."""
    message = "audit is final and can no longer change"
    run_script(
        db,
        f"""
        CREATE TRIGGER audits_final_no_update BEFORE UPDATE ON audits
        WHEN OLD.status = 'final' BEGIN SELECT RAISE(ABORT, '{message}'); END;
        CREATE TRIGGER audits_final_no_delete BEFORE DELETE ON audits
        WHEN OLD.status = 'final' BEGIN SELECT RAISE(ABORT, '{message}'); END;
        CREATE TRIGGER audit_results_final_no_insert BEFORE INSERT ON audit_results
        WHEN (SELECT status FROM audits WHERE id = NEW.audit_id) = 'final'
        BEGIN SELECT RAISE(ABORT, '{message}'); END;
        CREATE TRIGGER audit_results_final_no_update BEFORE UPDATE ON audit_results
        WHEN (SELECT status FROM audits WHERE id = OLD.audit_id) = 'final'
        BEGIN SELECT RAISE(ABORT, '{message}'); END;
        CREATE TRIGGER audit_results_final_no_delete BEFORE DELETE ON audit_results
        WHEN (SELECT status FROM audits WHERE id = OLD.audit_id) = 'final'
        BEGIN SELECT RAISE(ABORT, '{message}'); END;
        CREATE INDEX idx_findings_audit ON findings(audit_id, item_id);
        CREATE INDEX idx_audit_results_clause ON audit_results(clause_ref, grade);
        """,
    )


@migrations(name="m003_covering_indexes_for_metrics")
def m003_covering_indexes_for_metrics(db: sqlite_utils.Database) -> None:
    """Indexes that answer the metric queries without reading the table rows.

    Ten years of a large office is a million requests. ``idx_requests_closed`` leads with
    ``closed_on`` so that the requests still open at the end of a period are two short
    index ranges (``closed_on IS NULL`` and ``closed_on > end``) instead of every request
    received before it; with ``received_on``, ``due_on``, ``status``, ``unit`` and
    ``service_code`` it covers the open, overdue, completed, rejected and on-time counts.
    ``idx_requests_received`` gains ``service_code`` to cover per-service counts.
    ``idx_requests_open`` keeps only the requests never closed: over all requests, its
    ``status = ?`` prefix lured SQLite into reading every completed request for a question
    about one month's. All three keep their names and columns; rebuilding them on a large
    register takes seconds, once.
    """
    run_script(
        db,
        """
        DROP INDEX idx_requests_closed;
        CREATE INDEX idx_requests_closed
            ON requests(closed_on, received_on, due_on, status, unit, service_code);
        DROP INDEX idx_requests_received;
        CREATE INDEX idx_requests_received ON requests(received_on, unit, service_code);
        DROP INDEX idx_requests_open;
        CREATE INDEX idx_requests_open ON requests(status, due_on) WHERE closed_on IS NULL;
        """,
    )
