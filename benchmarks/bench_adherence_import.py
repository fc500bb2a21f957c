"""Import of an adherence sheet whose observations are keyed by the time of day (two
observations of one staff member, rule and day are two records), through the installed
``qmstrack adherence import``: the first import, and the same sheet imported again, which
must change nothing. The re-import looks every row up by its four-column key
(staff, rule, day, import key; ``idx_adherence_import``) instead of inserting it.

Figure: re-import / first import, both in this process's machine and load (interleaved).

    python benchmarks/bench_adherence_import.py            # 200,000 observations
    python benchmarks/bench_adherence_import.py --quick    # 20,000 observations
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import replace

import datagen
import harness


def write_sheet(path, shape) -> int:
    """The observations of ``shape`` as an office's sheet, with a Jam column; every fifth
    observation gets a second one of the same staff member, rule and day in the
    afternoon."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["NIP", "Kode SOP", "Tanggal", "Jam", "Hasil", "Pengamat", "Catatan"])
        for i, (nip, rule, day, _unit, result, observer, note) in enumerate(
                datagen.generate_adherence(shape)):
            out.writerow([nip, rule, day, "09:15", result, observer, note])
            n += 1
            if i % 5 == 0:
                out.writerow([nip, rule, day, "14:40", "comply", observer, ""])
                n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    p = harness.parser(__doc__.split("\n\n")[0], full_rows=200_000, quick_rows=20_000)
    p.add_argument("--repeat", type=int, default=3, help="rounds (the median is kept)")
    args = p.parse_args(argv)
    rows = harness.rows_of(args)
    shape = replace(datagen.Shape(requests=1000, adherence=rows, surveys=0, years=1))
    workdir = args.workdir or datagen.default_workdir()
    workdir.mkdir(parents=True, exist_ok=True)
    base = datagen.cached("base", shape, workdir, fresh=args.fresh)
    sheet = workdir / f"adherence-{shape.label()}.csv"
    written = write_sheet(sheet, shape)
    exe = harness.qmstrack_exe()
    harness.print_header(f"adherence import, {written:,} observations (load "
                         f"{harness.load()})")
    first, again = [], []
    for round_ in range(args.repeat):
        db = harness.fresh_copy(base, workdir / f"bench-adherence-{round_}.db")
        one = harness.run([exe, "--db", str(db), "adherence", "import", str(sheet), "--json"])
        two = harness.run([exe, "--db", str(db), "adherence", "import", str(sheet), "--json"])
        report = json.loads(two.stdout)
        if report["unchanged"] != written or json.loads(one.stdout)["inserted"] != written:
            sys.exit(f"error: expected {written} inserted then unchanged, got "
                     f"{one.stdout[:200]} / {two.stdout[:200]}")
        first.append(one.seconds)
        again.append(two.seconds)
    first.sort()
    again.sort()
    a, b = first[len(first) // 2], again[len(again) // 2]
    harness.print_table([
        {"run": "first import", "median": harness.fmt_s(a)},
        {"run": "re-import (nothing changes)", "median": harness.fmt_s(b)},
    ], ["run", "median"])
    print(f"re-import / first import: {b / a:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
