"""Management review (ISO 9001:2015 clause 9.3): its inputs compiled from the records, its
decisions recorded and followed up.

Inputs (9.3.2). :func:`build_pack_context` gathers, for a period, everything the review pack
shows into one plain dictionary; both templates (``review_pack.md.j2`` and
``review_pack.html.j2``) render that same dictionary and compute nothing, so the Markdown and
the HTML pack cannot disagree. The sections follow 9.3.2: (a) status of the actions of
earlier reviews; (b) changes in issues (by hand); (c) performance and effectiveness:
customer satisfaction and complaints, quality objectives, service performance,
nonconformities and corrective actions, adherence to SOPs (monitoring), audit results and
clause coverage; (d) resources, (e) risks and opportunities, (f) opportunities for
improvement (by hand). Every figure of the records is read from the metric registry
(:func:`qmstrack.metrics.compute`), or, for the few counts the registry has no name for
(complaints responded to, findings raised and closed, verified actions), from the register
function that the registry itself uses; nothing is computed a second way here.

The sections written by hand come from a YAML notes file (:func:`load_notes`): keys
``context_changes``, ``resources``, ``risks_and_opportunities``,
``improvement_opportunities`` and ``other``, each a text, a list of texts, or a map
``{id: ..., en: ...}`` per language. The file is read node by node (``yaml.compose``);
nothing is ever constructed from a tag, and anything unexpected is refused with its line.

Outputs (9.3.3). :func:`record_review` stores a review (date, chair, attendees) and one
action per decision, with its owner and due date; actions are tracked like corrective
actions: *open*, *closed* (:func:`close_action`), and *overdue* when still open on a day
after their due date. The pack of a period shows the state of every action as of its end.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import Conflict, InvalidInput, NotFound, UsageError
from qmstrack.metrics import Period, Scope
from qmstrack.parsing import clean_text, parse_date
from qmstrack.registers.common import get_staff, query_dicts


def N_(message: str) -> str:  # noqa: N802 - the conventional name for "translate later"
    """Mark a message for extraction; it is translated where it is shown."""
    return message


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
NOTES_LIMIT = 1024 * 1024
NOTE_LENGTH = 4000
LANGS = ("id", "en")

ACTION_STATE_LABELS = {"open": N_("Open"), "overdue": N_("Overdue"), "closed": N_("Closed")}
CHANNEL_LABELS = {"lapor": N_("SP4N-LAPOR!"), "walk-in": N_("Walk-in"), "phone": N_("Phone"),
                  "email": N_("E-mail"), "letter": N_("Letter")}
SOURCE_LABELS = {"internal": N_("Internal audit"), "sucofindo": N_("Sucofindo"),
                 "certification": N_("Certification body"), "external": N_("External"),
                 "management": N_("Management review"), "complaint": N_("Complaint")}
OBJECTIVE_STATUS_LABELS = {"achieved": N_("achieved"), "missed": N_("missed"),
                           "no_value": N_("no value"), "in_progress": N_("in progress"),
                           "future": ""}
OBJECTIVE_MARKS = {"achieved": "✓", "missed": "✗", "no_value": "", "in_progress": "…",
                   "future": ""}
FINDING_GRADES = ("major", "minor", "observation")
ACTION_COLUMNS = ["id", "review_id", "held_on", "decision", "owner_nip", "owner_name",
                  "due_on", "state", "closed_on", "note"]
REVIEW_COLUMNS = ["id", "held_on", "chair", "attendees", "actions", "open", "overdue",
                  "closed"]
SHORT_PERIOD_MONTHS = 6  # up to this many months, satisfaction trends go by month


# --- the period of a pack -------------------------------------------------------------


def pack_period(*, year: int | None = None, start: date | None = None,
                end: date | None = None, today: date) -> tuple[Period, bool]:
    """The period a pack covers and whether it was cut at today.

    ``year``: that calendar year; ``start``/``end``: those days; neither: 1 January of this
    year to today. A period cannot reach past today (the records of days to come do not
    exist, and an open request due next week is not overdue yet), so its end is cut at
    today; the second value says so.
    """
    if year is not None:
        if start is not None or end is not None:
            raise UsageError("Give either --year or --from/--to, not both.")
        start, end = date(year, 1, 1), date(year, 12, 31)
    elif start is None and end is None:
        start, end = date(today.year, 1, 1), today
    elif start is None or end is None:
        raise UsageError("--from and --to go together; pass both (or --year).")
    if start > today:
        raise InvalidInput(f"The period starts on {start}, after today; there is nothing to "
                           "review yet.")
    clipped = end > today
    return Period(start, min(end, today)), clipped


def pack_filename(period: Period, fmt: str, lang: str) -> str:
    """``review-pack-<start>-<end>-<lang>.<fmt>``, dates in ISO form."""
    return f"review-pack-{period.start.isoformat()}-{period.end.isoformat()}-{lang}.{fmt}"


# --- the notes file ---------------------------------------------------------------------


_SCALAR_TAGS = {"str", "int", "float", "bool", "null", "timestamp"}


def load_notes(path: str | Path) -> dict[str, dict[str, list[str]]]:
    """Read the hand-written sections of the pack from a YAML file.

    Returns ``{key: {"id": [texts], "en": [texts]}}``; a text given without a language
    serves both, and a section given in one language only is shown in that language in
    both packs. Refuses, naming the file and the line, anything else.
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


def parse_notes(text: str, name: str = "notes") -> dict[str, dict[str, list[str]]]:
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
    notes: dict[str, dict[str, list[str]]] = {}
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


def _note_value(name: str, section: str, node) -> dict[str, list[str]]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        texts = _note_texts(name, section, node)
        return {lang: list(texts) for lang in LANGS}
    _check_tag(name, node)
    by_lang: dict[str, list[str]] = {}
    for key, value in node.value:
        _check_tag(name, key)
        if not isinstance(key, yaml.ScalarNode) or key.value not in LANGS:
            shown = key.value[:20] if isinstance(key, yaml.ScalarNode) else "?"
            raise _note_error(name, key, f"{shown!r} is not a language; per-language text "
                              "of a section goes under id and en")
        if key.value in by_lang:
            raise _note_error(name, key, f"the language {key.value} is given twice")
        by_lang[key.value] = _note_texts(name, section, value)
    for lang in LANGS:
        if lang not in by_lang:
            other = next(iter(by_lang.values()), [])
            by_lang[lang] = list(other)
    return by_lang


# --- recording reviews and their actions ------------------------------------------------


def pair_with_decisions(values: Sequence[Any] | None, count: int, option: str) -> list[Any]:
    """Values given once for every decision, or once per decision in the same order."""
    values = list(values or [])
    if not values:
        return [None] * count
    if len(values) == 1:
        return values * count
    if len(values) != count:
        raise UsageError(f"{option} is given {len(values)} times for {count} decisions; give "
                         "it once for all of them or once per --decision, in the same order.")
    return values


def _one_line(value: Any, field: str) -> str:
    text = clean_text(value, field=field, max_length=200, required=True)
    if "\n" in text or "\t" in text:
        raise InvalidInput(f"The {field} must be one line of text.")
    return text


def record_review(db: sqlite_utils.Database, *, held_on: Any, chair: str,
                  attendees: Iterable[str], decisions: Sequence[str],
                  owners: Sequence[str | None] | None = None,
                  dues: Sequence[Any] | None = None,
                  today: date | None = None) -> dict[str, Any]:
    """Record a management review and one tracked action per decision.

    ``owners`` (NIPs) and ``dues`` pair with ``decisions`` by position (or are None).
    Everything is checked before anything is written.
    """
    today = today or office_today(db)
    day = parse_date(held_on, field="review date")
    if day > today:
        raise InvalidInput(f"The review date {day} is in the future.")
    chair = _one_line(chair, "chair's name")
    people = [_one_line(a, "attendee's name") for a in attendees]
    texts = [clean_text(d, field="decision", max_length=NOTE_LENGTH, required=True)
             for d in decisions]
    if not texts:
        raise InvalidInput("A management review needs at least one decision.")
    owners = list(owners) if owners is not None else [None] * len(texts)
    dues = list(dues) if dues is not None else [None] * len(texts)
    if len(owners) != len(texts) or len(dues) != len(texts):
        raise InvalidInput("Each decision needs its own owner and due date (or none).")
    actions = []
    for number, (text, owner, due) in enumerate(zip(texts, owners, dues, strict=True), 1):
        nip = get_staff(db, owner)["nip"] if owner else None
        due_on = parse_date(due, field=f"due date of decision {number}") if due else None
        if due_on is not None and due_on < day:
            raise InvalidInput(f"The due date {due_on} of decision {number} is before the "
                               f"review ({day}).")
        actions.append({"decision": text, "owner_nip": nip,
                        "due_on": due_on.isoformat() if due_on else None,
                        "status": "open", "closed_on": None, "note": ""})
    with writing(db):
        same = db.execute("SELECT id FROM reviews WHERE held_on = ?",
                          [day.isoformat()]).fetchone()
        if same:
            raise Conflict(f"A management review of {day} is already recorded (review "
                           f"{same[0]}); 'qmstrack review show {same[0]}' shows it.")
        review_id = db["reviews"].insert({
            "held_on": day.isoformat(), "chair": chair,
            "attendees": json.dumps(people, ensure_ascii=False),
        }).last_pk
        db["review_actions"].insert_all({**a, "review_id": review_id} for a in actions)
    return get_review(db, review_id, today=today)


def action_state(action: dict[str, Any], as_of: date) -> str:
    """``closed`` (closed on or before ``as_of``), ``overdue`` (open, due before it) or
    ``open``."""
    day = as_of.isoformat()
    if action.get("closed_on") and action["closed_on"] <= day:
        return "closed"
    if action.get("due_on") and action["due_on"] < day:
        return "overdue"
    return "open"


def _attendees(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, list):
        return [str(v) for v in value]
    return [line.strip() for line in str(text).splitlines() if line.strip()]


_ACTION_SQL = """
    SELECT a.id, a.review_id, r.held_on, a.decision, a.owner_nip, s.name AS owner_name,
           a.due_on, a.status, a.closed_on, a.note
    FROM review_actions a JOIN reviews r ON r.id = a.review_id
    LEFT JOIN staff s ON s.nip = a.owner_nip
"""


def _decorate_action(row: dict[str, Any], as_of: date) -> dict[str, Any]:
    row["state"] = action_state(row, as_of)
    row["overdue"] = row["state"] == "overdue"
    row["owner_name"] = row.get("owner_name") or ""
    return row


def list_actions(db: sqlite_utils.Database, *, open_only: bool = False,
                 overdue_only: bool = False, review_id: int | None = None,
                 today: date | None = None) -> Iterator[dict[str, Any]]:
    """Stream review actions, oldest review first, each with its ``state`` as of today."""
    today = today or office_today(db)
    clauses, params = [], []
    if review_id is not None:
        clauses.append("a.review_id = ?")
        params.append(int(review_id))
    if open_only or overdue_only:
        clauses.append("(a.closed_on IS NULL OR a.closed_on > ?)")
        params.append(today.isoformat())
    if overdue_only:
        clauses.append("a.due_on IS NOT NULL AND a.due_on < ?")
        params.append(today.isoformat())
    where = " AND ".join(clauses) or "1"
    for row in query_dicts(db, f"{_ACTION_SQL} WHERE {where} ORDER BY r.held_on, a.id",
                           params):
        yield _decorate_action(row, today)


def _counts(actions: Iterable[dict[str, Any]]) -> dict[str, int]:
    """``total``, ``open`` (overdue ones included), ``overdue`` and ``closed``."""
    counts = {"total": 0, "open": 0, "overdue": 0, "closed": 0}
    for action in actions:
        counts["total"] += 1
        counts["closed" if action["state"] == "closed" else "open"] += 1
        counts["overdue"] += action["state"] == "overdue"
    return counts


def get_review(db: sqlite_utils.Database, review_id: int, *,
               today: date | None = None) -> dict[str, Any]:
    """One review with its attendees, its actions (state as of today) and their counts."""
    rows = list(query_dicts(db, "SELECT * FROM reviews WHERE id = ?", [int(review_id)]))
    if not rows:
        raise NotFound(f"There is no management review {review_id}; 'qmstrack review list' "
                       "shows them.")
    review = rows[0]
    review["attendees"] = _attendees(review["attendees"])
    review["actions"] = list(list_actions(db, review_id=review["id"], today=today))
    review["counts"] = _counts(review["actions"])
    return review


def list_reviews(db: sqlite_utils.Database, *, today: date | None = None
                 ) -> Iterator[dict[str, Any]]:
    """Stream the reviews, latest first, with the number of their actions per state."""
    today = today or office_today(db)
    reviews = list(query_dicts(db, "SELECT id, held_on, chair, attendees FROM reviews "
                                   "ORDER BY held_on DESC, id DESC"))
    actions: dict[int, list[dict[str, Any]]] = {}
    for action in list_actions(db, today=today):
        actions.setdefault(action["review_id"], []).append(action)
    for review in reviews:
        review["attendees"] = _attendees(review["attendees"])
        counts = _counts(actions.get(review["id"], []))
        review["actions"] = counts.pop("total")
        review.update(counts)
        yield review


def close_action(db: sqlite_utils.Database, action_id: int, *, on: Any = None,
                 note: str = "", today: date | None = None) -> dict[str, Any]:
    """Close a review action on a day (not before its review, not in the future)."""
    today = today or office_today(db)
    day = parse_date(on, field="closing date") if on is not None else today
    if day > today:
        raise InvalidInput(f"The closing date {day} is in the future.")
    note = clean_text(note, field="note", max_length=2000)
    with writing(db):
        rows = list(query_dicts(db, f"{_ACTION_SQL} WHERE a.id = ?", [int(action_id)]))
        if not rows:
            raise NotFound(f"There is no review action {action_id}; 'qmstrack review "
                           "actions' shows them.")
        action = rows[0]
        if action["status"] == "closed":
            raise Conflict(f"Review action {action_id} was already closed on "
                           f"{action['closed_on']}.")
        if day.isoformat() < action["held_on"]:
            raise InvalidInput(f"The closing date {day} is before the review that decided "
                               f"the action ({action['held_on']}).")
        changes = {"status": "closed", "closed_on": day.isoformat()}
        if note:
            changes["note"] = note
        db["review_actions"].update(action["id"], changes)
    rows = list(query_dicts(db, f"{_ACTION_SQL} WHERE a.id = ?", [int(action_id)]))
    return _decorate_action(rows[0], today)


# --- the inputs of a review: one context for every format -------------------------------


def _label(labels: dict[str, str], key: str, gettext) -> str:
    """The translated label of a code, or the code itself when it has none."""
    if key not in labels:
        return key
    return gettext(labels[key]) if labels[key] else ""


def _month_spans(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months touching [start, end], each cut to the period."""
    import calendar

    spans = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        last = date(year, month, calendar.monthrange(year, month)[1])
        spans.append((max(start, date(year, month, 1)), min(end, last)))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return spans


def _quarter_spans(start: date, end: date) -> list[tuple[str, date, date]]:
    """The calendar quarters touching [start, end], each cut to the period, with its label
    (``2026-Q1``)."""
    spans: list[tuple[str, date, date]] = []
    for m_start, m_end in _month_spans(start, end):
        label = f"{m_start.year}-Q{(m_start.month - 1) // 3 + 1}"
        if spans and spans[-1][0] == label:
            spans[-1] = (label, spans[-1][1], m_end)
        else:
            spans.append((label, m_start, m_end))
    return spans


class _Figures:
    """Figures from the metric registry, and their text, for one language."""

    def __init__(self, db: sqlite_utils.Database, lang: str):
        self.db = db
        self.lang = lang

    def get(self, name: str, start: date, end: date, units: Sequence[str] = (),
            service: str | None = None):
        from qmstrack.metrics import compute

        return compute(self.db, name, Period(start, end), Scope(tuple(units), service))

    def pct(self, value) -> str:
        from qmstrack.reports import format_value

        return format_value(value, "rate", self.lang)

    def num(self, value) -> str:
        from qmstrack.reports import format_value

        return format_value(value, "count", self.lang)

    def ikm(self, value) -> str:
        from qmstrack.i18n import format_number
        from qmstrack.satisfaction import rounded_ikm

        return "–" if value is None else format_number(rounded_ikm(value), self.lang,
                                                        decimals=2)


def build_pack_context(db: sqlite_utils.Database, period: Period, lang: str = "id", *,
                       notes: dict[str, dict[str, list[str]]] | None = None,
                       today: date | None = None) -> dict[str, Any]:
    """Everything the review pack of ``period`` shows, in ``lang``; shared by every format."""
    from qmstrack import charts
    from qmstrack.db import get_setting
    from qmstrack.reports import period_text, report_translations
    from qmstrack.setup import check_lang

    lang = check_lang(lang)
    gettext = report_translations(lang).gettext
    today = today or office_today(db)
    start, end = period.start, period.end
    fig = _Figures(db, lang)
    units = [{"code": code, "name": name} for code, name in
             db.execute("SELECT code, name FROM units ORDER BY code")]
    unit_codes = [u["code"] for u in units]
    months = [{"start": s, "end": e, "label": _month(s, lang, "LLLL y"),
               "short_label": _month(s, lang, "LLL")} for s, e in _month_spans(start, end)]

    full_year = start == date(start.year, 1, 1) and end == date(start.year, 12, 31)
    context: dict[str, Any] = {
        "lang": lang,
        "generated_on": today,
        "org_name": get_setting(db, "org_name") or "",
        "period": {
            "start": start, "end": end,
            "text": period_text(start, end, lang),
            "dates": f"{_date_full(start, lang)} – {_date_full(end, lang)}",
            "title": (gettext("Year %(year)s") % {"year": start.year}) if full_year
            else period_text(start, end, lang),
            "year_span": str(start.year) if start.year == end.year
            else f"{start.year}–{end.year}",
        },
        "units": units,
        "months": [{"label": m["label"], "short_label": m["short_label"],
                    "start": m["start"], "end": m["end"]} for m in months],
    }
    context["previous_actions"] = _previous_actions(db, start, end, gettext)
    context["satisfaction"] = _satisfaction(db, fig, start, end, units, gettext, charts)
    context["complaints"] = _complaints(db, fig, start, end, units, gettext)
    context["objectives"] = _objectives(db, start, end, today, lang, gettext)
    context["services"] = _services(db, fig, start, end, units, months, gettext, charts)
    context["findings"] = _findings(db, fig, start, end, units, gettext)
    context["audits"] = _audits(db, fig, start, end, lang, gettext, charts)
    context["adherence"] = _adherence(db, fig, start, end, units, months, gettext, charts)
    context["notes"] = _notes(notes or {}, lang, gettext)
    context["highlights"] = _highlights(context, fig, gettext)
    context["unit_codes"] = unit_codes
    return context


def _date_full(d: date, lang: str) -> str:
    from qmstrack.i18n import format_date

    return format_date(d, lang)


def _month(d: date, lang: str, pattern: str) -> str:
    from babel.dates import format_date

    return format_date(d, pattern, locale=lang)


def _staff_label(name: str | None, nip: str | None) -> str:
    if not nip:
        return ""
    return f"{name} ({nip})" if name else nip


def _previous_actions(db, start: date, end: date, gettext) -> dict[str, Any]:
    """(a) Actions of reviews held by the end of the period and not closed before it began,
    each in its state as of the end of the period."""
    rows = []
    reviews: dict[int, dict[str, Any]] = {}
    for row in query_dicts(db, f"{_ACTION_SQL} WHERE r.held_on <= ? AND (a.closed_on IS NULL "
                               "OR a.closed_on >= ?) ORDER BY r.held_on, a.id",
                           [end.isoformat(), start.isoformat()]):
        state = action_state(row, end)
        closed = row["closed_on"] if state == "closed" else None
        rows.append({
            "id": row["id"], "review_id": row["review_id"],
            "held_on": date.fromisoformat(row["held_on"]), "decision": row["decision"],
            "owner": _staff_label(row["owner_name"], row["owner_nip"]),
            "due_on": date.fromisoformat(row["due_on"]) if row["due_on"] else None,
            "closed_on": date.fromisoformat(closed) if closed else None,
            "state": state, "state_label": _label(ACTION_STATE_LABELS, state, gettext),
            "note": row["note"] or "",
        })
        reviews.setdefault(row["review_id"], {"id": row["review_id"],
                                              "held_on": date.fromisoformat(row["held_on"])})
    for review in reviews.values():
        chair = db.execute("SELECT chair FROM reviews WHERE id = ?", [review["id"]]).fetchone()
        review["chair"] = chair[0] if chair else ""
    counts = {"total": len(rows),
              "closed": sum(r["state"] == "closed" for r in rows),
              "open": sum(r["state"] != "closed" for r in rows),
              "overdue": sum(r["state"] == "overdue" for r in rows)}
    return {"rows": rows, "counts": counts, "reviews": list(reviews.values())}


def _satisfaction(db, fig: _Figures, start: date, end: date, units, gettext, charts
                  ) -> dict[str, Any]:
    """(c1) IKM over the period, per unit and service, and its trend by quarter (by month
    for a period of up to six months)."""
    from qmstrack.reports import objective_period_text
    from qmstrack.satisfaction import category_of

    spans = _month_spans(start, end)
    if len(spans) > SHORT_PERIOD_MONTHS:
        buckets = [{"label": objective_period_text(label, fig.lang), "start": s, "end": e}
                   for label, s, e in _quarter_spans(start, end)]
        by = "quarter"
    else:
        buckets = [{"label": _month(s, fig.lang, "LLL y"), "start": s, "end": e}
                   for s, e in spans]
        by = "month"

    def figures(unit_codes=(), service=None) -> dict[str, Any]:
        responses = fig.get("satisfaction.responses", start, end, unit_codes, service)
        ikm = fig.get("satisfaction.ikm", start, end, unit_codes, service)
        category = category_of(ikm)
        trend = [fig.get("satisfaction.ikm", b["start"], b["end"], unit_codes, service)
                 for b in buckets]
        return {"responses": responses, "responses_text": fig.num(responses),
                "ikm": ikm, "ikm_text": fig.ikm(ikm),
                "category": category.letter if category else "",
                "category_label": (category.label if fig.lang == "id" else category.label_en)
                if category else "",
                "trend": [{"value": v, "text": fig.ikm(v)} for v in trend]}

    overall = figures()
    unit_rows = [{"code": u["code"], "name": u["name"], **figures((u["code"],))}
                 for u in units]
    services = []
    for code, name, unit in db.execute("SELECT code, name, unit FROM services "
                                       "ORDER BY unit, code"):
        services.append({"code": code, "name": name, "unit": unit,
                         **figures((unit,), code)})
    series = [charts.LineSeries(gettext("All units"),
                                [_ikm_share(t["value"]) for t in overall["trend"]])]
    series += [charts.LineSeries(u["code"], [_ikm_share(t["value"]) for t in u["trend"]])
               for u in unit_rows]
    chart = charts.line_chart(
        [b["label"] for b in buckets], series,
        title=gettext("Community satisfaction index (IKM) by quarter") if by == "quarter"
        else gettext("Community satisfaction index (IKM) by month"),
        value_text=lambda x: fig.ikm(x * 100), target_label=gettext("target"),
        empty_text=gettext("No data"), width=900)
    return {"overall": overall, "units": unit_rows, "services": services,
            "buckets": [{"label": b["label"], "start": b["start"], "end": b["end"]}
                        for b in buckets],
            "by": by, "chart": chart}


def _ikm_share(value: float | None) -> float | None:
    return None if value is None else value / 100


def _complaints(db, fig: _Figures, start: date, end: date, units, gettext) -> dict[str, Any]:
    """(c1) Complaints: received, responded on time, open and overdue at the end, by unit
    and channel, and the overdue ones by number."""
    from qmstrack.registers.complaints import CHANNELS, complaint_counts, list_complaints

    def figures(unit_codes=()) -> dict[str, Any]:
        period, scope = Period(start, end), Scope(tuple(unit_codes))
        detail = complaint_counts(db, period, scope)
        received = fig.get("complaints.received", start, end, unit_codes)
        rate = fig.get("complaints.response_on_time_rate", start, end, unit_codes)
        open_ = fig.get("complaints.open", start, end, unit_codes)
        overdue = fig.get("complaints.overdue", start, end, unit_codes)
        return {"received": received, "received_text": fig.num(received),
                "responded": detail["responded"],
                "responded_text": fig.num(detail["responded"]),
                "responded_on_time": detail["responded_on_time"],
                "responded_on_time_text": fig.num(detail["responded_on_time"]),
                "on_time_rate": rate, "on_time_rate_text": fig.pct(rate),
                "open": open_, "open_text": fig.num(open_),
                "overdue": overdue, "overdue_text": fig.num(overdue)}

    overall = figures()
    unit_rows = [{"code": u["code"], "name": u["name"], **figures((u["code"],))}
                 for u in units]
    by_channel: dict[str, int] = {}
    for complaint in list_complaints(db, since=start, until=end, today=end):
        by_channel[complaint["channel"]] = by_channel.get(complaint["channel"], 0) + 1
    total = sum(by_channel.values())
    channels = []
    for channel in [*CHANNELS, *sorted(set(by_channel) - set(CHANNELS))]:
        n = by_channel.get(channel, 0)
        channels.append({"channel": channel,
                         "label": _label(CHANNEL_LABELS, channel, gettext),
                         "received": n, "received_text": fig.num(n),
                         "share_text": fig.pct(n / total if total else None)})
    overdue = [{"ref_no": c["ref_no"], "received_on": date.fromisoformat(c["received_on"]),
                "channel": _label(CHANNEL_LABELS, c["channel"], gettext),
                "unit": c["unit"] or "",
                "due_on": date.fromisoformat(c["response_due_on"])}
               for c in list_complaints(db, overdue_on=end, today=end)]
    return {"overall": overall, "units": unit_rows, "channels": channels,
            "overdue_list": overdue}


def _objectives(db, start: date, end: date, today: date, lang: str, gettext
                ) -> dict[str, Any]:
    """(c2) Every objective of the years of the period, judged on its periods that overlap
    the review period, as of the day after the period (or today)."""
    from qmstrack.objectives import _missed_twice, objective_status
    from qmstrack.reports import (
        FREQUENCY_LABELS,
        format_target,
        format_value,
        objective_kind,
        objective_period_text,
    )

    as_of = min(end + timedelta(days=1), today)
    unit_names = dict(db.execute("SELECT code, name FROM units"))
    groups: dict[str, dict[str, Any]] = {}
    totals = {"objectives": 0, "achieved": 0, "missed": 0, "no_value": 0, "in_progress": 0,
              "missed_twice": 0}
    flagged = []
    for year in range(start.year, end.year + 1):
        for o in objective_status(db, year=year, today=as_of):
            kind = objective_kind(o)
            periods = [p for p in o["periods"]
                       if p["start"] <= end.isoformat() and p["end"] >= start.isoformat()]
            if not periods:
                continue
            done = [p for p in periods if p["status"] in ("achieved", "missed", "no_value")]
            row = {
                "id": o["id"], "year": o["year"], "unit": o["unit"],
                "unit_name": unit_names.get(o["unit"], o["unit"]),
                "service_code": o["service_code"] or "", "title": o["title"],
                "metric": o["metric"] or "", "kind": o["kind"],
                "kind_label": gettext("measured") if o["metric"] else gettext("by hand"),
                "target": o["target"], "target_text": format_target(o["target"], kind, lang),
                "frequency": o["frequency"],
                "frequency_label": _label(FREQUENCY_LABELS, o["frequency"], gettext),
                "periods": [{
                    "period": p["period"], "start": p["start"],
                    "label": objective_period_text(p["period"], lang),
                    "value": p["value"], "status": p["status"],
                    "status_label": _label(OBJECTIVE_STATUS_LABELS, p["status"], gettext),
                    "mark": OBJECTIVE_MARKS[p["status"]],
                    "value_text": "" if p["status"] == "future"
                    else format_value(p["value"], kind, lang),
                } for p in periods],
                "achieved": sum(p["status"] == "achieved" for p in done),
                "missed": sum(p["status"] == "missed" for p in done),
                "no_value": sum(p["status"] == "no_value" for p in done),
                "in_progress": sum(p["status"] == "in_progress" for p in periods),
                "completed": len(done),
                "missed_twice": _missed_twice(done),
            }
            group = groups.setdefault(o["frequency"], {
                "frequency": o["frequency"], "label": row["frequency_label"], "rows": []})
            group["rows"].append(row)
            totals["objectives"] += 1
            for key in ("achieved", "missed", "no_value", "in_progress"):
                totals[key] += row[key]
            if row["missed_twice"]:
                totals["missed_twice"] += 1
                flagged.append(row)
    ordered = [groups[f] for f in ("monthly", "quarterly", "yearly") if f in groups]
    for group in ordered:
        # One column per period of the group (objectives of several years line up).
        columns = sorted({(p["period"], p["label"], p["start"]) for r in group["rows"]
                          for p in r["periods"]})
        years = {period[:4] for period, _, _ in columns}
        group["columns"] = [{
            "period": period, "label": label,
            "short_label": _month(date.fromisoformat(first), lang,
                                  "LLL" if len(years) == 1 else "LLL y")
            if group["frequency"] == "monthly" else label,
        } for period, label, first in columns]
        for row in group["rows"]:
            by_period = {p["period"]: p for p in row["periods"]}
            row["cells"] = [by_period.get(period) for period, _, _ in columns]
    totals["completed"] = totals["achieved"] + totals["missed"] + totals["no_value"]
    return {"groups": ordered, "totals": totals, "flagged": flagged}


def _request_figures(fig: _Figures, start: date, end: date, unit_codes=(), service=None
                     ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("received", "completed", "on_time", "on_time_rate", "open", "overdue"):
        value = fig.get(f"requests.{key}", start, end, unit_codes, service)
        out[key] = value
        out[f"{key}_text"] = fig.pct(value) if key == "on_time_rate" else fig.num(value)
    return out


def _checklist_target(db, metric: str) -> float | None:
    from qmstrack.audit_metrics import default_checklist
    from qmstrack.errors import QmsError
    from qmstrack.reports import checklist_target

    try:
        return checklist_target(default_checklist(db), metric)
    except QmsError:
        return None


def _services(db, fig: _Figures, start: date, end: date, units, months, gettext, charts
              ) -> dict[str, Any]:
    """(c3) Requests per service and unit over the period, and by month."""
    services = [{"code": code, "name": name, "unit": unit,
                 **_request_figures(fig, start, end, (unit,), code)}
                for code, name, unit in db.execute("SELECT code, name, unit FROM services "
                                                   "ORDER BY unit, code")]
    unit_rows = [{"code": u["code"], "name": u["name"],
                  **_request_figures(fig, start, end, (u["code"],))} for u in units]
    total = _request_figures(fig, start, end)
    monthly = []
    for m in months:
        row = {"label": m["label"], "short_label": m["short_label"]}
        for key in ("received", "completed", "on_time_rate", "overdue"):
            value = fig.get(f"requests.{key}", m["start"], m["end"])
            row[key] = value
            row[f"{key}_text"] = fig.pct(value) if key == "on_time_rate" else fig.num(value)
        row["units"] = []
        for u in units:
            rate = fig.get("requests.on_time_rate", m["start"], m["end"], (u["code"],))
            row["units"].append({"code": u["code"], "value": rate, "text": fig.pct(rate)})
        monthly.append(row)
    target = _checklist_target(db, "requests.on_time_rate")
    series = [charts.LineSeries(gettext("All units"), [m["on_time_rate"] for m in monthly],
                                target)]
    series += [charts.LineSeries(u["code"], [m["units"][i]["value"] for m in monthly])
               for i, u in enumerate(units)]
    chart = charts.line_chart(
        [m["short_label"] for m in monthly], series,
        title=gettext("On-time completion by month"), value_text=fig.pct,
        target_label=gettext("target"), empty_text=gettext("No data"), width=900)
    return {"services": services, "units": unit_rows, "total": total, "monthly": monthly,
            "target": target, "target_text": fig.pct(target) if target is not None else "",
            "chart": chart}


def _findings(db, fig: _Figures, start: date, end: date, units, gettext) -> dict[str, Any]:
    """(c4) Nonconformities and observations raised and closed in the period, open and
    overdue at its end, and how the verified corrective actions worked."""
    from qmstrack.findings import list_findings
    from qmstrack.reports import GRADE_LABELS

    s, e = start.isoformat(), end.isoformat()
    raised: dict[tuple[str, str], int] = {}
    for grade, source, n in db.execute(
            "SELECT grade, source, count(*) FROM findings WHERE raised_on BETWEEN ? AND ? "
            "GROUP BY grade, source", [s, e]):
        raised[(grade, source)] = n
    sources = sorted({source for _, source in raised},
                     key=lambda x: (list(SOURCE_LABELS).index(x) if x in SOURCE_LABELS
                                    else len(SOURCE_LABELS), x))
    grades = [{"key": g, "label": _label(GRADE_LABELS, g, gettext)} for g in FINDING_GRADES]
    by_source = []
    for source in sources:
        counts = [raised.get((g, source), 0) for g in FINDING_GRADES]
        by_source.append({"source": source,
                          "label": _label(SOURCE_LABELS, source, gettext),
                          "counts": [fig.num(n) for n in counts],
                          "total": sum(counts), "total_text": fig.num(sum(counts))})
    by_grade = [sum(raised.get((g, source), 0) for source in sources)
                for g in FINDING_GRADES]
    closed = db.execute("SELECT count(*) FROM findings WHERE closed_on BETWEEN ? AND ?",
                        [s, e]).fetchone()[0]
    verified = dict(db.execute(
        "SELECT effective, count(*) FROM finding_actions WHERE verified_on BETWEEN ? AND ? "
        "GROUP BY effective", [s, e]).fetchall())
    effective, not_effective = verified.get(1, 0), verified.get(0, 0)
    planned = db.execute("SELECT count(*) FROM finding_actions WHERE planned_on BETWEEN ? "
                         "AND ?", [s, e]).fetchone()[0]

    def at_end(unit_codes=()) -> dict[str, Any]:
        out = {}
        for key in ("open", "overdue", "open_major"):
            value = fig.get(f"findings.{key}", start, end, unit_codes)
            out[key], out[f"{key}_text"] = value, fig.num(value)
        return out

    open_rows = []
    for f in list_findings(db, open_on=end):
        overdue = bool(f["due_on"] and f["due_on"] < e)
        open_rows.append({
            "ref_no": f["ref_no"], "raised_on": date.fromisoformat(f["raised_on"]),
            "source": _label(SOURCE_LABELS, f["source"], gettext),
            "grade": f["grade"], "grade_label": _label(GRADE_LABELS, f["grade"], gettext),
            "clause_ref": f["clause_ref"], "unit": f["unit"] or "",
            "due_on": date.fromisoformat(f["due_on"]) if f["due_on"] else None,
            "overdue": overdue, "description": f["description"] or "",
        })
    total_raised = sum(by_grade)
    return {
        "grades": grades,
        "raised": total_raised, "raised_text": fig.num(total_raised),
        "raised_by_grade": [fig.num(n) for n in by_grade],
        "by_source": by_source,
        "closed": closed, "closed_text": fig.num(closed),
        "planned": planned, "planned_text": fig.num(planned),
        "effective": effective, "effective_text": fig.num(effective),
        "not_effective": not_effective, "not_effective_text": fig.num(not_effective),
        "effective_rate_text": fig.pct(effective / (effective + not_effective)
                                       if effective + not_effective else None),
        "at_end": at_end(),
        "units": [{"code": u["code"], "name": u["name"], **at_end((u["code"],))}
                  for u in units],
        "open_list": open_rows,
    }


def _audits(db, fig: _Figures, start: date, end: date, lang: str, gettext, charts
            ) -> dict[str, Any]:
    """(c6) Internal audits whose period overlaps the review period, with their results by
    grade, and the clause coverage of the 12-month programme at the end of the period."""
    from qmstrack.audit_metrics import default_checklist
    from qmstrack.audits import GRADES, clause_coverage, list_audits
    from qmstrack.reports import AUDIT_STATUS_LABELS, GRADE_LABELS, period_text

    grades = []
    for key in GRADES:
        colour, _ = charts.GRADE_COLOURS[key]
        grades.append({"key": key, "label": gettext(GRADE_LABELS[key]), "colour": colour})
    rows = []
    totals = dict.fromkeys(GRADES, 0)
    for audit in list_audits(db):
        a_start = date.fromisoformat(audit["period_start"])
        a_end = date.fromisoformat(audit["period_end"])
        if a_start > end or a_end < start:
            continue
        counts = {g: audit[g] or 0 for g in GRADES}
        for g in GRADES:
            totals[g] += counts[g]
        rows.append({"id": audit["id"], "period_text": period_text(a_start, a_end, lang),
                     "period_start": a_start, "period_end": a_end, "scope": audit["scope"],
                     "checklist_id": audit["checklist_id"],
                     "status_label": _label(AUDIT_STATUS_LABELS, audit["status"], gettext),
                     "counts": counts,
                     "counts_text": [fig.num(counts[g]) for g in GRADES]})
    rows.sort(key=lambda r: (r["period_start"], r["id"]))
    checklist = default_checklist(db)
    coverage = clause_coverage(db, checklist, end)
    due = [{"clause_ref": r["clause_ref"],
            "title": r["title_id"] if lang == "id" else r["title"],
            "last_audited": date.fromisoformat(r["last_audited"])
            if r["last_audited"] else None}
           for r in coverage if r["status"] == "due"]
    rate = fig.get("audits.clause_coverage_12m", start, end)
    chart = charts.stacked_bar_chart(
        [charts.BarGroup(f"#{r['id']}", r["counts"], f"#{r['id']} {r['period_text']}")
         for r in rows],
        [charts.Segment(g["key"], g["label"], g["colour"]) for g in grades],
        title=gettext("Results of the internal audits by grade"), y_label=gettext("Items"),
        empty_text=gettext("No internal audit in the period"), number=fig.num, width=900)
    return {"grades": grades, "rows": rows,
            "totals": [fig.num(totals[g]) for g in GRADES],
            "coverage": {"checklist_id": checklist.id, "total": len(coverage),
                         "covered": len(coverage) - len(due), "due": len(due),
                         "rate": rate, "rate_text": fig.pct(rate)},
            "due": due, "chart": chart}


def _adherence(db, fig: _Figures, start: date, end: date, units, months, gettext, charts
               ) -> dict[str, Any]:
    """(c5) Adherence to SOPs over the period per unit, and by month."""

    def figures(s: date, e: date, unit_codes=()) -> dict[str, Any]:
        observations = fig.get("adherence.observations", s, e, unit_codes)
        breaches = fig.get("adherence.breaches", s, e, unit_codes)
        rate = fig.get("adherence.rate", s, e, unit_codes)
        return {"observations": observations, "observations_text": fig.num(observations),
                "breaches": breaches, "breaches_text": fig.num(breaches),
                "rate": rate, "rate_text": fig.pct(rate)}

    total = figures(start, end)
    unit_rows = [{"code": u["code"], "name": u["name"], **figures(start, end, (u["code"],))}
                 for u in units]
    monthly = []
    for m in months:
        row = {"label": m["label"], "short_label": m["short_label"],
               **figures(m["start"], m["end"])}
        row["units"] = []
        for u in units:
            rate = fig.get("adherence.rate", m["start"], m["end"], (u["code"],))
            row["units"].append({"code": u["code"], "value": rate, "text": fig.pct(rate)})
        monthly.append(row)
    target = _checklist_target(db, "adherence.rate")
    series = [charts.LineSeries(gettext("All units"), [m["rate"] for m in monthly], target)]
    series += [charts.LineSeries(u["code"], [m["units"][i]["value"] for m in monthly])
               for i, u in enumerate(units)]
    chart = charts.line_chart(
        [m["short_label"] for m in monthly], series,
        title=gettext("Adherence to SOPs by month"), value_text=fig.pct,
        target_label=gettext("target"), empty_text=gettext("No data"), width=900)
    return {"total": total, "units": unit_rows, "monthly": monthly, "target": target,
            "target_text": fig.pct(target) if target is not None else "", "chart": chart}


def _notes(notes: dict[str, dict[str, list[str]]], lang: str, gettext) -> dict[str, Any]:
    sections = {}
    for key, (title, clause) in NOTE_SECTIONS.items():
        sections[key] = {"key": key, "title": gettext(title), "clause": clause,
                         "items": list(notes.get(key, {}).get(lang, []))}
    return sections


def _highlights(context: dict[str, Any], fig: _Figures, gettext) -> list[dict[str, str]]:
    """The figures at a glance, taken from the sections (nothing computed again)."""
    services = context["services"]["total"]
    satisfaction = context["satisfaction"]["overall"]
    complaints = context["complaints"]["overall"]
    objectives = context["objectives"]["totals"]
    findings = context["findings"]["at_end"]
    actions = context["previous_actions"]["counts"]
    return [
        {"label": gettext("On-time completion"), "value": services["on_time_rate_text"],
         "detail": gettext("%(on_time)s of %(completed)s completed requests on time") % {
             "on_time": services["on_time_text"], "completed": services["completed_text"]}},
        {"label": gettext("Community satisfaction index (IKM)"),
         "value": satisfaction["ikm_text"],
         "detail": (f"{satisfaction['category']} ({satisfaction['category_label']}), "
                    if satisfaction["category"] else "")
         + gettext("%(n)s responses") % {"n": satisfaction["responses_text"]}},
        {"label": gettext("Complaints answered on time"),
         "value": complaints["on_time_rate_text"],
         "detail": gettext("%(n)s complaints received") % {"n": complaints["received_text"]}},
        {"label": gettext("Objective periods achieved"),
         "value": f"{fig.num(objectives['achieved'])} / {fig.num(objectives['completed'])}",
         "detail": gettext("%(n)s objectives missed twice in a row") % {
             "n": fig.num(objectives["missed_twice"])}},
        {"label": gettext("Adherence to SOPs"),
         "value": context["adherence"]["total"]["rate_text"],
         "detail": gettext("%(n)s observations") % {
             "n": context["adherence"]["total"]["observations_text"]}},
        {"label": gettext("Open findings"), "value": findings["open_text"],
         "detail": gettext("%(n)s overdue") % {"n": findings["overdue_text"]}},
        {"label": gettext("Open review actions"), "value": fig.num(actions["open"]),
         "detail": gettext("%(n)s overdue") % {"n": fig.num(actions["overdue"])}},
    ]


# --- rendering and writing --------------------------------------------------------------


TEMPLATE_STEM = "review_pack"


def render_pack(context: dict[str, Any], fmt: str,
                template_dir: str | Path | None = None) -> str:
    """The pack in one format (``md`` or ``html``) from a context of
    :func:`build_pack_context`."""
    from qmstrack.reports import render_formats

    return render_formats(TEMPLATE_STEM, [fmt], context["lang"], template_dir, context)[0][1]


def write_review_pack(db: sqlite_utils.Database, period: Period, out_dir: str | Path,
                      formats: Sequence[str] = ("md", "html"), lang: str = "id",
                      template_dir: str | Path | None = None, *,
                      notes: dict[str, dict[str, list[str]]] | None = None,
                      today: date | None = None) -> list[Path]:
    """Build the context once, render every format, then write the files atomically;
    a failed render writes nothing."""
    from qmstrack.reports import check_formats, render_formats, write_report_files

    wanted = check_formats(formats)
    context = build_pack_context(db, period, lang, notes=notes, today=today)
    rendered = render_formats(TEMPLATE_STEM, wanted, context["lang"], template_dir, context)
    return write_report_files(out_dir, [(pack_filename(period, fmt, context["lang"]), text)
                                        for fmt, text in rendered])
