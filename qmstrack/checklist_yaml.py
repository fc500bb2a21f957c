"""Reading YAML safely into a node tree that remembers the line of every value.

Files are never turned into Python objects by PyYAML's constructors: the YAML event stream
is assembled into a small tree of :class:`Node` here, which keeps the line of every value,
refuses tags such as ``!!python/object`` without constructing anything, refuses aliases,
catches duplicate keys (which PyYAML would silently accept) and limits nesting.
:class:`Problems` collects every problem of one file, each with its line and field, so
that a file is refused with all of them at once. Checklists and edition maps are read
this way.
"""

from __future__ import annotations

from typing import Any

import yaml

from qmstrack.errors import InvalidInput

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NESTING = 64  # YAML collections inside each other
MAX_DETAILS = 500  # error lines shown for one file

YAML_TAG = "tag:yaml.org,2002:"
STR, INT, BOOL, NULL = YAML_TAG + "str", YAML_TAG + "int", YAML_TAG + "bool", YAML_TAG + "null"
_ALLOWED_TAGS = {YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "map",
                                              "seq")} | {"!"}


class Node:
    """A YAML value as written: ``kind`` scalar/seq/map, the raw scalar text, its line."""

    __slots__ = ("kind", "tag", "value", "line", "bad", "pending_key", "seen")
    # Set on mappings only, while they are assembled.
    pending_key: Node | None
    seen: dict[str, int]

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
        if self.tag == NULL:
            return "empty"
        return "text"


class Problems:
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
    return "!!" + tag[len(YAML_TAG):] if tag.startswith(YAML_TAG) else tag


def decode(data: bytes, problems: Problems) -> str | None:
    if len(data) > MAX_FILE_BYTES:
        problems.add(None, "", too_big(len(data)))
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


def too_big(size: int) -> str:
    return (f"the file is {size / 1024 / 1024:.1f} MB; a checklist may be at most "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB")


def compose(text: str, problems: Problems) -> Node | None:
    """Assemble the YAML event stream into :class:`Node` objects, refusing what is unsafe.

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
    root: Node | None = None
    stack: list[Node] = []
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
                                           "('---'); it must be one document")
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
                node = Node("scalar", NULL, "", line)
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
        if isinstance(buffer, bytes):
            line = buffer[:position].count(b"\n") + 1
        else:
            line = buffer[:position].count("\n") + 1
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


def _node_from_event(event, line: int, problems: Problems) -> Node:
    tag = event.tag
    if isinstance(event, yaml.ScalarEvent):
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
            if tag not in (NULL, INT, BOOL):
                tag = STR
        node = Node("scalar", tag, event.value, line)
    elif isinstance(event, yaml.MappingStartEvent):
        node = Node("map", tag or YAML_TAG + "map", [], line)
        node.pending_key = None
        node.seen = {}
    else:
        node = Node("seq", tag or YAML_TAG + "seq", [], line)
    if node.tag not in _ALLOWED_TAGS:
        problems.add(line, "", f"the YAML tag {_short_tag(node.tag)!r} is not allowed here "
                               "(nothing was constructed from it)")
        node.bad = True
    return node


def _attach(node: Node, stack: list[Node], problems: Problems) -> None:
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
