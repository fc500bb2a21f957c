"""Checklists: the bundled ISO 9001 checklists, loading, validation errors, edition maps."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmstrack import checklists
from qmstrack.checklists import (
    bundled_dir,
    list_checklists,
    load_checklist,
    load_checklist_bytes,
    load_checklist_file,
    load_checklist_text,
    resolve_checklist,
)
from qmstrack.edition_maps import load_edition_map, map_clause
from qmstrack.errors import Conflict, InvalidInput, NotFound, UsageError
from qmstrack.metrics import metric_names, planned_metrics

# Written out independently of the YAML files: every clause and sub-clause of each edition.
ISO_2015_REFS = """
4 4.1 4.2 4.3 4.4 4.4.1 4.4.2
5 5.1 5.1.1 5.1.2 5.2 5.2.1 5.2.2 5.3
6 6.1 6.1.1 6.1.2 6.2 6.2.1 6.2.2 6.3
7 7.1 7.1.1 7.1.2 7.1.3 7.1.4 7.1.5 7.1.5.1 7.1.5.2 7.1.6 7.2 7.3 7.4
7.5 7.5.1 7.5.2 7.5.3 7.5.3.1 7.5.3.2
8 8.1 8.2 8.2.1 8.2.2 8.2.3 8.2.3.1 8.2.3.2 8.2.4 8.3 8.3.1 8.3.2 8.3.3 8.3.4 8.3.5
8.3.6
8.4 8.4.1 8.4.2 8.4.3 8.5 8.5.1 8.5.2 8.5.3 8.5.4 8.5.5 8.5.6 8.6 8.7 8.7.1 8.7.2
9 9.1 9.1.1 9.1.2 9.1.3 9.2 9.2.1 9.2.2 9.3 9.3.1 9.3.2 9.3.3
10 10.1 10.2 10.2.1 10.2.2 10.3
""".split()

ISO_2008_REFS = """
1.2
4 4.1 4.2 4.2.1 4.2.2 4.2.3 4.2.4
5 5.1 5.2 5.3 5.4 5.4.1 5.4.2 5.5 5.5.1 5.5.2 5.5.3 5.6 5.6.1 5.6.2 5.6.3
6 6.1 6.2 6.2.1 6.2.2 6.3 6.4
7 7.1 7.2 7.2.1 7.2.2 7.2.3 7.3 7.3.1 7.3.2 7.3.3 7.3.4 7.3.5 7.3.6 7.3.7
7.4 7.4.1 7.4.2 7.4.3 7.5 7.5.1 7.5.2 7.5.3 7.5.4 7.5.5 7.6
8 8.1 8.2 8.2.1 8.2.2 8.2.3 8.2.4 8.3 8.4 8.5 8.5.1 8.5.2 8.5.3
""".split()

VALID = textwrap.dedent("""\
    id: demo
    title: {en: Demo checklist, id: Daftar periksa contoh}
    standard: ISO 9001
    edition: "2015"
    version: 2
    languages: [en, id]
    clauses:
      - ref: "8"
        title: {en: Operation, id: Operasi}
        clauses:
          - ref: 8.5.1
            title: {en: Control, id: Pengendalian}
            items:
              - id: 8.5.1-a
                question: {en: "Are requests on time?", id: "Apakah permohonan tepat waktu?"}
                metric: requests.on_time_rate
                target: ">= 90%"
                on_miss: major
              - id: 8.5.1-b
                question:
                  en: Who checks the output?
                guidance: Look at the signatures.
                evidence: [requests, rules]
                units: [sma, SMP]
    """)


def write(tmp_path: Path, text: str | bytes, name: str = "checklist.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        load_checklist_file(path)
    return info.value


# --- the bundled checklists ------------------------------------------------------------


@pytest.fixture(scope="module")
def iso2015():
    return load_checklist_file(bundled_dir() / "iso9001-2015.yaml")


@pytest.fixture(scope="module")
def iso2008():
    return load_checklist_file(bundled_dir() / "iso9001-2008.yaml")


def test_bundled_2015_has_every_clause_in_order(iso2015):
    assert iso2015.id == "iso9001-2015"
    assert iso2015.edition == "2015"
    assert iso2015.standard == "ISO 9001"
    assert iso2015.languages == ("en", "id")
    assert iso2015.clause_refs() == ISO_2015_REFS


def test_bundled_2008_has_every_clause_in_order(iso2008):
    assert iso2008.id == "iso9001-2008"
    assert iso2008.edition == "2008"
    assert iso2008.clause_refs() == ISO_2008_REFS


@pytest.mark.parametrize("name", ["iso2015", "iso2008"])
def test_every_leaf_clause_is_assessable_and_texts_are_bilingual(name, request):
    checklist = request.getfixturevalue(name)
    leaves = [c for c in checklist.iter_clauses() if c.is_leaf]
    assert leaves and all(c.assessable for c in leaves), [
        c.ref for c in leaves if not c.assessable]
    for clause in checklist.iter_clauses():
        assert clause.title.languages() == ("en", "id"), clause.ref
        if clause.assessable:
            assert clause.items
    for item in checklist.iter_items():
        assert item.question.languages() == ("en", "id"), item.id
        assert item.text("question", "en") != item.text("question", "id"), item.id
        if item.guidance is not None:
            assert item.guidance.languages() == ("en", "id"), item.id
        assert item.evidence, item.id
        assert item.clause_ref in checklist.clause_refs()


def test_2015_items_for_clauses_without_children(iso2015):
    for ref in ["4.1", "4.2", "4.3", "5.3", "7.2", "7.3", "7.4", "8.1", "8.6", "10.1",
                "10.3"]:
        clause = iso2015.find_clause(ref)
        assert clause.is_leaf and clause.items, ref
    assert not iso2015.find_clause("4").assessable


def test_2015_metric_bindings(iso2015):
    bound = {item.id: item for item in iso2015.iter_items() if item.is_metric}
    assert 8 <= len(bound) <= 20
    known = set(metric_names()) | set(planned_metrics())
    assert all(item.metric in known for item in bound.values())
    by_metric = {(i.clause_ref, i.metric): (str(i.target), i.on_miss) for i in bound.values()}
    assert by_metric[("8.5.1", "requests.on_time_rate")] == (">= 0.9", "minor")
    assert by_metric[("8.5.1", "adherence.rate")] == (">= 0.95", "minor")
    assert by_metric[("8.7.1", "requests.overdue")] == ("<= 0", "observation")
    assert by_metric[("9.1.2", "satisfaction.ikm")] == (">= 76.61", "minor")
    assert by_metric[("9.1.2", "complaints.response_on_time_rate")] == (">= 0.9", "minor")
    assert by_metric[("9.2.2", "audits.clause_coverage_12m")] == (">= 1", "observation")
    assert by_metric[("10.2.1", "findings.overdue")] == ("<= 0", "minor")
    # The registers of issue 21: 6.1, 7.2, 7.5.2, 7.5.3 and 8.4 graded from the records.
    assert by_metric[("6.1.2", "risks.treatment_overdue")] == ("<= 0", "minor")
    assert by_metric[("7.2", "competence.gaps")] == ("<= 0", "minor")
    assert by_metric[("7.5.2", "documents.without_approval")] == ("<= 0", "minor")
    assert by_metric[("7.5.3.1", "documents.undistributed")] == ("<= 0", "observation")
    assert by_metric[("8.4.1", "providers.evaluation_overdue")] == ("<= 0", "minor")
    assert by_metric[("10.2", "findings.open_major")] == ("<= 0", "major")
    assert by_metric[("7.5.2", "documents.stale")] == ("<= 0", "minor")
    person = [item for item in iso2015.iter_items() if not item.is_metric]
    assert all(item.answer == "person" and item.on_miss is None for item in person)
    assert len(person) > len(bound) * 3


def test_item_ids_unique_and_units_restrict(iso2015):
    ids = [item.id for item in iso2015.iter_items()]
    assert len(ids) == len(set(ids))
    provider = iso2015.find_item("8.4.1-a")
    assert provider.units == ("SEKRETARIAT",)
    assert provider.applies_to("sekretariat") and not provider.applies_to("SMA")
    assert iso2015.find_item("8.5.1-a").applies_to("SMA")


def test_2008_maps_to_matches_the_correspondence_file(iso2008, iso2015):
    edition_map = load_edition_map()
    forward = {m.from_ref: m.to_refs for m in edition_map.mappings}
    assert list(forward) == ISO_2008_REFS
    for clause in iso2008.iter_clauses():
        assert clause.maps_to == forward[clause.ref], clause.ref
    targets = {ref for refs in forward.values() for ref in refs}
    assert targets <= set(ISO_2015_REFS)
    assert set(edition_map.new_in_to) <= set(ISO_2015_REFS)
    assert not set(edition_map.new_in_to) & targets
    # Every 2015 clause can be traced back, is new, or sits under a mapped clause.
    for ref in ISO_2015_REFS:
        assert map_clause(ref, "2015", "2008") or ref in edition_map.new_in_to, ref


def test_sha256_raw_text_and_frozen_copy(iso2015):
    data = (bundled_dir() / "iso9001-2015.yaml").read_bytes()
    assert iso2015.sha256 == hashlib.sha256(data).hexdigest()
    assert iso2015.raw_text.encode("utf-8") == data
    frozen = load_checklist_text(iso2015.raw_text, "audit 1")
    assert frozen.sha256 == iso2015.sha256
    assert frozen.source == "audit 1"
    assert [i.id for i in frozen.iter_items()] == [i.id for i in iso2015.iter_items()]
    assert frozen.find_item("9.1.2-a") == iso2015.find_item("9.1.2-a")


def test_domain_module_imports_neither_typer_nor_rich():
    code = ("import sys, qmstrack.checklists as c; c.load_checklist('iso9001-2015'); "
            "assert not {'typer', 'rich'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- loading ----------------------------------------------------------------------------


def test_load_valid_file(tmp_path):
    path = write(tmp_path, VALID)
    checklist = load_checklist_file(path)
    assert (checklist.id, checklist.version, checklist.edition) == ("demo", 2, "2015")
    assert checklist.source == str(path)
    assert checklist.clause_refs() == ["8", "8.5.1"]
    first, second = list(checklist.iter_items())
    assert first.clause_ref == "8.5.1" and first.line == 14
    assert first.metric == "requests.on_time_rate" and first.answer == "metric"
    assert first.target.threshold == pytest.approx(0.9) and first.target.op == ">="
    assert first.on_miss == "major"
    assert second.metric is None and second.on_miss is None
    assert second.units == ("SMA", "SMP") and second.evidence == ("requests", "rules")
    assert checklist.item_count == 2 and checklist.metric_item_count == 1
    assert checklist.find_clause("8").assessable is False
    assert checklist.find_clause("8.5.1").parent_ref == "8"


def test_text_falls_back_to_the_other_language(tmp_path):
    checklist = load_checklist_file(write(tmp_path, VALID))
    item = checklist.find_item("8.5.1-b")
    assert item.text("question", "id") == "Who checks the output?"  # only English given
    assert item.text("guidance", "en") == item.text("guidance", "id") == "Look at the signatures."
    assert checklist.find_item("8.5.1-a").text("question", "id") == "Apakah permohonan tepat waktu?"
    assert checklist.text("title", "en") == "Demo checklist"
    assert checklist.text("description", "en") == ""
    assert checklist.find_clause("8").text("title", "id") == "Operasi"


def test_find_clause_and_item_not_found(tmp_path):
    checklist = load_checklist_file(write(tmp_path, VALID))
    with pytest.raises(NotFound, match="no clause '9.9'"):
        checklist.find_clause("9.9")
    with pytest.raises(NotFound, match="no item"):
        checklist.find_item("nope")


def test_to_dict_is_nested_and_bilingual(tmp_path):
    data = load_checklist_file(write(tmp_path, VALID)).to_dict()
    assert data["title"] == {"en": "Demo checklist", "id": "Daftar periksa contoh"}
    child = data["tree"][0]["clauses"][0]
    assert child["ref"] == "8.5.1"
    assert child["items"][0]["target"] == ">= 0.9"
    assert child["items"][1]["question"] == {"en": "Who checks the output?",
                                             "id": "Who checks the output?"}


def test_byte_order_mark_keeps_the_file_hash(tmp_path):
    data = b"\xef\xbb\xbf" + VALID.encode("utf-8")
    checklist = load_checklist_file(write(tmp_path, data))
    assert checklist.sha256 == hashlib.sha256(data).hexdigest()
    assert checklist.raw_text.encode("utf-8") == data
    assert load_checklist_text(checklist.raw_text).sha256 == checklist.sha256


def test_cache_by_content(tmp_path):
    path = write(tmp_path, VALID)
    assert load_checklist_file(path) is load_checklist_file(path)
    path.write_text(VALID.replace("version: 2", "version: 3"), encoding="utf-8")
    assert load_checklist_file(path).version == 3


def test_unquoted_refs_are_read_as_written(tmp_path):
    text = VALID.replace('- ref: "8"', "- ref: 7").replace("8.5.1", "7.10").replace(
        "ref: 7.10", "ref: 7.10")
    checklist = load_checklist_file(write(tmp_path, text))
    assert checklist.clause_refs() == ["7", "7.10"]


# --- refused files: every error, with file, line and field ---------------------------------


def _replace(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


BROKEN = {
    "bad indentation": (VALID.replace("standard: ISO 9001", "  standard: ISO 9001"), 3,
                        "not valid YAML"),
    "tab indentation": (_replace("    clauses:\n      - ref: 8.5.1",
                                 "    clauses:\n\t  - ref: 8.5.1"), 11,
                        "a tab character is used for indentation"),
    "duplicate item id": (_replace("- id: 8.5.1-b", "- id: 8.5.1-a"), 19,
                          "duplicate item id '8.5.1-a' (first at line 14)"),
    "duplicate key": (_replace("version: 2\n", "version: 2\nversion: 3\n"), 6,
                      "duplicate key 'version' (first at line 5)"),
    "version not integer": (_replace("version: 2", "version: 2.5"), 5,
                            "version: must be a whole number"),
    "units not list": (_replace("units: [sma, SMP]", "units: SMA"), 24,
                       "units: must be a list"),
    "unknown metric": (_replace("metric: requests.on_time_rate", "metric: foo.bar"), 16,
                       "item[8.5.1-a].metric: unknown metric 'foo.bar'"),
    "misspelt metric": (_replace("metric: requests.on_time_rate", "metric: request.on_time_rate"),
                        16, "did you mean 'requests.on_time_rate'?"),
    "bad target": (_replace('target: ">= 90%"', "target: about ninety"), 17,
                   "item[8.5.1-a].target: the target 'about ninety' is not a comparison"),
    "rate target above one": (_replace('target: ">= 90%"', 'target: ">= 90"'), 17,
                              "fraction between 0 and 1"),
    "metric without target": (_replace('            target: ">= 90%"\n', ""), 16,
                               "needs a target"),
    "target without metric": (_replace("            metric: requests.on_time_rate\n", ""),
                              16, "a target needs a metric"),
    "bad on_miss": (_replace("on_miss: major", "on_miss: critical"), 18,
                    "'critical' is not one of: minor, major, observation"),
    "child does not extend parent": (_replace("- ref: 8.5.1", "- ref: 9.1"), 11,
                                     "'9.1' does not extend its parent clause '8'"),
    "duplicate clause": (_replace("- ref: 8.5.1", "- ref: 8.5.1\n        title: x\n"
                                  "        items: [{id: z, question: q}]\n"
                                  "      - ref: 8.5.1"), 14,
                         "duplicate clause '8.5.1' (first at line 11)"),
    "missing title": (_replace("    title: {en: Operation, id: Operasi}\n", ""), 8,
                      "missing required key 'title'"),
    "missing question": (_replace("            question:\n              en: Who checks the "
                                  "output?\n", ""), 19,
                         "missing required key 'question'"),
    "unknown key": (_replace("version: 2", "version: 2\nauthor: me"), 6,
                    "author: unknown key"),
    "text in a language not listed": (_replace("{en: Operation, id: Operasi}",
                                               "{en: Operation, fr: Opération}"), 9,
                                      "language 'fr' is not in the checklist's languages"),
    "empty list": (_replace("evidence: [requests, rules]", "evidence: []"), 23,
                   "empty list"),
    "unknown evidence kind": (_replace("evidence: [requests, rules]",
                                       "evidence: [requests, gossip]"), 23,
                              "'gossip' is not one of"),
    "leaf without items": (_replace("    clauses:\n      - ref: 8.5.1",
                                    "    clauses:\n      - ref: 8.4\n        title: x\n"
                                    "      - ref: 8.5.1"), 11,
                           "neither items nor sub-clauses"),
    "assessable without items": (_replace("    title: {en: Operation, id: Operasi}\n",
                                          "    title: {en: Operation, id: Operasi}\n"
                                          "    assessable: true\n"), 10,
                                 "marked assessable but has no items"),
    "alias": (_replace("standard: ISO 9001", "standard: &s ISO 9001\nlabel: *s"), 4,
              "aliases (*s) are not supported"),
    "python tag": (_replace('question: {en: "Are requests on time?", id: "Apakah permohonan '
                            'tepat waktu?"}',
                            "question: !!python/object/apply:os.system ['touch PWNED']"), 15,
                   "the YAML tag '!!python/object/apply:os.system' is not allowed"),
    "two documents": (VALID + "---\nid: other\n", 25, "more than one YAML document"),
    "empty file": ("", 1, "the file is empty"),
    "only comments": ("# nothing here\n\n", 1, "the file is empty"),
    "a CSV file": ("ref,title,question\n4.1,Context,Is it known?\n", 1,
                   "the top level must be a mapping"),
    "a list": ("- id: x\n- id: y\n", 1, "the top level must be a mapping"),
    "binary bytes": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 3,
                     "binary file"),
    "not UTF-8": ("id: demo\ntitle: Caf\xe9\n".encode("latin-1"), 2, "not UTF-8"),
    "UTF-16": ("id: demo\n".encode("utf-16"), 1, "UTF-16"),
    "control character": (_replace("guidance: Look at the signatures.",
                                   'guidance: "Look\\x07 here"'), 22, "control characters"),
}


@pytest.mark.parametrize("case", sorted(BROKEN), ids=lambda c: c.replace(" ", "-"))
def test_broken_file_names_file_line_and_reason(case, tmp_path, monkeypatch):
    text, line, reason = BROKEN[case]
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, text)
    exc = refused(path)
    assert str(exc).startswith(f"{path} has ")
    assert str(exc).endswith("; nothing was loaded.")
    expected = f"{path}:{line}: "
    matching = [d for d in exc.details if d.startswith(expected) and reason in d]
    assert matching, (case, exc.details)
    assert not (tmp_path / "PWNED").exists()


def test_all_errors_of_a_file_are_reported_at_once(tmp_path):
    text = (VALID.replace("version: 2", "version: two")
            .replace("metric: requests.on_time_rate", "metric: foo.bar")
            .replace("on_miss: major", "on_miss: huge")
            .replace("- id: 8.5.1-b", "- id: 8.5.1-a"))
    exc = refused(write(tmp_path, text))
    assert str(exc) == f"{tmp_path / 'checklist.yaml'} has 4 errors; nothing was loaded."
    lines = [int(d.split(":")[1]) for d in exc.details]
    assert lines == [5, 16, 18, 19]


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("w") as out:
        out.write("# padding\n" * (checklists.MAX_FILE_BYTES // 10 + 10))
    exc = refused(path)
    assert "at most 10 MB" in exc.details[0]


def test_large_file_with_many_errors_is_reported_without_crashing(tmp_path):
    items = "".join(f"      - id: i{n}\n        question: Question {n}\n"
                    f"        metric: no.such_metric\n        target: '>= 1'\n"
                    for n in range(1500))
    text = ("id: big\ntitle: Big\nstandard: ISO 9001\nedition: '2015'\nversion: 1\n"
            "languages: [en]\nclauses:\n  - ref: '1'\n    title: One\n    items:\n" + items)
    exc = refused(write(tmp_path, text))
    assert str(exc).endswith("has 1500 errors; nothing was loaded.")
    assert len(exc.details) == checklists.MAX_DETAILS + 1
    assert exc.details[-1] == f"... and {1500 - checklists.MAX_DETAILS} more errors."
    # And the same file with a known metric loads.
    checklist = load_checklist_file(write(tmp_path, text.replace("no.such_metric",
                                                                 "requests.received"), "ok.yaml"))
    assert checklist.item_count == 1500


def test_deep_nesting_is_refused_by_our_own_limit(tmp_path):
    # Deeper than qmstrack allows, well within what any YAML parser accepts: our own words.
    depth = checklists.MAX_NESTING + 36
    path = write(tmp_path, "[" * depth + "]" * depth)
    exc = refused(path)
    assert str(exc).startswith(f"{path} has ")
    assert exc.details[0].startswith(f"{path}:1:")
    assert f"nested more than {checklists.MAX_NESTING} levels" in exc.details[0]


def test_extreme_nesting_is_refused_naming_file_and_line(tmp_path):
    # So deep that the YAML parser may refuse it first (PyYAML >= 6.0.4 does, in its own
    # words): whoever refuses, the user gets qmstrack's error naming the file and the line.
    path = write(tmp_path, "[" * 100_000 + "]" * 100_000)
    exc = refused(path)
    assert str(exc).startswith(f"{path} has ")
    assert len(exc.details) == 1
    assert exc.details[0].startswith(f"{path}:1:")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(["id: x\n", "- ref: 1\n", "  ", "\t", "[", "]", "{", "}", ": ",
                              "!!python/object:os.system ", "&a ", "*a ", "? ", "'", '"',
                              "\n", "clauses:\n", "items:\n", "# c\n", "---\n", "é", "\x00",
                              "target: '>= x'\n", "metric: y\n", "version: 1\n"]),
             max_size=40).map("".join),
))
def test_arbitrary_text_raises_only_invalid_input(text):
    try:
        load_checklist_text(text, "fuzz.yaml")
    except InvalidInput as exc:
        assert str(exc).startswith("fuzz.yaml has ")
        assert exc.details and all(d.startswith("fuzz.yaml") for d in exc.details)


def test_load_checklist_bytes_and_missing_file(tmp_path):
    assert load_checklist_bytes(VALID.encode(), "mem.yaml").source == "mem.yaml"
    with pytest.raises(NotFound):
        load_checklist_file(tmp_path / "nope.yaml")
    with pytest.raises(InvalidInput, match="is a directory"):
        load_checklist_file(tmp_path)


# --- finding checklists ------------------------------------------------------------------------


def test_list_checklists_bundled_and_user(tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    write(user, VALID, "demo.yml")
    write(user, "id: [broken", "broken.yaml")
    write(user, "not: a checklist", "map-something.yaml")
    write(user, "ignored", "notes.txt")
    entries = list_checklists(user)
    good = {(e.origin, e.checklist.id) for e in entries if e.checklist}
    assert good == {("bundled", "iso9001-2015"), ("bundled", "iso9001-2008"), ("user", "demo")}
    broken = [e for e in entries if e.error]
    assert [e.path.name for e in broken] == ["broken.yaml"]
    assert f"{user / 'broken.yaml'}:" in broken[0].error.details[0]
    assert "not valid YAML" in broken[0].error.details[0]
    assert {e.checklist.id for e in list_checklists(None) if e.checklist} == {
        "iso9001-2015", "iso9001-2008"}
    assert {e.checklist.id for e in list_checklists(tmp_path / "missing") if e.checklist} == {
        "iso9001-2015", "iso9001-2008"}


def test_resolve_by_id_path_and_user_override(tmp_path):
    assert resolve_checklist("iso9001-2015").origin == "bundled"
    assert load_checklist("iso9001-2008", tmp_path).id == "iso9001-2008"
    path = write(tmp_path, VALID, "demo.yaml")
    assert resolve_checklist(str(path)).origin == "path"
    assert resolve_checklist("demo", tmp_path).origin == "user"
    override = write(tmp_path, VALID.replace("id: demo", "id: iso9001-2015"), "mine.yaml")
    replaced = resolve_checklist("iso9001-2015", tmp_path)
    assert replaced.origin == "user" and replaced.source == str(override)
    write(tmp_path, VALID.replace("id: demo", "id: iso9001-2015"), "again.yaml")
    with pytest.raises(Conflict, match="Two checklist files have the id 'iso9001-2015'"):
        resolve_checklist("iso9001-2015", tmp_path)


def test_resolve_unknown(tmp_path):
    write(tmp_path, "id: [", "broken.yaml")
    with pytest.raises(NotFound, match="no checklist 'nope'.*could not be read"):
        resolve_checklist("nope", tmp_path)
    with pytest.raises(NotFound, match="no checklist file missing.yaml"):
        resolve_checklist("missing.yaml", tmp_path)


# --- edition maps ------------------------------------------------------------------------------


def test_map_2008_to_2015():
    assert map_clause("8.2.1", "2008", "2015") == ("9.1.2",)
    assert "10.2" in map_clause("8.5.2", "2008", "2015")
    assert "6.1" in map_clause("8.5.3", "2008", "2015")
    assert map_clause("7.6", "2008", "2015") == ("7.1.5", "7.1.5.1", "7.1.5.2")
    assert map_clause(" 4.2.3 ", 2008, 2015) == ("7.5.2", "7.5.3")
    assert map_clause("1.2", "2008", "2015") == ("4.3",)
    assert map_clause("5.6", "2008", "2015") == ("4.1", "4.2", "9.3")
    assert "5.3" in map_clause("5.4.2", "2008", "2015")
    assert "8.4.1" in map_clause("4.1", "2008", "2015")


def test_map_2015_to_2008_inverts():
    assert map_clause("9.1.2", "2015", "2008") == ("8.2.1",)
    assert set(map_clause("10.2", "2015", "2008")) == {"8.3", "8.5.2"}
    assert map_clause("10.2.1", "2015", "2008") == ("8.5.2",)
    assert map_clause("7.1.5", "2015", "2008") == ("7.6",)
    assert map_clause("5.2.1", "2015", "2008") == ("5.3",)
    # Per the ISO/TC 176/SC 2 correlation matrix (N1293): not new, rooted in 4 and 5.6.
    assert set(map_clause("4.1", "2015", "2008")) == {"4", "5.6"}
    assert set(map_clause("4.2", "2015", "2008")) == {"4", "5.6"}
    assert set(map_clause("4.3", "2015", "2008")) == {"1.2", "4.2.2"}
    assert set(map_clause("5.3", "2015", "2008")) == {"5.4.2", "5.5", "5.5.1", "5.5.2"}
    assert set(map_clause("8.4.1", "2015", "2008")) == {"4.1", "7.4.1"}
    assert map_clause("7.1.5.2", "2015", "2008") == ("7.6",)
    assert map_clause("8.2.3.1", "2015", "2008") == ("7.2.2",)
    assert map_clause("7.1.6", "2015", "2008") == ()  # new in 2015


def test_map_unknown_ref_and_editions():
    with pytest.raises(NotFound, match="'9.9' is not a clause of ISO 9001:2008"):
        map_clause("9.9", "2008", "2015")
    with pytest.raises(NotFound, match="'4.9' is not a clause of ISO 9001:2015"):
        map_clause("4.9", "2015", "2008")
    with pytest.raises(UsageError):
        map_clause("4.1", "2000", "2015")
    with pytest.raises(UsageError):
        map_clause("4.1", "2015", "2015")


def test_broken_map_file_is_reported(tmp_path):
    path = write(tmp_path, "id: m\nstandard: ISO 9001\nfrom_edition: '2008'\n"
                           "to_edition: '2015'\nmappings:\n  - {from: '4', to: []}\n"
                           "  - {from: '4', to: ['4']}\n  - {form: '5', to: ['5']}\n",
                 "map-x.yaml")
    with pytest.raises(InvalidInput) as info:
        load_edition_map(path)
    details = "\n".join(info.value.details)
    assert f"{path}:6: mappings[0].to: is an empty list" in details
    assert f"{path}:7: mappings[1].from: clause '4' is mapped twice" in details
    assert f"{path}:8: mappings[2].form: unknown key" in details
