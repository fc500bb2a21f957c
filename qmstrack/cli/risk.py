"""``qmstrack risk``: the register of risks and opportunities (ISO 9001 clause 6.1)."""

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

app = typer.Typer(help="Risks and opportunities (ISO 9001 6.1): scores, treatment, the heat "
                       "map.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack risk`` group to the root command."""
    root.add_typer(app, name="risk")


Likelihood = Annotated[str | None, typer.Option("--likelihood", help="Likelihood score, 1 to "
                                                "the scale (setting risk_scale, default 5).")]
ImpactScore = Annotated[str | None, typer.Option("--impact-score", help="Impact score, 1 to "
                                                 "the scale.")]
Treatment = Annotated[str | None, typer.Option("--treatment", help="The planned treatment "
                                               "(action).")]
Owner = Annotated[str | None, typer.Option("--owner", help="NIP (or code) of the staff member "
                                           "who owns the treatment.")]
Due = Annotated[str | None, typer.Option("--due", help="Date the treatment is due.")]
Reviewed = Annotated[str | None, typer.Option("--reviewed", help="Date of the last review.")]
ResidualL = Annotated[str | None, typer.Option("--residual-likelihood", help="Likelihood "
                                               "score after treatment.")]
ResidualI = Annotated[str | None, typer.Option("--residual-impact-score", help="Impact score "
                                               "after treatment.")]


@app.command("add")
def add(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", help="The unit it belongs to.")],
    description: Annotated[str, typer.Option("--description", help="The risk or "
                                             "opportunity.")],
    likelihood: Likelihood,
    impact_score: ImpactScore,
    ref: Annotated[str | None, typer.Option("--ref", help="Its number (default: the unit's "
                                            "next, R-SMA-001).")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="risk or opportunity (default "
                                             "risk).")] = None,
    process: Annotated[str | None, typer.Option("--process", help="The process or service, "
                                                "e.g. SMA-LEG.")] = None,
    cause: Annotated[str | None, typer.Option("--cause", help="What would cause it.")] = None,
    impact: Annotated[str | None, typer.Option("--impact", help="What would follow.")] = None,
    treatment: Treatment = None,
    owner: Owner = None,
    due: Due = None,
    identified: Annotated[str | None, typer.Option("--identified", help="Date identified "
                                                   "(default today).")] = None,
    reviewed: Reviewed = None,
) -> None:
    """Record a risk or opportunity; prints its number."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.risks import add_risk

    record = add_risk(open_db(ctx), ref_no=ref, unit=unit, description=description,
                      likelihood=likelihood, severity=impact_score, kind=kind,
                      process=process, cause=cause, impact=impact, treatment=treatment,
                      owner=owner, due_on=opt_date(due, "--due"),
                      identified_on=opt_date(identified, "--identified"),
                      reviewed_on=opt_date(reviewed, "--reviewed"))
    typer.echo(record["ref_no"])
    message(f"Risk {record['ref_no']} recorded: level {record['level']} "
            f"({record['band'].replace('_', ' ')}).")


@app.command("update")
def update(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The risk's number.")],
    likelihood: Likelihood = None,
    impact_score: ImpactScore = None,
    treatment: Treatment = None,
    owner: Owner = None,
    due: Due = None,
    reviewed: Reviewed = None,
    residual_likelihood: ResidualL = None,
    residual_impact_score: ResidualI = None,
    closed: Annotated[str | None, typer.Option("--closed", help="Date it was closed "
                                               "(treated, or no longer relevant).")] = None,
) -> None:
    """Review a risk: new scores, treatment, residual level, or close it."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.risks import update_risk

    closed_on = opt_date(closed, "--closed")
    record, changed = update_risk(
        open_db(ctx), ref, likelihood=likelihood, severity=impact_score, treatment=treatment,
        owner=owner, due_on=opt_date(due, "--due"), reviewed_on=opt_date(reviewed, "--reviewed"),
        residual_likelihood=residual_likelihood, residual_severity=residual_impact_score,
        closed_on=closed_on, status="closed" if closed_on else None)
    if changed:
        message(f"Risk {record['ref_no']} updated: {', '.join(changed)}.")
    else:
        message(f"Risk {record['ref_no']} unchanged.")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    unit: UnitFilter = None,
    status: Annotated[str | None, typer.Option("--status", help="open or closed.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open risks whose treatment "
                                          "is past due.")] = False,
    columns: ColumnsOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """The risk register, highest level first in each unit."""
    from qmstrack.cli.output import choose_columns, emit_rows
    from qmstrack.cli.values import opt_units, option_value
    from qmstrack.registers.risks import LIST_COLUMNS, list_risks

    db = open_db(ctx)
    rows = option_value("--status", lambda: list(list_risks(
        db, units=opt_units(db, unit), status=status, overdue=overdue)))
    emit_rows(rows, choose_columns(LIST_COLUMNS, columns), as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx, empty="No risks match.")


@app.command("show")
def show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="REF", help="The risk's number.")],
    json: JsonOption = False,
) -> None:
    """Show one risk."""
    from qmstrack.cli.output import print_record
    from qmstrack.registers.risks import get_risk

    record = get_risk(open_db(ctx), ref)
    print_record(record, as_json=json, title=f"Risk {record['ref_no']}")


@app.command("matrix")
def matrix(
    ctx: typer.Context,
    unit: UnitFilter = None,
    residual: Annotated[bool, typer.Option("--residual", help="Place the risks by their "
                                           "residual scores.")] = False,
    html: Annotated[Path | None, typer.Option("--html", dir_okay=False, help="Also write the "
                                              "heat map as an HTML file.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the HTML file: id "
                                             "or en (default: configured).")] = None,
    json: JsonOption = False,
) -> None:
    """The heat map of the open risks: likelihood against impact."""
    from rich.markup import escape
    from rich.table import Table

    from qmstrack.cli.output import message, out_console, print_json
    from qmstrack.cli.values import opt_units
    from qmstrack.registers.risks import risk_matrix

    db = open_db(ctx)
    heat = risk_matrix(db, units=opt_units(db, unit), residual=residual)
    if json:
        print_json(heat)
    else:
        colours = {"low": "on green", "medium": "on yellow", "high": "on dark_orange",
                   "very_high": "on red"}
        table = Table(title=f"Risk matrix{' ' + ', '.join(heat['units']) if heat['units'] else ''}"
                            f" ({heat['total']} open)", show_lines=True)
        table.add_column("L \\ I", justify="right")
        for cell in heat["rows"][0]["cells"]:
            table.add_column(str(cell["impact"]), justify="center")
        for row in heat["rows"]:
            table.add_row(str(row["likelihood"]), *(
                f"[black {colours[c['band']]}]{escape(', '.join(c['refs'])) or '·'}[/]"
                for c in row["cells"]))
        out_console().print(table)
    if html is not None:
        from qmstrack.atomic import default_mode, write_atomically
        from qmstrack.clock import office_today
        from qmstrack.db import get_setting
        from qmstrack.i18n import choose_lang
        from qmstrack.reports import render_template

        language = choose_lang(lang, get_setting(db, "lang"))
        text = render_template("risk_matrix.html.j2", language, None, {
            "matrix": heat, "units": heat["units"], "lang": language,
            "org_name": get_setting(db, "org_name") or "", "generated_on": office_today(db)})
        write_atomically(html, text, mode=default_mode())
        message(f"Risk matrix written to {html}.")


add_import_command(
    app, "qmstrack.registers.risks:import_risks",
    "Import the risk register from CSV or XLSX (no_risiko, unit, risiko, kemungkinan, "
    "dampak, ...).")
