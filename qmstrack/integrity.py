"""Checking that the database is still what qmstrack recorded, and reading the change log.

``check_database`` runs, inside one read snapshot:

1. SQLite's own ``PRAGMA integrity_check`` and ``foreign_key_check``;
2. the chain of seals (``qmstrack.changelog.verify_chain``): every field of every seal,
   altered, deleted or unsealed entries;
3. optionally, that the chain still holds seals whose SHA-256 the office kept elsewhere
   (on paper, in an audit file): the only check that finds a change log rewritten with
   every seal recomputed;
4. the schema: every table, index, trigger and view of ``sqlite_master`` against the
   sealed schema (an added trigger, a dropped immutability trigger, a CHECK widened
   through ``writable_schema``), and the change triggers against what the migrations
   create;
5. the tables: each one's multiset hash recomputed from scratch in one scan against its
   sealed digest (``docs/tamper-evidence.md``), so anything written outside qmstrack,
   with or without the triggers, names its table; where the per-row log allows, the rows
   are named too (current rows against their latest per-row entry, one SQL join);
6. every stored evidence file: present, and its SHA-256 unchanged.

``iter_log`` lists change-log entries with the seal (command and time) that covers them.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import sqlite_utils

from qmstrack.changelog import row_key_sql, row_object_sql, table_columns
from qmstrack.errors import IntegrityFailure, InvalidInput

__all__ = ["row_key_sql", "row_object_sql", "table_columns"]

MAX_PROBLEMS = 10_000
OUTSIDE = "(outside qmstrack)"


@dataclass(frozen=True)
class Problem:
    """One thing that is wrong, for people (``message``) and scripts (the other fields)."""

    check: str
    message: str
    table: str | None = None
    key: str | None = None
    entry_id: int | None = None
    file: str | None = None


@dataclass
class CheckReport:
    entries: int = 0
    seals: int = 0
    rows: int = 0
    evidence_files: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Problems found beyond MAX_PROBLEMS are counted, not kept.
    more_problems: int = 0
    # The newest seal: id, at, command, sha256 (what the office keeps outside the computer).
    last_seal: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "seals": self.seals,
            "rows": self.rows,
            "evidence_files": self.evidence_files,
            "problems": [{k: v for k, v in asdict(p).items() if v is not None}
                         for p in self.problems],
            "more_problems": self.more_problems,
            "last_seal": self.last_seal,
        }

    def summary(self) -> str:
        from qmstrack.i18n import count_of

        return (f"Database OK: {count_of(self.entries, 'entry', 'entries')}, "
                f"{count_of(self.seals, 'seal')}, "
                f"{count_of(self.evidence_files, 'evidence file')} checked.")

    def last_seal_line(self) -> str | None:
        seal = self.last_seal
        if seal is None:
            return None
        return (f"Last seal: {seal['id']} ({seal['command']!r} at {seal['at']}), "
                f"SHA-256 {seal['sha256']}")


# --- the shape of each logged table, as the triggers see it ----------------------------


def _normalise_sql(sql: str | None) -> str:
    return " ".join((sql or "").split())


def expected_triggers(db: sqlite_utils.Database, tables: list[str]) -> dict[str, tuple[str, str]]:
    """name -> (table, SQL) of the change triggers the migrations would create today.

    Built by running ``qmstrack.migrations.create_change_triggers`` on copies of the tables'
    definitions in a scratch in-memory database.
    """
    from qmstrack.migrations import create_change_triggers

    scratch = sqlite_utils.Database(sqlite3.connect(":memory:"))
    try:
        for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND "
            f"name IN ({', '.join('?' for _ in tables)})", tables,
        ).fetchall():
            # Foreign keys name tables the scratch database does not have; keep the shape.
            scratch.execute(sql)
        present = {r[0] for r in scratch.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in tables:
            if table in present:
                create_change_triggers(scratch, table)
        return {
            name: (tbl, _normalise_sql(sql))
            for name, tbl, sql in scratch.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        }
    finally:
        scratch.conn.close()


# --- the checks ------------------------------------------------------------------------


def _check_sqlite(db: sqlite_utils.Database, report: CheckReport) -> None:
    for (text,) in db.execute("PRAGMA integrity_check"):
        if text != "ok":
            report.add(Problem("sqlite", f"SQLite integrity check: {text}"))
    for table, rowid, parent, _fk in db.execute("PRAGMA foreign_key_check"):
        report.add(Problem(
            "foreign_key",
            f"{table} row {rowid} refers to a {parent} row that does not exist",
            table=table, key=None if rowid is None else str(rowid),
        ))


def _check_chain(db: sqlite_utils.Database, report: CheckReport) -> None:
    from qmstrack.changelog import verify_chain

    for problem in verify_chain(db):
        report.add(Problem("chain", problem.message, entry_id=problem.entry_id))


def _check_triggers(db: sqlite_utils.Database, tables: list[str],
                    report: CheckReport) -> None:
    actual = {
        name: (tbl, _normalise_sql(sql))
        for name, tbl, sql in db.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    expected = expected_triggers(db, tables)
    for table in tables:
        for op in ("insert", "update", "delete"):
            name = f"log_{table}_{op}"
            if name not in actual:
                report.add(Problem(
                    "trigger",
                    f"the change-log trigger {name} of table {table} is missing: {op}s of "
                    f"{table} are no longer recorded (it was dropped outside qmstrack)",
                    table=table))
            elif name in expected and actual[name] != expected[name]:
                report.add(Problem(
                    "trigger",
                    f"the change-log trigger {name} of table {table} was rewritten outside "
                    "qmstrack",
                    table=table))


def _differences(current: str | None, logged: str | None, limit: int = 3) -> str:
    try:
        now = json.loads(current) if current else {}
        then = json.loads(logged) if logged else {}
    except ValueError:
        return ""
    changed = [k for k in {**then, **now} if now.get(k) != then.get(k)]
    parts = [f"{k} is {_short(now.get(k))}, the log says {_short(then.get(k))}"
             for k in changed[:limit]]
    if len(changed) > limit:
        parts.append(f"and {len(changed) - limit} more columns")
    return "; ".join(parts)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_replay(db: sqlite_utils.Database, tables: list[str], report: CheckReport) -> None:
    """Name the rows of tables whose digest does not match, where the row log allows:
    current rows against the latest per-row entry of each row, one SQL join per table.

    Rows written by a bulk import have no per-row entry; in a table an import wrote, only
    rows whose latest per-row entry is newer than that import are compared, and a row with
    no entry is not named (the table's digest already says something changed)."""
    db.execute("DROP TABLE IF EXISTS temp.qms_latest")
    # The latest entry of every logged row, keyed for the joins below (in SQLite's temp
    # store, which spills to disk: memory stays flat).
    db.execute("CREATE TEMP TABLE qms_latest (tbl TEXT, row_key TEXT, id INTEGER, "
               "PRIMARY KEY (tbl, row_key)) WITHOUT ROWID")
    db.execute("INSERT INTO temp.qms_latest "
               "SELECT tbl, row_key, max(id) FROM change_log GROUP BY tbl, row_key")
    existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    try:
        for table in tables:
            if table not in existing:
                report.add(Problem("replay", f"the logged table {table} is missing",
                                   table=table))
                continue
            columns, pks = table_columns(db, table)
            since = db.execute(
                "SELECT max(id) FROM change_log WHERE op = 'import' AND (tbl = ? OR "
                "json_extract(new, '$.tables.' || ?) IS NOT NULL)", [table, table]
            ).fetchone()[0]
            # Every current row against the latest entry for its key (index lookups).
            present = f"""
                SELECT cur.k, c.id, c.op, c.new, cur.obj
                FROM (SELECT {row_key_sql(pks, 't')} AS k, {row_object_sql(columns, 't')} AS obj
                      FROM [{table}] AS t) AS cur
                LEFT JOIN temp.qms_latest AS l ON l.tbl = ? AND l.row_key = cur.k
                LEFT JOIN change_log AS c ON c.id = l.id
                WHERE cur.obj IS NOT c.new AND (? IS NULL OR c.id > ?)
            """
            for key, entry_id, op, logged, current in db.execute(present,
                                                                 [table, since, since]):
                report.add(_replay_problem(table, key, entry_id, op, logged, current))
            # Logged rows (latest entry not a delete) that are gone, found by primary key.
            gone = f"""
                SELECT l.row_key, c.id, c.op, c.new
                FROM temp.qms_latest AS l JOIN change_log AS c ON c.id = l.id
                WHERE l.tbl = ? AND c.op <> 'delete' AND (? IS NULL OR c.id > ?)
                  AND NOT EXISTS (SELECT 1 FROM [{table}] AS t WHERE {_key_match(pks)})
                ORDER BY c.id
            """
            for key, entry_id, op, logged in db.execute(gone, [table, since, since]):
                report.add(_replay_problem(table, key, entry_id, op, logged, None))
    finally:
        db.execute("DROP TABLE IF EXISTS temp.qms_latest")


def _key_match(pks: list[str]) -> str:
    """SQL matching row ``t`` to the change-log key ``l.row_key`` through the primary key."""
    if len(pks) == 1:
        return f"t.[{pks[0]}] = l.row_key"
    return " AND ".join(f"t.[{c}] = json_extract(l.row_key, '$[{i}]')"
                        for i, c in enumerate(pks))


def _replay_problem(table: str, key: str, entry_id: int | None, op: str | None,
                    logged: str | None, current: str | None) -> Problem:
    where = f"{table} row {key}"
    if entry_id is None:
        message = f"{where} has no change-log entry: it was inserted outside qmstrack"
    elif current is None:
        message = (f"{where} was deleted without a change-log entry (last logged: {op} in "
                   f"entry {entry_id})")
    elif op == "delete":
        message = f"{where} exists, but change-log entry {entry_id} says it was deleted"
    else:
        detail = _differences(current, logged)
        message = (f"{where} was changed outside qmstrack after change-log entry {entry_id}"
                   + (f" ({detail})" if detail else ""))
    return Problem("replay", message, table=table, key=key, entry_id=entry_id)


def _check_schema(db: sqlite_utils.Database, last: dict[str, Any] | None,
                  report: CheckReport) -> None:
    """Every table, index, trigger and view against the schema the last seal holds."""
    from qmstrack.changelog import current_schema, schema_digest, sealed_schema

    sealed = sealed_schema(db)
    if last is not None and schema_digest(sealed) != last.get("schema_sha256"):
        report.add(Problem("schema", "the record of the sealed schema (schema_objects) was "
                                     "altered: it does not match the last seal"))
    was = {(t, n): (tb, sql) for t, n, tb, sql in sealed}
    now = {(t, n): (tb, sql) for t, n, tb, sql in current_schema(db)}
    for (kind, name), (table, sql) in sorted(now.items()):
        if (kind, name) not in was:
            report.add(Problem("schema", f"the {kind} {name} on table {table} was added "
                                         "outside qmstrack", table=table))
        elif was[(kind, name)][1] != sql:
            report.add(Problem("schema", f"the {kind} {name} on table {table} was changed "
                                         "outside qmstrack (its SQL differs from the sealed "
                                         "schema)", table=table))
    for (kind, name), (table, _sql) in sorted(was.items()):
        if (kind, name) not in now:
            report.add(Problem("schema", f"the {kind} {name} on table {table} was dropped "
                                         "outside qmstrack", table=table))


def _check_digests(db: sqlite_utils.Database, last: dict[str, Any] | None,
                   report: CheckReport) -> list[str]:
    """Every table's rows, hashed from scratch in one scan, against its sealed digest;
    returns the tables that do not match."""
    from qmstrack.changelog import digested_tables, scan_digest, state_digest, stored_digests

    if last is not None and state_digest(db) != last.get("state_sha256"):
        report.add(Problem("digest", "the table digests (table_digests) were altered: they "
                                     "do not match the last seal"))
    stored = stored_digests(db)
    present = digested_tables(db)
    wrong = []
    for table in present:
        rows, digest = scan_digest(db, table)
        report.rows += rows
        sealed_rows, sealed_digest = stored.get(table, (0, 0))
        if digest != sealed_digest:
            wrong.append(table)
            counted = (f"{rows} rows now, {sealed_rows} sealed" if rows != sealed_rows
                       else f"{rows} rows, as sealed, but their content differs")
            report.add(Problem("digest", f"table {table} does not match its sealed digest "
                                         f"({counted}): rows were inserted, changed or "
                                         "deleted outside qmstrack", table=table))
    for table in sorted(set(stored) - set(present)):
        report.add(Problem("digest", f"table {table} is missing", table=table))
    return wrong


def _check_evidence(db: sqlite_utils.Database, db_path: str | os.PathLike,
                    report: CheckReport) -> None:
    from qmstrack.evidence import check_store

    for problem in check_store(db, db_path):
        report.evidence_files += 1
        if problem is not None:
            report.add(Problem("evidence", problem.message, table="evidence_files",
                               key=problem.sha256, file=problem.sha256))


def parse_seal_hash(value: str) -> str:
    """A SHA-256 as people copy it: 64 hexadecimal digits, any case, spaces ignored."""
    text = "".join(str(value).split()).lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise InvalidInput(f"{str(value)[:80]!r} is not a SHA-256: it must be 64 hexadecimal "
                           "digits, as 'qmstrack db check' prints the last seal.")
    return text


def _check_kept_seals(db: sqlite_utils.Database, kept: list[str],
                      report: CheckReport) -> None:
    for sha in kept:
        if db.execute("SELECT 1 FROM change_seals WHERE sha256 = ?", [sha]).fetchone() is None:
            report.add(Problem(
                "kept_seal",
                f"no seal has the SHA-256 {sha} that was kept: the change log was rewritten "
                "since, or the hash belongs to another database"))


def check_database(db: sqlite_utils.Database, db_path: str | os.PathLike,
                   kept_seals: Iterable[str] = ()) -> CheckReport:
    """Run every check in one read snapshot; return what was found (never raises for it).

    ``kept_seals``: SHA-256s of seals recorded outside the database, each of which must
    still be in the (verified) chain.
    """
    from qmstrack.register_catalogue import logged_tables

    kept = [parse_seal_hash(sha) for sha in kept_seals]
    report = CheckReport()
    tables = logged_tables()
    began = not db.conn.in_transaction
    if began:
        db.execute("BEGIN")
    try:
        report.entries = db.execute("SELECT count(*) FROM change_log").fetchone()[0]
        report.seals = db.execute("SELECT count(*) FROM change_seals").fetchone()[0]
        last = db.execute("SELECT id, at, command, sha256 FROM change_seals "
                          "ORDER BY id DESC LIMIT 1").fetchone()
        if last is not None:
            report.last_seal = dict(zip(("id", "at", "command", "sha256"), last, strict=True))
        from qmstrack.changelog import _last_seal

        sealed = _last_seal(db)
        _check_sqlite(db, report)
        _check_chain(db, report)
        _check_kept_seals(db, kept, report)
        _check_schema(db, sealed, report)
        _check_triggers(db, tables, report)
        wrong = _check_digests(db, sealed, report)
        if wrong:
            _check_replay(db, [t for t in tables if t in wrong], report)
        _check_evidence(db, db_path, report)
    finally:
        if began and db.conn.in_transaction:
            db.execute("ROLLBACK")
    return report


def check(db: sqlite_utils.Database, db_path: str | os.PathLike) -> CheckReport:
    """``check_database``, raising ``IntegrityFailure`` naming the first problem."""
    report = check_database(db, db_path)
    raise_for(report)
    return report


def raise_for(report: CheckReport, shown: int = 20) -> None:
    if report.ok:
        return
    total = len(report.problems) + report.more_problems
    first, rest = report.problems[0], report.problems[1:]
    details = [p.message for p in rest[:shown]]
    hidden = total - 1 - len(details)
    if hidden > 0:
        details.append(f"... and {hidden} more (--json lists them).")
    noun = "problem" if total == 1 else "problems"
    raise IntegrityFailure(
        f"The database does not match its change log ({total} {noun}); the first: "
        f"{first.message}.",
        details,
    )


# --- reading the change log ------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    id: int
    seal_id: int | None
    at: str | None
    command: str
    user: str | None
    table: str
    key: str
    op: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _load(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def iter_log(db: sqlite_utils.Database, *, since: date | None = None,
             table: str | None = None, limit: int | None = None) -> Iterator[LogEntry]:
    """Change-log entries, newest first, each with the seal (time, command) covering it.

    ``since`` keeps entries sealed on or after the start of that day in the office's time
    zone, and those not sealed at all. Entries written after the last seal (or in a gap
    between seals) were not written by qmstrack; their command is ``(outside qmstrack)``.
    Secret settings (the pseudonymisation key) are never shown: their values read
    ``(withheld)``.
    """
    from qmstrack.db import SECRET_SETTINGS
    from qmstrack.register_catalogue import logged_tables

    if table is not None and table not in logged_tables():
        raise InvalidInput(f"There is no logged table {table!r}; the logged tables are "
                           f"{', '.join(logged_tables())}.")
    clauses, params = [], []
    if table:
        # A bulk import names every table it wrote.
        clauses.append("(tbl = ? OR (op = 'import' AND "
                       "json_extract(new, '$.tables.' || ?) IS NOT NULL))")
        params.extend([table, table])
    if since:
        from qmstrack.clock import day_start_utc, office_zone

        # Seal times are UTC ISO strings of one shape, so they compare as text.
        begins = day_start_utc(since, office_zone(db)).isoformat(timespec="seconds")
        start = db.execute("SELECT min(first_id) FROM change_seals WHERE at >= ?",
                           [begins]).fetchone()[0]
        if start is None:
            start = (db.execute("SELECT max(last_id) FROM change_seals").fetchone()[0]
                     or 0) + 1
        clauses.append("id >= ?")
        params.append(start)
    where = " AND ".join(clauses) or "1"
    sql = f"SELECT id, tbl, row_key, op, old, new FROM change_log WHERE {where} ORDER BY id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    # Both streams run newest first, so one pass pairs every entry with its seal.
    seals = db.conn.execute(
        "SELECT id, at, command, first_id, last_id, user FROM change_seals ORDER BY id DESC")
    seal = seals.fetchone()
    for entry_id, tbl, row_key, op, old, new in db.conn.execute(sql, params):
        while seal is not None and seal[3] > entry_id:
            seal = seals.fetchone()
        if seal is not None and seal[3] <= entry_id <= seal[4]:
            seal_id, at, command, user = seal[0], seal[1], seal[2], seal[5] or None
        else:
            seal_id, at, command, user = None, None, OUTSIDE, None
        old_state, new_state = _load(old), _load(new)
        if tbl == "settings" and row_key in SECRET_SETTINGS:
            old_state, new_state = _withheld(old_state), _withheld(new_state)
        yield LogEntry(entry_id, seal_id, at, command, user, tbl, row_key, op, old_state,
                       new_state)


WITHHELD = "(withheld)"


def _withheld(state: Any) -> Any:
    """A settings row with its value hidden (the key stays: it says what changed)."""
    if isinstance(state, dict):
        return {k: (WITHHELD if k == "value" else v) for k, v in state.items()}
    return state if state is None else WITHHELD


def describe_change(entry: LogEntry, width: int = 120) -> str:
    """``status: 'received' -> 'completed'`` for an update; the values for inserts/deletes."""
    old = entry.old if isinstance(entry.old, dict) else {}
    new = entry.new if isinstance(entry.new, dict) else {}
    if entry.op == "import":
        tables = new.get("tables") or {}
        parts = [f"{t}: " + ", ".join(f"{tables[t].get(k, 0)} {k}"
                                      for k in ("inserted", "updated", "deleted")
                                      if tables[t].get(k))
                 for t in tables]
        text = (f"file {new.get('file')!r} (SHA-256 {str(new.get('sha256'))[:12]}...): "
                + "; ".join(parts))
    elif entry.op == "update":
        parts = [f"{k}: {_short(old.get(k))} -> {_short(new.get(k))}"
                 for k in new if old.get(k) != new.get(k)]
        text = "; ".join(parts) or "(no change)"
    else:
        values = new if entry.op == "insert" else old
        text = ", ".join(f"{k}={_short(v)}" for k, v in values.items() if v not in (None, ""))
    return text if len(text) <= width else text[: width - 3] + "..."


# --- settings that run code -----------------------------------------------------------


def template_dir_setting(db: sqlite_utils.Database) -> str | None:
    """The ``template_dir`` setting, only if a person set it with ``qmstrack config set``.

    Templates are code the reports run (in a sandbox, ``qmstrack.reports``), so a template
    directory named in the database is used only when the setting's latest change is a
    change-log entry qmstrack sealed (it names the command and the user) and the row still
    holds that value; a value written any other way is refused with one sentence.
    """
    row = db.execute("SELECT value FROM settings WHERE key = 'template_dir'").fetchone()
    if row is None:
        return None
    value = json.loads(row[0]) if row[0] else ""
    if not value:
        return None
    entry = db.execute(
        "SELECT c.id, c.new FROM change_log AS c WHERE c.tbl = 'settings' AND "
        "c.row_key = 'template_dir' ORDER BY c.id DESC LIMIT 1").fetchone()
    sealed = entry is not None and db.execute(
        "SELECT 1 FROM change_seals WHERE ? BETWEEN first_id AND last_id AND "
        "command LIKE '%config set%'", [entry[0]]).fetchone() is not None
    if not sealed or _load(entry[1]) != {"key": "template_dir", "value": row[0]}:
        raise IntegrityFailure(
            "The template_dir setting was not set with 'qmstrack config set template_dir' "
            "(the change log has no sealed entry for its value); set it again that way, or "
            "pass --template-dir, before templates are read from it.")
    return str(value)
