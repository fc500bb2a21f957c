"""Peak memory of ``qmstrack export`` of a whole year as the data grows tenfold.

Exports the last full year of two datasets of the same shape, one ten times the other
(100,000 and 1,000,000 requests by default), through the installed ``qmstrack export
--from Y-01-01 --to Y-12-31 --out DIR``, and measures each process's own peak RSS
(``wait4``). The datasets seal their change log month by month, so the year's slice of the
log is a year of entries, as in an office that imports its spreadsheets monthly.

Target: flat memory: the large export's peak RSS at most 1.25x the small one's (a whole
table, or the year's change log, held in memory would make it grow with the data).

    python benchmarks/bench_export.py              # 100,000 vs 1,000,000 requests
    python benchmarks/bench_export.py --quick      # 2,000 vs 20,000 requests
"""

from __future__ import annotations

import shutil
import sys

import datagen
import harness

TARGET = 1.25


def main(argv: list[str] | None = None) -> int:
    p = harness.parser(__doc__.split("\n\n")[0], full_rows=1_000_000, quick_rows=20_000)
    p.add_argument("--repeat", type=int, default=1, help="exports of each size")
    p.add_argument("--zip", action="store_true", help="export to a .zip file")
    args = p.parse_args(argv)
    large = harness.rows_of(args)
    small = large // 10
    qms = harness.qmstrack_exe()
    harness.print_header(f"bench_export: {small:,} vs {large:,} requests")
    workdir = args.workdir or datagen.default_workdir()
    help_run = harness.run([qms, "export", "--help"], check=False)
    if help_run.returncode != 0:
        sys.exit("error: 'qmstrack export' is not available in this version of qmstrack.")
    table = []
    for rows in (small, large):
        shape = datagen.scaled_shape(rows)
        db = datagen.cached("db", shape, workdir, fresh=args.fresh)
        year = shape.end.year - 1
        for _ in range(args.repeat):
            out = workdir / (f"bench-export-{rows}.zip" if args.zip
                             else f"bench-export-{rows}")
            if out.is_dir():
                shutil.rmtree(out)
            elif out.exists():
                out.unlink()
            r = harness.run([qms, "--db", str(db), "export", "--from", f"{year}-01-01",
                             "--to", f"{year}-12-31", "--out", str(out)])
            size = (sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
                    if out.is_dir() else out.stat().st_size)
            table.append({"requests in db": f"{rows:,}", "export": f"{year}",
                          "seconds": f"{r.seconds:.1f}",
                          "peak RSS": f"{r.max_rss_kb / 1024:,.0f} MiB",
                          "bundle": f"{size / 1e6:,.0f} MB", "load": harness.load(),
                          "_rss": r.max_rss_kb})
            print(f"  {rows:,} requests: {r.seconds:.1f} s, peak RSS "
                  f"{r.max_rss_kb / 1024:,.0f} MiB, bundle {size / 1e6:,.0f} MB "
                  f"(load {harness.load()})")
            if out.is_dir():
                shutil.rmtree(out)
            else:
                out.unlink()
    rss_small = min(r["_rss"] for r in table if r["requests in db"] == f"{small:,}")
    rss_large = min(r["_rss"] for r in table if r["requests in db"] == f"{large:,}")
    ratio = rss_large / rss_small
    print()
    harness.print_table(table, ["requests in db", "export", "seconds", "peak RSS", "bundle",
                                "load"])
    print(f"peak RSS ratio (10x the data): {ratio:.2f}; target <= {TARGET}: "
          f"{'MET' if ratio <= TARGET else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
