"""The whole schema a database has after every migration, pinned.

``tests/data/schema.sql`` holds, for a new database, the names of the migrations it has had
and every table, index, trigger and view of ``sqlite_master`` with its SQL as stored. Any
change to the schema, meant or not, fails here with a diff.

After adding a migration on purpose, write the new schema into the pin and review the diff
before committing it:

    QMSTRACK_UPDATE_SCHEMA=1 python -m pytest -q tests/test_schema.py
    git diff tests/data/schema.sql
"""

from __future__ import annotations

import difflib
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from qmstrack.db import open_db
from qmstrack.migrations import MIGRATIONS, applied_names, migration_set

PIN = Path(__file__).parent / "data" / "schema.sql"
UPDATE_VAR = "QMSTRACK_UPDATE_SCHEMA"
KINDS = ("table", "index", "trigger", "view")


def schema_text(path: Path) -> str:
    """The migrations a database has had and its ``sqlite_master``, as text that diffs well.

    Objects are sorted by kind and name: the order they were created in changes when a
    migration drops and recreates one, and is not part of the schema.
    """
    conn = sqlite3.connect(path)
    try:
        migrations = applied_names(sqlite_utils.Database(conn))
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    finally:
        conn.close()
    assert {row[0] for row in rows} <= set(KINDS), rows
    lines = ["-- The schema of a new qmstrack database, after these migrations:"]
    lines += [f"--   {name}" for name in migrations]
    for kind, name, table, sql in sorted(rows, key=lambda r: (KINDS.index(r[0]), r[1])):
        lines.append("")
        lines.append(f"-- {kind} {name}" + ("" if table == name else f" on {table}"))
        # Indexes SQLite makes for UNIQUE and PRIMARY KEY constraints have no SQL.
        lines.append(f"{sql};" if sql else "-- (made by SQLite for a constraint)")
    return "\n".join(lines) + "\n"


def assert_matches_pin(actual: str) -> None:
    expected = PIN.read_text(encoding="utf-8")
    if actual == expected:
        return
    diff = "".join(difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True),
        fromfile=f"{PIN.name} (pinned)", tofile="schema after the migrations"))
    raise AssertionError(
        f"The schema differs from {PIN}:\n{diff}\nIf the change is meant (a new migration), "
        f"update the pin with: {UPDATE_VAR}=1 python -m pytest -q tests/test_schema.py")


def test_new_database_has_exactly_the_pinned_schema(tmp_path):
    path = tmp_path / "qms.db"
    open_db(path, create=True).close()
    actual = schema_text(path)
    if os.environ.get(UPDATE_VAR) == "1":
        PIN.write_text(actual, encoding="utf-8")
    assert_matches_pin(actual)
    assert f"--   {list(MIGRATIONS)[-1]}\n" in actual


def test_upgraded_database_has_the_same_schema_as_a_new_one(tmp_path):
    """Each migration applied on its own, to a database that already holds a record, ends
    where all of them applied at once to a new database do."""
    path = tmp_path / "old.db"
    names = list(MIGRATIONS)
    db = sqlite_utils.Database(sqlite3.connect(path))
    for stop in names[1:]:
        migration_set().apply(db, stop_before=stop)
        db.conn.commit()
        if stop == names[1]:
            db["units"].insert({"code": "SMA", "name": "Bidang SMA"})
            db.conn.commit()
    db.close()
    open_db(path).close()
    assert schema_text(path) == PIN.read_text(encoding="utf-8")


def test_a_schema_change_fails_with_a_diff_naming_the_object(tmp_path):
    path = tmp_path / "qms.db"
    open_db(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE INDEX idx_staff_name ON staff(name)")
    conn.commit()
    conn.close()
    try:
        assert_matches_pin(schema_text(path))
    except AssertionError as exc:
        text = str(exc)
    else:
        raise AssertionError("an extra index went unnoticed")
    assert "+-- index idx_staff_name on staff" in text
    assert "+CREATE INDEX idx_staff_name ON staff(name);" in text
    assert f"{UPDATE_VAR}=1 python -m pytest -q tests/test_schema.py" in text
