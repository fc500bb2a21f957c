"""Reading a register of 1,000,000 rows: qmstrack's reader against openpyxl and the csv module.

The same requests register (``datagen``: 13 columns, typed date cells in the workbook) as
XLSX and as CSV. Each reader runs in its own process (its wall time and peak RSS are its
own), in turn, ``--repeat`` times; the best time is kept.

- XLSX: ``sheet_reader`` (the bounds checked on the zip stream, then python-calamine)
  against openpyxl's read-only mode (``iter_rows(values_only=True)``), the reader qmstrack
  used before, and python-calamine alone (what the bounds cost).
- CSV: ``sheet_reader`` (the encoding checked, the delimiter sniffed, the lines and records
  bounded while streaming) against ``csv.reader`` over the open file.

Every reader walks every row and counts the non-empty cells, so none is measured doing less.

    python benchmarks/bench_reader.py              # 1,000,000 rows
    python benchmarks/bench_reader.py --quick      # 20,000 rows
"""

from __future__ import annotations

import sys

import datagen
import harness

READERS = {
    "qmstrack xlsx": """
from pathlib import Path
from qmstrack.sheet_reader import open_workbook
book = open_workbook(Path(PATH))
n = 0
for _, cells in book.rows(book.sheet_names[0]):
    n += sum(1 for c in cells if c is not None)
print(n)
""",
    "calamine alone": """
from python_calamine import CalamineWorkbook
sheet = CalamineWorkbook.from_path(PATH).get_sheet_by_index(0)
n = 0
for cells in sheet.iter_rows():
    n += sum(1 for c in cells if c != "")
print(n)
""",
    "openpyxl read-only": """
import openpyxl
book = openpyxl.load_workbook(PATH, read_only=True, data_only=True)
n = 0
for cells in book.worksheets[0].iter_rows(values_only=True):
    n += sum(1 for c in cells if c not in (None, ""))
print(n)
""",
    "qmstrack csv": """
from pathlib import Path
from qmstrack.sheet_reader import open_workbook
book = open_workbook(Path(PATH))
n = 0
for _, cells in book.rows(""):
    n += sum(1 for c in cells if c is not None)
print(n)
""",
    "csv module": """
import csv
n = 0
with open(PATH, encoding="utf-8", newline="") as fh:
    for cells in csv.reader(fh):
        n += sum(1 for c in cells if c.strip())
print(n)
""",
}
BASELINE = {"qmstrack xlsx": "openpyxl read-only", "calamine alone": "openpyxl read-only",
            "qmstrack csv": "csv module"}


def main(argv: list[str] | None = None) -> int:
    p = harness.parser(__doc__.split("\n\n")[0], full_rows=1_000_000, quick_rows=20_000)
    p.add_argument("--repeat", type=int, default=1, help="runs of each (best is kept)")
    args = p.parse_args(argv)
    rows = harness.rows_of(args)
    harness.print_header(f"bench_reader: {rows:,} rows")
    shape = datagen.scaled_shape(rows)
    workdir = args.workdir or datagen.default_workdir()
    files = {"xlsx": datagen.cached("xlsx", shape, workdir, fresh=args.fresh),
             "csv": datagen.cached("csv", shape, workdir, fresh=args.fresh)}
    for kind, path in files.items():
        print(f"{kind}: {path} ({path.stat().st_size / 1e6:,.1f} MB)")
    results: dict[str, harness.Run] = {}
    counts: dict[str, str] = {}
    for _ in range(args.repeat):
        for name, code in READERS.items():
            path = files["xlsx" if ("xlsx" in name or name.startswith(("calamine", "openpyxl")))
                         else "csv"]
            run = harness.run([sys.executable, "-c", code.replace("PATH", repr(str(path)))])
            counts[name] = run.stdout.strip()
            if name not in results or run.seconds < results[name].seconds:
                results[name] = run
    table = []
    for name, run in results.items():
        base = BASELINE.get(name)
        table.append({
            "reader": name, "seconds": harness.fmt_s(run.seconds),
            "peak RSS MB": f"{run.max_rss_kb / 1024:,.0f}", "cells": counts[name],
            "vs baseline": (f"{run.seconds / results[base].seconds:.2f}x {base}"
                            if base else "baseline"),
        })
    harness.print_table(table, ["reader", "seconds", "peak RSS MB", "cells", "vs baseline"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
