"""Backups: the database through SQLite's online backup API, and its evidence store.

A live WAL database is never copied as a file (a copy could miss the WAL's committed
pages); ``qmstrack.db.backup_to`` uses the backup API, which is safe while others read and
write. The evidence files beside the database are content-addressed and never change, so
the store beside the backup only receives the files it lacks, each hashed while it is
copied (``qmstrack.evidence.copy_store``). The pseudonymisation key file
(``qmstrack.secret_key``) is copied beside the backup, owner-only.

A backup never replaces the database's own files: the database, its ``-wal``, ``-shm`` and
``-journal`` files (replacing the WAL loses the transactions committed in it), or anything
inside its evidence folder, whatever the name given (symbolic links are resolved, and a
hard link to one of them is recognised by its inode), ``--force`` or not. The database
copy is renamed into place only after the evidence is copied, so a full disk leaves no
half backup.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

from qmstrack.db import backup_to
from qmstrack.errors import Conflict, IntegrityFailure, InvalidInput

# SQLite's own files beside a database (https://www.sqlite.org/tempfiles.html).
SIDE_FILES = ("-wal", "-shm", "-journal")


def backup(db: sqlite_utils.Database, db_path: Path, out: Path, *,
           force: bool = False) -> int:
    """Write the backup to ``out`` (and ``<out stem>-evidence/``); return evidence files
    copied."""
    from qmstrack.evidence import copy_store

    out = Path(out).expanduser()
    refuse_own_files(Path(db_path), out)
    if out.is_dir():
        raise InvalidInput(f"{out} is a directory; give the backup file's name.")
    if out.exists() and not force:
        raise Conflict(f"{out} already exists; pass --force to replace it.")
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder {out.parent} does not exist.")
    result = []

    def beside() -> None:
        result.append(copy_store(db_path, out))
        copy_key(Path(db_path), out)

    backup_to(db, out, before_rename=beside)
    copied = result[0]
    if copied.altered:
        count = len(copied.altered)
        shown = ", ".join(copied.altered[:3]) + (" ..." if count > 3 else "")
        raise IntegrityFailure(
            f"The backup {out} is not good: {count} evidence "
            f"{'file no longer matches' if count == 1 else 'files no longer match'} its "
            f"SHA-256 and {'was' if count == 1 else 'were'} not copied ({shown}); run "
            "'qmstrack db check'.")
    return copied.copied


def copy_key(db_path: Path, out: Path) -> None:
    """The pseudonymisation key beside the backup (owner-only), when the database has one."""
    from qmstrack.atomic import write_atomically
    from qmstrack.secret_key import key_path, read_key

    key = read_key(key_path(db_path))
    if key is not None:
        write_atomically(key_path(out), key + "\n", mode=0o600)


def refuse_own_files(db_path: Path, out: Path) -> None:
    """Refuse a backup target that is the database, one of its side files, or inside its
    evidence folder (or whose evidence folder would be the database's)."""
    from qmstrack.evidence import store_dir

    db_real = db_path.expanduser().resolve()
    target = out.resolve()
    from qmstrack.secret_key import key_path

    own = [db_real, *(db_real.with_name(db_real.name + side) for side in SIDE_FILES),
           key_path(db_real)]
    if target in own or any(_same_file(target, path) for path in own):
        raise InvalidInput(f"The backup cannot overwrite the database itself or its "
                           f"'-wal'/'-shm'/key files ({db_real}); choose another file.")
    store = store_dir(db_real).resolve()
    for path in (target, store_dir(out).resolve(), store_dir(target).resolve()):
        if path == store or path.is_relative_to(store):
            raise InvalidInput(f"The backup cannot be written inside the database's "
                               f"evidence folder {store}; choose another place.")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
