"""Reading the spreadsheets offices keep: CSV, XLSX, XLSM, ODS and XLS, as rows of cells.

This module owns the file side of every register import: recognising the format from the
file's first bytes (not its name), the bounds a hostile file meets before any library
inflates it, decoding CSV text, and handing out each sheet's rows with the row numbers the
clerk sees. What the rows mean (which row is the header, which are totals) is
:mod:`qmstrack.tabular`'s business.

Workbooks are read by python-calamine (one Rust reader for all four workbook formats, with
typed date cells; see ``benchmarks/bench_reader.py`` for how it compares with openpyxl).
Cells come as calamine gives them: ``str``, ``float`` (every number), ``bool``,
``datetime.date`` / ``datetime.datetime`` / ``datetime.time``, or ``None`` for an empty
cell. CSV cells are text.

Bounds, checked before the file is handed to a library:

- XLSX, XLSM and ODS are zip files. Every member is inflated once, as a stream, through
  Python's ``zipfile`` (which stops at the size the zip directory declares and checks the
  CRC, so a directory that lies about sizes is caught too), and refused past
  ``MAX_PART_BYTES`` per member, ``MAX_INFLATED_BYTES`` in all, or a compression ratio over
  ``MAX_RATIO`` (for members over ``RATIO_FLOOR_BYTES``; both in :mod:`qmstrack.zipbounds`,
  shared with the bundles ``verify`` reads). The same pass reads each worksheet's
  declared dimension and the cell references it really uses (calamine lays a sheet out
  as a full rectangle: two cells at A1 and ZZ1000000 would be 700 million cells), and
  in ODS the repeat counts of rows and cells that hold a value.
- Sheets: at most ``MAX_COLUMNS`` columns, ``MAX_ROWS`` rows and ``MAX_CELLS`` cells.
- CSV is read as a stream: a physical line longer than ``MAX_LINE_CHARS``, a record longer
  than ``MAX_RECORD_CHARS`` or a row of more than ``MAX_COLUMNS`` cells is refused when it
  is reached, before it is held in memory.
- XLS (BIFF) is not compressed: its size is bounded by the file's, which is at most
  ``MAX_XLS_BYTES``.

CSV text is UTF-8 (with or without a BOM). A file with no valid UTF-8 at all but bytes
above 0x7F is Windows-1252 (Excel's "CSV" on Windows), read with a warning; a UTF-8 file
with some lines that are not UTF-8 is refused, naming the lines, rather than guessed.
"""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmstrack.errors import InvalidInput
from qmstrack.i18n import _
from qmstrack.zipbounds import MAX_RATIO, inflates_too_much, ratio

MAX_COLUMNS = 702  # column ZZ
MAX_ROWS = 1_048_576  # Excel's and LibreOffice's own limit
MAX_CELLS = 30_000_000
MAX_PART_BYTES = 1 << 30
MAX_INFLATED_BYTES = 2 << 30
MAX_ZIP_MEMBERS = 10_000
MAX_XLS_BYTES = 200 << 20
MAX_LINE_CHARS = 1_000_000
MAX_RECORD_CHARS = 2_000_000
MAX_FIELD_CHARS = 1_000_000

_CHUNK = 1 << 22
_DELIMITERS = (";", ",", "\t")
_SNIFF_LINES = 30

csv.field_size_limit(MAX_FIELD_CHARS)

Rows = Iterator[tuple[int, list[Any]]]


@dataclass
class Workbook:
    """An opened spreadsheet file: its kind, its sheets, and their rows."""

    path: Path
    kind: str  # "csv", "xlsx", "xlsm", "ods" or "xls"
    sheet_names: list[str]
    warnings: list[str] = field(default_factory=list)
    delimiter: str = ","
    encoding: str = "utf-8"
    _book: Any = None

    @property
    def is_workbook(self) -> bool:
        return self.kind != "csv"

    def rows(self, sheet: str) -> Rows:
        """(row number as the spreadsheet shows it, cells) of every non-empty row."""
        if self.kind == "csv":
            return _csv_rows(self)
        return _calamine_rows(self, sheet)

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None


def open_workbook(path: Path) -> Workbook:
    """Open ``path`` for reading; refuse what cannot be read, in one sentence."""
    if not path.exists():
        raise InvalidInput(_("The file {path} does not exist.").format(path=path))
    if path.is_dir():
        raise InvalidInput(_("{path} is a directory, not a file.").format(path=path))
    with open(path, "rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(path)
        _check_zip(path, kind)
        return _open_calamine(path, kind)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if path.stat().st_size > MAX_XLS_BYTES:
            raise InvalidInput(_(
                "{path} is an Excel 97-2003 workbook of {size} MB; at most {limit} MB are "
                "read (save it as .xlsx).").format(path=path,
                                                   size=path.stat().st_size >> 20,
                                                   limit=MAX_XLS_BYTES >> 20))
        return _open_calamine(path, "xls")
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise InvalidInput(_("{path} is named like an Excel file but is not one (it may be "
                             "damaged, or a CSV renamed).").format(path=path))
    if suffix == ".ods":
        raise InvalidInput(_("{path} is named like a LibreOffice file but is not one (it may "
                             "be damaged, or a CSV renamed).").format(path=path))
    return _open_csv(path)


# --- workbooks ---------------------------------------------------------------------------


# What zipfile raises for a damaged or unsupported archive: NotImplementedError for a zip
# version or compression method it does not know (a workbook "needing" zip 6.4), zlib's
# error for a damaged deflate stream.
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error)


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                    return "ods"
                raise InvalidInput(_("{path} is an OpenDocument file but not a spreadsheet "
                                     "(.ods).").format(path=path))
            if "xl/workbook.xml" in names:
                return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
            if "xl/workbook.bin" in names:
                raise InvalidInput(_("{path} is a binary Excel workbook (.xlsb); save it as "
                                     ".xlsx.").format(path=path))
    except _ZIP_ERRORS as exc:
        raise _unreadable(path, exc) from None
    raise InvalidInput(_("{path} is a zip file but not a workbook.").format(path=path))


_KIND_NAMES = {"xlsx": "XLSX", "xlsm": "XLSM", "ods": "ODS", "xls": "Excel 97-2003 (.xls)"}


def _unreadable(path: Path, exc: BaseException, kind: str = "") -> InvalidInput:
    detail = f"{type(exc).__name__}: {str(exc)[:200]}"
    kind = kind or path.suffix.lower().lstrip(".")
    return InvalidInput(_("{path} is not a readable {kind} workbook ({detail}).").format(
        path=path, kind=_KIND_NAMES.get(kind, "XLSX"), detail=detail))


_DIMENSION = re.compile(
    rb'<dimension\s+ref="([A-Z]{1,4})?(\d{1,8})?(?::([A-Z]{1,4})(\d{1,8}))?"')
# Cells that hold something: calamine skips a cell without a value (``<c r="XFD1" s="3"/>``
# is only formatting), so only a cell element that is not self-closing is counted.
_CONTENT = rb'"[^>]*(?<!/)>'
# A reference past column ZZ: three letters. Registers have tens of columns.
_WIDE_REF = re.compile(rb'<c\s+r="[A-Z]{3}\d+' + _CONTENT)
_TWO_LETTER_REF = re.compile(rb'<c\s+r="([A-Z]{2})\d+' + _CONTENT)
_CELL_REF = re.compile(rb'<c\s+r="[A-Z]{1,3}(\d+)' + _CONTENT)
_ODS_REPEAT = re.compile(rb'number-(rows|columns)-repeated="(\d+)"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_zip(path: Path, kind: str) -> None:
    """The zip bounds of the module docstring, from the directory and then the stream."""
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise _unreadable(path, exc) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise InvalidInput(_("{path} holds {n} parts; a workbook has at most {limit}."
                                 ).format(path=path, n=len(infos), limit=MAX_ZIP_MEMBERS))
        total = 0
        for info in infos:
            _check_declared(path, info)
            total += info.file_size
        if total > MAX_INFLATED_BYTES:
            raise _bomb(path, "", total)
        inflated = 0
        for info in infos:
            if info.is_dir():
                continue
            sheet_part = kind in ("xlsx", "xlsm") and info.filename.startswith(
                "xl/worksheets/") and info.filename.endswith(".xml")
            content = kind == "ods" and info.filename == "content.xml"
            try:
                inflated += _stream_member(path, archive, info, sheet_part, content)
            except InvalidInput:
                raise
            except Exception as exc:  # noqa: BLE001 - zipfile, zlib: the file's fault
                raise _unreadable(path, exc, kind) from None
            if inflated > MAX_INFLATED_BYTES:
                raise _bomb(path, "", inflated)


def _check_declared(path: Path, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_PART_BYTES:
        raise _bomb(path, info.filename, info.file_size)
    if inflates_too_much(info.file_size, info.compress_size):
        raise InvalidInput(_(
            "{path} is refused: its part {part} inflates {ratio:,} times (from {packed:,} to "
            "{size:,} bytes); a workbook's parts inflate at most {limit} times, a "
            "decompression bomb much more.").format(
                path=path, part=info.filename, packed=info.compress_size,
                size=info.file_size, ratio=ratio(info.file_size, info.compress_size),
                limit=MAX_RATIO))


def _bomb(path: Path, part: str, size: int) -> InvalidInput:
    if part:
        return InvalidInput(_(
            "{path} is refused: its part {part} inflates to {size:,} bytes, past the limit of "
            "{limit:,} bytes for one part.").format(path=path, part=part, size=size,
                                                    limit=MAX_PART_BYTES))
    return InvalidInput(_(
        "{path} is refused: it inflates to more than {limit:,} bytes in all.").format(
            path=path, limit=MAX_INFLATED_BYTES))


def _greater_than(n: int) -> bytes:
    """A regular expression for the decimal numbers greater than ``n`` (no leading zero)."""
    digits = str(n)
    options = [rb"[1-9]\d{%d,}" % len(digits)]
    for i, ch in enumerate(digits):
        if ch != "9":
            rest = len(digits) - i - 1
            options.append(digits[:i].encode() + b"[%d-9]" % (int(ch) + 1)
                           + (rb"\d{%d}" % rest if rest else b""))
    return b"(?:" + b"|".join(options) + b")"


class _SheetExtent:
    """The rows and columns a worksheet's XML really uses, gathered chunk by chunk.

    Cell references (``r="AB123"``) normally name their row's number, so a chunk is
    searched only for references to a row past the largest row number seen (one cheap
    search that finds nothing in an ordinary file) and to columns of two or three letters.
    Cells without a reference (allowed, rarely written) take their place from the count of
    cells before them; a sheet with such cells is measured exactly by a second pass.
    """

    def __init__(self, path: Path, part: str):
        self.path, self.part = path, part
        self.rows = self.columns = 0
        self.cells = 0
        self.positional = False

    def feed(self, data: bytes, first: bool) -> None:
        if first:
            _check_dimension(self.path, self.part, data[:8192])
        if _WIDE_REF.search(data):
            raise _too_wide(self.path, self.part)
        letters = set(_TWO_LETTER_REF.findall(data))
        if letters:
            self.columns = max(self.columns, max(map(_column_number, letters)))
        # In row order the chunk's last cell holds its largest row; then one search for any
        # cell past it.
        self.rows = max(self.rows, _last_cell_row(data))
        beyond = re.compile(rb'<c\s+r="[A-Z]{1,3}(' + _greater_than(self.rows) + rb')'
                            + _CONTENT)
        for number in beyond.findall(data):
            self.rows = max(self.rows, int(number))
        # Up to the last tag, which may be cut (the next chunk starts again from it).
        body = data[:data.rfind(b"<")]
        cells = body.count(b"<c ") + body.count(b"<c>")
        self.cells += cells
        if cells != body.count(b'<c r="'):
            self.positional = True
        if self.rows > MAX_ROWS:
            raise _too_long(self.path, self.part, self.rows)

    def finish(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        if self.positional:
            self.rows, self.columns = _measure_exactly(archive, info, self.path, self.part)
        columns = max(self.columns, 26 if self.cells else 0)
        if self.rows > MAX_ROWS:
            raise _too_long(self.path, self.part, self.rows)
        if self.rows * columns > MAX_CELLS:
            raise _too_many_cells(self.path, self.part, self.rows, columns)


def _last_cell_row(data: bytes) -> int:
    end = len(data)
    for _attempt in range(64):
        start = data.rfind(b"<c r=", 0, end)
        if start < 0:
            return 0
        m = _CELL_REF.match(data, start)
        if m:
            return int(m[1])
        end = start
    return 0


def _measure_exactly(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path,
                     part: str) -> tuple[int, int]:
    """Rows and columns of a worksheet whose cells lack references, by parsing its XML."""
    from xml.etree.ElementTree import iterparse

    rows = columns = 0
    row = column = 0
    with archive.open(info) as stream:
        for event, element in iterparse(stream, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row" and event == "start":
                r = element.get("r")
                row = int(r) if r and r.isdigit() else row + 1
                column = 0
            elif tag == "c" and event == "start":
                m = re.match(r"([A-Z]{1,3})(\d+)$", element.get("r") or "")
                if m:
                    column, row = _column_number(m[1].encode()), int(m[2])
                else:
                    column += 1
            elif tag == "c":
                if len(element) or element.text:
                    rows, columns = max(rows, row), max(columns, column)
                    if columns > MAX_COLUMNS:
                        raise _too_wide(path, part)
                    if rows > MAX_ROWS:
                        raise _too_long(path, part, rows)
                element.clear()
            elif tag == "row":
                element.clear()
    return rows, columns


def _stream_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo,
                   sheet_part: bool, content: bool) -> int:
    """Inflate one member as a stream; check a worksheet's extent or ODS repeats on the way."""
    size = 0
    tail = b""
    extent = _SheetExtent(path, info.filename) if sheet_part else None
    first = True
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_PART_BYTES:
                raise _bomb(path, info.filename, size)
            if extent is None and not content:
                continue
            # Start each search at the last tag of the previous chunk, so none is cut.
            cut = tail.rfind(b"<")
            data = (tail[cut:] if cut >= 0 else b"") + chunk
            tail = chunk[-256:]
            if extent is not None:
                extent.feed(data, first)
            else:
                _check_ods_repeats(path, data)
            first = False
    if extent is not None:
        extent.finish(archive, info)
    return size


def _check_dimension(path: Path, part: str, head: bytes) -> None:
    """Refuse a sheet that claims more cells than are read (``A1:XFD1048576``)."""
    m = _DIMENSION.search(head)
    if not m or not m[3]:
        return
    columns = _column_number(m[3]) - _column_number(m[1] or b"A") + 1
    rows = int(m[4]) - int(m[2] or b"1") + 1
    if rows > MAX_ROWS or rows * columns > MAX_CELLS:
        claimed = m[0].split(b'"')[1].decode("ascii", "replace")
        raise InvalidInput(_(
            "{path} is refused: its sheet {sheet} claims the range {range} ({cells:,} "
            "cells), more than the {limit:,} cells read from one sheet.").format(
                path=path, sheet=_sheet_label(part), range=claimed, cells=rows * columns,
                limit=MAX_CELLS))


def _sheet_label(part: str) -> str:
    return part.rsplit("/", 1)[-1]


def _too_wide(path: Path, part: str) -> InvalidInput:
    return InvalidInput(_(
        "{path} is refused: its sheet {sheet} uses columns past ZZ; at most {limit} columns "
        "are read.").format(path=path, sheet=_sheet_label(part), limit=MAX_COLUMNS))


def _too_long(path: Path, part: str, rows: int) -> InvalidInput:
    return InvalidInput(_(
        "{path} is refused: its sheet {sheet} reaches row {rows:,}; at most {limit:,} rows "
        "are read.").format(path=path, sheet=_sheet_label(part), rows=rows, limit=MAX_ROWS))


def _too_many_cells(path: Path, part: str, rows: int, columns: int) -> InvalidInput:
    return InvalidInput(_(
        "{path} is refused: its sheet {sheet} spans {rows:,} rows by {columns:,} columns, "
        "more than the {limit:,} cells read from one sheet.").format(
            path=path, sheet=_sheet_label(part), rows=rows, columns=columns,
            limit=MAX_CELLS))


def _check_ods_repeats(path: Path, data: bytes) -> None:
    """Refuse repeat counts that would multiply a cell holding a value past the bounds.

    LibreOffice writes the empty rest of a sheet as one row repeated a million times and
    one empty cell repeated a thousand: those are harmless. A repeated cell or row that
    holds a value is laid out in full.
    """
    for m in _ODS_REPEAT.finditer(data):
        count = int(m[2])
        limit = MAX_ROWS if m[1] == b"rows" else MAX_COLUMNS
        if count <= limit and count <= 1000:
            continue
        start = data.rfind(b"<", 0, m.start())
        end = data.find(b">", m.end())
        if start < 0 or end < 0:
            continue
        tag = data[start:end + 1]
        if m[1] == b"columns":
            if tag.endswith(b"/>") and b"value-type" not in tag:
                continue  # an empty cell
            if count > MAX_COLUMNS:
                raise _ods_refused(path, count, "columns")
        else:
            # The row's cells: empty ones only, or a value?
            row_end = data.find(b"</table:table-row>", end)
            body = data[end:row_end] if row_end >= 0 else data[end:end + 65536]
            if b"value-type" not in body and b"<text:p" not in body:
                continue
            if count > 1000:
                raise _ods_refused(path, count, "rows")


def _ods_refused(path: Path, count: int, what: str) -> InvalidInput:
    if what == "rows":
        return InvalidInput(_(
            "{path} is refused: it repeats a row that holds values {count:,} times."
            ).format(path=path, count=count))
    return InvalidInput(_(
        "{path} is refused: it repeats a cell that holds a value {count:,} times, more than "
        "the {limit} columns read.").format(path=path, count=count, limit=MAX_COLUMNS))


def _open_calamine(path: Path, kind: str) -> Workbook:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = [m.name for m in book.sheets_metadata
                 if getattr(m.typ, "name", "WorkSheet") in ("WorkSheet", "MacroSheet")]
    except Exception as exc:  # noqa: BLE001 - calamine's errors are the file's fault
        raise _unreadable(path, exc, kind) from None
    if not names:
        book.close()
        raise InvalidInput(_("{path} has no sheets.").format(path=path))
    return Workbook(path, kind, names, _book=book)


def _calamine_rows(workbook: Workbook, name: str) -> Rows:
    try:
        sheet = workbook._book.get_sheet_by_name(name)
    except Exception as exc:  # noqa: BLE001 - a damaged sheet
        raise _unreadable(workbook.path, exc, workbook.kind) from None
    start = sheet.start
    if start is None:
        return
    height, width = sheet.height, sheet.width
    if width > MAX_COLUMNS or height > MAX_ROWS or height * width > MAX_CELLS:
        # XLS and ODS: the bound comes after the read, which their format keeps small.
        raise _too_many_cells(workbook.path, name, height, width)
    # iter_rows gives the rows from the sheet's first row (empty ones up to the data's
    # start), and the columns from the data's first column.
    pad = [None] * start[1]
    number = 0
    for cells in sheet.iter_rows():
        number += 1
        if any(c != "" for c in cells):
            yield number, [*pad, *(None if c == "" else c for c in cells)]


# --- CSV ---------------------------------------------------------------------------------


def _open_csv(path: Path) -> Workbook:
    encoding, warnings = _csv_encoding(path)
    book = Workbook(path, "csv", [""], warnings=warnings, encoding=encoding)
    book.delimiter = _sniff(path, encoding)
    return book


def _csv_encoding(path: Path) -> tuple[str, list[str]]:
    """UTF-8, or Windows-1252 for a file with no UTF-8 in it; see the module docstring."""
    bad_lines: list[int] = []
    utf8_seen = False
    line = 1
    carry = b""
    with open(path, "rb") as fh:
        head = fh.read(4096)
        if b"\x00" in head:
            raise InvalidInput(_("{path} is not a text (CSV) file.").format(path=path))
        fh.seek(0)
        while True:
            chunk = fh.read(_CHUNK)
            data = carry + chunk
            if not chunk:
                lines_part, carry = data, b""
            else:
                cut = data.rfind(b"\n") + 1
                lines_part, carry = data[:cut], data[cut:]
                if len(carry) > 4 * MAX_LINE_CHARS:
                    # A line this long is refused when the rows are read; judge what we have.
                    lines_part, carry = data, b""
            if lines_part:
                try:
                    lines_part.decode("utf-8")
                    utf8_seen = utf8_seen or not lines_part.isascii()
                except UnicodeDecodeError:
                    for i, raw in enumerate(lines_part.split(b"\n")):
                        try:
                            raw.decode("utf-8")
                            utf8_seen = utf8_seen or not raw.isascii()
                        except UnicodeDecodeError:
                            bad_lines.append(line + i)
                line += lines_part.count(b"\n")
            if not chunk:
                break
    if not bad_lines:
        return "utf-8-sig", []
    if not utf8_seen:
        return "cp1252", [_(
            "{name} is not UTF-8; it was read as Windows-1252 (Excel's 'CSV' on Windows). "
            "Check the names with accents, or save it as 'CSV UTF-8'.").format(
                name=path.name)]
    shown = ", ".join(str(n) for n in bad_lines[:5])
    more = _(" and {n} more").format(n=len(bad_lines) - 5) if len(bad_lines) > 5 else ""
    raise InvalidInput(_(
        "{path} is UTF-8 text, but line {lines}{more} is not (a character from another "
        "encoding, e.g. Windows-1252); correct it, or save the file again as 'CSV UTF-8'."
        ).format(path=path, lines=shown, more=more))


def _physical_lines(path: Path, encoding: str,
                    budget: list[int] | None = None) -> Iterator[str]:
    """The file's lines (ending in ``\n``, or ``\r\n`` kept whole), read in large blocks,
    without the BOM.

    A line longer than ``MAX_LINE_CHARS`` is refused as soon as that many characters have
    been read without a line break, so an endless line is never held in memory. With
    ``budget`` (characters read for the current record, and its row number), a record that
    grows past ``MAX_RECORD_CHARS`` (a quote left open) is refused too.
    """
    with open(path, encoding=encoding, newline="", errors="strict") as fh:
        line_number = 0
        carry = ""
        separator = ""
        while True:
            try:
                block = fh.read(_CHUNK)
            except UnicodeDecodeError:
                raise InvalidInput(_(
                    "{path}: line {line} is neither UTF-8 nor Windows-1252 text; save the "
                    "file as 'CSV UTF-8'.").format(path=path, line=line_number + 1)) from None
            if not block:
                if carry:
                    yield carry
                return
            if not separator:
                block = block.lstrip("\ufeff")
                # Excel's "CSV (Macintosh)" ends its lines with a carriage return alone.
                # (A line break inside a cell is then a line feed.)
                separator = "\r" if "\r" in block and "\r\n" not in block else "\n"
            lines = (carry + block).split(separator)
            carry = lines.pop()
            for text in lines:
                line_number += 1
                if len(text) >= MAX_LINE_CHARS:
                    raise _line_too_long(path, line_number)
                if budget is not None:
                    budget[0] += len(text)
                    if budget[0] > MAX_RECORD_CHARS:
                        raise InvalidInput(_(
                            "{path}: row {row} is longer than {limit:,} characters (a quote "
                            "left open?); this is not a register's row.").format(
                                path=path, row=budget[1] + 1, limit=MAX_RECORD_CHARS))
                yield text + separator
            if len(carry) > MAX_LINE_CHARS:
                raise _line_too_long(path, line_number + 1)


def _line_too_long(path: Path, line: int) -> InvalidInput:
    return InvalidInput(_(
        "{path}: line {line} is longer than {limit:,} characters; this is not a "
        "register's row.").format(path=path, line=line, limit=MAX_LINE_CHARS))


def _sniff(path: Path, encoding: str) -> str:
    """The delimiter that splits the first lines into the most cells (``;`` on ties)."""
    sample: list[str] = []
    for text in _physical_lines(path, encoding):
        if text.strip().strip(",;\t"):
            sample.append(text.lstrip("\ufeff"))
        if len(sample) >= _SNIFF_LINES:
            break
    if not sample:
        raise InvalidInput(_("{path} is empty; it needs a header row and data rows.").format(
            path=path))
    best, best_width = ",", 0
    for delimiter in _DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:
            continue
        width = max(widths, default=0)
        if width > best_width:
            best, best_width = delimiter, width
    return best


def _csv_rows(book: Workbook) -> Rows:
    path = book.path
    budget = [0, 0]  # characters read for the record being read, and the rows before it
    reader = csv.reader(_physical_lines(path, book.encoding, budget),
                        delimiter=book.delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(_("{path}: row {row} cannot be read as CSV ({error}).").format(
                path=path, row=number + 1, error=exc)) from None
        # Rows are counted as a spreadsheet shows them: a cell with line breaks is one row.
        number += 1
        budget[0], budget[1] = 0, number
        if len(cells) > MAX_COLUMNS:
            while cells and not cells[-1].strip():
                cells.pop()
            if len(cells) > MAX_COLUMNS:
                raise InvalidInput(_(
                    "{path}: row {row} has {n:,} cells; at most {limit} columns are read."
                    ).format(path=path, row=number, n=len(cells), limit=MAX_COLUMNS))
        row = [c if c and not c.isspace() else None for c in cells]
        if any(row):
            yield number, row
