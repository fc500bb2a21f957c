"""``qmstrack summary --json`` for one day and for a year, against the same figures and lists
computed by one hand-written SQL statement in the ``sqlite3`` shell.

Target: the summary takes at most 2x the SQL plus qmstrack's process start-up:
(summary - start-up) / SQL <= 2. Start-up is what the command costs whatever the data:
the interpreter, the imports, opening and checking the database, writing the JSON. It is
measured as the same command on the same office with no records (the import benchmark's
base database: the same units, services and staff). ``qmstrack --version`` (interpreter and
CLI only) is printed next to it, with the ratio it would give.

    python benchmarks/bench_summary.py             # 1,000,000 requests
    python benchmarks/bench_summary.py --quick     # 20,000 requests
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta

import datagen
import harness

TARGET = 2.0


def baseline_sql(start: date, end: date) -> str:
    """What the summary returns, in one statement written by hand from the SPEC.

    Every count, and the lists the summary gives (the overdue requests and the overdue
    corrective actions, in the summary's order); only the working days late of each
    overdue request are left out, as they need the working-day calendar. The overdue
    requests are two index ranges (never closed; closed after the end), the unary ``+``
    keeping SQLite from reading every request received before the end instead.
    """
    s, e = f"'{start.isoformat()}'", f"'{end.isoformat()}'"
    return f"""
SELECT
  (SELECT count(*) FROM requests WHERE received_on BETWEEN {s} AND {e}) AS received,
  c.completed, c.rejected, c.on_time, o.open, o.overdue,
  a.comply, a.breach, a.na,
  f.open_findings, f.overdue_findings,
  v.responses, v.ikm,
  (SELECT json_group_array(json_object('ref_no', ref_no, 'service_code', service_code,
                                       'unit', unit, 'received_on', received_on,
                                       'due_on', due_on))
   FROM (SELECT * FROM requests
         WHERE closed_on IS NULL AND received_on <= {e} AND due_on < {e}
         UNION ALL
         SELECT * FROM requests
         WHERE closed_on > {e} AND +received_on <= {e} AND due_on < {e}
         ORDER BY due_on, received_on, ref_no)) AS overdue_requests,
  (SELECT json_group_array(json_object('ref_no', ref_no, 'grade', grade,
                                       'clause_ref', clause_ref, 'due_on', due_on,
                                       'unit', unit))
   FROM (SELECT * FROM findings
         WHERE raised_on <= {e} AND (closed_on IS NULL OR closed_on > {e})
           AND due_on IS NOT NULL AND due_on < {e}
         ORDER BY due_on, ref_no)) AS overdue_findings_list
FROM
  (SELECT total(status = 'completed') AS completed, total(status = 'rejected') AS rejected,
          total(status = 'completed' AND closed_on <= due_on) AS on_time
   FROM requests WHERE closed_on BETWEEN {s} AND {e}) AS c,
  (SELECT count(*) AS open, total(due_on < {e}) AS overdue FROM requests
   WHERE received_on <= {e} AND (closed_on IS NULL OR closed_on > {e})) AS o,
  (SELECT total(result = 'comply') AS comply, total(result = 'breach') AS breach,
          total(result = 'na') AS na
   FROM adherence WHERE observed_on BETWEEN {s} AND {e}) AS a,
  (SELECT count(*) AS open_findings, total(due_on < {e}) AS overdue_findings FROM findings
   WHERE raised_on <= {e} AND (closed_on IS NULL OR closed_on > {e})) AS f,
  (SELECT count(*) AS responses,
          (avg(u1) + avg(u2) + avg(u3) + avg(u4) + avg(u5) + avg(u6) + avg(u7) + avg(u8)
           + avg(u9)) / 9 * 25 AS ikm
   FROM surveys WHERE responded_on BETWEEN {s} AND {e}) AS v;
"""


IN_PROCESS = """
import sys, time
from datetime import date
t0 = time.perf_counter()
from qmstrack.db import open_db
from qmstrack.metrics import Period
from qmstrack.summary import build_summary, render
t1 = time.perf_counter()
db = open_db(sys.argv[1])
summary = build_summary(db, Period(date.fromisoformat(sys.argv[2]),
                                   date.fromisoformat(sys.argv[3])))
render(summary, "json", "id")
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def counts_of(summary: dict) -> dict:
    r, a, f = summary["requests"], summary["adherence"], summary["findings"]
    return {"received": r["received"], "completed": r["completed"], "rejected": r["rejected"],
            "on_time": r["on_time"], "open": r["open"], "overdue": r["overdue"],
            "comply": a["comply"], "breach": a["breach"], "na": a["na"],
            "open_findings": f["open"], "overdue_findings": f["overdue"],
            "responses": summary["satisfaction"]["responses"]}


def main(argv: list[str] | None = None) -> int:
    p = harness.parser(__doc__.split("\n\n")[0], full_rows=1_000_000, quick_rows=20_000)
    p.add_argument("--repeat", type=int, default=7, help="runs of each (median is kept)")
    args = p.parse_args(argv)
    rows = harness.rows_of(args)
    qms, shell = harness.qmstrack_exe(), harness.sqlite3_exe()
    harness.print_header(f"bench_summary: {rows:,} requests")
    shape = datagen.scaled_shape(rows)
    db = datagen.cached("db", shape, args.workdir, fresh=args.fresh)
    empty = datagen.cached("base", shape, args.workdir, fresh=args.fresh)
    print(f"database: {db} ({db.stat().st_size / 1e6:,.0f} MB)")
    print(f"no records: {empty}")
    day = shape.end
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    year = shape.end.year - 1
    periods = [("day", day, day, ["--date", day.isoformat()]),
               ("year", date(year, 1, 1), date(year, 12, 31),
                ["--from", f"{year}-01-01", "--to", f"{year}-12-31"])]
    # Warm the page cache and the interpreter's bytecode once; every figure is a median.
    harness.run([qms, "--db", str(db), "summary", "--json", "--date", day.isoformat()])
    harness.run([qms, "--db", str(empty), "summary", "--json", "--date", day.isoformat()])
    version, _ = harness.timed([qms, "--version"], args.repeat)
    print(f"qmstrack --version: {harness.fmt_s(version)} (load {harness.load()})")
    table, ok = [], True
    for label, start, end, options in periods:
        sql = baseline_sql(start, end)
        (t_sql, sql_runs), (t_qms, qms_runs), (startup, _) = harness.timed_together([
            ([shell, "-json", "-readonly", str(db)], {"stdin": sql}),
            ([qms, "--db", str(db), "summary", "--json", *options], {}),
            ([qms, "--db", str(empty), "summary", "--json", *options], {}),
        ], args.repeat)
        summary = json.loads(qms_runs[0].stdout)
        expected = {k: (int(v) if isinstance(v, float) and k != "ikm" else v)
                    for k, v in json.loads(sql_runs[0].stdout)[0].items()}
        got = counts_of(summary)
        same = all(got[k] == expected[k] for k in got)
        listed = [{k: v for k, v in r.items() if k != "days_late"}
                  for r in summary["overdue_requests"]]
        same = (same and listed == json.loads(expected["overdue_requests"])
                and summary["overdue_findings"] == json.loads(
                    expected["overdue_findings_list"]))
        ikm_sql, ikm_qms = expected["ikm"], summary["satisfaction"]["ikm"]
        same = same and (ikm_sql is None) == (ikm_qms is None) and (
            ikm_sql is None or abs(ikm_sql - ikm_qms) < 1e-9)
        if not same:
            print(f"  RESULTS DIFFER for the {label}:\n    qmstrack {got}\n    sql      "
                  f"{ {k: expected[k] for k in got} } (or the overdue lists differ)")
            ok = False
        ratio = (t_qms - startup) / t_sql
        inner = [harness.run([sys.executable, "-c", IN_PROCESS, str(db), start.isoformat(),
                              end.isoformat()]).stdout.split() for _ in range(args.repeat)]
        t_imports = sorted(float(i[0]) for i in inner)[len(inner) // 2]
        t_work = sorted(float(i[1]) for i in inner)[len(inner) // 2]
        table.append({"period": f"{label} {start}..{end}", "sql (sqlite3 shell)":
                      harness.fmt_s(t_sql), "qmstrack summary": harness.fmt_s(t_qms),
                      "start-up (no records)": harness.fmt_s(startup),
                      "(summary - start-up) / sql": f"{ratio:.2f}",
                      "(summary - --version) / sql": f"{(t_qms - version) / t_sql:.2f}",
                      "target": "MET" if ratio <= TARGET else "NOT MET",
                      "in-process work": harness.fmt_s(t_work),
                      "work / sql": f"{t_work / t_sql:.2f}",
                      "its imports": harness.fmt_s(t_imports),
                      "same figures and lists": "yes" if same else "NO",
                      "overdue listed": len(summary["overdue_requests"]),
                      "load": harness.load()})
        print(f"  {label}: received {got['received']:,}, completed {got['completed']:,}, "
              f"open {got['open']:,}, overdue {got['overdue']:,}, observations "
              f"{got['comply'] + got['breach'] + got['na']:,}, responses {got['responses']:,}")
    print()
    harness.print_table(table, list(table[0]))
    print(f"target: summary <= {TARGET:.0f}x the SQL + start-up (the same command with no "
          f"records); medians of {args.repeat} rounds, the SQL, the summary and the start-up "
          "run in turn in each round")
    print("in-process work: open_db + build_summary + render(json) inside one Python process "
          "(no CLI, imports timed apart), i.e. the data work the SQL baseline is compared to")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
