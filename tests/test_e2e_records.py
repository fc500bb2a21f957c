"""End to end, as cron or a clerk's script runs it: the installed ``qmstrack`` executable,
no terminal, a real database file, a sample CSV export."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("QMSTRACK") and k not in ("NO_COLOR", "FORCE_COLOR")}
    # A colour-capable TERM: plain output must come from stdout/stderr not being terminals.
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"),
               TERM="xterm-256color", LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8")
    return env


def check(result, code: int = 0):
    assert result.returncode == code, (result.args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "\x1b[" not in result.stdout + result.stderr  # no colour without a terminal
    return result


def test_installed_records_workflow(run_installed, tmp_path):
    env = env_for(tmp_path)
    db = tmp_path / "kantor" / "qms.db"
    sample = tmp_path / "permohonan.csv"
    shutil.copy(DATA / "permohonan_e2e.csv", sample)

    def qms(*args, code: int = 0):
        return check(run_installed("--db", str(db), *args, env=env, cwd=tmp_path, input=""),
                     code)

    result = qms("init", "--org", "Dinas Pendidikan Provinsi Kalimantan Timur")
    assert "Database ready" in result.stderr and result.stdout == ""
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert not (tmp_path / "qmstrack.db").exists()  # never the current directory

    qms("unit", "add", "SMA", "--name", "Bidang Pembinaan SMA")
    qms("service", "add", "--code", "SMA-LEG", "--name", "Legalisir ijazah SMA",
        "--unit", "SMA", "--sla-days", "3")

    result = qms("request", "import", str(sample))
    assert "4 rows, 4 new, 0 updated, 0 unchanged, 0 rejected" in result.stderr
    assert "Ignored columns: No." in result.stderr
    assert result.stdout == ""
    again = json.loads(qms("request", "import", str(sample), "--json").stdout)
    assert (again["inserted"], again["unchanged"]) == (0, 4)

    rows = json.loads(qms("request", "list", "--json").stdout)
    by_ref = {r["ref_no"]: r for r in rows}
    assert list(by_ref) == ["SMA/2026/003", "SMA/2026/004", "SMA/2026/001", "SMA/2026/002"]
    expected = {"received_on": "2026-11-03", "service_code": "SMA-LEG", "unit": "SMA",
                "status": "completed", "closed_on": "2026-11-05", "due_on": "2026-11-06",
                "on_time": True}
    assert {k: by_ref["SMA/2026/001"][k] for k in expected} == expected
    # 14 Aug + 3 working days, 17 Aug being Independence Day: due 20 Aug; closed 21 Aug.
    assert by_ref["SMA/2026/004"]["due_on"] == "2026-08-20"
    assert by_ref["SMA/2026/004"]["on_time"] is False
    assert by_ref["SMA/2026/002"]["status"] == "in_progress"
    for row in rows:
        assert {"ref_no", "received_on", "service_code", "unit", "status", "closed_on",
                "due_on", "on_time"} <= set(row)

    # Failures are one sentence on stderr with the documented exit codes.
    result = qms("request", "list", "--since", "besok lusa", code=2)
    assert "--since" in result.stderr and result.stdout == ""
    result = qms("request", "show", "NOPE-1", code=1)
    assert result.stderr.startswith("Error: ")


def test_installed_without_database_says_to_run_init(run_installed, tmp_path):
    env = env_for(tmp_path)
    result = check(run_installed("request", "list", env=env, cwd=tmp_path, input=""), 1)
    assert "run 'qmstrack init'" in result.stderr
    assert str(tmp_path / "xdg") in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # QMSTRACK_DB is honoured.
    env["QMSTRACK_DB"] = str(tmp_path / "env.db")
    check(run_installed("init", env=env, cwd=tmp_path, input=""))
    assert (tmp_path / "env.db").exists()


def test_python_dash_m(tmp_path):
    import subprocess

    result = subprocess.run([sys.executable, "-m", "qmstrack", "--db", str(tmp_path / "q.db"),
                             "init"], capture_output=True, text=True, timeout=60,
                            env=env_for(tmp_path), stdin=subprocess.DEVNULL)
    check(result)
    assert (tmp_path / "q.db").exists()
