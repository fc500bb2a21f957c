"""``qmstrack init`` and the ``qmstrack db`` group: where the database is, and its upkeep."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qmstrack.cli.options import JsonOption, LangOption
from qmstrack.cli.state import open_db, state

app = typer.Typer(help="The database file: where it is, checks and backups.", no_args_is_help=True)


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

    To restore: stop every qmstrack job, then copy the backup over the database file and
    delete any leftover '-wal' and '-shm' files beside it.
    """
    from qmstrack.cli.output import message
    from qmstrack.db import backup_to
    from qmstrack.errors import Conflict

    if out.exists() and not force:
        raise Conflict(f"{out} already exists; pass --force to replace it.")
    db = open_db(ctx)
    backup_to(db, out)
    message(f"Backed up {state(ctx).db_option or 'the database'} to {out}.")


def register_root_commands(root: typer.Typer) -> None:
    @root.command("init")
    def init_cmd(
        ctx: typer.Context,
        org: Annotated[str | None, typer.Option("--org", help="Name of the organisation.")] = None,
        lang: LangOption = None,
    ) -> None:
        """Create the database, or bring an existing one up to date (safe to repeat)."""
        from qmstrack.cli.output import message
        from qmstrack.cli.values import option_value
        from qmstrack.setup import check_lang, initialise

        if lang is not None:
            lang = option_value("--lang", lambda: check_lang(lang))
        db = open_db(ctx, create=True)
        initialise(db, org=org, lang=lang)
        from qmstrack.cli.state import db_path

        message(f"Database ready at {db_path(ctx)}.")
