"""What Windows does differently: output in the ANSI code page when redirected, binary file
modes, network drives, permissions.

Python on Windows writes cp1252 to a redirected stream (Task Scheduler, ``> file``); here
that is ``PYTHONIOENCODING=cp1252`` with the output captured, for the installed executable.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date

import pytest

from qmstrack.db import writing
from qmstrack.objectives import add_objective, record_value
from qmstrack.registers.requests import add_request
from qmstrack.registers.staff import add_staff
from qmstrack.setup import initialise
from qmstrack.storage import is_unc, mount_type, network_location, privacy
from tests.conftest import qmstrack_executable

# Letters and symbols outside cp1252: Vietnamese and Javanese-Latin names, the target's ≥.
NAME = "Nguyễn Thị Ṣiti"
REQUESTER = "Ḍewi Ŕahayu ≤ 3 hari"


@pytest.fixture
def symbols(office, db_path):
    initialise(office, org="Dinas Pendidikan – Kaltim ≥ mutu", lang="id",
               timezone="Asia/Makassar")
    add_staff(office, nip="KEAMANAN-01", employment="non-asn", name=NAME, unit="SMA",
              position="Petugas keamanan")
    add_request(office, service="SMA-LEG", requester=REQUESTER, ref="R-1",
                received="2026-10-01", staff="KEAMANAN-01", today=date(2026, 10, 31))
    objective = add_objective(office, unit="SMA", title="Arsip ≥ 90% tertata", target=">= 90%",
                              year=2026, today=date(2026, 10, 31))
    for period in ("2026-09", "2026-10"):
        record_value(office, objective["id"], period=period, value="50%",
                     today=date(2026, 10, 31))
    with writing(office):
        office["findings"].insert({
            "ref_no": "F-1", "source": "internal", "clause_ref": "9.1.2", "grade": "minor",
            "unit": "SMA", "description": "IKM ≥ 76,61 belum tercapai → dianalisis",
            "raised_on": "2026-10-02", "status": "open", "due_on": "2026-10-20"})
    return db_path


def run(db_path, *args, encoding="cp1252", tmp_path=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMSTRACK_")}
    env["PYTHONIOENCODING"] = encoding
    if tmp_path is not None:
        env["HOME"] = str(tmp_path / "home")
    return subprocess.run([qmstrack_executable(), "--db", str(db_path), *args],
                          capture_output=True, timeout=120, env=env)


COMMANDS = [
    ["summary", "--date", "2026-10-31"],
    ["summary", "--date", "2026-10-31", "--format", "md", "--lang", "en"],
    ["finding", "list"],
    ["finding", "show", "F-1"],
    ["request", "list"],
    ["request", "show", "R-1"],
    ["staff", "list"],
    ["staff", "show", "KEAMANAN-01"],
    ["objective", "status", "--year", "2026"],
    ["objective", "list"],
    ["config", "show"],
    ["config", "calendar", "--year", "2027"],
    ["log", "--limit", "20"],
    ["db", "check"],
    ["checklist", "show", "iso9001-2015", "--clause", "8.5", "--lang", "id"],
    ["request", "add", "--service", "SMA-LEG", "--requester", "Ḍewi", "--received",
     "≥ 2026"],
]


@pytest.mark.parametrize(("encoding", "commands"), [
    ("cp1252", COMMANDS), ("ascii", [COMMANDS[0], COMMANDS[2], COMMANDS[6]])])
def test_redirected_output_never_crashes_on_a_character_it_cannot_encode(
        symbols, encoding, commands, tmp_path):
    for args in commands:
        result = run(symbols, *args, encoding=encoding, tmp_path=tmp_path)
        err = result.stderr.decode(encoding)
        out = result.stdout.decode(encoding)  # nothing the code page cannot decode
        assert "Traceback" not in err and "UnicodeEncodeError" not in err, (args, err)
        expected = 2 if args[0] == "request" and args[1] == "add" else 0
        assert result.returncode == expected, (args, err)
        assert out or err, args
    summary = run(symbols, "summary", "--date", "2026-10-31", "--lang", "en",
                  encoding=encoding, tmp_path=tmp_path).stdout.decode(encoding)
    # The objective missed twice is there, its ≥ replaced, not the line lost.
    assert "Arsip ? 90% tertata" in summary and "? 90.0%" in summary


def test_json_stays_lossless_on_a_narrow_output(symbols, tmp_path):
    for args, pick in [
        (["staff", "list", "--json"], lambda d: d[-1]["name"] if d[-1]["id"] == "KEAMANAN-01"
         else next(r["name"] for r in d if r["id"] == "KEAMANAN-01")),
        (["request", "show", "R-1", "--json"], lambda d: d["requester"]),
        (["summary", "--date", "2026-10-31", "--json"], lambda d: d["org_name"]),
        (["finding", "list", "--json"], lambda d: d[0]["description"]),
    ]:
        result = run(symbols, *args, tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout.decode("cp1252"))
        assert pick(data) in (NAME, REQUESTER, "Dinas Pendidikan – Kaltim ≥ mutu",
                              "IKM ≥ 76,61 belum tercapai → dianalisis"), args


def test_a_file_written_with_out_is_utf8_whatever_the_console(symbols, tmp_path):
    target = tmp_path / "ringkasan.txt"
    result = run(symbols, "summary", "--date", "2026-10-31", "--out", str(target),
                 tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "≥ 90,0%" in target.read_text(encoding="utf-8")


# --- binary file modes ------------------------------------------------------------------------


def test_files_are_opened_in_binary_mode(tmp_path, monkeypatch):
    """On Windows ``os.open`` opens in text mode unless told O_BINARY (which Linux lacks:
    here a harmless stand-in flag, to see that it is passed). The database file is created
    with ``os.open``; every other file goes through ``tempfile.mkstemp`` (qmstrack.atomic),
    which adds O_BINARY itself."""
    from qmstrack.db import open_db

    flag = getattr(os, "O_BINARY", 0) or os.O_NOCTTY
    monkeypatch.setattr(os, "O_BINARY", flag, raising=False)
    seen = {}
    real_open = os.open

    def recording_open(path, flags, *args, **kwargs):
        seen[os.fspath(path)] = flags
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    target = tmp_path / "kaltim.db"
    open_db(target, create=True).close()
    assert seen[str(target)] & flag


def test_the_bundle_zip_is_a_zip_byte_for_byte(office, db_path, tmp_path, cli):
    from qmstrack.export import export_bundle

    target = tmp_path / "bukti.zip"
    export_bundle(office, db_path, start=date(2026, 1, 1), end=date(2026, 10, 31),
                  out=target)
    assert target.read_bytes()[:4] == b"PK\x03\x04"
    assert cli("verify", str(target)).exit_code == 0


# --- network file systems -------------------------------------------------------------------


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export/qms /srv/qms nfs4 rw,relatime,vers=4.2 0 0
//nas/mutu /mnt/mutu\\040bersama cifs rw,relatime 0 0
sshfs#u@h:/x /home/u/remote fuse.sshfs rw 0 0
/dev/sdb1 /srv/qms/local ext4 rw 0 0
"""


@pytest.mark.parametrize(("path", "kind"), [
    ("/srv/qms/kaltim.db", "nfs4"),
    ("/srv/qms/local/kaltim.db", "ext4"),       # the deepest mount wins
    ("/mnt/mutu bersama/qms.db", "cifs"),       # \040 is a space
    ("/home/u/remote/qms.db", "fuse.sshfs"),
    ("/home/u/qms.db", "ext4"),
    ("/srvx/qms.db", "ext4"),                   # a prefix that is not a parent
])
def test_the_mount_holding_a_path(path, kind):
    assert mount_type(path, MOUNTS) == kind


@pytest.mark.parametrize(("path", "unc"), [
    ("\\\\nas\\mutu\\qms.db", True), ("//nas/mutu/qms.db", True),
    ("\\\\?\\UNC\\nas\\mutu\\qms.db", True), ("\\\\?\\C:\\qms\\qms.db", False),
    ("C:\\Users\\wmm\\qms.db", False), ("/home/wmm/qms.db", False),
])
def test_unc_paths(path, unc):
    assert is_unc(path) is unc


def test_init_and_db_check_warn_about_a_network_file_system(tmp_path, cli, monkeypatch):
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nnas:/qms {tmp_path} nfs4 rw 0 0\n",
                      encoding="utf-8")
    monkeypatch.setenv("QMSTRACK_MOUNTS", str(mounts))
    assert network_location(tmp_path / "qms.db") == "nfs4"
    created = cli("init", "--timezone", "Asia/Makassar")
    assert created.exit_code == 0, created.output
    assert "network file system (nfs4)" in created.stderr
    assert "write-ahead log does not work over a network file system" in created.stderr
    assert "sqlite.org/wal.html" in created.stderr
    checked = cli("db", "check")
    assert checked.exit_code == 0 and "network file system (nfs4)" in checked.stderr
    monkeypatch.setenv("QMSTRACK_MOUNTS", str(tmp_path / "no-such-table"))
    assert "network" not in cli("db", "check").stderr


def test_a_local_database_has_no_network_warning(cli):
    result = cli("init")
    assert result.exit_code == 0 and "network" not in result.stderr


# --- permissions ----------------------------------------------------------------------------


def test_init_explains_who_can_read_the_database(cli, db_path):
    result = cli("init")
    assert "readable by its owner only (mode 600)" in result.stderr
    os.chmod(db_path, 0o644)
    assert not privacy(db_path).private
    checked = cli("db", "check")
    assert checked.exit_code == 0
    assert "can be read by other users (mode 644)" in checked.stderr
    assert f"chmod 600 {db_path}" in checked.stderr
