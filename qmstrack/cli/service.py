"""``qmstrack service``: services and their service standards."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.imports import add_import_command
from qmstrack.cli.options import (
    CsvOption,
    DelimiterOption,
    JsonOption,
    UnitFilter,
    XlsxOption,
)
from qmstrack.cli.state import open_db
from qmstrack.i18n import count_of

app = typer.Typer(help="Services and their service time in working days.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack service`` group to the root command."""
    root.add_typer(app, name="service")


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Option("--code", help="Service code, e.g. SMA-LEG.")],
    name: Annotated[str, typer.Option("--name", help="Name of the service.")],
    unit: Annotated[str, typer.Option("--unit", help="Unit that delivers the service.")],
    sla_days: Annotated[int, typer.Option("--sla-days", help="Service time in working days "
                                          "(0 = same day).")],
    fee: Annotated[int, typer.Option("--fee", help="Fee in rupiah.")] = 0,
    requirements: Annotated[str, typer.Option("--requirements",
                                              help="What the requester must bring.")] = "",
) -> None:
    """Add a service, or update the one with the same code."""
    from qmstrack.cli.output import message
    from qmstrack.registers.services import add_service

    record = add_service(open_db(ctx), code=code, name=name, unit=unit, sla_days=sla_days,
                         fee=fee, requirements=requirements)
    days = record["sla_days"]
    message(f"Service {record['code']} saved "
            f"({count_of(days, 'working day') if days else 'same day'}).")


@app.command("list")
def list_cmd(ctx: typer.Context, unit: UnitFilter = None, json: JsonOption = False,
             csv: CsvOption = False,
             delimiter: DelimiterOption = None, xlsx: XlsxOption = None) -> None:
    """List the services."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.values import opt_units
    from qmstrack.registers.services import COLUMNS, list_services

    db = open_db(ctx)
    emit_rows(list_services(db, opt_units(db, unit)), COLUMNS, as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx,
              empty="No services yet; add them with 'qmstrack service add' or import.")


add_import_command(
    app, "qmstrack.registers.services:import_services",
    "Import services from CSV, XLSX or YAML (re-importing changes nothing).")
