"""Checking a BagIt bag (RFC 8493, https://www.rfc-editor.org/rfc/rfc8493), folder or zip,
made by qmstrack or by any other tool, naming every missing, extra or altered file.

The rules are those of RFC 8493 (section numbers below), read against the cases of the
Library of Congress conformance suite (github.com/LibraryOfCongress/bagit-conformance-suite:
valid, invalid and warning bags for BagIt 0.97 and 1.0):

- ``bagit.txt`` (2.1.1) is exactly two lines, ``BagIt-Version: M.N`` and
  ``Tag-File-Character-Encoding: ENCODING``, in UTF-8 without a byte-order mark; a space
  before the colon or any other stray whitespace is refused.
- the payload directory ``data/`` (2.1.2) and at least one payload manifest (2.1.3) exist;
  every manifest line is a checksum and a path inside ``data/``, each path once (the same
  path twice with the same checksum is only a warning before 1.0); every payload file is
  listed in every payload manifest (1.0) or in at least one (before 1.0); the paths of
  1.0 bags decode ``%0A``, ``%0D`` and ``%25``.
- tag manifests (2.2.1) list tag files only; ``bag-info.txt`` (2.2.2) holds ``Label:
  value`` lines (continued by lines that start with whitespace) and its ``Payload-Oxum``
  is ``octets.files`` and matches the payload; ``fetch.txt`` (2.2.3) lines are ``url
  length path`` with the path inside ``data/``. Tag files are decoded with the bag's
  Tag-File-Character-Encoding.

A bag that is valid but needs attention passes with warnings (the command exits 3): its
payload manifests use only MD5 or SHA-1, which RFC 8493 keeps for backwards compatibility
but which cannot show that nothing was changed on purpose (section 6.2, "Security
considerations"); it is holey (``fetch.txt``: files still to be fetched, 2.2.3); a tag
file is listed by no tag manifest while others are.

Every verified bag has a fingerprint, the SHA-256 of its tag manifest, which covers every
manifest and so every file: the bytes of ``tagmanifest-sha256.txt`` when the bag has one
(the export prints the same figure), otherwise of the SHA-256 tag manifest qmstrack
computes over every tag file (one ``checksum  path`` line each, sorted by path).

A zip is checked before anything of it is written: every member is inflated once as a
stream and the total is bounded by the free space of the temporary folder and
:data:`MAX_EXTRACT_BYTES`, and by a compression ratio (:mod:`qmstrack.zipbounds`); only
then is it extracted safely (no absolute paths, no ``..``, no links or devices).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qmstrack.errors import IntegrityFailure, InvalidInput, NotFound
from qmstrack.i18n import _
from qmstrack.zipbounds import MAX_RATIO, inflates_too_much, ratio

MAX_EXTRACT_BYTES = 20 * 1024 ** 3
MAX_EXTRACT_ENTRIES = 1_000_000
# Left free in the temporary folder after extracting a zip.
FREE_SPACE_RESERVE = 64 << 20
# A tag file larger than this is refused rather than read into memory.
MAX_TAG_FILE_BYTES = 512 << 20
WEAK_ALGORITHMS = ("md5", "sha1")
ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
KNOWN_VERSIONS = ("0.93", "0.94", "0.95", "0.96", "0.97", "1.0")
SYSTEM_FILES = (".ds_store", "thumbs.db", "desktop.ini")
_BLOCK = 1 << 20

_DECLARATION = re.compile(r"BagIt-Version: ([0-9]+\.[0-9]+)(?:\r\n|\r|\n)"
                          r"Tag-File-Character-Encoding: ([A-Za-z0-9._:-]+)(?:\r\n|\r|\n)?")
_LINES = re.compile(r"\r\n|\r|\n")
_MANIFEST_NAME = re.compile(r"(tag)?manifest-([A-Za-z0-9]+)\.txt")


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
    version: str = ""
    algorithms: tuple[str, ...] = ()
    # True when the bag has no tagmanifest-sha256.txt and qmstrack computed its own.
    fingerprint_computed: bool = False
    warnings: list[str] = field(default_factory=list)


# --- zip -------------------------------------------------------------------------------


def _member_type(info: zipfile.ZipInfo) -> int:
    return (info.external_attr >> 16) & 0o170000


def _unsafe_member(name: str) -> bool:
    if not name or "\x00" in name:
        return True
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    parts = re.split(r"[/\\]", name)
    return any(p == ".." for p in parts)


def _unreadable_zip(path: Path, name: str, exc: BaseException) -> IntegrityFailure:
    return IntegrityFailure(_("{path}: the entry {name} cannot be read, the zip file is "
                              "damaged ({error}).").format(path=path, name=repr(name),
                                                           error=str(exc) or type(exc).__name__))


def free_space_limit(target: Path, max_bytes: int = MAX_EXTRACT_BYTES) -> int:
    """The most a zip may inflate to in ``target``: its free space (less a reserve), at
    most ``max_bytes``."""
    free = shutil.disk_usage(target).free
    return max(0, min(max_bytes, free - FREE_SPACE_RESERVE))


def check_zip_bounds(path: Path, zf: zipfile.ZipFile, limit: int) -> None:
    """Refuse a zip that would inflate past ``limit`` bytes or by more than the ratio, from
    its directory first and then from every member inflated as a stream (nothing is
    written): a directory that lies about sizes is caught by the stream."""
    members = [i for i in zf.infolist() if not i.is_dir()]
    declared = sum(i.file_size for i in members)
    packed = sum(i.compress_size for i in members)
    if declared > limit:
        raise IntegrityFailure(_(
            "{path} is refused: it inflates to {size:,} bytes, more than the {limit:,} bytes "
            "that can be extracted (bounded by the free space of the temporary folder)."
        ).format(path=path, size=declared, limit=limit))
    for info in members:
        if inflates_too_much(info.file_size, info.compress_size):
            raise _bomb(path, info.filename, info.file_size, info.compress_size)
    if inflates_too_much(declared, packed):
        raise _bomb(path, "", declared, packed)
    total = 0
    for info in members:
        size = 0
        try:
            with zf.open(info) as src:
                while block := src.read(_BLOCK):
                    size += len(block)
                    total += len(block)
                    if total > limit:
                        raise IntegrityFailure(_(
                            "{path} is refused: it inflates to more than the {limit:,} bytes "
                            "that can be extracted (bounded by the free space of the "
                            "temporary folder).").format(path=path, limit=limit))
                    if inflates_too_much(size, info.compress_size):
                        raise _bomb(path, info.filename, size, info.compress_size)
        except IntegrityFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - zlib, lzma, bz2, zipfile: the file's fault
            raise _unreadable_zip(path, info.filename, exc) from None
    if inflates_too_much(total, packed):
        raise _bomb(path, "", total, packed)


def _bomb(path: Path, name: str, size: int, packed: int) -> IntegrityFailure:
    if name:
        return IntegrityFailure(_(
            "{path} is refused: its entry {name} inflates {ratio:,} times (from {packed:,} "
            "to {size:,} bytes); a bundle's files inflate at most {limit} times, a "
            "decompression bomb much more.").format(
                path=path, name=repr(name), ratio=ratio(size, packed), packed=packed,
                size=size, limit=MAX_RATIO))
    return IntegrityFailure(_(
        "{path} is refused: it inflates {ratio:,} times in all (from {packed:,} to {size:,} "
        "bytes); a bundle inflates at most {limit} times, a decompression bomb much more."
    ).format(path=path, ratio=ratio(size, packed), packed=packed, size=size,
             limit=MAX_RATIO))


def extract_zip(path: Path, target: Path, *, max_bytes: int = MAX_EXTRACT_BYTES,
                max_entries: int = MAX_EXTRACT_ENTRIES) -> None:
    """Extract a zip safely: no absolute paths, no ``..``, no links or devices, its size
    bounded by the free space of ``target`` and ``max_bytes`` and checked before any
    byte is written."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise IntegrityFailure(_("{path} is not a readable zip file ({error}).").format(
            path=path, error=exc)) from None
    root = target.resolve()
    with zf:
        members = zf.infolist()
        if len(members) > max_entries:
            raise IntegrityFailure(_("{path} holds {n:,} entries; refusing more than "
                                     "{limit:,}.").format(path=path, n=len(members),
                                                          limit=max_entries))
        seen: set[str] = set()
        plan: list[tuple[zipfile.ZipInfo, Path, bool]] = []
        for info in members:
            name = info.filename
            if _unsafe_member(name):
                raise IntegrityFailure(_("{path} holds the unsafe entry {name} (absolute "
                                         "path or '..'); refusing to extract it.").format(
                                             path=path, name=repr(name)))
            kind = _member_type(info)
            if kind == stat.S_IFLNK:
                raise IntegrityFailure(_("{path} holds the symbolic link {name}; refusing "
                                         "to extract it.").format(path=path, name=repr(name)))
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise IntegrityFailure(_("{path} holds {name}, which is not a plain file or "
                                         "folder; refusing to extract it.").format(
                                             path=path, name=repr(name)))
            normal = name.replace("\\", "/").strip("/")
            if normal in seen:
                raise IntegrityFailure(_("{path} holds {name} twice; refusing it.").format(
                    path=path, name=repr(name)))
            seen.add(normal)
            dest = root.joinpath(*[p for p in normal.split("/") if p not in ("", ".")])
            if not dest.resolve().is_relative_to(root):
                raise IntegrityFailure(_("{path} holds the unsafe entry {name} (absolute "
                                         "path or '..'); refusing to extract it.").format(
                                             path=path, name=repr(name)))
            plan.append((info, dest, info.is_dir() or kind == stat.S_IFDIR))
        check_zip_bounds(path, zf, free_space_limit(root, max_bytes))
        for info, dest, is_dir in plan:
            try:
                if is_dir:
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "xb") as out:
                    while block := src.read(_BLOCK):
                        out.write(block)
            except FileExistsError:
                raise IntegrityFailure(_("{path} holds {name} twice; refusing it.").format(
                    path=path, name=repr(info.filename))) from None
            except OSError as exc:
                raise IntegrityFailure(_("{path}: the entry {name} cannot be extracted "
                                         "({error}).").format(path=path,
                                                              name=repr(info.filename),
                                                              error=exc)) from None
            except Exception as exc:  # noqa: BLE001 - zlib, lzma, zipfile: the file's fault
                raise _unreadable_zip(path, info.filename, exc) from None


def _bag_root(extracted: Path) -> Path:
    if (extracted / "bagit.txt").is_file():
        return extracted
    entries = list(extracted.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / "bagit.txt").is_file():
        return entries[0]
    raise IntegrityFailure(_("The zip file holds no BagIt bag (no bagit.txt at its top)."))


# --- the bag ---------------------------------------------------------------------------


class _Bag:
    """One bag being checked: its problems (invalid) and warnings (attention) so far."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.version = ""
        self.encoding = "utf-8"
        # The tag files whose paths start with "./" (read without it).
        self.dot_slash: set[str] = set()

    def not_a_bag(self, reason: str) -> IntegrityFailure:
        return IntegrityFailure(_("{root} is not a valid BagIt bag: {reason}").format(
            root=self.root, reason=reason))

    # -- reading --

    def read_bytes(self, rel: str) -> bytes:
        full = self.root / rel
        if full.is_symlink():
            raise self.not_a_bag(_("{name} is a symbolic link.").format(name=rel))
        if full.is_dir():
            raise self.not_a_bag(_("{name} is a folder, not a file.").format(name=rel))
        try:
            if full.stat().st_size > MAX_TAG_FILE_BYTES:
                raise self.not_a_bag(_("{name} is larger than {limit:,} bytes.").format(
                    name=rel, limit=MAX_TAG_FILE_BYTES))
            return full.read_bytes()
        except OSError as exc:
            raise self.not_a_bag(_("{name} cannot be read ({error}).").format(
                name=rel, error=exc.strerror or exc)) from None

    def read_text(self, rel: str) -> str:
        data = self.read_bytes(rel)
        try:
            text = data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise self.not_a_bag(_("{name} is not valid {encoding} text (byte {at:,}), the "
                                   "encoding bagit.txt declares.").format(
                                       name=rel, encoding=self.encoding.upper(),
                                       at=exc.start + 1)) from None
        return text.removeprefix("\ufeff")

    def declaration(self) -> None:
        """RFC 8493 2.1.1: two lines, UTF-8, no byte-order mark, no stray whitespace."""
        if not (self.root / "bagit.txt").exists():
            raise self.not_a_bag(_("there is no bagit.txt."))
        data = self.read_bytes("bagit.txt")
        if data.startswith(b"\xef\xbb\xbf"):
            raise self.not_a_bag(_("bagit.txt starts with a byte-order mark, which RFC 8493 "
                                   "(2.1.1) forbids."))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise self.not_a_bag(_("bagit.txt is not UTF-8 text.")) from None
        m = _DECLARATION.fullmatch(text)
        if not m:
            raise self.not_a_bag(_(
                "bagit.txt must be exactly the two lines 'BagIt-Version: M.N' and "
                "'Tag-File-Character-Encoding: ENCODING' (RFC 8493, 2.1.1), without other "
                "spaces; it reads {text}.").format(text=repr(text[:200])))
        self.version = m[1]
        if self.version not in KNOWN_VERSIONS:
            raise self.not_a_bag(_("bagit.txt declares BagIt-Version {version}, which is not "
                                   "a version of BagIt ({known}).").format(
                                       version=self.version, known=", ".join(KNOWN_VERSIONS)))
        import codecs

        try:
            self.encoding = codecs.lookup(m[2]).name
        except LookupError:
            raise self.not_a_bag(_("bagit.txt declares the Tag-File-Character-Encoding "
                                   "{encoding}, which is not a known encoding.").format(
                                       encoding=m[2])) from None

    @property
    def is_1_0(self) -> bool:
        return self.version == "1.0"

    def decode_path(self, path: str) -> str:
        """RFC 8493 2.1.3: CR, LF and % are percent-encoded in 1.0 paths."""
        if not self.is_1_0:
            return path
        return re.sub(r"%(0[AaDd]|25)", lambda m: chr(int(m[1], 16)), path)

    def safe_path(self, where: str, path: str) -> str | None:
        """The path relative to the bag, or ``None`` (and a problem) if it leaves it."""
        if path.startswith("./"):
            path = path[2:]
            self.dot_slash.add(where)
        parts = path.split("/")
        if (not path or path.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", path)
                or "\\" in path or any(p in ("..", ".", "") for p in parts)):
            self.problems.append(_("{where}: the path {path} leaves the bag or is not "
                                   "relative to it.").format(where=where, path=repr(path)))
            return None
        return unicodedata.normalize("NFC", path)

    def manifest(self, name: str, algorithm: str, tag: bool) -> dict[str, str]:
        """The path -> checksum lines of a (tag) manifest (RFC 8493 2.1.3, 2.2.1)."""
        entries: dict[str, str] = {}
        width = hashlib.new(algorithm).digest_size * 2
        md5sum_style = False
        for number, line in enumerate(_LINES.split(self.read_text(name)), 1):
            if not line.strip():
                continue
            m = re.fullmatch(r"([0-9A-Fa-f]+)[ \t]+(\*?)(.+)", line)
            if not m or len(m[1]) != width:
                self.problems.append(_("{name}, line {line}: not a {algorithm} checksum and "
                                       "a path.").format(name=name, line=number,
                                                         algorithm=algorithm.upper()))
                continue
            md5sum_style = md5sum_style or bool(m[2])
            path = self.safe_path(name, self.decode_path(m[3]))
            if path is None:
                continue
            inside = path.startswith("data/")
            if tag and inside:
                self.problems.append(_("{name} lists the payload file {path}; a tag manifest "
                                       "lists tag files only.").format(name=name, path=path))
                continue
            if not tag and not inside:
                self.problems.append(_("{name} lists {path}, outside the payload directory "
                                       "data/.").format(name=name, path=path))
                continue
            checksum = m[1].lower()
            if path in entries:
                if entries[path] != checksum or self.is_1_0:
                    self.problems.append(_("{name} lists {path} more than once.").format(
                        name=name, path=path))
                else:
                    self.warnings.append(_("{name} lists {path} twice, with the same "
                                           "checksum.").format(name=name, path=path))
                continue
            entries[path] = checksum
        if md5sum_style:
            self.warnings.append(_("{name} marks paths with '*' as md5sum-style tools do; "
                                   "they were read without it.").format(name=name))
        return entries

    def bag_info(self) -> dict[str, Any]:
        """RFC 8493 2.2.2: ``Label: value`` lines, continued by lines starting with
        whitespace; repeated labels keep every value."""
        info: dict[str, Any] = {}
        if not (self.root / "bag-info.txt").exists():
            return info
        last = ""
        for number, line in enumerate(_LINES.split(self.read_text("bag-info.txt")), 1):
            if not line.strip():
                continue
            if line[0] in " \t" and last:
                value = info[last]
                if isinstance(value, list):
                    value[-1] = f"{value[-1]} {line.strip()}"
                else:
                    info[last] = f"{value} {line.strip()}"
                continue
            label, colon, value = line.partition(":")
            # A space before the colon ("Test-Tag : 3") is read as the conformance suite's
            # valid 0.97 bag "uncommon-metadata-separators" has it.
            label = label.rstrip(" \t")
            if not colon or not label:
                self.problems.append(_("bag-info.txt, line {line}: not 'Label: value'."
                                       ).format(line=number))
                last = ""
                continue
            value = value.strip()
            if label in info:
                prev = info[label]
                info[label] = [*prev, value] if isinstance(prev, list) else [prev, value]
            else:
                info[label] = value
            last = label
        return info

    def fetch(self) -> dict[str, str]:
        """RFC 8493 2.2.3: ``url length path`` lines; the files still to be fetched."""
        listed: dict[str, str] = {}
        if not (self.root / "fetch.txt").exists():
            return listed
        for number, line in enumerate(_LINES.split(self.read_text("fetch.txt")), 1):
            if not line.strip():
                continue
            m = re.fullmatch(r"(\S+)[ \t]+(-|[0-9]+)[ \t]+(.+)", line)
            if not m:
                self.problems.append(_("fetch.txt, line {line}: not 'url length path'."
                                       ).format(line=number))
                continue
            path = self.safe_path("fetch.txt", self.decode_path(m[3]))
            if path is None:
                continue
            if not path.startswith("data/"):
                self.problems.append(_("fetch.txt names {path}, outside the payload "
                                       "directory data/.").format(path=path))
                continue
            listed[path] = m[1]
        return listed


def _walk(root: Path, bag: _Bag) -> tuple[dict[str, str], dict[str, str]]:
    """(payload, tag) files on disk: NFC path -> path as stored; links and devices named."""
    payload: dict[str, str] = {}
    tags: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(root)
        for name in sorted(dirnames + filenames):
            full = Path(dirpath) / name
            rel = (rel_dir / name).as_posix()
            if full.is_symlink():
                bag.problems.append(_("symbolic link: {path}").format(path=rel))
                continue
            if name in dirnames:
                continue
            if not full.is_file():
                bag.problems.append(_("not a plain file: {path}").format(path=rel))
                continue
            key = unicodedata.normalize("NFC", rel)
            target = payload if rel.startswith("data/") else tags
            if key in target:
                bag.problems.append(_("{path} is in the bag twice, under two Unicode "
                                      "forms of its name.").format(path=rel))
                continue
            target[key] = rel
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return payload, tags


def _digests(full: Path, algorithms: Iterable[str]) -> dict[str, str]:
    hashers = {a: hashlib.new(a) for a in algorithms}
    with open(full, "rb") as f:
        while block := f.read(_BLOCK):
            for h in hashers.values():
                h.update(block)
    return {a: h.hexdigest() for a, h in hashers.items()}


def _check_files(bag: _Bag, on_disk: dict[str, str],
                 manifests: dict[str, dict[str, str]], *, missing: set[str]) -> None:
    """Every listed file is there (or in ``missing``, to be fetched) with its checksums."""
    wanted: dict[str, dict[str, str]] = {}
    for algorithm, entries in manifests.items():
        for path, checksum in entries.items():
            wanted.setdefault(path, {})[algorithm] = checksum
    for path in sorted(wanted):
        if path not in on_disk:
            if path not in missing:
                bag.problems.append(_("missing: {path}").format(path=path))
            continue
        try:
            found = _digests(bag.root / on_disk[path], wanted[path])
        except OSError as exc:
            bag.problems.append(_("{path} cannot be read ({error}).").format(
                path=path, error=exc.strerror or exc))
            continue
        if any(found[a] != c for a, c in wanted[path].items()):
            bag.problems.append(_("altered: {path}").format(path=path))


def _oxum(bag: _Bag, info: dict[str, Any], payload: dict[str, str], holey: bool) -> None:
    value = info.get("Payload-Oxum")
    if value is None:
        return
    if isinstance(value, list) or not re.fullmatch(r"[0-9]{1,20}\.[0-9]{1,20}", value):
        bag.problems.append(_("bag-info.txt: the Payload-Oxum {value} is not "
                              "'octets.files'.").format(value=repr(value)))
        return
    if holey:
        return
    octets, files = (int(n) for n in value.split("."))
    real_octets = sum((bag.root / p).stat().st_size for p in payload.values())
    if (octets, files) != (real_octets, len(payload)):
        bag.problems.append(_("bag-info.txt: the Payload-Oxum {value} says {octets:,} bytes "
                              "in {files:,} files; the payload holds {real_octets:,} bytes in "
                              "{real_files:,} files.").format(
                                  value=value, octets=octets, files=files,
                                  real_octets=real_octets, real_files=len(payload)))


def _computed_tag_manifest(bag: _Bag, tags: dict[str, str]) -> bytes:
    lines = []
    for key in sorted(tags):
        if _MANIFEST_NAME.fullmatch(key) and key.startswith("tagmanifest-"):
            continue
        digest = _digests(bag.root / tags[key], ["sha256"])["sha256"]
        lines.append(f"{digest}  {key}\n")
    return "".join(lines).encode("utf-8")


def check_bag(root: Path) -> VerifyResult:
    """Check the bag folder ``root`` (RFC 8493); raise ``IntegrityFailure`` naming every
    problem, or return its result with any warnings."""
    bag = _Bag(root)
    if not root.is_dir():
        raise bag.not_a_bag(_("it is not a folder."))
    bag.declaration()
    if not (root / "data").is_dir() or (root / "data").is_symlink():
        raise bag.not_a_bag(_("there is no payload folder data/."))
    payload, tags = _walk(root, bag)
    payload_manifests: dict[str, dict[str, str]] = {}
    tag_manifests: dict[str, dict[str, str]] = {}
    for key in sorted(tags):
        m = _MANIFEST_NAME.fullmatch(key)
        if not m:
            continue
        algorithm = m[2].lower()
        if algorithm not in ALGORITHMS:
            bag.warnings.append(_("{name} uses the algorithm {algorithm}, which qmstrack does "
                                  "not compute; it was not checked.").format(
                                      name=key, algorithm=m[2]))
            continue
        (tag_manifests if m[1] else payload_manifests)[algorithm] = bag.manifest(
            key, algorithm, tag=bool(m[1]))
    for name in ("manifest-sha256.txt", "bag-info.txt", "fetch.txt"):
        if (root / name).is_dir():
            raise bag.not_a_bag(_("{name} is a folder, not a file.").format(name=name))
    if not payload_manifests:
        raise bag.not_a_bag(_("it has no payload manifest (manifest-ALGORITHM.txt) that "
                              "qmstrack can check."))
    info = bag.bag_info()
    to_fetch = bag.fetch()
    holey = bool(to_fetch)
    listed: set[str] = set().union(*payload_manifests.values())
    for algorithm, entries in sorted(payload_manifests.items()):
        if bag.is_1_0:
            for path in sorted(listed - set(entries)):
                bag.problems.append(_("manifest-{algorithm}.txt does not list {path}, which "
                                      "another manifest lists.").format(algorithm=algorithm,
                                                                        path=path))
    for path in sorted(set(payload) - listed):
        bag.problems.append(_("extra: {path}").format(path=payload[path]))
    for path in sorted(set(to_fetch) - listed):
        bag.problems.append(_("fetch.txt names {path}, which no manifest lists.").format(
            path=path))
    _check_files(bag, payload, payload_manifests, missing=set(to_fetch))
    _check_files(bag, tags, tag_manifests, missing=set())
    _oxum(bag, info, payload, holey)
    if bag.problems:
        noun = _("problem") if len(bag.problems) == 1 else _("problems")
        raise IntegrityFailure(
            _("The bundle {path} is not intact ({n} {noun}): {first}.").format(
                path=root, n=len(bag.problems), noun=noun, first=bag.problems[0].rstrip(".")),
            bag.problems)

    algorithms = tuple(sorted(payload_manifests))
    if all(a in WEAK_ALGORITHMS for a in algorithms):
        bag.warnings.append(_(
            "The bag's manifests use only {algorithms}, which cannot show that nothing was "
            "changed on purpose (RFC 8493, 6.2): ask for the bundle with SHA-256 or SHA-512 "
            "manifests, or compare the fingerprint with the one handed over.").format(
                algorithms=" and ".join(a.upper() for a in algorithms)))
    absent = sorted(p for p in to_fetch if p not in payload)
    if absent:
        bag.warnings.append(_("The bag is holey: {n:,} of the files fetch.txt names are still "
                              "to be fetched (first {path}); they were not checked.").format(
                                  n=len(absent), path=absent[0]))
    elif holey:
        bag.warnings.append(_("The bag has a fetch.txt; every file it names is already in the "
                              "bag and was checked."))
    for name in sorted(bag.dot_slash):
        bag.warnings.append(_("{name} writes paths starting with './'; they were read "
                              "without it.").format(name=name))
    for key in sorted(payload):
        if key.rsplit("/", 1)[-1].lower() in SYSTEM_FILES:
            bag.warnings.append(_("{path} is a file the operating system writes by itself, "
                                  "not a record.").format(path=payload[key]))
    if tag_manifests:
        covered: set[str] = set().union(*tag_manifests.values())
        for key in sorted(tags):
            if key not in covered and not key.startswith("tagmanifest-"):
                bag.warnings.append(_("The tag file {path} is listed by no tag manifest, so "
                                      "the fingerprint does not cover it.").format(path=key))

    computed = "tagmanifest-sha256.txt" not in tags
    text = (bag.read_bytes("tagmanifest-sha256.txt") if not computed
            else _computed_tag_manifest(bag, tags))
    return VerifyResult(root, len(payload) + len([p for p in to_fetch if p not in payload]),
                        info, hashlib.sha256(text).hexdigest(), bag.version, algorithms,
                        computed, bag.warnings)


def verify_bundle(path: str | os.PathLike) -> VerifyResult:
    """Check a bag folder or zip; raise ``IntegrityFailure`` naming every bad file."""
    path = Path(path).expanduser()
    if not path.exists():
        raise NotFound(_("There is no bundle at {path}.").format(path=path))
    if path.is_dir():
        return check_bag(path)
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="qmstrack-verify-") as tmp:
            extract_zip(path, Path(tmp))
            result = check_bag(_bag_root(Path(tmp)))
            result.path = path
            return result
    raise InvalidInput(_("{path} is neither a bundle folder nor a zip file.").format(
        path=path))
