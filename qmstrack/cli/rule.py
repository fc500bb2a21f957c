"""``qmstrack rule``: SOPs and regulations staff must follow."""

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

app = typer.Typer(help="Rules (SOPs, regulations) and the ISO clauses they evidence.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack rule`` group to the root command."""
    root.add_typer(app, name="rule")


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Option("--code", help="SOP code, e.g. SOP-SMA-01.")],
    title: Annotated[str, typer.Option("--title", help="Title of the rule.")],
    unit: Annotated[str | None, typer.Option("--unit", help="Unit it applies to "
                                             "(default: all).")] = None,
    clause: Annotated[list[str] | None, typer.Option("--clause", help="ISO clause it "
                                                     "evidences (repeatable).")] = None,
) -> None:
    """Add a rule, or update the one with the same code."""
    from qmstrack.cli.output import message
    from qmstrack.registers.rules import add_rule

    record = add_rule(open_db(ctx), code=code, title=title, unit=unit, clauses=clause or [])
    message(f"Rule {record['code']} saved.")


@app.command("list")
def list_cmd(ctx: typer.Context, unit: UnitFilter = None, json: JsonOption = False,
             csv: CsvOption = False,
             delimiter: DelimiterOption = None, xlsx: XlsxOption = None) -> None:
    """List the rules."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.values import opt_units
    from qmstrack.registers.rules import COLUMNS, list_rules

    db = open_db(ctx)
    emit_rows(list_rules(db, opt_units(db, unit)), COLUMNS, as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx,
              empty="No rules yet.")


add_import_command(
    app, "qmstrack.registers.rules:import_rules",
    "Import rules from CSV or XLSX (columns kode_sop, judul, bidang, klausul).")
