"""Documents as the master list (daftar induk dokumen): number, revision and its history,
approval, distribution, status; 'document revise'; the master list's import; the
documents.without_approval metric and the audit's evidence naming the documents."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.metrics import compute
from qmstrack.periods import Period
from qmstrack.registers.documents import (
    add_document,
    import_documents,
    parse_revision,
    revise_document,
    unapproved_evidence,
)
from qmstrack.scope import Scope

BUDI = "198609262015051001"
ANDI = "198512122010011003"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


def state(db):
    return (db.execute("SELECT * FROM documents ORDER BY id").fetchall(),
            db.execute("SELECT count(*) FROM change_log").fetchone()[0])


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def sop(office):
    add_document(office, type="sop", title="SOP legalisir", clause="8.5.1", unit="SMA",
                 number="SOP/SMA/01", revision="0", drafted="2025-12-01",
                 approved_by=ANDI, approved_on="2026-01-05", distribution="SMA; SMP",
                 review_every="12m", today=date(2026, 6, 1))
    return office


def test_parse_revision():
    assert parse_revision("2") == "02"
    assert parse_revision("Rev. 03") == "03"
    assert parse_revision(1.0) == "01"
    assert parse_revision("b") == "B"
    with pytest.raises(InvalidInput, match="not like 00"):
        parse_revision("02 final")


def test_revise_supersedes_and_keeps_the_old_revision_readable(sop, cli, tmp_path):
    new = tmp_path / "sop-rev01.pdf"
    new.write_bytes(b"%PDF-1.4 rev 01")
    result = cli("document", "revise", "sop/sma/01", "--file", str(new), "--revision", "01",
                 "--approved-by", "19851212 201001 1 003", "--on", "2026-03-02",
                 "--drafted", "2026-02-20")
    assert result.exit_code == 0, result.stderr
    assert "Document SOP/SMA/01 revision 01 in force from 2026-03-02; revision 00 is " \
        "obsolete." in result.stderr
    shown = json.loads(cli("document", "show", "SOP/SMA/01", "--json").stdout)
    assert (shown["revision"], shown["status"], shown["approved_by"]) == ("01", "in_force",
                                                                         ANDI)
    assert shown["distribution"] == "SMA, SMP" and shown["review_due_on"] == "2027-03-02"
    assert shown["file"]["original_name"] == "sop-rev01.pdf"
    assert [(r["revision"], r["status"], r["withdrawn_on"]) for r in shown["revisions"]] == [
        ("00", "obsolete", "2026-03-02"), ("01", "in_force", None)]
    old = json.loads(cli("document", "show", str(shown["revisions"][0]["id"]),
                         "--json").stdout)
    assert old["status"] == "obsolete" and old["approved_on"] == "2026-01-05"
    # The master list shows the revision in force; --withdrawn the history too.
    listed = json.loads(cli("document", "list", "--json").stdout)
    assert [(r["number"], r["revision"]) for r in listed] == [("SOP/SMA/01", "01")]
    everything = json.loads(cli("document", "list", "--withdrawn", "--json").stdout)
    assert [r["status"] for r in everything] == ["obsolete", "in_force"]
    out = tmp_path / "daftar-induk.xlsx"
    assert cli("document", "list", "--xlsx", str(out)).exit_code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert {"number", "revision", "approved_by", "distribution", "status"} <= set(header)
    assert sheet.cell(2, header.index("number") + 1).value == "SOP/SMA/01"


def test_revise_refuses_and_writes_nothing(sop, cli, tmp_path):
    before = state(sop)
    for args, code, text in [
        (["SOP/SMA/01", "--revision", "00"], 1, "does not come after revision 00"),
        (["SOP/SMA/01", "--revision", "Rev 1x!"], 1, "not like 00"),
        (["SOP/SMA/09", "--revision", "01"], 1, "no document numbered SOP/SMA/09"),
        (["SOP/SMA/01", "--revision", "01", "--drafted", "2026-03-05"], 1,
         "the approval date 2026-03-02 is before the draft date 2026-03-05"),
        (["SOP/SMA/01", "--revision", "01", "--on", "2025-12-31"], 1,
         "is before revision 00 was issued"),
        (["SOP/SMA/01", "--revision", "01", "--approved-by", "199202022020121004"], 1,
         "no staff member"),
        (["SOP/SMA/01", "--revision", "01", "--on", "besok"], 2, "--on"),
    ]:
        options = {"--on": "2026-03-02", "--approved-by": BUDI}
        extra = []
        for name, value in options.items():
            if name not in args:
                extra += [name, value]
        result = cli("document", "revise", *args, *extra)
        assert result.exit_code == code, (args, result.stderr)
        assert text in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert state(sop) == before


def test_add_refuses_a_taken_number_and_bad_approval(sop):
    before = state(sop)
    with pytest.raises(Conflict, match="revision 00 is already registered"):
        add_document(sop, type="sop", title="Lagi", clause="8.5.1", number="SOP/SMA/01")
    with pytest.raises(Conflict, match="already has revision 00 in force"):
        add_document(sop, type="sop", title="Lagi", clause="8.5.1", number="SOP/SMA/01",
                     revision="01")
    with pytest.raises(InvalidInput, match="needs both the approver and the approval date"):
        add_document(sop, type="sop", title="X", clause="8.5.1", number="X-1",
                     approved_by=BUDI)
    with pytest.raises(InvalidInput, match="no unit 'NOPE'"):
        add_document(sop, type="sop", title="X", clause="8.5.1", distribution="SMA, NOPE")
    with pytest.raises(NotFound):
        revise_document(sop, None, "X-9", revision="01", approved_by=BUDI, on="2026-01-01")
    assert state(sop) == before


def test_without_approval_metric_and_its_evidence(sop):
    add_document(sop, type="form", title="Formulir permohonan", clause="8.2.1",
                 number="FRM-01", issued="2026-02-01", today=date(2026, 6, 1))
    add_document(sop, type="sop", title="Konsep SOP baru", clause="8.5.1", number="SOP-9",
                 status="draft", today=date(2026, 6, 1))
    assert compute(sop, "documents.without_approval", YEAR, Scope()) == 1
    assert compute(sop, "documents.without_approval",
                   Period(date(2026, 1, 1), date(2026, 1, 31)), Scope()) == 0
    assert unapproved_evidence(sop, YEAR, Scope()) == ["FRM-01 rev. 00 Formulir permohonan"]


MASTER_LIST = (
    "No;No Dokumen;Revisi;Judul;Jenis;Klausul;Unit Pemilik;Disahkan Oleh;Tanggal Pengesahan;"
    "Masa Tinjau;Distribusi;Status\n"
    f"1;PM-01;2;Pedoman Mutu;prosedur;4.4;;{ANDI};06/01/2026;24 bulan;SMA, SMP;berlaku\n"
    f"2;SOP/SMA/02;0;SOP mutasi siswa;sop;8.5.1;SMA;{ANDI};10/01/2026;12m;SMA;berlaku\n"
    "3;FRM-02;1;Formulir pengaduan;formulir;8.2.1;SEKRETARIAT;;;12m;;berlaku\n"
)


def test_master_list_import_and_reimport(office, cli, tmp_path):
    path = write(tmp_path, "daftar-induk.csv", MASTER_LIST)
    report = import_documents(office, path)
    assert (report.inserted, report.updated, report.unchanged) == (3, 0, 0)
    rows = office.execute("SELECT number, revision, type, unit, approved_by, distribution, "
                          "review_months, status FROM documents ORDER BY number").fetchall()
    assert rows == [
        ("FRM-02", "01", "form", "SEKRETARIAT", None, "", 12, "in_force"),
        ("PM-01", "02", "procedure", None, ANDI, "SMA, SMP", 24, "in_force"),
        ("SOP/SMA/02", "00", "sop", "SMA", ANDI, "SMA", 12, "in_force")]
    before = state(office)
    assert import_documents(office, path).unchanged == 3
    assert state(office) == before
    # The next year's list: PM-01 at revision 03 supersedes 02, which stays as obsolete.
    path.write_text(MASTER_LIST.replace("PM-01;2;", "PM-01;3;").replace("06/01/2026",
                                                                       "02/03/2026"),
                    encoding="utf-8")
    report = import_documents(office, path)
    assert (report.inserted, report.unchanged) == (1, 2)
    assert office.execute("SELECT revision, status, withdrawn_on FROM documents WHERE "
                          "number = 'PM-01' ORDER BY id").fetchall() == [
        ("02", "obsolete", "2026-03-02"), ("03", "in_force", None)]


def test_master_list_import_refuses_every_bad_row_and_writes_nothing(office, cli, tmp_path):
    import_documents(office, write(tmp_path, "a.csv", MASTER_LIST))
    before = state(office)
    path = write(tmp_path, "b.csv",
                 "No Dokumen;Revisi;Judul;Jenis;Klausul;Disahkan Oleh;Tanggal Draf;"
                 "Tanggal Pengesahan;Status\n"
                 f"PM-01;1;Pedoman Mutu;prosedur;4.4;{ANDI};;05/01/2026;berlaku\n"
                 f"SOP-X;0;SOP X;sop;8.5.1;{ANDI};10/02/2026;01/02/2026;berlaku\n"
                 "SOP-Y;0;SOP Y;sop;8.5.1;199202022020121004;;01/02/2026;berlaku\n"
                 "SOP-Z;0;SOP Z;kitab;8.5.1;;;;entah\n"
                 ";0;Tanpa nomor;sop;8.5.1;;;;\n"
                 f"SOP-W;0;SOP W;sop;8.5.1;{ANDI};;01/02/2026;berlaku\n"
                 f"SOP-W;1;SOP W;sop;8.5.1;{ANDI};;02/02/2026;berlaku\n")
    result = cli("document", "import", str(path))
    assert result.exit_code == 1, result.stderr
    for text in ["row 2, column Revisi: revision 01 of PM-01 goes back: revision 02 is in "
                 "force",
                 "row 3, column Tanggal Pengesahan: the approval date 2026-02-01 is before "
                 "the draft date 2026-02-10",
                 "row 4, column Disahkan Oleh: There is no staff member",
                 "row 5, column Jenis:", "row 5, column Status:",
                 "row 6, column No Dokumen: is empty",
                 "row 8, column Status: SOP-W has revision 00 in force earlier in the file"]:
        assert text in " ".join(result.stderr.split()), (text, result.stderr)
    assert state(office) == before


# --- the migration and the installed executable ------------------------------------------


def test_migration_keeps_the_documents_and_db_check_holds(tmp_path, cli):
    import sqlite3

    import sqlite_utils

    from qmstrack.db import open_db, writing
    from qmstrack.migrations import migration_set

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    old = sqlite_utils.Database(conn)
    migration_set().apply(old, stop_before="m011_master_list_and_new_registers")
    with writing(old, "old version"):
        old["documents"].insert_all([
            {"type": "sop", "title": "SOP lama", "clause": "8.5.1", "issued_on": "2024-01-02",
             "review_months": 12, "review_due_on": "2025-01-02", "withdrawn_on": None},
            {"type": "form", "title": "Formulir lama", "clause": "8.2.1",
             "issued_on": "2024-01-02", "review_months": None, "review_due_on": None,
             "withdrawn_on": "2025-03-01"}])
    conn.close()
    db = open_db(path)
    try:
        assert db.execute("SELECT title, number, revision, status, distribution FROM "
                          "documents ORDER BY id").fetchall() == [
            ("SOP lama", None, "", "in_force", ""), ("Formulir lama", None, "", "withdrawn", "")]
    finally:
        db.close()
    check = cli("db", "check", db=path)
    assert check.exit_code == 0, check.output


def test_revise_through_the_installed_executable(tmp_path, run_installed):
    db = str(tmp_path / "qms.db")
    steps = [
        ["init", "--org", "Kantor Uji", "--lang", "en"],
        ["unit", "add", "SMA"],
        ["staff", "add", "--nip", ANDI, "--name", "Andi", "--unit", "SMA"],
        ["document", "add", "--number", "SOP/SMA/01", "--type", "sop", "--title", "SOP",
         "--clause", "8.5.1", "--issued", "2026-01-05", "--approved-by", ANDI,
         "--approved-on", "2026-01-05"],
        ["document", "revise", "SOP/SMA/01", "--revision", "01", "--approved-by", ANDI,
         "--on", "2026-03-02"],
    ]
    for args in steps:
        result = run_installed("--db", db, *args)
        assert result.returncode == 0, (args, result.stderr)
    back = run_installed("--db", db, "document", "revise", "SOP/SMA/01", "--revision", "00",
                         "--approved-by", ANDI, "--on", "2026-03-03")
    assert back.returncode == 1
    assert back.stderr.strip().splitlines() == [
        "Error: Revision 00 of SOP/SMA/01 does not come after revision 01, the latest on "
        "record."]
