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
    at: Annotated[str | None, typer.Option("--at", help="Time observed, e.g. 08:30.")]
    = None,
    object_ref: Annotated[str, typer.Option(
        "--object", help="What was observed, e.g. the request number.")] = "",
    observer: Annotated[str, typer.Option("--observer", help="Who observed.")] = "",
    note: Annotated[str, typer.Option("--note", help="What was seen.")] = "",
    evidence: Annotated[Path | None, typer.Option(
        "--evidence", dir_okay=False, help="A file (photo, scan) kept as evidence.")] = None,
) -> None:
    """Record one observation (a second one of the same day is kept as another)."""
    from qmstrack.cli.output import message
    from qmstrack.cli.state import db_path
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.adherence import add_observation

    record = add_observation(open_db(ctx), staff=staff, rule=rule, result=result,
                             on=opt_date(on, "--on"), at=at, object_ref=object_ref,
                             observer=observer, note=note, evidence_file=evidence,
                             db_path=db_path(ctx))
    message(f"Observation {record['id']} saved: {record['staff_nip']} {record['rule_code']} "
            f"{record['observed_on']} {record['result']}.")
    if record["same_day"] > 1:
        message(f"That staff member and rule now have {record['same_day']} observations on "
                f"{record['observed_on']}; to correct one instead, use 'qmstrack adherence "
                "update ID'.")


@app.command("update")
def update(
    ctx: typer.Context,
    obs_id: Annotated[str, typer.Argument(metavar="ID", help=N_(
        "The observation's id (the id column of 'qmstrack adherence list')."))],
    result: Annotated[str | None, typer.Option("--result", help="comply, breach or na.")]
    = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Rule (SOP) code.")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Date observed.")] = None,
    at: Annotated[str | None, typer.Option(
        "--at", help="Time observed, e.g. 08:30 ('' removes it).")] = None,
    object_ref: Annotated[str | None, typer.Option(
        "--object", help="What was observed, e.g. the request number.")] = None,
    observer: Annotated[str | None, typer.Option("--observer", help="Who observed.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was seen.")] = None,
    evidence: Annotated[Path | None, typer.Option(
        "--evidence", dir_okay=False, help="A new evidence file in place of the old one.")]
    = None,
    drop_evidence: Annotated[bool, typer.Option(
        "--drop-evidence", help="Detach the evidence file (it was of another observation).")]
    = False,
) -> None:
    """Correct one recorded observation; the change log keeps what it was."""
    from qmstrack.cli.output import message
    from qmstrack.cli.state import db_path
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.adherence import update_observation

    kwargs = {} if at is None else {"at": at or None}
    record, changed = update_observation(
        open_db(ctx), obs_id, result=result, rule=rule, on=opt_date(on, "--on"),
        object_ref=object_ref, observer=observer, note=note, evidence_file=evidence,
        drop_evidence=drop_evidence, db_path=db_path(ctx), **kwargs)
    if changed:
        message(f"Observation {record['id']} corrected: {', '.join(changed)}.")
    else:
        message(f"Observation {record['id']} unchanged.")


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
