"""The root ``qmstrack`` command: global options, the command groups, and error handling.

This is the one place where qmstrack's exceptions become a sentence on stderr and an exit
code: 0 success, 1 the command failed, 2 wrong usage, 3 ran but found something that
needs attention.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from qmstrack import __version__
from qmstrack.cli.options import DbOption, NoInputOption
from qmstrack.cli.state import AppState

EXIT_ATTENTION = 3


class QmsGroup(TyperGroup):
    """Runs subcommands and turns qmstrack's exceptions into messages and exit codes."""

    def invoke(self, ctx) -> Any:
        from qmstrack.errors import QmsError

        try:
            return super().invoke(ctx)
        except QmsError as exc:
            _fail(str(exc), exc.exit_code, exc.details)
        except sqlite3.OperationalError as exc:
            _fail(f"The database could not be used: {exc}.", 1)
        except sqlite3.DatabaseError as exc:
            _fail(f"The database is damaged or not a qmstrack database: {exc}.", 1)
        except KeyboardInterrupt:
            _fail("Interrupted; nothing was changed by the unfinished step.", 130)
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(1) from None


def _fail(text: str, code: int, details: list[str] | None = None):
    from qmstrack.cli.output import error, message

    error(text)
    for line in details or []:
        message(f"  {line}")
    raise typer.Exit(code)


app = typer.Typer(
    cls=QmsGroup,
    name="qmstrack",
    help="Run an ISO 9001 quality management system for a public-service office.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qmstrack {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: DbOption = None,
    no_input: NoInputOption = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Run an ISO 9001 quality management system for a public-service office.

    Records live in one SQLite file: --db PATH, else $QMSTRACK_DB, else the user data
    directory (see 'qmstrack db path').
    """
    ctx.obj = AppState(db_option=db, no_input=no_input)


def _register() -> None:
    from qmstrack.cli import (
        adherence,
        audit,
        bundle,
        checklist,
        complaint,
        config,
        demo,
        document,
        finding,
        integrity,
        log,
        metrics,
        objective,
        request,
        review,
        rule,
        service,
        staff,
        summary,
        survey,
        unit,
    )
    from qmstrack.cli import db as db_cli

    db_cli.register_root_commands(app)
    demo.register(app)
    app.add_typer(db_cli.app, name="db")
    app.add_typer(unit.app, name="unit")
    app.add_typer(service.app, name="service")
    app.add_typer(staff.app, name="staff")
    app.add_typer(rule.app, name="rule")
    app.add_typer(request.app, name="request")
    app.add_typer(adherence.app, name="adherence")
    app.add_typer(survey.app, name="survey")
    app.add_typer(checklist.app, name="checklist")
    app.add_typer(audit.app, name="audit")
    app.add_typer(finding.app, name="finding")
    app.add_typer(objective.app, name="objective")
    app.add_typer(complaint.app, name="complaint")
    app.add_typer(document.app, name="document")
    app.add_typer(config.app, name="config")
    app.add_typer(review.app, name="review")
    integrity.register(db_cli.app)
    metrics.register(app)
    summary.register(app)
    log.register(app)
    bundle.register(app)


_register()


def main() -> None:
    app()
