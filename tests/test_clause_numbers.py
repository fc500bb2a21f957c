"""Clause numbers are those of the office's edition, wherever a person types one; the
bundled checklists hold every clause of their edition."""

from __future__ import annotations

import pytest

from qmstrack.checklists import resolve_checklist
from qmstrack.config import set_value


def test_the_2015_checklist_has_the_sub_clauses_of_7_1_5_and_8_2_3():
    iso2015 = resolve_checklist("iso9001-2015")
    for ref, title in (("7.1.5.1", "General"), ("7.1.5.2", "Measurement traceability"),
                       ("8.2.3.1", "Ability to meet the requirements"),
                       ("8.2.3.2", "Records of the review")):
        clause = iso2015.find_clause(ref)
        assert clause.text("title", "en") == title and clause.assessable, ref
    assert iso2015.find_clause("8.5.4").text("title", "id") == "Preservasi"


def test_the_2008_checklist_has_its_application_clause():
    iso2008 = resolve_checklist("iso9001-2008")
    clause = iso2008.find_clause("1.2")
    assert clause.maps_to == ("4.3",) and clause.assessable


@pytest.mark.parametrize("clause", ["9.9.9", "4.9", "11", "7.1.5.3"])
def test_finding_add_refuses_a_clause_not_in_the_edition(cli, office, clause):
    result = cli("finding", "add", "--clause", clause, "--grade", "minor",
                 "--description", "x")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Clause {clause} is not a clause of "
                                    "ISO 9001:2015")
    assert office.execute("SELECT count(*) FROM findings").fetchone()[0] == 0


def test_finding_add_takes_a_clause_of_the_edition(cli, office):
    result = cli("finding", "add", "--clause", "7.1.5.2", "--grade", "observation",
                 "--description", "Jam mesin antrean tidak pernah dicocokkan")
    assert result.exit_code == 0, result.stderr


def test_rule_add_refuses_a_clause_not_in_the_edition(cli, office):
    result = cli("rule", "add", "--code", "SOP-X", "--title", "X", "--clause", "8.5.1",
                 "--clause", "99.1")
    assert result.exit_code == 1
    assert "Clause 99.1 is not a clause of ISO 9001:2015" in result.stderr
    assert office.execute("SELECT count(*) FROM rules WHERE code = 'SOP-X'").fetchone()[0] == 0
    ok = cli("rule", "add", "--code", "SOP-X", "--title", "X", "--clause", "8.2.3.1")
    assert ok.exit_code == 0, ok.stderr


def test_an_office_on_the_2008_edition_types_2008_clauses(cli, office):
    set_value(office, "default_checklist", "iso9001-2008")
    assert cli("finding", "add", "--clause", "1.2", "--grade", "minor",
               "--description", "x").exit_code == 0
    refused = cli("finding", "add", "--clause", "10.2", "--grade", "minor",
                  "--description", "x")
    assert refused.exit_code == 1 and "not a clause of ISO 9001:2008" in refused.stderr


def test_a_rules_import_names_the_row_with_an_unknown_clause(cli, office, tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text("code,title,clauses\nSOP-A,A,8.5.1\nSOP-B,B,12.1\n", encoding="utf-8")
    result = cli("rule", "import", str(path))
    assert result.exit_code == 1
    assert "row 3" in result.stderr and "Clause 12.1 is not a clause" in result.stderr
    assert office.execute("SELECT count(*) FROM rules WHERE code IN ('SOP-A', 'SOP-B')"
                          ).fetchone()[0] == 0
