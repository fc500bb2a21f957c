"""``qmstrack request``: service requests from the public, and their status changes."""

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
from qmstrack.i18n import N_, _

app = typer.Typer(help="Service requests (permohonan layanan).", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack request`` group to the root command."""
    root.add_typer(app, name="request")


@app.command("add")
def add(
    ctx: typer.Context,
    service: Annotated[str, typer.Option("--service", help="Service code.")],
    requester: Annotated[str, typer.Option("--requester", help="Name of the requester.")],
    ref: Annotated[str | None, typer.Option("--ref", help="Reference number (generated "
                                            "when omitted).")] = None,
    received: Annotated[str | None, typer.Option("--received", help="Date received "
                                                 "(default today).")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit (default: the "
                                             "service's).")] = None,
    contact: Annotated[str, typer.Option("--contact", help="Phone or e-mail.")] = "",
    channel: Annotated[str, typer.Option("--channel", help="How it came in (walk-in, "
                                         "online, letter...).")] = "",
    staff: Annotated[str | None, typer.Option("--staff", help=N_(
        "The assigned staff member: NIP, NI PPPK or office code."))] = None,
    note: Annotated[str, typer.Option("--note", help="Notes.")] = "",
) -> None:
    """Register a request; prints its reference number and due date."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.requests import add_request

    record = add_request(open_db(ctx), service=service, requester=requester, ref=ref,
                         received=opt_date(received, "--received"), unit=unit,
                         contact=contact, channel=channel, staff=staff, note=note)
    typer.echo(record["ref_no"])
    message(_("Request {ref} registered; due {due}.").format(ref=record["ref_no"],
                                                             due=record["due_on"]))


@app.command("update")
def update(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Reference number.")],
    status: Annotated[str, typer.Option("--status", help="in_progress, completed or "
                                        "rejected.")],
    on: Annotated[str | None, typer.Option("--on", help="Date of the change "
                                           "(default today).")] = None,
    rating: Annotated[int | None, typer.Option("--rating", help="Requester's overall "
                                               "rating 1-4.")] = None,
    staff: Annotated[str | None, typer.Option("--staff", help=N_(
        "The staff member handling it: NIP, NI PPPK or office code."))] = None,
    note: Annotated[str, typer.Option("--note", help="Note kept with the event.")] = "",
) -> None:
    """Change a request's status on a date (kept as an event)."""

    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.requests import update_request

    record = update_request(open_db(ctx), ref, status=status,
                            on=opt_date(on, "--on") or office_today(), rating=rating,
                            note=note, staff=staff)
    from qmstrack.cli.output import value_label

    status = value_label("status", record["status"])
    if record["on_time"] is None:
        text = _("Request {ref} is now {status}.")
    elif record["on_time"]:
        text = _("Request {ref} is now {status}, on time.")
    else:
        text = _("Request {ref} is now {status}, late (due {due}).")
    message(text.format(ref=record["ref_no"], status=status, due=record["due_on"]))


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    unit: UnitFilter = None,
    status: Annotated[list[str] | None, typer.Option("--status", help="Only this status "
                                                     "(repeatable).")] = None,
    service: Annotated[str | None, typer.Option("--service", help="Only this service.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only requests open and past "
                                          "their due date today.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N rows.")] = None,
    search: Annotated[str | None, typer.Option("--search", metavar="TEXT", help=N_(
        "Only requests whose requester, contact or reference number contains TEXT."))]
    = None,
    columns: ColumnsOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List requests received in a period (all by default)."""

    from qmstrack.cli.output import choose_columns, emit_rows
    from qmstrack.cli.values import opt_date, opt_units, option_value
    from qmstrack.registers.requests import LIST_COLUMNS, list_requests, parse_status

    db = open_db(ctx)
    statuses = option_value("--status", lambda: tuple(parse_status(s) for s in status or ()))
    rows = list_requests(db, units=opt_units(db, unit), statuses=statuses, service=service,
                         since=opt_date(since, "--since"), until=opt_date(until, "--until"),
                         overdue_on=office_today() if overdue else None, limit=limit,
                         search=search)
    if columns is None and not (json or csv or xlsx):
        # Names stay out of the people's table, unless they are what is searched for.
        shown = [c for c in LIST_COLUMNS if c != "requester"]
        if search is not None:
            shown.insert(1, "requester")
    else:
        shown = choose_columns(LIST_COLUMNS, columns)
    emit_rows(option_value("--search", lambda: _first_checked(rows)), shown,
              as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx, empty=_("No requests match."))


def _first_checked(rows):
    """The rows, with a bad search text refused before anything is printed."""
    import itertools

    first = list(itertools.islice(rows, 1))
    return itertools.chain(first, rows)


@app.command("show")
def show(ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Reference number.")],
         json: JsonOption = False) -> None:
    """Show one request with its status history."""
    from qmstrack.cli.output import print_record, print_table
    from qmstrack.registers.requests import get_request

    record = get_request(open_db(ctx), ref)
    if json:
        print_record(record, as_json=True)
        return
    events = record.pop("events")
    print_record(record, title=_("Request {ref}").format(ref=record["ref_no"]))
    print_table(events, ["on_date", "status", "note"], title=_("History"))


add_import_command(
    app, "qmstrack.registers.requests:import_requests",
    "Import requests from CSV or XLSX (Indonesian or English headers).")
