"""``qmstrack complaint``: complaints from the public (pengaduan), their response and close."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.imports import add_import_command
from qmstrack.cli.options import (
    ColumnsOption,
    CsvOption,
    DelimiterOption,
    JsonOption,
    SinceOption,
    UnitFilter,
    UntilOption,
    XlsxOption,
)
from qmstrack.cli.state import office_today, open_db

app = typer.Typer(help="Complaints from the public (pengaduan).", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack complaint`` group to the root command."""
    root.add_typer(app, name="complaint")

RefArgument = Annotated[str, typer.Argument(help="Complaint number, e.g. ADU-2026-0001.")]


@app.command("add")
def add(
    ctx: typer.Context,
    channel: Annotated[str, typer.Option("--channel", help="lapor (SP4N-LAPOR!), walk-in, "
                                         "phone, email or letter.")],
    subject: Annotated[str, typer.Option("--subject", help="What the complaint is "
                                         "about.")],
    received: Annotated[str | None, typer.Option("--received", help="Date received "
                                                 "(default today).")] = None,
    request: Annotated[str | None, typer.Option("--request", help="Reference number of "
                                                "the request it concerns.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit concerned (default: "
                                             "the request's).")] = None,
    complainant: Annotated[str, typer.Option("--complainant", help="Name of the "
                                             "complainant.")] = "",
    contact: Annotated[str, typer.Option("--contact", help="Phone or e-mail of the "
                                         "complainant.")] = "",
    ref: Annotated[str | None, typer.Option("--ref", help="Complaint number (generated "
                                            "when omitted), e.g. the LAPOR! tracking "
                                            "number.")] = None,
) -> None:
    """Record a complaint; prints its number and response due date."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date, option_value
    from qmstrack.registers.complaints import add_complaint, parse_channel

    channel_code = option_value("--channel", lambda: parse_channel(channel))
    record = add_complaint(open_db(ctx), channel=channel_code, subject=subject,
                           received=opt_date(received, "--received"), request=request,
                           unit=unit, complainant=complainant, contact=contact, ref=ref)
    typer.echo(record["ref_no"])
    message(f"Complaint {record['ref_no']} recorded; response due "
            f"{record['response_due_on']}.")


@app.command("respond")
def respond(
    ctx: typer.Context,
    ref: RefArgument,
    response: Annotated[str, typer.Option("--response", help="The response given.")],
    on: Annotated[str | None, typer.Option("--on", help="Date of the response "
                                           "(default today).")] = None,
) -> None:
    """Record the response to a complaint (once)."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.complaints import respond_complaint

    record = respond_complaint(open_db(ctx), ref, response=response, on=opt_date(on, "--on"))
    timing = "on time" if record["on_time"] else f"late (due {record['response_due_on']})"
    message(f"Complaint {record['ref_no']} responded to on {record['responded_on']}, "
            f"{timing}.")


@app.command("close")
def close(
    ctx: typer.Context,
    ref: RefArgument,
    outcome: Annotated[str, typer.Option("--outcome", help="How the complaint ended "
                                         "(tindak lanjut).")],
    on: Annotated[str | None, typer.Option("--on", help="Date closed (default "
                                           "today).")] = None,
) -> None:
    """Close a complaint with its outcome (once; on or after its response)."""
    from qmstrack.cli.output import message, warning
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.complaints import close_complaint

    record = close_complaint(open_db(ctx), ref, outcome=outcome, on=opt_date(on, "--on"))
    if record["responded_on"] is None:
        warning(f"complaint {record['ref_no']} was closed without a recorded response.")
    message(f"Complaint {record['ref_no']} closed on {record['closed_on']}.")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    open_: Annotated[bool, typer.Option("--open", help="Only complaints not closed "
                                        "today.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open complaints not "
                                          "responded to and past their response due "
                                          "date.")] = False,
    unit: UnitFilter = None,
    since: SinceOption = None,
    until: UntilOption = None,
    columns: ColumnsOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List complaints received in a period (all by default)."""

    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.values import opt_date, opt_units
    from qmstrack.registers.complaints import COLUMNS, TABLE_COLUMNS, list_complaints

    db = open_db(ctx)
    today = office_today()
    rows = list_complaints(db, open_on=today if open_ else None,
                           overdue_on=today if overdue else None, units=opt_units(db, unit),
                           since=opt_date(since, "--since"), until=opt_date(until, "--until"),
                           today=today)
    from qmstrack.cli.output import choose_columns

    emit_rows(rows, choose_columns(COLUMNS, columns)
              if columns is not None or json or csv or xlsx else TABLE_COLUMNS,
              as_json=json, as_csv=csv, delimiter=delimiter, xlsx=xlsx, ctx=ctx,
              empty="No complaints match.")


@app.command("show")
def show(ctx: typer.Context, ref: RefArgument, json: JsonOption = False) -> None:
    """Show one complaint."""
    from qmstrack.cli.output import print_record
    from qmstrack.registers.complaints import get_complaint

    record = get_complaint(open_db(ctx), ref)
    print_record(record, as_json=json, title=None if json else f"Complaint {record['ref_no']}")


add_import_command(
    app, "qmstrack.registers.complaints:import_complaints",
    "Import complaints from CSV or XLSX (Indonesian or English headers).")
