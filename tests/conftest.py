"""Shared fixtures: a real database file in a temp dir and the real Typer app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmstrack.cli.app import app
from qmstrack.db import open_db


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """Never touch the real user data directory or a QMSTRACK_DB from the environment."""
    monkeypatch.delenv("QMSTRACK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "qms.db"


@pytest.fixture
def cli(runner, db_path):
    """Run ``qmstrack --db <db_path> ARGS...`` through the real Typer app."""

    def invoke(*args: str, input: str | None = None, db: Path | None = None):
        return runner.invoke(app, ["--db", str(db or db_path), *args], input=input)

    return invoke


@pytest.fixture
def db(db_path):
    database = open_db(db_path, create=True)
    yield database
    database.close()


@pytest.fixture
def office(db):
    """Three units, a few services, staff and rules: the office's basic registers."""
    from qmstrack.registers.rules import add_rule
    from qmstrack.registers.services import add_service
    from qmstrack.registers.staff import add_staff
    from qmstrack.registers.units import add_unit

    add_unit(db, "SMP", "Bidang Pembinaan SMP")
    add_unit(db, "SMA", "Bidang Pembinaan SMA")
    add_unit(db, "SEKRETARIAT", "Sekretariat")
    add_service(db, code="SMA-LEG", name="Legalisir ijazah SMA", unit="SMA", sla_days=3)
    add_service(db, code="SMA-MUT", name="Mutasi siswa SMA", unit="SMA", sla_days=5)
    add_service(db, code="SMP-LEG", name="Legalisir ijazah SMP", unit="SMP", sla_days=3)
    add_service(db, code="SEK-SURAT", name="Surat keterangan", unit="SEKRETARIAT",
                sla_days=0)
    add_staff(db, nip="198609262015051001", name="Budi Santoso", unit="SMA",
              position="Pengadministrasi")
    add_staff(db, nip="199001012019032002", name="Siti Rahma", unit="SMP",
              position="Analis")
    add_staff(db, nip="198512122010011003", name="Andi Wijaya", unit="SEKRETARIAT",
              position="Pengelola surat")
    add_rule(db, code="SOP-LEG", title="SOP legalisir", unit="SMA", clauses=["8.5.1"])
    add_rule(db, code="SOP-ARSIP", title="SOP kearsipan", clauses=["7.5.3"])
    return db


def qmstrack_executable() -> str:
    """The installed console script, as cron would run it."""
    found = shutil.which("qmstrack", path=os.path.dirname(sys.executable))
    return found or shutil.which("qmstrack") or "qmstrack"


@pytest.fixture
def run_installed():
    def run(*args: str, env: dict | None = None, cwd=None, input: str | None = None):
        return subprocess.run([qmstrack_executable(), *args], capture_output=True, text=True,
                              env=env, cwd=cwd, input=input, timeout=120)

    return run
