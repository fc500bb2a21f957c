"""The notification letter of a month's internal audits (surat pemberitahuan audit
internal), as an editable Word document or a PDF.

ISO 9001:2015 clause 9.2.2 b) asks the office to define the criteria and scope of each
audit, and 9.2.2 a) to plan the audit programme; the letter tells the head of each audited
unit, ahead of the audit, what the programme (:mod:`qmstrack.audit_programme`) plans for
that month: the clauses, the units, the lead auditor and the dates. It carries the
office's letterhead, the document number of the kind ``audit_letter``
(:mod:`qmstrack.letterhead`), the date, the addressees, a closing and the signature of
the quality management representative.

Written by :mod:`qmstrack.word` (DOCX) or ``document.html.j2`` and :mod:`qmstrack.pdf`
(PDF), from the same description as the PTK form and the review minutes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from qmstrack.errors import InvalidInput, NotFound, UsageError
from qmstrack.i18n import check_lang, translations

if TYPE_CHECKING:
    from qmstrack.checklists import Checklist
    from qmstrack.periods import Period

FORMATS = ("docx", "pdf")
# Unit, clauses, lead auditor, dates: 170 mm, the A4 page less its margins.
SCHEDULE_WIDTHS_MM = (38, 74, 30, 28)


def build_letter_context(db: sqlite_utils.Database, checklist: Checklist, month: Period,
                         units: Iterable[str] = (), lang: str = "id",
                         on: date | None = None) -> dict[str, Any]:
    """Everything the letter of the audits planned in ``month`` (for ``units``, or every
    planned unit) shows, in ``lang``, dated ``on`` (default: the month's first day)."""
    from qmstrack.figures import date_full, date_short, month_name
    from qmstrack.letterhead import office_identity

    lang = check_lang(lang)
    gettext = translations(lang).gettext
    wanted = sorted(set(units))
    marks = ", ".join("?" for _ in wanted)
    rows = db.execute(
        "SELECT p.unit, u.name, p.clauses, p.lead_auditor_nip, s.name FROM audit_plan p "
        "JOIN units u ON u.code = p.unit LEFT JOIN staff s ON s.nip = p.lead_auditor_nip "
        "WHERE p.checklist_id = ? AND p.month_start = ?"
        + (f" AND p.unit IN ({marks})" if wanted else "") + " ORDER BY p.unit",
        [checklist.id, month.start.isoformat(), *wanted]).fetchall()
    label = month.start.strftime("%Y-%m")
    if not rows and wanted:
        raise NotFound(f"No audit is planned for {', '.join(wanted)} in {label}; plan it "
                       "with 'qmstrack audit plan set'.")
    if not rows:
        raise NotFound(f"No audit is planned in {label}; plan it with 'qmstrack audit plan "
                       "set'.")
    dated = on or month.start
    dates = f"{date_short(month.start, lang)} – {date_short(month.end, lang)}"
    known = {c.ref: c for c in checklist.iter_clauses()}
    schedule = []
    for unit, unit_name, clauses, nip, auditor in rows:
        titles = [f"{ref} {known[ref].text('title', lang)}" if ref in known else ref
                  for ref in str(clauses).split(",") if ref]
        schedule.append([f"{unit} – {unit_name}", "; ".join(titles),
                         (f"{auditor} ({nip})" if auditor else str(nip)) if nip else "–",
                         dates])
    heads = [gettext("Head of {unit}").format(unit=r[1]) for r in rows]
    period = month_name(month.start, lang)
    office = office_identity(db, "audit_letter", lang, year=month.start.year)
    return {
        "lang": lang,
        "office": office,
        "title": gettext("Internal audit notification"),
        "subtitle": period,
        "month": label,
        "facts": [(gettext("Number"), office["doc_number"] or "–"),
                  (gettext("Date"), date_full(dated, lang)),
                  (gettext("Subject"),
                   gettext("Internal audit of {month}").format(month=period)),
                  (gettext("To"), "; ".join(heads))],
        "blocks": [
            {"heading": "", "text": gettext(
                "Following the internal audit programme (ISO 9001:2015, 9.2.2), the "
                "internal audit of the quality management system will be held in your "
                "unit in {month}, on the clauses and by the lead auditor below.").format(
                    month=period)},
            {"heading": gettext("Audit schedule"),
             "headers": [gettext("Work unit"), gettext("Clauses"), gettext("Lead auditor"),
                         gettext("Dates")],
             "rows": schedule, "widths": SCHEDULE_WIDTHS_MM, "empty": ""},
        ],
        "closing": [gettext("Please have the documented information and the staff "
                            "concerned ready, and attend the opening meeting."),
                    gettext("Thank you for your attention and cooperation.")],
        "signatures": [gettext("Quality management representative")],
        "name_label": gettext("Name"), "date_label": gettext("Date"),
    }


def render_letter(context: dict[str, Any], fmt: str) -> bytes:
    """The letter as DOCX (:mod:`qmstrack.word`) or PDF (``document.html.j2``)."""
    if fmt == "docx":
        from qmstrack.word import render_docx

        return render_docx(context)
    from qmstrack.pdf import html_to_pdf
    from qmstrack.reports import render_template

    return html_to_pdf(render_template("document.html.j2", context["lang"], None, context))


def write_audit_letter(db: sqlite_utils.Database, checklist: Checklist, month: Period,
                       out: str | os.PathLike, fmt: str = "docx", lang: str = "id", *,
                       units: Iterable[str] = (), on: date | None = None) -> Path:
    """Write the notification letter of ``month``'s audits to the file ``out``
    (atomically: a reader never sees half a letter); return its path."""
    from qmstrack.atomic import default_mode, write_atomically

    fmt = str(fmt).strip().lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use docx or pdf.")
    target = Path(out).expanduser()
    if target.is_dir():
        raise InvalidInput(f"{target} is a directory; name the letter's file with --out.")
    data = render_letter(build_letter_context(db, checklist, month, units, lang, on), fmt)
    try:
        return write_atomically(target, data, mode=default_mode())
    except OSError as exc:
        raise InvalidInput(f"The letter {target} cannot be written: "
                           f"{exc.strerror or exc}.") from None
