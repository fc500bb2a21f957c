"""Writing XLSX workbooks that Excel and LibreOffice open as the data meant.

Owns the cell rules of every workbook qmstrack writes (``list --xlsx``, the export's
registers workbook, an import's rejects): dates as date cells (``2026-11-23`` text
becomes a date), numbers as numbers, every other text as a text cell, so an 18-digit NIP or
a phone number with its leading 0 stays intact and ``=...`` is never a formula; booleans as
words of the language (ya/tidak, yes/no); a frozen header row, column widths from the first
rows and an autofilter over the table. Rows are streamed to disk (openpyxl's write-only
mode), so a long list is never held in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from qmstrack.errors import InvalidInput
from qmstrack.i18n import _

WIDTH_SAMPLE_ROWS = 200
MAX_WIDTH = 60
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Characters XML 1.0 cannot hold (openpyxl refuses them).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
BOOLEAN_WORDS = {"id": ("ya", "tidak"), "en": ("yes", "no")}


class SheetOut:
    """One sheet being written: a header, then rows appended one by one."""

    def __init__(self, book: StreamingWorkbook, title: str, headers: Sequence[str],
                 lang: str, widths: Sequence[int] | None = None):
        self.book = book
        self.ws = book.wb.create_sheet(title)
        self.lang = lang
        self.count = 0
        self.columns = len(headers)
        self.ws.freeze_panes = "A2"
        if widths:
            from openpyxl.utils import get_column_letter

            for i, width in enumerate(widths, start=1):
                self.ws.column_dimensions[get_column_letter(i)].width = width
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        bold = Font(bold=True)
        header_cells = []
        for h in headers:
            cell = WriteOnlyCell(self.ws, value=_clean(str(h)))
            cell.data_type = "s"
            cell.font = bold
            header_cells.append(cell)
        self.ws.append(header_cells)

    def append(self, values: Sequence[Any]) -> None:
        self.ws.append([self.book.cell(self.ws, v, self.lang) for v in values])
        self.count += 1
        self.columns = max(self.columns, len(values))

    def close(self) -> None:
        from openpyxl.utils import get_column_letter

        if self.columns:
            self.ws.auto_filter.ref = f"A1:{get_column_letter(self.columns)}{self.count + 1}"


class StreamingWorkbook:
    """An XLSX file written row by row; ``save()`` writes it to ``path`` (a file name or an
    open binary file)."""

    def __init__(self, path: Path | IO[bytes]):
        import openpyxl

        self.path = path
        self.wb = openpyxl.Workbook(write_only=True)
        self.sheets: list[SheetOut] = []
        self.titles: set[str] = set()

    def add_sheet(self, title: str, headers: Sequence[str], *, lang: str = "en",
                  widths: Sequence[int] | None = None) -> SheetOut:
        sheet = SheetOut(self, self._title(title), headers, lang, widths)
        self.sheets.append(sheet)
        return sheet

    def _title(self, title: str) -> str:
        base = _TITLE_FORBIDDEN.sub("_", title).strip("'")[:31] or "Sheet"
        name, n = base, 2
        while name.casefold() in self.titles:
            suffix = f" ({n})"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        self.titles.add(name.casefold())
        return name

    def cell(self, ws, value: Any, lang: str):
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, bool):
            yes, no = BOOLEAN_WORDS.get(lang, BOOLEAN_WORDS["en"])
            value = yes if value else no
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                pass
        cell = WriteOnlyCell(ws, value=None)
        if value is None:
            return cell
        if isinstance(value, datetime):
            cell.value = value.replace(tzinfo=None) if value.tzinfo else value
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(value, date):
            cell.value = value
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, time):
            cell.value = value
        elif isinstance(value, int) and abs(value) < 10 ** 15:
            cell.value = value
        elif isinstance(value, float):
            cell.value = value
        else:
            cell.value = _clean(str(value))
            # Text is text: never a formula, whatever it starts with.
            cell.data_type = "s"
        return cell

    def save(self, *, reproducible: bool = False) -> None:
        """Write the file; ``reproducible``: the same rows give the same bytes (a fixed
        creation time in the properties and in every zip entry), for a bundle's payload."""
        for sheet in self.sheets:
            sheet.close()
        if not self.sheets:
            self.add_sheet("Sheet", [])
        if reproducible:
            fixed = datetime(2000, 1, 1)
            self.wb.properties.created = self.wb.properties.modified = fixed
        self.wb.save(self.path)


def _default_mode() -> int:
    from qmstrack.atomic import default_mode

    return default_mode()


def _commit_with_fixed_times(pending, path: Path) -> None:
    """Copy the written workbook with every zip entry dated 1980-01-01 and the properties'
    modification time fixed (openpyxl stamps the save time), then put it in place."""
    import shutil
    import zipfile

    from qmstrack.atomic import AtomicFile

    fixed_file = AtomicFile(path, binary=True, mode=_default_mode())
    try:
        with zipfile.ZipFile(pending.temp) as source, \
                zipfile.ZipFile(fixed_file.file, "w") as target:
            for info in source.infolist():
                fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                fixed.compress_type = info.compress_type
                fixed.external_attr = 0o600 << 16
                if info.filename == "docProps/core.xml":
                    text = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*",
                                  rb"\g<1>2000-01-01T00:00:00Z", source.read(info))
                    target.writestr(fixed, text)
                    continue
                with source.open(info) as src, target.open(fixed, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    except BaseException:
        fixed_file.discard()
        pending.discard()
        raise
    pending.discard()
    fixed_file.commit()


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def column_widths(headers: Sequence[str], sample: Iterable[Sequence[Any]]) -> list[int]:
    widths = [len(str(h)) for h in headers]
    for row in sample:
        for i, value in enumerate(row):
            if i < len(widths) and value is not None:
                text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
                widths[i] = max(widths[i], len(text.split("\n", 1)[0]))
    return [min(max(w + 2, 8), MAX_WIDTH) for w in widths]


def write_table(path: Path, rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *,
                headers: Sequence[str] | None = None, title: str = "Sheet",
                lang: str = "en") -> int:
    """Write one list as an XLSX file, atomically (a temp file renamed into place).

    Returns the number of rows written.
    """
    return write_workbook(path, [(title, columns, headers, rows)], lang=lang)[0]


def write_workbook(path: Path,
                   tables: Iterable[tuple[str, Sequence[str], Sequence[str] | None,
                                          Iterable[Mapping[str, Any]]]],
                   *, lang: str = "en", reproducible: bool = False) -> list[int]:
    """Write several lists, one sheet each, as one XLSX file; rows written per sheet."""
    import itertools

    from qmstrack.atomic import AtomicFile

    if path.is_dir():
        raise InvalidInput(_("{path} is a directory; name the XLSX file to write.").format(
            path=path))
    try:
        pending = AtomicFile(path, binary=True, mode=_default_mode())
    except OSError as exc:
        raise InvalidInput(_("Cannot write {path}: {reason}.").format(
            path=path, reason=exc.strerror)) from None
    counts: list[int] = []
    try:
        book = StreamingWorkbook(pending.file)
        for title, columns, headers, rows in tables:
            names = list(headers or columns)
            values = ([row.get(c) for c in columns] for row in rows)
            head = list(itertools.islice(values, WIDTH_SAMPLE_ROWS))
            sheet = book.add_sheet(title, names, lang=lang,
                                   widths=column_widths(names, head))
            for row in itertools.chain(head, values):
                sheet.append(row)
            counts.append(sheet.count)
        book.save(reproducible=reproducible)
    except BaseException:
        pending.discard()
        raise
    if reproducible:
        pending.file.flush()
        _commit_with_fixed_times(pending, path)
    else:
        pending.commit()
    return counts
