"""``qmstrack survey``: public satisfaction survey responses (SKM) and the IKM report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.cli.imports import add_import_command
from qmstrack.cli.options import (
    CsvOption,
    DelimiterOption,
    FromOption,
    JsonOption,
    LangOption,
    ToOption,
    UnitFilter,
    XlsxOption,
)
from qmstrack.cli.state import open_db
from qmstrack.i18n import count_of

app = typer.Typer(help="Public satisfaction surveys (SKM, PermenPAN-RB 14/2017) and the IKM.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack survey`` group to the root command."""
    root.add_typer(app, name="survey")

ServiceFilter = Annotated[str | None, typer.Option("--service", help="Only this service.")]


@app.command("add")
def add(
    ctx: typer.Context,
    service: Annotated[str, typer.Option("--service", help="Service code the response is "
                                         "about.")],
    scores: Annotated[str, typer.Option("--scores", help="The nine element scores u1..u9, "
                                        "each 1-4, e.g. 4,3,4,4,3,4,4,3,4.")],
    on: Annotated[str | None, typer.Option("--date", help="Date the questionnaire was "
                                           "filled in (default today).")] = None,
    note: Annotated[str, typer.Option("--note", help="The respondent's suggestion or "
                                      "comment.")] = "",
    sex: Annotated[str | None, typer.Option("--sex", help="Jenis kelamin: L or P (or as "
                                            "written).")] = None,
    age: Annotated[str | None, typer.Option("--age", help="Age in years (10-100), or an age "
                                            "band as written.")] = None,
    education: Annotated[str | None, typer.Option("--education", help="Pendidikan: SD, SMP, "
                                                  "SMA, S1, S2, S3 (or as written).")] = None,
    occupation: Annotated[str | None, typer.Option("--occupation", help="Pekerjaan: PNS, TNI, "
                                                   "POLRI, Swasta, Wirausaha, Lainnya (or as "
                                                   "written).")] = None,
) -> None:
    """Record one questionnaire; prints its key."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date, option_value
    from qmstrack.registers.surveys import add_response, parse_scores

    parsed = option_value("--scores", lambda: parse_scores(scores))
    record = add_response(open_db(ctx), service=service, scores=parsed,
                          on=opt_date(on, "--date"), note=note,
                          profile={"sex": sex, "age": age, "education": education,
                                   "occupation": occupation})
    typer.echo(record["response_key"])
    message(f"Survey response for {record['service_code']} on {record['responded_on']} "
            "saved.")


add_import_command(
    app, "qmstrack.registers.surveys:import_responses",
    "Import questionnaires: a register, or a Google Forms or Microsoft Forms export as it "
    "is.\n\n"
    "Columns: tanggal (or the form's Timestamp / Completion time), the service (code or "
    "name), the nine elements (u1..u9, unsur1.., their names, or the questions themselves, "
    "found by their element: Persyaratan, Prosedur, Waktu, Biaya/Tarif, Produk, Kompetensi, "
    "Perilaku, Pengaduan, Sarana), answered 1-4 or in the questionnaire's words (Sangat "
    "Sesuai, Sesuai, ...); optionally no (sheet number), jenis kelamin, usia, pendidikan, "
    "pekerjaan and saran. Importing a file again changes nothing.", service_map=True)


def _filters(ctx, start, end, unit, service):
    from qmstrack.cli.values import opt_range, opt_units, option_value
    from qmstrack.parsing import parse_code
    from qmstrack.registers.common import get_service

    db = open_db(ctx)
    first, last = opt_range(start, end)
    units = opt_units(db, unit)
    if service is not None:
        service = option_value("--service", lambda: parse_code(service, field="service code"))
        get_service(db, service)
    return db, first, last, units, service


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    start: FromOption = None,
    end: ToOption = None,
    unit: UnitFilter = None,
    service: ServiceFilter = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List survey responses, oldest first."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.registers.surveys import LIST_COLUMNS, list_responses

    db, first, last, units, service = _filters(ctx, start, end, unit, service)
    rows = list_responses(db, units=units, service=service, since=first, until=last)
    columns = LIST_COLUMNS if (json or csv or xlsx) else [c for c in LIST_COLUMNS
                                                  if c != "response_key"]
    emit_rows(rows, columns, as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx, empty="No survey responses match.")


@app.command("report")
def report(
    ctx: typer.Context,
    start: FromOption = None,
    end: ToOption = None,
    unit: UnitFilter = None,
    service: ServiceFilter = None,
    format: Annotated[str | None, typer.Option(
        "--format", help="Write the report (Laporan Hasil SKM) in these formats, "
                         "comma-separated: md, html, xlsx, pdf (default md,html with "
                         "--out).")]
    = None,
    out: Annotated[Path | None, typer.Option(
        "--out", file_okay=False, help="Directory for the report files (default: the "
                                       "report_dir setting with --format).")] = None,
    lang: LangOption = None,
    population: Annotated[int | None, typer.Option(
        "--population", min=0, help="The population of the survey (default: the requests "
                                    "received in the period for the scope).")] = None,
    template_dir: Annotated[Path | None, typer.Option(
        "--template-dir", file_okay=False, help="Directory with templates that override "
                                                "the built-in ones.")] = None,
    json: JsonOption = False,
) -> None:
    """The SKM results: per element NRR, weighted NRR and category, the IKM, the sample
    against Krejcie-Morgan, per unit and service; with --out, the report files.

    IKM = (sum of the nine NRR x weight) x 25 (weight 1/9, or the ikm_weight setting);
    A (Sangat Baik) >= 88.31, B (Baik) >= 76.61, C (Kurang Baik) >= 65.00, else D (Tidak
    Baik), judged on the IKM rounded to two decimals; per element A >= 3.5324, B >= 3.0644,
    C >= 2.60. An IKM from fewer responses than the required sample is indicative. JSON
    keeps full precision.
    """
    from qmstrack.cli.output import message, print_json, print_table
    from qmstrack.cli.state import office_today
    from qmstrack.cli.values import opt_lang, option_value
    from qmstrack.scope import Scope
    from qmstrack.survey_report import check_report_formats, survey_report_data

    db, first, last, units, service = _filters(ctx, start, end, unit, service)
    scope = Scope(units=units, service=service)
    language = opt_lang(lang, db)
    if out is not None or format is not None:
        from qmstrack.db import get_setting
        from qmstrack.survey_report import write_survey_report

        formats = option_value("--format", lambda: check_report_formats(
            (format or "md,html").split(",")))
        directory = out or Path(get_setting(db, "report_dir") or "qmstrack-reports")
        templates = template_dir or (Path(get_setting(db, "template_dir"))
                                     if get_setting(db, "template_dir") else None)
        for path in write_survey_report(db, directory, formats=formats, lang=language,
                                        start=first, end=last, scope=scope,
                                        population=population, template_dir=templates,
                                        today=office_today()):
            typer.echo(str(path))
        return
    data = survey_report_data(db, start=first, end=last, scope=scope, lang=language,
                              population=population, today=office_today())
    if json:
        print_json(data)
        return
    _print_report(data, message, print_table)


def _print_report(data, message, print_table) -> None:
    from qmstrack.satisfaction import rounded_ikm, weight_text

    overall = data["overall"]
    if not overall["responses"]:
        message("No survey responses in the period.")
        return

    def ikm(v):
        return "" if v is None else f"{rounded_ikm(v):.2f}"

    def sample(r):
        s = r["sample"]
        flag = "" if s["adequate"] else " (indicative)"
        return f"{s['responses']}/{s['required']}{flag}"

    period = data["period"]
    elements = [{"element": e["code"], "name": e["name"], "nrr": f"{e['nrr']:.2f}",
                 "weighted": f"{e['nrr_weighted']:.4f}", "converted": f"{e['converted']:.2f}",
                 "category": e["category"]} for e in overall["elements"]]
    print_table(elements, ["element", "name", "nrr", "weighted", "converted", "category"],
                ["Element", "Name", "NRR", "Weighted NRR", "Converted", "Category"],
                title=f"Survey {period['start']} to {period['end']}: "
                      f"{count_of(overall['responses'], 'response')}, weight "
                      f"{weight_text(data['weight'])}")
    rows = [{"service_code": r["service_code"], "service_name": r["service_name"],
             "unit": r["unit"], "responses": r["responses"], "sample": sample(r),
             "ikm": ikm(r["ikm"]), "category": r["category"] or ""}
            for r in data["services"]]
    rows.append({"service_code": "ALL", "service_name": "All services", "unit": "",
                 "responses": overall["responses"], "sample": sample(overall),
                 "ikm": ikm(overall["ikm"]), "category": overall["category"] or ""})
    print_table(rows, ["service_code", "service_name", "unit", "responses", "sample", "ikm",
                       "category"],
                ["Service", "Name", "Unit", "Responses", "Sample/required", "IKM",
                 "Category"])
    if not overall["sample"]["adequate"]:
        message(f"The IKM is indicative: {overall['responses']} responses, "
                f"{overall['sample']['required']} needed for a population of "
                f"{overall['sample']['population']} (Krejcie-Morgan).")
    message(f"Weakest elements: {', '.join(data['weakest'])}.")


action_app = typer.Typer(help="The SKM follow-up plan (rencana tindak lanjut): actions on "
                              "the weakest elements.", no_args_is_help=True)
app.add_typer(action_app, name="action")
ACTION_COLUMNS = ["id", "element", "action", "owner_nip", "owner_name", "unit",
                  "service_code", "raised_on", "due_on", "closed_on", "state"]


@action_app.command("add")
def action_add(
    ctx: typer.Context,
    element: Annotated[str, typer.Option("--element", help="The element it improves: U1 to "
                                         "U9.")],
    action: Annotated[str, typer.Option("--action", help="What will be done.")],
    owner: Annotated[str, typer.Option("--owner", help="NIP, NI PPPK or office code of the "
                                       "staff member who owns it.")],
    due: Annotated[str, typer.Option("--due", help="The day it is due.")],
    unit: Annotated[str | None, typer.Option("--unit", help="The unit whose survey it "
                                             "answers (default: the whole office).")] = None,
    service: Annotated[str | None, typer.Option("--service", help="The service whose "
                                                "survey it answers.")] = None,
    on: Annotated[str | None, typer.Option("--date", help="The day it was decided (default "
                                           "today).")] = None,
    json: JsonOption = False,
) -> None:
    """Add an action to the SKM follow-up plan; prints its number."""
    from qmstrack.cli.output import message, print_json
    from qmstrack.cli.state import office_today
    from qmstrack.cli.values import opt_date, option_value
    from qmstrack.registers.survey_actions import add_action, parse_element

    today = office_today()
    code = option_value("--element", lambda: parse_element(element))
    record = add_action(open_db(ctx), element=code, action=action, owner=owner,
                        due=opt_date(due, "--due", today=today), unit=unit, service=service,
                        raised=opt_date(on, "--date", today=today), today=today)
    if json:
        print_json(record)
        return
    typer.echo(str(record["id"]))
    message(f"SKM follow-up action {record['id']} on {record['element']} saved, due "
            f"{record['due_on']}.")


@action_app.command("close")
def action_close(
    ctx: typer.Context,
    action_id: Annotated[int, typer.Argument(help="The action's number ('qmstrack survey "
                                             "action list').")],
    on: Annotated[str | None, typer.Option("--on", help="The day it was done (default "
                                           "today).")] = None,
    note: Annotated[str, typer.Option("--note", help="How it was done, where the evidence "
                                      "is.")] = "",
    json: JsonOption = False,
) -> None:
    """Close an action of the SKM follow-up plan."""
    from qmstrack.cli.output import message, print_json
    from qmstrack.cli.state import office_today
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.survey_actions import close_action

    today = office_today()
    record = close_action(open_db(ctx), action_id, on=opt_date(on, "--on", today=today),
                          note=note, today=today)
    if json:
        print_json(record)
        return
    message(f"SKM follow-up action {record['id']} closed on {record['closed_on']}.")


@action_app.command("list")
def action_list(
    ctx: typer.Context,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open actions past their "
                                          "due date.")] = False,
    unit: UnitFilter = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List the SKM follow-up actions by due date, with their state today."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.state import office_today
    from qmstrack.cli.values import opt_units
    from qmstrack.registers.survey_actions import list_actions

    db = open_db(ctx)
    today = office_today()
    rows = list_actions(db, units=opt_units(db, unit),
                        overdue_on=today if overdue else None, today=today)
    emit_rows(rows, ACTION_COLUMNS, as_json=json, as_csv=csv, delimiter=delimiter, xlsx=xlsx,
              ctx=ctx, empty="No SKM follow-up actions match.")


@app.command("form")
def form(
    ctx: typer.Context,
    service: Annotated[str, typer.Option("--service", help="The service the questionnaire "
                                         "is about (its code).")],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="The HTML file to "
                                      "write.")],
    lang: LangOption = None,
) -> None:
    """Write a blank printable SKM questionnaire (A4, HTML): the respondent's profile and
    the nine questions with their four answers."""
    from qmstrack.cli.values import opt_lang, option_value
    from qmstrack.parsing import parse_code
    from qmstrack.survey_form import write_form

    db = open_db(ctx)
    code = option_value("--service", lambda: parse_code(service, field="service code"))
    path = write_form(db, code, out, lang=opt_lang(lang, db))
    typer.echo(str(path))
