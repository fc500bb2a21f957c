"""ISO clause checklists: the YAML format, loading and validation, and edition maps.

A checklist is a YAML file (format: ``docs/checklist-format.md``) holding a tree of
clauses with audit items (questions) under them. An item is answered by a person, or is
bound to a metric of :mod:`qmstrack.metrics` with a target, so that the audit can grade it
from the recorded data.

Files are never turned into Python objects by PyYAML's constructors: the YAML event stream
is assembled into a small node tree here, which keeps the line of every value, refuses
tags such as ``!!python/object`` without constructing anything, refuses aliases, catches
duplicate keys (which PyYAML would silently accept) and limits nesting. The node tree is
then validated as a whole; every problem of a file is reported at once, naming the file,
the line and the field, and nothing is loaded when there is one.

Checklists are found among the bundled ones (``qmstrack.bundled_checklists``, the
repository's ``checklists/`` directory) and the user's checklist directory. Parsed
checklists are cached by the SHA-256 of their bytes.

The bundled correspondence between ISO 9001:2008 and ISO 9001:2015
(``map-iso9001-2008-2015.yaml``) is read by :func:`map_clause`, in both directions.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from qmstrack.errors import Conflict, InvalidInput, NotFound, UsageError
from qmstrack.parsing import Target, parse_target

# Metrics that other parts of qmstrack will register. A checklist may bind items to them
# already; an item whose metric is not registered when the audit runs is left pending.
PLANNED_METRICS: tuple[str, ...] = (
    "audits.clause_coverage_12m",
    "satisfaction.ikm",
    "satisfaction.responses",
    "complaints.received",
    "complaints.open",
    "complaints.response_on_time_rate",
    "documents.stale",
)

# Kinds of records an auditor can look at for an item (``evidence:``).
EVIDENCE_KINDS: tuple[str, ...] = (
    "requests", "adherence", "surveys", "findings", "audits", "documents", "complaints",
    "objectives", "reviews", "staff", "rules", "services",
)
ANSWER_KINDS: tuple[str, ...] = ("person", "metric")
ON_MISS_GRADES: tuple[str, ...] = ("minor", "major", "observation")
DEFAULT_ON_MISS = "minor"

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NESTING = 64  # YAML collections inside each other
MAX_DETAILS = 500  # error lines shown for one file
BUNDLED_PACKAGE = "qmstrack.bundled_checklists"
MAP_PREFIX = "map-"
CHECKLIST_SUFFIXES = (".yaml", ".yml")

_CHECKLIST_KEYS = ("id", "title", "standard", "edition", "version", "languages",
                   "description", "clauses")
_CLAUSE_KEYS = ("ref", "title", "assessable", "maps_to", "items", "clauses")
_ITEM_KEYS = ("id", "question", "guidance", "evidence", "units", "answer", "metric",
              "target", "on_miss", "maps_to")
_MAP_KEYS = ("id", "title", "standard", "from_edition", "to_edition", "version", "source",
             "new_in_to", "mappings")
_MAPPING_KEYS = ("from", "to", "note")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
_REF = re.compile(r"^[A-Za-z0-9]{1,8}(\.[A-Za-z0-9]{1,8}){0,7}$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_UNIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,39}$")
_VERSION = re.compile(r"^\+?[0-9]{1,9}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_YAML = "tag:yaml.org,2002:"
_STR, _INT, _BOOL, _NULL = _YAML + "str", _YAML + "int", _YAML + "bool", _YAML + "null"
_ALLOWED_TAGS = {_YAML + name for name in ("str", "int", "float", "bool", "null", "map",
                                           "seq")} | {"!"}


# --- the loaded checklist -----------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A text field: one text for every language, or one per language.

    ``values`` pairs a language code with its text; the code ``""`` means "any language"
    (the field was written as a plain string).
    """

    values: tuple[tuple[str, str], ...]

    def get(self, lang: str | None = None) -> str:
        """The text in ``lang``, else the text for any language, else another language."""
        mapping = dict(self.values)
        if lang and lang in mapping:
            return mapping[lang]
        if "" in mapping:
            return mapping[""]
        return self.values[0][1] if self.values else ""

    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.values)

    def has(self, lang: str) -> bool:
        """Whether a text was written for ``lang`` (a plain string counts for all)."""
        return any(code in (lang, "") for code, _ in self.values)

    def __str__(self) -> str:
        return self.get()


def text(value: Text | str | None, lang: str | None = None) -> str:
    """Resolve a text field in ``lang``, falling back to the other language; '' if absent."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(lang)


@dataclass(frozen=True)
class Item:
    """One audit question under a clause."""

    id: str
    clause_ref: str
    question: Text
    guidance: Text | None = None
    evidence: tuple[str, ...] = ()
    # Units the item applies to; empty means every unit.
    units: tuple[str, ...] = ()
    answer: str = "person"  # "person" or "metric"
    metric: str | None = None
    target: Target | None = None
    # Grade raised when a metric-bound item misses its target (None for person items).
    on_miss: str | None = None
    maps_to: tuple[str, ...] = ()
    line: int = 0

    @property
    def is_metric(self) -> bool:
        return self.metric is not None

    @property
    def target_text(self) -> str | None:
        return str(self.target) if self.target is not None else None

    def text(self, field_name: str, lang: str | None = None) -> str:
        """``item.text("question", "id")``: a text field in a language, with fallback."""
        return text(getattr(self, field_name), lang)

    def applies_to(self, unit: str) -> bool:
        return not self.units or unit.upper() in self.units

    def to_dict(self, languages: Iterable[str]) -> dict[str, Any]:
        langs = tuple(languages)
        return {
            "id": self.id,
            "clause": self.clause_ref,
            "question": _text_dict(self.question, langs),
            "guidance": _text_dict(self.guidance, langs),
            "evidence": list(self.evidence),
            "units": list(self.units),
            "answer": self.answer,
            "metric": self.metric,
            "target": self.target_text,
            "on_miss": self.on_miss,
            "maps_to": list(self.maps_to),
            "line": self.line,
        }


@dataclass(frozen=True)
class Clause:
    """A clause of the standard, its sub-clauses and its items.

    A clause is *assessable* when it has items; a heading such as clause 4 usually has none.
    """

    ref: str
    title: Text
    clauses: tuple[Clause, ...] = ()
    items: tuple[Item, ...] = ()
    maps_to: tuple[str, ...] = ()
    parent_ref: str | None = None
    line: int = 0

    @property
    def assessable(self) -> bool:
        return bool(self.items)

    @property
    def is_leaf(self) -> bool:
        return not self.clauses

    def text(self, field_name: str = "title", lang: str | None = None) -> str:
        return text(getattr(self, field_name), lang)

    def iter_clauses(self) -> Iterator[Clause]:
        """This clause and every clause under it, in document order."""
        stack = [self]
        while stack:
            clause = stack.pop()
            yield clause
            stack.extend(reversed(clause.clauses))

    def iter_items(self) -> Iterator[Item]:
        for clause in self.iter_clauses():
            yield from clause.items

    def to_dict(self, languages: Iterable[str]) -> dict[str, Any]:
        langs = tuple(languages)
        return {
            "ref": self.ref,
            "title": _text_dict(self.title, langs),
            "assessable": self.assessable,
            "maps_to": list(self.maps_to),
            "items": [item.to_dict(langs) for item in self.items],
            "clauses": [child.to_dict(langs) for child in self.clauses],
        }


@dataclass(frozen=True)
class Checklist:
    """A validated checklist, with the exact text and SHA-256 of the file it came from."""

    id: str
    title: Text
    standard: str
    edition: str
    version: int
    languages: tuple[str, ...]
    clauses: tuple[Clause, ...]
    sha256: str
    source: str  # the file's path, or the name given to load_checklist_text
    # The exact text of the file: raw_text.encode("utf-8") has the SHA-256 ``sha256``.
    raw_text: str = field(repr=False, compare=False)
    description: Text | None = None
    origin: str = "path"  # "bundled", "user" or "path"

    def iter_clauses(self) -> Iterator[Clause]:
        """Every clause, parents before their children, in document order."""
        for clause in self.clauses:
            yield from clause.iter_clauses()

    def iter_items(self) -> Iterator[Item]:
        """Every item in document order; ``item.clause_ref`` names its clause."""
        for clause in self.iter_clauses():
            yield from clause.items

    def clause_refs(self) -> list[str]:
        return [clause.ref for clause in self.iter_clauses()]

    def find_clause(self, ref: str) -> Clause:
        wanted = str(ref).strip()
        for clause in self.iter_clauses():
            if clause.ref == wanted:
                return clause
        raise NotFound(f"The checklist {self.id} has no clause {wanted!r}.")

    def find_item(self, item_id: str) -> Item:
        for item in self.iter_items():
            if item.id == item_id:
                return item
        raise NotFound(f"The checklist {self.id} has no item {item_id!r}.")

    def text(self, field_name: str = "title", lang: str | None = None) -> str:
        """A text field of the checklist itself (``title``, ``description``)."""
        return text(getattr(self, field_name), lang)

    @property
    def item_count(self) -> int:
        return sum(1 for _ in self.iter_items())

    @property
    def metric_item_count(self) -> int:
        return sum(1 for item in self.iter_items() if item.is_metric)

    @property
    def clause_count(self) -> int:
        return sum(1 for _ in self.iter_clauses())

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": _text_dict(self.title, self.languages),
            "standard": self.standard,
            "edition": self.edition,
            "version": self.version,
            "languages": list(self.languages),
            "clauses": self.clause_count,
            "items": self.item_count,
            "metric_items": self.metric_item_count,
            "source": self.origin,
            "path": self.source,
            "sha256": self.sha256,
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole checklist as nested plain data (for JSON)."""
        data = self.summary()
        data["description"] = _text_dict(self.description, self.languages)
        data["tree"] = [clause.to_dict(self.languages) for clause in self.clauses]
        return data


def _text_dict(value: Text | None, languages: tuple[str, ...]) -> dict[str, str] | None:
    if value is None:
        return None
    return {lang: value.get(lang) for lang in languages}


# --- reading YAML into a node tree that remembers lines ------------------------------------


class _Node:
    """A YAML value as written: ``kind`` scalar/seq/map, the raw scalar text, its line."""

    __slots__ = ("kind", "tag", "value", "line", "bad", "pending_key", "seen")

    def __init__(self, kind: str, tag: str, value: Any, line: int):
        self.kind = kind
        self.tag = tag
        self.value = value
        self.line = line
        self.bad = False  # already reported (a refused tag or an alias)

    def describe(self) -> str:
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        if self.tag == _NULL:
            return "empty"
        return "text"


class _Problems:
    """Every problem found in one file, each with its line and field."""

    def __init__(self, source: str):
        self.source = source
        self.found: list[tuple[int, str]] = []

    def add(self, line: int | None, field_path: str, message: str) -> None:
        self.found.append((line or 0, f"{field_path}: {message}" if field_path else message))

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        if not self.found:
            return
        ordered = sorted(self.found, key=lambda entry: entry[0])
        details = [
            f"{self.source}:{line}: {message}" if line else f"{self.source}: {message}"
            for line, message in ordered[:MAX_DETAILS]
        ]
        count = len(ordered)
        if count > MAX_DETAILS:
            details.append(f"... and {count - MAX_DETAILS} more errors.")
        noun = "error" if count == 1 else "errors"
        raise InvalidInput(f"{self.source} has {count} {noun}; nothing was loaded.", details)


_RESOLVER = yaml.resolver.Resolver()


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML):] if tag.startswith(_YAML) else tag


def _decode(data: bytes, problems: _Problems) -> str | None:
    if len(data) > MAX_FILE_BYTES:
        problems.add(None, "", _too_big(len(data)))
        return None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        problems.add(1, "", "the file is UTF-16 text; save it as UTF-8")
        return None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        problems.add(line, "", "the file holds NUL bytes: it is a binary file, not YAML text")
        return None
    try:
        # Kept exactly (a byte-order mark included), so that raw_text encodes back to the
        # file's bytes and its SHA-256; the mark is skipped when parsing.
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(line, "", f"byte 0x{data[exc.start]:02x} is not UTF-8 text; save the file "
                               "as UTF-8")
        return None


def _too_big(size: int) -> str:
    return (f"the file is {size / 1024 / 1024:.1f} MB; a checklist may be at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB")


def _compose(text: str, problems: _Problems) -> _Node | None:
    """Assemble the YAML event stream into :class:`_Node` objects, refusing what is unsafe.

    Nothing is constructed from tags; aliases, unknown tags, duplicate keys, several
    documents and excessive nesting are reported with their lines.
    """
    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    buffer: str | bytes = text
    if loader_class is not yaml.SafeLoader:
        try:
            buffer = text.encode("utf-8")
        except UnicodeEncodeError:
            problems.add(None, "", "the text holds characters that cannot be saved as UTF-8")
            return None
    loader = None
    root: _Node | None = None
    stack: list[_Node] = []
    documents = 0
    try:
        loader = loader_class(buffer)
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                break
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    problems.add(line, "", "the file holds more than one YAML document "
                                           "('---'); a checklist is one document")
                    return None
                continue
            if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                done = stack.pop()
                if done.kind == "map" and done.pending_key is not None:  # pragma: no cover
                    problems.add(done.line, "", "a key has no value")
                _attach(done, stack, problems)
                if not stack:
                    root = done
                continue
            if isinstance(event, yaml.AliasEvent):
                problems.add(line, "", f"aliases (*{event.anchor}) are not supported; write "
                                       "the value out in full")
                node = _Node("scalar", _NULL, "", line)
                node.bad = True
            else:
                node = _node_from_event(event, line, problems)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                stack.append(node)
                if len(stack) > MAX_NESTING:
                    problems.add(line, "", f"values are nested more than {MAX_NESTING} levels "
                                           "deep")
                    return None
                continue
            _attach(node, stack, problems)
            if not stack:
                root = node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "the YAML cannot be read"
        if exc.context and exc.problem:
            reason = f"{exc.problem} ({exc.context})"
        lines = text.split("\n", mark.line + 1) if mark else []
        line_text = lines[mark.line] if mark and mark.line < len(lines) else ""
        indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
        if "\t" in indent or "tab character" in reason:
            reason = "a tab character is used for indentation; YAML allows only spaces"
        problems.add(mark.line + 1 if mark else None, "", f"not valid YAML: {reason}")
        return None
    except yaml.reader.ReaderError as exc:
        position = exc.position if isinstance(exc.position, int) else 0
        line = buffer[:position].count(b"\n" if isinstance(buffer, bytes) else "\n") + 1
        problems.add(line, "", f"not valid YAML text: {exc.reason} "
                               f"(character {exc.character!r})")
        return None
    except yaml.YAMLError as exc:
        problems.add(None, "", f"not valid YAML: {str(exc).splitlines()[0] if str(exc) else exc}")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        problems.add(1, "", "the file is empty; a checklist starts with 'id:', 'title:', "
                            "'standard:', 'edition:', 'version:', 'languages:' and 'clauses:'")
    return root


def _node_from_event(event, line: int, problems: _Problems) -> _Node:
    tag = event.tag
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
            if tag not in (_NULL, _INT, _BOOL):
                tag = _STR
        node = _Node("scalar", tag, event.value, line)
    elif isinstance(event, yaml.MappingStartEvent):
        node = _Node("map", tag or _YAML + "map", [], line)
        node.pending_key = None
        node.seen = {}
    else:
        node = _Node("seq", tag or _YAML + "seq", [], line)
    if node.tag not in _ALLOWED_TAGS:
        problems.add(line, "", f"the YAML tag {_short_tag(node.tag)!r} is not allowed in a "
                               "checklist (nothing was constructed from it)")
        node.bad = True
    return node


def _attach(node: _Node, stack: list[_Node], problems: _Problems) -> None:
    if not stack:
        return
    parent = stack[-1]
    if parent.kind == "seq":
        parent.value.append(node)
        return
    if parent.pending_key is None:
        parent.pending_key = node
        return
    key, parent.pending_key = parent.pending_key, None
    if key.kind == "scalar" and not key.bad:
        first = parent.seen.get(key.value)
        if first is not None:
            problems.add(key.line, "", f"duplicate key {key.value!r} (first at line {first}); "
                                       "each key may appear once in a mapping")
            return
        parent.seen[key.value] = key.line
    parent.value.append((key, node))


# --- validating the node tree ------------------------------------------------------------


class _Validator:
    """Checks a composed checklist or map, collecting every problem."""

    def __init__(self, problems: _Problems):
        self.problems = problems
        self.languages: tuple[str, ...] = ()
        self.refs: dict[str, int] = {}
        self.item_ids: dict[str, int] = {}
        self._known_metrics: frozenset[str] | None = None

    def error(self, node: _Node | None, path: str, message: str, line: int | None = None):
        self.problems.add(line if line is not None else (node.line if node else None),
                          path, message)

    # generic shapes

    def mapping(self, node: _Node, path: str, allowed: tuple[str, ...], what: str,
                required: tuple[str, ...] = ()) -> dict[str, _Node] | None:
        if node.bad:
            return None
        if node.kind != "map":
            self.error(node, path, f"{what} must be a mapping of keys, not {node.describe()}")
            return None
        fields: dict[str, _Node] = {}
        present: set[str] = set()
        for key, value in node.value:
            if key.bad:
                continue
            if key.kind != "scalar" or key.tag == _NULL:
                self.error(key, path, "a key must be a plain name")
                continue
            name = key.value
            present.add(name)
            if name not in allowed:
                hint = difflib.get_close_matches(name, allowed, n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.error(key, _join(path, name), f"unknown key{suggestion}; allowed keys "
                                                   f"of {what}: {', '.join(allowed)}")
                continue
            if value.kind == "scalar" and value.tag == _NULL and not value.bad:
                if name in required:
                    self.error(value, _join(path, name), "is empty", line=key.line)
                continue  # an empty optional value counts as absent
            fields[name] = value
        for name in required:
            if name not in present:
                self.error(node, path, f"missing required key {name!r}")
        return fields

    def string(self, node: _Node | None, path: str, pattern: re.Pattern | None = None,
               what: str = "") -> str | None:
        if node is None or node.bad:
            return None
        if node.kind != "scalar":
            self.error(node, path, f"must be text, not {node.describe()}")
            return None
        value = node.value.strip()
        if not value:
            self.error(node, path, "is empty")
            return None
        if _CONTROL.search(value):
            self.error(node, path, "contains control characters")
            return None
        if pattern is not None and not pattern.match(value):
            self.error(node, path, f"{value[:60]!r} is not {what}")
            return None
        return value

    def integer(self, node: _Node | None, path: str, minimum: int = 1) -> int | None:
        if node is None or node.bad:
            return None
        if node.kind != "scalar" or not _VERSION.match(node.value.strip()):
            shown = node.value[:40] if node.kind == "scalar" else node.describe()
            self.error(node, path, f"must be a whole number, not {shown!r}")
            return None
        number = int(node.value.strip())
        if number < minimum:
            self.error(node, path, f"must be at least {minimum}")
            return None
        return number

    def boolean(self, node: _Node | None, path: str) -> bool | None:
        if node is None or node.bad:
            return None
        if node.kind != "scalar" or node.tag != _BOOL:
            self.error(node, path, "must be true or false")
            return None
        return node.value.strip().lower() in ("true", "yes", "on", "y")

    def sequence(self, node: _Node | None, path: str) -> list[_Node] | None:
        if node is None or node.bad:
            return None
        if node.kind != "seq":
            self.error(node, path, f"must be a list, not {node.describe()}")
            return None
        return node.value

    def string_list(self, node: _Node | None, path: str, pattern: re.Pattern | None = None,
                    what: str = "", choices: tuple[str, ...] = ()) -> tuple[str, ...] | None:
        entries = self.sequence(node, path)
        if entries is None:
            return None
        if not entries:
            self.error(node, path, "is an empty list; leave the key out instead")
            return None
        values: list[str] = []
        for index, entry in enumerate(entries):
            entry_path = f"{path}[{index}]"
            value = self.string(entry, entry_path, pattern, what)
            if value is None:
                continue
            if choices and value not in choices:
                self.error(entry, entry_path, f"{value!r} is not one of: {', '.join(choices)}")
                continue
            if value in values:
                self.error(entry, entry_path, f"{value!r} is listed twice")
                continue
            values.append(value)
        return tuple(values)

    def text(self, node: _Node | None, path: str) -> Text | None:
        if node is None or node.bad:
            return None
        if node.kind == "scalar":
            value = self.string(node, path)
            return Text((("", value),)) if value is not None else None
        if node.kind != "map":
            self.error(node, path, "must be text or a mapping of languages to text "
                                   "({en: ..., id: ...}), not a list")
            return None
        by_lang: dict[str, str] = {}
        for key, value in node.value:
            if key.bad:
                continue
            lang = key.value if key.kind == "scalar" else ""
            lang_path = _join(path, lang or "?")
            if not _LANG.match(lang):
                hint = ""
                if " " in lang and node.value and node.value[0][0].line == key.line:
                    hint = " (a comma inside {...} starts a new entry: quote text with commas)"
                self.error(key, lang_path, f"{lang[:20]!r} is not a language code such as "
                                           f"en or id{hint}")
                continue
            if self.languages and lang not in self.languages:
                self.error(key, lang_path, f"language {lang!r} is not in the checklist's "
                                           f"languages ({', '.join(self.languages)})")
                continue
            if value.kind == "scalar" and value.tag == _NULL:
                self.error(value, lang_path, "is empty", line=key.line)
                continue
            content = self.string(value, lang_path)
            if content is not None:
                by_lang[lang] = content
        if not by_lang:
            if not node.value:
                self.error(node, path, "is an empty mapping")
            return None
        order = [lang for lang in self.languages if lang in by_lang]
        order += [lang for lang in by_lang if lang not in order]
        return Text(tuple((lang, by_lang[lang]) for lang in order))

    # checklists

    def known_metrics(self) -> frozenset[str]:
        if self._known_metrics is None:
            from qmstrack.metrics import metric_names

            self._known_metrics = frozenset(metric_names()) | frozenset(PLANNED_METRICS)
        return self._known_metrics

    def checklist(self, root: _Node) -> dict[str, Any] | None:
        if root.kind != "map" and not root.bad:
            self.error(root, "", f"the top level must be a mapping of keys (id, title, "
                                 f"standard, ...), not {root.describe()}; is this a checklist?")
            return None
        top = self.mapping(root, "", _CHECKLIST_KEYS, "a checklist",
                           required=("id", "title", "standard", "edition", "version",
                                     "languages", "clauses"))
        if top is None:
            return None
        languages = self.string_list(top.get("languages"), "languages", _LANG,
                                     "a language code such as en or id")
        self.languages = languages or ()
        result = {
            "id": self.string(top.get("id"), "id", _ID,
                              "an id (letters, digits, '.', '_', '-')"),
            "title": self.text(top.get("title"), "title"),
            "standard": self.string(top.get("standard"), "standard"),
            "edition": self.string(top.get("edition"), "edition"),
            "version": self.integer(top.get("version"), "version"),
            "languages": languages,
            "description": self.text(top.get("description"), "description"),
        }
        clause_nodes = self.sequence(top.get("clauses"), "clauses")
        clauses: list[Clause] = []
        if clause_nodes is not None:
            if not clause_nodes:
                self.error(top["clauses"], "clauses", "is an empty list; a checklist needs "
                                                      "clauses")
            for index, node in enumerate(clause_nodes):
                clause = self.clause(node, f"clauses[{index}]", None, 1)
                if clause is not None:
                    clauses.append(clause)
        if clause_nodes and not self.item_ids and not self.problems:
            self.error(root, "clauses", "no clause has items; a checklist needs questions")
        result["clauses"] = tuple(clauses)
        return result

    def clause(self, node: _Node, path: str, parent_ref: str | None,
               depth: int) -> Clause | None:
        fields = self.mapping(node, path, _CLAUSE_KEYS, "a clause",
                              required=("ref", "title"))
        if fields is None:
            return None
        ref = self.string(fields.get("ref"), _join(path, "ref"), _REF,
                          "a clause reference such as 7.1.2")
        if ref is not None:
            path = f"clause[{ref}]"
            ref_line = fields["ref"].line
            if ref in self.refs:
                self.error(fields["ref"], _join(path, "ref"),
                           f"duplicate clause {ref!r} (first at line {self.refs[ref]})")
            else:
                self.refs[ref] = ref_line
            if parent_ref is not None and not ref.startswith(parent_ref + "."):
                self.error(fields["ref"], _join(path, "ref"),
                           f"{ref!r} does not extend its parent clause {parent_ref!r} "
                           f"(a sub-clause of {parent_ref} is {parent_ref}.1, "
                           f"{parent_ref}.2, ...)")
        title = self.text(fields.get("title"), _join(path, "title"))
        maps_to = self.string_list(fields.get("maps_to"), _join(path, "maps_to"), _REF,
                                   "a clause reference such as 9.1.2")
        assessable = self.boolean(fields.get("assessable"), _join(path, "assessable"))
        items: list[Item] = []
        item_nodes = self.sequence(fields.get("items"), _join(path, "items"))
        for index, item_node in enumerate(item_nodes or ()):
            item = self.item(item_node, _join(path, f"items[{index}]"), ref or "?")
            if item is not None:
                items.append(item)
        children: list[Clause] = []
        child_nodes = self.sequence(fields.get("clauses"), _join(path, "clauses"))
        if child_nodes is not None and depth >= 8:
            self.error(fields["clauses"], _join(path, "clauses"),
                       "clauses are nested more than 8 levels deep")
            child_nodes = None
        for index, child_node in enumerate(child_nodes or ()):
            child = self.clause(child_node, _join(path, f"clauses[{index}]"), ref, depth + 1)
            if child is not None:
                children.append(child)
        has_items = bool(item_nodes)
        if assessable is True and not has_items:
            self.error(fields["assessable"], _join(path, "assessable"),
                       "the clause is marked assessable but has no items")
        if assessable is False and has_items:
            self.error(fields["assessable"], _join(path, "assessable"),
                       "the clause is marked not assessable but has items")
        if not has_items and not child_nodes and assessable is not False:
            self.error(node, path, "the clause has neither items nor sub-clauses "
                                   "(mark it 'assessable: false' if that is intended)")
        if ref is None or title is None:
            return None
        return Clause(ref=ref, title=title, clauses=tuple(children), items=tuple(items),
                      maps_to=maps_to or (), parent_ref=parent_ref, line=node.line)

    def item(self, node: _Node, path: str, clause_ref: str) -> Item | None:
        fields = self.mapping(node, path, _ITEM_KEYS, "an item", required=("id", "question"))
        if fields is None:
            return None
        item_id = self.string(fields.get("id"), _join(path, "id"), _ID,
                              "an item id (letters, digits, '.', '_', '-')")
        if item_id is not None:
            path = f"item[{item_id}]"
            if item_id in self.item_ids:
                self.error(fields["id"], _join(path, "id"),
                           f"duplicate item id {item_id!r} (first at line "
                           f"{self.item_ids[item_id]}); item ids are unique in a checklist")
            else:
                self.item_ids[item_id] = fields["id"].line
        question = self.text(fields.get("question"), _join(path, "question"))
        guidance = self.text(fields.get("guidance"), _join(path, "guidance"))
        evidence = self.string_list(fields.get("evidence"), _join(path, "evidence"),
                                    choices=EVIDENCE_KINDS)
        units = self.string_list(fields.get("units"), _join(path, "units"), _UNIT,
                                 "a unit code such as SMA")
        maps_to = self.string_list(fields.get("maps_to"), _join(path, "maps_to"), _REF,
                                   "a clause reference such as 9.1.2")
        answer = self.string(fields.get("answer"), _join(path, "answer"))
        if answer is not None and answer not in ANSWER_KINDS:
            self.error(fields["answer"], _join(path, "answer"),
                       f"{answer!r} is not one of: {', '.join(ANSWER_KINDS)}")
            answer = None
        metric = self.metric(fields.get("metric"), _join(path, "metric"))
        target = self.target(fields.get("target"), _join(path, "target"), metric)
        on_miss = self.string(fields.get("on_miss"), _join(path, "on_miss"))
        if on_miss is not None and on_miss not in ON_MISS_GRADES:
            self.error(fields["on_miss"], _join(path, "on_miss"),
                       f"{on_miss!r} is not one of: {', '.join(ON_MISS_GRADES)}")
            on_miss = None
        has_metric = "metric" in fields
        if has_metric and "target" not in fields:
            self.error(fields["metric"], _join(path, "target"),
                       "a metric-bound item needs a target such as '>= 0.90'")
        if "target" in fields and not has_metric:
            self.error(fields["target"], _join(path, "metric"),
                       "a target needs a metric to compare with")
        if "on_miss" in fields and not has_metric:
            self.error(fields["on_miss"], _join(path, "on_miss"),
                       "on_miss applies only to items bound to a metric")
        if answer == "metric" and not has_metric and "target" not in fields:
            self.error(fields["answer"], _join(path, "metric"),
                       "'answer: metric' needs a metric and a target")
        if answer == "person" and has_metric:
            self.error(fields["answer"], _join(path, "answer"),
                       "an item answered by a person cannot also have a metric")
        if item_id is None or question is None:
            return None
        bound = has_metric and metric is not None and target is not None
        return Item(
            id=item_id, clause_ref=clause_ref, question=question, guidance=guidance,
            evidence=evidence or (), units=tuple(u.upper() for u in units or ()),
            answer="metric" if bound else "person",
            metric=metric if bound else None, target=target if bound else None,
            on_miss=(on_miss or DEFAULT_ON_MISS) if bound else None,
            maps_to=maps_to or (), line=node.line,
        )

    def metric(self, node: _Node | None, path: str) -> str | None:
        name = self.string(node, path)
        if name is None:
            return None
        known = self.known_metrics()
        if name not in known:
            hint = difflib.get_close_matches(name, sorted(known), n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            self.error(node, path, f"unknown metric {name[:60]!r}{suggestion}")
            return None
        return name

    def target(self, node: _Node | None, path: str, metric: str | None) -> Target | None:
        raw = self.string(node, path)
        if raw is None:
            return None
        try:
            target = parse_target(raw)
        except InvalidInput as exc:
            message = str(exc).rstrip(".")
            self.error(node, path, message[:1].lower() + message[1:])
            return None
        if metric is not None and not 0 <= target.threshold <= 1:
            from qmstrack.metrics import REGISTRY

            registered = REGISTRY.get(metric)
            if registered is not None and registered.kind == "rate":
                self.error(node, path, f"{metric} is a fraction between 0 and 1; write the "
                                       "target as '>= 0.90' or '>= 90%'")
                return None
        return target


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# --- loading ---------------------------------------------------------------------------------

_CACHE: OrderedDict[tuple[str, str], Checklist] = OrderedDict()
_CACHE_SIZE = 32


def load_checklist_bytes(data: bytes, source_name: str, *, origin: str = "path") -> Checklist:
    """Validate and load a checklist from the bytes of a file; raise ``InvalidInput``."""
    sha = hashlib.sha256(data).hexdigest()
    key = (sha, source_name)
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached if cached.origin == origin else replace(cached, origin=origin)
    problems = _Problems(source_name)
    raw_text = _decode(data, problems)
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
        problems = _Problems(source_name)
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
            problems = _Problems(source)
            problems.add(None, "", _too_big(size))
            problems.raise_if_any()
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"There is no checklist file {source}.") from None
    except OSError as exc:
        raise InvalidInput(f"The checklist file {source} cannot be read: "
                           f"{exc.strerror or exc}.") from None
    return load_checklist_bytes(data, source, origin=origin)


def _build(raw_text: str, sha: str, source: str, origin: str,
           problems: _Problems) -> Checklist | None:
    try:
        root = _compose(raw_text.removeprefix("\ufeff"), problems)
        if root is None:
            return None
        validator = _Validator(problems)
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


def metric_available(name: str) -> bool:
    """Whether ``name`` is registered now (a planned metric that is not yet is pending)."""
    from qmstrack.metrics import metric_names

    return name in metric_names()


# --- edition maps --------------------------------------------------------------------------


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
    problems = _Problems(source)
    raw = _decode(data, problems)
    result = None
    if raw is not None:
        root = _compose(raw.removeprefix("\ufeff"), problems)
        if root is not None:
            result = _validate_map(root, source, problems)
    problems.raise_if_any()
    assert result is not None
    return result


def _validate_map(root: _Node, source: str, problems: _Problems) -> EditionMap | None:
    check = _Validator(problems)
    if root.kind != "map":
        check.error(root, "", f"the top level must be a mapping of keys, not "
                              f"{root.describe()}")
        return None
    top = check.mapping(root, "", _MAP_KEYS, "a correspondence map",
                        required=("id", "standard", "from_edition", "to_edition",
                                  "mappings"))
    if top is None:
        return None
    map_id = check.string(top.get("id"), "id", _ID, "an id")
    standard = check.string(top.get("standard"), "standard")
    from_edition = check.string(top.get("from_edition"), "from_edition")
    to_edition = check.string(top.get("to_edition"), "to_edition")
    note_source = check.string(top.get("source"), "source") if "source" in top else ""
    check.integer(top.get("version"), "version")
    new_in_to = check.string_list(top.get("new_in_to"), "new_in_to", _REF,
                                  "a clause reference") or ()
    mappings: list[ClauseMapping] = []
    seen: dict[str, int] = {}
    for index, node in enumerate(check.sequence(top.get("mappings"), "mappings") or ()):
        path = f"mappings[{index}]"
        fields = check.mapping(node, path, _MAPPING_KEYS, "a mapping", required=("from", "to"))
        if fields is None:
            continue
        ref = check.string(fields.get("from"), _join(path, "from"), _REF, "a clause reference")
        to_refs = check.string_list(fields.get("to"), _join(path, "to"), _REF,
                                    "a clause reference")
        note = check.string(fields.get("note"), _join(path, "note")) if "note" in fields else ""
        if ref is not None and ref in seen:
            check.error(fields["from"], _join(path, "from"),
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


def bundled_checklist_for_edition(edition: str) -> Checklist:
    """The bundled ISO 9001 checklist of an edition (``iso9001-<edition>``)."""
    path = bundled_dir() / f"iso9001-{edition}.yaml"
    if not path.exists():
        raise NotFound(f"No bundled checklist for ISO 9001:{edition}.")
    return load_checklist_file(path, origin="bundled")


def _edition_refs(edition: str) -> frozenset[str]:
    return frozenset(bundled_checklist_for_edition(edition).clause_refs())
