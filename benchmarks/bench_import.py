"""Import of a requests spreadsheet through the installed ``qmstrack request import``,
against the ``sqlite3`` shell's ``.import --csv`` of the same file into a bare table; then
``qmstrack db check`` on the result, and the database's size.

The floor does no validation, no due dates, no indexes, no status events and no change log;
qmstrack does all of that in one transaction, with the tamper evidence (one change-log
entry for the file, the table digests, the seal). Targets, measured in the same run:

- the import: at most 3x the floor;
- ``db check``: at most 3x ``PRAGMA integrity_check`` plus one full scan of each table
  (every row fetched), both on a copy of the same records without any change log
  (no change log, seals, digests, triggers; vacuumed);
- the database file: at most 1.5x that copy.

    python benchmarks/bench_import.py              # 1,000,000 rows
    python benchmarks/bench_import.py --quick      # 20,000 rows
    python benchmarks/bench_import.py --rows 100000 --profile
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import datagen
import harness

TARGET = 3.0
CHECK_TARGET = 3.0
SIZE_TARGET = 1.5


def main(argv: list[str] | None = None) -> int:
    p = harness.parser(__doc__.split("\n\n")[0], full_rows=1_000_000, quick_rows=20_000)
    p.add_argument("--repeat", type=int, default=1, help="runs of each (best is kept)")
    p.add_argument("--check-repeat", type=int, default=3,
                   help="rounds of the baseline and db check, in turn (median kept)")
    p.add_argument("--no-check", action="store_true",
                   help="skip 'qmstrack db check' and the size against the copy without a "
                        "change log")
    p.add_argument("--no-decompose", action="store_true",
                   help="skip writing the same rows by SQL alone (the database's share)")
    p.add_argument("--profile", action="store_true",
                   help="also run the import once under cProfile and print the top entries")
    args = p.parse_args(argv)
    rows = harness.rows_of(args)
    qms, shell = harness.qmstrack_exe(), harness.sqlite3_exe()
    harness.print_header(f"bench_import: {rows:,} requests")
    shape = datagen.scaled_shape(rows)
    workdir = args.workdir or datagen.default_workdir()
    csv_path = datagen.cached("csv", shape, workdir, fresh=args.fresh)
    base = datagen.cached("base", shape, workdir, fresh=args.fresh)
    print(f"file: {csv_path} ({csv_path.stat().st_size / 1e6:,.1f} MB)")

    floor_runs, qms_runs = [], []
    target_db = workdir / "bench-import.db"
    floor_db = workdir / "bench-import-floor.db"
    for _ in range(args.repeat):
        harness.fresh_copy(base, target_db)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(floor_db) + suffix).unlink(missing_ok=True)
        floor = harness.run([shell, str(floor_db), f".import --csv {csv_path} raw"])
        floor_runs.append(floor)
        print(f"  floor  sqlite3 .import --csv: {harness.fmt_s(floor.seconds)} "
              f"(load {harness.load()})")
        result = harness.run([qms, "--db", str(target_db), "request", "import",
                              str(csv_path), "--json"])
        report = json.loads(result.stdout)
        if report["inserted"] != rows or report["rejected"]:
            sys.exit(f"error: the import did not insert every row: {report}")
        qms_runs.append(result)
        print(f"  qmstrack request import:      {harness.fmt_s(result.seconds)} "
              f"(peak RSS {result.max_rss_kb / 1024:,.0f} MiB, load {harness.load()})")
    best_floor = min(r.seconds for r in floor_runs)
    best = min(qms_runs, key=lambda r: r.seconds)
    ratio = best.seconds / best_floor
    print()
    harness.print_table([
        {"what": "sqlite3 .import --csv (floor)", "seconds": f"{best_floor:.2f}",
         "rows/s": f"{rows / best_floor:,.0f}", "ratio": "1.00"},
        {"what": "qmstrack request import", "seconds": f"{best.seconds:.2f}",
         "rows/s": f"{rows / best.seconds:,.0f}", "ratio": f"{ratio:.2f}"},
    ], ["what", "seconds", "rows/s", "ratio"])
    print(f"per row: qmstrack {best.seconds / rows * 1e6:.1f} us, floor "
          f"{best_floor / rows * 1e6:.1f} us; peak RSS {best.max_rss_kb / 1024:,.0f} MiB")
    print(f"target <= {TARGET:.1f}x the floor: {'MET' if ratio <= TARGET else 'NOT MET'} "
          f"({ratio:.2f}x); load at end {harness.load()}")
    counts = harness.run([shell, str(target_db),
                          "SELECT (SELECT count(*) FROM requests), "
                          "(SELECT count(*) FROM request_events), "
                          "(SELECT count(*) FROM change_log), "
                          "(SELECT count(*) FROM change_seals)"]).stdout.strip()
    print(f"database: requests|events|change_log entries|seals = {counts}; "
          f"{target_db.stat().st_size / 1e6:,.0f} MB")
    if not args.no_decompose:
        def timed_sql(label: str, script: str) -> float:
            """Run ``script`` in the sqlite3 shell on a fresh copy of the empty office."""
            sql_db = harness.fresh_copy(base, workdir / "bench-import-sql.db")
            result = harness.run([shell, str(sql_db)], stdin=(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                f"PRAGMA temp_store = MEMORY; ATTACH '{target_db}' AS src; " + script))
            print(f"{label}: {harness.fmt_s(result.seconds)} = "
                  f"{result.seconds / best_floor:.2f}x the floor (load {harness.load()})")
            for suffix in ("", "-wal", "-shm"):
                Path(str(sql_db) + suffix).unlink(missing_ok=True)
            return result.seconds

        # The database's share: the same rows written by SQL alone into the same schema
        # (indexes, foreign keys, change-log triggers), no Python, no seal.
        timed_sql("the same rows written by SQL alone (sqlite3 shell, INSERT ... SELECT into "
                  "the qmstrack schema, change-log triggers firing, no seal)",
                  "PRAGMA foreign_keys = ON; BEGIN;"
                  "INSERT INTO main.requests SELECT * FROM src.requests ORDER BY id;"
                  "INSERT INTO main.request_events SELECT * FROM src.request_events "
                  "ORDER BY id; COMMIT;")
        # The least any import into this schema must write: the request rows alone into
        # the requests table with its unique reference number and the three indexes the
        # metrics read; no change log, no foreign keys, no status events.
        rows_alone = timed_sql(
            "the request rows alone (the same, into the requests table and its four indexes "
            "only: no change log, no foreign keys, no events)",
            "PRAGMA foreign_keys = OFF; DROP TRIGGER log_requests_insert; BEGIN;"
            "INSERT INTO main.requests SELECT * FROM src.requests ORDER BY id; COMMIT;")
        # Python's own share before any checking: the csv module reading every row.
        reading = harness.run([sys.executable, "-c", READ_ONLY, str(csv_path)])
        print(f"Python's csv module reading the file (no conversion, nothing kept): "
              f"{harness.fmt_s(reading.seconds)} = {reading.seconds / best_floor:.2f}x the "
              f"floor (load {harness.load()})")
        # The tamper evidence's least share: every new row's canonical text built by SQLite
        # and hashed into the table digest, as the end of the import does it.
        hashing = digest_seconds(target_db)
        print(f"hashing the imported requests into the table digest (json_object and "
              f"SHAKE-128, qmstrack.changelog.scan_digest, in this process): "
              f"{harness.fmt_s(hashing)} = {hashing / best_floor:.2f}x the floor (load "
              f"{harness.load()})")
        least = rows_alone + reading.seconds + hashing
        print(f"the least one thread does before any cell is checked (the request rows "
              f"alone + reading + hashing): {least / best_floor:.2f}x the floor")
    if not args.no_check:
        check_and_size(qms, target_db, workdir, args.check_repeat)
    if args.profile:
        profile(qms, base, csv_path, workdir)
    return 0


def digest_seconds(path: Path) -> float:
    """Seconds to compute the requests table's digest from scratch, in this process."""
    import time

    import sqlite_utils

    from qmstrack.changelog import scan_digest

    db = sqlite_utils.Database(path)
    started = time.perf_counter()
    scan_digest(db, "requests")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def bare_copy(target_db: Path, copy: Path) -> None:
    """The same records without any change log: no change log, seals, digests, schema
    record or triggers; vacuumed."""
    import sqlite3

    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    conn = sqlite3.connect(target_db)
    conn.execute("VACUUM INTO ?", [str(copy)])
    conn.close()
    conn = sqlite3.connect(copy, isolation_level=None)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                ).fetchall():
        conn.execute(f"DROP TRIGGER [{name}]")
    for table in ("change_log", "change_seals", "table_digests", "schema_objects"):
        conn.execute(f"DROP TABLE IF EXISTS [{table}]")
    conn.execute("VACUUM")
    conn.close()


def integrity_and_scans(path: Path) -> float:
    """Seconds for ``PRAGMA integrity_check`` and one full scan of every table (each row
    fetched), in this process."""
    import sqlite3
    import time

    conn = sqlite3.connect(path)
    started = time.perf_counter()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                 ).fetchall():
        for _row in conn.execute(f"SELECT * FROM [{table}]"):
            pass
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def check_and_size(qms: str, target_db: Path, workdir: Path, repeat: int) -> None:
    import sqlite3

    conn = sqlite3.connect(target_db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    copy = workdir / "bench-import-nolog.db"
    bare_copy(target_db, copy)
    # Baseline and check in turn, round after round (a shared machine's load drifts):
    # the medians.
    import statistics

    baselines, checks = [], []
    for _ in range(repeat):
        baselines.append(integrity_and_scans(copy))
        check = harness.run([qms, "--db", str(target_db), "db", "check"], check=False)
        checks.append(check.seconds)
    baseline = statistics.median(baselines)
    print(f"rounds: baseline {', '.join(f'{b:.1f}' for b in baselines)} s; db check "
          f"{', '.join(f'{c:.1f}' for c in checks)} s")
    ratio = statistics.median(checks) / baseline
    print(f"qmstrack db check: exit {check.returncode}, median "
          f"{harness.fmt_s(statistics.median(checks))}: "
          f"{(check.stdout + check.stderr).strip().splitlines()[-2]}")
    print(f"integrity_check + a full scan of each table, copy without change log: "
          f"{harness.fmt_s(baseline)}; db check / that = {ratio:.2f} (target <= "
          f"{CHECK_TARGET:.1f}: {'MET' if ratio <= CHECK_TARGET else 'NOT MET'}; load "
          f"{harness.load()})")
    size, bare = target_db.stat().st_size, copy.stat().st_size
    print(f"database file {size / 1e6:,.1f} MB, the same records without change log "
          f"{bare / 1e6:,.1f} MB: {size / bare:.2f}x (target <= {SIZE_TARGET:.1f}: "
          f"{'MET' if size / bare <= SIZE_TARGET else 'NOT MET'})")
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)


READ_ONLY = """
import csv, gc, sys
gc.disable()
with open(sys.argv[1], encoding="utf-8-sig", newline="") as fh:
    for row in csv.reader(fh):
        pass
"""


def profile(qms: str, base: Path, csv_path: Path, workdir: Path) -> None:
    import pstats

    target_db = harness.fresh_copy(base, workdir / "bench-import-profile.db")
    out = workdir / "bench-import.prof"
    harness.run([sys.executable, "-m", "cProfile", "-o", str(out), qms, "--db",
                 str(target_db), "request", "import", str(csv_path)])
    print("\nprofile (cProfile adds overhead; tottime, top 25):")
    pstats.Stats(str(out)).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    raise SystemExit(main())
