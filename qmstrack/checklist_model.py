"""A loaded checklist: its clauses and items, each text in the languages it was written in.

These are the plain, frozen objects :mod:`qmstrack.checklists` builds from a validated file
(format: ``docs/checklist-format.md``). An item is answered by a person, or is bound to a
metric with a target, so that the audit can grade it from the recorded data. Text fields
are :class:`qmstrack.i18n.Text`: ``item.text("question", "id")`` gives the question in
Indonesian, else the text written for every language, else the first language written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from qmstrack.errors import NotFound
from qmstrack.i18n import Text, text_in
from qmstrack.parsing import Target


def text(value: Text | str | None, lang: str | None = None) -> str:
    """Resolve a text field in ``lang``, falling back like :class:`Text`; '' if absent."""
    return text_in(value, lang)


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
            "question": text_dict(self.question, langs),
            "guidance": text_dict(self.guidance, langs),
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
            "title": text_dict(self.title, langs),
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

    def lower_target(self, metric: str) -> float | None:
        """The threshold of the first ``>=``/``>`` target the checklist sets for ``metric``
        (the line a chart draws)."""
        for item in self.iter_items():
            if item.metric == metric and item.target is not None and item.target.op in (
                    ">=", ">"):
                return item.target.threshold
        return None

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
            "title": text_dict(self.title, self.languages),
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
        data["description"] = text_dict(self.description, self.languages)
        data["tree"] = [clause.to_dict(self.languages) for clause in self.clauses]
        return data


def text_dict(value: Text | None, languages: tuple[str, ...]) -> dict[str, str] | None:
    if value is None:
        return None
    return {lang: value.get(lang) for lang in languages}
