"""The built-in demo: a realistic, deterministic year of records for a provincial education
office (SMP division, SMA division, secretariat).

The year runs from November 2025 to October 2026 so that the monthly audit of October 2026
has a full year of history behind it. The same seed always gives the same records.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

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


def fill_demo(db: sqlite_utils.Database, seed: int = 1) -> dict[str, object] | None:
    """Fill an empty database with the demo year; refuse a database that holds records.

    Returns None when the database already holds this very demo (same seed), so running
    the README's first command twice is harmless.
    """
    from qmstrack.db import get_setting

    if not _database_is_empty(db):
        if get_setting(db, "demo_seed") == seed:
            return None
        raise Conflict(
            "The database already holds records; the demo fills only an empty database "
            "(pass another --db)."
        )
    rng = random.Random(seed)
    calendar = WorkingCalendar()
    with writing(db, "demo"):
        set_setting(db, "org_name", DEMO_ORG)
        set_setting(db, "demo_seed", seed)
        db.table("units").insert_all([{"code": c, "name": n} for c, n in UNITS])
        db.table("services").insert_all(
            {"code": c, "name": n, "unit": u, "sla_days": d, "fee": f, "requirements": "",
             "active": 1}
            for c, n, u, d, f, _ in SERVICES
        )
        db.table("staff").insert_all(
            {"nip": nip, "name": name, "unit": unit, "position": pos, "active": 1}
            for nip, name, unit, pos in STAFF
        )
        db.table("rules").insert_all(
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
            closed: date | None
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
            # Receipt and closing are on the row; only the step between is an event.
            if status != "received" and sla > 0:
                events.append((request_id, "in_progress", started.isoformat(), ""))
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


OBSERVERS = ["Tim Audit Internal", "Wakil Manajemen Mutu", "Kepala Seksi"]
BREACH_NOTES = [
    "Berkas tidak dicatat di buku register",
    "Tanda terima tidak diberikan kepada pemohon",
    "Verifikasi persyaratan tidak lengkap",
    "Arsip tidak disimpan sesuai SOP",
]


def observation(rng: random.Random, day: date) -> tuple[str, str, str]:
    """(result, observer, note) of one spot check: adherence dips in the busy months;
    'na' when the SOP did not apply that day."""
    draw = rng.random()
    breach_share = 0.10 if day.month in (6, 7, 8) else 0.05
    result = "na" if draw < 0.04 else ("breach" if draw < 0.04 + breach_share else "comply")
    note = rng.choice(BREACH_NOTES) if result == "breach" else ""
    return result, rng.choice(OBSERVERS), note


def _demo_adherence(db: sqlite_utils.Database, rng: random.Random,
                    calendar: WorkingCalendar) -> int:
    rows = []
    for day in _working_days(calendar, DEMO_START, DEMO_END):
        # A few spot checks every working day, from 08:00 through the day; the same staff
        # member and rule may be checked twice in one day (two files), both kept.
        for check in range(rng.randint(3, 7)):
            nip, _, unit, _ = rng.choice(STAFF)
            rules = [r for r in RULES if r[2] in (None, unit)]
            code = rng.choice(rules)[0]
            result, observer, note = observation(rng, day)
            at = f"{8 + check:02d}:{(check * 17 + day.day) % 60:02d}"
            rows.append((nip, code, day.isoformat(), at, unit, result, observer, note))
    db.conn.executemany(
        "INSERT INTO adherence (staff_nip, rule_code, observed_on, observed_at, unit, result, "
        "observer, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return db.execute("SELECT count(*) FROM adherence").fetchone()[0]


def _demo_extras(db: sqlite_utils.Database, rng: random.Random,
                 calendar: WorkingCalendar) -> dict:
    """Records of the other registers: surveys, complaints, documents, objectives, review."""
    counts = {"survey_responses": _demo_surveys(db, rng, calendar)}
    counts["complaints"] = _demo_complaints(db, rng, calendar)
    counts["objectives"] = _demo_objectives(db, rng)
    counts["findings"] = _demo_findings(db)
    counts["reviews"] = _demo_review(db)
    counts["documents"] = _demo_documents(db)
    counts["providers"] = _demo_providers(db)
    counts["risks"] = _demo_risks(db)
    counts["trainings"] = _demo_competence(db)
    return counts


# number, revision, type, title, clause, unit, issued, review every (months), approved
# (by the head of the general affairs subdivision on the issue date), distribution, text of
# the file (or None)
HEAD = "198512122010011003"
DOCUMENTS = [
    ("KM-01", "01", "policy", "Kebijakan Mutu", "5.2", None, "2026-01-05", 12, True,
     "SMA, SMP, SEKRETARIAT",
     "Kebijakan Mutu\n\nKami berkomitmen memberikan layanan pendidikan yang cepat, tepat, "
     "transparan dan bebas pungutan, serta terus meningkatkan sistem manajemen mutu.\n"),
    ("SM-2026", "00", "objectives", "Sasaran Mutu 2026", "6.2", None, "2026-01-12", 12, True,
     "SMA, SMP, SEKRETARIAT", None),
    ("PM-01", "02", "procedure", "Pedoman Mutu", "4.4", None, "2025-02-03", 24, True,
     "SMA, SMP, SEKRETARIAT", None),
    ("SOP/SMA/01", "00", "sop", "SOP pelayanan legalisir ijazah SMA/SMK", "8.5.1", "SMA",
     "2025-03-03", 24, True, "SMA", None),
    ("SOP/SMP/01", "00", "sop", "SOP pelayanan legalisir ijazah SMP", "8.5.1", "SMP",
     "2025-03-03", 24, True, "SMP", None),
    # Past its review date: the audit's documents.stale item catches it.
    ("SOP/SEK/02", "00", "sop", "SOP pengelolaan surat masuk dan keluar", "7.5.3",
     "SEKRETARIAT", "2024-02-01", 24, True, "SEKRETARIAT", None),
    ("NTM-2026", "00", "review-minutes", "Notulen Tinjauan Manajemen 2026", "9.3", None,
     "2026-01-20", None, True, "", "Notulen tinjauan manajemen, 20 Januari 2026.\n"),
    # Registered without its approval page: the audit's documents.without_approval item
    # names it.
    ("REK-PLT-2026", "00", "training", "Rekap pelatihan layanan prima 2026", "7.2", None,
     "2026-03-16", None, False, "", None),
]
# The SMA legalisation SOP revised in the year: revision 00 stays on record as obsolete.
REVISIONS = [("SOP/SMA/01", "01", "2026-06-02", "2026-05-20")]


def _demo_documents(db: sqlite_utils.Database) -> int:
    """The documented information of the office (the master list); two documents carry a
    file, one is revised in the year."""
    import tempfile
    from pathlib import Path

    from qmstrack.registers.documents import add_document, revise_document

    db_path = next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")
    with tempfile.TemporaryDirectory() as tmp:
        for (number, rev, kind, title, clause, unit, issued, months, approved, copies,
             text) in DOCUMENTS:
            file = None
            if text is not None:
                file = Path(tmp) / f"{title.lower().replace(' ', '-')}.txt"
                file.write_text(text, encoding="utf-8")
            add_document(db, db_path, type=kind, title=title, clause=clause, unit=unit,
                         file=file, issued=issued,
                         review_every=f"{months}m" if months else None, today=DEMO_END,
                         number=number, revision=rev,
                         approved_by=HEAD if approved else None,
                         approved_on=issued if approved else None,
                         distribution=copies or None)
        for number, rev, on, drafted in REVISIONS:
            revise_document(db, db_path, number, revision=rev, approved_by=HEAD, on=on,
                            drafted=drafted, today=DEMO_END)
    return len(DOCUMENTS) + len(REVISIONS)


# code, name, supplies, criteria, unit, since; then evaluations: (date, quality, delivery,
# service)
PROVIDERS = [
    ("CETAK-01", "CV Sinar Grafika Samarinda", "Cetak blangko legalisir dan surat keterangan",
     "Mutu cetak, ketepatan waktu kirim, kesesuaian jumlah", None, "2024-01-08",
     [("2025-11-17", 4, 4, 4), ("2026-10-12", 4, 3, 4)]),
    ("IT-01", "PT Borneo Net Media", "Layanan internet kantor dan hosting aplikasi layanan",
     "Ketersediaan layanan 99%, waktu tanggap gangguan", "SEKRETARIAT", "2023-07-03",
     # Conditional in January (outages in the peak months): due again in July, not done.
     [("2025-12-08", 4, 4, 3), ("2026-01-19", 3, 3, 3)]),
    ("KURIR-01", "CV Kurir Mahakam", "Pengiriman surat dan dokumen ke sekolah",
     "Ketepatan waktu, dokumen utuh", None, "2024-03-04",
     [("2026-02-23", 4, 5, 4)]),
    ("KATERING-01", "Katering Ibu Sari", "Konsumsi rapat dan pelatihan",
     "Kebersihan, ketepatan waktu", None, "2025-02-10",
     [("2026-02-16", 2, 3, 2)]),
]


def _demo_providers(db: sqlite_utils.Database) -> int:
    """External providers and a year of their evaluations; one re-evaluation overdue."""
    from qmstrack.registers.providers import add_provider, evaluate_provider

    for code, name, supplies, criteria, unit, since, evaluations in PROVIDERS:
        add_provider(db, code=code, name=name, supplies=supplies, criteria=criteria,
                     unit=unit, since=since)
        for on, quality, delivery, service in evaluations:
            evaluate_provider(db, code, quality=quality, delivery=delivery, service=service,
                              on=on, evaluator="Andi Wijaya, S.H.", today=DEMO_END)
    return len(PROVIDERS)


# ref, unit, process, description, cause, likelihood, impact, treatment, owner, identified,
# due, reviewed, closed, residual (likelihood, impact)
RISKS = [
    ("R-SMA-001", "SMA", "SMA-LEG", "Antrean legalisir menumpuk di awal tahun ajaran",
     "Lonjakan permohonan Juni-Agustus", 4, 3,
     "Loket tambahan dan legalisir daring pada Juni-Agustus", "197803152005011002",
     "2025-11-10", "2026-05-29", "2026-06-15", "2026-09-01", (2, 3)),
    ("R-SMA-002", "SMA", "SMA-SKPI", "Berkas permohonan SKPI hilang sebelum diverifikasi",
     "Berkas kertas berpindah tangan tanpa tanda terima", 2, 5,
     "Tanda terima dan pindai berkas di loket", "198609262015051001", "2025-11-10",
     "2026-02-27", "2026-03-02", "2026-03-02", (1, 5)),
    ("R-SMP-001", "SMP", "SMP-MUT", "Rekomendasi mutasi terlambat karena data Dapodik belum "
     "diperbarui", "Sekolah asal lambat memperbarui Dapodik", 3, 3,
     "Surat edaran ke sekolah dan pemeriksaan Dapodik mingguan", "197912202006041001",
     "2025-12-01", "2026-03-31", "2026-04-06", "2026-07-01", (2, 2)),
    # Open past its due date: the audit's risks.treatment_overdue item names it.
    ("R-SEK-001", "SEKRETARIAT", "SEK-PPID", "Gangguan jaringan menghentikan layanan "
     "informasi daring", "Satu penyedia internet tanpa cadangan", 3, 4,
     "Sambungan cadangan dari penyedia kedua", "198512122010011003", "2025-11-17",
     "2026-08-31", "2026-06-01", None, None),
    ("R-SEK-002", "SEKRETARIAT", "SEK-SURAT", "Surat masuk salah disposisi",
     "Agenda surat masih manual", 2, 2, "Agenda surat elektronik", "198402282009031004",
     "2026-01-12", "2026-12-15", "2026-07-06", None, None),
]


def _demo_risks(db: sqlite_utils.Database) -> int:
    """The risk register of the three units; one treatment overdue at the end of the year."""
    from qmstrack.registers.risks import add_risk

    for (ref, unit, process, description, cause, likelihood, impact, treatment, owner,
         identified, due, reviewed, closed, residual) in RISKS:
        add_risk(db, ref_no=ref, unit=unit, process=process, description=description,
                 cause=cause, likelihood=likelihood, severity=impact, treatment=treatment,
                 owner=owner, identified_on=identified, due_on=due, reviewed_on=reviewed,
                 closed_on=closed, status="closed" if closed else None,
                 residual_likelihood=residual[0] if residual else None,
                 residual_severity=residual[1] if residual else None)
    # An opportunity found in the management review.
    add_risk(db, ref_no="P-SMA-001", kind="opportunity", unit="SMA", process="SMA-LEG",
             description="Legalisir elektronik bersama Disdukcapil", likelihood=3, severity=4,
             treatment="Kajian kerja sama", owner="197803152005011002",
             identified_on="2026-01-20", due_on="2026-12-18")
    return len(RISKS) + 1


COMPETENCES = [
    ("PELAYANAN-PRIMA", "Pelayanan prima di loket layanan"),
    ("ARSIP", "Pengelolaan arsip dinamis"),
    ("AUDIT-ISO", "Audit internal ISO 9001:2015"),
    ("DAPODIK", "Pengelolaan data pokok pendidikan (Dapodik)"),
]
REQUIRED = [
    ("Pengadministrasi Umum", "PELAYANAN-PRIMA"), ("Pengadministrasi Umum", "ARSIP"),
    ("Pengadministrasi Persuratan", "ARSIP"), ("Arsiparis Pertama", "ARSIP"),
    ("Pengelola Informasi PPID", "PELAYANAN-PRIMA"), ("Pengelola Data", "DAPODIK"),
    ("Analis Peserta Didik", "DAPODIK"), ("Kepala Subbagian Umum", "AUDIT-ISO"),
]
# nip, title, competence, date, hours, effectiveness (None: not evaluated yet)
TRAININGS = [
    ("198609262015051001", "Bimtek pelayanan prima 2026", "PELAYANAN-PRIMA", "2026-03-16",
     16, "effective"),
    ("199305182020121005", "Bimtek pelayanan prima 2026", "PELAYANAN-PRIMA", "2026-03-16",
     16, "effective"),
    ("199207302018012001", "Bimtek pelayanan prima 2026", "PELAYANAN-PRIMA", "2026-03-16",
     16, "effective"),
    ("198609262015051001", "Diklat kearsipan dasar", "ARSIP", "2025-11-24", 24, "effective"),
    ("198402282009031004", "Diklat kearsipan dasar", "ARSIP", "2025-11-24", 24,
     "not_effective"),
    ("199511112022032006", "Diklat fungsional arsiparis", "ARSIP", "2026-02-09", 40,
     "effective"),
    ("198807072014022003", "Workshop Dapodik 2026", "DAPODIK", "2026-07-13", 8, None),
    ("199001012019032002", "Workshop Dapodik 2026", "DAPODIK", "2026-07-13", 8, "effective"),
    ("198512122010011003", "Pelatihan auditor internal ISO 9001:2015", "AUDIT-ISO",
     "2025-12-08", 24, "effective"),
]


def _demo_competence(db: sqlite_utils.Database) -> int:
    """Competences required by position and a year of training records; two gaps remain
    (an archive course evaluated ineffective, a clerk not yet trained in archives)."""
    from qmstrack.registers.competence import add_competence, add_training, require_competence

    for code, title in COMPETENCES:
        add_competence(db, code, title)
    for position, code in REQUIRED:
        require_competence(db, position, code)
    for nip, title, code, held, hours, effectiveness in TRAININGS:
        evaluated = None
        if effectiveness:
            evaluated = (date.fromisoformat(held) + timedelta(days=60)).isoformat()
        add_training(db, staff=nip, title=title, competence=code, held_on=held, hours=hours,
                     organiser="BPSDM Provinsi Kalimantan Timur", effectiveness=effectiveness,
                     evaluated_on=evaluated)
    return len(TRAININGS)


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
    # The profile is drawn from its own generator so that the rest of the demo year stays
    # the same records whatever the profile block holds.
    profiles = random.Random("demo-respondent-profile")
    rows = [(*row, *_respondent(profiles)) for row in rows]
    db.conn.executemany(
        "INSERT INTO surveys (response_key, responded_on, service_code, unit, "
        "u1, u2, u3, u4, u5, u6, u7, u8, u9, sex, age, education, occupation, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows)
    return len(rows)


# Who answers an education office's questionnaire: parents, teachers and school staff,
# pupils; weights per answer of the profile block. "Pelajar" and "Ibu rumah tangga" are
# written in, as respondents do, and are counted under their own value.
DEMO_EDUCATION = [("SMA", 44), ("S1", 34), ("SMP", 8), ("S2", 8), ("SD", 3), ("S3", 1),
                  ("", 2)]
DEMO_OCCUPATION = [("PNS", 33), ("Swasta", 22), ("Wirausaha", 14), ("Pelajar", 12),
                   ("Ibu rumah tangga", 8), ("Lainnya", 6), ("TNI", 2), ("POLRI", 2),
                   ("", 1)]
DEMO_SUGGESTIONS = [
    "Mohon antrean loket legalisir dibuat dengan nomor urut.",
    "Informasi persyaratan di laman dinas agar diperbarui.",
    "Petugas sudah ramah, pertahankan.",
    "Ruang tunggu perlu tambahan kursi dan kipas angin.",
    "Status permohonan sebaiknya dapat dicek melalui WhatsApp.",
    "Jam layanan pada masa kelulusan agar diperpanjang.",
]


def _weighted(rng: random.Random, answers: list[tuple[str, int]]) -> str:
    return rng.choices([a for a, _ in answers], weights=[w for _, w in answers])[0]


def _respondent(rng: random.Random) -> tuple[str, int | None, str, str, str]:
    """Sex, age, education, occupation and suggestion of one demo respondent."""
    sex = rng.choices(["L", "P", ""], weights=[47, 51, 2])[0]
    age = None if rng.random() < 0.03 else min(70, max(16, round(rng.gauss(38, 11))))
    education = _weighted(rng, DEMO_EDUCATION)
    occupation = _weighted(rng, DEMO_OCCUPATION)
    note = rng.choice(DEMO_SUGGESTIONS) if rng.random() < 0.08 else ""
    return sex, age, education, occupation, note


# unit -> what the public complains about (pengaduan), in the words of the register.
COMPLAINT_SUBJECTS = {
    "SMA": [
        "Legalisir ijazah SMA belum selesai melewati waktu layanan",
        "Petugas loket legalisir kurang ramah",
        "Rekomendasi mutasi siswa SMA tertunda tanpa pemberitahuan",
        "Persyaratan mutasi siswa di laman dinas tidak sama dengan di loket",
        "Antrean legalisir terlalu panjang pada masa kelulusan",
        "Hasil legalisir salah cap dan harus diulang",
    ],
    "SMP": [
        "Surat keterangan pengganti ijazah SMP lama diproses",
        "Status permohonan mutasi siswa SMP tidak dapat dilacak",
        "Nomor telepon layanan bidang SMP tidak dapat dihubungi",
        "Pemohon diminta melengkapi berkas berulang kali",
    ],
    "SEKRETARIAT": [
        "Permohonan informasi publik belum ditanggapi",
        "Izin penelitian belum terbit setelah lima hari kerja",
        "Ruang tunggu layanan panas dan kursi kurang",
        "Laman PPID tidak dapat diakses",
        "Surat keterangan umum salah penulisan nama",
    ],
}
COMPLAINT_RESPONSES = [
    "Permohonan telah diselesaikan dan pemohon sudah dihubungi petugas.",
    "Petugas yang bersangkutan telah diberi pembinaan oleh atasan langsung.",
    "Informasi persyaratan telah diperbarui dan disamakan di laman dan loket.",
    "Keterlambatan disebabkan berkas belum lengkap; pemohon telah diberi penjelasan.",
    "Perbaikan dokumen telah dilakukan tanpa biaya dan diserahkan kepada pemohon.",
]
COMPLAINT_OUTCOMES = [
    "Selesai; pelapor menyatakan puas atas tindak lanjut.",
    "Selesai; tindak lanjut dilaporkan melalui SP4N-LAPOR!.",
    "Selesai; perbaikan prosedur dicatat untuk tinjauan manajemen.",
]
COMPLAINT_CHANNELS = (["lapor"] * 7 + ["walk-in"] * 5 + ["phone"] * 3 + ["email"] * 3
                      + ["letter"] * 2)


def _demo_complaints(db: sqlite_utils.Database, rng: random.Random,
                     calendar: WorkingCalendar) -> int:
    """About 80 complaints: most answered within the five working days, a few late, a few
    still open at the end of the demo year; some concern a registered request."""
    requests: dict[str, list[tuple[str, str]]] = {}
    for ref, unit, received in db.execute("SELECT ref_no, unit, received_on FROM requests "
                                          "ORDER BY id"):
        requests.setdefault(unit, []).append((received, ref))
    units = [u for u, _ in UNITS]
    rows = []
    sequence: dict[int, int] = {}
    for day in _working_days(calendar, DEMO_START, DEMO_END):
        if rng.random() > 0.33:
            continue
        unit = rng.choices(units, [4, 3, 3])[0]
        channel = rng.choice(COMPLAINT_CHANNELS)
        request_ref = None
        if rng.random() < 0.4:
            since = (day - timedelta(days=30)).isoformat()
            until = (day - timedelta(days=1)).isoformat()
            recent = [ref for received, ref in requests[unit] if since <= received <= until]
            if recent:
                request_ref = rng.choice(recent)
        seq = sequence[day.year] = sequence.get(day.year, 0) + 1
        due = calendar.due_date(day, 5)
        draw = rng.random()
        responded = closed = None
        response = outcome = ""
        if draw < 0.84:  # answered within the five working days
            responded = calendar.due_date(day, rng.randint(1, 5))
        elif draw < 0.95:  # answered late
            responded = calendar.due_date(day, rng.randint(6, 12))
        elif draw < 0.97:  # withdrawn by the complainant, closed without a response
            closed = calendar.due_date(day, rng.randint(2, 6))
            outcome = "Pengaduan dicabut oleh pelapor."
        if responded is not None and responded > DEMO_END:
            responded = None
        if responded is not None:
            response = rng.choice(COMPLAINT_RESPONSES)
            closed = calendar.due_date(responded, rng.randint(0, 4))
            outcome = rng.choice(COMPLAINT_OUTCOMES)
        if closed is not None and closed > DEMO_END:
            closed, outcome = None, ""
        rows.append((
            f"ADU-{day.year}-{seq:04d}", day.isoformat(), channel,
            rng.choice(COMPLAINT_SUBJECTS[unit]), unit, request_ref, _person(rng),
            f"08{rng.randint(11, 59)}{rng.randint(10000000, 99999999)}", due.isoformat(),
            responded.isoformat() if responded else None, response,
            closed.isoformat() if closed else None, outcome,
        ))
    db.conn.executemany(
        "INSERT INTO complaints (ref_no, received_on, channel, subject, unit, request_ref, "
        "complainant, contact, response_due_on, responded_on, response, closed_on, outcome) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


OBJECTIVE_YEAR = 2026
# unit, service, title, metric (None: recorded by hand), target, frequency
OBJECTIVES = [
    ("SMA", None, "Permohonan layanan SMA selesai tepat waktu", "requests.on_time_rate",
     ">= 0.9", "monthly"),
    ("SMP", None, "Permohonan layanan SMP selesai tepat waktu", "requests.on_time_rate",
     ">= 0.9", "monthly"),
    ("SEKRETARIAT", None, "Permohonan layanan Sekretariat selesai tepat waktu",
     "requests.on_time_rate", ">= 0.9", "monthly"),
    ("SMA", "SMA-LEG", "Legalisir ijazah SMA/SMK selesai tepat waktu",
     "requests.on_time_rate", ">= 0.95", "monthly"),
    ("SMA", None, "Kepatuhan petugas layanan SMA terhadap SOP", "adherence.rate", ">= 0.95",
     "monthly"),
    ("SMP", None, "Indeks Kepuasan Masyarakat layanan SMP", "satisfaction.ikm", ">= 82",
     "quarterly"),
    ("SMA", None, "Persentase arsip layanan tertata", None, ">= 0.9", "monthly"),
    ("SMP", None, "Persentase arsip layanan tertata", None, ">= 0.9", "monthly"),
    ("SEKRETARIAT", None, "Persentase arsip layanan tertata", None, ">= 0.9", "monthly"),
]


def _demo_objectives(db: sqlite_utils.Database, rng: random.Random) -> int:
    """The quality objectives of 2026; the archive objectives are recorded by hand each
    month up to October (the Secretariat's missed September and October)."""
    values = []
    for unit, service, title, metric, target, frequency in OBJECTIVES:
        objective_id = db.table("objectives").insert({
            "unit": unit, "service_code": service, "title": title, "metric": metric,
            "target": target, "frequency": frequency, "year": OBJECTIVE_YEAR}).last_pk
        if metric is not None:
            continue
        for month in range(1, DEMO_END.month + 1):
            value = round(min(1.0, rng.gauss(0.94, 0.025)), 3)
            if unit == "SEKRETARIAT" and month in (9, 10):
                value = {9: 0.86, 10: 0.84}[month]  # the digitisation of the archive lags
            values.append((objective_id, f"{OBJECTIVE_YEAR}-{month:02d}", value,
                           "Hasil pemeriksaan arsip bulanan oleh arsiparis"))
    db.conn.executemany("INSERT INTO objective_values (objective_id, period, value, note) "
                        "VALUES (?, ?, ?, ?)", values)
    return len(OBJECTIVES)


def _demo_findings(db: sqlite_utils.Database) -> int:
    """The findings of Sucofindo's surveillance audit of March 2026 and their corrective
    actions: one closed at once, one closed after a second action, one overdue."""
    andi, ahmad, hendra, fitri = (STAFF[7][0], STAFF[0][0], STAFF[4][0], STAFF[10][0])
    findings: list[tuple[dict[str, Any], list[tuple[Any, ...]]]] = [
        ({"ref_no": "SCI-2026-01", "clause_ref": "7.5.3", "grade": "minor",
          "unit": "SEKRETARIAT", "status": "closed", "owner_nip": andi,
          "description": "Sebagian arsip surat keluar tahun 2025 belum diberi kode "
                         "klasifikasi sesuai SOP-SEK-02.",
          "root_cause": "Petugas persuratan baru belum mendapat pengarahan kearsipan.",
          "correction": "Arsip surat keluar 2025 diberi kode klasifikasi.",
          "due_on": "2026-05-11", "closed_on": "2026-05-08"},
         [("Pengarahan kearsipan bagi petugas persuratan dan pemeriksaan bulanan oleh "
           "arsiparis", fitri, "2026-03-20", "2026-05-11", "2026-05-08", 1,
           "Sampel 30 arsip April 2026 seluruhnya berkode.")]),
        ({"ref_no": "SCI-2026-02", "clause_ref": "8.5.1", "grade": "minor", "unit": "SMA",
          "status": "closed", "owner_nip": ahmad,
          "description": "Tanda terima berkas legalisir tidak selalu diberikan kepada "
                         "pemohon.",
          "root_cause": "Blanko tanda terima sering habis pada jam sibuk.",
          "correction": "Tanda terima diberikan untuk berkas yang masih diproses.",
          "due_on": "2026-07-31", "closed_on": "2026-08-04"},
         [("Menyediakan blanko tanda terima bernomor di loket legalisir", ahmad,
           "2026-03-19", "2026-05-11", "2026-05-15", 0,
           "Pada sampel Mei 2026 masih ada berkas tanpa tanda terima."),
          ("Menerapkan tanda terima elektronik melalui aplikasi antrean", ahmad,
           "2026-05-15", "2026-07-31", "2026-08-04", 1, "")]),
        ({"ref_no": "SCI-2026-03", "clause_ref": "9.1.3", "grade": "observation",
          "unit": "SMP", "status": "action_planned", "owner_nip": hendra,
          "description": "Hasil survei kepuasan masyarakat belum dianalisis per unsur untuk "
                         "menentukan tindak lanjut.",
          "root_cause": "Belum ada format analisis IKM per unsur.", "correction": "",
          "due_on": "2026-06-10", "closed_on": None},
         [("Menyusun analisis IKM per unsur setiap triwulan dan membahasnya dalam rapat "
           "bidang", hendra, "2026-04-02", "2026-06-10", None, None, "")]),
    ]
    for finding, actions in findings:
        finding_id = db.table("findings").insert({
            **finding, "source": "sucofindo", "raised_on": "2026-03-12"}).last_pk
        db.table("finding_actions").insert_all(
            {"finding_id": finding_id, "action": action, "owner_nip": owner,
             "planned_on": planned, "due_on": due, "verified_by":
             "Wakil Manajemen Mutu" if verified else None, "verified_on": verified,
             "effective": effective, "note": note}
            for action, owner, planned, due, verified, effective, note in actions)
    return len(findings)


def _demo_review(db: sqlite_utils.Database) -> int:
    """The management review of 20 January 2026 and its five decisions: three done, one
    overdue (the archive), one still running."""
    import json

    review_id = db.table("reviews").insert({
        "held_on": "2026-01-20", "chair": "Dr. H. Muhammad Kurniawan, M.Pd.",
        "attendees": json.dumps([STAFF[0][1], STAFF[4][1], STAFF[7][1], STAFF[8][1],
                                 f"{STAFF[2][1]} (Wakil Manajemen Mutu)"],
                                ensure_ascii=False)}).last_pk
    decisions = [
        ("Menambah petugas loket legalisir SMA pada masa kelulusan (Juni-Agustus)",
         STAFF[0][0], "2026-05-31", "2026-05-27", "SK penugasan dua petugas tambahan."),
        ("Menyusun analisis IKM per unsur setiap triwulan", STAFF[4][0], "2026-04-30",
         "2026-04-24", "Analisis triwulan I dibahas dalam rapat bidang."),
        ("Menindaklanjuti setiap pengaduan SP4N-LAPOR! paling lambat lima hari kerja dan "
         "melaporkannya setiap bulan", STAFF[8][0], "2026-03-31", "2026-03-30", ""),
        ("Digitalisasi arsip surat masuk dan keluar Sekretariat", STAFF[7][0], "2026-09-30",
         None, ""),
        ("Pelatihan petugas layanan tentang kode etik dan penanganan pengaduan", STAFF[8][0],
         "2026-12-15", None, ""),
    ]
    db.table("review_actions").insert_all(
        {"review_id": review_id, "decision": decision, "owner_nip": owner, "due_on": due,
         "status": "closed" if closed else "open", "closed_on": closed, "note": note}
        for decision, owner, due, closed, note in decisions)
    return 1
