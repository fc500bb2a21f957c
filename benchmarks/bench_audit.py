"""The monthly internal audit and the report of a year-long audit on the large database.

Measured, each through the installed ``qmstrack`` on a private copy of the cached database:

1. ``qmstrack audit --period <last month> --no-input`` (starts the audit, evaluates every
   metric-bound item, writes the Markdown and HTML reports), then the same again (resumes);
2. ``qmstrack audit --from Y-01-01 --to Y-12-31 --no-input`` (a year-long audit);
3. ``qmstrack audit report ID --format md,html`` for that year-long audit.

Baseline: the process start-up (``qmstrack --version``). Target: under 2 s each.

    python benchmarks/bench_audit.py               # 1,000,000 requests
    python benchmarks/bench_audit.py --quick       # 20,000 requests
"""

from __future__ import annotations

import json
import statistics
import sys

import datagen
import harness

TARGET_SECONDS = 2.0


def main(argv: list[str] | None = None) -> int:
    p = harness.parser(__doc__.split("\n\n")[0], full_rows=1_000_000, quick_rows=20_000)
    p.add_argument("--repeat", type=int, default=3, help="runs of each (median is kept)")
    args = p.parse_args(argv)
    rows = harness.rows_of(args)
    qms = harness.qmstrack_exe()
    harness.print_header(f"bench_audit: {rows:,} requests")
    shape = datagen.scaled_shape(rows)
    workdir = args.workdir or datagen.default_workdir()
    cached = datagen.cached("db", shape, workdir, fresh=args.fresh)
    print(f"database: {cached} ({cached.stat().st_size / 1e6:,.0f} MB)")
    month = f"{shape.end.year}-{shape.end.month:02d}"
    year = shape.end.year - 1
    out = workdir / "bench-audit-reports"
    startup, _ = harness.timed([qms, "--version"], 7)
    print(f"start-up (qmstrack --version): {harness.fmt_s(startup)} (load {harness.load()})")
    table = []

    def row(what: str, command: str, seconds: list[float]) -> None:
        median = statistics.median(seconds)
        table.append({"what": what, "command": command, "median": harness.fmt_s(median),
                      "runs": ", ".join(f"{s:.2f}" for s in seconds),
                      "target < 2 s": "MET" if median < TARGET_SECONDS else "NOT MET",
                      "load": harness.load()})

    first, resumed, year_runs, report_runs = [], [], [], []
    year_id = None
    for i in range(args.repeat):
        db = harness.fresh_copy(cached, workdir / "bench-audit.db")
        base = [qms, "--db", str(db), "audit"]
        r = harness.run([*base, "--period", month, "--no-input", "--out", str(out), "--json"])
        first.append(r.seconds)
        r = harness.run([*base, "--period", month, "--no-input", "--out", str(out), "--json"])
        resumed.append(r.seconds)
        r = harness.run([*base, "--from", f"{year}-01-01", "--to", f"{year}-12-31",
                         "--no-input", "--out", str(out), "--json"])
        year_runs.append(r.seconds)
        result = json.loads(r.stdout)
        year_id = result["audit_id"]
        if i == 0:
            print(f"  year-long audit {year_id}: {result['counts']}")
        for _ in range(args.repeat if i == 0 else 0):
            r = harness.run([*base, "report", str(year_id), "--format", "md,html",
                             "--out", str(out)])
            report_runs.append(r.seconds)
        print(f"  run {i + 1}: month {first[-1]:.2f} s, resumed {resumed[-1]:.2f} s, year "
              f"{year_runs[-1]:.2f} s (load {harness.load()})")
    row(f"monthly audit {month} (new)", f"audit --period {month} --no-input", first)
    row(f"monthly audit {month} (resumed)", f"audit --period {month} --no-input", resumed)
    row(f"year-long audit {year}", f"audit --from {year}-01-01 --to {year}-12-31 --no-input",
        year_runs)
    row(f"report of the {year} audit", f"audit report {year_id} --format md,html",
        report_runs)
    print()
    harness.print_table(table, list(table[0]))
    print(f"baseline: start-up {harness.fmt_s(startup)}; every figure includes it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
