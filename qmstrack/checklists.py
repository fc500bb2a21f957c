"""ISO clause checklists: loading a YAML checklist, and finding the bundled and the user's.

A checklist is a YAML file (format: ``docs/checklist-format.md``) holding a tree of
clauses with audit items (questions) under them. Loading one takes three steps, each in
its own module: the file is read safely into a node tree that keeps every line
(:mod:`qmstrack.checklist_yaml`), the tree is validated as a whole
(:mod:`qmstrack.checklist_validation`; every problem of a file is reported at once, naming
the file, the line and the field, and nothing is loaded when there is one), and the
result is the frozen objects of :mod:`qmstrack.checklist_model`.

Checklists are found among the bundled ones (``qmstrack.bundled_checklists``, the
repository's ``checklists/`` directory) and the user's checklist directory. Parsed
checklists are cached by the SHA-256 of their bytes (and the metric declarations they
were checked against).

This module is the way in for the rest of qmstrack: it also names the model's classes.
Edition maps (ISO 9001:2008 <-> 2015) are in :mod:`qmstrack.edition_maps`.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from qmstrack.checklist_model import Checklist, Clause, Item, text
from qmstrack.checklist_validation import Validator
from qmstrack.checklist_yaml import (
    MAX_DETAILS,
    MAX_FILE_BYTES,
    MAX_NESTING,
    Problems,
    compose,
    decode,
    too_big,
)
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.i18n import Text

__all__ = ["MAX_DETAILS", "MAX_FILE_BYTES", "MAX_NESTING", "MAP_PREFIX", "Checklist",
           "ChecklistFile", "Clause", "Item", "Text", "bundled_checklist_for_edition",
           "bundled_dir", "default_user_dir", "list_checklists", "load_checklist",
           "load_checklist_bytes", "load_checklist_file", "load_checklist_text",
           "resolve_checklist", "text", "user_checklist_dir"]

BUNDLED_PACKAGE = "qmstrack.bundled_checklists"
MAP_PREFIX = "map-"
CHECKLIST_SUFFIXES = (".yaml", ".yml")


# --- loading ---------------------------------------------------------------------------------

_CACHE: OrderedDict[tuple[str, str, int], Checklist] = OrderedDict()
_CACHE_SIZE = 32


def load_checklist_bytes(data: bytes, source_name: str, *, origin: str = "path") -> Checklist:
    """Validate and load a checklist from the bytes of a file; raise ``InvalidInput``."""
    from qmstrack.metric_catalogue import generation

    sha = hashlib.sha256(data).hexdigest()
    key = (sha, source_name, generation())
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached if cached.origin == origin else replace(cached, origin=origin)
    problems = Problems(source_name)
    raw_text = decode(data, problems)
    checklist = None
    if raw_text is not None:
        checklist = _build(raw_text, sha, source_name, origin, problems)
    problems.raise_if_any()
    assert checklist is not None
    _CACHE[key] = checklist
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return checklist


def load_checklist_text(text: str, source_name: str = "<text>") -> Checklist:
    """Validate and load a checklist from its YAML text (e.g. an audit's frozen copy).

    ``sha256`` is that of the UTF-8 encoding of ``text``; for the ``raw_text`` of a
    checklist loaded from a file, that is the file's own SHA-256.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        problems = Problems(source_name)
        problems.add(None, "", "the text holds characters that cannot be saved as UTF-8")
        problems.raise_if_any()
        raise  # pragma: no cover - raise_if_any always raises here
    return load_checklist_bytes(data, source_name, origin="text")


def load_checklist_file(path: str | Path, *, origin: str = "path") -> Checklist:
    """Validate and load one checklist file; ``NotFound`` if it is not there."""
    path = Path(path)
    source = str(path)
    try:
        if path.is_dir():
            raise InvalidInput(f"{source} is a directory, not a checklist file.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems = Problems(source)
            problems.add(None, "", too_big(size))
            problems.raise_if_any()
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"There is no checklist file {source}.") from None
    except OSError as exc:
        raise InvalidInput(f"The checklist file {source} cannot be read: "
                           f"{exc.strerror or exc}.") from None
    return load_checklist_bytes(data, source, origin=origin)


def _build(raw_text: str, sha: str, source: str, origin: str,
           problems: Problems) -> Checklist | None:
    try:
        root = compose(raw_text.removeprefix("\ufeff"), problems)
        if root is None:
            return None
        validator = Validator(problems)
        data = validator.checklist(root)
    except RecursionError:
        problems.add(None, "", "the file is nested too deeply to be a checklist")
        return None
    if problems or data is None:
        return None
    return Checklist(
        id=data["id"], title=data["title"], standard=data["standard"],
        edition=data["edition"], version=data["version"], languages=data["languages"],
        clauses=data["clauses"], sha256=sha, source=source, raw_text=raw_text,
        description=data["description"], origin=origin,
    )


# --- finding checklists --------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistFile:
    """A checklist file found in the bundled or the user's directory: loaded, or broken."""

    path: Path
    origin: str  # "bundled" or "user"
    checklist: Checklist | None = None
    error: InvalidInput | NotFound | None = None


def bundled_dir() -> Path:
    """The directory of the checklists shipped with qmstrack."""
    from importlib import resources

    return Path(str(resources.files(BUNDLED_PACKAGE)))


def default_user_dir() -> Path:
    """``<user data directory>/checklists``, used when ``checklist_dir`` is not configured."""
    import platformdirs

    return Path(platformdirs.user_data_dir("qmstrack", appauthor=False)) / "checklists"


def user_checklist_dir(configured: str | Path | None) -> Path:
    """The user's checklist directory: the configured ``checklist_dir``, else the default."""
    if configured:
        return Path(configured).expanduser()
    return default_user_dir()


def _checklist_paths(directory: Path) -> list[Path]:
    try:
        if not directory.is_dir():
            return []
        return sorted(
            path for path in directory.iterdir()
            if path.suffix.lower() in CHECKLIST_SUFFIXES
            and not path.name.startswith(MAP_PREFIX) and path.is_file()
        )
    except OSError:
        return []


def list_checklists(user_dir: str | Path | None = None) -> list[ChecklistFile]:
    """The bundled checklists, then the ``*.yaml``/``*.yml`` files of ``user_dir``.

    Files whose names start with ``map-`` (edition correspondences) are not checklists. A
    broken file is listed with its error instead of failing the whole list.
    """
    found: list[ChecklistFile] = []
    sources = [(bundled_dir(), "bundled")]
    if user_dir is not None:
        sources.append((Path(user_dir), "user"))
    for directory, origin in sources:
        for path in _checklist_paths(directory):
            try:
                found.append(ChecklistFile(path, origin, load_checklist_file(path,
                                                                              origin=origin)))
            except (InvalidInput, NotFound) as exc:
                found.append(ChecklistFile(path, origin, error=exc))
    return found


def resolve_checklist(id_or_path: str | Path, user_dir: str | Path | None = None) -> Checklist:
    """A checklist file if ``id_or_path`` is an existing path, else the checklist with that id.

    Ids are looked up among the user's checklists first, then the bundled ones, so a user
    checklist with a bundled id replaces the bundled one. Raises ``NotFound``, or
    ``Conflict`` when two user files carry the same id.
    """
    name = str(id_or_path).strip()
    if not name:
        raise InvalidInput("The checklist id or path is empty.")
    path = Path(name).expanduser()
    if path.exists():
        return load_checklist_file(path, origin="path")
    entries = list_checklists(user_dir)
    user = [e for e in entries if e.origin == "user" and e.checklist and e.checklist.id == name]
    if len(user) > 1:
        raise Conflict(f"Two checklist files have the id {name!r}: {user[0].path} and "
                       f"{user[1].path}; give one of them another id.")
    if user:
        return user[0].checklist  # type: ignore[return-value]
    for entry in entries:
        if entry.origin == "bundled" and entry.checklist and entry.checklist.id == name:
            return entry.checklist
    broken = [e for e in entries if e.error is not None]
    hint = ""
    if broken:
        hint = (f" ({len(broken)} checklist file{'s' if len(broken) > 1 else ''} could not "
                f"be read; 'qmstrack checklist validate {broken[0].path}' shows why)")
    looks_like_path = "/" in name or "\\" in name or name.lower().endswith(CHECKLIST_SUFFIXES)
    if looks_like_path:
        raise NotFound(f"There is no checklist file {name} (and no checklist with that id)"
                       f"{hint}.")
    raise NotFound(f"There is no checklist {name!r}; 'qmstrack checklist list' shows the "
                   f"available ones{hint}.")


def load_checklist(path_or_id: str | Path, user_dir: str | Path | None = None) -> Checklist:
    """Load a checklist by path or by id (see :func:`resolve_checklist`)."""
    return resolve_checklist(path_or_id, user_dir)


def bundled_checklist_for_edition(edition: str) -> Checklist:
    """The bundled ISO 9001 checklist of an edition (``iso9001-<edition>``)."""
    path = bundled_dir() / f"iso9001-{edition}.yaml"
    if not path.exists():
        raise NotFound(f"No bundled checklist for ISO 9001:{edition}.")
    return load_checklist_file(path, origin="bundled")


def office_clause_check(db: Any) -> Callable[[str], str]:
    """A check of clause numbers a person types (``finding add --clause``, a rule's
    clauses) against the office's checklist (setting ``default_checklist``, else ISO
    9001:2015): it returns the reference, or raises ``InvalidInput`` naming the edition.
    The checklist is read once, when the check is made."""
    from qmstrack.db import get_setting

    checklist = resolve_checklist(get_setting(db, "default_checklist") or "iso9001-2015",
                                  get_setting(db, "checklist_dir") or None)
    refs = frozenset(checklist.clause_refs())
    name = f"{checklist.standard}:{checklist.edition}" if checklist.edition else checklist.id

    def check(ref: str) -> str:
        if ref not in refs:
            raise InvalidInput(f"Clause {ref} is not a clause of {name} (checklist "
                               f"{checklist.id}); 'qmstrack checklist show {checklist.id}' "
                               "lists them.")
        return ref

    return check
