"""Quality objectives on hand-made data whose every figure is worked out by hand.

The requests of 2025 (Indonesian public holidays in Jan-Mar 2025: 1, 27 and 29 January,
29 and 31 March; none on the days used below):

  ref  service  received      due (by hand)                      completed    on time
  R1   SMA-LEG  Mon 01-06     3 wd: 7, 8, 9         -> Thu 01-09  01-08        yes
  R2   SMA-LEG  Mon 01-06     Thu 01-09                           01-10        no
  R3   SMA-MUT  Mon 01-06     5 wd: 7, 8, 9, 10, 13 -> Mon 01-13  01-13        yes
  R4   SMA-LEG  Mon 02-03     3 wd: 4, 5, 6         -> Thu 02-06  02-05        yes
  R5   SMA-LEG  Mon 02-03     Thu 02-06                           02-07        no
  R6   SMA-MUT  Mon 02-03     5 wd: 4, 5, 6, 7, 10  -> Mon 02-10  02-07        yes
  R7   SMA-MUT  Mon 02-03     Mon 02-10                           02-10        yes
  R8   SMA-LEG  Mon 03-03     3 wd: 4, 5, 6         -> Thu 03-06  03-04        yes
  R9   SMP-LEG  Mon 01-06     Thu 01-09                           01-20        no

requests.on_time_rate, SMA-LEG only: Jan 1/2, Feb 1/2, Mar 1/1, year 3/5.
requests.on_time_rate, SMA (both services): Jan 2/3, Feb 3/4, Mar 1/1, Q1 and year 6/8.
R9 (SMP) must leak into neither.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from qmstrack.errors import Conflict, InvalidInput, NotFound
from qmstrack.objectives import (
    add_objective,
    get_objective,
    list_objectives,
    objective_status,
    objectives_missed_twice,
    parse_objective_period,
    parse_value,
    periods_of_year,
    record_value,
)
from qmstrack.registers.requests import add_request, update_request

AFTER_2025 = date(2026, 3, 1)  # every period of 2025 is complete


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def snapshot(db) -> tuple[int, ...]:
    return tuple(count(db, t) for t in ("objectives", "objective_values", "change_log"))


@pytest.fixture
def year2025(office):
    db = office
    for ref, service, received, closed in [
        ("R1", "SMA-LEG", "2025-01-06", "2025-01-08"),
        ("R2", "SMA-LEG", "2025-01-06", "2025-01-10"),
        ("R3", "SMA-MUT", "2025-01-06", "2025-01-13"),
        ("R4", "SMA-LEG", "2025-02-03", "2025-02-05"),
        ("R5", "SMA-LEG", "2025-02-03", "2025-02-07"),
        ("R6", "SMA-MUT", "2025-02-03", "2025-02-07"),
        ("R7", "SMA-MUT", "2025-02-03", "2025-02-10"),
        ("R8", "SMA-LEG", "2025-03-03", "2025-03-04"),
        ("R9", "SMP-LEG", "2025-01-06", "2025-01-20"),
    ]:
        add_request(db, ref=ref, service=service, requester=ref.lower(), received=received)
        update_request(db, ref, status="completed", on=closed)
    return db


@pytest.fixture
def objectives(year2025):
    db = year2025
    ids = {}
    ids["leg"] = add_objective(db, unit="SMA", service="SMA-LEG", title="Legalisir tepat",
                               metric="requests.on_time_rate", target=">= 0.8",
                               year=2025)["id"]
    ids["sma"] = add_objective(db, unit="SMA", title="Layanan SMA tepat waktu",
                               metric="requests.on_time_rate", target=">= 80%",
                               year=2025)["id"]
    ids["quarter"] = add_objective(db, unit="SMA", title="Triwulan", target=">= 0.7",
                                   metric="requests.on_time_rate", frequency="quarterly",
                                   year=2025)["id"]
    ids["yearly"] = add_objective(db, unit="SMA", title="Volume", target=">= 8",
                                  metric="requests.completed", frequency="yearly",
                                  year=2025)["id"]
    ids["manual"] = add_objective(db, unit="SEKRETARIAT", title="Arsip tertata",
                                  target=">= 90%", year=2025)["id"]
    ids["manual_q"] = add_objective(db, unit="SMP", title="Sosialisasi", target=">= 4",
                                    frequency="triwulan", year=2025)["id"]
    ids["manual_y"] = add_objective(db, unit="SMP", title="Keluhan", target="<= 2",
                                    frequency="yearly", year=2025)["id"]
    for period, value in [("2025-01", "92,5%"), ("2025-02", "85%"), ("2025-03", "0.8")]:
        record_value(db, ids["manual"], period=period, value=value)
    for period, value in [("2025-Q1", "3"), ("2025-q2", "3,5"), ("2025-Q3", "5")]:
        record_value(db, ids["manual_q"], period=period, value=value)
    record_value(db, ids["manual_y"], period="2025", value="1.5", note="laporan tahunan")
    return db, ids


def by_id(rows, objective_id):
    return next(r for r in rows if r["id"] == objective_id)


def values(row):
    return [p["value"] for p in row["periods"]]


def statuses(row):
    return [p["status"] for p in row["periods"]]


# --- parsing --------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("92,5", 92.5), ("92.5", 92.5), ("92,5%", 0.925), ("92.5 %", 0.925), (" 7 ", 7.0),
    ("-1", -1.0), ("0", 0.0), (3, 3.0),
])
def test_parse_value(text, expected):
    assert parse_value(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "abc", "92,5,1", "1.000.000", "92%%", "%5", True])
def test_parse_value_refuses(text):
    with pytest.raises(InvalidInput):
        parse_value(text)


@pytest.mark.parametrize("frequency, text, label, start, end", [
    ("monthly", "2026-10", "2026-10", date(2026, 10, 1), date(2026, 10, 31)),
    ("monthly", "2024-2", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("quarterly", "2026-Q3", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
    ("quarterly", "2026q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("yearly", "2026", "2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_parse_objective_period(frequency, text, label, start, end):
    p = parse_objective_period(text, frequency)
    assert (p.label, p.start, p.end) == (label, start, end)


@pytest.mark.parametrize("frequency, text, reason", [
    ("monthly", "2026-13", "not a month"),
    ("monthly", "2026-Q3", "not a month"),
    ("monthly", "Oktober 2026", "not a month"),
    ("quarterly", "2026-Q5", "not a quarter"),
    ("quarterly", "2026-10", "not a quarter"),
    ("yearly", "2026-01", "not a year"),
    ("monthly", "2025-10", "not in the objective's year 2026"),
])
def test_parse_objective_period_refuses(frequency, text, reason):
    with pytest.raises(InvalidInput, match=reason):
        parse_objective_period(text, frequency, 2026)


def test_periods_of_year():
    assert len(periods_of_year("monthly", 2026)) == 12
    assert [p.label for p in periods_of_year("quarterly", 2026)] == [
        "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert periods_of_year("quarterly", 2026)[3].end == date(2026, 12, 31)
    assert [p.label for p in periods_of_year("yearly", 2026)] == ["2026"]


# --- adding ---------------------------------------------------------------------------


def test_add_objective_records_normalised_fields(office):
    leg = add_objective(office, unit="sma", service="SMA-LEG", title=" Legalisir ",
                        metric="requests.on_time_rate", target=">= 95%",
                        year=2026)
    assert leg["target"] == ">= 0.95"
    assert (leg["unit"], leg["service_code"], leg["title"], leg["kind"]) == (
        "SMA", "SMA-LEG", "Legalisir", "metric")
    manual = add_objective(office, unit="SMP", title="Arsip", target=">= 90%")
    assert manual["year"] == date.today().year
    assert manual["frequency"] == "monthly" and manual["kind"] == "manual"
    assert get_objective(office, manual["id"])["metric"] is None
    assert [o["id"] for o in list_objectives(office, units=("SMP",))] == [manual["id"]]
    # A manual objective may carry a service as a label.
    labelled = add_objective(office, unit="SMP", service="SMP-LEG", title="Survei loket",
                             target=">= 3.5", frequency="quarterly")
    assert (labelled["service_code"], labelled["kind"]) == ("SMP-LEG", "manual")


ADD_REFUSALS = [
    ({"metric": "requests.nope"}, InvalidInput, "no metric"),
    ({"metric": "adherence.rate", "service": "SMA-LEG"}, InvalidInput,
     "not measured per service"),
    ({"metric": "requests.on_time_rate", "service": "NOPE"}, NotFound, "no service"),
    ({"metric": "requests.on_time_rate", "target": ">= 95"}, InvalidInput,
     "rate between 0 and 1"),
    ({"target": "95"}, InvalidInput, "not a comparison"),
    ({"unit": "NOPE"}, InvalidInput, "no unit"),
    ({"frequency": "weekly"}, InvalidInput, "not monthly, quarterly or yearly"),
    ({"year": 1999}, InvalidInput, "not a year"),
    ({"title": "  "}, InvalidInput, "title is empty"),
]


def test_add_objective_refuses(office):
    before = snapshot(office)
    for kwargs, error, reason in ADD_REFUSALS:
        values = {"unit": "SMA", "title": "t", "target": ">= 0.9", **kwargs}
        with pytest.raises(error, match=reason):
            add_objective(office, **values)
    assert snapshot(office) == before


# --- metric objectives ------------------------------------------------------------------


def test_objective_scoped_to_one_service(objectives):
    db, ids = objectives
    row = by_id(objective_status(db, year=2025, today=AFTER_2025), ids["leg"])
    assert values(row)[:3] == [pytest.approx(0.5), pytest.approx(0.5), pytest.approx(1.0)]
    assert values(row)[3:] == [None] * 9
    assert statuses(row) == ["missed", "missed", "achieved"] + ["no_value"] * 9
    assert [p["achieved"] for p in row["periods"][:4]] == [False, False, True, None]
    assert row["year_to_date"]["value"] == pytest.approx(3 / 5)
    assert row["year_to_date"]["achieved"] is False
    assert (row["year_to_date"]["start"], row["year_to_date"]["end"]) == (
        "2025-01-01", "2025-12-31")
    assert (row["achieved_periods"], row["missed_periods"], row["no_value_periods"]) == (
        1, 2, 9)
    assert row["missed_twice"] is True
    assert row["metric_kind"] == "rate" and row["service_code"] == "SMA-LEG"


def test_unit_wide_objective_counts_every_service_of_the_unit_only(objectives):
    db, ids = objectives
    row = by_id(objective_status(db, year=2025, today=AFTER_2025), ids["sma"])
    assert values(row)[:3] == [pytest.approx(2 / 3), pytest.approx(3 / 4),
                               pytest.approx(1.0)]
    assert statuses(row)[:3] == ["missed", "missed", "achieved"]
    assert row["year_to_date"]["value"] == pytest.approx(6 / 8)
    assert row["target"] == ">= 0.8"
    assert row["missed_twice"] is True


def test_quarterly_and_yearly_metric_objectives(objectives):
    db, ids = objectives
    rows = objective_status(db, year=2025, today=AFTER_2025)
    quarter = by_id(rows, ids["quarter"])
    assert [p["period"] for p in quarter["periods"]] == [
        "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert values(quarter) == [pytest.approx(6 / 8), None, None, None]
    assert statuses(quarter) == ["achieved", "no_value", "no_value", "no_value"]
    assert quarter["missed_twice"] is False
    yearly = by_id(rows, ids["yearly"])
    assert values(yearly) == [8]
    assert statuses(yearly) == ["achieved"]
    assert yearly["year_to_date"]["value"] == 8


def test_periods_in_progress_and_in_the_future(objectives):
    db, ids = objectives
    rows = objective_status(db, year=2025, today=date(2025, 2, 15))
    leg = by_id(rows, ids["leg"])
    # February is measured from the 1st to today: R4 on time, R5 late.
    assert values(leg)[:2] == [pytest.approx(0.5), pytest.approx(0.5)]
    assert statuses(leg) == ["missed", "in_progress"] + ["future"] * 10
    assert values(leg)[2:] == [None] * 10
    assert leg["missed_twice"] is False
    assert leg["year_to_date"]["end"] == "2025-02-15"
    assert leg["year_to_date"]["value"] == pytest.approx(2 / 4)  # R1, R2, R4, R5
    manual = by_id(rows, ids["manual"])
    # March was recorded, but on 15 February it lies in the future.
    assert values(manual)[:3] == [pytest.approx(0.925), pytest.approx(0.85), None]
    assert manual["year_to_date"]["value"] == pytest.approx((0.925 + 0.85) / 2)
    before_year = objective_status(db, year=2025, today=date(2024, 12, 31))
    assert all(p["status"] == "future" for r in before_year for p in r["periods"])
    assert all(r["year_to_date"]["value"] is None for r in before_year)


def test_status_filters_by_year_and_unit(objectives):
    db, ids = objectives
    assert objective_status(db, year=2024, today=AFTER_2025) == []
    smp = objective_status(db, year=2025, units=("SMP",), today=AFTER_2025)
    assert {r["id"] for r in smp} == {ids["manual_q"], ids["manual_y"]}


# --- manual objectives ------------------------------------------------------------------


def test_manual_objective_status(objectives):
    db, ids = objectives
    rows = objective_status(db, year=2025, today=AFTER_2025)
    monthly = by_id(rows, ids["manual"])
    assert values(monthly)[:4] == [pytest.approx(0.925), pytest.approx(0.85),
                                   pytest.approx(0.8), None]
    assert statuses(monthly)[:4] == ["achieved", "missed", "missed", "no_value"]
    assert monthly["missed_twice"] is True
    assert monthly["year_to_date"]["value"] == pytest.approx((0.925 + 0.85 + 0.8) / 3)
    assert monthly["year_to_date"]["method"] == "mean of recorded values"
    assert monthly["metric_kind"] is None and monthly["kind"] == "manual"

    quarterly = by_id(rows, ids["manual_q"])
    assert values(quarterly) == [3.0, 3.5, 5.0, None]
    assert statuses(quarterly) == ["missed", "missed", "achieved", "no_value"]
    assert quarterly["year_to_date"]["value"] == pytest.approx((3 + 3.5 + 5) / 3)
    assert quarterly["year_to_date"]["achieved"] is False

    yearly = by_id(rows, ids["manual_y"])
    assert values(yearly) == [1.5] and statuses(yearly) == ["achieved"]


def test_record_replaces_a_period_value(objectives):
    db, ids = objectives
    row = record_value(db, ids["manual"], period="2025-03", value="95%", note="koreksi")
    assert row["replaced"] == pytest.approx(0.8)
    assert row["achieved"] is True
    stored = db.execute("SELECT value, note FROM objective_values WHERE objective_id = ? "
                        "AND period = '2025-03'", [ids["manual"]]).fetchone()
    assert stored[0] == pytest.approx(0.95) and stored[1] == "koreksi"


RECORD_REFUSALS = [
    ("manual", "2025-13", "1", InvalidInput, "not a month"),
    ("manual", "2025-Q1", "1", InvalidInput, "not a month"),
    ("manual", "2026-01", "1", InvalidInput, "not in the objective's year 2025"),
    ("manual", "2025-12", "1", InvalidInput, "has not started yet"),
    ("manual", "2025-01", "sembilan", InvalidInput, "not a number"),
    ("manual_q", "2025-04", "1", InvalidInput, "not a quarter"),
    ("manual_y", "2025-Q1", "1", InvalidInput, "not a year"),
    ("leg", "2025-01", "0.9", Conflict, "measured by the metric"),
]


def test_record_refuses(objectives):
    db, ids = objectives
    before = snapshot(db)
    for key, period, value, error, reason in RECORD_REFUSALS:
        with pytest.raises(error, match=reason):
            record_value(db, ids[key], period=period, value=value, today=date(2025, 11, 1))
    assert snapshot(db) == before


def test_record_on_unknown_objective(objectives):
    db, _ = objectives
    with pytest.raises(NotFound, match="no objective 999"):
        record_value(db, 999, period="2025-01", value="1")


# --- missed twice -----------------------------------------------------------------------


MISSED_TWICE = [
    # Jan and Feb missed by both SMA objectives; the manual one missed only February.
    (date(2025, 3, 10), {"leg", "sma"}),
    # On the last day of March, March is not complete yet: still January and February.
    (date(2025, 3, 31), {"leg", "sma"}),
    # February and March: only the manual monthly objective missed both.
    (date(2025, 4, 2), {"manual"}),
    # Quarterly: Q1 and Q2 both missed by the manual quarterly objective.
    (date(2025, 7, 1), {"manual_q"}),
    (date(2025, 10, 1), set()),
    # November and December 2025 have no values.
    (date(2026, 1, 15), set()),
    # Only one month of the year is complete.
    (date(2025, 2, 3), set()),
]


def test_objectives_missed_twice(objectives):
    db, ids = objectives
    for on, expected in MISSED_TWICE:
        found = objectives_missed_twice(db, on)
        assert {r["id"] for r in found} == {ids[k] for k in expected}, on
        for row in found:
            assert len(row["periods"]) == 2
            assert all(p["status"] == "missed" for p in row["periods"])


def test_missed_twice_names_the_two_periods(objectives):
    db, ids = objectives
    found = by_id(objectives_missed_twice(db, date(2025, 3, 10)), ids["leg"])
    assert [p["period"] for p in found["periods"]] == ["2025-01", "2025-02"]
    assert [p["value"] for p in found["periods"]] == [pytest.approx(0.5),
                                                      pytest.approx(0.5)]
    assert found["title"] == "Legalisir tepat" and found["unit"] == "SMA"


# --- the commands -----------------------------------------------------------------------


def test_objective_commands(cli, year2025):
    added = cli("objective", "add", "--unit", "SMA", "--title", "Legalisir tepat waktu",
                "--metric", "requests.on_time_rate", "--service", "SMA-LEG",
                "--target", ">= 0.8", "--year", "2025")
    assert added.exit_code == 0, added.stderr
    leg = int(added.stdout.strip())
    manual = cli("objective", "add", "--unit", "SEKRETARIAT", "--title", "Arsip",
                 "--manual", "--target", ">= 90%", "--frequency", "quarterly",
                 "--year", "2025")
    assert manual.exit_code == 0, manual.stderr
    manual_id = int(manual.stdout.strip())

    recorded = cli("objective", "record", str(manual_id), "--period", "2025-Q2",
                   "--value", "92,5%", "--note", "rekap")
    assert recorded.exit_code == 0, recorded.stderr
    assert "achieved" in recorded.stderr
    warned = cli("objective", "record", str(manual_id), "--period", "2025-Q3",
                 "--value", "88")
    assert warned.exit_code == 0 and "Warning:" in warned.stderr

    listed = json.loads(cli("objective", "list", "--year", "2025", "--json").stdout)
    assert [(o["id"], o["kind"], o["target"]) for o in listed] == [
        (manual_id, "manual", ">= 0.9"), (leg, "metric", ">= 0.8")]
    assert json.loads(cli("objective", "list", "--unit", "SMA", "--json").stdout)[0][
        "service_code"] == "SMA-LEG"

    status = cli("objective", "status", "--year", "2025", "--json")
    assert status.exit_code == 0, status.stderr
    rows = json.loads(status.stdout)
    leg_row = by_id(rows, leg)
    assert values(leg_row)[:3] == [0.5, 0.5, 1.0]
    assert leg_row["missed_twice"] is True
    assert leg_row["year_to_date"]["value"] == pytest.approx(0.6)
    manual_row = by_id(rows, manual_id)
    assert values(manual_row) == [None, pytest.approx(0.925), 88.0, None]
    assert statuses(manual_row) == ["no_value", "achieved", "achieved", "no_value"]

    table = cli("objective", "status", "--year", "2025")
    assert table.exit_code == 0, table.stderr
    assert "50.0% MISS" in table.stdout and "100.0% ok" in table.stdout
    assert f"objective {leg} " in table.stderr and "two consecutive" in table.stderr
    assert "No objectives match." in cli("objective", "status", "--year", "2030").stderr


CLI_ADD_REFUSALS = [
    (["--metric", "requests.received", "--manual"], 2, "exactly one of"),
    ([], 2, "exactly one of"),
    (["--metric", "requests.nope"], 2, "no metric"),
    (["--metric", "adherence.rate", "--service", "SMA-LEG"], 2, "not measured per service"),
    (["--metric", "requests.on_time_rate", "--service", "NOPE"], 1, "no service"),
    (["--metric", "requests.on_time_rate", "--target", ">= 95"], 2, "rate between 0 and 1"),
    (["--manual", "--target", "ninety"], 2, "not a comparison"),
    (["--manual", "--frequency", "weekly"], 2, "not monthly"),
    (["--manual", "--unit", "NOPE"], 1, "no unit"),
    (["--manual", "--year", "1999"], 2, "--year"),
]


def test_objective_add_refuses_bad_input(cli, office):
    before = snapshot(office)
    for args, code, reason in CLI_ADD_REFUSALS:
        options = {"--unit": "SMA", "--title": "t", "--target": ">= 0.9"}
        for name in list(options):
            if name in args:  # the case gives its own value
                del options[name]
        result = cli("objective", "add", *[x for kv in options.items() for x in kv], *args)
        assert result.exit_code == code, (args, result.stderr)
        assert reason in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
        if code == 1 or "exactly one" in reason:
            assert result.stderr.startswith("Error: ")
            assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(office) == before


def test_objective_record_refuses_bad_input(cli, objectives):
    db, ids = objectives
    before = snapshot(db)
    cases = [
        ([str(ids["leg"]), "--period", "2025-01", "--value", "1"], 1, "measured by the metric"),
        ([str(ids["manual"]), "--period", "2025/01", "--value", "1"], 2, "not a month"),
        ([str(ids["manual"]), "--period", "2024-12", "--value", "1"], 2, "year 2025"),
        ([str(ids["manual"]), "--period", "2025-01", "--value", "x"], 2, "not a number"),
        (["999", "--period", "2025-01", "--value", "1"], 1, "no objective 999"),
        # Click writes the argument's name in upper or lower case, by version.
        (["abc", "--period", "2025-01", "--value", "1"], 2, "objective_id"),
    ]
    for args, code, reason in cases:
        result = cli("objective", "record", *args)
        assert result.exit_code == code, (args, result.stderr)
        assert reason.lower() in result.stderr.lower(), (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert snapshot(db) == before


def test_rates_read_as_percentages_in_the_tables_and_messages(cli, objectives):
    db, ids = objectives
    table = cli("objective", "status", "--year", "2025")
    assert table.exit_code == 0, table.stderr
    arsip = next(line for line in table.stdout.splitlines() if "Arsip tertata" in line)
    # Recorded as 92,5%, 85% and 0.8 against ">= 90%": all read as percentages.
    assert ">= 90.0%" in arsip
    assert "92.5% ok" in arsip and "85.0% MISS" in arsip and "80.0% MISS" in arsip
    volume = next(line for line in table.stdout.splitlines() if "Volume" in line)
    assert ">= 8 " in volume and "%" not in volume  # a count stays a count
    recorded = cli("objective", "record", str(ids["manual"]), "--period", "2025-03",
                   "--value", "95%")
    assert recorded.exit_code == 0, recorded.stderr
    assert ("2025-03: 95.0% (was 80.0%), target >= 90.0%: achieved."
            in recorded.stderr)
    counted = cli("objective", "record", str(ids["manual_q"]), "--period", "2025-Q4",
                  "--value", "4")
    assert "2025-Q4: 4, target >= 4: achieved." in counted.stderr
