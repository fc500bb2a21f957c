"""The command line at a terminal: "did you mean", hints for root options and month-first
dates, searching requests, secrets never shown, tables that fit the terminal's width."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios

import pytest

from qmstrack.registers.requests import add_request
from qmstrack.registers.staff import add_staff
from tests.conftest import qmstrack_executable
from tests.test_imports import snapshot

LONG_NAME = "Raden Ajeng Kartika Dewi Maharani Kusumawardhani Puspitasari"


def test_did_you_mean_at_every_level(cli, office):
    for args, suggestion in [
        (["requst"], "Did you mean 'request'?"),
        (["sumary"], "'summary'"),
        (["request", "lst"], "Did you mean 'list'?"),
        (["config", "days-of"], "Did you mean 'days-off'?"),
        (["config", "days-off", "wrok"], "Did you mean 'work'?"),
        (["request", "list", "--staus", "x"], "--status"),
    ]:
        result = cli(*args)
        assert result.exit_code == 2, args
        assert suggestion in result.stderr, (args, result.stderr)
    nothing_close = cli("zzzzzz")
    assert nothing_close.exit_code == 2 and "Did you mean" not in nothing_close.stderr


def test_a_root_option_after_the_command_gets_a_hint(cli, office):
    result = cli("request", "list", "--db", "x.db")
    assert result.exit_code == 2
    assert "No such option: --db" in result.stderr
    assert "write it before the command, as in 'qmstrack --db PATH request list'" \
        in result.stderr
    nested = cli("config", "days-off", "list", "--no-input")
    assert "'qmstrack --no-input config days-off list'" in nested.stderr
    # A command's own option is no root option.
    other = cli("request", "list", "--nope")
    assert other.exit_code == 2 and "qmstrack itself" not in other.stderr


def test_month_first_dates_get_a_hint(cli, office, tmp_path):
    result = cli("request", "add", "--service", "SMA-LEG", "--requester", "Ani",
                 "--received", "11/23/2026")
    assert result.exit_code == 2
    assert "dates are written day first, so 2026-11-23 is 23/11/2026" in result.stderr
    sheet = tmp_path / "register.csv"
    sheet.write_text("No Registrasi,Tgl Masuk,Kode Layanan,Nama Pemohon\n"
                     "R-1,10/13/2026,SMA-LEG,Ani\n", encoding="utf-8")
    imported = cli("request", "import", str(sheet))
    assert imported.exit_code == 1
    assert "row 2, column Tgl Masuk" in imported.stderr and "13/10/2026" in imported.stderr
    # 03/04/2026 is 3 April, never silently swapped; 31/02 gets no hint.
    impossible = cli("request", "list", "--since", "31/02/2026")
    assert "day first" not in impossible.stderr


@pytest.fixture
def requesters(office):
    for ref, name, contact in [("SMA-2026-000001", "Ani Lestari", "0812 1111"),
                               ("SMA-2026-000002", "Budi 100%_ Santoso", "budi@example.id"),
                               ("SMA-2026-000003", "Citra", "0813 2222")]:
        add_request(office, service="SMA-LEG", requester=name, contact=contact, ref=ref,
                    received="2026-10-01")
    return office


def test_request_list_searches_requester_contact_and_reference(requesters, cli):
    def refs(*args):
        result = cli("request", "list", "--json", *args)
        assert result.exit_code == 0, result.output
        return [r["ref_no"] for r in json.loads(result.stdout)]

    assert refs("--search", "ani") == ["SMA-2026-000001"]
    assert refs("--search", "EXAMPLE.ID") == ["SMA-2026-000002"]
    assert refs("--search", "000003") == ["SMA-2026-000003"]
    assert refs("--search", "0812") == ["SMA-2026-000001"]
    # LIKE's wildcards are plain characters.
    assert refs("--search", "%") == ["SMA-2026-000002"]
    assert refs("--search", "%_") == ["SMA-2026-000002"]
    assert refs("--search", "0_") == []  # not "0 and any character"
    assert refs("--search", "nobody") == []
    table = cli("request", "list", "--search", "lestari")
    assert "Ani Lestari" in table.stdout
    for bad in ("", "x" * 201, "a\x00b"):
        result = cli("request", "list", "--search", bad)
        assert result.exit_code == 2 and "--search" in result.stderr, bad


def test_log_never_shows_the_pseudonymisation_key(office, cli, db_path, tmp_path):
    from qmstrack.secret_key import key_path, read_key

    assert cli("export", "--from", "2026-01-01", "--to", "2026-12-31", "--out",
               str(tmp_path / "b.zip"), "--redact").exit_code == 0
    secret = read_key(key_path(db_path))
    assert secret and len(secret) == 64
    assert office.execute("SELECT count(*) FROM settings WHERE key = 'pseudonym_secret'"
                          ).fetchone()[0] == 0
    for args in (["log"], ["log", "--json"], ["log", "--table", "settings", "--json"]):
        result = cli(*args)
        assert result.exit_code == 0
        assert secret not in result.stdout and secret not in result.stderr, args


# --- tables at the terminal's width ----------------------------------------------------------


def at_terminal(db_path, *args, columns=80):
    """Run the installed qmstrack in a pseudo-terminal ``columns`` wide; return its lines."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LINES") and not k.startswith("QMSTRACK_")}
    env.update(TERM="xterm", NO_COLOR="1")
    proc = subprocess.Popen([qmstrack_executable(), "--db", str(db_path), *args],
                            stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=60) == 0, out
    os.close(master)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8"))
    return [line for line in text.replace("\r", "").split("\n") if line]


@pytest.fixture
def wide(office):
    add_staff(office, nip="19860316 202221 2 001", name=LONG_NAME, unit="SEKRETARIAT",
              position="Pengadministrasi Perkantoran Ahli Pertama pada Subbagian Umum")
    for i in range(1, 4):
        add_request(office, service="SEK-SURAT", requester=LONG_NAME, ref=f"SEK-2026-{i:06d}",
                    received=f"2026-10-0{i}", staff="198603162022212001",
                    note="berkas lengkap " * 10)
    return office


def test_tables_fit_80_columns_and_never_break_a_date_or_a_nip(wide, db_path):
    for args in (["staff", "list"], ["request", "list"], ["log", "--limit", "5"],
                 ["request", "list", "--search", "Kartika"]):
        lines = at_terminal(db_path, *args)
        table = [line for line in lines if line[0] in "┏┃┡│└"]
        assert table, (args, lines)
        assert all(len(line) <= 80 for line in table), (args, lines)
        # Every row ends with its border: nothing was cropped.
        assert all(line.endswith(("┃", "│", "┓", "┩", "┘")) for line in table), args
    staff = "\n".join(at_terminal(db_path, "staff", "list"))
    assert "198603162022212001" in staff and "198609262015051001" in staff
    assert "…" in staff and LONG_NAME not in staff
    requests = at_terminal(db_path, "request", "list")
    dates = [re.findall(r"\d{4}-\d{2}-\d{2}", line) for line in requests if "SEK-2026" in line]
    assert [d[0] for d in dates] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert not any(re.search(r"\b\d{4}-\d{2}-?\s*[│┃]", line) for line in requests)
    log = "\n".join(at_terminal(db_path, "log", "--limit", "5"))
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z]{2,4}", log)


def test_columns_are_chosen_with_columns(wide, db_path, cli):
    lines = at_terminal(db_path, "request", "list", "--columns", "ref_no,requester,due_on")
    header = next(line for line in lines if "ref_no" in line)
    assert [c.strip() for c in header.strip("┃").split("┃")] == ["ref_no", "requester",
                                                                   "due_on"]
    assert any("Raden Ajeng" in line for line in lines)
    csv = cli("request", "list", "--csv", "--delimiter", ",", "--columns", "due_on,ref_no")
    assert csv.stdout.splitlines()[0] == "due_on,ref_no"
    for args in (["request", "list", "--columns", "ref_no,nope"],
                 ["staff", "list", "--columns", ""], ["log", "--columns", "x" * 300]):
        result = cli(*args)
        assert result.exit_code == 2 and "--columns" in result.stderr, args
        assert len(result.stderr) < 400
    assert cli("finding", "list", "--columns", "ref_no,grade").exit_code == 0


def test_a_file_gets_every_value_whole(wide, cli):
    before = snapshot(wide)
    out = cli("staff", "list").stdout
    assert "Raden Ajeng Kartika" in out and "…" not in out
    assert snapshot(wide) == before
