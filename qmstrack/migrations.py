"""The schema of a qmstrack database: its named, ordered migrations and the tools they use.

A database records in sqlite-utils' ``_sqlite_migrations`` table (migration set
``"qmstrack"``) the name of every migration it has had; :func:`migration_set` gives the
sqlite-utils ``Migrations`` object that applies the missing ones in order. qmstrack keeps
its own ordered list, :data:`MIGRATIONS`, because sqlite-utils offers no public way to list
the migrations registered in a set, and a database written by a newer qmstrack is
recognised by a recorded name missing from that list (``qmstrack.db.open_db`` refuses it).

Never edit or rename a migration that has shipped: existing databases know it by its name.
Add a new one at the end with ``@migration("m004_...")``, then update the pinned schema
(``tests/data/schema.sql``; see ``tests/test_schema.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "qmstrack"

MigrationFunction = Callable[[sqlite_utils.Database], None]

#: Every migration, by the name recorded in the database, in the order they run.
MIGRATIONS: dict[str, MigrationFunction] = {}


def migration(name: str) -> Callable[[MigrationFunction], MigrationFunction]:
    """Register the decorated function as the next migration, under ``name``."""

    def register(fn: MigrationFunction) -> MigrationFunction:
        if name in MIGRATIONS:
            raise ValueError(f"Migration {name!r} is already registered.")
        MIGRATIONS[name] = fn
        return fn

    return register


def migration_set() -> Migrations:
    """sqlite-utils' ``Migrations("qmstrack")`` holding every migration, in order."""
    steps = Migrations(MIGRATION_SET)
    for name, fn in MIGRATIONS.items():
        steps(name=name)(fn)
    return steps


def applied_names(db: sqlite_utils.Database) -> list[str]:
    """The migrations recorded in the database, in the order they were applied."""
    return [m.name for m in Migrations(MIGRATION_SET).applied(db)]


def pending_names(db: sqlite_utils.Database) -> list[str]:
    """The migrations the database has not had yet, in the order they will run."""
    return [m.name for m in migration_set().pending(db)]


def unknown_migrations(db: sqlite_utils.Database) -> list[str]:
    """Migrations recorded in the database that this version of qmstrack does not know."""
    return [name for name in applied_names(db) if name not in MIGRATIONS]


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


# --- migrations -----------------------------------------------------------------------
# Never edit a migration that has shipped: add a new one at the end.

# The tables m001 creates with change triggers. Frozen: a table added later gets its
# triggers in the migration that creates it, and is declared in
# ``qmstrack.register_catalogue`` (which no migration reads).
M001_LOGGED_TABLES = (
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
)


@migration("m001_initial_schema")
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
    for table in M001_LOGGED_TABLES:
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


@migration("m002_final_audits_are_immutable")
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


@migration("m003_covering_indexes_for_metrics")
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


@migration("m004_staff_employment")
def m004_staff_employment(db: sqlite_utils.Database) -> None:
    """Staff of every employment type: PNS (NIP), PPPK (NI PPPK) and non-ASN (office code).

    ``staff.nip`` keeps its name and holds the identifier of each (``qmstrack.staff_ids``);
    the new column ``employment`` says which. The table is rebuilt, because the old one
    allowed 18 characters only, with the checks of the new rules; the rows already there are
    PNS. :func:`upgrade` runs migrations with foreign keys off, so that the tables naming
    ``staff(nip)`` keep pointing at the rebuilt one, and checks them before committing.

    Every staff row's new state (with ``employment``) is logged, so that ``db check`` still
    finds each row equal to its last logged state; the migration seals those entries itself
    when the change log was sealed up to then (it never seals entries written outside
    qmstrack before it: those stay reported).
    """
    from qmstrack import changelog

    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0] or 0
    sealed = db.execute("SELECT max(last_id) FROM change_seals").fetchone()[0] or 0
    run_script(
        db,
        """
        CREATE TABLE staff_new (
            nip TEXT PRIMARY KEY CHECK (length(nip) BETWEEN 2 AND 40),
            name TEXT NOT NULL,
            unit TEXT NOT NULL REFERENCES units(code),
            position TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1,
            employment TEXT NOT NULL DEFAULT 'pns'
                CHECK (employment IN ('pns', 'pppk', 'non-asn')),
            -- A NIP or NI PPPK is 18 digits; an office code has letters.
            CHECK ((employment = 'non-asn') = (nip GLOB '*[^0-9]*')),
            CHECK (employment = 'non-asn' OR length(nip) = 18)
        );
        INSERT INTO staff_new (nip, name, unit, position, active, employment)
            SELECT nip, name, unit, position, active, 'pns' FROM staff;
        DROP TABLE staff;
        ALTER TABLE staff_new RENAME TO staff;
        """,
    )
    create_change_triggers(db, "staff")
    db.execute("UPDATE staff SET employment = employment")
    if newest == sealed:
        changelog.legacy_seal(db, "qmstrack upgrade (m004_staff_employment)")


@migration("m005_survey_respondent_profile")
def m005_survey_respondent_profile(db: sqlite_utils.Database) -> None:
    """The respondent profile of an SKM questionnaire (PermenPAN-RB 14/2017's form).

    Sex, age in years or an age band, education level and occupation, kept as written
    (values outside the usual lists stay as the respondent gave them); the suggestion is
    the existing ``note``. The change triggers are recreated with the new columns, and the
    existing responses are logged again in their new shape, so that ``db check`` still finds
    each row equal to its last logged state; those entries are sealed here when the change
    log was sealed up to then (entries written outside qmstrack stay reported), as
    ``m004_staff_employment`` does.
    """
    from qmstrack import changelog

    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0] or 0
    sealed = db.execute("SELECT max(last_id) FROM change_seals").fetchone()[0] or 0
    for column in ("sex", "age_band", "education", "occupation"):
        db.execute(f"ALTER TABLE surveys ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE surveys ADD COLUMN age INTEGER "
               "CHECK (age IS NULL OR age BETWEEN 10 AND 100)")
    for op in ("insert", "update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS [log_surveys_{op}]")
    create_change_triggers(db, "surveys")
    db.execute("UPDATE surveys SET sex = sex")
    if newest == sealed:
        changelog.legacy_seal(db, "qmstrack upgrade (m005_survey_respondent_profile)")


@migration("m006_request_refs_ignore_case")
def m006_request_refs_ignore_case(db: sqlite_utils.Database) -> None:
    """Reference numbers that differ only in case are one request: an index to find them.

    Not unique: a database may already hold such a pair (imported before this rule);
    imports and ``request add`` refuse or match new ones through this index.
    """
    db.execute("CREATE INDEX idx_requests_ref_nocase ON requests(ref_no COLLATE NOCASE)")


@migration("m008_survey_actions")
def m008_survey_actions(db: sqlite_utils.Database) -> None:
    """The follow-up plan of the SKM (rencana tindak lanjut, PermenPAN-RB 14/2017): one row
    per action on an element (U1..U9), with its owner, due date and closing.

    ``unit`` and ``service_code`` say which scope it answers (both empty: the whole office).
    """
    run_script(
        db,
        """
        CREATE TABLE survey_actions (
            id INTEGER PRIMARY KEY,
            element TEXT NOT NULL
                CHECK (element IN ('U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7', 'U8', 'U9')),
            action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 2000),
            owner_nip TEXT NOT NULL REFERENCES staff(nip),
            unit TEXT REFERENCES units(code),
            service_code TEXT REFERENCES services(code),
            raised_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            closed_on TEXT,
            note TEXT NOT NULL DEFAULT '',
            CHECK (due_on >= raised_on),
            CHECK (closed_on IS NULL OR closed_on >= raised_on)
        );
        CREATE INDEX idx_survey_actions_due ON survey_actions(closed_on, due_on);
        """,
    )
    create_change_triggers(db, "survey_actions")


@migration("m009_finding_recurrences")
def m009_finding_recurrences(db: sqlite_utils.Database) -> None:
    """A finding seen again: how many audits found it, and in which.

    ISO 9001:2015 clause 10.2.1 asks the organisation to determine whether similar
    nonconformities exist or could occur; an item failing again in a scope that already
    has an open finding for it is recorded on that finding (``recurrences``, 1 when first
    seen; ``seen_in``, a JSON list of ``{"audit", "start", "end", "measured"}``, one per audit
    that found it) instead of opening a duplicate. The change triggers are recreated with
    the new columns and every finding's new state is logged, as ``m004_staff_employment``
    does, so that ``db check`` still finds each row equal to its last logged state.
    """
    from qmstrack import changelog

    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0] or 0
    sealed = db.execute("SELECT max(last_id) FROM change_seals").fetchone()[0] or 0
    db.execute("ALTER TABLE findings ADD COLUMN recurrences INTEGER NOT NULL DEFAULT 1 "
               "CHECK (recurrences >= 1)")
    db.execute("ALTER TABLE findings ADD COLUMN seen_in TEXT NOT NULL DEFAULT '[]' "
               "CHECK (json_valid(seen_in))")
    # Each audit's finding of an item was raised once per audit before: the first audit
    # that found it is the one it names.
    db.execute("""
        UPDATE findings SET seen_in = json_array(json_object(
            'audit', audit_id,
            'start', (SELECT period_start FROM audits WHERE id = audit_id),
            'end', (SELECT period_end FROM audits WHERE id = audit_id),
            'measured', (SELECT measured FROM audit_results r
                         WHERE r.audit_id = findings.audit_id
                           AND r.item_id = findings.item_id)))
        WHERE audit_id IS NOT NULL""")
    db.execute("CREATE INDEX idx_findings_item ON findings(item_id, status)")
    for op in ("insert", "update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS [log_findings_{op}]")
    create_change_triggers(db, "findings")
    db.execute("UPDATE findings SET recurrences = recurrences")
    if newest == sealed:
        changelog.seal(db, "qmstrack upgrade (m009_finding_recurrences)")


@migration("m009_audit_programme")
def m009_audit_programme(db: sqlite_utils.Database) -> None:
    """The yearly audit programme (ISO 9001:2015 clause 9.2.2 a): the clauses each unit is
    audited on in a month, and its lead auditor; and the audit's opening and closing
    meetings.

    ``audit_plan`` holds one row per month (``month_start``, its first day) and unit, for a
    checklist; ``own_unit_allowed`` records that the auditor belongs to the unit audited and
    that this was allowed on purpose (9.2.2 c, objectivity and impartiality). Its change
    triggers are created here. ``audits`` gains ``opening_meeting_on`` and
    ``closing_meeting_on``; its triggers are recreated and every audit's new state logged
    (a final audit too: its immutability trigger is lifted for that one statement and put
    back), as ``m004_staff_employment`` does.
    """
    from qmstrack import changelog

    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0] or 0
    sealed = db.execute("SELECT max(last_id) FROM change_seals").fetchone()[0] or 0
    run_script(
        db,
        """
        CREATE TABLE audit_plan (
            id INTEGER PRIMARY KEY,
            checklist_id TEXT NOT NULL,
            month_start TEXT NOT NULL
                CHECK (month_start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-01'),
            unit TEXT NOT NULL REFERENCES units(code),
            clauses TEXT NOT NULL,
            lead_auditor_nip TEXT REFERENCES staff(nip),
            own_unit_allowed INTEGER NOT NULL DEFAULT 0 CHECK (own_unit_allowed IN (0, 1)),
            UNIQUE (checklist_id, month_start, unit)
        );
        CREATE INDEX idx_audit_plan_month ON audit_plan(month_start);
        ALTER TABLE audits ADD COLUMN opening_meeting_on TEXT;
        ALTER TABLE audits ADD COLUMN closing_meeting_on TEXT;
        DROP TRIGGER IF EXISTS [log_audits_insert];
        DROP TRIGGER IF EXISTS [log_audits_update];
        DROP TRIGGER IF EXISTS [log_audits_delete];
        """,
    )
    create_change_triggers(db, "audit_plan")
    create_change_triggers(db, "audits")
    trigger = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = "
                         "'audits_final_no_update'").fetchone()
    if trigger:
        db.execute("DROP TRIGGER audits_final_no_update")
    db.execute("UPDATE audits SET opening_meeting_on = opening_meeting_on")
    if trigger:
        db.execute(trigger[0])
    if newest == sealed:
        changelog.seal(db, "qmstrack upgrade (m009_audit_programme)")


@migration("m010_adherence_each_observation")
def m010_adherence_each_observation(db: sqlite_utils.Database) -> None:
    """Every adherence observation is its own record.

    Until now the table allowed one observation per staff member, rule and day, and a
    second one replaced the first (with the first one's evidence file). The table is
    rebuilt without that constraint and gains ``observed_at`` (an optional time of day,
    ``HH:MM``), ``object_ref`` (what was observed, such as a request number) and
    ``import_key``: the part of an import's idempotence key beyond the staff member, rule
    and day (the time, the sheet's row-number column, the object observed; ``''`` when the
    sheet had none of them). An observation recorded on the command line has no import key
    (NULL: SQLite's unique indexes treat every NULL as distinct); the ones already stored
    were one per staff member, rule and day and get ``''``, so re-importing the sheet they
    came from still changes nothing.

    The rows keep their ids; their change triggers are recreated and each row's new state
    is logged (and sealed when the change log was sealed up to then), as
    ``m004_staff_employment`` does.
    """
    from qmstrack import changelog

    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0] or 0
    sealed = db.execute("SELECT max(last_id) FROM change_seals").fetchone()[0] or 0
    run_script(
        db,
        """
        CREATE TABLE adherence_new (
            id INTEGER PRIMARY KEY,
            staff_nip TEXT NOT NULL REFERENCES staff(nip),
            rule_code TEXT NOT NULL REFERENCES rules(code),
            observed_on TEXT NOT NULL,
            unit TEXT NOT NULL REFERENCES units(code),
            result TEXT NOT NULL CHECK (result IN ('comply', 'breach', 'na')),
            observer TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            evidence_sha256 TEXT REFERENCES evidence_files(sha256),
            observed_at TEXT CHECK (observed_at IS NULL OR (length(observed_at) = 5
                AND observed_at GLOB '[0-2][0-9]:[0-5][0-9]' AND observed_at < '24:00')),
            object_ref TEXT NOT NULL DEFAULT '',
            import_key TEXT
        );
        INSERT INTO adherence_new (id, staff_nip, rule_code, observed_on, unit, result,
                                   observer, note, evidence_sha256, import_key)
            SELECT id, staff_nip, rule_code, observed_on, unit, result, observer, note,
                   evidence_sha256, '' FROM adherence;
        DROP TABLE adherence;
        ALTER TABLE adherence_new RENAME TO adherence;
        CREATE INDEX idx_adherence_date ON adherence(observed_on, unit, result);
        CREATE UNIQUE INDEX idx_adherence_import
            ON adherence(staff_nip, rule_code, observed_on, import_key);
        """,
    )
    create_change_triggers(db, "adherence")
    db.execute("UPDATE adherence SET import_key = import_key")
    if newest == sealed:
        changelog.seal(db, "qmstrack upgrade (m010_adherence_each_observation)")


@migration("m011_master_list_and_new_registers")
def m011_master_list_and_new_registers(db: sqlite_utils.Database) -> None:
    """The daftar induk dokumen (ISO 9001:2015 7.5.2, 7.5.3), and the registers of external
    providers (8.4), risks and opportunities (6.1) and competence (7.2).

    ``documents`` gains the columns of a master list: ``number`` (unique per office for
    each revision; one revision in force at a time), ``revision`` and the history of
    revisions as rows of the same number, ``drafted_on``, ``approved_by`` (a staff
    member) and ``approved_on``, ``distribution`` (the unit codes holding a controlled
    copy, comma-separated) and ``status`` (draft, in_force, obsolete: superseded by a later
    revision, withdrawn). ``withdrawn_on`` keeps its meaning, the day the row stopped being
    in force, whether superseded or withdrawn. The documents already stored have no number
    and are in force, or withdrawn when they had a withdrawal date. Their change triggers
    are recreated and each row's new state logged, as ``m004_staff_employment`` does.

    ``providers`` and ``provider_evaluations`` are the external providers (printing, IT
    services, courier...) with what they supply, the criteria they are evaluated against,
    their status (approved, conditional, stopped), and each evaluation's date, scores,
    result and re-evaluation due date.

    ``risks`` holds the risks and opportunities of each unit and process: description,
    cause, impact, likelihood and impact scores (1 up to the office's scale, at most 10),
    their product (``level``), the treatment, its owner and due date, the last review,
    status (open, closed with its date) and the residual scores after treatment.

    ``competences`` lists the competences the office requires, ``position_competences``
    which of them each position (the staff register's ``position``, compared without
    regard to case) requires, and ``trainings`` the training records: who, which
    competence, what, when, hours, the certificate file, and the evaluation of its
    effectiveness.
    """
    from qmstrack import changelog

    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0] or 0
    sealed = db.execute("SELECT max(last_id) FROM change_seals").fetchone()[0] or 0
    run_script(
        db,
        """
        ALTER TABLE documents ADD COLUMN number TEXT;
        ALTER TABLE documents ADD COLUMN revision TEXT NOT NULL DEFAULT '';
        ALTER TABLE documents ADD COLUMN drafted_on TEXT;
        ALTER TABLE documents ADD COLUMN approved_by TEXT REFERENCES staff(nip);
        ALTER TABLE documents ADD COLUMN approved_on TEXT;
        ALTER TABLE documents ADD COLUMN distribution TEXT NOT NULL DEFAULT '';
        ALTER TABLE documents ADD COLUMN status TEXT NOT NULL DEFAULT 'in_force'
            CHECK (status IN ('draft', 'in_force', 'obsolete', 'withdrawn'));
        UPDATE documents SET status = 'withdrawn' WHERE withdrawn_on IS NOT NULL;
        CREATE UNIQUE INDEX idx_documents_number
            ON documents(number COLLATE NOCASE, revision) WHERE number IS NOT NULL;
        CREATE UNIQUE INDEX idx_documents_in_force
            ON documents(number COLLATE NOCASE) WHERE number IS NOT NULL
            AND status = 'in_force';
        CREATE TABLE providers (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            supplies TEXT NOT NULL DEFAULT '',
            criteria TEXT NOT NULL DEFAULT '',
            unit TEXT REFERENCES units(code),
            status TEXT NOT NULL DEFAULT 'approved'
                CHECK (status IN ('approved', 'conditional', 'stopped')),
            since TEXT,
            contact TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE provider_evaluations (
            id INTEGER PRIMARY KEY,
            provider_code TEXT NOT NULL REFERENCES providers(code),
            evaluated_on TEXT NOT NULL,
            quality INTEGER NOT NULL CHECK (quality BETWEEN 1 AND 5),
            delivery INTEGER NOT NULL CHECK (delivery BETWEEN 1 AND 5),
            service INTEGER NOT NULL CHECK (service BETWEEN 1 AND 5),
            score REAL NOT NULL,
            result TEXT NOT NULL CHECK (result IN ('approved', 'conditional', 'stopped')),
            next_due_on TEXT NOT NULL,
            evaluator TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (provider_code, evaluated_on)
        );
        CREATE INDEX idx_provider_evaluations_due
            ON provider_evaluations(provider_code, evaluated_on, next_due_on);
        CREATE TABLE risks (
            id INTEGER PRIMARY KEY,
            ref_no TEXT NOT NULL UNIQUE COLLATE NOCASE,
            kind TEXT NOT NULL DEFAULT 'risk' CHECK (kind IN ('risk', 'opportunity')),
            unit TEXT NOT NULL REFERENCES units(code),
            process TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL,
            cause TEXT NOT NULL DEFAULT '',
            impact TEXT NOT NULL DEFAULT '',
            likelihood INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 10),
            severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 10),
            level INTEGER NOT NULL CHECK (level = likelihood * severity),
            treatment TEXT NOT NULL DEFAULT '',
            owner_nip TEXT REFERENCES staff(nip),
            identified_on TEXT NOT NULL,
            due_on TEXT,
            reviewed_on TEXT,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            closed_on TEXT,
            residual_likelihood INTEGER CHECK (residual_likelihood BETWEEN 1 AND 10),
            residual_severity INTEGER CHECK (residual_severity BETWEEN 1 AND 10),
            residual_level INTEGER,
            CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
            CHECK ((residual_likelihood IS NULL) = (residual_severity IS NULL)),
            CHECK (residual_level IS residual_likelihood * residual_severity)
        );
        CREATE INDEX idx_risks_due ON risks(closed_on, due_on, unit);
        CREATE TABLE competences (
            code TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE position_competences (
            position TEXT NOT NULL COLLATE NOCASE,
            competence_code TEXT NOT NULL REFERENCES competences(code),
            PRIMARY KEY (position, competence_code)
        );
        CREATE TABLE trainings (
            id INTEGER PRIMARY KEY,
            staff_nip TEXT NOT NULL REFERENCES staff(nip),
            competence_code TEXT REFERENCES competences(code),
            title TEXT NOT NULL,
            held_on TEXT NOT NULL,
            hours REAL CHECK (hours IS NULL OR (hours > 0 AND hours <= 2000)),
            organiser TEXT NOT NULL DEFAULT '',
            certificate_sha256 TEXT REFERENCES evidence_files(sha256),
            effectiveness TEXT CHECK (effectiveness IN ('effective', 'not_effective')),
            evaluated_on TEXT,
            note TEXT NOT NULL DEFAULT '',
            CHECK ((effectiveness IS NULL) = (evaluated_on IS NULL)),
            UNIQUE (staff_nip, title, held_on)
        );
        CREATE INDEX idx_trainings_competence ON trainings(competence_code, staff_nip);
        """,
    )
    for op in ("insert", "update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS [log_documents_{op}]")
    for table in ("documents", "providers", "provider_evaluations", "risks", "competences",
                  "position_competences", "trainings"):
        create_change_triggers(db, table)
    db.execute("UPDATE documents SET status = status")
    if newest == sealed:
        changelog.seal(db, "qmstrack upgrade (m011_master_list_and_new_registers)")


@migration("m013_pseudonym_key_out_of_the_database")
def m013_pseudonym_key_out_of_the_database(db: sqlite_utils.Database) -> None:
    """The pseudonymisation key moves out of ``settings`` into its file beside the database
    (``qmstrack.secret_key``), so that whoever may read the database cannot read it.

    The row's deletion is logged by the settings triggers and sealed here when the change
    log was sealed up to then, as ``m004_staff_employment`` does. The change-log entry
    that recorded the key when it was created stays (the chain cannot be rewritten); the
    log and the export show it as ``(withheld)``, and the shipped Datasette metadata does
    not serve the change log.
    """
    import json

    from qmstrack import changelog
    from qmstrack.secret_key import key_path, store_key

    row = db.execute("SELECT value FROM settings WHERE key = 'pseudonym_secret'").fetchone()
    if row is None:
        return
    files = [file for _seq, name, file in db.execute("PRAGMA database_list").fetchall()
             if name == "main" and file]
    if not files:  # an in-memory database: there is nowhere beside it
        return
    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0] or 0
    sealed = db.execute("SELECT max(last_id) FROM change_seals").fetchone()[0] or 0
    key = str(json.loads(row[0]))
    path = key_path(files[0])
    if store_key(path, key) != key:
        from qmstrack.errors import DatabaseError

        raise DatabaseError(f"{path} holds another pseudonymisation key than the database; "
                            "move one of them away and run qmstrack again.")
    db.execute("DELETE FROM settings WHERE key = 'pseudonym_secret'")
    if newest == sealed:
        changelog.seal(db, "qmstrack upgrade (m013_pseudonym_key_out_of_the_database)")


@migration("m007_tamper_evidence")
def m007_tamper_evidence(db: sqlite_utils.Database) -> None:
    """Table digests, the sealed schema and seals that hash every field (``changelog``).

    ``change_log`` is rebuilt to accept ``import`` entries (one per bulk import); the change
    triggers are set aside meanwhile and created again with their own SQL. ``change_seals``
    gains the fields of a version-2 seal. Each table's digest is computed from the state the
    *sealed* change log gives every row (its latest sealed entry), not from the rows as they
    are: a row edited outside qmstrack before the upgrade, with or without the triggers,
    still differs from its digest and ``db check`` names the table. The migration's seal
    hashes every field of the seals before it (their time and command were not hashed) and
    covers no entry: entries written after the last seal stay reported.
    """
    from qmstrack import changelog

    sealed = db.execute("SELECT max(last_id) FROM change_seals").fetchone()[0] or 0
    triggers = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND name LIKE 'log\\_%' ESCAPE '\\' ORDER BY name").fetchall()
    for name, _sql in triggers:
        db.execute(f"DROP TRIGGER [{name}]")
    run_script(
        db,
        """
        CREATE TABLE change_log_new (
            id INTEGER PRIMARY KEY,
            tbl TEXT NOT NULL,
            row_key TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'import')),
            old TEXT,
            new TEXT
        );
        INSERT INTO change_log_new (id, tbl, row_key, op, old, new)
            SELECT id, tbl, row_key, op, old, new FROM change_log ORDER BY id;
        DROP TABLE change_log;
        ALTER TABLE change_log_new RENAME TO change_log;
        CREATE INDEX idx_change_log_row ON change_log(tbl, row_key);
        ALTER TABLE change_seals ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE change_seals ADD COLUMN user TEXT NOT NULL DEFAULT '';
        ALTER TABLE change_seals ADD COLUMN entries_sha256 TEXT NOT NULL DEFAULT '';
        ALTER TABLE change_seals ADD COLUMN schema_sha256 TEXT NOT NULL DEFAULT '';
        ALTER TABLE change_seals ADD COLUMN state_sha256 TEXT NOT NULL DEFAULT '';
        ALTER TABLE change_seals ADD COLUMN history_sha256 TEXT NOT NULL DEFAULT '';
        CREATE TABLE table_digests (
            tbl TEXT PRIMARY KEY,
            rows INTEGER NOT NULL,
            digest TEXT NOT NULL
        );
        CREATE TABLE schema_objects (
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            tbl_name TEXT NOT NULL,
            sql TEXT NOT NULL,
            PRIMARY KEY (type, name)
        );
        """,
    )
    for _name, sql in triggers:
        db.execute(sql)
    for table in changelog.digested_tables(db):
        rows = total = 0
        for (state,) in db.conn.execute(
                "SELECT c.new FROM change_log AS c JOIN (SELECT max(id) AS id FROM change_log "
                "WHERE tbl = ? AND id <= ? GROUP BY row_key) AS l ON c.id = l.id "
                "WHERE c.op <> 'delete'", [table, sealed]):
            rows += 1
            total += changelog.row_digest(table, state)
        changelog.set_digest(db, table, rows, total)
    changelog.seal(db, "qmstrack upgrade (m007_tamper_evidence)", history=True, force=True,
                   take_entries=False)


# The status events a request row already holds: its receipt (``received_on``) and its
# closing (``status`` and ``closed_on``), with no note the row lacks ('imported' is the
# import's own marker; a closing note is appended to the request's notes).
M014_REDUNDANT_EVENTS = """
DELETE FROM request_events WHERE id IN (
    SELECT e.id FROM request_events AS e JOIN requests AS r ON r.id = e.request_id
    WHERE ((e.status = 'received' AND e.on_date = r.received_on)
           OR (e.status IN ('completed', 'rejected') AND e.status = r.status
               AND e.on_date = r.closed_on))
      AND (e.note IN ('', 'imported') OR instr(r.notes, e.note) > 0))
"""


@migration("m014_request_events_without_row_state")
def m014_request_events_without_row_state(db: sqlite_utils.Database) -> None:
    """Status events no longer repeat what the request row holds (``registers.requests``).

    The events that only repeat the row's receipt or closing are deleted as one bulk
    write (``changelog.bulk``): one change-log entry names the migration and the events'
    keys, and the table's digest loses exactly the rows deleted, so a row changed outside
    qmstrack before the upgrade still differs from its digest. Sealed here when the
    database had nothing unsealed before; otherwise what was unsealed stays reported.
    """
    import hashlib

    from qmstrack import changelog

    clean = changelog.unsealed_changes(db) is None
    name = "m014_request_events_without_row_state"
    with changelog.bulk(db, f"qmstrack upgrade ({name})",
                        hashlib.sha256(M014_REDUNDANT_EVENTS.encode()).hexdigest()) as logged:
        deleted = db.execute(M014_REDUNDANT_EVENTS).rowcount
        logged.counts.update(deleted=deleted)
    if clean:
        changelog.seal(db, f"qmstrack upgrade ({name})")
