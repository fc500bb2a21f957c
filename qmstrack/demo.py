"""The built-in demo: a realistic, deterministic year of records for a provincial education
office (SMP division, SMA division, secretariat).

The year runs from November 2025 to October 2026 so that the monthly audit of October 2026
has a full year of history behind it. The same seed always gives the same records.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlite_utils

from qmstrack.calendar import WorkingCalendar
from qmstrack.db import set_setting, writing
from qmstrack.errors import Conflict

DEMO_START = date(2025, 11, 1)
DEMO_END = date(2026, 10, 31)
DEMO_ORG = "Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur"

UNITS = [
    ("SMP", "Bidang Pembinaan SMP"),
    ("SMA", "Bidang Pembinaan SMA"),
    ("SEKRETARIAT", "Sekretariat"),
]

# code, name, unit, service time (working days), fee, daily demand weight
SERVICES = [
    ("SMA-LEG", "Legalisir ijazah SMA/SMK", "SMA", 1, 0, 9),
    ("SMA-MUT", "Rekomendasi mutasi siswa SMA/SMK", "SMA", 3, 0, 4),
    ("SMA-SKPI", "Surat keterangan pengganti ijazah SMA/SMK", "SMA", 7, 0, 2),
    ("SMA-IZOP", "Rekomendasi izin operasional SMA/SMK swasta", "SMA", 14, 0, 1),
    ("SMP-LEG", "Legalisir ijazah SMP", "SMP", 1, 0, 6),
    ("SMP-MUT", "Rekomendasi mutasi siswa SMP", "SMP", 3, 0, 3),
    ("SMP-SKPI", "Surat keterangan pengganti ijazah SMP", "SMP", 7, 0, 1),
    ("SEK-PPID", "Permohonan informasi publik (PPID)", "SEKRETARIAT", 10, 0, 2),
    ("SEK-PENELITIAN", "Izin penelitian di satuan pendidikan", "SEKRETARIAT", 5, 0, 2),
    ("SEK-SURAT", "Surat keterangan umum", "SEKRETARIAT", 0, 0, 3),
]

# nip, name, unit, position
STAFF = [
    ("197803152005011002", "Drs. Ahmad Fauzi", "SMA", "Kepala Seksi Kurikulum SMA"),
    ("198609262015051001", "Budi Santoso, S.Kom.", "SMA", "Pengadministrasi Umum"),
    ("199102142019032004", "Rina Marlina, S.Pd.", "SMA", "Analis Kurikulum"),
    ("198807072014022003", "Dewi Lestari, S.E.", "SMA", "Pengelola Data"),
    ("197912202006041001", "Hendra Gunawan, M.Pd.", "SMP", "Kepala Seksi Peserta Didik SMP"),
    ("199001012019032002", "Siti Rahmawati, S.Pd.", "SMP", "Analis Peserta Didik"),
    ("199305182020121005", "Yusuf Hidayat, A.Md.", "SMP", "Pengadministrasi Umum"),
    ("198512122010011003", "Andi Wijaya, S.H.", "SEKRETARIAT", "Kepala Subbagian Umum"),
    ("199207302018012001", "Nur Aisyah, S.Sos.", "SEKRETARIAT", "Pengelola Informasi PPID"),
    ("198402282009031004", "Rudi Hartono", "SEKRETARIAT", "Pengadministrasi Persuratan"),
    ("199511112022032006", "Fitri Handayani, S.I.P.", "SEKRETARIAT", "Arsiparis Pertama"),
]

# code, title, unit (None = every unit), ISO 9001:2015 clauses
RULES = [
    ("SOP-SMA-01", "SOP pelayanan legalisir ijazah SMA/SMK", "SMA", "8.5.1"),
    ("SOP-SMA-02", "SOP rekomendasi mutasi siswa SMA/SMK", "SMA", "8.5.1,8.5.2"),
    ("SOP-SMP-01", "SOP pelayanan legalisir ijazah SMP", "SMP", "8.5.1"),
    ("SOP-SMP-02", "SOP rekomendasi mutasi siswa SMP", "SMP", "8.5.1,8.5.2"),
    ("SOP-SEK-01", "SOP pelayanan informasi publik (PPID)", "SEKRETARIAT", "8.2.1,8.5.1"),
    ("SOP-SEK-02", "SOP pengelolaan surat masuk dan keluar", "SEKRETARIAT", "7.5.3"),
    ("SOP-UM-01", "SOP pengendalian dokumen dan rekaman", None, "7.5.2,7.5.3"),
    ("SOP-UM-02", "SOP penanganan pengaduan masyarakat", None, "8.2.1,9.1.2"),
    ("SOP-UM-03", "Kode etik dan standar perilaku petugas layanan", None, "7.2,8.5.1"),
]

FIRST_NAMES = [
    "Agus", "Ahmad", "Aisyah", "Andi", "Anisa", "Arif", "Ayu", "Bambang", "Dedi", "Dewi",
    "Dian", "Eko", "Fajar", "Fitri", "Gita", "Hadi", "Hana", "Ikhsan", "Indah", "Joko",
    "Kartika", "Lestari", "Lukman", "Maya", "Muhammad", "Nanda", "Nur", "Putri", "Rahmat",
    "Rina", "Rizky", "Sari", "Siti", "Taufik", "Tri", "Wahyu", "Wulan", "Yoga", "Yuni",
]
LAST_NAMES = [
    "Pratama", "Saputra", "Wijaya", "Hidayat", "Kurniawan", "Santoso", "Lestari", "Siregar",
    "Nasution", "Rahman", "Setiawan", "Utami", "Permana", "Syahputra", "Daeng", "Ramadhan",
    "Simanjuntak", "Harahap", "Maharani", "Anggraini",
]
CHANNELS = ["walk-in"] * 6 + ["online"] * 3 + ["letter"] + ["email"]


def _database_is_empty(db: sqlite_utils.Database) -> bool:
    for table in ("units", "services", "staff", "requests", "adherence"):
        if db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            return False
    return True


def fill_demo(db: sqlite_utils.Database, seed: int = 1) -> dict[str, object]:
    """Fill an empty database with the demo year; refuse a database that holds records."""
    if not _database_is_empty(db):
        raise Conflict(
            "The database already holds records; the demo fills only an empty database "
            "(pass another --db)."
        )
    rng = random.Random(seed)
    calendar = WorkingCalendar()
    with writing(db, "demo"):
        set_setting(db, "org_name", DEMO_ORG)
        db["units"].insert_all([{"code": c, "name": n} for c, n in UNITS])
        db["services"].insert_all(
            {"code": c, "name": n, "unit": u, "sla_days": d, "fee": f, "requirements": "",
             "active": 1}
            for c, n, u, d, f, _ in SERVICES
        )
        db["staff"].insert_all(
            {"nip": nip, "name": name, "unit": unit, "position": pos, "active": 1}
            for nip, name, unit, pos in STAFF
        )
        db["rules"].insert_all(
            {"code": c, "title": t, "unit": u, "clauses": cl} for c, t, u, cl in RULES
        )
        counts: dict[str, object] = {
            "start": DEMO_START.isoformat(),
            "end": DEMO_END.isoformat(),
            "units": len(UNITS),
            "services": len(SERVICES),
            "staff": len(STAFF),
            "rules": len(RULES),
            "requests": _demo_requests(db, rng, calendar),
            "observations": _demo_adherence(db, rng, calendar),
        }
        counts.update(_demo_extras(db, rng, calendar))
    return counts


def _working_days(calendar: WorkingCalendar, start: date, end: date):
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            yield day
        day += timedelta(days=1)


def _demo_requests(db: sqlite_utils.Database, rng: random.Random,
                   calendar: WorkingCalendar) -> int:
    staff_by_unit: dict[str, list[str]] = {}
    for nip, _, unit, _ in STAFF:
        staff_by_unit.setdefault(unit, []).append(nip)
    weights = [s[5] for s in SERVICES]
    sequence: dict[tuple[str, int], int] = {}
    rows, events = [], []
    request_id = 0
    for day in _working_days(calendar, DEMO_START, DEMO_END):
        # Busier in June-August (graduation and school transfers).
        busy = 1.6 if day.month in (6, 7, 8) else 1.0
        for _ in range(int(rng.gauss(12 * busy, 3))):
            code, _, unit, sla, _, _ = rng.choices(SERVICES, weights)[0]
            received = day
            due = calendar.due_date(received, sla)
            seq = sequence[(unit, received.year)] = sequence.get((unit, received.year), 0) + 1
            request_id += 1
            outcome = rng.random()
            # Most requests finish within their service time; some run late, a few are
            # rejected, and the last weeks leave some open.
            if outcome < 0.03:
                status = "rejected"
                closed = calendar.due_date(received, rng.randint(0, max(sla, 1)))
            else:
                status = "completed"
                lateness = rng.randint(1, 6) if outcome > 0.91 else 0
                spent = rng.randint(0, sla) if lateness == 0 else sla + lateness
                closed = calendar.due_date(received, spent)
            started = calendar.due_date(received, 0 if sla == 0 else rng.randint(0, 1))
            if closed > DEMO_END:
                status, closed = ("in_progress" if started <= DEMO_END else "received"), None
            rows.append((
                request_id, f"{unit}-{received.year}-{seq:06d}", received.isoformat(), code,
                unit, _person(rng), f"08{rng.randint(11, 59)}{rng.randint(10000000, 99999999)}",
                rng.choice(CHANNELS), rng.choice(staff_by_unit[unit]), status,
                closed.isoformat() if closed else None, due.isoformat(),
                rng.choice([3, 4, 4, 4, 3, 2]) if closed and rng.random() < 0.4 else None,
            ))
            events.append((request_id, "received", received.isoformat(), ""))
            if status != "received" and sla > 0:
                events.append((request_id, "in_progress", started.isoformat(), ""))
            if closed:
                events.append((request_id, status, closed.isoformat(), ""))
    db.conn.executemany(
        "INSERT INTO requests (id, ref_no, received_on, service_code, unit, requester, "
        "contact, channel, staff_nip, status, closed_on, due_on, rating) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.conn.executemany(
        "INSERT INTO request_events (request_id, status, on_date, note) VALUES (?, ?, ?, ?)",
        events)
    return len(rows)


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _demo_adherence(db: sqlite_utils.Database, rng: random.Random,
                    calendar: WorkingCalendar) -> int:
    rows = []
    observers = ["Tim Audit Internal", "Wakil Manajemen Mutu", "Kepala Seksi"]
    for day in _working_days(calendar, DEMO_START, DEMO_END):
        # A few spot checks every working day.
        for _ in range(rng.randint(3, 7)):
            nip, _, unit, _ = rng.choice(STAFF)
            rules = [r for r in RULES if r[2] in (None, unit)]
            code = rng.choice(rules)[0]
            draw = rng.random()
            # Adherence dips in the busy months; 'na' when the SOP did not apply that day.
            breach_share = 0.10 if day.month in (6, 7, 8) else 0.05
            result = "na" if draw < 0.04 else ("breach" if draw < 0.04 + breach_share
                                               else "comply")
            note = ""
            if result == "breach":
                note = rng.choice([
                    "Berkas tidak dicatat di buku register",
                    "Tanda terima tidak diberikan kepada pemohon",
                    "Verifikasi persyaratan tidak lengkap",
                    "Arsip tidak disimpan sesuai SOP",
                ])
            rows.append((nip, code, day.isoformat(), unit, result, rng.choice(observers), note))
    db.conn.executemany(
        "INSERT OR IGNORE INTO adherence (staff_nip, rule_code, observed_on, unit, result, "
        "observer, note) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return db.execute("SELECT count(*) FROM adherence").fetchone()[0]


def _demo_extras(db: sqlite_utils.Database, rng: random.Random,
                 calendar: WorkingCalendar) -> dict:
    """Records of the other registers: surveys, complaints, documents, objectives, review."""
    return {"survey_responses": _demo_surveys(db, rng, calendar)}


def _demo_surveys(db: sqlite_utils.Database, rng: random.Random,
                  calendar: WorkingCalendar) -> int:
    """A few questionnaires a week per service; completion time scores lower in busy months."""
    rows = []
    number = 0
    for day in _working_days(calendar, DEMO_START, DEMO_END):
        for code, _, unit, _, _, weight in SERVICES:
            if rng.random() > 0.12 * weight:
                continue
            number += 1
            busy = day.month in (6, 7, 8)
            scores = []
            for element in range(1, 10):
                # Element 3 is completion time, element 8 complaint handling.
                low = 0.30 if (element == 3 and busy) else 0.12 if element in (3, 8) else 0.06
                draw = rng.random()
                scores.append(2 if draw < low else 3 if draw < low + 0.40 else 4)
            rows.append((f"{code}:{number}", day.isoformat(), code, unit, *scores))
    db.conn.executemany(
        "INSERT INTO surveys (response_key, responded_on, service_code, unit, "
        "u1, u2, u3, u4, u5, u6, u7, u8, u9) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows)
    return len(rows)
