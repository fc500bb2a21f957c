"""``qmstrack db check``: is the database still what qmstrack recorded?"""

from __future__ import annotations

import typer

from qmstrack.cli.options import JsonOption
from qmstrack.cli.state import db_path, open_db


def check_cmd(ctx: typer.Context, json: JsonOption = False) -> None:
    """Check the database: SQLite integrity, the change log's hash chain and triggers,
    every row against its last logged state, and every stored evidence file.

    Exits 1 naming the first problem (--json lists them all), 0 when all is well.
    """
    from qmstrack.cli.output import message, print_json
    from qmstrack.integrity import check_database, raise_for

    report = check_database(open_db(ctx), db_path(ctx))
    if json:
        print_json(report.as_dict())
    raise_for(report)
    message(report.summary())


def register(db_app: typer.Typer) -> None:
    db_app.command("check")(check_cmd)
