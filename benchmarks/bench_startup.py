"""Start-up: ``qmstrack --version`` and ``qmstrack --help`` (in English and in Indonesian)
against ``python -c "import typer"`` (the least any Typer program pays). Target: at most 1.5x.

Also prints where the start-up time goes: the slowest imports (``python -X importtime``,
cumulative, top level packages and qmstrack's own modules) and, with ``--profile``, a
cProfile of ``qmstrack --help`` by cumulative time.

    python benchmarks/bench_startup.py
    python benchmarks/bench_startup.py --runs 31 --profile
"""

from __future__ import annotations

import argparse
import re
import sys

import harness

TARGET = 1.5


def import_profile(cmd: list[str]) -> list[tuple[int, int, int, str]]:
    """(self us, cumulative us, depth, module) of every import ``cmd`` makes."""
    result = harness.run([sys.executable, "-X", "importtime", *cmd], env=_env())
    rows = []
    for line in result.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if m:
            rows.append((int(m[1]), int(m[2]), len(m[3]) // 2, m[4]))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=15, help="runs of each (median is kept)")
    p.add_argument("--quick", action="store_true", help="5 runs of each")
    p.add_argument("--profile", action="store_true", help="also cProfile 'qmstrack --help'")
    args = p.parse_args(argv)
    runs = 5 if args.quick else args.runs
    qms = harness.qmstrack_exe()
    harness.print_header(f"bench_startup: medians of {runs} runs")
    # One warm-up run each, so that bytecode caches exist and files are in the page cache.
    for cmd in ([qms, "--version"], [qms, "--help"], [sys.executable, "-c", "import typer"]):
        harness.run(cmd)
    base, _ = harness.timed([sys.executable, "-c", "import typer"], runs)
    bare, _ = harness.timed([sys.executable, "-c", "pass"], runs)
    table = [{"command": 'python -c "pass"', "median": harness.fmt_s(bare), "ratio": "",
              "target": "", "load": harness.load()},
             {"command": 'python -c "import typer"', "median": harness.fmt_s(base),
              "ratio": "1.00", "target": "(baseline)", "load": harness.load()}]
    # In Indonesian the help is translated, from the catalogue an earlier run compiled (the
    # warm-up run writes it to the user cache).
    indonesian = {**_env(), "LANG": "id_ID.UTF-8", "LANGUAGE": "", "LC_ALL": ""}
    harness.run([qms, "--help"], env=indonesian)
    for label, cmd, env in (("qmstrack --version", [qms, "--version"], None),
                            ("qmstrack --help", [qms, "--help"], None),
                            ("LANG=id_ID.UTF-8 qmstrack --help", [qms, "--help"], indonesian)):
        t, _ = harness.timed(cmd, runs, env=env)
        table.append({"command": label, "median": harness.fmt_s(t),
                      "ratio": f"{t / base:.2f}",
                      "target": "MET" if t / base <= TARGET else "NOT MET",
                      "load": harness.load()})
    # Not a target: the least a real subcommand pays (it parses its options).
    t, _ = harness.timed([qms, "db", "path"], runs, env=_env())
    table.append({"command": "qmstrack db path (for comparison)", "median": harness.fmt_s(t),
                  "ratio": f"{t / base:.2f}", "target": "", "load": harness.load()})
    harness.print_table(table, ["command", "median", "ratio", "target", "load"])
    print(f"target: at most {TARGET}x 'import typer'")

    for label, cmd in (("qmstrack --version", [qms, "--version"]),
                       ("qmstrack db path", [qms, "db", "path"])):
        rows = import_profile(cmd)
        total = sum(r[0] for r in rows)
        print(f"\nimports of '{label}' (python -X importtime): {len(rows)} modules, "
              f"{total / 1000:.0f} ms in total (self times)")
        print("top-level imports by cumulative time (nested ones are inside them):")
        tops = sorted((r for r in rows if r[2] == 0), key=lambda r: -r[1])[:8]
        harness.print_table([{"module": r[3], "cumulative ms": f"{r[1] / 1000:.1f}",
                              "self ms": f"{r[0] / 1000:.1f}"} for r in tops],
                            ["module", "cumulative ms", "self ms"])
    print("slowest single modules of 'qmstrack db path' (self time):")
    slow = sorted(rows, key=lambda r: -r[0])[:12]
    harness.print_table([{"module": r[3], "self ms": f"{r[0] / 1000:.1f}",
                          "cumulative ms": f"{r[1] / 1000:.1f}"} for r in slow],
                        ["module", "self ms", "cumulative ms"])
    print("qmstrack's own modules imported by 'qmstrack db path':")
    own = [r for r in rows if r[3].startswith("qmstrack")]
    print("  " + ", ".join(f"{r[3]} {r[1] / 1000:.1f} ms" for r in own))
    if args.profile:
        profile(qms)
    return 0


def _env() -> dict:
    import os
    import tempfile

    return {**os.environ, "QMSTRACK_DB": os.path.join(tempfile.gettempdir(), "none.db")}


def profile(qms: str) -> None:
    import pstats
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".prof") as fh:
        harness.run([sys.executable, "-m", "cProfile", "-o", fh.name, qms, "--help"])
        print("\ncProfile of 'qmstrack --help' (cumulative, top 30):")
        pstats.Stats(fh.name).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    sys.exit(main())
