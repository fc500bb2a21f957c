"""What qmstrack's exit status means; every exit with a code names it from here.

The meanings are the product's promise to scripts and cron (``SPEC.md``, "Conventions"):
0 success, 1 the command failed (bad data, not found, integrity failure), 2 wrong usage
(the number click uses for its own usage errors too), 3 the command ran but found something
that needs attention (``summary --alert`` with overdue work). 130 is the shell's convention
for a command ended by Ctrl-C: 128 + SIGINT (2) (bash(1), "EXIT STATUS":
https://www.man7.org/linux/man-pages/man1/bash.1.html#EXIT_STATUS).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    ATTENTION = 3
    INTERRUPTED = 130
