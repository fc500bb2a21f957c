"""The management review: the inputs pack (every figure against the metric registry), the
notes file, recording reviews and following up their actions, and the objectives missed
twice in the audit report and the nightly summary.

The hand-made year is 2025, wholly in the past, so that every period of it is complete.
Each figure the pack shows is recomputed here with ``compute(db, name, Period, Scope)``
and formatted the way people read it; the pack must show exactly that text.
"""

from __future__ import annotations

import calendar
import html as html_lib
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from qmstrack.errors import InvalidInput, UsageError
from qmstrack.metrics import Period, Scope, compute

YEAR = 2025
PERIOD = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
TODAY = date(2026, 1, 15)
BUDI, SITI, ANDI = "198609262015051001", "199001012019032002", "198512122010011003"
SERVICES = {"SMA-LEG": "SMA", "SMA-MUT": "SMA", "SMP-LEG": "SMP", "SEK-SURAT": "SEKRETARIAT"}
UNITS = ("SEKRETARIAT", "SMA", "SMP")
SCRIPT = "<script>alert('x')</script>"
HOSTILE_DECISION = f"Perbaiki loket | segera\n# bukan judul {SCRIPT}"


# --- the hand-made year -----------------------------------------------------------------------


def _last_day(month: int) -> date:
    return date(YEAR, month, calendar.monthrange(YEAR, month)[1])


@pytest.fixture
def year(office):
    """Requests, observations, surveys, complaints, objectives, findings, an audit and two
    earlier reviews, spread over 2025."""
    from qmstrack.audit_programme import default_checklist
    from qmstrack.audits import run_audit
    from qmstrack.findings import close_finding, plan_finding, raise_finding
    from qmstrack.objectives import add_objective, record_value
    from qmstrack.registers.adherence import add_observation
    from qmstrack.registers.complaints import add_complaint, close_complaint, respond_complaint
    from qmstrack.registers.requests import add_request, update_request
    from qmstrack.registers.surveys import add_response
    from qmstrack.reviews import close_action, record_review
    from qmstrack.setup import initialise

    db = office
    initialise(db, org="Dinas Pendidikan Provinsi Kalimantan Timur")
    # Requests: each month and service, one closed the day it came (on time), one closed
    # 25 days later (late); in odd months a third closed on time (late for SMP-LEG in
    # March and SEK-SURAT in January), in even months left open.
    late_third = {("SMP-LEG", 3), ("SEK-SURAT", 1)}
    n = 0
    for month in range(1, 7):
        for service in SERVICES:
            received = date(YEAR, month, 10 + (n % 3))
            for kind in ("on_time", "late", "third"):
                n += 1
                ref = f"R-{n:03d}"
                add_request(db, service=service, requester="Pemohon", ref=ref,
                            received=received)
                if kind == "on_time" or (kind == "third" and month % 2
                                         and (service, month) not in late_third):
                    update_request(db, ref, status="completed", on=received)
                elif kind == "late" or (kind == "third" and month % 2):
                    update_request(db, ref, status="completed",
                                   on=received + timedelta(days=25))
    # One rejected in March.
    add_request(db, service="SMP-LEG", requester="X", ref="R-REJ", received="2025-03-03")
    update_request(db, "R-REJ", status="rejected", on="2025-03-04")
    # Adherence: a pattern of comply/breach/na per month and staff.
    results = ["comply", "comply", "breach", "comply", "na", "comply", "breach"]
    k = 0
    for month in range(1, 7):
        for staff in (BUDI, SITI, ANDI):
            for rule in ("SOP-LEG", "SOP-ARSIP"):
                add_observation(db, staff=staff, rule=rule, result=results[k % len(results)],
                                on=date(YEAR, month, 3 + k % 5))
                k += 1
    # Satisfaction surveys in every quarter.
    scores = [[4] * 9, [3] * 9, "3,3,4,2,3,4,3,3,4", "4,4,3,3,4,4,3,4,4", [2] * 9]
    s = 0
    for month in (1, 2, 4, 5, 7, 8, 10, 11):
        for service in SERVICES:
            if (s + month) % 3 == 0:
                s += 1
                continue
            add_response(db, service=service, scores=scores[s % len(scores)],
                         on=date(YEAR, month, 14), today=TODAY)
            s += 1
    # Complaints: answered on time, late, never, closed, through several channels.
    complaints = [
        ("lapor", "2025-01-06", "SMA", "2025-01-08", "2025-01-10"),
        ("walk-in", "2025-02-03", "SMA", "2025-02-20", None),          # late
        ("phone", "2025-03-03", "SMP", "2025-03-04", "2025-03-05"),
        ("email", "2025-05-05", "SEKRETARIAT", None, None),             # never answered
        ("letter", "2025-07-07", "SMP", "2025-07-08", None),
        ("lapor", "2025-09-01", None, "2025-09-02", "2025-09-03"),      # no unit
        ("lapor", "2025-12-22", "SEKRETARIAT", None, None),             # due in 2026
        ("email", "2024-12-02", "SMA", "2025-01-20", "2025-01-21"),     # received in 2024
    ]
    for channel, received, unit, responded, closed in complaints:
        c = add_complaint(db, channel=channel, subject=f"Keluhan {received}",
                          received=received, unit=unit, today=TODAY)
        if responded:
            respond_complaint(db, c["ref_no"], response="Ditanggapi", on=responded,
                              today=TODAY)
        if closed:
            close_complaint(db, c["ref_no"], outcome="Selesai", on=closed, today=TODAY)
    # Quality objectives of 2025.
    objectives = {
        "sma": add_objective(db, unit="SMA", title="Layanan SMA tepat waktu",
                             metric="requests.on_time_rate", target=">= 0.9", year=YEAR),
        "leg": add_objective(db, unit="SMA", service="SMA-LEG", title="Legalisir tepat",
                             metric="requests.on_time_rate", target=">= 0.6", year=YEAR),
        "smp": add_objective(db, unit="SMP", title="Kepatuhan SOP SMP",
                             metric="adherence.rate", target=">= 0.5", year=YEAR),
        "ikm": add_objective(db, unit="SEKRETARIAT", title="IKM Sekretariat",
                             metric="satisfaction.ikm", target=">= 80", frequency="quarterly",
                             year=YEAR),
        "arsip": add_objective(db, unit="SEKRETARIAT", title="Arsip tertata",
                               target=">= 90%", year=YEAR),
    }
    for month, value in enumerate(["95%", "92%", "85%", "80%", "91%", "88%", "87%"], 1):
        record_value(db, objectives["arsip"]["id"], period=f"{YEAR}-{month:02d}",
                     value=value, today=TODAY)
    # Findings and corrective actions.
    raise_finding(db, clause_ref="8.5.1", grade="minor", description="Tanda terima",
                  raised_on=date(YEAR, 2, 10), source="sucofindo", unit="SMA",
                  ref_no="SCI-1")
    plan_finding(db, "SCI-1", action="Blanko tanda terima", due="2025-04-10", owner=BUDI,
                 on=date(YEAR, 2, 15))
    close_finding(db, "SCI-1", verified_by="WMM", effective=False, on=date(YEAR, 4, 12),
                  new_action="Tanda terima elektronik", new_due="2025-06-30")
    close_finding(db, "SCI-1", verified_by="WMM", effective=True, on=date(YEAR, 7, 1))
    raise_finding(db, clause_ref="7.5.3", grade="major", description="Arsip hilang",
                  raised_on=date(YEAR, 5, 5), source="internal", unit="SEKRETARIAT",
                  due_on=date(YEAR, 6, 5), ref_no="INT-1")
    raise_finding(db, clause_ref="9.1.2", grade="observation", description="Analisis IKM",
                  raised_on=date(YEAR, 9, 9), source="sucofindo", unit="SMP",
                  due_on=date(2026, 2, 1), ref_no="SCI-2")
    raise_finding(db, clause_ref="7.2", grade="minor", description="Tahun lalu",
                  raised_on=date(2024, 10, 1), source="internal", unit="SMP",
                  due_on=date(2024, 12, 1), ref_no="OLD-1")
    # An internal audit of March 2025 (its metric items raise internal findings).
    run_audit(db, Period(date(YEAR, 3, 1), date(YEAR, 3, 31)), [], default_checklist(db),
              today=date(YEAR, 4, 3))
    # Earlier reviews: December 2024 (four actions) and June 2025 (one, hostile text).
    first = record_review(db, held_on="2024-12-10", chair="Kepala Dinas",
                          attendees=["Budi", "Siti"],
                          decisions=["Tutup sebelum periode", "Tutup dalam periode",
                                     "Lewat tenggat", "Belum jatuh tempo"],
                          owners=[BUDI, SITI, ANDI, None],
                          dues=["2024-12-20", "2025-03-31", "2025-06-30", "2026-03-31"],
                          today=date(2024, 12, 10))
    ids = [a["id"] for a in first["actions"]]
    close_action(db, ids[0], on="2024-12-18", today=date(2024, 12, 18))
    close_action(db, ids[1], on="2025-03-15", note="Selesai", today=date(2025, 3, 15))
    record_review(db, held_on="2025-06-10", chair="Kepala Dinas", attendees=["Andi"],
                  decisions=[HOSTILE_DECISION], owners=[ANDI], dues=["2025-09-30"],
                  today=date(2025, 6, 10))
    return db


def context(db, lang="id", notes=None, period=PERIOD):
    from qmstrack.review_pack import build_pack_context

    return build_pack_context(db, period, lang, notes=notes, today=TODAY)


def render(ctx, fmt):
    from qmstrack.review_pack import render_pack

    return render_pack(ctx, fmt)


# --- reading the rendered pack ------------------------------------------------------------------


def md_cells(line: str) -> list[str]:
    assert line.startswith("|") and line.rstrip().endswith("|"), line
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
    return [c[2:-2] if c.startswith("**") and c.endswith("**") else c for c in cells]


def md_section(md: str, number: int) -> str:
    start = md.index(f"\n## {number}. ")
    end = md.find("\n## ", start + 1)
    return md[start:end if end > 0 else None]


def md_rows(section: str, first: str) -> list[list[str]]:
    """The table rows of a section whose first cell starts with ``first``."""
    return [md_cells(line) for line in section.splitlines()
            if line.startswith("| ") and md_cells(line)[0].startswith(first)]


def md_row(section: str, first: str) -> list[str]:
    rows = md_rows(section, first)
    assert rows, first
    return rows[0]


def _text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def html_section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start:html.index("</section>", start)]


def html_rows(section: str, first: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, flags=re.S):
        cells = [_text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        if cells and cells[0].startswith(first):
            rows.append(cells)
    return rows


def html_row(section: str, first: str) -> list[str]:
    rows = html_rows(section, first)
    assert rows, first
    return rows[0]


def pct(x, lang):
    from qmstrack.figures import format_value

    return format_value(x, "rate", lang)


def num(x, lang):
    from qmstrack.figures import format_value

    return format_value(x, "count", lang)


def ikm(x, lang):
    from qmstrack.i18n import format_number
    from qmstrack.satisfaction import rounded_ikm

    return "–" if x is None else format_number(rounded_ikm(x), lang, decimals=2)


def metric(db, name, start=PERIOD.start, end=PERIOD.end, units=(), service=None):
    return compute(db, name, Period(start, end), Scope(tuple(units), service))


def unit_name(db, code):
    return db.execute("SELECT name FROM units WHERE code = ?", [code]).fetchone()[0]


# --- every figure equals the registry's ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
def test_service_performance_per_service_unit_and_month(year, lang):
    ctx = context(year, lang)
    md, html = render(ctx, "md"), render(ctx, "html")
    md5, html5 = md_section(md, 5), html_section(html, "services")
    keys = ["received", "completed", "on_time", "on_time_rate", "open", "overdue"]

    def expected(units=(), service=None):
        return [pct(v, lang) if k == "on_time_rate" else num(v, lang)
                for k, v in ((k, metric(year, f"requests.{k}", units=units, service=service))
                             for k in keys)]

    for service, unit in SERVICES.items():
        want = expected((unit,), service)
        assert md_row(md5, f"{service} – ")[2:] == want
        assert html_row(html5, f"{service} – ")[2:] == want
    for unit in UNITS:
        want = expected((unit,))
        assert md_row(md5, f"{unit} – {unit_name(year, unit)}")[1:] == want
        assert html_row(html5, f"{unit} – {unit_name(year, unit)}")[1:] == want
    all_units = "Semua unit" if lang == "id" else "All units"
    assert md_row(md5, all_units)[1:] == expected()
    assert html_row(html5, all_units)[1:] == expected()
    # By month: received, completed, on-time rate, overdue at the month end, on time per unit.
    from qmstrack.figures import month_name as _month_name

    for month in range(1, 13):
        start, end = date(YEAR, month, 1), _last_day(month)
        want = [num(metric(year, "requests.received", start, end), lang),
                num(metric(year, "requests.completed", start, end), lang),
                pct(metric(year, "requests.on_time_rate", start, end), lang),
                num(metric(year, "requests.overdue", start, end), lang)]
        want += [pct(metric(year, "requests.on_time_rate", start, end, (u,)), lang)
                 for u in UNITS]
        label = _month_name(start, lang)
        assert md_row(md5, label)[1:] == want, label
        assert html_row(html5, label)[1:] == want, label
    # The figures are not all trivial.
    rates = {metric(year, "requests.on_time_rate", units=(u,)) for u in UNITS}
    assert len(rates) > 1 and None not in rates
    assert metric(year, "requests.overdue") > 0


@pytest.mark.parametrize("lang", ["id", "en"])
def test_satisfaction_per_unit_service_and_quarter(year, lang):
    ctx = context(year, lang)
    md, html = render(ctx, "md"), render(ctx, "html")
    md3, html3 = md_section(md, 3), html_section(html, "satisfaction")
    quarters = [(date(YEAR, m, 1), _last_day(m + 2)) for m in (1, 4, 7, 10)]

    def want(units=(), service=None, with_category=False):
        value = metric(year, "satisfaction.ikm", units=units, service=service)
        row = [num(metric(year, "satisfaction.responses", units=units, service=service),
                   lang), ikm(value, lang)]
        if with_category:
            from qmstrack.satisfaction import category_of

            row.append(category_of(value).letter if value is not None else "–")
        return row + [ikm(metric(year, "satisfaction.ikm", s, e, units, service), lang)
                      for s, e in quarters]

    for unit in UNITS:
        first = f"{unit} – {unit_name(year, unit)}"
        assert md_row(md3, first)[1:] == want((unit,), with_category=True)
        assert html_row(html3, first)[1:] == want((unit,), with_category=True)
    for service, unit in SERVICES.items():
        assert md_row(md3, f"{service} – ")[2:] == want((unit,), service)
        assert html_row(html3, f"{service} – ")[2:] == want((unit,), service)
    overall = ikm(metric(year, "satisfaction.ikm"), lang)
    assert overall in ctx["highlights"][1]["value"]
    label = "Triwulan I 2025" if lang == "id" else "Q1 2025"
    assert label in md3 and label in html3


@pytest.mark.parametrize("lang", ["id", "en"])
def test_complaints_per_unit_and_channel(year, lang):
    from qmstrack.registers.complaints import complaint_counts

    ctx = context(year, lang)
    md, html = render(ctx, "md"), render(ctx, "html")
    md3, html3 = md_section(md, 3), html_section(html, "satisfaction")

    def want(units=()):
        detail = complaint_counts(year, PERIOD, Scope(tuple(units)))
        return [num(metric(year, "complaints.received", units=units), lang),
                num(detail["responded"], lang), num(detail["responded_on_time"], lang),
                pct(metric(year, "complaints.response_on_time_rate", units=units), lang),
                num(metric(year, "complaints.open", units=units), lang),
                num(metric(year, "complaints.overdue", units=units), lang)]

    all_units = "Semua unit" if lang == "id" else "All units"
    complaint_rows = [r for r in md_rows(md3, all_units) if len(r) == 7]
    assert complaint_rows[0][1:] == want()
    assert [r for r in html_rows(html3, all_units) if len(r) == 7][0][1:] == want()
    for unit in UNITS:
        rows = [r for r in md_rows(md3, f"{unit} – ") if len(r) == 7]
        assert rows[0][1:] == want((unit,))
    assert want()[0] == num(7, lang)  # the complaint of December 2024 is not counted
    assert metric(year, "complaints.response_on_time_rate") not in (None, 0, 1)
    # By channel: received in the period through each channel.
    counts = dict(year.execute("SELECT channel, count(*) FROM complaints WHERE received_on "
                               "BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY channel"))
    labels = {"lapor": "SP4N-LAPOR!", "email": "Surel" if lang == "id" else "E-mail",
              "letter": "Surat" if lang == "id" else "Letter"}
    for channel, label in labels.items():
        assert md_row(md3, label)[1] == num(counts[channel], lang)
        assert html_row(html3, label)[1] == num(counts[channel], lang)
    # The overdue one (never answered) is listed by number.
    overdue = year.execute("SELECT ref_no FROM complaints WHERE unit = 'SEKRETARIAT' AND "
                           "received_on = '2025-05-05'").fetchone()[0]
    assert md_row(md3, overdue)[3] == "SEKRETARIAT"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_objectives_achieved_counts(year, lang):
    from qmstrack.figures import format_value
    from qmstrack.parsing import parse_target

    ctx = context(year, lang)
    md, html = render(ctx, "md"), render(ctx, "html")
    md4, html4 = md_section(md, 4), html_section(html, "objectives")
    total_achieved = total_completed = 0
    for o in year.execute("SELECT id, unit, service_code, metric, target, frequency, title "
                          "FROM objectives").fetchall():
        oid, unit, service, name, target, frequency, title = o
        first = 1 if frequency == "monthly" else 3
        step = 1 if frequency == "monthly" else 3
        values = []
        for month in range(first, 13, step):
            start = date(YEAR, month if frequency == "monthly" else month - 2, 1)
            end = _last_day(month)
            if name:
                values.append(metric(year, name, start, end, (unit,),
                                     service if name.startswith("requests.") else None))
            else:
                row = year.execute("SELECT value FROM objective_values WHERE objective_id = ?"
                                   " AND period = ?", [oid, f"{YEAR}-{month:02d}"]).fetchone()
                values.append(row[0] if row else None)
        goal = parse_target(target)
        achieved = sum(1 for v in values if v is not None and goal.met_by(v))
        completed = len(values)
        total_achieved += achieved
        total_completed += completed
        kind = "index" if name == "satisfaction.ikm" else "rate"
        row = md_row(md4, str(oid))
        assert row[2].startswith(title.replace("|", "\\|"))
        assert row[-1] == f"{achieved}/{completed}"
        shown = [c.rstrip(" ✓✗…").strip() for c in row[4:-1]]
        assert shown == [format_value(v, kind, lang) for v in values]
        hrow = html_row(html4, str(oid))
        assert hrow[-1] == f"{achieved}/{completed}"
    assert ctx["objectives"]["totals"]["achieved"] == total_achieved
    assert ctx["objectives"]["totals"]["completed"] == total_completed
    assert 0 < total_achieved < total_completed
    # The manual archive objective missed March and April: flagged.
    arsip = md_row(md4, next(str(r[0]) for r in year.execute(
        "SELECT id FROM objectives WHERE title = 'Arsip tertata'")))
    flag = "tidak tercapai dua kali berturut-turut" if lang == "id" else "missed twice in a row"
    assert flag in arsip[2]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_findings_counts(year, lang):
    ctx = context(year, lang)
    md, html = render(ctx, "md"), render(ctx, "html")
    md6, html6 = md_section(md, 6), html_section(html, "findings")
    raised = dict(year.execute("SELECT source, count(*) FROM findings WHERE raised_on "
                               "BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY source"))
    grades = ["major", "minor", "observation"]
    for source, label in (("sucofindo", "Sucofindo"),
                          ("internal", "Audit internal" if lang == "id" else "Internal audit")):
        counts = [year.execute("SELECT count(*) FROM findings WHERE raised_on BETWEEN "
                               "'2025-01-01' AND '2025-12-31' AND source = ? AND grade = ?",
                               [source, g]).fetchone()[0] for g in grades]
        want = [num(n, lang) for n in counts] + [num(raised[source], lang)]
        assert md_row(md6, label)[1:] == want
        assert html_row(html6, label)[1:] == want
    all_units = "Semua unit" if lang == "id" else "All units"
    want = [num(metric(year, f"findings.{k}"), lang) for k in ("open", "overdue", "open_major")]
    assert md_row(md6, all_units)[1:] == want
    assert html_row(html6, all_units)[1:] == want
    for unit in UNITS:
        want = [num(metric(year, f"findings.{k}", units=(unit,)), lang)
                for k in ("open", "overdue", "open_major")]
        assert md_row(md6, f"{unit} – ")[1:] == want
    # Verified actions: one not effective (April), one effective (July).
    assert ctx["findings"]["effective"] == 1 and ctx["findings"]["not_effective"] == 1
    assert ctx["findings"]["closed"] == 1
    # OLD-1 (raised in 2024, still open) is open at the end of the period and overdue.
    row = md_row(md6, "OLD-1")
    assert ("lewat tenggat" if lang == "id" else "overdue") in row[6]
    assert not md_rows(md6, "SCI-1")  # closed in July


@pytest.mark.parametrize("lang", ["id", "en"])
def test_adherence_by_month_and_unit(year, lang):
    from qmstrack.figures import month_name as _month_name

    ctx = context(year, lang)
    md, html = render(ctx, "md"), render(ctx, "html")
    md7, html7 = md_section(md, 7), html_section(html, "adherence")
    for month in range(1, 13):
        start, end = date(YEAR, month, 1), _last_day(month)
        want = [num(metric(year, "adherence.observations", start, end), lang),
                pct(metric(year, "adherence.rate", start, end), lang)]
        want += [pct(metric(year, "adherence.rate", start, end, (u,)), lang) for u in UNITS]
        label = _month_name(start, lang)
        assert md_row(md7, label)[1:] == want
        assert html_row(html7, label)[1:] == want
    for unit in UNITS:
        want = [num(metric(year, "adherence.observations", units=(unit,)), lang),
                num(metric(year, "adherence.breaches", units=(unit,)), lang),
                pct(metric(year, "adherence.rate", units=(unit,)), lang)]
        assert md_row(md7, f"{unit} – ")[1:] == want
        assert html_row(html7, f"{unit} – ")[1:] == want
    assert metric(year, "adherence.rate") not in (None, 0, 1)


def test_audits_and_clause_coverage(year):
    from qmstrack.audit_programme import clause_coverage, default_checklist
    from qmstrack.audits import grade_counts

    ctx = context(year, "en")
    md = render(ctx, "md")
    md8 = md_section(md, 8)
    counts = grade_counts(year, 1)
    row = md_row(md8, "1")
    assert row[1] == "March 2025"
    assert [int(c) for c in row[4:]] == list(counts.values())
    rate = metric(year, "audits.clause_coverage_12m")
    assert f"({pct(rate, 'en')})" in md8
    due = [r["clause_ref"] for r in clause_coverage(year, default_checklist(year), PERIOD.end)
           if r["status"] == "due"]
    listed = [r[0] for r in md_rows(md8, "") if re.fullmatch(r"[\d.]+", r[0]) and r[0] != "1"]
    assert listed == due
    assert "<svg" in html_section(render(ctx, "html"), "audits")


def test_previous_review_actions_as_of_the_period_end(year):
    ctx = context(year, "id")
    rows = {r["decision"]: r for r in ctx["previous_actions"]["rows"]}
    assert "Tutup sebelum periode" not in rows  # closed before the period began
    assert rows["Tutup dalam periode"]["state"] == "closed"
    assert rows["Tutup dalam periode"]["closed_on"] == date(2025, 3, 15)
    assert rows["Lewat tenggat"]["state"] == "overdue"
    assert rows["Belum jatuh tempo"]["state"] == "open"
    assert rows[HOSTILE_DECISION]["state"] == "overdue"
    assert ctx["previous_actions"]["counts"] == {"total": 4, "closed": 1, "open": 3,
                                                 "overdue": 2}
    md = render(ctx, "md")
    md1 = md_section(md, 1)
    assert "4 tindak lanjut: 1 selesai, 3 belum selesai, 2 di antaranya lewat tenggat" in md1
    assert md_row(md1, "")[0] == "No."
    states = [r[5] for r in md_rows(md1, "") if r[0].isdigit()]
    assert states == ["Ditutup (15 Mar 2025)", "Lewat tenggat", "Terbuka", "Lewat tenggat"]
    # A shorter period ending in May: the June review is not there yet, and "Lewat
    # tenggat" (due 30 June) is still open.
    early = context(year, "en", period=Period(date(2025, 1, 1), date(2025, 5, 31)))
    states = {r["decision"]: r["state"] for r in early["previous_actions"]["rows"]}
    assert states == {"Tutup dalam periode": "closed", "Lewat tenggat": "open",
                      "Belum jatuh tempo": "open"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_both_formats_have_every_section(year, lang, tmp_path):
    from qmstrack.review_notes import load_notes

    notes_file = tmp_path / "notes.yaml"
    notes_file.write_text(NOTES, encoding="utf-8")
    ctx = context(year, lang, notes=load_notes(notes_file))
    md, html = render(ctx, "md"), render(ctx, "html")
    headings = {
        "id": ["Bahan Tinjauan Manajemen", "Status Tindak Lanjut Tinjauan Manajemen Sebelumnya",
               "Perubahan Isu Eksternal dan Internal", "Kepuasan Pelanggan dan Pengaduan",
               "Sasaran Mutu", "Kinerja Layanan", "Ketidaksesuaian dan Tindakan Korektif",
               "Pemantauan: Kepatuhan terhadap SOP", "Hasil Audit", "Kecukupan Sumber Daya",
               "Efektivitas Tindakan terhadap Risiko dan Peluang", "Peluang Peningkatan",
               "Hal Lain", "Keluaran Tinjauan", "Tahun 2025"],
        "en": ["Management Review Pack", "Status of actions from previous management reviews",
               "Changes in external and internal issues", "Customer satisfaction and complaints",
               "Quality objectives", "Service performance",
               "Nonconformities and corrective actions", "Monitoring: adherence to SOPs",
               "Audit results", "Adequacy of resources",
               "Effectiveness of actions taken to address risks and opportunities",
               "Opportunities for improvement", "Other matters", "Outputs of the review",
               "Year 2025"],
    }[lang]
    for text in (md, html):
        for heading in headings:
            assert heading in text, heading
        assert "Dinas Pendidikan Provinsi Kalimantan Timur" in text
        assert "Kenaikan jumlah pemohon legalisir" in text
        assert "Dua arsiparis pensiun" in text and "Server arsip" in text
    for number in range(1, 14):
        assert f"\n## {number}. " in md
    full = "Rabu, 1 Januari 2025" if lang == "id" else "Wednesday, 1 January 2025"
    assert full in md and full in html
    risk = "Risiko banjir di gudang arsip" if lang == "id" else "Flood risk in the archive store"
    assert risk in md and risk in html
    # improvement_opportunities is given in Indonesian only: shown in both packs.
    assert "Aplikasi antrean daring" in md
    assert html.count("<svg") == 4
    assert 'default-src \'none\'' in html


def test_indonesian_dates_and_numbers(year):
    ctx = context(year, "id")
    for text in (render(ctx, "md"), render(ctx, "html")):
        assert "Rabu, 31 Desember 2025" in text
        assert "Kamis, 15 Januari 2026" in text  # compiled on
        assert re.search(r"\b\d{1,3},\d%", text)
        assert not re.search(r"\b\d{1,3}\.\d%", text)


# --- escaping ---------------------------------------------------------------------------------


NOTES = """\
# Catatan tinjauan manajemen 2025
context_changes: Kenaikan jumlah pemohon legalisir menjelang kelulusan
resources:
  - Dua arsiparis pensiun pada Juni
  - Server arsip perlu diganti
risks_and_opportunities:
  id: Risiko banjir di gudang arsip
  en: Flood risk in the archive store
improvement_opportunities:
  id:
    - Aplikasi antrean daring
other: "<script>alert('notes')</script> | bukan kolom"
"""


def test_hostile_text_is_escaped(year, tmp_path):
    from qmstrack.review_notes import load_notes

    notes_file = tmp_path / "notes.yaml"
    notes_file.write_text(NOTES, encoding="utf-8")
    ctx = context(year, "id", notes=load_notes(notes_file))
    html = render(ctx, "html")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#39;notes&#39;)&lt;/script&gt;" in html
    md = render(ctx, "md")
    assert "<script" not in md
    row = next(line for line in md.splitlines() if "Perbaiki loket" in line)
    cells = md_cells(row)
    assert len(cells) == 6
    assert "Perbaiki loket \\| segera<br>\\# bukan judul &lt;script>" in cells[2]
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "<script" not in rendered
    assert "&lt;script&gt;alert('notes')" in rendered or "&lt;script&gt;alert(&#x27;" in rendered
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        head = len(re.findall(r"<th\b", table.split("</thead>")[0]))
        for body in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], flags=re.S):
            assert len(re.findall(r"<td\b", body)) == head


# --- the notes file ---------------------------------------------------------------------------


def write(tmp_path, text: str, name: str = "notes.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_notes_valid(tmp_path):
    from qmstrack.review_notes import load_notes

    notes = load_notes(write(tmp_path, NOTES))
    assert notes["context_changes"] == {
        "id": ["Kenaikan jumlah pemohon legalisir menjelang kelulusan"],
        "en": ["Kenaikan jumlah pemohon legalisir menjelang kelulusan"]}
    assert notes["resources"]["en"] == ["Dua arsiparis pensiun pada Juni",
                                        "Server arsip perlu diganti"]
    assert notes["risks_and_opportunities"] == {"id": ["Risiko banjir di gudang arsip"],
                                                "en": ["Flood risk in the archive store"]}
    assert notes["improvement_opportunities"]["en"] == ["Aplikasi antrean daring"]
    assert load_notes(write(tmp_path, "")) == {}
    assert load_notes(write(tmp_path, "resources:\nother: 2026\n")) == {
        "resources": {"id": [], "en": []}, "other": {"id": ["2026"], "en": ["2026"]}}
    assert load_notes(write(tmp_path, "\ufeffother: ok\n"))["other"]["id"] == ["ok"]


@pytest.mark.parametrize("text, line, words", [
    ("context_changes: ok\nresorces: typo\n", 2, "unknown section 'resorces'"),
    ("other: !!python/object/apply:os.system ['echo hi']\n", 1, "!!python/object/apply"),
    ("other: !!python/object:collections.OrderedDict {}\n", 1, "!!python/object"),
    ("resources:\n  - ok\n  - !!python/name:os.system\n", 3, "!!python/name"),
    ("resources:\n  - [nested, list]\n", 2, "a text or a list of texts"),
    ("risks_and_opportunities:\n  fr: non\n", 2, "'fr' is not a language"),
    ("other: a\nother: b\n", 2, "given twice"),
    ("- just\n- a list\n", 1, "must map the sections"),
    ("other: !custom x\n", 1, "tag !custom"),
    ("other: \"bell \\a\"\n", 1, "control characters"),
])
def test_notes_refused_with_the_line(tmp_path, text, line, words):
    from qmstrack.review_notes import load_notes

    path = write(tmp_path, text)
    with pytest.raises(InvalidInput) as caught:
        load_notes(path)
    message = str(caught.value)
    assert str(path) in message and f"line {line}" in message and words in message, message
    assert "\n" not in message


def test_notes_not_yaml_or_missing(tmp_path):
    from qmstrack.review_notes import load_notes

    with pytest.raises(InvalidInput, match=r"is not valid YAML at line 2"):
        load_notes(write(tmp_path, "other: ok\n  bad: [indent\n"))
    with pytest.raises(InvalidInput, match=r"is not valid YAML"):
        load_notes(write(tmp_path, "other: [unclosed\n"))
    missing = tmp_path / "nope.yaml"
    with pytest.raises(InvalidInput) as caught:
        load_notes(missing)
    assert str(caught.value) == f"The notes file {missing} does not exist."
    with pytest.raises(InvalidInput, match="is a directory"):
        load_notes(tmp_path)
    with pytest.raises(InvalidInput, match="nested too deeply"):
        load_notes(write(tmp_path, "other: " + "[" * 5000 + "]" * 5000 + "\n"))
    (tmp_path / "latin1.yaml").write_bytes("other: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        load_notes(tmp_path / "latin1.yaml")


def test_python_tags_are_never_constructed(tmp_path, monkeypatch):
    import yaml

    from qmstrack.review_notes import load_notes

    def refuse(*args, **kwargs):  # pragma: no cover - must not be called
        raise AssertionError("a YAML object was constructed")

    monkeypatch.setattr(yaml, "load", refuse)
    monkeypatch.setattr(yaml, "unsafe_load", refuse)
    monkeypatch.setattr(yaml, "full_load", refuse)
    with pytest.raises(InvalidInput):
        load_notes(write(tmp_path, "other: !!python/object/apply:os.system ['touch x']\n"))
    assert not (tmp_path / "x").exists()


# --- the period ---------------------------------------------------------------------------------


def test_pack_period():
    from qmstrack.review_pack import pack_filename, pack_period

    today = date(2026, 11, 24)
    assert pack_period(today=today) == (Period(date(2026, 1, 1), today), False)
    assert pack_period(year=2025, today=today) == (PERIOD, False)
    assert pack_period(year=2026, today=today) == (Period(date(2026, 1, 1), today), True)
    assert pack_period(start=date(2026, 3, 1), end=date(2026, 5, 31), today=today)[0] == \
        Period(date(2026, 3, 1), date(2026, 5, 31))
    with pytest.raises(UsageError):
        pack_period(year=2025, start=date(2025, 1, 1), end=date(2025, 2, 1), today=today)
    with pytest.raises(UsageError):
        pack_period(start=date(2025, 1, 1), today=today)
    with pytest.raises(InvalidInput, match="after today"):
        pack_period(year=2027, today=today)
    with pytest.raises(InvalidInput, match="before it starts"):
        pack_period(start=date(2025, 5, 1), end=date(2025, 4, 1), today=today)
    assert pack_filename(PERIOD, "md", "id") == "review-pack-2025-01-01-2025-12-31-id.md"


def test_short_period_goes_by_month(year):
    ctx = context(year, "en", period=Period(date(2025, 4, 1), date(2025, 6, 30)))
    assert ctx["satisfaction"]["by"] == "month"
    assert [b["label"] for b in ctx["satisfaction"]["buckets"]] == ["Apr 2025", "May 2025",
                                                                   "Jun 2025"]
    assert [m["label"] for m in ctx["services"]["monthly"]] == ["April 2025", "May 2025",
                                                               "June 2025"]
    assert ctx["period"]["title"] == ctx["period"]["dates"]
    # Objectives are judged on the periods that overlap the review period only.
    group = next(g for g in ctx["objectives"]["groups"] if g["frequency"] == "monthly")
    assert [c["period"] for c in group["columns"]] == ["2025-04", "2025-05", "2025-06"]


# --- writing files and the command line -----------------------------------------------------------


def test_write_review_pack(year, tmp_path):
    from qmstrack.review_pack import write_review_pack

    out = tmp_path / "packs"
    paths = write_review_pack(year, PERIOD, out, ("md", "html"), "en", today=TODAY)
    assert [p.name for p in paths] == ["review-pack-2025-01-01-2025-12-31-en.md",
                                       "review-pack-2025-01-01-2025-12-31-en.html"]
    ctx = context(year, "en")
    assert paths[0].read_text(encoding="utf-8") == render(ctx, "md")
    assert paths[1].read_text(encoding="utf-8") == render(ctx, "html")
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "review_pack.html.j2").write_text("{{ no_such_value }}")
    with pytest.raises(InvalidInput, match="review_pack.html.j2"):
        write_review_pack(year, PERIOD, tmp_path / "none", ("md", "html"), "id",
                          templates, today=TODAY)
    assert not (tmp_path / "none").exists()
    (templates / "review_pack.md.j2").write_text(
        "CUSTOM {{ period.title }} {{ services.total.on_time_rate_text }}\n")
    text = write_review_pack(year, PERIOD, tmp_path / "custom", ("md",), "id", templates,
                             today=TODAY)[0].read_text(encoding="utf-8")
    assert text == (f"CUSTOM Tahun 2025 "
                    f"{pct(metric(year, 'requests.on_time_rate'), 'id')}\n")


def test_cli_pack(year, cli, tmp_path):
    notes = write(tmp_path, NOTES)
    out = tmp_path / "out"
    result = cli("review", "pack", "--year", "2025", "--format", "md,html", "--out", str(out),
                 "--lang", "en", "--notes", str(notes))
    assert result.exit_code == 0, result.output
    printed = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in printed] == ["review-pack-2025-01-01-2025-12-31-en.md",
                                         "review-pack-2025-01-01-2025-12-31-en.html"]
    md = printed[0].read_text(encoding="utf-8")
    assert "Flood risk in the archive store" in md
    assert "Wednesday, 31 December 2025" in md
    result = cli("review", "pack", "--from", "2025-04-01", "--to", "30/06/2025",
                 "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "review-pack-2025-04-01-2025-06-30-id.md").is_file()


@pytest.mark.parametrize("args, code, words", [
    (["--year", "2025", "--from", "2025-01-01", "--to", "2025-02-01"], 2, "--year"),
    (["--from", "2025-01-01"], 2, "--from and --to"),
    (["--from", "2025-13-01", "--to", "2025-12-31"], 2, "--from"),
    (["--from", "2025-06-01", "--to", "2025-05-01"], 2, "before it starts"),
    (["--year", "2099"], 2, "after today"),
    (["--format", "odt"], 2, "odt"),
    (["--format", ""], 2, "format"),
    (["--lang", "fr"], 2, "--lang"),
    (["--notes", "missing.yaml"], 1, "does not exist"),
])
def test_cli_pack_refuses(year, cli, tmp_path, monkeypatch, args, code, words):
    monkeypatch.chdir(tmp_path)
    result = cli("review", "pack", *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == code, result.output
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_cli_record_list_show_close(office, cli):
    today = date.today()
    held = (today - timedelta(days=40)).isoformat()
    late = (today - timedelta(days=5)).isoformat()
    later = (today + timedelta(days=30)).isoformat()
    result = cli("review", "record", "--date", held, "--chair", "Kepala Dinas",
                 "--attendee", "Budi Santoso", "--attendee", "Siti Rahma, S.Pd.",
                 "--decision", "Tambah petugas loket", "--decision", "Digitalisasi arsip",
                 "--decision", "Pelatihan", "--owner", BUDI, "--owner", ANDI, "--owner", SITI,
                 "--due", late, "--due", later, "--due", later)
    assert result.exit_code == 0, result.output
    review_id = int(result.stdout.strip())
    assert "3 actions" in result.stderr
    shown = json.loads(cli("review", "show", str(review_id), "--json").stdout)
    assert shown["held_on"] == held and shown["chair"] == "Kepala Dinas"
    assert shown["attendees"] == ["Budi Santoso", "Siti Rahma, S.Pd."]
    assert [a["decision"] for a in shown["actions"]] == ["Tambah petugas loket",
                                                         "Digitalisasi arsip", "Pelatihan"]
    assert [a["owner_nip"] for a in shown["actions"]] == [BUDI, ANDI, SITI]
    assert [a["state"] for a in shown["actions"]] == ["overdue", "open", "open"]
    assert shown["counts"] == {"total": 3, "open": 3, "overdue": 1, "closed": 0}
    listed = json.loads(cli("review", "list", "--json").stdout)
    assert listed == [{"id": review_id, "held_on": held, "chair": "Kepala Dinas",
                       "attendees": ["Budi Santoso", "Siti Rahma, S.Pd."], "actions": 3,
                       "open": 3, "overdue": 1, "closed": 0}]
    overdue = json.loads(cli("review", "actions", "--overdue", "--json").stdout)
    assert [a["decision"] for a in overdue] == ["Tambah petugas loket"]
    first = overdue[0]["id"]
    closed = cli("review", "action", "close", str(first), "--on", late, "--note",
                 "SK penugasan", "--json")
    assert closed.exit_code == 0, closed.output
    assert json.loads(closed.stdout)["state"] == "closed"
    assert json.loads(cli("review", "actions", "--overdue", "--json").stdout) == []
    still_open = json.loads(cli("review", "actions", "--open", "--json").stdout)
    assert [a["decision"] for a in still_open] == ["Digitalisasi arsip", "Pelatihan"]
    every = json.loads(cli("review", "actions", "--json").stdout)
    assert [a["state"] for a in every] == ["closed", "open", "open"]
    assert every[0]["note"] == "SK penugasan" and every[0]["closed_on"] == late
    # Closing twice, an unknown action, a closing date before the review or in the future.
    again = cli("review", "action", "close", str(first), "--on", late)
    assert again.exit_code == 1 and "already closed" in again.stderr
    assert cli("review", "action", "close", "999", "--on", late).exit_code == 1
    before = cli("review", "action", "close", str(first + 1), "--on",
                 (today - timedelta(days=60)).isoformat())
    assert before.exit_code == 1 and "before the review" in before.stderr
    future = cli("review", "action", "close", str(first + 1), "--on", later)
    assert future.exit_code == 1 and "future" in future.stderr
    # People read tables.
    table = cli("review", "list")
    assert "Budi Santoso; Siti Rahma, S.Pd." in table.stdout
    assert cli("review", "show", "999").exit_code == 1


def test_cli_one_owner_and_due_for_every_decision(office, cli):
    result = cli("review", "record", "--date", "2025-01-20", "--chair", "Kepala",
                 "--attendee", "Budi", "--decision", "A", "--decision", "B",
                 "--owner", "19860926 201505 1 001", "--due", "31/03/2025", "--json")
    assert result.exit_code == 0, result.output
    review = json.loads(result.stdout)
    assert [(a["owner_nip"], a["due_on"]) for a in review["actions"]] == [
        (BUDI, "2025-03-31"), (BUDI, "2025-03-31")]
    none = json.loads(cli("review", "record", "--date", "2025-02-20", "--chair", "Kepala",
                          "--attendee", "Budi", "--decision", "C", "--json").stdout)
    assert none["actions"][0]["owner_nip"] is None and none["actions"][0]["due_on"] is None


@pytest.mark.parametrize("extra, code, words", [
    (["--date", "32/01/2025"], 2, "--date"),
    (["--date", "2025-01-20", "--owner", BUDI, "--owner", ANDI], 2,
     "--owner is given 2 times for 3 decisions"),
    (["--date", "2025-01-20", "--due", "2025-02-01", "--due", "2025-03-01"], 2, "--due"),
    (["--date", "2025-01-20", "--owner", "123"], 2, "--owner"),
    (["--date", "2025-01-20", "--due", "kemarin lusa"], 2, "--due"),
    (["--date", "2025-01-20", "--owner", "197001011990011001"], 1, "no staff member"),
    (["--date", "2025-01-20", "--due", "2025-01-10"], 1, "before the review"),
    (["--date", "2099-01-20"], 1, "in the future"),
    (["--date", "2025-01-20", "--chair", "  "], 1, "empty"),
    (["--date", "2025-01-20", "--decision", ""], 1, "decision is empty"),
])
def test_cli_record_refuses_and_writes_nothing(office, cli, extra, code, words):
    before = (count(office, "reviews"), count(office, "review_actions"),
              count(office, "change_log"))
    args = ["review", "record", "--chair", "Kepala", "--attendee", "Budi",
            "--decision", "A", "--decision", "B", "--decision", "C", *extra]
    result = cli(*args)
    assert result.exit_code == code, result.output
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert (count(office, "reviews"), count(office, "review_actions"),
            count(office, "change_log")) == before


def test_cli_record_requires_the_options(office, cli):
    result = cli("review", "record", "--date", "2025-01-20", "--chair", "K",
                 "--decision", "A")
    assert result.exit_code == 2 and "--attendee" in result.output
    result = cli("review", "record", "--date", "2025-01-20", "--chair", "K",
                 "--attendee", "A")
    assert result.exit_code == 2 and "--decision" in result.output


def test_record_review_twice_on_a_day_is_refused(office):
    from qmstrack.errors import Conflict
    from qmstrack.reviews import record_review

    record_review(office, held_on="2025-01-20", chair="K", attendees=["A"], decisions=["X"],
                  today=TODAY)
    with pytest.raises(Conflict, match="already recorded"):
        record_review(office, held_on="20/01/2025", chair="K", attendees=["A"],
                      decisions=["Y"], today=TODAY)
    assert count(office, "review_actions") == 1


def test_recorded_actions_show_in_the_next_pack(office, cli, tmp_path):
    """A review recorded through the command line, followed up, then read in the pack."""
    cli("review", "record", "--date", "2025-01-20", "--chair", "Kepala", "--attendee", "A",
        "--decision", "Selesai tepat", "--decision", "Terlambat", "--decision", "Masih jalan",
        "--due", "2025-03-31", "--due", "2025-06-30", "--due", "2026-06-30")
    assert cli("review", "action", "close", "1", "--on", "2025-03-20").exit_code == 0
    assert cli("review", "action", "close", "2", "--on", "2026-01-05").exit_code == 0
    result = cli("review", "pack", "--year", "2025", "--format", "md", "--out",
                 str(tmp_path), "--lang", "en")
    assert result.exit_code == 0, result.output
    md = Path(result.stdout.strip()).read_text(encoding="utf-8")
    rows = {r[2]: r[5] for r in md_rows(md_section(md, 1), "") if r[0].isdigit()}
    # Closed in January 2026: still overdue at the end of 2025.
    assert rows == {"Selesai tepat": "Closed (20 Mar 2025)", "Terlambat": "Overdue",
                    "Masih jalan": "Open"}


# --- objectives missed twice: audit report and nightly summary -----------------------------------


@pytest.fixture
def missed(office):
    """A manual objective of the Secretariat missed in May and June 2025."""
    from qmstrack.objectives import add_objective, record_value

    objective = add_objective(office, unit="SEKRETARIAT", title="Arsip <b>tertata</b>",
                              target=">= 90%", year=YEAR)
    for month, value in [(4, "95%"), (5, "85%"), (6, "80%")]:
        record_value(office, objective["id"], period=f"{YEAR}-{month:02d}", value=value,
                     today=TODAY)
    other = add_objective(office, unit="SMA", title="SMA hanya sekali", target=">= 90%",
                          year=YEAR)
    for month, value in [(5, "95%"), (6, "80%")]:
        record_value(office, other["id"], period=f"{YEAR}-{month:02d}", value=value,
                     today=TODAY)
    return office, objective


def test_missed_twice_in_the_audit_report(missed):
    from qmstrack.audit_programme import default_checklist
    from qmstrack.audit_report import build_audit_context, render_audit_report
    from qmstrack.audits import run_audit

    db, objective = missed
    run = run_audit(db, Period(date(YEAR, 6, 1), date(YEAR, 6, 30)), [],
                    default_checklist(db), today=date(YEAR, 7, 2))
    for lang, heading, periods in (
            ("id", "Sasaran Mutu yang Tidak Tercapai Dua Kali Berturut-turut",
             "Mei 2025: 85,0%"),
            ("en", "Quality objectives missed twice in a row", "May 2025: 85.0%")):
        ctx = build_audit_context(db, run.audit_id, lang, today=TODAY)
        assert [o["id"] for o in ctx["objectives_missed"]] == [objective["id"]]
        md = render_audit_report(db, run.audit_id, "md", lang, context=ctx)
        html = render_audit_report(db, run.audit_id, "html", lang, context=ctx)
        for text in (md, html):
            assert heading in text
            assert "SMA hanya sekali" not in text
        row = next(line for line in md.splitlines() if "Arsip" in line and "tertata" in line)
        cells = md_cells(row)
        assert cells[0] == "Arsip &lt;b>tertata&lt;/b>"
        assert cells[1] == "SEKRETARIAT"
        assert cells[2] == ("≥ 90,0%" if lang == "id" else "≥ 90.0%")
        assert cells[3].startswith(periods)
        assert "Arsip &lt;b&gt;tertata&lt;/b&gt;" in html
    # An audit of the SMA only does not show the Secretariat's objective.
    sma = run_audit(db, Period(date(YEAR, 6, 1), date(YEAR, 6, 30)), ["SMA"],
                    default_checklist(db), today=date(YEAR, 7, 2))
    assert build_audit_context(db, sma.audit_id, "en", today=TODAY)["objectives_missed"] == []
    md = render_audit_report(db, sma.audit_id, "md", "en")
    assert "No quality objective of the audited units missed its target" in md


def test_missed_twice_in_the_summary(missed, cli):
    db, objective = missed
    result = cli("summary", "--date", "2025-06-30", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)["objectives_missed_twice"]
    assert [o["id"] for o in got] == [objective["id"]]
    assert [(p["period"], p["value"]) for p in got[0]["periods"]] == [
        ("2025-05", pytest.approx(0.85)), ("2025-06", pytest.approx(0.8))]
    assert got[0]["target"] == ">= 0.9" and got[0]["unit"] == "SEKRETARIAT"
    # The day before the end of June, June is not complete: April and May.
    earlier = json.loads(cli("summary", "--date", "2025-06-29", "--json").stdout)
    assert earlier["objectives_missed_twice"] == []
    # Another unit's summary leaves it out; the text and Markdown digests name it.
    sma = json.loads(cli("summary", "--date", "2025-06-30", "--unit", "SMA",
                         "--json").stdout)
    assert sma["objectives_missed_twice"] == []
    text = cli("summary", "--date", "2025-06-30", "--lang", "en").stdout
    assert "Objectives missed twice in a row (1)" in text
    assert (f"#{objective['id']} SEKRETARIAT  Arsip <b>tertata</b>: May 2025 85.0%, "
            "June 2025 80.0% against a target of ≥ 90.0%") in text
    md = cli("summary", "--date", "2025-06-30", "--format", "md").stdout
    assert "## Sasaran mutu tidak tercapai dua kali berturut-turut (1)" in md
    assert "Arsip \\<b\\>tertata\\<\\/b\\>" in md or "Arsip \\<b\\>tertata\\</b\\>" in md
    # Not overdue work: --alert keeps its meaning.
    assert cli("summary", "--date", "2025-06-30", "--alert").exit_code == 0


# --- the demo -----------------------------------------------------------------------------------


def test_demo_pack_through_the_cli(cli, tmp_path):
    assert cli("demo").exit_code == 0
    out = tmp_path / "reports"
    result = cli("review", "pack", "--year", "2026", "--format", "md,html", "--out", str(out))
    assert result.exit_code == 0, result.output
    end = min(date(2026, 12, 31), date.today())
    names = [Path(line).name for line in result.stdout.splitlines()]
    assert names == [f"review-pack-2026-01-01-{end.isoformat()}-id.md",
                     f"review-pack-2026-01-01-{end.isoformat()}-id.html"]
    md = (out / names[0]).read_text(encoding="utf-8")
    html = (out / names[1]).read_text(encoding="utf-8")
    for text in (md, html):
        assert "Kamis, 1 Januari 2026" in text
        assert "Digitalisasi arsip surat masuk dan keluar Sekretariat" in text  # (a)
        assert "SP4N-LAPOR!" in text and "Legalisir ijazah SMA/SMK" in text  # (c1)
        assert "Persentase arsip layanan tertata" in text  # (c2)
        assert "SCI-2026-03" in text  # (c4)
        assert "Oktober 2026" in text
    md1 = md_section(md, 1)
    assert "Lewat tenggat" in md1 and "Ditutup" in md1 and "Terbuka" in md1
    md3 = md_section(md, 3)
    received = md_row(md3, "Semua unit")
    assert int(received[1].replace(".", "")) > 0
    assert int(md_row(md3, "SP4N-LAPOR!")[1]) > 0
    md4 = md_section(md, 4)
    assert "tidak tercapai dua kali berturut-turut" in md4
    md6 = md_section(md, 6)
    assert md_row(md6, "Sucofindo")[-1] == "3"
    assert html.count("<svg") == 4


def test_demo_complaints_objectives_and_review_are_realistic(db):
    from qmstrack.demo import DEMO_END, fill_demo
    from qmstrack.objectives import objectives_missed_twice

    counts = fill_demo(db, seed=1)
    assert 60 <= counts["complaints"] <= 100
    channels = dict(db.execute("SELECT channel, count(*) FROM complaints GROUP BY channel"))
    assert set(channels) == {"lapor", "walk-in", "phone", "email", "letter"}
    late = db.execute("SELECT count(*) FROM complaints WHERE responded_on > "
                      "response_due_on").fetchone()[0]
    on_time = db.execute("SELECT count(*) FROM complaints WHERE responded_on <= "
                         "response_due_on").fetchone()[0]
    still_open = db.execute("SELECT count(*) FROM complaints WHERE closed_on IS NULL"
                            ).fetchone()[0]
    assert on_time > 4 * late > 0 and 0 < still_open < 10
    assert db.execute("SELECT count(*) FROM complaints WHERE request_ref IS NOT NULL"
                      ).fetchone()[0] > 10
    latest = db.execute("SELECT max(max(received_on), max(coalesce(responded_on, '')), "
                        "max(coalesce(closed_on, ''))) FROM complaints").fetchone()[0]
    assert latest <= DEMO_END.isoformat()
    assert counts["objectives"] >= 8 and counts["reviews"] == 1
    states = [r[0] for r in db.execute("SELECT status FROM review_actions ORDER BY id")]
    assert states.count("closed") >= 2 and states.count("open") >= 2
    # The audit of October 2026 (the day after it) sees the Secretariat's archive objective.
    found = objectives_missed_twice(db, date(2026, 11, 1))
    assert "Persentase arsip layanan tertata" in {o["title"] for o in found}
    # Same seed, same records.
    from qmstrack.db import open_db

    other = open_db(db_path_of(db).with_name("again.db"), create=True)
    fill_demo(other, seed=1)
    for table in ("complaints", "objective_values", "review_actions", "finding_actions"):
        assert list(db.execute(f"SELECT * FROM {table} ORDER BY 1")) == list(
            other.execute(f"SELECT * FROM {table} ORDER BY 1"))
    other.close()


def db_path_of(db) -> Path:
    return Path(db.execute("PRAGMA database_list").fetchone()[2])


# --- languages ----------------------------------------------------------------------------------


def test_every_review_label_has_an_indonesian_translation():
    from babel.messages.extract import extract_from_file

    import qmstrack.labels as labels
    import qmstrack.review_notes as review_notes
    import qmstrack.review_pack as review_pack
    from qmstrack.i18n import translations
    from qmstrack.reports import builtin_template_dir

    found: set[str] = set()
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
    for path in sorted(builtin_template_dir().glob("review_pack*.j2")):
        for _, message, _, _ in extract_from_file("jinja2", str(path), options=options):
            found.add(message)
    for module in (review_pack, review_notes, labels):
        for _, message, _, _ in extract_from_file("python", module.__file__):
            found.add(message)
    assert {"Management Review Pack", "Adequacy of resources", "Walk-in"} <= found
    gettext = translations("id").gettext
    same = {"No.", "Status", "Unit", "IKM", "Target", "target", "SP4N-LAPOR!", "Sucofindo",
            "Minor", "Final", "SOP", "PNS", "PPPK", "Non-ASN"}
    assert sorted(m for m in found if isinstance(m, str) and gettext(m) == m
                  and m not in same) == []


def test_importing_review_stays_light():
    import subprocess
    import sys

    code = ("import sys, qmstrack.review_pack, qmstrack.reviews, qmstrack.review_notes, "
            "qmstrack.cli.review; "
            "print(any(m.split('.')[0] in ('jinja2', 'babel', 'yaml', 'markupsafe') "
            "for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# --- the charts read at a glance (issue 20) -----------------------------------------------------


def _polylines(svg: str) -> list[tuple[str, str]]:
    """(stroke colour, stroke width) of every line of a chart, in the order drawn."""
    return re.findall(r'<polyline points="[^"]*" fill="none" stroke="([^"]+)" '
                      r'stroke-width="([^"]+)"', svg)


def _legend_labels(svg: str) -> list[str]:
    return re.findall(r'text-anchor="start" font-size="12" fill="#2b2b2b">([^<]*)</text>', svg)


def test_the_ikm_chart_draws_the_units_when_they_differ_under_the_office_line(year):
    from qmstrack.charts import SERIES_COLOURS

    ctx = context(year, "en")
    sat = ctx["satisfaction"]
    trends = {u["code"]: [t["value"] for t in u["trend"]] for u in sat["units"]}
    assert len({tuple(t) for t in trends.values()}) > 1  # the units' IKM differ
    assert sat["units_differ"] is True
    svg = str(sat["chart"])
    assert _legend_labels(svg)[0] == "All units"
    assert set(UNITS) <= set(_legend_labels(svg))
    lines = _polylines(svg)
    assert len(lines) == 1 + len(UNITS)
    # The office's line comes last (SVG paints in order: on top), and thicker.
    assert lines[-1] == (SERIES_COLOURS[0], "3.5")
    assert all(width == "2.5" for _colour, width in lines[:-1])
    # A whole year: no quarter is partial.
    assert 'class="partial"' not in svg and not any(b["partial"] for b in sat["buckets"])


def test_the_ikm_chart_draws_one_office_line_when_the_units_do_not_differ(office):
    from qmstrack.registers.surveys import add_response

    for month in (1, 4, 7, 10):
        for service in SERVICES:
            add_response(office, service=service, scores=[3] * 9,
                         on=date(YEAR, month, 14), today=TODAY)
    sat = context(office, "en")["satisfaction"]
    assert {tuple(t["value"] for t in u["trend"]) for u in sat["units"]} == {
        tuple(t["value"] for t in sat["overall"]["trend"])}
    assert sat["units_differ"] is False
    svg = str(sat["chart"])
    assert len(_polylines(svg)) == 1
    assert _legend_labels(svg) == ["All units"]
    assert not set(UNITS) & set(_legend_labels(svg))


@pytest.mark.parametrize("lang, label, words", [
    ("en", "Q4 2025 *", "quarter not over"), ("id", "Triwulan IV 2025 *",
                                              "triwulan belum berakhir")])
def test_a_quarter_not_over_is_marked_on_the_ikm_chart(year, lang, label, words):
    ctx = context(year, lang, period=Period(date(YEAR, 1, 1), date(YEAR, 11, 15)))
    sat = ctx["satisfaction"]
    assert [b["partial"] for b in sat["buckets"]] == [False, False, False, True]
    svg = str(sat["chart"])
    assert svg.count('class="partial"') == 1
    assert f">{label}</text>" in svg and f"* {words}" in svg
    # Only the last quarter's points are drawn dashed.
    assert svg.count('stroke-dasharray="2 2"') == sum(
        1 for u in [sat["overall"], *sat["units"]] if u["trend"][3]["value"] is not None)
    # A period of months cut in the middle of its last month marks that month.
    short = context(year, "en", period=Period(date(YEAR, 4, 1), date(YEAR, 5, 20)))
    assert [b["partial"] for b in short["satisfaction"]["buckets"]] == [False, True]
    assert "* month not over" in str(short["satisfaction"]["chart"])


def test_the_audit_results_are_bars_with_their_counts(year):
    from qmstrack.audits import GRADES, grade_counts
    from qmstrack.charts import GRADE_COLOURS

    ctx = context(year, "en")
    svg = str(ctx["audits"]["chart"])
    counts = grade_counts(year, 1)
    bars = re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)" height="[^"]+" rx="2" '
                      r'fill="([^"]+)"><title>([^<]*)</title>', svg)
    # One bar per grade in the grade's colour, with its count: no stacked bar.
    assert [colour for _w, colour, _t in bars] == [GRADE_COLOURS[g][0] for g in GRADES]
    labels = [g["label"] for g in ctx["audits"]["grades"]]
    assert [title for _w, _c, title in bars] == [f"{label}: {counts[g]}"
                                                for label, g in zip(labels, GRADES,
                                                                    strict=True)]
    widest = max(counts.values())
    for (width, _colour, _title), g in zip(bars, GRADES, strict=True):
        assert (float(width) == 580) == (counts[g] == widest)
        assert (float(width) == 0) == (counts[g] == 0)
    for g in GRADES:
        assert f'fill="#5f6b7a">{counts[g]}</text>' in svg
    # No audit in the period: the sentence, no bar.
    empty = str(context(year, "en", period=Period(date(YEAR, 5, 1), date(YEAR, 5, 31)))
                ["audits"]["chart"])
    assert "No internal audit in the period" in empty and "<rect" not in empty
    assert GRADE_COLOURS["conform"][0] not in empty and labels[0] not in empty


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_empty_notes_section_says_what_is_missing_for_the_head_of_office(year, lang):
    """Sections nobody wrote say, in the pack's language, what the meeting still lacks;
    they never send the head of office to a command-line option."""
    from qmstrack.i18n import gettext
    from qmstrack.review_notes import NOTE_MISSING
    from qmstrack.review_pack import build_pack_context, render_pack

    ctx = build_pack_context(year, PERIOD, lang)
    md, html = render_pack(ctx, "md"), render_pack(ctx, "html")
    assert "--notes" not in md and "--notes" not in html
    for key, message in NOTE_MISSING.items():
        said = gettext(message, lang)
        assert said == message if lang == "en" else said != message, key
        assert said in md, key
        assert said.replace("'", "&#39;") in html, key
