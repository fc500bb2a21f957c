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
    assert "1 evidence files copied" in result.stderr
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
