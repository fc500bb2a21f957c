"""Staff of every employment type: PNS (NIP), PPPK (NI PPPK) and non-ASN (office code),
recorded, named everywhere a staff member is named, and observed."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from qmstrack.db import open_db, writing
from qmstrack.errors import InvalidInput
from qmstrack.migrations import migration_set
from qmstrack.parsing import parse_nip
from qmstrack.staff_ids import parse_employment, parse_ni_pppk, parse_staff_id, staff_key
from tests.test_imports import snapshot

# The NI PPPK of the report (both refused as "appointment month 21/24" before), and one more
# of the 2023 intake.
PPPK = ["19860316 202221 2 001", "19900913 202524 2 014", "19950725 202321 1 003"]
PPPK_DIGITS = [p.replace(" ", "") for p in PPPK]
GUARD = "KEAMANAN-01"
TODAY = date(2026, 12, 1)


# --- the identifiers ------------------------------------------------------------------------


def test_ni_pppk_layout():
    ni = parse_ni_pppk(PPPK[0], today=TODAY)
    assert ni.value == "198603162022212001"
    assert ni.birth_date == date(1986, 3, 16) and ni.appointed_year == 2022
    assert ni.agreement == "21" and ni.sex == 2 and ni.serial == 1
    assert ni.formatted() == PPPK[0]
    second = parse_ni_pppk("199009132025242014", today=TODAY)
    assert (second.appointed_year, second.agreement, second.serial) == (2025, "24", 14)
    assert parse_ni_pppk("19950725-202321-1-003", today=TODAY).value == PPPK_DIGITS[2]


@pytest.mark.parametrize(("text", "reason"), [
    ("19860316 202221 2 00", "has 17 digits"),
    ("19860316 202221 2 0011", "has 19 digits"),
    ("19860316 2022AB 2 001", "only digits"),
    ("19861316 202221 2 001", "real birth date"),
    ("19860230 202221 2 001", "real birth date"),
    ("19300316 202221 2 001", "birth year 1930, before 1940"),
    ("19860316 201821 2 001", "appointment year 2018"),      # before PPPK existed
    ("19860316 209921 2 001", "appointment year 2099"),      # years to come
    ("20050316 202421 2 001", "at least 20 years old"),      # appointed at 19
    ("19860316 202200 2 001", "00 in digits 13-14"),
    ("19860316 202221 3 001", "sex digit 3"),
    ("19860316 202221 2 000", "serial number 000"),
    ("", "only digits"),
])
def test_ni_pppk_refusals(text, reason):
    with pytest.raises(InvalidInput, match=reason):
        parse_ni_pppk(text, today=TODAY)


def test_ni_pppk_stored_as_a_spreadsheet_number_is_refused():
    with pytest.raises(InvalidInput, match="stored as a number"):
        parse_ni_pppk(float(PPPK_DIGITS[0]))


def test_pns_appointment_age_and_birth_year():
    assert parse_nip("198609262004091001").appointed == (2004, 9)  # at 18
    with pytest.raises(InvalidInput, match="before the age of 18"):
        parse_nip("198609262001091001")  # at 15, accepted before
    with pytest.raises(InvalidInput, match="birth year 1900, before 1940"):
        parse_nip("190001011925011001")


@pytest.mark.parametrize(("typed", "employment", "expected"), [
    ("19860926 201505 1 001", None, ("198609262015051001", "pns")),
    (PPPK[0], None, (PPPK_DIGITS[0], "pppk")),
    (PPPK[1], "P3K", (PPPK_DIGITS[1], "pppk")),
    ("keamanan-01", None, (GUARD, "non-asn")),
    (" Honor/Kebersihan.3 ", "honorer", ("HONOR/KEBERSIHAN.3", "non-asn")),
    # Digits 13-14 that could be a month: told apart only by the employment type.
    ("19860316 202205 2 001", "pppk", ("198603162022052001", "pppk")),
    ("19860316 202205 2 001", None, ("198603162022052001", "pns")),
])
def test_identifiers_by_employment(typed, employment, expected):
    found = parse_staff_id(typed, employment, today=TODAY)
    assert (found.value, found.employment) == expected


@pytest.mark.parametrize(("typed", "employment", "reason"), [
    (PPPK[0], "pns", "appointment month 21"),
    ("198609262015051001", "non-asn", "is a number"),
    (GUARD, "pppk", "only digits"),
    (GUARD, "pns", "only digits"),
    ("SATPAM", None, "letters and a number"),
    ("KEAMANAN 01", None, "letters and a number"),
    ("K" * 41 + "1", None, "at most 40 characters"),
    ("x'; DROP TABLE staff; --1", None, "not an office code"),
    ("1986031620222120", None, "has 16 digits"),
    (PPPK[0], "temporary", "not pns, pppk or non-asn"),
])
def test_identifier_refusals(typed, employment, reason):
    with pytest.raises(InvalidInput, match=reason) as info:
        parse_staff_id(typed, employment, today=TODAY)
    assert len(str(info.value)) < 250


def test_employment_words_offices_use():
    for word, kind in [("PNS", "pns"), ("CPNS", "pns"), ("PPPK", "pppk"), ("p3k", "pppk"),
                       ("PPPK Paruh Waktu", "pppk"), ("Non ASN", "non-asn"),
                       ("non-asn", "non-asn"), ("Honorer", "non-asn"),
                       ("Tenaga Kontrak", "non-asn"), ("outsourcing", "non-asn")]:
        assert parse_employment(word) == kind, word


def test_naming_a_staff_member():
    assert staff_key("19860316 202221 2 001") == PPPK_DIGITS[0]
    assert staff_key(int(PPPK_DIGITS[0])) == PPPK_DIGITS[0]
    assert staff_key(" keamanan-01 ") == GUARD
    for bad, reason in [("Budi", "not a NIP, an NI PPPK"), ("", "missing"),
                        ("1986 0316", "has 8 digits"), (1.986e17, "stored as a number")]:
        with pytest.raises(InvalidInput, match=reason):
            staff_key(bad)


# --- through the command line ------------------------------------------------------------


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def test_pppk_and_a_security_guard_are_recorded_and_observed(office, cli, tmp_path):
    ok(cli("staff", "add", "--nip", PPPK[0], "--name", "Rina Wulandari", "--unit", "SMA",
           "--position", "Guru Ahli Pertama"))
    ok(cli("staff", "add", "--id", PPPK[1], "--employment", "pppk", "--name", "Maya Sari",
           "--unit", "SMP"))
    saved = ok(cli("staff", "add", "--id", PPPK[2], "--employment", "PPPK", "--name",
                   "Rizky Pratama", "--unit", "SEKRETARIAT"))
    assert f"({PPPK_DIGITS[2]}, pppk) saved" in saved.stderr
    guard = ok(cli("staff", "add", "--code", GUARD, "--employment", "non-asn", "--name",
                   "Joko Susilo", "--unit", "SEKRETARIAT", "--position", "Petugas keamanan"))
    assert f"({GUARD}, non-asn) saved" in guard.stderr

    listed = {r["id"]: r for r in json.loads(cli("staff", "list", "--json").stdout)}
    for digits in PPPK_DIGITS:
        assert listed[digits]["employment"] == "pppk" and listed[digits]["nip"] is None
    assert listed[GUARD]["employment"] == "non-asn"
    assert listed["198609262015051001"]["employment"] == "pns"
    assert listed["198609262015051001"]["nip"] == "198609262015051001"
    table = cli("staff", "list").stdout
    assert GUARD in table and "non-asn" in table and PPPK_DIGITS[1] in table

    shown = json.loads(cli("staff", "show", PPPK[0], "--json").stdout)
    assert shown["id"] == PPPK_DIGITS[0] and shown["employment"] == "pppk"
    assert shown["ni_pppk_formatted"] == PPPK[0] and shown["birth_date"] == "1986-03-16"
    assert shown["appointed"] == "2022" and shown["sex"] == "female" and "nip" not in shown
    shown = json.loads(cli("staff", "show", "keamanan-01", "--json").stdout)
    assert shown["id"] == GUARD and shown["position"] == "Petugas keamanan"

    # Observed, by every way of writing who.
    for staff, result in [(PPPK[0], "comply"), (PPPK_DIGITS[1], "tidak patuh"),
                          (PPPK[2], "patuh"), ("keamanan-01", "breach"), (GUARD, "comply")]:
        ok(cli("adherence", "add", "--staff", staff, "--rule", "SOP-ARSIP", "--result",
               result, "--on", "2026-11-02" if staff != GUARD else "2026-11-03",
               "--observer", PPPK[2]))
    observed = json.loads(cli("adherence", "list", "--staff", "Keamanan-01", "--json").stdout)
    assert [(o["observed_on"], o["result"]) for o in observed] == [
        ("2026-11-02", "breach"), ("2026-11-03", "comply")]
    assert observed[0]["unit"] == "SEKRETARIAT"
    stats = {r["key"]: r for r in json.loads(cli("adherence", "stats", "--by", "staff",
                                                  "--json").stdout)}
    assert stats[GUARD]["rate"] == 0.5 and stats[GUARD]["name"] == "Joko Susilo"
    assert stats[PPPK_DIGITS[1]]["breach"] == 1

    # Assigned to requests, and owners of actions.
    ok(cli("request", "add", "--service", "SMA-LEG", "--requester", "Ani", "--ref", "R-1",
           "--received", "2026-11-02", "--staff", PPPK[0]))
    ok(cli("request", "update", "R-1", "--status", "in_progress", "--on", "2026-11-03",
           "--staff", "keamanan-01"))
    assert json.loads(cli("request", "show", "R-1", "--json").stdout)["staff_nip"] == GUARD
    ok(cli("finding", "add", "--source", "internal", "--clause", "7.5.3", "--grade", "minor",
           "--description", "Arsip tidak terkunci", "--raised", "2026-11-03"))
    ref = json.loads(cli("finding", "list", "--json").stdout)[0]["ref_no"]
    ok(cli("finding", "plan", ref, "--root-cause", "Kunci hilang", "--action",
           "Ganti kunci", "--owner", "keamanan-01", "--due", "2026-11-30"))
    ok(cli("review", "record", "--date", "2026-11-20", "--chair", "Kepala Dinas",
           "--attendee", "WMM", "--decision", "Latih petugas", "--owner", PPPK[1],
           "--due", "2026-12-31"))
    actions = json.loads(cli("review", "actions", "--json").stdout)
    assert actions[0]["owner_nip"] == PPPK_DIGITS[1] and actions[0]["owner_name"] == "Maya Sari"

    # Imports name them the same ways.
    sheet = tmp_path / "observasi.csv"
    sheet.write_text("NIP;Kode SOP;Tanggal;Hasil\n"
                     f"{PPPK[0]};SOP-ARSIP;05/11/2026;patuh\n"
                     "keamanan-01;SOP-ARSIP;05/11/2026;tidak patuh\n", encoding="utf-8")
    ok(cli("adherence", "import", str(sheet)))
    assert len(json.loads(cli("adherence", "list", "--staff", GUARD, "--json").stdout)) == 3
    requests = tmp_path / "register.csv"
    requests.write_text("No Registrasi;Tgl Masuk;Kode Layanan;Nama Pemohon;Petugas\n"
                        f"R-2;05/11/2026;SMA-LEG;Budi;{PPPK[2]}\n"
                        f"R-3;05/11/2026;SMA-LEG;Citra;{GUARD.lower()}\n", encoding="utf-8")
    ok(cli("request", "import", str(requests)))
    assert json.loads(cli("request", "show", "R-3", "--json").stdout)["staff_nip"] == GUARD

    assert ok(cli("db", "check")).stderr


def test_staff_import_with_the_employment_column(office, cli, tmp_path):
    sheet = tmp_path / "pegawai.csv"
    sheet.write_text(
        "NIP / NI PPPK / Kode;Nama;Bidang;Jabatan;Status Kepegawaian\n"
        "19920202 202012 1 004;Dedi;SMA;Verifikator;PNS\n"
        f"{PPPK[0]};Rina;SMA;Guru;P3K\n"
        f"{PPPK[1]};Maya;SMP;Guru;\n"
        "keamanan-02;Slamet;SEKRETARIAT;Petugas keamanan;Non ASN\n", encoding="utf-8")
    ok(cli("staff", "import", str(sheet), "--map", "NIP / NI PPPK / Kode=nip"))
    listed = {r["id"]: r["employment"] for r in json.loads(cli("staff", "list",
                                                              "--json").stdout)}
    assert listed["199202022020121004"] == "pns"
    assert listed[PPPK_DIGITS[0]] == listed[PPPK_DIGITS[1]] == "pppk"
    assert listed["KEAMANAN-02"] == "non-asn"
    # The same file again changes nothing.
    before = snapshot(office)
    ok(cli("staff", "import", str(sheet), "--map", "NIP / NI PPPK / Kode=nip"))
    assert snapshot(office) == before


def test_staff_import_names_every_bad_row_and_writes_nothing(office, cli, tmp_path):
    sheet = tmp_path / "pegawai.csv"
    sheet.write_text(
        "NIP;Nama;Bidang;Status Kepegawaian\n"
        f"{PPPK[0]};Rina;SMA;PNS\n"            # a PPPK number said to be a NIP
        "198609262015051001;Budi;SMA;non-asn\n"  # a NIP said to be a code
        "SATPAM;Slamet;SEKRETARIAT;Non ASN\n"   # a code without a number
        "19860316 202221 2 001;Rina;SMA;magang\n", encoding="utf-8")
    before = snapshot(office)
    result = cli("staff", "import", str(sheet))
    assert result.exit_code == 1
    assert "row 2, column NIP: The NIP" in result.stderr and "month 21" in result.stderr
    assert "row 3, column NIP: The staff code" in result.stderr
    assert "row 4, column NIP: The staff code 'SATPAM'" in result.stderr
    assert "row 5, column Status Kepegawaian: The employment type 'magang'" in result.stderr
    assert snapshot(office) == before


def test_staff_refusals_on_the_command_line(office, cli):
    before = snapshot(office)
    for args, code, text in [
        (["staff", "add", "--nip", PPPK[0], "--employment", "pns", "--name", "X", "--unit",
          "SMA"], 1, "appointment month 21"),
        (["staff", "add", "--code", "SATPAM", "--name", "X", "--unit", "SMA"], 1,
         "letters and a number"),
        (["staff", "add", "--code", "K-1", "--employment", "guard", "--name", "X", "--unit",
          "SMA"], 1, "not pns, pppk or non-asn"),
        (["staff", "show", "Budi Santoso"], 2, "not a NIP, an NI PPPK"),
        (["staff", "show", "KEAMANAN-99"], 1, "no staff member"),
        (["adherence", "add", "--staff", "KEAMANAN-99", "--rule", "SOP-ARSIP", "--result",
          "comply", "--on", "2026-11-02"], 1, "no staff member with NIP, NI PPPK or code"),
        (["adherence", "list", "--staff", "x" * 5000], 2, "--staff"),
    ]:
        result = cli(*args)
        assert result.exit_code == code, (args, result.output)
        assert text in result.stderr, (args, result.stderr)
        assert len(result.stderr) < 400
    assert snapshot(office) == before


# --- the migration ------------------------------------------------------------------------


def _database_before_employment(path):
    """A database as the version before employment types wrote it, with staff referred to
    by a request and an observation."""
    conn = sqlite3.connect(path)
    db = __import__("sqlite_utils").Database(conn)
    migration_set().apply(db, stop_before="m004_staff_employment")
    with writing(db, "old version"):
        db["units"].insert({"code": "SMA", "name": "SMA"})
        db["services"].insert({"code": "LEG", "name": "Legalisir", "unit": "SMA",
                               "sla_days": 1})
        db["staff"].insert({"nip": "198609262015051001", "name": "Budi", "unit": "SMA"})
        db["rules"].insert({"code": "SOP-1", "title": "SOP"})
        db["requests"].insert({"ref_no": "R-1", "received_on": "2026-03-02",
                               "service_code": "LEG", "unit": "SMA", "requester": "Ani",
                               "staff_nip": "198609262015051001", "due_on": "2026-03-03"})
        db["adherence"].insert({"staff_nip": "198609262015051001", "rule_code": "SOP-1",
                                "observed_on": "2026-03-02", "unit": "SMA",
                                "result": "comply"})
    conn.close()


def test_migration_keeps_staff_and_their_references(tmp_path, cli):
    path = tmp_path / "old.db"
    _database_before_employment(path)
    db = open_db(path)
    try:
        columns = [r[1] for r in db.execute("PRAGMA table_info(staff)")]
        assert columns == ["nip", "name", "unit", "position", "active", "employment"]
        assert db.execute("SELECT nip, employment FROM staff").fetchall() == [
            ("198609262015051001", "pns")]
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        references = {r[2] for r in db.execute("PRAGMA foreign_key_list(requests)")}
        assert "staff" in references
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO staff (nip, name, unit, employment) "
                       "VALUES ('123456789012345678', 'X', 'SMA', 'non-asn')")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO staff (nip, name, unit, employment) "
                       "VALUES ('KEAMANAN-01', 'X', 'SMA', 'pppk')")
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE requests SET staff_nip = 'NOBODY-1'")
    finally:
        db.close()
    # Every row still equals its last logged state, and the chain holds.
    check = cli("db", "check", db=path)
    assert check.exit_code == 0, check.output
    assert cli("staff", "add", "--code", GUARD, "--name", "Joko", "--unit", "SMA",
               db=path).exit_code == 0


def test_migration_does_not_seal_edits_made_outside_qmstrack(tmp_path, cli):
    path = tmp_path / "old.db"
    _database_before_employment(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE staff SET name = 'Budi (edited)'")
    conn.commit()
    conn.close()
    check = cli("db", "check", db=path)
    assert check.exit_code == 1
    assert "outside qmstrack" in check.stderr
