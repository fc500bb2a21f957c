"""``qmstrack db check``: is the database still what qmstrack recorded?

A command of the ``qmstrack db`` group (``qmstrack.cli.db`` adds it).
"""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.options import JsonOption
from qmstrack.cli.state import db_path, open_db


def check_cmd(
    ctx: typer.Context,
    expect_seal: Annotated[list[str] | None, typer.Option(
        "--expect-seal", metavar="SHA256",
        help="A seal's SHA-256 kept outside the computer (as this command printed it); "
             "the check fails unless the chain still holds it. Repeatable.")] = None,
    json: JsonOption = False,
) -> None:
    """Check the database: SQLite integrity, the change log's hash chain and triggers,
    every row against its last logged state, and every stored evidence file.

    Prints the last seal's SHA-256: keep it outside the computer, and pass it later with
    --expect-seal to find a change log rewritten with every seal recomputed. Exits 1
    naming the first problem (--json lists them all), 0 when all is well.
    """
    from qmstrack.cli.output import message, print_json
    from qmstrack.cli.values import option_value
    from qmstrack.integrity import check_database, parse_seal_hash, raise_for

    kept = [option_value("--expect-seal", lambda sha=sha: parse_seal_hash(sha))
            for sha in expect_seal or []]
    from qmstrack.cli.output import storage_warnings

    report = check_database(open_db(ctx), db_path(ctx), kept)
    storage_warnings(db_path(ctx))
    if json:
        print_json(report.as_dict())
    raise_for(report)
    message(report.summary())
    if report.last_seal_line():
        message(report.last_seal_line())
