"""Spreadsheet imports: rows of a register's spreadsheet in, validated records out.

Files are opened by :mod:`qmstrack.sheet_reader` (CSV, XLSX, XLSM, ODS, XLS, with the bounds
on hostile files). This module finds the header row (the first of the first
``HEADER_SEARCH_ROWS`` rows whose cells match the most known headers, unless
``header_row`` is given), so title rows, merged or not, and blank rows above it are
skipped; it matches headers against each register's aliases (case, spaces and
punctuation ignored; Indonesian or English; a question's wording by its keywords), skips
total rows (``JUMLAH``, ``TOTAL``, and numbers-only rows at the end, such as sums) with a
note, reads the sheet chosen (``sheet``: a name or a 1-based number), or all of them
(``all_sheets``) in one transaction, and judges each date column as a whole (a text date
that can only be month-first refuses the file, naming the column; see :class:`DateColumn`).

The whole import is one write transaction: rows are validated and written batch by batch,
and if any row is invalid the transaction is rolled back and every bad row is named. With
``skip_invalid`` the valid rows are kept and the bad ones go to a rejects file, written in
the input's own format (CSV, or XLSX for a workbook) with the cells as they were read. A
dry run does all the work and then rolls back, so its counts are exactly what a real run
would do. An import is one change-log entry (``qmstrack.changelog.bulk``: the file's
SHA-256, the counts, the keys of the records written), not one per row, and the file is
kept in the evidence store.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.atomic import AtomicFile
from qmstrack.changelog import bulk
from qmstrack.csvsafe import spreadsheet_safe
from qmstrack.db import writing
from qmstrack.errors import ImportRefused, InvalidInput, RowProblem, UsageError
from qmstrack.i18n import _, ngettext
from qmstrack.parsing import clean_text, normalise_header
from qmstrack.sheet_reader import Workbook, open_workbook
from qmstrack.write_behind import WriteBehind

MAX_FIELD_CHARS = 10_000
MAX_PROBLEMS_LISTED = 1000
BATCH_SIZE = 5000
# While an import runs: a bigger page cache (KiB) and statement journals in memory (each
# multi-row INSERT that fires the change-log triggers opens one).
IMPORT_CACHE_KIB = 65_536



@dataclass(frozen=True)
class Field:
    """A target field of an import and the header names that mean it.

    ``kind`` says how the cells are read before the register's converter sees them:
    ``date`` (typed date cells as dates; text dates judged by column, see
    :class:`DateColumn`), ``timestamp`` (a date and time, with its zone if written),
    ``phone`` (normalised to the Indonesian form, see :func:`normalise_phone`) or ``text``.
    ``keywords`` match a header that contains one of them (normalised), for columns named
    by a question's full wording, such as a form's; an exact alias always wins.
    """

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    kind: str = "text"
    keywords: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {normalise_header(self.name), *(normalise_header(a) for a in self.aliases)}


@dataclass
class ImportReport:
    source: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = False
    rejects_file: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    # Which sheet and header row were read; rows skipped as totals; what people should know.
    sheets: list[dict[str, Any]] = field(default_factory=list)
    skipped_rows: int = 0
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "rejects_file": self.rejects_file,
            "ignored_columns": self.ignored_columns,
            "sheets": self.sheets,
            "skipped_rows": self.skipped_rows,
            "notes": self.notes,
            "warnings": self.warnings,
        }


class RowInvalid(Exception):
    """Raised by a row converter with every problem it found in the row."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{c}: {r}" for c, r in problems))
        self.problems = problems


class RowsRefused(Exception):
    """Raised by a batch writer, before it writes anything, for records the register refuses.

    Some rules need the stored row (an import must not reopen a closed request), so they
    are checked when a batch is written, not when a row is read. ``refused`` maps a
    record's key to the field and the reason; the import treats those rows like rows that
    failed validation (refused with the file, or written to the rejects file).
    """

    def __init__(self, refused: Mapping[Any, tuple[str, str]]):
        super().__init__(f"{len(refused)} rows refused by the register")
        self.refused = dict(refused)


class RowBuilder:
    """Collects every bad cell of a row instead of stopping at the first."""

    def __init__(self, values: Mapping[str, Any], headers: Mapping[str, str]):
        self.values = values
        self.headers = headers
        self.problems: list[tuple[str, str]] = []

    def raw(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        return value

    def get(self, name: str, convert: Callable[[Any], Any] | None = None, *,
            required: bool = False, default: Any = None) -> Any:
        # raw(), inlined: this runs for every cell of every row of an import.
        value = self.values.get(name)
        if value.__class__ is str:
            if len(value) > MAX_FIELD_CHARS:
                self.fail(name, _("is longer than {limit} characters").format(
                    limit=MAX_FIELD_CHARS))
                return default
            value = value.strip()
            if not value:
                value = None
        if value is None:
            if required:
                self.fail(name, "is empty")
            return default
        if convert is None:
            return value
        try:
            return convert(value)
        except InvalidInput as exc:
            self.fail(name, str(exc))
            return default

    def fail(self, name: str, reason: str) -> None:
        self.problems.append((self.headers.get(name, name), reason))

    def done(self) -> None:
        if self.problems:
            raise RowInvalid(self.problems)


# Unicode category Cc (C0 and C1 controls) except tab and newline: what clean_text refuses.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def text_cell(value: Any, *, field: str, max_length: int = 2000) -> str:
    """``parsing.clean_text`` for spreadsheet cells, with a fast path for the usual cell.

    The same rules (stripped, at most ``max_length`` characters, no control characters but
    tab and newline); one regular expression instead of a Python loop over the
    characters, and ``clean_text`` itself, for its message, whenever a rule is broken.
    """
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= max_length and _CONTROL.search(text) is None:
            return text
    return clean_text(value, field=field, max_length=max_length)


class Memo(dict):
    """A converter that remembers the values it accepted (dates, codes, NIPs repeat).

    Calling it looks the value up in the dictionary it is (in C, no Python frame: this runs
    for most cells of an import); a value not seen yet is converted by ``__missing__``.
    Only text and dates are remembered (a spreadsheet's ``1``, ``1.0`` and ``True`` are
    equal keys but not the same cell), only successes (a refused value is converted
    again, so its message is always the converter's own), and at most ``limit`` of them.
    """

    __call__ = dict.__getitem__

    def __init__(self, convert: Callable[[Any], Any], limit: int = 20_000):
        super().__init__()
        self.convert = convert
        self.limit = limit

    def __missing__(self, value: Any) -> Any:
        result = self.convert(value)
        if value.__class__ in _REMEMBERED and len(self) < self.limit:
            self[value] = result
        return result


_REMEMBERED = frozenset({str, date})


# --- reading cells ---------------------------------------------------------------------

HEADER_SEARCH_ROWS = 20
# Labels of a total row: the office's sums under a register.
TOTAL_WORDS = frozenset({"jumlah", "total", "jumlahtotal", "totalkeseluruhan", "grandtotal",
                         "jumlahkeseluruhan", "subtotal", "rekap", "rekapitulasi"})
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})"
                           r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[AaPp][Mm])?)?$")
DATE_ORDERS = ("dmy", "mdy")


class DateColumn:
    """Reads one date column of a file, judged as a whole (never a silent day/month swap).

    Typed date cells are dates. Text dates ``d/m/y`` (``/``, ``-`` or ``.``; a two-digit
    year is 20YY) are read day-first by default (``order="dmy"``), month-first with
    ``order="mdy"``. A value that can only be read in the other order (``11/23/2026``
    when day-first) is evidence that the whole column is in that order: the import is
    refused, naming the column with examples, instead of reading the other values of the
    column the wrong way round. Other forms (ISO, ``23 Nov 2026``) go to
    :func:`qmstrack.parsing.parse_date`.
    """

    def __init__(self, header: str, order: str = "dmy"):
        self.header = header
        self.order = order
        self.evidence: list[tuple[str, int]] = []
        # Text dates repeat from row to row: each distinct one is read once.
        self.known: dict[str, Any] = {}

    def read(self, value: Any, row: int) -> Any:
        if value.__class__ is str:
            try:
                return self.known[value]
            except KeyError:
                pass
            result = self._read(value, row)
            if result is not value and len(self.known) < 20_000:
                self.known[value] = result
            return result
        return self._read(value, row)

    def _read(self, value: Any, row: int) -> Any:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date) or not isinstance(value, str):
            return value
        m = _NUMERIC_DATE.match(value.strip())
        if not m:
            return value
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        if len(m[3]) == 2:
            year += 2000
        day, month = (first, second) if self.order == "dmy" else (second, first)
        if month > 12 and day <= 12:
            if len(self.evidence) < 3:
                self.evidence.append((value.strip(), row))
            return value
        try:
            return date(year, month, day)
        except ValueError:
            return value

    def refusal(self, source: str) -> InvalidInput:
        examples = "; ".join(
            _("row {row}, column {column}: {value}, that is {other}").format(
                row=r, column=self.header, value=v, other=_swapped(v))
            for v, r in self.evidence)
        if self.order == "dmy":
            return InvalidInput(_(
                "{source}: the column {column} holds dates that can only be month first "
                "({examples}), but dates are read day first (23/11/2026); nothing was "
                "imported. If the whole column is month first, import it with --date-order "
                "mdy.").format(source=source, column=self.header, examples=examples))
        return InvalidInput(_(
            "{source}: the column {column} holds dates that can only be day first "
            "({examples}), but --date-order mdy reads them month first; nothing was "
            "imported. Import it without --date-order mdy.").format(
                source=source, column=self.header, examples=examples))


_YMD_TIME = re.compile(
    r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\.\d+)?"
    r"\s*([AaPp][Mm])?)?\s*(?:(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?|(Z|GMT|UTC))?$")


class TimestampColumn(DateColumn):
    """A date and time, such as a form's ``Timestamp``: ``2026/11/23 9:15:02 AM GMT+8``.

    Year-first text (Google Forms) is read with its time and zone (a ``datetime`` aware of
    the zone when one is written); a typed cell stays a ``datetime``; day- or month-first
    text is judged as a :class:`DateColumn` and gives the date.
    """

    def read(self, value: Any, row: int) -> Any:
        if isinstance(value, datetime):
            return value
        if isinstance(value, str) and (m := _YMD_TIME.match(value.strip())):
            from datetime import timedelta, timezone

            hour = int(m[4] or 0)
            if m[7]:
                if not 1 <= hour <= 12:
                    return value
                hour = hour % 12 + (12 if m[7].lower() == "pm" else 0)
            zone = None
            if m[8]:
                offset = timedelta(hours=int(m[9]), minutes=int(m[10] or 0))
                zone = timezone(offset if m[8] == "+" else -offset)
            elif m[11]:
                zone = UTC
            try:
                return datetime(int(m[1]), int(m[2]), int(m[3]), hour, int(m[5] or 0),
                                int(m[6] or 0), tzinfo=zone)
            except ValueError:
                return value
        return super().read(value, row)


def _swapped(text: str) -> str:
    """``10/13/2026`` written the other way round: ``13/10/2026``."""
    m = _NUMERIC_DATE.match(text)
    if not m:
        return text
    separator = text[len(m[1])]
    return f"{m[2]}{separator}{m[1]}{text[len(m[1]) + 1 + len(m[2]):]}"


def normalise_phone(value: Any) -> tuple[Any, bool]:
    """A phone number in the Indonesian form, and whether a lost leading 0 was restored.

    (A number that arrives without its 0, as a number cell or as the CSV of one.)

    ``+62 812-3456-7890``, ``6281234567890`` and a number cell ``81234567890`` all become
    ``081234567890`` (phonenumbers decides what is a valid Indonesian number); a number
    already written with its leading 0 is kept as the clerk wrote it, and anything that is
    not a valid number (an e-mail address, an extension) is kept as written.
    """
    if isinstance(value, bool):
        return value, False
    number_cell = isinstance(value, (int, float))
    if number_cell:
        if isinstance(value, float) and not value.is_integer():
            return value, False
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text or text.startswith("0") or not _PHONE_TEXT.match(text):
            return value, False
    else:
        return value, False
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return value, False
    if parsed.country_code != 62 or not phonenumbers.is_valid_number(parsed):
        return (text if number_cell else value), False
    # Written without its 0 and not in the international form: a number cell, or the CSV
    # of one, lost it.
    lost = number_cell or not text.startswith(("+", "62"))
    return "0" + str(parsed.national_number), lost


_PHONE_TEXT = re.compile(r"^\+?[\d\s().\-]{6,20}$")


# --- mapping headers ------------------------------------------------------------------


def _lookup(fields: Sequence[Field], overrides: Iterable[str]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for f in fields:
        for n in f.names():
            lookup.setdefault(n, f.name)
    known = {f.name for f in fields}
    for item in overrides:
        column, sep, target = item.partition("=")
        if not sep or not column.strip() or target.strip() not in known:
            raise UsageError(_(
                "--map {item} must be COLUMN=FIELD with FIELD one of: {fields}.").format(
                    item=repr(item), fields=", ".join(sorted(known))))
        lookup[normalise_header(column)] = target.strip()
    return lookup


def _field_of(header: Any, lookup: Mapping[str, str], fields: Sequence[Field]) -> str | None:
    name = normalise_header(header)
    if not name:
        return None
    found = lookup.get(name)
    if found is not None:
        return found
    for f in fields:
        if f.keywords and any(k in name for k in f.keywords):
            return f.name
    return None


def map_headers(headers: Sequence[Any], fields: Sequence[Field],
                overrides: Iterable[str] = (), *, source: str) -> tuple[dict[int, str], list[str]]:
    """Column index -> field name, and the headers that matched nothing."""
    lookup = _lookup(fields, overrides)
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        name = _field_of(header, lookup, fields)
        if name is None:
            if header is not None and str(header).strip():
                ignored.append(str(header).strip())
            continue
        if name in mapping.values():
            first = next(i for i, n in mapping.items() if n == name)
            raise InvalidInput(_(
                "{source}: two columns mean the same field {field} ({first} and {second})."
                ).format(source=source, field=repr(name), first=repr(str(headers[first])),
                         second=repr(str(header))))
        mapping[index] = name
    missing = [f.name for f in fields if f.required and f.name not in mapping.values()]
    if missing:
        wanted = next(f for f in fields if f.name == missing[0])
        hint = ", ".join((wanted.name, *wanted.aliases[:3]))
        raise InvalidInput(_(
            "{source}: no column for the required field {field} (headers such as {hint}; or "
            "use --map 'Your Header={name}', or --header-row N if the header row was not "
            "found).").format(source=source, field=repr(missing[0]), hint=hint,
                              name=missing[0]))
    return mapping, ignored


def _header_score(cells: Sequence[Any], lookup: Mapping[str, str],
                  fields: Sequence[Field]) -> int:
    found = {_field_of(c, lookup, fields) for c in cells if isinstance(c, str)}
    found.discard(None)
    return len(found)


def _total_row(cells: Sequence[Any]) -> bool:
    """A row of sums: a total label first, and otherwise only numbers (or nothing).

    Runs for every row: the first filled cell decides at once for every other row.
    """
    for label in cells:
        if label is not None:
            break
    else:
        return False
    if label.__class__ is not str or label.lstrip()[:1].lower() not in _TOTAL_INITIALS:
        return False
    text = normalise_header(label)
    if not (text in TOTAL_WORDS or (text.startswith(("jumlah", "total"))
                                    and len(text) <= 24)):
        return False
    rest = list(cells)
    rest.remove(label)
    return _numbers_only(rest) or not any(c is not None for c in rest)


_TOTAL_INITIALS = frozenset(w[0] for w in TOTAL_WORDS)


def _numbers_only(cells: Sequence[Any]) -> bool:
    """Only numbers (typed, or written as digits): the sums under a column, if at the end."""
    seen = False
    for c in cells:
        if c is None:
            continue
        if isinstance(c, str):
            if not (c.isdigit() or _looks_numeric(c)):
                return False
        elif isinstance(c, bool) or not isinstance(c, (int, float)):
            return False
        seen = True
    return seen


_NUMBER_TEXT = re.compile(r"^[+-]?[\d.,\s]+%?$")


def _looks_numeric(text: str) -> bool:
    return bool(_NUMBER_TEXT.match(text.strip())) and any(ch.isdigit() for ch in text)


# --- choosing sheets -------------------------------------------------------------------


def _chosen_sheets(book: Workbook, sheet: str | int | None, all_sheets: bool,
                   warnings: list[str]) -> list[str]:
    names = book.sheet_names
    if all_sheets:
        if sheet is not None:
            raise UsageError(_("Give --sheet or --all-sheets, not both."))
        return names
    if sheet is None:
        if len(names) > 1:
            warnings.append(_(
                "{name} has {n} sheets; only the first, {first}, was read (the others: "
                "{others}). Choose one with --sheet NAME, or read them all with "
                "--all-sheets.").format(name=book.path.name, n=len(names),
                                        first=repr(names[0]),
                                        others=", ".join(repr(n) for n in names[1:])))
        return names[:1]
    if not book.is_workbook:
        raise UsageError(_("--sheet is for workbooks; {name} is a CSV file.").format(
            name=book.path.name))
    text = str(sheet).strip()
    if text in names:
        return [text]
    folded = {n.casefold().strip(): n for n in names}
    if text.casefold() in folded:
        return [folded[text.casefold()]]
    if text.isdigit() and 1 <= int(text) <= len(names):
        return [names[int(text) - 1]]
    raise UsageError(_("{name} has no sheet {sheet}; its sheets: {sheets}.").format(
        name=book.path.name, sheet=repr(text),
        sheets=", ".join(f"{i} {n!r}" for i, n in enumerate(names, start=1))))


@dataclass
class _SheetPlan:
    name: str
    header_row: int
    headers: list[Any]
    mapping: dict[int, str]
    rows: Iterator[tuple[int, list[Any]]]


def _plan_sheet(book: Workbook, name: str, fields: Sequence[Field], lookup, overrides,
                header_row: int | None, source: str) -> _SheetPlan:
    rows = book.rows(name)
    where = source if not book.is_workbook else _("{source}, sheet {sheet}").format(
        source=source, sheet=repr(name))
    ahead: list[tuple[int, list[Any]]] = []
    header: tuple[int, list[Any]] | None = None
    if header_row is not None:
        for number, cells in rows:
            if number == header_row:
                header = (number, cells)
                break
            if number > header_row:
                ahead.append((number, cells))
                break
        if header is None:
            raise InvalidInput(_("{where}: row {row} is empty or past the end; it cannot be "
                                 "the header row.").format(where=where, row=header_row))
    else:
        best = 0
        for number, cells in rows:
            ahead.append((number, cells))
            score = _header_score(cells, lookup, fields)
            if score > best:
                best, header = score, (number, cells)
            if len(ahead) >= HEADER_SEARCH_ROWS:
                break
        if not ahead:
            raise InvalidInput(_("{where} is empty; it needs a header row and data rows."
                                 ).format(where=where))
        if header is None:
            header = ahead[0]
        ahead = [r for r in ahead if r[0] > header[0]]
    number, cells = header
    headers = [("" if c is None else c) for c in cells]
    mapping, _ignored = map_headers(headers, fields, overrides, source=where)

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        yield from ahead
        yield from rows

    return _SheetPlan(name, number, headers, mapping, data_rows())


# --- running an import ----------------------------------------------------------------


class _DryRunDone(Exception):
    pass


def _file_sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _keep_file(db: sqlite_utils.Database, path: Path, sha: str) -> None:
    """Keep the imported file in the evidence store (when it wrote something), so the
    auditor can see which spreadsheet produced the rows."""
    from qmstrack.evidence import store_file

    main = next((r[2] for r in db.execute("PRAGMA database_list") if r[1] == "main"), "")
    if main and store_file(db, main, path) != sha:
        raise InvalidInput(_("{path} changed while it was being imported; nothing was "
                             "imported.").format(path=path))


Converter = Callable[[RowBuilder], Any]
BatchWriter = Callable[[sqlite_utils.Database, list[Any]], tuple[int, int, int]]


def run_import(
    db: sqlite_utils.Database,
    path: Path,
    *,
    fields: Sequence[Field],
    convert: Converter,
    write_batch: BatchWriter,
    key: Callable[[Any], Any],
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    overrides: Iterable[str] = (),
    on_progress: Callable[[int], None] | None = None,
    command: str = "",
    sheet: str | int | None = None,
    all_sheets: bool = False,
    header_row: int | None = None,
    date_order: str = "dmy",
    before_commit: Callable[[], list[str] | None] | None = None,
    append_only: tuple[str, ...] = (),
    write_behind: WriteBehind | None = None,
) -> ImportReport:
    """Import one file as one transaction; see the module docstring for the rules.

    ``before_commit`` runs after the last row; the sentences it returns (a summary of what
    went wrong across rows) follow the rows named in a refusal, or are warnings.
    ``append_only``: the tables ``write_batch`` inserts into only with new ids
    (``qmstrack.changelog.bulk``). ``write_behind``: where ``write_batch`` leaves its
    writes running (``qmstrack.write_behind``); settled after the last row of every
    sheet, and whenever the rows stop early, before anything else uses the connection.
    """
    if date_order not in DATE_ORDERS:
        raise UsageError(_("--date-order must be dmy or mdy."))
    if header_row is not None and header_row < 1:
        raise UsageError(_("--header-row is a row number, 1 or more."))
    source = path.name
    overrides = list(overrides)
    lookup = _lookup(fields, overrides)
    book = open_workbook(path)
    try:
        report = ImportReport(source=str(path), dry_run=dry_run)
        report.warnings.extend(book.warnings)
        names = _chosen_sheets(book, sheet, all_sheets, report.warnings)
        # The first sheet is planned (header found, columns mapped) before anything is
        # written, so a file that cannot be read at all fails before the transaction.
        first = _plan_sheet(book, names[0], fields, lookup, overrides, header_row, source)
        rejects = None
        if skip_invalid and not dry_run:
            rejects = _rejects_writer(rejects_path, path, book)
        try:
            with _no_cycle_collection(), _import_pragmas(db), writing(db, command):
                sha = _file_sha256(path)
                with bulk(db, path.name, sha, append_only=append_only) as logged:
                    run = _Run(db, book, report, fields, convert, write_batch, key, rejects,
                               on_progress, date_order, source, write_behind)
                    run.all(first, names, lookup, overrides, header_row)
                    summary = (before_commit() if before_commit else None) or []
                    if report.rejected and not skip_invalid:
                        refused = ImportRefused(str(path), run.problems, report.rejected)
                        refused.details.extend(summary)
                        raise refused
                    report.warnings.extend(summary)
                    if dry_run:
                        raise _DryRunDone()
                    if rejects and report.rejected:
                        # On disk before the rows are committed: a full disk refuses the
                        # whole import, and after the commit only a rename is left.
                        rejects.prepare()
                    logged.counts.update(inserted=report.inserted, updated=report.updated,
                                         unchanged=report.unchanged, rejected=report.rejected)
                if logged.tables:
                    _keep_file(db, path, sha)
        except _DryRunDone:
            pass
        except BaseException:
            if rejects:
                rejects.discard()
            raise
        if rejects:
            if report.rejected:
                report.rejects_file = rejects.finish()
            else:
                rejects.discard()
        return report
    finally:
        book.close()


class _Run:
    """The rows of every chosen sheet through the converter, in batches, into the register."""

    def __init__(self, db, book: Workbook, report: ImportReport, fields, convert,
                 write_batch, key, rejects, on_progress, date_order, source, behind=None):
        self.db, self.book, self.report = db, book, report
        self.behind: WriteBehind | None = behind
        self.fields = {f.name: f for f in fields}
        self.convert, self.write_batch, self.key = convert, write_batch, key
        self.rejects, self.on_progress = rejects, on_progress
        self.date_order, self.source = date_order, source
        self.problems: list[RowProblem] = []
        self.seen: dict[Any, tuple[str, int]] = {}
        self.restored_phones: dict[str, int] = {}

    def all(self, first: _SheetPlan, names, lookup, overrides, header_row) -> None:
        plan = first
        for index, name in enumerate(names):
            if index:
                plan = _plan_sheet(self.book, name, list(self.fields.values()), lookup,
                                   overrides, header_row, self.source)
            self.sheet(plan, multi=len(names) > 1)
        if self.on_progress:
            self.on_progress(self.report.rows)
        for header, n in self.restored_phones.items():
            self.report.notes.append(ngettext(
                "{n} phone number in the column {column} was stored as a number; its "
                "leading 0 was restored.",
                "{n} phone numbers in the column {column} were stored as numbers; their "
                "leading 0 was restored.", n).format(n=n, column=header))
        self.problems.sort(key=lambda problem: (problem.sheet, problem.row))

    def sheet(self, plan: _SheetPlan, multi: bool) -> None:
        report = self.report
        sheet_label = plan.name if multi else ""
        headers = plan.headers
        header_of = {name: str(headers[i]).strip() for i, name in plan.mapping.items()}
        for i, h in enumerate(headers):
            if i not in plan.mapping and str(h).strip() and \
                    str(h).strip() not in report.ignored_columns:
                report.ignored_columns.append(str(h).strip())
        columns = list(plan.mapping.items())
        width = max(plan.mapping) + 1 if plan.mapping else 0
        indexes = [index for index, _name in columns]
        names = [name for _index, name in columns]
        # The mapped cells of a full row in one C call (a tuple even for one column).
        pick = (operator.itemgetter(*indexes) if len(indexes) > 1
                else lambda cells: (cells[indexes[0]],) if indexes else ())
        readers: dict[str, Callable[[Any, int], Any]] = {}
        dates: list[DateColumn] = []
        for _index, name in columns:
            kind = self.fields[name].kind
            if kind in ("date", "timestamp"):
                column = (TimestampColumn if kind == "timestamp" else DateColumn)(
                    header_of[name], self.date_order)
                dates.append(column)
                readers[name] = column.read
            elif kind == "phone":
                readers[name] = self._phone_reader(header_of[name])
        if self.rejects:
            self.rejects.start_sheet(plan.name, headers)
        info: dict[str, Any] = {"sheet": plan.name, "header_row": plan.header_row, "rows": 0}
        report.sheets.append(info)
        if self.book.is_workbook or plan.header_row > 1:
            where = _("sheet {sheet}, ").format(sheet=repr(plan.name)) \
                if self.book.is_workbook else ""
            report.notes.append(_("Read {where}header in row {row}.").format(
                where=where, row=plan.header_row))
        batch: list[Any] = []
        sources: list[tuple[int, list[Any]]] = []
        held: list[tuple[int, list[Any]]] = []  # numbers-only rows: sums, if at the end
        skipped: list[int] = []

        def refuse(number: int, cells: list[Any], exc: RowInvalid) -> None:
            report.rejected += 1
            for column, reason in exc.problems:
                if len(self.problems) < MAX_PROBLEMS_LISTED:
                    self.problems.append(RowProblem(number, column, reason, sheet_label))
            if self.rejects:
                self.rejects.write(number, cells, exc)

        def flush() -> None:
            try:
                _apply(self.db, self.write_batch, batch, report)
            except RowsRefused as exc:
                kept = []
                for record, (number, cells) in zip(batch, sources, strict=True):
                    problem = exc.refused.get(self.key(record))
                    if problem is None:
                        kept.append(record)
                    else:
                        column, reason = problem
                        refuse(number, cells, RowInvalid([(header_of.get(column, column),
                                                           reason)]))
                if kept:
                    _apply(self.db, self.write_batch, kept, report)
            batch.clear()
            sources.clear()

        def one(number: int, cells: list[Any]) -> None:
            report.rows += 1
            info["rows"] += 1
            if len(cells) >= width:
                picked = pick(cells)
            else:
                picked = [cells[index] if index < len(cells) else None for index in indexes]
            values = dict(zip(names, picked, strict=True))
            for name, read in readers.items():
                value = values[name]
                if value is not None:
                    values[name] = read(value, number)
            try:
                builder = RowBuilder(values, header_of)
                record = self.convert(builder)
                builder.done()
                k = self.key(record)
                if k in self.seen:
                    where, first = self.seen[k]
                    at = (_("row {row} of sheet {sheet}").format(row=first, sheet=repr(where))
                          if where != plan.name else _("row {row}").format(row=first))
                    raise RowInvalid([("", _("repeats the record of {where} ({key})").format(
                        where=at, key=k if not isinstance(k, tuple) else k[0]))])
                self.seen[k] = (plan.name, number)
            except RowInvalid as exc:
                refuse(number, cells, exc)
                return
            batch.append(record)
            sources.append((number, cells))
            if len(batch) >= BATCH_SIZE:
                flush()
                if self.on_progress:
                    self.on_progress(report.rows)

        try:
            for number, cells in plan.rows:
                if _total_row(cells):
                    skipped.append(number)
                    continue
                if _numbers_only(cells):
                    held.append((number, cells))
                    continue
                if held:
                    for row in held:
                        one(*row)
                    held.clear()
                one(number, cells)
                for column in dates:
                    if len(column.evidence) >= 3:
                        raise column.refusal(self.source)
            skipped.extend(number for number, _cells in held)
            if batch:
                flush()
        except BaseException:
            if self.behind is not None:
                self.behind.abandon()
            raise
        if self.behind is not None:
            self.behind.settle()
        for column in dates:
            if column.evidence:
                raise column.refusal(self.source)
        if skipped:
            report.skipped_rows += len(skipped)
            shown = ", ".join(str(n) for n in skipped[:10])
            if len(skipped) > 10:
                shown += ", ..."
            report.notes.append(ngettext(
                "Skipped {n} total row ({rows}): a label such as JUMLAH or TOTAL, or only "
                "numbers, at the end.",
                "Skipped {n} total rows ({rows}): a label such as JUMLAH or TOTAL, or only "
                "numbers, at the end.", len(skipped)).format(n=len(skipped), rows=shown))

    def _phone_reader(self, header: str) -> Callable[[Any, int], Any]:
        def read(value: Any, _row: int) -> Any:
            text, restored = normalise_phone(value)
            if restored:
                self.restored_phones[header] = self.restored_phones.get(header, 0) + 1
            return text
        return read


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while rows are read, checked and written.

    An import allocates a few objects per cell and keeps the keys it has seen; the
    collector would walk that growing heap again and again (a sixth of the time of a
    200,000-row import) to find cycles the import does not make.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _import_pragmas(db: sqlite_utils.Database) -> Iterator[None]:
    """A bigger page cache and in-memory statement journals while the import runs.

    Set before the write transaction begins (``temp_store`` must not change inside one)
    and put back afterwards, whatever happens. ``temp_store`` is left alone when the
    connection has temporary tables (changing it would drop them).
    """
    if db.conn.in_transaction:
        yield
        return
    cache = db.execute("PRAGMA cache_size").fetchone()[0]
    temp = db.execute("PRAGMA temp_store").fetchone()[0]
    set_temp = temp != 2 and not db.execute(
        "SELECT 1 FROM temp.sqlite_master LIMIT 1").fetchone()
    db.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    if set_temp:
        db.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        if not db.conn.in_transaction:
            db.execute(f"PRAGMA cache_size = {int(cache)}")
            if set_temp:
                db.execute(f"PRAGMA temp_store = {int(temp)}")


def _apply(db, write_batch: BatchWriter, batch: list[Any], report: ImportReport) -> None:
    inserted, updated, unchanged = write_batch(db, batch)
    report.inserted += inserted
    report.updated += updated
    report.unchanged += unchanged


def _rejects_writer(target: Path | None, path: Path, book: Workbook):
    """The rejects file: the input's format (CSV, or XLSX for a workbook) unless ``target``
    names one by its suffix."""
    if target is None:
        suffix = ".xlsx" if book.is_workbook else ".csv"
        target = path.with_name(path.name + ".rejects" + suffix)
    if target.suffix.lower() == ".xlsx":
        return _XlsxRejects(target)
    return _CsvRejects(target, ",")


class _Rejects:
    """Rejected rows go to a temporary file, put in place only when the import ends.

    The cells are the ones read, as the clerk sees them; the reason comes before them.
    Rejected rows hold personal data: the file is readable by its owner only (0600), under a
    new, unpredictable name (never through a planted link): :mod:`qmstrack.atomic`.
    """

    def __init__(self, target: Path, *, binary: bool):
        self.target = target
        if target.is_dir():
            raise InvalidInput(_("The rejects file {target} is a directory; name a file."
                                 ).format(target=target))
        try:
            self.pending = AtomicFile(target, binary=binary, encoding="utf-8-sig",
                                      newline="")
        except OSError as exc:
            raise InvalidInput(_(
                "Cannot write the rejects file {target}: {reason}; choose another place with "
                "--rejects.").format(target=target, reason=exc.strerror)) from None

    def close(self) -> None:
        """Finish the content before the file is committed."""

    def prepare(self) -> None:
        """The whole file written and flushed to disk, under its temporary name."""
        with self.failing_write():
            self.close()
            self.pending.prepare()

    @contextlib.contextmanager
    def failing_write(self) -> Iterator[None]:
        """A write that fails (a full disk, a file too large) refuses the import."""
        try:
            yield
        except OSError as exc:
            self.discard()
            raise InvalidInput(_(
                "Cannot write the rejects file {target}: {reason}; nothing was imported."
            ).format(target=self.target, reason=exc.strerror or exc)) from None

    def finish(self) -> str:
        self.prepare()
        return str(self.pending.commit())

    def discard(self) -> None:
        self.pending.discard()

    def start_sheet(self, name: str, headers: Sequence[Any]) -> None:
        raise NotImplementedError

    def write(self, number: int, cells: Sequence[Any], exc: RowInvalid) -> None:
        raise NotImplementedError


class _CsvRejects(_Rejects):
    def __init__(self, target: Path, delimiter: str):
        super().__init__(target, binary=False)
        self.writer = csv.writer(self.pending.file, delimiter=delimiter)
        self.started = False

    def start_sheet(self, name: str, headers: Sequence[Any]) -> None:
        if not self.started:
            with self.failing_write():
                self.writer.writerow(["row", "error", *(spreadsheet_safe(_csv_text(h))
                                                        for h in headers)])
            self.started = True

    def write(self, number: int, cells: Sequence[Any], exc: RowInvalid) -> None:
        with self.failing_write():
            self.writer.writerow([number, spreadsheet_safe(str(exc)),
                                  *(spreadsheet_safe(_csv_text(c)) for c in cells)])


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


class _XlsxRejects(_Rejects):
    """An XLSX workbook of the rejected rows, a sheet per sheet read, cells typed as read."""

    def __init__(self, target: Path):
        super().__init__(target, binary=True)
        from qmstrack.sheet_writer import SheetOut, StreamingWorkbook

        self.book: StreamingWorkbook | None = StreamingWorkbook(self.pending.file)
        self.sheet: SheetOut | None = None

    def start_sheet(self, name: str, headers: Sequence[Any]) -> None:
        assert self.book is not None
        with self.failing_write():
            self.sheet = self.book.add_sheet(
                name or "rejects", ["row", "error", *(_csv_text(h) for h in headers)])

    def write(self, number: int, cells: Sequence[Any], exc: RowInvalid) -> None:
        assert self.sheet is not None
        with self.failing_write():
            self.sheet.append([number, str(exc), *cells])

    def close(self) -> None:
        if self.book is not None:
            self.book.save()
            self.book = None


def build_one(convert: Converter, values: Mapping[str, Any]) -> Any:
    """Validate one record typed on the command line; raise on its first bad field."""
    builder = RowBuilder(values, {})
    record = convert(builder)
    if builder.problems:
        column, reason = builder.problems[0]
        raise InvalidInput(reason if reason.endswith(".") else f"The {column} {reason}.")
    return record


def upsert_batch(db: sqlite_utils.Database, table: str, pk: str,
                 batch: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Insert new records, update changed ones, count the unchanged (idempotent imports)."""
    inserted = updated = unchanged = 0
    existing: dict[Any, dict[str, Any]] = {}
    for i in range(0, len(batch), 500):  # within any SQLite's limit on parameters
        chunk = batch[i:i + 500]
        cursor = db.execute(
            f"SELECT * FROM [{table}] WHERE [{pk}] IN ({', '.join('?' for _ in chunk)})",
            [r[pk] for r in chunk],
        )
        names = [d[0] for d in cursor.description]
        existing.update((row[names.index(pk)], dict(zip(names, row, strict=True)))
                        for row in cursor)
    for record in batch:
        old = existing.get(record[pk])
        if old is None:
            db.table(table).insert(record)
            inserted += 1
        elif all(old.get(k) == v for k, v in record.items()):
            unchanged += 1
        else:
            db.table(table).update(record[pk], record)
            updated += 1
    return inserted, updated, unchanged
