"""The corrective-action request form of one finding (PTK, Permintaan Tindakan Koreksi /
CAR), as an editable Word document or a PDF.

The form follows what ISO 9001:2015 clause 10.2 ("Nonconformity and corrective action")
asks to be kept as documented information (10.2.2): the nature of the nonconformity, the
actions taken, and their results. It carries the office's letterhead and the document
number of the kind ``finding_form`` (:mod:`qmstrack.letterhead`), the finding's facts, its
root cause and correction, every corrective action with its verification, and the
signatures of the auditor, the auditee and the quality management representative.

The DOCX is written by :mod:`qmstrack.word` (python-docx, built-in styles that Word and
LibreOffice Writer both render); the PDF comes from the HTML template ``document.html.j2``
through :mod:`qmstrack.pdf`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.errors import UsageError
from qmstrack.i18n import check_lang, translations

FORMATS = ("docx", "pdf")
# Action, owner, planned, due, verified, effective: 170 mm, the A4 page less its margins.
ACTION_WIDTHS_MM = (48, 38, 22, 22, 22, 18)


def build_form_context(db: sqlite_utils.Database, ref: str, lang: str = "id"
                       ) -> dict[str, Any]:
    """Everything the form of finding ``ref`` shows, in ``lang``."""
    from qmstrack.figures import date_full, date_short
    from qmstrack.findings import get_finding
    from qmstrack.labels import FINDING_STATUS_LABELS, GRADE_LABELS, SOURCE_LABELS, label
    from qmstrack.letterhead import office_identity

    lang = check_lang(lang)
    gettext = translations(lang).gettext
    f = get_finding(db, ref)
    raised = str(f["raised_on"])
    unit_name = ""
    if f.get("unit"):
        row = db.execute("SELECT name FROM units WHERE code = ?", [f["unit"]]).fetchone()
        unit_name = f"{f['unit']} – {row[0]}" if row else str(f["unit"])
    source = label(SOURCE_LABELS, str(f.get("source") or "internal"), gettext)
    if f.get("audit_id"):
        source = gettext("{source}, audit no. {id}").format(source=source, id=f["audit_id"])
    names = dict(db.execute("SELECT nip, name FROM staff").fetchall())
    actions = [{
        "action": a["action"],
        "owner": (f"{names.get(a['owner_nip']) or ''} ({a['owner_nip']})".lstrip()
                  if a["owner_nip"] else "–"),
        "planned": date_short(a["planned_on"], lang), "due": date_short(a["due_on"], lang),
        "verified": (f"{date_short(a['verified_on'], lang)}, {a['verified_by'] or ''}".rstrip(
            ", ") if a["verified_on"] else "–"),
        "effective": ("–" if a["effective"] is None else gettext("effective")
                      if a["effective"] else gettext("not effective")),
    } for a in f["actions"]]
    facts = [
        (gettext("Finding no."), str(f["ref_no"])),
        (gettext("Raised on"), date_full(raised, lang)),
        (gettext("Source"), source),
        (gettext("Work unit"), unit_name or "–"),
        (gettext("Clause"), f"ISO 9001:2015 {f['clause_ref']}"),
        (gettext("Grade"), label(GRADE_LABELS, str(f["grade"]), gettext)),
        (gettext("Due date"), date_full(f["due_on"], lang)),
        (gettext("Finding status"), label(FINDING_STATUS_LABELS, str(f["status"]), gettext)),
    ]
    return {
        "lang": lang,
        "office": office_identity(db, "finding_form", lang, year=int(raised[:4])),
        "title": gettext("Corrective action request"),
        "subtitle": str(f["ref_no"]),
        "ref_no": f["ref_no"],
        "facts": facts,
        "blocks": [
            {"heading": gettext("Nonconformity"), "text": str(f["description"] or "")},
            {"heading": gettext("Root cause"), "text": str(f["root_cause"] or "") or "–"},
            {"heading": gettext("Correction"), "text": str(f["correction"] or "") or "–"},
            {"heading": gettext("Corrective actions"),
             "headers": [gettext("Action"), gettext("Owner"), gettext("Planned"),
                         gettext("Due date"), gettext("Verified"), gettext("Effective")],
             "rows": [[a["action"], a["owner"], a["planned"], a["due"], a["verified"],
                       a["effective"]] for a in actions],
             "widths": ACTION_WIDTHS_MM,
             "empty": gettext("No corrective action planned yet.")},
        ],
        "closing": ([gettext("Closed on {date}.").format(date=date_full(f["closed_on"], lang))]
                    if f.get("closed_on") else []),
        "signatures": [gettext("Internal auditor"), gettext("Auditee (head of unit)"),
                       gettext("Quality management representative")],
        "name_label": gettext("Name"), "date_label": gettext("Date"),
    }


def render_form(context: dict[str, Any], fmt: str) -> bytes:
    """The form as DOCX (:mod:`qmstrack.word`) or PDF (``document.html.j2``)."""
    if fmt == "docx":
        from qmstrack.word import render_docx

        return render_docx(context)
    if fmt == "pdf":
        from qmstrack.pdf import html_to_pdf
        from qmstrack.reports import render_template

        return html_to_pdf(render_template("document.html.j2", context["lang"], None,
                                           context))
    raise UsageError(f"The form format {fmt!r} is not one of {', '.join(FORMATS)}.")


def form_filename(ref: str, fmt: str, lang: str) -> str:
    from qmstrack.evidence import sanitise_name

    return f"ptk-{sanitise_name(ref, 'finding')}-{lang}.{fmt}"


def write_finding_form(db: sqlite_utils.Database, ref: str, out_dir: str | os.PathLike,
                       fmt: str = "docx", lang: str = "id") -> Path:
    """Write the form of finding ``ref`` into ``out_dir``; return its path."""
    from qmstrack.reports import write_report_files

    fmt = str(fmt).strip().lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: use docx or pdf.")
    context = build_form_context(db, ref, lang)
    data = render_form(context, fmt)
    return write_report_files(out_dir, [(form_filename(str(context["ref_no"]), fmt,
                                                       context["lang"]), data)])[0]
