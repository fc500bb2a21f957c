"""A database from before the m009 migrations: its findings and audits (a final one too)
come through with every row equal to its last logged state."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from qmstrack.db import open_db, writing
from qmstrack.migrations import MIGRATIONS


def _older_database(db_path) -> int:
    """A database of the version before m009, with what its audit wrote: a finding without
    recurrences or seen_in, and a final audit. Returns the audit's id."""
    from qmstrack.registers.requests import add_request, update_request
    from qmstrack.registers.services import add_service
    from qmstrack.registers.units import add_unit

    db = open_db(db_path, create=True)
    try:
        add_unit(db, "SMA", "Bidang SMA")
        add_service(db, code="SMA-LEG", name="Legalisir", unit="SMA", sla_days=3)
        add_request(db, ref="R1", service="SMA-LEG", requester="x", received="2026-10-02",
                    today=date(2026, 10, 2))
        update_request(db, "R1", status="completed", on="2026-10-20",
                       today=date(2026, 10, 20))
        with writing(db):
            audit_id = db.table("audits").insert({
                "period_start": "2026-10-01", "period_end": "2026-10-31",
                "scope": '["SMA"]', "checklist_id": "iso9001-2015", "checklist_version": 1,
                "checklist_sha256": "x", "checklist_yaml": "x", "status": "open",
                "started_on": "2026-11-02"}).last_pk
            db.table("audit_results").insert({
                "audit_id": audit_id, "item_id": "8.5.1-a", "clause_ref": "8.5.1",
                "grade": "minor", "measured": 0.0, "metric": "requests.on_time_rate"})
            db.table("findings").insert({
                "ref_no": "F-2026-001", "source": "internal", "audit_id": audit_id,
                "item_id": "8.5.1-a", "clause_ref": "8.5.1", "grade": "minor",
                "unit": "SMA", "description": "x", "raised_on": "2026-11-02",
                "status": "open", "due_on": "2027-01-01"})
            db.execute("UPDATE audits SET status = 'final', finalized_on = '2026-11-03' "
                       "WHERE id = ?", [audit_id])
    finally:
        db.close()
    assert audit_id is not None
    return audit_id


def test_an_older_database_is_upgraded_whole(db_path, cli):
    from qmstrack.audits import finalize_audit, run_audit
    from qmstrack.checklists import resolve_checklist
    from qmstrack.periods import parse_month
    from qmstrack.registers.requests import add_request, update_request

    every = dict(MIGRATIONS)
    names = list(every)
    # The version before m009 had none of the migrations from m009 on.
    later = names[names.index("m009_finding_recurrences"):]
    assert [n for n in later if n.startswith("m009_")] == ["m009_finding_recurrences",
                                                            "m009_audit_programme"]
    for name in later:
        del MIGRATIONS[name]
    try:
        audit_id = _older_database(db_path)
    finally:
        # The registry back as it was, in its order (the order the migrations run in).
        MIGRATIONS.clear()
        MIGRATIONS.update(every)

    db = open_db(db_path)
    try:
        row = db.execute("SELECT recurrences, seen_in FROM findings").fetchone()
        assert row[0] == 1
        assert json.loads(row[1]) == [{"audit": audit_id, "start": "2026-10-01",
                                       "end": "2026-10-31", "measured": 0.0}]
        assert db.execute("SELECT opening_meeting_on FROM audits").fetchone()[0] is None
        # The final audit is still immutable.
        with pytest.raises(sqlite3.IntegrityError, match="audit is final"):
            db.execute("UPDATE audits SET lead_auditor = 'x'")
        # The next audit records a recurrence on the finding the older version raised.
        add_request(db, ref="R2", service="SMA-LEG", requester="x", received="2026-11-02",
                    today=date(2026, 11, 2))
        update_request(db, "R2", status="completed", on="2026-11-20",
                       today=date(2026, 11, 20))
        run = run_audit(db, parse_month("2026-11"), ["SMA"], resolve_checklist("iso9001-2015"),
                        today=date(2026, 12, 2))
        assert "F-2026-001" in run.findings_recurred
        finalize_audit(db, run.audit_id, allow_pending=True, today=date(2026, 12, 2))
    finally:
        db.close()
    assert list(MIGRATIONS) == names
    checked = cli("db", "check")
    assert checked.exit_code == 0, checked.stderr + checked.stdout
