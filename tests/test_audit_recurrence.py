"""An audit as a certification auditor reads it: a standing condition is one finding that
recurs, each unit of a multi-unit audit is measured and found on its own, and a period not
over yet raises no finding from its provisional figures."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from test_audits import CHECKLIST

from qmstrack.audit_report import render_audit_report
from qmstrack.audits import Answer, answer_item, get_audit, parse_prompt_key, run_audit
from qmstrack.checklists import load_checklist_file
from qmstrack.config import set_value
from qmstrack.errors import InvalidInput
from qmstrack.findings import close_finding, plan_finding
from qmstrack.periods import Period
from qmstrack.registers.requests import add_request, update_request

MONTHS = [Period(date(2026, m, 1), date(2026, m, 28 if m == 2 else 30 if m in (9, 11)
                                          else 31)) for m in (8, 9, 10)]


@pytest.fixture
def checklist(tmp_path):
    path = tmp_path / "office-test.yaml"
    path.write_text(CHECKLIST, encoding="utf-8")
    return load_checklist_file(path)


@pytest.fixture
def three_months(office):
    """August to October: SMA and SMP each complete two requests a month, one of them
    late (on-time rate 0.5, target >= 0.90); the Sekretariat completes its one on time."""
    db = office
    for month in (8, 9, 10):
        for service in ("SMA-LEG", "SMP-LEG"):
            for n, closed in enumerate((4, 25)):
                ref = f"{service}-{month}-{n}"
                add_request(db, ref=ref, service=service, requester="x",
                            received=f"2026-{month:02d}-03")
                update_request(db, ref, status="completed", on=f"2026-{month:02d}-{closed}")
        add_request(db, ref=f"SEK-{month}", service="SEK-SURAT", requester="x",
                    received=f"2026-{month:02d}-03")
        update_request(db, f"SEK-{month}", status="completed", on=f"2026-{month:02d}-03")
    return db


def _audit_months(db, checklist, units=()):
    runs = []
    for period in MONTHS:
        runs.append(run_audit(db, period, units, checklist,
                              today=date(period.end.year, period.end.month + 1, 2)))
    return runs


def _on_time_findings(db):
    return [dict(zip(("ref_no", "unit", "recurrences", "seen_in", "audit_id"), r, strict=True))
            for r in db.execute("SELECT ref_no, unit, recurrences, seen_in, audit_id "
                                "FROM findings WHERE item_id = 'on-time' ORDER BY unit")]


def test_three_months_in_a_row_give_one_finding_per_failing_unit_recurring_three_times(
        three_months, checklist, cli):
    runs = _audit_months(three_months, checklist)
    findings = _on_time_findings(three_months)
    # One finding per failing unit (the Sekretariat met the target), not one per month.
    assert [(f["unit"], f["recurrences"]) for f in findings] == [("SMA", 3), ("SMP", 3)]
    assert {f["audit_id"] for f in findings} == {runs[0].audit_id}
    seen = json.loads(findings[0]["seen_in"])
    assert [(e["audit"], e["start"], e["measured"]) for e in seen] == [
        (runs[0].audit_id, "2026-08-01", 0.5), (runs[1].audit_id, "2026-09-01", 0.5),
        (runs[2].audit_id, "2026-10-01", 0.5)]
    assert "SMA-LEG-9-1" in seen[1]["evidence"]
    assert sorted(runs[0].findings_raised) == [f["ref_no"] for f in findings]
    assert runs[1].findings_raised == [] and runs[2].findings_raised == []
    assert sorted(runs[2].findings_recurred) == [f["ref_no"] for f in findings]
    # The later audits list the findings they saw again; the result names the units.
    october = get_audit(three_months, runs[2].audit_id)
    assert {f["ref_no"] for f in october["findings"]} == {f["ref_no"] for f in findings}
    result = next(r for r in october["results"] if r["item_id"] == "on-time")
    assert result["grade"] == "minor" and result["failed_units"] == ["SMA", "SMP"]
    listed = json.loads(cli("finding", "list", "--json").stdout)
    on_time = [f for f in listed if f["item_id"] == "on-time"]
    assert [(f["unit"], f["recurrences"]) for f in on_time] == [("SMA", 3), ("SMP", 3)]
    assert all("recurrences" in f and "unit" in f and "item_id" in f for f in listed)


def test_rerunning_an_open_audit_does_not_count_it_twice(three_months, checklist):
    runs = _audit_months(three_months, checklist, ["SMA"])
    again = run_audit(three_months, MONTHS[2], ["SMA"], checklist, today=date(2026, 11, 5))
    assert again.resumed and again.findings_recurred == [] and again.findings_raised == []
    assert [(f["unit"], f["recurrences"]) for f in _on_time_findings(three_months)] == [
        ("SMA", 3)]
    assert runs[0].findings_raised


def test_a_closed_finding_is_not_reopened_by_a_recurrence(three_months, checklist):
    first = run_audit(three_months, MONTHS[0], ["SMA"], checklist, today=date(2026, 9, 2))
    (ref,) = [r for r in first.findings_raised
              if three_months.execute("SELECT item_id FROM findings WHERE ref_no = ?",
                                      [r]).fetchone()[0] == "on-time"]
    plan_finding(three_months, ref, action="Pantau tenggat harian", due="2026-09-10",
                 on=date(2026, 9, 3))
    close_finding(three_months, ref, verified_by="Wakil MM", effective=True,
                  on=date(2026, 9, 10))
    second = run_audit(three_months, MONTHS[1], ["SMA"], checklist, today=date(2026, 10, 2))
    assert second.findings_recurred == []
    assert [f["recurrences"] for f in _on_time_findings(three_months)] == [1, 1]


def test_a_withdrawn_answer_takes_its_recurrence_back(three_months, checklist):
    runs = [run_audit(three_months, p, ["SMA"], checklist, today=date(2026, 11, 2))
            for p in MONTHS[:2]]
    first = answer_item(three_months, runs[0].audit_id, "sop-displayed",
                        Answer("minor", "SOP tidak dipajang"), today=date(2026, 11, 2))
    again = answer_item(three_months, runs[1].audit_id, "sop-displayed",
                        Answer("minor", "Masih tidak dipajang"), today=date(2026, 11, 2))
    assert again == first
    count = "SELECT recurrences FROM findings WHERE ref_no = ?"
    assert three_months.execute(count, [first]).fetchone()[0] == 2
    answer_item(three_months, runs[1].audit_id, "sop-displayed", Answer("conform"),
                today=date(2026, 11, 2))
    assert three_months.execute(count, [first]).fetchone()[0] == 1
    assert three_months.execute("SELECT count(*) FROM findings WHERE item_id = "
                                "'sop-displayed'").fetchone()[0] == 1


def test_the_report_shows_the_recurrence_and_flags_a_minor_for_major(three_months, checklist):
    runs = _audit_months(three_months, checklist, ["SMA"])
    report = render_audit_report(three_months, runs[2].audit_id, "md", "id")
    assert "berulang (3x)" in report
    assert "mempertimbangkan menaikkannya menjadi mayor" in report
    english = render_audit_report(three_months, runs[2].audit_id, "html", "en")
    assert "recurring (3x)" in english and "considers raising it to major" in english
    # A higher threshold: seen three times is not yet flagged.
    set_value(three_months, "finding_recurrence_flag", "4")
    assert "considers raising" not in render_audit_report(three_months, runs[2].audit_id,
                                                          "md", "en")
    with pytest.raises(InvalidInput):
        set_value(three_months, "finding_recurrence_flag", "1")


def test_an_audit_of_the_current_month_raises_no_finding_from_metric_items(
        three_months, checklist):
    october = MONTHS[2]
    during = run_audit(three_months, october, [], checklist, today=date(2026, 10, 28))
    assert during.period_not_over and during.findings_raised == []
    assert three_months.execute("SELECT count(*) FROM findings").fetchone()[0] == 0
    audit = get_audit(three_months, during.audit_id)
    on_time = next(r for r in audit["results"] if r["item_id"] == "on-time")
    # Measured and shown, but provisional: pending, with the day it was measured to.
    assert on_time["grade"] == "pending" and on_time["measured"] == pytest.approx(3 / 5)
    assert "Provisional" in on_time["note"] and "2026-10-28" in on_time["note"]
    report = render_audit_report(three_months, during.audit_id, "md", "en")
    assert "Provisional" in report
    after = run_audit(three_months, october, [], checklist, today=date(2026, 11, 2))
    assert after.resumed and len(after.findings_raised) == 2
    assert {r[0] for r in three_months.execute("SELECT unit FROM findings")} == {"SMA", "SMP"}


@pytest.mark.parametrize("typed, key", [
    ("c", "conform"), ("sesuai", "conform"), ("Conform", "conform"), ("mi", "minor"),
    ("minor", "minor"), ("ma", "major"), ("mayor", "major"), ("major", "major"),
    ("o", "observation"), ("observasi", "observation"), ("observation", "observation"),
    ("na", "na"), ("tidak  berlaku", "na"), ("not applicable", "na"), ("s", "skip"),
    ("lewati", "skip"), ("skip", "skip"), ("q", "quit"), ("keluar", "quit"),
    ("quit", "quit"),
])
def test_the_prompt_takes_the_keys_and_the_words_in_both_languages(typed, key):
    assert parse_prompt_key(typed) == key


@pytest.mark.parametrize("typed", ["", "great", "[c]", "m"])
def test_the_prompt_refuses_anything_else(typed):
    with pytest.raises(InvalidInput, match="is not one of"):
        parse_prompt_key(typed)


def _at_terminal(db_path, args, typed: str) -> str:
    """Run the installed qmstrack in a pseudo-terminal, type ``typed``; return what it
    showed (without terminal escapes)."""
    import fcntl
    import os
    import pty
    import re
    import struct
    import subprocess
    import termios

    from conftest import qmstrack_executable

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMSTRACK_")}
    env.update(TERM="xterm", NO_COLOR="1")
    proc = subprocess.Popen([qmstrack_executable(), "--db", str(db_path), *args],
                            stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    os.write(master, typed.encode("utf-8"))
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=60) == 0, out
    os.close(master)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8")).replace("\r", "")


def test_the_prompt_shows_its_keys_the_audit_and_each_position(three_months, checklist,
                                                               db_path, tmp_path):
    text = _at_terminal(db_path, ["audit", "--period", "2026-10", "--unit", "SMA",
                                  "--checklist", str(tmp_path / "office-test.yaml"),
                                  "--lang", "id", "--out", str(tmp_path / "out")],
                        "hebat\nsesuai\n\n\nkeluar\n")
    # The audit, its period and units and the count come before the first question.
    header = text.index("Started audit 1: 2026-10-01 to 2026-10-31, units SMA")
    assert header < text.index("2 items to answer.") < text.index("1/2")
    assert "[c] sesuai, [mi] minor, [ma] mayor, [o] observasi, [na] tidak berlaku, " \
           "[s] lewati, [q] keluar" in text
    assert "'hebat' bukan nilai" in text
    assert "2/2" in text and "Apakah ada program audit?" in text
    grades = dict(three_months.execute(
        "SELECT item_id, grade FROM audit_results WHERE audit_id = 1"))
    assert grades["sop-displayed"] == "conform" and grades["programme"] == "pending"


def test_the_finding_is_written_from_its_data_in_the_reports_language(three_months,
                                                                      checklist):
    from qmstrack.db import set_setting, writing

    with writing(three_months):
        set_setting(three_months, "lang", "id")
    runs = _audit_months(three_months, checklist)
    english = render_audit_report(three_months, runs[2].audit_id, "md", "en")
    # What (the item, the value against the target, the late requests and by how many
    # working days), where (the unit), the requirement (clause and title). SMA-LEG-10-1
    # was closed on 25 October, weeks after its due date.
    assert ("Are requests completed on time? Measured 50.0% against the target ≥ 90.0%"
            in english)
    assert "Unit: SMA – Bidang Pembinaan SMA." in english
    assert "Requirement: clause 8.5.1 Control of service provision." in english
    late = re.search(r"Evidence: SMA-LEG-10-1, completed (\d+) working days late", english)
    assert late and int(late[1]) > 5
    indonesian = render_audit_report(three_months, runs[2].audit_id, "md", "id")
    assert "Apakah tepat waktu? Hasil ukur 50,0% terhadap target ≥ 90,0%" in indonesian
    assert "Persyaratan: klausul 8.5.1 Pengendalian penyediaan layanan." in indonesian
    assert f"SMA-LEG-10-1, selesai terlambat {late[1]} hari kerja" in indonesian
    # Nothing of one language in the other's report.
    assert "Apakah tepat waktu?" not in english
