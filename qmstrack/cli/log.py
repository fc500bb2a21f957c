"""``qmstrack log``: what was changed, when, and by which command (the change log)."""

from __future__ import annotations

from typing import Annotated

import typer

from qmstrack.cli.options import ColumnsOption, JsonOption, SinceOption
from qmstrack.cli.state import open_db


def log_cmd(
    ctx: typer.Context,
    since: SinceOption = None,
    table: Annotated[str | None, typer.Option("--table", help="Only changes to this table "
                                              "(requests, documents...).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most the N newest "
                                              "entries.")] = None,
    columns: ColumnsOption = None,
    json: JsonOption = False,
) -> None:
    """Show the change log, newest first: seal time, command, table, key, old and new.

    An interactive edit is one entry per record with its old and new values; a bulk import
    is one 'import' entry naming the file, its SHA-256, the counts and the records' keys
    (--json shows them; the file itself is kept in the evidence store).

    Times are shown in the office's time zone (--json keeps them in UTC). Entries not
    sealed by qmstrack (edits made with other tools) show the command '(outside qmstrack)';
    'qmstrack db check' reports them. The pseudonymisation key is shown as '(withheld)'.
    """
    from qmstrack.cli.output import emit_rows
    from qmstrack.cli.values import opt_date
    from qmstrack.errors import UsageError
    from qmstrack.integrity import describe_change, iter_log
    from qmstrack.register_catalogue import logged_tables

    if table is not None and table not in logged_tables():
        raise UsageError(f"--table: there is no logged table {table!r}; use one of "
                         f"{', '.join(logged_tables())}.")
    db = open_db(ctx)
    entries = iter_log(db, since=opt_date(since, "--since"), table=table, limit=limit)
    if json:
        emit_rows((e.as_dict() for e in entries), [], as_json=True)
        return
    from qmstrack.clock import format_instant, office_zone

    tz = office_zone(db)
    rows = ({"id": e.id, "at": format_instant(e.at, tz), "command": e.command,
             "user": e.user or "", "table": e.table,
             "key": e.key, "op": e.op, "changes": describe_change(e)} for e in entries)
    from qmstrack.cli.output import choose_columns

    emit_rows(rows, choose_columns(["id", "at", "command", "user", "table", "key", "op", "changes"],
                                   columns),
              empty="The change log has no matching entries.")


def register(root: typer.Typer) -> None:
    root.command("log")(log_cmd)
