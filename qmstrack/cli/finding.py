"""``qmstrack finding``: nonconformities and observations, tracked to closure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.cli.options import (
    ColumnsOption,
    CsvOption,
    DelimiterOption,
    JsonOption,
    LangOption,
    UnitFilter,
    XlsxOption,
)
from qmstrack.cli.state import office_today, open_db
from qmstrack.i18n import N_

app = typer.Typer(help="Findings (nonconformities, observations) and corrective actions.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack finding`` group to the root command."""
    root.add_typer(app, name="finding")

RefArgument = Annotated[str, typer.Argument(help="Finding reference, e.g. F-2026-001.")]


@app.command("add")
def add(
    ctx: typer.Context,
    clause: Annotated[str, typer.Option("--clause", help="ISO clause, e.g. 8.5.1.")],
    grade: Annotated[str, typer.Option("--grade", help="major, minor or observation.")],
    description: Annotated[str, typer.Option("--description", help="What was found.")],
    source: Annotated[str, typer.Option("--source", help="internal, sucofindo, "
                                        "certification, external, management, complaint.")]
    = "internal",
    unit: Annotated[str | None, typer.Option("--unit", help="Unit concerned.")] = None,
    raised: Annotated[str | None, typer.Option("--raised", help="Date raised "
                                               "(default today).")] = None,
    due: Annotated[str | None, typer.Option("--due", help="Corrective action due date "
                                            "(default per grade).")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="Reference (generated when "
                                            "omitted), e.g. the certification body's "
                                            "number.")] = None,
    evidence: Annotated[Path | None, typer.Option(
        "--evidence", dir_okay=False, help="A file (report, photo, scan) kept as "
                                           "evidence.")] = None,
) -> None:
    """Record a finding by hand, including one from the certification body."""

    from qmstrack.cli.output import message
    from qmstrack.cli.state import db_path
    from qmstrack.cli.values import opt_date
    from qmstrack.findings import raise_finding

    record = raise_finding(open_db(ctx), clause_ref=clause, grade=grade,
                           description=description, source=source, unit=unit,
                           raised_on=opt_date(raised, "--raised") or office_today(),
                           due_on=opt_date(due, "--due"), ref_no=ref,
                           evidence_file=evidence, db_path=db_path(ctx))
    typer.echo(record["ref_no"])
    message(f"Finding {record['ref_no']} ({record['grade']}, clause {record['clause_ref']}) "
            f"recorded; corrective action due {record['due_on']}.")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    open_: Annotated[bool, typer.Option("--open", help="Only findings open today.")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open findings past "
                                          "their due date.")] = False,
    unit: UnitFilter = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    columns: ColumnsOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List findings."""

    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.values import opt_units
    from qmstrack.findings import LIST_COLUMNS, list_findings

    db = open_db(ctx)
    today = office_today()
    rows = list_findings(db, open_on=today if open_ else None,
                         overdue_on=today if overdue else None, units=opt_units(db, unit),
                         source=source)
    from qmstrack.cli.output import choose_columns

    emit_rows(rows, choose_columns(LIST_COLUMNS, columns), as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx,
              empty="No findings match.")


@app.command("show")
def show(ctx: typer.Context, ref: RefArgument, json: JsonOption = False) -> None:
    """Show a finding with its corrective actions."""
    from qmstrack.cli.output import print_record, print_table
    from qmstrack.findings import get_finding

    finding = get_finding(open_db(ctx), ref)
    finding.pop("id")
    if json:
        print_record(finding, as_json=True)
        return
    actions = finding.pop("actions")
    print_record(finding, title=f"Finding {finding['ref_no']}")
    print_table(actions, ["planned_on", "action", "owner_nip", "due_on", "verified_on",
                          "effective"], title="Corrective actions", empty="No action yet.")


@app.command("form")
def form(
    ctx: typer.Context,
    ref: RefArgument,
    format: Annotated[str, typer.Option("--format", help="docx (editable in Word or "
                                        "LibreOffice Writer) or pdf.")] = "docx",
    out: Annotated[Path, typer.Option("--out", file_okay=False,
                                      help="Directory for the file.")] = Path("."),
    lang: LangOption = None,
) -> None:
    """Write the corrective-action request form (PTK/CAR) of a finding; prints its path."""
    from qmstrack.cli.values import opt_lang
    from qmstrack.finding_form import write_finding_form

    db = open_db(ctx)
    typer.echo(str(write_finding_form(db, ref, out, format, opt_lang(lang, db))))


@app.command("plan")
def plan(
    ctx: typer.Context,
    ref: RefArgument,
    action: Annotated[str, typer.Option("--action", help="The corrective action.")],
    due: Annotated[str, typer.Option("--due", help="When the action must be done.")],
    root_cause: Annotated[str | None, typer.Option("--root-cause", help="Why it "
                                                   "happened.")] = None,
    correction: Annotated[str | None, typer.Option("--correction", help="What was fixed "
                                                   "at once.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help=N_(
        "The person responsible: NIP, NI PPPK or office code."))] = None,
) -> None:
    """Record root cause, correction and the corrective action with owner and due date."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.findings import plan_finding

    finding = plan_finding(open_db(ctx), ref, action=action, due=opt_date(due, "--due"),
                           root_cause=root_cause, correction=correction, owner=owner)
    message(f"Finding {finding['ref_no']}: action planned, due {finding['due_on']}.")


@app.command("close")
def close(
    ctx: typer.Context,
    ref: RefArgument,
    verified_by: Annotated[str, typer.Option("--verified-by", help="Who verified the "
                                             "action.")],
    effective: Annotated[str, typer.Option("--effective", help="yes or no: did the "
                                           "action remove the cause?")],
    note: Annotated[str, typer.Option("--note", help="What the verification "
                                      "found.")] = "",
    on: Annotated[str | None, typer.Option("--on", help="Date verified "
                                           "(default today).")] = None,
    new_action: Annotated[str | None, typer.Option("--new-action", help="With "
                                                   "--effective no: the next action.")]
    = None,
    new_due: Annotated[str | None, typer.Option("--new-due", help="Due date of the "
                                                "next action.")] = None,
) -> None:
    """Verify the corrective action: closes the finding, or reopens it if not effective."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.errors import UsageError
    from qmstrack.findings import close_finding

    answer = effective.strip().lower()
    if answer not in ("yes", "no", "ya", "tidak", "y", "n"):
        raise UsageError(f"--effective {effective!r}: answer yes or no.")
    is_effective = answer in ("yes", "ya", "y")
    if is_effective and (new_action or new_due):
        raise UsageError("--new-action and --new-due go with --effective no.")
    finding = close_finding(open_db(ctx), ref, verified_by=verified_by,
                            effective=is_effective, note=note, on=opt_date(on, "--on"),
                            new_action=new_action, new_due=opt_date(new_due, "--new-due"))
    if is_effective:
        message(f"Finding {finding['ref_no']} closed on {finding['closed_on']}.")
    else:
        message(f"Finding {finding['ref_no']} reopened ({finding['status']}); the action was "
                "not effective.")
