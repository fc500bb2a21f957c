"""Risks and opportunities (ISO 9001:2015 6.1): the register, the configurable scale, the
heat map (terminal and HTML), risks.treatment_overdue, the summary and the review pack."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.metrics import compute
from qmstrack.periods import Period
from qmstrack.registers.risks import (
    add_risk,
    import_risks,
    level_band,
    overdue_evidence,
    risk_matrix,
    update_risk,
)
from qmstrack.scope import Scope

BUDI = "198609262015051001"
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


def state(db):
    return (db.execute("SELECT * FROM risks ORDER BY id").fetchall(),
            db.execute("SELECT count(*) FROM change_log").fetchone()[0])


@pytest.fixture
def risks(office):
    add_risk(office, unit="SMA", process="SMA-LEG", description="Antrean legalisir menumpuk",
             likelihood=4, severity=4, treatment="Loket tambahan", owner=BUDI,
             identified_on="2026-01-05", due_on="2026-03-31")
    add_risk(office, unit="SMA", description="Berkas hilang", likelihood=2, severity=5,
             identified_on="2026-01-05", due_on="2027-01-29")
    add_risk(office, unit="SMP", description="Dapodik terlambat", likelihood=3, severity=2,
             identified_on="2026-02-01", due_on="2026-04-30", closed_on="2026-04-20",
             status="closed")
    return office


def test_levels_bands_and_numbers(risks):
    rows = risks.execute("SELECT ref_no, level FROM risks ORDER BY id").fetchall()
    assert rows == [("R-SMA-001", 16), ("R-SMA-002", 10), ("R-SMP-001", 6)]
    assert [level_band(n, 5) for n in (5, 6, 11, 12, 15, 16, 25)] == [
        "low", "medium", "medium", "high", "high", "very_high", "very_high"]


def test_scale_is_configurable_and_scores_outside_it_are_refused(risks, cli):
    before = state(risks)
    with pytest.raises(InvalidInput, match="outside the scale 1-5"):
        add_risk(risks, unit="SMA", description="X", likelihood=6, severity=1)
    result = cli("risk", "add", "--unit", "SMA", "--description", "X", "--likelihood", "0",
                 "--impact-score", "3")
    assert result.exit_code == 1 and "likelihood score 0 is outside the scale 1-5" in \
        result.stderr
    assert state(risks) == before
    assert cli("config", "set", "risk_scale", "11").exit_code != 0
    assert cli("config", "set", "risk_scale", "3").exit_code == 0
    with pytest.raises(InvalidInput, match="outside the scale 1-3"):
        add_risk(risks, unit="SMA", description="X", likelihood=4, severity=1)
    heat = risk_matrix(risks, units=("SMA",))
    assert heat["scale"] == 3 and heat["total"] == 0  # the open ones lie outside 3 x 3


def test_bad_input_is_one_sentence_and_nothing_is_written(risks, cli):
    before = state(risks)
    for args, text in [
        (["--unit", "NOPE", "--description", "X", "--likelihood", "2", "--impact-score", "2"],
         "no unit 'NOPE'"),
        (["--unit", "SMA", "--description", "X", "--likelihood", "2", "--impact-score", "2",
          "--owner", "199202022020121004"], "no staff member"),
        (["--unit", "SMA", "--description", "X", "--likelihood", "2", "--impact-score", "2",
          "--identified", "2026-05-01", "--due", "2026-04-01"], "before the risk was "
                                                                "identified"),
        (["--unit", "SMA", "--description", "X", "--likelihood", "2", "--impact-score", "2",
          "--ref", "R-SMA-001"], "already recorded"),
        (["--unit", "SMA", "--description", "X", "--likelihood", "dua",
          "--impact-score", "2"], "likelihood score"),
    ]:
        result = cli("risk", "add", *args)
        assert result.exit_code == 1, (args, result.stderr)
        assert text in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    with pytest.raises(InvalidInput, match="both the residual likelihood and impact"):
        update_risk(risks, "R-SMA-001", residual_likelihood=2)
    with pytest.raises(NotFound):
        update_risk(risks, "R-X-9", treatment="x")
    with pytest.raises(Conflict):
        add_risk(risks, ref_no="r-sma-002", unit="SMA", description="X", likelihood=1,
                 severity=1)
    assert state(risks) == before


def test_review_and_close_and_the_overdue_metric(risks, cli):
    assert compute(risks, "risks.treatment_overdue", YEAR, Scope()) == 1
    assert overdue_evidence(risks, YEAR, Scope()) == [
        "R-SMA-001 SMA: Antrean legalisir menumpuk (treatment due 2026-03-31)"]
    assert compute(risks, "risks.treatment_overdue", YEAR, Scope(("SMP",))) == 0
    result = cli("risk", "update", "R-SMA-001", "--residual-likelihood", "2",
                 "--residual-impact-score", "3", "--reviewed", "2026-04-02", "--closed",
                 "2026-04-02")
    assert result.exit_code == 0, result.stderr
    shown = json.loads(cli("risk", "show", "r-sma-001", "--json").stdout)
    assert (shown["status"], shown["residual_level"], shown["residual_band"]) == (
        "closed", 6, "medium")
    assert compute(risks, "risks.treatment_overdue", YEAR, Scope()) == 0
    # Still overdue at the end of March, before it was closed.
    assert compute(risks, "risks.treatment_overdue",
                   Period(date(2026, 3, 31), date(2026, 4, 1)), Scope()) == 1
    listed = json.loads(cli("risk", "list", "--unit", "SMA", "--json").stdout)
    assert [r["ref_no"] for r in listed] == ["R-SMA-001", "R-SMA-002"]


def test_matrix_in_the_terminal_and_as_html(risks, cli, tmp_path):
    result = cli("risk", "matrix", "--unit", "SMA", "--html", str(tmp_path / "m.html"),
                 "--lang", "id")
    assert result.exit_code == 0, result.stderr
    assert "R-SMA-001" in result.stdout and "R-SMA-002" in result.stdout
    assert "R-SMP-001" not in result.stdout
    html = (tmp_path / "m.html").read_text("utf-8")
    assert "Matriks risiko" in html and '<td class="very_high"><span class="level">16' \
        '</span>R-SMA-001</td>' in html
    heat = json.loads(cli("risk", "matrix", "--json").stdout)
    assert heat["total"] == 2  # the closed SMP risk is not on the map
    assert cli("risk", "matrix", "--unit", "NOPE").exit_code == 2


def test_hostile_description_is_escaped_in_the_html(office, cli, tmp_path):
    add_risk(office, unit="SMA", description="<script>alert(1)</script>", likelihood=5,
             severity=5)
    out = tmp_path / "m.html"
    assert cli("risk", "matrix", "--html", str(out)).exit_code == 0
    assert "<script>" not in out.read_text("utf-8")


def test_import_names_every_bad_row_and_reimport_changes_nothing(office, cli, tmp_path):
    path = tmp_path / "risiko.csv"
    path.write_text("No Risiko;Unit;Proses;Risiko;Penyebab;Kemungkinan;Dampak;Penanganan;"
                    "Batas Waktu\n"
                    "R-SMA-010;SMA;SMA-LEG;Antrean;Lonjakan;4;3;Loket tambahan;30/06/2026\n"
                    "R-SMP-010;SMP;SMP-MUT;Data terlambat;Dapodik;2;2;Surat edaran;\n",
                    encoding="utf-8")
    assert import_risks(office, path).inserted == 2
    before = state(office)
    assert import_risks(office, path).unchanged == 2
    assert state(office) == before
    bad = tmp_path / "bad.csv"
    bad.write_text("No Risiko;Unit;Risiko;Kemungkinan;Dampak;Status\n"
                   "R-1;SMA;Baik;2;2;terbuka\n"
                   "R-2;SMA;Skor;7;2;terbuka\n"
                   "R-3;NOPE;Unit;2;2;terbuka\n"
                   "R-4;SMA;;2;2;ditutup\n", encoding="utf-8")
    result = cli("risk", "import", str(bad))
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    for fragment in ("row 3, column Kemungkinan: The likelihood score 7 is outside the "
                     "scale 1-5", "row 4, column Unit:", "row 5, column Risiko: is empty"):
        assert fragment in text, (fragment, result.stderr)
    assert state(office) == before


def test_summary_lists_overdue_treatments(risks, cli):
    from qmstrack.summary import build_summary, needs_attention, render_markdown, render_text

    summary = build_summary(risks, Period(date(2026, 6, 1), date(2026, 6, 30)))
    assert [r["ref_no"] for r in summary["overdue_risk_treatments"]] == ["R-SMA-001"]
    assert needs_attention(summary)
    text = render_text(summary, "en")
    assert "1 overdue risk treatment" in text and "Overdue risk treatments (1)" in text
    assert "R-SMA-001" in render_markdown(summary, "id")
    assert "Penanganan risiko lewat tenggat (1)" in render_text(summary, "id")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_review_pack_9_3_2_e_from_the_register(risks, lang):
    from qmstrack.review_pack import build_pack_context, render_pack

    ctx = build_pack_context(risks, YEAR, lang, today=date(2026, 12, 31))
    assert ctx["risks"]["bands"] == {"low": 0, "medium": 1, "high": 0, "very_high": 1}
    assert ctx["risks"]["closed_in_period"] == 1
    for fmt in ("md", "html"):
        text = render_pack(ctx, fmt)
        assert {"id": "Dari register risiko", "en": "From the risk register"}[lang] in text
        assert "R-SMA-001 SMA: Antrean legalisir menumpuk" in text
