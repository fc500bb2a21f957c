"""``qmstrack staff``: the office's staff, identified by NIP."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.imports import add_import_command
from qmstrack.cli.options import (
    CsvOption,
    JsonOption,
    UnitFilter,
)
from qmstrack.cli.state import open_db

app = typer.Typer(help="Staff (pegawai), identified by their 18-digit NIP.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack staff`` group to the root command."""
    root.add_typer(app, name="staff")


@app.command("add")
def add(
    ctx: typer.Context,
    nip: Annotated[str, typer.Option("--nip", help="NIP; spaces allowed "
                                     "(19860926 201505 1 001).")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    unit: Annotated[str, typer.Option("--unit", help="Unit the person works in.")],
    position: Annotated[str, typer.Option("--position", help="Position (jabatan).")] = "",
) -> None:
    """Add a staff member, or update the one with the same NIP."""
    from qmstrack.cli.output import message
    from qmstrack.registers.staff import add_staff

    record = add_staff(open_db(ctx), nip=nip, name=name, unit=unit, position=position)
    message(f"Staff member {record['name']} ({record['nip']}) saved.")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    unit: UnitFilter = None,
    all_: Annotated[bool, typer.Option("--all", help="Include inactive staff.")] = False,
    json: JsonOption = False,
    csv: CsvOption = False,
) -> None:
    """List staff members."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.values import opt_units
    from qmstrack.registers.staff import COLUMNS, list_staff

    db = open_db(ctx)
    emit_rows(list_staff(db, opt_units(db, unit), include_inactive=all_), COLUMNS,
              as_json=json, as_csv=csv, empty="No staff yet.")


@app.command("show")
def show(ctx: typer.Context,
         nip: Annotated[str, typer.Argument(help="NIP of the staff member.")],
         json: JsonOption = False) -> None:
    """Show one staff member and what their NIP encodes."""
    from qmstrack.cli.output import print_record
    from qmstrack.cli.values import option_value
    from qmstrack.parsing import parse_nip
    from qmstrack.registers.common import get_staff

    parsed = option_value("NIP", lambda: parse_nip(nip))
    record = get_staff(open_db(ctx), parsed.value)
    record.update(nip_formatted=parsed.formatted(), birth_date=parsed.birth_date.isoformat(),
                  appointed=f"{parsed.appointed[0]}-{parsed.appointed[1]:02d}",
                  sex={1: "male", 2: "female"}[parsed.sex])
    print_record(record, as_json=json)


add_import_command(
    app, "qmstrack.registers.staff:import_staff",
    "Import staff from CSV or XLSX (columns nip, nama, bidang, jabatan).")
