"""The root ``qmstrack`` command: global options, the command groups, and error handling.

This is the one place where qmstrack's exceptions become a sentence on stderr and an exit
code (``qmstrack.exitcodes``): 0 success, 1 the command failed, 2 wrong usage, 3 ran but
found something that needs attention, 130 interrupted.
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
from qmstrack.exitcodes import ExitCode
from qmstrack.i18n import N_

# Each command module is imported only when one of its commands is used, so that
# 'qmstrack --help', '--version' and every single command start fast. Every command module
# has ``register(root)``, which adds its top-level commands and groups to ``root``.
# name -> (module, summary); the summary is what 'qmstrack --help' lists, and a test keeps
# it equal to the command's own.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("qmstrack.cli.db",
             'Create the database, or bring an existing one up to date (safe to repeat).'),
    "demo": ("qmstrack.cli.demo",
             'Create (if needed) and fill a database with a demo year for three units.'),
    "db": ("qmstrack.cli.db",
             'The database file: where it is, checks and backups.'),
    "config": ("qmstrack.cli.config",
             'Settings: organisation, language, working days, defaults.'),
    "unit": ("qmstrack.cli.unit",
             'Organisational units in scope, such as SMP, SMA and SEKRETARIAT.'),
    "service": ("qmstrack.cli.service",
             'Services and their service time in working days.'),
    "staff": ("qmstrack.cli.staff",
             'Staff (pegawai): PNS by NIP, PPPK by NI PPPK, non-ASN by an office code.'),
    "rule": ("qmstrack.cli.rule",
             'Rules (SOPs, regulations) and the ISO clauses they evidence.'),
    "request": ("qmstrack.cli.request",
             'Service requests (permohonan layanan).'),
    "adherence": ("qmstrack.cli.adherence",
             'Adherence observations: staff keeping to SOPs and rules.'),
    "survey": ("qmstrack.cli.survey",
             'Public satisfaction surveys (SKM, PermenPAN-RB 14/2017) and the IKM.'),
    "complaint": ("qmstrack.cli.complaint",
             'Complaints from the public (pengaduan).'),
    "checklist": ("qmstrack.cli.checklist",
             'ISO clause checklists: list, show, validate, and map ISO 9001:2008 <-> '
             '2015 clauses.'),
    "audit": ("qmstrack.cli.audit",
             'The monthly internal audit: run it, answer, finalize, report, plan.'),
    "finding": ("qmstrack.cli.finding",
             'Findings (nonconformities, observations) and corrective actions.'),
    "metrics": ("qmstrack.cli.metrics",
             'Compute every metric for a period (default: the previous calendar month).'),
    "objective": ("qmstrack.cli.objective",
             'Quality objectives (sasaran mutu): targets and their achievement.'),
    "review": ("qmstrack.cli.review",
             'Management review (ISO 9001 9.3): the inputs pack, the decisions and their '
             'follow-up.'),
    "summary": ("qmstrack.cli.summary",
             'Figures of a day (or --from/--to) and what is overdue, for the head of office.'),
    "document": ("qmstrack.cli.document",
             'Documented information: policies, SOPs, minutes, and their reviews.'),
    "provider": ("qmstrack.cli.provider",
             'External providers (ISO 9001 8.4): what they supply, their evaluations.'),
    "risk": ("qmstrack.cli.risk",
             'Risks and opportunities (ISO 9001 6.1): scores, treatment, the heat map.'),
    "competence": ("qmstrack.cli.competence",
             'Competence (ISO 9001 7.2): required by position, training records, the '
             'matrix.'),
    "log": ("qmstrack.cli.log",
             'Show the change log, newest first: seal time, command, table, key, old and new.'),
    "export": ("qmstrack.cli.bundle",
             "Export the period's records, checklists, evidence files and change log as a BagIt "
             "bundle for the auditor (check it with 'qmstrack verify')."),
    "verify": ("qmstrack.cli.bundle",
             "Check a BagIt bundle (RFC 8493), qmstrack's or any other, and print its "
             "fingerprint: exits 1 naming every missing, extra or altered file, 3 if it "
             "needs attention (only MD5 or SHA-1 manifests, files still to fetch)."),
}


def load_command(name: str):
    """Import the module of one top-level command and build its click command."""
    import importlib

    module_name, _ = LAZY_COMMANDS[name]
    holder = typer.Typer(add_completion=False)
    importlib.import_module(module_name).register(holder)
    return _plain_help(typer.main.get_group(holder).commands[name])


def _plain_help(command):
    """Help pages as plain text, like the root's (Rich panels only clutter a terminal
    help page and do not belong in a pipe)."""
    from qmstrack.cli.lang import translate_command

    command.rich_markup_mode = None
    for param in command.params:
        # "--unit UNIT" reads better than Typer's "--unit <list[str]>".
        opts = getattr(param, "opts", None)
        if opts and not getattr(param, "is_flag", False) and param.metavar is None and (
                param.param_type_name == "option"):
            param.metavar = max(opts, key=len).lstrip("-").upper().replace("-", "_")
    # In the terminal's language: help, options, metavars (the English text is the msgid).
    translate_command(command)
    if hasattr(command, "commands"):
        suggest_commands(command)
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)
    return command


def _usage_error_class():
    """Click's UsageError, as Typer bundles it (its BadParameter derives from it)."""
    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def suggest_commands(group) -> None:
    """'No such command' gets a "did you mean" from the names of ``group`` (lazy ones too)."""
    resolve = group.resolve_command

    def resolve_with_suggestion(ctx, args):
        try:
            return resolve(ctx, args)
        except _usage_error_class() as exc:
            _add_suggestion(exc, args, group.list_commands(ctx))
            raise

    group.resolve_command = resolve_with_suggestion


def _add_suggestion(exc, args: list[str], names: list[str]) -> None:
    message = getattr(exc, "message", "")
    if args and message.startswith("No such command") and "Did you mean" not in message:
        from difflib import get_close_matches

        from qmstrack.i18n import N_

        matches = get_close_matches(args[0], names)
        if matches:
            # English here: the whole message is translated when shown (cli.lang).
            exc.message = N_("{message}. Did you mean {names}?").format(
                message=message.rstrip("."), names=", ".join(repr(m) for m in matches))


ROOT_OPTIONS = ("--db", "--lang", "--no-input", "--version")


class QmsGroup(TyperGroup):
    """The root group: loads commands on demand and turns qmstrack's exceptions into
    messages and exit codes."""

    def main(self, args=None, *pos, **kwargs) -> Any:
        """Run the command line in its language (``cli.lang.choose``), chosen before any
        option is parsed or any help is written."""
        from qmstrack.cli import lang
        from qmstrack.i18n import set_terminal_language, terminal_language

        args = list(sys.argv[1:] if args is None else args)
        before = terminal_language()
        set_terminal_language(lang.choose(args))
        lang.load_catalogue(terminal_language())
        lang.install()
        _plain_help(self)
        try:
            return super().main(args, *pos, **kwargs)
        finally:
            set_terminal_language(before)

    def make_context(self, info_name, args, parent=None, **extra) -> Any:
        from qmstrack.cli.lang import translate_usage_error

        try:
            return super().make_context(info_name, args, parent, **extra)
        except _usage_error_class() as exc:  # the root's own options
            translate_usage_error(exc)
            raise

    def list_commands(self, ctx) -> list[str]:
        return [*self.commands, *(n for n in LAZY_COMMANDS if n not in self.commands)]

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx, formatter) -> None:
        from typer.core import TyperCommand

        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        from qmstrack.cli.lang import translate_help
        from qmstrack.i18n import _

        for name in names:
            summary = LAZY_COMMANDS[name][1] if name in LAZY_COMMANDS else ""
            if name in self.commands or not summary:
                rows.append((name, self.get_command(ctx, name).get_short_help_str(limit)))
            else:
                rows.append((name, TyperCommand(name, help=translate_help(summary))
                             .get_short_help_str(limit)))
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except _usage_error_class() as exc:
            _add_suggestion(exc, args, self.list_commands(ctx))
            raise

    def invoke(self, ctx) -> Any:
        from qmstrack.errors import QmsError
        from qmstrack.i18n import _

        try:
            return super().invoke(ctx)
        except _usage_error_class() as exc:
            from qmstrack.cli.lang import translate_usage_error

            _root_option_hint(exc)
            translate_usage_error(exc)
            raise
        except QmsError as exc:
            _fail(str(exc), exc.exit_code, exc.details)
        except sqlite3.OperationalError as exc:
            _fail(_("The database could not be used: {error}.").format(error=exc),
                  ExitCode.FAILED)
        except sqlite3.DatabaseError as exc:
            _fail(_("The database is damaged or not a qmstrack database: {error}.").format(
                error=exc), ExitCode.FAILED)
        except KeyboardInterrupt:
            _fail(_("Interrupted; nothing was changed by the unfinished step."),
                  ExitCode.INTERRUPTED)
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(ExitCode.FAILED) from None
        finally:
            from qmstrack.cli.state import end

            end()


def _root_option_hint(exc) -> None:
    """``request list --db x.db``: say that --db belongs before the command."""
    name = getattr(exc, "option_name", None)
    if name not in ROOT_OPTIONS or "qmstrack itself" in exc.message:
        return
    from qmstrack.i18n import N_

    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path.split(" ", 1) if ctx is not None else ["qmstrack"]
    value = {"--db": " PATH", "--lang": " LANG"}.get(name, "")
    example = " ".join([path[0], name + value, *path[1:]])
    # English here: the whole message is translated when shown (cli.lang).
    exc.message = N_("{message} ({option} is an option of qmstrack itself: write it before "
                    "the command, as in '{example}').").format(
                        message=exc.message.rstrip("."), option=name, example=example)


def _fail(text: str, code: int, details: list[str] | None = None):
    """An error on stderr in the terminal's language (a message the domain wrote in English
    is looked up whole, and each detail line too), then the exit code."""
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
        raise typer.Exit(ExitCode.OK)


@app.callback()
def root(
    ctx: typer.Context,
    db: DbOption = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", metavar="LANG", help=N_(
            "Language of the command line: id or en (default: the office's lang setting, "
            "else LANG).")),
    ] = None,
    no_input: NoInputOption = False,
    as_user: Annotated[
        str | None,
        typer.Option("--as", metavar="NAME", help=N_(
            "Who is running the command, as the change log's seals record it (default: "
            "$QMSTRACK_USER, else the system user).")),
    ] = None,
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
    from qmstrack.cli.state import begin

    if lang is not None:
        from qmstrack.cli.values import opt_lang

        opt_lang(lang)  # the language itself was chosen before parsing (cli.lang)
    if as_user is not None:
        as_user = " ".join(as_user.split())
        if not as_user or len(as_user) > 100:
            from qmstrack.errors import UsageError
            from qmstrack.i18n import _

            raise UsageError(_("--as: give a name of 1 to 100 characters."))
    ctx.obj = begin(AppState(db_option=db, no_input=no_input, user=as_user))


def safe_output() -> None:
    """Never crash on a character the output cannot encode: replace it.

    Python on Windows writes the ANSI code page (cp1252) when output is redirected (Task
    Scheduler, ``> file``), which has no ``≥`` or ``≤``; a summary must still be written.
    JSON stays lossless: it escapes what the stream cannot encode (``cli.output``).
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def main() -> None:
    safe_output()
    app()
