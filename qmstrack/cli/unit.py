"""``qmstrack unit``: the organisational units in scope."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.options import JsonOption, XlsxOption
from qmstrack.cli.state import open_db

app = typer.Typer(help="Organisational units in scope, such as SMP, SMA and SEKRETARIAT.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack unit`` group to the root command."""
    root.add_typer(app, name="unit")


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Short code, e.g. SMA.")],
    name: Annotated[str | None, typer.Option("--name", help="Full name of the unit.")] = None,
) -> None:
    """Add a unit (or rename an existing one)."""
    from qmstrack.cli.output import message
    from qmstrack.registers.units import add_unit

    record = add_unit(open_db(ctx), code, name)
    message(f"Unit {record['code']} saved.")


@app.command("list")
def list_cmd(ctx: typer.Context, json: JsonOption = False, xlsx: XlsxOption = None) -> None:
    """List the units."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.registers.units import list_units

    emit_rows(list_units(open_db(ctx)), ["code", "name"], as_json=json, xlsx=xlsx, ctx=ctx,
              empty="No units yet; add one with 'qmstrack unit add'.")
