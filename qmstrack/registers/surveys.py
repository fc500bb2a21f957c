"""Survey responses (Survei Kepuasan Masyarakat, PermenPAN-RB 14/2017).

One response is one questionnaire: the date it was filled in, the service it is about, and
the nine elements (unsur) each scored 1-4. The unit of a response is always the unit of its
service. Responses are typed one by one (``survey add``) or imported from the spreadsheets
the office already keeps (``survey import``), with one column per element.

Each response has a ``response_key`` (unique), which is what makes a re-import of the same
file change nothing:

- a response typed on the command line gets a random key (a uuid4 in hex);
- an imported row that carries the respondent's sheet number (``no``, ``nomor``,
  ``no_kuesioner``, ``ref``) gets ``SERVICE:NUMBER`` (sheet numbers restart for each
  service; ``017`` and ``17`` are the same sheet, because Excel drops leading zeros);
  importing the row again with other scores updates that response. A sheet number
  already recorded for a *different date* is refused (naming the row) instead of
  overwriting that response: files numbered from 1 each month would otherwise replace
  last month's answers. (Two batches numbered from 1 on the same day cannot be told apart
  from a correction; number the sheets uniquely.)
- an imported row without a sheet number gets ``h:`` + a SHA-256 of (date, service, the
  nine scores, and how many identical rows came before it in the same file). Two people
  may well give the same answers on the same day, so identical rows are distinct responses;
  importing the same file again produces the same keys and changes nothing. The price:
  if a later version of the file inserts a row identical to an earlier one *above* it, the
  occurrence numbers shift and one extra response is added. Offices that re-import growing
  files should number their sheets.

Forms exports import as they are: a Google Forms CSV (``Timestamp``, then the questions
as their full sentences, answers as the regulation's words) or a Microsoft Forms workbook
(``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name``, then the questions). Each
of the nine questions is found by its element's keywords wherever it stands and however it
is worded; answers are the questionnaire's words (:data:`ANSWER_WORDS`) or 1-4; the service
is a code or a service's name (case and spacing ignored), or named with ``service_map``
(``'Name=CODE'``); the timestamp's zone is respected (the date is the office's); the
respondent profile (sex, age in years or an age band, education, occupation) and the
suggestion (``note``) are kept as written. Ages outside 10-100 and suggestions longer than
5,000 characters are refused, naming the row.

The figures (NRR per element, IKM and its category) are computed in
:mod:`qmstrack.satisfaction`.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import sqlite_utils

from qmstrack.clock import office_today
from qmstrack.db import writing
from qmstrack.errors import InvalidInput, UsageError
from qmstrack.i18n import N_, _, ngettext
from qmstrack.parsing import clean_text, parse_code, parse_date, parse_int
from qmstrack.registers.common import date_filters, get_service, query_dicts
from qmstrack.tabular import Field, ImportReport, RowBuilder, build_one, run_import, text_cell

ELEMENT_COUNT = 9
MIN_SCORE, MAX_SCORE = 1, 4
SCORE_COLUMNS = tuple(f"u{i}" for i in range(1, ELEMENT_COUNT + 1))

# The nine elements (unsur) of PermenPAN-RB 14/2017, as catalogue messages: the Indonesian
# catalogue gives the regulation's own names (Persyaratan, ...).
ELEMENTS: tuple[str, ...] = (
    N_("Requirements"),
    N_("Systems, mechanisms and procedures"),
    N_("Completion time"),
    N_("Cost/fee"),
    N_("Product specification of the service"),
    N_("Competence of the staff"),
    N_("Behaviour of the staff"),
    N_("Handling of complaints and suggestions"),
    N_("Facilities and infrastructure"),
)

# How the elements are written in the headers of the spreadsheets offices keep.
_ELEMENT_NAMES: tuple[tuple[str, ...], ...] = (
    ("persyaratan", "syarat", "requirements"),
    ("sistem mekanisme prosedur", "sistem mekanisme dan prosedur", "sistem/mekanisme/prosedur",
     "prosedur", "mekanisme", "sistem", "procedure", "procedures"),
    # Not "completion time": Microsoft Forms names its timestamp column so.
    ("waktu penyelesaian", "waktu pelayanan", "waktu", "kecepatan", "time"),
    ("biaya tarif", "biaya/tarif", "biaya", "tarif", "cost", "fee", "cost fee"),
    ("produk spesifikasi jenis pelayanan", "produk spesifikasi", "spesifikasi jenis pelayanan",
     "produk layanan", "produk", "product", "product specification"),
    ("kompetensi pelaksana", "kompetensi petugas", "kompetensi", "competence"),
    ("perilaku pelaksana", "perilaku petugas", "perilaku", "sikap petugas", "behaviour",
     "behavior"),
    ("penanganan pengaduan saran masukan", "penanganan pengaduan saran dan masukan",
     "penanganan pengaduan/saran/masukan", "penanganan pengaduan", "pengaduan",
     "maklumat pelayanan", "complaint handling", "complaints"),
    ("sarana dan prasarana", "sarana prasarana", "sarana/prasarana", "sarpras", "sarana",
     "facilities"),
)


def _element_aliases(i: int) -> tuple[str, ...]:
    prefixes = (f"U{i}", f"unsur{i}", f"unsur_{i}", f"unsur {i}", f"u_{i}", f"u {i}",
                f"element {i}", f"{i}")
    names = _ELEMENT_NAMES[i - 1]
    aliases = list(prefixes)
    # "Persyaratan", "U1 Persyaratan", "Unsur 1 - Persyaratan", "1. Persyaratan"
    for name in names:
        aliases.append(name)
        aliases.extend(f"{p} {name}" for p in prefixes)
    return tuple(aliases)


# Words that name each element inside a question, however the form words it (normalised:
# lower case, no spaces or punctuation).
_ELEMENT_KEYWORDS: tuple[tuple[str, ...], ...] = (
    ("persyaratan",),
    ("prosedur", "mekanisme"),
    ("waktu", "kecepatan"),
    ("biaya", "tarif"),
    ("produk", "spesifikasi"),
    ("kompetensi", "kemampuan"),
    ("perilaku", "kesopanan", "keramahan"),
    ("pengaduan",),
    ("sarana", "prasarana"),
)

IMPORT_FIELDS = [
    Field("responded_on", ("tanggal", "tgl", "date", "tanggal_survei", "tanggal_pengisian",
                           "tgl_survei", "tanggal_isi", "timestamp", "stempel_waktu",
                           "cap_waktu", "completion_time", "waktu_selesai"), required=True,
          kind="timestamp"),
    Field("service_code", ("kode_layanan", "layanan", "service", "jenis_layanan",
                           "kode", "nama_layanan", "layanan_yang_diterima"), required=True,
          keywords=("jenislayanan", "layananyangditerima", "layananyanganda")),
    # Microsoft Forms numbers its responses in "ID".
    Field("ref", ("no", "nomor", "no_kuesioner", "nomor_kuesioner", "no_responden",
                  "nomor_responden", "no_urut", "reference", "sheet", "id")),
    # The elements come before the profile and the suggestion: "Penanganan pengaduan,
    # saran dan masukan" is element 8, not a suggestion.
    *(Field(col, _element_aliases(i), required=True,
            keywords=_ELEMENT_KEYWORDS[i - 1])
      for i, col in enumerate(SCORE_COLUMNS, start=1)),
    # A tenth element column means the sheet is not the nine-element questionnaire.
    Field("u10", ("unsur10", "unsur_10", "unsur 10", "u_10")),
    Field("sex", ("jenis_kelamin", "jk", "kelamin", "gender", "l_p"),
          keywords=("jeniskelamin",)),
    Field("age", ("usia", "umur", "usia_tahun", "umur_tahun"), keywords=("usia", "umur")),
    Field("education", ("pendidikan", "pendidikan_terakhir", "tingkat_pendidikan"),
          keywords=("pendidikan",)),
    Field("occupation", ("pekerjaan", "pekerjaan_utama", "profesi"),
          keywords=("pekerjaan",)),
    Field("note", ("saran", "catatan", "keterangan", "notes", "komentar", "saran_masukan",
                   "kritik_saran", "kritik_dan_saran", "suggestion"),
          keywords=("saran", "kritik", "masukan")),
]

# The answers of the questionnaire in PermenPAN-RB 14/2017 (Lampiran, contoh kuesioner
# SKM), from 1 to 4 for each element u1..u9 (u8: complaint handling, u9: facilities, in
# this register's order of the regulation's elements). Normalised: lower case, single
# spaces.
ANSWER_WORDS: tuple[tuple[str, str, str, str], ...] = (
    ("tidak sesuai", "kurang sesuai", "sesuai", "sangat sesuai"),
    ("tidak mudah", "kurang mudah", "mudah", "sangat mudah"),
    ("tidak cepat", "kurang cepat", "cepat", "sangat cepat"),
    ("sangat mahal", "cukup mahal", "murah", "gratis"),
    ("tidak sesuai", "kurang sesuai", "sesuai", "sangat sesuai"),
    ("tidak kompeten", "kurang kompeten", "kompeten", "sangat kompeten"),
    ("tidak sopan dan ramah", "kurang sopan dan ramah", "sopan dan ramah",
     "sangat sopan dan ramah"),
    ("tidak ada", "ada tetapi tidak berfungsi", "berfungsi kurang maksimal",
     "dikelola dengan baik"),
    ("buruk", "cukup", "baik", "sangat baik"),
)
_ANSWER_SCORES = tuple({w: n for n, w in enumerate(words, start=1)} for words in ANSWER_WORDS)
MAX_SUGGESTION_CHARS = 5000
MIN_AGE, MAX_AGE = 10, 100
SEX_WORDS = {"l": "L", "laki laki": "L", "lakilaki": "L", "laki": "L", "pria": "L",
             "male": "L", "m": "L", "p": "P", "perempuan": "P", "wanita": "P", "female": "P",
             "f": "P"}

LIST_COLUMNS = ["responded_on", "service_code", "unit", *SCORE_COLUMNS, "note",
                "response_key", "sex", "age", "age_band", "education", "occupation"]


def element_label(i: int, lang: str = "id") -> str:
    """The name of element ``i`` (1-9) in a language."""
    from qmstrack.i18n import gettext

    return gettext(ELEMENTS[i - 1], lang)


# --- scores ---------------------------------------------------------------------------


def _answer_text(value: str) -> str:
    text = re.sub(r"[\s\-_/]+", " ", value.strip().lower()).strip(" .")
    # "a. Tidak sesuai", "d) Sangat sesuai": the printed form's letters.
    return re.sub(r"^[a-d][.)]\s*", "", text)


def parse_score(value: Any, element: int) -> int:
    """One element's score: 1 to 4, or the questionnaire's answer words for the element."""
    label = f"score of element {element} ({element_label(element, 'id')})"
    text = str(value).strip()
    if isinstance(value, str) and not text.replace(".", "").isdigit():
        words = _answer_text(text)
        score = _ANSWER_SCORES[element - 1].get(words)
        if score is None and (m := re.match(r"^([1-4])\s*[.)\-:]\s*\D", text)):
            score = int(m[1])  # "4 - Sangat sesuai"
        if score is not None:
            return score
        choices = ", ".join(f"{w.capitalize()} ({n})" for n, w in
                            enumerate(ANSWER_WORDS[element - 1], start=1))
        raise InvalidInput(_(
            "The {label} is {value}; the answers are {choices}, or 1 to 4.").format(
                label=label, value=repr(text[:40]), choices=choices))
    try:
        return parse_int(value, field="score", minimum=MIN_SCORE, maximum=MAX_SCORE)
    except InvalidInput:
        text = str(value).strip()
        label = f"score of element {element} ({element_label(element, 'id')})"
        raise InvalidInput(
            f"The {label} is {text[:20]!r}; scores are whole numbers from {MIN_SCORE} to "
            f"{MAX_SCORE}."
        ) from None


def parse_scores(value: str | Sequence[Any]) -> tuple[int, ...]:
    """Nine scores, ``"4,3,4,4,3,4,4,3,4"`` (commas, semicolons or spaces) or a sequence."""
    if isinstance(value, str):
        parts = [p for p in re.split(r"[,;\s]+", value.strip()) if p]
    else:
        parts = list(value)
    if len(parts) != ELEMENT_COUNT:
        raise InvalidInput(
            f"Expected {ELEMENT_COUNT} scores (one per element, u1 to u9, each 1-4), "
            f"got {len(parts)}."
        )
    return tuple(parse_score(p, i) for i, p in enumerate(parts, start=1))


def _sheet_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value, field="sheet number", max_length=60, required=True)
    if text.isdigit():
        # Excel turns "017" into 17; both mean the same sheet.
        text = str(int(text))
    return text


def sheet_key(service: str, sheet: str) -> str:
    return f"{service}:{sheet}"


def content_key(responded_on: str, service: str, scores: Sequence[int], occurrence: int) -> str:
    """The key of an unnumbered imported row (see the module docstring)."""
    payload = json.dumps([responded_on, service, list(scores), occurrence],
                         separators=(",", ":"))
    return "h:" + hashlib.sha256(payload.encode()).hexdigest()


# --- converting rows ------------------------------------------------------------------


def _name_key(text: str) -> str:
    return " ".join(str(text).casefold().split())


def parse_service_map(items: Sequence[str] | None, codes: set[str]) -> dict[str, str]:
    """``['Legalisir Ijazah=SMA-LEG']`` -> normalised name -> code."""
    mapping: dict[str, str] = {}
    for item in items or ():
        name, sep, code = str(item).rpartition("=")
        code = code.strip()
        if not sep or not name.strip() or not code:
            raise UsageError(_("--service-map {item} must be 'Name=CODE'.").format(
                item=repr(item)))
        if code not in codes:
            raise UsageError(_("--service-map {item}: there is no service {code}.").format(
                item=repr(item), code=repr(code)))
        mapping[_name_key(name)] = code
    return mapping


class _Lookups:
    def __init__(self, db: sqlite_utils.Database, today: date | None = None,
                 service_map: Sequence[str] | None = None):
        self.db = db
        self.service_unit = dict(db.execute("SELECT code, unit FROM services").fetchall())
        self.by_name: dict[str, str] = {}
        for code, name in db.execute("SELECT code, name FROM services ORDER BY code"):
            self.by_name.setdefault(_name_key(name), code)
            self.by_name.setdefault(_name_key(code), code)
        self.by_name.update(parse_service_map(service_map, set(self.service_unit)))
        self.unknown_names: dict[str, int] = {}
        self.today = today or office_today(db)
        self.zone = _office_zone(db)
        # identical unnumbered rows seen so far in this file
        self.occurrences: dict[tuple, int] = {}

    def recorded_on(self, key: str) -> str | None:
        row = self.db.execute("SELECT responded_on FROM surveys WHERE response_key = ?",
                              [key]).fetchone()
        return row[0] if row else None

    def service(self, value: Any) -> str:
        """A service by its code, or by its name (case and spacing ignored)."""
        text = str(value).strip()
        if text in self.service_unit:
            return text
        code = self.by_name.get(_name_key(text))
        if code is not None:
            return code
        if len(self.unknown_names) < 50:
            self.unknown_names[text[:80]] = self.unknown_names.get(text[:80], 0) + 1
        raise InvalidInput(_("There is no service {name} (by code or name); 'qmstrack "
                             "service list' shows them.").format(name=repr(text[:80])))

    def check_services(self) -> list[str]:
        """After the rows: every unknown service name in one sentence, with the way out."""
        if not self.unknown_names:
            return []
        names = ", ".join(repr(n) for n in self.unknown_names)
        return [ngettext(
            "{n} service name is neither a code nor a service's name: {names}; give its "
            "code with --service-map 'Name=CODE'.",
            "{n} service names are neither codes nor services' names: {names}; give their "
            "codes with --service-map 'Name=CODE' (repeatable).",
            len(self.unknown_names)).format(n=len(self.unknown_names), names=names)]


def _office_zone(db: sqlite_utils.Database):
    """The office's time zone (``qmstrack.clock``): a form's timestamp becomes its date."""
    from qmstrack.clock import office_zone

    return office_zone(db)


def _responded_date(lk: _Lookups, value: Any) -> date:
    if isinstance(value, datetime):
        # The year is checked first: a time zone moved past 9999-12-31 would overflow.
        parse_date(value.date(), field="survey date")
        if value.tzinfo is not None:
            return parse_date(value.astimezone(lk.zone).date(), field="survey date")
        return value.date()
    return parse_date(value, field="survey date")


def _sex(value: Any) -> str:
    text = text_cell(str(value), field="sex", max_length=40)
    return SEX_WORDS.get(re.sub(r"[\s\-.]+", " ", text.lower()).strip(), text)


def _age(value: Any) -> tuple[int | None, str]:
    """Age in years, or an age band kept as written ("25-34", "17 - 25 tahun")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = text_cell(str(value), field="age", max_length=40)
    digits = re.sub(r"\s*(tahun|thn|th|years?)\.?$", "", text, flags=re.I)
    if digits.isdigit():
        age = int(digits)
        if not MIN_AGE <= age <= MAX_AGE:
            raise InvalidInput(_("is {age}; an age is from {low} to {high} years").format(
                age=age, low=MIN_AGE, high=MAX_AGE))
        return age, ""
    return None, text


def _suggestion(value: Any) -> str:
    text = str(value).strip()
    if len(text) > MAX_SUGGESTION_CHARS:
        raise InvalidInput(_("is {n:,} characters long; a suggestion is at most {limit:,}"
                             ).format(n=len(text), limit=MAX_SUGGESTION_CHARS))
    return text_cell(text, field="suggestion", max_length=MAX_SUGGESTION_CHARS)


def _convert(lk: _Lookups, b: RowBuilder, *, key: str | None = None) -> dict[str, Any] | None:
    responded = b.get("responded_on", lambda v: _responded_date(lk, v), required=True)
    service = b.get("service_code", lk.service, required=True)
    sheet = b.get("ref", _sheet_number)
    note = b.get("note", _suggestion, default="")
    sex = b.get("sex", _sex, default="")
    age, age_band = b.get("age", _age, default=(None, ""))
    education = b.get("education", lambda v: text_cell(str(v), field="education",
                                                       max_length=100), default="")
    occupation = b.get("occupation", lambda v: text_cell(str(v), field="occupation",
                                                         max_length=100), default="")
    missing = [c for c in SCORE_COLUMNS if b.raw(c) is None]
    scores = []
    if missing:
        b.fail(missing[0], f"has {ELEMENT_COUNT - len(missing)} of the {ELEMENT_COUNT} element "
                           f"scores ({', '.join(missing)} empty); a response needs all nine")
    for i, column in enumerate(SCORE_COLUMNS, start=1):
        if column not in missing:
            scores.append(b.get(column, partial(parse_score, element=i)))
    if b.raw("u10") is not None:
        b.fail("u10", f"holds a tenth score; the questionnaire has {ELEMENT_COUNT} elements")
    if responded and responded > lk.today:
        b.fail("responded_on", f"{responded} is in the future")
    if key is None and sheet is not None and service and responded:
        # A sheet number already recorded for another day is another questionnaire (files
        # numbered from 1 each month): refuse it rather than overwrite that response.
        earlier = lk.recorded_on(sheet_key(service, sheet))
        if earlier is not None and earlier != responded.isoformat():
            b.fail("ref", f"sheet {sheet} of {service} was already imported for {earlier}; "
                          "number the sheets uniquely, or remove the column to import "
                          "without sheet numbers")
    if b.problems:
        return None
    record = {
        "responded_on": responded.isoformat(),
        "service_code": service,
        "unit": lk.service_unit[service],
        **dict(zip(SCORE_COLUMNS, scores, strict=True)),
        "note": note,
        "sex": sex, "age": age, "age_band": age_band, "education": education,
        "occupation": occupation,
    }
    if key is not None:
        record["response_key"] = key
    elif sheet is not None:
        record["response_key"] = sheet_key(service, sheet)
    else:
        identity = (record["responded_on"], service, tuple(scores))
        occurrence = lk.occurrences.get(identity, 0)
        lk.occurrences[identity] = occurrence + 1
        record["response_key"] = content_key(record["responded_on"], service, scores,
                                             occurrence)
    return record


_COMPARED = ("responded_on", "service_code", "unit", *SCORE_COLUMNS, "note", "sex", "age",
             "age_band", "education", "occupation")


def _write_batch(db: sqlite_utils.Database, batch: list[dict[str, Any]]):
    keys = [r["response_key"] for r in batch]
    cursor = db.execute(
        f"SELECT id, response_key, {', '.join(_COMPARED)} FROM surveys "
        f"WHERE response_key IN ({', '.join('?' for _ in keys)})", keys)
    existing = {row[1]: (row[0], tuple(row[2:])) for row in cursor}
    new = [r for r in batch if r["response_key"] not in existing]
    if new:
        columns = list(new[0])
        db.conn.executemany(
            f"INSERT INTO surveys ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [[r[c] for c in columns] for r in new],
        )
    updated = unchanged = 0
    for record in batch:
        old = existing.get(record["response_key"])
        if old is None:
            continue
        if old[1] == tuple(record[c] for c in _COMPARED):
            unchanged += 1
        else:
            db.table("surveys").update(old[0], {c: record[c] for c in _COMPARED})
            updated += 1
    return len(new), updated, unchanged


# --- public API -----------------------------------------------------------------------


def add_response(db: sqlite_utils.Database, *, service: str, scores: str | Sequence[Any],
                 on: Any = None, note: str = "", today: date | None = None,
                 profile: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record one questionnaire typed by hand (its key is a random uuid4); ``profile`` may
    give ``sex``, ``age`` (years or a band), ``education`` and ``occupation``, kept as an
    import keeps them."""
    today = today or office_today(db)
    parsed = parse_scores(scores)
    responded = parse_date(on, field="survey date") if on else today
    if responded > today:
        raise InvalidInput(f"The survey date {responded} is in the future.")
    get_service(db, parse_code(service, field="service code"))
    lk = _Lookups(db, today)
    values = {"responded_on": responded, "service_code": service, "note": note,
              **dict(zip(SCORE_COLUMNS, parsed, strict=True)),
              **{k: v for k, v in (profile or {}).items()
                 if k in ("sex", "age", "education", "occupation") and v not in (None, "")}}
    record = build_one(lambda b: _convert(lk, b, key=uuid.uuid4().hex), values)
    with writing(db):
        _write_batch(db, [record])
    return record


def import_responses(db: sqlite_utils.Database, path: Path, *,
                     service_map: Sequence[str] | None = None, **options) -> ImportReport:
    """Import questionnaires (a register, or a Google / Microsoft Forms export); see the
    module docstring for the keys and the forms."""
    lk = _Lookups(db, service_map=service_map)
    return run_import(db, path, fields=IMPORT_FIELDS, convert=lambda b: _convert(lk, b),
                      write_batch=_write_batch, key=lambda r: r["response_key"],
                      before_commit=lk.check_services, **options)


def list_responses(db: sqlite_utils.Database, *, units: tuple[str, ...] = (),
                   service: str | None = None, since: date | None = None,
                   until: date | None = None) -> Iterator[dict[str, Any]]:
    """Stream responses, oldest first."""
    clauses, params = date_filters("responded_on", since, until)
    if units:
        clauses.append(f"unit IN ({', '.join('?' for _ in units)})")
        params.extend(units)
    if service:
        clauses.append("service_code = ?")
        params.append(service)
    where = " AND ".join(clauses) or "1"
    return query_dicts(
        db, f"SELECT {', '.join(LIST_COLUMNS)} FROM surveys WHERE {where} "
            "ORDER BY responded_on, service_code, id", params)
