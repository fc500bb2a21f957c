"""``qmstrack summary``: the nightly digest of a day or a period (made for cron)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.cli.options import FromOption, JsonOption, LangOption, ToOption, UnitFilter
from qmstrack.cli.state import office_today, open_db
from qmstrack.exitcodes import ExitCode


def register(root: typer.Typer) -> None:
    @root.command("summary")
    def summary_cmd(
        ctx: typer.Context,
        on: Annotated[str | None, typer.Option(
            "--date", help="The day to summarise: a date, today, yesterday, hari ini, "
                           "kemarin (default today).")] = None,
        start: FromOption = None,
        end: ToOption = None,
        unit: UnitFilter = None,
        fmt: Annotated[str | None, typer.Option(
            "--format", help="text, md (Markdown), json, html (a self-contained daily "
                         "page) or pdf (with --out); default text.")] = None,
        json: JsonOption = False,
        out: Annotated[Path | None, typer.Option(
            "--out", dir_okay=False,
            help="Write to this file (atomically) instead of standard output.")] = None,
        lang: LangOption = None,
        alert: Annotated[bool, typer.Option(
            "--alert", help="Exit with status 3 when any request, corrective action, "
                            "complaint response, management review action or SKM "
                            "follow-up action is overdue (after writing the summary).")]
        = False,
    ) -> None:
        """Figures of a day (or --from/--to) and what is overdue, for the head of office.

        Requests (received, completed, on time, open, overdue), SOP adherence, findings,
        complaints and public satisfaction (IKM), then the overdue requests, corrective
        actions, complaints, management review and SKM follow-up actions by reference. Exit
        codes: 0 done; 1 failed; 2 wrong usage; 3 with --alert when something is overdue.
        """
        import sys

        from qmstrack.cli.output import message
        from qmstrack.cli.values import opt_date, opt_lang, opt_period, opt_units, option_value
        from qmstrack.errors import UsageError
        from qmstrack.periods import Period
        from qmstrack.summary import build_summary, needs_attention, parse_format, render

        chosen = option_value("--format", lambda: parse_format(fmt or "text"))
        if json:
            if fmt is not None and chosen != "json":
                raise UsageError(f"--json and --format {fmt} contradict each other; pass "
                                 "one of them.")
            chosen = "json"
        today = office_today()
        day = opt_date(on, "--date", today=today)
        period = opt_period(start, end, other=Period(day, day) if day else None,
                            other_option="--date", default=Period(today, today), today=today)
        db = open_db(ctx)
        language = opt_lang(lang, db)
        units = opt_units(db, unit)
        summary = build_summary(db, period, units)
        from qmstrack.cli.output import ascii_only

        office = None
        if chosen in ("html", "pdf"):
            from qmstrack.letterhead import office_identity

            office = office_identity(db, "summary", language)
        if chosen == "pdf":
            from qmstrack.atomic import default_mode, write_atomically
            from qmstrack.summary import render_pdf

            if out is None:
                raise UsageError("--format pdf writes a file: name it with --out.")
            target = write_atomically(out, render_pdf(summary, language, office),
                                      mode=default_mode())
            message(f"Summary written to {target}.")
            if alert and needs_attention(summary):
                raise typer.Exit(ExitCode.ATTENTION)
            return
        text = render(summary, chosen, language, ascii_json=out is None and ascii_only(),
                      office=office)
        if out is not None:
            from qmstrack.summary import write_atomic

            target = write_atomic(out, text)
            message(f"Summary written to {target}.")
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        if alert and needs_attention(summary):
            raise typer.Exit(ExitCode.ATTENTION)

