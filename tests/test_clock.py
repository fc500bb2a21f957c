"""The office's clock: its time zone, 'today' there, and timestamps shown in office time.

The end-to-end tests run the installed executable under ``faketime`` on a UTC "server"
(``TZ=UTC``), the way cron runs it, for an office in Samarinda (Asia/Makassar, WITA).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest

from qmstrack.clock import (
    abbreviation,
    check_zone,
    day_start_utc,
    format_instant,
    office_zone_name,
    zone,
)
from qmstrack.config import set_value
from qmstrack.errors import InvalidInput
from tests.conftest import qmstrack_executable

FAKETIME = shutil.which("faketime")


# --- zones ------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "name"), [
    ("Asia/Makassar", "Asia/Makassar"), (" Asia/Jakarta ", "Asia/Jakarta"),
    ("WITA", "Asia/Makassar"), ("wib", "Asia/Jakarta"), ("WIT", "Asia/Jayapura"),
    ("UTC", "UTC"), ("Europe/Amsterdam", "Europe/Amsterdam"),
])
def test_zone_names_are_iana_names_or_indonesian_abbreviations(typed, name):
    assert check_zone(typed) == name


@pytest.mark.parametrize("bad", [
    "", "   ", "Asia/Samarinda", "GMT+8x", "../../etc/passwd", "/etc/localtime",
    "Asia\\Makassar", "A" * 5000, "Asia/\x00Makassar", "Asia/Ma kassar", None,
])
def test_a_zone_that_is_not_an_iana_name_is_one_clear_sentence(bad):
    with pytest.raises(InvalidInput, match="is not an IANA time zone name") as info:
        check_zone(bad)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize(("name", "label"), [
    ("Asia/Jakarta", "WIB"), ("Asia/Pontianak", "WIB"), ("Asia/Makassar", "WITA"),
    ("Asia/Jayapura", "WIT"), ("Europe/Amsterdam", "CET"), ("UTC", "UTC"),
    ("America/Sao_Paulo", "UTC-03"),
])
def test_abbreviations(name, label):
    moment = datetime(2026, 3, 16, 16, 30, tzinfo=UTC).astimezone(zone(name))
    assert abbreviation(moment) == label


def test_stored_utc_timestamps_are_shown_in_office_time_with_the_zone():
    wita = zone("Asia/Makassar")
    assert format_instant("2026-03-16T16:30:00+00:00", wita) == "2026-03-17 00:30 WITA"
    # A timestamp without an offset is UTC, as qmstrack stores them.
    assert format_instant("2026-03-16T16:30:00", wita) == "2026-03-17 00:30 WITA"
    assert format_instant("2026-03-16T16:30:05+00:00", zone("Asia/Jayapura"),
                          seconds=True) == "2026-03-17 01:30:05 WIT"
    assert format_instant(None, wita) == ""
    assert format_instant("not a time", wita) == "not a time"


def test_an_office_day_begins_at_its_own_midnight():
    assert day_start_utc(date(2026, 3, 17), zone("Asia/Makassar")) == datetime(
        2026, 3, 16, 16, 0, tzinfo=UTC)


# --- settings -----------------------------------------------------------------------------


def test_config_sets_and_shows_the_time_zone(office, cli):
    assert json.loads(cli("config", "show", "--json").stdout)["timezone"]
    result = cli("config", "set", "timezone", "WITA")
    assert result.exit_code == 0, result.output
    assert json.loads(cli("config", "show", "--json").stdout)["timezone"] == "Asia/Makassar"
    assert office_zone_name(office) == "Asia/Makassar"
    table = cli("config", "show")
    assert "timezone" in table.stdout and "Asia/Makassar" in table.stdout


def test_a_bad_time_zone_is_a_usage_error_and_changes_nothing(office, cli):
    set_value(office, "timezone", "Asia/Makassar")
    result = cli("config", "set", "timezone", "Asia/Samarinda")
    assert result.exit_code == 2
    assert "not an IANA time zone name" in result.stderr
    assert office_zone_name(office) == "Asia/Makassar"


def test_init_with_a_bad_time_zone_creates_nothing(cli, db_path):
    result = cli("init", "--timezone", "Mars/Olympus_Mons")
    assert result.exit_code == 2
    assert "--timezone" in result.stderr and "not an IANA time zone name" in result.stderr
    assert not db_path.exists()


def test_init_records_the_given_time_zone(cli, db_path):
    result = cli("init", "--timezone", "Asia/Jayapura")
    assert result.exit_code == 0, result.output
    assert "Time zone: Asia/Jayapura (WIT)." in result.stderr
    assert json.loads(cli("config", "show", "--json").stdout)["timezone"] == "Asia/Jayapura"
    # Running init again keeps it and says so.
    again = cli("init")
    assert "Time zone: Asia/Jayapura (WIT)." in again.stderr


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QMSTRACK_", "FAKETIME"))}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"), **extra)
    return env


def test_init_takes_the_system_zone_and_says_which(tmp_path):
    target = tmp_path / "office.db"
    result = subprocess.run([qmstrack_executable(), "--db", str(target), "init"],
                            capture_output=True, text=True, timeout=120,
                            env=_env(tmp_path, TZ="Asia/Jayapura"))
    assert result.returncode == 0, result.stderr
    assert "Time zone: Asia/Jayapura (WIT), the system's" in result.stderr
    assert "qmstrack config set timezone" in result.stderr
    shown = subprocess.run([qmstrack_executable(), "--db", str(target), "config", "show",
                            "--json"], capture_output=True, text=True, timeout=120,
                           env=_env(tmp_path, TZ="UTC"))
    assert json.loads(shown.stdout)["timezone"] == "Asia/Jayapura"


# --- the office's date under a UTC server clock ---------------------------------------------


def faked(when: str, db_path, *args: str, tmp_path, tz: str = "UTC"):
    """The installed qmstrack at UTC time ``when`` on a server whose zone is ``tz``."""
    return subprocess.run([FAKETIME, when, qmstrack_executable(), "--db", str(db_path), *args],
                          capture_output=True, text=True, timeout=120,
                          env=_env(tmp_path, TZ=tz))


@pytest.fixture
def samarinda(office):
    set_value(office, "timezone", "Asia/Makassar")
    return office


@pytest.mark.usefixtures("samarinda")
def test_nightly_summary_of_yesterday_is_the_office_day_that_just_ended(db_path,
                                                                          tmp_path):
    # 16:30 UTC on 16 March is 00:30 WITA on 17 March: 'kemarin' is 16 March.
    for word in ("kemarin", "yesterday"):
        result = faked("2026-03-16 16:30:00 UTC", db_path, "summary", "--date", word, "--json",
                       tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
        period = json.loads(result.stdout)["period"]
        assert period == {"start": "2026-03-16", "end": "2026-03-16"}, word
    today = faked("2026-03-16 16:30:00 UTC", db_path, "summary", "--date", "hari ini", "--json",
                  tmp_path=tmp_path)
    assert json.loads(today.stdout)["period"]["start"] == "2026-03-17"
    default = faked("2026-03-16 16:30:00 UTC", db_path, "summary", "--json", tmp_path=tmp_path)
    summary = json.loads(default.stdout)
    assert summary["period"]["start"] == "2026-03-17"
    assert summary["generated_at"].startswith("2026-03-17T00:30")
    assert summary["generated_at"].endswith("+08:00")
    # The footer people read: office time with the zone.
    text = faked("2026-03-16 16:30:00 UTC", db_path, "summary", "--lang", "en",
                 tmp_path=tmp_path)
    assert "Generated by qmstrack at 2026-03-17 00:30 WITA." in text.stdout


@pytest.mark.usefixtures("samarinda")
def test_the_server_zone_does_not_matter(db_path, tmp_path):
    for tz in ("UTC", "America/New_York", "Asia/Tokyo"):
        result = faked("2026-03-16 16:30:00 UTC", db_path, "summary", "--date", "kemarin",
                       "--json", tmp_path=tmp_path, tz=tz)
        assert json.loads(result.stdout)["period"]["start"] == "2026-03-16", tz


def test_an_office_on_utc_would_summarise_the_day_before(office, db_path, tmp_path):
    set_value(office, "timezone", "UTC")
    result = faked("2026-03-16 16:30:00 UTC", db_path, "summary", "--date", "kemarin", "--json",
                   tmp_path=tmp_path)
    assert json.loads(result.stdout)["period"]["start"] == "2026-03-15"


@pytest.mark.usefixtures("samarinda")
def test_early_morning_records_default_to_the_office_day(db_path, tmp_path):
    # 23:45 UTC on 16 March is 07:45 WITA on 17 March, before the server's midnight.
    when = "2026-03-16 23:45:00 UTC"
    added = faked(when, db_path, "request", "add", "--service", "SMA-LEG", "--requester",
                  "Ani", tmp_path=tmp_path)
    assert added.returncode == 0, added.stderr
    ref = added.stdout.strip()
    shown = json.loads(faked(when, db_path, "request", "show", ref, "--json",
                             tmp_path=tmp_path).stdout)
    assert shown["received_on"] == "2026-03-17"
    observed = faked(when, db_path, "adherence", "add", "--staff", "198609262015051001",
                     "--rule", "SOP-LEG", "--result", "comply", tmp_path=tmp_path)
    assert observed.returncode == 0, observed.stderr
    assert "2026-03-17" in observed.stderr
    # Today's date is not "in the future" for any register.
    for args in (["adherence", "add", "--staff", "199001012019032002", "--rule", "SOP-ARSIP",
                  "--result", "breach", "--on", "2026-03-17"],
                 ["complaint", "add", "--received", "2026-03-17", "--channel", "lapor",
                  "--subject", "Antrian panjang"],
                 ["request", "add", "--service", "SMA-LEG", "--requester", "Budi",
                  "--received", "2026-03-17"]):
        result = faked(when, db_path, *args, tmp_path=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
    tomorrow = faked(when, db_path, "complaint", "add", "--received", "2026-03-18",
                     "--channel", "lapor", "--subject", "x", tmp_path=tmp_path)
    assert tomorrow.returncode == 1 and "future" in tomorrow.stderr


@pytest.mark.usefixtures("samarinda")
def test_default_audit_and_metrics_period_is_the_office_month_before(db_path,
                                                                     tmp_path):
    # 17:00 UTC on 31 March is 01:00 WITA on 1 April: the previous month is March.
    result = faked("2026-03-31 17:00:00 UTC", db_path, "metrics", "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["period"] == {"start": "2026-03-01",
                                                   "end": "2026-03-31"}


def test_log_shows_office_time_and_since_means_the_office_day(db_path, tmp_path):
    created = faked("2026-03-16 15:00:00 UTC", db_path, "init", "--timezone", "Asia/Makassar",
                    tmp_path=tmp_path)
    assert created.returncode == 0, created.stderr
    # A write at 16:30 UTC on 16 March happened on 17 March in Samarinda.
    added = faked("2026-03-16 16:30:00 UTC", db_path, "unit", "add", "BARU", "--name", "Baru",
                  tmp_path=tmp_path)
    assert added.returncode == 0, added.stderr
    log = faked("2026-03-16 16:31:00 UTC", db_path, "log", "--table", "units", "--since",
                "2026-03-17", tmp_path=tmp_path)
    assert "2026-03-17 00:30 WITA" in log.stdout and "BARU" in log.stdout
    entries = json.loads(faked("2026-03-16 16:31:00 UTC", db_path, "log", "--json",
                               tmp_path=tmp_path).stdout)
    # Scripts get UTC.
    assert [e["at"][:16] for e in entries] == ["2026-03-16T16:30", "2026-03-16T15:00"]
    # The init of 23:00 WITA on 16 March is not in a log since the 17th.
    since = json.loads(faked("2026-03-16 16:31:00 UTC", db_path, "log", "--since",
                             "2026-03-17", "--json", tmp_path=tmp_path).stdout)
    assert [e["table"] for e in since] == ["units"]
    later = faked("2026-03-16 16:31:00 UTC", db_path, "log", "--since", "2026-03-18",
                  "--json", tmp_path=tmp_path)
    assert json.loads(later.stdout) == []


# --- requests refuse dates that have not come yet (office time) ------------------------------


def test_a_request_received_in_the_future_is_refused(office, cli, tmp_path):
    from qmstrack.clock import office_today
    from tests.test_imports import snapshot

    tomorrow = (office_today(office) + timedelta(days=1)).isoformat()
    before = snapshot(office)
    result = cli("request", "add", "--service", "SMA-LEG", "--requester", "Ani",
                 "--received", tomorrow)
    assert result.exit_code == 1
    assert f"The received date {tomorrow} is in the future." in result.stderr
    far = cli("request", "add", "--service", "SMA-LEG", "--requester", "Ani",
              "--received", "2099-06-01")
    assert far.exit_code == 1 and "2099-06-01 is in the future" in far.stderr
    sheet = tmp_path / "register.csv"
    sheet.write_text("No Registrasi;Tgl Masuk;Kode Layanan;Nama Pemohon;Tanggal Selesai\n"
                     "R-1;01/03/2026;SMA-LEG;Ani;\n"
                     f"R-2;{tomorrow};SMA-LEG;Budi;\n"
                     "R-3;02/03/2026;SMA-LEG;Citra;2099-01-01\n", encoding="utf-8")
    imported = cli("request", "import", str(sheet))
    assert imported.exit_code == 1
    assert f"row 3, column Tgl Masuk: The received date {tomorrow} is in the future." \
        in imported.stderr
    assert "row 4, column Tanggal Selesai: The closing date 2099-01-01 is in the future." \
        in imported.stderr
    assert snapshot(office) == before
    # Today is not the future.
    ok = cli("request", "add", "--service", "SMA-LEG", "--requester", "Ani", "--ref", "R-9",
             "--received", office_today(office).isoformat())
    assert ok.exit_code == 0, ok.output
    later = cli("request", "update", "R-9", "--status", "completed", "--on", tomorrow)
    assert later.exit_code == 1 and "is in the future" in later.stderr
