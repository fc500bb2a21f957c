"""The rendered HTML audit report of the demo: every figure it shows twice is the same."""

from __future__ import annotations

import re
from datetime import date

import pytest

from qmstrack.audit_programme import default_checklist
from qmstrack.audit_report import render_audit_report
from qmstrack.audits import Answer, answer_item, run_audit
from qmstrack.db import open_db
from qmstrack.i18n import format_percent
from qmstrack.periods import Period

SEPTEMBER = Period(date(2026, 9, 1), date(2026, 9, 30))
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture(scope="module")
def demo_audits(tmp_path_factory):
    from qmstrack.demo import fill_demo

    path = tmp_path_factory.mktemp("figures") / "demo.db"
    db = open_db(path, create=True)
    fill_demo(db)
    checklist = default_checklist(db)
    run_audit(db, SEPTEMBER, [], checklist, today=date(2026, 10, 2))
    run = run_audit(db, OCTOBER, [], checklist, today=date(2026, 11, 2))
    # Some person-answered items, one of them a finding: the coverage counts them.
    answer_item(db, run.audit_id, "7.2-a", Answer("minor", "Dua petugas belum dilatih"),
                today=date(2026, 11, 2))
    answer_item(db, run.audit_id, "7.1.6-a", Answer("conform"), today=date(2026, 11, 2))
    yield db, run.audit_id
    db.close()


def _sentence(html: str, lang: str, message: str) -> dict[str, int]:
    """The numbers of a catalogue message as the report wrote it in ``lang``."""
    from qmstrack.i18n import gettext

    pattern = re.escape(gettext(message, lang))
    for name in re.findall(r"%\\\(([a-z]+)\\\)s", pattern):
        pattern = pattern.replace(rf"%\({name}\)s",
                                  rf"(?P<{name}>[^<]*?)" if name == "end"
                                  else rf"(?P<{name}>[0-9.,]+)", 1)
    found = re.search(pattern, html)
    assert found, (message, lang)
    return {k: int(v.replace(".", "").replace(",", "")) for k, v in found.groupdict().items()
            if k != "end"}


def _cells(html: str, section: str) -> str:
    start = html.index(f'id="{section}"')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_figure_that_appears_twice_is_the_same(demo_audits, lang):
    db, audit_id = demo_audits
    html = render_audit_report(db, audit_id, "html", lang)

    # Grades: the cards and the table.
    cards = dict(re.findall(r'<div class="card grade-card-(\w+)"><div class="value">'
                            r'([^<]*)</div>', html))
    table = re.findall(r'<tr><td><span class="badge grade-(\w+)"[^>]*>[^<]*</span></td>'
                       r'<td class="num">([^<]*)</td>', html)
    assert cards and dict(table[:len(cards)]) == cards
    counts = {k: int(v.replace(".", "").replace(",", "")) for k, v in cards.items()}

    # The executive summary's sentence against the grades and the findings listed.
    summary = _sentence(html, lang, "%(assessed)s of %(items)s checklist items assessed; "
                        "%(findings)s findings raised (%(nc)s nonconformities, %(obs)s "
                        "observations).")
    assessed, items, findings, nonconformities, observations = (
        summary[k] for k in ("assessed", "items", "findings", "nc", "obs"))
    assert items == sum(counts.values())
    assert assessed == items - counts["pending"]
    listed = _cells(html, "findings")
    sections = re.findall(r'<div class="finding[^"]*" id="finding-([^"]+)"', listed) or \
        re.findall(r'id="finding-([^"]+)"', listed)
    assert findings == len(set(sections)) == nonconformities + observations
    rows = re.findall(r'<tr><td class="nowrap"><a href="#finding-([^"]+)">', listed)
    assert sorted(rows) == sorted(set(sections))
    # Every finding a result links to is in the findings section.
    linked = set(re.findall(r'<div class="small"><a href="#finding-([^"]+)">', html))
    assert linked and linked <= set(rows)

    # Clause coverage: the key metric and the coverage section.
    measured = re.search(r"audits\.clause_coverage_12m</span></td><td class=\"num\">"
                         r"([^<]*)</td>", html)
    assert measured
    coverage = _sentence(_cells(html, "coverage"), lang, "%(covered)s of %(total)s "
                         "assessable clauses audited in the 12 months to %(end)s.")
    covered, total = coverage["covered"], coverage["total"]
    assert measured[1] == format_percent(covered / total, lang)
    assert covered > 2  # the audit's own results count


def test_the_findings_of_a_multi_unit_audit_add_up_by_unit(demo_audits):
    db, audit_id = demo_audits
    by_unit = dict(db.execute(
        "SELECT coalesce(unit, '-'), count(*) FROM findings WHERE audit_id = ? "
        "GROUP BY 1", [audit_id]))
    total = db.execute("SELECT count(*) FROM findings WHERE audit_id = ?",
                       [audit_id]).fetchone()[0]
    assert sum(by_unit.values()) == total
    # Metric items found per unit: no finding of a metric item lacks its unit.
    assert db.execute(
        "SELECT count(*) FROM findings f JOIN audit_results r ON r.audit_id = f.audit_id "
        "AND r.item_id = f.item_id WHERE f.audit_id = ? AND r.metric IS NOT NULL "
        "AND f.unit IS NULL", [audit_id]).fetchone()[0] == 0
