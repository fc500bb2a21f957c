"""Languages of what people read: gettext messages, dates and numbers in Indonesian or English.

Source strings are English. The Indonesian catalogue is
``qmstrack/locales/id/LC_MESSAGES/qmstrack.po``; it is compiled in memory when first used
(Babel's ``read_po`` and ``write_mo``), once per process and language, so there is no
compiled ``.mo`` file to forget to rebuild. Messages are extracted with
``pybabel extract -F babel.cfg -o qmstrack.pot .`` and merged with ``pybabel update``.

Dates and numbers follow the language's conventions through Babel (CLDR):
``Senin, 23 November 2026`` / ``Monday, 23 November 2026``; ``92,5%`` / ``92.5%``.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from decimal import Decimal

LANGUAGES = ("id", "en")
DOMAIN = "qmstrack"

# The language of the command line's own messages; the CLI sets it once per command.
_terminal_language = "en"

# Both languages write the day before the month: "Senin, 23 November 2026".
FULL_DATE = "EEEE, d MMMM y"
SHORT_DATE = "d MMM y"


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """``1 day``, ``3 days``: an English count for the command-line messages."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        from qmstrack.errors import InvalidInput

        raise InvalidInput(f"The language {lang!r} is not supported; use id or en.")
    return lang


def catalogue_path(lang: str):
    """Where the ``.po`` catalogue of a language lives inside the installed package."""
    from importlib.resources import files

    return files("qmstrack") / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> Translator:
    """A gettext-like object (``gettext``, ``ngettext``) for ``id`` or ``en``."""
    from babel.support import NullTranslations, Translations

    _check(lang)
    source = catalogue_path(lang)
    if not source.is_file():
        # English is the source language: no catalogue needed.
        return NullTranslations()
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with source.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def set_terminal_language(lang: str) -> None:
    """Choose the language of the messages :func:`_` translates (``id`` or ``en``)."""
    global _terminal_language
    _terminal_language = _check(lang)


def terminal_language() -> str:
    return _terminal_language


def _(message: str) -> str:
    """A message of the command line in the terminal's language.

    English is the source language: nothing is loaded for it.
    """
    if _terminal_language == "en":
        return message
    return translations(_terminal_language).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the conventional name for "translate later"
    """Mark a message for the catalogue; :func:`_` translates it where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    if _terminal_language == "en":
        return singular if n == 1 else plural
    return translations(_terminal_language).ngettext(singular, plural, n)


def format_date(d: date, lang: str, *, full: bool = True) -> str:
    """``Senin, 23 November 2026`` (full) or ``23 Nov 2026`` in the language."""
    from babel.dates import format_date as _format

    return _format(d, FULL_DATE if full else SHORT_DATE, locale=_check(lang))


def format_period(start: date, end: date, lang: str) -> str:
    """One day, or ``first – last`` with both days written in full."""
    if start == end:
        return format_date(start, lang)
    return f"{format_date(start, lang)} – {format_date(end, lang)}"


def format_percent(x: float | None, lang: str, *, none: str = "–") -> str:
    """A fraction (0-1) as a percentage with one decimal: ``92,5%`` / ``92.5%``."""
    if x is None:
        return none
    from babel.numbers import format_percent as _format

    return _format(x, "#,##0.0%", locale=_check(lang))


def format_number(x: int | float | Decimal | None, lang: str, *, decimals: int = 0,
                  none: str = "–") -> str:
    """A number with the language's separators: ``1.234,50`` / ``1,234.50``."""
    if x is None:
        return none
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(x, pattern, locale=_check(lang))
