"""The audit report: its context, built once, section by section, and rendered to Markdown and
HTML by the report toolbox (:mod:`qmstrack.reports`).

:func:`build_audit_context` gathers everything a report shows into one plain dictionary,
one function per section: the cover, the grades and totals (executive summary), the
results clause by clause, the trend of earlier audits, the findings with their corrective
actions, the clauses the 12-month programme has not covered yet, the months of request
and adherence figures, the charts, the quality objectives missed twice, and the sign-off.
Both templates (``audit_report.md.j2`` and ``audit_report.html.j2``, on the shared skeleton
``_base.html.j2``) render that same dictionary; neither computes a figure of its own, so the
Markdown and the HTML report can never disagree.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.errors import InvalidInput, NotFound
from qmstrack.figures import (
    as_date,
    format_target,
    format_value,
    metric_kind,
    month_name,
    objective_kind,
    period_text,
    span_text,
)
from qmstrack.labels import (
    AUDIT_STATUS_LABELS,
    FINDING_STATUS_LABELS,
    FREQUENCY_LABELS,
    GRADE_LABELS,
)
from qmstrack.periods import Period, months_back
from qmstrack.reports import check_formats, render_template, write_report_files
from qmstrack.scope import Scope

FORMATS: dict[str, str] = {"md": "audit_report.md.j2", "html": "audit_report.html.j2"}
TREND_AUDITS = 5
TREND_MONTHS = 12
SHA_PREFIX = 12


@dataclass
class _Audit:
    """What every section of one report reads: the audit, its checklist, the language."""

    db: sqlite_utils.Database
    audit: dict[str, Any]
    checklist: Any
    lang: str
    gettext: Callable[[str], str]
    today: date
    period: Period
    scope: list[str]
    units: dict[str, str]


def build_audit_context(db: sqlite_utils.Database, audit_id: int, lang: str = "id", *,
                        today: date | None = None) -> dict[str, Any]:
    """Everything the audit report shows, in ``lang``; shared by every format."""
    from qmstrack.audits import frozen_checklist, get_audit, get_audit_row
    from qmstrack.i18n import check_lang, translations

    lang = check_lang(lang)
    audit = get_audit(db, audit_id, lang)
    scope = list(audit["scope"])
    a = _Audit(db, audit, frozen_checklist(get_audit_row(db, audit_id)), lang,
               translations(lang).gettext, today or office_today(db),
               Period(date.fromisoformat(audit["period_start"]),
                      date.fromisoformat(audit["period_end"])),
               scope, _unit_names(db, scope))
    grades = _grades(a)
    grade_label = {g["key"]: g["label"] for g in grades}
    sections, key_metrics, clause_titles = _results(a, grade_label)
    findings = _findings(a, grade_label, clause_titles)
    coverage, uncovered = _coverage(a)
    monthly, targets = _monthly(a)
    from qmstrack.letterhead import office_identity

    return {
        **_cover(a),
        "office": office_identity(db, "audit_report", lang, year=a.period.start.year),
        "grades": grades,
        "totals": _totals(a, findings),
        "key_metrics": key_metrics,
        "trend": _trend(a),
        "sections": sections,
        "findings": findings,
        "coverage": coverage,
        "uncovered": uncovered,
        "monthly": monthly,
        "months_from": monthly[0]["month"] if monthly else a.period.start,
        "months_to": a.period.end,
        "targets": targets,
        "charts": _charts(a, sections, grades, monthly, targets),
        "objectives_missed": _objectives_missed(a),
    }


# --- the sections ---------------------------------------------------------------------------


def _cover(a: _Audit) -> dict[str, Any]:
    """The cover and sign-off: the office, the audit, its checklist and units."""
    from qmstrack.db import get_setting

    audit = a.audit
    # The label is looked up apart: an extractor may take a literal inside gettext() for a
    # message (Babel 2.14 takes "status" from gettext(LABELS[audit["status"]])).
    status_label = AUDIT_STATUS_LABELS[audit["status"]]
    return {
        "lang": a.lang,
        "generated_on": a.today,
        "org_name": get_setting(a.db, "org_name") or "",
        "audit": {
            "id": audit["id"], "status": audit["status"],
            "status_label": a.gettext(status_label),
            "is_final": audit["status"] == "final",
            "period_start": a.period.start, "period_end": a.period.end,
            "period_text": period_text(a.period.start, a.period.end, a.lang),
            "started_on": as_date(audit["started_on"]),
            "finalized_on": as_date(audit["finalized_on"]),
            "lead_auditor": audit["lead_auditor"] or "",
            "opening_meeting_on": as_date(audit.get("opening_meeting_on")),
            "closing_meeting_on": as_date(audit.get("closing_meeting_on")),
            "checklist": {
                "id": audit["checklist_id"], "title": audit["checklist_title"],
                "standard": a.checklist.standard, "edition": audit["checklist_edition"],
                "version": audit["checklist_version"], "sha256": audit["checklist_sha256"],
                "sha256_short": audit["checklist_sha256"][:SHA_PREFIX],
            },
        },
        "units": [{"code": code, "name": name} for code, name in a.units.items()],
    }


def _grades(a: _Audit) -> list[dict[str, Any]]:
    """Each grade with its label, colours, count and share of the items."""
    from qmstrack import charts
    from qmstrack.audits import GRADES

    counts = a.audit["counts"]
    total = sum(counts.values())
    grades = []
    for key in GRADES:
        colour, text_colour = charts.GRADE_COLOURS[key]
        grades.append({"key": key, "label": a.gettext(GRADE_LABELS[key]), "colour": colour,
                       "text_colour": text_colour, "count": counts.get(key, 0),
                       "share": counts.get(key, 0) / total if total else None})
    return grades


def _totals(a: _Audit, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The executive summary's counts."""
    counts = a.audit["counts"]
    total = sum(counts.values())
    assessed = total - counts.get("pending", 0)
    return {
        "item_count": total, "assessed": assessed, "pending": counts.get("pending", 0),
        "assessed_share": assessed / total if total else None,
        # Counted over the findings themselves (one per failing unit), so that the
        # nonconformities and observations add up to the findings listed.
        "findings": len(findings),
        "nonconformities": sum(1 for f in findings if f["grade"] in ("minor", "major")),
        "observations": sum(1 for f in findings if f["grade"] == "observation"),
    }


def _results(a: _Audit, grade_label: dict[str, str]
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
    """Results grouped by top-level clause and clause, in checklist order; the
    metric-bound ones again as the key metrics; every clause's title."""
    from qmstrack.audits import GRADES

    audit = a.audit
    refs_of_item: dict[str, list[str]] = {}
    for f in audit["findings"]:
        if f["item_id"]:
            refs_of_item.setdefault(f["item_id"], []).append(f["ref_no"])
    results_by_item = {r["item_id"]: r for r in audit["results"]}
    key_metrics: list[dict[str, Any]] = []
    sections: list[dict[str, Any]] = []
    clause_titles: dict[str, str] = {}
    for root in a.checklist.clauses:
        section: dict[str, Any] = {"ref": root.ref, "title": root.text("title", a.lang),
                                   "counts": dict.fromkeys(GRADES, 0), "clauses": []}
        for clause in root.iter_clauses():
            clause_titles[clause.ref] = clause.text("title", a.lang)
            rows = []
            for item in clause.items:
                result = results_by_item.get(item.id)
                if result is None:
                    continue
                row = _result_row(result, a.lang, a.gettext, grade_label,
                                  refs_of_item.get(item.id, []))
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
    return sections, key_metrics, clause_titles


def _result_row(result: dict[str, Any], lang: str, gettext: Callable[[str], str],
                grade_label: dict[str, str], finding_refs: list[str]) -> dict[str, Any]:
    from qmstrack.metric_catalogue import labels

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
    metric_labels = labels()
    return {
        "item_id": result["item_id"], "clause_ref": result["clause_ref"],
        "question": result["question"], "grade": result["grade"],
        "grade_label": grade_label[result["grade"]],
        "metric": metric or "", "kind": kind or "",
        "metric_label": gettext(metric_labels[metric]) if metric in metric_labels
        else (metric or ""),
        "measured": result["measured"],
        "measured_text": format_value(result["measured"], kind, lang) if metric else "",
        "target": result["target"] or "",
        "target_text": format_target(result["target"], kind or "count", lang),
        "met": met, "met_label": met_label,
        "evidence": result["evidence"] or "", "note": result["note"] or "",
        "answered_by": result["answered_by"] or "",
        "answered_on": as_date(result["answered_on"]),
        "finding_ref": finding_refs[0] if finding_refs else "",
        # A multi-unit audit: one finding per failing unit.
        "finding_refs": finding_refs,
        "failed_units": result.get("failed_units") or [],
    }


def _trend(a: _Audit) -> list[dict[str, Any]]:
    """This audit and up to five earlier ones with the same checklist and overlapping scope."""
    from qmstrack.audits import grade_counts

    audit = a.audit
    scope = set(audit["scope"])
    rows = [(audit["id"], audit["period_start"], audit["period_end"], audit["status"])]
    for audit_id, start, end, audit_scope, status in a.db.execute(
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
            "period_start": s, "period_end": e, "period_text": period_text(s, e, a.lang),
            "status": status, "status_label": a.gettext(AUDIT_STATUS_LABELS[status]),
            "counts": grade_counts(a.db, audit_id),
        })
    return trend


def _findings(a: _Audit, grade_label: dict[str, str], clause_titles: dict[str, str]
              ) -> list[dict[str, Any]]:
    """The audit's findings with their corrective actions and verification."""
    from qmstrack.findings import flags_for_major, get_finding, recurrence_flag

    gettext = a.gettext
    flag_at = recurrence_flag(a.db)
    findings = []
    for summary in a.audit["findings"]:
        finding = get_finding(a.db, summary["ref_no"])
        recurrences = int(finding.get("recurrences") or 1)
        status_label = FINDING_STATUS_LABELS.get(finding["status"], finding["status"])
        due = as_date(finding["due_on"])
        findings.append({
            "ref_no": finding["ref_no"], "item_id": finding["item_id"],
            "clause_ref": finding["clause_ref"],
            "clause_title": clause_titles.get(finding["clause_ref"], ""),
            "grade": finding["grade"], "grade_label": grade_label[finding["grade"]],
            "status": finding["status"],
            "status_label": gettext(status_label),
            "raised_on": as_date(finding["raised_on"]), "due_on": due,
            "closed_on": as_date(finding.get("closed_on")),
            "overdue": finding["status"] != "closed" and due is not None and due < a.today,
            "unit": finding["unit"] or "",
            "unit_name": a.units.get(finding["unit"], finding["unit"] or ""),
            "description": finding["description"] or "",
            "statement": finding_statement(a, finding, clause_titles),
            "recurrences": recurrences,
            "recurrence_label": gettext("recurring ({n}x)").format(n=recurrences)
            if recurrences > 1 else "",
            "seen_in": ", ".join(period_text(date.fromisoformat(e["start"]),
                                             date.fromisoformat(e["end"]), a.lang)
                                 for e in json.loads(finding.get("seen_in") or "[]")),
            "flag_major": flags_for_major(finding, flag_at),
            "flag_label": gettext("Seen in {n} audits: the auditor considers raising it "
                                  "to major.").format(n=recurrences)
            if flags_for_major(finding, flag_at) else "",
            "root_cause": finding.get("root_cause") or "",
            "correction": finding.get("correction") or "",
            "owner": _staff_name(a.db, finding.get("owner_nip")),
            "actions": [{
                "action": x["action"] or "", "owner": _staff_name(a.db, x["owner_nip"]),
                "planned_on": as_date(x["planned_on"]), "due_on": as_date(x["due_on"]),
                "verified_by": x["verified_by"] or "",
                "verified_on": as_date(x["verified_on"]),
                "effective": None if x["effective"] is None else bool(x["effective"]),
                "result_label": ("" if x["verified_on"] is None
                                 else gettext("Effective") if x["effective"]
                                 else gettext("Not effective")),
                "note": x["note"] or "",
            } for x in finding["actions"]],
        })
    return findings


def finding_statement(a: _Audit, finding: dict[str, Any], clause_titles: dict[str, str]
                      ) -> str:
    """A finding of the audit written in the report's language from its data: what was
    found (the item, the value measured against the target, the objects behind it: which
    requests were late and by how many working days, which documents are past review),
    where (the unit), the requirement (clause and title). Empty for a finding recorded by
    hand, whose description is the statement."""
    from qmstrack.errors import NotFound
    from qmstrack.metric_catalogue import labels

    if not finding.get("item_id") or finding.get("audit_id") is None:
        return ""
    try:
        item = a.checklist.find_item(finding["item_id"])
    except NotFound:
        return ""
    _ = a.gettext
    seen = json.loads(finding.get("seen_in") or "[]")
    entry = next((e for e in seen if e.get("audit") == a.audit["id"]), seen[-1] if seen
                 else {})
    parts = [item.text("question", a.lang)]
    if item.is_metric and entry.get("measured") is not None:
        kind = metric_kind(item.metric)
        label = labels().get(item.metric or "")
        target = next((r["target"] for r in a.audit["results"]
                       if r["item_id"] == item.id), None) or item.target_text
        parts.append(_("Measured {value} against the target {target} ({indicator}).").format(
            value=format_value(entry["measured"], kind, a.lang),
            target=format_target(target, kind, a.lang),
            indicator=_(label) if label else item.metric))
    elif not item.is_metric:
        note = next((r["note"] for r in a.audit["results"] if r["item_id"] == item.id), "")
        if note:
            parts.append(note)
    if finding.get("unit"):
        parts.append(_("Unit: {unit}.").format(
            unit=f"{finding['unit']} – {a.units.get(finding['unit'], finding['unit'])}"))
    title = clause_titles.get(finding["clause_ref"], "")
    parts.append(_("Requirement: clause {clause} {title}.").format(
        clause=finding["clause_ref"], title=title).replace(" .", "."))
    objects = [_object_text(o, a) for o in entry.get("objects") or []]
    if objects:
        parts.append(_("Evidence: {objects}.").format(objects="; ".join(objects)))
    return " ".join(parts)


def _object_text(obj: dict[str, Any], a: _Audit) -> str:
    from qmstrack.i18n import format_date, translations

    ngettext = translations(a.lang).ngettext
    kind = obj.get("kind")
    if kind == "late_request":
        n = int(obj["days_late"])
        return ngettext("{ref}, completed {n} working day late",
                        "{ref}, completed {n} working days late", n).format(ref=obj["ref"],
                                                                             n=n)
    if kind == "overdue_request":
        n = int(obj["days_late"])
        return ngettext("{ref}, open {n} working day past its due date",
                        "{ref}, open {n} working days past its due date", n).format(
            ref=obj["ref"], n=n)
    if kind == "stale_document":
        return a.gettext("document {ref} {title}, review due {due}").format(
            ref=obj["ref"], title=obj["title"],
            due=format_date(date.fromisoformat(obj["review_due_on"]), a.lang))
    if kind == "overdue_finding":
        return a.gettext("finding {ref}, corrective action due {due}").format(
            ref=obj["ref"], due=format_date(date.fromisoformat(obj["due_on"]), a.lang))
    return str(obj.get("ref", ""))


def _coverage(a: _Audit) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The 12-month programme at the end of the audit period, and the clauses still due."""
    from qmstrack.audit_programme import clause_coverage, due_clauses

    coverage = clause_coverage(a.db, a.checklist, a.period.end, a.scope)
    uncovered = due_clauses(a.checklist, coverage, a.lang)
    return ({"total": len(coverage), "due": len(uncovered),
             "covered": len(coverage) - len(uncovered),
             "rate": (len(coverage) - len(uncovered)) / len(coverage) if coverage else None},
            uncovered)


def _monthly(a: _Audit) -> tuple[list[dict[str, Any]], dict[str, float | None]]:
    """Twelve months of request and adherence figures up to the audit period, and the
    checklist's targets for them."""
    monthly = []
    for month in months_back(a.period.end, TREND_MONTHS):
        monthly.append({
            "month": month.start, "label": month_name(month.start, a.lang),
            "short_label": month_name(month.start, a.lang, "LLL"),
            "completed": _compute(a.db, "requests.completed", month, a.scope),
            "on_time_rate": _compute(a.db, "requests.on_time_rate", month, a.scope),
            "observations": _compute(a.db, "adherence.observations", month, a.scope),
            "adherence_rate": _compute(a.db, "adherence.rate", month, a.scope),
        })
    targets = {"on_time_rate": a.checklist.lower_target("requests.on_time_rate"),
               "adherence_rate": a.checklist.lower_target("adherence.rate")}
    return monthly, targets


def _charts(a: _Audit, sections: list[dict[str, Any]], grades: list[dict[str, Any]],
            monthly: list[dict[str, Any]], targets: dict[str, float | None]
            ) -> dict[str, str]:
    """Results by clause (stacked bars) and the monthly rates against their targets."""
    from qmstrack import charts
    from qmstrack.i18n import format_number, format_percent

    gettext, lang = a.gettext, a.lang

    def pct(x: float) -> str:
        return format_percent(x, lang)

    def whole(x: float) -> str:
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
    return {"grades_by_clause": chart_grades, "monthly_rates": chart_rates}


def _objectives_missed(a: _Audit) -> list[dict[str, Any]]:
    """Quality objectives of the audited units missed in the two periods before the end of
    the audit period (the day after it: a period ending on the last day is complete)."""
    from qmstrack.objectives import objectives_missed_twice

    return missed_objective_rows(
        (o for o in objectives_missed_twice(a.db, a.period.end + timedelta(days=1))
         if o["unit"] in a.scope), a.lang, _unit_names(a.db, a.scope))


def missed_objective_rows(objectives: Iterable[dict[str, Any]], lang: str,
                          unit_names: dict[str, str]) -> list[dict[str, Any]]:
    """Objectives missed twice in a row (:func:`qmstrack.objectives.objectives_missed_twice`)
    with their two periods, values and target written for people."""
    from qmstrack.i18n import translations

    gettext = translations(lang).gettext
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
                         "label": span_text(p["period"], lang),
                         "value": p["value"],
                         "value_text": format_value(p["value"], kind, lang)}
                        for p in o["periods"]],
        })
    return rows


# --- lookups ----------------------------------------------------------------------------------


def _compute(db: sqlite_utils.Database, name: str, period: Period, units: Sequence[str]):
    from qmstrack.metrics import compute

    try:
        return compute(db, name, period, Scope(tuple(units)))
    except NotFound:
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


# --- rendering and writing --------------------------------------------------------------------


def render_audit_report(db: sqlite_utils.Database, audit_id: int, fmt: str,
                        lang: str = "id", template_dir: str | os.PathLike | None = None, *,
                        context: dict[str, Any] | None = None) -> str | bytes:
    """The audit report in one format: ``md`` or ``html`` as text, ``pdf`` as bytes."""
    return _render(fmt, lang, template_dir,
                   context or build_audit_context(db, audit_id, lang))


def docx_document(context: dict[str, Any]) -> dict[str, Any]:
    """The report as a :mod:`qmstrack.word` description: the audit's facts, the results
    clause by clause, the findings and their actions, the approval signatures."""
    from qmstrack.figures import date_short
    from qmstrack.i18n import translations

    gettext = translations(context["lang"]).gettext
    a = context["audit"]
    results = [[r["item_id"], r["question"], r["grade_label"],
                (f"{r['measured_text']} / {r['target_text']}" if r["metric"] else ""),
                r["finding_ref"]]
               for section in context["sections"] for clause in section["clauses"]
               for r in clause["results"]]
    findings = [[f["ref_no"], f"{f['clause_ref']} {f['clause_title']}".strip(),
                 f["grade_label"], f["description"], date_short(f["due_on"], context["lang"]),
                 f["status_label"]] for f in context["findings"]]
    checklist = a["checklist"]
    return {
        "lang": context["lang"],
        "office": context["office"],
        "title": gettext("Internal Audit Report"),
        "subtitle": f"{a['period_text']} · {gettext('Audit no.')} {a['id']}",
        "facts": [
            (gettext("Organisation"), context["org_name"] or "–"),
            (gettext("Period"), a["period_text"]),
            (gettext("Scope"), ", ".join(f"{u['code']} – {u['name']}"
                                         for u in context["units"])),
            (gettext("Checklist"), f"{checklist['title']} ({checklist['id']}, "
                                   f"{gettext('version')} {checklist['version']})"),
            (gettext("Lead auditor"), a["lead_auditor"] or "–"),
            (gettext("Status"), a["status_label"]),
        ],
        "blocks": [
            {"heading": gettext("Results clause by clause"),
             "headers": [gettext("Item"), gettext("Question"), gettext("Grade"),
                         gettext("Measured / target"), gettext("Finding")],
             "rows": results, "widths": (20, 70, 24, 30, 26), "empty": "–"},
            {"heading": gettext("Findings and corrective actions"),
             "headers": [gettext("Finding"), gettext("Clause"), gettext("Grade"),
                         gettext("Description"), gettext("Due date"), gettext("Status")],
             "rows": findings, "widths": (26, 22, 24, 54, 22, 22),
             "empty": gettext("This audit raised no findings.")},
        ],
        "closing": [],
        "signatures": [gettext("Lead auditor"), gettext("Head of office")],
        "name_label": gettext("Name"), "date_label": gettext("Date"),
    }


def _render(fmt: str, lang: str, template_dir, context: dict[str, Any]) -> str | bytes:
    if fmt == "docx":
        from qmstrack.word import render_docx

        return render_docx(docx_document(context))
    (fmt,) = check_formats([fmt])
    if fmt == "pdf":
        from qmstrack.pdf import html_to_pdf

        return html_to_pdf(render_template(FORMATS["html"], lang, template_dir, context))
    return render_template(FORMATS[fmt], lang, template_dir, context)


def report_filename(audit: dict[str, Any], fmt: str, lang: str) -> str:
    """``audit-<id>-<YYYY-MM of period start>-<lang>.<fmt>``."""
    return f"audit-{audit['id']}-{str(audit['period_start'])[:7]}-{lang}.{fmt}"


def write_audit_reports(db: sqlite_utils.Database, audit_id: int, out_dir: str | os.PathLike,
                        formats: Sequence[str] = ("md", "html"), lang: str = "id",
                        template_dir: str | os.PathLike | None = None, *,
                        today: date | None = None) -> list[Path]:
    """Render the audit report in each format and write the files atomically into
    ``out_dir`` (created if needed); return their paths."""
    asked = [str(f).strip().lower() for f in formats]
    # docx is the audit report's own (qmstrack.word); the other formats are every report's.
    wanted = (check_formats([f for f in asked if f != "docx"])
              if not asked or any(f != "docx" for f in asked) else [])
    if "docx" in asked:
        wanted.append("docx")
    context = build_audit_context(db, audit_id, lang, today=today)
    lang = context["lang"]
    rendered: list[tuple[str, str | bytes]] = []
    html: str | bytes | None = None
    for fmt in wanted:
        if fmt == "pdf":
            from qmstrack.pdf import html_to_pdf

            if not isinstance(html, str):
                html = render_template(FORMATS["html"], lang, template_dir, context)
            rendered.append((fmt, html_to_pdf(html)))
            continue
        rendered.append((fmt, _render(fmt, lang, template_dir, context)))
        if fmt == "html":
            html = rendered[-1][1]
    return write_report_files(out_dir, [(report_filename(context["audit"], fmt, lang), text)
                                        for fmt, text in rendered])
