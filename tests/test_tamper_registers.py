"""The registers of m011 (master list, providers, risks, competence) under the tamper
evidence: a row edited with the plain ``sqlite3`` module on the demo database, with the
change triggers firing or dropped and put back, is found by ``db check``, which names the
table."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

EDITS = {
    "providers": "UPDATE providers SET status = 'approved' "
                 "WHERE code = (SELECT min(code) FROM providers)",
    "risks": "UPDATE risks SET severity = 1, level = likelihood "
             "WHERE id = (SELECT min(id) FROM risks)",
    "trainings": "UPDATE trainings SET hours = hours + 40 "
                 "WHERE id = (SELECT min(id) FROM trainings)",
    # A superseded revision of the master list rewritten as if it were still in force.
    "documents": "UPDATE documents SET revision = '09' "
                 "WHERE id = (SELECT min(id) FROM documents WHERE status = 'obsolete')",
}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    from typer.testing import CliRunner

    from qmstrack.cli.app import app

    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    runner = CliRunner()
    result = runner.invoke(app, ["--db", str(path), "demo"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def demo(demo_dir, tmp_path):
    """A copy of the demo database (and its evidence store) for one test."""
    target = tmp_path / "copy"
    shutil.copytree(demo_dir, target, symlinks=True)
    return target / "demo.db"


def test_the_demo_copy_passes_and_holds_each_edited_row(cli, demo):
    assert cli("db", "check", db=demo).exit_code == 0
    conn = sqlite3.connect(demo)
    try:
        for table, sql in EDITS.items():
            where = sql.split("WHERE", 1)[1]
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE {where}"
                                ).fetchone()[0] == 1, table
    finally:
        conn.close()


@pytest.mark.parametrize("table", sorted(EDITS))
@pytest.mark.parametrize("triggers", ["firing", "dropped"])
def test_a_shell_edit_of_a_new_register_is_found(cli, demo, table, triggers):
    conn = sqlite3.connect(demo, isolation_level=None)
    try:
        kept = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                            "AND tbl_name = ? AND name LIKE 'log%'", [table]).fetchall()
        assert len(kept) == 3
        if triggers == "dropped":
            for name, _sql in kept:
                conn.execute(f"DROP TRIGGER [{name}]")
        changed = conn.execute(EDITS[table]).rowcount
        if triggers == "dropped":
            for _name, sql in kept:
                conn.execute(sql)
    finally:
        conn.close()
    assert changed == 1
    check = cli("db", "check", db=demo)
    assert check.exit_code == 1, check.stdout
    assert table in check.stderr and "outside qmstrack" in check.stderr
    write = cli("config", "set", "risk_scale", "5", db=demo)
    if triggers == "firing":
        # The write sees log entries no seal covers: it refuses and writes nothing.
        assert write.exit_code == 1
        assert "changed outside qmstrack since its last seal" in write.stderr
    else:
        # Nothing cheap to see: the write goes ahead, and the edit is still found after it.
        assert write.exit_code == 0, write.stderr
    again = cli("db", "check", db=demo)
    assert again.exit_code == 1 and table in again.stderr
