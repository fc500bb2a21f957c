"""The SKM report in a real browser (headless Chromium), in both languages: it opens, no
script from user text runs, and printed on A4 no table is cut (every table's rendered
width fits the printable width of the page).

Uses the DevTools client of tests/test_report_browser.py; skipped only when no Chromium
can be found.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import date
from pathlib import Path

import pytest

from tests.test_report_browser import PipeBrowser, find_chromium

# A4 is 210 mm wide; the reports' @page margin is 18 mm on each side: 174 mm printable,
# at CSS's 96 px per inch.
A4_PRINTABLE_PX = 174 / 25.4 * 96
HOSTILE = "<script>document.title='PWNED'</script>"


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The demo year's SKM report in id and en, with hostile text in a service's name."""
    from qmstrack.db import open_db, writing
    from qmstrack.demo import fill_demo
    from qmstrack.survey_report import write_survey_report

    base = tmp_path_factory.mktemp("skm-browser")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(base / "xdg"))
        mp.setenv("HOME", str(base / "home"))
        db = open_db(base / "demo.db", create=True)
        fill_demo(db, seed=1)
        from qmstrack.registers.survey_actions import add_action

        with writing(db):
            db.execute("UPDATE services SET name = name || ? WHERE code = 'SMA-LEG'",
                       [f" {HOSTILE} {'x' * 120}"])
        owner = db.execute("SELECT nip FROM staff ORDER BY nip LIMIT 1").fetchone()[0]
        add_action(db, element="U3", action="Tambah loket " + "y" * 150, owner=owner,
                   due="2026-10-15", raised="2026-10-01", today=date(2026, 11, 5))
        out = {}
        for lang in ("id", "en"):
            (path,) = write_survey_report(db, base / "out", formats=("html",), lang=lang,
                                          start=date(2026, 1, 1), end=date(2026, 10, 31),
                                          today=date(2026, 11, 5))
            out[lang] = path
        db.close()
    return out


MEASURE = """JSON.stringify({
  title: document.title,
  page: document.documentElement.clientWidth,
  scroll: document.documentElement.scrollWidth,
  tables: Array.from(document.querySelectorAll('table')).map(t => {
    const r = t.getBoundingClientRect();
    return {left: r.left, right: r.right, width: r.width, scroll: t.scrollWidth,
            caption: (t.querySelector('caption, th') || {}).textContent || ''};
  }),
  svgs: Array.from(document.querySelectorAll('svg')).map(s => s.getBoundingClientRect().right),
  scripts: document.querySelectorAll('script').length
})"""


def print_layout(chromium: str, profile: Path, url: str) -> tuple[dict, bytes]:
    """The page laid out as print media at the A4 printable width, and its PDF."""
    browser = PipeBrowser(chromium, profile)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        browser.send("Page.enable", session=session)
        browser.send("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": int(A4_PRINTABLE_PX), "height": 1100,
                      "deviceScaleFactor": 1, "mobile": False}, session=session)
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_for("Page.loadEventFired")
        layout = json.loads(browser.send(
            "Runtime.evaluate", {"expression": MEASURE, "returnByValue": True},
            session=session)["result"]["value"])
        pdf = browser.send("Page.printToPDF", {"preferCSSPageSize": True,
                                               "printBackground": True}, session=session)
        return layout, base64.b64decode(pdf["data"])
    finally:
        browser.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_prints_on_a4_without_cut_tables(chromium, reports, tmp_path, lang):
    layout, pdf = print_layout(chromium, tmp_path / "p", reports[lang].as_uri())
    title = "Laporan SKM" if lang == "id" else "SKM report"
    assert layout["title"].startswith(title)
    assert layout["scripts"] == 0
    page = layout["page"]
    assert page == int(A4_PRINTABLE_PX)
    # every chapter's tables: facts, profile (4), elements, units, services, trend, actions
    assert len(layout["tables"]) == 10
    for table in layout["tables"]:
        assert table["left"] >= -0.5, table
        assert table["right"] <= page + 0.5, table
        assert table["scroll"] <= page + 0.5, table
    assert all(right <= page + 0.5 for right in layout["svgs"])
    assert layout["scroll"] <= page  # nothing sticks out of the page
    # The PDF is A4 (595 x 842 points) and has several pages.
    assert pdf[:5] == b"%PDF-"
    boxes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    assert boxes and all(abs(float(w) - 595.9) < 2 and abs(float(h) - 842.9) < 2
                         for w, h in boxes), boxes
    # the hostile service name is there as text, not as a script
    html = reports[lang].read_text(encoding="utf-8")
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in html


def test_blank_questionnaire_fits_one_a4_page(chromium, reports, tmp_path):
    from qmstrack.db import open_db
    from qmstrack.survey_form import write_form

    db = open_db(reports["id"].parent.parent / "demo.db")
    path = write_form(db, "SMA-LEG", tmp_path / "form.html", lang="id")
    db.close()
    layout, pdf = print_layout(chromium, tmp_path / "p", path.as_uri())
    assert layout["title"].startswith("Kuesioner SKM")
    assert all(t["right"] <= layout["page"] + 0.5 for t in layout["tables"])
    assert layout["scroll"] <= layout["page"]
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
