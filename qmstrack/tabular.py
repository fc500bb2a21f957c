"""Spreadsheet imports: CSV/XLSX rows in, validated records out, and a rejects report.

Reads CSV (``,`` or ``;``, with or without a UTF-8 BOM) and XLSX, matches headers against
each register's aliases (case, spaces and punctuation ignored; Indonesian or English), and
runs the whole file as one write transaction: rows are validated and written batch by batch,
and if any row is invalid the transaction is rolled back and every bad row is named. With
``skip_invalid`` the valid rows are kept and the bad ones go to a rejects CSV. A dry run
does all the work and then rolls back, so its counts are exactly what a real run would do.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.atomic import AtomicFile
from qmstrack.csvsafe import spreadsheet_safe
from qmstrack.db import writing
from qmstrack.errors import ImportRefused, InvalidInput, RowProblem, UsageError
from qmstrack.parsing import clean_text, normalise_header

MAX_FIELD_CHARS = 10_000
MAX_PROBLEMS_LISTED = 1000
BATCH_SIZE = 5000
# While an import runs: a bigger page cache (KiB) and statement journals in memory (each
# multi-row INSERT that fires the change-log triggers opens one).
IMPORT_CACHE_KIB = 65_536

csv.field_size_limit(1_000_000)


@dataclass(frozen=True)
class Field:
    """A target field of an import and the header names that mean it."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False

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
        if isinstance(value, str):
            value = value.strip()
            if value == "":
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


class Memo:
    """A converter that remembers the values it accepted (dates, codes, NIPs repeat).

    Only text values are remembered (a spreadsheet's ``1``, ``1.0`` and ``True`` are equal
    keys but not the same cell), only successes (a refused value is converted again, so
    its message is always the converter's own), and at most ``limit`` of them.
    """

    def __init__(self, convert: Callable[[Any], Any], limit: int = 20_000):
        self.convert = convert
        self.limit = limit
        self.known: dict[str, Any] = {}

    def __call__(self, value: Any) -> Any:
        if value.__class__ is not str:
            return self.convert(value)
        try:
            return self.known[value]
        except KeyError:
            pass
        result = self.convert(value)
        if len(self.known) < self.limit:
            self.known[value] = result
        return result


# --- reading --------------------------------------------------------------------------


Rows = Iterator[tuple[int, list[Any]]]


def read_table(path: Path, *, sheet: str | None = None) -> tuple[list[str], Rows]:
    """Headers and an iterator of (spreadsheet row number, cells) for a CSV or XLSX file."""
    if not path.exists():
        raise InvalidInput(f"The file {path} does not exist.")
    if path.is_dir():
        raise InvalidInput(f"{path} is a directory, not a file.")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, sheet)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise InvalidInput(f"{path} is named like an Excel file but is not one.")
    if path.suffix.lower() == ".xls":
        raise InvalidInput(
            f"{path} is an old Excel 97-2003 file; save it as .xlsx or CSV and import that."
        )
    return _read_csv(path)


def _decode_lines(path: Path) -> tuple[Iterator[str], str]:
    with open(path, "rb") as fh:
        sample = fh.read(1 << 16)
    if b"\x00" in sample:
        raise InvalidInput(f"{path} is not a text (CSV) file.")
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        # Excel "CSV (Comma delimited)" on Windows writes the ANSI code page.
        encoding = "cp1252"

    def lines() -> Iterator[str]:
        try:
            with open(path, encoding=encoding, newline="", errors="strict") as fh:
                yield from fh
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"{path} is not valid UTF-8 text (byte {exc.start} of a line); save it as "
                "'CSV UTF-8'."
            ) from None

    return lines(), encoding


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path) -> tuple[list[str], Rows]:
    lines, _ = _decode_lines(path)
    lines = iter(lines)
    first = next(lines, None)
    while first is not None and not first.strip():
        first = next(lines, None)
    if first is None:
        raise InvalidInput(f"{path} is empty; it needs a header row and data rows.")
    first = first.lstrip("\ufeff")
    delimiter = _sniff_delimiter(first)

    def chained() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(chained(), delimiter=delimiter)
    try:
        headers = next(reader)
    except csv.Error as exc:
        raise InvalidInput(f"{path}: the header row cannot be read ({exc}).") from None

    def rows() -> Rows:
        number = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InvalidInput(
                    f"{path}: row {number + 1} cannot be read as CSV ({exc})."
                ) from None
            number += 1
            if any(c.strip() for c in cells):
                yield number, cells

    return headers, rows()


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], Rows]:
    import openpyxl

    def unreadable(exc: Exception, where: str = "") -> InvalidInput:
        return InvalidInput(f"{path} is not a readable XLSX workbook{where} "
                            f"({type(exc).__name__}: {str(exc)[:200]}).")

    # A damaged workbook can make openpyxl (zipfile, XML parser, its own readers) raise
    # almost anything; every such failure is the file's fault, said in one sentence.
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - see above
        raise unreadable(exc) from None
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
    except (KeyError, IndexError):
        book.close()
        raise InvalidInput(f"{path} has no sheet {sheet!r}.") from None
    number = 0
    headers = None
    try:
        it = ws.iter_rows(values_only=True)
        for cells in it:
            number += 1
            if any(c not in (None, "") for c in cells):
                headers = ["" if c is None else str(c) for c in cells]
                break
    except Exception as exc:  # noqa: BLE001 - a damaged sheet
        book.close()
        raise unreadable(exc, f" (row {number + 1})") from None
    if headers is None:
        book.close()
        raise InvalidInput(f"{path} is empty; it needs a header row and data rows.")

    def rows() -> Rows:
        n = number
        try:
            while True:
                try:
                    cells = next(it)
                except StopIteration:
                    return
                except Exception as exc:  # noqa: BLE001 - a damaged sheet
                    raise unreadable(exc, f" (row {n + 1})") from None
                n += 1
                if any(c not in (None, "") for c in cells):
                    yield n, list(cells)
        finally:
            book.close()

    return headers, rows()


# --- mapping headers ------------------------------------------------------------------


def map_headers(headers: Sequence[str], fields: Sequence[Field],
                overrides: Iterable[str] = (), *, source: str) -> tuple[dict[int, str], list[str]]:
    """Column index -> field name, and the headers that matched nothing."""
    lookup: dict[str, str] = {}
    for f in fields:
        for n in f.names():
            lookup.setdefault(n, f.name)
    known = {f.name for f in fields}
    for item in overrides:
        column, sep, target = item.partition("=")
        if not sep or not column.strip() or target.strip() not in known:
            raise UsageError(
                f"--map {item!r} must be COLUMN=FIELD with FIELD one of: "
                f"{', '.join(sorted(known))}."
            )
        lookup[normalise_header(column)] = target.strip()
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        name = lookup.get(normalise_header(header))
        if name is None:
            if str(header).strip():
                ignored.append(str(header))
            continue
        if name in mapping.values():
            raise InvalidInput(f"{source}: two columns mean the same field {name!r} "
                               f"(the second is {header!r}).")
        mapping[index] = name
    missing = [f.name for f in fields if f.required and f.name not in mapping.values()]
    if missing:
        wanted = next(f for f in fields if f.name == missing[0])
        hint = ", ".join((wanted.name, *wanted.aliases[:3]))
        raise InvalidInput(
            f"{source}: no column for the required field {missing[0]!r} (headers such as "
            f"{hint}; or use --map 'Your Header={missing[0]}')."
        )
    return mapping, ignored


# --- running an import ----------------------------------------------------------------


class _DryRunDone(Exception):
    pass


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
) -> ImportReport:
    """Import one file as one transaction; see the module docstring for the rules."""
    source = path.name
    headers, rows = read_table(path)
    mapping, ignored = map_headers(headers, fields, overrides, source=source)
    header_of = {name: str(headers[i]).strip() for i, name in mapping.items()}
    report = ImportReport(source=str(path), dry_run=dry_run, ignored_columns=ignored)
    problems: list[RowProblem] = []
    seen: dict[Any, int] = {}
    rejects = _RejectsWriter(rejects_path or path.with_name(path.name + ".rejects.csv"),
                             headers) if skip_invalid and not dry_run else None
    columns = list(mapping.items())
    width = max(mapping) + 1 if mapping else 0
    sources: list[tuple[int, list[Any]]] = []  # (row number, cells) of each batched record

    def refuse(number: int, cells: list[Any], exc: RowInvalid) -> None:
        report.rejected += 1
        for column, reason in exc.problems:
            if len(problems) < MAX_PROBLEMS_LISTED:
                problems.append(RowProblem(number, column, reason))
        if rejects:
            rejects.write(number, cells, exc)

    def flush(batch: list[Any]) -> None:
        try:
            _apply(db, write_batch, batch, report)
        except RowsRefused as exc:
            kept = []
            for record, (number, cells) in zip(batch, sources, strict=True):
                problem = exc.refused.get(key(record))
                if problem is None:
                    kept.append(record)
                else:
                    column, reason = problem
                    refuse(number, cells, RowInvalid([(header_of.get(column, column),
                                                       reason)]))
            if kept:
                _apply(db, write_batch, kept, report)
        sources.clear()

    try:
        with _no_cycle_collection(), _import_pragmas(db), writing(db, command):
            batch: list[Any] = []
            for number, cells in rows:
                report.rows += 1
                if len(cells) >= width:
                    values = {name: cells[index] for index, name in columns}
                else:
                    values = {name: cells[index] if index < len(cells) else None
                              for index, name in columns}
                too_long = None
                for name, value in values.items():
                    if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
                        too_long = name
                try:
                    if too_long:
                        raise RowInvalid([(header_of[too_long],
                                           f"is longer than {MAX_FIELD_CHARS} characters")])
                    builder = RowBuilder(values, header_of)
                    record = convert(builder)
                    builder.done()
                    k = key(record)
                    if k in seen:
                        raise RowInvalid([("", f"repeats the record of row {seen[k]} "
                                               f"({k})")])
                    seen[k] = number
                except RowInvalid as exc:
                    refuse(number, cells, exc)
                    continue
                batch.append(record)
                sources.append((number, cells))
                if len(batch) >= BATCH_SIZE:
                    flush(batch)
                    batch = []
                    if on_progress:
                        on_progress(report.rows)
            if batch:
                flush(batch)
            if on_progress:
                on_progress(report.rows)
            if report.rejected and not skip_invalid:
                problems.sort(key=lambda problem: problem.row)
                raise ImportRefused(str(path), problems, report.rejected)
            if dry_run:
                raise _DryRunDone()
    except _DryRunDone:
        pass
    except BaseException:
        if rejects:
            rejects.discard()
        raise
    if rejects and report.rejected:
        report.rejects_file = rejects.finish()
    elif rejects:
        rejects.discard()
    return report


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


class _RejectsWriter:
    """Writes rejected rows to a temp file, renamed into place only when the import ends."""

    def __init__(self, target: Path, headers: Sequence[str]):
        self.target = target
        if target.is_dir():
            raise InvalidInput(f"The rejects file {target} is a directory; name a file.")
        try:
            # Rejected rows hold personal data: readable by the owner only (0600), under a
            # new, unpredictable name (never through a planted link).
            self.pending = AtomicFile(target, encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise InvalidInput(
                f"Cannot write the rejects file {target}: {exc.strerror}; choose another "
                "place with --rejects."
            ) from None
        self.writer = csv.writer(self.pending.file)
        self.writer.writerow(["row", "error", *(spreadsheet_safe(h) for h in headers)])

    def write(self, number: int, cells: Sequence[Any], exc: RowInvalid) -> None:
        self.writer.writerow([number, spreadsheet_safe(str(exc)),
                              *(spreadsheet_safe(c) for c in cells)])

    def finish(self) -> str:
        return str(self.pending.commit())

    def discard(self) -> None:
        self.pending.discard()


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
