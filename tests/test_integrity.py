"""``qmstrack db check`` finds edits made behind qmstrack's back; ``qmstrack log`` lists changes."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from qmstrack.db import open_db, writing
from qmstrack.evidence import evidence_path, store_file
from qmstrack.integrity import check_database
from qmstrack.registers.adherence import add_observation
from qmstrack.registers.requests import add_request, update_request


@pytest.fixture
def records(office, db_path, tmp_path):
    """A few requests, an observation with evidence and a document with a file."""
    add_request(office, service="SMA-LEG", requester="Ani Lestari", contact="0812111",
                ref="SMA-2025-000001", received="2025-03-03")
    add_request(office, service="SMP-LEG", requester="Bayu Pratama", ref="SMP-2025-000001",
                received="2025-03-04")
    update_request(office, "SMA-2025-000001", status="completed", on="2025-03-05", rating=4)
    photo = tmp_path / "logbook.jpg"
    photo.write_bytes(b"\xff\xd8 logbook photo")
    sha = store_file(office, db_path, photo)
    add_observation(office, staff="198609262015051001", rule="SOP-LEG", result="comply",
                    on="2025-03-06", observer="WMM", evidence_sha256=sha)
    office.close()
    return sha


def raw(db_path):
    """The plain sqlite3 module, as someone editing behind qmstrack's back would use it."""
    return sqlite3.connect(db_path, isolation_level=None)


def test_clean_database_passes(cli, records):
    result = cli("db", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "Database OK:" in result.stderr
    assert "1 evidence file checked." in result.stderr

    report = json.loads(cli("db", "check", "--json").stdout)
    assert report["ok"] is True and report["problems"] == []
    assert report["entries"] > 0 and report["seals"] > 0 and report["evidence_files"] == 1


def _last_seal_sha(db_path) -> str:
    with raw(db_path) as conn:
        return conn.execute("SELECT sha256 FROM change_seals ORDER BY id DESC").fetchone()[0]


def test_check_prints_the_last_seal_to_keep(cli, records, db_path):
    sha = _last_seal_sha(db_path)
    result = cli("db", "check")
    assert result.exit_code == 0, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Last seal: ") and last.endswith(f"SHA-256 {sha}")
    report = json.loads(cli("db", "check", "--json").stdout)
    assert report["last_seal"]["sha256"] == sha and report["last_seal"]["id"] == report["seals"]
    # As people copy it back: upper case, in groups.
    spaced = " ".join(sha[i:i + 16] for i in range(0, 64, 16)).upper()
    assert cli("db", "check", "--expect-seal", spaced).exit_code == 0


def test_a_rewritten_and_resealed_change_log_is_found_only_by_a_kept_seal(cli, records,
                                                                          db_path):
    from qmstrack import changelog

    kept = _last_seal_sha(db_path)
    # Someone with the file rewrites a row and its change-log entry, then recomputes
    # every digest and every seal with the published algorithm: the chain is valid again.
    with raw(db_path) as conn:
        conn.execute("DROP TRIGGER log_requests_update")
        conn.execute("UPDATE requests SET requester = 'Orang Lain' "
                     "WHERE ref_no = 'SMP-2025-000001'")
        conn.execute("UPDATE change_log SET new = json_set(new, '$.requester', 'Orang Lain') "
                     "WHERE tbl = 'requests' AND op = 'insert' AND "
                     "json_extract(new, '$.ref_no') = 'SMP-2025-000001'")
        conn.execute("DELETE FROM change_seals")
    db = open_db(db_path)
    from qmstrack.migrations import create_change_triggers

    db.execute("BEGIN IMMEDIATE")
    db.execute("DROP TRIGGER IF EXISTS log_requests_insert")
    db.execute("DROP TRIGGER IF EXISTS log_requests_delete")
    create_change_triggers(db, "requests")
    # The digests, rebuilt from the (rewritten) change log by the seal itself.
    db.execute("DELETE FROM table_digests")
    changelog.seal(db, "forged", force=True)
    db.execute("COMMIT")
    db.close()
    result = cli("db", "check")
    assert result.exit_code == 0, result.output  # what the chain alone cannot tell
    result = cli("db", "check", "--expect-seal", kept)
    assert result.exit_code == 1
    assert f"no seal has the SHA-256 {kept} that was kept" in result.stderr


@pytest.mark.parametrize("value", ["abc", "g" * 64, "a" * 63, "a" * 65, "",
                                   "a" * 1_000_000, "'; DROP TABLE change_seals; --",
                                   "é" * 64, "0x" + "a" * 62])
def test_expect_seal_refuses_what_is_not_a_sha256(cli, records, value):
    result = cli("db", "check", "--expect-seal", value)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --expect-seal: ")
    assert "64 hexadecimal digits" in result.stderr
    assert len(result.stderr) < 400  # a huge value is not echoed back whole


def test_update_with_sqlite3_is_named(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("UPDATE requests SET requester = 'X' WHERE ref_no = 'SMP-2025-000001'")
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "Error:" in result.stderr
    assert "requests 2" in result.stderr
    assert "outside qmstrack" in result.stderr


def test_dropped_trigger_then_update_is_found(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("DROP TRIGGER log_requests_update")
        conn.execute("UPDATE requests SET requester = 'X' WHERE id = 1")
    result = cli("db", "check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    messages = [p["message"] for p in report["problems"]]
    assert any("log_requests_update" in m and "missing" in m for m in messages)
    replay = [p for p in report["problems"] if p["check"] == "replay"]
    assert replay and replay[0]["table"] == "requests" and replay[0]["key"] == "1"
    assert "requester is 'X'" in replay[0]["message"]
    assert "log_requests_update" in result.stderr


def test_rewritten_trigger_is_found(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("DROP TRIGGER log_staff_delete")
        conn.execute("CREATE TRIGGER log_staff_delete AFTER DELETE ON staff BEGIN "
                     "SELECT 1; END")
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "log_staff_delete" in result.stderr and "rewritten" in result.stderr


def test_deleted_change_log_entry_is_found(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("DELETE FROM change_log WHERE id = (SELECT min(id) FROM change_log "
                     "WHERE tbl = 'requests')")
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "were deleted" in result.stderr


def test_altered_change_log_entry_is_found(cli, records, db_path):
    with raw(db_path) as conn:
        conn.execute("UPDATE change_log SET new = replace(new, 'Ani', 'Ana') "
                     "WHERE tbl = 'requests' AND op = 'insert'")
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "altered" in result.stderr


def test_rows_inserted_or_deleted_without_triggers_are_found(records, db_path):
    with raw(db_path) as conn:
        conn.execute("DROP TRIGGER log_units_insert")
        conn.execute("DROP TRIGGER log_units_delete")
        conn.execute("INSERT INTO units (code, name) VALUES ('TU', 'Tata Usaha')")
        conn.execute("DELETE FROM units WHERE code = 'SEKRETARIAT'")
    db = open_db(db_path)
    report = check_database(db, db_path)
    replay = {p.key: p.message for p in report.problems if p.check == "replay"}
    assert "inserted outside qmstrack" in replay["TU"]
    assert "deleted without a change-log entry" in replay["SEKRETARIAT"]


def test_altered_evidence_file_is_named(cli, records, db_path):
    stored = evidence_path(db_path, records)
    stored.chmod(0o600)
    stored.write_bytes(b"another photo")
    result = cli("db", "check")
    assert result.exit_code == 1
    assert records in result.stderr and "altered" in result.stderr
    assert "logbook.jpg" in result.stderr


def test_missing_evidence_file_is_named(cli, records, db_path):
    evidence_path(db_path, records).unlink()
    result = cli("db", "check", "--json")
    assert result.exit_code == 1
    problem = json.loads(result.stdout)["problems"][0]
    assert problem["check"] == "evidence" and problem["file"] == records
    assert "missing" in problem["message"]


def test_check_is_fast_enough_for_many_rows(db, db_path):
    """Thousands of rows and entries: the replay joins stay indexed (no quadratic scan)."""
    with writing(db):
        db.execute("INSERT INTO units (code, name) VALUES ('SMA', 'SMA')")
        db.execute("INSERT INTO services (code, name, unit, sla_days) "
                   "VALUES ('S', 'S', 'SMA', 3)")
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
            "INSERT INTO requests (ref_no, received_on, service_code, unit, requester, due_on) "
            "SELECT 'R' || i, '2025-01-02', 'S', 'SMA', 'P' || i, '2025-01-07' FROM n")
    import time

    started = time.perf_counter()
    report = check_database(db, db_path)
    assert report.ok, report.problems[:3]
    assert report.entries >= 20000
    assert time.perf_counter() - started < 10


# --- the change log --------------------------------------------------------------------


def test_log_json_lists_entries_with_their_seal(cli, records, db_path):
    result = cli("log", "--json", "--table", "requests")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert [e["op"] for e in entries] == ["update", "insert", "insert"]
    newest = entries[0]
    assert newest["table"] == "requests" and newest["key"] == "1"
    assert newest["old"]["status"] == "received" and newest["new"]["status"] == "completed"
    assert newest["command"] and newest["command"] != "(outside qmstrack)"
    assert newest["at"].startswith(date.today().isoformat()[:4])
    assert newest["seal_id"] is not None
    assert entries[-1]["new"]["requester"] == "Ani Lestari"

    assert len(json.loads(cli("log", "--json", "--limit", "2").stdout)) == 2
    assert json.loads(cli("log", "--json", "--since", "2100-12-31").stdout) == []
    assert cli("log", "--table", "nope").exit_code == 2

    with raw(db_path) as conn:
        conn.execute("UPDATE requests SET notes = 'edited' WHERE id = 2")
    newest = json.loads(cli("log", "--json", "--limit", "1").stdout)[0]
    assert newest["command"] == "(outside qmstrack)" and newest["at"] is None
    assert json.loads(cli("log", "--json", "--since", "2100-12-31").stdout)[0]["id"] == \
        newest["id"]


def test_log_table_for_people(cli, records):
    result = cli("log", "--limit", "3")
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[1]
    for column in ("at", "command", "table", "key", "op", "changes"):
        assert column in header
    assert "adherence" in result.stdout and "(outside qmstrack)" not in result.stdout


# --- backups ---------------------------------------------------------------------------


def test_backup_holds_the_rows_and_checks_clean(cli, records, tmp_path):
    backup = tmp_path / "backup.db"
    result = cli("db", "backup", str(backup))
    assert result.exit_code == 0, result.output
    copy = open_db(backup)
    refs = [r[0] for r in copy.execute("SELECT ref_no FROM requests ORDER BY ref_no")]
    assert refs == ["SMA-2025-000001", "SMP-2025-000001"]
    assert copy["adherence"].count == 1
    copy.close()
    # The evidence store is not part of the database file: copy it beside the backup.
    from qmstrack.evidence import copy_store

    copy_store(tmp_path / "qms.db", backup)
    result = cli("db", "check", db=backup)
    assert result.exit_code == 0, result.output
