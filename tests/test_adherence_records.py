"""Adherence: every observation its own record, explicit corrections, idempotent imports
keyed by time or row number, and the migration of the observations already stored."""

from __future__ import annotations

import json
import sqlite3

import pytest

from qmstrack.db import open_db, writing
from qmstrack.errors import InvalidInput, NotFound
from qmstrack.migrations import migration_set
from qmstrack.registers.adherence import (
    add_observation,
    import_observations,
    parse_time,
    update_observation,
)

BUDI = "198609262015051001"
SITI = "199001012019032002"


def rows(db):
    return db.execute("SELECT id, staff_nip, rule_code, observed_on, observed_at, object_ref, "
                      "result, note, evidence_sha256, import_key FROM adherence ORDER BY id"
                      ).fetchall()


def state(db):
    return rows(db), db.execute("SELECT count(*) FROM change_log").fetchone()[0]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_time():
    assert parse_time("8.30") == "08:30"
    assert parse_time("14:05:00") == "14:05"
    for bad in ("24:00", "8", "pagi", "12:60"):
        with pytest.raises(InvalidInput, match="not a time of day"):
            parse_time(bad)


def test_a_second_observation_of_the_day_is_kept_with_its_own_evidence(office, cli,
                                                                          tmp_path):
    photo = tmp_path / "patuh.jpg"
    photo.write_bytes(b"\xff\xd8 compliant")
    first = cli("adherence", "add", "--staff", BUDI, "--rule", "SOP-LEG", "--result",
                "patuh", "--on", "2024-08-05", "--at", "09:10", "--object", "SMA-0001",
                "--evidence", str(photo))
    assert first.exit_code == 0, first.stderr
    assert "Observation 1 saved" in first.stderr
    second = cli("adherence", "add", "--staff", BUDI, "--rule", "SOP-LEG", "--result",
                 "tidak patuh", "--on", "2024-08-05", "--object", "SMA-0002",
                 "--note", "Tanpa tanda terima")
    assert second.exit_code == 0, second.stderr
    assert "now have 2 observations on 2024-08-05" in second.stderr
    assert "adherence update ID" in second.stderr
    (a, b) = rows(office)
    assert (a[5], a[6], a[4]) == ("SMA-0001", "comply", "09:10")
    assert (b[5], b[6], b[4]) == ("SMA-0002", "breach", None)
    # The photo stays with the observation it was taken for.
    assert a[8] is not None and b[8] is None
    listed = json.loads(cli("adherence", "list", "--json").stdout)
    assert [r["id"] for r in listed] == [1, 2]


def test_update_corrects_one_observation_explicitly(office, cli, tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo of another file")
    add_observation(office, staff=BUDI, rule="SOP-LEG", result="comply", on="2024-08-05",
                    evidence_file=photo, db_path=tmp_path / "qms.db")
    add_observation(office, staff=BUDI, rule="SOP-LEG", result="comply", on="2024-08-05")
    result = cli("adherence", "update", "1", "--result", "breach", "--at", "10.15",
                 "--drop-evidence", "--note", "Berkas tanpa paraf")
    assert result.exit_code == 0, result.stderr
    assert "Observation 1 corrected: observed_at, result, note, evidence_sha256." \
        in result.stderr
    (one, two) = rows(office)
    assert (one[6], one[4], one[7], one[8]) == ("breach", "10:15", "Berkas tanpa paraf", None)
    assert two[6] == "comply"
    # The change log keeps what it was.
    old = json.loads(office.execute(
        "SELECT old FROM change_log WHERE tbl = 'adherence' AND op = 'update'").fetchone()[0])
    assert old["result"] == "comply" and old["evidence_sha256"] is not None
    before = state(office)
    again = cli("adherence", "update", "1", "--result", "tidak patuh")
    assert "Observation 1 unchanged." in again.stderr
    assert state(office) == before
    removed = cli("adherence", "update", "1", "--at", "")
    assert removed.exit_code == 0 and rows(office)[0][4] is None


def test_update_refuses_bad_input_and_writes_nothing(office, cli, tmp_path):
    add_observation(office, staff=BUDI, rule="SOP-LEG", result="comply", on="2024-08-05")
    before = state(office)
    for args, code, text in [
        (["99", "--result", "breach"], 1, "There is no observation 99"),
        (["satu", "--result", "breach"], 1, "observation id"),
        (["1", "--result", "kadang"], 1, "not comply, breach or na"),
        (["1", "--at", "25:00"], 1, "not a time of day"),
        (["1", "--rule", "SOP-NOPE"], 1, "no rule 'SOP-NOPE'"),
        (["1", "--on", "2099-01-01"], 1, "in the future"),
        (["1", "--on", "besok"], 2, "--on"),
    ]:
        result = cli("adherence", "update", *args)
        assert result.exit_code == code, (args, result.stderr)
        assert text in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    photo = tmp_path / "x.jpg"
    photo.write_bytes(b"x")
    with pytest.raises(InvalidInput, match="not both"):
        update_observation(office, 1, evidence_file=photo, drop_evidence=True)
    with pytest.raises(NotFound):
        update_observation(office, 7, result="na")
    assert state(office) == before


def test_import_with_times_keeps_both_and_reimport_changes_nothing(office, cli, tmp_path):
    path = write(tmp_path, "obs.csv",
                 "NIP;Kode SOP;Tanggal;Jam;No. Permohonan;Hasil\n"
                 f"{BUDI};SOP-LEG;05/08/2024;08:30;SMA-0001;patuh\n"
                 f"{BUDI};SOP-LEG;05/08/2024;13.15;SMA-0002;tidak patuh\n"
                 f"{SITI};SOP-ARSIP;05/08/2024;;;patuh\n")
    report = import_observations(office, path)
    assert (report.inserted, report.updated, report.unchanged) == (3, 0, 0)
    assert [(r[4], r[5], r[6], r[9]) for r in rows(office)] == [
        ("08:30", "SMA-0001", "comply", "at 08:30 object SMA-0001"),
        ("13:15", "SMA-0002", "breach", "at 13:15 object SMA-0002"),
        (None, "", "comply", "")]
    before = state(office)
    report = import_observations(office, path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 3)
    assert state(office) == before
    # A corrected sheet updates the observation its key names, and only that one.
    path.write_text(path.read_text().replace("13.15;SMA-0002;tidak patuh",
                                             "13.15;SMA-0002;patuh"), encoding="utf-8")
    report = import_observations(office, path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    assert rows(office)[1][6] == "comply"


def test_import_keyed_by_the_row_number_column(office, tmp_path):
    path = write(tmp_path, "obs.csv",
                 "No;NIP;Kode SOP;Tanggal;Hasil\n"
                 f"1;{BUDI};SOP-LEG;05/08/2024;patuh\n"
                 f"2;{BUDI};SOP-LEG;05/08/2024;tidak patuh\n")
    assert import_observations(office, path).inserted == 2
    before = state(office)
    assert import_observations(office, path).unchanged == 2
    assert state(office) == before


def test_import_without_time_or_number_names_the_repeated_row(office, cli, tmp_path):
    path = write(tmp_path, "obs.csv",
                 "NIP;Kode SOP;Tanggal;Hasil;Jam\n"
                 f"{BUDI};SOP-LEG;05/08/2024;patuh;\n"
                 f"{BUDI};SOP-LEG;05/08/2024;tidak patuh;\n"
                 f"{BUDI};SOP-LEG;05/08/2024;patuh;pagi\n")
    before = state(office)
    result = cli("adherence", "import", str(path))
    assert result.exit_code == 1
    assert "row 3" in result.stderr and "repeats the record of row 2" in result.stderr
    assert "row 4, column Jam:" in result.stderr and "not a time of day" in result.stderr
    assert state(office) == before


# --- the migration ------------------------------------------------------------------------


def _database_before_m010(path):
    conn = sqlite3.connect(path)
    db = __import__("sqlite_utils").Database(conn)
    migration_set().apply(db, stop_before="m010_adherence_each_observation")
    with writing(db, "old version"):
        db["units"].insert({"code": "SMA", "name": "SMA"})
        db["staff"].insert({"nip": BUDI, "name": "Budi", "unit": "SMA"})
        db["rules"].insert({"code": "SOP-1", "title": "SOP"})
        db["adherence"].insert_all([
            {"staff_nip": BUDI, "rule_code": "SOP-1", "observed_on": "2024-08-05",
             "unit": "SMA", "result": "comply", "observer": "WMM", "note": ""},
            {"staff_nip": BUDI, "rule_code": "SOP-1", "observed_on": "2024-08-06",
             "unit": "SMA", "result": "breach", "observer": "", "note": "late"}])
    conn.close()


def test_migration_keeps_the_observations_and_their_log(tmp_path, cli):
    path = tmp_path / "old.db"
    _database_before_m010(path)
    db = open_db(path)
    try:
        assert db.execute("SELECT id, observed_on, result, observer, note, observed_at, "
                          "object_ref, import_key FROM adherence ORDER BY id").fetchall() == [
            (1, "2024-08-05", "comply", "WMM", "", None, "", ""),
            (2, "2024-08-06", "breach", "", "late", None, "", "")]
        # A second observation of the same day is now possible.
        add_observation(db, staff=BUDI, rule="SOP-1", result="breach", on="2024-08-05")
        assert db.execute("SELECT count(*) FROM adherence").fetchone()[0] == 3
        # The sheet the old rows came from still matches them (key without time or No).
        sheet = write(tmp_path, "old.csv", "NIP;Kode SOP;Tanggal;Hasil;Pengamat\n"
                                           f"{BUDI};SOP-1;05/08/2024;patuh;WMM\n")
        assert import_observations(db, sheet).unchanged == 1
    finally:
        db.close()
    check = cli("db", "check", db=path)
    assert check.exit_code == 0, check.output


def test_the_audit_evidence_names_each_breach_of_the_day(office):
    from datetime import date

    from qmstrack.audits import EVIDENCE
    from qmstrack.periods import Period
    from qmstrack.scope import Scope

    add_observation(office, staff=BUDI, rule="SOP-LEG", result="breach", on="2024-08-05",
                    at="09:00", object_ref="SMA-0001", note="Tanpa paraf")
    add_observation(office, staff=BUDI, rule="SOP-LEG", result="breach", on="2024-08-05",
                    object_ref="SMA-0002")
    lines = EVIDENCE["adherence.breaches"](office, Period(date(2024, 8, 1),
                                                          date(2024, 8, 31)), Scope())
    assert lines == [f"2024-08-05 {BUDI} SOP-LEG (SMA-0002)",
                     f"2024-08-05 09:00 {BUDI} SOP-LEG (SMA-0001): Tanpa paraf"]
