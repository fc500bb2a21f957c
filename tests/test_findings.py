"""Findings and corrective actions, from raising to verified closure."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qmstrack.db import set_setting, writing
from qmstrack.errors import Conflict, InvalidInput
from qmstrack.findings import close_finding, get_finding, plan_finding, raise_finding

BUDI = "198609262015051001"


def test_due_dates_default_per_grade_and_are_configurable(office):
    major = raise_finding(office, clause_ref="8.5.1", grade="major", description="a",
                          raised_on=date(2026, 11, 2))
    minor = raise_finding(office, clause_ref="8.5.1", grade="minor", description="b",
                          raised_on=date(2026, 11, 2))
    assert major["due_on"] == "2026-12-02"
    assert minor["due_on"] == "2027-01-01"
    assert (major["ref_no"], minor["ref_no"]) == ("F-2026-001", "F-2026-002")
    with writing(office):
        set_setting(office, "finding_due_days", {"major": 14, "minor": 30, "observation": 45})
    quick = raise_finding(office, clause_ref="7.5.3", grade="major", description="c",
                          raised_on=date(2026, 11, 2))
    assert quick["due_on"] == "2026-11-16"


def test_life_of_a_finding_including_an_ineffective_action(office):
    raise_finding(office, ref_no="SCI-01", source="sucofindo", clause_ref="9.1.2",
                  grade="minor", unit="SMA", description="Survey not analysed",
                  raised_on=date(2026, 9, 1))
    planned = plan_finding(office, "SCI-01", action="Analyse the survey monthly",
                           due="2026-10-15", root_cause="No owner", correction="Analysed Q3",
                           owner="19860926 201505 1 001", on=date(2026, 9, 5))
    assert planned["status"] == "action_planned"
    assert planned["due_on"] == "2026-10-15"
    assert planned["owner_nip"] == BUDI
    reopened = close_finding(office, "SCI-01", verified_by="WMM", effective=False,
                             note="Still not analysed in October", on=date(2026, 10, 20),
                             new_action="Add the analysis to the monthly meeting",
                             new_due="2026-11-30")
    assert reopened["status"] == "action_planned"
    assert reopened["due_on"] == "2026-11-30"
    assert [a["effective"] for a in reopened["actions"]] == [0, None]
    closed = close_finding(office, "SCI-01", verified_by="WMM", effective=True,
                           on=date(2026, 12, 1))
    assert closed["status"] == "closed" and closed["closed_on"] == "2026-12-01"
    with pytest.raises(Conflict, match="already closed"):
        close_finding(office, "SCI-01", verified_by="x", effective=True)
    with pytest.raises(Conflict, match="closed"):
        plan_finding(office, "SCI-01", action="again", due="2027-01-01")


def test_refusals(office):
    raise_finding(office, ref_no="F-X", clause_ref="8.5.1", grade="minor",
                  description="d", raised_on=date(2026, 9, 1))
    with pytest.raises(Conflict, match="no corrective action to verify"):
        close_finding(office, "F-X", verified_by="WMM", effective=True)
    with pytest.raises(InvalidInput, match="before the finding was raised"):
        plan_finding(office, "F-X", action="a", due="2026-08-01")
    with pytest.raises(InvalidInput, match="not major, minor or observation"):
        raise_finding(office, clause_ref="8.5.1", grade="critical", description="e",
                      raised_on=date(2026, 9, 1))
    with pytest.raises(InvalidInput, match="not a clause number"):
        raise_finding(office, clause_ref="eight", grade="minor", description="e",
                      raised_on=date(2026, 9, 1))
    with pytest.raises(Conflict, match="already exists"):
        raise_finding(office, ref_no="F-X", clause_ref="8.5.1", grade="minor",
                      description="d", raised_on=date(2026, 9, 1))
    assert get_finding(office, "F-X")["status"] == "open"


def test_finding_commands(cli, office):
    added = cli("finding", "add", "--clause", "8.5.1", "--grade", "major", "--source",
                "sucofindo", "--unit", "SMA", "--description", "Late legalisations",
                "--raised", "2026-09-01", "--due", "2026-10-01")
    assert added.exit_code == 0, added.stderr
    ref = added.stdout.strip()
    assert ref == "F-2026-001"
    overdue = json.loads(cli("finding", "list", "--overdue", "--json").stdout)
    assert [f["ref_no"] for f in overdue] == [ref]
    planned = cli("finding", "plan", ref, "--action", "Daily check", "--due", "2026-12-31",
                  "--owner", BUDI, "--root-cause", "No daily check")
    assert planned.exit_code == 0, planned.stderr
    assert json.loads(cli("finding", "list", "--overdue", "--json").stdout) == []
    bad = cli("finding", "close", ref, "--verified-by", "WMM", "--effective", "maybe")
    assert bad.exit_code == 2
    closed = cli("finding", "close", ref, "--verified-by", "WMM", "--effective", "yes")
    assert closed.exit_code == 0, closed.stderr
    shown = json.loads(cli("finding", "show", ref, "--json").stdout)
    assert shown["status"] == "closed"
    assert shown["actions"][0]["verified_by"] == "WMM"
    assert json.loads(cli("finding", "list", "--open", "--json").stdout) == []
    missing = cli("finding", "show", "F-1999-999")
    assert missing.exit_code == 1 and "There is no finding" in missing.stderr


def test_findings_and_observations_attach_evidence_files(cli, office, db_path, tmp_path):
    from qmstrack.evidence import evidence_path

    photo = tmp_path / "meja-layanan.jpg"
    photo.write_bytes(b"\xff\xd8 photo of the service desk")
    added = cli("finding", "add", "--clause", "7.1.4", "--grade", "observation",
                "--description", "Antrean tidak tertata", "--evidence", str(photo))
    assert added.exit_code == 0, added.stderr
    finding = json.loads(cli("finding", "show", added.stdout.strip(), "--json").stdout)
    sha = finding["evidence_sha256"]
    assert evidence_path(db_path, sha).read_bytes() == photo.read_bytes()

    observed = cli("adherence", "add", "--staff", BUDI, "--rule", "SOP-LEG", "--result",
                   "breach", "--on", "2026-11-02", "--note", "No receipt",
                   "--evidence", str(photo))
    assert observed.exit_code == 0, observed.stderr
    row = office.execute("SELECT evidence_sha256 FROM adherence").fetchone()
    assert row[0] == sha  # same content, stored once
    assert office.execute("SELECT count(*) FROM evidence_files").fetchone()[0] == 1

    missing = cli("finding", "add", "--clause", "7.1.4", "--grade", "minor",
                  "--description", "x", "--evidence", str(tmp_path / "nope.jpg"))
    assert missing.exit_code == 1 and "Traceback" not in missing.stderr
    assert office.execute("SELECT count(*) FROM findings").fetchone()[0] == 1
    assert cli("db", "check").exit_code == 0
