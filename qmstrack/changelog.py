"""The tamper-evident change log: entries, table digests, the schema, and their seals.

Three things are kept, and sealed together at the end of every qmstrack write transaction
(``qmstrack.db.writing``):

- ``change_log``: who changed what. Triggers (``qmstrack.migrations``) append one entry per
  inserted, updated or deleted row with its old and new state; a bulk import writes one
  ``import`` entry instead (:func:`bulk`), naming the file's SHA-256, the counts and the
  keys of the records it wrote.
- ``table_digests``: per table, the number of rows and a *multiset hash* of its rows: the
  sum, modulo 2^2048, of the 2048-bit SHAKE-128 digest of every row's canonical text (the
  table's name, U+001F, then the ``json_object`` of the row's columns, exactly as the
  change triggers write ``new``). Adding or removing a row adds or subtracts its digest, so
  each write transaction keeps the digests up to date from the rows it wrote, and
  ``qmstrack db check`` recomputes them from scratch in one scan per table. Why this hash:
  ``docs/tamper-evidence.md``.
- ``schema_objects``: every table, index, trigger and view of ``sqlite_master``, as text.

A *seal* (``change_seals``, version 2) hashes every one of its fields: the previous seal's
hash, its id, time, command, user, the range of entries it covers and their hashes, the
schema's hash and the table digests' hash. Before a write, :func:`guard` refuses to go on
when it sees what no seal covers: entries written since the last seal, a schema or table
digests that differ from the sealed ones. Seals of version 1 (before ``m007``) hashed the
entries only; they are still verified as they were made.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from qmstrack.errors import IntegrityFailure

GENESIS = "0" * 64
SEAL_VERSION = 2
USER_ENV = "QMSTRACK_USER"

#: The multiset hash: the sum of 2048-bit digests, modulo 2^2048.
DIGEST_BYTES = 256
MODULUS = 1 << (8 * DIGEST_BYTES)

#: Tables that are qmstrack's own bookkeeping, not records: never digested.
BOOKKEEPING = frozenset({"change_log", "change_seals", "table_digests", "schema_objects",
                         "_sqlite_migrations"})


# --- entries --------------------------------------------------------------------------


def entry_digest(entry: tuple) -> bytes:
    """Hash one change-log row (id, tbl, row_key, op, old, new) in a canonical form.

    The canonical form: each value as text (``str``; NULL as the empty string), joined by
    the unit separator U+001F, encoded as UTF-8. Auditors recompute it from an export.
    """
    parts = ["" if value is None else str(value) for value in entry]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()


def _range_hash(db: sqlite_utils.Database, prev: str, first_id: int, last_id: int) -> str:
    """SHA-256 of ``prev`` followed by the :func:`entry_digest` of every entry in the range.

    The loop is :func:`entry_digest` inlined (an f-string formats a value exactly as
    ``str()`` does, so the digests are the same).
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


# --- the shape of a table, as the triggers and the digests see it ----------------------


def table_columns(db: sqlite_utils.Database, table: str) -> tuple[list[str], list[str]]:
    """The columns of ``table`` and its key columns, exactly as the change triggers use them."""
    info = db.execute(f"PRAGMA table_info([{table}])").fetchall()
    columns = [r[1] for r in info]
    pks = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])] or ["rowid"]
    return columns, pks


def row_object_sql(columns: list[str], alias: str) -> str:
    """The canonical text of a row: the ``json_object`` the change triggers write."""
    return "json_object(" + ", ".join(f"'{c}', {alias}.[{c}]" for c in columns) + ")"


def row_key_sql(pks: list[str], alias: str) -> str:
    if len(pks) == 1:
        return f"CAST({alias}.[{pks[0]}] AS TEXT)"
    return "json_array(" + ", ".join(f"{alias}.[{c}]" for c in pks) + ")"


def digested_tables(db: sqlite_utils.Database) -> list[str]:
    """Every table of records: all tables but SQLite's and qmstrack's bookkeeping."""
    return [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name") if name not in BOOKKEEPING]


# --- the multiset hash ----------------------------------------------------------------


def row_digest(table: str, text: str) -> int:
    """The 2048-bit digest of one row's canonical text, as an integer."""
    return int.from_bytes(hashlib.shake_128(f"{table}\x1f{text}".encode()).digest(DIGEST_BYTES),
                          "little")


def scan_digest(db: sqlite_utils.Database, table: str) -> tuple[int, int]:
    """(rows, digest) of ``table`` computed from scratch: one scan."""
    columns, _pks = table_columns(db, table)
    prefix = f"{table}\x1f".encode()
    shake, from_bytes = hashlib.shake_128, int.from_bytes
    total = rows = 0
    for (text,) in db.conn.execute(f"SELECT {row_object_sql(columns, 't')} FROM [{table}] AS t"):
        total += from_bytes(shake(prefix + text.encode()).digest(DIGEST_BYTES), "little")
        rows += 1
    return rows, total % MODULUS


def _hex(value: int) -> str:
    return (value % MODULUS).to_bytes(DIGEST_BYTES, "little").hex()


def _int(text: str) -> int:
    return int.from_bytes(bytes.fromhex(text), "little")


def stored_digests(db: sqlite_utils.Database) -> dict[str, tuple[int, int]]:
    """table -> (rows, digest) as sealed in ``table_digests``."""
    return {tbl: (rows, _int(digest)) for tbl, rows, digest in db.execute(
        "SELECT tbl, rows, digest FROM table_digests")}


def _apply_delta(db: sqlite_utils.Database, delta: dict[str, list[int]]) -> None:
    if not delta:
        return
    stored = stored_digests(db)
    for table, (rows, digest) in delta.items():
        old_rows, old_digest = stored.get(table, (0, 0))
        db.execute("INSERT OR REPLACE INTO table_digests (tbl, rows, digest) VALUES (?, ?, ?)",
                   [table, old_rows + rows, _hex(old_digest + digest)])


def set_digest(db: sqlite_utils.Database, table: str, rows: int, digest: int) -> None:
    db.execute("INSERT OR REPLACE INTO table_digests (tbl, rows, digest) VALUES (?, ?, ?)",
               [table, rows, _hex(digest)])


def _entries_delta(db: sqlite_utils.Database, first_id: int, last_id: int,
                   delta: dict[str, list[int]]) -> None:
    """What the per-row entries in the range did to the tables' digests."""
    for tbl, old, new in db.conn.execute(
            "SELECT tbl, old, new FROM change_log WHERE id BETWEEN ? AND ? AND op <> 'import'",
            [first_id, last_id]):
        acc = delta.setdefault(tbl, [0, 0])
        if old is not None:
            acc[0] -= 1
            acc[1] -= row_digest(tbl, old)
        if new is not None:
            acc[0] += 1
            acc[1] += row_digest(tbl, new)


def state_digest(db: sqlite_utils.Database) -> str:
    """SHA-256 of every table's (rows, digest), in table order."""
    outer = hashlib.sha256()
    for tbl, rows, digest in db.execute(
            "SELECT tbl, rows, digest FROM table_digests ORDER BY tbl"):
        outer.update(f"{tbl}\x1f{rows}\x1f{digest}\n".encode())
    return outer.hexdigest()


# --- the schema -----------------------------------------------------------------------


def current_schema(db: sqlite_utils.Database) -> list[tuple[str, str, str, str]]:
    """(type, name, table, SQL) of every object in ``sqlite_master``, in a fixed order."""
    return [(t, n, tb, sql or "") for t, n, tb, sql in db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")]


def sealed_schema(db: sqlite_utils.Database) -> list[tuple[str, str, str, str]]:
    return [tuple(r) for r in db.execute(
        "SELECT type, name, tbl_name, sql FROM schema_objects ORDER BY type, name")]


def schema_digest(objects: list[tuple[str, str, str, str]]) -> str:
    outer = hashlib.sha256()
    for obj in objects:
        outer.update(("\x1f".join(obj) + "\n").encode())
    return outer.hexdigest()


def _record_schema(db: sqlite_utils.Database, objects: list[tuple[str, str, str, str]]) -> None:
    db.execute("DELETE FROM schema_objects")
    db.conn.executemany(
        "INSERT INTO schema_objects (type, name, tbl_name, sql) VALUES (?, ?, ?, ?)", objects)


# --- who and what ---------------------------------------------------------------------


def current_user(db: sqlite_utils.Database | None = None) -> str:
    """Who runs the command: ``--as NAME``, else ``QMSTRACK_USER``, else the OS user."""
    named = getattr(db, "qms_user", None) if db is not None else None
    if named:
        return str(named)
    env = os.environ.get(USER_ENV, "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- seals ----------------------------------------------------------------------------


SEAL_FIELDS = ("id", "at", "command", "user", "first_id", "last_id", "prev_sha256",
               "entries_sha256", "schema_sha256", "state_sha256", "history_sha256")


def seal_hash(seal: dict[str, Any]) -> str:
    """SHA-256 of every field of a version-2 seal (U+001F between them, UTF-8)."""
    parts = [f"qmstrack-seal-{SEAL_VERSION}"] + [str(seal[k]) for k in SEAL_FIELDS]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def history_hash(db: sqlite_utils.Database, before_id: int) -> str:
    """SHA-256 of every field of the seals before ``before_id`` (the version-1 ones)."""
    outer = hashlib.sha256()
    for row in db.execute(
            "SELECT id, at, command, first_id, last_id, prev_sha256, sha256 FROM change_seals "
            "WHERE id < ? ORDER BY id", [before_id]):
        outer.update(("\x1f".join(str(v) for v in row) + "\n").encode())
    return outer.hexdigest()


def _last_seal(db: sqlite_utils.Database) -> dict[str, Any] | None:
    cursor = db.execute("SELECT * FROM change_seals ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def reset_pending(db: sqlite_utils.Database) -> None:
    """Forget what :func:`bulk` recorded for a seal (a new write transaction begins)."""
    vars(db)["qms_bulk_delta"] = {}


def seal(db: sqlite_utils.Database, command: str, *, history: bool = False,
         force: bool = False, take_entries: bool = True,
         rescanned: frozenset[str] = frozenset()) -> int | None:
    """Seal what this transaction wrote: its entries, the digests, the schema.

    The digests are brought up to date from the entries written since the last seal and
    from what :func:`bulk` recorded (``db.qms_bulk_delta``). Nothing to seal (no entry, the
    same schema and digests) writes no seal, unless ``force``. ``history`` makes the seal
    hash every field of the seals before it (the migration from version-1 seals does).
    Without ``take_entries`` the entries written since the last seal stay unsealed (they
    were not written by qmstrack). The digests of ``rescanned`` tables were just computed
    from scratch: the entries do not change them again.
    """
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'table_digests'").fetchone() is None:
        return legacy_seal(db, command)  # a database not migrated to m007 yet
    last = _last_seal(db)
    last_id = last["last_id"] if last else 0
    prev = last["sha256"] if last else GENESIS
    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0] or 0
    if not take_entries:
        newest = last_id
    delta: dict[str, list[int]] = {}
    for table, (rows, digest) in (getattr(db, "qms_bulk_delta", None) or {}).items():
        delta[table] = [rows, digest]
    if newest > last_id:
        _entries_delta(db, last_id + 1, newest, delta)
    _apply_delta(db, {t: d for t, d in delta.items() if t not in rescanned})
    reset_pending(db)
    objects = current_schema(db)
    schema = schema_digest(objects)
    state = state_digest(db)
    unchanged = (last is not None and last.get("version") == SEAL_VERSION
                 and last["schema_sha256"] == schema and last["state_sha256"] == state)
    if newest <= last_id and unchanged and not force:
        return None
    if last is None or last.get("schema_sha256") != schema:
        _record_schema(db, objects)
    seal_id = (last["id"] if last else 0) + 1
    fields: dict[str, Any] = {
        # ``db.qms_seal_at``: a time given by a program writing past records in bulk
        # (the benchmarks' data generator); hashed like any other.
        "id": seal_id, "at": getattr(db, "qms_seal_at", None) or _now(),
        "command": command or "qmstrack",
        "user": current_user(db), "first_id": last_id + 1, "last_id": max(newest, last_id),
        "prev_sha256": prev,
        "entries_sha256": _range_hash(db, "", last_id + 1, newest) if newest > last_id
        else "",
        "schema_sha256": schema, "state_sha256": state,
        "history_sha256": history_hash(db, seal_id) if history else "",
    }
    fields["sha256"] = seal_hash(fields)
    db.execute(
        "INSERT INTO change_seals (id, at, command, user, first_id, last_id, prev_sha256, "
        "entries_sha256, schema_sha256, state_sha256, history_sha256, sha256, version) "
        "VALUES (:id, :at, :command, :user, :first_id, :last_id, :prev_sha256, "
        ":entries_sha256, :schema_sha256, :state_sha256, :history_sha256, :sha256, "
        f"{SEAL_VERSION})", fields)
    return seal_id


def legacy_seal(db: sqlite_utils.Database, command: str) -> int | None:
    """A version-1 seal (entries only), as migrations before ``m007`` made them."""
    last = db.execute(
        "SELECT last_id, sha256 FROM change_seals ORDER BY id DESC LIMIT 1"
    ).fetchone()
    last_id, prev = (last[0], last[1]) if last else (0, GENESIS)
    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0]
    if newest is None or newest <= last_id:
        return None
    digest = _range_hash(db, prev, last_id + 1, newest)
    cursor = db.execute(
        "INSERT INTO change_seals (at, command, first_id, last_id, prev_sha256, sha256) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [_now(), command or "qmstrack", last_id + 1, newest, prev, digest])
    return cursor.lastrowid


GUARD_ADVICE = ("nothing was written; run 'qmstrack db check' to see what changed, and "
                "restore a backup or ask the quality officer before writing again")


def unsealed_changes(db: sqlite_utils.Database) -> str | None:
    """What the last seal does not cover, seen cheaply; None when it covers everything."""
    last = _last_seal(db)
    if last is None or last.get("version") != SEAL_VERSION:
        return None
    newest = db.execute("SELECT max(id) FROM change_log").fetchone()[0] or 0
    if newest != last["last_id"]:
        return ("the change log has entries the last seal does not cover"
                if newest > last["last_id"] else "sealed change-log entries were deleted")
    if schema_digest(current_schema(db)) != last["schema_sha256"]:
        return "the schema (tables, indexes or triggers) differs from the sealed one"
    if state_digest(db) != last["state_sha256"]:
        return "the table digests differ from the sealed ones"
    if seal_hash(last) != last["sha256"]:
        return "the last seal was altered"
    return None


def guard(db: sqlite_utils.Database) -> None:
    """Refuse to write on top of changes no seal covers (inside the write transaction)."""
    found = unsealed_changes(db)
    if found is not None:
        raise IntegrityFailure(
            f"The database was changed outside qmstrack since its last seal ({found}); "
            f"{GUARD_ADVICE}.")


# --- bulk writes ----------------------------------------------------------------------


@dataclass
class Bulk:
    """What a bulk write is about; :func:`bulk` fills ``tables`` when it ends."""

    source: str
    sha256: str
    counts: dict[str, int]
    tables: dict[str, dict[str, Any]]


class _Keys:
    """Keys as written, runs of consecutive integers as ``[first, last]``, kept as they
    come (a million imported rows are one run)."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.count = 0
        self._run: list[int] | None = None

    def add(self, key: str) -> None:
        self.count += 1
        if key.isdigit() and not (len(key) > 1 and key[0] == "0"):
            n = int(key)
            if self._run is not None and n == self._run[1] + 1:
                self._run[1] = n
                return
            self._close()
            self._run = [n, n]
            return
        self._close()
        self.items.append(key)

    def add_run(self, first: int, last: int) -> None:
        """The keys ``first`` to ``last``, all integers."""
        self._close()
        self.count += last - first + 1
        self.items.append([first, last] if first != last else str(first))

    def _close(self) -> None:
        if self._run is not None:
            run, self._run = self._run, None
            self.items.append(run if run[0] != run[1] else str(run[0]))

    def done(self) -> list[Any]:
        self._close()
        return self.items


@contextlib.contextmanager
def bulk(db: sqlite_utils.Database, source: str, sha256: str, *,
         append_only: tuple[str, ...] = ()) -> Iterator[Bulk]:
    """Write many rows with one change-log entry instead of one per row.

    Inside the write transaction, the change triggers are set aside (dropped, and created
    again, with the same SQL, before the block ends: the schema is sealed unchanged). Rows
    added after each table's highest rowid are found at the end by their rowid range;
    temporary triggers record only the other rows touched (updated, deleted, inserted
    below that rowid) and the first state of the rows that already existed. At the end,
    the touched rows are hashed into the digests (``db.qms_bulk_delta``, sealed by
    :func:`seal`) and one ``import`` entry is written: the file's name and SHA-256, the
    counts (``Bulk.counts``, filled by the caller) and the keys of the rows inserted,
    updated and deleted, per table.

    ``append_only`` names tables the caller inserts into only above their highest rowid
    (new ids, as SQLite would choose them): they get no per-row insert trigger, which
    costs a quarter of the time of writing a row; they come first in the entry, in that
    order. The promise is checked at the end (their rows at or below the old highest rowid
    are as many as before, less those deleted); a broken one refuses the whole write.
    """
    triggers = db.execute(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND name LIKE 'log\\_%' ESCAPE '\\' ORDER BY name").fetchall()
    tables = sorted({tbl for _n, tbl, _s in triggers})
    db.execute("CREATE TEMP TABLE IF NOT EXISTS qms_bulk_touched (tbl TEXT, rid INTEGER, "
               "PRIMARY KEY (tbl, rid)) WITHOUT ROWID")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS qms_bulk_old (tbl TEXT, rid INTEGER, "
               "key TEXT, obj TEXT, PRIMARY KEY (tbl, rid)) WITHOUT ROWID")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS qms_bulk_order (tbl TEXT UNIQUE)")
    shapes = {}
    below: dict[str, int] = {}  # append-only tables: their rows before the write
    for name, _tbl, _sql in triggers:
        db.execute(f"DROP TRIGGER [{name}]")
    for table in tables:
        columns, pks = table_columns(db, table)
        top = db.execute(f"SELECT max(rowid) FROM [{table}]").fetchone()[0] or 0
        shapes[table] = (columns, pks, top)
        old_obj, old_key = row_object_sql(columns, "OLD"), row_key_sql(pks, "OLD")
        remember = (f"INSERT OR IGNORE INTO qms_bulk_old SELECT '{table}', OLD.rowid, "
                    f"{old_key}, {old_obj} WHERE OLD.rowid <= {top} AND NOT EXISTS (SELECT 1 "
                    f"FROM qms_bulk_touched WHERE tbl = '{table}' AND rid = OLD.rowid);")
        order = f"INSERT OR IGNORE INTO qms_bulk_order VALUES ('{table}');"
        touch = ("INSERT OR IGNORE INTO qms_bulk_touched SELECT '{t}', {alias}.rowid "
                 "WHERE {alias}.rowid <= {top};")
        # A new row above the old highest rowid costs one comparison; the first one names
        # the table in the order tables were written.
        if table in append_only:
            below[table] = db.execute(f"SELECT count(*) FROM main.[{table}]").fetchone()[0]
        else:
            db.execute(f"CREATE TEMP TRIGGER qms_bulk_{table}_first AFTER INSERT ON "
                       f"main.[{table}] WHEN NEW.rowid = {top + 1} BEGIN {order} END")
            db.execute(f"CREATE TEMP TRIGGER qms_bulk_{table}_insert AFTER INSERT ON "
                       f"main.[{table}] WHEN NEW.rowid <= {top} BEGIN "
                       + touch.format(t=table, alias="NEW", top=top) + f" {order} END")
        db.execute(f"CREATE TEMP TRIGGER qms_bulk_{table}_update AFTER UPDATE ON "
                   f"main.[{table}] BEGIN {remember} "
                   + touch.format(t=table, alias="OLD", top=top)
                   + touch.format(t=table, alias="NEW", top=top) + f" {order} END")
        db.execute(f"CREATE TEMP TRIGGER qms_bulk_{table}_delete AFTER DELETE ON "
                   f"main.[{table}] BEGIN {remember} "
                   + touch.format(t=table, alias="OLD", top=top) + f" {order} END")
    info = Bulk(source=source, sha256=sha256, counts={}, tables={})
    try:
        yield info
        _finish_bulk(db, info, shapes, [t for t in append_only if t in below])
        for table, before in below.items():
            top = shapes[table][2]
            now = db.execute(f"SELECT count(*) FROM main.[{table}] WHERE rowid <= ?",
                             [top]).fetchone()[0]
            if now != before - info.tables.get(table, {}).get("deleted", 0):
                raise IntegrityFailure(
                    f"A bulk write inserted rows into {table} below its highest rowid, "
                    "which it had promised not to; nothing was written.")
    finally:
        for table in tables:
            for op in ("first", "insert", "update", "delete"):
                db.execute(f"DROP TRIGGER IF EXISTS temp.qms_bulk_{table}_{op}")
        for temp in ("qms_bulk_touched", "qms_bulk_old", "qms_bulk_order"):
            db.execute(f"DROP TABLE IF EXISTS temp.{temp}")
        if db.conn.in_transaction:
            present = {r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            for name, _tbl, sql in triggers:
                if name not in present:
                    db.execute(sql)


def _finish_bulk(db: sqlite_utils.Database, info: Bulk,
                 shapes: dict[str, tuple[list[str], list[str], int]],
                 append_only: list[str]) -> None:
    delta: dict[str, list[int]] = getattr(db, "qms_bulk_delta", None) or {}
    order = [r[0] for r in db.execute("SELECT tbl FROM temp.qms_bulk_order ORDER BY rowid")]
    # Append-only tables first, in the caller's order, when they were written at all.
    order = [t for t in append_only if t in order or db.execute(
        f"SELECT 1 FROM main.[{t}] WHERE rowid > ? LIMIT 1", [shapes[t][2]]).fetchone()
    ] + [t for t in order if t not in append_only]
    # A table whose first new row skipped a rowid was not named by its first insert.
    order += [t for t, (_c, _p, top) in shapes.items() if t not in order and db.execute(
        f"SELECT 1 FROM main.[{t}] WHERE rowid > ? LIMIT 1", [top]).fetchone()]
    for table in order:
        columns, pks, top = shapes[table]
        prefix = f"{table}\x1f".encode()
        shake, from_bytes = hashlib.shake_128, int.from_bytes
        acc = delta.setdefault(table, [0, 0])
        inserted, updated, deleted = _Keys(), _Keys(), _Keys()
        # The rows touched below the old highest rowid, then every row above it.
        touched = (f"SELECT {row_key_sql(pks, 't')}, {row_object_sql(columns, 't')}, o.obj "
                   f"FROM temp.qms_bulk_touched AS b JOIN main.[{table}] AS t "
                   "ON t.rowid = b.rid LEFT JOIN temp.qms_bulk_old AS o "
                   "ON o.tbl = b.tbl AND o.rid = b.rid WHERE b.tbl = ? ORDER BY b.rid")
        total = 0
        for key, obj, before in db.conn.execute(touched, [table]):
            acc[0] += 1
            total += from_bytes(shake(prefix + obj.encode()).digest(DIGEST_BYTES), "little")
            if before is None:
                inserted.add(key)
            elif before != obj:
                updated.add(key)
        # The new rows above the old highest rowid: hashed in one tight loop; their keys,
        # for an integer key without gaps, are one run.
        count = 0
        for (obj,) in db.conn.execute(f"SELECT {row_object_sql(columns, 't')} FROM "
                                      f"main.[{table}] AS t WHERE t.rowid > ?", [top]):
            total += from_bytes(shake(prefix + obj.encode()).digest(DIGEST_BYTES), "little")
            count += 1
        acc[0] += count
        low, high = db.execute(f"SELECT min(rowid), max(rowid) FROM main.[{table}] "
                               "WHERE rowid > ?", [top]).fetchone()
        integer_key = len(pks) == 1 and db.execute(
            f"SELECT 1 FROM pragma_table_info('{table}') WHERE name = ? AND pk = 1 "
            "AND upper(type) = 'INTEGER'", [pks[0]]).fetchone() is not None
        if count and integer_key and high - low + 1 == count:
            inserted.add_run(low, high)
        elif count:
            for (key,) in db.conn.execute(f"SELECT {row_key_sql(pks, 't')} FROM "
                                          f"main.[{table}] AS t WHERE t.rowid > ? "
                                          "ORDER BY t.rowid", [top]):
                inserted.add(key)
        for key, obj, gone in db.conn.execute(
                f"SELECT o.key, o.obj, NOT EXISTS (SELECT 1 FROM main.[{table}] AS t "
                "WHERE t.rowid = o.rid) FROM temp.qms_bulk_old AS o WHERE o.tbl = ? "
                "ORDER BY o.rid", [table]):
            acc[0] -= 1
            total -= from_bytes(shake(prefix + obj.encode()).digest(DIGEST_BYTES), "little")
            if gone:
                deleted.add(key)
        acc[1] += total
        info.tables[table] = {
            "inserted": inserted.count, "updated": updated.count, "deleted": deleted.count,
            "keys": {"inserted": inserted.done(), "updated": updated.done(),
                     "deleted": deleted.done()},
        }
    vars(db)["qms_bulk_delta"] = delta
    if not order:
        return
    entry = {"file": info.source, "sha256": info.sha256, "counts": info.counts,
             "tables": info.tables}
    db.execute("INSERT INTO change_log (tbl, row_key, op, old, new) VALUES (?, ?, 'import', "
               "NULL, ?)", [order[0], info.sha256,
                            json.dumps(entry, ensure_ascii=False, separators=(",", ":"))])


# --- verifying the chain --------------------------------------------------------------


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
    cursor = db.execute("SELECT * FROM change_seals ORDER BY id")
    names = [d[0] for d in cursor.description]
    for row in cursor.fetchall():
        s = dict(zip(names, row, strict=True))
        seal_id, first_id, last_id = s["id"], s["first_id"], s["last_id"]
        label = f"seal {seal_id} ({s['command']!r} at {s['at']})"
        if s["prev_sha256"] != prev:
            yield ChainProblem(first_id, seal_id, f"{label} does not follow the seal before it")
        if first_id != expected_first:
            yield ChainProblem(
                expected_first, seal_id,
                f"change-log entries {expected_first}-{first_id - 1} are not covered by "
                "any seal")
        count = db.execute(
            "SELECT count(*) FROM change_log WHERE id BETWEEN ? AND ?", [first_id, last_id]
        ).fetchone()[0]
        version = s.get("version") or 1
        if count != max(0, last_id - first_id + 1):
            yield ChainProblem(first_id, seal_id,
                               f"change-log entries {first_id}-{last_id} of {label} were "
                               "deleted")
        elif version == 1:
            if _range_hash(db, s["prev_sha256"], first_id, last_id) != s["sha256"]:
                yield ChainProblem(first_id, seal_id,
                                   f"change-log entries {first_id}-{last_id} of {label} were "
                                   "altered")
        else:
            entries = _range_hash(db, "", first_id, last_id) if last_id >= first_id else ""
            if entries != s["entries_sha256"]:
                yield ChainProblem(first_id, seal_id,
                                   f"change-log entries {first_id}-{last_id} of {label} were "
                                   "altered")
            elif s["history_sha256"] and history_hash(db, seal_id) != s["history_sha256"]:
                yield ChainProblem(None, seal_id,
                                   f"a seal before {label} was altered (its time, command or "
                                   "hashes)")
            elif seal_hash(s) != s["sha256"]:
                yield ChainProblem(None, seal_id,
                                   f"{label} was altered: its SHA-256 does not match its "
                                   "fields (time, command, user, hashes)")
        prev = s["sha256"]
        expected_first = max(expected_first, last_id + 1)
    for entry_id, tbl, row_key, op in db.execute(
        "SELECT id, tbl, row_key, op FROM change_log WHERE id >= ? ORDER BY id",
        [expected_first],
    ):
        yield ChainProblem(
            entry_id, None,
            f"change-log entry {entry_id} ({op} of {tbl} {row_key}) was written outside "
            "qmstrack")
