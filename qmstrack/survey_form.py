"""The blank SKM questionnaire of a service, printable on A4 (``qmstrack survey form``).

The profile block (sex, age, education, occupation, the service received) and the nine
questions with their four answers, as the sample questionnaire of PermenPAN-RB 14/2017
(Lampiran, "contoh kuesioner") words them; the Indonesian catalogue holds the
regulation's words, the English texts are their translation. The questions follow this
register's order of the elements (U8 complaint handling, U9 facilities), so that the
answers are typed or imported into the columns u1..u9 as they stand. The answers are
numbered 1-4 as they are scored.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

from qmstrack.i18n import N_

QUESTIONS: tuple[tuple[str, tuple[str, str, str, str]], ...] = (
    (N_("What do you think of how well the requirements of the service suit the kind of "
        "service?"),
     (N_("Not suitable"), N_("Less than suitable"), N_("Suitable"), N_("Very suitable"))),
    (N_("How do you find the ease of the service procedure in this unit?"),
     (N_("Not easy"), N_("Less than easy"), N_("Easy"), N_("Very easy"))),
    (N_("What do you think of the speed of the service?"),
     (N_("Not fast"), N_("Less than fast"), N_("Fast"), N_("Very fast"))),
    (N_("What do you think of the fairness of the cost/fee of the service?"),
     (N_("Very expensive"), N_("Rather expensive"), N_("Cheap"), N_("Free of charge"))),
    (N_("What do you think of how well the product of the service matches what the service "
        "standard states?"),
     (N_("Not suitable"), N_("Less than suitable"), N_("Suitable"), N_("Very suitable"))),
    (N_("What do you think of the competence/ability of the staff in the service?"),
     (N_("Not competent"), N_("Less than competent"), N_("Competent"),
      N_("Very competent"))),
    (N_("What do you think of the behaviour of the staff in the service, as to courtesy "
        "and friendliness?"),
     (N_("Not courteous and friendly"), N_("Less than courteous and friendly"),
      N_("Courteous and friendly"), N_("Very courteous and friendly"))),
    (N_("What do you think of the handling of complaints from the users of the service?"),
     (N_("There is none"), N_("There is, but it does not work"),
      N_("It works, but not fully"), N_("Well managed"))),
    (N_("What do you think of the quality of the facilities and infrastructure?"),
     (N_("Poor"), N_("Fair"), N_("Good"), N_("Very good"))),
)


def form_context(db: sqlite_utils.Database, service: str, lang: str) -> dict:
    from qmstrack.db import get_setting
    from qmstrack.i18n import check_lang, translations
    from qmstrack.registers.common import get_service
    from qmstrack.registers.surveys import element_label
    from qmstrack.satisfaction import KNOWN_VALUES

    lang = check_lang(lang)
    gettext = translations(lang).gettext
    found = get_service(db, service)
    unit = db.execute("SELECT name FROM units WHERE code = ?", [found["unit"]]).fetchone()
    return {
        "lang": lang,
        "org_name": get_setting(db, "org_name") or "",
        "service": {"code": found["code"], "name": found["name"],
                    "unit": unit[0] if unit else found["unit"]},
        "education": KNOWN_VALUES["education"],
        "occupation": KNOWN_VALUES["occupation"],
        "questions": [{"code": f"U{i}", "element": element_label(i, lang),
                       "text": gettext(text), "answers": [gettext(a) for a in answers]}
                      for i, (text, answers) in enumerate(QUESTIONS, start=1)],
    }


def write_form(db: sqlite_utils.Database, service: str, out: str | os.PathLike, *,
               lang: str = "id") -> Path:
    """Render the questionnaire of ``service`` and write it atomically to ``out``."""
    from qmstrack.errors import InvalidInput
    from qmstrack.reports import render_template, write_report_files

    path = Path(out).expanduser()
    if path.is_dir():
        raise InvalidInput(f"{path} is a directory; name the HTML file to write.")
    context = form_context(db, service, lang)
    text = render_template("survey_form.html.j2", context["lang"], None, context)
    return write_report_files(path.parent if str(path.parent) else ".", [(path.name, text)])[0]
