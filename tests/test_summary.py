"""The nightly summary: every figure against a small dataset computed by hand.

The calendar of August 2026 matters: Monday 17 August is Independence Day and Tuesday
25 August the Prophet's Birthday (public holidays); 15-16 and 22-23 are a weekend.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from qmstrack.db import writing
from qmstrack.errors import InvalidInput
from qmstrack.metrics import Period
from qmstrack.registers.adherence import add_observation
from qmstrack.registers.requests import add_request, update_request
from qmstrack.registers.surveys import add_response
from qmstrack.setup import initialise
from qmstrack.summary import (
    build_summary,
    md_escape,
    needs_attention,
    render_markdown,
    render_text,
    write_atomic,
)

BUDI, SITI, ANDI = "198609262015051001", "199001012019032002", "198512122010011003"
ORG = "Dinas Pendidikan Provinsi Kalimantan Timur"
PERIOD = Period(date(2026, 8, 10), date(2026, 8, 21))


def request(db, ref, service, received, close=None):
    record = add_request(db, service=service, requester="Pemohon", ref=ref, received=received)
    if close:
        status, on = close
        update_request(db, ref, status=status, on=on)
    return record


def finding(db, ref, grade, unit, raised, due, closed=None, clause="8.5.1"):
    with writing(db):
        db["findings"].insert({
            "ref_no": ref, "source": "internal", "clause_ref": clause, "grade": grade,
            "unit": unit, "description": "Temuan", "raised_on": raised,
            "status": "closed" if closed else "open", "due_on": due, "closed_on": closed,
        })


@pytest.fixture
def data(office):
    """The dataset; the comments give each record's role in the 10-21 August period."""
    db = office
    initialise(db, org=ORG)
    dues = {
        # received Thu 13, 3 working days: Fri 14, (Mon 17 holiday) Tue 18, Wed 19
        "REQ-01": request(db, "REQ-01", "SMA-LEG", "2026-08-13",
                          ("completed", "2026-08-19")),         # completed on time
        # received Fri 14: Tue 18, Wed 19, Thu 20; completed Fri 21: late
        "REQ-02": request(db, "REQ-02", "SMA-LEG", "2026-08-14", ("completed", "2026-08-21")),
        # received Mon 10, 5 days: 11, 12, 13, 14, 18; closed after the period: open, overdue
        "REQ-03": request(db, "REQ-03", "SMA-MUT", "2026-08-10", ("completed", "2026-08-24")),
        # received Wed 12: 13, 14, 18; rejected in the period
        "REQ-04": request(db, "REQ-04", "SMP-LEG", "2026-08-12", ("rejected", "2026-08-20")),
        # received Sat 15, same-day service: first working day on or after is Tue 18
        "REQ-05": request(db, "REQ-05", "SEK-SURAT", "2026-08-15"),  # open, overdue
        # received Thu 20: Fri 21, Mon 24, (Tue 25 holiday) Wed 26: open, not overdue
        "REQ-06": request(db, "REQ-06", "SMP-LEG", "2026-08-20"),
        # received before the period (Thu 30 July: 31, 3, 4 Aug), completed late inside it
        "REQ-07": request(db, "REQ-07", "SMA-LEG", "2026-07-30", ("completed", "2026-08-11")),
        # received after the period (Mon 24; Tue 25 holiday: due Fri 28): counts nowhere
        "REQ-08": request(db, "REQ-08", "SMA-LEG", "2026-08-24"),
        # received and completed before the period
        "REQ-09": request(db, "REQ-09", "SMA-MUT", "2026-08-03", ("completed", "2026-08-07")),
    }
    assert {ref: r["due_on"] for ref, r in dues.items()} == {
        "REQ-01": "2026-08-19", "REQ-02": "2026-08-20", "REQ-03": "2026-08-18",
        "REQ-04": "2026-08-18", "REQ-05": "2026-08-18", "REQ-06": "2026-08-26",
        "REQ-07": "2026-08-04", "REQ-08": "2026-08-28", "REQ-09": "2026-08-10",
    }
    add_observation(db, staff=BUDI, rule="SOP-LEG", result="comply", on="2026-08-11")
    add_observation(db, staff=BUDI, rule="SOP-ARSIP", result="breach", on="2026-08-11")
    add_observation(db, staff=SITI, rule="SOP-LEG", result="comply", on="2026-08-12")
    add_observation(db, staff=ANDI, rule="SOP-ARSIP", result="na", on="2026-08-13")
    add_observation(db, staff=BUDI, rule="SOP-LEG", result="comply", on="2026-08-18")
    add_observation(db, staff=BUDI, rule="SOP-LEG", result="breach", on="2026-08-24")
    add_observation(db, staff=SITI, rule="SOP-ARSIP", result="breach", on="2026-08-07")
    finding(db, "TM-01", "minor", "SMA", "2026-07-01", "2026-08-14")          # overdue
    finding(db, "TM-02", "major", "SMP", "2026-07-15", "2026-08-31")          # open
    finding(db, "TM-03", "minor", "SEKRETARIAT", "2026-07-01", "2026-08-10",
            closed="2026-08-20")                                              # closed
    finding(db, "TM-04", "observation", None, "2026-07-20", "2026-08-05",
            closed="2026-08-25", clause="9.1.2")                              # overdue
    finding(db, "TM-05", "minor", "SMA", "2026-08-22", "2026-08-23")          # later
    finding(db, "EXT-01", "minor", "SMA", "2026-06-01", None, clause="7.5.3")  # no due
    add_response(db, service="SMA-LEG", scores=[4] * 9, on="2026-08-11")
    add_response(db, service="SMA-LEG", scores=[3] * 9, on="2026-08-12")
    add_response(db, service="SMP-LEG", scores="2,3,4,1,2,3,4,1,2", on="2026-08-13")
    add_response(db, service="SMA-LEG", scores=[1] * 9, on="2026-08-24")
    return db


# --- figures --------------------------------------------------------------------------


def test_period_figures_field_by_field(data):
    s = build_summary(data, PERIOD)
    assert s["period"] == {"start": "2026-08-10", "end": "2026-08-21"}
    assert s["units"] == ["SEKRETARIAT", "SMA", "SMP"]
    assert s["requests"] == {"received": 6, "completed": 3, "rejected": 1, "on_time": 1,
                             "on_time_rate": 1 / 3, "open": 3, "overdue": 2}
    assert s["adherence"] == {"observations": 5, "comply": 3, "breach": 1, "na": 1,
                              "rate": 0.75}
    assert s["findings"]["open"] == 4
    assert s["findings"]["overdue"] == 2
    assert s["satisfaction"]["responses"] == 3
    assert s["satisfaction"]["ikm"] == pytest.approx(2125 / 27, abs=1e-12)
    assert s["satisfaction"]["category"] == "B"
    assert s["overdue_requests"] == [
        {"ref_no": "REQ-03", "service_code": "SMA-MUT", "unit": "SMA",
         "received_on": "2026-08-10", "due_on": "2026-08-18", "days_late": 3},
        {"ref_no": "REQ-05", "service_code": "SEK-SURAT", "unit": "SEKRETARIAT",
         "received_on": "2026-08-15", "due_on": "2026-08-18", "days_late": 3},
    ]
    assert s["overdue_findings"] == [
        {"ref_no": "TM-04", "grade": "observation", "clause_ref": "9.1.2",
         "due_on": "2026-08-05", "unit": None},
        {"ref_no": "TM-01", "grade": "minor", "clause_ref": "8.5.1", "due_on": "2026-08-14",
         "unit": "SMA"},
    ]
    assert needs_attention(s)
    assert s["generated_at"]


def test_one_unit(data):
    s = build_summary(data, PERIOD, ("SMA",))
    assert s["units"] == ["SMA"]
    assert s["requests"] == {"received": 3, "completed": 3, "rejected": 0, "on_time": 1,
                             "on_time_rate": 1 / 3, "open": 1, "overdue": 1}
    assert s["adherence"] == {"observations": 3, "comply": 2, "breach": 1, "na": 0,
                              "rate": 2 / 3}
    assert (s["findings"]["open"], s["findings"]["overdue"]) == (2, 1)
    assert (s["satisfaction"]["responses"], s["satisfaction"]["ikm"]) == (2, 87.5)
    assert [r["ref_no"] for r in s["overdue_requests"]] == ["REQ-03"]
    assert [f["ref_no"] for f in s["overdue_findings"]] == ["TM-01"]


def test_the_day_a_request_falls_due_it_is_not_yet_overdue(data):
    s = build_summary(data, Period(date(2026, 8, 18), date(2026, 8, 18)))
    assert s["requests"] == {"received": 0, "completed": 0, "rejected": 0, "on_time": 0,
                             "on_time_rate": None, "open": 5, "overdue": 0}
    assert s["adherence"] == {"observations": 1, "comply": 1, "breach": 0, "na": 0,
                              "rate": 1.0}
    # TM-03 is closed only on the 20th, so on the 18th it is open and overdue
    assert (s["findings"]["open"], s["findings"]["overdue"]) == (5, 3)
    assert [f["ref_no"] for f in s["overdue_findings"]] == ["TM-04", "TM-03", "TM-01"]
    assert s["overdue_requests"] == []
    assert s["satisfaction"] == {"responses": 0, "ikm": None, "category": None,
                                 "category_label": None, "weight": "exact",
                                 "sample": {"population": 0, "required": 0, "responses": 0,
                                            "adequate": False}}
    assert s["survey_actions"] == {"overdue": 0, "overdue_list": []}


def test_the_next_day_they_are_one_working_day_late(data):
    s = build_summary(data, Period(date(2026, 8, 19), date(2026, 8, 19)))
    assert s["requests"] == {"received": 0, "completed": 1, "rejected": 0, "on_time": 1,
                             "on_time_rate": 1.0, "open": 4, "overdue": 3}
    assert [(r["ref_no"], r["days_late"]) for r in s["overdue_requests"]] == [
        ("REQ-03", 1), ("REQ-04", 1), ("REQ-05", 1)]


def test_a_weekend_day(data):
    s = build_summary(data, Period(date(2026, 8, 15), date(2026, 8, 15)))
    assert s["requests"] == {"received": 1, "completed": 0, "rejected": 0, "on_time": 0,
                             "on_time_rate": None, "open": 5, "overdue": 0}
    assert s["adherence"]["rate"] is None and s["adherence"]["observations"] == 0


def test_an_empty_day(data):
    s = build_summary(data, Period(date(2026, 1, 5), date(2026, 1, 5)))
    assert s["requests"] == {"received": 0, "completed": 0, "rejected": 0, "on_time": 0,
                             "on_time_rate": None, "open": 0, "overdue": 0}
    assert s["adherence"] == {"observations": 0, "comply": 0, "breach": 0, "na": 0,
                              "rate": None}
    assert (s["findings"]["open"], s["findings"]["overdue"]) == (0, 0)
    assert s["satisfaction"]["ikm"] is None
    assert s["overdue_requests"] == [] and s["overdue_findings"] == []
    assert not needs_attention(s)
    text = render_text(s, "id")
    assert "Tidak ada yang terlambat." in text
    assert "Kepatuhan SOP: tidak ada pengamatan" in text
    assert "belum ada responden survei" in text
    assert "Permohonan terlambat" not in text


# --- the digest -----------------------------------------------------------------------


def test_text_in_indonesian(data):
    text = render_text(build_summary(data, PERIOD), "id")
    lines = text.splitlines()
    assert lines[0] == f"Ringkasan mutu – {ORG}"
    assert lines[1] == "Senin, 10 Agustus 2026 – Jumat, 21 Agustus 2026"
    assert "Perlu perhatian: 2 permohonan terlambat, 2 tindakan korektif lewat tenggat." in lines
    assert "  Diterima: 6, selesai: 3, ditolak: 1" in lines
    assert "  Tepat waktu: 1 dari 3 yang selesai (33,3%)" in lines
    assert "  Belum selesai: 3, terlambat: 2" in lines
    assert ("Kepatuhan SOP: 75,0% (3 patuh, 1 tidak patuh, 1 tidak berlaku)") in lines
    assert "Temuan: 4 terbuka, 2 lewat tenggat" in lines
    # 6 requests received: Krejcie-Morgan needs ceil(3.841*6*0.25 / (0.0025*5 + 3.841*0.25))
    # = ceil(5.92) = 6 responses, so 3 make an indicative IKM.
    assert ("Kepuasan masyarakat (IKM): 78,70, B (Baik), 3 responden; sampel minimal 6 "
            "(Krejcie-Morgan, populasi 6), bobot 1/9: indikatif (kurang representatif)") in lines
    assert "Permohonan terlambat (2)" in lines
    assert ("  REQ-03  SMA-MUT, SMA, jatuh tempo 18 Agu 2026, terlambat 3 hari kerja"
            in lines)
    assert "Tindakan korektif lewat tenggat (2)" in lines
    assert "  TM-04  observasi, klausul 9.1.2, tenggat 5 Agu 2026" in lines
    assert "  TM-01  minor, klausul 8.5.1, tenggat 14 Agu 2026, SMA" in lines
    # overdue requests listed by due date, then the corrective actions
    assert text.index("REQ-03") < text.index("REQ-05") < text.index("TM-04") < text.index(
        "TM-01")


def test_text_in_english(data):
    text = render_text(build_summary(data, PERIOD), "en")
    assert text.startswith(f"Quality summary – {ORG}\n"
                           "Monday, 10 August 2026 – Friday, 21 August 2026\n")
    assert "Needs attention: 2 overdue requests, 2 overdue corrective actions." in text
    assert "On time: 1 of 3 completed (33.3%)" in text
    assert "SOP adherence: 75.0% (3 comply, 1 breach, 1 not applicable)" in text
    assert ("Public satisfaction (IKM): 78.70, B (Good), 3 responses; sample required 6 "
            "(Krejcie-Morgan, population 6), weight 1/9: indicative (not representative)") in text
    assert "REQ-03  SMA-MUT, SMA, due 18 Aug 2026, 3 working days late" in text
    one_day = render_text(build_summary(data, Period(date(2026, 8, 19), date(2026, 8, 19))),
                          "en")
    assert "Wednesday, 19 August 2026\n" in one_day
    assert "1 working day late" in one_day
    assert "Needs attention: 3 overdue requests, 3 overdue corrective actions." in one_day


def test_markdown_escapes_what_users_typed(data):
    initialise(data, org="Dinas *Pendidikan* <script>")
    md = render_markdown(build_summary(data, PERIOD), "id")
    assert md.startswith("# Ringkasan mutu – Dinas \\*Pendidikan\\* \\<script\\>\n")
    assert "<script>" not in md
    assert "## Permohonan terlambat (2)" in md
    assert "- **REQ-03**: SMA-MUT, SMA, jatuh tempo 18 Agu 2026, terlambat 3 hari kerja" in md
    assert "- **TM-04**: observasi, klausul 9.1.2, tenggat 5 Agu 2026" in md
    assert md_escape("a_b|c") == "a\\_b\\|c"


def test_control_characters_never_reach_the_text(data):
    with writing(data):
        data["settings"].upsert({"key": "org_name", "value": json.dumps("Dinas\x1b[31mX")},
                                pk="key")
    text = render_text(build_summary(data, PERIOD), "en")
    assert "\x1b" not in text


def test_lists_are_capped_at_twenty(office):
    for i in range(25):
        request(office, f"OLD-{i:02d}", "SMA-LEG", "2026-07-01")
    s = build_summary(office, PERIOD)
    assert s["requests"]["overdue"] == 25
    assert len(s["overdue_requests"]) == 25  # the data keeps all of them
    text = render_text(s, "id")
    assert "OLD-19" in text and "OLD-20" not in text
    assert "  … dan 5 lainnya" in text.splitlines()
    assert "… and 5 more" in render_text(s, "en")
    assert "- … and 5 more" in render_markdown(s, "en")


# --- the command ----------------------------------------------------------------------


def test_cli_json_is_the_summary(data, cli):
    result = cli("summary", "--from", "2026-08-10", "--to", "2026-08-21", "--json")
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)
    want = json.loads(json.dumps(build_summary(data, PERIOD)))
    got.pop("generated_at"), want.pop("generated_at")
    assert got == want
    for key, fields in {
        "period": {"start", "end"},
        "requests": {"received", "completed", "rejected", "on_time", "on_time_rate", "open",
                     "overdue"},
        "adherence": {"observations", "comply", "breach", "rate"},
        "findings": {"open", "overdue"},
        "satisfaction": {"responses", "ikm", "category"},
    }.items():
        assert fields <= set(got[key])
    same = json.loads(cli("summary", "--from", "2026-08-10", "--to", "2026-08-21",
                          "--format", "json").stdout)
    same.pop("generated_at")
    assert same == got


def test_cli_text_markdown_and_units(data, cli):
    result = cli("summary", "--date", "19/08/2026", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Quality summary – {ORG}\nWednesday, 19 August 2026\n")
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout
    result = cli("summary", "--date", "2026-08-19", "--format", "md", "--unit", "sma",
                 "--unit", "SMP")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Ringkasan mutu")
    assert "Unit: SMA, SMP" in result.stdout
    assert "REQ-05" not in result.stdout  # SEKRETARIAT is out of scope
    data_json = json.loads(cli("summary", "--date", "2026-08-19", "--unit", "SMA",
                               "--unit", "SMP", "--json").stdout)
    assert data_json["units"] == ["SMA", "SMP"]


def test_cli_language_defaults_to_the_setting(data, cli):
    assert cli("summary", "--date", "2026-08-19").stdout.startswith("Ringkasan mutu")
    initialise(data, lang="en")
    assert cli("summary", "--date", "2026-08-19").stdout.startswith("Quality summary")
    assert cli("summary", "--date", "2026-08-19", "--lang", "id").stdout.startswith(
        "Ringkasan mutu")


@pytest.mark.parametrize("word, delta", [("today", 0), ("yesterday", 1), ("kemarin", 1),
                                         ("hari ini", 0)])
def test_cli_relative_dates(office, cli, word, delta):
    result = cli("summary", "--date", word, "--json")
    assert result.exit_code == 0, result.stderr
    day = (date.today() - timedelta(days=delta)).isoformat()
    assert json.loads(result.stdout)["period"] == {"start": day, "end": day}


def test_cli_default_is_today(office, cli):
    result = cli("summary", "--json")
    assert json.loads(result.stdout)["period"]["start"] == date.today().isoformat()


def test_cli_alert_exit_codes(data, cli):
    late = cli("summary", "--from", "2026-08-10", "--to", "2026-08-21", "--alert")
    assert late.exit_code == 3
    assert late.stdout.startswith("Ringkasan mutu")  # the summary is written first
    assert cli("summary", "--from", "2026-08-10", "--to", "2026-08-21").exit_code == 0
    quiet = cli("summary", "--date", "2026-01-05", "--alert", "--json")
    assert quiet.exit_code == 0
    assert json.loads(quiet.stdout)["requests"]["overdue"] == 0
    # only a finding overdue (no request): still attention
    only_finding = cli("summary", "--date", "2026-08-17", "--unit", "SMA", "--alert",
                       "--json")
    got = json.loads(only_finding.stdout)
    assert (got["requests"]["overdue"], got["findings"]["overdue"]) == (0, 1)
    assert only_finding.exit_code == 3


def test_cli_out_writes_the_file_and_nothing_on_stdout(data, cli, tmp_path):
    target = tmp_path / "reports" / "summary.md"
    target.parent.mkdir()
    target.write_text("old content\n")
    result = cli("summary", "--date", "2026-08-19", "--format", "md", "--out", str(target),
                 "--alert")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert str(target) in result.stderr
    content = target.read_text(encoding="utf-8")
    assert content.startswith("# Ringkasan mutu") and content.endswith("\n")
    assert sorted(p.name for p in target.parent.iterdir()) == ["summary.md"]
    missing = cli("summary", "--date", "2026-08-19", "--out", str(tmp_path / "no" / "x.txt"))
    assert missing.exit_code == 1
    assert "does not exist" in missing.stderr


def test_write_atomic_never_leaves_half_a_file(tmp_path, monkeypatch):
    target = tmp_path / "summary.txt"
    target.write_text("yesterday's summary\n")
    target.chmod(0o640)

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qmstrack.atomic.os.replace", broken_replace)
    with pytest.raises(InvalidInput, match="No space left"):
        write_atomic(target, "today's summary\n")
    assert target.read_text() == "yesterday's summary\n"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.txt"]
    monkeypatch.undo()
    write_atomic(target, "today's summary\n")
    assert target.read_text() == "today's summary\n"
    assert (target.stat().st_mode & 0o777) == 0o640  # keeps the file's permissions
    assert [p.name for p in tmp_path.iterdir()] == ["summary.txt"]


@pytest.mark.parametrize("args, option", [
    (["--date", "32/13/2026"], "--date"),
    (["--date", "kemarin lusa"], "--date"),
    (["--from", "2026-08-01"], "--to"),
    (["--to", "2026-08-01"], "--from"),
    (["--date", "2026-08-01", "--from", "2026-08-01", "--to", "2026-08-02"], "--date"),
    (["--from", "2026-08-21", "--to", "2026-08-10"], "--to"),
    (["--format", "xml"], "--format"),
    (["--format", "md", "--json"], "--json"),
    (["--lang", "fr"], "--lang"),
    (["--unit", "NOPE"], "--unit"),
])
def test_cli_bad_input_is_wrong_usage(office, cli, args, option):
    result = cli("summary", *args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert option in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_cli_without_a_database_fails_clearly(cli, tmp_path):
    result = cli("summary", db=tmp_path / "missing.db")
    assert result.exit_code == 1
    assert "qmstrack init" in result.stderr


# --- languages ------------------------------------------------------------------------


def test_i18n_formats():
    from qmstrack.i18n import format_date, format_number, format_percent, translations

    assert format_date(date(2026, 11, 23), "id") == "Senin, 23 November 2026"
    assert format_date(date(2026, 11, 23), "en") == "Monday, 23 November 2026"
    assert format_date(date(2026, 8, 17), "id", full=False) == "17 Agu 2026"
    assert format_percent(0.925, "id") == "92,5%"
    assert format_percent(0.925, "en") == "92.5%"
    assert format_percent(None, "en") == "–"
    assert format_number(1234567, "id") == "1.234.567"
    assert format_number(1234567, "en") == "1,234,567"
    assert translations("id").gettext("Good") == "Baik"
    assert translations("id") is translations("id")  # compiled once
    assert translations("en").ngettext("{n} response", "{n} responses", 2) == "{n} responses"
    with pytest.raises(InvalidInput):
        translations("fr")


def test_every_message_of_the_summary_is_translated():
    from babel.messages.extract import extract_from_file

    from qmstrack.i18n import translations

    t = translations("id")
    source = Path(__file__).parents[1] / "qmstrack" / "summary.py"
    messages = [m for _, m, _, _ in extract_from_file("python", str(source))]
    assert len(messages) > 20
    for message in messages:
        if isinstance(message, tuple):
            assert t.ngettext(message[0], message[1], 1) != message[0], message
        else:
            assert t.gettext(message) != message or message == "minor", message


def test_babel_cfg_extracts_python_and_templates(tmp_path, monkeypatch):
    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po

    root = Path(__file__).parents[1]
    monkeypatch.chdir(root)
    pot = tmp_path / "qmstrack.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg",
                                "-o", str(pot), "."])
    with pot.open("rb") as fh:
        catalog = read_po(fh)
    sources = {path for message in catalog for path, _ in message.locations}
    assert any(p.startswith("qmstrack/") and p.endswith(".py") for p in sources), sources
    assert any(p.startswith("qmstrack/templates/") and p.endswith(".j2") for p in sources)
    assert os.path.exists(root / "qmstrack" / "locales" / "id" / "LC_MESSAGES" /
                          "qmstrack.po")


def test_the_daily_html_page_is_self_contained(data, cli, tmp_path):
    initialise(data, org="Dinas *Pendidikan* <script>")
    page = tmp_path / "shared" / "ringkasan.html"
    page.parent.mkdir()
    result = cli("summary", "--date", "2026-08-21", "--format", "html", "--out", str(page))
    assert result.exit_code == 0, result.stderr
    html = page.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="id">' in html
    assert "Content-Security-Policy" in html and "<script>" not in html
    assert "Dinas *Pendidikan* &lt;script&gt;" in html
    # The overdue requests and findings by reference, and the chart with their count.
    assert "REQ-03" in html and "TM-04" in html
    assert html.count("<svg") == 1 and "Permohonan terlambat per unit" in html
    assert '"Halaman " counter(page) " dari " counter(pages)' in html
    english = cli("summary", "--date", "2026-08-21", "--format", "html", "--lang", "en")
    assert english.exit_code == 0 and "Overdue requests per unit" in english.stdout


def test_the_daily_page_as_pdf(data, cli, tmp_path):
    from tests.test_reports import assert_no_text_past_the_page_box

    refused = cli("summary", "--date", "2026-08-21", "--format", "pdf")
    assert refused.exit_code == 2 and "--out" in refused.stderr
    target = tmp_path / "ringkasan.pdf"
    result = cli("summary", "--date", "2026-08-21", "--format", "pdf", "--out", str(target),
                 "--alert")
    assert result.exit_code == 3, result.stderr  # overdue work: attention, as --alert says
    pages = assert_no_text_past_the_page_box(target)
    assert "REQ-03" in " ".join(p["text"] for p in pages)
