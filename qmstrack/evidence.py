"""The evidence store: files kept beside the database, named by their SHA-256.

A file given to qmstrack (a signed SOP, review minutes, a photo of a logbook) is copied
into ``<db dir>/<db stem>-evidence/sha256/ab/abcdef...``: content-addressed, so the same
content is stored once, and never moved or altered afterwards. Each copy is written to a
temporary name in the store (``qmstrack.atomic``), flushed, made read-only (0o400) and
renamed into place, in directories only the owner can enter (0o700). The
``evidence_files`` table records each file's hash, size, sanitised original name and media
type; ``qmstrack db check`` re-hashes every stored file against it.

Domain functions take the database *file path* explicitly, because the store is found
from it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from qmstrack.atomic import AtomicFile
from qmstrack.db import writing
from qmstrack.errors import InvalidInput, NotFound

MAX_BYTES = 200 * 1024 * 1024
CHUNK = 1024 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 120


def store_dir(db_path: str | os.PathLike) -> Path:
    """The evidence store of the database at ``db_path`` (it may not exist yet)."""
    path = Path(db_path).expanduser()
    return path.parent / f"{path.stem}-evidence"


def check_sha(sha: object) -> str:
    """A SHA-256 in lower-case hex, or ``InvalidInput`` (never a path fragment)."""
    text = str(sha or "").strip().lower()
    if not _SHA.match(text):
        raise InvalidInput(f"{str(sha)[:70]!r} is not a SHA-256 (64 hexadecimal digits).")
    return text


def evidence_path(db_path: str | os.PathLike, sha: str) -> Path:
    """Where the file with this SHA-256 is (or would be) stored."""
    sha = check_sha(sha)
    return store_dir(db_path) / "sha256" / sha[:2] / sha


def sanitise_name(name: object, default: str = "file") -> str:
    """A safe base name: ``[A-Za-z0-9._-]`` only, no leading dot, never ``..``.

    ``../../etc/passwd`` becomes ``passwd``; ``Notulen Rapat (final).pdf`` becomes
    ``Notulen_Rapat_final_.pdf``.
    """
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = _UNSAFE.sub("_", text).lstrip("._-")
    if len(text) > MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            text = text[:MAX_NAME]
    return text or default


def media_type(name: str) -> str:
    import mimetypes

    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != 0o700:
        os.chmod(path, 0o700)


def _check_source(path: Path) -> int:
    if not path.exists():
        raise NotFound(f"There is no file {path}.")
    if path.is_dir():
        raise InvalidInput(f"{path} is a directory; give one file (zip a folder first).")
    if not path.is_file():
        raise InvalidInput(f"{path} is not a regular file.")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InvalidInput(
            f"{path} is {size / 1024 / 1024:.0f} MB; evidence files may be at most "
            f"{MAX_BYTES // 1024 // 1024} MB."
        )
    return size


def _copy_into_store(db_path: Path, source: Path) -> tuple[str, int]:
    """Copy ``source`` into the store (once per content); return its SHA-256 and size."""
    root = store_dir(db_path)
    _private_dir(root)
    tmp_dir = root / "tmp"
    _private_dir(tmp_dir)
    # The name is the content's hash, known only once it is copied: the temporary file
    # waits in the store's own folder (same file system) instead of beside the target.
    incoming = AtomicFile(binary=True, mode=0o400, temp_dir=tmp_dir)
    try:
        digest = hashlib.sha256()
        size = 0
        with open(source, "rb") as src:
            while block := src.read(CHUNK):
                size += len(block)
                if size > MAX_BYTES:
                    raise InvalidInput(
                        f"{source} grew past {MAX_BYTES // 1024 // 1024} MB while it was "
                        "being copied; evidence files may be at most that large."
                    )
                digest.update(block)
                incoming.file.write(block)
        sha = digest.hexdigest()
        target = evidence_path(db_path, sha)
        _private_dir(target.parent.parent)
        _private_dir(target.parent)
        if target.is_file() and _file_sha256(target) == sha:
            incoming.discard()
        else:
            incoming.commit(target)
        return sha, size
    except BaseException:
        incoming.discard()
        raise


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def store_file(db: sqlite_utils.Database, db_path: str | os.PathLike,
               path: str | os.PathLike, *, original_name: str | None = None) -> str:
    """Copy a file into the evidence store and record it; return its SHA-256.

    Storing the same content again changes nothing (the first original name is kept).
    Runs in its own write transaction, or joins the caller's.
    """
    source = Path(path).expanduser()
    _check_source(source)
    try:
        sha, size = _copy_into_store(Path(db_path), source)
    except PermissionError as exc:
        raise InvalidInput(f"Cannot read {source} or write the evidence store: "
                           f"{exc.strerror}.") from exc
    name = sanitise_name(original_name or source.name)
    with writing(db):
        if db.execute("SELECT 1 FROM evidence_files WHERE sha256 = ?", [sha]).fetchone() is None:
            db.table("evidence_files").insert({
                "sha256": sha,
                "size": size,
                "original_name": name,
                "media_type": media_type(name),
                "stored_at": datetime.now(UTC).isoformat(timespec="seconds"),
            })
    return sha


@dataclass(frozen=True)
class EvidenceProblem:
    sha256: str
    original_name: str
    message: str


def check_file(db_path: str | os.PathLike, sha: str, size: int,
               original_name: str = "") -> EvidenceProblem | None:
    """Is the stored file there, unaltered? ``None`` when it is."""
    label = f"evidence file {sha}" + (f" ({original_name})" if original_name else "")
    try:
        path = evidence_path(db_path, sha)
    except InvalidInput:
        return EvidenceProblem(str(sha), original_name,
                               f"{label} has an invalid SHA-256 in evidence_files")
    root = store_dir(db_path)
    for folder in (root, root / "sha256", path.parent):
        if folder.is_symlink():
            return EvidenceProblem(sha, original_name,
                                   f"{label}: the evidence folder {folder} is a symbolic link "
                                   "(it was replaced outside qmstrack)")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return EvidenceProblem(sha, original_name, f"{label} at {path} is not a plain file")
    if not path.exists():
        return EvidenceProblem(sha, original_name, f"{label} is missing from {path}")
    try:
        found = _file_sha256(path)
    except OSError as exc:
        return EvidenceProblem(sha, original_name, f"{label} cannot be read: {exc.strerror}")
    if found != sha:
        return EvidenceProblem(sha, original_name,
                               f"{label} at {path} was altered (its SHA-256 is now {found})")
    if path.stat().st_size != size:
        return EvidenceProblem(sha, original_name,
                               f"{label} has {path.stat().st_size} bytes, recorded {size}")
    return None


def check_store(db: sqlite_utils.Database, db_path: str | os.PathLike
                ) -> Iterator[EvidenceProblem | None]:
    """Check every recorded evidence file; yield ``None`` for a good one, else its problem."""
    for sha, size, name in db.execute(
        "SELECT sha256, size, original_name FROM evidence_files ORDER BY sha256"
    ):
        yield check_file(db_path, sha, size, name)


def copy_verified(db_path: str | os.PathLike, sha: str, target: Path) -> int:
    """Copy a stored file to ``target``, checking its hash on the way; return its size.

    Raises ``IntegrityFailure`` when the stored file is missing or no longer matches.
    """
    from qmstrack.errors import IntegrityFailure

    source = evidence_path(db_path, sha)
    if not source.is_file():
        raise IntegrityFailure(f"The evidence file {sha} is missing from {source}; "
                               "run 'qmstrack db check'.")
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as src, open(target, "xb") as out:
        while block := src.read(CHUNK):
            digest.update(block)
            out.write(block)
            size += len(block)
    if digest.hexdigest() != sha:
        raise IntegrityFailure(f"The evidence file {source} was altered (SHA-256 no longer "
                               f"{sha}); run 'qmstrack db check'.")
    return size


@dataclass(frozen=True)
class CopiedStore:
    """What :func:`copy_store` did: files copied, and the SHA-256 of each altered file."""

    copied: int
    altered: list[str]


def copy_store(db_path: str | os.PathLike, target_db_path: str | os.PathLike) -> CopiedStore:
    """Copy the evidence store beside a copy of the database (for backups).

    Stored files never change, so only files missing at the target are copied. Each file
    is hashed while it is copied: one that no longer has the SHA-256 it is stored under is
    not copied, and is named in the result. A failure to write (a full disk) removes every
    file this call copied and raises ``DatabaseError``. Meant for ``qmstrack db backup``.
    """
    from qmstrack.errors import DatabaseError, IntegrityFailure

    source_root = store_dir(db_path) / "sha256"
    if not source_root.is_dir():
        return CopiedStore(0, [])
    if store_dir(db_path).is_symlink() or source_root.is_symlink():
        raise IntegrityFailure(f"The evidence folder {store_dir(db_path)} is a symbolic link; "
                               "run 'qmstrack db check'. The backup's evidence was not copied.")
    written: list[Path] = []
    altered: list[str] = []
    try:
        for source in sorted(source_root.glob("??/*")):
            if not source.is_file() or not _SHA.match(source.name):
                continue
            target = evidence_path(target_db_path, source.name)
            if target.is_file():
                continue
            if _copy_checked(source, target):
                written.append(target)
            else:
                altered.append(source.name)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise DatabaseError(f"Cannot copy the evidence files to {store_dir(target_db_path)}: "
                            f"{exc.strerror or exc}; the partial copy was removed.") from None
    return CopiedStore(len(written), altered)


def _copy_checked(source: Path, target: Path) -> bool:
    """Copy one stored file, hashing it on the way; False (nothing left) if altered."""
    _private_dir(target.parent.parent.parent)
    _private_dir(target.parent.parent)
    _private_dir(target.parent)
    digest = hashlib.sha256()
    # A new hidden name per copy: another backup may be copying the same file now.
    with open(source, "rb") as src, AtomicFile(target, binary=True, mode=0o400) as dst:
        while block := src.read(CHUNK):
            digest.update(block)
            dst.file.write(block)
        if digest.hexdigest() != source.name:
            dst.discard()
            return False
    return True
