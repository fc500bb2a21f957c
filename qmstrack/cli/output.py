"""Printing: tables for people on stdout, JSON and CSV for scripts, messages on stderr.

Rich is used only on a terminal; when stdout or stderr is a pipe or a file (cron), output
is plain, without colour, progress bars or animation. ``NO_COLOR`` is honoured by Rich.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@lru_cache(maxsize=1)
def out_console():
    from rich.console import Console

    width = None if sys.stdout.isatty() else 200
    return Console(highlight=False, width=width)


def message(text: str) -> None:
    """A message for the person (stderr), never mixed with data; in the terminal's language
    (a command's English sentence is matched against the catalogue's, ``cli.lang``)."""
    from qmstrack.cli.lang import translate_message

    err_console().print(translate_message(text), markup=False, highlight=False)


def warning(text: str) -> None:
    from qmstrack.cli.lang import translate_message
    from qmstrack.i18n import _

    err_console().print(_("Warning: {message}").format(message=translate_message(text)),
                        markup=False, highlight=False)


def error(text: str) -> None:
    from qmstrack.cli.lang import translate_message
    from qmstrack.i18n import _

    err_console().print(_("Error: {message}").format(message=translate_message(text)),
                        markup=False, highlight=False, style="red")


def _json_default(value: Any):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def ascii_only() -> bool:
    """Whether stdout cannot take every character (cp1252 on Windows): JSON is then written
    with ``\\u`` escapes, which scripts decode to the same text."""
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("_", "-")
    return encoding not in ("utf-8", "utf8", "utf-16", "utf-32", "utf-8-sig")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=ascii_only(), indent=2,
                                default=_json_default))
    sys.stdout.write("\n")


def print_json_rows(rows: Iterable[Mapping[str, Any]]) -> None:
    """Stream a JSON array row by row, so long lists never sit in memory at once."""
    out = sys.stdout
    escaped = ascii_only()
    out.write("[")
    first = True
    for row in rows:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(dict(row), ensure_ascii=escaped, default=_json_default))
        first = False
    out.write("\n]\n" if not first else "]\n")


def write_csv_rows(stream, rows: Iterable[Mapping[str, Any]],
                   columns: Sequence[str], delimiter: str = ",") -> None:
    from qmstrack.csvsafe import kept_as_text, spreadsheet_safe

    writer = csv.writer(stream, lineterminator="\n", delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [spreadsheet_safe(kept_as_text(c, "" if row.get(c) is None else row.get(c)))
             for c in columns]
        )


# Up to this many rows a table is laid out by Rich; longer ones by _plain_table, which
# streams (Rich lays out every row of a table before printing, about a millisecond a row:
# seconds for a month of requests, a minute for a change log).
RICH_TABLE_ROWS = 100
# A long table's column widths come from its first rows; later, longer cells are folded.
WIDTH_SAMPLE_ROWS = 1000


def print_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str],
                headers: Sequence[str] | None = None, title: str | None = None,
                empty: str = "Nothing to show.") -> None:
    import itertools

    names = [str(h) for h in headers or columns_in_language(columns)]
    shown = cell_texts(columns)
    texts = ([show(row.get(c)) for c, show in zip(columns, shown, strict=True)]
             for row in rows)
    head = list(itertools.islice(texts, RICH_TABLE_ROWS + 1))
    if not head:
        from qmstrack.i18n import _

        message(_(empty))
        return
    if len(head) <= RICH_TABLE_ROWS:
        _rich_table(head, names, title)
        return
    sample = head + list(itertools.islice(texts, WIDTH_SAMPLE_ROWS - len(head)))
    _plain_table(itertools.chain(sample, texts), sample, names, title,
                 out_console().width)


# A value that must never be broken across lines: one word (a date, a NIP, a reference, a
# code, a number), a time in office time ("2026-03-17 00:30 WITA"), a spaced NIP or a date
# as a language writes it in a table ("23 Nov 2026").
_ATOMIC = re.compile(r"\S+|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?( [A-Z][A-Za-z0-9+-]{1,8})?"
                     r"|\d{8} \d{6} \d \d{3}|\d{1,2} \w{3,4}\.? \d{4}")
_ATOMIC_MAX = 40


def _atomic_widths(rows: list[list[str]], count: int) -> list[int | None]:
    """For each column whose every value is atomic, the width of its longest value."""
    widths: list[int | None] = []
    for i in range(count):
        cells = [row[i] for row in rows if row[i]]
        if cells and all(len(c) <= _ATOMIC_MAX and _ATOMIC.fullmatch(c) for c in cells):
            widths.append(max(map(len, cells)))
        else:
            widths.append(None)
    return widths


def _fit(rows: list[list[str]], names: list[str], width: int
         ) -> tuple[list[list[str]], list[str]]:
    """Drop the last columns a terminal is too narrow for (their dates and references are
    never cut), and say which; ``--columns`` chooses others."""
    atomic = _atomic_widths(rows, len(names))
    # A column that is never cut is as wide as its header too.
    need = [max(a, len(n)) if a is not None else min(len(n), 8)
            for n, a in zip(names, atomic, strict=True)]
    keep = len(names)
    while keep > 1 and sum(need[:keep]) + 3 * keep + 1 > width:
        keep -= 1
    if keep == len(names):
        return rows, names
    from qmstrack.i18n import _

    message(_("Not shown at this width: {columns} (choose the columns with --columns).")
            .format(columns=", ".join(names[keep:])))
    return [row[:keep] for row in rows], names[:keep]


def _rich_table(rows: list[list[str]], names: list[str], title: str | None) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    terminal = out_console().is_terminal
    if terminal:
        rows, names = _fit(rows, names, out_console().width)
    # Plain ASCII rules when the table goes to a file or a mail (cron), not a terminal.
    style = box.HEAVY_HEAD if terminal else box.ASCII2
    table = Table(title=title, show_lines=False, header_style="bold", box=style)
    widths = _atomic_widths(rows, len(names))
    texts = widths.count(None)
    if terminal and texts:
        free = out_console().width - (3 * len(names) + 1) - sum(
            max(w, len(n)) for w, n in zip(widths, names, strict=True) if w)
        share = max(4, free // texts)
    for name, atomic in zip(names, widths, strict=True):
        if atomic is not None:
            # Dates, NIPs and references are never broken: the column keeps their width.
            table.add_column(name, no_wrap=True, min_width=atomic)
        elif terminal:
            # On a terminal long text is cut (…) to share the rest of the width; whole in a
            # file.
            longest = max([len(name)] + [len(row[len(table.columns)]) for row in rows])
            table.add_column(name, no_wrap=True, overflow="ellipsis",
                             max_width=min(share, longest))
        else:
            table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*[escape(text) for text in row])
    out_console().print(table)


def _plain_table(rows: Iterable[list[str]], sample: list[list[str]], names: list[str],
                 title: str | None, width: int) -> None:
    """The ASCII table Rich draws for a file, written row by row as it comes."""
    widths = [max([len(name)] + [_longest_line(row[i]) for row in sample])
              for i, name in enumerate(names)]
    atomic = _atomic_widths(sample, len(names))
    # Narrow the widest columns until the table fits, as Rich folds them; never those of
    # dates, NIPs and references.
    floor = [a if a is not None else min(len(name), 10) for name, a in zip(
        names, atomic, strict=True)]
    cut = out_console().is_terminal
    while sum(widths) + 3 * len(widths) + 1 > width:
        widest = max(range(len(widths)), key=lambda i: widths[i] - floor[i])
        if widths[widest] <= max(floor[widest], 1):
            break
        widths[widest] -= 1
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    write = sys.stdout.write
    if title:
        write(title.center(len(rule)).rstrip() + "\n")
    write(f"{rule}\n{_plain_row(names, widths)}{rule}\n")
    for row in rows:
        write(_plain_row(row, widths, cut))
    write(rule + "\n")


def _longest_line(text: str) -> int:
    return max(map(len, text.split("\n"))) if "\n" in text else len(text)


def _plain_row(cells: Sequence[str], widths: list[int], cut: bool = False) -> str:
    if cut:
        folded = [[_cut(cell.replace("\n", " "), width)]
                  for cell, width in zip(cells, widths, strict=True)]
    else:
        folded = [_fold(cell, width) for cell, width in zip(cells, widths, strict=True)]
    height = max(map(len, folded))
    return "".join(
        "| " + " | ".join((lines[i] if i < len(lines) else "").ljust(width)
                          for lines, width in zip(folded, widths, strict=True)) + " |\n"
        for i in range(height))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def _fold(text: str, width: int) -> list[str]:
    if len(text) <= width and "\n" not in text:
        return [text]
    import textwrap

    lines: list[str] = []
    for part in text.split("\n"):
        lines.extend(textwrap.wrap(part, width, break_on_hyphens=False) or [""])
    return lines


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def columns_in_language(columns: Sequence[str]) -> list[str]:
    """A table's headers in the terminal's language (context ``column``); in English the
    column names themselves, as ``--columns`` and ``--csv`` name them."""
    from qmstrack.i18n import SOURCE_LANGUAGE, pgettext, terminal_language

    lang = terminal_language()
    if lang == SOURCE_LANGUAGE:
        return list(columns)
    return [pgettext("column", c, lang) for c in columns]


def cell_texts(columns: Sequence[str]):
    """For each column, how its values read in the terminal's language: the label of a code
    (``in_progress`` -> ``Diproses``), yes/no, decimals with the language's separator and
    counts of 1,000 or more with its digit grouping (Babel; not ids or years).
    In English, the codes as they are stored (what ``--status`` and scripts use)."""
    from qmstrack.i18n import SOURCE_LANGUAGE, terminal_language

    lang = terminal_language()
    if lang == SOURCE_LANGUAGE:
        return [_text] * len(columns)
    from qmstrack.i18n import _, format_number
    from qmstrack.labels import COLUMN_VALUE_LABELS, label

    yes, no = _("yes"), _("no")

    def local(value: Any) -> str:
        if isinstance(value, bool):
            return yes if value else no
        if isinstance(value, float):
            return format_number(value, lang, decimals=_decimals(value))
        if isinstance(value, str) and _ISO_DAY.fullmatch(value):
            return _local_date(value, lang)
        if isinstance(value, date) and not isinstance(value, datetime):
            return _local_date(value.isoformat(), lang)
        return _text(value)

    def grouped(value: Any) -> str:
        # A count or an amount: digits grouped as the language writes them (1.234).
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
            return format_number(value, lang)
        return local(value)

    def labelled(labels):
        def show(value: Any) -> str:
            return label(labels, value, _) if isinstance(value, str) else local(value)
        return show

    return [labelled(COLUMN_VALUE_LABELS[c]) if c in COLUMN_VALUE_LABELS
            else local if _is_identifier(c) else grouped for c in columns]


def _is_identifier(column: str) -> bool:
    """A column of numbers that name something (an id, a year, a version): never grouped."""
    return (column in ("id", "year", "version", "seq", "line", "row", "number")
            or column.endswith(("_id", "_year", "_no", "_ref", "_number")))


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=4096)
def _local_date(iso: str, lang: str) -> str:
    """``2026-11-23`` as the language writes a date in a table (Babel): ``23 Nov 2026``;
    qmstrack reads it back (``--since 23 Nov 2026``)."""
    from qmstrack.i18n import format_date

    try:
        return format_date(date.fromisoformat(iso), lang, full=False)
    except ValueError:
        return iso


def _decimals(value: float) -> int:
    """The decimals ``{:.4g}`` would show (four significant digits), at most four."""
    text = f"{value:.4g}"
    if "e" in text or "." not in text:
        return 0
    return min(len(text.split(".")[1]), 4)


def percent(value: float | None) -> str:
    """A fraction as a percentage with one decimal in the terminal's language (Babel):
    ``92,9%`` / ``92.9%``."""
    from qmstrack.i18n import format_percent, terminal_language

    return "" if value is None else format_percent(value, terminal_language())


def value_label(column: str, value: Any) -> str:
    """One value of a column as the tables show it (``status``, ``in_progress`` ->
    ``Diproses`` in Indonesian)."""
    return cell_texts([column])[0](value)


def choose_columns(columns: Sequence[str], chosen: str | None) -> list[str]:
    """The columns named by ``--columns a,b,c`` (in that order), else all of them."""
    if chosen is None:
        return list(columns)
    from qmstrack.errors import UsageError
    from qmstrack.i18n import _

    names = [c.strip().lower() for c in chosen.split(",") if c.strip()]
    unknown = [n for n in names if n not in columns]
    if unknown or not names:
        shown = (unknown[0] if unknown else chosen)[:40]
        raise UsageError(_("--columns: {name!r} is not a column of this list; choose from "
                           "{columns}.").format(name=shown, columns=",".join(columns)))
    return names


def emit_rows(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *,
              as_json: bool = False, as_csv: bool = False,
              headers: Sequence[str] | None = None, title: str | None = None,
              empty: str = "Nothing to show.", delimiter: str | None = None,
              xlsx=None, ctx=None) -> None:
    """Print a list of records the way the user asked for, or write it to an XLSX file.

    ``ctx`` (the command's context) gives the office's settings: the CSV delimiter when
    ``delimiter`` is not given, and the language of an XLSX file's yes/no cells.
    """
    from qmstrack.i18n import _, ngettext

    if xlsx is not None:
        if as_json or as_csv:
            from qmstrack.errors import UsageError

            raise UsageError(_("Give one of --xlsx, --csv and --json."))
        from qmstrack.sheet_writer import write_table

        name = ctx.command_path.split()[1] if ctx is not None and " " in ctx.command_path \
            else "qmstrack"
        n = write_table(xlsx, rows, columns, title=name, lang=_office_setting(ctx, "lang"))
        message(ngettext("{n} row written to {path}.", "{n} rows written to {path}.",
                         n).format(n=n, path=xlsx))
        return
    if delimiter is not None:
        from qmstrack.config import parse_delimiter
        from qmstrack.errors import InvalidInput, UsageError

        try:
            delimiter = parse_delimiter(delimiter)
        except InvalidInput as exc:
            from qmstrack.cli.lang import translate_message

            # The refusal in the terminal's language (the whole line matches no template).
            raise UsageError(f"--delimiter: {translate_message(str(exc))}") from None
    if as_json:
        print_json_rows(rows)
    elif as_csv:
        write_csv_rows(sys.stdout, rows, columns,
                       delimiter or _office_setting(ctx, "csv_delimiter"))
    else:
        print_table(rows, columns, headers, title, empty)


def _office_setting(ctx, key: str) -> str:
    """The office's language or CSV delimiter (``,``/``en`` without a database)."""
    if ctx is None:
        return "en" if key == "lang" else ","
    from qmstrack.cli.state import open_db
    from qmstrack.config import csv_delimiter
    from qmstrack.db import get_setting

    db = open_db(ctx)  # the command's own connection: not closed here
    if key == "lang":
        return get_setting(db, "lang") or "id"
    return csv_delimiter(db)


def print_record(record: Mapping[str, Any], *, as_json: bool = False,
                 title: str | None = None) -> None:
    """Print one record: a two-column table for people, an object for scripts."""
    if as_json:
        print_json(record)
        return
    from rich.table import Table

    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    from rich.markup import escape

    keys = list(record)
    for key, name, show in zip(keys, columns_in_language(keys), cell_texts(keys),
                               strict=True):
        value = record[key]
        if isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False, default=_json_default)
        table.add_row(name, escape(show(value)))
    out_console().print(table)


def progress(total: int | None, description: str):
    """A progress bar on a terminal's stderr; a do-nothing stand-in otherwise."""
    if not sys.stderr.isatty():
        return _NoProgress()
    from rich.progress import Progress

    return _RichProgress(Progress(console=err_console(), transient=True), total, description)


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def advance(self, n: int = 1) -> None:
        pass


class _RichProgress:
    def __init__(self, bar, total, description):
        self.bar = bar
        self.total = total
        self.description = description

    def __enter__(self):
        self.bar.__enter__()
        self.task = self.bar.add_task(self.description, total=self.total)
        return self

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)

    def advance(self, n: int = 1) -> None:
        self.bar.advance(self.task, n)


def storage_warnings(path: Path, *, explain: bool = False) -> None:
    """Warn about a database on a network file system or readable by others."""
    from qmstrack.storage import network_warning, privacy

    network = network_warning(path)
    if network:
        warning(network)
    who = privacy(path)
    if not who.private:
        warning(who.explanation)
    elif explain and who.explanation:
        message(who.explanation)
