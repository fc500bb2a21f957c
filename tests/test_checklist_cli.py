"""``qmstrack checklist``: list, show, validate and map through the real Typer app."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from qmstrack.checklists import bundled_dir
from qmstrack.cli.app import app

DEMO = textwrap.dedent("""\
    id: demo
    title: {en: Demo checklist, id: Daftar periksa contoh}
    standard: ISO 9001
    edition: "2015"
    version: 1
    languages: [en, id]
    clauses:
      - ref: "9"
        title: {en: Performance evaluation, id: Evaluasi kinerja}
        clauses:
          - ref: 9.1.2
            title: {en: Customer satisfaction, id: Kepuasan pelanggan}
            items:
              - id: 9.1.2-a
                question: {en: "Is the index met?", id: "Apakah indeks tercapai?"}
                metric: satisfaction.ikm
                target: ">= 76.61"
    """)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """No real user directory, no QMSTRACK_DB; returns the user checklist directory."""
    monkeypatch.delenv("QMSTRACK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "xdg" / "qmstrack" / "checklists"


@pytest.fixture
def run(tmp_path, env):
    runner = CliRunner()
    db = tmp_path / "none.db"

    def invoke(*args: str, db_path: Path = db):
        result = runner.invoke(app, ["--db", str(db_path), *args])
        assert "Traceback" not in result.stdout + result.stderr
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit), result.exception
        return result

    return invoke


# --- list ---------------------------------------------------------------------------------


def test_list_without_database(run, tmp_path):
    result = run("checklist", "list")
    assert result.exit_code == 0, result.stderr
    assert "iso9001-2015" in result.stdout and "iso9001-2008" in result.stdout
    assert "Daftar periksa audit internal ISO 9001:2015" in result.stdout  # default lang id
    assert "User checklist directory" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_list_json_with_user_checklists(run, env):
    env.mkdir(parents=True)
    (env / "demo.yaml").write_text(DEMO, encoding="utf-8")
    (env / "broken.yml").write_text("id: x\n\tversion: 1\n", encoding="utf-8")
    result = run("checklist", "list", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {"iso9001-2015", "iso9001-2008", "demo"}
    assert rows["demo"]["source"] == "user"
    assert rows["demo"]["items"] == 1 and rows["demo"]["metric_items"] == 1
    assert rows["iso9001-2015"]["source"] == "bundled"
    assert rows["iso9001-2015"]["edition"] == "2015"
    assert rows["iso9001-2015"]["version"] == 1
    assert rows["iso9001-2015"]["title"]["en"].startswith("ISO 9001:2015 internal audit")
    assert 8 <= rows["iso9001-2015"]["metric_items"] <= 20
    assert "broken.yml:2:" in result.stderr and "Warning:" in result.stderr


def test_list_uses_the_configured_directory_and_language(run, tmp_path):
    from qmstrack.db import open_db, set_setting, writing

    own = tmp_path / "own"
    own.mkdir()
    (own / "demo.yaml").write_text(DEMO, encoding="utf-8")
    db_path = tmp_path / "qms.db"
    db = open_db(db_path, create=True)
    with writing(db):
        set_setting(db, "checklist_dir", str(own))
        set_setting(db, "lang", "en")
    db.conn.close()
    result = run("checklist", "list", db_path=db_path)
    assert result.exit_code == 0, result.stderr
    assert "Demo checklist" in result.stdout
    assert "ISO 9001:2015 internal audit checklist" in result.stdout
    assert str(own) in result.stderr
    result = run("checklist", "show", "demo", "--lang", "id", db_path=db_path)
    assert "Apakah indeks tercapai?" in result.stdout


# --- show ---------------------------------------------------------------------------------


def test_show_tree_in_both_languages(run):
    result = run("checklist", "show", "iso9001-2015", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "9.1.2 Customer satisfaction" in out
    assert "10.3 Continual improvement" in out
    assert "requests.on_time_rate >= 0.9" in out
    assert "8.4.1-a" in out and "SEKRETARIAT" in out
    result = run("checklist", "show", "iso9001-2015", "--lang", "id", "--clause", "9.1")
    assert result.exit_code == 0, result.stderr
    assert "9.1.2 Kepuasan pelanggan" in result.stdout
    assert "8.5.1" not in result.stdout and "10.3" not in result.stdout


def test_show_json_is_nested(run):
    result = run("checklist", "show", "iso9001-2008", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == "iso9001-2008" and data["source"] == "bundled"
    top = [clause["ref"] for clause in data["tree"]]
    assert top == ["1.2", "4", "5", "6", "7", "8"]
    clause_8 = data["tree"][5]
    assert [c["ref"] for c in clause_8["clauses"]] == ["8.1", "8.2", "8.3", "8.4", "8.5"]
    satisfaction = clause_8["clauses"][1]["clauses"][0]
    assert satisfaction["ref"] == "8.2.1" and satisfaction["maps_to"] == ["9.1.2"]
    assert satisfaction["items"][0]["metric"] == "satisfaction.ikm"
    assert set(satisfaction["title"]) == {"en", "id"}
    result = run("checklist", "show", "iso9001-2015", "--clause", "10.2", "--json")
    clause = json.loads(result.stdout)["clause"]
    assert clause["ref"] == "10.2" and clause["assessable"] is True
    assert [c["ref"] for c in clause["clauses"]] == ["10.2.1", "10.2.2"]


def test_show_a_file_by_path(run, tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(DEMO, encoding="utf-8")
    result = run("checklist", "show", str(path), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "Is the index met?" in result.stdout
    assert "satisfaction.ikm >= 76.61" in result.stdout


@pytest.mark.parametrize(("args", "code", "text"), [
    (["nope"], 1, "There is no checklist 'nope'"),
    (["iso9001-2015", "--clause", "99.1"], 1, "has no clause '99.1'"),
    (["iso9001-2015", "--lang", "fr"], 2, "--lang 'fr' is not available"),
])
def test_show_errors(run, args, code, text):
    result = run("checklist", "show", *args)
    assert result.exit_code == code
    assert result.stderr.startswith("Error: ") and text in result.stderr
    assert result.stdout == ""


# --- validate -----------------------------------------------------------------------------


def test_validate_bundled_files(run):
    files = [str(bundled_dir() / name) for name in
             ("iso9001-2015.yaml", "iso9001-2008.yaml", "map-iso9001-2008-2015.yaml")]
    result = run("checklist", "validate", *files)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"OK {files[0]} (91 clauses, 83 items)"
    assert lines[1] == f"OK {files[1]} (68 clauses, 57 items)"
    assert lines[2].startswith(f"OK {files[2]} (68 clauses mapped")
    assert result.stdout == ""


BROKEN_FILES = {
    "indent.yaml": ("id: x\ntitle: t\n  standard: s\n", ":3: not valid YAML"),
    "tabs.yaml": ("id: x\nclauses:\n\t- ref: 1\n", ":3: not valid YAML: a tab character"),
    "dup-ids.yaml": (DEMO + "          - id: 9.1.2-a\n            question: again\n",
                     ":18: item[9.1.2-a].id: duplicate item id '9.1.2-a' (first at line 14)"),
    "dup-keys.yaml": (DEMO.replace("version: 1", "version: 1\nid: again"),
                      ":6: duplicate key 'id' (first at line 1)"),
    "types.yaml": (DEMO.replace("version: 1", "version: [1]"),
                   ":5: version: must be a whole number"),
    "metric.yaml": (DEMO.replace("satisfaction.ikm", "satisfaction.happiness"),
                    ":16: item[9.1.2-a].metric: unknown metric 'satisfaction.happiness'"),
    "target.yaml": (DEMO.replace('">= 76.61"', "high"),
                    ":17: item[9.1.2-a].target: the target 'high' is not a comparison"),
    "parent.yaml": (DEMO.replace("- ref: 9.1.2", "- ref: 8.1.2"),
                    ":11: clause[8.1.2].ref: '8.1.2' does not extend its parent clause '9'"),
    "empty.yaml": ("", ":1: the file is empty"),
    "data.csv": ("ref;title\n4.1;Context\n", ":1: the top level must be a mapping"),
    "binary.yaml": (bytes(range(256)) * 4, ":1: the file holds NUL bytes"),
    "exploit.yaml": (DEMO.replace("title: {en: Demo checklist, id: Daftar periksa contoh}",
                                  "title: !!python/object/apply:os.system ['touch PWNED']"),
                     ":2: the YAML tag '!!python/object/apply:os.system' is not allowed"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_validate_broken_file(run, tmp_path, monkeypatch, name):
    content, expected = BROKEN_FILES[name]
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = run("checklist", "validate", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path} has ")
    assert f"  {path}{expected}" in result.stderr, result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "PWNED").exists()


def test_validate_huge_file(run, tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("# padding line\n" * 800_000, encoding="utf-8")  # 12 MB
    result = run("checklist", "validate", str(path))
    assert result.exit_code == 1
    assert "a checklist may be at most 10 MB" in result.stderr


def test_validate_several_files_reports_each(run, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(DEMO, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEMO.replace("version: 1", "version: one").replace(
        "satisfaction.ikm", "nope.nope"), encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    result = run("checklist", "validate", str(good), str(bad), str(missing))
    assert result.exit_code == 1
    err = result.stderr
    assert f"OK {good} (2 clauses, 1 items)" in err
    assert f"Error: {bad} has 2 errors; nothing was loaded." in err
    assert f"{bad}:5: version" in err and f"{bad}:16: item[9.1.2-a].metric" in err
    assert f"There is no checklist file {missing}" in err
    assert err.rstrip().endswith("Error: 2 of 3 files have errors.")


# --- map ----------------------------------------------------------------------------------


def test_map_forward_and_backward(run):
    result = run("checklist", "map", "8.2.1", "--from", "2008", "--to", "2015", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "9.1.2" in result.stdout and "Customer satisfaction" in result.stdout
    result = run("checklist", "map", "8.5.2", "--json")
    data = json.loads(result.stdout)
    assert data["from"] == "2008" and data["to"] == "2015"
    assert [row["ref"] for row in data["maps_to"]] == ["10.2", "10.2.1", "10.2.2"]
    result = run("checklist", "map", "9.1.2", "--from", "2015", "--json")
    data = json.loads(result.stdout)
    assert data["to"] == "2008" and [row["ref"] for row in data["maps_to"]] == ["8.2.1"]
    result = run("checklist", "map", "7.1.6", "--from", "2015")
    assert result.exit_code == 0
    assert "no counterpart in ISO 9001:2008" in result.stderr
    # Clauses the correlation matrix gives, which were refused or missing before.
    for ref, edition, expected in (("7.1.5.1", "2015", "7.6"), ("8.2.3.2", "2015", "7.2.2"),
                                   ("4.1", "2015", "5.6"), ("1.2", "2008", "4.3")):
        result = run("checklist", "map", ref, "--from", edition, "--json")
        assert result.exit_code == 0, result.stderr
        assert expected in [row["ref"] for row in json.loads(result.stdout)["maps_to"]]


@pytest.mark.parametrize(("args", "code", "text"), [
    (["9.9"], 1, "'9.9' is not a clause of ISO 9001:2008"),
    (["4.9", "--from", "2015"], 1, "'4.9' is not a clause of ISO 9001:2015"),
    (["4.1", "--from", "2000"], 2, "between ISO 9001 editions 2008 and 2015 only"),
])
def test_map_errors(run, args, code, text):
    result = run("checklist", "map", *args)
    assert result.exit_code == code
    assert result.stderr.startswith("Error: ") and text in result.stderr


# --- help -----------------------------------------------------------------------------------


def test_every_command_and_option_has_help():
    group = typer.main.get_command(app).get_command(None, "checklist")
    assert group.help
    assert set(group.commands) == {"list", "show", "validate", "map"}
    for name, command in group.commands.items():
        assert command.help, name
        for param in command.params:
            if isinstance(param, click.Option) or hasattr(param, "help"):
                assert getattr(param, "help", None), (name, param.name)
