"""Faults and hostile inputs that must end in one sentence and the right exit code.

A full disk while a file is written, a backup pointed at the database's own files, an
altered evidence file, hostile YAML, years at the ends of the calendar: each ends in one
clear sentence, exit 1 (or 2 for a usage error), and nothing half-written.
"""

from __future__ import annotations

import csv
import os
import resource
import sqlite3
import subprocess
from pathlib import Path

import pytest
from helpers.procs import command


def _limited(db: Path, *args: str, fsize: int) -> subprocess.CompletedProcess:
    """Run the installed ``qmstrack`` with files limited to ``fsize`` bytes (RLIMIT_FSIZE):
    a write beyond it fails as on a full disk (Python ignores SIGXFSZ, so the write fails
    with EFBIG instead of killing the process)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(command(db, *args), capture_output=True, text=True, timeout=180,
                          stdin=subprocess.DEVNULL, preexec_fn=limit)


def _requests(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM requests").fetchone()[0]
    finally:
        conn.close()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.partial"))


# --- request import --skip-invalid on a disk that fills -------------------------------


def _import_file(path: Path, big_rows: int) -> None:
    """Three good rows, ``big_rows`` bad ones with a 30,000-character name, one short bad
    row last (the rows of the rejects file)."""
    header = ["No. Registrasi", "Tgl Masuk", "Kode Layanan", "Nama Pemohon", "Status"]
    rows = [[f"SMA/{i:03d}", "03/11/2026", "SMA-LEG", "Ani", "diterima"] for i in range(3)]
    rows += [[f"BAD/{i:03d}", "bukan tanggal", "SMA-LEG", chr(65 + i % 26) * 30_000,
              "diterima"] for i in range(big_rows)]
    rows.append(["BAD/LAST", "bukan tanggal", "SMA-LEG", "Z", "diterima"])
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])


def _size_on_disk_before_the_last_flush(rejects: Path, scratch: Path) -> tuple[int, int]:
    """Write the rejects file's rows as the import writes them (text file, csv writer, one
    row at a time) and return the bytes on disk before the final flush, and in all."""
    with rejects.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        for row in rows:
            writer.writerow(row)
        before = os.fstat(out.fileno()).st_size
    return before, scratch.stat().st_size


def test_rejects_that_do_not_fit_on_the_disk_refuse_the_whole_import(office, db_path,
                                                                     tmp_path):
    """The disk fills while the last rejected rows are written: nothing is committed, one
    sentence, exit 1, no temporary file left (before, the rows were committed and then a
    traceback said the import failed)."""
    office.close()
    source = tmp_path / "permohonan.csv"
    _import_file(source, big_rows=30)
    # A rehearsal on a copy finds the rejects file's size before and after its last flush.
    rehearsal = tmp_path / "rehearsal"
    rehearsal.mkdir()
    copy = rehearsal / "qms.db"
    conn, dest = sqlite3.connect(db_path), sqlite3.connect(copy)
    conn.backup(dest)
    conn.close()
    dest.close()
    rejects_copy = rehearsal / "rejects.csv"
    first = _limited(copy, "request", "import", str(source), "--skip-invalid",
                     "--rejects", str(rejects_copy), fsize=resource.RLIM_INFINITY)
    assert first.returncode == 0, first.stderr
    before, total = _size_on_disk_before_the_last_flush(rejects_copy, rehearsal / "scratch")
    assert before < total and os.path.getsize(db_path) < before

    rejects = tmp_path / "rejects.csv"
    result = _limited(db_path, "request", "import", str(source), "--skip-invalid",
                      "--rejects", str(rejects), fsize=before)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: Cannot write the rejects file {rejects}: ")
    assert "nothing was imported" in result.stderr
    assert _requests(db_path) == 0
    assert not rejects.exists()
    assert _leftovers(tmp_path) == []


def test_rejects_that_fill_the_disk_while_rows_are_read_refuse_the_import(office, db_path,
                                                                         tmp_path):
    office.close()
    source = tmp_path / "permohonan.csv"
    _import_file(source, big_rows=60)  # 1.8 MB of rejects, written while rows are read
    result = _limited(db_path, "request", "import", str(source), "--skip-invalid",
                      fsize=900_000)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "Error: Cannot write the rejects file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _requests(db_path) == 0
    assert not source.with_name(source.name + ".rejects.csv").exists()
    assert _leftovers(tmp_path) == []


# --- db backup: never the database's own files; a full disk; altered evidence ---------


def _with_evidence(office, db_path, tmp_path, size: int = 64) -> str:
    from qmstrack.registers.documents import add_document

    scan = tmp_path / "sop.pdf"
    scan.write_bytes(b"%PDF-1.4 " + os.urandom(size))
    sha = add_document(office, db_path, type="sop", title="SOP legalisir", clause="7.5",
                       file=scan)["file_sha256"]
    return sha


def test_a_backup_never_replaces_the_database_or_its_side_files(cli, office, db_path,
                                                                tmp_path):
    """``db backup qms.db-wal --force`` replaced the WAL: a committed request was lost
    while ``db check`` still said OK."""
    from qmstrack.evidence import evidence_path, store_dir

    sha = _with_evidence(office, db_path, tmp_path)
    office.close()
    assert cli("request", "add", "--service", "SMA-LEG", "--received", "2026-11-02",
               "--requester", "Ani").exit_code == 0
    link = tmp_path / "elsewhere.db"
    link.symlink_to(db_path)
    hard = tmp_path / "hard-link.db"
    os.link(db_path, hard)
    (tmp_path / "qms.db-shm").touch()
    targets = [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"),
               Path(f"{db_path}-journal"), link, hard,
               tmp_path / "sub" / ".." / "qms.db-wal"]
    (tmp_path / "sub").mkdir()
    for target in targets:
        for force in ([], ["--force"]):
            result = cli("db", "backup", str(target), *force)
            assert result.exit_code == 1, (target, result.stderr)
            assert "cannot overwrite the database itself" in result.stderr, target
    store = store_dir(db_path)
    for target in (store / "copy.db", store / "sha256" / "copy.db", evidence_path(db_path,
                                                                                   sha)):
        result = cli("db", "backup", str(target), "--force")
        assert result.exit_code == 1, (target, result.stderr)
        assert "inside the database's evidence folder" in result.stderr, target
    # The database's evidence folder reached through a link, and a backup named so that
    # its own evidence folder is the database's (qms.db in another folder linked here).
    linked = tmp_path / "linked-store"
    linked.symlink_to(store)
    assert "evidence folder" in cli("db", "backup", str(linked / "x.db")).stderr
    assert _requests(db_path) == 1
    check = cli("db", "check")
    assert check.exit_code == 0, check.stderr


def test_a_full_disk_during_the_evidence_copy_leaves_no_half_backup(office, db_path,
                                                                    tmp_path):
    _with_evidence(office, db_path, tmp_path, size=3_000_000)
    office.close()
    out_dir = tmp_path / "backups"
    out_dir.mkdir()
    out = out_dir / "qms-backup.db"
    assert os.path.getsize(db_path) < 1_000_000
    result = _limited(db_path, "db", "backup", str(out), fsize=1_000_000)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Error: Cannot copy the evidence files to "), result.stderr
    assert "the partial copy was removed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert [p for p in out_dir.rglob("*") if p.is_file()] == []


def test_an_altered_evidence_file_is_not_copied_and_the_backup_is_not_called_good(
        cli, office, db_path, tmp_path):
    from qmstrack.evidence import evidence_path

    sha = _with_evidence(office, db_path, tmp_path)
    (tmp_path / "second").mkdir()
    good = _with_evidence(office, db_path, tmp_path / "second", size=80)
    office.close()
    stored = evidence_path(db_path, sha)
    stored.chmod(0o600)
    stored.write_bytes(b"%PDF-1.4 a different SOP")
    out = tmp_path / "backup.db"
    result = cli("db", "backup", str(out))
    assert result.exit_code == 1, result.stderr
    assert f"The backup {out} is not good: 1 evidence file no longer matches" \
        in result.stderr
    assert sha in result.stderr and "db check" in result.stderr
    assert not evidence_path(out, sha).exists()
    assert evidence_path(out, good).is_file()
    assert not [p for p in tmp_path.rglob("*.partial")]


# --- service import X.yaml: the checklists' safe reader --------------------------------

_ONE_SERVICE = "services:\n  - code: SMA-LEG\n    name: Legalisir\n    unit: SMA\n"

_HOSTILE_YAML = {
    # Billion laughs: nine levels of nine aliases (PyYAML expanded it for 45 s, 2.2 GB).
    "laughs.yaml": ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} "
                              f"[{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)),
                    "laughs.yaml, line 2: aliases (*a) are not supported"),
    "deep.yaml": ("services: " + "[" * 100 + "]" * 100 + "\n",
                  "deep.yaml, line 1: values are nested more than 64 levels deep"),
    # (PyYAML's composer ended in RecursionError. Newer PyYAML refuses this depth in its
    # own words, older ones reach qmstrack's own bound: either way the file and line lead.)
    "deeper.yaml": ("services: " + "[" * 50_000 + "]" * 50_000 + "\n",
                    "deeper.yaml, line 1: "),
    "digits.yaml": (_ONE_SERVICE + "    sla_days: " + "9" * 100_000 + "\n",
                    "digits.yaml, line 5: the number '99999999999999999999'... is not a "
                    "whole number of at most 18 digits"),
    "twice.yaml": (_ONE_SERVICE + "    sla_days: 3\n    unit: SMP\n",
                   "twice.yaml, line 6: duplicate key 'unit' (first at line 4)"),
    "tag.yaml": ("services: !!python/object/apply:os.system [echo hi]\n",
                 "tag.yaml, line 1: the YAML tag '!!python/object/apply:os.system' is not "
                 "allowed"),
    "empty.yaml": ("\n", "empty.yaml is empty; it must hold a list of services."),
}


@pytest.mark.parametrize("name", list(_HOSTILE_YAML))
def test_hostile_service_yaml_is_refused_in_one_sentence_naming_file_and_line(
        office, cli, tmp_path, name):
    import time

    text, expected = _HOSTILE_YAML[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = cli("service", "import", str(path))
    assert time.monotonic() - started < 10
    assert result.exit_code == 1, (result.stderr, result.exception)
    assert result.stderr.startswith(f"Error: {expected}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert office.execute("SELECT count(*) FROM services").fetchone()[0] == 4


def test_a_plain_service_yaml_still_imports(office, cli, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(_ONE_SERVICE.replace("SMA-LEG", "SMA-KIP") + "    sla_days: 2\n"
                    "    fee: 0\n", encoding="utf-8")
    result = cli("service", "import", str(good))
    assert result.exit_code == 0, result.stderr
    assert office.execute("SELECT sla_days, fee FROM services WHERE code = 'SMA-KIP'"
                          ).fetchone() == (2, 0)


# --- years 0001 and 9998-9999 ----------------------------------------------------------

_FAR_YEARS = ["0001-01-01", "9998-12-31", "9999-12-31"]


@pytest.mark.parametrize("day", _FAR_YEARS)
def test_far_years_are_refused_by_every_command_in_one_sentence(office, cli, day):
    expected = f"The date {day} is outside the years 1900-2100; check the year."
    for args in (["request", "add", "--service", "SMA-LEG", "--received", day,
                  "--requester", "Ani"],
                 ["summary", "--date", day],
                 ["finding", "add", "--clause", "8.5.1", "--grade", "minor",
                  "--description", "Arsip tidak lengkap", "--raised", day],
                 ["finding", "add", "--clause", "8.5.1", "--grade", "minor",
                  "--description", "Arsip tidak lengkap", "--due", day]):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stderr, result.exception)
        assert expected in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    period = cli("audit", "--period", day[:7], "--no-input")
    assert period.exit_code == 2, (period.stderr, period.exception)
    assert "is outside the years 1900-2100" in period.stderr
    assert _requests_in(office) == 0


def _requests_in(db) -> int:
    return db.execute("SELECT count(*) FROM requests").fetchone()[0]


def test_far_years_in_an_import_name_their_rows(office, cli, tmp_path):
    path = tmp_path / "permohonan.csv"
    path.write_text("No. Registrasi;Tgl Masuk;Kode Layanan;Nama Pemohon\n"
                    "A/1;31/12/9999;SMA-LEG;Ani\n"
                    "A/2;01/01/0001;SMA-LEG;Budi\n"
                    "A/3;9998-06-30;SMA-LEG;Citra\n"
                    "A/4;31/12/1899;SMA-LEG;Dewi\n"
                    "A/5;03/11/2026;SMA-LEG;Eka\n", encoding="utf-8")
    result = cli("request", "import", str(path))
    assert result.exit_code == 1, (result.stderr, result.exception)
    assert "4 invalid rows, nothing was imported" in result.stderr
    for row, day in ((2, "9999-12-31"), (3, "0001-01-01"), (4, "9998-06-30"),
                     (5, "1899-12-31")):
        assert (f"row {row}, column Tgl Masuk: The received date {day} is outside the "
                "years 1900-2100") in result.stderr
    skipped = cli("request", "import", str(path), "--skip-invalid")
    assert skipped.exit_code == 0, skipped.stderr
    assert _requests_in(office) == 1


def test_the_parser_keeps_dates_within_1900_to_2100():
    from datetime import date

    from qmstrack import parsing, periods
    from qmstrack.errors import InvalidInput

    assert (parsing.FIRST_YEAR, parsing.LAST_YEAR) == (periods.FIRST_YEAR, periods.LAST_YEAR)
    assert parsing.parse_date("01/01/1900") == date(1900, 1, 1)
    assert parsing.parse_date("31 Desember 2100") == date(2100, 12, 31)
    for value in ("31/12/1899", "2101-01-01", date(1, 1, 1), "1 Januari 0001"):
        with pytest.raises(InvalidInput, match="outside the years 1900-2100"):
            parsing.parse_date(value)


# --- the formula guard: what LibreOffice still evaluates --------------------------------

# Each would show 42 if a spreadsheet ran it.
_SNEAKY = {"space": " =6*7", "spaces": "   =6*7", "zwsp": "\u200b=6*7",
           "fullwidth": "\uff1d6*7", "tab": "\t=6*7", "lf": "\n=6*7", "nbsp": "\u00a0=6*7",
           "plus": " +6*7", "minus": " -6*7+84", "at": " @SUM(6*7)", "bom": "\ufeff=6*7",
           "plain": "=6*7", "trailing": "=6*7 "}


def _calc_to_csv(files: list[Path], out: Path, profile: Path, *, infilter: str | None) -> None:
    import shutil

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is needed: .ci/run installs libreoffice-calc"
    args = [soffice, f"-env:UserInstallation=file://{profile}", "--headless"]
    if infilter:
        args.append(f"--infilter={infilter}")
    subprocess.run([*args, "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,"
                    "false,true,false,false,false,-1", "--outdir", str(out),
                    *map(str, files)], check=True, capture_output=True, timeout=180)


def test_libreoffice_evaluates_nothing_qmstrack_writes(office, cli, tmp_path):
    """The rejects files (cells exactly as read) and the list outputs, opened by Calc with
    "Trim spaces" and "Evaluate formulas" on: no cell shows 42, each shows its text."""
    import openpyxl

    from qmstrack.csvsafe import spreadsheet_safe

    header = ["No. Registrasi", "Tgl Masuk", "Kode Layanan", "Nama Pemohon"]
    rows = [[f"BAD/{name}", "bukan tanggal", "SMA-LEG", text]
            for name, text in _SNEAKY.items()]
    source_csv = tmp_path / "permohonan.csv"
    with source_csv.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    source_xlsx = tmp_path / "permohonan.xlsx"
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    for cell in book.active["D"]:
        cell.data_type = "s"  # text cells, as a clerk's workbook holds them
    book.save(source_xlsx)
    for source in (source_csv, source_xlsx):
        result = cli("request", "import", str(source), "--skip-invalid")
        assert result.exit_code == 0, result.stderr
    for name, text in _SNEAKY.items():
        if text.strip():
            assert cli("request", "add", "--service", "SMA-LEG", "--received", "2026-11-02",
                       "--requester", f"{text} ({name})").exit_code == 0
    listed_csv = tmp_path / "daftar.csv"
    listed_csv.write_text(cli("request", "list", "--csv", "--delimiter", ",").stdout,
                          encoding="utf-8")
    listed_xlsx = tmp_path / "daftar.xlsx"
    assert cli("request", "list", "--xlsx", str(listed_xlsx)).exit_code == 0

    out = tmp_path / "calc"
    # Comma, quote, UTF-8, from line 1, quoted fields as text off, special numbers on,
    # trim spaces on, evaluate formulas on.
    _calc_to_csv([source_csv.with_name("permohonan.csv.rejects.csv"), listed_csv], out,
                 tmp_path / "profile", infilter="CSV:44,34,76,1,,0,false,true,false,false,"
                 "true,,true")
    _calc_to_csv([source_xlsx.with_name("permohonan.xlsx.rejects.xlsx"), listed_xlsx], out,
                 tmp_path / "profile", infilter=None)
    converted = sorted(out.glob("*.csv"))
    assert len(converted) == 4, converted
    for path in converted:
        cells = [c for row in csv.reader(path.open(encoding="utf-8-sig")) for c in row]
        assert "42" not in cells and "42 " not in cells, (path.name, cells)
        shown = sum("6*7" in c for c in cells)
        assert shown >= len(_SNEAKY) - 1, (path.name, shown, cells)
    for text in _SNEAKY.values():
        assert spreadsheet_safe(text) == "'" + text


# --- Datasette: the demo served read-only, with no secret -------------------------------


def _served(db_file: Path, paths: list[str]) -> dict[str, tuple[int, str]]:
    """Serve ``db_file`` with the shipped metadata through Datasette's own ASGI client, as
    ``datasette serve --immutable qmstrack.db -m metadata.yaml`` does; GET each path."""
    import asyncio

    import yaml
    from datasette.app import Datasette

    import qmstrack

    metadata = yaml.safe_load((Path(qmstrack.__file__).parent / "datasette" / "metadata.yaml")
                              .read_text(encoding="utf-8"))

    async def fetch() -> dict[str, tuple[int, str]]:
        ds = Datasette(immutables=[str(db_file)], metadata=metadata)
        await ds.invoke_startup()
        found = {}
        for path in paths:
            response = await ds.client.get(path)
            found[path] = (response.status_code, response.text)
        return found

    return asyncio.run(fetch())


def _tables(db_file: Path) -> list[str]:
    conn = sqlite3.connect(db_file)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                           "'table' ORDER BY name")]
    finally:
        conn.close()


def test_datasette_serves_every_table_of_the_demo_and_no_secret(cli, tmp_path):
    from qmstrack.secret_key import key_path, read_key

    db_file = tmp_path / "qmstrack.db"
    assert cli("demo", db=db_file).exit_code == 0
    assert cli("export", "--from", "2026-01-01", "--to", "2026-10-31", "--out",
               str(tmp_path / "bundle.zip"), "--redact", db=db_file).exit_code == 0
    secret = read_key(key_path(db_file))
    assert secret and key_path(db_file).stat().st_mode & 0o777 == 0o600
    tables = _tables(db_file)
    assert {"requests", "surveys", "findings", "settings", "change_log"} <= set(tables)
    paths = [f"/qmstrack/{t}.json?_shape=array&_size=max" for t in tables]
    queries = ["/qmstrack/overdue_requests.json?_shape=array",
               "/qmstrack/ikm_per_element.json?_shape=array&year=2026",
               "/qmstrack/open_findings.json?_shape=array"]
    sql = "/qmstrack.json?sql=select+*+from+change_log"
    served = _served(db_file, [*paths, *queries, sql, "/qmstrack.json"])
    for path, (_status, body) in served.items():
        assert secret not in body, path
    for table, path in zip(tables, paths, strict=True):
        status, body = served[path]
        if table == "change_log":
            assert status == 403, (path, status)
        else:
            assert status == 200, (path, status, body[:300])
    assert served[sql][0] in (400, 403)
    import json

    ikm = json.loads(served[queries[1]][1])
    assert ikm and all(0 < row["ikm"] <= 100 for row in ikm)
    assert all(row["status"] != "closed" for row in json.loads(served[queries[2]][1]))
    overdue = json.loads(served[queries[0]][1])
    assert all(row["days_late"] > 0 for row in overdue)


def test_an_older_database_key_moves_out_of_the_database(office, db_path, cli, tmp_path):
    """A database written before m013 holds the key in settings: the upgrade moves it to its
    file beside the database (0600) and removes the row; pseudonyms stay the same."""
    import json

    from qmstrack.db import open_db, writing
    from qmstrack.secret_key import key_path, read_key

    old_key = "ab" * 32
    with writing(office, "export --redact (pseudonym key created)"):
        office.table("settings").insert({"key": "pseudonym_secret",
                                         "value": json.dumps(old_key)})
    office.execute("DELETE FROM _sqlite_migrations WHERE name = "
                   "'m013_pseudonym_key_out_of_the_database'")
    office.conn.commit()
    office.close()
    assert not key_path(db_path).exists()
    upgraded = open_db(db_path)
    try:
        assert upgraded.execute("SELECT count(*) FROM settings WHERE key = "
                                "'pseudonym_secret'").fetchone()[0] == 0
    finally:
        upgraded.close()
    assert read_key(key_path(db_path)) == old_key
    assert key_path(db_path).stat().st_mode & 0o777 == 0o600
    check = cli("db", "check")
    assert check.exit_code == 0, check.stderr
    log = cli("log", "--table", "settings", "--json")
    assert old_key not in log.stdout and "(withheld)" in log.stdout
    # The backup carries the key beside it, owner-only.
    out = tmp_path / "backup.db"
    assert cli("db", "backup", str(out)).exit_code == 0
    assert read_key(key_path(out)) == old_key
    assert key_path(out).stat().st_mode & 0o777 == 0o600
    served_as = tmp_path / "qmstrack.db"  # the name the shipped metadata describes
    served_as.symlink_to(db_path)
    served = _served(served_as, [f"/qmstrack/{t}.json?_shape=array&_size=max"
                                 for t in _tables(db_path)])
    assert served["/qmstrack/change_log.json?_shape=array&_size=max"][0] == 403
    assert all(old_key not in body for _status, body in served.values())


def test_security_md_names_only_tests_that_exist():
    import re

    root = Path(__file__).parents[1]
    named = re.findall(r"`(tests/test_\w+\.py)::(test_\w+)`",
                       (root / "SECURITY.md").read_text(encoding="utf-8"))
    assert len(named) >= 25
    for path, name in named:
        assert f"\ndef {name}(" in (root / path).read_text(encoding="utf-8"), (path, name)


def test_far_years_in_a_form_timestamp_name_their_rows(office, cli, tmp_path):
    path = tmp_path / "skm.csv"
    scores = ";".join(["4"] * 9)
    path.write_text("Timestamp;Layanan;" + ";".join(f"U{i}" for i in range(1, 10)) + "\n"
                    f"9999/12/31 23:30:00 GMT-8;SMA-LEG;{scores}\n"
                    f"0001/01/01 00:10:00 GMT+8;SMA-LEG;{scores}\n"
                    f"2026/03/02 09:15:02 GMT+8;SMA-LEG;{scores}\n", encoding="utf-8")
    result = cli("survey", "import", str(path))
    assert result.exit_code == 1, (result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    assert "row 2, column Timestamp: The survey date 9999-12-31 is outside" in result.stderr
    assert "row 3, column Timestamp: The survey date 0001-01-01 is outside" in result.stderr
    assert office.execute("SELECT count(*) FROM surveys").fetchone()[0] == 0


def test_a_full_disk_while_the_database_is_copied_leaves_no_half_backup(office, db_path,
                                                                        tmp_path):
    office.close()
    out = tmp_path / "backups" / "qms-backup.db"
    out.parent.mkdir()
    assert os.path.getsize(db_path) > 100_000
    result = _limited(db_path, "db", "backup", str(out), fsize=50_000)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: Cannot write the backup {out}: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert list(out.parent.iterdir()) == []


def test_a_workbook_needing_an_unknown_zip_version_is_refused_in_one_sentence(office, cli,
                                                                             tmp_path):
    """Found by tests/test_properties.py: a central directory saying "zip 6.4 needed" made
    zipfile raise NotImplementedError, a traceback."""
    import openpyxl

    path = tmp_path / "permohonan.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["No. Registrasi", "Tgl Masuk", "Kode Layanan", "Nama Pemohon"])
    book.active.append(["A/1", "03/11/2026", "SMA-LEG", "Ani"])
    book.save(path)
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    data[entry + 6:entry + 8] = b"\x40\x00"  # version needed to extract: 6.4
    path.write_bytes(bytes(data))
    result = cli("request", "import", str(path))
    assert result.exit_code == 1, (result.stderr, result.exception)
    assert result.stderr.startswith(f"Error: {path} is not a readable XLSX workbook "
                                    "(NotImplementedError: zip file version 6.4)"), \
        result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _requests_in(office) == 0


def test_datasette_metadata_describes_every_table_and_labels_existing_columns(tmp_path):
    """Every table of a new database is described (or hidden) in the shipped metadata, and
    every label column named there exists, so a register added later cannot be served
    without a word for the head of office."""
    import yaml

    import qmstrack
    from qmstrack.db import open_db

    metadata = yaml.safe_load((Path(qmstrack.__file__).parent / "datasette"
                               / "metadata.yaml").read_text(encoding="utf-8"))
    described = metadata["databases"]["qmstrack"]["tables"]
    db_file = tmp_path / "qmstrack.db"
    open_db(db_file, create=True).close()
    conn = sqlite3.connect(db_file)
    try:
        for table in _tables(db_file):
            if table.startswith("sqlite_"):
                continue
            entry = described.get(table)
            assert entry is not None, f"{table} is not in the Datasette metadata"
            assert entry.get("hidden") or entry.get("description"), table
            if "label_column" in entry:
                columns = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
                assert entry["label_column"] in columns, (table, entry["label_column"])
    finally:
        conn.close()
