"""The SKM report (Laporan Hasil Survei Kepuasan Masyarakat, PermenPAN-RB 14/2017).

:func:`survey_report_data` gathers the figures of a period and scope into one plain
dictionary (what ``qmstrack survey report --json`` prints): per scope (the whole scope,
each unit, each service) ``responses``, ``ikm``, ``category``, ``weight``, ``sample``
(Krejcie-Morgan), ``elements`` (per element NRR, weighted NRR, converted value, category)
and ``profile`` (responses counted by sex, age, education and occupation); then the weakest
elements, the trend against the previous periods of the same length, and the follow-up
plan (rencana tindak lanjut). Every figure comes from :mod:`qmstrack.satisfaction`.

:func:`build_report_context` adds what people read (texts in the report's language,
formatted numbers, the chart) and the templates ``survey_report.md.j2`` and
``survey_report.html.j2`` render it in the chapter order of the regulation's report:
introduction (legal basis, purpose, period), method (population, required and actual
sample, how the data were collected, the weight), respondents, results, analysis,
follow-up plan, conclusion. The workbook (``xlsx``) holds the same tables, one sheet each.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.errors import InvalidInput, UsageError
from qmstrack.periods import Period, add_months, month_end
from qmstrack.scope import Scope

REPORT_FORMATS = ("md", "html", "xlsx", "pdf")
TREND_PERIODS = 2  # previous periods of the same length shown in the analysis


def check_report_formats(formats: Sequence[str]) -> list[str]:
    """``md``, ``html``, ``xlsx``, ``pdf``, lower-cased and without repeats."""
    wanted: list[str] = []
    for fmt in formats:
        fmt = str(fmt).strip().lower()
        if not fmt:
            continue
        if fmt not in REPORT_FORMATS:
            raise UsageError(f"The report format {fmt!r} is not one of "
                             f"{', '.join(REPORT_FORMATS)}.")
        if fmt not in wanted:
            wanted.append(fmt)
    if not wanted:
        raise UsageError(f"No report format given; use {', '.join(REPORT_FORMATS)}.")
    return wanted


def previous_periods(period: Period, count: int = TREND_PERIODS) -> list[Period]:
    """The ``count`` periods of the same length just before ``period``, oldest first: whole
    calendar months step back by months (a year by a year), any other span by its days."""
    whole_months = period.start.day == 1 and period.end == month_end(period.end)
    out = []
    start, end = period.start, period.end
    for _ in range(count):
        if whole_months:
            months = ((end.year - start.year) * 12 + end.month - start.month + 1)
            start = add_months(start, -months)
            end = month_end(add_months(start, months - 1))
        else:
            days = (end - start).days + 1
            start, end = start - timedelta(days=days), start - timedelta(days=1)
        out.append(Period(start, end))
    return out[::-1]


def _scope_figures(db: sqlite_utils.Database, period: Period, scope: Scope, lang: str,
                   population: int | None = None) -> dict[str, Any]:
    from qmstrack.satisfaction import element_rows, profile_counts, satisfaction_figures

    f = satisfaction_figures(db, period, scope, sample=True, population=population)
    return {"responses": f["responses"], "ikm": f["ikm"], "category": f["category"],
            "weight": f["weight"], "sample": f["sample"],
            "elements": element_rows(f["nrr"], f["weight"], lang),
            "profile": profile_counts(db, period.start, period.end, scope)}


def _report_period(db: sqlite_utils.Database, start: date | None, end: date | None,
                   scope: Scope) -> Period:
    """The period asked for; an open end is the data's own first or last response."""
    if start is None or end is None:
        where, params = scope.where("unit", "service_code")
        first, last = db.execute(f"SELECT min(responded_on), max(responded_on) FROM surveys "
                                 f"WHERE {where}", params).fetchone()
        if first is None:
            raise InvalidInput("There are no survey responses to report on; give the "
                               "period with --from and --to.")
        start = start or date.fromisoformat(first)
        end = end or date.fromisoformat(last)
    if end < start:
        raise InvalidInput(f"The period ends ({end}) before it starts ({start}).")
    return Period(start, end)


def survey_report_data(db: sqlite_utils.Database, *, start: date | None = None,
                       end: date | None = None, scope: Scope = Scope(), lang: str = "id",
                       population: int | None = None,
                       today: date | None = None) -> dict[str, Any]:
    """The figures of the SKM report (see the module docstring); ``population`` replaces
    the requests received as the population of the whole scope (units and services keep
    their own requests)."""
    from qmstrack.clock import office_today
    from qmstrack.i18n import check_lang
    from qmstrack.satisfaction import ikm_weight, weakest_elements

    lang = check_lang(lang)
    if population is not None and population < 0:
        raise InvalidInput("The population is a number of people, 0 or more.")
    period = _report_period(db, start, end, scope)
    today = today or office_today(db)
    overall = _scope_figures(db, period, scope, lang, population)
    units = []
    unit_where, unit_params = ("1", [])
    if scope.units:
        unit_where = f"code IN ({', '.join('?' for _ in scope.units)})"
        unit_params = list(scope.units)
    if scope.service is not None:
        unit_where = "code = (SELECT unit FROM services WHERE code = ?)"
        unit_params = [scope.service]
    for code, name in db.execute(f"SELECT code, name FROM units WHERE {unit_where} "
                                 "ORDER BY code", unit_params).fetchall():
        units.append({"unit": code, "unit_name": name,
                      **_scope_figures(db, period, Scope(units=(code,),
                                                         service=scope.service), lang)})
    services = []
    where, params = scope.where("unit", "code")
    for code, name, unit in db.execute(f"SELECT code, name, unit FROM services WHERE {where} "
                                       "ORDER BY unit, code", params).fetchall():
        services.append({"service_code": code, "service_name": name, "unit": unit,
                         **_scope_figures(db, period, Scope(units=(unit,), service=code),
                                          lang)})
    trend = []
    for earlier in previous_periods(period):
        figures = _scope_figures(db, earlier, scope, lang)
        trend.append({"period": {"start": earlier.start.isoformat(),
                                 "end": earlier.end.isoformat()},
                      "responses": figures["responses"], "ikm": figures["ikm"],
                      "category": figures["category"],
                      "elements": [{"code": e["code"], "nrr": e["nrr"],
                                    "category": e["category"]}
                                   for e in figures["elements"]]})
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "scope": {"units": list(scope.units), "service": scope.service},
        "weight": ikm_weight(db),
        "overall": overall,
        "units": units,
        "services": services,
        "weakest": [e["code"] for e in weakest_elements(overall["elements"])],
        "trend": trend,
        "actions": _actions(db, period, scope, today),
    }


def _actions(db: sqlite_utils.Database, period: Period, scope: Scope, today: date
             ) -> list[dict[str, Any]]:
    """The follow-up actions open at the start of the period or raised by its end, with
    their state as of ``today``."""
    from qmstrack.registers.survey_actions import list_actions

    return [{k: a[k] for k in ("id", "element", "action", "owner_nip", "owner_name",
                               "unit", "service_code", "raised_on", "due_on", "closed_on",
                               "state")}
            for a in list_actions(db, units=scope.units, service=scope.service,
                                  raised_by=period.end, open_since=period.start,
                                  today=today)]


# --- what people read --------------------------------------------------------------------


def build_report_context(db: sqlite_utils.Database, data: dict[str, Any], lang: str
                         ) -> dict[str, Any]:
    """The report's texts and formatted figures in ``lang``, around ``data``."""
    from qmstrack import charts
    from qmstrack.db import get_setting
    from qmstrack.figures import date_full, date_short, period_text
    from qmstrack.i18n import format_number, translations
    from qmstrack.labels import ACTION_STATE_LABELS
    from qmstrack.labels import label as code_label
    from qmstrack.satisfaction import category_letter, rounded_ikm, weight_text

    gettext = translations(lang).gettext
    start = date.fromisoformat(data["period"]["start"])
    end = date.fromisoformat(data["period"]["end"])

    def ikm_text(value: float | None) -> str:
        return "–" if value is None else format_number(rounded_ikm(value), lang, decimals=2)

    def nrr_text(value: float | None, decimals: int = 2) -> str:
        return "–" if value is None else format_number(value, lang, decimals=decimals)

    def category_text(letter: str | None) -> str:
        if not letter:
            return "–"
        return f"{letter} ({gettext(category_letter(letter).message)})"

    def scope_view(figures: dict[str, Any]) -> dict[str, Any]:
        sample = figures["sample"]
        return {
            "responses": format_number(figures["responses"], lang),
            "ikm": ikm_text(figures["ikm"]),
            "category": category_text(figures["category"]),
            "population": format_number(sample["population"], lang),
            "required": format_number(sample["required"], lang),
            "adequate": sample["adequate"],
            "indicative": figures["responses"] > 0 and not sample["adequate"],
            "elements": [{"code": e["code"], "name": e["name"], "nrr": nrr_text(e["nrr"]),
                          "nrr_weighted": nrr_text(e["nrr_weighted"], 4),
                          "converted": nrr_text(e["converted"]),
                          "category": category_text(e["category"])}
                         for e in figures["elements"]],
        }

    overall = data["overall"]
    total = overall["responses"]
    profile_titles = {"sex": gettext("Sex"), "age": gettext("Age (years)"),
                      "education": gettext("Education"), "occupation": gettext("Occupation")}
    value_names = {"L": gettext("Male (L)"), "P": gettext("Female (P)"),
                   "": gettext("Not stated")}
    profile = [{"title": profile_titles[field], "rows": [
        {"value": value_names.get(value, value) if field == "sex" or value == "" else value,
         "count": format_number(n, lang),
         "share": format_number(n / total * 100, lang, decimals=1) if total else "–"}
        for value, n in counts.items()]} for field, counts in overall["profile"].items()]
    names = {e["code"]: e["name"] for e in overall["elements"]}
    nrr = {e["code"]: e["nrr"] for e in overall["elements"]}
    weakest = [{"code": c, "name": names[c], "nrr": nrr_text(nrr[c])} for c in data["weakest"]]
    trend = [{"period": f"{date_short(t['period']['start'], lang)} – "
                        f"{date_short(t['period']['end'], lang)}",
              "responses": format_number(t["responses"], lang), "ikm": ikm_text(t["ikm"]),
              "category": category_text(t["category"]),
              "elements": [nrr_text(e["nrr"]) for e in t["elements"]]}
             for t in data["trend"]]
    colours = {"A": "#2e7d32", "B": "#1565c0", "C": "#f9a825", "D": "#c62828", None: "#9e9e9e"}
    chart = charts.horizontal_bar_chart(
        [f"{e['code']} {e['name']}" for e in overall["elements"]],
        [e["nrr"] for e in overall["elements"]],
        title=gettext("NRR per element (1-4)"), maximum=4.0,
        value_text=lambda x: format_number(x, lang, decimals=2),
        colours=[colours[e["category"]] for e in overall["elements"]],
        empty_text=gettext("No data"))
    actions = [{**a, "state_label": code_label(ACTION_STATE_LABELS, a["state"], gettext),
                "element_name": names.get(a["element"], a["element"]),
                "owner": f"{a['owner_name']} ({a['owner_nip']})" if a["owner_name"]
                else a["owner_nip"],
                "due": date_full(a["due_on"], lang),
                "closed": date_full(a["closed_on"], lang) if a["closed_on"] else ""}
               for a in data["actions"]]
    from qmstrack.letterhead import office_identity

    return {
        "office": office_identity(db, "skm_report", lang, year=start.year),
        "lang": lang,
        "org_name": get_setting(db, "org_name") or "",
        "period_text": period_text(start, end, lang),
        "period_short": f"{date_short(start, lang)} – {date_short(end, lang)}",
        "dates": f"{date_full(start, lang)} – {date_full(end, lang)}",
        "weight": weight_text(data["weight"]),
        "exact_weight": data["weight"] == "exact",
        "overall": scope_view(overall),
        "units": [{"code": u["unit"], "name": u["unit_name"], **scope_view(u)}
                  for u in data["units"]],
        "services": [{"code": s["service_code"], "name": s["service_name"],
                      "unit": s["unit"], **scope_view(s)} for s in data["services"]],
        "profile": profile,
        "weakest": weakest,
        "trend": trend,
        "element_codes": [e["code"] for e in overall["elements"]],
        "actions": actions,
        "chart": chart,
    }


# --- files -------------------------------------------------------------------------------


def report_stem(data: dict[str, Any], lang: str) -> str:
    """``skm-<start>-<end>[-<unit or service>]-<lang>``."""
    scope = data["scope"]
    tail = scope["service"] or "-".join(scope["units"])
    parts = ["skm", data["period"]["start"], data["period"]["end"], *([tail] if tail else []),
             lang]
    return "-".join(p.replace("/", "_") for p in parts)


def _workbook(path: Path, data: dict[str, Any], context: dict[str, Any], lang: str) -> None:
    from qmstrack.i18n import translations
    from qmstrack.sheet_writer import write_workbook

    gettext = translations(lang).gettext
    element_headers = [gettext("Element"), gettext("Name"), "NRR", gettext("Weighted NRR"),
                       gettext("Converted value"), gettext("Category")]
    elements = [{"code": e["code"], "name": e["name"], "nrr": e["nrr"],
                 "nrr_weighted": e["nrr_weighted"], "converted": e["converted"],
                 "category": e["category"]} for e in data["overall"]["elements"]]
    scope_headers = [gettext("Code"), gettext("Name"), gettext("Responses"),
                     gettext("Population"), gettext("Required sample"),
                     gettext("Sample adequate"), "IKM", gettext("Category")]

    def scope_rows(rows, code_key, name_key):
        return [{"code": r[code_key], "name": r[name_key], "responses": r["responses"],
                 "population": r["sample"]["population"], "required": r["sample"]["required"],
                 "adequate": r["sample"]["adequate"], "ikm": r["ikm"],
                 "category": r["category"]} for r in rows]

    overall = data["overall"]
    scope_columns = ["code", "name", "responses", "population", "required", "adequate",
                     "ikm", "category"]
    total = [{"code": "", "name": gettext("All"), "responses": overall["responses"],
              "population": overall["sample"]["population"],
              "required": overall["sample"]["required"],
              "adequate": overall["sample"]["adequate"], "ikm": overall["ikm"],
              "category": overall["category"]}]
    profile = [{"field": field, "value": value, "count": n}
               for field, counts in overall["profile"].items() for value, n in counts.items()]
    actions = [{k: a[k] for k in ("element", "action", "owner_nip", "due_on", "closed_on",
                                  "state")} for a in data["actions"]]
    write_workbook(path, [
        (gettext("Elements"), list(elements[0]) if elements else [], element_headers,
         elements),
        (gettext("Units"), scope_columns, scope_headers,
         total + scope_rows(data["units"], "unit", "unit_name")),
        (gettext("Services"), scope_columns, scope_headers,
         scope_rows(data["services"], "service_code", "service_name")),
        (gettext("Respondents"), ["field", "value", "count"],
         [gettext("Question"), gettext("Answer"), gettext("Responses")], profile),
        (gettext("Follow-up plan"), ["element", "action", "owner_nip", "due_on", "closed_on",
                                     "state"],
         [gettext("Element"), gettext("Action"), gettext("Owner"), gettext("Due"),
          gettext("Closed"), gettext("Progress")], actions),
    ], lang=lang)


def write_survey_report(db: sqlite_utils.Database, out_dir: str | os.PathLike, *,
                        formats: Sequence[str] = ("md", "html"), lang: str = "id",
                        start: date | None = None, end: date | None = None,
                        scope: Scope = Scope(), population: int | None = None,
                        template_dir: str | os.PathLike | None = None,
                        today: date | None = None) -> list[Path]:
    """Write the SKM report in each format into ``out_dir``; return the paths. Everything
    is rendered before the first file is written."""
    from qmstrack.reports import render_template, write_report_files

    wanted = check_report_formats(formats)
    data = survey_report_data(db, start=start, end=end, scope=scope, lang=lang,
                              population=population, today=today)
    context = build_report_context(db, data, lang)
    stem = report_stem(data, lang)
    texts: list[tuple[str, str | bytes]] = [
        (f"{stem}.{fmt}", render_template(f"survey_report.{fmt}.j2", lang, template_dir,
                                          context))
        for fmt in wanted if fmt not in ("xlsx", "pdf")]
    if "pdf" in wanted:
        from qmstrack.pdf import html_to_pdf

        texts.append((f"{stem}.pdf", html_to_pdf(render_template(
            "survey_report.html.j2", lang, template_dir, context))))
    # Also creates the directory (or says in one sentence why it cannot) for the workbook.
    paths = write_report_files(out_dir, texts)
    if "xlsx" in wanted:
        path = Path(out_dir).expanduser() / f"{stem}.xlsx"
        _workbook(path, data, context, lang)
        paths.append(path)
    return [p for fmt in wanted for p in paths if p.suffix == f".{fmt}"]
