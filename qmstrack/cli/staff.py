"""``qmstrack staff``: the office's staff, identified by NIP, NI PPPK or office code."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.imports import add_import_command
from qmstrack.cli.options import (
    ColumnsOption,
    CsvOption,
    DelimiterOption,
    JsonOption,
    UnitFilter,
    XlsxOption,
)
from qmstrack.cli.state import open_db
from qmstrack.i18n import N_

app = typer.Typer(help=N_("Staff (pegawai): PNS by NIP, PPPK by NI PPPK, non-ASN by an office "
                          "code."), no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack staff`` group to the root command."""
    root.add_typer(app, name="staff")


@app.command("add")
def add(
    ctx: typer.Context,
    staff_id: Annotated[str, typer.Option(
        "--id", "--nip", "--code", metavar="ID",
        help=N_("The NIP (PNS), NI PPPK (PPPK) or office code (non-ASN, e.g. KEAMANAN-01); "
                "spaces allowed in numbers (19860926 201505 1 001)."))],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    unit: Annotated[str, typer.Option("--unit", help="Unit the person works in.")],
    position: Annotated[str, typer.Option("--position", help="Position (jabatan).")] = "",
    employment: Annotated[str | None, typer.Option(
        "--employment", metavar="TYPE",
        help=N_("pns, pppk or non-asn (default: told from the identifier: a code is "
                "non-asn, a valid NIP pns, else a valid NI PPPK pppk)."))] = None,
) -> None:
    """Add a staff member, or update the one with the same identifier."""
    from qmstrack.cli.output import message, value_label
    from qmstrack.i18n import _
    from qmstrack.registers.staff import add_staff

    record = add_staff(open_db(ctx), nip=staff_id, name=name, unit=unit, position=position,
                       employment=employment)
    message(_("Staff member {name} ({id}, {employment}) saved.").format(
        name=record["name"], id=record["nip"],
        employment=value_label("employment", record["employment"])))


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    unit: UnitFilter = None,
    all_: Annotated[bool, typer.Option("--all", help="Include inactive staff.")] = False,
    columns: ColumnsOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List staff members."""
    from qmstrack.cli.output import choose_columns, emit_rows
    from qmstrack.cli.values import opt_units
    from qmstrack.registers.staff import COLUMNS, TABLE_COLUMNS, list_staff

    db = open_db(ctx)
    shown = (choose_columns(COLUMNS, columns) if columns is not None or json or csv or xlsx
             else TABLE_COLUMNS)
    emit_rows(list_staff(db, opt_units(db, unit), include_inactive=all_), shown,
              as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx, empty="No staff yet.")


@app.command("show")
def show(ctx: typer.Context,
         staff_id: Annotated[str, typer.Argument(
             metavar="ID", help=N_("NIP, NI PPPK or office code of the staff member."))],
         json: JsonOption = False) -> None:
    """Show one staff member and what their NIP or NI PPPK encodes."""
    from qmstrack.cli.output import print_record
    from qmstrack.cli.values import option_value
    from qmstrack.registers.common import get_staff
    from qmstrack.staff_ids import describe, staff_key

    key = option_value("ID", lambda: staff_key(staff_id))
    row = get_staff(open_db(ctx), key)
    record = {"id": row["nip"], "employment": row["employment"]}
    record.update({k: v for k, v in row.items() if k not in ("employment",)})
    if row["employment"] != "pns":
        record.pop("nip")
    record.update(describe(row["nip"], row["employment"]))
    print_record(record, as_json=json)


add_import_command(
    app, "qmstrack.registers.staff:import_staff",
    "Import staff from CSV or XLSX (columns nip, nama, bidang, jabatan, and "
    "status_kepegawaian: PNS, PPPK or non-ASN).")
