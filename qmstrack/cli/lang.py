"""The language of the command line: which one, and the command tree and Click's own words in it.

The language of a run is chosen before anything is parsed (:func:`choose`): the root option
``--lang``, else the office's ``lang`` setting recorded in the database the root options name
(read with one query on a read-only connection, so that ``qmstrack --help`` stays fast),
else the environment (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, in the order
gettext reads them), else English. A database's default language (Indonesian, for reports)
only counts once the office has recorded it (``init --lang``, ``config set lang``).

The command modules keep their English help as it is written; the English text is the
catalogue's message id. :func:`translate_command` translates a command's help (paragraph by
paragraph), short help, its options' help, metavars and prompts in place, when the command is
built. Click's and Typer's own words are translated too: the headings and ``[default: ...]``
that Typer asks gettext for (:func:`install`), the ``Usage:`` line and the help option
(:class:`HelpFormatter`), and every usage error, by matching its English text against the
templates of :data:`CLICK_MESSAGES` (:func:`translate_message`) when it is shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from typer._click.formatting import HelpFormatter as _ClickHelpFormatter

from qmstrack.i18n import N_, SOURCE_LANGUAGE, languages, pgettext, terminal_language
from qmstrack.i18n import _ as translate

# The environment variables of the user's language, in the order gettext reads them.
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# Root options that take a value (the others are flags).
VALUE_OPTIONS = ("--db", "--lang")

# What Typer asks gettext for (typer.core's ``_``): the headings and notes of a help page.
TYPER_WORDS = (N_("Options"), N_("Arguments"), N_("Commands"), N_("default: {default}"),
               N_("required"), N_("env var: {var}"), N_("(dynamic)"), N_("Aborted!"))
HELP_OPTION = N_("Show this message and exit.")
USAGE_PREFIX = N_("Usage: ")
# The words of a usage line (``qmstrack [OPTIONS] COMMAND [ARGS]...``).
USAGE_WORDS = (N_("[OPTIONS]"), N_("COMMAND"), N_("[ARGS]..."))
TRY_HELP = N_("Try '{command} {option}' for help.")
ERROR_LINE = N_("Error: {message}")

# Click's usage errors (and qmstrack's additions to them), as their English text reads.
# ``{message}`` is itself translated; the other fields are kept as they are.
CLICK_MESSAGES = (
    N_("{message} ({option} is an option of qmstrack itself: write it before the command, "
       "as in '{example}')."),
    N_("{message}. Did you mean {names}?"),
    N_("{message} (Possible options: {options})"),
    N_("No such option: {name}"),
    N_("No such command {name}."),
    N_("No such command {name}"),
    N_("Missing command."),
    N_("Missing option {name}. {message}"),
    N_("Missing option {name}."),
    N_("Missing argument {name}. {message}"),
    N_("Missing argument {name}."),
    N_("Missing parameter {name}."),
    N_("Invalid value for {name}: {message}"),
    N_("Invalid value: {message}"),
    N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"),
    N_("Got unexpected extra argument(s) ({args})"),  # Click 8.2 and later
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {n} arguments."),
    N_("Option {name} does not take a value."),
    N_("{value} is not a valid integer."),
    N_("{value} is not a valid float."),
    N_("{value} is not a valid int range."),
    # The same refusal in the Click that the oldest Typer allowed vendors.
    N_("{value} is not a valid integer range."),
    N_("{value} is not a valid float range."),
    N_("{value} is not a valid boolean. Recognized values: {values}"),
    N_("{value} is not in the range {range}."),
    N_("{value} is not one of {choices}."),
    N_("{value} does not match the formats {formats}."),
    N_("Choose from:\n\t{choices}"),
)

# The command line's own messages and the domain's refusals that are written as f-strings,
# as their English text reads (matched whole when shown; the more specific first). A
# message that matches none is looked up as it is, and stays English if it is not there.
COMMAND_MESSAGES = (
    N_("{n} item to answer."),
    N_("{n} items to answer."),
    N_("Imported {file}: {rows} rows, {new} new, {updated} updated, {unchanged} unchanged, "
       "{rejected} rejected."),
    N_("Would import {file}: {rows} rows, {new} new, {updated} updated, {unchanged} "
       "unchanged, {rejected} rejected."),
    N_('Observation saved: {staff} {rule} {day} {result}.'),
    N_('Audit {id} is final (checklist {checklist} v{version}, sha256 {sha256}).'),
    N_('the period ends on {day}: the measured items cover the records up to today; run '
       'the audit again after the period ends to update them.'),
    N_('--format {value}: use md, html or md,html (PDF: print the HTML report from a browser).'),
    N_('{audited} of {total} assessable clauses audited in the 12 months to {end}; {due} due.'),
    N_('Fingerprint (SHA-256 of tagmanifest-sha256.txt): {fingerprint}'),
    N_('OK {path} ({clauses} clauses, {items} items)'),
    N_('Clause {ref} of ISO 9001:{edition} has no counterpart in ISO 9001:{other} (it is '
       'new in {edition2}).'),
    N_('{error} Using the default checklist directory and language.'),
    N_('Complaint {ref} recorded; response due {due}.'),
    N_('Complaint {ref} responded to on {day}, {timing}.'),
    N_('Complaint {ref} closed on {day}.'),
    N_('complaint {ref} was closed without a recorded response.'),
    N_('{key} is back to its default.'),
    N_('Database ready at {path}.'),
    N_('Demo data {start} to {end} written to {path}: {figures}.'),
    N_('{path} already holds the demo (seed {seed}); nothing to do.'),
    N_('Document {id} reviewed; next review due {due}.'),
    N_('Document {id} withdrawn on {day}.'),
    N_('Finding {ref} ({grade}, clause {clause}) recorded; corrective action due {due}.'),
    N_('Finding {ref}: action planned, due {due}.'),
    N_('--effective {value}: answer yes or no.'),
    N_('Finding {ref} closed on {day}.'),
    N_('Finding {ref} reopened ({status}); the action was not effective.'),
    N_('Ignored columns: {columns}.'),
    N_('Rejected rows written to {path}.'),
    N_('--table: there is no logged table {table}; use one of {tables}.'),
    N_('objective {id} ({unit}: {title}) missed its target in two consecutive periods.'),
    N_('Management review {id} of {day} recorded with {n} actions ({ids}).'),
    N_('Review action {id} closed on {day}.'),
    N_('The period is not over yet: the pack covers {start} to {end} (today).'),
    N_('Rule {code} saved.'),
    N_('Summary written to {path}.'),
    N_('--json and --format {value} contradict each other; pass one of them.'),
    N_('Survey response for {service} on {day} saved.'),
    N_('Unit {code} saved.'),
    N_('The result {value} is not comply, breach or na (patuh, tidak patuh, tidak berlaku).'),
    N_('The grouping {value} is not one of {choices}.'),
    N_("There is no rule {code}; add it with 'qmstrack rule add'."),
    N_('The channel {value} is not one of {choices} (SP4N-LAPOR!, langsung, telepon, '
       'email, surat).'),
    N_('The complaint numbers of {year} are used up; give one with --ref.'),
    N_("There is no complaint {ref}; 'qmstrack complaint list' shows them."),
    N_('There is no request {ref}.'),
    N_('A complaint {ref} already exists.'),
    N_('Complaint {ref} was closed on {day}; it can no longer change.'),
    N_('Complaint {ref} was already responded to on {day}.'),
    N_('The response date {day} is before the complaint was received ({received}).'),
    N_('Complaint {ref} was already closed on {day}.'),
    N_('The closing date {day} is before the complaint was received ({received}).'),
    N_('The closing date {day} is before the response ({responded}).'),
    N_('The document type {value} is not one of {choices}.'),
    N_('The review interval {value} is not like 12m, 6m, 1y or 24m.'),
    N_("There is no document {id}; 'qmstrack document list' shows them."),
    N_('Document {id} was already withdrawn on {day}.'),
    N_('The withdrawal date {day} is before the document was issued ({issued}).'),
    N_('Document {id} was withdrawn on {day}.'),
    N_('Document {id} has no review interval; pass --review-every (e.g. 12m).'),
    N_('The review date {day} is before the document was issued ({issued}).'),
    N_('The clause reference {value} is not like 8.5.1.'),
    N_('The file {path} does not exist.'),
    N_('The active flag {value} is not yes/no (ya/tidak).'),
    N_('Expected {expected} scores (one per element, u1 to u9, each 1-4), got {got}.'),
    N_('The survey date {day} is in the future.'),
    N_('{path} is not a directory.'),
    N_('There is no setting {key}; known: {keys}.'),
    N_('{source}: {n} invalid row, nothing was imported (use --skip-invalid to import the '
       'valid rows and write the rest to a rejects file).'),
    N_('{source}: {n} invalid rows, nothing was imported (use --skip-invalid to import the'
       ' valid rows and write the rest to a rejects file).'),
    N_('... and more; --skip-invalid writes every rejected row to a file.'),
    N_('The grade {value} is not one of {choices}.'),
    N_("There is no audit {id}; 'qmstrack audit list' shows them."),
    N_('Audit {id} was finalized on {day} and can no longer change.'),
    N_('The period {start} to {end} has not begun yet (today is {today}); there is nothing'
       ' to audit.'),
    N_('The answers file {path} does not exist.'),
    N_('The answers file {path} is larger than 5 MB.'),
    N_('The answers file {name} is empty.'),
    N_('The answers file {path} is not UTF-8 text.'),
    N_('The audit of {start} to {end} for {scope} was finalized (audit {id}); see '
       "'qmstrack audit show {id2}'."),
    N_('Item {item} is evaluated from the data ({metric}); it cannot be answered by hand.'),
    N_('A {grade} result needs a note that says what was found.'),
    N_('The frozen checklist of audit {id} no longer matches its hash.'),
    N_('The grade {value} is not major, minor or observation.'),
    N_('The clause {value} is not a clause number like 8.5.1.'),
    N_('The source {value} is not one of {choices}.'),
    N_("There is no finding {ref}; 'qmstrack finding list' shows them."),
    N_('A finding {ref} already exists.'),
    N_('Finding {ref} was closed on {day}.'),
    N_('The due date {due} is before the finding was raised ({raised}).'),
    N_('Finding {ref} was already closed on {day}.'),
    N_("Finding {ref} has no corrective action to verify; plan one first with 'qmstrack "
       "finding plan'."),
    N_('The verification date {day} is before the finding was raised.'),
    N_('Weakest elements: {elements}.'),
    N_('SKM follow-up action {id} on {element} saved, due {due}.'),
    N_('SKM follow-up action {id} closed on {day}.'),
    N_('The IKM is indicative: {responses} responses, {needed} needed for a population of '
       '{population} (Krejcie-Morgan).'),
    N_('The period ends ({end}) before it starts ({start}).'),
    N_('The report format {value} is not one of {choices}.'),
    N_('No report format given; use {choices}.'),
    N_('sheet {sheet}, row {row}, column {column}: {reason}'),
    N_('sheet {sheet}, row {row}: {reason}'),
    N_('row {row}, column {column}: {reason}'),
    N_('row {row}: {reason}'),
)


# --- which language ------------------------------------------------------------------------


def root_values(args: Sequence[str]) -> dict[str, str]:
    """The values of the root options given before the command: ``{"--db": ..., "--lang":
    ...}`` (``qmstrack --db x.db --lang id request list``)."""
    found: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if name in VALUE_OPTIONS:
            if eq:
                found[name] = value
            elif i + 1 < len(args):
                found[name] = args[i + 1]
                i += 1
        elif not arg.startswith("-"):
            break  # the command
        i += 1
    return found


def environment_language(env: Mapping[str, str]) -> str | None:
    """The first language of the environment that qmstrack speaks (``id_ID.UTF-8`` -> id),
    or None; ``C`` and ``POSIX`` name no language."""
    for variable in LANGUAGE_VARIABLES:
        value = env.get(variable, "")
        if not value:
            continue
        for entry in value.split(":"):
            code = re.split(r"[_.@-]", entry.strip(), maxsplit=1)[0].lower()
            if code in languages():
                return code
        if variable != "LANGUAGE":
            return None  # the first locale variable set decides, as gettext's does
    return None


def office_language(path: Path) -> str | None:
    """The ``lang`` the office recorded in the database at ``path``, or None (no file, no
    such setting, or not a database this can read)."""
    if not path.is_file():
        return None
    import json
    import sqlite3

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = 'lang'").fetchone()
        finally:
            conn.close()
        value = json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError, OSError):
        return None
    return str(value).strip().lower() if value else None


def database_path(db_option: str | None, env: Mapping[str, str]) -> Path:
    """The database the root options name: ``--db``, else ``QMSTRACK_DB``, else the user
    data directory (as :func:`qmstrack.db.resolve_db_path`, without importing it)."""
    if db_option:
        return Path(db_option).expanduser()
    if env.get("QMSTRACK_DB"):
        return Path(env["QMSTRACK_DB"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("qmstrack", appauthor=False)) / "qmstrack.db"


def choose(args: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """The language of this run of the command line (see the module's docstring). An
    unknown ``--lang`` is left for the root option to refuse."""
    env = os.environ if env is None else env
    given = root_values(args)
    asked = given.get("--lang", "").strip().lower()
    if asked in languages():
        return asked
    configured = office_language(database_path(given.get("--db"), env))
    if configured in languages():
        return str(configured)
    return environment_language(env) or SOURCE_LANGUAGE


# --- the compiled catalogue, kept between runs --------------------------------------------


def load_catalogue(lang: str) -> None:
    """Give this run the language's catalogue compiled by an earlier one (in a private folder
    of the user cache, named after the ``.po``'s size and checksum, so that a changed
    catalogue is compiled again); compile and keep it when there is none. Without a usable cache the
    catalogue is compiled in memory as before."""
    if lang == SOURCE_LANGUAGE or os.environ.get("QMSTRACK_NO_CATALOGUE_CACHE"):
        return
    import zlib

    from qmstrack import i18n

    try:
        po = Path(str(i18n.catalogue_path(lang))).read_bytes()
    except OSError:
        return
    directory = _cache_directory()
    if directory is None:
        return
    # Named by the catalogue's size and CRC-32: a changed catalogue gets a new file (the folder
    # is the user's own, so the name need not resist forgery).
    cached = directory / f"{lang}-{len(po)}-{zlib.crc32(po):08x}.mo"
    try:
        mo = cached.read_bytes()
    except OSError:
        from qmstrack.atomic import write_atomically

        mo = i18n.compile_catalogue(po, lang)
        try:
            write_atomically(cached, mo, mode=0o600)
            for older in directory.glob(f"{lang}-*.mo"):
                if older != cached:
                    older.unlink(missing_ok=True)
        except OSError:
            pass
    try:
        i18n.use_compiled(lang, mo)
    except Exception:  # noqa: BLE001 - whatever is wrong with a cached file
        # A damaged file: compile in memory this time, and write it again next time.
        cached.unlink(missing_ok=True)


def _cache_directory() -> Path | None:
    """``catalogues`` in the user cache, only if it is the user's own and nobody else can
    write to it (what it holds is shown as the program's own words)."""
    import stat

    import platformdirs

    directory = Path(platformdirs.user_cache_dir("qmstrack", appauthor=False)) / "catalogues"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022 or (
            hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return None
    return directory


# --- Click's and Typer's words ---------------------------------------------------------------


def _typer_gettext(message: str) -> str:
    """Typer's gettext: its help words translated; its error messages are left for
    :func:`translate_message`, which sees them whole."""
    return translate(message) if message in TYPER_WORDS else message


def install() -> None:
    """Give Typer our catalogue for the words it asks gettext for."""
    import typer.core

    typer.core._ = _typer_gettext  # type: ignore[attr-defined]


class HelpFormatter(_ClickHelpFormatter):
    """Click's formatter with its ``Usage:`` and the help option's text translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if terminal_language() != SOURCE_LANGUAGE:
            args = " ".join(translate(word) if word in USAGE_WORDS else word
                            for word in args.split(" "))
        super().write_usage(prog, args, translate(USAGE_PREFIX) if prefix is None else prefix)

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        if terminal_language() != SOURCE_LANGUAGE:
            rows = [(term, translate(HELP_OPTION) if text == HELP_OPTION else text)
                    for term, text in rows]
        super().write_dl(rows, col_max, col_spacing)


@cache
def _template(message: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", message)
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                      for i, p in enumerate(parts))
    return re.compile(pattern, re.DOTALL)


def translate_message(text: str) -> str:
    """A message of Click (or one qmstrack adds to) in the terminal's language: the first
    template of :data:`CLICK_MESSAGES`, :data:`COMMAND_MESSAGES` or
    :data:`qmstrack.cli.refusals.TEMPLATES` it matches, with its ``{message}`` translated too;
    else the text's own translation, if the catalogue has it."""
    if terminal_language() == SOURCE_LANGUAGE:
        return text
    stripped = text.lstrip(" ")
    if stripped != text:  # an indented detail line keeps its indent
        return text[:len(text) - len(stripped)] + translate_message(stripped)
    from qmstrack.cli.refusals import TEMPLATES

    for template in CLICK_MESSAGES + COMMAND_MESSAGES + TEMPLATES:
        match = _template(template).fullmatch(text)
        if match:
            fields = {name: _translate_count(value)
                      for name, value in match.groupdict().items()}
            if "frequency" in fields:  # a code of the objectives (monthly -> bulanan)
                from qmstrack.labels import FREQUENCY_LABELS

                code = fields["frequency"]
                fields["frequency"] = translate(FREQUENCY_LABELS.get(code, code))
            for name in ("message", "reason"):
                if name in fields:
                    fields[name] = _translate_inner(fields[name])
            return translate(template).format(**fields)
    return translate(text)


_COUNT = re.compile(r"(\d[\d,]*) (\S.*)", re.DOTALL)


def _translate_count(text: str) -> str:
    """A count written by :func:`qmstrack.i18n.count_of` (``1,234 rows``) in the terminal's
    language (``1.234 baris``), when the catalogue has its noun (context ``count``); any other
    text as it is."""
    match = _COUNT.fullmatch(text)
    if not match:
        return text
    lang = terminal_language()
    noun = pgettext("count", match[2], lang)
    if noun == match[2]:
        return text
    from qmstrack.i18n import format_number

    return f"{format_number(int(match[1].replace(',', '')), lang)} {noun}"


def _translate_inner(text: str) -> str:
    """A message inside another one; one whose full stop was dropped to join it (``... 2026-10
    (the objective is monthly).``) is translated as the sentence it was."""
    translated = translate_message(text)
    if translated == text and text and not text.endswith("."):
        whole = translate_message(text + ".")
        if whole != text + ".":
            return whole.removesuffix(".")
    return translated


def _show_translated(exc, file=None) -> None:
    import sys

    import typer

    out = file or sys.stderr
    ctx = exc.ctx
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = translate(TRY_HELP).format(command=ctx.command_path,
                                              option=ctx.help_option_names[0]) + "\n"
        typer.echo(f"{ctx.get_usage()}\n{hint}", file=out, color=ctx.color)
    typer.echo(translate(ERROR_LINE).format(message=translate_message(exc.format_message())),
               file=out, color=ctx.color if ctx is not None else None)


def translate_usage_error(exc) -> None:
    """Show a usage error in the terminal's language (it is shown after this returns)."""
    if terminal_language() == SOURCE_LANGUAGE or getattr(exc, "_qms_translated", False):
        return
    exc._qms_translated = True
    exc.show = lambda file=None: _show_translated(exc, file)


# --- the command tree ------------------------------------------------------------------------


def help_paragraphs(text: str) -> list[str]:
    """A help text's paragraphs as the catalogue knows them: each on one line (Click wraps
    them again), except those marked ``\\b`` (kept as written)."""
    import inspect

    paragraphs = []
    for part in inspect.cleandoc(text).split("\n\n"):
        part = part.strip("\n")
        if part and not part.startswith("\b"):
            part = " ".join(part.split())
        if part:
            paragraphs.append(part)
    return paragraphs


def translate_help(text: str | None) -> str | None:
    """A help text in the terminal's language, paragraph by paragraph."""
    if not text or terminal_language() == SOURCE_LANGUAGE:
        return text
    paragraphs = help_paragraphs(text)
    translated = [translate(p) for p in paragraphs]
    if translated == paragraphs:
        return text
    return "\n\n".join(translated)


def translate_metavar(metavar: str | None) -> str | None:
    if not metavar or terminal_language() == SOURCE_LANGUAGE:
        return metavar
    return pgettext("metavar", metavar, terminal_language())


def translate_command(command: Any) -> None:
    """Translate one command's own texts in place (not its subcommands')."""
    command.context_class = _context_class(command.context_class)
    if terminal_language() == SOURCE_LANGUAGE:
        return
    command.help = translate_help(command.help)
    if command.short_help:
        command.short_help = translate_help(command.short_help)
    for param in command.params:
        param.help = translate_help(getattr(param, "help", None))
        if isinstance(getattr(param, "metavar", None), str):
            param.metavar = translate_metavar(param.metavar)
        if isinstance(getattr(param, "prompt", None), str):
            param.prompt = translate_help(param.prompt)


@cache
def _context_class(base: type) -> type:
    if getattr(base, "formatter_class", None) is HelpFormatter:
        return base
    return type(base.__name__, (base,), {"formatter_class": HelpFormatter})
