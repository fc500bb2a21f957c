"""The tamper-evidence property: random qmstrack writes interleaved with random edits made
with the plain ``sqlite3`` module (rows inserted, updated, deleted, with and without the
change triggers; schema, change-log and seal edits). ``db check`` must fail exactly when
some edit changed a row, the schema, the log or a seal, and pass when none did.

Whether an edit changed anything is judged independently of qmstrack: a dump of every
table and of ``sqlite_master`` before and after it. Values written by the edits are new
each time (``tamper-N``), so no later edit puts back what an earlier one changed.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import pytest
from helpers.procs import new_office_db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmstrack.db import open_db
from qmstrack.errors import QmsError
from qmstrack.integrity import check_database
from qmstrack.registers.requests import add_request, update_request
from qmstrack.registers.units import add_unit

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tamper") / "office.db"
    new_office_db(path)
    db = open_db(path)
    services = [r[0] for r in db.execute("SELECT code FROM services ORDER BY code")]
    for i in range(3):
        add_request(db, service=services[i % len(services)], requester=f"Warga {i}",
                    received="2026-11-02", today=TODAY)
    db.close()
    return path


def dump(path: Path) -> list:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = [conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                            "ORDER BY type, name").fetchall()]
        for table in tables:
            out.append(sorted(conn.execute(f"SELECT * FROM [{table}]").fetchall(), key=repr))
        return out
    finally:
        conn.close()


QMS_WRITES = ["unit", "request", "update"]
RAW_EDITS = ["insert", "update", "delete", "insert_bare", "update_bare", "delete_bare",
             "noop_bare", "index", "log", "seal", "log_delete"]


def qmstrack_write(path: Path, kind: str, n: int) -> None:
    db = open_db(path)
    try:
        if kind == "unit":
            add_unit(db, f"U{n}", f"Unit {n}")
        elif kind == "request":
            service = db.execute("SELECT code FROM services LIMIT 1").fetchone()[0]
            add_request(db, service=service, requester=f"Warga q{n}", received="2026-11-03",
                        today=TODAY)
        else:
            ref = db.execute("SELECT ref_no FROM requests WHERE status = 'received' "
                             "ORDER BY id LIMIT 1").fetchone()
            if ref:
                update_request(db, ref[0], status="in_progress", on="2026-11-04",
                               today=TODAY)
    except QmsError:
        pass  # refused: a write on top of a change no seal covers, say
    finally:
        db.close()


def raw_edit(path: Path, kind: str, n: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    value = f"tamper-{n}"
    try:
        bare = kind.endswith("_bare")
        saved = []
        if bare:
            saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                 "AND name LIKE 'log_requests_%'").fetchall()
            for name, _sql in saved:
                conn.execute(f"DROP TRIGGER {name}")
        op = kind.removesuffix("_bare")
        if op == "insert":
            conn.execute("INSERT INTO requests (ref_no, received_on, service_code, unit, "
                         "requester, due_on) SELECT ?, '2026-11-05', code, unit, 'X', "
                         "'2026-11-09' FROM services LIMIT 1", [value])
        elif op == "update":
            conn.execute("UPDATE requests SET requester = ? WHERE id = "
                         "(SELECT min(id) FROM requests)", [value])
        elif op == "delete":
            conn.execute("DELETE FROM request_events WHERE request_id = "
                         "(SELECT max(id) FROM requests)")
            conn.execute("DELETE FROM requests WHERE id = (SELECT max(id) FROM requests)")
        elif op == "noop":
            conn.execute("UPDATE requests SET requester = requester")
        elif op == "index":
            conn.execute(f"CREATE INDEX idx_{n} ON requests(notes)")
        elif op == "log":
            conn.execute("UPDATE change_log SET new = json_set(new, '$.x', ?) WHERE id = "
                         "(SELECT max(id) FROM change_log WHERE op <> 'import')", [value])
        elif op == "log_delete":
            conn.execute("DELETE FROM change_log WHERE id = (SELECT min(id) FROM change_log)")
        elif op == "seal":
            conn.execute("UPDATE change_seals SET command = ? WHERE id = "
                         "(SELECT max(id) FROM change_seals)", [value])
        for _name, sql in saved:
            conn.execute(sql)
    finally:
        conn.close()


steps = st.lists(
    st.one_of(st.tuples(st.just("qms"), st.sampled_from(QMS_WRITES)),
              st.tuples(st.just("raw"), st.sampled_from(RAW_EDITS))),
    min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=steps)
def test_db_check_fails_exactly_when_something_was_edited_outside_qmstrack(template, plan):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "qms.db"
        shutil.copy(template, path)
        tampered = False
        for n, (who, kind) in enumerate(plan):
            if who == "qms":
                qmstrack_write(path, kind, n)
            else:
                before = dump(path)
                raw_edit(path, kind, n)
                tampered = tampered or dump(path) != before
        db = open_db(path)
        try:
            report = check_database(db, path)
        finally:
            db.close()
        assert report.ok is not tampered, (plan, [p.message for p in report.problems][:5])
