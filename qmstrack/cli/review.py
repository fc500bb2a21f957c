"""``qmstrack review``: the management review (ISO 9001 9.3): its inputs pack, its decisions
and their follow-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.cli.options import (
    CsvOption,
    DelimiterOption,
    FromOption,
    JsonOption,
    LangOption,
    ToOption,
    XlsxOption,
)
from qmstrack.cli.state import office_today, open_db
from qmstrack.i18n import N_

app = typer.Typer(help="Management review (ISO 9001 9.3): the inputs pack, the decisions "
                       "and their follow-up.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack review`` group to the root command."""
    root.add_typer(app, name="review")
action_app = typer.Typer(help="Follow up the actions decided by a management review.",
                         no_args_is_help=True)
app.add_typer(action_app, name="action")

ReviewId = Annotated[int, typer.Argument(help="Review number (see 'qmstrack review list').")]
ActionId = Annotated[int, typer.Argument(help="Action number (see 'qmstrack review "
                                         "actions').")]


def _pack_period(year: int | None, from_: str | None, to: str | None):

    from qmstrack.cli.values import opt_date, option_value
    from qmstrack.review_pack import pack_period

    today = office_today()
    start = opt_date(from_, "--from", today=today)
    end = opt_date(to, "--to", today=today)
    option = "--year" if year is not None else "--from/--to"
    return option_value(option, lambda: pack_period(year=year, start=start, end=end,
                                                    today=today))


@app.command("pack")
def pack(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", min=2000, max=2100,
                                             help="Review this calendar year (default: "
                                                  "this year to date).")] = None,
    from_: FromOption = None,
    to: ToOption = None,
    format: Annotated[str, typer.Option("--format", help="Comma-separated: md, html, "
                                        "pdf.")]
    = "md,html",
    out: Annotated[Path | None, typer.Option(
        "--out", file_okay=False, help="Directory for the files (default: configured "
                                       "report_dir, else ./qmstrack-reports).")] = None,
    lang: LangOption = None,
    notes: Annotated[Path | None, typer.Option(
        "--notes", dir_okay=False, help="YAML file with the sections written by hand: "
                                        "context_changes, resources, risks_and_opportunities,"
                                        " improvement_opportunities, other.")] = None,
    template_dir: Annotated[Path | None, typer.Option(
        "--template-dir", file_okay=False, help="Directory with templates that override "
                                                "the built-in ones.")] = None,
) -> None:
    """Compile the inputs of the management review (9.3.2) for a period into Markdown and
    HTML; prints the file paths.

    Actions of earlier reviews, satisfaction (IKM) and complaints, quality objectives,
    service performance, findings and corrective actions, adherence to SOPs, audit results
    and clause coverage, all from the records; plus the sections written by hand (--notes).
    """
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_lang
    from qmstrack.db import get_setting
    from qmstrack.reports import check_formats
    from qmstrack.review_notes import load_notes
    from qmstrack.review_pack import write_review_pack

    formats = check_formats(f for f in format.split(",") if f.strip())
    period, clipped = _pack_period(year, from_, to)
    db = open_db(ctx)
    language = opt_lang(lang, db)
    hand_written = load_notes(notes) if notes is not None else None
    directory = out or Path(get_setting(db, "report_dir") or "qmstrack-reports")
    from qmstrack.integrity import template_dir_setting

    setting = None if template_dir else template_dir_setting(db)
    templates = template_dir or (Path(setting) if setting else None)
    if clipped:
        message(f"The period is not over yet: the pack covers {period.start} to "
                f"{period.end} (today).")
    paths = write_review_pack(db, period, directory, formats, language, templates,
                              notes=hand_written)
    for path in paths:
        typer.echo(str(path))


@app.command("record")
def record(
    ctx: typer.Context,
    held_on: Annotated[str, typer.Option("--date", help="The day the review was held.")],
    chair: Annotated[str, typer.Option("--chair", help="Who chaired it (the head of "
                                       "office).")],
    attendees: Annotated[list[str], typer.Option("--attendee", help="Someone who attended "
                                                 "(repeatable).")],
    decisions: Annotated[list[str], typer.Option("--decision", help="A decision or action "
                                                 "(repeatable); each becomes a tracked "
                                                 "action.")],
    owners: Annotated[list[str] | None, typer.Option(
        "--owner", help=N_("The person responsible (NIP, NI PPPK or office code): once "
                           "for every decision, or once per --decision in the same order."))]
    = None,
    dues: Annotated[list[str] | None, typer.Option(
        "--due", help="Due date: once for every decision, or once per --decision in the "
                      "same order.")] = None,
    json: JsonOption = False,
) -> None:
    """Record a management review (9.3.3) and its decisions as tracked actions; prints the
    review number."""

    from qmstrack.cli.output import message, print_json
    from qmstrack.cli.values import opt_date, option_value
    from qmstrack.reviews import pair_with_decisions, record_review
    from qmstrack.staff_ids import staff_key

    today = office_today()
    day = opt_date(held_on, "--date", today=today)
    owner_list = pair_with_decisions(owners, len(decisions), "--owner")
    due_list = pair_with_decisions(dues, len(decisions), "--due")
    nips = [option_value("--owner", lambda o=o: staff_key(o)) if o else None
            for o in owner_list]
    due_days = [opt_date(d, "--due", today=today) if d else None for d in due_list]
    review = record_review(open_db(ctx), held_on=day, chair=chair, attendees=attendees,
                           decisions=decisions, owners=nips, dues=due_days, today=today)
    if json:
        print_json(review)
        return
    typer.echo(review["id"])
    ids = ", ".join(str(a["id"]) for a in review["actions"])
    message(f"Management review {review['id']} of {review['held_on']} recorded with "
            f"{len(review['actions'])} actions ({ids}).")


@app.command("minutes")
def minutes(
    ctx: typer.Context,
    review_id: Annotated[int, typer.Argument(help="The review's number (review list).")],
    format: Annotated[str, typer.Option("--format", help="docx (editable in Word or "
                                        "LibreOffice Writer) or pdf.")] = "docx",
    out: Annotated[Path, typer.Option("--out", file_okay=False,
                                      help="Directory for the file.")] = Path("."),
    lang: LangOption = None,
) -> None:
    """Write the minutes (notulen) of a management review: attendance, decisions and
    actions; prints the file's path."""
    from qmstrack.cli.values import opt_lang
    from qmstrack.review_minutes import write_review_minutes

    db = open_db(ctx)
    typer.echo(str(write_review_minutes(db, review_id, out, format, opt_lang(lang, db))))


def _people(review: dict) -> dict:
    row = dict(review)
    row["attendees"] = "; ".join(review["attendees"])
    return row


@app.command("list")
def list_cmd(ctx: typer.Context, json: JsonOption = False, csv: CsvOption = False,
             delimiter: DelimiterOption = None, xlsx: XlsxOption = None) -> None:
    """List the management reviews, latest first, with their actions per state."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.reviews import REVIEW_COLUMNS, list_reviews

    rows = list_reviews(open_db(ctx))
    if not json:
        rows = (_people(r) for r in rows)
    emit_rows(rows, REVIEW_COLUMNS, as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx,
              empty="No management review recorded yet; see 'qmstrack review record'.")


@app.command("show")
def show(ctx: typer.Context, review_id: ReviewId, json: JsonOption = False) -> None:
    """Show one management review with its actions."""
    from qmstrack.cli.output import print_json, print_record, print_table
    from qmstrack.reviews import ACTION_COLUMNS, get_review

    review = get_review(open_db(ctx), review_id)
    if json:
        print_json(review)
        return
    actions = review.pop("actions")
    counts = review.pop("counts")
    review["actions"] = ", ".join(f"{k} {v}" for k, v in counts.items())
    print_record(_people(review), title=f"Management review {review['id']}")
    print_table(actions, ACTION_COLUMNS, title="Actions", empty="No actions.")


@app.command("actions")
def actions(
    ctx: typer.Context,
    open_: Annotated[bool, typer.Option("--open", help="Only actions not closed yet.")]
    = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open actions past their "
                                          "due date.")] = False,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """List the actions of every management review, with their state today."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.reviews import ACTION_COLUMNS, list_actions

    emit_rows(list_actions(open_db(ctx), open_only=open_, overdue_only=overdue),
              ACTION_COLUMNS, as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx, empty="No actions match.")


@action_app.command("close")
def close(
    ctx: typer.Context,
    action_id: ActionId,
    on: Annotated[str, typer.Option("--on", help="The day the action was completed.")],
    note: Annotated[str, typer.Option("--note", help="How it was done, where the evidence "
                                      "is.")] = "",
    json: JsonOption = False,
) -> None:
    """Close an action of a management review."""

    from qmstrack.cli.output import message, print_json
    from qmstrack.cli.values import opt_date
    from qmstrack.reviews import close_action

    today = office_today()
    action = close_action(open_db(ctx), action_id, on=opt_date(on, "--on", today=today),
                          note=note, today=today)
    if json:
        print_json(action)
        return
    message(f"Review action {action['id']} closed on {action['closed_on']}.")
