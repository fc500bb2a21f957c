"""``qmstrack demo``: a deterministic year of records, safe to run twice."""

from __future__ import annotations

import json
import sqlite3


def fingerprint(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT ref_no, received_on, status, closed_on, due_on, requester "
                        "FROM requests ORDER BY ref_no").fetchall()
    conn.close()
    return rows


def test_demo_is_deterministic_checked_and_idempotent(cli, tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    result = cli("demo", "--json", db=first)
    assert result.exit_code == 0, result.stderr
    counts = json.loads(result.stdout)
    assert counts["requests"] > 3000 and counts["documents"] == 8
    assert cli("demo", db=second).exit_code == 0
    assert fingerprint(first) == fingerprint(second)
    assert cli("db", "check", db=first).exit_code == 0

    again = cli("demo", db=first)
    assert again.exit_code == 0 and "already holds the demo" in again.stderr
    assert fingerprint(first) == fingerprint(second)

    other_seed = cli("demo", "--seed", "2", db=first)
    assert other_seed.exit_code == 1 and "already holds records" in other_seed.stderr


def test_demo_refuses_a_database_with_real_records(cli, office, db_path):
    result = cli("demo")
    assert result.exit_code == 1
    assert "already holds records" in result.stderr
    assert office.execute("SELECT count(*) FROM requests").fetchone()[0] == 0
