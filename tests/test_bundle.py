"""``qmstrack export`` builds a BagIt bundle of a period; ``qmstrack verify`` checks one."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from datetime import date
from pathlib import Path

import bagit
import pytest

from qmstrack.changelog import GENESIS, entry_digest, seal_hash
from qmstrack.db import set_setting, writing
from qmstrack.evidence import evidence_path, store_file
from qmstrack.registers.adherence import add_observation
from qmstrack.registers.documents import add_document
from qmstrack.registers.requests import add_request, update_request

NAMES = ["Ani Lestari", "Bayu Pratama", "Citra Dewi", "Dodi Hermawan"]
CONTACTS = ["081234500001", "bayu@example.id", "081234500003", "081234500004"]
COMPLAINANT = ("Eko Saputra", "eko.saputra@example.id")
CHECKLIST_YAML = """\
id: iso9001-2015
title: Test checklist
standard: ISO 9001
edition: "2015"
version: 3
languages: [en, id]
clauses:
  - ref: "7.5"
    title: Documented information
    items:
      - id: 7.5-a
        question: Are the SOPs reviewed on time?
"""
CHECKLIST_SHA = hashlib.sha256(CHECKLIST_YAML.encode()).hexdigest()
TODAY = date.today().isoformat()


@pytest.fixture
def year(office, db_path, tmp_path):
    """A small year (2025) of records, plus a few outside it."""
    db = office
    with writing(db):
        set_setting(db, "org_name", "Dinas Pendidikan Provinsi Kalimantan Timur")
    refs = []
    for i, (name, contact) in enumerate(zip(NAMES, CONTACTS, strict=True)):
        service = "SMA-LEG" if i % 2 == 0 else "SMP-LEG"
        ref = f"R-2025-{i + 1:03d}"
        add_request(db, service=service, requester=name, contact=contact, ref=ref,
                    received=f"2025-0{i + 2}-03", channel="walk-in")
        refs.append(ref)
    update_request(db, "R-2025-001", status="completed", on="2025-02-05", rating=4)
    update_request(db, "R-2025-002", status="in_progress", on="2025-03-04")
    # Received before the period, still open in it: exported.
    add_request(db, service="SMA-LEG", requester="Ani Lestari", ref="R-2024-OPEN",
                received="2024-12-20")
    # Closed before the period, or received after it: not exported.
    add_request(db, service="SMA-LEG", requester="Fajar Nugroho", ref="R-2024-DONE",
                received="2024-11-01")
    update_request(db, "R-2024-DONE", status="completed", on="2024-11-05")
    add_request(db, service="SMA-LEG", requester="Gita Permata", ref="R-2026-LATE",
                received="2026-01-05")

    photo = tmp_path / "foto.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the logbook")
    photo_sha = store_file(db, db_path, photo, original_name="../../etc/passwd")
    add_observation(db, staff="198609262015051001", rule="SOP-LEG", result="comply",
                    on="2025-03-10", observer="WMM", evidence_sha256=photo_sha)
    add_observation(db, staff="199001012019032002", rule="SOP-ARSIP", result="breach",
                    on="2025-04-10", observer="WMM")

    policy = tmp_path / "kebijakan mutu.pdf"
    policy.write_bytes(b"%PDF quality policy")
    add_document(db, db_path, type="policy", title="Kebijakan <script>alert(1)</script>",
                 clause="5.2", file=policy, issued="2024-01-15", review_every="12m")
    add_document(db, type="sop", title="SOP Legalisir", clause="8.5.1", unit="SMA",
                 issued="2025-01-10", review_every="24m")

    with writing(db):
        db["audits"].insert({
            "id": 1, "period_start": "2025-06-01", "period_end": "2025-06-30",
            "scope": json.dumps(["SMA", "SMP"]), "checklist_id": "iso9001-2015",
            "checklist_version": 3, "checklist_sha256": CHECKLIST_SHA,
            "checklist_yaml": CHECKLIST_YAML, "lead_auditor": "WMM", "status": "open",
            "started_on": "2025-07-01"})
        db["audit_results"].insert({"audit_id": 1, "item_id": "7.5-a", "clause_ref": "7.5",
                                    "grade": "minor", "note": "SOP not reviewed"})
        db["findings"].insert({
            "id": 1, "ref_no": "F-2025-001", "audit_id": 1, "item_id": "7.5-a",
            "clause_ref": "7.5", "grade": "minor", "unit": "SMA",
            "description": "SOP legalisir belum ditinjau", "raised_on": "2025-07-01",
            "due_on": "2025-08-30", "evidence_sha256": photo_sha})
        db["finding_actions"].insert({
            "finding_id": 1, "action": "Tinjau SOP", "planned_on": "2025-07-02",
            "due_on": "2025-08-30"})
        db["findings"].insert({
            "id": 2, "ref_no": "F-2023-009", "clause_ref": "8.5", "grade": "observation",
            "description": "old and closed", "raised_on": "2023-02-01", "status": "closed",
            "closed_on": "2023-03-01"})
        db["complaints"].insert({
            "ref_no": "C-2025-001", "received_on": "2025-05-02", "channel": "SP4N-LAPOR!",
            "subject": "Legalisir lama sekali untuk Ani Lestari", "unit": "SMA",
            "complainant": COMPLAINANT[0], "contact": COMPLAINANT[1],
            "response_due_on": "2025-05-09", "responded_on": "2025-05-06",
            "response": "Mohon maaf Bapak Eko Saputra", "closed_on": "2025-05-06",
            "outcome": "resolved"})
    return {"photo_sha": photo_sha, "refs": refs}


def export(cli, out: Path, *args: str, start: str = "2025-01-01", end: str = "2025-12-31"):
    return cli("export", "--from", start, "--to", end, "--out", str(out), *args)


def payload_files(bag: Path) -> list[str]:
    return sorted(p.relative_to(bag / "data").as_posix()
                  for p in (bag / "data").rglob("*") if p.is_file())


def load_json(bag: Path, name: str) -> list[dict]:
    return json.loads((bag / "data" / "registers" / f"{name}.json").read_text("utf-8"))


# --- export and verify -----------------------------------------------------------------


def test_export_writes_a_valid_bag_of_the_period(cli, year, tmp_path):
    out = tmp_path / "bundle-2025"
    result = export(cli, out)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    exported_fingerprint = result.stderr.split("tagmanifest-sha256.txt): ")[1].strip()

    bagit.Bag(str(out)).validate()
    result = cli("verify", str(out))
    assert result.exit_code == 0, result.output
    files = payload_files(out)
    assert f"Bag valid: {len(files)} files" in result.stderr
    fingerprint = hashlib.sha256((out / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    assert fingerprint in result.stderr and fingerprint == exported_fingerprint

    info = bagit.Bag(str(out)).info
    assert info["Source-Organization"] == "Dinas Pendidikan Provinsi Kalimantan Timur"
    assert info["QMS-Period-Start"] == "2025-01-01"
    assert info["QMS-Period-End"] == "2025-12-31"
    assert info["QMS-Scope"] == "SEKRETARIAT, SMA, SMP"
    assert info["QMS-Standard"] == "ISO 9001:2015"
    assert info["QMS-Tool"].startswith("qmstrack ")
    assert info["Bagging-Date"] == TODAY
    assert info["External-Description"]
    assert info["Payload-Oxum"].endswith(f".{len(files)}")

    refs = [r["ref_no"] for r in load_json(out, "requests")]
    assert refs == ["R-2024-OPEN", *year["refs"]]
    # The steps between receipt and closing, of the period's requests only.
    events = load_json(out, "request_events")
    assert {e["request_id"] for e in events} <= {r["id"] for r in load_json(out, "requests")}
    assert all(e["status"] == "in_progress" for e in events)
    assert len(load_json(out, "adherence")) == 2
    assert [f["ref_no"] for f in load_json(out, "findings")] == ["F-2025-001"]
    assert len(load_json(out, "finding_actions")) == 1
    assert [c["ref_no"] for c in load_json(out, "complaints")] == ["C-2025-001"]
    assert len(load_json(out, "documents")) == 2
    audits = load_json(out, "audits")
    assert len(audits) == 1 and "checklist_yaml" not in audits[0]
    assert load_json(out, "audit_results")[0]["grade"] == "minor"

    checklist = out / "data" / "checklists" / f"iso9001-2015-v3-{CHECKLIST_SHA[:8]}.yaml"
    assert checklist.read_text("utf-8") == CHECKLIST_YAML
    # The audit's report, in both formats, linked from the index.
    report_html = out / "data" / "reports" / "audit-1-2025-06-id.html"
    report_md = out / "data" / "reports" / "audit-1-2025-06-id.md"
    assert "SOP not reviewed" in report_md.read_text("utf-8")
    assert "<html" in report_html.read_text("utf-8")
    index = (out / "data" / "index.html").read_text("utf-8")
    assert 'href="reports/audit-1-2025-06-id.html"' in index
    csv_head = (out / "data" / "registers" / "requests.csv").read_text("utf-8-sig")
    assert csv_head.splitlines()[0].startswith("id,ref_no,received_on")

    # The index links every other payload file.
    index = (out / "data" / "index.html").read_text("utf-8")
    for name in files:
        if name != "index.html":
            assert f'href="{name}"' in index, name
    assert "2025-01-01" in index and "SEKRETARIAT, SMA, SMP" in index


def test_evidence_files_are_copied_with_sanitised_names(cli, year, tmp_path, db, db_path):
    # An original name written straight into the table is sanitised on export too.
    with writing(db):
        db.execute("UPDATE evidence_files SET original_name = '../../etc/passwd' "
                   "WHERE sha256 = ?", [year["photo_sha"]])
    out = tmp_path / "bundle"
    assert export(cli, out).exit_code == 0
    evidence = sorted(p.name for p in (out / "data" / "evidence").iterdir())
    policy_sha = hashlib.sha256(b"%PDF quality policy").hexdigest()
    assert evidence == sorted([f"{year['photo_sha']}-passwd",
                               f"{policy_sha}-kebijakan_mutu.pdf"])
    assert (out / "data" / "evidence" / f"{year['photo_sha']}-passwd").read_bytes() == \
        b"\xff\xd8 a photo of the logbook"
    assert list(tmp_path.rglob("passwd")) == []
    meta = load_json(out, "evidence_files")
    assert {m["file"] for m in meta} == {f"evidence/{n}" for n in evidence}


def test_document_title_is_escaped_in_the_index(cli, year, tmp_path):
    out = tmp_path / "bundle"
    assert export(cli, out).exit_code == 0
    index = (out / "data" / "index.html").read_text("utf-8")
    assert "<script>" not in index
    assert "Kebijakan &lt;script&gt;alert(1)&lt;/script&gt;" in index


def test_csv_cells_are_safe_from_formula_injection(cli, office, tmp_path):
    add_request(office, service="SMA-LEG", requester='=HYPERLINK("http://x","y")',
                ref="R-1", received="2025-02-03")
    out = tmp_path / "bundle"
    assert export(cli, out).exit_code == 0
    text = (out / "data" / "registers" / "requests.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert load_json(out, "requests")[0]["requester"] == '=HYPERLINK("http://x","y")'


def test_verify_names_every_missing_extra_and_altered_file(cli, year, tmp_path):
    out = tmp_path / "bundle"
    assert export(cli, out).exit_code == 0
    (out / "data" / "registers" / "requests.csv").write_text("ref_no\nforged\n")
    (out / "data" / "registers" / "complaints.json").unlink()
    (out / "data" / "registers" / "smuggled.csv").write_text("x\n")
    result = cli("verify", str(out))
    assert result.exit_code == 1
    assert "altered: data/registers/requests.csv" in result.stderr
    assert "missing: data/registers/complaints.json" in result.stderr
    assert "extra: data/registers/smuggled.csv" in result.stderr
    assert "Bag valid" not in result.stderr
    assert not bagit.Bag(str(out)).is_valid()


def test_verify_names_altered_tag_files(cli, year, tmp_path):
    out = tmp_path / "bundle"
    assert export(cli, out).exit_code == 0
    info = out / "bag-info.txt"
    info.write_text(info.read_text().replace("2025-12-31", "2026-12-31"))
    result = cli("verify", str(out))
    assert result.exit_code == 1
    assert "altered: bag-info.txt" in result.stderr


def test_verify_refuses_what_is_not_a_bundle(cli, tmp_path):
    assert cli("verify", str(tmp_path / "nothing")).exit_code == 1
    plain = tmp_path / "plain.txt"
    plain.write_text("hello")
    assert cli("verify", str(plain)).exit_code == 1
    (tmp_path / "folder").mkdir()
    result = cli("verify", str(tmp_path / "folder"))
    assert result.exit_code == 1
    assert "not a valid BagIt bag" in result.stderr


# --- zip -------------------------------------------------------------------------------


def test_zip_bundle_is_valid_and_deterministic(cli, year, tmp_path):
    first, second = tmp_path / "a" / "bundle.zip", tmp_path / "b" / "bundle.zip"
    first.parent.mkdir()
    second.parent.mkdir()
    assert export(cli, first).exit_code == 0
    assert export(cli, second).exit_code == 0
    result = cli("verify", str(first))
    assert result.exit_code == 0, result.output
    assert "Bag valid:" in result.stderr
    assert list(first.parent.iterdir()) == [first], "no temporary files left behind"

    with zipfile.ZipFile(first) as za, zipfile.ZipFile(second) as zb:
        names = za.namelist()
        assert names == sorted(names) == zb.namelist()
        assert all(n.startswith("bundle/") for n in names)
        assert {i.date_time for i in za.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        for name in names:
            if name != "bundle/bag-info.txt" and not name.startswith("bundle/tagmanifest"):
                assert za.read(name) == zb.read(name), name
        za.extractall(tmp_path / "extracted")
    bagit.Bag(str(tmp_path / "extracted" / "bundle")).validate()


def test_altered_zip_is_named(cli, year, tmp_path):
    out = tmp_path / "bundle.zip"
    assert export(cli, out).exit_code == 0
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(forged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("registers/adherence.csv"):
                data = data.replace(b"breach", b"comply")
            dst.writestr(info, data)
    result = cli("verify", str(forged))
    assert result.exit_code == 1
    assert "altered: data/registers/adherence.csv" in result.stderr


@pytest.mark.parametrize("entry", ["../evil.txt", "/tmp/evil.txt", "bundle/../../evil.txt"])
def test_verify_refuses_unsafe_zip_entries(cli, tmp_path, entry):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("bundle/bagit.txt", "BagIt-Version: 0.97\n")
        zf.writestr(entry, "owned")
    result = cli("verify", str(bad))
    assert result.exit_code == 1
    assert "unsafe" in result.stderr
    assert not (tmp_path.parent / "evil.txt").exists()


def test_verify_refuses_symlinks_in_zips(cli, tmp_path):
    bad = tmp_path / "link.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        info = zipfile.ZipInfo("bundle/data/link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    result = cli("verify", str(bad))
    assert result.exit_code == 1
    assert "symbolic link" in result.stderr


def test_verify_caps_the_extracted_size(tmp_path):
    from qmstrack.errors import IntegrityFailure
    from qmstrack.verify import extract_zip

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bundle/data/zeros", b"\0" * 5_000_000)
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(IntegrityFailure, match="inflates to 5,000,000 bytes, more than the "
                       "1,000,000 bytes"):
        extract_zip(bomb, target, max_bytes=1_000_000)


# --- redaction -------------------------------------------------------------------------


def all_bytes(bag: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in sorted(bag.rglob("*")) if p.is_file()]


def test_redacted_bundle_holds_no_personal_data(cli, year, tmp_path, db, db_path):
    out = tmp_path / "redacted"
    # The period runs to today, so the change-log slice holds every entry written above.
    result = export(cli, out, "--redact", end=TODAY)
    assert result.exit_code == 0, result.output
    assert cli("verify", str(out)).exit_code == 0

    from qmstrack.secret_key import key_path, read_key

    secret = read_key(key_path(db_path))
    assert secret and db.execute("SELECT count(*) FROM settings WHERE key = "
                                 "'pseudonym_secret'").fetchone()[0] == 0
    forbidden = [*NAMES, *CONTACTS, *COMPLAINANT, "Fajar Nugroho", "Gita Permata",
                 "Legalisir lama sekali", "Mohon maaf", secret]
    entries = (out / "data" / "changelog" / "entries.jsonl").read_text("utf-8")
    assert '"table":"requests"' in entries and '"table":"complaints"' in entries
    for path, data in all_bytes(out):
        text = data.decode("utf-8", errors="replace")
        for value in forbidden:
            assert value not in text, f"{value!r} found in {path}"

    requesters = {r["ref_no"]: r["requester"] for r in load_json(out, "requests")}
    assert all(re.fullmatch(r"Pemohon-[0-9a-f]{8}", v) for v in requesters.values())
    # The same person (Ani Lestari) has the same pseudonym on both of her requests.
    assert requesters["R-2024-OPEN"] == requesters["R-2025-001"]
    assert requesters["R-2025-001"] != requesters["R-2025-002"]
    complaint = load_json(out, "complaints")[0]
    assert complaint["complainant"].startswith("Pengadu-")
    assert complaint["subject"].startswith("Perihal-")
    assert complaint["outcome"] == "resolved"

    # Stable across exports: a second export gives the same pseudonyms.
    again = tmp_path / "again"
    assert export(cli, again, "--redact", end=TODAY).exit_code == 0
    assert {r["ref_no"]: r["requester"] for r in load_json(again, "requests")} == requesters


# --- determinism, safety ---------------------------------------------------------------


def test_exporting_twice_gives_identical_payloads(cli, year, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert export(cli, a, end=TODAY).exit_code == 0
    assert export(cli, b, end=TODAY).exit_code == 0
    manifest = (a / "manifest-sha256.txt").read_text()
    assert manifest == (b / "manifest-sha256.txt").read_text()
    assert "data/changelog/entries.jsonl" in manifest


def test_existing_target_needs_force(cli, year, tmp_path):
    out = tmp_path / "bundle"
    assert export(cli, out).exit_code == 0
    result = export(cli, out)
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "--force" in result.stderr
    result = export(cli, out, "--force", "--unit", "SMA")
    assert result.exit_code == 0, result.output
    assert bagit.Bag(str(out)).info["QMS-Scope"] == "SMA"
    assert {r["unit"] for r in load_json(out, "requests")} == {"SMA"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_text("years of work")
    result = export(cli, precious, "--force")
    assert result.exit_code == 1
    assert (precious / "thesis.docx").read_text() == "years of work"


def test_interrupted_export_leaves_nothing(cli, year, tmp_path, monkeypatch):
    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bagit, "make_bag", crash)
    out = tmp_path / "exports" / "bundle.zip"
    out.parent.mkdir()
    result = export(cli, out)
    assert result.exit_code != 0
    assert list(out.parent.iterdir()) == []


def test_export_refuses_a_damaged_evidence_file(cli, year, tmp_path, db_path):
    stored = evidence_path(db_path, year["photo_sha"])
    stored.chmod(0o600)
    stored.write_bytes(b"changed")
    out = tmp_path / "bundle"
    result = export(cli, out)
    assert result.exit_code == 1
    assert "altered" in result.stderr
    assert not out.exists()


def test_export_refuses_bad_periods(cli, office, tmp_path):
    assert export(cli, tmp_path / "x", start="2025-12-31", end="2025-01-01").exit_code == 1
    assert export(cli, tmp_path / "x", start="someday").exit_code == 2
    assert export(cli, tmp_path / "x", "--unit", "NOPE").exit_code == 2
    assert export(cli, tmp_path / "no" / "such" / "dir").exit_code == 1
    assert not (tmp_path / "x").exists()


def test_changelog_slice_can_be_rechecked_by_the_auditor(cli, year, tmp_path):
    out = tmp_path / "bundle"
    assert export(cli, out, end=TODAY).exit_code == 0
    folder = out / "data" / "changelog"
    seals = [json.loads(line) for line in (folder / "seals.jsonl").read_text().splitlines()]
    entries = [json.loads(line) for line in
               (folder / "entries.jsonl").read_text().splitlines()]
    assert seals and entries
    assert seals[0]["prev_sha256"] == GENESIS
    for seal in seals:
        assert seal["version"] == 2
        outer = hashlib.sha256(b"")
        for e in (e for e in entries if e["seal"] == seal["id"]):
            outer.update(entry_digest((e["id"], e["table"], e["key"], e["op"], e["old"],
                                       e["new"])))
        assert (outer.hexdigest() if seal["last_id"] >= seal["first_id"] else "") == \
            seal["entries_sha256"]
        # Every field is hashed: a seal moved to another date no longer matches.
        assert seal_hash(seal) == seal["sha256"]
        assert seal_hash({**seal, "at": "2020-01-01T00:00:00+00:00"}) != seal["sha256"]
    assert all(b["prev_sha256"] == a["sha256"] for a, b in zip(seals, seals[1:], strict=False))
    # The records of 2025 were all entered today, after that period ended: the slice of a
    # 2025 export still holds every change made to them since the period began.
    past = tmp_path / "past"
    assert export(cli, past).exit_code == 0
    assert (past / "data" / "changelog" / "entries.jsonl").read_text() == \
        (folder / "entries.jsonl").read_text()


def test_installed_command_exports_and_verifies(run_installed, year, db_path, tmp_path):
    out = tmp_path / "cron.zip"
    env = {**os.environ, "QMSTRACK_DB": str(db_path)}
    result = run_installed("export", "--from", "2025-01-01", "--to", "2025-12-31",
                           "--out", str(out), "--redact", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    result = run_installed("verify", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("Bag valid:")


# --- BagIt 1.0, the bag's metadata, what the index shows --------------------------------


def test_the_export_is_bagit_1_0_accepted_without_warning(cli, year, tmp_path, db):
    import subprocess
    import sys

    set_contact = [("contact_name", "Wakil Manajemen Mutu"),
                   ("contact_email", "wmm@disdik.kaltimprov.go.id"),
                   ("org_address", "Jl. Basuki Rahmat No. 1, Samarinda")]
    for key, value in set_contact:
        assert cli("config", "set", key, value).exit_code == 0
    out = tmp_path / "bundle"
    assert export(cli, out).exit_code == 0
    assert (out / "bagit.txt").read_bytes() == (
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    # The reference implementation (the bagit package's command), no warning at all.
    checked = subprocess.run([sys.executable, "-m", "bagit", "--validate", str(out)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert "WARNING" not in checked.stderr and "is valid" in checked.stderr
    bag = bagit.Bag(str(out))
    assert bag.version_info == (1, 0)
    bag.validate()
    # qmstrack's own RFC 8493 check: valid, no warning, exit 0.
    result = cli("verify", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Warning" not in result.stderr and "(BagIt 1.0, SHA256)" in result.stderr
    info = bag.info
    assert info["Contact-Name"] == "Wakil Manajemen Mutu"
    assert info["Contact-Email"] == "wmm@disdik.kaltimprov.go.id"
    assert info["Organization-Address"] == "Jl. Basuki Rahmat No. 1, Samarinda"
    assert info["External-Identifier"] == (
        "Dinas Pendidikan Provinsi Kalimantan Timur 2025-01-01/2025-12-31")
    index = (out / "data" / "index.html").read_text("utf-8")
    assert "Wakil Manajemen Mutu, wmm@disdik.kaltimprov.go.id" in index


def test_a_bad_contact_email_is_refused(cli, office):
    result = cli("config", "set", "contact_email", "not an address")
    assert result.exit_code == 2  # a setting's bad value is a usage error
    assert "is not an e-mail address" in result.stderr


def test_the_bundle_holds_the_review_pack_and_the_workbook(cli, year, tmp_path):
    out = tmp_path / "bundle"
    assert export(cli, out).exit_code == 0
    pack = out / "data" / "reports" / "review-pack-2025-01-01-2025-12-31-id.html"
    assert pack.is_file() and "<html" in pack.read_text("utf-8")
    assert (out / "data" / "reports" / "review-pack-2025-01-01-2025-12-31-id.md").is_file()
    assert (out / "data" / "registers" / "registers.xlsx").is_file()
    index = (out / "data" / "index.html").read_text("utf-8")
    assert 'href="reports/review-pack-2025-01-01-2025-12-31-id.html"' in index


def test_the_index_is_in_the_report_style_and_language(cli, year, tmp_path):
    out = tmp_path / "bundle"
    assert export(cli, out, "--lang", "id").exit_code == 0
    index = (out / "data" / "index.html").read_text("utf-8")
    assert '<html lang="id">' in index
    # The reports' own skeleton: the band, the Content-Security-Policy, the print rules.
    assert 'class="band"' in index and "Content-Security-Policy" in index
    assert "@page" in index
    # Document types and the audit's status in Indonesian, not the stored English keys.
    assert "<td>Kebijakan mutu</td>" in index and "<td>SOP</td>" in index
    assert "<td>policy</td>" not in index
    assert "Bahan tinjauan manajemen periode ini" in index
    english = tmp_path / "bundle-en"
    assert export(cli, english, "--lang", "en").exit_code == 0
    index_en = (english / "data" / "index.html").read_text("utf-8")
    assert "<td>Quality policy</td>" in index_en and '<html lang="en">' in index_en
