"""The hand-written sections of a management review pack, read from a YAML notes file.

Keys ``context_changes``, ``resources``, ``risks_and_opportunities``,
``improvement_opportunities`` and ``other`` (ISO 9001:2015 clause 9.3.2 b, d, e, f), each a
text, a list of texts, or a map ``{id: ..., en: ...}`` per language. Each section is read
as one :class:`qmstrack.i18n.Text` of a list of texts: a section written without a
language serves every language, and one written in one language only is shown in that
language in every pack. The file is read node by node (``yaml.compose``); nothing is ever
constructed from a tag, and anything unexpected is refused with its line.
"""

from __future__ import annotations

from pathlib import Path

from qmstrack.errors import InvalidInput
from qmstrack.i18n import ANY_LANGUAGE, N_, Text, languages
from qmstrack.parsing import clean_text

# The sections written by hand: key -> (title, clause of ISO 9001:2015).
NOTE_SECTIONS: dict[str, tuple[str, str]] = {
    "context_changes": (N_("Changes in external and internal issues"), "9.3.2 b"),
    "resources": (N_("Adequacy of resources"), "9.3.2 d"),
    "risks_and_opportunities": (
        N_("Effectiveness of actions taken to address risks and opportunities"), "9.3.2 e"),
    "improvement_opportunities": (N_("Opportunities for improvement"), "9.3.2 f"),
    "other": (N_("Other matters"), ""),
}
NOTE_KEYS = tuple(NOTE_SECTIONS)
# What an empty section lacks, said to the head of office (the pack is read at the meeting,
# not by the person who runs the command).
NOTE_MISSING: dict[str, str] = {
    "context_changes": N_(
        "No changes in external or internal issues have been recorded for this review "
        "(for example new regulations, budget, organisation or the public's expectations). "
        "The quality officer notes them before the meeting, or the meeting records that "
        "there were none."),
    "resources": N_(
        "Nothing has been recorded yet on whether staff, rooms, equipment and budget were "
        "enough for the services. The meeting should state it and record any shortfall."),
    "risks_and_opportunities": N_(
        "No judgement has been recorded yet on whether the actions on risks and "
        "opportunities worked. The meeting should state it for each treatment above."),
    "improvement_opportunities": N_(
        "No opportunities for improvement have been proposed yet. Units bring their "
        "proposals to the meeting; the decisions are recorded in the minutes."),
    "other": N_("No other matters have been raised for this review."),
}
NOTES_LIMIT = 1024 * 1024
NOTE_LENGTH = 4000

Notes = dict[str, Text[list[str]]]


_SCALAR_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}


def load_notes(path: str | Path) -> Notes:
    """Read the hand-written sections of the pack from a YAML file.

    Returns ``{key: Text of [texts]}`` (as a mapping: ``{"id": [texts], "en": [texts]}``);
    a text given without a language serves every language, and a section given in one
    language only is shown in that language in every pack. Refuses, naming the file and
    the line, anything else.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise InvalidInput(f"The notes file {path} does not exist.")
    if path.is_dir():
        raise InvalidInput(f"The notes file {path} is a directory, not a YAML file.")
    try:
        if path.stat().st_size > NOTES_LIMIT:
            raise InvalidInput(f"The notes file {path} is larger than 1 MB.")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"The notes file {path} is not UTF-8 text.") from None
    except OSError as exc:
        raise InvalidInput(f"The notes file {path} cannot be read: "
                           f"{exc.strerror or exc}.") from None
    return parse_notes(text, str(path))


def parse_notes(text: str, name: str = "notes") -> Notes:
    """The notes of :func:`load_notes` from YAML text; ``name`` names it in errors."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        raise InvalidInput(f"The notes file {name} is not valid YAML{where}"
                           f"{f' ({problem})' if problem else ''}.") from None
    except RecursionError:
        raise InvalidInput(f"The notes file {name} is nested too deeply to hold notes."
                           ) from None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise _note_error(name, node, "it must map the sections (" + ", ".join(NOTE_KEYS)
                          + ") to text")
    notes: Notes = {}
    for key, value in node.value:
        _check_tag(name, key)
        if not isinstance(key, yaml.ScalarNode):
            raise _note_error(name, key, "a section name must be plain text")
        if key.value not in NOTE_SECTIONS:
            raise _note_error(name, key, f"unknown section {key.value[:40]!r}; the sections "
                              "are " + ", ".join(NOTE_KEYS))
        if key.value in notes:
            raise _note_error(name, key, f"the section {key.value} is given twice")
        notes[key.value] = _note_value(name, key.value, value)
    return notes


def _note_error(name: str, node, problem: str) -> InvalidInput:
    return InvalidInput(f"The notes file {name}, line {node.start_mark.line + 1}: {problem}.")


def _check_tag(name: str, node) -> None:
    import yaml

    prefix = "tag:yaml.org,2002:"
    tag = node.tag or ""
    short = tag[len(prefix):] if tag.startswith(prefix) else None
    allowed = (_SCALAR_TAGS if isinstance(node, yaml.ScalarNode)
               else {"seq"} if isinstance(node, yaml.SequenceNode) else {"map"})
    if short not in allowed:
        shown = f"!!{short}" if short is not None else tag
        raise _note_error(name, node, f"the tag {shown[:60]} is not allowed; write plain "
                          "text")


def _note_texts(name: str, section: str, node) -> list[str]:
    """A text or a list of texts."""
    import yaml

    _check_tag(name, node)
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    texts = []
    for item in items:
        _check_tag(name, item)
        if not isinstance(item, yaml.ScalarNode):
            raise _note_error(name, item, f"the section {section} takes a text or a list of "
                              "texts")
        if item.tag.endswith(":null"):
            continue
        try:
            text = clean_text(item.value, field="text", max_length=NOTE_LENGTH)
        except InvalidInput as exc:
            raise _note_error(name, item, str(exc).rstrip(".")) from None
        if text:
            texts.append(text)
    return texts


def _note_value(name: str, section: str, node) -> Text[list[str]]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return Text([(ANY_LANGUAGE, _note_texts(name, section, node))])
    _check_tag(name, node)
    by_lang: dict[str, list[str]] = {}
    for key, value in node.value:
        _check_tag(name, key)
        if not isinstance(key, yaml.ScalarNode) or key.value not in languages():
            shown = key.value[:20] if isinstance(key, yaml.ScalarNode) else "?"
            raise _note_error(name, key, f"{shown!r} is not a language; per-language text "
                              f"of a section goes under {' and '.join(languages())}")
        if key.value in by_lang:
            raise _note_error(name, key, f"the language {key.value} is given twice")
        by_lang[key.value] = _note_texts(name, section, value)
    return Text(by_lang.items()) if by_lang else Text([(ANY_LANGUAGE, [])])
