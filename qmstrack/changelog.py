"""The tamper-evident change log.

Triggers (created by the migrations in ``qmstrack.migrations``) append one ``change_log``
entry per inserted, updated or deleted row. At the end of every write transaction qmstrack
*seals* the new entries: one ``change_seals`` row names the command, the time and the entry
range, and its SHA-256 chains the previous seal's hash with the hash of every entry in the
range. Entries written by anything other than qmstrack (the ``sqlite3`` shell, say) stay
unsealed, and an edited or deleted entry breaks the chain; ``verify_chain`` finds both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

GENESIS = "0" * 64


def entry_digest(entry: tuple) -> bytes:
    """Hash one change-log row (id, tbl, row_key, op, old, new) in a canonical form.

    The canonical form: each value as text (``str``; NULL as the empty string), joined by
    the unit separator U+001F, encoded as UTF-8. Auditors recompute it from an export.
    """
    parts = ["" if value is None else str(value) for value in entry]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()


def _range_hash(db: sqlite_utils.Database, prev: str, first_id: int, last_id: int) -> str:
    """SHA-256 of ``prev`` followed by the :func:`entry_digest` of every entry in the range.

    The loop is :func:`entry_digest` inlined (a seal can cover millions of entries, and
    the call and list per entry cost as much as the hashing): an f-string formats a value
    exactly as ``str()`` does, so the digests are the same.
    """
    outer = hashlib.sha256(prev.encode("ascii"))
    update, sha256 = outer.update, hashlib.sha256
    for id_, tbl, key, op, old, new in db.conn.execute(
        "SELECT id, tbl, row_key, op, old, new FROM change_log "
        "WHERE id BETWEEN ? AND ? ORDER BY id",
        [first_id, last_id],
    ):
        update(sha256(
            f"{id_}\x1f{'' if tbl is None else tbl}\x1f{'' if key is None else key}"
            f"\x1f{'' if op is None else op}\x1f{'' if old is None else old}"
            f"\x1f{'' if new is None else new}".encode()).digest())
    return outer.hexdigest()


def seal(db: sqlite_utils.Database, command: str) -> int | None:
    """Seal the entries written since the last seal; return the new seal's id, if any."""
    last = db.execute(
        "SELECT last_id, sha256 FROM change_seals ORDER BY id DESC LIMIT 1"
    ).fetchone()
    last_id, prev = (last[0], last[1]) if last else (0, GENESIS)
    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0]
    if newest is None or newest <= last_id:
        return None
    first_id = last_id + 1
    digest = _range_hash(db, prev, first_id, newest)
    cursor = db.execute(
        "INSERT INTO change_seals (at, command, first_id, last_id, prev_sha256, sha256) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            datetime.now(UTC).isoformat(timespec="seconds"),
            command or "qmstrack",
            first_id,
            newest,
            prev,
            digest,
        ],
    )
    return cursor.lastrowid


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the change log no longer matches its seals."""

    entry_id: int | None
    seal_id: int | None
    message: str


def verify_chain(db: sqlite_utils.Database) -> Iterator[ChainProblem]:
    """Yield the problems found in the hash chain, oldest first."""
    prev = GENESIS
    expected_first = 1
    for seal_id, command, at, first_id, last_id, prev_sha, sha in db.execute(
        "SELECT id, command, at, first_id, last_id, prev_sha256, sha256 "
        "FROM change_seals ORDER BY id"
    ).fetchall():
        label = f"seal {seal_id} ({command!r} at {at})"
        if prev_sha != prev:
            yield ChainProblem(first_id, seal_id, f"{label} does not follow the seal before it")
        if first_id != expected_first:
            yield ChainProblem(
                expected_first,
                seal_id,
                f"change-log entries {expected_first}-{first_id - 1} are not covered by "
                "any seal",
            )
        count = db.execute(
            "SELECT count(*) FROM change_log WHERE id BETWEEN ? AND ?", [first_id, last_id]
        ).fetchone()[0]
        if count != last_id - first_id + 1:
            yield ChainProblem(
                first_id,
                seal_id,
                f"change-log entries {first_id}-{last_id} of {label} were deleted",
            )
        elif _range_hash(db, prev_sha, first_id, last_id) != sha:
            yield ChainProblem(
                first_id,
                seal_id,
                f"change-log entries {first_id}-{last_id} of {label} were altered",
            )
        prev = sha
        expected_first = last_id + 1
    for entry_id, tbl, row_key, op in db.execute(
        "SELECT id, tbl, row_key, op FROM change_log WHERE id >= ? ORDER BY id",
        [expected_first],
    ):
        yield ChainProblem(
            entry_id,
            None,
            f"change-log entry {entry_id} ({op} of {tbl} {row_key}) was written outside "
            "qmstrack",
        )
