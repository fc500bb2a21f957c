"""Writing one batch of an import on a second thread while the next batch is checked.

SQLite releases Python's global interpreter lock while it steps a statement, so the
INSERTs of one batch can run on a second core while Python reads, checks and converts the
cells of the next. The connection is shared by the two threads but never used by both at
once: :meth:`WriteBehind.submit` starts a batch's writes only after the previous batch's
have ended, and the import calls :meth:`WriteBehind.settle` before it uses the connection
for anything else (at the start of every batch, after the last row of every sheet, and
whenever it stops early). Whatever the writes raised, ``settle`` raises again in the
importing thread, so an import fails exactly as it would have without the second thread,
inside the same transaction, which is then rolled back.

A connection that may be used only by the thread that opened it (``sqlite3``'s default;
qmstrack's own are opened without that check, ``qmstrack.db``) gets no second thread: the
writes then run at once, in ``submit``. Measured in ``benchmarks/README.md``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import sqlite_utils


def usable_from_another_thread(db: sqlite_utils.Database) -> bool:
    """Whether ``db``'s connection accepts a statement from a thread that did not open it."""
    answer: list[bool] = []

    def probe() -> None:
        try:
            db.conn.execute("SELECT 1").fetchone()
        except sqlite3.ProgrammingError:
            answer.append(False)
        else:
            answer.append(True)

    thread = threading.Thread(target=probe, name="qmstrack-write-behind-probe", daemon=True)
    thread.start()
    thread.join()
    return answer == [True]


class WriteBehind:
    """At most one piece of write work running on a second thread, its error kept."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.threaded = usable_from_another_thread(db)
        # Set when the work running behind has ended. An Event, not Thread.join(): a join
        # that Ctrl-C interrupts can leave the thread looking stopped while it still runs
        # (Python 3.11, bpo-45274's fix).
        self._ended: threading.Event | None = None
        self._error: BaseException | None = None

    def submit(self, work: Callable[[], None]) -> None:
        """Run ``work`` (statements on the connection, nothing else) behind the caller,
        once the work submitted before it has ended."""
        self.settle()
        if not self.threaded:
            work()
            return
        ended = self._ended = threading.Event()
        threading.Thread(target=self._run, args=(work, ended), name="qmstrack-write-behind",
                         daemon=True).start()

    def _run(self, work: Callable[[], None], ended: threading.Event) -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - raised again by settle()
            self._error = exc
        finally:
            ended.set()

    def settle(self) -> None:
        """Wait for the work running behind, and raise what it raised.

        The wait is not cut short by Ctrl-C: the connection must be free before the
        interrupt rolls the transaction back; the interrupt is raised once it is.
        """
        ended, self._ended = self._ended, None
        interrupted: BaseException | None = None
        while ended is not None and not ended.is_set():
            try:
                ended.wait()
            except KeyboardInterrupt as exc:
                interrupted = exc
        error, self._error = self._error, None
        if interrupted is not None:
            raise interrupted
        if error is not None:
            raise error

    def abandon(self) -> None:
        """Wait for the work running behind and drop its error: for a caller that is
        already failing with its own."""
        try:
            self.settle()
        except Exception:  # noqa: BLE001 - the caller's own error is the one reported
            pass
