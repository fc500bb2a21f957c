"""Every message marked for translation in qmstrack's code has its Indonesian translation.

The summary (tests/test_summary.py), the audit report (tests/test_reports.py) and the review
pack (tests/test_review.py), whose labels include words Indonesian writes the same way, are
checked where they are built, and every message's entry in the catalogue by
tests/test_languages.py; this covers every other module, so that no new message of the
command line reaches an Indonesian clerk in English.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qmstrack.i18n import set_terminal_language, terminal_language, translations

ROOT = Path(__file__).parents[1] / "qmstrack"
# Checked by their own tests, against their own catalogues.
CHECKED_ELSEWHERE = {"summary.py", "review_pack.py", "review_notes.py", "reports.py",
                     "audit_report.py", "labels.py", "charts.py"}


def _messages():
    from babel.messages.extract import extract_from_file

    for source in sorted(ROOT.rglob("*.py")):
        if source.name in CHECKED_ELSEWHERE and source.parent == ROOT:
            continue
        for _line, message, _comments, _context in extract_from_file("python", str(source)):
            yield source.relative_to(ROOT.parent).as_posix(), message


def test_there_are_command_line_messages_to_check():
    assert len(list(_messages())) >= 5


@pytest.mark.parametrize(("source", "message"), list(_messages()))
def test_every_message_has_an_indonesian_translation(source, message):
    t = translations("id")
    if isinstance(message, tuple):
        assert t.ngettext(message[0], message[1], 1) != message[0], (source, message)
    else:
        assert t.gettext(message) != message, (source, message)


def test_placeholders_survive_translation():
    import re

    t = translations("id")
    for source, message in _messages():
        for text in message if isinstance(message, tuple) else (message,):
            fields = sorted(re.findall(r"\{[^{}]*\}", text))
            translated = t.ngettext(text, text, 1) if isinstance(message, tuple) else \
                t.gettext(text)
            assert sorted(re.findall(r"\{[^{}]*\}", translated)) == fields, (source, text)


def test_the_terminal_language_switches_messages():
    from qmstrack.clock import check_zone
    from qmstrack.errors import InvalidInput

    before = terminal_language()
    try:
        set_terminal_language("id")
        with pytest.raises(InvalidInput, match="bukan nama zona waktu IANA"):
            check_zone("Asia/Samarinda")
        set_terminal_language("en")
        with pytest.raises(InvalidInput, match="is not an IANA time zone name"):
            check_zone("Asia/Samarinda")
    finally:
        set_terminal_language(before)


def test_the_indonesian_catalogue_holds_each_message_once():
    """msgfmt refuses a catalogue with a message defined twice, and Babel keeps only one of
    the two translations: each (context, message) pair appears once."""
    import ast
    from collections import Counter
    from pathlib import Path

    import qmstrack

    po = (Path(qmstrack.__file__).parent / "locales" / "id" / "LC_MESSAGES"
          / "qmstrack.po").read_text(encoding="utf-8")
    seen: Counter[tuple[str, str]] = Counter()
    for entry in po.split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in entry.splitlines():
            if line.startswith(("msgctxt ", "msgid ", "msgstr ", "msgid_plural ")):
                current, _, rest = line.partition(" ")
                fields[current] = ast.literal_eval(rest)
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            seen[(fields.get("msgctxt", ""), fields["msgid"])] += 1
    twice = [key for key, n in seen.items() if n > 1]
    assert twice == [], twice
    assert len(seen) > 1000
