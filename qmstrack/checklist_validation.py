"""Validating a checklist's node tree: every key, value, clause, item, metric and target.

:class:`Validator` walks the tree of :mod:`qmstrack.checklist_yaml` and builds the objects
of :mod:`qmstrack.checklist_model`, collecting every problem with its line and field
(``clause[7.1].items[0].metric: unknown metric ...``). Metric names and kinds are checked
against their declarations (:mod:`qmstrack.metric_catalogue`), so a checklist may bind an
item to a metric that is declared but not computed yet (it stays pending in an audit).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from qmstrack.checklist_model import Clause, Item
from qmstrack.checklist_yaml import BOOL, NULL, Node, Problems
from qmstrack.errors import InvalidInput
from qmstrack.i18n import Text
from qmstrack.parsing import Target, parse_target

# Kinds of records an auditor can look at for an item (``evidence:``).
EVIDENCE_KINDS: tuple[str, ...] = (
    "requests", "adherence", "surveys", "findings", "audits", "documents", "complaints",
    "objectives", "reviews", "staff", "rules", "services", "providers", "risks", "trainings",
)
ANSWER_KINDS: tuple[str, ...] = ("person", "metric")
ON_MISS_GRADES: tuple[str, ...] = ("minor", "major", "observation")
DEFAULT_ON_MISS = "minor"

CHECKLIST_KEYS = ("id", "title", "standard", "edition", "version", "languages",
                  "description", "clauses")
CLAUSE_KEYS = ("ref", "title", "assessable", "maps_to", "items", "clauses")
ITEM_KEYS = ("id", "question", "guidance", "evidence", "units", "answer", "metric",
             "target", "on_miss", "maps_to")

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
REF = re.compile(r"^[A-Za-z0-9]{1,8}(\.[A-Za-z0-9]{1,8}){0,7}$")
LANG = re.compile(r"^[a-z]{2,3}$")
UNIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,39}$")
VERSION = re.compile(r"^\+?[0-9]{1,9}$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Validator:
    """Checks a composed checklist or map, collecting every problem."""

    def __init__(self, problems: Problems):
        self.problems = problems
        self.languages: tuple[str, ...] = ()
        self.refs: dict[str, int] = {}
        self.item_ids: dict[str, int] = {}

    def error(self, node: Node | None, path: str, message: str, line: int | None = None):
        self.problems.add(line if line is not None else (node.line if node else None),
                          path, message)

    # generic shapes

    def mapping(self, node: Node, path: str, allowed: tuple[str, ...], what: str,
                required: tuple[str, ...] = ()) -> dict[str, Node] | None:
        if node.bad:
            return None
        if node.kind != "map":
            self.error(node, path, f"{what} must be a mapping of keys, not {node.describe()}")
            return None
        fields: dict[str, Node] = {}
        present: set[str] = set()
        for key, value in node.value:
            if key.bad:
                continue
            if key.kind != "scalar" or key.tag == NULL:
                self.error(key, path, "a key must be a plain name")
                continue
            name = key.value
            present.add(name)
            if name not in allowed:
                hint = difflib.get_close_matches(name, allowed, n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.error(key, join(path, name), f"unknown key{suggestion}; allowed keys "
                                                   f"of {what}: {', '.join(allowed)}")
                continue
            if value.kind == "scalar" and value.tag == NULL and not value.bad:
                if name in required:
                    self.error(value, join(path, name), "is empty", line=key.line)
                continue  # an empty optional value counts as absent
            fields[name] = value
        for name in required:
            if name not in present:
                self.error(node, path, f"missing required key {name!r}")
        return fields

    def string(self, node: Node | None, path: str, pattern: re.Pattern | None = None,
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
        if CONTROL.search(value):
            self.error(node, path, "contains control characters")
            return None
        if pattern is not None and not pattern.match(value):
            self.error(node, path, f"{value[:60]!r} is not {what}")
            return None
        return value

    def integer(self, node: Node | None, path: str, minimum: int = 1) -> int | None:
        if node is None or node.bad:
            return None
        if node.kind != "scalar" or not VERSION.match(node.value.strip()):
            shown = node.value[:40] if node.kind == "scalar" else node.describe()
            self.error(node, path, f"must be a whole number, not {shown!r}")
            return None
        number = int(node.value.strip())
        if number < minimum:
            self.error(node, path, f"must be at least {minimum}")
            return None
        return number

    def boolean(self, node: Node | None, path: str) -> bool | None:
        if node is None or node.bad:
            return None
        if node.kind != "scalar" or node.tag != BOOL:
            self.error(node, path, "must be true or false")
            return None
        return node.value.strip().lower() in ("true", "yes", "on", "y")

    def sequence(self, node: Node | None, path: str) -> list[Node] | None:
        if node is None or node.bad:
            return None
        if node.kind != "seq":
            self.error(node, path, f"must be a list, not {node.describe()}")
            return None
        return node.value

    def string_list(self, node: Node | None, path: str, pattern: re.Pattern | None = None,
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

    def text(self, node: Node | None, path: str) -> Text | None:
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
            lang_path = join(path, lang or "?")
            if not LANG.match(lang):
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
            if value.kind == "scalar" and value.tag == NULL:
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

    def known_metrics(self) -> list[str]:
        from qmstrack.metric_catalogue import declared_names

        return declared_names()

    def checklist(self, root: Node) -> dict[str, Any] | None:
        if root.kind != "map" and not root.bad:
            self.error(root, "", f"the top level must be a mapping of keys (id, title, "
                                 f"standard, ...), not {root.describe()}; is this a checklist?")
            return None
        top = self.mapping(root, "", CHECKLIST_KEYS, "a checklist",
                           required=("id", "title", "standard", "edition", "version",
                                     "languages", "clauses"))
        if top is None:
            return None
        languages = self.string_list(top.get("languages"), "languages", LANG,
                                     "a language code such as en or id")
        self.languages = languages or ()
        result: dict[str, Any] = {
            "id": self.string(top.get("id"), "id", ID,
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

    def clause(self, node: Node, path: str, parent_ref: str | None,
               depth: int) -> Clause | None:
        fields = self.mapping(node, path, CLAUSE_KEYS, "a clause",
                              required=("ref", "title"))
        if fields is None:
            return None
        ref = self.string(fields.get("ref"), join(path, "ref"), REF,
                          "a clause reference such as 7.1.2")
        if ref is not None:
            path = f"clause[{ref}]"
            ref_line = fields["ref"].line
            if ref in self.refs:
                self.error(fields["ref"], join(path, "ref"),
                           f"duplicate clause {ref!r} (first at line {self.refs[ref]})")
            else:
                self.refs[ref] = ref_line
            if parent_ref is not None and not ref.startswith(parent_ref + "."):
                self.error(fields["ref"], join(path, "ref"),
                           f"{ref!r} does not extend its parent clause {parent_ref!r} "
                           f"(a sub-clause of {parent_ref} is {parent_ref}.1, "
                           f"{parent_ref}.2, ...)")
        title = self.text(fields.get("title"), join(path, "title"))
        maps_to = self.string_list(fields.get("maps_to"), join(path, "maps_to"), REF,
                                   "a clause reference such as 9.1.2")
        assessable = self.boolean(fields.get("assessable"), join(path, "assessable"))
        items: list[Item] = []
        item_nodes = self.sequence(fields.get("items"), join(path, "items"))
        for index, item_node in enumerate(item_nodes or ()):
            item = self.item(item_node, join(path, f"items[{index}]"), ref or "?")
            if item is not None:
                items.append(item)
        children: list[Clause] = []
        child_nodes = self.sequence(fields.get("clauses"), join(path, "clauses"))
        if child_nodes is not None and depth >= 8:
            self.error(fields["clauses"], join(path, "clauses"),
                       "clauses are nested more than 8 levels deep")
            child_nodes = None
        for index, child_node in enumerate(child_nodes or ()):
            child = self.clause(child_node, join(path, f"clauses[{index}]"), ref, depth + 1)
            if child is not None:
                children.append(child)
        has_items = bool(item_nodes)
        if assessable is True and not has_items:
            self.error(fields["assessable"], join(path, "assessable"),
                       "the clause is marked assessable but has no items")
        if assessable is False and has_items:
            self.error(fields["assessable"], join(path, "assessable"),
                       "the clause is marked not assessable but has items")
        if not has_items and not child_nodes and assessable is not False:
            self.error(node, path, "the clause has neither items nor sub-clauses "
                                   "(mark it 'assessable: false' if that is intended)")
        if ref is None or title is None:
            return None
        return Clause(ref=ref, title=title, clauses=tuple(children), items=tuple(items),
                      maps_to=maps_to or (), parent_ref=parent_ref, line=node.line)

    def item(self, node: Node, path: str, clause_ref: str) -> Item | None:
        fields = self.mapping(node, path, ITEM_KEYS, "an item", required=("id", "question"))
        if fields is None:
            return None
        item_id = self.string(fields.get("id"), join(path, "id"), ID,
                              "an item id (letters, digits, '.', '_', '-')")
        if item_id is not None:
            path = f"item[{item_id}]"
            if item_id in self.item_ids:
                self.error(fields["id"], join(path, "id"),
                           f"duplicate item id {item_id!r} (first at line "
                           f"{self.item_ids[item_id]}); item ids are unique in a checklist")
            else:
                self.item_ids[item_id] = fields["id"].line
        question = self.text(fields.get("question"), join(path, "question"))
        guidance = self.text(fields.get("guidance"), join(path, "guidance"))
        evidence = self.string_list(fields.get("evidence"), join(path, "evidence"),
                                    choices=EVIDENCE_KINDS)
        units = self.string_list(fields.get("units"), join(path, "units"), UNIT,
                                 "a unit code such as SMA")
        maps_to = self.string_list(fields.get("maps_to"), join(path, "maps_to"), REF,
                                   "a clause reference such as 9.1.2")
        answer = self.string(fields.get("answer"), join(path, "answer"))
        if answer is not None and answer not in ANSWER_KINDS:
            self.error(fields["answer"], join(path, "answer"),
                       f"{answer!r} is not one of: {', '.join(ANSWER_KINDS)}")
            answer = None
        metric = self.metric(fields.get("metric"), join(path, "metric"))
        target = self.target(fields.get("target"), join(path, "target"), metric)
        on_miss = self.string(fields.get("on_miss"), join(path, "on_miss"))
        if on_miss is not None and on_miss not in ON_MISS_GRADES:
            self.error(fields["on_miss"], join(path, "on_miss"),
                       f"{on_miss!r} is not one of: {', '.join(ON_MISS_GRADES)}")
            on_miss = None
        has_metric = "metric" in fields
        if has_metric and "target" not in fields:
            self.error(fields["metric"], join(path, "target"),
                       "a metric-bound item needs a target such as '>= 0.90'")
        if "target" in fields and not has_metric:
            self.error(fields["target"], join(path, "metric"),
                       "a target needs a metric to compare with")
        if "on_miss" in fields and not has_metric:
            self.error(fields["on_miss"], join(path, "on_miss"),
                       "on_miss applies only to items bound to a metric")
        if answer == "metric" and not has_metric and "target" not in fields:
            self.error(fields["answer"], join(path, "metric"),
                       "'answer: metric' needs a metric and a target")
        if answer == "person" and has_metric:
            self.error(fields["answer"], join(path, "answer"),
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

    def metric(self, node: Node | None, path: str) -> str | None:
        name = self.string(node, path)
        if name is None:
            return None
        known = self.known_metrics()
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            self.error(node, path, f"unknown metric {name[:60]!r}{suggestion}")
            return None
        return name

    def target(self, node: Node | None, path: str, metric: str | None) -> Target | None:
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
            from qmstrack.metric_catalogue import declared

            declaration = declared(metric)
            if declaration is not None and declaration.kind == "rate":
                self.error(node, path, f"{metric} is a fraction between 0 and 1; write the "
                                       "target as '>= 0.90' or '>= 90%'")
                return None
        return target


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
