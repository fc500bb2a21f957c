"""``qmstrack audit plan letter``: the notification letter of a month's planned internal
audits (surat pemberitahuan audit internal), as DOCX that LibreOffice Writer opens and as
PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmstrack.db import set_setting, writing
from tests.test_finding_form import to_pdf_with_writer

SITI = "199001012019032002"  # SMP
ANDI = "198512122010011003"  # SEKRETARIAT


@pytest.fixture
def planned(cli, office):
    with writing(office):
        set_setting(office, "org_name", "Dinas Pendidikan Provinsi Kalimantan Timur")
        set_setting(office, "org_address", "Jl. Basuki Rahmat No. 1, Samarinda")
        set_setting(office, "doc_number", {"audit_letter": "005/AMI/{year}"})
        set_setting(office, "doc_revision", "00")
    for args in (["--clauses", "7.5,8.5", "--unit", "SMA", "--auditor", SITI],
                 ["--clauses", "9.1", "--unit", "SMP", "--auditor", ANDI]):
        done = cli("audit", "plan", "set", "--month", "2027-02", *args)
        assert done.exit_code == 0, done.stderr
    return office


def test_the_docx_letter_opens_in_libreoffice_writer(cli, planned, tmp_path):
    out = tmp_path / "surat.docx"
    result = cli("audit", "plan", "letter", "--month", "2027-02", "--format", "docx",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()) == out
    text = to_pdf_with_writer(out, tmp_path)
    for expected in ["DINAS PENDIDIKAN PROVINSI KALIMANTAN TIMUR",
                     "Jl. Basuki Rahmat No. 1, Samarinda", "005/AMI/2027 revisi 00",
                     "Pemberitahuan Audit Internal", "Februari 2027", "Nomor",
                     "Perihal", "Audit internal bulan Februari 2027", "Kepada Yth.",
                     "Kepala Bidang Pembinaan SMA", "Kepala Bidang Pembinaan SMP",
                     "Jadwal audit", "SMA – Bidang Pembinaan SMA",
                     "7.5 Informasi terdokumentasi", "9.1", "Siti Rahma", "Andi Wijaya",
                     "1 Feb 2027 – 28 Feb 2027", "terima kasih", "Wakil Manajemen Mutu"]:
        assert expected in text, expected
    # No unit left out, none named twice.
    assert "Sekretariat" not in text


def test_one_unit_in_english_and_the_pdf_letter(cli, planned, tmp_path):
    out = tmp_path / "letter-en.docx"
    result = cli("audit", "plan", "letter", "--month", "2027-02", "--unit", "SMP",
                 "--out", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    text = to_pdf_with_writer(out, tmp_path)
    for expected in ["Internal audit notification", "February 2027", "Subject",
                     "Head of Bidang Pembinaan SMP", "Audit schedule", "9.1",
                     "Andi Wijaya", "Quality management representative"]:
        assert expected in text, expected
    assert "Bidang Pembinaan SMA" not in text and "Siti Rahma" not in text
    pdf = tmp_path / "surat.pdf"
    result = cli("audit", "plan", "letter", "--month", "2027-02", "--format", "pdf",
                 "--out", str(pdf))
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    from tests.test_reports import assert_no_text_past_the_page_box

    pages = assert_no_text_past_the_page_box(pdf)
    first = " ".join(pages[0]["text"].split())
    assert "005/AMI/2027" in first and "Halaman 1 dari" in first
    assert "Pemberitahuan Audit Internal" in first and "Kepala Bidang Pembinaan SMA" in first


@pytest.mark.parametrize("args, code, text", [
    (["--month", "2027-03"], 1, "No audit is planned in 2027-03; plan it with"),
    (["--month", "2027-02", "--unit", "SEKRETARIAT"], 1,
     "No audit is planned for SEKRETARIAT in 2027-02"),
    (["--month", "2027-13"], 2, "--month"),
    (["--month", "2027-02", "--unit", "MARS"], 2, "MARS"),
    (["--month", "2027-02", "--format", "odt"], 2, "use docx or pdf"),
])
def test_a_month_without_a_plan_or_bad_options_are_refused(cli, planned, tmp_path, args,
                                                           code, text):
    folder = tmp_path / "letters"
    folder.mkdir()
    result = cli("audit", "plan", "letter", *args, "--out", str(folder / "surat.docx"))
    assert result.exit_code == code, result.output
    assert text in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 4
    assert list(folder.iterdir()) == []


def test_the_letter_is_not_written_over_a_directory(cli, planned, tmp_path):
    folder = tmp_path / "letters"
    folder.mkdir()
    result = cli("audit", "plan", "letter", "--month", "2027-02", "--out", str(folder))
    assert result.exit_code == 2 and "--out" in result.stderr
    assert list(folder.iterdir()) == []
