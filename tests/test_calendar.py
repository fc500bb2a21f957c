"""Working days and due dates: weekends, Indonesian public holidays, cuti bersama."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from qmstrack.calendar import WorkingCalendar
from qmstrack.db import set_setting, writing
from qmstrack.registers.requests import add_request, get_request

FRI = date(2026, 8, 14)       # the Friday before Independence Day
INDEPENDENCE = date(2026, 8, 17)  # Monday, a public holiday


@pytest.fixture
def cal():
    return WorkingCalendar()


def test_independence_day_is_not_a_working_day(cal):
    assert not cal.is_working_day(INDEPENDENCE)
    assert cal.holiday_name(INDEPENDENCE)
    assert cal.is_working_day(date(2026, 8, 18))
    assert not cal.is_working_day(date(2026, 8, 15))  # Saturday
    assert not cal.is_working_day(date(2026, 8, 16))  # Sunday
    assert cal.holiday_name(date(2026, 8, 18)) is None


def test_due_date_skips_weekend_and_public_holiday(cal):
    # Fri 14 Aug + 3 working days: Mon 17 is a holiday -> Tue 18, Wed 19, Thu 20.
    assert cal.due_date(FRI, 3) == date(2026, 8, 20)
    assert cal.due_date(FRI, 1) == date(2026, 8, 18)


def test_due_date_does_not_count_the_day_received(cal):
    monday = date(2026, 11, 23)
    assert cal.due_date(monday, 1) == date(2026, 11, 24)
    assert cal.due_date(monday, 5) == date(2026, 11, 30)


def test_due_date_zero_days_on_a_working_day_is_the_same_day(cal):
    assert cal.due_date(date(2026, 11, 23), 0) == date(2026, 11, 23)


def test_due_date_zero_days_on_a_saturday_is_the_next_monday(cal):
    assert cal.due_date(date(2026, 8, 22), 0) == date(2026, 8, 24)


def test_due_date_zero_days_on_a_holiday_weekend_skips_the_holiday(cal):
    # Sat 15 Aug: Mon 17 is Independence Day, so the first working day is Tue 18.
    assert cal.due_date(date(2026, 8, 15), 0) == date(2026, 8, 18)


def test_received_on_a_weekend_counts_from_the_next_working_day(cal):
    assert cal.due_date(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Sat -> Mon


def test_due_date_crosses_the_year_end(cal):
    # Thu 24 Dec 2026; Fri 25 Dec is Christmas; 1 Jan 2027 is New Year's Day.
    assert cal.due_date(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert cal.due_date(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_due_date_long_service_time(cal):
    due = cal.due_date(date(2026, 1, 5), 365)
    assert due.year == 2027
    assert cal.working_days_between(date(2026, 1, 5), due) == 365


def test_negative_working_days_refused(cal):
    with pytest.raises(ValueError):
        cal.due_date(FRI, -1)


def test_due_date_matches_a_naive_count(cal):
    """The binary search agrees with walking day by day."""
    start = date(2026, 3, 10)
    for n in range(0, 30):
        day, counted = start, 0
        if n == 0:
            while not cal.is_working_day(day):
                day += timedelta(days=1)
        while counted < n:
            day += timedelta(days=1)
            if cal.is_working_day(day):
                counted += 1
        assert cal.due_date(start, n) == day, n


def test_working_days_between(cal):
    assert cal.working_days_between(FRI, date(2026, 8, 20)) == 3
    assert cal.working_days_between(FRI, FRI) == 0


def test_extra_day_off_cuti_bersama():
    cal = WorkingCalendar(extra_days_off=[date(2026, 8, 18)])
    assert not cal.is_working_day(date(2026, 8, 18))
    assert cal.holiday_name(date(2026, 8, 18)) == "cuti bersama"
    assert cal.due_date(FRI, 3) == date(2026, 8, 21)


def test_saturday_as_working_weekday():
    cal = WorkingCalendar(weekdays=[1, 2, 3, 4, 5, 6])
    # Sat 15 works; Sun 16 off; Mon 17 holiday; Tue 18; Wed 19.
    assert cal.due_date(FRI, 3) == date(2026, 8, 19)
    assert cal.due_date(date(2026, 8, 22), 0) == date(2026, 8, 22)


def test_calendar_from_db_reads_settings(db):
    assert WorkingCalendar.from_db(db).due_date(FRI, 3) == date(2026, 8, 20)
    with writing(db):
        set_setting(db, "extra_days_off", ["2026-08-18", "2026-08-19"])
        set_setting(db, "working_weekdays", [1, 2, 3, 4, 5])
    assert WorkingCalendar.from_db(db).due_date(FRI, 3) == date(2026, 8, 24)
    stored = db.execute("SELECT value FROM settings WHERE key = 'extra_days_off'").fetchone()
    assert json.loads(stored[0]) == ["2026-08-18", "2026-08-19"]


def test_request_due_date_uses_the_calendar_at_insert_time(office):
    db = office
    first = add_request(db, service="SMA-LEG", requester="Ani", received=FRI)
    assert first["due_on"] == "2026-08-20"
    with writing(db):
        set_setting(db, "extra_days_off", ["2026-08-18"])
    second = add_request(db, service="SMA-LEG", requester="Budi", received=FRI)
    assert second["due_on"] == "2026-08-21"
    # The first request keeps the due date computed when it was registered.
    assert get_request(db, first["ref_no"])["due_on"] == "2026-08-20"


def test_request_due_date_with_saturday_working(office):
    db = office
    with writing(db):
        set_setting(db, "working_weekdays", [1, 2, 3, 4, 5, 6])
    record = add_request(db, service="SMA-LEG", requester="Ani", received=FRI)
    assert record["due_on"] == "2026-08-19"


def test_same_day_service_received_on_saturday(office):
    record = add_request(office, service="SEK-SURAT", requester="Ani",
                         received=date(2026, 8, 22))
    assert record["due_on"] == "2026-08-24"


# --- cuti bersama and the office's own calendar ------------------------------------------

# The cuti bersama of 2026 as the joint decree (SKB) of the Minister of Religious Affairs,
# the Minister of Manpower and the Minister for State Apparatus and Bureaucratic Reform
# (Nomor 1497 Tahun 2025, Nomor 2 Tahun 2025, Nomor 5 Tahun 2025, 19 September 2025) sets
# them: Imlek, Nyepi, three days of Idul Fitri, Kenaikan Yesus Kristus, Idul Adha, Natal.
SKB_2026 = {date(2026, 2, 16), date(2026, 3, 18), date(2026, 3, 20), date(2026, 3, 23),
            date(2026, 3, 24), date(2026, 5, 15), date(2026, 5, 28), date(2026, 12, 24)}


def test_the_holidays_package_has_the_cuti_bersama_of_the_skb_2026():
    from qmstrack.calendar import GOVERNMENT, national_days_off

    days = national_days_off(2026, 2026)
    assert {d for d, n in days.items() if n.category == GOVERNMENT} == SKB_2026
    assert not any(n.estimated for n in days.values())


def test_cuti_bersama_are_days_off_by_default(cal):
    for day in SKB_2026:
        assert not cal.is_working_day(day), day
    # Received Tue 17 March 2026, 1 working day: Wed 18 (cuti bersama), Thu 19 (Nyepi),
    # Fri 20 (cuti bersama), Sat 21 and Sun 22 (Idul Fitri), Mon 23 and Tue 24 (cuti
    # bersama) are off: Wed 25.
    assert cal.due_date(date(2026, 3, 17), 1) == date(2026, 3, 25)
    without = WorkingCalendar(cuti_bersama=False)
    assert without.due_date(date(2026, 3, 17), 1) == date(2026, 3, 18)
    assert without.is_working_day(date(2026, 12, 24))


def test_a_holiday_the_office_works_on_is_a_working_day():
    cal = WorkingCalendar(worked_days=[date(2026, 12, 24), INDEPENDENCE])
    assert cal.is_working_day(date(2026, 12, 24)) and cal.is_working_day(INDEPENDENCE)
    assert cal.due_date(FRI, 1) == INDEPENDENCE
    assert cal.holiday_name(INDEPENDENCE)  # still a holiday, only worked


def test_estimated_dates_are_flagged():
    from qmstrack.calendar import national_days_off

    days = national_days_off(2027, 2027, "en_US")
    assert days[date(2027, 3, 10)].estimated  # Eid al-Fitr (estimated)
    assert not days[date(2027, 8, 17)].estimated
    assert national_days_off(2027, 2027, "id")[date(2027, 3, 10)].name.endswith("(perkiraan)")


def test_the_holiday_cache_is_keyed_by_the_categories(tmp_path):
    """A cache written with the public holidays only (as before cuti bersama counted) is
    never taken for the national days off."""
    import hashlib

    import platformdirs

    from qmstrack.calendar import GOVERNMENT, _package_key, national_days_off

    directory = tmp_path / "home" / ".cache" / "qmstrack"
    assert str(directory) == platformdirs.user_cache_dir("qmstrack", appauthor=False)
    directory.mkdir(parents=True)
    old_key = _package_key()
    name = hashlib.sha256(old_key.encode()).hexdigest()[:16]
    (directory / f"holidays-ID-{name}.json").write_text(json.dumps(
        {"key": old_key, "years": {"2026": [["2026-08-17", "Hari Kemerdekaan"]]}}))
    days = national_days_off(2026, 2026)
    assert {d for d, n in days.items() if n.category == GOVERNMENT} == SKB_2026
    written = [json.loads(p.read_text()) for p in directory.glob("holidays-ID-*.json")]
    keys = [w["key"] for w in written]
    assert old_key in keys and any("categories=public,government" in k for k in keys)
    # And the second time it comes from the cache, categories and all.
    again = national_days_off(2026, 2026)
    assert again == days


def test_calendar_settings_are_read_from_the_database(db):
    with writing(db):
        set_setting(db, "worked_days", ["2026-12-24"])
    assert WorkingCalendar.from_db(db).is_working_day(date(2026, 12, 24))
    with writing(db):
        set_setting(db, "worked_days", [])
        set_setting(db, "cuti_bersama", False)
    assert WorkingCalendar.from_db(db).is_working_day(date(2026, 12, 24))


@pytest.mark.parametrize("poison", ["mode", "hash"])
def test_a_poisoned_holiday_cache_is_not_used(tmp_path, poison):
    """A cache file another user can write, or edited by hand (its hash no longer
    matches), never moves a due date: the days come from the holidays package."""
    import stat

    from qmstrack.calendar import national_days_off

    days = national_days_off(2026, 2026)
    directory = tmp_path / "home" / ".cache" / "qmstrack"
    (path,) = directory.glob("holidays-ID-*.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    # A working Monday made a day off, as a poisoner would.
    data["years"]["2026"].append(["2026-03-02", "Libur palsu", "public", False])
    if poison == "mode":
        from qmstrack.calendar import _years_hash

        data["sha256"] = _years_hash(data["years"])
    path.write_text(json.dumps(data))
    path.chmod(0o666 if poison == "mode" else 0o600)
    again = national_days_off(2026, 2026)
    assert date(2026, 3, 2) not in again and again == days
