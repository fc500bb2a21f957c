"""What the benchmark scripts share: finding the programs, running and timing them, the
machine's description, the common command-line options and the printed tables."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def qmstrack_exe() -> str:
    """The installed ``qmstrack`` beside this Python (a venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("qmstrack")
    if beside.exists():
        return str(beside)
    found = shutil.which("qmstrack")
    if not found:
        sys.exit("error: the qmstrack command is not installed; run "
                 "'pip install -e .' in the repository first.")
    return found


def sqlite3_exe() -> str:
    """The ``sqlite3`` shell, the physical floor the benchmarks compare against."""
    found = shutil.which("sqlite3")
    if not found:
        sys.exit("error: the sqlite3 command-line shell is needed for the baseline and was "
                 "not found on PATH; install it (Debian/Ubuntu: 'apt-get install sqlite3', "
                 "macOS: 'brew install sqlite') and run the benchmark again.")
    return found


@dataclass
class Run:
    seconds: float
    max_rss_kb: int
    returncode: int
    stdout: str
    stderr: str


def run(cmd: Sequence[str], *, env: dict | None = None, stdin: str | None = None,
        check: bool = True) -> Run:
    """Run one process; its wall time and its own peak RSS (``wait4``, not the maximum
    over every child so far as ``RUSAGE_CHILDREN`` would give)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as inp:
        if stdin is not None:
            inp.write(stdin.encode())
            inp.seek(0)
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdin=inp, stdout=out, stderr=err,
                                env=env or os.environ.copy())
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Run(seconds, usage.ru_maxrss, proc.returncode,
                     out.read().decode(errors="replace"), err.read().decode(errors="replace"))
    if check and result.returncode != 0:
        sys.exit(f"error: {' '.join(map(str, cmd))} exited with {result.returncode}:\n"
                 f"{result.stderr[-2000:]}")
    return result


def timed(cmd: Sequence[str], repeat: int, **kw) -> tuple[float, list[Run]]:
    """Median wall time of ``repeat`` runs, and the runs."""
    runs = [run(cmd, **kw) for _ in range(repeat)]
    return statistics.median(r.seconds for r in runs), runs


def timed_together(commands: Sequence[tuple[Sequence[str], dict]], repeat: int
                   ) -> list[tuple[float, list[Run]]]:
    """``timed`` for several commands run in turn, round after round.

    Interleaved, every command meets the same changes of the machine's load (a shared
    machine's load drifts over a minute), so the differences between them hold.
    """
    runs: list[list[Run]] = [[] for _ in commands]
    for _ in range(repeat):
        for i, (cmd, kw) in enumerate(commands):
            runs[i].append(run(cmd, **kw))
    return [(statistics.median(r.seconds for r in rs), rs) for rs in runs]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    shell = shutil.which("sqlite3")
    shell_version = "not installed"
    if shell:
        shell_version = subprocess.run([shell, "--version"], capture_output=True,
                                       text=True).stdout.split(" ")[0]
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "sqlite (python)": sqlite3.sqlite_version,
        "sqlite3 shell": shell_version,
    }


def print_header(title: str) -> None:
    print(f"== {title}")
    print("machine: " + "; ".join(f"{k} {v}" for k, v in machine().items()))
    print(f"load average at start: {load()}")


def print_table(rows: list[dict], columns: list[str]) -> None:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns))


def parser(description: str, *, full_rows: int, quick_rows: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--rows", type=int, default=None,
                   help=f"requests in the dataset (default {full_rows:,})")
    p.add_argument("--quick", action="store_true",
                   help=f"a small smoke run ({quick_rows:,} requests)")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where datasets are generated and cached (default "
                        "$QMSTRACK_BENCH_DIR, else $TMPDIR/qmstrack-bench)")
    p.add_argument("--fresh", action="store_true", help="regenerate the cached datasets")
    p.set_defaults(full_rows=full_rows, quick_rows=quick_rows)
    return p


def rows_of(args) -> int:
    if args.rows is not None:
        return args.rows
    return args.quick_rows if args.quick else args.full_rows


def fresh_copy(source: Path, target: Path) -> Path:
    """A private copy of a cached database (commands that write must not change the cache)."""
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(target) + suffix)
        if p.exists():
            p.unlink()
    shutil.copyfile(source, target)
    return target


def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"
