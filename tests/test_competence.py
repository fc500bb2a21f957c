"""Competence (ISO 9001:2015 7.2): required competences per position, training records,
the staff x competence matrix and competence.gaps; and the issue's "done when" on the demo:
the audit grades 6.1, 7.2, 7.5.2, 7.5.3 and 8.4 from the records, naming them."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from qmstrack.errors import InvalidInput, NotFound
from qmstrack.metrics import compute
from qmstrack.periods import Period
from qmstrack.registers.competence import (
    add_competence,
    add_training,
    competence_matrix,
    gap_evidence,
    import_trainings,
    require_competence,
)
from qmstrack.registers.staff import add_staff
from qmstrack.scope import Scope

BUDI = "198609262015051001"
SITI = "199001012019032002"
GUARD = "KEAMANAN-01"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


def state(db):
    return (db.execute("SELECT * FROM trainings ORDER BY id").fetchall(),
            db.execute("SELECT count(*) FROM change_log").fetchone()[0])


@pytest.fixture
def required(office):
    add_staff(office, nip=GUARD, name="Joko", unit="SMA", position="Pengadministrasi",
              employment="non-asn")
    add_competence(office, "prima", "Pelayanan prima")
    add_competence(office, "ARSIP", "Kearsipan")
    require_competence(office, "pengadministrasi", "PRIMA")
    require_competence(office, "Pengadministrasi", "ARSIP")
    require_competence(office, "Analis", "ARSIP")
    return office


def test_matrix_and_gaps_for_staff_of_every_employment_type(required, cli, tmp_path):
    assert compute(required, "competence.gaps", YEAR, Scope()) == 5
    certificate = tmp_path / "sertifikat.pdf"
    certificate.write_bytes(b"%PDF certificate")
    result = cli("competence", "train", "--staff", "19860926 201505 1 001", "--title",
                 "Bimtek pelayanan prima", "--on", "2026-03-16", "--competence", "prima",
                 "--hours", "16", "--certificate", str(certificate), "--effectiveness",
                 "efektif", "--evaluated", "2026-05-15")
    assert result.exit_code == 0, result.stderr
    add_training(required, staff=GUARD, title="Diklat kearsipan", held_on="2026-02-02",
                 competence="ARSIP", hours="24", effectiveness="tidak efektif",
                 evaluated_on="2026-04-01")
    add_training(required, staff=SITI, title="Diklat kearsipan", held_on="2026-02-02",
                 competence="ARSIP", hours=24)
    grid = competence_matrix(required, on=date(2026, 6, 30))
    cells = {r["staff_nip"]: r["cells"] for r in grid["rows"]}
    assert cells == {BUDI: {"ARSIP": False, "PRIMA": True},
                     GUARD: {"ARSIP": False, "PRIMA": False},
                     SITI: {"ARSIP": True}}
    assert grid["gaps"] == 3
    assert compute(required, "competence.gaps", YEAR, Scope(("SMA",))) == 3
    # Before its evaluation the guard's course still counted.
    assert compute(required, "competence.gaps", Period(date(2026, 3, 1),
                                                       date(2026, 3, 31)), Scope()) == 3 - 1
    assert gap_evidence(required, YEAR, Scope(("SMP",))) == []
    assert f"{GUARD} Joko (Pengadministrasi): ARSIP Kearsipan" in gap_evidence(
        required, YEAR, Scope())
    table = cli("competence", "matrix", "--unit", "SMA", "--on", "2026-06-30")
    assert "GAP" in table.stdout and "ok" in table.stdout
    stored = required.execute("SELECT certificate_sha256 FROM trainings WHERE staff_nip = ?",
                              [BUDI]).fetchone()[0]
    assert stored is not None


def test_bad_input_is_refused_and_nothing_written(required, cli):
    add_training(required, staff=BUDI, title="Bimtek", held_on="2026-03-16")
    before = state(required)
    for args, text in [
        (["--staff", "199202022020121004", "--title", "X", "--on", "2026-03-01"],
         "no staff member"),
        (["--staff", BUDI, "--title", "X", "--on", "2026-03-01", "--competence", "NOPE"],
         "no competence 'NOPE'"),
        (["--staff", BUDI, "--title", "X", "--on", "2026-03-01", "--hours", "-2"],
         "not between 0 and 2000"),
        (["--staff", BUDI, "--title", "X", "--on", "2026-03-01", "--effectiveness", "lumayan"],
         "not effective or not effective"),
        (["--staff", BUDI, "--title", "X", "--on", "2026-03-01", "--evaluated",
          "2026-02-01", "--effectiveness", "efektif"], "before the training"),
        (["--staff", BUDI, "--title", "X", "--on", "2099-03-01"], "in the future"),
    ]:
        result = cli("competence", "train", *args)
        assert result.exit_code == 1, (args, result.stderr)
        assert text in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    with pytest.raises(NotFound):
        require_competence(required, "Analis", "NOPE")
    with pytest.raises(InvalidInput, match="No staff member holds the position"):
        require_competence(required, "Juru masak", "ARSIP")
    assert state(required) == before


def test_import_of_training_records(required, cli, tmp_path):
    path = tmp_path / "diklat.csv"
    path.write_text("NIP;Pelatihan;Tanggal;Kompetensi;JP;Efektivitas;Tanggal Evaluasi\n"
                    f"{BUDI};Diklat kearsipan;02/02/2026;ARSIP;24;efektif;01/04/2026\n"
                    f"{GUARD};Bimtek prima;16/03/2026;PRIMA;16;;\n", encoding="utf-8")
    assert import_trainings(required, path).inserted == 2
    before = state(required)
    assert import_trainings(required, path).unchanged == 2
    assert state(required) == before
    bad = tmp_path / "bad.csv"
    bad.write_text("NIP;Pelatihan;Tanggal;Kompetensi;JP\n"
                   f"{BUDI};Baik;02/02/2026;ARSIP;8\n"
                   "199202022020121004;Orang asing;02/02/2026;ARSIP;8\n"
                   f"{BUDI};Kompetensi asing;02/02/2026;MASAK;8\n"
                   f"{BUDI};Jam;02/02/2026;ARSIP;banyak\n", encoding="utf-8")
    result = cli("competence", "import", str(bad))
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    for fragment in ("row 3, column NIP: There is no staff member",
                     "row 4, column Kompetensi: There is no competence 'MASAK'",
                     "row 5, column JP:"):
        assert fragment in text, (fragment, result.stderr)
    assert state(required) == before


# --- the "done when", on the demo ------------------------------------------------

GRADED = {"6.1.2-b": "R-SEK-001", "7.2-b": "198402282009031004 Rudi Hartono",
          "7.5.2-a": "SOP/SEK/02", "7.5.2-c": "REK-PLT-2026",
          "7.5.3.1-b": "NTM-2026", "8.4.1-b": "IT-01 PT Borneo Net Media"}


def test_the_demo_audit_grades_the_new_clauses_from_the_records(cli, tmp_path):
    path = tmp_path / "demo.db"
    assert cli("demo", db=path).exit_code == 0
    result = cli("audit", "--period", "2026-10", "--no-input", "--out", str(tmp_path / "r"),
                 db=path)
    assert result.exit_code in (0, 3), result.stderr
    conn = sqlite3.connect(path)
    rows = {item: (grade, evidence) for item, grade, evidence in conn.execute(
        "SELECT item_id, grade, evidence FROM audit_results")}
    for item, named in GRADED.items():
        grade, evidence = rows[item]
        assert grade in ("minor", "observation"), (item, grade)
        assert named in evidence, (item, evidence)
    conn.close()
    out = tmp_path / "bundle"
    assert cli("export", "--from", "2026-01-01", "--to", "2026-10-31", "--out", str(out),
               db=path).exit_code == 0
    registers = out / "data" / "registers"
    for name in ("documents", "providers", "provider_evaluations", "risks", "competences",
                 "position_competences", "trainings"):
        assert json.loads((registers / f"{name}.json").read_text("utf-8")), name
