"""The SKM as PermenPAN-RB 14/2017 asks for it: per element NRR, weighted NRR, converted
value and category; the IKM with the weight stated; Krejcie-Morgan sample adequacy; the
respondents' profile; the follow-up plan; the report files and the blank questionnaire.

Every figure is checked against a computation written here from the raw rows.
"""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from qmstrack.errors import Conflict, ImportRefused, InvalidInput, NotFound
from qmstrack.metrics import Period
from qmstrack.registers.requests import add_request
from qmstrack.registers.survey_actions import add_action, close_action, list_actions
from qmstrack.registers.surveys import add_response, import_responses
from qmstrack.satisfaction import (
    element_category,
    required_sample,
    satisfaction_figures,
    weakest_elements,
)
from qmstrack.survey_report import previous_periods, survey_report_data

AUG = Period(date(2026, 8, 1), date(2026, 8, 31))
TODAY = date(2026, 9, 10)
BUDI = "198609262015051001"

# (service, date, nine scores, sex, age, education, occupation)
ROWS = [
    ("SMA-LEG", "2026-08-03", (4, 4, 3, 4, 4, 4, 4, 3, 4), "L", "34", "S1", "PNS"),
    ("SMA-LEG", "2026-08-04", (3, 4, 2, 4, 3, 4, 4, 3, 3), "P", "21", "sma", "Swasta"),
    ("SMA-LEG", "2026-08-05", (4, 3, 2, 4, 4, 3, 4, 2, 4), "Perempuan", "17-25", "SMA",
     "Guru honorer"),
    ("SMA-MUT", "2026-08-06", (3, 3, 3, 4, 3, 3, 3, 3, 3), "", "", "", ""),
    ("SMP-LEG", "2026-08-07", (2, 3, 2, 4, 3, 3, 4, 2, 3), "L", "65", "D3", "wirausaha"),
]


def element_header() -> str:
    return "tanggal,kode_layanan,u1,u2,u3,u4,u5,u6,u7,u8,u9,jenis_kelamin,usia,pendidikan," \
           "pekerjaan\n"


@pytest.fixture
def skm(office, tmp_path):
    lines = [element_header()]
    for service, day, scores, sex, age, edu, job in ROWS:
        lines.append(f"{day},{service},{','.join(map(str, scores))},{sex},{age},{edu},{job}\n")
    path = tmp_path / "skm.csv"
    path.write_text("".join(lines), encoding="utf-8")
    import_responses(office, path)
    # The population: requests received in August (8 for SMA-LEG, 2 SMA-MUT, 30 SMP-LEG),
    # and one in July that does not count.
    for i in range(8):
        add_request(office, service="SMA-LEG", requester=f"P{i}", received="2026-08-10",
                    today=TODAY)
    for i in range(2):
        add_request(office, service="SMA-MUT", requester=f"M{i}", received="2026-08-11",
                    today=TODAY)
    for i in range(30):
        add_request(office, service="SMP-LEG", requester=f"S{i}", received="2026-08-12",
                    today=TODAY)
    add_request(office, service="SMA-LEG", requester="Juli", received="2026-07-30",
                today=TODAY)
    return office


# --- an independent computation from the raw rows ---------------------------------------


def by_hand_category(nrr: float) -> str:
    four = Decimal(repr(nrr)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if four >= Decimal("3.5324"):
        return "A"
    if four >= Decimal("3.0644"):
        return "B"
    if four >= Decimal("2.60"):
        return "C"
    return "D"


def by_hand_ikm_category(ikm: float) -> str:
    two = Decimal(repr(ikm)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return "A" if two >= 88.31 else "B" if two >= Decimal("76.61") else \
        "C" if two >= 65 else "D"


def by_hand_sample(n: int) -> int:
    if n == 0:
        return 0
    s = Fraction(3841, 1000) * n * Fraction(1, 4) / (
        Fraction(1, 400) * (n - 1) + Fraction(3841, 1000) * Fraction(1, 4))
    return math.ceil(s)


def by_hand(rows, weight: float = 1 / 9):
    n = len(rows)
    nrr = [sum(r[2][i] for r in rows) / n for i in range(9)]
    weighted = [v * weight for v in nrr]
    ikm = sum(weighted) * 25
    return nrr, weighted, ikm


@pytest.mark.parametrize("nrr, letter", [
    (1.0, "D"), (2.5996, "D"), (2.59999, "C"), (2.60, "C"), (3.064, "C"), (3.0642, "C"),
    (3.06435, "B"), (3.0644, "B"), (3.532, "B"), (3.5323, "B"), (3.5324, "A"), (4.0, "A"),
])
def test_element_category_follows_the_interval_table(nrr, letter):
    assert element_category(nrr).letter == letter == by_hand_category(nrr)


@pytest.mark.parametrize("population, table", [
    # Krejcie and Morgan's Table 1 (which rounds to the nearest whole number)
    (10, 10), (50, 44), (100, 80), (200, 132), (500, 217), (1000, 278), (2000, 322),
    (9000, 368), (50000, 381), (75000, 382), (1000000, 384), (1, 1),
])
def test_required_sample_is_krejcie_morgan_rounded_up(population, table):
    # rounded up, as the office's rule says: the table's value, or one more where the
    # table rounded down
    assert table <= required_sample(population) <= table + 1
    assert required_sample(population) == by_hand_sample(population)
    assert required_sample(0) == 0


def test_required_sample_equals_the_formula_everywhere():
    assert all(required_sample(n) == by_hand_sample(n) for n in range(0, 3001))


def test_per_element_figures_and_ikm_from_the_raw_rows(skm):
    data = survey_report_data(skm, start=AUG.start, end=AUG.end, today=TODAY)
    nrr, weighted, ikm = by_hand(ROWS)
    overall = data["overall"]
    assert overall["responses"] == 5
    assert overall["weight"] == data["weight"] == "exact"
    for i, element in enumerate(overall["elements"]):
        assert element["code"] == f"U{i + 1}"
        assert element["nrr"] == pytest.approx(nrr[i], abs=1e-12)
        assert element["nrr_weighted"] == pytest.approx(weighted[i], abs=1e-12)
        assert element["converted"] == pytest.approx(nrr[i] * 25, abs=1e-12)
        assert element["category"] == by_hand_category(nrr[i])
    assert overall["elements"][0]["name"] == "Persyaratan"
    assert overall["ikm"] == pytest.approx(ikm, abs=1e-12)
    assert overall["category"] == by_hand_ikm_category(ikm)
    # U3 (2.4) and U8 (2.6) are the lowest, then U1 (3.2)
    lowest = sorted(range(9), key=lambda i: (nrr[i], i))
    third = nrr[lowest[2]]
    expected = [f"U{i + 1}" for i in lowest if nrr[i] <= third]
    assert data["weakest"] == expected == ["U3", "U8", "U1"]
    # per service and unit, each from its own rows
    for service in data["services"]:
        rows = [r for r in ROWS if r[0] == service["service_code"]]
        assert service["responses"] == len(rows)
        if rows:
            assert service["ikm"] == pytest.approx(by_hand(rows)[2], abs=1e-12)
        else:
            assert service["ikm"] is None and service["category"] is None
    sma = next(u for u in data["units"] if u["unit"] == "SMA")
    rows = [r for r in ROWS if r[0].startswith("SMA")]
    assert sma["ikm"] == pytest.approx(by_hand(rows)[2], abs=1e-12)


def test_the_weight_setting_reproduces_rounded_spreadsheets(skm, cli):
    result = cli("config", "set", "ikm_weight", "0.111")
    assert result.exit_code == 0, result.stderr
    data = json.loads(cli("survey", "report", "--from", "2026-08-01", "--to", "2026-08-31",
                          "--json").stdout)
    nrr, weighted, ikm = by_hand(ROWS, 0.111)
    assert data["weight"] == data["overall"]["weight"] == "0.111"
    assert data["overall"]["ikm"] == pytest.approx(ikm, abs=1e-12)
    assert data["overall"]["elements"][2]["nrr_weighted"] == pytest.approx(weighted[2])
    # the metric registry and the summary use the same weight
    assert satisfaction_figures(skm, AUG)["ikm"] == pytest.approx(ikm, abs=1e-12)
    bad = cli("config", "set", "ikm_weight", "0.2")
    assert bad.exit_code != 0 and "0.111" in bad.stderr
    assert cli("config", "set", "ikm_weight", "exact").exit_code == 0
    assert satisfaction_figures(skm, AUG)["ikm"] == pytest.approx(by_hand(ROWS)[2], abs=1e-12)


def test_sample_adequacy_next_to_every_ikm(skm):
    data = survey_report_data(skm, start=AUG.start, end=AUG.end, today=TODAY)
    populations = {"SMA-LEG": 8, "SMA-MUT": 2, "SMP-LEG": 30}
    for service in data["services"]:
        population = populations.get(service["service_code"], 0)
        responses = sum(r[0] == service["service_code"] for r in ROWS)
        assert service["sample"] == {
            "population": population, "required": by_hand_sample(population),
            "responses": responses,
            "adequate": responses > 0 and responses >= by_hand_sample(population)}
    assert data["overall"]["sample"]["population"] == 40  # July's request not counted
    assert data["overall"]["sample"]["required"] == by_hand_sample(40) == 37
    assert data["overall"]["sample"]["adequate"] is False
    # SMA-MUT: 2 requests need 2 responses, it has 1; SMA-LEG: 8 need 8, it has 3
    assert [s["sample"]["adequate"] for s in data["services"]
            if s["service_code"] in ("SMA-LEG", "SMA-MUT")] == [False, False]
    # a population the office sets
    given = survey_report_data(skm, start=AUG.start, end=AUG.end, population=5, today=TODAY)
    assert given["overall"]["sample"] == {"population": 5, "required": 5, "responses": 5,
                                          "adequate": True}
    with pytest.raises(InvalidInput):
        survey_report_data(skm, start=AUG.start, end=AUG.end, population=-1, today=TODAY)


def test_profile_counts_every_value_as_written(skm):
    data = survey_report_data(skm, start=AUG.start, end=AUG.end, today=TODAY)
    profile = data["overall"]["profile"]
    assert profile["sex"] == {"L": 2, "P": 2, "": 1}
    # ages in years fall in their band; a band written on the form stays as written
    assert profile["age"] == {"20-29": 1, "30-39": 1, "60-100": 1, "17-25": 1, "": 1}
    # "sma" is SMA; D3 is not on the form's list and is kept as written
    assert profile["education"] == {"SMA": 2, "S1": 1, "D3": 1, "": 1}
    assert profile["occupation"] == {"PNS": 1, "Swasta": 1, "Wirausaha": 1,
                                     "Guru honorer": 1, "": 1}
    assert sum(profile["sex"].values()) == data["overall"]["responses"]
    service = next(s for s in data["services"] if s["service_code"] == "SMP-LEG")
    assert service["profile"]["education"] == {"D3": 1}


def test_weakest_elements_include_ties():
    rows = [{"code": f"U{i}", "nrr": v} for i, v in
            enumerate([3.0, 2.0, 3.0, 3.0, 4.0, 2.5, 4.0, 4.0, None], start=1)]
    assert [e["code"] for e in weakest_elements(rows)] == ["U2", "U6", "U1", "U3", "U4"]


def test_trend_periods_step_back_by_the_period_length():
    assert previous_periods(Period(date(2026, 1, 1), date(2026, 12, 31))) == [
        Period(date(2024, 1, 1), date(2024, 12, 31)),
        Period(date(2025, 1, 1), date(2025, 12, 31))]
    assert previous_periods(Period(date(2026, 4, 1), date(2026, 6, 30)), 1) == [
        Period(date(2026, 1, 1), date(2026, 3, 31))]
    assert previous_periods(Period(date(2026, 8, 10), date(2026, 8, 16)), 1) == [
        Period(date(2026, 8, 3), date(2026, 8, 9))]


def test_trend_against_the_previous_periods(skm):
    add_response(skm, service="SMA-LEG", scores="2,2,2,2,2,2,2,2,2", on="2026-07-15",
                 today=TODAY)
    data = survey_report_data(skm, start=AUG.start, end=AUG.end, today=TODAY)
    assert [t["period"] for t in data["trend"]] == [
        {"start": "2026-06-01", "end": "2026-06-30"},
        {"start": "2026-07-01", "end": "2026-07-31"}]
    july = data["trend"][1]
    assert (july["responses"], july["ikm"], july["category"]) == (1, 50.0, "D")
    assert [e["nrr"] for e in july["elements"]] == [2.0] * 9
    assert data["trend"][0]["ikm"] is None


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("age", ["9", "101", "150 tahun"])
def test_ages_outside_10_to_100_are_refused_naming_the_row(office, tmp_path, age):
    path = tmp_path / "skm.csv"
    path.write_text(element_header()
                    + "2026-08-03,SMA-LEG,4,4,4,4,4,4,4,4,4,L,30,S1,PNS\n"
                    + f"2026-08-03,SMA-LEG,4,4,4,4,4,4,4,4,4,L,{age},S1,PNS\n",
                    encoding="utf-8")
    with pytest.raises(ImportRefused) as exc:
        import_responses(office, path)
    text = str(exc.value) + " ".join(map(str, exc.value.details))
    assert "3" in text and "10" in text and "100" in text
    assert office.execute("SELECT count(*) FROM surveys").fetchone()[0] == 0


def test_a_suggestion_over_5000_characters_is_refused(office, tmp_path, cli):
    path = tmp_path / "skm.csv"
    path.write_text("tanggal,kode_layanan,u1,u2,u3,u4,u5,u6,u7,u8,u9,saran\n"
                    f"2026-08-03,SMA-LEG,4,4,4,4,4,4,4,4,4,{'x' * 5001}\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as exc:
        import_responses(office, path)
    assert "5,000" in str(exc.value) + " ".join(map(str, exc.value.details))
    result = cli("survey", "add", "--service", "SMA-LEG", "--scores", "4,4,4,4,4,4,4,4,4",
                 "--date", "2026-08-03", "--note", "y" * 5001)
    assert result.exit_code == 1 and "5,000" in result.stderr
    ok = cli("survey", "add", "--service", "SMA-LEG", "--scores", "4,4,4,4,4,4,4,4,4",
             "--date", "2026-08-03", "--note", "y" * 5000)
    assert ok.exit_code == 0, ok.stderr
    assert office.execute("SELECT count(*) FROM surveys").fetchone()[0] == 1


# --- the follow-up plan -----------------------------------------------------------------


def test_follow_up_actions_and_their_states(skm):
    a = add_action(skm, element="u3", action="Tambah petugas loket legalisir", owner=BUDI,
                   due="2026-09-05", unit="SMA", raised="2026-09-01", today=TODAY)
    assert (a["element"], a["unit"], a["owner_name"], a["state"]) == (
        "U3", "SMA", "Budi Santoso", "overdue")
    b = add_action(skm, element="U8", action="Kotak saran daring", owner=BUDI,
                   due="2026-09-30", raised="2026-09-01", today=TODAY)
    assert b["unit"] is None and b["state"] == "open"
    overdue = list(list_actions(skm, overdue_on=TODAY, today=TODAY))
    assert [x["id"] for x in overdue] == [a["id"]]
    closed = close_action(skm, a["id"], on="2026-09-08", today=TODAY)
    assert closed["state"] == "closed" and closed["closed_on"] == "2026-09-08"
    assert list(list_actions(skm, overdue_on=TODAY, today=TODAY)) == []
    with pytest.raises(Conflict):
        close_action(skm, a["id"], today=TODAY)
    with pytest.raises(NotFound):
        close_action(skm, 999, today=TODAY)
    # an SMP scope sees the office-wide action, not SMA's
    assert [x["id"] for x in list_actions(skm, units=("SMP",), today=TODAY)] == [b["id"]]


@pytest.mark.parametrize("changes, words", [
    ({"element": "U10"}, "U1 to U9"),
    ({"due": "2026-08-01"}, "before"),
    ({"owner": "199999999999999999"}, "no staff member"),
    ({"action": "  "}, "action"),
    ({"raised": "2026-12-01"}, "future"),
    ({"service": "SMP-LEG", "unit": "SMA"}, "belongs to unit SMP"),
])
def test_follow_up_action_bad_input_writes_nothing(skm, changes, words):
    values = {"element": "U3", "action": "Perbaiki", "owner": BUDI, "due": "2026-09-30",
              "raised": "2026-09-01", **changes}
    with pytest.raises((InvalidInput, NotFound)) as exc:
        add_action(skm, today=TODAY, **values)
    assert words.lower() in str(exc.value).lower()
    assert skm.execute("SELECT count(*) FROM survey_actions").fetchone()[0] == 0


def test_cli_actions_in_summary_alert_and_report(skm, cli, tmp_path):
    added = cli("survey", "action", "add", "--element", "U3", "--action",
                "Tambah petugas <b>loket</b>", "--owner", BUDI, "--due", "2026-08-20",
                "--date", "2026-08-15", "--json")
    assert added.exit_code == 0, added.stderr
    action = json.loads(added.stdout)
    bad = cli("survey", "action", "add", "--element", "X", "--action", "a", "--owner", BUDI,
              "--due", "2026-08-20")
    assert bad.exit_code == 2 and "--element" in bad.stderr
    summary = json.loads(cli("summary", "--date", "2026-08-31", "--format", "json").stdout)
    assert summary["survey_actions"]["overdue"] == 1
    assert summary["survey_actions"]["overdue_list"][0]["id"] == action["id"]
    alert = cli("summary", "--date", "2026-08-31", "--alert")
    assert alert.exit_code == 3
    assert "Overdue SKM follow-up actions (1)" in alert.stdout or \
        "Tindak lanjut SKM lewat tenggat (1)" in alert.stdout
    # the day before it falls due it is not overdue
    early = json.loads(cli("summary", "--date", "2026-08-20", "--format", "json").stdout)
    assert early["survey_actions"] == {"overdue": 0, "overdue_list": []}
    listed = json.loads(cli("survey", "action", "list", "--json").stdout)
    assert [r["id"] for r in listed] == [action["id"]]
    overdue = json.loads(cli("survey", "action", "list", "--overdue", "--json").stdout)
    assert [(r["id"], r["state"]) for r in overdue] == [(action["id"], "overdue")]
    # the next report shows it with its state
    data = json.loads(cli("survey", "report", "--from", "2026-09-01", "--to", "2026-09-30",
                          "--json").stdout)
    assert [(a["element"], a["state"]) for a in data["actions"]] == [("U3", "overdue")]
    closed = cli("survey", "action", "close", str(action["id"]), "--on", "2026-09-05")
    assert closed.exit_code == 0, closed.stderr
    assert json.loads(cli("survey", "action", "list", "--overdue", "--json").stdout) == []
    again = cli("survey", "action", "close", str(action["id"]))
    assert again.exit_code == 1 and "already closed" in again.stderr
    data = json.loads(cli("survey", "report", "--from", "2026-09-01", "--to", "2026-09-30",
                          "--json").stdout)
    assert [a["state"] for a in data["actions"]] == ["closed"]
    # closed before October began: not in October's report
    data = json.loads(cli("survey", "report", "--from", "2026-10-01", "--to", "2026-10-31",
                          "--json").stdout)
    assert data["actions"] == []


# --- the audit item on satisfaction -------------------------------------------------------

SATISFACTION_CHECKLIST = """\
id: skm-test
title: {en: SKM checklist, id: Daftar periksa SKM}
standard: ISO 9001
edition: "2015"
version: 1
languages: [en, id]
clauses:
  - ref: "9"
    title: {en: Performance evaluation, id: Evaluasi kinerja}
    clauses:
      - ref: "9.1.2"
        title: {en: Customer satisfaction, id: Kepuasan pelanggan}
        items:
          - id: ikm
            question: {en: "Is the IKM at least 76.61?", id: "Apakah IKM minimal 76,61?"}
            metric: satisfaction.ikm
            target: ">= 76.61"
            on_miss: minor
"""


def test_the_audit_item_on_satisfaction_says_when_the_ikm_is_indicative(skm, tmp_path):
    from qmstrack.audits import get_audit, run_audit
    from qmstrack.checklists import load_checklist_file

    path = tmp_path / "skm-test.yaml"
    path.write_text(SATISFACTION_CHECKLIST, encoding="utf-8")
    checklist = load_checklist_file(path)
    run = run_audit(skm, AUG, [], checklist, auditor="Wakil MM", today=TODAY)
    (result,) = get_audit(skm, run.audit_id)["results"]
    assert result["measured"] == pytest.approx(by_hand(ROWS)[2], abs=1e-12)
    assert result["evidence"] == (
        "Sample: 5 responses; Krejcie-Morgan requires 37 for a population of 40 requests "
        "received; weight 1/9. The IKM is indicative (kurang representatif).")
    # the SMA unit: 4 responses, 10 requests need 10
    sma = run_audit(skm, AUG, ["SMA"], checklist, auditor="Wakil MM", today=TODAY)
    (result,) = get_audit(skm, sma.audit_id)["results"]
    assert "requires 10 for a population of 10" in result["evidence"]
    assert "indicative" in result["evidence"]


# --- the review pack (9.3.2 c1) -------------------------------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
def test_review_pack_has_the_elements_the_sample_and_the_follow_up(skm, lang):
    import re

    from qmstrack.review_pack import build_pack_context, render_pack

    add_action(skm, element="U3", action="Tambah petugas | loket", owner=BUDI,
               due="2026-08-20", raised="2026-08-10", today=TODAY)
    ctx = build_pack_context(skm, AUG, lang, today=TODAY)
    md, html = render_pack(ctx, "md"), render_pack(ctx, "html")
    nrr, weighted, ikm = by_hand(ROWS)
    decimal = "," if lang == "id" else "."
    for i in range(9):
        shown = f"{nrr[i]:.2f}".replace(".", decimal)
        four = f"{weighted[i]:.4f}".replace(".", decimal)
        row = f"| U{i + 1} | "
        line = next(x for x in md.splitlines() if x.startswith(row))
        assert f"| {shown} | {four} | {by_hand_category(nrr[i])} |" in line
        assert re.search(rf'<td class="mono">U{i + 1}</td><td>[^<]+</td><td class="num">'
                         rf"{re.escape(shown)}</td>", html)
    label = "indikatif (kurang representatif)" if lang == "id" else \
        "indicative (not representative)"
    # All units: 5 responses, 40 requests, 37 required
    total = next(x for x in md.splitlines() if "| 5 | 40 | 37 |" in x)
    assert label in total
    assert label in ctx["highlights"][1]["detail"]
    sma_leg = next(x for x in md.splitlines() if x.startswith("| SMA-LEG | 3 | 8 | 8 |"))
    assert label in sma_leg
    assert "Tambah petugas \\| loket" in md
    assert "Tambah petugas | loket" in html
    assert ("1/9" in md) and ("1/9" in html)


# --- the report files ---------------------------------------------------------------------

HOSTILE = "<script>document.title='PWNED'</script>"


@pytest.fixture
def hostile(skm):
    """The dataset with hostile text where people type: the office, a service's name, a
    profile answer and a follow-up action."""
    from qmstrack.db import set_setting, writing

    with writing(skm):
        set_setting(skm, "org_name", f"Dinas | {HOSTILE}")
        skm.execute("UPDATE services SET name = ? WHERE code = 'SMA-MUT'",
                    [f"Mutasi {HOSTILE}"])
    add_response(skm, service="SMA-MUT", scores="3,3,3,3,3,3,3,3,3", on="2026-08-20",
                 today=TODAY)
    with writing(skm):
        skm.execute("UPDATE surveys SET occupation = ? WHERE responded_on = '2026-08-20'",
                    [f"*Guru* {HOSTILE}"])
    add_action(skm, element="U3", action=f"Loket # {HOSTILE}", owner=BUDI, due="2026-09-30",
               raised="2026-08-25", today=TODAY)
    return skm


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_files_in_every_format(hostile, cli, tmp_path, lang):
    out = tmp_path / "out"
    result = cli("survey", "report", "--from", "2026-08-01", "--to", "2026-08-31",
                 "--format", "md,html,xlsx", "--lang", lang, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    names = [p.split("/")[-1] for p in result.stdout.split()]
    stem = f"skm-2026-08-01-2026-08-31-{lang}"
    assert names == [f"{stem}.md", f"{stem}.html", f"{stem}.xlsx"]
    md = (out / f"{stem}.md").read_text(encoding="utf-8")
    html = (out / f"{stem}.html").read_text(encoding="utf-8")
    data = survey_report_data(hostile, start=AUG.start, end=AUG.end, lang=lang, today=TODAY)
    # the chapters, in order
    chapters = (["Pendahuluan", "Metode", "Karakteristik responden", "Hasil", "Analisis",
                 "Rencana tindak lanjut", "Kesimpulan"] if lang == "id" else
                ["Introduction", "Method", "Respondents", "Results", "Analysis",
                 "Follow-up plan", "Conclusion"])
    positions = [md.index(f"## {n}. {title}") for n, title in enumerate(chapters, start=1)]
    assert positions == sorted(positions)
    positions = [html.index(f"</span>{title}</h2>") for title in chapters]
    assert positions == sorted(positions)
    # the legal basis, the weight, the sample and the figures
    assert "14" in md and "2017" in md and "25" in md
    weight = "Bobot setiap unsur: 1/9." if lang == "id" else "Weight of each element: 1/9."
    assert weight in md and weight in html
    sample = data["overall"]["sample"]
    assert sample == {"population": 40, "required": 37, "responses": 6, "adequate": False}
    assert "| 40 |" in md and "| 37 |" in md and "| 6 |" in md
    indicative = ("indikatif (kurang representatif)" if lang == "id"
                  else "indicative (not representative)")
    assert indicative in md and indicative in html
    for element in data["overall"]["elements"]:
        shown = f"{element['nrr']:.2f}"
        if lang == "id":
            shown = shown.replace(".", ",")
        assert f"| {element['code']} | {element['name']} | {shown} |" in md
    # every text people typed is escaped
    assert HOSTILE not in html and "<script" not in html
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in html
    assert "Loket # &lt;script&gt;" in html
    assert "\\*Guru\\* &lt;script>" in md
    assert "Dinas \\| &lt;script>" in md
    # the workbook holds the same figures
    import openpyxl

    book = openpyxl.load_workbook(out / f"{stem}.xlsx", read_only=True)
    sheets = book.sheetnames
    assert len(sheets) == 5
    rows = list(book[sheets[0]].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [f"U{i}" for i in range(1, 10)]
    assert rows[1][2] == pytest.approx(data["overall"]["elements"][0]["nrr"])
    units = list(book[sheets[1]].iter_rows(values_only=True))
    assert units[1][2:5] == (6, 40, 37)
    actions = list(book[sheets[4]].iter_rows(values_only=True))
    assert actions[1][1] == f"Loket # {HOSTILE}"  # text cell, as typed
    book.close()


def test_report_refusals_write_nothing(skm, cli, tmp_path):
    out = tmp_path / "out"
    bad = cli("survey", "report", "--format", "odt", "--out", str(out))
    assert bad.exit_code == 2 and "odt" in bad.stderr
    bad = cli("survey", "report", "--lang", "xx", "--out", str(out))
    assert bad.exit_code == 2
    bad = cli("survey", "report", "--population", "-3", "--json")
    assert bad.exit_code == 2
    empty = cli("survey", "report", "--unit", "SEKRETARIAT", "--out", str(out))
    assert empty.exit_code == 1 and "--from" in empty.stderr
    assert not out.exists()
    file = tmp_path / "file"
    file.write_text("x", encoding="utf-8")
    for fmt in ("md", "xlsx"):
        refused = cli("survey", "report", "--format", fmt, "--out", str(file))
        assert refused.exit_code == 2, refused.stderr
        assert "is a file" in refused.stderr and "Traceback" not in refused.stderr
    from qmstrack.survey_report import write_survey_report

    with pytest.raises(InvalidInput, match="is a file"):
        write_survey_report(skm, file, formats=("xlsx",), start=AUG.start, end=AUG.end,
                            today=TODAY)
    assert file.read_text(encoding="utf-8") == "x"


def test_report_of_one_service_and_a_given_population(skm, cli):
    data = json.loads(cli("survey", "report", "--from", "2026-08-01", "--to", "2026-08-31",
                          "--service", "SMA-LEG", "--population", "3", "--json").stdout)
    assert data["scope"] == {"units": [], "service": "SMA-LEG"}
    assert [s["service_code"] for s in data["services"]] == ["SMA-LEG"]
    assert [u["unit"] for u in data["units"]] == ["SMA"]
    assert data["overall"]["sample"] == {"population": 3, "required": 3, "responses": 3,
                                         "adequate": True}
    rows = [r for r in ROWS if r[0] == "SMA-LEG"]
    assert data["overall"]["ikm"] == pytest.approx(by_hand(rows)[2], abs=1e-12)
    # the unit keeps its own population (the service's 8 requests)
    assert data["units"][0]["sample"]["population"] == 8


# --- the blank questionnaire --------------------------------------------------------------


def test_blank_questionnaire(office, cli, tmp_path):
    out = tmp_path / "kuesioner.html"
    result = cli("survey", "form", "--service", "SMA-LEG", "--lang", "id", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "@page { size: A4" in html
    assert html.count('<ol class="answers">') == 9
    assert ("Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan "
            "jenis pelayanannya?") in html
    for words in ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai", "Sangat mahal",
                  "Cukup mahal", "Murah", "Gratis", "Ada tetapi tidak berfungsi",
                  "Dikelola dengan baik", "Buruk", "Sangat Baik"):
        assert f"{words}</li>" in html, words
    for profile in ("Jenis kelamin", "Usia (tahun)", "Pendidikan", "Pekerjaan", "POLRI"):
        assert profile in html
    assert "Legalisir ijazah SMA" in html
    # every answer on the form is one the import reads back as its score
    from qmstrack.registers.surveys import parse_score
    from qmstrack.survey_form import form_context

    for i, q in enumerate(form_context(office, "SMA-LEG", "id")["questions"], start=1):
        assert [parse_score(a, i) for a in q["answers"]] == [1, 2, 3, 4]
    en = cli("survey", "form", "--service", "SMA-LEG", "--lang", "en", "--out",
             str(tmp_path / "form-en.html"))
    assert en.exit_code == 0
    assert "Very courteous and friendly" in (tmp_path / "form-en.html").read_text("utf-8")
    missing = cli("survey", "form", "--service", "NOPE", "--out", str(tmp_path / "x.html"))
    assert missing.exit_code == 1 and "NOPE" in missing.stderr
    assert not (tmp_path / "x.html").exists()
    assert cli("survey", "form", "--service", "SMA-LEG", "--out", str(tmp_path)).exit_code \
        in (1, 2)


def test_follow_up_actions_are_in_the_change_log(skm, cli):
    a = add_action(skm, element="U8", action="Kotak saran", owner=BUDI, due="2026-09-30",
                   raised="2026-09-01", today=TODAY)
    close_action(skm, a["id"], on="2026-09-05", note="Dipasang", today=TODAY)
    rows = skm.execute("SELECT op FROM change_log WHERE tbl = 'survey_actions' ORDER BY id"
                       ).fetchall()
    assert [r[0] for r in rows] == ["insert", "update"]
    check = cli("db", "check")
    assert check.exit_code == 0, check.stdout + check.stderr
    skm.execute("UPDATE survey_actions SET action = 'diubah diam-diam'")
    skm.conn.commit()
    tampered = cli("db", "check")
    assert tampered.exit_code != 0
    assert "survey_actions" in tampered.stdout + tampered.stderr


def test_cli_add_keeps_the_profile_and_refuses_an_age_out_of_range(office, cli):
    ok = cli("survey", "add", "--service", "SMA-LEG", "--scores", "4,4,4,4,4,4,4,4,4",
             "--date", "2026-08-03", "--sex", "perempuan", "--age", "42", "--education", "S2",
             "--occupation", "Dosen")
    assert ok.exit_code == 0, ok.stderr
    row = office.execute("SELECT sex, age, age_band, education, occupation FROM surveys"
                         ).fetchone()
    assert tuple(row) == ("P", 42, "", "S2", "Dosen")
    band = cli("survey", "add", "--service", "SMA-LEG", "--scores", "4,4,4,4,4,4,4,4,4",
               "--date", "2026-08-03", "--age", "25-34")
    assert band.exit_code == 0, band.stderr
    assert office.execute("SELECT age_band FROM surveys WHERE age IS NULL").fetchone()[0] \
        == "25-34"
    for age in ("9", "101"):
        bad = cli("survey", "add", "--service", "SMA-LEG", "--scores", "4,4,4,4,4,4,4,4,4",
                  "--date", "2026-08-03", "--age", age)
        assert bad.exit_code == 1, bad.stderr
        assert "age" in bad.stderr and "10 to 100" in bad.stderr
    assert office.execute("SELECT count(*) FROM surveys").fetchone()[0] == 2


def test_on_the_demo_year_every_service_and_two_units_are_below_the_sample(tmp_path):
    """The issue's observation, as the report now shows it."""
    from qmstrack.db import open_db
    from qmstrack.demo import fill_demo

    db = open_db(tmp_path / "demo.db", create=True)
    fill_demo(db, seed=1)
    data = survey_report_data(db, start=date(2026, 1, 1), end=date(2026, 10, 31),
                              today=date(2026, 11, 5))
    for scope in [data["overall"], *data["units"], *data["services"]]:
        population = scope["sample"]["population"]
        assert scope["sample"]["required"] == by_hand_sample(population)
        assert scope["sample"]["adequate"] == (scope["responses"] >= by_hand_sample(population))
    assert sum(not s["sample"]["adequate"] for s in data["services"]) == 10
    assert sum(not u["sample"]["adequate"] for u in data["units"]) == 2
    assert data["overall"]["sample"]["adequate"] is True
    db.close()


def test_the_skm_report_as_pdf_keeps_every_word_inside_its_pages(hostile, cli, tmp_path):
    from tests.test_reports import assert_no_text_past_the_page_box

    out = tmp_path / "out"
    result = cli("survey", "report", "--from", "2026-08-01", "--to", "2026-08-31",
                 "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    pdf = out / "skm-2026-08-01-2026-08-31-id.pdf"
    assert result.stdout.split() == [str(pdf)]
    pages = assert_no_text_past_the_page_box(pdf)
    assert "Pendahuluan" in " ".join(p["text"] for p in pages)
    assert f"Halaman 1 dari {len(pages)}" in pages[0]["text"]
