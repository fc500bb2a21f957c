"""Languages of what people read: which ones there are, their catalogue, texts written in
several of them, and dates and numbers in each.

:data:`LANGUAGES` is the one list of the languages qmstrack speaks. Source strings are
English; every other language has one gettext catalogue,
``qmstrack/locales/<lang>/LC_MESSAGES/qmstrack.po``, compiled in memory when first used
(Babel's ``read_po`` and ``write_mo``), once per process and language, so there is no
compiled ``.mo`` file to forget to rebuild. Messages are extracted with
``pybabel extract -F babel.cfg -o qmstrack.pot .`` and merged with
``pybabel update -i qmstrack.pot -d qmstrack/locales -D qmstrack``.

A directory named by the environment variable ``QMSTRACK_LOCALE_DIR`` (laid out like
``qmstrack/locales``) is searched first: an office or a translator can add a language, or
correct a translation, without touching the installed package. A language with a
catalogue there joins :func:`languages`.

Texts written by people in several languages (checklist questions, the notes of a
management review) are carried as one :class:`Text`: ``text.get(lang)`` gives the text in
``lang``, else the text written for every language, else the first language written.

Dates and numbers follow the language's conventions through Babel (CLDR):
``Senin, 23 November 2026`` / ``Monday, 23 November 2026``; ``92,5%`` / ``92.5%``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from decimal import Decimal

LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"
SOURCE_LANGUAGE = "en"
DOMAIN = "qmstrack"
LOCALE_DIR_ENV = "QMSTRACK_LOCALE_DIR"

# The language of the command line's own messages; the CLI sets it once per command.
_terminal_language = "en"

# Both languages write the day before the month: "Senin, 23 November 2026".
FULL_DATE = "EEEE, d MMMM y"
SHORT_DATE = "d MMM y"


def N_(message: str) -> str:  # noqa: N802 - the conventional name for "translate later"
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def NC_(context: str, message: str) -> str:  # noqa: N802 - N_ with a context
    """Mark a message that needs a context to be translated apart from the same words
    elsewhere (``pybabel extract -k NC_:1c,2``); shown with :func:`pgettext`."""
    return message


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """``1 day``, ``3 days``: an English count for the command-line messages."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


# --- which languages ---------------------------------------------------------------------


def _extra_dir() -> Path | None:
    value = os.environ.get(LOCALE_DIR_ENV)
    return Path(value).expanduser() if value else None


def _catalogue_in(directory: Path, lang: str) -> Path:
    return directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> tuple[str, ...]:
    """:data:`LANGUAGES`, then every language with a catalogue in ``QMSTRACK_LOCALE_DIR``."""
    extra = _extra_dir()
    if extra is None or not extra.is_dir():
        return LANGUAGES
    found = sorted(p.name for p in extra.iterdir()
                   if p.name not in LANGUAGES and _catalogue_in(extra, p.name).is_file())
    return LANGUAGES + tuple(found)


def choices_text() -> str:
    """``id or en``: the languages, as a usage message names them."""
    names = languages()
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def check_lang(lang: str) -> str:
    """``lang`` normalised (``" EN"`` -> ``en``); ``InvalidInput`` for a language qmstrack
    does not speak."""
    code = str(lang).strip().lower()
    if code not in languages():
        from qmstrack.errors import InvalidInput

        raise InvalidInput(f"The language {lang!r} is not supported; use "
                           f"{choices_text()}.")
    return code


def choose_lang(asked: str | None, configured: str | None = None) -> str:
    """The language of one command: the one asked for (checked), else the office's
    configured one when it is still spoken, else Indonesian."""
    if asked is not None:
        return check_lang(asked)
    if configured and str(configured).strip().lower() in languages():
        return str(configured).strip().lower()
    return DEFAULT_LANGUAGE


# --- the catalogue ------------------------------------------------------------------------


class Translator(Protocol):
    def gettext(self, message: str) -> str: ...

    def pgettext(self, context: str, message: str) -> str | object: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def catalogue_path(lang: str) -> Any:
    """The ``.po`` catalogue of a language: in ``QMSTRACK_LOCALE_DIR`` if it has one there,
    else inside the installed package."""
    extra = _extra_dir()
    if extra is not None and _catalogue_in(extra, lang).is_file():
        return _catalogue_in(extra, lang)
    # The package's own folder (importlib.resources would import zipfile and tempfile at
    # every start-up in Indonesian).
    return _catalogue_in(Path(__file__).with_name("locales"), lang)


# Catalogues compiled earlier (a cache the command line keeps), by their .po file.
_compiled: dict[str, Translator] = {}


def translations(lang: str) -> Translator:
    """A gettext-like object (``gettext``, ``ngettext``) for a language."""
    code = check_lang(lang)
    catalogue = str(catalogue_path(code))
    return _compiled.get(catalogue) or _translations(code, catalogue)


def compile_catalogue(po: bytes, lang: str) -> bytes:
    """A ``.po`` catalogue compiled (``.mo``), as Babel's ``pybabel compile`` writes it."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = io.BytesIO()
    write_mo(compiled, read_po(io.BytesIO(po), locale=lang, domain=DOMAIN))
    return compiled.getvalue()


def use_compiled(lang: str, mo: bytes) -> None:
    """Use ``mo`` (the language's catalogue, compiled earlier by :func:`compile_catalogue`)
    instead of compiling the catalogue again; Babel's ``.po`` parser is the slow part of a
    start-up in Indonesian."""
    import io
    from gettext import GNUTranslations

    _compiled[str(catalogue_path(check_lang(lang)))] = GNUTranslations(io.BytesIO(mo))


@cache
def _translations(lang: str, catalogue: str) -> Translator:
    from babel.support import NullTranslations, Translations

    source = Path(catalogue)
    if not source.is_file():
        # English is the source language: no catalogue needed.
        return NullTranslations()
    import io

    return Translations(io.BytesIO(compile_catalogue(source.read_bytes(), lang)),
                        domain=DOMAIN)


def gettext(message: str, lang: str) -> str:
    return translations(lang).gettext(message)


def pgettext(context: str, message: str, lang: str) -> str:
    """A message of a context (``msgctxt``) in a language."""
    return str(translations(lang).pgettext(context, message))


# --- texts written in several languages ---------------------------------------------------

T = TypeVar("T")
ANY_LANGUAGE = ""


class Text(Mapping[str, T], Generic[T]):
    """A text written for one or more languages: ``values`` pairs a language code with its
    text (``texts``), in the order written; the code ``""`` means "every language" (the
    text was written without one).

    ``text.get(lang)`` (and ``text[lang]``) is the text in ``lang``, else the one written
    for every language, else the one of the first language written; as a mapping it has a
    text for every language qmstrack speaks.
    """

    __slots__ = ("texts",)

    def __init__(self, texts: Iterable[tuple[str, T]]):
        self.texts: tuple[tuple[str, T], ...] = tuple(texts)

    def get(self, lang: str | None = None, default: Any = "") -> Any:
        for code, value in self.texts:
            if lang and code == lang:
                return value
        for code, value in self.texts:
            if code == ANY_LANGUAGE:
                return value
        return self.texts[0][1] if self.texts else default

    def __getitem__(self, lang: str) -> T:
        return self.get(lang)

    def __iter__(self) -> Iterator[str]:
        return iter(languages())

    def __len__(self) -> int:
        return len(languages())

    def __contains__(self, lang: object) -> bool:
        return lang in languages()

    def languages(self) -> tuple[str, ...]:
        """The language codes the text was written in (``""`` for "every language")."""
        return tuple(code for code, _ in self.texts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return self.texts == other.texts
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.texts)

    def __str__(self) -> str:
        return str(self.get())

    def __repr__(self) -> str:
        return f"Text({self.texts!r})"


def text_in(value: Text | str | None, lang: str | None = None) -> str:
    """A text field in ``lang`` with the fallback of :class:`Text`; '' if absent."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(lang)


# --- dates and numbers ----------------------------------------------------------------------


# --- the command line's own messages ---------------------------------------------------


def set_terminal_language(lang: str) -> None:
    """Choose the language of the messages :func:`_` translates (``id`` or ``en``)."""
    global _terminal_language
    _terminal_language = check_lang(lang)


def terminal_language() -> str:
    return _terminal_language


def _(message: str) -> str:
    """A message of the command line in the terminal's language.

    English is the source language: nothing is loaded for it.
    """
    if _terminal_language == "en":
        return message
    return translations(_terminal_language).gettext(message)


def field_label(name: str) -> str:
    """The English name of a field (``received date``) in the terminal's language; the
    catalogue has it in the context ``field``."""
    if _terminal_language == "en":
        return name
    return pgettext("field", name, _terminal_language)


def sentence(message: str, **values: Any) -> str:
    """A message (an English msgid, marked with :func:`N_`) in the terminal's language,
    filled in, its ``field`` named in that language, and begun with a capital letter."""
    if "field" in values:
        values["field"] = field_label(str(values["field"]))
    text = _(message).format(**values)
    return text[:1].upper() + text[1:]


def ngettext(singular: str, plural: str, n: int) -> str:
    if _terminal_language == "en":
        return singular if n == 1 else plural
    return translations(_terminal_language).ngettext(singular, plural, n)


def format_date(d: date, lang: str, *, full: bool = True) -> str:
    """``Senin, 23 November 2026`` (full) or ``23 Nov 2026`` in the language."""
    from babel.dates import format_date as _format

    return _format(d, FULL_DATE if full else SHORT_DATE, locale=check_lang(lang))


def format_pattern(d: date, lang: str, pattern: str) -> str:
    """A date in a CLDR pattern of the language: ``LLLL y`` -> ``Oktober 2026``."""
    from babel.dates import format_date as _format

    return _format(d, pattern, locale=check_lang(lang))


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

    return _format(x, "#,##0.0%", locale=check_lang(lang))


def format_number(x: int | float | Decimal | None, lang: str, *, decimals: int = 0,
                  none: str = "–") -> str:
    """A number with the language's separators: ``1.234,50`` / ``1,234.50``."""
    if x is None:
        return none
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(x, pattern, locale=check_lang(lang))
