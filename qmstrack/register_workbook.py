"""The export's registers as one XLSX workbook, a sheet per register.

Built from the registers' JSON files the export has just written (one object per line, in
the register's order), so the workbook holds exactly the bundle's rows, redacted or not,
with their types: numbers as numbers, ISO dates as date cells, NIPs, phone numbers and
every other text as text. The auditor opens one file in Excel or LibreOffice instead of
fifteen CSVs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

WORKBOOK_NAME = "registers.xlsx"


def _json_rows(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip().rstrip(",")
            if line.startswith("{"):
                yield json.loads(line)


def _columns(path: Path) -> list[str]:
    for row in _json_rows(path):
        return list(row)
    return []


def write_registers_workbook(registers_dir: Path, registers: Sequence[tuple[str, str]], *,
                             lang: str = "id", columns: dict[str, list[str]] | None = None
                             ) -> Path:
    """Write ``registers_dir/registers.xlsx`` from ``NAME.json`` of each (name, title).

    ``columns`` gives a register's columns when it has no rows (an empty sheet still shows
    its header).
    """
    from qmstrack.sheet_writer import write_workbook

    tables = []
    for name, title in registers:
        source = registers_dir / f"{name}.json"
        names = _columns(source) or list((columns or {}).get(name, []))
        tables.append((title, names, None, _json_rows(source)))
    target = registers_dir / WORKBOOK_NAME
    write_workbook(target, tables, lang=lang, reproducible=True)
    return target
