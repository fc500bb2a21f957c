"""``qmstrack objective``: quality objectives (sasaran mutu) and whether they are met."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.options import (
    CsvOption,
    DelimiterOption,
    JsonOption,
    UnitFilter,
    XlsxOption,
)
from qmstrack.cli.state import office_today, open_db

app = typer.Typer(help="Quality objectives (sasaran mutu): targets and their achievement.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack objective`` group to the root command."""
    root.add_typer(app, name="objective")

IdArgument = Annotated[int, typer.Argument(help="Objective number ('objective list' "
                                           "shows them).")]
YearOption = Annotated[int | None, typer.Option("--year", min=2000, max=2100,
                                                help="Year (default: this year).")]


@app.command("add")
def add(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", help="Unit the objective belongs to.")],
    title: Annotated[str, typer.Option("--title", help="What the objective says.")],
    target: Annotated[str, typer.Option("--target", help="Target, e.g. '>= 0.95', "
                                        "'>= 95%' or '<= 0'.")],
    metric: Annotated[str | None, typer.Option("--metric", help="Measure it with this "
                                               "metric ('qmstrack metrics --list').")]
    = None,
    manual: Annotated[bool, typer.Option("--manual", help="Values are recorded by hand "
                                         "with 'objective record'.")] = False,
    service: Annotated[str | None, typer.Option("--service", help="Only this service "
                                                "(per-service metrics; a label for manual "
                                                "objectives).")] = None,
    frequency: Annotated[str, typer.Option("--frequency", help="monthly, quarterly or "
                                           "yearly.")] = "monthly",
    year: YearOption = None,
) -> None:
    """Add a quality objective measured by a metric (--metric) or by hand (--manual)."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import option_value
    from qmstrack.errors import UsageError
    from qmstrack.objectives import (
        add_objective,
        check_target,
        parse_frequency,
        require_metric,
    )

    if bool(metric) == manual:
        raise UsageError("Give exactly one of --metric NAME or --manual.")
    metric_def = option_value("--metric", lambda: require_metric(
        metric, with_service=service is not None)) if metric else None
    option_value("--target", lambda: check_target(target, metric_def))
    option_value("--frequency", lambda: parse_frequency(frequency))
    record = add_objective(open_db(ctx), unit=unit, title=title, target=target,
                           metric=metric, service=service, frequency=frequency, year=year)
    typer.echo(record["id"])
    what = f"metric {record['metric']}" if record["metric"] else "recorded by hand"
    message(f"Objective {record['id']} added for {record['unit']} {record['year']} "
            f"({record['frequency']}, {what}, target {record['target']}).")


@app.command("record")
def record(
    ctx: typer.Context,
    objective_id: IdArgument,
    period: Annotated[str, typer.Option("--period", help="2026-10 (monthly), 2026-Q3 "
                                        "(quarterly) or 2026 (yearly).")],
    value: Annotated[str, typer.Option("--value", help="The value: 92,5 or 92.5; "
                                       "'92,5%' means 0.925.")],
    note: Annotated[str, typer.Option("--note", help="Where the value comes from.")] = "",
) -> None:
    """Record the value of a manual objective for one period (again to correct it)."""

    from qmstrack.cli.output import message, warning
    from qmstrack.cli.values import option_value
    from qmstrack.objectives import (
        manual_objective,
        parse_objective_period,
        parse_value,
        record_value,
    )
    from qmstrack.parsing import parse_target

    db = open_db(ctx)
    objective = manual_objective(db, objective_id)
    p = option_value("--period", lambda: parse_objective_period(
        period, objective["frequency"], objective["year"], today=office_today()))
    number = option_value("--value", lambda: parse_value(value))
    threshold = parse_target(objective["target"]).threshold
    if 0 < threshold <= 1 < number <= 100 and not value.strip().endswith("%"):
        warning(f"the target {objective['target']} is a fraction but the value is {number:g}; "
                f"if you meant a percentage, record it again as '{value.strip()}%'.")
    row = record_value(db, objective_id, period=p.label, value=number, note=note)
    verdict = "achieved" if row["achieved"] else "missed"
    again = ("" if row["replaced"] is None
             else f" (was {_value_text(row['replaced'], objective)})")
    message(f"Objective {objective_id}, {row['period']}: "
            f"{_value_text(row['value'], objective)}{again}, target "
            f"{_target_text(objective)}: {verdict}.")


@app.command("list")
def list_cmd(ctx: typer.Context, year: YearOption = None, unit: UnitFilter = None,
             json: JsonOption = False, csv: CsvOption = False,
             delimiter: DelimiterOption = None, xlsx: XlsxOption = None) -> None:
    """List quality objectives (all years unless --year)."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.values import opt_units
    from qmstrack.objectives import LIST_COLUMNS, list_objectives

    db = open_db(ctx)
    rows = list_objectives(db, year=year, units=opt_units(db, unit))
    emit_rows(rows, LIST_COLUMNS, as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx, empty="No objectives match.")


def _is_rate(objective: dict) -> bool:
    """Rates (a metric's, or a hand-recorded value with a 0-1 target) read as percentages."""
    from qmstrack.figures import objective_kind

    return objective_kind(objective) == "rate"


def _value_text(value, objective: dict) -> str:
    if _is_rate(objective):
        return f"{value:.1%}"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _target_text(objective: dict) -> str:
    """``>= 0.9`` -> ``>= 90.0%`` for a rate; the target as written otherwise."""
    from qmstrack.parsing import parse_target

    if not _is_rate(objective):
        return objective["target"]
    target = parse_target(objective["target"])
    return f"{target.op} {target.threshold:.1%}"


def _shown(value, row: dict, objective: dict) -> str:
    if row["status"] == "future":
        return ""
    if value is None:
        return "-"
    text = _value_text(value, objective)
    if row["status"] == "in_progress":
        return text + " .."
    return text + (" ok" if row["achieved"] else " MISS")


@app.command("status")
def status(ctx: typer.Context, year: YearOption = None, unit: UnitFilter = None,
           json: JsonOption = False) -> None:
    """Each objective's value and achievement per period, and for the year to date.

    In the tables 'ok' marks an achieved period, 'MISS' a missed one, '..' a period still
    running, '-' a completed period without a value; future periods are blank.
    """
    from qmstrack.cli.output import message, print_json, print_table, warning
    from qmstrack.cli.values import opt_units
    from qmstrack.objectives import objective_status

    db = open_db(ctx)
    rows = objective_status(db, year=year, units=opt_units(db, unit))
    if json:
        print_json(rows)
        return
    if not rows:
        message("No objectives match.")
        return
    for frequency in ("monthly", "quarterly", "yearly"):
        group = [r for r in rows if r["frequency"] == frequency]
        if not group:
            continue
        labels = [p["period"] for p in group[0]["periods"]]
        headers = ["ID", "Unit", "Objective", "Target",
                   *(label.rsplit("-", 1)[-1] for label in labels), "Year to date"]
        table = []
        for r in group:
            cells = {"id": r["id"], "unit": r["unit"] + (f" / {r['service_code']}"
                                                         if r["service_code"] else ""),
                     "title": r["title"], "target": _target_text(r)}
            for p in r["periods"]:
                cells[p["period"][5:] or p["period"]] = _shown(p["value"], p, r)
            ytd = r["year_to_date"]
            ytd_row = {"status": "no_value" if ytd["value"] is None else "measured",
                       "achieved": ytd["achieved"]}
            cells["ytd"] = _shown(ytd["value"], ytd_row, r)
            table.append(cells)
        keys = ["id", "unit", "title", "target", *(label[5:] or label for label in labels),
                "ytd"]
        print_table(table, keys, headers, title=f"Quality objectives {group[0]['year']} "
                                                f"({frequency})")
    for r in rows:
        if r["missed_twice"]:
            warning(f"objective {r['id']} ({r['unit']}: {r['title']}) missed its target in "
                    "two consecutive periods.")
