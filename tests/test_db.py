"""The database file: schema after migrations, pragmas, refusals, init, backups, change log."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from datetime import date

import pytest
import sqlite_utils

from qmstrack import changelog
from qmstrack.db import (
    BUSY_TIMEOUT_MS,
    get_setting,
    open_db,
    set_setting,
    writing,
)
from qmstrack.errors import DatabaseError
from qmstrack.migrations import MIGRATIONS, migration_set
from qmstrack.register_catalogue import logged_tables
from qmstrack.registers.requests import add_request, update_request


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def names(db, kind: str) -> set[str]:
    return {r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'", [kind])}


def assert_one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


# --- schema ---------------------------------------------------------------------------


CORE_TABLES = {
    "settings", "units", "services", "staff", "rules", "requests", "request_events",
    "adherence", "surveys", "complaints", "evidence_files", "documents", "audits",
    "audit_results", "findings", "finding_actions", "objectives", "objective_values",
    "reviews", "review_actions", "change_log", "change_seals", "_sqlite_migrations",
}


def test_schema_tables_are_exactly_the_logged_tables_plus_bookkeeping(db):
    tables = names(db, "table")
    assert CORE_TABLES <= tables
    # Every table qmstrack keeps records in has its change triggers (architecture rule).
    assert tables == set(logged_tables()) | {"change_log", "change_seals", "_sqlite_migrations",
                                             "table_digests", "schema_objects"}


def test_every_logged_table_has_change_triggers(db):
    triggers = names(db, "trigger")
    for table in logged_tables():
        for op in ("insert", "update", "delete"):
            assert f"log_{table}_{op}" in triggers


def test_requests_key_columns(db):
    info = {r[1]: r for r in db.execute("PRAGMA table_info(requests)")}
    for column in ("id", "ref_no", "received_on", "service_code", "unit", "requester",
                   "contact", "channel", "staff_nip", "status", "closed_on", "due_on",
                   "rating", "notes"):
        assert column in info, column
    for column in ("ref_no", "received_on", "service_code", "unit", "status", "due_on"):
        assert info[column][3] == 1, f"{column} should be NOT NULL"
    assert info["id"][5] == 1  # primary key
    unique = [r for r in db.execute("PRAGMA index_list(requests)") if r[2]]
    unique_cols = {db.execute(f"PRAGMA index_info([{r[1]}])").fetchone()[2] for r in unique}
    assert "ref_no" in unique_cols
    fks = {(r[3], r[2], r[4]) for r in db.execute("PRAGMA foreign_key_list(requests)")}
    assert ("service_code", "services", "code") in fks
    assert ("unit", "units", "code") in fks
    assert ("staff_nip", "staff", "nip") in fks


def test_indexes(db):
    indexes = names(db, "index")
    assert {
        "idx_requests_received", "idx_requests_closed", "idx_requests_open",
        "idx_request_events_request", "idx_adherence_date", "idx_surveys_date",
        "idx_complaints_received", "idx_audits_open_unique", "idx_findings_status",
        "idx_finding_actions_finding",
    } <= indexes
    cols = [r[2] for r in db.execute("PRAGMA index_info(idx_requests_open)")]
    assert cols == ["status", "due_on"]


def test_migrations_table_lists_every_migration_in_order(db):
    applied = [r[0] for r in db.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'qmstrack' ORDER BY rowid")]
    assert applied[0] == "m001_initial_schema"
    assert applied == list(MIGRATIONS)
    assert migration_set().pending(db) == []


def test_a_migration_name_is_registered_once(monkeypatch):
    from qmstrack.migrations import migration

    monkeypatch.setattr("qmstrack.migrations.MIGRATIONS", dict(MIGRATIONS))
    with pytest.raises(ValueError, match="m001_initial_schema"):
        migration("m001_initial_schema")(lambda db: None)
    new = sqlite_utils.Database(memory=True)
    assert [m.name for m in migration_set().pending(new)] == list(MIGRATIONS)


def test_check_constraints_hold(office):
    with pytest.raises(sqlite3.IntegrityError):
        office.execute("INSERT INTO staff (nip, name, unit) VALUES ('123', 'x', 'SMA')")
    with pytest.raises(sqlite3.IntegrityError):
        office.execute("UPDATE services SET sla_days = -1 WHERE code = 'SMA-LEG'")
    with pytest.raises(sqlite3.IntegrityError):  # foreign key: no such unit
        office.execute("UPDATE services SET unit = 'NOPE' WHERE code = 'SMA-LEG'")


# --- pragmas ----------------------------------------------------------------------------


def test_pragmas_on_an_opened_database(db_path):
    open_db(db_path, create=True).close()
    db = open_db(db_path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS > 0
    finally:
        db.close()


def test_db_file_is_private(tmp_path, cli):
    path = tmp_path / "sub" / "dir" / "q.db"
    result = cli("init", db=path)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- refusing what is not ours -----------------------------------------------------------


def test_newer_database_is_refused_and_left_unchanged(db_path, cli):
    open_db(db_path, create=True).close()
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                  "VALUES ('qmstrack', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = sha(db_path)
    with pytest.raises(DatabaseError, match="newer version of qmstrack.*m999_from_the_future"):
        open_db(db_path)
    result = cli("unit", "list")
    line = assert_one_line_error(result)
    assert "newer version" in line
    assert sha(db_path) == before
    assert not list(db_path.parent.glob("*.before-upgrade-*"))


def test_plain_file_as_db_is_a_one_line_error(tmp_path, cli):
    path = tmp_path / "notes.txt"
    path.write_text("this is not a database, just some text\n" * 50)
    before = sha(path)
    line = assert_one_line_error(cli("unit", "list", db=path))
    assert "notes.txt" in line and "not a usable qmstrack database" in line
    assert sha(path) == before
    assert_one_line_error(cli("init", db=path))
    assert sha(path) == before


def test_sqlite_database_of_another_program_is_not_touched(tmp_path, cli):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    before = sha(path)
    line = assert_one_line_error(cli("init", db=path))
    assert "another program" in line
    assert sha(path) == before
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["bookmarks"]
    conn.close()


def test_missing_database_tells_to_run_init(db_path, cli):
    for args in (["unit", "list"], ["request", "list", "--json"], ["service", "list"],
                 ["adherence", "stats"], ["db", "backup", str(db_path.parent / "b.db")]):
        line = assert_one_line_error(cli(*args))
        assert "run 'qmstrack init'" in line
    assert not db_path.exists()


def test_directory_as_db(tmp_path):
    with pytest.raises(DatabaseError, match="is a directory"):
        open_db(tmp_path)


def test_empty_file_becomes_a_database(db_path):
    db_path.write_bytes(b"")
    db = open_db(db_path)
    assert "requests" in names(db, "table")
    db.close()


def test_upgrade_backs_up_an_older_database_first(db_path, monkeypatch):
    open_db(db_path, create=True).close()

    def m900_test_only(db):
        db.execute("CREATE TABLE test_only_upgrade (x INTEGER)")

    monkeypatch.setitem(MIGRATIONS, "m900_test_only", m900_test_only)
    db = open_db(db_path)
    try:
        assert "test_only_upgrade" in names(db, "table")
    finally:
        db.close()
    backups = list(db_path.parent.glob("qms.db.before-upgrade-*"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    old = sqlite3.connect(backups[0])
    assert "test_only_upgrade" not in {r[0] for r in old.execute(
        "SELECT name FROM sqlite_master")}
    old.close()


# --- init, db path, db backup ---------------------------------------------------------


def test_init_creates_and_is_idempotent(db_path, cli):
    result = cli("init", "--org", "Dinas Pendidikan Provinsi Kalimantan Timur", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "Database ready" in result.stderr
    assert result.stdout == ""
    db = open_db(db_path)
    seals = db.execute("SELECT count(*) FROM change_seals").fetchone()[0]
    schema = sorted(db.execute("SELECT type, name, sql FROM sqlite_master").fetchall(),
                    key=lambda r: (r[0], r[1]))
    db.close()
    again = cli("init")
    assert again.exit_code == 0, again.stderr
    db = open_db(db_path)
    try:
        assert get_setting(db, "org_name") == "Dinas Pendidikan Provinsi Kalimantan Timur"
        assert get_setting(db, "lang") == "en"
        assert db.execute("SELECT count(*) FROM change_seals").fetchone()[0] == seals
        assert sorted(db.execute("SELECT type, name, sql FROM sqlite_master").fetchall(),
                      key=lambda r: (r[0], r[1])) == schema
        assert list(changelog.verify_chain(db)) == []
    finally:
        db.close()


def test_init_bad_lang_is_usage_error(db_path, cli):
    result = cli("init", "--lang", "fr")
    assert result.exit_code == 2
    assert "--lang" in result.stderr and "Traceback" not in result.stderr


def test_init_empty_org_refused(db_path, cli):
    cli("init")
    result = cli("init", "--org", "  ")
    assert_one_line_error(result)


def test_db_path_sources(tmp_path, runner, db_path):
    from qmstrack.cli.app import app

    result = runner.invoke(app, ["--db", str(db_path), "db", "path", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == {"path": str(db_path), "source": "--db option", "exists": False}

    env_path = tmp_path / "env.db"
    result = runner.invoke(app, ["db", "path"], env={"QMSTRACK_DB": str(env_path)})
    assert result.stdout.strip() == str(env_path)
    assert "QMSTRACK_DB" in result.stderr

    result = runner.invoke(app, ["db", "path", "--json"])
    data = json.loads(result.stdout)
    assert data["source"] == "default location"
    assert data["path"].startswith(str(tmp_path / "xdg-data"))
    assert data["path"].endswith("qmstrack.db")


def test_db_backup(office, db_path, tmp_path, cli):
    out = tmp_path / "backup.db"
    result = cli("db", "backup", str(out))
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    copy = open_db(out)
    try:
        assert copy.execute("SELECT count(*) FROM services").fetchone()[0] == 4
        assert list(changelog.verify_chain(copy)) == []
    finally:
        copy.close()
    before = sha(out)
    line = assert_one_line_error(cli("db", "backup", str(out)))
    assert "--force" in line
    assert sha(out) == before
    result = cli("db", "backup", str(out), "--force")
    assert result.exit_code == 0, result.stderr
    assert not list(tmp_path.glob("*.partial"))


# --- writes and the change log --------------------------------------------------------


def test_failed_write_leaves_nothing(office):
    counts = office.execute("SELECT count(*) FROM change_log").fetchone()[0]
    with pytest.raises(RuntimeError):
        with writing(office):
            office["units"].insert({"code": "TEMP", "name": "Temp"})
            raise RuntimeError("boom")
    assert office.execute("SELECT count(*) FROM units WHERE code = 'TEMP'").fetchone()[0] == 0
    assert office.execute("SELECT count(*) FROM change_log").fetchone()[0] == counts


def test_settings_round_trip(db):
    assert get_setting(db, "working_weekdays") == [1, 2, 3, 4, 5]
    with writing(db):
        set_setting(db, "extra_days_off", ["2026-12-24"])
    assert get_setting(db, "extra_days_off") == ["2026-12-24"]
    assert get_setting(db, "no_such_key") is None


def test_change_log_after_cli_commands_verifies(office, db_path, cli):
    assert cli("unit", "add", "BIDANG_X", "--name", "Bidang X").exit_code == 0
    assert cli("request", "add", "--service", "SMA-LEG", "--requester", "Ani",
               "--ref", "R-1", "--received", "2026-08-14").exit_code == 0
    assert cli("request", "update", "R-1", "--status", "completed",
               "--on", "2026-08-20").exit_code == 0
    assert list(changelog.verify_chain(office)) == []
    seals = office.execute("SELECT command FROM change_seals").fetchall()
    assert any("request update" in s[0] for s in seals)
    logged = office.execute(
        "SELECT op FROM change_log WHERE tbl = 'requests' ORDER BY id").fetchall()
    assert [r[0] for r in logged] == ["insert", "update"]


def test_edit_behind_the_tools_back_is_reported(office, db_path):
    add_request(office, service="SMA-LEG", requester="Ani", ref="R-9",
                received=date(2026, 8, 14))
    update_request(office, "R-9", status="completed", on=date(2026, 8, 25))
    assert list(changelog.verify_chain(office)) == []
    # Someone makes the late request look on time with the sqlite3 shell.
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE requests SET closed_on = '2026-08-19' WHERE ref_no = 'R-9'")
    conn.commit()
    conn.close()
    problems = list(changelog.verify_chain(office))
    assert len(problems) == 1
    entry = office.execute("SELECT max(id) FROM change_log").fetchone()[0]
    assert problems[0].entry_id == entry
    assert f"change-log entry {entry}" in problems[0].message
    assert "requests" in problems[0].message and "outside qmstrack" in problems[0].message


def test_rewriting_a_sealed_entry_is_reported(office, db_path):
    conn = sqlite3.connect(db_path)
    # Drop the triggers' evidence of a change: rewrite a sealed log entry.
    conn.execute("UPDATE change_log SET new = replace(new, 'Budi', 'Bude') "
                 "WHERE tbl = 'staff' AND new LIKE '%Budi%'")
    conn.commit()
    conn.close()
    problems = list(changelog.verify_chain(office))
    assert problems and "altered" in problems[0].message


def test_deleting_a_log_entry_is_reported(office, db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM change_log WHERE id = 2")
    conn.commit()
    conn.close()
    problems = list(changelog.verify_chain(office))
    assert problems and "deleted" in problems[0].message
