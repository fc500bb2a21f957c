"""Tamper evidence, tried as an attacker would: edits made with the plain ``sqlite3`` module
behind qmstrack's back, then ordinary qmstrack writes, then ``db check``."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from qmstrack import changelog
from qmstrack.db import open_db, writing
from qmstrack.integrity import check_database
from qmstrack.registers.requests import add_request, update_request

DATA = Path(__file__).parent / "data"


@pytest.fixture
def records(office):
    add_request(office, service="SMA-LEG", requester="Ani Lestari", ref="SMA-2025-000001",
                received="2025-03-03")
    add_request(office, service="SMP-LEG", requester="Bayu Pratama", ref="SMP-2025-000001",
                received="2025-03-04")
    # A status event (request_events keeps the steps between receipt and closing).
    update_request(office, "SMA-2025-000001", status="in_progress", on="2025-03-04")
    with writing(office):
        office.table("audits").insert({
            "id": 1, "period_start": "2025-01-01", "period_end": "2025-03-31",
            "scope": "SMA", "checklist_id": "iso", "checklist_version": 1,
            "checklist_sha256": "0" * 64, "checklist_yaml": "x", "status": "open",
            "started_on": "2025-04-01"})
        office.table("audit_results").insert({
            "audit_id": 1, "item_id": "q1", "clause_ref": "7.5", "grade": "major"})
        office.execute("UPDATE audits SET status = 'final', finalized_on = '2025-04-02' "
                       "WHERE id = 1")
    office.close()


def raw(db_path):
    """The plain sqlite3 module, as someone editing behind qmstrack's back would use it."""
    return sqlite3.connect(db_path, isolation_level=None)


def problems(db_path) -> list[dict]:
    db = open_db(db_path)
    try:
        report = check_database(db, db_path)
        return [p for p in report.as_dict()["problems"]]
    finally:
        db.close()


def refused(result) -> None:
    assert result.exit_code == 1, result.output
    assert "changed outside qmstrack since its last seal" in result.stderr
    assert "run 'qmstrack db check'" in result.stderr


def counts(db_path) -> tuple[int, int, int]:
    with raw(db_path) as conn:
        return tuple(conn.execute(
            "SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM change_log), "
            "(SELECT count(*) FROM change_seals)").fetchone())


# --- attack 1: a shell edit is never sealed by the next qmstrack write -----------------


def test_a_shell_edit_with_triggers_stops_the_next_write(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("UPDATE requests SET status = 'completed', closed_on = '2025-03-05' "
                     "WHERE ref_no = 'SMP-2025-000001'")
    before = counts(db_path)
    result = cli("request", "add", "--service", "SMA-LEG", "--requester", "Clerk",
                 "--received", "2025-03-10")
    refused(result)
    assert "entries the last seal does not cover" in result.stderr
    assert counts(db_path) == before  # nothing written
    check = cli("db", "check")
    assert check.exit_code == 1
    assert "requests" in check.stderr and "outside qmstrack" in check.stderr
    # The forged edit is never shown as the clerk's.
    newest = json.loads(cli("log", "--json", "--limit", "1").stdout)[0]
    assert newest["command"] == "(outside qmstrack)" and newest["user"] is None


def test_a_shell_edit_without_triggers_is_found_after_many_writes(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("DROP TRIGGER log_requests_update")
        conn.execute("UPDATE requests SET requester = 'Orang Lain' WHERE id = 2")
        db = open_db(db_path)
        from qmstrack.migrations import create_change_triggers

        # Put back exactly as it was: the schema is the sealed one again.
        db.execute("DROP TRIGGER log_requests_insert")
        db.execute("DROP TRIGGER log_requests_delete")
        create_change_triggers(db, "requests")
        db.conn.commit()
        db.close()
    for i in range(3):
        assert cli("request", "add", "--service", "SMA-LEG", "--requester", f"P{i}",
                   "--received", "2025-03-10").exit_code == 0
    found = problems(db_path)
    digest = [p for p in found if p["check"] == "digest"]
    assert digest and digest[0]["table"] == "requests"
    assert "content differs" in digest[0]["message"]
    # The row log names the row.
    rows = [p for p in found if p["check"] == "replay"]
    assert rows and rows[0]["key"] == "2" and "Orang Lain" in rows[0]["message"]


@pytest.mark.parametrize("edit", [
    "INSERT INTO units (code, name) VALUES ('TU', 'Tata Usaha')",
    "DELETE FROM request_events WHERE id = 1",
    "UPDATE staff SET name = 'X' WHERE nip = '198609262015051001'",
])
def test_row_edits_without_triggers_name_the_table(records, db_path, edit):
    table = edit.split()[2] if edit.startswith(("INSERT", "DELETE")) else edit.split()[1]
    with raw(db_path) as conn:
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                "AND tbl_name = ? AND name LIKE 'log%'", [table]).fetchall()
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(edit)
        for _name, sql in triggers:
            conn.execute(sql)
    found = problems(db_path)
    assert [p["table"] for p in found if p["check"] == "digest"] == [table]


# --- attack 2: the final-audit immutability triggers are part of the sealed schema -----


def test_final_audit_regraded_behind_a_dropped_trigger_is_found(cli, records, db_path):
    with raw(db_path) as conn:
        saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                             "name IN ('audit_results_final_no_update', "
                             "'log_audit_results_update')").fetchall()
        for name, _sql in saved:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("UPDATE audit_results SET grade = 'conform' WHERE audit_id = 1")
        for _name, sql in saved:
            conn.execute(sql)
    # The next ordinary write goes through (nothing it can see cheaply), and seals only
    # its own change: the re-graded audit stays found.
    assert cli("unit", "add", "TU", "--name", "Tata Usaha").exit_code == 0
    check = cli("db", "check")
    assert check.exit_code == 1
    assert "table audit_results does not match its sealed digest" in check.stderr


def test_a_dropped_immutability_trigger_is_found_and_stops_writes(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("DROP TRIGGER audits_final_no_update")
    refused(cli("unit", "add", "TU", "--name", "Tata Usaha"))
    check = cli("db", "check")
    assert check.exit_code == 1
    assert "the trigger audits_final_no_update on table audits was dropped" in check.stderr


# --- attack 3: a planted trigger --------------------------------------------------------


def test_a_planted_trigger_is_found_and_never_runs_inside_a_sealed_write(cli, records,
                                                                         db_path):
    with raw(db_path) as conn:
        conn.execute("CREATE TRIGGER on_time AFTER INSERT ON requests BEGIN "
                     "UPDATE requests SET status = 'completed', closed_on = due_on "
                     "WHERE status = 'received'; END")
    before = counts(db_path)
    refused(cli("request", "add", "--service", "SMA-LEG", "--requester", "Clerk",
                "--received", "2025-03-10"))
    assert counts(db_path) == before
    with raw(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM requests WHERE status = 'completed'"
                            ).fetchone()[0] == 0
    check = cli("db", "check", "--json")
    messages = [p["message"] for p in json.loads(check.stdout)["problems"]]
    assert "the trigger on_time on table requests was added outside qmstrack" in messages


# --- attack 4: every field of a seal is hashed -----------------------------------------


@pytest.mark.parametrize("column, value", [
    ("at", "2020-01-01T00:00:00+00:00"), ("command", "qmstrack audit finalize"),
    ("user", "kepala"),
])
def test_a_rewritten_seal_field_is_found(cli, records, db_path, column, value):
    with raw(db_path) as conn:
        conn.execute(f"UPDATE change_seals SET {column} = ? WHERE id = "
                     "(SELECT max(id) - 1 FROM change_seals)", [value])
    check = cli("db", "check")
    assert check.exit_code == 1
    assert "was altered: its SHA-256 does not match its fields" in check.stderr


def test_the_last_seal_rewritten_stops_writes(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("UPDATE change_seals SET at = '2020-01-01T00:00:00+00:00' WHERE id = "
                     "(SELECT max(id) FROM change_seals)")
    refused(cli("unit", "add", "TU", "--name", "Tata Usaha"))


def test_the_user_is_sealed(cli, records, db_path, monkeypatch):
    assert cli("--as", "Siti", "unit", "add", "TU", "--name", "Tata Usaha").exit_code == 0
    monkeypatch.setenv("QMSTRACK_USER", "Budi")
    assert cli("unit", "add", "TU2", "--name", "Tata Usaha 2").exit_code == 0
    entries = json.loads(cli("log", "--json", "--table", "units", "--limit", "2").stdout)
    assert [e["user"] for e in entries] == ["Budi", "Siti"]
    assert cli("--as", "   ", "unit", "list").exit_code == 2
    assert cli("db", "check").exit_code == 0


# --- attack 5: the schema, through writable_schema --------------------------------------


def test_a_check_constraint_widened_through_writable_schema_is_found(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = replace(sql, 'rating BETWEEN 1 AND 4', "
                     "'rating BETWEEN 1 AND 9') WHERE name = 'requests'")
        conn.execute("PRAGMA writable_schema = OFF")
    refused(cli("unit", "add", "TU", "--name", "Tata Usaha"))
    check = cli("db", "check")
    assert check.exit_code == 1
    assert "the table requests on table requests was changed outside qmstrack" in check.stderr


def test_bookkeeping_edits_are_found(records, db_path):
    with raw(db_path) as conn:
        conn.execute("UPDATE table_digests SET rows = rows + 1 WHERE tbl = 'requests'")
    assert any("table_digests" in p["message"] for p in problems(db_path))
    with raw(db_path) as conn:
        conn.execute("UPDATE table_digests SET rows = rows - 1 WHERE tbl = 'requests'")
        conn.execute("DELETE FROM schema_objects WHERE name = 'on_time' OR type = 'view'")
        conn.execute("UPDATE schema_objects SET sql = 'x' WHERE name = 'audits_final_no_update'")
    assert any("schema_objects" in p["message"] for p in problems(db_path))


# --- bulk import: one entry, the file kept --------------------------------------------


def test_a_bulk_import_is_one_entry_with_the_file_its_counts_and_keys(cli, office, db_path,
                                                                      tmp_path):
    office.close()
    path = tmp_path / "permohonan.csv"
    shutil.copy(DATA / "permohonan_e2e.csv", path)
    before = counts(db_path)
    result = cli("request", "import", str(path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    after = counts(db_path)
    # One import entry and one for the kept file: no per-row entries.
    assert after[1] - before[1] == 2 and after[2] == before[2] + 1
    kept, entry = json.loads(cli("log", "--json", "--limit", "2").stdout)
    assert kept["op"] == "insert" and kept["table"] == "evidence_files"
    assert entry["op"] == "import" and entry["table"] == "requests"
    import hashlib

    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry["key"] == sha and entry["new"]["sha256"] == sha and kept["key"] == sha
    assert entry["new"]["file"] == "permohonan.csv"
    assert entry["new"]["counts"]["inserted"] == report["inserted"]
    tables = entry["new"]["tables"]
    assert tables["requests"]["inserted"] == report["inserted"]
    assert tables["requests"]["keys"]["inserted"] == [[1, report["inserted"]]]
    # Only the rows already in progress have an event: receipt and closing are on the row.
    in_progress = sum(1 for r in csv.DictReader(path.open(encoding="utf-8-sig"), delimiter=";")
                      if r["Status"].strip().lower() in ("diproses", "in_progress"))
    assert in_progress and tables["request_events"]["inserted"] == in_progress
    from qmstrack.evidence import evidence_path

    assert evidence_path(db_path, sha).read_bytes() == path.read_bytes()
    people = cli("log", "--table", "request_events", "--limit", "1")
    assert "permohonan.csv" in people.stdout
    assert cli("db", "check").exit_code == 0
    # Imported again: nothing changes, nothing is logged.
    assert cli("request", "import", str(path)).exit_code == 0
    assert counts(db_path) == after
    # An edit after the import is one entry with old and new values.
    assert cli("request", "update", "SMA/2026/002", "--status", "completed",
               "--on", "2026-11-06").exit_code == 0
    newest = json.loads(cli("log", "--json", "--table", "requests", "--limit", "1").stdout)[0]
    assert newest["op"] == "update" and newest["old"]["status"] == "in_progress"
    assert cli("db", "check").exit_code == 0
    # The export's change-log slice holds both kinds.
    bag = tmp_path / "bag"
    assert cli("export", "--from", "2026-01-01", "--to", "2026-11-30", "--out",
               str(bag)).exit_code == 0
    sliced = [json.loads(line) for line in
              (bag / "data" / "changelog" / "entries.jsonl").read_text().splitlines()]
    ops = {(e["op"], e["table"]) for e in sliced}
    assert ("import", "requests") in ops and ("update", "requests") in ops
    imported = next(e for e in sliced if e["op"] == "import")
    assert json.loads(imported["new"])["sha256"] == sha
    # A shell edit of an imported row is found.
    with raw(db_path) as conn:
        conn.execute("DROP TRIGGER log_requests_update")
        conn.execute("UPDATE requests SET requester = 'X' WHERE id = 3")
    assert [p["table"] for p in problems(db_path) if p["check"] == "digest"] == ["requests"]


def test_a_refused_or_dry_run_import_leaves_the_triggers_and_digests(cli, office, db_path,
                                                                     tmp_path):
    office.close()
    path = tmp_path / "permohonan.csv"
    shutil.copy(DATA / "permohonan_e2e.csv", path)
    with raw(db_path) as conn:
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY 1, 2"
                              ).fetchall()
    before = counts(db_path)
    assert cli("request", "import", str(path), "--dry-run").exit_code == 0
    bad = tmp_path / "bad.csv"
    shutil.copy(DATA / "permohonan_invalid.csv", bad)
    assert cli("request", "import", str(bad)).exit_code == 1
    assert counts(db_path) == before
    with raw(db_path) as conn:
        assert conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY 1, 2"
                            ).fetchall() == schema
    assert cli("db", "check").exit_code == 0
    assert cli("request", "import", str(path)).exit_code == 0
    assert cli("db", "check").exit_code == 0


# --- upgrading an existing database -----------------------------------------------------


def _old_database(path: Path, edit: str | None = None) -> None:
    """A database as qmstrack made it before m007 (v1 seals), with a few records."""
    from helpers.schema_before import database_before

    db = database_before(path, "m007_tamper_evidence")
    db.execute("BEGIN")
    db.execute("INSERT INTO units (code, name) VALUES ('SMA', 'Bidang SMA')")
    db.execute("INSERT INTO services (code, name, unit, sla_days) VALUES ('S', 'S', 'SMA', 3)")
    db.execute("INSERT INTO requests (ref_no, received_on, service_code, unit, requester, "
               "due_on) VALUES ('R1', '2025-01-02', 'S', 'SMA', 'Ani', '2025-01-07')")
    changelog.legacy_seal(db, "qmstrack request add")
    db.execute("COMMIT")
    if edit:
        db.execute(edit)
        db.conn.commit()
    db.close()


def test_an_upgraded_clean_database_passes(cli, tmp_path):
    path = tmp_path / "old.db"
    _old_database(path)
    check = cli("db", "check", db=path)
    assert check.exit_code == 0, check.output
    assert cli("unit", "add", "SMP", "--name", "Bidang SMP", db=path).exit_code == 0
    assert cli("db", "check", db=path).exit_code == 0


@pytest.mark.parametrize("edit", [
    "UPDATE requests SET requester = 'Orang Lain'",
    "DROP TRIGGER log_requests_update",
])
def test_an_upgraded_database_with_an_old_edit_fails(cli, tmp_path, edit):
    path = tmp_path / "old.db"
    _old_database(path, edit if edit.startswith("UPDATE") else None)
    if edit.startswith("DROP"):
        with raw(path) as conn:
            conn.execute(edit)
            conn.execute("UPDATE requests SET requester = 'Orang Lain'")
    check = cli("db", "check", db=path)
    assert check.exit_code == 1
    assert "requests" in check.stderr
    problems_ = [p["table"] for p in problems(path) if p["check"] == "digest"]
    assert problems_ == ["requests"]


def test_an_upgraded_seal_history_is_hashed(cli, tmp_path):
    path = tmp_path / "old.db"
    _old_database(path)
    assert cli("db", "check", db=path).exit_code == 0
    with raw(path) as conn:
        conn.execute("UPDATE change_seals SET at = '2020-01-01T00:00:00+00:00' WHERE id = 1")
    check = cli("db", "check", db=path)
    assert check.exit_code == 1 and "a seal before seal" in check.stderr


def test_an_append_only_bulk_write_keeps_the_digests_and_its_promise(office, db_path):
    from qmstrack.changelog import bulk
    from qmstrack.errors import IntegrityFailure

    for ref in ("R1", "R2", "R3"):
        add_request(office, service="SMA-LEG", requester="Ani", ref=ref, received="2025-01-02")
    with writing(office):
        office.execute("DELETE FROM requests WHERE id = 1")
    row = ("'SMA-LEG', 'SMA', 'A', '2025-01-07'")
    # New ids above the highest: no insert trigger, the digests still right.
    with writing(office):
        with bulk(office, "new.csv", "b" * 64, append_only=("requests",)) as logged:
            office.execute("INSERT INTO requests (id, ref_no, received_on, service_code, unit, "
                           f"requester, due_on) VALUES (4, 'R4', '2025-01-02', {row})")
            office.execute("UPDATE requests SET requester = 'Budi' WHERE id = 2")
            office.execute("DELETE FROM requests WHERE id = 3")
            logged.counts["inserted"] = 1
    entry = json.loads(office.execute(
        "SELECT new FROM change_log ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert entry["tables"]["requests"]["keys"] == {
        "inserted": ["4"], "updated": ["2"], "deleted": ["3"]}
    report = check_database(office, db_path)
    assert report.ok, [p.message for p in report.problems]
    # An id below the highest, never used in the write: the promise is broken, and the
    # whole write is refused (no digest could be trusted).
    before = office.execute("SELECT count(*) FROM change_seals").fetchone()[0]
    with pytest.raises(IntegrityFailure, match="below its highest rowid"):
        with writing(office):
            with bulk(office, "old.csv", "c" * 64, append_only=("requests",)):
                office.execute("INSERT INTO requests (id, ref_no, received_on, service_code, "
                               f"unit, requester, due_on) VALUES (1, 'R1b', '2025-01-02', {row})")
    assert office.execute("SELECT count(*) FROM change_seals").fetchone()[0] == before
    assert office.execute("SELECT count(*) FROM requests WHERE id = 1").fetchone()[0] == 0
    report = check_database(office, db_path)
    assert report.ok, [p.message for p in report.problems]


def test_bulk_writes_of_every_kind_keep_the_digests(office, db_path):
    from qmstrack.changelog import bulk

    with writing(office):
        with bulk(office, "hand.csv", "a" * 64) as logged:
            office.execute("INSERT INTO units (code, name) VALUES ('TU', 'Tata Usaha')")
            office.execute("UPDATE services SET sla_days = 9 WHERE code = 'SMA-LEG'")
            office.execute("UPDATE services SET sla_days = 8 WHERE code = 'SMA-LEG'")
            office.execute("DELETE FROM rules WHERE code = 'SOP-ARSIP'")
            office.execute("INSERT INTO requests (id, ref_no, received_on, service_code, unit, "
                           "requester, due_on) VALUES (7, 'R7', '2025-01-02', 'SMA-LEG', 'SMA', "
                           "'A', '2025-01-07'), (9, 'R9', '2025-01-02', 'SMA-LEG', 'SMA', 'B', "
                           "'2025-01-07')")
            office.execute("UPDATE requests SET requester = 'C' WHERE id = 9")
            logged.counts["inserted"] = 3
    entry = office.execute("SELECT tbl, op, new FROM change_log ORDER BY id DESC LIMIT 1"
                           ).fetchone()
    assert entry[:2] == ("units", "import")
    tables = json.loads(entry[2])["tables"]
    assert tables["units"]["keys"]["inserted"] == ["TU"]
    assert tables["services"]["keys"]["updated"] == ["SMA-LEG"]
    assert tables["rules"]["keys"]["deleted"] == ["SOP-ARSIP"]
    assert tables["requests"]["keys"]["inserted"] == ["7", "9"]
    from qmstrack.register_catalogue import logged_tables

    assert office.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'log_%'"
                          ).fetchone()[0] == 3 * len(logged_tables())
    report = check_database(office, db_path)
    assert report.ok, [p.message for p in report.problems]


# --- templates are code ---------------------------------------------------------------


def test_templates_render_in_a_sandbox(tmp_path):
    from qmstrack.errors import InvalidInput
    from qmstrack.reports import render_template

    folder = tmp_path / "templates"
    folder.mkdir(mode=0o700)
    (folder / "evil.md.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    with pytest.raises(InvalidInput, match="evil.md.j2"):
        render_template("evil.md.j2", "en", folder, {})
    (folder / "fine.md.j2").write_text("{{ name }}", encoding="utf-8")
    assert render_template("fine.md.j2", "en", folder, {"name": "ok"}).strip() == "ok"


def test_a_template_folder_others_can_write_is_refused(tmp_path):
    from qmstrack.errors import UsageError
    from qmstrack.reports import render_template

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "fine.md.j2").write_text("{{ name }}", encoding="utf-8")
    folder.chmod(0o777)
    with pytest.raises(UsageError, match="can be written by other users"):
        render_template("fine.md.j2", "en", folder, {"name": "ok"})
    folder.chmod(0o755)
    (folder / "fine.md.j2").chmod(0o666)
    with pytest.raises(UsageError, match="fine.md.j2 can be written by other users"):
        render_template("fine.md.j2", "en", folder, {"name": "ok"})


def test_template_dir_only_from_config_set(cli, records, db_path, tmp_path):
    from qmstrack.errors import IntegrityFailure
    from qmstrack.integrity import template_dir_setting

    folder = tmp_path / "templates"
    folder.mkdir(mode=0o700)
    # Written into the database some other way (sealed, even): not used.
    db = open_db(db_path)
    with writing(db, "qmstrack unit add"):
        db.table("settings").upsert({"key": "template_dir", "value": json.dumps(str(folder))},
                                    pk="key")
    with pytest.raises(IntegrityFailure, match="config set template_dir"):
        template_dir_setting(db)
    db.close()
    assert cli("--as", "Siti", "config", "set", "template_dir", str(folder)).exit_code == 0
    db = open_db(db_path)
    assert template_dir_setting(db) == str(folder)
    db.close()
    entry = json.loads(cli("log", "--json", "--table", "settings", "--limit", "1").stdout)[0]
    assert entry["user"] == "Siti" and entry["command"].endswith("config set")
    assert entry["new"]["value"] == json.dumps(str(folder))


# --- the evidence store ---------------------------------------------------------------


@pytest.fixture
def with_evidence(office, db_path, tmp_path):
    from qmstrack.evidence import store_file

    photo = tmp_path / "logbook.jpg"
    photo.write_bytes(b"\xff\xd8 logbook photo")
    sha = store_file(office, db_path, photo)
    office.close()
    return sha


def test_an_evidence_folder_replaced_by_a_link_is_found(cli, with_evidence, db_path,
                                                        tmp_path):
    from qmstrack.evidence import store_dir

    store = store_dir(db_path)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(store, elsewhere)
    shutil.rmtree(store)
    store.symlink_to(elsewhere, target_is_directory=True)
    check = cli("db", "check")
    assert check.exit_code == 1
    assert "is a symbolic link" in check.stderr and with_evidence in check.stderr


def test_an_altered_evidence_file_never_reaches_a_backup(cli, with_evidence, db_path,
                                                         tmp_path):
    from qmstrack.evidence import evidence_path

    stored = evidence_path(db_path, with_evidence)
    stored.chmod(0o600)
    stored.write_bytes(b"another photo")
    backup = tmp_path / "backup.db"
    result = cli("db", "backup", str(backup))
    assert result.exit_code == 1
    assert "is not good" in result.stderr and "was not copied" in result.stderr
    assert with_evidence in result.stderr and "run 'qmstrack db check'" in result.stderr
    assert not evidence_path(backup, with_evidence).exists()


def _m900_units_gain_a_column(db):
    from qmstrack.migrations import create_change_triggers

    db.execute("ALTER TABLE units ADD COLUMN phone TEXT NOT NULL DEFAULT ''")
    for op in ("insert", "update", "delete"):
        db.execute(f"DROP TRIGGER [log_units_{op}]")
    create_change_triggers(db, "units")


@pytest.mark.parametrize("tampered", [False, True])
def test_a_later_migration_that_redefines_a_table_is_sealed(records, db_path, monkeypatch,
                                                            tampered):
    from qmstrack.migrations import MIGRATIONS

    if tampered:
        with raw(db_path) as conn:
            saved = conn.execute("SELECT sql FROM sqlite_master WHERE name = "
                                 "'log_units_update'").fetchone()[0]
            conn.execute("DROP TRIGGER log_units_update")
            conn.execute("UPDATE units SET name = 'Forged' WHERE code = 'SMA'")
            conn.execute(saved)
    monkeypatch.setitem(MIGRATIONS, "m900_test_only", _m900_units_gain_a_column)
    db = open_db(db_path)
    try:
        assert db.execute("SELECT command FROM change_seals ORDER BY id DESC LIMIT 1"
                          ).fetchone()[0] == "qmstrack upgrade (m900_test_only)"
    finally:
        db.close()
    found = [p["table"] for p in problems(db_path) if p["check"] == "digest"]
    assert found == (["units"] if tampered else [])
