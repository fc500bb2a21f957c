"""The registers, called directly: units, services, staff, rules, requests, adherence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qmstrack import changelog
from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.registers.adherence import (
    add_observation,
    adherence_stats,
    list_observations,
    parse_result,
)
from qmstrack.registers.common import get_service, get_staff, require_unit, require_units
from qmstrack.registers.requests import (
    add_request,
    get_request,
    list_requests,
    next_ref,
    parse_status,
    update_request,
)
from qmstrack.registers.rules import add_rule, list_rules, parse_clauses
from qmstrack.registers.services import add_service, build_service, list_services
from qmstrack.registers.staff import add_staff, list_staff
from qmstrack.registers.units import add_unit, list_units

BUDI = "198609262015051001"
SITI = "199001012019032002"
ANDI = "198512122010011003"


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


# --- units ------------------------------------------------------------------------------


def test_units_add_rename_list(db):
    add_unit(db, "sma", "Bidang SMA")
    add_unit(db, "SMP")
    assert list(list_units(db)) == [{"code": "SMA", "name": "Bidang SMA"},
                                    {"code": "SMP", "name": "SMP"}]
    add_unit(db, "SMA", "Bidang Pembinaan SMA")
    assert count(db, "units") == 2
    assert next(list_units(db))["name"] == "Bidang Pembinaan SMA"
    with pytest.raises(InvalidInput, match="not a valid code"):
        add_unit(db, "S M A")
    assert count(db, "units") == 2


def test_require_unit(office):
    assert require_unit(office, "sma") == "SMA"
    assert require_units(office, ["SMP", "sma", "SMA"]) == ("SMA", "SMP")
    with pytest.raises(InvalidInput, match="no unit 'NOPE'.*SEKRETARIAT, SMA, SMP"):
        require_unit(office, "nope")


# --- services -------------------------------------------------------------------------


def test_services(office):
    rows = list(list_services(office, ("SMA",)))
    assert [r["code"] for r in rows] == ["SMA-LEG", "SMA-MUT"]
    assert rows[0]["sla_days"] == 3 and rows[0]["active"] == 1
    assert len(list(list_services(office))) == 4
    add_service(office, code="SMA-LEG", name="Legalisir", unit="SMA", sla_days="5 hari kerja",
                fee="Rp 10.000", requirements="Fotokopi ijazah")
    svc = get_service(office, "SMA-LEG")
    assert (svc["sla_days"], svc["fee"], svc["requirements"]) == (5, 10000, "Fotokopi ijazah")
    assert count(office, "services") == 4


@pytest.mark.parametrize(("values", "reason"), [
    ({"sla_days": -1}, "below 0"),
    ({"sla_days": "tiga"}, "not a whole number"),
    ({"sla_days": 400}, "above 365"),
    ({"unit": "NOPE"}, "no unit 'NOPE'"),
    ({"code": "bad code"}, "not a valid code"),
    ({"name": ""}, "empty"),
    ({"fee": -5}, "below 0"),
])
def test_service_refuses_bad_values(office, values, reason):
    base = {"code": "X-1", "name": "X", "unit": "SMA", "sla_days": 1}
    with pytest.raises(InvalidInput, match=reason):
        add_service(office, **{**base, **values})
    assert count(office, "services") == 4


def test_build_service_free_fee(office):
    assert build_service(office, {"code": "F", "name": "F", "unit": "SMA", "sla_days": 0,
                                  "fee": "gratis"})["fee"] == 0


def test_get_service_not_found(office):
    with pytest.raises(NotFound, match="no service 'NOPE'"):
        get_service(office, "NOPE")


# --- staff ------------------------------------------------------------------------------


def test_staff(office):
    add_staff(office, nip="19900101 201903 2 002", name="Siti Rahmawati", unit="smp")
    assert get_staff(office, SITI)["name"] == "Siti Rahmawati"
    assert count(office, "staff") == 3
    assert [s["nip"] for s in list_staff(office, ("SMA",))] == [BUDI]
    office.execute("UPDATE staff SET active = 0 WHERE nip = ?", [ANDI])
    assert ANDI not in [s["nip"] for s in list_staff(office)]
    assert ANDI in [s["nip"] for s in list_staff(office, include_inactive=True)]
    with pytest.raises(InvalidInput, match="has 17 digits"):
        add_staff(office, nip="19900101201903200", name="X", unit="SMP")
    with pytest.raises(InvalidInput, match="no unit"):
        add_staff(office, nip="199202022020121004", name="X", unit="NOPE")
    with pytest.raises(NotFound, match="add them with 'qmstrack staff add'"):
        get_staff(office, "199202022020121004")


# --- rules ------------------------------------------------------------------------------


def test_rules(office):
    assert parse_clauses("8.5.1, 7.5;7.5 10") == "7.5,8.5.1,10"
    assert parse_clauses(["8.5.1"]) == "8.5.1"
    with pytest.raises(InvalidInput, match="not like 8.5.1"):
        parse_clauses("8.x")
    # Rules without a unit apply to every unit.
    assert [r["code"] for r in list_rules(office, ("SMP",))] == ["SOP-ARSIP"]
    assert [r["code"] for r in list_rules(office, ("SMA",))] == ["SOP-ARSIP", "SOP-LEG"]
    add_rule(office, code="SOP-LEG", title="SOP legalisir (rev. 2)", unit="SMA",
             clauses=["8.5.1", "7.5.3"])
    rule = next(r for r in list_rules(office) if r["code"] == "SOP-LEG")
    assert rule["clauses"] == "7.5.3,8.5.1" and rule["title"].endswith("(rev. 2)")
    with pytest.raises(InvalidInput, match="empty"):
        add_rule(office, code="SOP-X", title="  ")


# --- requests ---------------------------------------------------------------------------

FRI = date(2026, 8, 14)


def events(db, ref):
    return [(e["status"], e["on_date"]) for e in get_request(db, ref)["events"]]


def test_request_add_generates_reference_and_due_date(office):
    r1 = add_request(office, service="SMA-LEG", requester="Ani", received=FRI)
    r2 = add_request(office, service="SMA-LEG", requester="Budi", received="15/08/2026")
    assert r1["ref_no"] == "SMA-2026-000001"
    assert r2["ref_no"] == "SMA-2026-000002"
    assert r1["due_on"] == "2026-08-20"
    assert r1["status"] == "received" and r1["unit"] == "SMA"
    assert events(office, r1["ref_no"]) == [("received", "2026-08-14")]


def test_next_ref_ignores_hand_written_refs_and_handles_underscores(office):
    add_unit(office, "SEK_UMUM")
    add_service(office, code="UMUM", name="Umum", unit="SEK_UMUM", sla_days=1)
    a = add_request(office, service="UMUM", requester="A", received=FRI)
    b = add_request(office, service="UMUM", requester="B", received=FRI)
    assert (a["ref_no"], b["ref_no"]) == ("SEK_UMUM-2026-000001", "SEK_UMUM-2026-000002")
    add_request(office, service="SMA-LEG", requester="C", received=FRI, ref="SMA-2026-X9")
    assert next_ref(office, "SMA", FRI) == "SMA-2026-000001"
    add_request(office, service="SMA-LEG", requester="D", received=FRI)
    assert next_ref(office, "SMA", FRI) == "SMA-2026-000002"
    assert next_ref(office, "SMA", date(2027, 1, 4)) == "SMA-2027-000001"


def test_request_add_refusals(office):
    add_request(office, service="SMA-LEG", requester="Ani", received=FRI, ref="R-1")
    with pytest.raises(Conflict, match="R-1 already exists"):
        add_request(office, service="SMA-LEG", requester="Ani", received=FRI, ref="R-1")
    with pytest.raises(NotFound, match="no service"):
        add_request(office, service="NOPE", requester="Ani", received=FRI)
    with pytest.raises(InvalidInput, match="requester"):
        add_request(office, service="SMA-LEG", requester="x" * 201, received=FRI)
    with pytest.raises(InvalidInput, match="no staff member"):
        add_request(office, service="SMA-LEG", requester="A", received=FRI,
                    staff="199202022020121004")
    with pytest.raises(InvalidInput, match="not a real calendar date"):
        add_request(office, service="SMA-LEG", requester="A", received="31/02/2026")
    assert count(office, "requests") == 1
    assert count(office, "request_events") == 0  # its receipt is on the row


def test_request_status_lifecycle_keeps_events(office):
    ref = add_request(office, service="SMA-LEG", requester="Ani", received=FRI,
                      ref="R-1")["ref_no"]
    update_request(office, ref, status="diproses", on="18/08/2026", staff="19860926 201505 1 001")
    done = update_request(office, ref, status="completed", on=date(2026, 8, 20), rating=4,
                          note="Diambil pemohon")
    assert done["status"] == "completed"
    assert done["closed_on"] == "2026-08-20"
    assert done["on_time"] is True
    assert done["rating"] == 4
    assert done["staff_nip"] == BUDI
    assert done["notes"] == "Diambil pemohon"
    assert events(office, ref) == [("received", "2026-08-14"), ("in_progress", "2026-08-18"),
                                   ("completed", "2026-08-20")]
    assert list(changelog.verify_chain(office)) == []


def test_request_late_completion(office):
    add_request(office, service="SMA-LEG", requester="Ani", received=FRI, ref="R-1")
    late = update_request(office, "R-1", status="selesai", on=date(2026, 8, 21))
    assert late["on_time"] is False


def test_request_rejected_is_closed_but_not_on_time_measured(office):
    add_request(office, service="SMA-LEG", requester="Ani", received=FRI, ref="R-1")
    rejected = update_request(office, "R-1", status="ditolak", on=FRI)
    assert rejected["closed_on"] == "2026-08-14" and rejected["on_time"] is None


def test_request_update_refusals(office):
    add_request(office, service="SMA-LEG", requester="Ani", received=FRI, ref="R-1")
    before = (count(office, "request_events"), count(office, "change_log"))
    with pytest.raises(InvalidInput, match="before the request's last change"):
        update_request(office, "R-1", status="in_progress", on=date(2026, 8, 13))
    with pytest.raises(InvalidInput, match="cannot go back to 'received'"):
        update_request(office, "R-1", status="diterima", on=FRI)
    with pytest.raises(InvalidInput, match="only when the request is closed"):
        update_request(office, "R-1", status="in_progress", on=FRI, rating=3)
    update_request(office, "R-1", status="in_progress", on=FRI)
    with pytest.raises(Conflict, match="already in_progress"):
        update_request(office, "R-1", status="in_progress", on=FRI)
    assert count(office, "request_events") == before[0] + 1  # the one in_progress change
    for rating in (0, 5):
        with pytest.raises(InvalidInput, match="rating"):
            update_request(office, "R-1", status="completed", on=FRI, rating=rating)
    with pytest.raises(NotFound, match="no request 'R-404'"):
        update_request(office, "R-404", status="completed", on=FRI)
    with pytest.raises(InvalidInput, match="not one of received"):
        update_request(office, "R-1", status="lost", on=FRI)
    update_request(office, "R-1", status="completed", on=date(2026, 8, 19), rating=1)
    with pytest.raises(Conflict, match="already completed on 2026-08-19"):
        update_request(office, "R-1", status="rejected", on=date(2026, 8, 20))
    assert get_request(office, "R-1")["status"] == "completed"
    assert before[1] < count(office, "change_log")


def test_parse_status_aliases():
    assert parse_status("Diterima") == "received"
    assert parse_status("sedang diproses") == "in_progress"
    assert parse_status("in-progress") == "in_progress"
    assert parse_status(" SELESAI ") == "completed"
    assert parse_status("ditolak") == "rejected"
    with pytest.raises(InvalidInput):
        parse_status("hilang")


def test_list_requests_filters(office):
    add_request(office, service="SMA-LEG", requester="A", received=date(2026, 8, 3), ref="A")
    add_request(office, service="SMP-LEG", requester="B", received=date(2026, 8, 10), ref="B")
    add_request(office, service="SMA-MUT", requester="C", received=date(2026, 9, 1), ref="C")
    update_request(office, "B", status="completed", on=date(2026, 8, 11))
    refs = lambda **kw: [r["ref_no"] for r in list_requests(office, **kw)]  # noqa: E731
    assert refs() == ["A", "B", "C"]
    assert refs(units=("SMA",)) == ["A", "C"]
    assert refs(statuses=("completed",)) == ["B"]
    assert refs(service="SMA-MUT") == ["C"]
    assert refs(since=date(2026, 8, 10)) == ["B", "C"]
    assert refs(until=date(2026, 8, 10)) == ["A", "B"]
    assert refs(since=date(2026, 8, 4), until=date(2026, 8, 31)) == ["B"]
    assert refs(limit=2) == ["A", "B"]
    # A (due 6 Aug) is open and overdue on 1 Sep; C was received that day, not yet due.
    assert refs(overdue_on=date(2026, 9, 1)) == ["A"]
    assert refs(overdue_on=date(2026, 8, 6)) == []


# --- adherence --------------------------------------------------------------------------


def test_adherence_observations_and_stats(office):
    add_observation(office, staff="19860926 201505 1 001", rule="SOP-LEG", result="patuh",
                    on="5 Agt 2024", observer="WMM")
    add_observation(office, staff=BUDI, rule="SOP-ARSIP", result="tidak patuh",
                    on=date(2024, 8, 5))
    add_observation(office, staff=SITI, rule="SOP-ARSIP", result="n/a", on=date(2024, 8, 6))
    add_observation(office, staff=ANDI, rule="SOP-ARSIP", result="comply", on=date(2024, 9, 1))
    # Same staff, rule and day: a second observation, kept beside the first.
    second = add_observation(office, staff=ANDI, rule="SOP-ARSIP", result="breach",
                             on=date(2024, 9, 1), at="14.05", object_ref="SMA-0012")
    assert second["same_day"] == 2
    assert count(office, "adherence") == 5
    assert office.execute("SELECT result, observed_at, object_ref FROM adherence "
                          "WHERE staff_nip = ? ORDER BY id", [ANDI]).fetchall() == [
        ("comply", None, ""), ("breach", "14:05", "SMA-0012")]
    obs = list(list_observations(office, units=("SMA",)))
    assert [(o["rule_code"], o["result"], o["unit"]) for o in obs] == [
        ("SOP-ARSIP", "breach", "SMA"), ("SOP-LEG", "comply", "SMA")]
    assert len(list(list_observations(office, since=date(2024, 8, 6)))) == 3
    assert len(list(list_observations(office, result="breach"))) == 2
    assert len(list(list_observations(office, staff=SITI))) == 1

    by_unit = {r["key"]: r for r in adherence_stats(office)}
    assert by_unit["SMA"]["rate"] == 0.5 and by_unit["SMA"]["observations"] == 2
    assert by_unit["SMP"]["rate"] is None and by_unit["SMP"]["na"] == 1
    assert by_unit["SEKRETARIAT"]["rate"] == 0.5
    by_rule = {r["key"]: r for r in adherence_stats(office, by="rule")}
    assert by_rule["SOP-LEG"]["name"] == "SOP legalisir" and by_rule["SOP-LEG"]["rate"] == 1.0
    by_staff = {r["key"]: r for r in adherence_stats(office, by="staff",
                                                     until=date(2024, 8, 31))}
    assert set(by_staff) == {BUDI, SITI}
    assert by_staff[BUDI]["name"] == "Budi Santoso"
    with pytest.raises(InvalidInput, match="not one of unit, staff, rule"):
        list(adherence_stats(office, by="observer"))


def test_adherence_refusals(office):
    with pytest.raises(InvalidInput, match="no rule 'SOP-NOPE'"):
        add_observation(office, staff=BUDI, rule="SOP-NOPE", result="comply",
                        on=date(2024, 8, 5))
    with pytest.raises(InvalidInput, match="no staff member"):
        add_observation(office, staff="199202022020121004", rule="SOP-LEG", result="comply",
                        on=date(2024, 8, 5))
    with pytest.raises(InvalidInput, match="not comply, breach or na"):
        add_observation(office, staff=BUDI, rule="SOP-LEG", result="maybe",
                        on=date(2024, 8, 5))
    with pytest.raises(InvalidInput, match="in the future"):
        add_observation(office, staff=BUDI, rule="SOP-LEG", result="comply",
                        on=date.today() + timedelta(days=1))
    assert count(office, "adherence") == 0


def test_parse_result_aliases():
    assert parse_result("Tidak  Patuh") == "breach"
    assert parse_result("sesuai") == "comply"
    assert parse_result("Tidak berlaku") == "na"
    with pytest.raises(InvalidInput):
        parse_result("kadang")
