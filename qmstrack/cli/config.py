"""``qmstrack config``: the office's settings and its working calendar."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.options import JsonOption, LangOption
from qmstrack.cli.state import db_path, office_today, open_db
from qmstrack.i18n import N_, count_of

app = typer.Typer(help="Settings: organisation, language, working days, defaults.",
                  no_args_is_help=True)



def register(root: typer.Typer) -> None:
    """Add the ``qmstrack config`` group to the root command."""
    root.add_typer(app, name="config")


days_off_app = typer.Typer(help=N_("The office's own calendar: extra days off, and public "
                                   "holidays or cuti bersama it works on."),
                           no_args_is_help=True)
app.add_typer(days_off_app, name="days-off")

# What 'config show' says of the values that are not plain settings.
EXTRA_MEANINGS = {
    "extra_days_off": N_("Extra days off ('qmstrack config days-off list')."),
    "worked_days": N_("Public holidays or cuti bersama the office works on ('qmstrack config "
                      "days-off work')."),
}

KeyArgument = Annotated[str, typer.Argument(help="Setting name ('qmstrack config show' "
                                            "lists them).")]
DaysArgument = Annotated[list[str], typer.Argument(help="One or more dates.")]


@app.command("show")
def show(ctx: typer.Context, json: JsonOption = False) -> None:
    """Show every setting and its current value."""
    from qmstrack.cli.output import emit_rows, print_json
    from qmstrack.config import SETTINGS, show_settings

    values = show_settings(open_db(ctx))
    if json:
        print_json(values)
        return
    from qmstrack.i18n import _

    rows = [{"setting": key, "value": values[key],
             "meaning": _(SETTINGS[key].description) if key in SETTINGS
             else _(EXTRA_MEANINGS.get(key, ""))} for key in values]
    emit_rows(rows, ["setting", "value", "meaning"])


@app.command("set")
def set_cmd(ctx: typer.Context, key: KeyArgument,
            value: Annotated[str, typer.Argument(help="The new value.")]) -> None:
    """Change a setting (a new working week recomputes the stored due dates)."""
    from qmstrack.cli.output import message, value_label
    from qmstrack.cli.values import option_value
    from qmstrack.config import set_value

    db = open_db(ctx)
    parsed = option_value(key, lambda: set_value(db, key, value, db_path(ctx)))
    # As a table shows values (decimals, yes/no in the terminal's language); a list joined.
    shown = (", ".join(value_label(key, v) for v in parsed) if isinstance(parsed, list)
             else value_label(key, parsed))
    message(f"{key} = {shown}")


@app.command("unset")
def unset(ctx: typer.Context, key: KeyArgument) -> None:
    """Return a setting to its default."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import option_value
    from qmstrack.config import unset_value

    db = open_db(ctx)
    option_value(key, lambda: unset_value(db, key))
    message(f"{key} is back to its default.")


@days_off_app.command("add")
def days_off_add(ctx: typer.Context, days: DaysArgument) -> None:
    """Add extra days off; the due dates they touch are recomputed."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import option_value
    from qmstrack.config import add_days_off

    db = open_db(ctx)
    added, changed = option_value("DATE", lambda: add_days_off(db, days))
    message(f"Added {count_of(len(added), 'day')} off; {count_of(changed, 'due date')} "
            "recomputed.")


@days_off_app.command("remove")
def days_off_remove(ctx: typer.Context, days: DaysArgument) -> None:
    """Remove extra days off, or undo 'work' for a holiday; the due dates they touch are
    recomputed."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import option_value
    from qmstrack.config import remove_days_off

    db = open_db(ctx)
    removed, changed = option_value("DATE", lambda: remove_days_off(db, days))
    message(f"Removed {count_of(len(removed), 'day')} off; "
            f"{count_of(changed, 'due date')} recomputed.")


@days_off_app.command("work")
def days_off_work(ctx: typer.Context, days: DaysArgument) -> None:
    """Mark public holidays or cuti bersama days as working days of the office; the due
    dates they touch are recomputed."""
    from qmstrack.cli.output import message
    from qmstrack.cli.values import option_value
    from qmstrack.config import mark_worked
    from qmstrack.i18n import _

    db = open_db(ctx)
    marked, changed = option_value("DATE", lambda: mark_worked(db, days))
    message(_("Days marked as worked: {n}; due dates recomputed: {changed}.").format(
        n=len(marked), changed=changed))


@app.command("calendar")
def calendar_cmd(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", min=1990, max=2100,
                                             help=N_("Year (default this year)."))] = None,
    lang: LangOption = None,
    json: JsonOption = False,
) -> None:
    """The year's days off on working weekdays and where each comes from: public holidays
    and cuti bersama (the holidays package), the office's own days off, and the holidays
    the office works on; estimated dates are flagged."""
    from qmstrack.cli.output import emit_rows, message
    from qmstrack.cli.values import opt_lang
    from qmstrack.config import calendar_year
    from qmstrack.i18n import _

    db = open_db(ctx)
    language = opt_lang(lang, db)
    chosen = year or office_today().year
    found = calendar_year(db, chosen, language)
    if json:
        emit_rows(found.rows, [], as_json=True)
    else:
        rows = [{**r, "estimated": _("estimated") if r["estimated"] else "",
                 "day_off": _("day off") if r["day_off"] else _("worked")}
                for r in found.rows]
        emit_rows(rows, ["date", "weekday", "kind", "name", "estimated", "day_off", "source"],
                  empty=_("No days off on working weekdays."))
    if found.has_estimates:
        message(_("Dates marked estimated are the holidays package's estimates (Islamic and "
                  "lunar holidays); they move when the government fixes them, and a newer "
                  "holidays package brings the fixed dates."))
    if not found.has_cuti_bersama:
        message(_("The holidays package has no cuti bersama for {year} yet (the joint decree "
                  "of a year is published the year before); add them with 'qmstrack config "
                  "days-off add' once announced, or update the package.").format(
                      year=chosen))


@days_off_app.command("list")
def days_off_list(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", min=1990, max=2100,
                                             help="Year (default this year).")] = None,
    json: JsonOption = False,
) -> None:
    """Non-working weekdays of a year: public holidays, cuti bersama and the office's days
    off."""

    from qmstrack.cli.output import emit_rows
    from qmstrack.config import days_off

    rows = days_off(open_db(ctx), year or office_today().year)
    emit_rows(rows, ["date", "weekday", "kind", "name"], as_json=json)
