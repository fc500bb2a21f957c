"""m014: status events stop repeating what the request row holds; the upgrade keeps the
history, the change log and ``db check`` whole."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from helpers.schema_before import database_before

from qmstrack.db import writing

REQUESTS = [
    # ref, received, status, closed, notes
    ("R1", "2025-01-02", "completed", "2025-01-06", ""),
    ("R2", "2025-01-03", "in_progress", None, ""),
    ("R3", "2025-01-03", "rejected", "2025-01-03", "berkas tidak lengkap"),
    ("R4", "2025-01-06", "received", None, ""),
]


def _database_before_m014(path: Path) -> None:
    """A database at the migration before m014 whose requests have the events qmstrack
    wrote before m014: one for the receipt, one for each step, one for the closing; written
    and sealed through qmstrack's own write transaction."""
    db = database_before(path, "m014_request_events_without_row_state")
    with writing(db, "qmstrack request import old.csv"):
        db.execute("INSERT INTO units (code, name) VALUES ('SMA', 'Bidang SMA')")
        db.execute("INSERT INTO services (code, name, unit, sla_days) "
                   "VALUES ('S', 'S', 'SMA', 3)")
        for rid, (ref, received, status, closed, notes) in enumerate(REQUESTS, start=1):
            db.execute("INSERT INTO requests (id, ref_no, received_on, service_code, unit, "
                       "requester, status, closed_on, due_on, notes) VALUES "
                       "(?, ?, ?, 'S', 'SMA', 'Ani', ?, ?, '2025-01-09', ?)",
                       [rid, ref, received, status, closed, notes])
            events = [("received", received, "")]
            if status in ("in_progress", "completed"):
                events.append(("in_progress", "2025-01-04", "dikerjakan"))
            if closed:
                events.append((status, closed, notes))
            for event in events:
                db.execute("INSERT INTO request_events (request_id, status, on_date, note) "
                           "VALUES (?, ?, ?, ?)", [rid, *event])
        # A closing event whose note the row does not hold: it adds information.
        db.execute("INSERT INTO request_events (request_id, status, on_date, note) "
                   "VALUES (1, 'completed', '2025-01-06', 'diambil oleh kuasa')")
    db.close()


def _history(cli, ref: str, path: Path) -> list[tuple[str, str, str]]:
    shown = cli("request", "show", ref, "--json", db=path)
    assert shown.exit_code == 0, shown.output
    return [(e["status"], e["on_date"], e["note"]) for e in json.loads(shown.stdout)["events"]]


def test_the_upgrade_keeps_each_history_and_passes_db_check(cli, tmp_path):
    path = tmp_path / "old.db"
    _database_before_m014(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM request_events").fetchone()[0] == 9
    check = cli("db", "check", db=path)
    assert check.exit_code == 0, check.output
    with sqlite3.connect(path) as conn:
        kept = conn.execute("SELECT r.ref_no, e.status, e.note FROM request_events e "
                            "JOIN requests r ON r.id = e.request_id ORDER BY e.id").fetchall()
    assert kept == [("R1", "in_progress", "dikerjakan"), ("R2", "in_progress", "dikerjakan"),
                    ("R1", "completed", "diambil oleh kuasa")]
    assert _history(cli, "R1", path) == [("received", "2025-01-02", ""),
                                         ("in_progress", "2025-01-04", "dikerjakan"),
                                         ("completed", "2025-01-06", "diambil oleh kuasa")]
    assert _history(cli, "R3", path) == [("received", "2025-01-03", ""),
                                         ("rejected", "2025-01-03", "")]
    assert _history(cli, "R4", path) == [("received", "2025-01-06", "")]
    # The deletions are one entry naming the migration and the events' keys.
    entry = json.loads(cli("log", "--json", "--table", "request_events", "--limit", "1",
                           db=path).stdout)[0]
    assert entry["op"] == "import"
    assert "m014_request_events_without_row_state" in entry["new"]["file"]
    assert entry["new"]["tables"]["request_events"]["deleted"] == 6
    # Writes after the upgrade are sealed on top of it.
    assert cli("request", "update", "R2", "--status", "completed", "--on", "2025-01-08",
               db=path).exit_code == 0
    assert cli("db", "check", db=path).exit_code == 0
    assert _history(cli, "R2", path)[-1] == ("completed", "2025-01-08", "")


@pytest.mark.parametrize("edit", [
    "UPDATE request_events SET on_date = '2025-01-05' WHERE id = 2",
    "DELETE FROM request_events WHERE id = 3",
])
def test_an_event_edited_before_the_upgrade_still_fails_db_check(cli, tmp_path, edit):
    path = tmp_path / "old.db"
    _database_before_m014(path)
    # Behind qmstrack's back, leaving no trace but the rows: the triggers set aside and
    # put back as they were.
    with sqlite3.connect(path, isolation_level=None) as conn:
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                "AND tbl_name = 'request_events'").fetchall()
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER [{name}]")
        conn.execute(edit)
        for _name, sql in triggers:
            conn.execute(sql)
    check = cli("db", "check", db=path)
    assert check.exit_code == 1
    assert "request_events" in check.stderr
    digests = [p for p in json.loads(cli("db", "check", "--json", db=path).stdout)["problems"]
               if p["check"] == "digest"]
    assert [p["table"] for p in digests] == ["request_events"]
