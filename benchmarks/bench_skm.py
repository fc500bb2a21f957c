"""The SKM report of a year (every scope: the office, each unit, each service; the trend's
two previous years; the profile), against the same figures computed by hand-written SQL
on the same connection, in the same process.

The baseline is what the report's figures need and no more: one GROUP BY over the year's
responses per service (count and the nine averages), the same per unit and overall, the
requests received per service and unit, the profile counts, and the two previous years'
averages. Ratio = survey_report_data / baseline; then the files (md, html, xlsx) are timed
on their own.

    python benchmarks/bench_skm.py             # 1,000,000 requests, 100,000 responses
    python benchmarks/bench_skm.py --quick     # 20,000 requests
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import datagen
import harness

AVG = ", ".join(f"avg(u{i})" for i in range(1, 10))


def baseline(conn, start: str, end: str) -> list:
    """The report's figures by hand (SQL only, no formatting)."""
    out = []
    for group in ("service_code", "unit", "'all'"):
        out.append(conn.execute(
            f"SELECT {group}, count(*), {AVG} FROM surveys WHERE responded_on BETWEEN ? AND ? "
            f"GROUP BY {group}", [start, end]).fetchall())
        out.append(conn.execute(
            f"SELECT {group}, count(*) FROM requests WHERE received_on BETWEEN ? AND ? "
            f"GROUP BY {group}", [start, end]).fetchall())
        for column in ("sex", "age_band", "education", "occupation"):
            out.append(conn.execute(
                f"SELECT {group}, {column}, count(*) FROM surveys WHERE responded_on "
                f"BETWEEN ? AND ? GROUP BY 1, 2", [start, end]).fetchall())
    for year in (int(start[:4]) - 2, int(start[:4]) - 1):
        out.append(conn.execute(
            f"SELECT count(*), {AVG} FROM surveys WHERE responded_on BETWEEN ? AND ?",
            [f"{year}-01-01", f"{year}-12-31"]).fetchall())
    return out


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    p = harness.parser(__doc__.split("\n\n")[0], full_rows=1_000_000, quick_rows=20_000)
    p.add_argument("--repeat", type=int, default=5, help="runs of each (median is kept)")
    args = p.parse_args(argv)
    rows = harness.rows_of(args)
    harness.print_header(f"bench_skm: {rows:,} requests")
    shape = datagen.scaled_shape(rows)
    path = datagen.cached("db", shape, args.workdir, fresh=args.fresh)
    print(f"database: {path} ({path.stat().st_size / 1e6:,.0f} MB)")

    from qmstrack.db import open_db
    from qmstrack.survey_report import survey_report_data, write_survey_report

    db = open_db(path)
    year = shape.end.year - 1
    start, end = date(year, 1, 1), date(year, 12, 31)
    data = survey_report_data(db, start=start, end=end, today=shape.end)
    responses = data["overall"]["responses"]
    base = baseline(db.conn, start.isoformat(), end.isoformat())
    by_hand = next(r for r in base[0] if r[0] is not None)
    assert sum(r[1] for r in base[0]) == responses, "the baseline counts other responses"
    print(f"year {year}: {responses:,} responses, {len(data['services'])} services, "
          f"{len(data['units'])} units (first service by hand: {by_hand[0]})")
    t_base = median_time(lambda: baseline(db.conn, start.isoformat(), end.isoformat()),
                         args.repeat)
    t_data = median_time(lambda: survey_report_data(db, start=start, end=end,
                                                    today=shape.end), args.repeat)
    with tempfile.TemporaryDirectory() as out:
        t_files = median_time(lambda: write_survey_report(
            db, Path(out), formats=("md", "html", "xlsx"), start=start, end=end,
            today=shape.end), max(1, args.repeat // 2))
    db.close()
    harness.print_table([
        {"what": "hand-written SQL (baseline)", "time": harness.fmt_s(t_base), "ratio": "1.00"},
        {"what": "survey_report_data (JSON figures)", "time": harness.fmt_s(t_data),
         "ratio": f"{t_data / t_base:.2f}"},
        {"what": "report files md + html + xlsx", "time": harness.fmt_s(t_files),
         "ratio": f"{t_files / t_base:.2f}"},
    ], ["what", "time", "ratio"])
    print(f"load: {harness.load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
