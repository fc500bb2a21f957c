"""``qmstrack document``: the register of documented information (ISO 9001 clause 7.5)."""

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
    XlsxOption,
)
from qmstrack.cli.state import open_db

app = typer.Typer(help="Documented information: policies, SOPs, minutes, and their reviews.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack document`` group to the root command."""
    root.add_typer(app, name="document")

ReviewEvery = Annotated[
    str | None,
    typer.Option("--review-every", help="How often it must be reviewed: 6m, 12m, 24m, 1y..."),
]


@app.command("add")
def add(
    ctx: typer.Context,
    type: Annotated[str, typer.Option("--type", help="policy, objectives, sop, procedure, "
                                      "form, record, review-minutes, training or other.")],
    title: Annotated[str, typer.Option("--title", help="Title of the document.")],
    clause: Annotated[str, typer.Option("--clause", help="ISO clause(s) it evidences, "
                                        "e.g. 7.5.3 or '5.2, 6.2'.")],
    unit: Annotated[str | None, typer.Option("--unit", help="Unit it belongs to (default: "
                                             "office-wide).")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="The document's file; a copy "
                                              "is kept in the evidence store.",
                                              dir_okay=True)] = None,
    issued: Annotated[str | None, typer.Option("--issued", help="Date issued (default "
                                               "today).")] = None,
    review_every: ReviewEvery = None,
    number: Annotated[str | None, typer.Option("--number", help="Document number on the "
                                               "master list, e.g. SOP/SMA/01.")] = None,
    revision: Annotated[str | None, typer.Option("--revision", help="Revision, e.g. 00 "
                                                 "(default 00 with a number).")] = None,
    drafted: Annotated[str | None, typer.Option("--drafted", help="Date the draft was "
                                                "made.")] = None,
    approved_by: Annotated[str | None, typer.Option("--approved-by", help="NIP (or code) "
                                                    "of the staff member who approved "
                                                    "it.")] = None,
    approved_on: Annotated[str | None, typer.Option("--approved-on", help="Date it was "
                                                    "approved.")] = None,
    distribution: Annotated[str | None, typer.Option("--distribution", help="Units holding "
                                                     "a controlled copy, e.g. 'SMA, SMP'.")]
    = None,
    status: Annotated[str | None, typer.Option("--status", help="draft or in force "
                                               "(default in force).")] = None,
) -> None:
    """Register a document (and keep a copy of its file); prints its id."""
    from qmstrack.cli.output import message
    from qmstrack.cli.state import db_path
    from qmstrack.cli.values import opt_date, option_value
    from qmstrack.registers.documents import add_document, parse_review_every, parse_type

    option_value("--type", lambda: parse_type(type))
    if review_every is not None:
        option_value("--review-every", lambda: parse_review_every(review_every))
    record = add_document(open_db(ctx), db_path(ctx), type=type, title=title,
                          clause=clause, unit=unit, file=file,
                          issued=opt_date(issued, "--issued"), review_every=review_every,
                          number=number, revision=revision,
                          drafted=opt_date(drafted, "--drafted"), approved_by=approved_by,
                          approved_on=opt_date(approved_on, "--approved-on"),
                          distribution=distribution, status=status)
    typer.echo(str(record["id"]))
    due = f"; review due {record['review_due_on']}" if record["review_due_on"] else ""
    stored = f"; file stored as {record['file_sha256'][:12]}" if record["file_sha256"] else ""
    message(f"Document {record['id']} registered{due}{stored}.")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    expired: Annotated[bool, typer.Option("--expired", help="Only documents past their "
                                          "review date.")] = False,
    type: Annotated[str | None, typer.Option("--type", help="Only this type.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Only this unit (and "
                                             "office-wide documents).")] = None,
    withdrawn: Annotated[bool, typer.Option("--withdrawn", help="Include withdrawn "
                                            "documents.")] = False,
    columns: ColumnsOption = None,
    json: JsonOption = False,
    csv: CsvOption = False,
    delimiter: DelimiterOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """The master list (daftar induk): documents in force and drafts, by number (stale =
    past its review date); --withdrawn adds obsolete revisions and withdrawn ones."""
    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.values import option_value
    from qmstrack.registers.documents import LIST_COLUMNS, list_documents, parse_type

    if type is not None:
        option_value("--type", lambda: parse_type(type))
    rows = list_documents(open_db(ctx), expired=expired, type=type, unit=unit,
                          include_withdrawn=withdrawn)
    from qmstrack.cli.output import choose_columns

    emit_rows(rows, choose_columns(LIST_COLUMNS, columns), as_json=json, as_csv=csv,
              delimiter=delimiter, xlsx=xlsx, ctx=ctx,
              empty="No documents match.")


@app.command("show")
def show(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="Document id, or its number "
                                          "(the revision in force).")],
    json: JsonOption = False,
) -> None:
    """Show one document, its stored file and its revisions."""
    from qmstrack.cli.output import print_record
    from qmstrack.cli.state import db_path
    from qmstrack.evidence import evidence_path
    from qmstrack.registers.documents import get_document

    record = get_document(open_db(ctx), doc_id)
    file = record["file"]
    if file:
        file["path"] = str(evidence_path(db_path(ctx), file["sha256"]))
    if not json:
        record.pop("file")
        revisions = record.pop("revisions")
        if revisions:
            record["revisions"] = "; ".join(
                f"{r['revision']} {r['status'].replace('_', ' ')} "
                f"({r['approved_on'] or r['issued_on'] or '-'})" for r in revisions)
        if file:
            record.update({"file_name": file["original_name"], "file_type": file["media_type"],
                           "file_size": file["size"], "file_path": file["path"]})
    print_record(record, as_json=json, title=f"Document {record['id']}")


@app.command("review")
def review(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="Document id.")],
    on: Annotated[str | None, typer.Option("--on", help="Date of the review (default "
                                           "today).")] = None,
    review_every: ReviewEvery = None,
) -> None:
    """Record that a document was reviewed; its next review falls due from that date."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date, option_value
    from qmstrack.registers.documents import parse_review_every, review_document

    if review_every is not None:
        option_value("--review-every", lambda: parse_review_every(review_every))
    record = review_document(open_db(ctx), doc_id, on=opt_date(on, "--on"),
                             review_every=review_every)
    message(f"Document {record['id']} reviewed; next review due {record['review_due_on']}.")


@app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="Document id.")],
    on: Annotated[str | None, typer.Option("--on", help="Date withdrawn (default "
                                           "today).")] = None,
) -> None:
    """Withdraw a document (superseded or obsolete); it stays on record."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.documents import withdraw_document

    record = withdraw_document(open_db(ctx), doc_id, on=opt_date(on, "--on"))
    message(f"Document {record['id']} withdrawn on {record['withdrawn_on']}.")


@app.command("revise")
def revise(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="Document number, e.g. "
                                          "SOP/SMA/01.")],
    revision: Annotated[str, typer.Option("--revision", help="The new revision, e.g. 02.")],
    approved_by: Annotated[str, typer.Option("--approved-by", help="NIP (or code) of the "
                                             "staff member who approved it.")],
    on: Annotated[str, typer.Option("--on", help="Date approved; the new revision is in "
                                    "force from then.")],
    file: Annotated[Path | None, typer.Option("--file", help="The new revision's file.",
                                              dir_okay=False)] = None,
    drafted: Annotated[str | None, typer.Option("--drafted", help="Date the draft was "
                                                "made.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="New title (default: "
                                              "unchanged).")] = None,
    review_every: ReviewEvery = None,
    distribution: Annotated[str | None, typer.Option("--distribution", help="Units holding "
                                                     "a controlled copy (default: "
                                                     "unchanged).")] = None,
) -> None:
    """Put a new revision in force; the one it supersedes stays on record as obsolete."""
    from qmstrack.cli.output import message
    from qmstrack.cli.state import db_path
    from qmstrack.cli.values import opt_date
    from qmstrack.registers.documents import revise_document

    record = revise_document(open_db(ctx), db_path(ctx), number, revision=revision,
                             approved_by=approved_by, on=opt_date(on, "--on"), file=file,
                             drafted=opt_date(drafted, "--drafted"), title=title,
                             review_every=review_every, distribution=distribution)
    typer.echo(str(record["id"]))
    older = [r["revision"] for r in record["revisions"] if r["status"] == "obsolete"]
    superseded = f"; revision {older[-1]} is obsolete" if older else ""
    message(f"Document {record['number']} revision {record['revision']} in force from "
            f"{record['issued_on']}{superseded}.")


add_import_command(
    app, "qmstrack.registers.documents:import_documents",
    "Import the master list (daftar induk dokumen): no_dokumen, revisi, judul, jenis, "
    "klausul, ...")
