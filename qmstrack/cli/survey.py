"""``qmstrack survey``: public satisfaction survey responses (SKM) and the IKM report."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.imports import add_import_command
from qmstrack.cli.options import (
    CsvOption,
    DelimiterOption,
    FromOption,
    JsonOption,
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
) -> None:
    """Record one questionnaire; prints its key."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date, option_value
    from qmstrack.registers.surveys import add_response, parse_scores

    parsed = option_value("--scores", lambda: parse_scores(scores))
    record = add_response(open_db(ctx), service=service, scores=parsed,
                          on=opt_date(on, "--date"), note=note)
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
    json: JsonOption = False,
) -> None:
    """NRR per element and the IKM with its category, per service and overall.

    IKM = (sum of the nine NRR x 1/9) x 25; A (Sangat Baik) >= 88.31, B (Baik) >= 76.61,
    C (Kurang Baik) >= 65.00, else D (Tidak Baik), judged on the IKM rounded to two
    decimals. JSON keeps full precision.
    """
    from qmstrack.cli.output import message, print_json, print_table
    from qmstrack.registers.surveys import ELEMENT_COUNT, element_label
    from qmstrack.satisfaction import rounded_ikm, satisfaction_report
    from qmstrack.scope import Scope

    db, first, last, units, service = _filters(ctx, start, end, unit, service)
    data = satisfaction_report(db, start=first, end=last,
                               scope=Scope(units=units, service=service))
    if json:
        print_json(data)
        return
    overall = data["overall"]
    if not overall["responses"]:
        message("No survey responses in the period.")
        return

    def ikm(v):
        return "" if v is None else f"{rounded_ikm(v):.2f}"

    def category(r):
        return f"{r['category']} ({r['category_label']})" if r["category"] else ""

    period = data["period"]
    # The elements are named as the regulation names them (Indonesian).
    elements = [{"element": f"U{i}", "name": element_label(i, "id"), "nrr": f"{nrr:.2f}"}
                for i, nrr in zip(range(1, ELEMENT_COUNT + 1), overall["nrr"], strict=True)]
    print_table(elements, ["element", "name", "nrr"], ["Element", "Name", "NRR"],
                title=f"Survey {period['start']} to {period['end']}: "
                      f"{count_of(overall['responses'], 'response')}")
    rows = [{**r, "ikm": ikm(r["ikm"]), "category": category(r)} for r in data["services"]]
    rows.append({"service_code": "ALL", "service_name": "All services", "unit": "",
                 "responses": overall["responses"], "ikm": ikm(overall["ikm"]),
                 "category": category(overall)})
    print_table(rows, ["service_code", "service_name", "unit", "responses", "ikm",
                       "category"],
                ["Service", "Name", "Unit", "Responses", "IKM", "Category"])
