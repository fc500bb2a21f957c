"""The command line in the clerk's language: which language a run speaks, and the help, Click's
own words and usage errors in it (issue 19)."""

from __future__ import annotations

import os
import re
import sqlite3

import pytest

from qmstrack.cli.app import app
from qmstrack.cli.lang import choose, environment_language, root_values

# English words that an Indonesian page must not contain (command and option names, values
# the options accept and metavars are left out of the scan).
ENGLISH = {"the", "and", "of", "to", "for", "with", "from", "is", "not", "this", "that",
           "Usage", "Options", "Commands", "Arguments", "Show", "message", "exit", "Error",
           "Missing", "Invalid", "Only", "List", "Print", "Record", "default", "required",
           "such", "option", "Try", "help", "Did", "you", "mean", "received", "due",
           "Service", "requests", "date", "today", "requester"}


def english_words(text: str) -> set[str]:
    """The words of ``text`` from :data:`ENGLISH`, ignoring option names (``--no-input``),
    quoted values (``'qmstrack audit list'``) and metavars."""
    text = re.sub(r"--?[\w-]+|'[^']*'|\b[A-Z_]{2,}\b|\b\w+_\w+\b", " ", text)
    return set(re.findall(r"[A-Za-z]+", text)) & ENGLISH


def set_office_language(path, lang: str) -> None:
    from qmstrack.db import open_db, set_setting, writing

    db = open_db(path, create=True)
    with writing(db, "test"):
        set_setting(db, "lang", lang)
    db.close()


INDONESIAN = {"LANG": "id_ID.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}


# --- which language -------------------------------------------------------------------


def test_the_root_options_are_read_before_the_command():
    assert root_values(["--db", "x.db", "--lang=id", "request", "list", "--lang", "en"]) == {
        "--db": "x.db", "--lang": "id"}
    assert root_values(["request", "--lang", "id"]) == {}
    assert root_values(["--lang"]) == {}


@pytest.mark.parametrize(("env", "expected"), [
    ({"LANG": "id_ID.UTF-8"}, "id"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, None),
    ({"LANG": "C"}, None),
    ({"LANGUAGE": "fr:id:en", "LANG": "C"}, "id"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "id_ID.UTF-8"}, "en"),  # LC_ALL decides, as gettext
    ({"LC_MESSAGES": "id_ID", "LANG": "en_US.UTF-8"}, "id"),
    ({}, None),
])
def test_the_environment_names_the_language(env, expected):
    assert environment_language(env) == expected


def test_lang_option_then_office_setting_then_environment(db_path):
    env = {"LANG": "id_ID.UTF-8"}
    assert choose([], {"LANG": "C.UTF-8"}) == "en"
    assert choose(["--db", str(db_path)], env) == "id"  # no database: the environment
    # A database's default language (id, for reports) does not count until recorded.
    set_office_language(db_path, "en")
    assert choose(["--db", str(db_path)], env) == "en"
    assert choose(["--db", str(db_path), "--lang", "id"], env) == "id"
    assert choose(["--lang", "id", "--db", str(db_path)], {"LANG": "C"}) == "id"
    assert choose([], {"QMSTRACK_DB": str(db_path), "LANG": "id_ID.UTF-8"}) == "en"
    # An unknown --lang is refused by the root option; the rest still decides the language.
    assert choose(["--lang", "xx", "--db", str(db_path)], env) == "en"


def test_a_file_that_is_not_a_database_is_ignored(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert choose(["--db", str(junk)], {"LANG": "id_ID.UTF-8"}) == "id"
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert choose(["--db", str(empty)], {"LANG": "en_US.UTF-8"}) == "en"


def test_an_unknown_root_lang_is_a_usage_error(runner):
    result = runner.invoke(app, ["--lang", "fr", "db", "path"])
    assert result.exit_code == 2
    assert "--lang 'fr' is not available; use id or en." in result.stderr


# --- help pages -----------------------------------------------------------------------


def test_root_help_in_indonesian_with_lang_id(runner, db_path):
    set_office_language(db_path, "id")
    result = runner.invoke(app, ["--db", str(db_path), "--help"], env={"LANG": "C"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Penggunaan: qmstrack [OPSI] PERINTAH [ARGUMEN]...")
    assert "Opsi:" in out and "Perintah:" in out
    assert "Menampilkan pesan ini lalu keluar." in out
    # The column is as wide as the longest command name ('competence').
    assert re.search(r"\n  request +Permohonan layanan\.", out)
    assert english_words(out) == set()


def test_request_help_in_indonesian_from_the_environment(runner):
    for args in (["request", "--help"], ["request", "list", "--help"],
                 ["request", "add", "--help"]):
        result = runner.invoke(app, args, env=INDONESIAN)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("Penggunaan: qmstrack request"), args
        assert english_words(result.stdout) == set(), (args, result.stdout)
    listing = runner.invoke(app, ["request", "list", "--help"], env=INDONESIAN).stdout
    assert "--service LAYANAN" in listing
    assert "Hanya status ini (dapat diulang)." in listing


def test_lang_en_keeps_english_whatever_the_environment_and_office(runner, db_path):
    set_office_language(db_path, "id")
    result = runner.invoke(app, ["--db", str(db_path), "--lang", "en", "request", "--help"],
                           env=INDONESIAN)
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: qmstrack request [OPTIONS] COMMAND [ARGS]...")
    assert "Service requests (permohonan layanan)." in result.stdout
    assert "Show this message and exit." in result.stdout
    assert "Penggunaan" not in result.stdout


def test_every_help_page_is_in_indonesian(runner):
    """Every command's and group's page, as a clerk would open it."""
    from tests.test_help import all_commands

    pages = [path[1:] for path, _ in all_commands()]
    assert len(pages) > 80
    for path in pages:
        result = runner.invoke(app, ["--lang", "id", *path, "--help"])
        assert result.exit_code == 0, (path, result.stderr)
        assert result.stdout.startswith("Penggunaan: "), path
        assert "Opsi:" in result.stdout, path
        # Only values typed as they are may stay English ('summary --date today',
        # 'log --table requests').
        assert english_words(result.stdout) <= {"today", "requests"}, (path, result.stdout)


def test_every_help_text_has_an_indonesian_translation():
    """A new command or option fails here until its help is in the catalogue (pybabel
    extract takes them from the live tree: babel.cfg names cli/help_messages.py)."""
    from babel.messages.pofile import read_po

    from qmstrack.cli.help_messages import help_messages
    from qmstrack.i18n import catalogue_path

    with open(str(catalogue_path("id")), "rb") as fh:
        catalogue = read_po(fh)
    messages = help_messages()
    assert (None, "Service requests (permohonan layanan).") in messages
    assert ("metavar", "SERVICE") in messages
    assert len(messages) > 300
    missing = [(context, message) for context, message in messages
               if not (entry := catalogue.get(message, context=context)) or not entry.string]
    assert missing == []


def test_the_babel_extractor_yields_the_help_of_the_live_tree():
    from babel.messages.extract import extract

    from qmstrack.cli import app as app_module
    from qmstrack.cli.help_messages import extract as extractor

    with open(app_module.__file__, "rb") as fh:
        found = {(context, message) for _, message, _, context in extract(extractor, fh)}
    assert (None, "Service requests (permohonan layanan).") in found
    assert ("metavar", "SERVICE") in found
    # The file's own marked messages are extracted too (babel.cfg gives it this extractor).
    assert (None, "Interrupted; nothing was changed by the unfinished step.") in found


# --- Click's words and usage errors ---------------------------------------------------


@pytest.mark.parametrize(("args", "expected"), [
    (["request", "list", "--bogus"], "Galat: Opsi tidak dikenal: --bogus"),
    (["request", "add"], "Galat: Opsi '--service' belum diberikan."),
    (["request", "show"], "Galat: Argumen 'ref' belum diberikan."),
    (["request", "list", "--limit", "x"],
     "Galat: Nilai tidak sah untuk '--limit': 'x' bukan bilangan bulat yang sah."),
    (["request", "add", "--service"], "Galat: Opsi '--service' memerlukan satu nilai."),
    (["requst"], "Galat: Perintah 'requst' tidak dikenal. Yang dimaksud mungkin 'request'?"),
    (["request", "list", "--db", "x.db"],
     "Galat: Opsi tidak dikenal: --db (--db adalah opsi qmstrack sendiri: tulis sebelum "
     "perintahnya, seperti 'qmstrack --db PATH request list')."),
])
def test_usage_errors_in_indonesian(runner, args, expected):
    result = runner.invoke(app, ["--lang", "id", *args])
    assert result.exit_code == 2
    # Typer versions differ in how they spell an argument's name ('ref' or 'REF').
    assert expected.casefold() in result.stderr.casefold(), result.stderr
    assert "Try '" not in result.stderr and "Usage:" not in result.stderr
    assert english_words(result.stderr) == set()


def test_usage_errors_stay_english_in_english(runner):
    result = runner.invoke(app, ["--lang", "en", "request", "list", "--limit", "x"])
    assert result.exit_code == 2
    # The end of the sentence is Click's own words, which differ between versions.
    assert "Error: Invalid value for '--limit': 'x' is not a valid " in result.stderr
    assert "Try 'qmstrack request list -h' for help." in result.stderr


def test_a_message_click_has_not_got_a_template_for_stays_readable():
    from qmstrack.cli.lang import translate_message
    from qmstrack.i18n import set_terminal_language, terminal_language

    before = terminal_language()
    try:
        set_terminal_language("id")
        assert translate_message("Something new from Click.") == "Something new from Click."
        assert translate_message("Invalid value for '--x': Something new.") == (
            "Nilai tidak sah untuk '--x': Something new.")
    finally:
        set_terminal_language(before)


def test_the_language_of_one_run_does_not_leak_into_the_next(runner):
    from qmstrack.i18n import terminal_language

    assert runner.invoke(app, ["--lang", "id", "--help"]).stdout.startswith("Penggunaan")
    assert terminal_language() == "en"
    assert runner.invoke(app, ["--help"]).stdout.startswith("Usage")


# --- the installed executable -----------------------------------------------------------


def test_installed_executable_speaks_the_office_language(run_installed, db_path, tmp_path):
    set_office_language(db_path, "id")
    env = {**os.environ, "LANG": "id_ID.UTF-8", "QMSTRACK_DB": str(db_path),
           "HOME": str(tmp_path)}
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        env.pop(var, None)
    for args in (["--help"], ["request", "--help"]):
        result = run_installed(*args, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Penggunaan: qmstrack"), result.stdout[:80]
        assert english_words(result.stdout) == set(), result.stdout
    bad = run_installed("request", "list", "--limit", "x", env=env)
    assert bad.returncode == 2
    assert "Galat: Nilai tidak sah untuk '--limit'" in bad.stderr
    english = run_installed("--lang", "en", "request", "--help", env=env)
    assert english.stdout.startswith("Usage: qmstrack request")


# --- the request table, a validation error, the audit prompt (the "Done when") ----


@pytest.fixture
def requests_in_id(office, db_path):
    from qmstrack.registers.requests import add_request, update_request

    add_request(office, ref="REQ-1", service="SMA-LEG", requester="Ani", received="2026-08-03")
    add_request(office, ref="REQ-2", service="SMA-MUT", requester="Budi",
                received="2026-08-04")
    update_request(office, "REQ-1", status="in_progress", on="2026-08-04")
    update_request(office, "REQ-2", status="completed", on="2026-08-05")
    office.close()
    set_office_language(db_path, "id")
    return db_path


def test_the_request_table_is_in_indonesian(cli, requests_in_id):
    result = cli("request", "list")
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[1]
    assert "No. registrasi" in header and "Tgl. terima" in header and "Tepat waktu" in header
    assert "| Diproses " in result.stdout and "| Selesai " in result.stdout
    assert english_words(result.stdout) == set()
    for word in ("in_progress", "completed", "ref_no", "received_on", "yes"):
        assert word not in result.stdout
    shown = cli("request", "show", "REQ-2")
    assert "Riwayat" in shown.stdout and "Pemohon" in shown.stdout
    assert "Diterima" in shown.stdout and "Selesai" in shown.stdout


def test_indonesian_values_are_accepted_and_data_stays_english(cli, requests_in_id):
    import json

    same = [cli("request", "list", "--status", s, "--json").stdout
            for s in ("diproses", "in_progress", "Diproses")]
    assert same[0] == same[1] == same[2]
    rows = json.loads(same[0])
    assert [(r["ref_no"], r["status"]) for r in rows] == [("REQ-1", "in_progress")]
    csv = cli("request", "list", "--csv").stdout.splitlines()
    assert csv[0].startswith("ref_no;received_on;service_code")  # ';' when lang is id
    assert "completed" in csv[2]


def test_a_validation_error_is_in_indonesian(cli, requests_in_id):
    bad_date = cli("request", "add", "--service", "SMA-LEG", "--requester", "Ani",
                   "--received", "31/31/2026")
    assert bad_date.exit_code == 2
    assert bad_date.stderr.strip() == (
        "Galat: --received: Tanggal '31/31/2026' bukan tanggal yang ada di kalender.")
    no_service = cli("request", "add", "--service", "NOPE", "--requester", "Ani")
    assert no_service.exit_code == 1
    assert no_service.stderr.strip() == (
        "Galat: Layanan 'NOPE' tidak ada; daftar layanan ditampilkan oleh 'qmstrack service "
        "list'.")
    bad_status = cli("request", "update", "REQ-1", "--status", "beres")
    assert bad_status.exit_code == 1
    assert "Status 'beres' bukan salah satu dari diterima, diproses" in bad_status.stderr
    for result in (bad_date, no_service, bad_status):
        assert english_words(result.stderr) == set(), result.stderr
    english = cli("--lang", "en", "request", "add", "--service", "NOPE", "--requester", "A")
    assert english.stderr.strip() == (
        "Error: There is no service 'NOPE'; 'qmstrack service list' shows them.")


def test_messages_of_a_command_are_in_indonesian(cli, requests_in_id):
    result = cli("request", "update", "REQ-1", "--status", "selesai", "--on", "2026-08-05")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == "Permohonan REQ-1 kini berstatus Selesai, tepat waktu."
    empty = cli("request", "list", "--status", "ditolak")
    assert empty.stderr.strip() == "Tidak ada permohonan yang sesuai."


def run_in_terminal(args: list[str], env: dict, answer: bytes, until: bytes,
                    timeout: float = 90) -> str:
    """Run the installed executable on a pseudo-terminal (so that it prompts), type
    ``answer`` once ``until`` has been shown, and return everything it wrote."""
    import pty
    import select
    import subprocess
    import time

    from tests.conftest import qmstrack_executable

    master, slave = pty.openpty()
    proc = subprocess.Popen([qmstrack_executable(), *args], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen, answered = b"", False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other side closed
                    break
                if not chunk:
                    break
                seen += chunk
            plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen)
            if not answered and until in plain:
                os.write(master, answer)
                answered = True
            if proc.poll() is not None and not ready:
                break
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode("utf-8", "replace"))


def test_the_audit_prompt_is_in_indonesian(requests_in_id, tmp_path):
    env = {**os.environ, "LANG": "id_ID.UTF-8", "HOME": str(tmp_path), "COLUMNS": "200",
           "TERM": "dumb"}
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        env.pop(var, None)
    args = ["--db", str(requests_in_id), "audit", "--period", "2026-08",
            "--out", str(tmp_path / "reports")]
    shown = run_in_terminal(args, env, b"q\r", b"[q] keluar")
    assert "Nilai [c] sesuai, [mi] minor, [ma] mayor, [o] observasi, [na] tidak berlaku, " \
           "[s] lewati, [q] keluar" in shown, shown[-2000:]
    assert "Audit 1 dimulai: 2026-08-01 sampai 2026-08-31" in shown
    assert "butir untuk dijawab." in shown and "butir masih tertunda" in shown
    assert "Grade" not in shown and "pending" not in shown and "to answer" not in shown
    # In English: the command line (--lang before the command) and the audit (its own --lang).
    english = run_in_terminal(["--lang", "en", *args, "--lang", "en"], env, b"q\r",
                              b"[q]uit")
    assert "Grade [c]onform [mi]nor [ma]jor" in english, english[-2000:]
    assert "Resumed audit 1" in english and "items to answer." in english


def test_the_compiled_catalogue_is_kept_between_runs(runner, tmp_path, monkeypatch):
    from qmstrack import i18n
    from qmstrack.cli.lang import load_catalogue

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(i18n, "_compiled", {})
    assert runner.invoke(app, ["--lang", "id", "--help"]).stdout.startswith("Penggunaan")
    folder = tmp_path / "cache" / "qmstrack" / "catalogues"
    [kept] = folder.glob("id-*.mo")
    assert kept.stat().st_mode & 0o077 == 0 and folder.stat().st_mode & 0o077 == 0
    po = i18n.catalogue_path("id").read_bytes()
    assert kept.read_bytes() == i18n.compile_catalogue(po, "id")

    # A damaged file is not used (and is written again by the next run).
    kept.write_bytes(b"\x00garbage")
    monkeypatch.setattr(i18n, "_compiled", {})
    load_catalogue("id")
    assert not kept.exists()
    assert runner.invoke(app, ["--lang", "id", "--help"]).stdout.startswith("Penggunaan")
    assert kept.exists() and kept.read_bytes() == i18n.compile_catalogue(po, "id")

    # A changed catalogue (an office's own, in QMSTRACK_LOCALE_DIR) is compiled again.
    own = tmp_path / "locales" / "id" / "LC_MESSAGES" / "qmstrack.po"
    own.parent.mkdir(parents=True)
    own.write_bytes(po.replace(b'msgstr "Penggunaan: "', b'msgstr "Pakai: "'))
    monkeypatch.setenv("QMSTRACK_LOCALE_DIR", str(tmp_path / "locales"))
    assert runner.invoke(app, ["--lang", "id", "--help"]).stdout.startswith("Pakai: ")
    assert len(list(folder.glob("id-*.mo"))) == 1  # the older file is removed


def test_a_cache_folder_others_can_write_to_is_not_used(runner, tmp_path, monkeypatch):
    from qmstrack import i18n

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(i18n, "_compiled", {})
    folder = tmp_path / "cache" / "qmstrack" / "catalogues"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    assert runner.invoke(app, ["--lang", "id", "--help"]).stdout.startswith("Penggunaan")
    assert list(folder.iterdir()) == []


def test_a_refused_import_names_each_row_in_indonesian(cli, requests_in_id, tmp_path):
    source = tmp_path / "permohonan.csv"
    source.write_text("nomor_registrasi,tanggal,layanan,pemohon\n,31/31/2026,SMA-LEG,Ani\n"
                      ",2026-08-01,NOPE,Budi\n", encoding="utf-8")
    result = cli("request", "import", str(source))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Galat: {source}: 2 baris tidak sah, tidak ada yang diimpor (gunakan --skip-invalid "
        "untuk mengimpor baris yang sah dan menulis sisanya ke berkas penolakan).",
        "  baris 2, kolom tanggal: Tanggal diterima '31/31/2026' bukan tanggal yang ada di "
        "kalender.",
        "  baris 3, kolom layanan: Layanan 'NOPE' tidak ada.",
    ]
    english = cli("--lang", "en", "request", "import", str(source))
    assert english.stderr.splitlines()[1] == (
        "  row 2, column tanggal: The received date '31/31/2026' is not a real calendar date.")


def test_messages_written_as_english_sentences_are_matched_whole(cli, requests_in_id):
    assert cli("unit", "add", "SMK", "--name", "Bidang SMK").stderr.strip() == (
        "Unit SMK disimpan.")
    missing = cli("complaint", "show", "ADU-1")
    assert missing.stderr.strip() == ("Galat: Pengaduan 'ADU-1' tidak ada; daftar pengaduan "
                                      "ditampilkan oleh 'qmstrack complaint list'.")
    assert cli("--lang", "en", "unit", "add", "SMK", "--name", "Bidang SMK").stderr.strip() == (
        "Unit SMK saved.")


def test_dates_and_numbers_in_tables_follow_the_language(cli, requests_in_id, db_path):
    from qmstrack.db import open_db
    from qmstrack.registers.adherence import add_observation

    table = cli("request", "list").stdout
    assert "| 3 Agu 2026 " in table and "2026-08-03" not in table
    # The date as the table writes it is read back.
    since = cli("request", "list", "--since", "4 Agu 2026", "--json").stdout
    assert '"REQ-2"' in since and '"REQ-1"' not in since
    db = open_db(db_path)
    add_observation(db, staff="198609262015051001", rule="SOP-LEG", on="2026-08-03",
                    result="comply")
    add_observation(db, staff="199001012019032002", rule="SOP-LEG", on="2026-08-03",
                    result="breach")
    add_observation(db, staff="198512122010011003", rule="SOP-LEG", on="2026-08-03",
                    result="comply")
    db.close()
    stats = cli("adherence", "stats", "--by", "rule").stdout
    assert "66,7%" in stats and "Tingkat" in stats
    english = cli("--lang", "en", "adherence", "stats", "--by", "rule").stdout
    assert "66.7%" in english and "rate" in english
    assert "2026-08-03" in cli("--lang", "en", "request", "list").stdout


def test_every_label_a_table_shows_is_accepted_back():
    """What an Indonesian table shows (``Diproses``, ``Patuh``, ``Mayor``, ``Surel``) can be
    typed back where the code is asked for."""
    from qmstrack.audits import parse_grade
    from qmstrack.i18n import translations
    from qmstrack.labels import (
        ADHERENCE_RESULT_LABELS,
        CHANNEL_LABELS,
        DOCUMENT_TYPE_LABELS,
        GRADE_LABELS,
        REQUEST_STATUS_LABELS,
    )
    from qmstrack.registers.adherence import parse_result
    from qmstrack.registers.complaints import parse_channel
    from qmstrack.registers.documents import parse_type
    from qmstrack.registers.requests import parse_status

    t = translations("id")
    for labels, parse in ((REQUEST_STATUS_LABELS, parse_status),
                          (ADHERENCE_RESULT_LABELS, parse_result),
                          (GRADE_LABELS, parse_grade), (CHANNEL_LABELS, parse_channel),
                          (DOCUMENT_TYPE_LABELS, parse_type)):
        for code, text in labels.items():
            if code == "pending":  # not an answer: what is left to grade
                continue
            shown = t.gettext(text)
            assert shown != text or code in ("minor", "lapor", "sop"), (code, shown)
            assert parse(shown) == code, (code, shown)
            assert parse(shown.upper()) == code, (code, shown)
            assert parse(code) == code


def test_an_import_summary_is_in_indonesian(cli, requests_in_id, tmp_path):
    source = tmp_path / "permohonan.csv"
    source.write_text("nomor_registrasi,tanggal,layanan,pemohon\nREQ-9,2026-08-06,SMA-LEG,Ani\n",
                      encoding="utf-8")
    result = cli("request", "import", str(source), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert ("Akan diimpor dari permohonan.csv: 1 baris, 1 baru, 0 diperbarui, 0 tidak "
            "berubah, 0 ditolak.") in result.stderr


def test_the_audit_and_finding_refusals_are_in_indonesian(cli, requests_in_id):
    assert cli("audit", "show", "7").stderr.strip() == (
        "Galat: Audit 7 tidak ada; daftar audit ditampilkan oleh 'qmstrack audit list'.")
    assert cli("finding", "show", "F-1").stderr.strip() == (
        "Galat: Temuan 'F-1' tidak ada; daftar temuan ditampilkan oleh 'qmstrack finding list'.")


def test_lang_after_the_command_gets_the_root_option_hint(runner):
    result = runner.invoke(app, ["request", "list", "--lang", "id"])
    assert result.exit_code == 2
    assert ("(--lang is an option of qmstrack itself: write it before the command, as in "
            "'qmstrack --lang LANG request list')") in result.stderr
    missing = runner.invoke(app, ["--lang", "id", "--db"])
    assert missing.exit_code == 2
    assert missing.stderr.strip().endswith("Galat: Opsi '--db' memerlukan satu nilai.")
    assert "sebelum perintah" not in missing.stderr
