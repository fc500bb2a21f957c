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
    assert counts["requests"] > 3000 and counts["documents"] == 9
    assert counts["providers"] == 4 and counts["risks"] == 6 and counts["trainings"] == 9
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


def test_demo_due_dates_follow_the_skb_2026_calendar_without_configuration(cli, tmp_path):
    """Every demo due date, recomputed by walking the days: weekends, public holidays and
    the cuti bersama of the SKB 2026 (and of 2025 for the demo's first two months) are off.
    No day off is configured."""
    from datetime import date, timedelta

    import holidays

    from qmstrack.demo import SERVICES
    from tests.test_calendar import SKB_2026

    path = tmp_path / "demo.db"
    assert cli("demo", db=path).exit_code == 0
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM settings WHERE key IN ('extra_days_off', "
                        "'worked_days', 'cuti_bersama')").fetchall() == []
    public = set(holidays.country_holidays("ID", years=range(2025, 2028)))
    skb_2025 = set(holidays.country_holidays("ID", years=2025, categories=("government",)))
    off = public | skb_2025 | SKB_2026
    sla = {code: days for code, _name, _unit, days, _fee, _weight in SERVICES}

    def working(day: date) -> bool:
        return day.isoweekday() <= 5 and day not in off

    def due(received: date, n: int) -> date:
        day = received
        if n == 0:
            while not working(day):
                day += timedelta(days=1)
            return day
        while n:
            day += timedelta(days=1)
            n -= working(day)
        return day

    rows = conn.execute("SELECT ref_no, received_on, service_code, due_on FROM requests")
    checked = touched = 0
    for ref, received, service, due_on in rows:
        received_on = date.fromisoformat(received)
        expected = due(received_on, sla[service])
        assert due_on == expected.isoformat(), (ref, received, service)
        checked += 1
        touched += any(received_on < d <= expected for d in SKB_2026)
    conn.close()
    assert checked > 3000
    # Enough of them cross a cuti bersama for the test to mean something.
    assert touched > 100


def test_demo_respondents_have_a_profile_counted_in_the_skm_report(cli, tmp_path):
    """The demo's questionnaires carry the profile block, so the SKM report's respondents
    chapter has figures; the counts of the report equal a count of the raw rows, values
    written in by respondents ("Pelajar") included."""
    path = tmp_path / "demo.db"
    assert cli("demo", db=path).exit_code == 0
    result = cli("survey", "report", "--from", "2026-01-01", "--to", "2026-10-31", "--json",
                 db=path)
    assert result.exit_code == 0, result.stderr
    profile = json.loads(result.stdout)["overall"]["profile"]
    conn = sqlite3.connect(path)
    for field in ("sex", "education", "occupation"):
        raw = dict(conn.execute(
            f"SELECT {field}, count(*) FROM surveys WHERE responded_on BETWEEN "
            "'2026-01-01' AND '2026-10-31' GROUP BY 1").fetchall())
        assert profile[field] == raw
        stated = sum(n for value, n in raw.items() if value)
        assert stated > 0.9 * sum(raw.values())
    assert profile["occupation"]["Pelajar"] > 0
    ages = conn.execute("SELECT min(age), max(age) FROM surveys").fetchone()
    assert 10 <= ages[0] and ages[1] <= 100
    assert conn.execute("SELECT count(*) FROM surveys WHERE note <> ''").fetchone()[0] > 0
