"""``qmstrack adherence``: observations of staff keeping to the rules."""

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
    SinceOption,
    UnitFilter,
    UntilOption,
    XlsxOption,
)
from qmstrack.cli.state import open_db
from qmstrack.i18n import N_

app = typer.Typer(help="Adherence observations: staff keeping to SOPs and rules.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack adherence`` group to the root command."""
    root.add_typer(app, name="adherence")


@app.command("add")
def add(
    ctx: typer.Context,
    staff: Annotated[str, typer.Option("--staff", help=N_(
        "The staff member observed: NIP, NI PPPK or office code (KEAMANAN-01)."))],
    rule: Annotated[str, typer.Option("--rule", help="Rule (SOP) code.")],
    result: Annotated[str, typer.Option("--result", help="comply, breach or na.")],
    on: Annotated[str | None, typer.Option("--on", help="Date observed (default today).")]
    = None,
    observer: Annotated[str, typer.Option("--observer", help="Who observed.")] = "",
    note: Annotated[str, typer.Option("--note", help="What was seen.")] = "",
    evidence: Annotated[Path | None, typer.Option(
        "--evidence", dir_okay=False, help="A file (photo, scan) kept as evidence.")] = None,
) -> None:
    """Record one observation (one per staff member, rule and day)."""
    from qmstrack.cli.output import message
    from qmstrack.cli.state import db_path
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.adherence import add_observation

    record = add_observation(open_db(ctx), staff=staff, rule=rule, result=result,
                             on=opt_date(on, "--on"), observer=observer, note=note,
                             evidence_file=evidence, db_path=db_path(ctx))
    message(f"Observation saved: {record['staff_nip']} {record['rule_code']} "
            f"{record['observed_on']} {record['result']}.")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    unit: UnitFilter = None,
    staff: Annotated[str | None, typer.Option("--staff", help=N_(
        "Only this staff member (NIP, NI PPPK or code)."))] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Only this rule.")] = None,
    result: Annotated[str | None, typer.Option("--result", help="Only this result.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    columns: ColumnsOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List observations."""
    from qmstrack.cli.output import choose_columns, emit_rows
    from qmstrack.cli.values import opt_date, opt_units, option_value
    from qmstrack.registers.adherence import LIST_COLUMNS, list_observations, parse_result
    from qmstrack.staff_ids import staff_key

    db = open_db(ctx)
    if staff is not None:
        staff = option_value("--staff", lambda: staff_key(staff))
    if result is not None:
        result = option_value("--result", lambda: parse_result(result))
    rows = list_observations(db, units=opt_units(db, unit), staff=staff, rule=rule,
                             result=result, since=opt_date(since, "--since"),
                             until=opt_date(until, "--until"))
    emit_rows(rows, choose_columns(LIST_COLUMNS, columns), as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx,
              empty="No observations match.")


@app.command("stats")
def stats(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help="Group by unit, staff or rule.")] = "unit",
    unit: UnitFilter = None,
    since: SinceOption = None,
    until: UntilOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Adherence rate = comply / (comply + breach), grouped by unit, staff or rule."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.values import opt_date, opt_units, option_value
    from qmstrack.registers.adherence import adherence_stats

    db = open_db(ctx)
    rows = option_value("--by", lambda: list(adherence_stats(
        db, by=by, units=opt_units(db, unit), since=opt_date(since, "--since"),
        until=opt_date(until, "--until"))))
    columns = ["key", "name", "observations", "comply", "breach", "na", "rate"]
    if not (json or csv):
        from qmstrack.cli.output import percent

        rows = [{**r, "rate": percent(r["rate"])} for r in rows]
    emit_rows(rows, columns, as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx, empty="No observations in the period.")


add_import_command(
    app, "qmstrack.registers.adherence:import_observations",
    "Import observations from CSV or XLSX (nip, kode_sop, tanggal, hasil, ...).")
