"""Word documents (DOCX) of qmstrack's forms and minutes, from one simple description.

A document is a dict: ``office`` (:func:`qmstrack.letterhead.office_identity`), ``title``,
``subtitle``, ``facts`` (label and value pairs), ``blocks`` (each a ``heading`` with either
a ``text`` or a table: ``headers``, ``rows``, ``widths`` in millimetres and ``empty``, the
sentence for no rows), ``closing`` (paragraphs), ``signatures`` (roles) with
``name_label`` and ``date_label``. :func:`render_docx` writes it with python-docx using
only Word's built-in styles (Title, Heading 2, Table Grid), which Word and LibreOffice
Writer both render; ``templates/document.html.j2`` lays out the same description for
print and PDF.
"""

from __future__ import annotations

import io
from typing import Any


def render_docx(doc_spec: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    office = doc_spec["office"]
    if office["name"]:
        run = doc.add_paragraph().add_run(office["name"].upper())
        run.bold, run.font.size = True, Pt(13)
    if office["address"]:
        doc.add_paragraph(office["address"])
    if office["reference"]:
        section.header.paragraphs[0].text = office["reference"]
    doc.add_paragraph(doc_spec["title"], style="Title")
    if doc_spec.get("subtitle"):
        doc.add_paragraph(doc_spec["subtitle"])
    if doc_spec["facts"]:
        facts = doc.add_table(rows=0, cols=2)
        facts.style = "Table Grid"
        for name, value in doc_spec["facts"]:
            cells = facts.add_row().cells
            cells[0].text, cells[1].text = name, value
    for block in doc_spec["blocks"]:
        if block.get("heading"):
            doc.add_heading(block["heading"], level=2)
        if "text" in block:
            for paragraph in str(block["text"]).split("\n"):
                doc.add_paragraph(paragraph)
            continue
        if not block["rows"]:
            doc.add_paragraph(block["empty"])
            continue
        table = doc.add_table(rows=1, cols=len(block["headers"]))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, block["headers"], strict=True):
            cell.text = text
        for values in block["rows"]:
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = str(text)
        # Word and Writer both read the columns' and the cells' widths.
        table.autofit = False
        for column, width in zip(table.columns, block["widths"], strict=True):
            column.width = Mm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, block["widths"], strict=True):
                cell.width = Mm(width)
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
    for paragraph in doc_spec.get("closing", []):
        doc.add_paragraph(paragraph)
    roles = doc_spec["signatures"]
    if roles:
        signatures = doc.add_table(rows=4, cols=len(roles))
        for i, role in enumerate(roles):
            col = signatures.columns[i].cells
            col[0].text = role
            col[2].text = f"{doc_spec['name_label']}: "
            col[3].text = f"{doc_spec['date_label']}: "
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
