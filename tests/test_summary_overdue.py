"""The summary and ``--alert`` cover complaints not answered in time and overdue management
review actions, besides requests and corrective actions."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qmstrack.periods import Period
from qmstrack.registers.complaints import add_complaint, respond_complaint
from qmstrack.reviews import close_action, record_review
from qmstrack.summary import build_summary, needs_attention, render

SITI = "199001012019032002"


@pytest.fixture
def late(office):
    # Received Mon 3 Aug 2026, due five working days later: Mon 10 Aug. Unanswered.
    add_complaint(office, ref="ADU-1", received="2026-08-03", channel="lapor",
                  subject="Belum dijawab", unit="SMP", complainant="Ani",
                  today=date(2026, 8, 3))
    # Answered on time: never overdue.
    add_complaint(office, ref="ADU-2", received="2026-08-03", channel="phone",
                  subject="Dijawab", unit="SMA", today=date(2026, 8, 3))
    respond_complaint(office, "ADU-2", on="2026-08-05", response="ok",
                      today=date(2026, 8, 5))
    # A review in July with one action due 31 July, still open.
    record_review(office, held_on="2026-07-15", chair="Kepala Dinas", attendees=["A"],
                  decisions=["Perbaiki alur pengaduan", "Tambah petugas"],
                  owners=[SITI, None], dues=["2026-07-31", "2026-12-31"],
                  today=date(2026, 7, 15))
    return office


def test_the_summary_lists_complaints_and_review_actions_overdue(late):
    day = Period(date(2026, 8, 12), date(2026, 8, 12))
    summary = build_summary(late, day)
    complaints = summary["complaints"]
    assert (complaints["received"], complaints["responded"], complaints["overdue"]) == (
        0, 0, 1)
    (item,) = complaints["overdue_list"]
    assert (item["ref_no"], item["unit"], item["due_on"], item["days_late"]) == (
        "ADU-1", "SMP", "2026-08-10", 2)
    assert "complainant" not in item and "subject" not in item
    actions = summary["review_actions"]
    assert actions["overdue"] == 1
    assert [(a["due_on"], a["owner_nip"], a["unit"]) for a in actions["overdue_list"]] == [
        ("2026-07-31", SITI, "SMP")]
    assert needs_attention(summary)
    text = render(summary, "text", "id")
    assert "1 pengaduan belum ditanggapi melewati tenggat" in text
    assert "ADU-1" in text and "Ani" not in text and "Belum dijawab" not in text
    english = render(summary, "md", "en")
    assert "Complaints not answered in time (1)" in english
    assert "Overdue management review actions (1)" in english
    assert json.loads(render(summary, "json", "en"))["complaints"]["overdue"] == 1


def test_the_unit_summary_keeps_to_its_unit(late):
    day = Period(date(2026, 8, 12), date(2026, 8, 12))
    sma = build_summary(late, day, ["SMA"])
    assert sma["complaints"]["overdue"] == 0 and sma["review_actions"]["overdue"] == 0
    assert not needs_attention(sma)
    assert build_summary(late, day, ["SMP"])["review_actions"]["overdue"] == 1


def test_before_its_due_date_nothing_is_overdue(late):
    summary = build_summary(late, Period(date(2026, 7, 20), date(2026, 7, 20)))
    assert summary["complaints"]["overdue"] == 0
    assert summary["review_actions"]["overdue"] == 0
    assert not needs_attention(summary)
    assert "Nothing is overdue." in render(summary, "text", "en")


def test_alert_exits_3_for_a_complaint_or_a_review_action_alone(late, cli):
    result = cli("summary", "--date", "2026-08-12", "--alert", "--json")
    assert result.exit_code == 3, result.stderr
    data = json.loads(result.stdout)
    assert data["requests"]["overdue"] == 0 and data["findings"]["overdue"] == 0
    assert set(data["complaints"]) >= {"received", "responded", "overdue", "overdue_list"}
    assert set(data["review_actions"]) == {"overdue", "overdue_list"}
    respond_complaint(late, "ADU-1", on="2026-08-11", response="maaf terlambat",
                      today=date(2026, 8, 11))
    assert cli("summary", "--date", "2026-08-12", "--alert").exit_code == 3
    (action,) = [r[0] for r in late.execute("SELECT id FROM review_actions "
                                            "WHERE due_on = '2026-07-31'")]
    close_action(late, action, on="2026-08-01", today=date(2026, 8, 1))
    done = cli("summary", "--date", "2026-08-12", "--alert")
    assert done.exit_code == 0, done.stdout
    assert "Tidak ada yang terlambat." in done.stdout


def test_the_demo_summary_lists_its_complaints_past_due(cli, tmp_path):
    demo = tmp_path / "demo.db"
    assert cli("demo", db=demo).exit_code == 0
    result = cli("summary", "--date", "2026-03-28", "--alert", "--json", db=demo)
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    # The demo's two complaints received on 11 and 13 March and unanswered on the 28th.
    listed = [(c["ref_no"], c["due_on"]) for c in data["complaints"]["overdue_list"]]
    assert listed == [("ADU-2026-0017", "2026-03-25"), ("ADU-2026-0019", "2026-03-27")]
    assert data["complaints"]["overdue"] == 2
    text = cli("summary", "--date", "2026-03-28", "--lang", "en", db=demo).stdout
    assert "2 complaints not answered in time" in text
