"""Every refusal the domain raises reaches the Indonesian catalogue (issue 19).

The domain writes its messages in English; the command line shows them in the terminal's
language by matching the whole text against the templates of ``COMMAND_MESSAGES`` (or by
looking the text up as a message id). This test walks every module outside ``qmstrack/cli``
for ``raise <QmsError subclass>(<literal or f-string>)`` and checks that each message, with
its f-string fields written ``{x}``, is one of those templates or a message id that has an
Indonesian translation.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from qmstrack import errors

PACKAGE = Path(errors.__file__).parent
FIELD = re.compile(r"\{[^{}]*\}")

# Raise sites whose text is not a sentence a clerk reads (with the reason).
ALLOWED: dict[str, str] = {}
CLI_ALLOWED: dict[str, str] = {
    "qmstrack/cli/output.py:--delimiter: {}": "the option's name, then the refusal of "
                                              "config.parse_delimiter, translated there",
    "qmstrack/cli/values.py:{}: {}": "an option's name, then the domain's refusal, translated "
                                     "there",
    "qmstrack/cli/app.py:  {}": "a refusal's detail line, translated when shown",
    "qmstrack/cli/checklist.py:  {}": "a checklist file's detail line, translated when shown",
    "qmstrack/cli/config.py:{} = {}": "a setting's name and value, the same in every language",
    "qmstrack/cli/checklist.py:{}{}": "an unreadable checklist's error and, after ' First: ', "
                                      "its first problem: the template '{message} First: "
                                      "{reason}'",
}


def _error_names() -> set[str]:
    return {name for name, value in vars(errors).items()
            if isinstance(value, type) and issubclass(value, errors.QmsError)}


def message_shape(node: ast.expr) -> str | None:
    """The text of a literal, an f-string (its fields as ``{}``) or a sum of them; None for
    anything else (a message built elsewhere, e.g. by ``i18n.sentence``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = message_shape(node.left), message_shape(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def raised_messages() -> list[tuple[str, int, str]]:
    """``(module, line, shape)`` of every literal message raised as a QmsError."""
    names = _error_names()
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if relative.startswith("qmstrack/cli/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                    and node.exc.args):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in names:
                continue
            shape = message_shape(node.exc.args[0])
            if shape is not None:
                found.append((relative, node.lineno, shape))
    return found


def translatable_templates() -> tuple[set[str], list[str]]:
    """The shapes (fields as ``{}``) of the templates and message ids with an Indonesian
    text, and the templates themselves."""
    import io

    from babel.messages.pofile import read_po

    from qmstrack.cli.lang import CLICK_MESSAGES, COMMAND_MESSAGES
    from qmstrack.cli.refusals import TEMPLATES
    from qmstrack.i18n import catalogue_path

    catalogue = read_po(io.BytesIO(Path(str(catalogue_path("id"))).read_bytes()), locale="id")
    translated = {m.id for m in catalogue if m.id and m.string and not m.context
                  and isinstance(m.id, str) and m.string != m.id}
    templates = [t for t in CLICK_MESSAGES + COMMAND_MESSAGES + TEMPLATES
                 if t in translated]
    # A message id without fields is matched as it is (braces and all).
    return {FIELD.sub("{}", t) for t in templates} | translated, templates


def is_translatable(shape: str, shapes: set[str], templates: list[str]) -> bool:
    """Whether a raised message (its fields as ``{}``) is a translated template or message
    id, or can read as one: a site that chooses between words (``line``/``lines``, an
    optional ``at line 3``) is covered by one template per reading."""
    if shape in shapes:
        return True
    if not re.search(r"[A-Za-z]{3,}", shape):
        return False  # only fields: nothing to match a template by (see ALLOWED)
    pattern = re.compile(".+".join(re.escape(part) for part in shape.split("{}")), re.DOTALL)
    return any(pattern.fullmatch(t) for t in templates)


def test_the_scan_finds_the_raise_sites():
    found = raised_messages()
    assert len(found) > 100
    assert any(m == "The period ends ({}) before it starts ({})." for _, _, m in found)


def test_every_domain_refusal_has_an_indonesian_text():
    shapes, templates = translatable_templates()
    missing = [f"{module}:{line}: {shape}" for module, line, shape in raised_messages()
               if not is_translatable(shape, shapes, templates)
               and f"{module}:{shape}" not in ALLOWED]
    assert missing == [], "\n".join(missing)


def command_line_messages() -> list[tuple[str, int, str]]:
    """``(module, line, shape)`` of every literal message the command modules show with
    ``message``, ``warning`` or ``error`` (``qmstrack.cli.output``) or raise as a QmsError."""
    names = _error_names()
    found = []
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = node.exc if isinstance(node, ast.Raise) else node
            if not (isinstance(call, ast.Call) and call.args):
                continue
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            shown = name in ("message", "warning", "error") and isinstance(func, ast.Name)
            if shown or (isinstance(node, ast.Raise) and name in names):
                shape = message_shape(call.args[0])
                if shape is not None and f"{relative}:{shape}" not in CLI_ALLOWED:
                    found.append((relative, node.lineno, shape.strip()))
    return found


def test_every_command_line_message_has_an_indonesian_text():
    shapes, templates = translatable_templates()
    found = command_line_messages()
    assert len(found) > 30
    missing = [f"{module}:{line}: {shape}" for module, line, shape in found
               if not is_translatable(shape, shapes, templates)]
    assert missing == [], "\n".join(missing)


def test_the_allowed_exceptions_still_exist():
    present = {f"{module}:{shape}" for module, _, shape in raised_messages()}
    assert set(ALLOWED) <= present
    every = set(CLI_ALLOWED)
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                shape = message_shape(node.args[0])
                every.discard(f"{relative}:{shape}")
    assert every == set()


@pytest.mark.parametrize("shape", ["There is no request {}.", "The file {} does not exist."])
def test_known_templates_are_translatable(shape):
    assert is_translatable(shape, *translatable_templates())


def test_a_message_without_a_template_is_not_translatable():
    shapes, templates = translatable_templates()
    assert not is_translatable("The moon {} is made of cheese.", shapes, templates)
    # One reading covered, the other not: "{} bad line" has a template, "{} bad rows" none.
    assert is_translatable("The answers file {} has {} bad {}; nothing was recorded.",
                           shapes, templates)
    assert not is_translatable("The answers file {} has {} bad rows; nothing was recorded.",
                               shapes, templates)


# --- the refusals through the real command line, in both languages ---------------------------


REFUSALS = [
    (["review", "show", "99"],
     "Galat: Kaji ulang manajemen 99 tidak ada; daftarnya ditampilkan oleh 'qmstrack review "
     "list'.",
     "Error: There is no management review 99; 'qmstrack review list' shows them."),
    (["review", "action", "close", "9", "--on", "2026-01-01"],
     "Galat: Tindakan kaji ulang 9 tidak ada; daftarnya ditampilkan oleh 'qmstrack review "
     "actions'.",
     "Error: There is no review action 9; 'qmstrack review actions' shows them."),
    (["checklist", "show", "nope"],
     "Galat: Daftar periksa 'nope' tidak ada; daftar periksa yang tersedia ditampilkan oleh "
     "'qmstrack checklist list'.",
     "Error: There is no checklist 'nope'; 'qmstrack checklist list' shows the available ones."),
    (["objective", "record", "99", "--period", "2026-01", "--value", "3"],
     "Galat: Sasaran mutu 99 tidak ada; daftar sasaran mutu ditampilkan oleh 'qmstrack "
     "objective list'.",
     "Error: There is no objective 99; 'qmstrack objective list' shows them."),
    (["summary", "--from", "2026-01-01"],
     "Galat: --from dan --to harus diberikan bersama; berikan keduanya (atau --date).",
     "Error: --from and --to go together; pass both (or --date)."),
]


@pytest.mark.parametrize(("args", "indonesian", "english"), REFUSALS,
                         ids=[" ".join(a[:2]) for a, _, _ in REFUSALS])
def test_domain_refusals_in_both_languages(cli, office, args, indonesian, english):
    from tests.test_cli_language import english_words

    office.close()
    shown = cli("--lang", "id", *args)
    assert shown.exit_code in (1, 2)
    assert shown.stderr.strip() == indonesian
    assert english_words(shown.stderr) == set(), shown.stderr
    assert cli("--lang", "en", *args).stderr.strip() == english


def test_file_refusals_name_the_file_in_both_languages(cli, office, db_path, tmp_path):
    from tests.test_cli_language import english_words

    office.close()
    missing = tmp_path / "nothing"
    backup = cli("--lang", "id", "db", "backup", str(db_path))
    assert backup.exit_code == 1
    assert backup.stderr.strip() == (
        "Galat: Cadangan tidak boleh menimpa basis data itu sendiri atau berkas "
        f"'-wal'/'-shm'/kuncinya ({db_path}); pilih berkas lain.")
    verify = cli("--lang", "id", "verify", str(missing))
    assert verify.stderr.strip() == f"Galat: Tidak ada bundel di {missing}."
    assert cli("--lang", "en", "verify", str(missing)).stderr.strip() == (
        f"Error: There is no bundle at {missing}.")
    no_db = cli("--lang", "id", "request", "list", db=tmp_path / "none.db")
    assert no_db.exit_code != 0
    assert "Tidak ada basis data di" in no_db.stderr and "jalankan 'qmstrack init'" in no_db.stderr
    for result in (backup, verify, no_db):
        assert english_words(result.stderr) == set(), result.stderr


@pytest.mark.parametrize(("english", "indonesian"), [
    ("Audit 4 still has 2 pending items; answer them or pass --allow-pending.",
     "Audit 4 masih memiliki 2 butir yang belum dijawab; jawab butir-butir tersebut atau "
     "berikan --allow-pending."),
    ("The notes file 'n.yaml' is not valid YAML at line 3.",
     "Berkas catatan 'n.yaml' bukan YAML yang sah pada baris 3."),
    ("The notes file 'n.yaml' is not valid YAML.", "Berkas catatan 'n.yaml' bukan YAML yang sah."),
    ("The period '2026-13' is not a month; write it as 2026-10.",
     "Periode '2026-13' bukan bulan; tuliskan sebagai 2026-10."),
    # The message inside is translated too, also when its full stop was dropped to join it.
    ("The period '2026-13' is not a month; write it as 2026-10 (the objective is monthly).",
     "Periode '2026-13' bukan bulan; tuliskan sebagai 2026-10 (frekuensi sasaran mutu: "
     "bulanan)."),
    ("The bundle b.zip is not intact (2 problems): There is no file x.",
     "Bundel b.zip tidak utuh (2 masalah): Berkas x tidak ada."),
])
def test_choices_of_words_and_messages_inside_are_translated(english, indonesian):
    from qmstrack.cli.lang import translate_message
    from qmstrack.i18n import set_terminal_language

    set_terminal_language("id")
    try:
        assert translate_message(english) == indonesian
    finally:
        set_terminal_language("en")
    assert translate_message(english) == english


# --- counts, where the database comes from, empty lists, employment types -------------------


def test_counted_messages_in_both_languages(cli, office, db_path, tmp_path):
    from tests.test_cli_language import english_words

    office.close()
    added = cli("--lang", "id", "config", "days-off", "add", "2026-12-28", "2026-12-29")
    assert added.exit_code == 0, added.stderr
    assert added.stderr.strip() == "Ditambahkan 2 hari libur; 0 tanggal tenggat dihitung ulang."
    removed = cli("--lang", "en", "config", "days-off", "remove", "2026-12-28")
    assert removed.stderr.strip() == "Removed 1 day off; 0 due dates recomputed."
    check = cli("--lang", "id", "db", "check")
    assert check.exit_code == 0, check.stderr
    assert re.match(r"Basis data baik: \d+ entri, \d+ segel, 0 berkas bukti diperiksa\.\n"
                    r"Segel terakhir: \d+ \('qmstrack config days-off remove' pada ",
                    check.stderr), check.stderr
    assert cli("--lang", "en", "db", "check").stderr.startswith("Database OK: ")
    backup = cli("--lang", "id", "db", "backup", str(tmp_path / "b.db"))
    assert backup.stderr.strip() == (
        f"{db_path} dicadangkan ke {tmp_path / 'b.db'} (0 berkas bukti disalin).")
    where = cli("--lang", "id", "db", "path")
    assert where.stderr.strip() == "(dari opsi --db)"
    assert cli("--lang", "en", "db", "path").stderr.strip() == "(from the --db option)"
    for result in (added, check, backup, where):
        assert english_words(result.stderr) == set(), result.stderr


def test_a_count_is_grouped_in_the_language():
    from qmstrack.cli.lang import translate_message
    from qmstrack.i18n import set_terminal_language

    english = ("Exported 1,234 rows, 1 evidence file and 12 change-log entries (46 files, "
               "27,663 bytes) to b.zip.")
    set_terminal_language("id")
    try:
        assert translate_message(english) == (
            "Diekspor 1.234 baris, 1 berkas bukti, dan 12 entri log perubahan (46 berkas, "
            "27.663 bita) ke b.zip.")
        # A number followed by words the catalogue has no count for is left as it is.
        assert translate_message("Service S1 saved (3 fortnights).") == (
            "Layanan S1 disimpan (3 fortnights).")
    finally:
        set_terminal_language("en")
    assert translate_message(english) == english


def test_an_empty_list_says_so_in_indonesian(cli, db_path):
    assert cli("init").exit_code == 0
    assert cli("--lang", "id", "staff", "list").stderr.strip() == "Belum ada pegawai."
    assert cli("--lang", "id", "rule", "list").stderr.strip() == "Belum ada aturan."
    assert cli("--lang", "en", "rule", "list").stderr.strip() == "No rules yet."


def test_employment_types_are_shown_with_labels_and_accepted_back(cli, office):
    from qmstrack.i18n import translations
    from qmstrack.labels import EMPLOYMENT_LABELS
    from qmstrack.staff_ids import parse_employment

    office.close()
    t = translations("id")
    for code, text in EMPLOYMENT_LABELS.items():
        shown = t.gettext(text)
        assert parse_employment(shown) == code
        assert parse_employment(shown.upper()) == code
    added = cli("--lang", "id", "staff", "add", "--code", "KEAMANAN-01", "--employment",
                "Non-ASN", "--name", "Budi", "--unit", "SMA")
    assert added.exit_code == 0, added.stderr
    assert "(KEAMANAN-01, Non-ASN)" in added.stderr
    table = cli("--lang", "id", "staff", "list").stdout
    assert "Non-ASN" in table and "non-asn" not in table
    assert '"employment": "non-asn"' in cli("--lang", "id", "staff", "list", "--json").stdout


def test_the_problems_of_a_damaged_bundle_are_listed_in_indonesian(cli, office, tmp_path):
    from tests.test_cli_language import english_words

    office.close()
    out = tmp_path / "bundle"
    made = cli("--lang", "en", "export", "--from", "2026-01-01", "--to", "2026-01-31",
               "--out", str(out))
    assert made.exit_code == 0, made.stderr
    victim = sorted(p for p in (out / "data").rglob("*") if p.is_file())[0]
    victim.unlink()
    (out / "data" / "stray.txt").write_text("x", encoding="utf-8")
    shown = cli("--lang", "id", "verify", str(out))
    assert shown.exit_code == 1
    lines = shown.stderr.splitlines()
    assert re.match(rf"Galat: Bundel {re.escape(str(out))} tidak utuh \(\d+ masalah\): ", lines[0])
    rel = victim.relative_to(out).as_posix()
    assert f"  hilang: {rel}" in lines and "  tambahan: data/stray.txt" in lines, lines
    assert english_words(shown.stderr) == set(), shown.stderr
    english = cli("--lang", "en", "verify", str(out)).stderr.splitlines()
    assert f"  missing: {rel}" in english and "  extra: data/stray.txt" in english


def test_large_integers_are_grouped_in_indonesian_tables_only(cli, office):
    import json

    office.close()
    saved = cli("--lang", "id", "service", "add", "--code", "S-FEE", "--name", "Legalisir",
                "--unit", "SMA", "--sla-days", "3", "--fee", "150000")
    assert saved.stderr.strip() == "Layanan S-FEE disimpan (3 hari kerja)."
    table = cli("--lang", "id", "service", "list").stdout
    assert "150.000" in table and "150000" not in table
    assert "150000" in cli("--lang", "en", "service", "list").stdout
    data = json.loads(cli("--lang", "id", "service", "list", "--json").stdout)
    assert [s["fee"] for s in data if s["code"] == "S-FEE"] == [150000]
    assert "150000" in cli("--lang", "id", "service", "list", "--csv").stdout


def test_identifiers_and_years_are_not_grouped():
    from qmstrack.cli.output import cell_texts
    from qmstrack.i18n import set_terminal_language

    set_terminal_language("id")
    try:
        year, ident, count = cell_texts(["year", "review_id", "responses"])
        assert (year(2026), ident(1234), count(1234), count(999)) == (
            "2026", "1234", "1.234", "999")
    finally:
        set_terminal_language("en")


def test_config_set_shows_the_value_as_a_person_writes_it(cli, office):
    office.close()
    shown = cli("--lang", "id", "config", "set", "working_weekdays", "1,2,3,4,5")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stderr.strip() == "working_weekdays = 1, 2, 3, 4, 5"
    refused = cli("--lang", "id", "config", "set", "finding_recurrence_flag", "x")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "Galat: finding_recurrence_flag: Jumlah kejadian berulang 'x' bukan bilangan bulat.")


def test_clicks_newer_extra_arguments_message_is_translated(runner):
    from qmstrack.cli.app import app

    result = runner.invoke(app, ["--lang", "id", "metrics", "a", "b"])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "Galat: Terdapat argumen tambahan yang tidak diharapkan (a b)")


def test_command_line_messages_in_both_languages(cli, office):
    from tests.test_cli_language import english_words

    office.close()
    listed = cli("--lang", "id", "checklist", "list")
    assert listed.exit_code == 0, listed.stderr
    assert "Direktori daftar periksa pengguna: " in listed.stderr
    both = cli("--lang", "id", "objective", "add", "--unit", "SMA", "--title", "Tepat",
               "--target", ">=0.9", "--frequency", "monthly", "--year", "2026")
    assert both.exit_code == 2
    assert both.stderr.strip() == (
        "Galat: Berikan tepat salah satu dari --metric NAME atau --manual.")
    delimiter = cli("--lang", "id", "request", "list", "--csv", "--delimiter", "xx")
    assert delimiter.stderr.strip() == (
        "Galat: --delimiter: Pemisah CSV 'xx' bukan salah satu dari ',', ';' dan 'tab'.")
    for result in (listed, both, delimiter):
        assert english_words(result.stderr) == set(), result.stderr
    assert cli("--lang", "en", "request", "list", "--csv", "--delimiter", "xx").stderr.strip() == (
        "Error: --delimiter: The CSV delimiter 'xx' is not one of ',', ';' and 'tab'.")


def test_an_option_refused_by_the_domain_reads_in_indonesian(cli, office):
    from tests.test_cli_language import english_words

    office.close()
    assert cli("objective", "add", "--unit", "SMA", "--title", "Tepat", "--target", ">=0.9",
               "--frequency", "quarterly", "--year", "2026", "--manual").exit_code == 0
    shown = cli("--lang", "id", "objective", "record", "1", "--period", "2026-13",
                "--value", "95")
    assert shown.exit_code == 2
    assert shown.stderr.strip() == ("Galat: --period: Periode '2026-13' bukan triwulan "
                                    "seperti 2026-Q3 (frekuensi sasaran mutu: triwulanan).")
    assert english_words(shown.stderr) == set(), shown.stderr
    english = cli("--lang", "en", "objective", "record", "1", "--period", "2026-13",
                  "--value", "95")
    assert english.stderr.strip() == ("Error: --period: The period '2026-13' is not a quarter "
                                      "such as 2026-Q3 (the objective is quarterly).")
