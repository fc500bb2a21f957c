"""One way to choose a language: the list, the catalogue, texts in several languages.

A third language needs only the list (or a catalogue in ``QMSTRACK_LOCALE_DIR``), its
catalogue and its texts in the checklists; every message qmstrack shows has an Indonesian
translation; no module branches on the language.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

# Malay: a neighbouring language with its own Babel (CLDR) dates ("Khamis, 20 Ogos 2026").
MALAY_PO = r'''
msgid ""
msgstr ""
"Language: ms\n"
"Plural-Forms: nplurals=1; plural=0;\n"
"Content-Type: text/plain; charset=utf-8\n"

msgid "Quality summary – {org}"
msgstr "Ringkasan kualiti – {org}"

msgid "Service requests"
msgstr "Permohonan perkhidmatan"

msgid "Nothing is overdue."
msgstr "Tiada yang lewat."

msgid "Executive summary"
msgstr "Ringkasan eksekutif"

msgid "Conform"
msgstr "Menepati"

msgctxt "register"
msgid "Service requests"
msgstr "Permohonan perkhidmatan (daftar)"
'''

MALAY_CHECKLIST = """\
id: office-ms
title: {en: Office checklist, id: Daftar periksa kantor, ms: Senarai semak pejabat}
standard: ISO 9001
edition: "2015"
version: 1
languages: [en, id, ms]
clauses:
  - ref: "8.5"
    title: {en: Service provision, id: Penyediaan layanan, ms: Penyediaan perkhidmatan}
    items:
      - id: 8.5-a
        question:
          en: Is every request registered?
          id: Apakah setiap permohonan dicatat?
          ms: Adakah setiap permohonan didaftarkan?
        metric: requests.received
        target: ">= 0"
"""


@pytest.fixture
def malay(tmp_path, monkeypatch):
    """A catalogue for Malay written into a directory of its own, as a translator would."""
    directory = tmp_path / "locales"
    catalogue = directory / "ms" / "LC_MESSAGES" / "qmstrack.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text(MALAY_PO.lstrip(), encoding="utf-8")
    monkeypatch.setenv("QMSTRACK_LOCALE_DIR", str(directory))
    return directory


def test_a_third_language_needs_only_its_catalogue_and_texts(malay, office, cli, tmp_path):
    from qmstrack.i18n import check_lang, languages
    from qmstrack.registers.requests import add_request

    assert languages() == ("id", "en", "ms")
    assert check_lang("MS") == "ms"
    add_request(office, ref="A", service="SMA-LEG", requester="a", received="2026-08-20")
    assert cli("init", "--org", "Dinas", "--lang", "ms").exit_code == 0

    summary = cli("summary", "--date", "2026-08-20")  # the office's language: Malay
    assert summary.exit_code == 0, summary.stderr
    assert summary.stdout.splitlines()[:2] == ["Ringkasan kualiti – Dinas",
                                               "Khamis, 20 Ogos 2026"]
    assert "Permohonan perkhidmatan" in summary.stdout
    assert "Tiada yang lewat." in summary.stdout

    checklist = tmp_path / "office-ms.yaml"
    checklist.write_text(MALAY_CHECKLIST, encoding="utf-8")
    out = tmp_path / "reports"
    audit = cli("audit", "--period", "2026-08", "--checklist", str(checklist), "--no-input",
                "--out", str(out), "--lang", "ms")
    assert audit.exit_code == 0, audit.stderr
    report = (out / "audit-1-2026-08-ms.md").read_text(encoding="utf-8")
    assert "Ringkasan eksekutif" in report
    assert "Adakah setiap permohonan didaftarkan?" in report
    assert "Menepati" in report
    assert "Senarai semak pejabat" in report

    bundle = cli("export", "--from", "2026-08-01", "--to", "2026-08-31", "--out",
                 str(tmp_path / "bundle"), "--lang", "ms")
    assert bundle.exit_code == 0, bundle.stderr
    index = (tmp_path / "bundle" / "data" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ms">' in index
    assert "Permohonan perkhidmatan (daftar)" in index


def test_without_its_catalogue_the_language_is_refused(cli, office):
    from qmstrack.errors import InvalidInput
    from qmstrack.i18n import check_lang, languages

    assert languages() == ("id", "en")
    with pytest.raises(InvalidInput, match="use id or en"):
        check_lang("ms")
    result = cli("summary", "--lang", "ms")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --lang 'ms' is not available; use id or en."


def test_texts_in_several_languages_fall_back_the_same_way(tmp_path):
    from qmstrack.i18n import Text
    from qmstrack.review_notes import parse_notes

    question = Text([("en", "Is it kept?"), ("id", "Apakah disimpan?")])
    assert question.get("id") == question["id"] == "Apakah disimpan?"
    assert question.get("ms") == "Is it kept?"  # not written: the first language written
    assert Text([("", "SOP-01")]).get("id") == "SOP-01"  # written for every language
    assert dict(question) == {"id": "Apakah disimpan?", "en": "Is it kept?"}
    notes = parse_notes("resources:\n  id: [Dua arsiparis pensiun]\n", "notes.yaml")
    assert notes["resources"].get("en") == ["Dua arsiparis pensiun"]


def _extracted_messages() -> set[tuple[str | None, str]]:
    """Every (context, message) that babel.cfg extracts from the package."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    keywords = {**DEFAULT_KEYWORDS, "NC_": ((1, "c"), 2)}
    found: set[tuple[str | None, str]] = set()
    for path in sorted((ROOT / "qmstrack").rglob("*.py")):
        for _, message, _, context in extract_from_file("python", str(path),
                                                        keywords=keywords):
            found.add((context, message[0] if isinstance(message, tuple) else message))
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
    for path in sorted((ROOT / "qmstrack" / "templates").glob("*.j2")):
        for _, message, _, context in extract_from_file("jinja2", str(path),
                                                        options=options):
            found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def test_every_message_has_an_indonesian_translation():
    from babel.messages.pofile import read_po

    with (ROOT / "qmstrack" / "locales" / "id" / "LC_MESSAGES" / "qmstrack.po").open(
            "rb") as fh:
        catalogue = read_po(fh)
    messages = _extracted_messages()
    assert {(None, "Executive summary"), ("register", "Service requests"),
            ("bundle", "Organisation"), (None, "Requirements"),
            (None, "{question} Measured {value} against the target {target} ({metric}).")
            } <= messages
    missing = sorted((context or "", message) for context, message in messages
                     if not (entry := catalogue.get(message, context=context))
                     or not (entry.string[0] if isinstance(entry.string, tuple)
                             else entry.string))
    assert missing == []


def test_no_module_branches_on_the_language_or_writes_a_label_per_language():
    offenders = []
    for path in sorted((ROOT / "qmstrack").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"lang\s*[!=]=\s*[\"']", r"\{\s*[\"']en[\"']\s*:",
                        r"\{\s*[\"']id[\"']\s*:\s*[\"'][A-Z]"):
            for match in re.finditer(pattern, text):
                offenders.append(f"{path.name}:{text[:match.start()].count(chr(10)) + 1}")
    assert offenders == []


def test_the_languages_are_listed_once():
    listed = [path.name for path in sorted((ROOT / "qmstrack").rglob("*.py"))
              if re.search(r"\(\s*[\"']id[\"']\s*,\s*[\"']en[\"']\s*\)",
                           path.read_text(encoding="utf-8"))]
    assert listed == ["i18n.py"]


def test_the_period_of_a_day_in_every_language():
    from qmstrack.figures import span_text

    assert span_text("2026-Q3", "id") == "Triwulan III 2026"
    assert span_text("2026-S1", "id") == "Semester I 2026"
    assert span_text("2026-S2", "en") == "Semester 2 2026"
    assert span_text("2026-08", "en") == "August 2026"
    assert date(2026, 8, 1)  # dates and numbers of every language come from Babel
