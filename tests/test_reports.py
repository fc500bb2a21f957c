"""The audit report: one context, two formats (Markdown, HTML), two languages.

The demo year is built once per module and copied for each test; the audit of October
2026 is run on it with no answers, as ``qmstrack audit --no-input`` would.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from qmstrack.errors import InvalidInput, QmsError, UsageError

PERIOD_END = date(2026, 10, 31)
TODAY = date(2026, 11, 24)
SCRIPT = "<script>document.title='PWNED'</script>"
IMG = '"><img src=x onerror=alert(1)>'


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """A database file holding the demo year and the (open) audit of October 2026."""
    from qmstrack.audit_programme import default_checklist
    from qmstrack.audits import run_audit
    from qmstrack.db import backup_to, open_db
    from qmstrack.demo import fill_demo
    from qmstrack.metrics import Period

    base = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(base / "xdg"))
        mp.setenv("HOME", str(base / "home"))
        mp.delenv("QMSTRACK_DB", raising=False)
        db = open_db(base / "work.db", create=True)
        fill_demo(db, seed=1)
        run = run_audit(db, Period(date(2026, 10, 1), PERIOD_END), [], default_checklist(db),
                        today=date(2026, 11, 3))
        assert run.audit_id == 1
        backup_to(db, base / "demo.db")
        db.close()
    return base / "demo.db"


@pytest.fixture
def demo(demo_file, db_path, request):
    """The ``db`` fixture of conftest, opened on a copy of the demo database."""
    shutil.copyfile(demo_file, db_path)
    return request.getfixturevalue("db")


def render(db, fmt: str, lang: str, template_dir=None) -> str:
    from qmstrack.audit_report import build_audit_context, render_audit_report

    context = build_audit_context(db, 1, lang, today=TODAY)
    return render_audit_report(db, 1, fmt, lang, template_dir, context=context)


def show_json(cli, lang: str) -> dict:
    result = cli("audit", "show", "1", "--json", "--lang", lang)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def md_table_cells(line: str) -> list[str]:
    """The cells of a Markdown table row, split on the pipes that are not escaped."""
    assert line.startswith("|") and line.rstrip().endswith("|"), line
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def md_to_html(text: str) -> str:
    """Render Markdown the way a CommonMark renderer with raw HTML enabled would."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of <title>."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title" and not any(t == "svg" for t, _ in self.tags[:-1])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title and not self.title:
            self.title = data


def parse_html(text: str) -> Tags:
    parser = Tags()
    parser.feed(text)
    return parser


# --- content ---------------------------------------------------------------------------------

SECTIONS = {
    "en": ["Internal Audit Report", "Executive summary", "Key metrics",
           "Trend against previous audits", "Results clause by clause",
           "Findings and corrective actions",
           "Clauses not yet covered in the 12-month programme", "Approval sheet"],
    "id": ["Laporan Audit Internal", "Ringkasan Eksekutif", "Indikator Utama",
           "Tren dibandingkan audit sebelumnya", "Hasil per Klausul",
           "Temuan dan Tindakan Korektif", "Klausul yang Belum Diaudit dalam Program 12 Bulan",
           "Lembar Pengesahan"],
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_section_is_there(demo, fmt, lang):
    text = render(demo, fmt, lang)
    for heading in SECTIONS[lang]:
        assert heading in text, heading
    assert "Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur" in text
    for unit in ("Bidang Pembinaan SMA", "Bidang Pembinaan SMP", "Sekretariat"):
        assert unit in text
    assert ("Oktober 2026" if lang == "id" else "October 2026") in text
    assert "iso9001-2015" in text


def test_cover_names_the_checklist_exactly(demo):
    from qmstrack.audits import get_audit

    audit = get_audit(demo, 1, "id")
    for fmt in ("md", "html"):
        text = render(demo, fmt, "id")
        assert audit["checklist_sha256"][:12] in text
        assert audit["checklist_title"] in text
        assert f"versi {audit['checklist_version']}" in text
        assert "Terbuka (draf)" in text  # the audit is still open


@pytest.mark.parametrize("lang", ["id", "en"])
def test_figures_equal_audit_show_json(demo, cli, lang):
    from qmstrack.figures import format_value, metric_kind
    from qmstrack.i18n import format_percent, translations
    from qmstrack.labels import GRADE_LABELS

    shown = show_json(cli, lang)
    gettext = translations(lang).gettext
    label = {g: gettext(GRADE_LABELS[g]) for g in GRADE_LABELS}
    md = render(demo, "md", lang)
    html = render(demo, "html", lang)
    lines = md.splitlines()

    # Counts by grade: the grade table of the executive summary.
    total = sum(shown["counts"].values())
    for grade, n in shown["counts"].items():
        row = next(line for line in lines if line.startswith(f"| {label[grade]} |"))
        cells = md_table_cells(row)
        assert cells[1] == str(n)
        assert cells[2] == format_percent(n / total, lang)
        assert f'<div class="value">{n}</div><div class="caption">{label[grade]} ·' in html

    # Every result: its grade, and for metric items the measured value formatted per kind.
    measured = 0
    for result in shown["results"]:
        row = next(line for line in lines if f"| {result['item_id']} |" in line)
        cells = md_table_cells(row)
        assert cells[1] == result["item_id"]
        assert cells[3].startswith(label[result["grade"]])
        block = html[html.index(f'id="item-{result["item_id"]}"'):]
        block = block[:block.index("</tbody>")]
        assert f">{label[result['grade']]}</span>" in block
        if result["metric"]:
            text = format_value(result["measured"], metric_kind(result["metric"]), lang)
            assert cells[4].startswith(f"{text} / ")
            if result["measured"] is not None:
                measured += 1
                assert f"<strong>{text}</strong>" in block
    assert measured >= 5

    # Findings: every one, with its grade and due date.
    assert shown["findings"], "the demo audit raises findings"
    for finding in shown["findings"]:
        row = next(line for line in lines if line.startswith(f"| {finding['ref_no']} |"))
        cells = md_table_cells(row)
        due = date.fromisoformat(finding["due_on"])
        from qmstrack.i18n import format_date

        assert cells[2] == label[finding["grade"]]
        assert cells[5].startswith(format_date(due, lang, full=False))
        assert f'id="finding-{finding["ref_no"]}"' in html
        assert format_date(due, lang) in html


def test_indonesian_dates_and_percentages(demo):
    from babel.dates import format_date

    # 31 October 2026 is a Saturday: check the calendar, then Babel's Indonesian name.
    assert PERIOD_END.weekday() == 5
    assert format_date(PERIOD_END, "EEEE", locale="id") == "Sabtu"
    for fmt in ("md", "html"):
        text_id = render(demo, fmt, "id")
        assert "Sabtu, 31 Oktober 2026" in text_id
        assert "Kamis, 1 Oktober 2026" in text_id
        assert "Selasa, 24 November 2026" in text_id  # report date
        assert re.search(r"\b\d{1,3},\d%", text_id)
        assert not re.search(r"\b\d{1,3}\.\d%", text_id)
        text_en = render(demo, fmt, "en")
        assert "Saturday, 31 October 2026" in text_en
        assert re.search(r"\b\d{1,3}\.\d%", text_en)


def test_key_metric_rate_is_a_percentage_with_a_comma(demo, cli):
    from qmstrack.i18n import format_percent

    shown = show_json(cli, "id")
    rate = next(r for r in shown["results"] if r["metric"] == "requests.on_time_rate")
    text = format_percent(rate["measured"], "id")
    assert "," in text and text.endswith("%")
    md = render(demo, "md", "id")
    row = next(line for line in md.splitlines() if "`requests.on_time_rate`" in line)
    cells = md_table_cells(row)
    assert cells[2] == text
    assert cells[3] == "≥ 90,0%"
    assert cells[4] == ("Tercapai" if rate["measured"] >= 0.9 else "Tidak tercapai")


def test_trend_lists_earlier_audits_with_overlapping_scope(demo):
    from qmstrack.audit_programme import default_checklist
    from qmstrack.audits import grade_counts, run_audit
    from qmstrack.metrics import Period

    run = run_audit(demo, Period(date(2026, 9, 1), date(2026, 9, 30)), ["SMA"],
                    default_checklist(demo), today=date(2026, 10, 2))
    other = run_audit(demo, Period(date(2026, 11, 1), date(2026, 11, 30)), [],
                      default_checklist(demo), today=date(2026, 12, 2))
    counts = grade_counts(demo, run.audit_id)
    md = render(demo, "md", "en")
    section = md[md.index("### Trend against previous audits"):md.index("## 2.")]
    rows = [md_table_cells(line) for line in section.splitlines() if line.startswith("| ")]
    assert rows[0][:3] == ["Audit no.", "Period", "Status"]
    assert rows[2][0] == "1 (this audit)"
    earlier = next(r for r in rows[2:] if r[0] == str(run.audit_id))
    assert earlier[1] == "September 2026"
    assert [int(c) for c in earlier[3:]] == list(counts.values())
    assert not any(r[0] == str(other.audit_id) for r in rows[2:])  # later, not previous


def test_uncovered_clauses_are_listed(demo):
    from qmstrack.audit_programme import clause_coverage
    from qmstrack.audits import frozen_checklist, get_audit_row

    checklist = frozen_checklist(get_audit_row(demo, 1))
    due = [r for r in clause_coverage(demo, checklist, PERIOD_END, ["SEKRETARIAT", "SMA", "SMP"])
           if r["status"] == "due"]
    assert due
    md = render(demo, "md", "id")
    section = md[md.index("## 4."):md.index("## 5.")]
    refs = [md_table_cells(line)[0] for line in section.splitlines()
            if line.startswith("| ") and not line.startswith(("| Klausul", "| ---"))]
    assert refs == [r["clause_ref"] for r in due]
    assert due[0]["title_id"] in section


def test_findings_show_their_corrective_actions(demo):
    from qmstrack.audits import get_audit
    from qmstrack.findings import close_finding, plan_finding

    ref = get_audit(demo, 1)["findings"][0]["ref_no"]
    plan_finding(demo, ref, action="Brief the counter staff\non the survey", due="2026-11-20",
                 root_cause="No survey box at the counter", owner="198512122010011003",
                 on=date(2026, 11, 5))
    close_finding(demo, ref, verified_by="Tim Audit", effective=False, note="Box still missing",
                  on=date(2026, 11, 21), new_action="Install a survey kiosk",
                  new_due="2026-12-15")
    md = render(demo, "md", "id")
    html = render(demo, "html", "id")
    for text in (md, html):
        assert "Brief the counter staff" in text
        assert "Install a survey kiosk" in text
        assert "Andi Wijaya, S.H. (198512122010011003)" in text
        assert "Tidak efektif" in text
        assert "No survey box at the counter" in text
    row = next(line for line in md.splitlines() if line.startswith("| Brief the counter"))
    assert "Brief the counter staff<br>on the survey" in row
    assert len(md_table_cells(row)) == 5
    assert "20 Nov 2026" in html and "15 Des 2026" in html


# --- escaping --------------------------------------------------------------------------------


@pytest.fixture
def hostile(demo):
    """User text with HTML and Markdown in it: a note, a finding, the auditor, the office."""
    from qmstrack.audits import Answer, answer_item
    from qmstrack.db import set_setting, writing
    from qmstrack.findings import raise_finding

    note = f"Two staff lack training | see list\n# not a heading\n{SCRIPT}\n`code` *em*"
    ref = answer_item(demo, 1, "7.2-a", Answer("minor", note, f"Register 2026\n{IMG}"),
                      by=f"Auditor {SCRIPT}", today=date(2026, 11, 3))
    raise_finding(demo, clause_ref="8.5.1", grade="major", description=f"Fee charged {IMG}",
                  raised_on=date(2026, 11, 3), audit_id=1, ref_no="F-2026-900")
    with writing(demo):
        set_setting(demo, "org_name", f"Dinas {IMG}")
        demo["audits"].update(1, {"lead_auditor": f"Ir. Sri {SCRIPT}"})
    return {"note": note, "ref": ref}


def test_user_text_is_escaped_in_html(demo, hostile):
    html = render(demo, "html", "id")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in html
    parsed = parse_html(html)
    assert not [t for t, _ in parsed.tags if t in ("script", "img", "iframe", "object")]
    assert not [a for _, a in parsed.tags if any(k.startswith("on") for k in a)]
    assert "PWNED" not in parsed.title


def test_user_text_cannot_break_the_markdown(demo, hostile):
    md = render(demo, "md", "id")
    # Outside the indented code blocks that show evidence verbatim, no raw tag at all.
    prose = "\n".join(line for line in md.splitlines() if not line.startswith("    "))
    assert "<script" not in prose and "<img" not in prose
    assert '    "><img src=x onerror=alert(1)>' in md  # evidence, inside a code block
    # The answered item keeps its table row: six cells, whatever the note holds.
    row = next(line for line in md.splitlines() if "| 7.2-a |" in line)
    cells = md_table_cells(row)
    assert len(cells) == 6
    assert "Two staff lack training \\| see list<br>\\# not a heading" in cells[5]
    finding_rows = [line for line in md.splitlines() if line.startswith("| F-2026-900 |")]
    assert finding_rows and len(md_table_cells(finding_rows[0])) == 7
    # Rendered by a CommonMark renderer with raw HTML on, nothing is injected and the
    # table rows still have their cells.
    rendered = md_to_html(md)
    parsed = parse_html(rendered)
    assert not [t for t, _ in parsed.tags if t in ("script", "img")]
    assert "&lt;script&gt;document.title=" in rendered
    assert "<h1>not a heading" not in rendered and "# not a heading" in rendered
    assert "<code>code</code>" not in rendered
    # Every table row has as many cells as its header.
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        head = len(re.findall(r"<th\b", table.split("</thead>")[0]))
        for body_row in re.findall(r"<tr>(.*?)</tr>", table.split("</thead>")[1], flags=re.S):
            assert len(re.findall(r"<td\b", body_row)) == head


@pytest.mark.parametrize("value,expected", [
    ("a | b", "a \\| b"),
    ("line 1\nline 2", "line 1<br>line 2"),
    ("# title", "\\# title"),
    ("- item", "\\- item"),
    ("* item", "\\* item"),
    ("= rule", "\\= rule"),
    ("1. first", "1\\. first"),
    ("> quote", "&gt; quote"),
    ("<b>x</b>", "&lt;b>x&lt;/b>"),
    ("`tick`", "\\`tick\\`"),
    ("[a](http://x)", "\\[a\\](http://x)"),
    ("on_time_rate", "on_time_rate"),
    ("_em_", "\\_em\\_"),
    ("R&D &amp;", "R&D &amp;amp;"),
    ("8.5.1", "8.5.1"),
])
def test_md_cell(value, expected):
    from qmstrack.reports import md_cell

    assert str(md_cell(value)) == expected


def test_md_block_keeps_lines_as_code():
    from qmstrack.reports import md_block

    text = str(md_block("SMA-1\n<script>x</script>\n\n# no"))
    assert text.splitlines() == ["    SMA-1", "    <script>x</script>", "", "    # no"]
    rendered = md_to_html("Evidence:\n\n" + text + "\n")
    assert "&lt;script&gt;" in rendered and "<script>" not in rendered


# --- templates -------------------------------------------------------------------------------


def test_autoescape_covers_html_templates_only():
    from qmstrack.reports import _autoescape

    assert _autoescape("audit_report.html.j2") is True
    assert _autoescape("_base.html.j2") is True
    assert _autoescape("custom.html") is True
    assert _autoescape("audit_report.md.j2") is False


def test_undefined_variable_in_a_template_fails_loudly(demo, tmp_path):
    (tmp_path / "audit_report.md.j2").write_text("# {{ audit.id }} {{ no_such_thing }}\n")
    with pytest.raises(InvalidInput) as caught:
        render(demo, "md", "en", template_dir=tmp_path)
    assert "no_such_thing" in str(caught.value)
    assert "audit_report.md.j2" in str(caught.value)
    (tmp_path / "audit_report.md.j2").write_text("{{ audit.nope }}\n")
    with pytest.raises(QmsError, match="nope"):
        render(demo, "md", "en", template_dir=tmp_path)


def test_override_directory_is_used_and_falls_back(demo, tmp_path):
    (tmp_path / "audit_report.md.j2").write_text(
        'CUSTOM {{ audit.id }} {{ _("Executive summary") }} {{ org_name }}\n')
    assert render(demo, "md", "id", template_dir=tmp_path) == (
        "CUSTOM 1 Ringkasan Eksekutif Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan "
        "Timur\n")
    # No HTML template in the override directory: the built-in one is used.
    html = render(demo, "html", "id", template_dir=tmp_path)
    assert html.startswith("<!DOCTYPE html>") and "Ringkasan Eksekutif" in html
    # Overriding only the skeleton changes every HTML report built on it.
    (tmp_path / "_base.html.j2").write_text(
        "<!DOCTYPE html><title>{% block title %}{% endblock %}</title>"
        "<p>OFFICE SKELETON</p>{% block content %}{% endblock %}")
    html = render(demo, "html", "id", template_dir=tmp_path)
    assert "OFFICE SKELETON" in html and "Lembar Pengesahan" in html


def test_compiled_templates_are_cached_privately_and_change_nothing(demo, tmp_path,
                                                                   monkeypatch):
    from qmstrack.reports import _bytecode_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache = tmp_path / "cache" / "qmstrack" / "templates"
    monkeypatch.setenv("QMSTRACK_NO_TEMPLATE_CACHE", "1")
    expected = {fmt: render(demo, fmt, "id") for fmt in ("md", "html")}
    assert not cache.exists()
    monkeypatch.delenv("QMSTRACK_NO_TEMPLATE_CACHE")
    for _ in range(2):
        assert {fmt: render(demo, fmt, "id") for fmt in ("md", "html")} == expected
    assert len(list(cache.iterdir())) >= 3  # the two reports and the HTML skeleton
    assert cache.stat().st_mode & 0o777 == 0o700
    # Compiled templates are code: a folder others can write to is not trusted.
    cache.chmod(0o777)
    assert _bytecode_cache() is None
    assert render(demo, "html", "id") == expected["html"]
    cache.chmod(0o700)
    assert _bytecode_cache() is not None
    # Nor is a link planted in its place, pointing at a folder someone else prepared.
    planted = tmp_path / "planted"
    planted.mkdir(mode=0o700)
    shutil.rmtree(cache)
    cache.symlink_to(planted, target_is_directory=True)
    assert _bytecode_cache() is None
    assert render(demo, "md", "id") == expected["md"]
    assert list(planted.iterdir()) == []


def test_missing_template_directory_is_a_usage_error(demo, tmp_path):
    with pytest.raises(UsageError):
        render(demo, "md", "id", template_dir=tmp_path / "missing")


def test_html_report_is_self_contained(demo):
    html = render(demo, "html", "id")
    assert ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; img-src data:\">") in html
    parsed = parse_html(html)
    for tag, attrs in parsed.tags:
        assert tag not in ("script", "link", "iframe", "img", "object", "embed"), tag
        for name in ("src", "href", "action", "srcset", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:")), (tag, attrs)
            assert not value or value.startswith("#"), (tag, attrs)
    assert "@import" not in html and "url(" not in html
    assert "size: A4; margin: 20mm 16mm 20mm 16mm;" in html
    # Page numbers in the margin ("Halaman x dari y"); no forced break but the cover's.
    assert '@bottom-right { content: "Halaman " counter(page) " dari " counter(pages);' in html
    assert "break-before: page" not in html and ".cover { break-after: page; }" in html
    assert html.count("<svg") == 2


def test_charts_are_deterministic_and_escaped():
    from qmstrack.charts import BarGroup, LineSeries, Segment, line_chart, stacked_bar_chart

    groups = [BarGroup("4", {"conform": 2, "minor": 1}, "4 <b>Konteks</b>"),
              BarGroup("5", {"pending": 3})]
    segments = [Segment("conform", "Sesuai", "#2e7d32"), Segment("minor", "<i>Minor</i>", "#f00"),
                Segment("pending", "Belum dinilai", "#ccc")]
    one = stacked_bar_chart(groups, segments, title='Hasil "per" klausul')
    assert one == stacked_bar_chart(groups, segments, title='Hasil "per" klausul')
    assert "<b>" not in one and "&lt;b&gt;Konteks&lt;/b&gt;" in one
    assert "&lt;i&gt;Minor&lt;/i&gt;" in one and 'aria-label="Hasil &#34;per&#34; klausul"' in one
    series = [LineSeries("Tepat <waktu>", [0.9, None, 0.95], 0.9)]
    lines = line_chart(["Jan", "Feb", "Mar"], series, title="t", value_text=lambda x: f"{x:.2f}")
    assert lines == line_chart(["Jan", "Feb", "Mar"], series, title="t",
                               value_text=lambda x: f"{x:.2f}")
    assert "Tepat &lt;waktu&gt;" in lines and "<waktu>" not in lines
    assert lines.count("<circle") == 2  # no point for the month without data
    empty = line_chart([], [], title="t", value_text=str, empty_text="Tidak ada data")
    assert "Tidak ada data" in empty


# --- files and the command line --------------------------------------------------------------


def test_write_audit_reports_writes_both_files(demo, tmp_path):
    from qmstrack.audit_report import write_audit_reports

    out = tmp_path / "reports" / "2026"
    paths = write_audit_reports(demo, 1, out, lang="id", today=TODAY)
    assert [p.name for p in paths] == ["audit-1-2026-10-id.md", "audit-1-2026-10-id.html"]
    assert all(p.is_file() and p.parent == out for p in paths)
    assert paths[0].read_text(encoding="utf-8") == render(demo, "md", "id")
    assert paths[1].read_text(encoding="utf-8") == render(demo, "html", "id")
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temp
    again = write_audit_reports(demo, 1, out, formats=("html",), lang="en", today=TODAY)
    assert [p.name for p in again] == ["audit-1-2026-10-en.html"]
    with pytest.raises(UsageError):
        write_audit_reports(demo, 1, out, formats=("odt",))
    with pytest.raises(UsageError):
        write_audit_reports(demo, 1, out, formats=())
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidInput):
        write_audit_reports(demo, 1, blocker, lang="id")


def test_a_failed_render_writes_nothing(demo, tmp_path):
    from qmstrack.audit_report import write_audit_reports

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "audit_report.html.j2").write_text("{{ missing }}")
    out = tmp_path / "out"
    with pytest.raises(InvalidInput):
        write_audit_reports(demo, 1, out, lang="id", template_dir=templates)
    assert not out.exists() or not any(out.iterdir())


def test_cli_report_in_english(demo, cli, tmp_path):
    out = tmp_path / "out"
    result = cli("audit", "report", "1", "--format", "md,html", "--out", str(out),
                 "--lang", "en")
    assert result.exit_code == 0, result.output
    printed = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in printed] == ["audit-1-2026-10-en.md", "audit-1-2026-10-en.html"]
    md = (out / "audit-1-2026-10-en.md").read_text(encoding="utf-8")
    assert "## 1. Executive summary" in md and "Saturday, 31 October 2026" in md
    assert "<!DOCTYPE html>" in (out / "audit-1-2026-10-en.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["odt", "md,rtf", ""])
def test_cli_bad_format_is_a_usage_error(demo, cli, tmp_path, fmt):
    result = cli("audit", "report", "1", "--format", fmt, "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_cli_unknown_audit(demo, cli, tmp_path):
    result = cli("audit", "report", "99", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "no audit 99" in result.output


# --- languages -------------------------------------------------------------------------------


def _template_messages() -> set[str]:
    from babel.messages.extract import extract_from_file

    from qmstrack.reports import builtin_template_dir

    found: set[str] = set()
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
    for path in sorted(builtin_template_dir().glob("audit_report*.j2")) + [
            builtin_template_dir() / "_base.html.j2"]:
        for _, message, _, _ in extract_from_file("jinja2", str(path), options=options):
            found.add(message)
    import qmstrack.audit_report as audit_report
    import qmstrack.labels as labels
    import qmstrack.metric_catalogue as metric_catalogue

    for module in (audit_report, labels, metric_catalogue):
        for _, message, _, _ in extract_from_file("python", module.__file__):
            found.add(message)
    return found


def test_every_report_label_has_an_indonesian_translation():
    from qmstrack.i18n import translations

    messages = _template_messages()
    assert {"Executive summary", "Conform", "Pending", "Approval sheet"} <= messages
    gettext = translations("id").gettext
    untranslated = sorted(m for m in messages if isinstance(m, str) and gettext(m) == m
                          and m not in ("Minor", "Final", "Status", "Target", "Unit", "target",
                                        "SP4N-LAPOR!", "Sucofindo", "SOP",
                                        "PNS", "PPPK", "Non-ASN"))
    assert untranslated == []
    assert gettext("Conform") == "Sesuai" and gettext("Pending") == "Belum dinilai"
    assert gettext("Major") == "Mayor" and gettext("Not applicable") == "Tidak berlaku"


def test_one_catalogue_serves_the_reports_and_the_summary():
    from qmstrack.i18n import translations

    main = translations("id")
    before = dict(main._catalog)
    merged = translations("id")  # what the report templates are given
    assert merged.gettext("Quality summary") == main.gettext("Quality summary")
    assert merged.gettext("Executive summary") == "Ringkasan Eksekutif"
    assert dict(main._catalog) == before  # rendering reports never modifies the catalogue


def test_importing_reports_stays_light():
    import subprocess
    import sys

    code = ("import sys, qmstrack.reports, qmstrack.audit_report; "
            "print(any(m.split('.')[0] in ('jinja2', 'babel') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# --- the office's identity on printed outputs ----------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)


def test_the_letterhead_document_number_and_page_margins(cli, demo, tmp_path):
    from qmstrack.letterhead import css_string

    logo = tmp_path / "logo kaltim.png"
    logo.write_bytes(PNG)
    for key, value in [("logo", str(logo)), ("org_address", "Jl. Basuki Rahmat No. 1"),
                       ("doc_number.audit_report", "FM-SPMI-07/{year}"),
                       ("doc_revision", "02")]:
        result = cli("config", "set", key, value)
        assert result.exit_code == 0, result.stderr
    html = render(demo, "html", "id")
    assert '<div class="kop">' in html
    assert '<img src="data:image/png;base64,' in html
    assert "Jl. Basuki Rahmat No. 1" in html
    assert "No. dok. FM-SPMI-07/2026<br>Revisi 02" in html
    assert f"@top-right {{ content: {css_string('FM-SPMI-07/2026 revisi 02')};" in html
    assert "@top-left { content: " in html
    english = render(demo, "html", "en")
    assert '"Page " counter(page) " of " counter(pages)' in english
    # The review pack carries the same letterhead, with its own document number.
    assert cli("config", "set", "doc_number.review_pack", "FM-SPMI-09").exit_code == 0
    from qmstrack.periods import Period
    from qmstrack.review_pack import build_pack_context, render_pack

    context = build_pack_context(demo, Period(date(2026, 1, 1), date(2026, 10, 31)), "id",
                                 today=TODAY)
    pack = render_pack(context, "html")
    assert "No. dok. FM-SPMI-09" in pack and '<img src="data:image/png;base64,' in pack


def test_office_text_cannot_leave_the_style_sheet(cli, demo):
    hostile = '"}</style><script>alert(1)</script>'
    assert cli("config", "set", "doc_number.audit_report", hostile).exit_code == 0
    assert cli("config", "set", "org_name", hostile).exit_code == 0
    html = render(demo, "html", "id")
    assert "<script>" not in html and "</style><script>" not in html
    style = html[html.index("<style>") + len("<style>"):html.index("</style>")]
    assert "alert" in style and "<" not in style
    assert "&lt;/style&gt;&lt;script&gt;" in html  # shown, escaped, in the letterhead


def test_a_logo_must_be_a_small_image(cli, demo, tmp_path):
    text = tmp_path / "logo.txt"
    text.write_text("not an image")
    result = cli("config", "set", "logo", str(text))
    assert result.exit_code == 2 and "is not a PNG or JPEG image" in result.stderr
    huge = tmp_path / "huge.png"
    huge.write_bytes(PNG + bytes(3 << 20))
    result = cli("config", "set", "logo", str(huge))
    assert result.exit_code == 2 and "larger than 2 MiB" in result.stderr
    assert '<div class="kop">' in render(demo, "html", "id")  # the name alone
    assert "<img" not in render(demo, "html", "id")


def test_a_logo_altered_in_the_store_is_left_out(cli, demo, db_path, tmp_path):
    from qmstrack.db import get_setting
    from qmstrack.evidence import evidence_path

    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    assert cli("config", "set", "logo", str(logo)).exit_code == 0
    stored = evidence_path(db_path, get_setting(demo, "logo"))
    stored.chmod(0o600)
    stored.write_bytes(PNG + b"altered")
    assert "<img" not in render(demo, "html", "id")


# --- PDF ---------------------------------------------------------------------------

RIGHT_MARGIN_PT = 16 / 25.4 * 72  # the print style sheet's @page margin


def pdf_pages(pdf: Path) -> list[dict]:
    """Every page of ``pdf`` with its size and words, from ``pdftotext -bbox``."""
    import subprocess

    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed, see .ci/run"
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True, timeout=120).stdout
    pages = []
    for chunk in re.split(r"<page ", boxes)[1:]:
        width, height = map(float, re.match(r'width="([\d.]+)" height="([\d.]+)"',
                                            chunk).groups())
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">'
            r"([^<]*)<", chunk)]
        pages.append({"width": width, "height": height, "words": words,
                      "text": " ".join(w[4] for w in words)})
    return pages


def assert_no_text_past_the_page_box(pdf: Path) -> list[dict]:
    pages = pdf_pages(pdf)
    assert pages
    for number, page in enumerate(pages, 1):
        assert (round(page["width"]), round(page["height"])) == (595, 842), "A4"
        assert page["words"], f"page {number} is empty"
        for x_min, y_min, x_max, y_max, word in page["words"]:
            # Inside the page, and inside the left and right margins.
            assert RIGHT_MARGIN_PT - 1 <= x_min and x_max <= page["width"] - RIGHT_MARGIN_PT + 1, \
                (number, word, x_min, x_max)
            assert 0 <= y_min and y_max <= page["height"], (number, word, y_min, y_max)
    return pages


def test_audit_report_pdf_keeps_every_word_inside_its_pages(demo, cli, tmp_path):
    assert cli("config", "set", "doc_number.audit_report", "FM-SPMI-07").exit_code == 0
    out = tmp_path / "out"
    result = cli("audit", "report", "1", "--format", "html,pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    pdf = out / "audit-1-2026-10-id.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages = assert_no_text_past_the_page_box(pdf)
    total = len(pages)
    for number, page in enumerate(pages, 1):
        assert f"Halaman {number} dari {total}" in page["text"]
        assert "FM-SPMI-07" in page["text"]
    assert "Laporan Audit Internal" in pages[0]["text"]
    # The sign-off ends the report, on a page it shares with the section before it
    # (not alone on the last page, and not followed by a page holding only the footer).
    last = pages[-1]["text"]
    assert "Lembar Pengesahan" in last and "Disahkan oleh" in last
    before = last.split("Lembar Pengesahan")[0].split()
    header = len("Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur FM-SPMI-07".split())
    assert len(before) > header + 3, before


def test_review_pack_pdf_keeps_every_word_inside_its_pages(demo, cli, tmp_path):
    out = tmp_path / "out"
    result = cli("review", "pack", "--from", "2026-01-01", "--to", "2026-10-31",
                 "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    pages = assert_no_text_past_the_page_box(out / "review-pack-2026-01-01-2026-10-31-id.pdf")
    text = " ".join(p["text"] for p in pages)
    # The monthly trend table keeps its last column (it ran off the page before).
    assert "TEPAT WAKTU" in text.upper()


def test_pdf_without_its_engine_is_one_sentence_with_the_install_command(
        demo, cli, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)
    out = tmp_path / "out"
    result = cli("audit", "report", "1", "--format", "pdf", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: PDF output needs WeasyPrint")
    assert "pip install 'qmstrack[pdf]'" in result.stderr
    assert "Traceback" not in result.output and not list(out.glob("*.pdf"))


def test_audit_report_docx_opens_in_libreoffice_writer(demo, cli, tmp_path):
    from tests.test_finding_form import to_pdf_with_writer

    out = tmp_path / "out"
    result = cli("audit", "report", "1", "--format", "docx,md", "--out", str(out))
    assert result.exit_code == 0, result.output
    names = [Path(line).name for line in result.stdout.splitlines()]
    assert names == ["audit-1-2026-10-id.md", "audit-1-2026-10-id.docx"]
    text = to_pdf_with_writer(out / "audit-1-2026-10-id.docx", tmp_path)
    md = (out / "audit-1-2026-10-id.md").read_text("utf-8")
    for expected in ["Laporan Audit Internal", "Ketua auditor", "Kepala Dinas"]:
        assert expected in text, expected
    # Every finding of the report, by its reference, as in the Markdown report.
    refs = sorted(set(re.findall(r"F-2026-\d{3}", md)))
    assert refs and all(ref in text for ref in refs), refs
