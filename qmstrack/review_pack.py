"""The management review pack (ISO 9001:2015 clause 9.3.2): the inputs of a review, compiled
from the records for a period, rendered to Markdown and HTML.

 :func:`build_pack_context` gathers, for a period, everything the review pack
shows into one plain dictionary; both templates (``review_pack.md.j2`` and
``review_pack.html.j2``) render that same dictionary and compute nothing, so the Markdown and
the HTML pack cannot disagree. The sections follow 9.3.2: (a) status of the actions of
earlier reviews; (b) changes in issues (by hand); (c) performance and effectiveness:
customer satisfaction and complaints, quality objectives, service performance,
nonconformities and corrective actions, adherence to SOPs (monitoring), audit results and
clause coverage; (d) resources, (e) risks and opportunities, (f) opportunities for
improvement (by hand). Every figure of the records is read from the metric registry
(:func:`qmstrack.metrics.compute`), or, for the few counts the registry has no name for
(complaints responded to, findings raised and closed, verified actions), from the register
function that the registry itself uses; nothing is computed a second way here.

The sections written by hand come from a YAML notes file (:mod:`qmstrack.review_notes`).
The actions of earlier reviews (:mod:`qmstrack.reviews`) are shown in their state as of the
end of the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.errors import InvalidInput
from qmstrack.figures import date_full, format_target, format_value, month_name, period_text
from qmstrack.labels import (
    ACTION_STATE_LABELS,
    AUDIT_STATUS_LABELS,
    CHANNEL_LABELS,
    FREQUENCY_LABELS,
    GRADE_LABELS,
    OBJECTIVE_STATUS_LABELS,
    SOURCE_LABELS,
)
from qmstrack.labels import label as code_label
from qmstrack.periods import Period, choose_period, month_spans, quarter_spans, span_containing
from qmstrack.periods import year as calendar_year
from qmstrack.registers.common import query_dicts
from qmstrack.review_notes import NOTE_MISSING, NOTE_SECTIONS, Notes
from qmstrack.reviews import ACTION_SQL, action_state
from qmstrack.scope import Scope

OBJECTIVE_MARKS = {"achieved": "✓", "missed": "✗", "no_value": "", "in_progress": "…",
                   "future": ""}
FINDING_GRADES = ("major", "minor", "observation")
SHORT_PERIOD_MONTHS = 6  # up to this many months, satisfaction trends go by month


# --- the period of a pack -------------------------------------------------------------


def pack_period(*, year: int | None = None, start: date | None = None,
                end: date | None = None, today: date) -> tuple[Period, bool]:
    """The period a pack covers and whether it was cut at today.

    ``year``: that calendar year; ``start``/``end``: those days; neither: 1 January of this
    year to today. A period cannot reach past today (the records of days to come do not
    exist, and an open request due next week is not overdue yet), so its end is cut at
    today; the second value says so.
    """
    chosen = choose_period(start, end, other=calendar_year(year).as_period() if year is not None
                           else None, other_option="--year",
                           default=Period(date(today.year, 1, 1), today))
    if chosen.start > today:
        raise InvalidInput(f"The period starts on {chosen.start}, after today; there is "
                           "nothing to review yet.")
    clipped = chosen.end > today
    return Period(chosen.start, min(chosen.end, today)), clipped


def pack_filename(period: Period, fmt: str, lang: str) -> str:
    """``review-pack-<start>-<end>-<lang>.<fmt>``, dates in ISO form."""
    return f"review-pack-{period.start.isoformat()}-{period.end.isoformat()}-{lang}.{fmt}"


# --- the inputs of a review: one context for every format -------------------------------


class _Figures:
    """Figures from the metric registry, and their text, for one language."""

    def __init__(self, db: sqlite_utils.Database, lang: str):
        self.db = db
        self.lang = lang

    def get(self, name: str, start: date, end: date, units: Sequence[str] = (),
            service: str | None = None):
        from qmstrack.metrics import compute

        return compute(self.db, name, Period(start, end), Scope(tuple(units), service))

    def pct(self, value) -> str:
        return format_value(value, "rate", self.lang)

    def num(self, value) -> str:
        return format_value(value, "count", self.lang)

    def ikm(self, value) -> str:
        from qmstrack.i18n import format_number
        from qmstrack.satisfaction import rounded_ikm

        return "–" if value is None else format_number(rounded_ikm(value), self.lang,
                                                        decimals=2)


def build_pack_context(db: sqlite_utils.Database, period: Period, lang: str = "id", *,
                       notes: Notes | None = None,
                       today: date | None = None) -> dict[str, Any]:
    """Everything the review pack of ``period`` shows, in ``lang``; shared by every format."""
    from qmstrack import charts
    from qmstrack.db import get_setting
    from qmstrack.i18n import check_lang, translations

    lang = check_lang(lang)
    gettext = translations(lang).gettext
    today = today or office_today(db)
    start, end = period.start, period.end
    fig = _Figures(db, lang)
    units = [{"code": code, "name": name} for code, name in
             db.execute("SELECT code, name FROM units ORDER BY code")]
    unit_codes = [u["code"] for u in units]
    months = [{"start": s, "end": e, "label": month_name(s, lang, "LLLL y"),
               "short_label": month_name(s, lang, "LLL")} for s, e in month_spans(period)]

    full_year = period.is_calendar_year()
    context: dict[str, Any] = {
        "lang": lang,
        "generated_on": today,
        "org_name": get_setting(db, "org_name") or "",
        "period": {
            "start": start, "end": end,
            "text": period_text(start, end, lang),
            "dates": f"{date_full(start, lang)} – {date_full(end, lang)}",
            "title": (gettext("Year %(year)s") % {"year": start.year}) if full_year
            else period_text(start, end, lang),
            "year_span": str(start.year) if start.year == end.year
            else f"{start.year}–{end.year}",
        },
        "units": units,
        "months": [{"label": m["label"], "short_label": m["short_label"],
                    "start": m["start"], "end": m["end"]} for m in months],
    }
    context["previous_actions"] = _previous_actions(db, start, end, gettext)
    context["satisfaction"] = _satisfaction(db, fig, start, end, units, gettext, charts)
    context["complaints"] = _complaints(db, fig, start, end, units, gettext)
    context["objectives"] = _objectives(db, start, end, today, lang, gettext)
    context["services"] = _services(db, fig, start, end, units, months, gettext, charts)
    context["findings"] = _findings(db, fig, start, end, units, gettext)
    context["audits"] = _audits(db, fig, start, end, lang, gettext, charts)
    context["adherence"] = _adherence(db, fig, start, end, units, months, gettext, charts)
    context["providers"] = _providers(db, fig, period, gettext)
    context["risks"] = _risks(db, fig, period, gettext)
    context["notes"] = _notes(notes or {}, lang, gettext)
    context["highlights"] = _highlights(context, fig, gettext)
    context["unit_codes"] = unit_codes
    from qmstrack.letterhead import office_identity

    context["office"] = office_identity(db, "review_pack", lang, year=end.year)
    return context


def _staff_label(name: str | None, nip: str | None) -> str:
    if not nip:
        return ""
    return f"{name} ({nip})" if name else nip


def _previous_actions(db, start: date, end: date, gettext) -> dict[str, Any]:
    """(a) Actions of reviews held by the end of the period and not closed before it began,
    each in its state as of the end of the period."""
    rows = []
    reviews: dict[int, dict[str, Any]] = {}
    for row in query_dicts(db, f"{ACTION_SQL} WHERE r.held_on <= ? AND (a.closed_on IS NULL "
                               "OR a.closed_on >= ?) ORDER BY r.held_on, a.id",
                           [end.isoformat(), start.isoformat()]):
        state = action_state(row, end)
        closed = row["closed_on"] if state == "closed" else None
        rows.append({
            "id": row["id"], "review_id": row["review_id"],
            "held_on": date.fromisoformat(row["held_on"]), "decision": row["decision"],
            "owner": _staff_label(row["owner_name"], row["owner_nip"]),
            "due_on": date.fromisoformat(row["due_on"]) if row["due_on"] else None,
            "closed_on": date.fromisoformat(closed) if closed else None,
            "state": state, "state_label": code_label(ACTION_STATE_LABELS, state, gettext),
            "note": row["note"] or "",
        })
        reviews.setdefault(row["review_id"], {"id": row["review_id"],
                                              "held_on": date.fromisoformat(row["held_on"])})
    for review in reviews.values():
        chair = db.execute("SELECT chair FROM reviews WHERE id = ?", [review["id"]]).fetchone()
        review["chair"] = chair[0] if chair else ""
    counts = {"total": len(rows),
              "closed": sum(r["state"] == "closed" for r in rows),
              "open": sum(r["state"] != "closed" for r in rows),
              "overdue": sum(r["state"] == "overdue" for r in rows)}
    return {"rows": rows, "counts": counts, "reviews": list(reviews.values())}


def _satisfaction(db, fig: _Figures, start: date, end: date, units, gettext, charts
                  ) -> dict[str, Any]:
    """(c1) IKM over the period, per unit and service, and its trend by quarter (by month
    for a period of up to six months)."""
    from qmstrack.figures import span_text
    from qmstrack.satisfaction import category_of

    spans = month_spans(Period(start, end))
    buckets: list[dict[str, Any]]
    if len(spans) > SHORT_PERIOD_MONTHS:
        buckets = [{"label": span_text(name, fig.lang), "start": q.start, "end": q.end}
                   for name, q in quarter_spans(Period(start, end))]
        by = "quarter"
    else:
        buckets = [{"label": month_name(m.start, fig.lang, "LLL y"), "start": m.start,
                    "end": m.end} for m in spans]
        by = "month"
    for b in buckets:
        # A quarter (or month) cut by the period: its IKM is of part of its days.
        whole = span_containing(by, b["start"])
        b["partial"] = b["start"] > whole.start or b["end"] < whole.end

    def figures(unit_codes=(), service=None) -> dict[str, Any]:
        responses = fig.get("satisfaction.responses", start, end, unit_codes, service)
        ikm = fig.get("satisfaction.ikm", start, end, unit_codes, service)
        category = category_of(ikm)
        trend = [fig.get("satisfaction.ikm", b["start"], b["end"], unit_codes, service)
                 for b in buckets]
        return {"responses": responses, "responses_text": fig.num(responses),
                "ikm": ikm, "ikm_text": fig.ikm(ikm),
                "category": category.letter if category else "",
                "category_label": gettext(category.message) if category else "",
                "trend": [{"value": v, "text": fig.ikm(v)} for v in trend]}

    overall = figures()
    unit_rows = [{"code": u["code"], "name": u["name"], **figures((u["code"],))}
                 for u in units]
    services = []
    for code, name, unit in db.execute("SELECT code, name, unit FROM services "
                                       "ORDER BY unit, code"):
        services.append({"code": code, "name": name, "unit": unit,
                         **figures((unit,), code)})
    office_line = [_ikm_share(t["value"]) for t in overall["trend"]]
    series = [charts.LineSeries(gettext("All units"), office_line, emphasis=True)]
    units_differ = _units_differ(office_line, [[_ikm_share(t["value"]) for t in u["trend"]]
                                               for u in unit_rows])
    if units_differ:
        series += [charts.LineSeries(u["code"], [_ikm_share(t["value"]) for t in u["trend"]])
                   for u in unit_rows]
    chart = charts.line_chart(
        [b["label"] for b in buckets], series,
        title=gettext("Community satisfaction index (IKM) by quarter") if by == "quarter"
        else gettext("Community satisfaction index (IKM) by month"),
        value_text=lambda x: fig.ikm(x * 100), target_label=gettext("target"),
        empty_text=gettext("No data"), width=900,
        partial=[b["partial"] for b in buckets],
        partial_label=gettext("quarter not over") if by == "quarter"
        else gettext("month not over"))
    return {"overall": overall, "units": unit_rows, "services": services,
            "buckets": [{"label": b["label"], "start": b["start"], "end": b["end"],
                         "partial": b["partial"]} for b in buckets],
            "by": by, "chart": chart, "units_differ": units_differ,
            **_skm_detail(db, fig, start, end, overall, unit_rows, services, gettext)}


def _skm_detail(db, fig: _Figures, start: date, end: date, overall, unit_rows, services,
                gettext) -> dict[str, Any]:
    """(c1) The SKM as PermenPAN-RB 14/2017 reports it: the per-element table, the sample
    against Krejcie-Morgan next to every IKM (an IKM below it is indicative), the weight,
    and the follow-up actions (rencana tindak lanjut) open during the period."""
    from qmstrack.i18n import format_number
    from qmstrack.registers.survey_actions import list_actions
    from qmstrack.satisfaction import element_rows, satisfaction_figures, weight_text

    period = Period(start, end)

    def sample(row: dict[str, Any], scope: Scope) -> dict[str, Any]:
        figures = satisfaction_figures(db, period, scope, sample=True)
        s = figures["sample"]
        row.update({"population_text": fig.num(s["population"]),
                    "required_text": fig.num(s["required"]), "adequate": s["adequate"],
                    "indicative": s["responses"] > 0 and not s["adequate"]})
        return figures

    figures = sample(overall, Scope())
    for u in unit_rows:
        sample(u, Scope(units=(u["code"],)))
    for v in services:
        sample(v, Scope(units=(v["unit"],), service=v["code"]))
    elements = [{"code": e["code"], "name": e["name"],
                 "nrr": "–" if e["nrr"] is None else format_number(e["nrr"], fig.lang,
                                                                   decimals=2),
                 "nrr_weighted": "–" if e["nrr"] is None else format_number(
                     e["nrr_weighted"], fig.lang, decimals=4),
                 "category": e["category"] or "–"}
                for e in element_rows(figures["nrr"], figures["weight"], fig.lang)]
    actions = [{"element": a["element"], "action": a["action"],
                "owner": _staff_label(a["owner_name"], a["owner_nip"]),
                "due_on": date.fromisoformat(a["due_on"]),
                "state": a["state"], "state_label": code_label(ACTION_STATE_LABELS,
                                                                a["state"], gettext)}
               for a in list_actions(db, raised_by=end, open_since=start, today=end)]
    return {"elements": elements, "weight": weight_text(figures["weight"]),
            "skm_actions": actions}


def _ikm_share(value: float | None) -> float | None:
    return None if value is None else value / 100


# Units whose IKM stays within one point (on the 25-100 scale) of the office's in every
# period draw the same line: the chart shows the office's alone.
UNITS_DIFFER_BY = 0.01


def _units_differ(office: list[float | None], units: list[list[float | None]]) -> bool:
    """Whether any unit's trend is more than ``UNITS_DIFFER_BY`` from the office's in
    some period with data (a unit with data where the office has none differs too)."""
    for trend in units:
        for mine, theirs in zip(trend, office, strict=True):
            if mine is None:
                continue
            if theirs is None or abs(mine - theirs) > UNITS_DIFFER_BY:
                return True
    return False


def _complaints(db, fig: _Figures, start: date, end: date, units, gettext) -> dict[str, Any]:
    """(c1) Complaints: received, responded on time, open and overdue at the end, by unit
    and channel, and the overdue ones by number."""
    from qmstrack.registers.complaints import CHANNELS, complaint_counts, list_complaints

    def figures(unit_codes=()) -> dict[str, Any]:
        period, scope = Period(start, end), Scope(tuple(unit_codes))
        detail = complaint_counts(db, period, scope)
        received = fig.get("complaints.received", start, end, unit_codes)
        rate = fig.get("complaints.response_on_time_rate", start, end, unit_codes)
        open_ = fig.get("complaints.open", start, end, unit_codes)
        overdue = fig.get("complaints.overdue", start, end, unit_codes)
        return {"received": received, "received_text": fig.num(received),
                "responded": detail["responded"],
                "responded_text": fig.num(detail["responded"]),
                "responded_on_time": detail["responded_on_time"],
                "responded_on_time_text": fig.num(detail["responded_on_time"]),
                "on_time_rate": rate, "on_time_rate_text": fig.pct(rate),
                "open": open_, "open_text": fig.num(open_),
                "overdue": overdue, "overdue_text": fig.num(overdue)}

    overall = figures()
    unit_rows = [{"code": u["code"], "name": u["name"], **figures((u["code"],))}
                 for u in units]
    by_channel: dict[str, int] = {}
    for complaint in list_complaints(db, since=start, until=end, today=end):
        by_channel[complaint["channel"]] = by_channel.get(complaint["channel"], 0) + 1
    total = sum(by_channel.values())
    channels = []
    for channel in [*CHANNELS, *sorted(set(by_channel) - set(CHANNELS))]:
        n = by_channel.get(channel, 0)
        channels.append({"channel": channel,
                         "label": code_label(CHANNEL_LABELS, channel, gettext),
                         "received": n, "received_text": fig.num(n),
                         "share_text": fig.pct(n / total if total else None)})
    overdue = [{"ref_no": c["ref_no"], "received_on": date.fromisoformat(c["received_on"]),
                "channel": code_label(CHANNEL_LABELS, c["channel"], gettext),
                "unit": c["unit"] or "",
                "due_on": date.fromisoformat(c["response_due_on"])}
               for c in list_complaints(db, overdue_on=end, today=end)]
    return {"overall": overall, "units": unit_rows, "channels": channels,
            "overdue_list": overdue}


def _objectives(db, start: date, end: date, today: date, lang: str, gettext
                ) -> dict[str, Any]:
    """(c2) Every objective of the years of the period, judged on its periods that overlap
    the review period, as of the day after the period (or today)."""
    from qmstrack.figures import objective_kind, span_text
    from qmstrack.objectives import missed_twice, objective_status

    as_of = min(end + timedelta(days=1), today)
    unit_names = dict(db.execute("SELECT code, name FROM units"))
    groups: dict[str, dict[str, Any]] = {}
    totals = {"objectives": 0, "achieved": 0, "missed": 0, "no_value": 0, "in_progress": 0,
              "missed_twice": 0}
    flagged = []
    for year in range(start.year, end.year + 1):
        for o in objective_status(db, year=year, today=as_of):
            kind = objective_kind(o)
            periods = [p for p in o["periods"]
                       if p["start"] <= end.isoformat() and p["end"] >= start.isoformat()]
            if not periods:
                continue
            done = [p for p in periods if p["status"] in ("achieved", "missed", "no_value")]
            row = {
                "id": o["id"], "year": o["year"], "unit": o["unit"],
                "unit_name": unit_names.get(o["unit"], o["unit"]),
                "service_code": o["service_code"] or "", "title": o["title"],
                "metric": o["metric"] or "", "kind": o["kind"],
                "kind_label": gettext("measured") if o["metric"] else gettext("by hand"),
                "target": o["target"], "target_text": format_target(o["target"], kind, lang),
                "frequency": o["frequency"],
                "frequency_label": code_label(FREQUENCY_LABELS, o["frequency"], gettext),
                "periods": [{
                    "period": p["period"], "start": p["start"],
                    "label": span_text(p["period"], lang),
                    "value": p["value"], "status": p["status"],
                    "status_label": code_label(OBJECTIVE_STATUS_LABELS, p["status"], gettext),
                    "mark": OBJECTIVE_MARKS[p["status"]],
                    "value_text": "" if p["status"] == "future"
                    else format_value(p["value"], kind, lang),
                } for p in periods],
                "achieved": sum(p["status"] == "achieved" for p in done),
                "missed": sum(p["status"] == "missed" for p in done),
                "no_value": sum(p["status"] == "no_value" for p in done),
                "in_progress": sum(p["status"] == "in_progress" for p in periods),
                "completed": len(done),
                "missed_twice": missed_twice(done),
            }
            group = groups.setdefault(o["frequency"], {
                "frequency": o["frequency"], "label": row["frequency_label"], "rows": []})
            group["rows"].append(row)
            totals["objectives"] += 1
            for key in ("achieved", "missed", "no_value", "in_progress"):
                totals[key] += row[key]
            if row["missed_twice"]:
                totals["missed_twice"] += 1
                flagged.append(row)
    ordered = [groups[f] for f in ("monthly", "quarterly", "yearly") if f in groups]
    for group in ordered:
        # One column per period of the group (objectives of several years line up).
        columns = sorted({(p["period"], p["label"], p["start"]) for r in group["rows"]
                          for p in r["periods"]})
        years = {period[:4] for period, _, _ in columns}
        group["columns"] = [{
            "period": period, "label": label,
            "short_label": month_name(date.fromisoformat(first), lang,
                                  "LLL" if len(years) == 1 else "LLL y")
            if group["frequency"] == "monthly" else label,
        } for period, label, first in columns]
        for row in group["rows"]:
            by_period = {p["period"]: p for p in row["periods"]}
            row["cells"] = [by_period.get(period) for period, _, _ in columns]
    totals["completed"] = totals["achieved"] + totals["missed"] + totals["no_value"]
    return {"groups": ordered, "totals": totals, "flagged": flagged}


def _request_figures(fig: _Figures, start: date, end: date, unit_codes=(), service=None
                     ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("received", "completed", "on_time", "on_time_rate", "open", "overdue"):
        value = fig.get(f"requests.{key}", start, end, unit_codes, service)
        out[key] = value
        out[f"{key}_text"] = fig.pct(value) if key == "on_time_rate" else fig.num(value)
    return out


def _checklist_target(db, metric: str) -> float | None:
    from qmstrack.audit_programme import default_checklist
    from qmstrack.errors import QmsError

    try:
        return default_checklist(db).lower_target(metric)
    except QmsError:
        return None


def _services(db, fig: _Figures, start: date, end: date, units, months, gettext, charts
              ) -> dict[str, Any]:
    """(c3) Requests per service and unit over the period, and by month."""
    services = [{"code": code, "name": name, "unit": unit,
                 **_request_figures(fig, start, end, (unit,), code)}
                for code, name, unit in db.execute("SELECT code, name, unit FROM services "
                                                   "ORDER BY unit, code")]
    unit_rows = [{"code": u["code"], "name": u["name"],
                  **_request_figures(fig, start, end, (u["code"],))} for u in units]
    total = _request_figures(fig, start, end)
    monthly = []
    for m in months:
        row = {"label": m["label"], "short_label": m["short_label"]}
        for key in ("received", "completed", "on_time_rate", "overdue"):
            value = fig.get(f"requests.{key}", m["start"], m["end"])
            row[key] = value
            row[f"{key}_text"] = fig.pct(value) if key == "on_time_rate" else fig.num(value)
        row["units"] = []
        for u in units:
            rate = fig.get("requests.on_time_rate", m["start"], m["end"], (u["code"],))
            row["units"].append({"code": u["code"], "value": rate, "text": fig.pct(rate)})
        monthly.append(row)
    target = _checklist_target(db, "requests.on_time_rate")
    series = [charts.LineSeries(gettext("All units"), [m["on_time_rate"] for m in monthly],
                                target)]
    series += [charts.LineSeries(u["code"], [m["units"][i]["value"] for m in monthly])
               for i, u in enumerate(units)]
    chart = charts.line_chart(
        [m["short_label"] for m in monthly], series,
        title=gettext("On-time completion by month"), value_text=fig.pct,
        target_label=gettext("target"), empty_text=gettext("No data"), width=900)
    return {"services": services, "units": unit_rows, "total": total, "monthly": monthly,
            "target": target, "target_text": fig.pct(target) if target is not None else "",
            "chart": chart}


def _findings(db, fig: _Figures, start: date, end: date, units, gettext) -> dict[str, Any]:
    """(c4) Nonconformities and observations raised and closed in the period, open and
    overdue at its end, and how the verified corrective actions worked."""
    from qmstrack.findings import list_findings

    s, e = start.isoformat(), end.isoformat()
    raised: dict[tuple[str, str], int] = {}
    for grade, source, n in db.execute(
            "SELECT grade, source, count(*) FROM findings WHERE raised_on BETWEEN ? AND ? "
            "GROUP BY grade, source", [s, e]):
        raised[(grade, source)] = n
    sources = sorted({source for _, source in raised},
                     key=lambda x: (list(SOURCE_LABELS).index(x) if x in SOURCE_LABELS
                                    else len(SOURCE_LABELS), x))
    grades = [{"key": g, "label": code_label(GRADE_LABELS, g, gettext)} for g in FINDING_GRADES]
    by_source = []
    for source in sources:
        counts = [raised.get((g, source), 0) for g in FINDING_GRADES]
        by_source.append({"source": source,
                          "label": code_label(SOURCE_LABELS, source, gettext),
                          "counts": [fig.num(n) for n in counts],
                          "total": sum(counts), "total_text": fig.num(sum(counts))})
    by_grade = [sum(raised.get((g, source), 0) for source in sources)
                for g in FINDING_GRADES]
    closed = db.execute("SELECT count(*) FROM findings WHERE closed_on BETWEEN ? AND ?",
                        [s, e]).fetchone()[0]
    verified = dict(db.execute(
        "SELECT effective, count(*) FROM finding_actions WHERE verified_on BETWEEN ? AND ? "
        "GROUP BY effective", [s, e]).fetchall())
    effective, not_effective = verified.get(1, 0), verified.get(0, 0)
    planned = db.execute("SELECT count(*) FROM finding_actions WHERE planned_on BETWEEN ? "
                         "AND ?", [s, e]).fetchone()[0]

    def at_end(unit_codes=()) -> dict[str, Any]:
        out = {}
        for key in ("open", "overdue", "open_major"):
            value = fig.get(f"findings.{key}", start, end, unit_codes)
            out[key], out[f"{key}_text"] = value, fig.num(value)
        return out

    open_rows = []
    for f in list_findings(db, open_on=end):
        overdue = bool(f["due_on"] and f["due_on"] < e)
        open_rows.append({
            "ref_no": f["ref_no"], "raised_on": date.fromisoformat(f["raised_on"]),
            "source": code_label(SOURCE_LABELS, f["source"], gettext),
            "grade": f["grade"], "grade_label": code_label(GRADE_LABELS, f["grade"], gettext),
            "clause_ref": f["clause_ref"], "unit": f["unit"] or "",
            "due_on": date.fromisoformat(f["due_on"]) if f["due_on"] else None,
            "overdue": overdue, "description": f["description"] or "",
        })
    total_raised = sum(by_grade)
    return {
        "grades": grades,
        "raised": total_raised, "raised_text": fig.num(total_raised),
        "raised_by_grade": [fig.num(n) for n in by_grade],
        "by_source": by_source,
        "closed": closed, "closed_text": fig.num(closed),
        "planned": planned, "planned_text": fig.num(planned),
        "effective": effective, "effective_text": fig.num(effective),
        "not_effective": not_effective, "not_effective_text": fig.num(not_effective),
        "effective_rate_text": fig.pct(effective / (effective + not_effective)
                                       if effective + not_effective else None),
        "at_end": at_end(),
        "units": [{"code": u["code"], "name": u["name"], **at_end((u["code"],))}
                  for u in units],
        "open_list": open_rows,
    }


def _audits(db, fig: _Figures, start: date, end: date, lang: str, gettext, charts
            ) -> dict[str, Any]:
    """(c6) Internal audits whose period overlaps the review period, with their results by
    grade, and the clause coverage of the 12-month programme at the end of the period."""
    from qmstrack.audit_programme import clause_coverage, default_checklist, due_clauses
    from qmstrack.audits import GRADES, list_audits

    grades = []
    for key in GRADES:
        colour, _ = charts.GRADE_COLOURS[key]
        grades.append({"key": key, "label": gettext(GRADE_LABELS[key]), "colour": colour})
    rows = []
    totals = dict.fromkeys(GRADES, 0)
    for audit in list_audits(db):
        a_start = date.fromisoformat(audit["period_start"])
        a_end = date.fromisoformat(audit["period_end"])
        if a_start > end or a_end < start:
            continue
        counts = {g: audit[g] or 0 for g in GRADES}
        for g in GRADES:
            totals[g] += counts[g]
        rows.append({"id": audit["id"], "period_text": period_text(a_start, a_end, lang),
                     "period_start": a_start, "period_end": a_end, "scope": audit["scope"],
                     "checklist_id": audit["checklist_id"],
                     "status_label": code_label(AUDIT_STATUS_LABELS, audit["status"], gettext),
                     "counts": counts,
                     "counts_text": [fig.num(counts[g]) for g in GRADES]})
    rows.sort(key=lambda r: (r["period_start"], r["id"]))
    checklist = default_checklist(db)
    coverage = clause_coverage(db, checklist, end)
    due = due_clauses(checklist, coverage, lang)
    rate = fig.get("audits.clause_coverage_12m", start, end)
    # One bar per grade with its count (the audits' items of the period together; the
    # table beside it splits them by audit).
    chart = charts.horizontal_bar_chart(
        [g["label"] for g in grades] if rows else [],
        [totals[g["key"]] for g in grades] if rows else [],
        title=gettext("Results of the internal audits by grade"),
        maximum=max(totals.values(), default=0) or 1, value_text=fig.num,
        colours=[g["colour"] for g in grades],
        empty_text=gettext("No internal audit in the period"), width=900)
    return {"grades": grades, "rows": rows,
            "totals": [fig.num(totals[g]) for g in GRADES],
            "coverage": {"checklist_id": checklist.id, "total": len(coverage),
                         "covered": len(coverage) - len(due), "due": len(due),
                         "rate": rate, "rate_text": fig.pct(rate)},
            "due": due, "chart": chart}


def _adherence(db, fig: _Figures, start: date, end: date, units, months, gettext, charts
               ) -> dict[str, Any]:
    """(c5) Adherence to SOPs over the period per unit, and by month."""

    def figures(s: date, e: date, unit_codes=()) -> dict[str, Any]:
        observations = fig.get("adherence.observations", s, e, unit_codes)
        breaches = fig.get("adherence.breaches", s, e, unit_codes)
        rate = fig.get("adherence.rate", s, e, unit_codes)
        return {"observations": observations, "observations_text": fig.num(observations),
                "breaches": breaches, "breaches_text": fig.num(breaches),
                "rate": rate, "rate_text": fig.pct(rate)}

    total = figures(start, end)
    unit_rows = [{"code": u["code"], "name": u["name"], **figures(start, end, (u["code"],))}
                 for u in units]
    monthly = []
    for m in months:
        row = {"label": m["label"], "short_label": m["short_label"],
               **figures(m["start"], m["end"])}
        row["units"] = []
        for u in units:
            rate = fig.get("adherence.rate", m["start"], m["end"], (u["code"],))
            row["units"].append({"code": u["code"], "value": rate, "text": fig.pct(rate)})
        monthly.append(row)
    target = _checklist_target(db, "adherence.rate")
    series = [charts.LineSeries(gettext("All units"), [m["rate"] for m in monthly], target)]
    series += [charts.LineSeries(u["code"], [m["units"][i]["value"] for m in monthly])
               for i, u in enumerate(units)]
    chart = charts.line_chart(
        [m["short_label"] for m in monthly], series,
        title=gettext("Adherence to SOPs by month"), value_text=fig.pct,
        target_label=gettext("target"), empty_text=gettext("No data"), width=900)
    return {"total": total, "units": unit_rows, "monthly": monthly, "target": target,
            "target_text": fig.pct(target) if target is not None else "", "chart": chart}


def _providers(db, fig: _Figures, period: Period, gettext) -> dict[str, Any]:
    """(c7) Performance of external providers: their status, the period's evaluations and
    the re-evaluations past due at its end (ISO 9001:2015 8.4.1)."""
    from qmstrack.registers.providers import overdue_evidence, provider_summary
    from qmstrack.scope import Scope

    summary = provider_summary(db, period.start, period.end)
    results = {"approved": gettext("Approved"), "conditional": gettext("Conditional"),
               "stopped": gettext("Stopped")}
    rows = [{**e, "score_text": fig.num(e["score"]), "result_label": results[e["result"]]}
            for e in summary["evaluations"]]
    mean = summary["mean_score"]
    return {"total": sum(summary["by_status"].values()), "by_status": summary["by_status"],
            "evaluated": summary["evaluated"],
            "mean_text": fig.num(round(mean, 2)) if mean is not None else "–",
            "evaluations": rows, "overdue": overdue_evidence(db, period, Scope())}


def _risks(db, fig: _Figures, period: Period, gettext) -> dict[str, Any]:
    """(e) Risks and opportunities from the register: the open ones at the end of the
    period by band, before and after treatment, and the treatments past due."""
    from qmstrack.registers.risks import BANDS, overdue_evidence, risk_summary

    summary = risk_summary(db, period)
    names = {"low": gettext("Low"), "medium": gettext("Medium"), "high": gettext("High"),
             "very_high": gettext("Very high")}
    return {**summary,
            "rows": [{"label": names[b], "count": fig.num(summary["bands"][b]),
                      "residual": fig.num(summary["residual_bands"][b])} for b in BANDS],
            "overdue": overdue_evidence(db, period, Scope())}


def _notes(notes: Notes, lang: str, gettext) -> dict[str, Any]:
    sections = {}
    for key, (title, clause) in NOTE_SECTIONS.items():
        written = notes.get(key)
        sections[key] = {"key": key, "title": gettext(title), "clause": clause,
                         "items": list(written.get(lang, [])) if written is not None else [],
                         "missing": gettext(NOTE_MISSING[key])}
    return sections


def _highlights(context: dict[str, Any], fig: _Figures, gettext) -> list[dict[str, str]]:
    """The figures at a glance, taken from the sections (nothing computed again)."""
    services = context["services"]["total"]
    satisfaction = context["satisfaction"]["overall"]
    complaints = context["complaints"]["overall"]
    objectives = context["objectives"]["totals"]
    findings = context["findings"]["at_end"]
    actions = context["previous_actions"]["counts"]
    return [
        {"label": gettext("On-time completion"), "value": services["on_time_rate_text"],
         "detail": gettext("%(on_time)s of %(completed)s completed requests on time") % {
             "on_time": services["on_time_text"], "completed": services["completed_text"]}},
        {"label": gettext("Community satisfaction index (IKM)"),
         "value": satisfaction["ikm_text"],
         "detail": (f"{satisfaction['category']} ({satisfaction['category_label']}), "
                    if satisfaction["category"] else "")
         + gettext("%(n)s responses") % {"n": satisfaction["responses_text"]}
         + (gettext(", required %(n)s: indicative (not representative)")
            % {"n": satisfaction["required_text"]} if satisfaction.get("indicative")
            else "")},
        {"label": gettext("Complaints answered on time"),
         "value": complaints["on_time_rate_text"],
         "detail": gettext("%(n)s complaints received") % {"n": complaints["received_text"]}},
        {"label": gettext("Objective periods achieved"),
         "value": f"{fig.num(objectives['achieved'])} / {fig.num(objectives['completed'])}",
         "detail": gettext("%(n)s objectives missed twice in a row") % {
             "n": fig.num(objectives["missed_twice"])}},
        {"label": gettext("Adherence to SOPs"),
         "value": context["adherence"]["total"]["rate_text"],
         "detail": gettext("%(n)s observations") % {
             "n": context["adherence"]["total"]["observations_text"]}},
        {"label": gettext("Open findings"), "value": findings["open_text"],
         "detail": gettext("%(n)s overdue") % {"n": findings["overdue_text"]}},
        {"label": gettext("Open review actions"), "value": fig.num(actions["open"]),
         "detail": gettext("%(n)s overdue") % {"n": fig.num(actions["overdue"])}},
    ]


# --- rendering and writing --------------------------------------------------------------


TEMPLATE_STEM = "review_pack"


def render_pack(context: dict[str, Any], fmt: str,
                template_dir: str | Path | None = None) -> str | bytes:
    """The pack in one format (``md`` or ``html``) from a context of
    :func:`build_pack_context`."""
    from qmstrack.reports import render_formats

    return render_formats(TEMPLATE_STEM, [fmt], context["lang"], template_dir, context)[0][1]


def write_review_pack(db: sqlite_utils.Database, period: Period, out_dir: str | Path,
                      formats: Sequence[str] = ("md", "html"), lang: str = "id",
                      template_dir: str | Path | None = None, *,
                      notes: Notes | None = None,
                      today: date | None = None) -> list[Path]:
    """Build the context once, render every format, then write the files atomically;
    a failed render writes nothing."""
    from qmstrack.reports import check_formats, render_formats, write_report_files

    wanted = check_formats(formats)
    context = build_pack_context(db, period, lang, notes=notes, today=today)
    rendered = render_formats(TEMPLATE_STEM, wanted, context["lang"], template_dir, context)
    return write_report_files(out_dir, [(pack_filename(period, fmt, context["lang"]), text)
                                        for fmt, text in rendered])
