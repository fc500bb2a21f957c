"""Parsing what people type: dates, NIPs, numbers, codes, free text, headers."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from qmstrack.errors import InvalidInput
from qmstrack.parsing import (
    clean_text,
    normalise_header,
    parse_code,
    parse_date,
    parse_int,
    parse_nip,
    parse_optional_date,
    parse_target,
)

# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", date(2026, 11, 23)),
        ("23/11/2026", date(2026, 11, 23)),
        ("23-11-2026", date(2026, 11, 23)),
        ("23.11.2026", date(2026, 11, 23)),
        ("5/8/2026", date(2026, 8, 5)),
        ("23 November 2026", date(2026, 11, 23)),
        ("23 Nov 2026", date(2026, 11, 23)),
        ("23 Nov. 2026", date(2026, 11, 23)),
        ("23 Agustus 2026", date(2026, 8, 23)),
        ("23 Agt 2026", date(2026, 8, 23)),
        ("23 Agu 2026", date(2026, 8, 23)),
        ("5 agt 2026", date(2026, 8, 5)),
        ("23 AGUSTUS 2026", date(2026, 8, 23)),
        ("23 Mei 2026", date(2026, 5, 23)),
        ("23 Okt 2026", date(2026, 10, 23)),
        ("23 Des 2026", date(2026, 12, 23)),
        ("23 Nop 2026", date(2026, 11, 23)),
        ("23 Peb 2026", date(2026, 2, 23)),
        ("  23/11/2026  ", date(2026, 11, 23)),
        ("2026-11-23 10:15", date(2026, 11, 23)),
        ("2026-11-23T10:15:00", date(2026, 11, 23)),
    ],
)
def test_parse_date_accepts_every_documented_form(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("month", "number"),
    list(zip(
        ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember"],
        range(1, 13),
        strict=True,
    )),
)
def test_parse_date_indonesian_month_names(month, number):
    assert parse_date(f"1 {month} 2026") == date(2026, number, 1)


def test_parse_date_passes_date_and_datetime_objects_through():
    assert parse_date(date(2026, 1, 2)) == date(2026, 1, 2)
    assert parse_date(datetime(2026, 1, 2, 13, 45)) == date(2026, 1, 2)


@pytest.mark.parametrize("text", ["31/02/2026", "2026-13-01", "30 Februari 2026",
                                  "00/01/2026", "2026-02-29"])
def test_parse_date_refuses_dates_that_do_not_exist(text):
    with pytest.raises(InvalidInput, match="not a real calendar date"):
        parse_date(text)


@pytest.mark.parametrize("text", ["kemarin", "today", "garbage", "23 Foo 2026",
                                  "23/11/26", "2026/11/23", "<script>", "12345"])
def test_parse_date_refuses_garbage(text):
    with pytest.raises(InvalidInput, match="is not a date; write it as 2026-11-23"):
        parse_date(text, field="received date")


@pytest.mark.parametrize("value", ["", "   ", None])
def test_parse_date_refuses_empty(value):
    with pytest.raises(InvalidInput, match="missing|empty"):
        parse_date(value)


def test_parse_date_very_long_string_is_refused_with_a_short_message():
    with pytest.raises(InvalidInput) as info:
        parse_date("x" * 100_000)
    assert len(str(info.value)) < 200
    assert "..." in str(info.value)


def test_parse_date_today_and_yesterday_need_today():
    today = date(2026, 3, 1)
    assert parse_date("today", today=today) == today
    assert parse_date("hari ini", today=today) == today
    assert parse_date("Yesterday", today=today) == date(2026, 2, 28)
    assert parse_date("kemarin", today=today) == date(2026, 2, 28)
    with pytest.raises(InvalidInput):
        parse_date("yesterday")


def test_parse_date_error_names_the_field():
    with pytest.raises(InvalidInput, match="closing date"):
        parse_date("nope", field="closing date")


def test_parse_optional_date():
    assert parse_optional_date("") is None
    assert parse_optional_date(None) is None
    assert parse_optional_date("1 Mei 2026") == date(2026, 5, 1)
    with pytest.raises(InvalidInput):
        parse_optional_date("31/04/2026")


# --- NIP --------------------------------------------------------------------------------

VALID_NIP = "198609262015051001"


@pytest.mark.parametrize("text", [
    VALID_NIP,
    "19860926 201505 1 001",
    " 19860926  201505 1 001 ",
    "19860926.201505.1.001",
    "19860926-201505-1-001",
])
def test_parse_nip_valid_with_and_without_spaces(text):
    nip = parse_nip(text)
    assert nip.value == VALID_NIP
    assert nip.birth_date == date(1986, 9, 26)
    assert nip.appointed == (2015, 5)
    assert nip.sex == 1
    assert nip.serial == 1
    assert nip.formatted() == "19860926 201505 1 001"


def test_parse_nip_accepts_an_exact_integer():
    assert parse_nip(int(VALID_NIP)).value == VALID_NIP


def test_parse_nip_female():
    assert parse_nip("199001012019032002").sex == 2


@pytest.mark.parametrize(("text", "reason"), [
    ("19860926201505100", "has 17 digits"),
    ("1986092620150510011", "has 19 digits"),
    ("19860926201505100A", "only digits"),
    ("NIP 198609262015051001", "only digits"),
    ("198613262015051001", "real birth date"),     # month 13
    ("198602302015051001", "real birth date"),     # 30 February
    ("198609262015001001", "appointment month 00"),
    ("198609262015131001", "appointment month 13"),
    ("198609262015050001", "sex digit 0"),
    ("198609262015053001", "sex digit 3"),
    ("198609262015051000", "serial number 000"),
    ("198609262000051001", "before the age of 18"),  # appointed at 13
    ("198609262001091001", "before the age of 18"),  # appointed at 15
    ("198609262004081001", "before the age of 18"),  # 2004-08: still 17 (born 1986-09)
    ("190001012015051001", "birth year 1900, before 1940"),
    ("198609262999051001", "in the future"),
    ("", "only digits"),
])
def test_parse_nip_invalid(text, reason):
    with pytest.raises(InvalidInput, match=reason):
        parse_nip(text)


def test_parse_nip_at_eighteen_is_accepted():
    assert parse_nip("198609262004091001").appointed == (2004, 9)


def test_parse_nip_missing():
    with pytest.raises(InvalidInput, match="missing"):
        parse_nip(None)


def test_parse_nip_stored_as_a_spreadsheet_number_is_refused_not_guessed():
    # Excel keeps 15 significant digits; float(NIP) is no longer the NIP.
    with pytest.raises(InvalidInput, match="stored as a number"):
        parse_nip(float(VALID_NIP))


def test_parse_nip_long_garbage_message_is_short():
    with pytest.raises(InvalidInput) as info:
        parse_nip("9" * 5000)
    assert len(str(info.value)) < 200


# --- numbers, targets, codes, text, headers ---------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("3", 3), (" 12 ", 12), (4.0, 4), (7, 7), ("1.500.000", 1_500_000),
    ("1,500,000", 1_500_000), ("-2", -2),
])
def test_parse_int_accepts(value, expected):
    assert parse_int(value, field="fee") == expected


@pytest.mark.parametrize("value", ["1.5", "1,5", "abc", "", None, True, "1e5", "9" * 30])
def test_parse_int_refuses(value):
    with pytest.raises(InvalidInput, match="fee"):
        parse_int(value, field="fee")


def test_parse_int_bounds():
    with pytest.raises(InvalidInput, match="below 0"):
        parse_int("-1", field="service time", minimum=0)
    with pytest.raises(InvalidInput, match="above 4"):
        parse_int("5", field="rating", minimum=1, maximum=4)
    assert parse_int("4", field="rating", minimum=1, maximum=4) == 4


def test_parse_target():
    assert parse_target(">= 0.90").met_by(0.9) is True
    assert parse_target(">= 90%").threshold == pytest.approx(0.9)
    assert parse_target("<= 0").met_by(1) is False
    assert parse_target("= 1").op == "=="
    assert parse_target(">= 0,5").threshold == 0.5
    assert parse_target(">= 1").met_by(None) is None
    with pytest.raises(InvalidInput, match="not a comparison"):
        parse_target("about 90")


def test_parse_code():
    assert parse_code(" sma ", field="unit") == "SMA"
    assert parse_code("SMA-LEG/01", field="service code") == "SMA-LEG/01"
    assert parse_code("sop.01", field="rule code") == "sop.01"
    for bad in ("", "a b", "-X", "x" * 41, "A;DROP", "ÜBER"):
        with pytest.raises(InvalidInput, match="not a valid code"):
            parse_code(bad, field="service code")


def test_clean_text():
    assert clean_text("  Ani  ", field="name") == "Ani"
    assert clean_text(None, field="note") == ""
    assert clean_text("line 1\nline 2\tx", field="note") == "line 1\nline 2\tx"
    with pytest.raises(InvalidInput, match="empty"):
        clean_text("  ", field="name", required=True)
    with pytest.raises(InvalidInput, match="limit is 10"):
        clean_text("x" * 11, field="name", max_length=10)
    with pytest.raises(InvalidInput, match="control characters"):
        clean_text("a\x00b", field="name")


@pytest.mark.parametrize(("header", "expected"), [
    ("No. Registrasi", "noregistrasi"),
    ("\ufeffTgl Masuk", "tglmasuk"),
    ("Kode_Layanan", "kodelayanan"),
    ("  NAMA PEMOHON ", "namapemohon"),
    ("No HP", "nohp"),
    (None, ""),
])
def test_normalise_header(header, expected):
    assert normalise_header(header) == expected
