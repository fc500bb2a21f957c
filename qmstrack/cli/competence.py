"""``qmstrack competence``: competences required by position, training records and the
staff x competence matrix (ISO 9001 clause 7.2)."""

from __future__ import annotations

from pathlib import Path
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

app = typer.Typer(help="Competence (ISO 9001 7.2): required by position, training records, "
                       "the matrix.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack competence`` group to the root command."""
    root.add_typer(app, name="competence")


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Short code, e.g. PELAYANAN-PRIMA.")],
    title: Annotated[str, typer.Option("--title", help="What the competence is.")],
    description: Annotated[str, typer.Option("--description", help="How it is shown.")] = "",
) -> None:
    """Add a competence (or change its title)."""
    from qmstrack.cli.output import message
    from qmstrack.registers.competence import add_competence

    record = add_competence(open_db(ctx), code, title, description)
    message(f"Competence {record['code']} saved.")


@app.command("require")
def require(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The competence's code.")],
    position: Annotated[str, typer.Option("--position", help="The position that requires it, "
                                          "as in 'qmstrack staff list'.")],
) -> None:
    """Record that a position requires a competence."""
    from qmstrack.cli.output import message
    from qmstrack.registers.competence import require_competence

    record = require_competence(open_db(ctx), position, code)
    message(f"{record['position']} requires {record['competence_code']}.")


@app.command("train")
def train(
    ctx: typer.Context,
    staff: Annotated[str, typer.Option("--staff", help="NIP, NI PPPK or office code of the "
                                       "staff member trained.")],
    title: Annotated[str, typer.Option("--title", help="The training (diklat, bimtek, "
                                       "workshop).")],
    on: Annotated[str, typer.Option("--on", help="Date of the training.")],
    competence: Annotated[str | None, typer.Option("--competence", help="The competence it "
                                                   "gives.")] = None,
    hours: Annotated[str | None, typer.Option("--hours", help="Hours (JP).")] = None,
    organiser: Annotated[str | None, typer.Option("--organiser", help="Who held it.")] = None,
    certificate: Annotated[Path | None, typer.Option("--certificate", dir_okay=False,
                                                     help="The certificate file.")] = None,
    effective: Annotated[str | None, typer.Option("--effectiveness", help="effective or not "
                                                  "effective, once evaluated.")] = None,
    evaluated: Annotated[str | None, typer.Option("--evaluated", help="Date of the "
                                                  "effectiveness evaluation.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="How it was evaluated.")] = None,
) -> None:
    """Record a training (or update it: same staff member, title and date)."""
    from qmstrack.cli.output import message
    from qmstrack.cli.state import db_path
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.competence import add_training

    record = add_training(open_db(ctx), staff=staff, title=title, held_on=opt_date(on, "--on"),
                          competence=competence, hours=hours, organiser=organiser,
                          effectiveness=effective, evaluated_on=opt_date(evaluated,
                                                                         "--evaluated"),
                          note=note, certificate=certificate, db_path=db_path(ctx))
    message(f"Training of {record['staff_nip']} on {record['held_on']} saved.")


@app.command("trainings")
def trainings(
    ctx: typer.Context,
    staff: Annotated[str | None, typer.Option("--staff", help="Only this staff member.")]
    = None,
    columns: ColumnsOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List the training records."""
    from qmstrack.cli.output import choose_columns, emit_rows
    from qmstrack.cli.values import option_value
    from qmstrack.registers.competence import TRAINING_COLUMNS, list_trainings

    db = open_db(ctx)
    rows = option_value("--staff", lambda: list(list_trainings(db, staff=staff)))
    emit_rows(rows, choose_columns(TRAINING_COLUMNS, columns), as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx, empty="No training records match.")


@app.command("matrix")
def matrix(
    ctx: typer.Context,
    unit: UnitFilter = None,
    on: Annotated[str | None, typer.Option("--on", help="The day (default today).")] = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Staff x required competence: ok, or GAP where no effective training is recorded."""
    from qmstrack.cli.output import emit_rows, print_json
    from qmstrack.cli.values import opt_date, opt_units
    from qmstrack.registers.competence import competence_matrix

    db = open_db(ctx)
    grid = competence_matrix(db, units=opt_units(db, unit), on=opt_date(on, "--on"))
    if json:
        print_json(grid)
        return
    codes = [c["code"] for c in grid["competences"]]
    rows = [{"staff_nip": r["staff_nip"], "name": r["name"], "unit": r["unit"],
             "position": r["position"],
             **{c: ("" if c not in r["cells"] else "ok" if r["cells"][c] else "GAP")
                for c in codes}, "gaps": r["gaps"]} for r in grid["rows"]]
    emit_rows(rows, ["staff_nip", "name", "unit", "position", *codes, "gaps"], as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx,
              empty="No position requires a competence yet; see 'qmstrack competence "
                    "require'.")


add_import_command(
    app, "qmstrack.registers.competence:import_trainings",
    "Import training records from CSV or XLSX (nip, pelatihan, tanggal, kompetensi, jam, ...).")
