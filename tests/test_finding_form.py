"""``qmstrack finding form``: the corrective-action request (PTK/CAR) of one finding, as a
Word document that LibreOffice Writer opens, and as a PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from qmstrack.db import set_setting, writing
from qmstrack.findings import plan_finding, raise_finding

REF = "F-2026-004"


@pytest.fixture
def finding(office):
    with writing(office):
        set_setting(office, "org_name", "Dinas Pendidikan Provinsi Kalimantan Timur")
        set_setting(office, "org_address", "Jl. Basuki Rahmat No. 1, Samarinda")
        set_setting(office, "doc_number", {"finding_form": "FM-SPMI-11"})
        set_setting(office, "doc_revision", "01")
    raise_finding(office, clause_ref="7.5.3", grade="minor", unit="SMA", ref_no=REF,
                  description="Arsip legalisir <2025> belum diberi kode klasifikasi",
                  raised_on=date(2026, 3, 12))
    plan_finding(office, REF, action="Beri kode pada arsip 2025",
                 due="2026-05-11", root_cause="SOP kearsipan belum disosialisasikan",
                 correction="Arsip Maret diberi kode", owner="198609262015051001",
                 on=date(2026, 3, 14))
    return office


def to_pdf_with_writer(docx: Path, out: Path) -> str:
    """LibreOffice Writer (headless) converts the DOCX; the PDF's text."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice Writer is needed: .ci/run installs libreoffice-writer"
    profile = out / "profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = out / (docx.stem + ".pdf")
    assert pdf.is_file(), "Writer did not convert the document"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    return " ".join(text.split())  # a table cell's text wraps inside its column


def test_the_docx_form_opens_in_libreoffice_writer(cli, finding, tmp_path):
    out = tmp_path / "forms"
    result = cli("finding", "form", REF, "--format", "docx", "--out", str(out))
    assert result.exit_code == 0, result.output
    docx = Path(result.stdout.strip())
    assert docx == out / f"ptk-{REF}-id.docx"
    text = to_pdf_with_writer(docx, tmp_path)
    for expected in ["DINAS PENDIDIKAN PROVINSI KALIMANTAN TIMUR",
                     "Jl. Basuki Rahmat No. 1, Samarinda", "FM-SPMI-11 revisi 01",
                     "Permintaan Tindakan Koreksi (PTK)", REF, "ISO 9001:2015 7.5.3",
                     "Minor", "Arsip legalisir <2025> belum diberi kode klasifikasi",
                     "SOP kearsipan belum disosialisasikan", "Arsip Maret diberi kode",
                     "Beri kode pada arsip 2025", "Budi Santoso",
                     "Auditor internal", "Auditi (kepala unit)"]:
        assert expected in text, expected


def test_the_english_docx_and_the_pdf_form(cli, finding, tmp_path):
    out = tmp_path / "forms"
    result = cli("finding", "form", REF, "--format", "docx", "--out", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    text = to_pdf_with_writer(out / f"ptk-{REF}-en.docx", tmp_path)
    assert "Corrective action request" in text and "Root cause" in text
    result = cli("finding", "form", REF, "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    pdf = out / f"ptk-{REF}-id.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    from tests.test_reports import assert_no_text_past_the_page_box

    pages = assert_no_text_past_the_page_box(pdf)
    assert "FM-SPMI-11" in pages[0]["text"] and "Halaman 1 dari" in pages[0]["text"]


def test_the_form_of_an_unknown_finding_or_format_is_refused(cli, finding, tmp_path):
    out = tmp_path / "forms"
    missing = cli("finding", "form", "F-2099-999", "--out", str(out))
    assert missing.exit_code == 1 and "There is no finding" in missing.stderr
    wrong = cli("finding", "form", REF, "--format", "odt", "--out", str(out))
    assert wrong.exit_code == 2 and "use docx or pdf" in wrong.stderr
    assert not out.exists() or not list(out.iterdir())


# --- the minutes of a management review ----------------------------------------------


def test_the_review_minutes_open_in_libreoffice_writer(cli, finding, tmp_path):
    result = cli("review", "record", "--date", "2026-06-15", "--chair", "Kepala Dinas",
                 "--attendee", "Wakil Manajemen Mutu", "--attendee", "Kepala Bidang SMA",
                 "--decision", "Tambah petugas loket", "--owner", "198609262015051001",
                 "--due", "2026-08-31")
    assert result.exit_code == 0, result.output
    review_id = result.stdout.strip()
    out = tmp_path / "minutes"
    result = cli("review", "minutes", review_id, "--out", str(out))
    assert result.exit_code == 0, result.output
    docx = Path(result.stdout.strip())
    assert docx == out / f"notulen-{review_id}-2026-06-15-id.docx"
    text = to_pdf_with_writer(docx, tmp_path)
    for expected in ["Notulen rapat tinjauan manajemen", "Senin, 15 Juni 2026",
                     "Kepala Dinas", "Daftar hadir", "Wakil Manajemen Mutu",
                     "Kepala Bidang SMA", "Keputusan dan tindakan (ISO 9001:2015, 9.3.3)",
                     "Tambah petugas loket", "Budi Santoso", "31 Agu 2026", "Notulis"]:
        assert expected in text, expected
    result = cli("review", "minutes", review_id, "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    from tests.test_reports import assert_no_text_past_the_page_box

    pages = assert_no_text_past_the_page_box(Path(result.stdout.strip()))
    assert "Daftar hadir" in pages[0]["text"]
    missing = cli("review", "minutes", "999", "--out", str(out))
    assert missing.exit_code == 1 and "There is no management review 999" in missing.stderr
