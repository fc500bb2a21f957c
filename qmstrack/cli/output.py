"""Printing: tables for people on stdout, JSON and CSV for scripts, messages on stderr.

Rich is used only on a terminal; when stdout or stderr is a pipe or a file (cron), output
is plain, without colour, progress bars or animation. ``NO_COLOR`` is honoured by Rich.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
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
    """A message for the person (stderr), never mixed with data."""
    err_console().print(text, markup=False, highlight=False)


def warning(text: str) -> None:
    err_console().print(f"Warning: {text}", markup=False, highlight=False)


def error(text: str) -> None:
    err_console().print(f"Error: {text}", markup=False, highlight=False, style="red")


def _json_default(value: Any):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
    sys.stdout.write("\n")


def print_json_rows(rows: Iterable[Mapping[str, Any]]) -> None:
    """Stream a JSON array row by row, so long lists never sit in memory at once."""
    out = sys.stdout
    out.write("[")
    first = True
    for row in rows:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(dict(row), ensure_ascii=False, default=_json_default))
        first = False
    out.write("\n]\n" if not first else "]\n")


def write_csv_rows(stream, rows: Iterable[Mapping[str, Any]],
                   columns: Sequence[str]) -> None:
    from qmstrack.csvsafe import spreadsheet_safe

    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [spreadsheet_safe("" if row.get(c) is None else row.get(c)) for c in columns]
        )


def print_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str],
                headers: Sequence[str] | None = None, title: str | None = None,
                empty: str = "Nothing to show.") -> None:
    from rich import box
    from rich.table import Table

    # Plain ASCII rules when the table goes to a file or a mail (cron), not a terminal.
    style = box.HEAVY_HEAD if out_console().is_terminal else box.ASCII2
    table = Table(title=title, show_lines=False, header_style="bold", box=style)
    for header in headers or columns:
        table.add_column(str(header), overflow="fold")
    count = 0
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
        count += 1
    if count == 0:
        message(empty)
        return
    out_console().print(table)


def _cell(value: Any) -> str:
    from rich.markup import escape

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return escape(str(value))


def emit_rows(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *,
              as_json: bool = False, as_csv: bool = False,
              headers: Sequence[str] | None = None, title: str | None = None,
              empty: str = "Nothing to show.") -> None:
    """Print a list of records the way the user asked for."""
    if as_json:
        print_json_rows(rows)
    elif as_csv:
        write_csv_rows(sys.stdout, rows, columns)
    else:
        print_table(rows, columns, headers, title, empty)


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
    for key, value in record.items():
        if isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False, default=_json_default)
        table.add_row(key, _cell(value))
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
