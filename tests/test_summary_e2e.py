"""``qmstrack summary`` as cron runs it: the installed executable, a bare environment, no
terminal. Checks stdout, the --out file, the absence of ANSI codes, and the exit codes."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import date

import pytest

from qmstrack.db import writing
from qmstrack.registers.requests import add_request, update_request
from qmstrack.registers.surveys import add_response
from qmstrack.setup import initialise

# The records are of late December 2026, whenever the tests run.
YEAR_END = date(2026, 12, 31)

ANSI = re.compile(r"\x1b[\[\]()#;?]*[0-9;]*[A-Za-z]?")


def cron_env(tmp_path, **extra) -> dict:
    home = tmp_path / "cronhome"
    home.mkdir(exist_ok=True)
    # exactly what cron gives a job: no TERM, no LANG, no XDG_*, no COLUMNS
    env = {"HOME": str(home), "LOGNAME": "x", "SHELL": "/bin/sh",
           "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin"}
    env.update(extra)
    return env


@pytest.fixture
def office_db(office, db_path):
    initialise(office, org="Dinas Pendidikan Provinsi Kalimantan Timur", lang="id")
    # received Thu 17 Dec 2026, 3 working days: Fri 18, Mon 21, Tue 22; Christmas (Fri 25)
    # does not count. Completed on time on the 22nd.
    add_request(office, service="SMA-LEG", requester="A", ref="REQ-1", received="2026-12-17",
                today=YEAR_END)
    update_request(office, "REQ-1", status="completed", on="2026-12-22", today=YEAR_END)
    # received Tue 22: Wed 23, (Thu 24 cuti bersama, Fri 25 Christmas) Mon 28, Tue 29; still
    # open
    record = add_request(office, service="SMP-LEG", requester="B", ref="REQ-2",
                         received="2026-12-22", today=YEAR_END)
    assert record["due_on"] == "2026-12-29"
    add_response(office, service="SMA-LEG", scores=[4] * 9, on="2026-11-02")
    with writing(office):
        office["findings"].insert({
            "ref_no": "TM-9", "source": "internal", "clause_ref": "10.2", "grade": "minor",
            "unit": "SMP", "description": "x", "raised_on": "2026-11-02", "status": "open",
            "due_on": "2026-12-30", "closed_on": None})
    return db_path


def assert_plain(result):
    assert not ANSI.search(result.stdout), repr(result.stdout[:200])
    assert not ANSI.search(result.stderr), repr(result.stderr[:200])
    assert "Traceback" not in result.stderr


def test_cron_text_on_stdout_exit_0(office_db, run_installed, tmp_path):
    result = run_installed("--db", str(office_db), "summary", "--date", "2026-12-29",
                           "--alert", env=cron_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert_plain(result)
    assert result.stdout.startswith(
        "Ringkasan mutu – Dinas Pendidikan Provinsi Kalimantan Timur\n"
        "Selasa, 29 Desember 2026\n")
    assert "Tidak ada yang terlambat." in result.stdout
    assert result.stderr == ""


def test_cron_overdue_alert_exit_3_with_qmstrack_db(office_db, run_installed, tmp_path):
    env = cron_env(tmp_path, QMSTRACK_DB=str(office_db))
    # 31 Dec: REQ-2 (due 29th) is 2 working days late; TM-9 (due 30th) overdue
    result = run_installed("summary", "--date", "2026-12-31", "--alert", "--lang", "en",
                           env=env)
    assert result.returncode == 3, result.stderr
    assert_plain(result)
    assert "Needs attention: 1 overdue request, 1 overdue corrective action." in result.stdout
    assert "REQ-2  SMP-LEG, SMP, due 29 Dec 2026, 2 working days late" in result.stdout
    assert "TM-9  minor, clause 10.2, due 30 Dec 2026, SMP" in result.stdout
    # without --alert the same run is a success
    assert run_installed("summary", "--date", "2026-12-31", env=env).returncode == 0


def test_cron_json_and_out_file(office_db, run_installed, tmp_path):
    out = tmp_path / "out" / "summary.json"
    out.parent.mkdir()
    result = run_installed("--db", str(office_db), "summary", "--from", "2026-12-21",
                           "--to", "2026-12-31", "--json", "--out", str(out), "--alert",
                           env=cron_env(tmp_path))
    assert result.returncode == 3, result.stderr
    assert_plain(result)
    assert result.stdout == ""
    assert str(out) in result.stderr
    assert [p.name for p in out.parent.iterdir()] == ["summary.json"]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["period"] == {"start": "2026-12-21", "end": "2026-12-31"}
    assert data["requests"] == {"received": 1, "completed": 1, "rejected": 0, "on_time": 1,
                                "on_time_rate": 1.0, "open": 1, "overdue": 1}
    assert data["findings"]["overdue"] == 1
    assert data["satisfaction"] == {"responses": 0, "ikm": None, "category": None,
                                    "category_label": None, "weight": "exact",
                                    "sample": {"population": 1, "required": 1,
                                               "responses": 0, "adequate": False}}
    assert data["overdue_requests"] == [
        {"ref_no": "REQ-2", "service_code": "SMP-LEG", "unit": "SMP",
         "received_on": "2026-12-22", "due_on": "2026-12-29", "days_late": 2}]
    markdown = tmp_path / "out" / "summary.md"
    result = run_installed("--db", str(office_db), "summary", "--date", "2026-11-02",
                           "--format", "md", "--out", str(markdown), "--alert",
                           env=cron_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# Ringkasan mutu")
    assert "Kepuasan masyarakat (IKM): 100,00, A (Sangat Baik), 1 responden" in text
    assert not ANSI.search(text)


def test_cron_usage_errors(office_db, run_installed, tmp_path):
    env = cron_env(tmp_path, QMSTRACK_DB=str(office_db))
    for args in (["--date", "tomorrowish"], ["--from", "2026-12-01"], ["--format", "xml"],
                 ["--lang", "fr"], ["--unit", "NOPE"]):
        result = run_installed("summary", *args, env=env)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == ""
        assert result.stderr.strip()
        assert_plain(result)


def test_cron_without_any_database_option(run_installed, tmp_path):
    # no --db and no QMSTRACK_DB: the default location under HOME, which does not exist
    result = run_installed("summary", env=cron_env(tmp_path))
    assert result.returncode == 1
    assert "qmstrack init" in result.stderr
    assert_plain(result)
