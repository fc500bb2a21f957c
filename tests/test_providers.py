"""External providers (ISO 9001:2015 8.4): the register, evaluations, the import and
providers.evaluation_overdue with the audit's evidence naming the providers."""

from __future__ import annotations

import json
from datetime import date

import pytest

from qmstrack.errors import InvalidInput, NotFound
from qmstrack.metrics import compute
from qmstrack.periods import Period
from qmstrack.registers.providers import (
    add_provider,
    evaluate_provider,
    import_providers,
    overdue_evidence,
)
from qmstrack.scope import Scope

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
TODAY = date(2026, 11, 30)


def state(db):
    return ([db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
             for t in ("providers", "provider_evaluations")],
            db.execute("SELECT count(*) FROM change_log").fetchone()[0])


@pytest.fixture
def providers(office):
    add_provider(office, code="CETAK-01", name="CV Percetakan Mandiri",
                 supplies="Cetak blangko ijazah", criteria="Mutu cetak, ketepatan waktu",
                 since="2024-01-02")
    add_provider(office, code="IT-01", name="PT Jaringan Nusantara", supplies="Internet",
                 unit="SEKRETARIAT")
    add_provider(office, code="KURIR-01", name="Kurir Cepat", supplies="Pengiriman surat",
                 unit="SMA")
    return office


def test_evaluations_set_the_status_and_the_due_date(providers, cli):
    done = evaluate_provider(providers, "CETAK-01", quality=4, delivery=5, service=4,
                             on="2026-01-15", evaluator="PPK", today=TODAY)
    last = done["evaluations"][-1]
    assert (last["score"], last["result"], last["next_due_on"]) == (4.33, "approved",
                                                                    "2027-01-15")
    weak = evaluate_provider(providers, "IT-01", quality=3, delivery=2, service=4,
                             on="2026-02-10", today=TODAY)
    assert weak["status"] == "conditional"
    assert weak["evaluations"][-1]["next_due_on"] == "2026-08-10"
    # An older evaluation recorded later does not change the status.
    older = evaluate_provider(providers, "IT-01", quality=5, delivery=5, service=5,
                              on="2025-02-10", today=TODAY)
    assert older["status"] == "conditional"
    result = cli("provider", "evaluate", "kurir-01", "--quality", "1", "--delivery", "2",
                 "--service", "2", "--on", "2026-03-01")
    assert result.exit_code == 0, result.stderr
    assert "score 1.67, stopped" in result.stderr
    listed = {r["code"]: r for r in json.loads(cli("provider", "list", "--json").stdout)}
    assert listed["KURIR-01"]["status"] == "stopped"
    assert listed["IT-01"]["last_evaluated_on"] == "2026-02-10"


def test_evaluation_overdue_metric_and_evidence(providers):
    # Nobody evaluated yet: the three are counted.
    assert compute(providers, "providers.evaluation_overdue", YEAR, Scope()) == 3
    evaluate_provider(providers, "CETAK-01", quality=4, delivery=4, service=4,
                      on="2026-01-15", today=TODAY)
    evaluate_provider(providers, "IT-01", quality=3, delivery=3, service=3, on="2026-02-10",
                      today=TODAY)
    evaluate_provider(providers, "KURIR-01", quality=1, delivery=1, service=1,
                      on="2026-03-01", today=TODAY)
    # IT-01 (conditional) was due again on 2026-08-10; KURIR-01 is stopped.
    assert compute(providers, "providers.evaluation_overdue", YEAR, Scope()) == 1
    assert overdue_evidence(providers, YEAR, Scope()) == [
        "IT-01 PT Jaringan Nusantara: re-evaluation due 2026-08-10 (last 2026-02-10)"]
    assert compute(providers, "providers.evaluation_overdue", YEAR,
                   Scope(("SEKRETARIAT",))) == 1
    assert compute(providers, "providers.evaluation_overdue", YEAR, Scope(("SMA",))) == 0
    assert compute(providers, "providers.evaluation_overdue",
                   Period(date(2026, 3, 1), date(2026, 3, 31)), Scope()) == 0


def test_bad_input_is_refused_and_nothing_written(providers, cli):
    evaluate_provider(providers, "CETAK-01", quality=4, delivery=4, service=4,
                      on="2026-01-15", today=TODAY)
    before = state(providers)
    for args, text in [
        (["CETAK-01", "--quality", "6", "--delivery", "4", "--service", "4"],
         "outside the scale 1-5"),
        (["CETAK-01", "--quality", "0", "--delivery", "4", "--service", "4"],
         "outside the scale 1-5"),
        (["CETAK-01", "--quality", "baik", "--delivery", "4", "--service", "4"],
         "quality score"),
        (["NOPE-1", "--quality", "4", "--delivery", "4", "--service", "4"],
         "no provider 'NOPE-1'"),
        (["CETAK-01", "--quality", "4", "--delivery", "4", "--service", "4", "--on",
          "2026-01-15"], "already has an evaluation on 2026-01-15"),
        (["CETAK-01", "--quality", "4", "--delivery", "4", "--service", "4", "--on",
          "2023-05-01"], "before the provider started"),
        (["CETAK-01", "--quality", "4", "--delivery", "4", "--service", "4", "--result",
          "lumayan"], "not approved, conditional or stopped"),
    ]:
        result = cli("provider", "evaluate", *args)
        assert result.exit_code == 1, (args, result.stderr)
        assert text in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    with pytest.raises(InvalidInput, match="in the future"):
        evaluate_provider(providers, "CETAK-01", quality=4, delivery=4, service=4,
                          on="2026-12-01", today=TODAY)
    with pytest.raises(InvalidInput, match="not after the evaluation"):
        evaluate_provider(providers, "CETAK-01", quality=4, delivery=4, service=4,
                          on="2026-02-01", next_due="2026-01-01", today=TODAY)
    with pytest.raises(InvalidInput, match="no unit 'NOPE'"):
        add_provider(providers, code="X-1", name="X", unit="NOPE")
    assert state(providers) == before
    with pytest.raises(NotFound):
        evaluate_provider(providers, "X-9", quality=4, delivery=4, service=4, today=TODAY)


def test_import_names_every_bad_row_and_reimport_changes_nothing(office, cli, tmp_path):
    path = tmp_path / "penyedia.csv"
    path.write_text("Kode;Nama;Produk;Kriteria;Unit;Status\n"
                    "CETAK-01;CV Percetakan Mandiri;Cetak blangko;Mutu;;disetujui\n"
                    "IT-01;PT Jaringan;Internet;Uptime 99%;SEKRETARIAT;bersyarat\n",
                    encoding="utf-8")
    report = import_providers(office, path)
    assert report.inserted == 2
    before = state(office)
    assert import_providers(office, path).unchanged == 2
    assert state(office) == before
    bad = tmp_path / "bad.csv"
    bad.write_text("Kode;Nama;Unit;Status\n"
                   "OK-1;Baik;;disetujui\n"
                   "BAD 1;Spasi;;disetujui\n"
                   "X-2;;SMA;disetujui\n"
                   "X-3;Tiga;NOPE;entah\n", encoding="utf-8")
    result = cli("provider", "import", str(bad))
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    for fragment in ("row 3, column Kode:", "row 4, column Nama: is empty",
                     "row 5, column Unit:", "row 5, column Status:"):
        assert fragment in text, (fragment, result.stderr)
    assert state(office) == before


@pytest.mark.parametrize("lang", ["id", "en"])
def test_review_pack_shows_the_providers_under_9_3_2_c_7(providers, lang):
    from qmstrack.review_pack import build_pack_context, render_pack

    evaluate_provider(providers, "CETAK-01", quality=4, delivery=4, service=5,
                      on="2026-01-15", today=TODAY)
    evaluate_provider(providers, "IT-01", quality=3, delivery=3, service=3, on="2026-02-10",
                      today=TODAY)
    ctx = build_pack_context(providers, YEAR, lang, today=TODAY)
    assert ctx["providers"]["by_status"] == {"approved": 2, "conditional": 1, "stopped": 0}
    md, html = render_pack(ctx, "md"), render_pack(ctx, "html")
    heading = {"id": "Kinerja penyedia eksternal",
               "en": "Performance of external providers"}[lang]
    for text in (md, html):
        assert heading in text and "9.3.2 c 7" in text
        assert "CV Percetakan Mandiri" in text
        assert "IT-01 PT Jaringan Nusantara: re-evaluation due 2026-08-10" in text
        assert "KURIR-01 Kurir Cepat: never evaluated" in text


def test_export_bundle_holds_the_providers_and_the_master_list(providers, cli, tmp_path):
    from openpyxl import load_workbook

    from qmstrack.registers.documents import add_document, revise_document

    evaluate_provider(providers, "CETAK-01", quality=4, delivery=4, service=5,
                      on="2026-01-15", today=TODAY)
    add_document(providers, type="sop", title="SOP legalisir", clause="8.5.1", unit="SMA",
                 number="SOP/SMA/01", approved_by="198512122010011003",
                 approved_on="2026-01-05", today=TODAY)
    revise_document(providers, None, "SOP/SMA/01", revision="01",
                    approved_by="198512122010011003", on="2026-06-01", today=TODAY)
    out = tmp_path / "bundle"
    result = cli("export", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    registers = out / "data" / "registers"
    listed = json.loads((registers / "providers.json").read_text("utf-8"))
    assert [p["code"] for p in listed] == ["CETAK-01", "IT-01", "KURIR-01"]
    evaluations = json.loads((registers / "provider_evaluations.json").read_text("utf-8"))
    assert [(e["provider_code"], e["result"]) for e in evaluations] == [
        ("CETAK-01", "approved")]
    documents = json.loads((registers / "documents.json").read_text("utf-8"))
    # The documents in force at the end of the period (the register's in_force rule).
    assert [(d["number"], d["revision"], d["status"], d["approved_by"]) for d in documents] \
        == [("SOP/SMA/01", "01", "in_force", "198512122010011003")]
    book = load_workbook(registers / "registers.xlsx", read_only=True)
    titles = " ".join(book.sheetnames)
    assert "provider" in titles.lower() or "penyedia" in titles.lower(), book.sheetnames
    assert cli("verify", str(out)).exit_code == 0


def test_import_of_evaluated_providers(office, cli, tmp_path):
    path = tmp_path / "evaluasi.csv"
    path.write_text("Kode;Nama;Tanggal Evaluasi;Mutu;Ketepatan Waktu;Layanan\n"
                    "CETAK-01;CV Percetakan;15/01/2026;4;4;5\n"
                    "CETAK-01;CV Percetakan;15/01/2025;2;3;3\n"
                    "IT-01;PT Jaringan;10/02/2026;3;3;3\n"
                    "KURIR-01;Kurir;;;;\n", encoding="utf-8")
    report = import_providers(office, path)
    assert report.rejected == 0
    assert office.execute("SELECT code, status FROM providers ORDER BY code").fetchall() == [
        ("CETAK-01", "approved"), ("IT-01", "conditional"), ("KURIR-01", "approved")]
    assert office.execute("SELECT provider_code, evaluated_on, score, result, next_due_on "
                          "FROM provider_evaluations ORDER BY provider_code, evaluated_on"
                          ).fetchall() == [
        ("CETAK-01", "2025-01-15", 2.67, "stopped", "2026-01-15"),
        ("CETAK-01", "2026-01-15", 4.33, "approved", "2027-01-15"),
        ("IT-01", "2026-02-10", 3.0, "conditional", "2026-08-10")]
    before = state(office)
    again = import_providers(office, path)
    assert again.unchanged == 4
    assert state(office) == before
    bad = tmp_path / "bad.csv"
    bad.write_text("Kode;Nama;Tanggal Evaluasi;Mutu;Ketepatan Waktu;Layanan\n"
                   "X-1;Satu;15/01/2026;4;;5\n"
                   "X-2;Dua;15/01/2026;9;4;4\n", encoding="utf-8")
    result = cli("provider", "import", str(bad))
    assert result.exit_code == 1
    text = " ".join(result.stderr.split())
    assert "row 2, column Ketepatan Waktu: is empty" in text, result.stderr
    assert "row 3, column Mutu: The quality score 9 is outside the scale 1-5" in text
    assert state(office) == before


def test_redacted_export_pseudonymises_the_provider_contact(providers, cli, tmp_path):
    add_provider(providers, code="CETAK-01", name="CV Percetakan Mandiri",
                 contact="Pak Slamet 0812 3456 7890")
    out = tmp_path / "bundle"
    result = cli("export", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out),
                 "--redact")
    assert result.exit_code == 0, result.stderr
    text = (out / "data" / "registers" / "providers.json").read_text("utf-8")
    assert "Slamet" not in text and "0812" not in text
    assert "CV Percetakan Mandiri" in text
