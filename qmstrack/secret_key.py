"""The pseudonymisation key: a file beside the database, never a row inside it.

``export --redact`` replaces personal data by an HMAC of it under a per-database key. The
key is kept outside the database file, in ``<db stem>-pseudonym.key`` beside it, readable
by its owner only (0600), so that anyone who may read the database (a read-only Datasette
viewer, a copy given to an auditor) cannot recompute the pseudonyms of names they guess.
It is created on first use, complete or not at all (written under a temporary name, then
linked into place: two exports starting together end with the same key), and copied with
``db backup`` beside the backup. Databases written before held it in ``settings``; the
migration ``m013_pseudonym_key_out_of_the_database`` moves it here and removes the row.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from qmstrack.errors import IntegrityFailure

SUFFIX = "-pseudonym.key"
_KEY = re.compile(r"^[0-9a-f]{64}$")


def key_path(db_file: str | os.PathLike[str]) -> Path:
    """Where the key of the database file ``db_file`` is kept."""
    path = Path(db_file)
    return path.with_name(path.stem + SUFFIX)


def read_key(path: Path) -> str | None:
    """The key kept at ``path``, or None when there is none yet."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise IntegrityFailure(f"The pseudonymisation key {path} cannot be read: "
                               f"{getattr(exc, 'strerror', None) or exc}.") from None
    if not _KEY.match(text):
        raise IntegrityFailure(f"The pseudonymisation key {path} is damaged (it must be 64 "
                               "hexadecimal digits); restore it from a backup.")
    return text


def store_key(path: Path, key: str) -> str:
    """Keep ``key`` at ``path`` unless a key is there already; return the key in force.

    The file is written whole under a temporary name (owner-only) and linked to its name,
    which fails if another process put a key there first: that key is then the one used.
    """
    import tempfile

    existing = read_key(path)
    if existing is not None:
        return existing
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temp)
    found = read_key(path)
    assert found is not None
    return found


def new_key() -> str:
    import secrets

    return secrets.token_hex(32)
