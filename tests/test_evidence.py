"""The evidence store and the register of documented information."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import date

import pytest

from qmstrack import evidence
from qmstrack.errors import InvalidInput, NotFound
from qmstrack.evidence import evidence_path, sanitise_name, store_dir, store_file
from qmstrack.metrics import Period, Scope, compute
from qmstrack.periods import add_months
from qmstrack.registers.documents import (
    add_document,
    list_documents,
    parse_review_every,
    withdraw_document,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the store -------------------------------------------------------------------------


def test_store_file_is_content_addressed_read_only_and_deduplicated(db, db_path, tmp_path):
    source = tmp_path / "Notulen Rapat (final).pdf"
    source.write_bytes(b"%PDF-1.4 minutes")
    digest = store_file(db, db_path, source)
    assert digest == sha(b"%PDF-1.4 minutes")

    stored = evidence_path(db_path, digest)
    assert stored == tmp_path / "qms-evidence" / "sha256" / digest[:2] / digest
    assert stored.read_bytes() == b"%PDF-1.4 minutes"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o400
    for folder in (stored.parent, stored.parent.parent, store_dir(db_path)):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert source.exists(), "the original is copied, never moved"

    row = db["evidence_files"].get(digest)
    assert row["size"] == len(b"%PDF-1.4 minutes")
    assert row["original_name"] == "Notulen_Rapat_final_.pdf"
    assert row["media_type"] == "application/pdf"

    copy = tmp_path / "copy.pdf"
    copy.write_bytes(b"%PDF-1.4 minutes")
    assert store_file(db, db_path, copy) == digest
    assert db["evidence_files"].count == 1
    assert [p.name for p in stored.parent.iterdir()] == [digest]
    assert list((store_dir(db_path) / "tmp").iterdir()) == []


def test_store_file_refuses_directories_missing_and_huge_files(db, db_path, tmp_path,
                                                              monkeypatch):
    with pytest.raises(InvalidInput, match="is a directory"):
        store_file(db, db_path, tmp_path)
    with pytest.raises(NotFound, match="no file"):
        store_file(db, db_path, tmp_path / "nope.pdf")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)
    monkeypatch.setattr(evidence, "MAX_BYTES", 1024)
    with pytest.raises(InvalidInput, match="at most"):
        store_file(db, db_path, big)
    assert db["evidence_files"].count == 0


def test_store_file_repairs_a_damaged_copy(db, db_path, tmp_path):
    source = tmp_path / "a.txt"
    source.write_bytes(b"original")
    digest = store_file(db, db_path, source)
    stored = evidence_path(db_path, digest)
    stored.chmod(0o600)
    stored.write_bytes(b"tampered")
    assert store_file(db, db_path, source) == digest
    assert stored.read_bytes() == b"original"


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd"),
    ("..", "file"),
    (".hidden", "hidden"),
    ("C:\\Users\\x\\surat tugas.docx", "surat_tugas.docx"),
    ("laporan<script>.pdf", "laporan_script_.pdf"),
    ("", "file"),
])
def test_sanitise_name(name, expected):
    assert sanitise_name(name) == expected


def test_long_names_keep_their_extension():
    name = sanitise_name("a" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name) <= evidence.MAX_NAME


def test_evidence_path_refuses_anything_but_a_sha256(db_path):
    with pytest.raises(InvalidInput):
        evidence_path(db_path, "../../etc/passwd")


def test_store_file_keeps_a_malicious_original_name_harmless(db, db_path, tmp_path):
    source = tmp_path / "x.txt"
    source.write_bytes(b"x")
    digest = store_file(db, db_path, source, original_name="../../etc/passwd")
    assert db["evidence_files"].get(digest)["original_name"] == "passwd"


def test_copy_store_copies_the_files_beside_a_backup(db, db_path, tmp_path):
    source = tmp_path / "a.txt"
    source.write_bytes(b"evidence")
    digest = store_file(db, db_path, source)
    backup = tmp_path / "backup" / "qms-backup.db"
    backup.parent.mkdir()
    assert evidence.copy_store(db_path, backup) == evidence.CopiedStore(1, [])
    assert evidence_path(backup, digest).read_bytes() == b"evidence"
    assert evidence.copy_store(db_path, backup).copied == 0


# --- documents -------------------------------------------------------------------------


@pytest.mark.parametrize("text, months", [("12m", 12), ("6m", 6), ("1y", 12), ("24m", 24),
                                          ("12 bulan", 12), ("2 tahun", 24)])
def test_parse_review_every(text, months):
    assert parse_review_every(text) == months


@pytest.mark.parametrize("text", ["12", "monthly", "0m", "-1y", "12w"])
def test_parse_review_every_refuses(text):
    with pytest.raises(InvalidInput):
        parse_review_every(text)


@pytest.mark.parametrize("start, months, expected", [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2025, 3, 15), 24, date(2027, 3, 15)),
    (date(2025, 11, 30), 3, date(2026, 2, 28)),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_document_add_list_show(cli, office, db_path, tmp_path):
    policy = tmp_path / "kebijakan.pdf"
    policy.write_bytes(b"%PDF policy")
    result = cli("document", "add", "--type", "policy", "--title", "Kebijakan Mutu",
                 "--clause", "5.2", "--file", str(policy), "--issued", "2025-01-31",
                 "--review-every", "12m")
    assert result.exit_code == 0, result.output
    doc_id = result.stdout.strip()
    result = cli("document", "add", "--type", "sop", "--title", "SOP Legalisir",
                 "--clause", "8.5.1", "--unit", "SMA", "--issued", "2020-01-10",
                 "--review-every", "1y")
    assert result.exit_code == 0, result.output

    shown = json.loads(cli("document", "show", doc_id, "--json").stdout)
    assert shown["review_due_on"] == "2026-01-31"
    assert shown["file"]["sha256"] == sha(b"%PDF policy")
    assert shown["file"]["original_name"] == "kebijakan.pdf"
    assert evidence_path(db_path, shown["file"]["sha256"]).exists()

    listed = json.loads(cli("document", "list", "--json").stdout)
    assert [d["title"] for d in listed] == ["Kebijakan Mutu", "SOP Legalisir"]
    expired = json.loads(cli("document", "list", "--expired", "--json").stdout)
    assert "SOP Legalisir" in [d["title"] for d in expired]
    assert all(d["stale"] for d in expired)
    sops = cli("document", "list", "--type", "sop", "--csv", "--delimiter", ",").stdout.splitlines()
    assert sops[0].startswith("id,number,revision,type,title") and len(sops) == 2


def test_document_add_refuses_bad_input(cli, office, tmp_path):
    assert cli("document", "add", "--type", "memo", "--title", "x",
               "--clause", "7.5").exit_code == 2
    assert cli("document", "add", "--type", "sop", "--title", "x", "--clause", "7.5",
               "--review-every", "often").exit_code == 2
    result = cli("document", "add", "--type", "sop", "--title", "x", "--clause", "7.5",
                 "--file", str(tmp_path))
    assert result.exit_code == 1
    assert "is a directory" in result.output
    result = cli("document", "add", "--type", "sop", "--title", "x", "--clause", "7.5",
                 "--unit", "NOPE")
    assert result.exit_code == 1
    assert cli("document", "show", "99").exit_code == 1


def test_list_expired_and_stale_metric(office):
    today = date(2026, 6, 30)
    add_document(office, type="policy", title="Kebijakan", clause="5.2",
                 issued="2025-01-01", review_every="12m", today=today)       # due 2026-01-01
    add_document(office, type="sop", title="SOP SMA", clause="8.5.1", unit="SMA",
                 issued="2025-06-01", review_every="6m", today=today)        # due 2025-12-01
    add_document(office, type="sop", title="SOP SMP", clause="8.5.1", unit="SMP",
                 issued="2026-05-01", review_every="12m", today=today)       # due 2027-05-01
    old = add_document(office, type="form", title="Formulir lama", clause="7.5.3",
                       issued="2024-01-01", review_every="6m", today=today)  # due 2024-07-01
    add_document(office, type="record", title="Tanpa tinjauan", clause="7.5.3", today=today)
    withdraw_document(office, old["id"], on="2025-03-01", today=today)

    expired = [d["title"] for d in list_documents(office, expired=True, today=today)]
    assert expired == ["Kebijakan", "SOP SMA"]

    year = Period(date(2026, 1, 1), date(2026, 6, 30))
    assert compute(office, "documents.stale", year) == 2
    assert compute(office, "documents.stale", year, Scope(units=("SMP",))) == 1
    assert compute(office, "documents.stale", year, Scope(units=("SMA",))) == 2
    # The withdrawn form was still in force, and stale, at the end of 2024.
    assert compute(office, "documents.stale", Period(date(2024, 12, 1),
                                                     date(2024, 12, 31))) == 1


def test_document_review_and_withdraw(cli, office):
    cli("document", "add", "--type", "sop", "--title", "SOP", "--clause", "8.5.1",
        "--issued", "2020-01-01", "--review-every", "12m")
    result = cli("document", "review", "1", "--on", "2026-03-31")
    assert result.exit_code == 0, result.output
    shown = json.loads(cli("document", "show", "1", "--json").stdout)
    assert shown["review_due_on"] == "2027-03-31"
    assert cli("document", "withdraw", "1", "--on", "2026-04-01").exit_code == 0
    assert json.loads(cli("document", "list", "--json").stdout) == []
    assert len(json.loads(cli("document", "list", "--withdrawn", "--json").stdout)) == 1
    assert cli("document", "withdraw", "1").exit_code == 1
