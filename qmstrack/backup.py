"""Backups: the database through SQLite's online backup API, and its evidence store.

A live WAL database is never copied as a file (a copy could miss the WAL's committed
pages); ``qmstrack.db.backup_to`` uses the backup API, which is safe while others read and
write. The evidence files beside the database are content-addressed and never change, so
the store beside the backup only receives the files it lacks.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from qmstrack.db import backup_to
from qmstrack.errors import Conflict, InvalidInput


def backup(db: sqlite_utils.Database, db_path: Path, out: Path, *,
           force: bool = False) -> int:
    """Write the backup to ``out`` (and ``<out stem>-evidence/``); return evidence files
    copied."""
    from qmstrack.evidence import copy_store

    out = Path(out).expanduser()
    if out.resolve() == Path(db_path).resolve():
        raise InvalidInput("The backup cannot overwrite the database itself.")
    if out.is_dir():
        raise InvalidInput(f"{out} is a directory; give the backup file's name.")
    if out.exists() and not force:
        raise Conflict(f"{out} already exists; pass --force to replace it.")
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder {out.parent} does not exist.")
    backup_to(db, out)
    return copy_store(db_path, out)
