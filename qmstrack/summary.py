"""The nightly summary: the figures of a period in one dict, and the digest people read.

:func:`build_summary` gathers, for a period and a set of units, the request, adherence,
finding, complaint and satisfaction figures from the *same* functions the metric registry
uses (``qmstrack.metric_defs``, ``qmstrack.registers.complaints`` and
``qmstrack.satisfaction``), plus the lists of overdue requests, overdue corrective actions,
complaints not answered in time, overdue management review actions and overdue
risk treatments, and the quality
objectives missed in the two
periods before the day after the period (the audit uses the same rule,
:func:`qmstrack.objectives.objectives_missed_twice`). :func:`render_text` and
:func:`render_markdown`
turn it into a short digest in Indonesian or English that a head of office reads in ten
seconds; JSON is the dict itself. :func:`write_atomic` writes a file so that a reader
(a mailer, a web server) never sees it half-written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_now, office_zone_name
from qmstrack.periods import Period
from qmstrack.scope import Scope

LIST_CAP = 20
FORMATS = ("text", "md", "json", "html", "pdf")
_FORMAT_ALIASES = {"text": "text", "txt": "text", "plain": "text", "md": "md",
                   "markdown": "md", "json": "json", "html": "html", "pdf": "pdf"}


def parse_format(value: str) -> str:
    from qmstrack.errors import InvalidInput

    fmt = _FORMAT_ALIASES.get(str(value).strip().lower())
    if fmt is None:
        raise InvalidInput(f"The format {value!r} is not one of text, md, json, html, pdf.")
    return fmt


# --- the figures ----------------------------------------------------------------------


def overdue_requests(db: sqlite_utils.Database, period: Period, scope: Scope,
                     calendar=None) -> list[dict[str, Any]]:
    """Requests open at the end of the period and due before it, by due date.

    ``days_late`` is the number of working days from the due date to the end date.
    """
    from qmstrack.calendar import WorkingCalendar

    calendar = calendar or WorkingCalendar.from_db(db)
    where, params = scope.where("unit", "service_code")
    e = period.end.isoformat()
    # Open at the end = never closed, or closed after the end: two disjoint ranges of
    # idx_requests_closed (one OR would let SQLite read every request received before;
    # the unary + keeps it from choosing idx_requests_received for the second range).
    cursor = db.execute(
        f"""
        SELECT ref_no, service_code, unit, received_on, due_on FROM requests
        WHERE closed_on IS NULL AND received_on <= ? AND due_on < ? AND {where}
        UNION ALL
        SELECT ref_no, service_code, unit, received_on, due_on FROM requests
        WHERE closed_on > ? AND +received_on <= ? AND due_on < ? AND {where}
        ORDER BY due_on, received_on, ref_no
        """, [e, e, *params, e, e, e, *params])
    days_late: dict[str, int] = {}  # many overdue requests share a due date
    out = []
    for ref, service, unit, received, due in cursor:
        late = days_late.get(due)
        if late is None:
            late = days_late[due] = calendar.working_days_between(
                date.fromisoformat(due), period.end)
        out.append({"ref_no": ref, "service_code": service, "unit": unit,
                    "received_on": received, "due_on": due, "days_late": late})
    return out


def overdue_findings(db: sqlite_utils.Database, period: Period,
                     scope: Scope) -> list[dict[str, Any]]:
    """Findings open at the end of the period whose corrective action was due before it."""
    where, params = scope.where("unit")
    e = period.end.isoformat()
    cursor = db.execute(
        f"""
        SELECT ref_no, grade, clause_ref, due_on, unit FROM findings
        WHERE raised_on <= ? AND (closed_on IS NULL OR closed_on > ?)
          AND due_on IS NOT NULL AND due_on < ? AND {where}
        ORDER BY due_on, ref_no
        """, [e, e, e, *params])
    return [{"ref_no": ref, "grade": grade, "clause_ref": clause, "due_on": due, "unit": unit}
            for ref, grade, clause, due, unit in cursor]


def overdue_complaints(db: sqlite_utils.Database, period: Period, scope: Scope,
                       calendar=None) -> list[dict[str, Any]]:
    """Complaints open at the end of the period, not answered by then, whose response was
    due before it (the definition of ``complaints.overdue``), by due date. No complainant,
    contact or subject: the summary goes by mail.

    ``days_late`` is the number of working days from the due date to the end date.
    """
    from qmstrack.calendar import WorkingCalendar

    calendar = calendar or WorkingCalendar.from_db(db)
    where, params = scope.where("unit")
    e = period.end.isoformat()
    cursor = db.execute(
        f"""
        SELECT ref_no, channel, unit, received_on, response_due_on FROM complaints
        WHERE received_on <= ? AND (closed_on IS NULL OR closed_on > ?)
          AND (responded_on IS NULL OR responded_on > ?) AND response_due_on < ? AND {where}
        ORDER BY response_due_on, received_on, ref_no
        """, [e, e, e, e, *params])
    return [{"ref_no": ref, "channel": channel, "unit": unit, "received_on": received,
             "due_on": due,
             "days_late": calendar.working_days_between(date.fromisoformat(due), period.end)}
            for ref, channel, unit, received, due in cursor]


def overdue_review_actions(db: sqlite_utils.Database, period: Period,
                           units: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Actions of management reviews held by the end of the period, still open at its end
    and due before it (:func:`qmstrack.reviews.action_state`); for some units, those whose
    owner belongs to one of them."""
    marks = ", ".join("?" for _ in units)
    unit_clause = f"AND s.unit IN ({marks})" if units else ""
    e = period.end.isoformat()
    cursor = db.execute(
        f"""
        SELECT a.id, a.review_id, r.held_on, a.owner_nip, s.unit, a.due_on
        FROM review_actions a JOIN reviews r ON r.id = a.review_id
        LEFT JOIN staff s ON s.nip = a.owner_nip
        WHERE r.held_on <= ? AND (a.closed_on IS NULL OR a.closed_on > ?)
          AND a.due_on IS NOT NULL AND a.due_on < ? {unit_clause}
        ORDER BY a.due_on, a.id
        """, [e, e, e, *units])
    return [{"id": action, "review_id": review, "held_on": held, "owner_nip": owner or "",
             "unit": unit or "", "due_on": due}
            for action, review, held, owner, unit, due in cursor]


def overdue_survey_actions(db: sqlite_utils.Database, period: Period,
                           scope: Scope) -> dict[str, Any]:
    """SKM follow-up actions open at the end of the period and due before it:
    ``{overdue, overdue_list}``."""
    from qmstrack.registers.survey_actions import list_actions

    rows = [{k: a[k] for k in ("id", "element", "action", "owner_nip", "unit", "due_on")}
            for a in list_actions(db, units=scope.units, overdue_on=period.end,
                                  today=period.end)]
    return {"overdue": len(rows), "overdue_list": rows}


def build_summary(db: sqlite_utils.Database, period: Period, units: Sequence[str] = (), *,
                  now: datetime | None = None) -> dict[str, Any]:
    """Every figure of the summary for a period and units (empty = all units).

    Rates are fractions 0-1 (None when there is nothing to rate); dates are ISO strings.
    """
    from qmstrack.db import get_setting
    from qmstrack.metric_defs import adherence_counts, finding_counts, request_counts
    from qmstrack.objectives import objectives_missed_twice
    from qmstrack.registers.complaints import complaint_counts
    from qmstrack.registers.risks import overdue_treatments
    from qmstrack.satisfaction import satisfaction_figures

    scope = Scope(units=tuple(units))
    requests = request_counts(db, period, scope)
    adherence = adherence_counts(db, period, scope)
    findings = finding_counts(db, period, scope)
    satisfaction = satisfaction_figures(db, period, scope, sample=True)
    complaints = complaint_counts(db, period, scope)
    late_complaints = overdue_complaints(db, period, scope)
    late_actions = overdue_review_actions(db, period, units)
    all_units = [r[0] for r in db.execute("SELECT code FROM units ORDER BY code")]
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        # Office time with its offset: the footer shows it with the zone's abbreviation.
        "generated_at": (now or office_now(db)).isoformat(timespec="seconds"),
        "timezone": office_zone_name(db),
        "org_name": get_setting(db, "org_name") or "",
        "units": sorted(units) if units else all_units,
        "all_units": not units,
        "requests": requests,
        "adherence": adherence,
        "findings": findings,
        "satisfaction": {k: satisfaction[k] for k in
                         ("responses", "ikm", "category", "category_label", "weight",
                          "sample")},
        "overdue_requests": overdue_requests(db, period, scope),
        "overdue_findings": overdue_findings(db, period, scope),
        "complaints": {"received": complaints["received"],
                       "responded": complaints["responded"],
                       "response_on_time_rate": complaints["response_on_time_rate"],
                       "overdue": len(late_complaints), "overdue_list": late_complaints},
        "review_actions": {"overdue": len(late_actions), "overdue_list": late_actions},
        "survey_actions": overdue_survey_actions(db, period, scope),
        "overdue_risk_treatments": overdue_treatments(db, period, scope),
        # A period ending on the last day of the summary is complete by then.
        "objectives_missed_twice": [
            o for o in objectives_missed_twice(db, period.end + timedelta(days=1))
            if not units or o["unit"] in units],
    }


def needs_attention(summary: dict[str, Any]) -> bool:
    """True when anything is overdue: a request, a corrective action, a complaint's
    response or a management review action (an objective missed twice is reported, but is
    not "overdue")."""
    return bool(summary["requests"]["overdue"] or summary["findings"]["overdue"]
                or summary["overdue_requests"] or summary["overdue_findings"]
                or summary["complaints"]["overdue"] or summary["review_actions"]["overdue"]
                or summary.get("survey_actions", {}).get("overdue")
                or summary.get("overdue_risk_treatments"))


# --- the digest -----------------------------------------------------------------------


class _Digest:
    """The digest's sentences in one language, shared by the text and Markdown layouts."""

    def __init__(self, summary: dict[str, Any], lang: str):
        from qmstrack.i18n import translations

        t = translations(lang)
        self.s = summary
        self.lang = lang
        self._ = t.gettext
        self.ngettext = t.ngettext

    def n(self, value) -> str:
        from qmstrack.i18n import format_number

        return format_number(value, self.lang)

    def pct(self, value) -> str:
        from qmstrack.i18n import format_percent

        return format_percent(value, self.lang)

    def day(self, iso: str, full: bool = False) -> str:
        from qmstrack.i18n import format_date

        return format_date(date.fromisoformat(iso), self.lang, full=full)

    def title(self) -> str:
        _ = self._
        org = self.s.get("org_name") or ""
        return _("Quality summary – {org}").format(org=org) if org else _("Quality summary")

    def period(self) -> str:
        from qmstrack.i18n import format_period

        p = self.s["period"]
        return format_period(date.fromisoformat(p["start"]), date.fromisoformat(p["end"]),
                             self.lang)

    def units(self) -> str:
        _ = self._
        if self.s.get("all_units"):
            return _("Units: all ({units})").format(units=", ".join(self.s["units"]))
        return _("Units: {units}").format(units=", ".join(self.s["units"]))

    def status(self) -> str:
        _, ngettext = self._, self.ngettext
        late_requests = self.s["requests"]["overdue"]
        late_findings = self.s["findings"]["overdue"]
        late_complaints = self.s["complaints"]["overdue"]
        late_actions = self.s["review_actions"]["overdue"]
        late_skm = self.s.get("survey_actions", {}).get("overdue", 0)
        late_risks = len(self.s.get("overdue_risk_treatments") or [])
        if not (late_requests or late_findings or late_complaints or late_actions
                or late_skm or late_risks):
            return _("Nothing is overdue.")
        parts = []
        if late_requests:
            parts.append(ngettext("{n} overdue request", "{n} overdue requests",
                                  late_requests).format(n=self.n(late_requests)))
        if late_findings:
            parts.append(ngettext("{n} overdue corrective action",
                                  "{n} overdue corrective actions",
                                  late_findings).format(n=self.n(late_findings)))
        if late_complaints:
            parts.append(ngettext("{n} complaint not answered in time",
                                  "{n} complaints not answered in time",
                                  late_complaints).format(n=self.n(late_complaints)))
        if late_actions:
            parts.append(ngettext("{n} overdue management review action",
                                  "{n} overdue management review actions",
                                  late_actions).format(n=self.n(late_actions)))
        if late_skm:
            parts.append(ngettext("{n} overdue SKM follow-up action",
                                  "{n} overdue SKM follow-up actions",
                                  late_skm).format(n=self.n(late_skm)))
        if late_risks:
            parts.append(ngettext("{n} overdue risk treatment", "{n} overdue risk treatments",
                                  late_risks).format(n=self.n(late_risks)))
        return _("Needs attention: {items}.").format(items=", ".join(parts))

    def request_lines(self) -> list[str]:
        _ = self._
        r = self.s["requests"]
        lines = [
            _("Received: {received}, completed: {completed}, rejected: {rejected}").format(
                received=self.n(r["received"]), completed=self.n(r["completed"]),
                rejected=self.n(r["rejected"])),
        ]
        if r["completed"]:
            lines.append(_("On time: {on_time} of {completed} completed ({rate})").format(
                on_time=self.n(r["on_time"]), completed=self.n(r["completed"]),
                rate=self.pct(r["on_time_rate"])))
        else:
            lines.append(_("On time: no request completed in the period"))
        lines.append(_("Open: {open}, overdue: {overdue}").format(
            open=self.n(r["open"]), overdue=self.n(r["overdue"])))
        return lines

    def adherence_line(self) -> str:
        _ = self._
        a = self.s["adherence"]
        if not a["observations"]:
            return _("SOP adherence: no observations")
        return _("SOP adherence: {rate} ({comply} comply, {breach} breach, {na} not "
                 "applicable)").format(rate=self.pct(a["rate"]), comply=self.n(a["comply"]),
                                       breach=self.n(a["breach"]),
                                       na=self.n(a.get("na", 0)))

    def findings_line(self) -> str:
        f = self.s["findings"]
        return self._("Findings: {open} open, {overdue} overdue").format(
            open=self.n(f["open"]), overdue=self.n(f["overdue"]))

    def category_name(self, letter: str) -> str:
        from qmstrack.satisfaction import category_letter

        return self._(category_letter(letter).message)

    def satisfaction_line(self) -> str:
        from qmstrack.i18n import format_number
        from qmstrack.satisfaction import rounded_ikm

        _, ngettext = self._, self.ngettext
        sat = self.s["satisfaction"]
        if not sat["responses"] or sat["ikm"] is None:
            return _("Public satisfaction (IKM): no survey responses")
        responses = ngettext("{n} response", "{n} responses", sat["responses"]).format(
            n=self.n(sat["responses"]))
        line = _("Public satisfaction (IKM): {ikm}, {category} ({label}), {responses}").format(
            ikm=format_number(rounded_ikm(sat["ikm"]), self.lang, decimals=2),
            category=sat["category"], label=self.category_name(sat["category"]),
            responses=responses)
        sample = sat.get("sample")
        if sample:
            from qmstrack.satisfaction import weight_text

            line += "; " + _("sample required {required} (Krejcie-Morgan, population "
                             "{population}), weight {weight}").format(
                required=self.n(sample["required"]), population=self.n(sample["population"]),
                weight=weight_text(sat["weight"]))
            if not sample["adequate"]:
                line += ": " + _("indicative (not representative)")
        return line

    def overdue_survey_action_items(self) -> tuple[str, list[tuple[str, str]], int]:
        _ = self._
        rows = self.s.get("survey_actions", {}).get("overdue_list", [])
        items = []
        for row in rows[:LIST_CAP]:
            detail = _("{element}: {action}, owner {owner}, due {due}").format(
                element=row["element"], action=row["action"][:80], owner=row["owner_nip"],
                due=self.day(row["due_on"]))
            items.append((f"#{row['id']}", detail))
        heading = _("Overdue SKM follow-up actions ({n})").format(n=self.n(len(rows)))
        return heading, items, max(0, len(rows) - LIST_CAP)

    def overdue_request_items(self) -> tuple[str, list[tuple[str, str]], int]:
        _, ngettext = self._, self.ngettext
        rows = self.s["overdue_requests"]
        items = []
        for row in rows[:LIST_CAP]:
            detail = _("{service}, {unit}, due {due}").format(
                service=row["service_code"], unit=row["unit"], due=self.day(row["due_on"]))
            if row["days_late"]:
                detail += ", " + ngettext("{n} working day late", "{n} working days late",
                                          row["days_late"]).format(n=self.n(row["days_late"]))
            items.append((row["ref_no"], detail))
        heading = _("Overdue requests ({n})").format(n=self.n(len(rows)))
        return heading, items, max(0, len(rows) - LIST_CAP)

    def overdue_finding_items(self) -> tuple[str, list[tuple[str, str]], int]:
        _ = self._
        rows = self.s["overdue_findings"]
        grades = {"major": _("major"), "minor": _("minor"), "observation": _("observation")}
        items = []
        for row in rows[:LIST_CAP]:
            detail = _("{grade}, clause {clause}, due {due}").format(
                grade=grades.get(row["grade"], row["grade"]), clause=row["clause_ref"],
                due=self.day(row["due_on"]))
            if row.get("unit"):
                detail += f", {row['unit']}"
            items.append((row["ref_no"], detail))
        heading = _("Overdue corrective actions ({n})").format(n=self.n(len(rows)))
        return heading, items, max(0, len(rows) - LIST_CAP)

    def complaints_line(self) -> str:
        c = self.s["complaints"]
        return self._("Complaints: {received} received, {responded} of them answered, "
                      "{overdue} not answered in time").format(
            received=self.n(c["received"]), responded=self.n(c["responded"]),
            overdue=self.n(c["overdue"]))

    def overdue_complaint_items(self) -> tuple[str, list[tuple[str, str]], int]:
        _, ngettext = self._, self.ngettext
        rows = self.s["complaints"]["overdue_list"]
        items = []
        for row in rows[:LIST_CAP]:
            detail = _("{unit}, received {received}, response due {due}").format(
                unit=row["unit"] or "–", received=self.day(row["received_on"]),
                due=self.day(row["due_on"]))
            if row["days_late"]:
                detail += ", " + ngettext("{n} working day late", "{n} working days late",
                                          row["days_late"]).format(n=self.n(row["days_late"]))
            items.append((row["ref_no"], detail))
        heading = _("Complaints not answered in time ({n})").format(n=self.n(len(rows)))
        return heading, items, max(0, len(rows) - LIST_CAP)

    def overdue_action_items(self) -> tuple[str, list[tuple[str, str]], int]:
        _ = self._
        rows = self.s["review_actions"]["overdue_list"]
        items = []
        for row in rows[:LIST_CAP]:
            detail = _("management review of {held}, due {due}").format(
                held=self.day(row["held_on"]), due=self.day(row["due_on"]))
            if row["owner_nip"]:
                detail += f", {row['owner_nip']}"
            items.append((f"#{row['id']}", detail))
        heading = _("Overdue management review actions ({n})").format(n=self.n(len(rows)))
        return heading, items, max(0, len(rows) - LIST_CAP)

    def overdue_risk_items(self) -> tuple[str, list[tuple[str, str]], int]:
        _ = self._
        rows = self.s.get("overdue_risk_treatments") or []
        items = [(row["ref_no"], _("{unit}, treatment due {due}: {description}").format(
            unit=row["unit"], due=self.day(row["due_on"]),
            description=row["description"][:80])) for row in rows[:LIST_CAP]]
        heading = _("Overdue risk treatments ({n})").format(n=self.n(len(rows)))
        return heading, items, max(0, len(rows) - LIST_CAP)

    def missed_objective_items(self) -> tuple[str, list[tuple[str, str]], int]:
        from qmstrack.figures import format_target, format_value, objective_kind, span_text

        _ = self._
        rows = self.s.get("objectives_missed_twice") or []
        items = []
        for row in rows[:LIST_CAP]:
            kind = objective_kind(row)
            values = ", ".join(
                f"{span_text(p['period'], self.lang)} "
                f"{format_value(p['value'], kind, self.lang)}" for p in row["periods"])
            title = row["title"] + (f" ({row['service_code']})" if row.get("service_code")
                                    else "")
            detail = _("{title}: {values} against a target of {target}").format(
                title=title, values=values,
                target=format_target(row["target"], kind, self.lang))
            items.append((f"#{row['id']} {row['unit']}", detail))
        heading = _("Objectives missed twice in a row ({n})").format(n=self.n(len(rows)))
        return heading, items, max(0, len(rows) - LIST_CAP)

    def more(self, count: int) -> str:
        return self._("… and {n} more").format(n=self.n(count))

    def section_requests(self) -> str:
        return self._("Service requests")

    def footer(self) -> str:
        generated = self.s.get("generated_at", "")
        if generated and self.s.get("timezone"):
            from qmstrack.clock import format_instant, zone

            generated = format_instant(generated, zone(self.s["timezone"]))
        return self._("Generated by qmstrack at {time}.").format(time=generated)


def render_text(summary: dict[str, Any], lang: str) -> str:
    """The plain-text digest (for a terminal, a cron mail or a file)."""
    d = _Digest(summary, lang)
    lines = [d.title(), d.period(), d.units(), "", d.status(), "", d.section_requests()]
    lines += [f"  {line}" for line in d.request_lines()]
    lines += [d.adherence_line(), d.findings_line(), d.complaints_line(),
              d.satisfaction_line()]
    for heading, items, more in (d.overdue_request_items(), d.overdue_finding_items(),
                                 d.overdue_complaint_items(), d.overdue_action_items(),
                                 d.overdue_survey_action_items(),
                                 d.overdue_risk_items(), d.missed_objective_items()):
        if not items:
            continue
        lines += ["", heading]
        width = max(len(ref) for ref, _ in items)
        lines += [f"  {ref:<{width}}  {detail}" for ref, detail in items]
        if more:
            lines.append(f"  {d.more(more)}")
    lines += ["", d.footer()]
    return "\n".join(_plain(line) for line in lines) + "\n"


def _plain(text: str) -> str:
    # Users typed the organisation name and reference numbers: no control characters
    # (an ANSI escape in a name must not reach a terminal or a mail).
    return "".join(ch if ch.isprintable() else "?" for ch in text)


# Characters that mean something inside a Markdown line (user text never starts a line
# here: every line begins with "# ", "- " or "**").
_MD_SPECIAL = set("\\`*_[]<>!|~&")


def md_escape(text: str) -> str:
    """Escape Markdown (and inline HTML) in text users typed."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in _plain(str(text)))


def render_markdown(summary: dict[str, Any], lang: str) -> str:
    """The Markdown digest (for a wiki, a mail in Markdown, or conversion to HTML)."""
    d = _Digest(summary, lang)
    e = md_escape
    lines = [f"# {e(d.title())}", "", f"**{e(d.period())}** · {e(d.units())}", "",
             f"**{e(d.status())}**", "", f"## {e(d.section_requests())}", ""]
    lines += [f"- {e(line)}" for line in d.request_lines()]
    lines += ["", f"- {e(d.adherence_line())}", f"- {e(d.findings_line())}",
              f"- {e(d.complaints_line())}", f"- {e(d.satisfaction_line())}"]
    for heading, items, more in (d.overdue_request_items(), d.overdue_finding_items(),
                                 d.overdue_complaint_items(), d.overdue_action_items(),
                                 d.overdue_survey_action_items(),
                                 d.overdue_risk_items(), d.missed_objective_items()):
        if not items:
            continue
        lines += ["", f"## {e(heading)}", ""]
        lines += [f"- **{e(ref)}**: {e(detail)}" for ref, detail in items]
        if more:
            lines.append(f"- {e(d.more(more))}")
    lines += ["", f"_{e(d.footer())}_"]
    return "\n".join(lines) + "\n"


def render_html(summary: dict[str, Any], lang: str,
                office: dict[str, Any] | None = None) -> str:
    """The daily page for the head of office: one self-contained HTML file with the
    digest's figures and lists, a bar chart of the overdue requests per unit (with their
    counts), and the office's letterhead and page margins (``office``, from
    :func:`qmstrack.letterhead.office_identity`)."""
    from collections import Counter

    from qmstrack import charts
    from qmstrack.i18n import format_number, translations
    from qmstrack.reports import render_template

    d = _Digest(summary, lang)
    per_unit = Counter(r["unit"] or "–" for r in summary["overdue_requests"])
    chart = ""
    if per_unit:
        units = sorted(per_unit)
        chart = charts.horizontal_bar_chart(
            units, [per_unit[u] for u in units], title=d.section_requests(),
            maximum=max(per_unit.values()), value_text=lambda v: format_number(v, lang))
    context: dict[str, Any] = {
        "lang": lang, "d": d, "org_name": summary.get("org_name") or "",
        "attention": needs_attention(summary),
        "lists": [d.overdue_request_items(), d.overdue_finding_items(),
                  d.overdue_survey_action_items(), d.missed_objective_items()],
        "chart": chart,
        "chart_caption": translations(lang).gettext("Overdue requests per unit"),
    }
    if office is not None:
        context["office"] = office
    return render_template("summary.html.j2", lang, None, context)


def render_pdf(summary: dict[str, Any], lang: str,
               office: dict[str, Any] | None = None) -> bytes:
    """The daily page as a PDF (:mod:`qmstrack.pdf`)."""
    from qmstrack.pdf import html_to_pdf

    return html_to_pdf(render_html(summary, lang, office))


def render(summary: dict[str, Any], fmt: str, lang: str, *,
           ascii_json: bool = False, office: dict[str, Any] | None = None) -> str:
    """The summary as ``text``, ``md``, ``json`` (``ascii_json``: with ``\\u`` escapes,
    for an output that cannot take every character) or ``html``."""
    if fmt == "html":
        return render_html(summary, lang, office)
    if fmt == "json":
        return _json_text(summary, ascii_json) + "\n"
    if fmt == "md":
        return render_markdown(summary, lang)
    return render_text(summary, lang)


def _json_text(value: Any, ascii_only: bool = False) -> str:
    """JSON indented by two spaces, with each record of a list on one line.

    The shape of sqlite-utils' row output: the figures stay easy to read, and the lists of
    overdue requests (hundreds of records in a large office) are written by the C encoder,
    which ``indent=`` would turn off.
    """
    import json

    encode = json.JSONEncoder(ensure_ascii=ascii_only).encode

    def text(value: Any, indent: str) -> str:
        inner = indent + "  "
        if isinstance(value, dict) and value:
            items = ",\n".join(f"{inner}{encode(str(k))}: {text(v, inner)}"
                               for k, v in value.items())
            return f"{{\n{items}\n{indent}}}"
        if isinstance(value, list) and value:
            items = ",\n".join(inner + (encode(v) if isinstance(v, dict) else text(v, inner))
                               for v in value)
            return f"[\n{items}\n{indent}]"
        return encode(value)

    return text(value, "")


# --- writing --------------------------------------------------------------------------


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` through a temp file in the same directory and a rename.

    A reader sees the old file or the new one, never half of one; a failure leaves the old
    file as it was and no temp file behind.
    """
    from qmstrack.errors import InvalidInput

    target = Path(path).expanduser()
    if target.is_dir():
        raise InvalidInput(f"{target} is a directory; --out needs a file name.")
    directory = target.parent
    if not directory.is_dir():
        raise InvalidInput(f"Cannot write {target}: the directory {directory} does not exist.")
    from qmstrack.atomic import default_mode, write_atomically

    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = default_mode()
    except OSError as exc:
        raise InvalidInput(f"Cannot write {target}: {exc.strerror}.") from None
    try:
        write_atomically(target, text, mode=mode)
    except OSError as exc:
        raise InvalidInput(f"Cannot write {target}: {exc.strerror or exc}.") from None
    return target
