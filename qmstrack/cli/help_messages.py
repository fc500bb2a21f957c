"""Every help text of the command line, taken from the live command tree, for the catalogue.

The command modules write their help in English, as ordinary strings; :func:`help_messages`
walks the whole tree (every lazily loaded command group too) and gives each text the way
:mod:`qmstrack.cli.lang` looks it up: each paragraph of a command's help, its short help, each
option's and argument's help, metavars (context ``metavar``), and the summaries the root
lists. :func:`extract` makes it a Babel extractor, named in ``babel.cfg``, so that
``pybabel extract`` puts every new command's help into the template, and
``tests/test_help.py`` fails while one of them has no Indonesian translation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def _command_texts(command: Any) -> Iterator[tuple[str | None, str]]:
    from qmstrack.cli.lang import help_paragraphs

    for text in (command.help, command.short_help):
        for paragraph in help_paragraphs(text or ""):
            yield None, paragraph
    for param in command.params:
        for paragraph in help_paragraphs(getattr(param, "help", None) or ""):
            yield None, paragraph
        metavar = getattr(param, "metavar", None)
        if isinstance(metavar, str) and metavar:
            yield "metavar", metavar
        prompt = getattr(param, "prompt", None)
        if isinstance(prompt, str) and prompt:
            for paragraph in help_paragraphs(prompt):
                yield None, paragraph


def help_messages() -> list[tuple[str | None, str]]:
    """Every (context, message) of the command tree's help, in the tree's order, once."""
    import typer

    from qmstrack.cli.app import LAZY_COMMANDS, _plain_help, app
    from qmstrack.cli.lang import help_paragraphs
    from qmstrack.i18n import set_terminal_language, terminal_language

    before = terminal_language()
    set_terminal_language("en")
    try:
        root = typer.main.get_command(app)
        found: dict[tuple[str | None, str], None] = {}
        for _, summary in LAZY_COMMANDS.values():
            for paragraph in help_paragraphs(summary):
                found[None, paragraph] = None

        def walk(command: Any) -> None:
            for key in _command_texts(command):
                found[key] = None
            if hasattr(command, "list_commands"):
                for name in command.list_commands(None):
                    walk(command.get_command(None, name))

        _plain_help(root)  # its metavars, as 'qmstrack --help' shows them
        walk(root)
    finally:
        set_terminal_language(before)
    return list(found)


def extract(fileobj, keywords, comment_tags, options):
    """A Babel extractor (``babel.cfg`` gives it ``qmstrack/cli/app.py``): the file's own
    marked messages, as the Python extractor finds them, then the help of the live command
    tree."""
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)
    for context, message in help_messages():
        if context is None:
            yield 0, "gettext", message, []
        else:
            yield 0, "pgettext", (context, message), []
