"""The fast paths behind large imports and large registers give the same answers as the
plain ones: cell checks, remembered conversions, multi-row inserts, the seal's hashing,
the cached public holidays, and the rewritten "open at the end of the period" queries.

(No timings here: the benchmarks in ``benchmarks/`` measure speed.)
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import sqlite3
import sys
import unicodedata
from datetime import date, timedelta

import pytest

from qmstrack import changelog
from qmstrack.calendar import WorkingCalendar, public_holidays
from qmstrack.db import writing
from qmstrack.errors import ImportRefused, InvalidInput
from qmstrack.metric_defs import open_counts, request_counts
from qmstrack.metrics import Period, Scope
from qmstrack.parsing import clean_text, parse_date
from qmstrack.registers import requests as requests_register
from qmstrack.registers.requests import import_requests, list_requests
from qmstrack.tabular import Memo, text_cell

BUDI = "198609262015051001"


# --- cells ------------------------------------------------------------------------------


def test_the_control_character_pattern_is_exactly_category_cc_without_tab_and_newline():
    from qmstrack.tabular import _CONTROL

    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        refused = unicodedata.category(ch) == "Cc" and ch not in "\n\t"
        assert (_CONTROL.search(ch) is not None) == refused, hex(code)


@pytest.mark.parametrize("value", [
    "Ani Lestari", "  padded  ", "", "   ", "line\nbreak", "tab\there", "bell\x07",
    "del\x7f", "c1\x85", "x" * 200, "x" * 201, " " + "x" * 200 + " ", "Dewi; S.Pd", 81234,
    81234.0, None, "日本語 ✓", "\u2028 separator",
])
def test_text_cell_answers_like_clean_text(value):
    def outcome(fn):
        try:
            return ("ok", fn(value, field="requester", max_length=200))
        except InvalidInput as exc:
            return ("error", str(exc))

    assert outcome(text_cell) == outcome(clean_text)


def test_memo_remembers_only_accepted_text():
    calls = []

    def convert(value):
        calls.append(value)
        if value == "bad":
            raise InvalidInput("bad value")
        return int(value)

    memo = Memo(convert, limit=2)
    assert memo("1") == 1 and memo("1") == 1
    assert calls == ["1"]
    for _ in range(2):
        with pytest.raises(InvalidInput, match="bad value"):
            memo("bad")
    assert calls == ["1", "bad", "bad"]
    # Numbers and booleans are equal dictionary keys; they are never remembered.
    assert memo(1) == 1 and memo(True) == 1
    assert calls[-2:] == [1, True]
    memo("2")
    memo("3")  # over the limit: converted, not kept
    assert set(memo) == {"1", "2"}
    # Dates are remembered (a date and a datetime are never equal keys).
    days = Memo(lambda value: value, limit=10)
    assert days(date(2026, 11, 23)) == date(2026, 11, 23) and set(days) == {date(2026, 11, 23)}


def test_memo_dates_keep_their_own_messages(db):
    lk = requests_register._Lookups(db)
    assert lk.received_on("23/11/2026") == date(2026, 11, 23)
    assert lk.closed_on("23/11/2026") == date(2026, 11, 23)
    with pytest.raises(InvalidInput, match="closing date"):
        lk.closed_on("31/02/2026")
    with pytest.raises(InvalidInput, match="received date"):
        lk.received_on("31/02/2026")
    assert parse_date("23/11/2026") == lk.received_on("23/11/2026")


# --- multi-row inserts ------------------------------------------------------------------


def _write_requests_csv(path, rows: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    services = ["SMA-LEG", "SMA-MUT", "SMP-LEG", "SEK-SURAT"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["No. Registrasi", "Tanggal Masuk", "Kode Layanan", "Nama Pemohon",
                    "Status", "Tanggal Selesai", "Petugas", "Nilai"])
        for i in range(rows):
            received = date(2026, 1, 2) + timedelta(days=rng.randint(0, 300))
            kind = rng.random()
            if kind < 0.6:
                status, closed = "selesai", received + timedelta(days=rng.randint(0, 9))
            elif kind < 0.7:
                status, closed = "ditolak", received + timedelta(days=rng.randint(0, 3))
            elif kind < 0.85:
                status, closed = "diproses", None
            else:
                status, closed = "diterima", None
            w.writerow([f"R-{i:05d}", f"{received:%d/%m/%Y}", rng.choice(services),
                        f"Pemohon {i}", status, f"{closed:%d/%m/%Y}" if closed else "",
                        BUDI if rng.random() < 0.3 else "",
                        rng.choice(["", "3", "4"]) if closed else ""])


def test_a_large_import_in_many_batches_and_statements_is_whole(office, tmp_path,
                                                                  monkeypatch):
    # Small batches and a small variable limit: many statements, and odd remainders.
    monkeypatch.setattr("qmstrack.tabular.BATCH_SIZE", 97)
    office.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)
    path = tmp_path / "many.csv"
    _write_requests_csv(path, 1203)
    report = import_requests(office, path)
    assert (report.inserted, report.rejected) == (1203, 0)
    assert office.execute("SELECT count(*), min(id), max(id) FROM requests").fetchone() == (
        1203, 1, 1203)
    # Each request in progress has its one event, under its own id; the others none (their
    # receipt and closing are on the row).
    bad = office.execute("""
        SELECT r.ref_no FROM requests r WHERE
          (SELECT count(*) FROM request_events e WHERE e.request_id = r.id)
          != (r.status = 'in_progress')
          OR (r.status = 'in_progress' AND NOT EXISTS (SELECT 1 FROM request_events e
              WHERE e.request_id = r.id AND e.status = 'in_progress'
              AND e.on_date = r.received_on))
    """).fetchall()
    assert bad == []
    assert office.execute("SELECT count(*) FROM requests WHERE status = 'in_progress'"
                          ).fetchone()[0] > 0
    assert list(changelog.verify_chain(office)) == []
    again = import_requests(office, path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1203)


def test_import_ids_follow_the_highest_existing_id(office, tmp_path):
    path = tmp_path / "a.csv"
    _write_requests_csv(path, 10)
    import_requests(office, path)
    with writing(office):
        office.execute("DELETE FROM request_events WHERE request_id = 10")
        office.execute("DELETE FROM requests WHERE id = 10")
    path2 = tmp_path / "b.csv"
    _write_requests_csv(path2, 12)
    report = import_requests(office, path2)
    assert report.inserted == 3  # R-00009 again (as id 10, like SQLite), R-00010, R-00011
    assert [r[0] for r in office.execute("SELECT id FROM requests ORDER BY id")] == list(
        range(1, 13))
    assert list(changelog.verify_chain(office)) == []


def test_import_leaves_the_connection_settings_as_they_were(office, tmp_path):
    before = [office.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size",
                                                                   "temp_store")]
    path = tmp_path / "a.csv"
    _write_requests_csv(path, 5)
    import_requests(office, path)
    bad = tmp_path / "bad.csv"
    bad.write_text("No. Registrasi;Tanggal Masuk;Kode Layanan;Nama Pemohon\n"
                   "X-1;31/02/2026;SMA-LEG;Ani\n", encoding="utf-8")
    with pytest.raises(ImportRefused):
        import_requests(office, bad)
    after = [office.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size",
                                                                  "temp_store")]
    assert after == before


# --- the seal ---------------------------------------------------------------------------


def test_range_hash_is_the_documented_entry_digest_even_for_odd_values(db):
    # Values the triggers never write (numbers, blobs, NULLs) still hash as str() does.
    db.conn.executemany(
        "INSERT INTO change_log (id, tbl, row_key, op, old, new) VALUES (?, ?, ?, ?, ?, ?)",
        [(1, "units", "A", "insert", None, '{"code":"A"}'),
         (2, "units", 7, "update", 1.5, "ünïcode ✓"),
         (3, "units", "B", "delete", b"\x00\x01", None),
         (4, "units", "", "insert", "", "")])
    rows = db.execute("SELECT id, tbl, row_key, op, old, new FROM change_log "
                      "ORDER BY id").fetchall()
    outer = hashlib.sha256(changelog.GENESIS.encode("ascii"))
    for row in rows:
        outer.update(changelog.entry_digest(row))
    assert changelog._range_hash(db, changelog.GENESIS, 1, 4) == outer.hexdigest()


# --- the calendar -----------------------------------------------------------------------


def test_public_holidays_come_from_the_cache_the_second_time(tmp_path, monkeypatch):
    import holidays

    original = holidays.country_holidays
    expected = dict(original("ID", years=range(2024, 2027)).items())
    assert public_holidays(2024, 2026) == expected
    caches = list((tmp_path / "home").rglob("holidays-ID-*.json"))
    assert len(caches) == 1
    monkeypatch.setattr(holidays, "country_holidays", None)  # must not be needed now
    assert public_holidays(2024, 2026) == expected
    assert public_holidays(2025, 2025) == {d: n for d, n in expected.items()
                                           if d.year == 2025}
    # A damaged cache is ignored (and rewritten).
    caches[0].write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(holidays, "country_holidays", original)
    assert public_holidays(2024, 2026) == expected
    assert json.loads(caches[0].read_text(encoding="utf-8"))["years"]["2025"]


def test_calendar_with_and_without_the_cache_agree(monkeypatch):
    cached = WorkingCalendar(extra_days_off=[date(2026, 8, 18)])
    monkeypatch.setenv("QMSTRACK_NO_HOLIDAY_CACHE", "1")
    fresh = WorkingCalendar(extra_days_off=[date(2026, 8, 18)])
    day = date(2024, 12, 20)
    while day < date(2027, 1, 10):
        assert cached.is_working_day(day) == fresh.is_working_day(day)
        assert cached.holiday_name(day) == fresh.holiday_name(day)
        for n in (0, 1, 3, 14):
            assert cached.due_date(day, n) == fresh.due_date(day, n)
        day += timedelta(days=1)


# --- "open at the end of the period" ----------------------------------------------------


@pytest.fixture
def varied(office, tmp_path):
    path = tmp_path / "varied.csv"
    _write_requests_csv(path, 400, seed=11)
    import_requests(office, path)
    # A row only an edit outside qmstrack could make: open status with a closing date.
    office.execute("UPDATE requests SET status = 'received' WHERE ref_no = 'R-00001'")
    office.conn.commit()
    return office


def _plain_open(db, end: date, where: str = "1", params=()) -> tuple[int, int]:
    e = end.isoformat()
    return db.execute(
        f"SELECT count(*), coalesce(sum(due_on < ?), 0) FROM requests WHERE received_on <= ? "
        f"AND (closed_on IS NULL OR closed_on > ?) AND {where}", [e, e, e, *params]
    ).fetchone()


def test_open_counts_equal_the_definition(varied):
    for end in (date(2026, 1, 1), date(2026, 3, 15), date(2026, 6, 30), date(2026, 11, 2),
                date(2027, 1, 1)):
        period = Period(end - timedelta(days=30), end)
        got = open_counts(varied, period, Scope())
        assert (got["open"], got["overdue"]) == _plain_open(varied, end)
        got = open_counts(varied, period, Scope(("SMA",)))
        assert (got["open"], got["overdue"]) == _plain_open(varied, end, "unit IN (?)",
                                                            ["SMA"])
        got = open_counts(varied, period, Scope((), "SMP-LEG"))
        assert (got["open"], got["overdue"]) == _plain_open(
            varied, end, "service_code = ?", ["SMP-LEG"])
        counts = request_counts(varied, period, Scope())
        assert list(counts) == ["received", "completed", "rejected", "on_time",
                                "on_time_rate", "open", "overdue"]


def test_overdue_requests_of_the_summary_equal_the_definition(varied):
    from qmstrack.summary import overdue_requests

    for end in (date(2026, 3, 15), date(2026, 11, 2)):
        e = end.isoformat()
        expected = [r[0] for r in varied.execute(
            "SELECT ref_no FROM requests WHERE received_on <= ? AND (closed_on IS NULL OR "
            "closed_on > ?) AND due_on < ? ORDER BY due_on, received_on, ref_no",
            [e, e, e])]
        got = [r["ref_no"] for r in overdue_requests(varied, Period(end, end), Scope())]
        assert got == expected and expected


def test_request_list_filters_equal_the_plain_filters(varied):
    def refs(**kw):
        return [r["ref_no"] for r in list_requests(varied, **kw)]

    plain = [r[0] for r in varied.execute(
        "SELECT ref_no FROM requests WHERE status IN ('received') "
        "ORDER BY received_on, ref_no")]
    assert "R-00001" in plain
    assert refs(statuses=("received",)) == plain
    plain = [r[0] for r in varied.execute(
        "SELECT ref_no FROM requests WHERE status IN ('received', 'in_progress', "
        "'completed') ORDER BY received_on, ref_no")]
    assert refs(statuses=("received", "in_progress", "completed")) == plain
    day = date(2026, 6, 30)
    e = day.isoformat()
    plain = [r[0] for r in varied.execute(
        "SELECT ref_no FROM requests WHERE received_on <= ? AND (closed_on IS NULL OR "
        "closed_on > ?) AND due_on < ? ORDER BY received_on, ref_no", [e, e, e])]
    assert plain and refs(overdue_on=day) == plain


# --- long tables --------------------------------------------------------------------------


def _table_lines(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return result.stdout.rstrip("\n").split("\n")


def test_long_tables_are_written_row_by_row_in_the_same_shape(office, cli, tmp_path):
    path = tmp_path / "many.csv"
    _write_requests_csv(path, 150, seed=3)
    import_requests(office, path)
    lines = _table_lines(cli("request", "list"))
    rule = lines[0]
    assert rule.startswith("+-") and rule.endswith("-+") and set(rule) == {"+", "-"}
    assert lines[2] == rule and lines[-1] == rule
    assert lines[1].startswith("| ref_no ") and "| received_on " in lines[1]
    body = lines[3:-1]
    refs = [line.split("|")[1].strip() for line in body]
    assert sorted(refs) == [f"R-{i:05d}" for i in range(150)]
    assert all(len(line) == len(rule) and line.startswith("| ") for line in body)
    # The same records as the CSV, in the same order.
    csv_refs = [r["ref_no"] for r in csv.DictReader(io.StringIO(
        cli("request", "list", "--csv", "--delimiter", ",").stdout))]
    assert refs == csv_refs
    # A short table keeps Rich's layout, in the same shape.
    short = _table_lines(cli("request", "list", "--status", "rejected"))
    assert set(short[0]) == {"+", "-"} and short[1].startswith("| ref_no ")
    assert 0 < len(short) - 4 <= 100


def test_long_cells_of_a_long_table_are_folded_to_the_width(office, cli, tmp_path):
    from qmstrack.db import writing

    # 120 requests typed in one by one (an import would be one entry): 120 log entries.
    with writing(office):
        office.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120) "
            "INSERT INTO requests (ref_no, received_on, service_code, unit, requester, "
            "contact, due_on, notes) SELECT 'R-' || i, '2026-10-01', 'SMA-LEG', 'SMA', "
            "'Pemohon dengan nama yang cukup panjang ' || i, '0812345678' || i, "
            "'2026-10-06', 'catatan panjang tentang permohonan ini nomor ' || i FROM n")
    lines = _table_lines(cli("log"))
    assert lines[1].startswith("| id ") and "| changes " in lines[1]
    assert max(map(len, lines)) <= 200
    ids = [line.split("|")[1].strip() for line in lines[3:-1]]
    continued = ids.count("")
    assert continued > 0  # the long 'changes' cells run on over several lines
    entries = [i for i in ids if i]
    assert len(entries) == len(set(entries)) > 100
    assert entries == sorted(entries, key=int, reverse=True)  # newest first
