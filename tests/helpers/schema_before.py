"""A database whose schema stops just before a named migration: the start of an upgrade test."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from qmstrack import migrations


def database_before(path: Path, migration: str) -> sqlite_utils.Database:
    """Open ``path`` and apply every migration that comes before ``migration``, in order."""
    db = sqlite_utils.Database(sqlite3.connect(path))
    names = list(migrations.MIGRATIONS)
    partial = Migrations(migrations.MIGRATION_SET)
    for name in names[:names.index(migration)]:
        partial(name=name)(migrations.MIGRATIONS[name])
    db.execute("PRAGMA foreign_keys = OFF")
    partial.apply(db)
    db.execute("PRAGMA foreign_keys = ON")
    return db
