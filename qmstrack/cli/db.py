"""``qmstrack init`` and the ``qmstrack db`` group: where the database is, and its upkeep."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.cli.integrity import check_cmd
from qmstrack.cli.options import JsonOption, LangOption
from qmstrack.cli.state import open_db, state
from qmstrack.i18n import N_, count_of

app = typer.Typer(help="The database file: where it is, checks and backups.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add ``qmstrack init`` and the ``qmstrack db`` group to the root command."""
    root.command("init")(init_cmd)
    root.add_typer(app, name="db")


@app.command("path")
def path_cmd(ctx: typer.Context, json: JsonOption = False) -> None:
    """Print which database file qmstrack uses, and why."""
    from qmstrack.cli.output import print_json
    from qmstrack.db import resolve_db_path

    path, source = resolve_db_path(state(ctx).db_option)
    if json:
        print_json({"path": str(path), "source": source, "exists": path.exists()})
    else:
        typer.echo(str(path))
        from qmstrack.cli.output import message

        message(f"(from the {source}{'' if path.exists() else '; not created yet'})")


@app.command("backup")
def backup_cmd(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="File to write the backup to.", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Copy the live database safely (SQLite online backup), even while others use it.

    The evidence files go to '<backup name>-evidence/' beside the backup. To restore, see
    the README: stop every qmstrack job, put the backup in place of the database with no
    leftover '-wal' or '-shm' file, copy the evidence folder, and run 'qmstrack db check'.
    """
    from qmstrack.backup import backup
    from qmstrack.cli.output import message
    from qmstrack.cli.state import db_path

    copied = backup(open_db(ctx), db_path(ctx), out, force=force)
    message(f"Backed up {db_path(ctx)} to {out} ({count_of(copied, 'evidence file')} "
            "copied).")


app.command("check")(check_cmd)


def init_cmd(
    ctx: typer.Context,
    org: Annotated[str | None, typer.Option("--org", help="Name of the organisation.")] = None,
    lang: LangOption = None,
    timezone: Annotated[str | None, typer.Option(
        "--timezone", metavar="ZONE",
        help=N_("The office's time zone, an IANA name such as Asia/Makassar (WITA), "
                "Asia/Jakarta (WIB) or Asia/Jayapura (WIT); default: the system's."))]
    = None,
) -> None:
    """Create the database, or bring an existing one up to date (safe to repeat)."""
    from qmstrack.cli.output import message, storage_warnings
    from qmstrack.cli.state import db_path
    from qmstrack.cli.values import opt_lang, option_value
    from qmstrack.clock import abbreviation, check_zone, office_now
    from qmstrack.i18n import _
    from qmstrack.setup import initialise

    if lang is not None:
        lang = opt_lang(lang)
    if timezone is not None:
        timezone = option_value("--timezone", lambda: check_zone(timezone))
    db = open_db(ctx, create=True)
    zone, source = initialise(db, org=org, lang=lang, timezone=timezone)
    message(f"Database ready at {db_path(ctx)}.")
    storage_warnings(db_path(ctx), explain=True)
    label = f"{zone} ({abbreviation(office_now(db))})"
    if source == "system":
        message(_("Time zone: {zone}, the system's; change it with 'qmstrack config set "
                  "timezone ZONE'.").format(zone=label))
    else:
        message(_("Time zone: {zone}.").format(zone=label))
