"""``qmstrack provider``: external providers and their evaluations (ISO 9001 clause 8.4)."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.imports import add_import_command
from qmstrack.cli.options import ColumnsOption, CsvOption, DelimiterOption, JsonOption, XlsxOption
from qmstrack.cli.state import open_db

app = typer.Typer(help="External providers (ISO 9001 8.4): what they supply, their "
                       "evaluations.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack provider`` group to the root command."""
    root.add_typer(app, name="provider")


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Short code, e.g. CETAK-01.")],
    name: Annotated[str, typer.Option("--name", help="The provider's name.")],
    supplies: Annotated[str | None, typer.Option("--supplies", help="What it supplies, "
                                                 "e.g. printing of certificates.")] = None,
    criteria: Annotated[str | None, typer.Option("--criteria", help="The criteria it is "
                                                 "evaluated against.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit using it (default: "
                                             "office-wide).")] = None,
    status: Annotated[str | None, typer.Option("--status", help="approved, conditional or "
                                               "stopped (default approved).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Date it started "
                                              "supplying.")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="Contact person or "
                                                "phone.")] = None,
) -> None:
    """Add a provider (or change one with the same code)."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.providers import add_provider

    record = add_provider(open_db(ctx), code=code, name=name, supplies=supplies,
                          criteria=criteria, unit=unit, status=status,
                          since=opt_date(since, "--since"), contact=contact)
    message(f"Provider {record['code']} saved ({record['status']}).")


@app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The provider's code.")],
    quality: Annotated[str, typer.Option("--quality", help="Quality score, 1-5.")],
    delivery: Annotated[str, typer.Option("--delivery", help="Delivery (on time) score, "
                                          "1-5.")],
    service: Annotated[str, typer.Option("--service", help="Service and response score, "
                                         "1-5.")],
    on: Annotated[str | None, typer.Option("--on", help="Date evaluated (default "
                                           "today).")] = None,
    result: Annotated[str | None, typer.Option("--result", help="approved, conditional or "
                                               "stopped (default: from the mean score).")]
    = None,
    next_due: Annotated[str | None, typer.Option("--next", help="Re-evaluation date "
                                                 "(default 12 months, 6 if "
                                                 "conditional).")] = None,
    evaluator: Annotated[str, typer.Option("--evaluator", help="Who evaluated.")] = "",
    note: Annotated[str, typer.Option("--note", help="What was found.")] = "",
) -> None:
    """Record an evaluation; the provider's status follows its latest one."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.providers import evaluate_provider

    record = evaluate_provider(open_db(ctx), code, quality=quality, delivery=delivery,
                               service=service, on=opt_date(on, "--on"), result=result,
                               next_due=opt_date(next_due, "--next"), evaluator=evaluator,
                               note=note)
    last = record["evaluations"][-1]
    message(f"Provider {record['code']} evaluated: score {last['score']:g}, "
            f"{last['result']}; re-evaluation due {last['next_due_on']}.")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those due for "
                                          "re-evaluation.")] = False,
    columns: ColumnsOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List the providers with their latest evaluation."""
    from qmstrack.cli.output import choose_columns, emit_rows
    from qmstrack.cli.values import option_value
    from qmstrack.registers.providers import LIST_COLUMNS, list_providers, parse_status

    if status is not None:
        option_value("--status", lambda: parse_status(status))
    rows = list_providers(open_db(ctx), status=status, overdue=overdue)
    emit_rows(rows, choose_columns(LIST_COLUMNS, columns), as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx, empty="No providers match.")


@app.command("show")
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The provider's code.")],
    json: JsonOption = False,
) -> None:
    """Show one provider and its evaluations."""
    from qmstrack.cli.output import print_record
    from qmstrack.registers.providers import get_provider

    record = get_provider(open_db(ctx), code)
    if not json:
        record["evaluations"] = "; ".join(
            f"{e['evaluated_on']} {e['score']:g} {e['result']}" for e in record["evaluations"])
    print_record(record, as_json=json, title=f"Provider {record['code']}")


add_import_command(
    app, "qmstrack.registers.providers:import_providers",
    "Import providers from CSV or XLSX (kode, nama, produk, kriteria, status, ...).")
