"""Edition maps: which clauses of ISO 9001:2008 correspond to which clauses of 2015.

The bundled correspondence (``map-iso9001-2008-2015.yaml``) is read by :func:`map_clause`,
in both directions; ``qmstrack checklist validate map-....yaml`` checks such a file. A map
is read like a checklist (:mod:`qmstrack.checklist_yaml`), every problem named with its
line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qmstrack.checklist_validation import ID, REF, Validator, join
from qmstrack.checklist_yaml import Node, Problems, compose, decode
from qmstrack.checklists import bundled_checklist_for_edition, bundled_dir
from qmstrack.errors import InvalidInput, NotFound, UsageError

MAP_KEYS = ("id", "title", "standard", "from_edition", "to_edition", "version", "source",
            "new_in_to", "mappings")
MAPPING_KEYS = ("from", "to", "note")


@dataclass(frozen=True)
class ClauseMapping:
    from_ref: str
    to_refs: tuple[str, ...]
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class EditionMap:
    """Which clauses of one edition correspond to which clauses of another."""

    id: str
    standard: str
    from_edition: str
    to_edition: str
    mappings: tuple[ClauseMapping, ...]
    # Clauses of the newer edition with no counterpart in the older one.
    new_in_to: tuple[str, ...]
    source: str = ""
    path: str = ""

    def forward(self, ref: str) -> ClauseMapping:
        for mapping in self.mappings:
            if mapping.from_ref == ref:
                return mapping
        raise NotFound(f"Clause {ref!r} is not a clause of {self.standard}:{self.from_edition}"
                       ".")

    def backward(self, ref: str) -> tuple[str, ...]:
        """Older clauses mapped to ``ref``, else to its nearest mapped parent clause."""
        if ref in self.new_in_to:
            return ()
        candidate = ref
        while True:
            found = tuple(m.from_ref for m in self.mappings if candidate in m.to_refs)
            if found:
                return found
            if "." not in candidate:
                return ()
            candidate = candidate.rsplit(".", 1)[0]


def load_edition_map(path: str | Path | None = None) -> EditionMap:
    """Load and validate a correspondence file (default: the bundled 2008 -> 2015 map)."""
    path = Path(path) if path is not None else bundled_dir() / "map-iso9001-2008-2015.yaml"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"There is no correspondence file {path}.") from None
    except OSError as exc:
        raise InvalidInput(f"The file {path} cannot be read: {exc.strerror or exc}.") from None
    return _load_edition_map(data, str(path))


@lru_cache(maxsize=8)
def _load_edition_map(data: bytes, source: str) -> EditionMap:
    problems = Problems(source)
    raw = decode(data, problems)
    result = None
    if raw is not None:
        root = compose(raw.removeprefix("\ufeff"), problems)
        if root is not None:
            result = _validate_map(root, source, problems)
    problems.raise_if_any()
    assert result is not None
    return result


def _validate_map(root: Node, source: str, problems: Problems) -> EditionMap | None:
    check = Validator(problems)
    if root.kind != "map":
        check.error(root, "", f"the top level must be a mapping of keys, not "
                              f"{root.describe()}")
        return None
    top = check.mapping(root, "", MAP_KEYS, "a correspondence map",
                        required=("id", "standard", "from_edition", "to_edition",
                                  "mappings"))
    if top is None:
        return None
    map_id = check.string(top.get("id"), "id", ID, "an id")
    standard = check.string(top.get("standard"), "standard")
    from_edition = check.string(top.get("from_edition"), "from_edition")
    to_edition = check.string(top.get("to_edition"), "to_edition")
    note_source = check.string(top.get("source"), "source") if "source" in top else ""
    check.integer(top.get("version"), "version")
    new_in_to = check.string_list(top.get("new_in_to"), "new_in_to", REF,
                                  "a clause reference") or ()
    mappings: list[ClauseMapping] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(check.sequence(top.get("mappings"), "mappings") or ()):
        path = f"mappings[{index}]"
        fields = check.mapping(node, path, MAPPING_KEYS, "a mapping", required=("from", "to"))
        if fields is None:
            continue
        ref = check.string(fields.get("from"), join(path, "from"), REF, "a clause reference")
        to_refs = check.string_list(fields.get("to"), join(path, "to"), REF,
                                    "a clause reference")
        note = check.string(fields.get("note"), join(path, "note")) if "note" in fields else ""
        if ref is not None and ref in seen:
            check.error(fields["from"], join(path, "from"),
                        f"clause {ref!r} is mapped twice (first at line {seen[ref]})")
            continue
        if ref is not None:
            seen[ref] = fields["from"].line
        if ref is not None and to_refs:
            mappings.append(ClauseMapping(ref, to_refs, note or "", node.line))
    if problems:
        return None
    return EditionMap(id=map_id or "", standard=standard or "", from_edition=from_edition or "",
                      to_edition=to_edition or "", mappings=tuple(mappings),
                      new_in_to=new_in_to, source=note_source or "", path=source)


def map_clause(ref: str, from_edition: str, to_edition: str) -> tuple[str, ...]:
    """The clauses of ``to_edition`` that correspond to clause ``ref`` of ``from_edition``.

    Works in both directions of the bundled map (2008 -> 2015 and 2015 -> 2008). An empty
    result means the clause is new in 2015 and has no 2008 counterpart. Raises ``NotFound``
    for a clause that is not in the edition, ``UsageError`` for editions not mapped.
    """
    ref = str(ref).strip()
    from_edition, to_edition = str(from_edition).strip(), str(to_edition).strip()
    edition_map = load_edition_map()
    pair = (edition_map.from_edition, edition_map.to_edition)
    if (from_edition, to_edition) == pair:
        return edition_map.forward(ref).to_refs
    if (to_edition, from_edition) == pair:
        if ref not in _edition_refs(from_edition):
            raise NotFound(f"Clause {ref!r} is not a clause of "
                           f"{edition_map.standard}:{from_edition}.")
        return edition_map.backward(ref)
    raise UsageError(
        f"qmstrack maps clauses between ISO 9001 editions {pair[0]} and {pair[1]} only "
        f"(asked: {from_edition} to {to_edition})."
    )


def mapping_note(ref: str, from_edition: str, to_edition: str) -> str:
    """The note of the bundled map for a forward mapping ('' when none or backward)."""
    edition_map = load_edition_map()
    if (str(from_edition), str(to_edition)) == (edition_map.from_edition,
                                                 edition_map.to_edition):
        return edition_map.forward(str(ref).strip()).note
    return ""


def _edition_refs(edition: str) -> frozenset[str]:
    return frozenset(bundled_checklist_for_edition(edition).clause_refs())

