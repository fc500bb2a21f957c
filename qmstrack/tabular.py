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
import csv
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.csvsafe import spreadsheet_safe
from qmstrack.db import writing
from qmstrack.errors import ImportRefused, InvalidInput, RowProblem, UsageError
from qmstrack.parsing import normalise_header

MAX_FIELD_CHARS = 10_000
MAX_PROBLEMS_LISTED = 1000
BATCH_SIZE = 2000

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
        value = self.raw(name)
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
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInput(f"{path} is not a readable XLSX workbook ({exc}).") from None
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
    except (KeyError, IndexError):
        raise InvalidInput(f"{path} has no sheet {sheet!r}.") from None
    it = ws.iter_rows(values_only=True)
    number = 0
    headers = None
    for cells in it:
        number += 1
        if any(c not in (None, "") for c in cells):
            headers = ["" if c is None else str(c) for c in cells]
            break
    if headers is None:
        book.close()
        raise InvalidInput(f"{path} is empty; it needs a header row and data rows.")

    def rows() -> Rows:
        n = number
        try:
            for cells in it:
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
    try:
        with writing(db, command):
            batch: list[Any] = []
            for number, cells in rows:
                report.rows += 1
                values: dict[str, Any] = {}
                too_long = None
                for index, name in mapping.items():
                    value = cells[index] if index < len(cells) else None
                    if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
                        too_long = name
                    values[name] = value
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
                    report.rejected += 1
                    for column, reason in exc.problems:
                        if len(problems) < MAX_PROBLEMS_LISTED:
                            problems.append(RowProblem(number, column, reason))
                    if rejects:
                        rejects.write(number, cells, exc)
                    continue
                batch.append(record)
                if len(batch) >= BATCH_SIZE:
                    _apply(db, write_batch, batch, report)
                    batch = []
                    if on_progress:
                        on_progress(report.rows)
            if batch:
                _apply(db, write_batch, batch, report)
            if on_progress:
                on_progress(report.rows)
            if report.rejected and not skip_invalid:
                raise ImportRefused(str(path), problems, report.rejected)
            if dry_run:
                raise _DryRunDone()
    except _DryRunDone:
        pass
    except BaseException:
        if rejects:
            rejects.discard()
        raise
    if rejects:
        report.rejects_file = rejects.finish() if report.rejected else rejects.discard()
    return report


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
        self.tmp = target.with_name(f".{target.name}.{os.getpid()}.partial")
        try:
            # Rejected rows hold personal data: readable by the owner only, like the database.
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise InvalidInput(
                f"Cannot write the rejects file {target}: {exc.strerror}; choose another "
                "place with --rejects."
            ) from None
        self.fh = open(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.fh)
        self.writer.writerow(["row", "error", *(spreadsheet_safe(h) for h in headers)])

    def write(self, number: int, cells: Sequence[Any], exc: RowInvalid) -> None:
        self.writer.writerow([number, spreadsheet_safe(str(exc)),
                              *(spreadsheet_safe(c) for c in cells)])

    def finish(self) -> str:
        self.fh.close()
        os.replace(self.tmp, self.target)
        return str(self.target)

    def discard(self) -> None:
        self.fh.close()
        if self.tmp.exists():
            self.tmp.unlink()
        return None


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
    cursor = db.execute(
        f"SELECT * FROM [{table}] WHERE [{pk}] IN ({', '.join('?' for _ in batch)})",
        [r[pk] for r in batch],
    )
    names = [d[0] for d in cursor.description]
    existing = {row[names.index(pk)]: dict(zip(names, row, strict=True)) for row in cursor}
    for record in batch:
        old = existing.get(record[pk])
        if old is None:
            db[table].insert(record)
            inserted += 1
        elif all(old.get(k) == v for k, v in record.items()):
            unchanged += 1
        else:
            db[table].update(record[pk], record)
            updated += 1
    return inserted, updated, unchanged
