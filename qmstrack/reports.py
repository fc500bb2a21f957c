"""The report toolbox: the Jinja2 environment, Markdown escaping, rendering and writing.

Every report of qmstrack (the audit report of :mod:`qmstrack.audit_report`, the management
review pack of :mod:`qmstrack.review_pack`) is a context dictionary rendered by the
templates ``qmstrack/templates/<stem>.<fmt>.j2``. :func:`render_formats` renders every
format from the same context, :func:`write_report_files` writes the results atomically.

A directory given with ``--template-dir`` (or the ``template_dir`` setting) is searched
first, so any template can be overridden by name; templates it does not hold come from
qmstrack. The directory (and what is in it) must be writable by its owner only, and the
templates render in Jinja2's sandbox. HTML templates are autoescaped; in Markdown
templates every value is escaped for Markdown unless a filter (``md_cell``, ``md_block``)
already did, so nothing a user typed can inject HTML or break a table. Undefined
variables are errors (``StrictUndefined``).
Labels are gettext messages of qmstrack's catalogue (:mod:`qmstrack.i18n`); the templates'
filters write dates and numbers in the report's language (:mod:`qmstrack.figures`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from qmstrack.errors import InvalidInput, QmsError, UsageError

REPORT_FORMATS = ("md", "html", "pdf")
# Templates whose output is not HTML: no HTML autoescaping, Markdown escaping instead.
PLAIN_SUFFIXES = (".md.j2", ".md", ".txt.j2", ".txt")


# --- Markdown escaping ---------------------------------------------------------------------

_MD_ALWAYS = str.maketrans({
    "\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "]": "\\]", "|": "\\|", "~": "\\~",
    "<": "&lt;", "\t": " ",
})


def _md_line(text: str) -> str:
    """Escape one line of user text for Markdown inline content."""
    import re

    # '&' only where it would start an entity, so 'R&D' stays readable.
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", "&amp;", text)
    text = text.translate(_MD_ALWAYS)
    # Underscores only where they could open or close emphasis (not inside 'on_time').
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    # What would start a block at the beginning of a line: heading, list, rule, quote.
    stripped = text.lstrip(" ")
    indent = text[: len(text) - len(stripped)]
    if stripped[:1] == ">":
        stripped = "&gt;" + stripped[1:]
    elif stripped[:1] in ("#", "-", "+", "=", "!"):
        stripped = "\\" + stripped
    else:
        stripped = re.sub(r"^(\d{1,9})([.)])(?=\s|$)", r"\1\\\2", stripped)
    return indent + stripped


def _lines(value: Any) -> list[str]:
    return str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def md_inline(value: Any) -> str:
    """User text on one Markdown line: escaped, line breaks become spaces."""
    if value is None:
        return ""
    return " ".join(_md_line(line.strip()) for line in _lines(value) if line.strip())


def md_cell(value: Any):
    """User text in a Markdown table cell: escaped (``|`` included), line breaks kept as
    ``<br>`` so the row stays on one line."""
    from markupsafe import Markup

    if value is None or value == "":
        return Markup("")
    return Markup("<br>".join(_md_line(line.strip()) for line in _lines(value)).strip())


def md_block(value: Any, indent: int = 4):
    """Multi-line user text as an indented code block: shown exactly, line breaks kept,
    never interpreted (no HTML, no Markdown)."""
    from markupsafe import Markup

    if value is None or str(value).strip() == "":
        return Markup("")
    pad = " " * indent
    return Markup("\n".join((pad + line.replace("\t", "    ")).rstrip()
                            for line in _lines(str(value).strip("\n"))))


def _finalize_factory():
    from jinja2 import pass_eval_context
    from markupsafe import Markup

    @pass_eval_context
    def finalize(eval_ctx, value):
        # HTML templates: Jinja's autoescape does the work. Plain-text (Markdown)
        # templates: every value is escaped for Markdown unless a filter marked it safe.
        if eval_ctx.autoescape or isinstance(value, Markup) or value is None:
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        return md_inline(value)

    return finalize


# --- Jinja2 environment --------------------------------------------------------------------


def builtin_template_dir() -> Path:
    from importlib.resources import files

    return Path(str(files("qmstrack") / "templates"))


def _autoescape(name: str | None) -> bool:
    """HTML (and anything not known to be plain text) is autoescaped; Markdown is not."""
    if name is None:
        return True
    return not name.lower().endswith(PLAIN_SUFFIXES)


def _bytecode_cache():
    """Compiled report templates, kept between runs in a private folder of the user cache.

    Compiling the report templates costs about as much as the rest of a monthly audit's
    report; Jinja2 recompiles a template whose source changed (an office's own templates
    included) or that an older Jinja2 or Python compiled. Compiled templates are code, so
    the folder is used only when it is the user's own and nobody else can write to it.
    """
    if os.environ.get("QMSTRACK_NO_TEMPLATE_CACHE"):
        return None
    import stat

    import jinja2
    import platformdirs

    directory = Path(platformdirs.user_cache_dir("qmstrack", appauthor=False)) / "templates"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022 or (
            hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


def _refuse_writable_by_others(directory: Path) -> None:
    """Templates are code: refuse a folder (or template in it) others can write to."""
    import stat

    for path in [directory, *directory.iterdir()]:
        info = path.stat()
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or (
                hasattr(os, "getuid") and info.st_uid not in (os.getuid(), 0)):
            raise UsageError(
                f"The template directory {directory} is not safe: {path} can be written by "
                "other users; make it writable by you only (chmod go-w) before templates "
                "are read from it.")


def make_environment(lang: str, template_dir: str | os.PathLike | None = None):
    """The Jinja2 environment of the reports in ``lang``, with the user's templates first."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from qmstrack.figures import date_full, date_short
    from qmstrack.i18n import format_number, format_percent, translations

    searchpath: list[str] = []
    if template_dir:
        directory = Path(template_dir).expanduser()
        if not directory.is_dir():
            raise UsageError(f"The template directory {directory} does not exist "
                             "(--template-dir or the template_dir setting).")
        _refuse_writable_by_others(directory)
        searchpath.append(str(directory))
    searchpath.append(str(builtin_template_dir()))
    # Sandboxed: a template reaches no attribute Python keeps private (no way from a
    # value to its class, its module, os or subprocess), whoever wrote it.
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(searchpath, encoding="utf-8"),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        finalize=_finalize_factory(),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    # Added by the jinja2.ext.i18n extension, so not on the Environment class.
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations(lang), newstyle=True)
    filters: dict[str, Callable[..., Any]] = {
        "date_full": lambda d: date_full(d, lang),
        "date_short": lambda d: date_short(d, lang),
        "percent": lambda x: format_percent(x, lang),
        "number": lambda x, decimals=0: format_number(x, lang, decimals=decimals),
        "md_cell": md_cell,
        "md_block": md_block,
        "md_inline": md_inline,
    }
    env.filters.update(filters)
    return env


# --- rendering and writing -----------------------------------------------------------------


def _template_error(exc: Exception, name: str) -> QmsError:
    """A template problem as one sentence naming the template file and line."""
    import traceback

    where = name
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None)
    if lineno is None:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".j2", ".html", ".md")):
                filename, lineno = frame.filename, frame.lineno
                break
    if filename:
        where = str(filename)
    if lineno:
        where += f", line {lineno}"
    detail = getattr(exc, "message", None) or str(exc)
    return InvalidInput(f"The report template {where} failed: {detail}.")


def check_formats(formats: Iterable[str]) -> list[str]:
    """The formats asked for (``md``, ``html``), lower-cased and without repeats; an
    unknown or missing format is a usage error."""
    wanted = []
    for fmt in formats:
        fmt = str(fmt).strip().lower()
        if fmt not in REPORT_FORMATS:
            raise UsageError(f"The report format {fmt!r} is not one of "
                             f"{', '.join(REPORT_FORMATS)}.")
        if fmt not in wanted:
            wanted.append(fmt)
    if not wanted:
        raise UsageError(f"No report format given; use {', '.join(REPORT_FORMATS)}.")
    return wanted


def render_template(name: str, lang: str, template_dir: str | os.PathLike | None,
                    context: dict[str, Any]) -> str:
    """Render one report template (found in ``template_dir`` first) with ``context``.

    Markdown and plain-text templates are escaped for Markdown, every other one for HTML;
    a template problem becomes one sentence naming the file and line.
    """
    import jinja2

    env = make_environment(lang, template_dir)
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        raise _template_error(exc, name) from exc


def render_formats(stem: str, formats: Iterable[str], lang: str,
                   template_dir: str | os.PathLike | None,
                   context: dict[str, Any]) -> list[tuple[str, str | bytes]]:
    """Render ``stem`` in each format: ``md`` and ``html`` from their templates, ``pdf``
    from the HTML one (:mod:`qmstrack.pdf`), rendered once for both."""
    out: list[tuple[str, str | bytes]] = []
    html: str | None = None
    for fmt in check_formats(formats):
        if fmt == "pdf":
            from qmstrack.pdf import html_to_pdf

            if html is None:
                html = render_template(f"{stem}.html.j2", lang, template_dir, context)
            out.append((fmt, html_to_pdf(html)))
            continue
        text = render_template(f"{stem}.{fmt}.j2", lang, template_dir, context)
        if fmt == "html":
            html = text
        out.append((fmt, text))
    return out


def write_report_files(out_dir: str | os.PathLike,
                       files: Sequence[tuple[str, str | bytes]]) -> list[Path]:
    """Write ``(file name, text)`` pairs atomically into ``out_dir`` (created if needed);
    return their paths. A reader never sees a half-written report."""
    directory = Path(out_dir).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InvalidInput(f"{directory} is a file, not a directory for the reports.") from None
    except OSError as exc:
        raise InvalidInput(f"The report directory {directory} cannot be created: "
                           f"{exc.strerror or exc}.") from None
    paths = []
    for name, text in files:
        if Path(name).name != name or name in ("", ".", ".."):
            raise InvalidInput(f"The report file name {name!r} is not a plain file name.")
        path = directory / name
        try:
            _write_atomically(path, text)
        except OSError as exc:
            raise InvalidInput(f"The report {path} cannot be written: "
                               f"{exc.strerror or exc}.") from None
        paths.append(path)
    return paths


def _write_atomically(path: Path, text: str | bytes) -> None:
    from qmstrack.atomic import default_mode, write_atomically

    write_atomically(path, text, mode=default_mode())
