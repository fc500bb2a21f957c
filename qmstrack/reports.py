"""Reports: the audit report's context, built once, rendered to Markdown and HTML by Jinja2.

:func:`build_audit_context` gathers everything a report shows (cover, executive summary,
results clause by clause, findings with their corrective actions, the clauses the 12-month
programme has not covered yet, sign-off) into one plain dictionary. Both templates render
that same dictionary; neither computes a figure of its own, so the Markdown and the HTML
report can never disagree.

Templates: ``qmstrack/templates/audit_report.md.j2`` and ``audit_report.html.j2`` (on the
shared skeleton ``_base.html.j2``). A directory given with ``--template-dir`` (or the
``template_dir`` setting) is searched first, so any template can be overridden by name;
templates it does not hold come from qmstrack. HTML templates are autoescaped; in Markdown
templates every value is escaped for Markdown unless a filter (``md_cell``, ``md_block``)
already did, so nothing a user typed can inject HTML or break a table. Undefined variables
are errors (``StrictUndefined``).

Other reports (the management review pack of :mod:`qmstrack.review`) use the same
machinery: :func:`render_formats` renders ``<stem>.<fmt>.j2`` for every format from one
context, :func:`write_report_files` writes the results atomically.

Labels are gettext messages (source English). Report labels live in their own catalogue,
``qmstrack/locales/<lang>/LC_MESSAGES/reports.po``, compiled in memory like qmstrack's
main catalogue (:mod:`qmstrack.i18n`), which stays the fallback for any other message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.errors import InvalidInput, QmsError, UsageError

FORMATS: dict[str, str] = {"md": "audit_report.md.j2", "html": "audit_report.html.j2"}
# Templates whose output is not HTML: no HTML autoescaping, Markdown escaping instead.
PLAIN_SUFFIXES = (".md.j2", ".md", ".txt.j2", ".txt")
DOMAIN = "reports"
TREND_AUDITS = 5
TREND_MONTHS = 12
SHA_PREFIX = 12


def N_(message: str) -> str:  # noqa: N802 - the conventional name for "translate later"
    """Mark a message for extraction; it is translated where it is shown."""
    return message


GRADE_LABELS: dict[str, str] = {
    "conform": N_("Conform"),
    "minor": N_("Minor"),
    "major": N_("Major"),
    "observation": N_("Observation"),
    "na": N_("Not applicable"),
    "pending": N_("Pending"),
}
AUDIT_STATUS_LABELS = {"open": N_("Open (draft)"), "final": N_("Final")}
FINDING_STATUS_LABELS = {"open": N_("Open"), "action_planned": N_("Action planned"),
                         "closed": N_("Closed")}
METRIC_LABELS: dict[str, str] = {
    "requests.received": N_("Requests received"),
    "requests.completed": N_("Requests completed"),
    "requests.rejected": N_("Requests rejected"),
    "requests.on_time": N_("Requests completed on time"),
    "requests.on_time_rate": N_("On-time completion rate"),
    "requests.open": N_("Open requests"),
    "requests.overdue": N_("Overdue open requests"),
    "adherence.observations": N_("Adherence observations"),
    "adherence.breaches": N_("Breaches of SOPs"),
    "adherence.rate": N_("Adherence to SOPs"),
    "findings.open": N_("Open findings"),
    "findings.overdue": N_("Overdue corrective actions"),
    "findings.open_major": N_("Open major nonconformities"),
    "satisfaction.ikm": N_("Community satisfaction index (IKM)"),
    "satisfaction.responses": N_("Satisfaction survey responses"),
    "complaints.received": N_("Complaints received"),
    "complaints.open": N_("Open complaints"),
    "complaints.response_on_time_rate": N_("Complaints answered on time"),
    "audits.clause_coverage_12m": N_("Clauses audited in 12 months"),
    "documents.stale": N_("Documents past their review date"),
}
TARGET_OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}
FREQUENCY_LABELS = {"monthly": N_("monthly"), "quarterly": N_("quarterly"),
                    "yearly": N_("yearly")}


# --- languages -----------------------------------------------------------------------------


def catalogue_path(lang: str):
    """The report catalogue of a language inside the installed package."""
    from importlib.resources import files

    return files("qmstrack") / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def report_translations(lang: str):
    """Report messages of ``lang``, falling back to qmstrack's main catalogue.

    A new object each language (cached): the catalogue of :func:`qmstrack.i18n.translations`
    is used as the fallback and never modified.
    """
    from babel.support import NullTranslations, Translations

    from qmstrack.i18n import translations

    base = translations(lang)
    source = catalogue_path(lang)
    if not source.is_file():
        merged = NullTranslations()
    else:
        import io

        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with source.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        merged = Translations(compiled, domain=DOMAIN)
    merged.add_fallback(base)
    return merged


# --- formatting helpers shared by the context and the template filters ----------------------


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _date_full(value: Any, lang: str) -> str:
    from qmstrack.i18n import format_date

    d = _as_date(value)
    return format_date(d, lang) if d else "–"


def _date_short(value: Any, lang: str) -> str:
    from qmstrack.i18n import format_date

    d = _as_date(value)
    return format_date(d, lang, full=False) if d else "–"


def _month_name(d: date, lang: str, pattern: str = "LLLL y") -> str:
    from babel.dates import format_date

    return format_date(d, pattern, locale=lang)


def period_text(start: date, end: date, lang: str) -> str:
    """``Oktober 2026`` for a calendar month, else both days written in full."""
    import calendar

    from qmstrack.i18n import format_period

    if (start.day == 1 and start.year == end.year and start.month == end.month
            and end.day == calendar.monthrange(end.year, end.month)[1]):
        return _month_name(start, lang)
    return format_period(start, end, lang)


def metric_kind(name: str | None) -> str:
    """``rate``, ``count`` or ``index``: the registry's, else guessed from the name."""
    if not name:
        return "count"
    from qmstrack.metrics import REGISTRY, metric_names

    metric_names()  # registers every metric
    if name in REGISTRY:
        return REGISTRY[name].kind
    if name.endswith("rate") or name.endswith("_12m"):
        return "rate"
    return "index" if name.endswith("ikm") else "count"


def format_value(value: float | int | None, kind: str, lang: str) -> str:
    """A measured value as people read it: rate -> ``92,5%``, count -> ``12``,
    index -> ``80,25``."""
    from qmstrack.i18n import format_number, format_percent

    if value is None:
        return "–"
    if kind == "rate":
        return format_percent(value, lang)
    if kind == "index":
        return format_number(value, lang, decimals=2)
    whole = float(value).is_integer()
    return format_number(int(value) if whole else value, lang, decimals=0 if whole else 2)


def format_target(target_text: str | None, kind: str, lang: str) -> str:
    """``>= 0.9`` for a rate -> ``≥ 90,0%``; empty when there is no target."""
    if not target_text:
        return ""
    from qmstrack.parsing import parse_target

    try:
        target = parse_target(target_text)
    except InvalidInput:
        return target_text
    return f"{TARGET_OPS.get(target.op, target.op)} {format_value(target.threshold, kind, lang)}"


def objective_kind(objective: dict[str, Any]) -> str:
    """How an objective's values read: its metric's kind; for a value recorded by hand, a
    rate when the target is a fraction (``>= 0.9``), else a count."""
    if objective.get("metric"):
        return objective.get("metric_kind") or metric_kind(objective["metric"])
    from qmstrack.parsing import parse_target

    try:
        threshold = parse_target(objective.get("target") or "").threshold
    except InvalidInput:
        return "count"
    return "rate" if 0 < threshold <= 1 else "count"


def objective_period_text(label: str, lang: str) -> str:
    """An objective's period as people read it: ``2026-08`` -> ``Agustus 2026``,
    ``2026-Q3`` -> ``Triwulan III 2026``, ``2026`` -> ``2026``."""
    import re

    if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
        return _month_name(date(int(m[1]), int(m[2]), 1), lang)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        quarter = ("I", "II", "III", "IV")[int(m[2]) - 1]
        return report_translations(lang).gettext("Q%(number)s %(year)s") % {
            "number": m[2], "quarter": quarter, "year": m[1]}
    return label


def missed_objective_rows(objectives: Iterable[dict[str, Any]], lang: str,
                          unit_names: dict[str, str]) -> list[dict[str, Any]]:
    """Objectives missed twice in a row (:func:`qmstrack.objectives.objectives_missed_twice`)
    with their two periods, values and target written for people."""
    gettext = report_translations(lang).gettext
    rows = []
    for o in objectives:
        kind = objective_kind(o)
        frequency = FREQUENCY_LABELS.get(o["frequency"])
        rows.append({
            "id": o["id"], "year": o["year"], "unit": o["unit"],
            "unit_name": unit_names.get(o["unit"], o["unit"]),
            "service_code": o.get("service_code") or "", "title": o["title"],
            "metric": o.get("metric") or "", "target": o["target"],
            "target_text": format_target(o["target"], kind, lang),
            "frequency": o["frequency"],
            "frequency_label": gettext(frequency) if frequency else o["frequency"],
            "periods": [{"period": p["period"],
                         "label": objective_period_text(p["period"], lang),
                         "value": p["value"],
                         "value_text": format_value(p["value"], kind, lang)}
                        for p in o["periods"]],
        })
    return rows


# --- Markdown escaping ---------------------------------------------------------------------

_MD_ALWAYS = str.maketrans({
    "\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "]": "\\]", "|": "\\|", "~": "\\~",
    "<": "&lt;", "\t": " ",
})


def _md_line(text: str) -> str:
    """Escape one line of user text for Markdown inline content."""
    import re

    # '&' only where it would start an entity, so 'R&D' stays readable.
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", "&amp;", text)
    text = text.translate(_MD_ALWAYS)
    # Underscores only where they could open or close emphasis (not inside 'on_time').
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    # What would start a block at the beginning of a line: heading, list, rule, quote.
    stripped = text.lstrip(" ")
    indent = text[: len(text) - len(stripped)]
    if stripped[:1] == ">":
        stripped = "&gt;" + stripped[1:]
    elif stripped[:1] in ("#", "-", "+", "=", "!"):
        stripped = "\\" + stripped
    else:
        stripped = re.sub(r"^(\d{1,9})([.)])(?=\s|$)", r"\1\\\2", stripped)
    return indent + stripped


def _lines(value: Any) -> list[str]:
    return str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def md_inline(value: Any) -> str:
    """User text on one Markdown line: escaped, line breaks become spaces."""
    if value is None:
        return ""
    return " ".join(_md_line(line.strip()) for line in _lines(value) if line.strip())


def md_cell(value: Any):
    """User text in a Markdown table cell: escaped (``|`` included), line breaks kept as
    ``<br>`` so the row stays on one line."""
    from markupsafe import Markup

    if value is None or value == "":
        return Markup("")
    return Markup("<br>".join(_md_line(line.strip()) for line in _lines(value)).strip())


def md_block(value: Any, indent: int = 4):
    """Multi-line user text as an indented code block: shown exactly, line breaks kept,
    never interpreted (no HTML, no Markdown)."""
    from markupsafe import Markup

    if value is None or str(value).strip() == "":
        return Markup("")
    pad = " " * indent
    return Markup("\n".join((pad + line.replace("\t", "    ")).rstrip()
                            for line in _lines(str(value).strip("\n"))))


def _finalize_factory():
    from jinja2 import pass_eval_context
    from markupsafe import Markup

    @pass_eval_context
    def finalize(eval_ctx, value):
        # HTML templates: Jinja's autoescape does the work. Plain-text (Markdown)
        # templates: every value is escaped for Markdown unless a filter marked it safe.
        if eval_ctx.autoescape or isinstance(value, Markup) or value is None:
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        return md_inline(value)

    return finalize


# --- Jinja2 environment --------------------------------------------------------------------


def builtin_template_dir() -> Path:
    from importlib.resources import files

    return Path(str(files("qmstrack") / "templates"))


def _autoescape(name: str | None) -> bool:
    """HTML (and anything not known to be plain text) is autoescaped; Markdown is not."""
    if name is None:
        return True
    return not name.lower().endswith(PLAIN_SUFFIXES)


def _bytecode_cache():
    """Compiled report templates, kept between runs in a private folder of the user cache.

    Compiling the report templates costs about as much as the rest of a monthly audit's
    report; Jinja2 recompiles a template whose source changed (an office's own templates
    included) or that an older Jinja2 or Python compiled. Compiled templates are code, so
    the folder is used only when it is the user's own and nobody else can write to it.
    """
    if os.environ.get("QMSTRACK_NO_TEMPLATE_CACHE"):
        return None
    import stat

    import jinja2
    import platformdirs

    directory = Path(platformdirs.user_cache_dir("qmstrack", appauthor=False)) / "templates"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022 or (
            hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


def make_environment(lang: str, template_dir: str | os.PathLike | None = None):
    """The Jinja2 environment of the reports in ``lang``, with the user's templates first."""
    import jinja2

    from qmstrack.i18n import format_number, format_percent

    searchpath: list[str] = []
    if template_dir:
        directory = Path(template_dir).expanduser()
        if not directory.is_dir():
            raise UsageError(f"The template directory {directory} does not exist "
                             "(--template-dir or the template_dir setting).")
        searchpath.append(str(directory))
    searchpath.append(str(builtin_template_dir()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(searchpath, encoding="utf-8"),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        finalize=_finalize_factory(),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.install_gettext_translations(report_translations(lang), newstyle=True)
    env.filters.update({
        "date_full": lambda d: _date_full(d, lang),
        "date_short": lambda d: _date_short(d, lang),
        "percent": lambda x: format_percent(x, lang),
        "number": lambda x, decimals=0: format_number(x, lang, decimals=decimals),
        "md_cell": md_cell,
        "md_block": md_block,
        "md_inline": md_inline,
    })
    return env


# --- the audit report's context -----------------------------------------------------------


def _months_back(end: date, count: int) -> list[tuple[date, date]]:
    """The ``count`` calendar months ending with the month of ``end``, oldest first."""
    import calendar

    months = []
    year, month = end.year, end.month
    for _ in range(count):
        last = date(year, month, calendar.monthrange(year, month)[1])
        months.append((date(year, month, 1), last))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _compute(db: sqlite_utils.Database, name: str, start: date, end: date,
             units: Sequence[str]):
    from qmstrack.errors import NotFound
    from qmstrack.metrics import Period, Scope, compute

    try:
        return compute(db, name, Period(start, end), Scope(tuple(units)))
    except NotFound:
        return None


def checklist_target(checklist, metric: str) -> float | None:
    """The threshold of the first ``>=``/``>`` target the checklist sets for ``metric``."""
    return _target_of(checklist, metric)


def _target_of(checklist, metric: str) -> float | None:
    from qmstrack.parsing import parse_target

    for item in checklist.iter_items():
        if item.metric == metric and item.target_text:
            target = parse_target(item.target_text)
            if target.op in (">=", ">"):
                return target.threshold
    return None


def _unit_names(db: sqlite_utils.Database, codes: Iterable[str]) -> dict[str, str]:
    codes = list(codes)
    if not codes:
        return {}
    marks = ", ".join("?" for _ in codes)
    names = dict(db.execute(f"SELECT code, name FROM units WHERE code IN ({marks})", codes))
    return {code: names.get(code, code) for code in codes}


def _staff_name(db: sqlite_utils.Database, nip: str | None) -> str:
    if not nip:
        return ""
    row = db.execute("SELECT name FROM staff WHERE nip = ?", [nip]).fetchone()
    return f"{row[0]} ({nip})" if row else nip


def _trend(db: sqlite_utils.Database, audit: dict[str, Any], lang: str, gettext
           ) -> list[dict[str, Any]]:
    """This audit and up to five earlier ones with the same checklist and overlapping scope."""
    from qmstrack.audits import grade_counts

    scope = set(audit["scope"])
    rows = [(audit["id"], audit["period_start"], audit["period_end"], audit["status"])]
    for audit_id, start, end, audit_scope, status in db.execute(
            "SELECT id, period_start, period_end, scope, status FROM audits "
            "WHERE checklist_id = ? AND id != ? AND period_start < ? "
            "ORDER BY period_start DESC, id DESC",
            [audit["checklist_id"], audit["id"], audit["period_start"]]):
        if len(rows) > TREND_AUDITS:
            break
        if scope & set(json.loads(audit_scope)):
            rows.append((audit_id, start, end, status))
    trend = []
    for audit_id, start, end, status in rows:
        s, e = date.fromisoformat(start), date.fromisoformat(end)
        trend.append({
            "audit_id": audit_id, "current": audit_id == audit["id"],
            "period_start": s, "period_end": e, "period_text": period_text(s, e, lang),
            "status": status, "status_label": gettext(AUDIT_STATUS_LABELS[status]),
            "counts": grade_counts(db, audit_id),
        })
    return trend


def build_audit_context(db: sqlite_utils.Database, audit_id: int, lang: str = "id", *,
                        today: date | None = None) -> dict[str, Any]:
    """Everything the audit report shows, in ``lang``; shared by every format."""
    from qmstrack import charts
    from qmstrack.audits import (
        GRADES,
        clause_coverage,
        frozen_checklist,
        get_audit,
        get_audit_row,
    )
    from qmstrack.db import get_setting
    from qmstrack.findings import get_finding
    from qmstrack.i18n import format_percent
    from qmstrack.setup import check_lang

    lang = check_lang(lang)
    gettext = report_translations(lang).gettext
    today = today or office_today(db)
    audit = get_audit(db, audit_id, lang)
    checklist = frozen_checklist(get_audit_row(db, audit_id))
    start, end = date.fromisoformat(audit["period_start"]), date.fromisoformat(
        audit["period_end"])
    scope = list(audit["scope"])
    units = _unit_names(db, scope)

    counts = audit["counts"]
    total = sum(counts.values())
    grades = []
    for key in GRADES:
        colour, text_colour = charts.GRADE_COLOURS[key]
        grades.append({"key": key, "label": gettext(GRADE_LABELS[key]), "colour": colour,
                       "text_colour": text_colour, "count": counts.get(key, 0),
                       "share": counts.get(key, 0) / total if total else None})
    grade_label = {g["key"]: g["label"] for g in grades}

    # Results, grouped by top-level clause and clause, in checklist order.
    finding_of_item = {f["item_id"]: f["ref_no"] for f in audit["findings"] if f["item_id"]}
    results_by_item = {r["item_id"]: r for r in audit["results"]}
    key_metrics: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    clause_titles: dict[str, str] = {}
    for root in checklist.clauses:
        section = {"ref": root.ref, "title": root.text("title", lang),
                   "counts": dict.fromkeys(GRADES, 0), "clauses": []}
        for clause in root.iter_clauses():
            clause_titles[clause.ref] = clause.text("title", lang)
            rows = []
            for item in clause.items:
                result = results_by_item.get(item.id)
                if result is None:
                    continue
                row = _result_row(result, item, lang, gettext, grade_label,
                                  finding_of_item.get(item.id))
                rows.append(row)
                section["counts"][row["grade"]] += 1
                if row["metric"]:
                    key_metrics.append(row)
            if rows:
                section["clauses"].append({"ref": clause.ref,
                                           "title": clause_titles[clause.ref],
                                           "results": rows})
        if section["clauses"]:
            sections.append(section)

    findings = []
    for summary in audit["findings"]:
        finding = get_finding(db, summary["ref_no"])
        status_label = FINDING_STATUS_LABELS.get(finding["status"], finding["status"])
        due = _as_date(finding["due_on"])
        findings.append({
            "ref_no": finding["ref_no"], "item_id": finding["item_id"],
            "clause_ref": finding["clause_ref"],
            "clause_title": clause_titles.get(finding["clause_ref"], ""),
            "grade": finding["grade"], "grade_label": grade_label[finding["grade"]],
            "status": finding["status"],
            "status_label": gettext(status_label),
            "raised_on": _as_date(finding["raised_on"]), "due_on": due,
            "closed_on": _as_date(finding.get("closed_on")),
            "overdue": finding["status"] != "closed" and due is not None and due < today,
            "unit": finding["unit"] or "",
            "unit_name": units.get(finding["unit"], finding["unit"] or ""),
            "description": finding["description"] or "",
            "root_cause": finding.get("root_cause") or "",
            "correction": finding.get("correction") or "",
            "owner": _staff_name(db, finding.get("owner_nip")),
            "actions": [{
                "action": a["action"] or "", "owner": _staff_name(db, a["owner_nip"]),
                "planned_on": _as_date(a["planned_on"]), "due_on": _as_date(a["due_on"]),
                "verified_by": a["verified_by"] or "",
                "verified_on": _as_date(a["verified_on"]),
                "effective": None if a["effective"] is None else bool(a["effective"]),
                "result_label": ("" if a["verified_on"] is None
                                 else gettext("Effective") if a["effective"]
                                 else gettext("Not effective")),
                "note": a["note"] or "",
            } for a in finding["actions"]],
        })

    coverage = clause_coverage(db, checklist, end, scope)
    uncovered = [{"clause_ref": r["clause_ref"],
                  "title": r["title_id"] if lang == "id" else r["title"],
                  "last_audited": _as_date(r["last_audited"])}
                 for r in coverage if r["status"] == "due"]

    monthly = []
    for m_start, m_end in _months_back(end, TREND_MONTHS):
        monthly.append({
            "month": m_start, "label": _month_name(m_start, lang),
            "short_label": _month_name(m_start, lang, "LLL"),
            "completed": _compute(db, "requests.completed", m_start, m_end, scope),
            "on_time_rate": _compute(db, "requests.on_time_rate", m_start, m_end, scope),
            "observations": _compute(db, "adherence.observations", m_start, m_end, scope),
            "adherence_rate": _compute(db, "adherence.rate", m_start, m_end, scope),
        })
    targets = {"on_time_rate": _target_of(checklist, "requests.on_time_rate"),
               "adherence_rate": _target_of(checklist, "adherence.rate")}

    def pct(x: float) -> str:
        return format_percent(x, lang)

    def whole(x: float) -> str:
        from qmstrack.i18n import format_number

        return format_number(x, lang)

    chart_grades = charts.stacked_bar_chart(
        [charts.BarGroup(s["ref"], s["counts"], f"{s['ref']} {s['title']}")
         for s in sections],
        [charts.Segment(g["key"], g["label"], g["colour"]) for g in grades],
        title=gettext("Results by clause"), y_label=gettext("Items"),
        empty_text=gettext("No data"), number=whole, width=900)
    chart_rates = charts.line_chart(
        [m["short_label"] for m in monthly],
        [charts.LineSeries(gettext("On-time completion"), [m["on_time_rate"] for m in monthly],
                           targets["on_time_rate"]),
         charts.LineSeries(gettext("Adherence to SOPs"),
                           [m["adherence_rate"] for m in monthly],
                           targets["adherence_rate"])],
        title=gettext("On-time completion and adherence by month"), value_text=pct,
        target_label=gettext("target"), empty_text=gettext("No data"), width=900)

    # Quality objectives of the audited units missed in the two periods before the end of
    # the audit period (the day after it: a period ending on the last day is complete).
    from datetime import timedelta

    from qmstrack.objectives import objectives_missed_twice

    missed = missed_objective_rows(
        (o for o in objectives_missed_twice(db, end + timedelta(days=1))
         if o["unit"] in scope), lang, _unit_names(db, scope))

    assessed = total - counts.get("pending", 0)
    status_label = AUDIT_STATUS_LABELS[audit["status"]]
    return {
        "lang": lang,
        "generated_on": today,
        "org_name": get_setting(db, "org_name") or "",
        "audit": {
            "id": audit["id"], "status": audit["status"],
            "status_label": gettext(status_label),
            "is_final": audit["status"] == "final",
            "period_start": start, "period_end": end,
            "period_text": period_text(start, end, lang),
            "started_on": _as_date(audit["started_on"]),
            "finalized_on": _as_date(audit["finalized_on"]),
            "lead_auditor": audit["lead_auditor"] or "",
            "checklist": {
                "id": audit["checklist_id"], "title": audit["checklist_title"],
                "standard": checklist.standard, "edition": audit["checklist_edition"],
                "version": audit["checklist_version"], "sha256": audit["checklist_sha256"],
                "sha256_short": audit["checklist_sha256"][:SHA_PREFIX],
            },
        },
        "units": [{"code": code, "name": name} for code, name in units.items()],
        "grades": grades,
        "totals": {
            "item_count": total, "assessed": assessed, "pending": counts.get("pending", 0),
            "assessed_share": assessed / total if total else None,
            "findings": len(findings),
            "nonconformities": counts.get("minor", 0) + counts.get("major", 0),
            "observations": counts.get("observation", 0),
        },
        "key_metrics": key_metrics,
        "trend": _trend(db, audit, lang, gettext),
        "sections": sections,
        "findings": findings,
        "coverage": {"total": len(coverage), "due": len(uncovered),
                     "covered": len(coverage) - len(uncovered),
                     "rate": (len(coverage) - len(uncovered)) / len(coverage)
                     if coverage else None},
        "uncovered": uncovered,
        "monthly": monthly,
        "months_from": monthly[0]["month"] if monthly else start,
        "months_to": end,
        "targets": targets,
        "charts": {"grades_by_clause": chart_grades, "monthly_rates": chart_rates},
        "objectives_missed": missed,
    }


def _result_row(result: dict[str, Any], item, lang: str, gettext,
                grade_label: dict[str, str], finding_ref: str | None) -> dict[str, Any]:
    metric = result["metric"]
    kind = metric_kind(metric) if metric else None
    met = None
    if metric and result["measured"] is not None and result["target"]:
        from qmstrack.parsing import parse_target

        try:
            met = parse_target(result["target"]).met_by(result["measured"])
        except InvalidInput:
            met = None
    if not metric:
        met_label = ""
    elif met is None:
        met_label = gettext("No data")
    else:
        met_label = gettext("Met") if met else gettext("Not met")
    return {
        "item_id": result["item_id"], "clause_ref": result["clause_ref"],
        "question": result["question"], "grade": result["grade"],
        "grade_label": grade_label[result["grade"]],
        "metric": metric or "", "kind": kind or "",
        "metric_label": gettext(METRIC_LABELS[metric]) if metric in METRIC_LABELS
        else (metric or ""),
        "measured": result["measured"],
        "measured_text": format_value(result["measured"], kind, lang) if metric else "",
        "target": result["target"] or "",
        "target_text": format_target(result["target"], kind or "count", lang),
        "met": met, "met_label": met_label,
        "evidence": result["evidence"] or "", "note": result["note"] or "",
        "answered_by": result["answered_by"] or "",
        "answered_on": _as_date(result["answered_on"]),
        "finding_ref": finding_ref or "",
    }


# --- rendering and writing -----------------------------------------------------------------


def _template_error(exc: Exception, name: str) -> QmsError:
    """A template problem as one sentence naming the template file and line."""
    import traceback

    where = name
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None)
    if lineno is None:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".j2", ".html", ".md")):
                filename, lineno = frame.filename, frame.lineno
                break
    if filename:
        where = str(filename)
    if lineno:
        where += f", line {lineno}"
    detail = getattr(exc, "message", None) or str(exc)
    return InvalidInput(f"The report template {where} failed: {detail}.")


def render_audit_report(db: sqlite_utils.Database, audit_id: int, fmt: str,
                        lang: str = "id", template_dir: str | os.PathLike | None = None, *,
                        context: dict[str, Any] | None = None) -> str:
    """The audit report in one format (``md`` or ``html``) as text."""
    return _render(fmt, lang, template_dir,
                   context or build_audit_context(db, audit_id, lang))


def check_formats(formats: Iterable[str]) -> list[str]:
    """The formats asked for (``md``, ``html``), lower-cased and without repeats; an
    unknown or missing format is a usage error."""
    return _check_formats(formats)


def _check_formats(formats: Iterable[str]) -> list[str]:
    wanted = []
    for fmt in formats:
        fmt = str(fmt).strip().lower()
        if fmt not in FORMATS:
            raise UsageError(f"The report format {fmt!r} is not one of "
                             f"{', '.join(FORMATS)}.")
        if fmt not in wanted:
            wanted.append(fmt)
    if not wanted:
        raise UsageError(f"No report format given; use {', '.join(FORMATS)}.")
    return wanted


def _render(fmt: str, lang: str, template_dir, context: dict[str, Any]) -> str:
    (fmt,) = _check_formats([fmt])
    return render_template(FORMATS[fmt], lang, template_dir, context)


def render_template(name: str, lang: str, template_dir: str | os.PathLike | None,
                    context: dict[str, Any]) -> str:
    """Render one report template (found in ``template_dir`` first) with ``context``.

    Markdown and plain-text templates are escaped for Markdown, every other one for HTML;
    a template problem becomes one sentence naming the file and line.
    """
    import jinja2

    env = make_environment(lang, template_dir)
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        raise _template_error(exc, name) from exc


def render_formats(stem: str, formats: Iterable[str], lang: str,
                   template_dir: str | os.PathLike | None,
                   context: dict[str, Any]) -> list[tuple[str, str]]:
    """Render the templates ``<stem>.<fmt>.j2`` of every format with the *same* context;
    return ``(fmt, text)`` pairs. Nothing is written, so a failure leaves no file behind."""
    return [(fmt, render_template(f"{stem}.{fmt}.j2", lang, template_dir, context))
            for fmt in _check_formats(formats)]


def write_report_files(out_dir: str | os.PathLike,
                       files: Sequence[tuple[str, str]]) -> list[Path]:
    """Write ``(file name, text)`` pairs atomically into ``out_dir`` (created if needed);
    return their paths. A reader never sees a half-written report."""
    directory = Path(out_dir).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InvalidInput(f"{directory} is a file, not a directory for the reports.") from None
    except OSError as exc:
        raise InvalidInput(f"The report directory {directory} cannot be created: "
                           f"{exc.strerror or exc}.") from None
    paths = []
    for name, text in files:
        if Path(name).name != name or name in ("", ".", ".."):
            raise InvalidInput(f"The report file name {name!r} is not a plain file name.")
        path = directory / name
        try:
            _write_atomically(path, text)
        except OSError as exc:
            raise InvalidInput(f"The report {path} cannot be written: "
                               f"{exc.strerror or exc}.") from None
        paths.append(path)
    return paths


def _write_atomically(path: Path, text: str) -> None:
    from qmstrack.atomic import default_mode, write_atomically

    write_atomically(path, text, mode=default_mode())


def report_filename(audit: dict[str, Any], fmt: str, lang: str) -> str:
    """``audit-<id>-<YYYY-MM of period start>-<lang>.<fmt>``."""
    return f"audit-{audit['id']}-{str(audit['period_start'])[:7]}-{lang}.{fmt}"


def write_audit_reports(db: sqlite_utils.Database, audit_id: int, out_dir: str | os.PathLike,
                        formats: Sequence[str] = ("md", "html"), lang: str = "id",
                        template_dir: str | os.PathLike | None = None, *,
                        today: date | None = None) -> list[Path]:
    """Render the audit report in each format and write the files atomically into
    ``out_dir`` (created if needed); return their paths."""
    wanted = _check_formats(formats)
    context = build_audit_context(db, audit_id, lang, today=today)
    lang = context["lang"]
    rendered = [(fmt, _render(fmt, lang, template_dir, context)) for fmt in wanted]
    return write_report_files(out_dir, [(report_filename(context["audit"], fmt, lang), text)
                                        for fmt, text in rendered])
