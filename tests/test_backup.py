"""``qmstrack db backup``: the database and its evidence store, restorable as they were."""

from __future__ import annotations

import sqlite3

from qmstrack.evidence import evidence_path
from qmstrack.registers.documents import add_document


def test_backup_holds_records_and_evidence_and_passes_the_check(cli, office, db_path,
                                                                   tmp_path):
    policy = tmp_path / "kebijakan-mutu.pdf"
    policy.write_bytes(b"%PDF-1.4 quality policy")
    document = add_document(office, db_path, type="policy", title="Kebijakan mutu",
                            clause="5.2", file=policy)
    sha = document["file_sha256"]
    out = tmp_path / "backups" / "qms-2026-11-24.db"
    out.parent.mkdir()

    result = cli("db", "backup", str(out))
    assert result.exit_code == 0, result.stderr
    assert "(1 evidence file copied)" in result.stderr
    assert evidence_path(out, sha).read_bytes() == policy.read_bytes()
    copy = sqlite3.connect(out)
    assert copy.execute("SELECT count(*) FROM staff").fetchone()[0] == 3
    copy.close()
    check = cli("db", "check", db=out)
    assert check.exit_code == 0, check.stderr

    again = cli("db", "backup", str(out))
    assert again.exit_code == 1 and "--force" in again.stderr
    assert cli("db", "backup", str(out), "--force").exit_code == 0
    itself = cli("db", "backup", str(db_path), "--force")
    assert itself.exit_code == 1 and "cannot overwrite the database" in itself.stderr


def test_backups_running_at_once_to_one_file_do_not_share_a_temp_file(office, db_path,
                                                                      tmp_path):
    """Cron's nightly backup and a clerk's backup to the same name, started together."""
    import hashlib
    import shutil

    from helpers.procs import start

    shas = []
    for i in range(6):
        scan = tmp_path / f"sop-{i}.pdf"
        scan.write_bytes(f"%PDF-1.4 SOP scan {i} ".encode() * 40_000)
        shas.append(add_document(office, db_path, type="sop", title=f"SOP {i}",
                                 clause="7.5", file=scan)["file_sha256"])
    units = office.execute("SELECT count(*) FROM units").fetchone()[0]
    office.close()
    out = tmp_path / "qms-backup.db"
    for _ in range(5):
        shutil.rmtree(tmp_path / "qms-backup-evidence", ignore_errors=True)
        procs = [start(db_path, "db", "backup", str(out), "--force") for _ in range(4)]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        copy = sqlite3.connect(out)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("SELECT count(*) FROM units").fetchone()[0] == units
        finally:
            copy.close()
        left = [p.name for p in tmp_path.iterdir() if "qms-backup.db." in p.name]
        assert left == [], left
        # Every evidence file copied whole, under its own hash, and nothing else left.
        for sha in shas:
            assert hashlib.sha256(evidence_path(out, sha).read_bytes()).hexdigest() == sha
        store = tmp_path / "qms-backup-evidence"
        assert sorted(p.name for p in store.rglob("*") if p.is_file()) == sorted(shas)
