"""The minutes (notulen) of one management review: who attended, what was decided, who
owns each action and by when, as an editable Word document or a PDF.

ISO 9001:2015 clause 9.3.3 asks the outputs of the management review (decisions and
actions) to be kept as documented information; the minutes carry them with the
attendance list and the chair's signature, on the office's letterhead with the document
number of the kind ``review_minutes`` (:mod:`qmstrack.letterhead`). Written by
:mod:`qmstrack.word` (DOCX) or ``document.html.j2`` and :mod:`qmstrack.pdf` (PDF).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.errors import UsageError
from qmstrack.i18n import check_lang, translations

FORMATS = ("docx", "pdf")
# No., attendee | No., decision, owner, due, state: 170 mm, the A4 page less its margins.
ATTENDANCE_WIDTHS_MM = (12, 158)
DECISION_WIDTHS_MM = (12, 70, 40, 24, 24)


def build_minutes_context(db: sqlite_utils.Database, review_id: int, lang: str = "id"
                          ) -> dict[str, Any]:
    """Everything the minutes of review ``review_id`` show, in ``lang``."""
    from qmstrack.figures import date_full, date_short
    from qmstrack.labels import ACTION_STATE_LABELS, label
    from qmstrack.letterhead import office_identity
    from qmstrack.reviews import get_review

    lang = check_lang(lang)
    gettext = translations(lang).gettext
    review = get_review(db, review_id)
    held = str(review["held_on"])
    decisions = [[str(i), a["decision"],
                  (f"{a['owner_name']} ({a['owner_nip']})".lstrip() if a["owner_nip"]
                   else "–"),
                  date_short(a["due_on"], lang),
                  label(ACTION_STATE_LABELS, str(a["state"]), gettext)]
                 for i, a in enumerate(review["actions"], 1)]
    return {
        "lang": lang,
        "office": office_identity(db, "review_minutes", lang, year=int(held[:4])),
        "title": gettext("Minutes of the management review"),
        "subtitle": date_full(held, lang),
        "held_on": held,
        "facts": [(gettext("Review no."), str(review["id"])),
                  (gettext("Held on"), date_full(held, lang)),
                  (gettext("Chair"), str(review["chair"] or "–")),
                  (gettext("Attendees"), str(len(review["attendees"])))],
        "blocks": [
            {"heading": gettext("Attendance"), "headers": [gettext("Row"), gettext("Name")],
             "rows": [[str(i), name] for i, name in enumerate(review["attendees"], 1)],
             "widths": ATTENDANCE_WIDTHS_MM, "empty": gettext("No attendee recorded.")},
            {"heading": gettext("Decisions and actions (ISO 9001:2015, 9.3.3)"),
             "headers": [gettext("Row"), gettext("Decision"), gettext("Owner"),
                         gettext("Due date"), gettext("State")],
             "rows": decisions, "widths": DECISION_WIDTHS_MM,
             "empty": gettext("No decision recorded.")},
        ],
        "closing": [],
        "signatures": [gettext("Chair"), gettext("Minute taker")],
        "name_label": gettext("Name"), "date_label": gettext("Date"),
    }


def minutes_filename(review_id: int, held_on: str, fmt: str, lang: str) -> str:
    return f"notulen-{int(review_id)}-{held_on}-{lang}.{fmt}"


def write_review_minutes(db: sqlite_utils.Database, review_id: int,
                         out_dir: str | os.PathLike, fmt: str = "docx",
                         lang: str = "id") -> Path:
    """Write the minutes of review ``review_id`` into ``out_dir``; return the path."""
    from qmstrack.reports import render_template, write_report_files

    fmt = str(fmt).strip().lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use docx or pdf.")
    context = build_minutes_context(db, review_id, lang)
    if fmt == "docx":
        from qmstrack.word import render_docx

        data = render_docx(context)
    else:
        from qmstrack.pdf import html_to_pdf

        data = html_to_pdf(render_template("document.html.j2", context["lang"], None,
                                           context))
    name = minutes_filename(review_id, context["held_on"], fmt, context["lang"])
    return write_report_files(out_dir, [(name, data)])[0]
