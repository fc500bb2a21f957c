"""Checking an evidence bundle: a BagIt bag (RFC 8493) folder or zip, with the ``bagit``
package, naming every missing, extra or altered file.

A zip is extracted safely first (:func:`extract_zip`: no absolute paths, no ``..``, no
links or devices, a size cap). :func:`bag_fingerprint` names one exact bag: the SHA-256 of
its tag manifest, which covers every manifest and so every file; the export prints it so
that it can be handed over separately.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qmstrack.errors import IntegrityFailure, InvalidInput, NotFound

MAX_EXTRACT_BYTES = 20 * 1024 ** 3
MAX_EXTRACT_ENTRIES = 1_000_000


def bag_fingerprint(bag_dir: Path) -> str:
    """SHA-256 of the bag's tag manifest, which covers every manifest and so every file."""
    with open(bag_dir / "tagmanifest-sha256.txt", "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@contextlib.contextmanager
def quiet_bagit():
    """bagit logs every problem it finds; qmstrack reports them itself."""
    import logging

    logger = logging.getLogger("bagit")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.CRITICAL + 1)
    logger.propagate = False
    try:
        yield
    finally:
        logger.setLevel(level)
        logger.propagate = propagate


@dataclass
class VerifyResult:
    path: Path
    files: int
    info: dict[str, Any]
    fingerprint: str


def _member_type(info: zipfile.ZipInfo) -> int:
    return (info.external_attr >> 16) & 0o170000


def _unsafe_member(name: str) -> bool:
    if not name or "\x00" in name:
        return True
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    parts = re.split(r"[/\\]", name)
    return any(p == ".." for p in parts)


def extract_zip(path: Path, target: Path, *, max_bytes: int = MAX_EXTRACT_BYTES,
                max_entries: int = MAX_EXTRACT_ENTRIES) -> None:
    """Extract a zip safely: no absolute paths, no ``..``, no links or devices, a size cap."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IntegrityFailure(f"{path} is not a readable zip file ({exc}).") from exc
    root = target.resolve()
    total = 0
    with zf:
        members = zf.infolist()
        if len(members) > max_entries:
            raise IntegrityFailure(f"{path} holds {len(members)} entries; refusing more "
                                   f"than {max_entries}.")
        seen: set[str] = set()
        for info in members:
            name = info.filename
            if _unsafe_member(name):
                raise IntegrityFailure(f"{path} holds the unsafe entry {name!r} (absolute "
                                       "path or '..'); refusing to extract it.")
            kind = _member_type(info)
            if kind == 0o120000:
                raise IntegrityFailure(f"{path} holds the symbolic link {name!r}; refusing "
                                       "to extract it.")
            if kind not in (0, 0o100000, 0o040000):
                raise IntegrityFailure(f"{path} holds {name!r}, which is not a plain file "
                                       "or folder; refusing to extract it.")
            normal = name.replace("\\", "/").strip("/")
            if normal in seen:
                raise IntegrityFailure(f"{path} holds {name!r} twice; refusing it.")
            seen.add(normal)
            dest = root.joinpath(*[p for p in normal.split("/") if p not in ("", ".")])
            if not dest.resolve().is_relative_to(root):
                raise IntegrityFailure(f"{path} holds the unsafe entry {name!r}.")
            if info.is_dir() or kind == 0o040000:
                try:
                    dest.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise IntegrityFailure(f"{path}: the entry {name!r} cannot be "
                                           f"extracted ({exc}).") from exc
                continue
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "xb") as out:
                    while block := src.read(1024 * 1024):
                        total += len(block)
                        if total > max_bytes:
                            raise IntegrityFailure(
                                f"{path} expands to more than {max_bytes // 1024 ** 3} GB; "
                                "refusing to extract it.")
                        out.write(block)
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as exc:
                if isinstance(exc, FileExistsError):
                    raise IntegrityFailure(f"{path} holds {name!r} twice; refusing it.") \
                        from exc
                raise IntegrityFailure(f"{path}: the entry {name!r} cannot be read "
                                       f"({exc}).") from exc


def _bag_root(extracted: Path) -> Path:
    if (extracted / "bagit.txt").is_file():
        return extracted
    entries = [p for p in extracted.iterdir()]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / "bagit.txt").is_file():
        return entries[0]
    raise IntegrityFailure("The zip file holds no BagIt bag (no bagit.txt at its top).")


def _rel(path: str) -> str:
    return Path(path).as_posix()


def _validation_problems(root: Path) -> tuple[list[str], int, dict[str, Any]]:
    """Every missing, extra or altered file of the bag at ``root``, one line each."""
    import bagit

    with quiet_bagit():
        try:
            bag = bagit.Bag(str(root))
        except bagit.BagError as exc:
            raise IntegrityFailure(f"{root} is not a valid BagIt bag: {exc}.") from exc
        oxum = bag.info.pop("Payload-Oxum", None)
        problems: list[str] = []
        missing: set[str] = set()
        try:
            # Structure and completeness first, without the Payload-Oxum short cut, so
            # that every missing and extra file is named.
            bag.validate(completeness_only=True)
        except bagit.BagValidationError as exc:
            if not exc.details:
                raise IntegrityFailure(f"{root} is not a valid BagIt bag: {exc.message}.") \
                    from exc
            for d in sorted(exc.details, key=lambda d: (type(d).__name__,
                                                       _rel(getattr(d, "path", "")))):
                if isinstance(d, bagit.FileMissing):
                    missing.add(_rel(d.path))
                    problems.append(f"missing: {_rel(d.path)}")
                elif isinstance(d, bagit.UnexpectedFile):
                    problems.append(f"extra: {_rel(d.path)}")
                else:
                    problems.append(str(d))
        except bagit.BagError as exc:
            raise IntegrityFailure(f"{root} is not a valid BagIt bag: {exc}.") from exc
        # Then the checksum of every file still there (bagit's own entry validation).
        try:
            bag._validate_entries(1)
        except bagit.BagValidationError as exc:
            for d in sorted(exc.details, key=lambda d: _rel(getattr(d, "path", ""))):
                path = _rel(getattr(d, "path", ""))
                if path in missing:
                    continue
                if isinstance(d, bagit.ChecksumMismatch):
                    problems.append(f"altered: {path}")
                else:
                    problems.append(str(d))
        # Tag files beside data/ that no tag manifest lists.
        listed = {_rel(p) for p in bag.entries}
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = Path(dirpath).relative_to(root)
            if rel_dir.parts[:1] == ("data",):
                dirnames[:] = []
                continue
            dirnames.sort()
            for name in sorted(filenames):
                rel = (rel_dir / name).as_posix()
                if rel.startswith("tagmanifest-") and "/" not in rel:
                    continue
                if rel not in listed and rel not in ("bagit.txt",):
                    problems.append(f"extra: {rel}")
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                full = Path(dirpath) / name
                if full.is_symlink():
                    problems.append(f"symbolic link: {full.relative_to(root).as_posix()}")
        if oxum is not None and not problems:
            bag.info["Payload-Oxum"] = oxum
            try:
                bag.validate(fast=True)
            except bagit.BagError as exc:
                problems.append(f"bag-info.txt: {exc}")
        files = len(bag.payload_entries())
        info = dict(bag.info)
        if (root / "tagmanifest-sha256.txt").is_file():
            info["fingerprint"] = bag_fingerprint(root)
        return problems, files, info


def verify_bundle(path: str | os.PathLike) -> VerifyResult:
    """Check a bag folder or zip; raise ``IntegrityFailure`` naming every bad file."""
    path = Path(path).expanduser()
    if not path.exists():
        raise NotFound(f"There is no bundle at {path}.")
    if path.is_dir():
        problems, files, info = _validation_problems(path)
    elif path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="qmstrack-verify-") as tmp:
            extract_zip(path, Path(tmp))
            problems, files, info = _validation_problems(_bag_root(Path(tmp)))
    else:
        raise InvalidInput(f"{path} is neither a bundle folder nor a zip file.")
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise IntegrityFailure(
            f"The bundle {path} is not intact ({len(problems)} {noun}): {problems[0]}.",
            problems,
        )
    return VerifyResult(path, files, info, info.pop("fingerprint", ""))

