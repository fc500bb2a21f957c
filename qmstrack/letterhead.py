"""The office's identity on every printed output: the letterhead (kop surat: logo, name,
address), the document number and revision of each kind of report, and the texts of the
page margins ("Halaman 3 dari 12" and the document number, CSS paged media).

The settings: ``org_name``, ``org_address``, ``logo`` (an image kept in the evidence store
under its SHA-256, which the setting holds), ``doc_number.<kind>`` (e.g. ``FM-SPMI-07``;
``{year}`` is replaced by the report's year) and ``doc_revision``.

The margin texts are CSS strings written by :func:`css_string`, which escapes every
character but letters, digits and spaces, so an office's text can never end the style
sheet or inject a rule. The page boxes themselves (``@page`` with ``@top-right`` and
``@bottom-right``) are laid out by the report templates (CSS Paged Media Module Level 3,
https://www.w3.org/TR/css-page-3/#margin-boxes).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.errors import InvalidInput
from qmstrack.i18n import N_, translations

# The kinds of printed output that carry a document number.
KINDS = ("audit_report", "review_pack", "summary", "finding_form", "skm_report",
         "review_minutes", "audit_letter")
MAX_LOGO_BYTES = 2 << 20
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
PAGE_OF = N_("Page {page} of {pages}")


def logo_type(data: bytes) -> str | None:
    """The media type of a PNG or JPEG image, from its first bytes."""
    return next((kind for magic, kind in LOGO_TYPES.items() if data.startswith(magic)), None)


def check_logo(path: str | Path) -> Path:
    """A logo file: a PNG or JPEG image of at most 2 MiB."""
    source = Path(path).expanduser()
    if not source.is_file():
        raise InvalidInput(f"There is no file {source}.")
    if source.stat().st_size > MAX_LOGO_BYTES:
        raise InvalidInput(f"{source} is larger than {MAX_LOGO_BYTES // 1024 ** 2} MiB; a "
                           "logo for a letterhead needs far less.")
    with open(source, "rb") as f:
        head = f.read(16)
    if logo_type(head) is None:
        raise InvalidInput(f"{source} is not a PNG or JPEG image.")
    return source


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, every character but letters, digits and spaces
    escaped (CSS Syntax Level 3, 4.3.7: a backslash, hex digits and a space)."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch == " "):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


def page_counter_css(lang: str) -> str:
    """``"Halaman " counter(page) " dari " counter(pages)``: the CSS content of the page
    number in ``lang``."""
    text = translations(lang).gettext(PAGE_OF)
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", text):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def _db_file(db: sqlite_utils.Database) -> Path | None:
    for row in db.execute("PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return None


def logo_data_uri(db: sqlite_utils.Database) -> str:
    """The office's logo as a ``data:`` URI (the reports load nothing from elsewhere), or
    "" when there is none or its stored file is gone or altered."""
    import hashlib

    from qmstrack.db import get_setting
    from qmstrack.evidence import evidence_path

    sha = get_setting(db, "logo")
    db_file = _db_file(db)
    if not sha or db_file is None:
        return ""
    try:
        data = evidence_path(db_file, str(sha)).read_bytes()
    except (OSError, InvalidInput):
        return ""
    kind = logo_type(data)
    if kind is None or hashlib.sha256(data).hexdigest() != sha:
        return ""
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def office_identity(db: sqlite_utils.Database, kind: str, lang: str, *,
                    year: int | None = None) -> dict[str, Any]:
    """What a printed output of ``kind`` shows of the office: name, address, logo,
    document number and revision, and the CSS of its page margins."""
    from qmstrack.db import get_setting

    numbers = get_setting(db, "doc_number") or {}
    number = str(numbers.get(kind) or "") if isinstance(numbers, dict) else ""
    if year is not None:
        number = number.replace("{year}", str(year))
    revision = str(get_setting(db, "doc_revision") or "")
    gettext = translations(lang).gettext
    reference = number
    if number and revision:
        reference = gettext("{number} rev. {revision}").format(number=number,
                                                               revision=revision)
    return {
        "name": str(get_setting(db, "org_name") or ""),
        "address": str(get_setting(db, "org_address") or ""),
        "logo": logo_data_uri(db),
        "doc_number": number,
        "revision": revision,
        "reference": reference,
        "page_css": page_counter_css(lang),
        "reference_css": css_string(reference) if reference else "",
        "name_css": css_string(str(get_setting(db, "org_name") or "")),
    }
