"""``qmstrack audit``: run the monthly internal audit, answer, finalize, report, plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.cli.options import (
    FromOption,
    JsonOption,
    LangOption,
    NoInputOption,
    ToOption,
    UnitFilter,
    XlsxOption,
)
from qmstrack.cli.state import office_today, open_db
from qmstrack.i18n import count_of

app = typer.Typer(
    help="The monthly internal audit: run it, answer, finalize, report, plan.\n\n"
         "Without a subcommand: run (or resume) the audit of the previous calendar month.",
    invoke_without_command=True,
)


def register(root: typer.Typer) -> None:
    """Add the ``qmstrack audit`` group to the root command."""
    root.add_typer(app, name="audit")

PeriodOption = Annotated[
    str | None, typer.Option("--period", help="The month to audit, e.g. 2026-10 "
                             "(default: the previous calendar month).")]
ChecklistOption = Annotated[
    str | None, typer.Option("--checklist", help="Checklist id or file (default: "
                             "configured, else iso9001-2015).")]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Directory for the report files "
                              "(default: configured report_dir, else ./qmstrack-reports).",
                              file_okay=False)]
TemplateDirOption = Annotated[
    Path | None, typer.Option("--template-dir", help="Directory with templates that "
                              "override the built-in ones.", file_okay=False)]
AuditId = Annotated[int, typer.Argument(help="Audit number (see 'qmstrack audit list').")]


def _period(period: str | None, from_: str | None, to: str | None):
    from qmstrack.cli.values import opt_period, option_value
    from qmstrack.periods import parse_month, previous_month

    month = option_value("--period", lambda: parse_month(period)) if period else None
    return opt_period(from_, to, other=month, other_option="--period",
                      default=previous_month(office_today()))


def _ask_in_terminal(lang: str):
    """A Rich prompt for each person-answered item, with its position ("12/63"); it takes
    the keys or the full words in Indonesian or English; skip leaves the item pending, quit
    stops asking."""
    from rich.markup import escape
    from rich.prompt import Prompt

    from qmstrack.audits import Answer, parse_prompt_key
    from qmstrack.cli.output import err_console
    from qmstrack.errors import InvalidInput
    from qmstrack.i18n import gettext

    console = err_console()
    stopped = [False]

    def ask(item, position: int, count: int) -> Answer | None:
        if stopped[0]:
            return None
        console.rule(escape(f"{position}/{count}  {item.clause_ref}  {item.id}"))
        console.print(item.text("question", lang), markup=False)
        guidance = item.text("guidance", lang)
        if guidance:
            console.print(guidance, style="dim", markup=False)
        keys = escape(gettext("Grade [c]onform [mi]nor [ma]jor [o]bservation [na] not "
                              "applicable [s]kip [q]uit", lang))
        while True:
            typed = Prompt.ask(keys, console=console)
            try:
                key = parse_prompt_key(typed)
                break
            except InvalidInput:
                console.print(gettext("{typed} is not a grade; type one of the keys in "
                                      "brackets or the word.", lang).format(
                    typed=repr(typed[:30])), markup=False)
        if key == "quit":
            stopped[0] = True
            return None
        if key == "skip":
            return None
        note = Prompt.ask(escape(gettext("Note (what you saw)", lang)), default="",
                          console=console, show_default=False)
        while key in ("minor", "major", "observation") and not note.strip():
            note = Prompt.ask(escape(gettext("A finding needs a note; what did you find?",
                                             lang)), console=console)
        evidence = Prompt.ask(escape(gettext("Evidence (documents, records looked at)",
                                             lang)), default="", console=console,
                              show_default=False)
        return Answer(key, note, evidence)

    return ask


def _before_questions(period_end):
    """Before the first question: which audit, period and units, the warning of a period
    not over, and how many items are to be answered."""
    from qmstrack.cli.output import message, warning

    def show(run, audit, count: int) -> None:
        verb = "Resumed" if run.resumed else "Started"
        message(f"{verb} audit {audit['id']}: {audit['period_start']} to "
                f"{audit['period_end']}, units {', '.join(audit['scope'])}, checklist "
                f"{audit['checklist_id']}.")
        if run.period_not_over:
            warning(_not_over(period_end))
        message(f"{count_of(count, 'item')} to answer.")

    return show


def _not_over(end) -> str:
    return (f"the period ends on {end}: the measured items are provisional (they cover the "
            "records up to today and raise no finding); run the audit again after the "
            "period ends.")


@app.callback()
def run(
    ctx: typer.Context,
    period: PeriodOption = None,
    from_: FromOption = None,
    to: ToOption = None,
    unit: UnitFilter = None,
    checklist: ChecklistOption = None,
    auditor: Annotated[str, typer.Option("--auditor", help="Lead auditor's name.")] = "",
    answers: Annotated[Path | None, typer.Option(
        "--answers", help="YAML or CSV file with answers keyed by item id.",
        dir_okay=False)] = None,
    out: OutOption = None,
    lang: LangOption = None,
    template_dir: TemplateDirOption = None,
    no_input: NoInputOption = False,
    json: JsonOption = False,
) -> None:
    """Run the audit: evaluate the data, ask the questions, write the reports.

    Running it again for the same period and units resumes the same open audit.
    """
    if ctx.invoked_subcommand is not None:
        return
    from qmstrack.audit_programme import default_checklist
    from qmstrack.audits import checklist_in_use, get_audit, load_answers, run_audit
    from qmstrack.checklists import resolve_checklist
    from qmstrack.cli.output import warning
    from qmstrack.cli.state import can_prompt
    from qmstrack.cli.values import opt_lang, opt_units
    from qmstrack.db import get_setting

    db = open_db(ctx)
    the_period = _period(period, from_, to)
    units = opt_units(db, unit)
    language = opt_lang(lang, db)
    chosen = (resolve_checklist(checklist, get_setting(db, "checklist_dir") or None)
              if checklist else default_checklist(db))
    answer_map = None
    if answers:
        # Checked, before anything is written, against the checklist the audit will really
        # use (a resumed audit keeps its frozen copy).
        answer_map = load_answers(answers, checklist_in_use(db, the_period, units, chosen))
    ask = _ask_in_terminal(language) if can_prompt(ctx, no_input) else None
    result = run_audit(db, the_period, units, chosen, auditor=auditor, answers=answer_map,
                       ask=ask, before_questions=_before_questions(the_period.end))
    paths = _write_reports(ctx, db, result.audit_id, out, language, template_dir)
    audit = get_audit(db, result.audit_id, language)
    _print_summary(audit, result, paths, json)
    if result.period_not_over:
        warning(_not_over(the_period.end))


def _write_reports(ctx, db, audit_id: int, out: Path | None, lang: str,
                   template_dir: Path | None, formats=("md", "html")) -> list[Path]:
    from qmstrack.audit_report import write_audit_reports
    from qmstrack.db import get_setting

    directory = out or Path(get_setting(db, "report_dir") or "qmstrack-reports")
    from qmstrack.integrity import template_dir_setting

    setting = None if template_dir else template_dir_setting(db)
    templates = template_dir or (Path(setting) if setting else None)
    return write_audit_reports(db, audit_id, directory, formats=formats, lang=lang,
                               template_dir=templates)


def _print_summary(audit: dict, result, paths: list[Path], as_json: bool) -> None:
    from qmstrack.cli.output import message, print_json, print_table

    if as_json:
        print_json({"audit_id": audit["id"], "resumed": result.resumed,
                    "status": audit["status"], "counts": audit["counts"],
                    "evaluated": result.evaluated, "answered": result.answered,
                    "findings_raised": result.findings_raised,
                    "findings_recurred": result.findings_recurred,
                    "provisional": result.period_not_over,
                    "reports": [str(p) for p in paths]})
        return
    from qmstrack.i18n import _, ngettext

    started = (_("Resumed audit {id}: {start} to {end}, units {units}, checklist {checklist}.")
               if result.resumed else
               _("Started audit {id}: {start} to {end}, units {units}, checklist {checklist}."))
    message(started.format(id=audit["id"], start=audit["period_start"],
                           end=audit["period_end"], units=", ".join(audit["scope"]),
                           checklist=audit["checklist_id"]))
    counts = audit["counts"]
    print_table([{"grade": g, "items": counts[g]} for g in counts], ["grade", "items"],
                title=_("Audit {id} results").format(id=audit["id"]))
    if result.findings_raised:
        message(_("Findings raised: {refs}.").format(refs=", ".join(result.findings_raised)))
    if result.findings_recurred:
        message("Open findings seen again (a recurrence recorded on each): "
                f"{', '.join(result.findings_recurred)}.")
    if counts["pending"]:
        pending = counts["pending"]
        message(ngettext(
            "{n} item is pending; answer it with 'qmstrack audit answer {id} ITEM --grade ...' "
            "or run the audit again on a terminal.",
            "{n} items are pending; answer them with 'qmstrack audit answer {id} ITEM "
            "--grade ...' or run the audit again on a terminal.", pending).format(
                n=f"{pending:,}", id=audit["id"]))
    for path in paths:
        typer.echo(str(path))


@app.command("list")
def list_cmd(ctx: typer.Context, json: JsonOption = False, xlsx: XlsxOption = None) -> None:
    """List the audits, newest period first, with counts by grade."""
    from qmstrack.audits import list_audits
    from qmstrack.cli.output import emit_rows

    columns = ["id", "period_start", "period_end", "scope", "checklist_id", "status",
               "conform", "minor", "major", "observation", "na", "pending"]
    emit_rows(list_audits(open_db(ctx)), columns, as_json=json, xlsx=xlsx, ctx=ctx,
              empty="No audits yet; run 'qmstrack audit'.")


@app.command("show")
def show(ctx: typer.Context, audit_id: AuditId, lang: LangOption = None,
         json: JsonOption = False) -> None:
    """Show one audit: its results item by item, counts and findings."""
    from qmstrack.audits import get_audit
    from qmstrack.cli.output import print_json, print_record, print_table
    from qmstrack.cli.values import opt_lang

    db = open_db(ctx)
    audit = get_audit(db, audit_id, opt_lang(lang, db))
    if json:
        print_json(audit)
        return
    results = audit.pop("results")
    findings = audit.pop("findings")
    counts = audit.pop("counts")
    audit["scope"] = ", ".join(audit["scope"])
    audit["counts"] = ", ".join(f"{k} {v}" for k, v in counts.items())
    print_record(audit, title=f"Audit {audit['id']}")
    print_table(results, ["clause_ref", "item_id", "grade", "measured", "target", "note"],
                title="Results")
    print_table(findings, ["ref_no", "item_id", "grade", "status", "due_on"],
                title="Findings", empty="No findings.")


@app.command("answer")
def answer(
    ctx: typer.Context,
    audit_id: AuditId,
    item: Annotated[str, typer.Argument(help="Item id, e.g. 7.2-a.")],
    grade: Annotated[str, typer.Option("--grade", help="conform, minor, major, "
                                       "observation or na.")],
    note: Annotated[str, typer.Option("--note", help="What was found.")] = "",
    evidence: Annotated[str, typer.Option("--evidence", help="Records and documents "
                                          "looked at.")] = "",
    auditor: Annotated[str, typer.Option("--auditor", help="Who answered.")] = "",
) -> None:
    """Answer one person-answered item of an open audit."""
    from qmstrack.audits import Answer, answer_item, parse_grade
    from qmstrack.cli.output import message
    from qmstrack.cli.values import option_value

    parsed = option_value("--grade", lambda: parse_grade(grade))
    ref = answer_item(open_db(ctx), audit_id, item, Answer(parsed, note, evidence), by=auditor)
    message(f"Item {item} of audit {audit_id}: {parsed}."
            + (f" Finding {ref} raised." if ref else ""))


@app.command("finalize")
def finalize(
    ctx: typer.Context,
    audit_id: AuditId,
    allow_pending: Annotated[bool, typer.Option("--allow-pending", help="Finalize even "
                                                "with pending items.")] = False,
) -> None:
    """Finalize an audit: from then on it can no longer change."""
    from qmstrack.audits import finalize_audit
    from qmstrack.cli.output import message

    audit = finalize_audit(open_db(ctx), audit_id, allow_pending=allow_pending)
    message(f"Audit {audit_id} is final (checklist {audit['checklist_id']} "
            f"v{audit['checklist_version']}, sha256 {audit['checklist_sha256'][:12]}).")


@app.command("report")
def report(
    ctx: typer.Context,
    audit_id: AuditId,
    format: Annotated[str, typer.Option("--format", help="Comma-separated: md, html, "
                                        "pdf, docx.")]
    = "md,html",
    out: OutOption = None,
    lang: LangOption = None,
    template_dir: TemplateDirOption = None,
) -> None:
    """Write the audit report (Markdown, HTML, PDF and/or Word); prints the file paths."""
    from qmstrack.cli.values import opt_lang
    from qmstrack.errors import UsageError

    formats = tuple(f.strip().lower() for f in format.split(",") if f.strip())
    unknown = [f for f in formats if f not in ("md", "html", "pdf", "docx")]
    if unknown or not formats:
        raise UsageError(f"--format {format!r}: use md, html, pdf, docx or a list of them "
                         "(md,html).")
    db = open_db(ctx)
    for path in _write_reports(ctx, db, audit_id, out, opt_lang(lang, db), template_dir,
                               formats):
        typer.echo(str(path))


plan_app = typer.Typer(
    help="The audit programme: the clauses each unit is audited on, month by month, and the "
         "12-month coverage.\n\nWithout a subcommand: which clauses were audited in the 12 "
         "months, and which are due.",
    invoke_without_command=True)
app.add_typer(plan_app, name="plan")


def _checklist(db, checklist: str | None):
    from qmstrack.audit_programme import default_checklist
    from qmstrack.checklists import resolve_checklist
    from qmstrack.db import get_setting

    return (resolve_checklist(checklist, get_setting(db, "checklist_dir") or None)
            if checklist else default_checklist(db))


@plan_app.callback()
def plan(
    ctx: typer.Context,
    checklist: ChecklistOption = None,
    unit: UnitFilter = None,
    on: Annotated[str | None, typer.Option("--on", help="Look back 12 months from this "
                                           "date (default today).")] = None,
    json: JsonOption = False,
) -> None:
    """The 12-month audit programme: which clauses were audited, and which are due."""
    if ctx.invoked_subcommand is not None:
        return
    from qmstrack.audit_programme import clause_coverage
    from qmstrack.cli.output import emit_rows, message
    from qmstrack.cli.values import opt_date, opt_units

    db = open_db(ctx)
    chosen = _checklist(db, checklist)
    end = opt_date(on, "--on") or office_today()
    rows = clause_coverage(db, chosen, end, opt_units(db, unit))
    emit_rows(rows, ["clause_ref", "title", "last_audited", "status"], as_json=json)
    if not json and rows:
        due = sum(1 for r in rows if r["status"] == "due")
        message(f"{len(rows) - due} of {len(rows)} assessable clauses audited in the 12 "
                f"months to {end}; {due} due.")


@plan_app.command("set")
def plan_set(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="The month, e.g. 2027-02.")],
    clauses: Annotated[str, typer.Option("--clauses", help="Clauses to audit, comma "
                                         "separated, e.g. 7.5,8.5 (a clause takes its "
                                         "sub-clauses).")],
    unit: Annotated[list[str] | None, typer.Option(
        "--unit", help="A unit audited on them (repeatable; default: every unit).")] = None,
    auditor: Annotated[str | None, typer.Option(
        "--auditor", help="The lead auditor: NIP, NI PPPK or office code.")] = None,
    allow_own_unit: Annotated[bool, typer.Option(
        "--allow-own-unit", help="Let the auditor audit their own unit (recorded).")]
    = False,
    checklist: ChecklistOption = None,
) -> None:
    """Plan a month of the programme: the clauses each unit is audited on, and by whom."""
    from qmstrack.audit_programme import set_plan
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_units, option_value
    from qmstrack.periods import parse_month

    db = open_db(ctx)
    the_month = option_value("--month", lambda: parse_month(month))
    rows = set_plan(db, _checklist(db, checklist), the_month, clauses.split(","),
                    opt_units(db, unit) or [r[0] for r in db.execute(
                        "SELECT code FROM units ORDER BY code")],
                    auditor, allow_own_unit=allow_own_unit)
    for row in rows:
        note = " (own unit, allowed)" if row["own_unit_allowed"] else ""
        message(f"{row['month_start'][:7]} {row['unit']}: clauses {row['clauses']}"
                + (f", lead auditor {row['lead_auditor_nip']}" if row["lead_auditor_nip"]
                   else "") + note + ".")


@plan_app.command("show")
def plan_show(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help="The year (default: this "
                                             "year).")] = None,
    checklist: ChecklistOption = None,
    json: JsonOption = False,
) -> None:
    """Show the programme of a year: month, unit, clauses, lead auditor."""
    from qmstrack.audit_programme import plan_rows
    from qmstrack.cli.output import emit_rows

    db = open_db(ctx)
    rows = plan_rows(db, _checklist(db, checklist), year or office_today().year)
    emit_rows(rows, ["month", "unit", "clauses", "lead_auditor", "lead_auditor_name",
                     "own_unit_allowed"], as_json=json,
              empty="No programme for that year; plan it with 'qmstrack audit plan set'.")


@plan_app.command("letter")
def plan_letter(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="The planned month, e.g. 2027-02.")],
    out: Annotated[Path, typer.Option("--out", dir_okay=False,
                                      help="The file to write.")],
    format: Annotated[str, typer.Option("--format", help="docx (editable in Word or "
                                        "LibreOffice Writer) or pdf.")] = "docx",
    unit: UnitFilter = None,
    lang: LangOption = None,
    checklist: ChecklistOption = None,
) -> None:
    """Write the notification letter of a month's planned audits; prints its path."""
    from qmstrack.audit_letter import write_audit_letter
    from qmstrack.cli.values import opt_lang, opt_units, option_value
    from qmstrack.periods import parse_month

    db = open_db(ctx)
    the_month = option_value("--month", lambda: parse_month(month))
    typer.echo(str(write_audit_letter(db, _checklist(db, checklist), the_month, out, format,
                                      opt_lang(lang, db), units=opt_units(db, unit),
                                      on=office_today())))


@app.command("meetings")
def meetings(
    ctx: typer.Context,
    audit_id: AuditId,
    opening: Annotated[str | None, typer.Option("--opening", help="Date of the opening "
                                                "meeting.")] = None,
    closing: Annotated[str | None, typer.Option("--closing", help="Date of the closing "
                                                "meeting.")] = None,
) -> None:
    """Record the dates of the audit's opening and closing meetings."""
    from qmstrack.audits import record_meetings
    from qmstrack.cli.output import message
    from qmstrack.cli.values import opt_date

    audit = record_meetings(open_db(ctx), audit_id, opening=opt_date(opening, "--opening"),
                            closing=opt_date(closing, "--closing"))
    message(f"Audit {audit_id}: opening meeting {audit['opening_meeting_on'] or '–'}, "
            f"closing meeting {audit['closing_meeting_on'] or '–'}.")
