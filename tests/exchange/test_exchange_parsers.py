"""Row parsers of every kind and every class of error they report, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from core.accounts import Account, Category
from core.balance import BillingBasis, HistoryEntry
from core.meters import Meter, Register, Scheme, Zone
from energobot.exchange.accounts import parse_accounts
from energobot.exchange.history import parse_history
from energobot.exchange.meters import parse_meters
from energobot.exchange.readers import Format, Row, read_table
from energobot.exchange.tariffs import parse_tariffs

DATA = Path(__file__).parent / "data"
ACCOUNTS_CSV = (DATA / "accounts.csv").read_text(encoding="utf-8")
METERS_CSV = (DATA / "meters.csv").read_text(encoding="utf-8")
HISTORY_CSV = (DATA / "history.csv").read_text(encoding="utf-8")
TARIFFS_CSV = (DATA / "tariffs.csv").read_text(encoding="utf-8")
ACCOUNTS_HEADER, METERS_HEADER, HISTORY_HEADER, TARIFFS_HEADER = (
    text.splitlines()[0] for text in (ACCOUNTS_CSV, METERS_CSV, HISTORY_CSV, TARIFFS_CSV)
)


def rows_of(content: str, fmt: Format = Format.CSV) -> list[Row]:
    table = read_table(content.encode("utf-8"), fmt)
    assert table.errors == []
    return table.rows


GOOD_ACCOUNT = (
    '5900100101,Иванова,Ольга,Петровна,"г. Пермь, ул. Ленина, д. 1",urban_gas,'
    "+79025550101,,0,100.00,2026-12-15"
)


def account_errors(*lines: str) -> list[str]:
    parsed = parse_accounts(rows_of("\n".join([ACCOUNTS_HEADER, *lines]) + "\n"))
    return [str(error) for error in parsed.errors]


def meter_errors(*lines: str) -> list[str]:
    parsed = parse_meters(rows_of("\n".join([METERS_HEADER, *lines]) + "\n"))
    return [str(error) for error in parsed.errors]


def history_errors(*lines: str) -> list[str]:
    parsed = parse_history(rows_of("\n".join([HISTORY_HEADER, *lines]) + "\n"))
    return [str(error) for error in parsed.errors]


def tariff_errors(*lines: str) -> list[str]:
    parsed = parse_tariffs(rows_of("\n".join([TARIFFS_HEADER, *lines]) + "\n"))
    return [str(error) for error in parsed.errors]


# --- accounts


def test_accounts_are_parsed_and_normalised() -> None:
    parsed = parse_accounts(rows_of(ACCOUNTS_CSV))
    assert parsed.errors == []
    assert parsed.items == [
        Account(
            number="5900100101",
            surname="Иванова",
            first_name="Ольга",
            patronymic="Петровна",
            address="Пермский край, г. Пермь, ул. Ленина, д. 64, кв. 17",
            category=Category.URBAN_GAS,
            phone="+79025550101",
            email=None,
            large_family=False,
            balance=Decimal("1514.86"),
            due_date=date(2026, 12, 15),
        ),
        Account(
            number="5900100102",  # typed with a dash
            surname="Смирнов",
            first_name="Алексей",
            patronymic="",
            address="Пермский край, с. Фролы, ул. Светлая, д. 7",
            category=Category.RURAL,
            phone="+79125550102",
            email="a.smirnov@example.ru",
            large_family=True,
            balance=Decimal("-250.00"),
            due_date=None,
        ),
    ]


def test_account_bad_phone_names_row_and_field() -> None:
    assert account_errors(
        GOOD_ACCOUNT,
        "5900100102,Смирнов,Алексей,,г. Пермь,rural,12ab,,0,0,",
    ) == ["row 3: phone: not a Russian phone number: '12ab'"]


def test_account_bad_category() -> None:
    assert account_errors("5900100102,Смирнов,Алексей,,г. Пермь,urban,,,0,0,") == [
        "row 2: category: not one of urban_gas, urban_electric, rural: 'urban'"
    ]


def test_account_bad_decimal_date_flag_number_email_all_reported_at_once() -> None:
    assert account_errors('59001,Смирнов,,,г. Пермь,rural,,a@b,yes,"1 514,86",15.12.2026') == [
        "row 2: account: not an account number (10-11 digits): '59001'",
        "row 2: first_name: required",
        "row 2: email: not an e-mail address: 'a@b'",
        "row 2: large_family: expected 0 or 1: 'yes'",
        "row 2: balance: not a decimal number: '1 514,86'",
        "row 2: due_date: not a date (YYYY-MM-DD): '15.12.2026'",
    ]


def test_account_penalty_is_optional_exact_and_never_negative() -> None:
    header = ACCOUNTS_HEADER + ",penalty"
    parsed = parse_accounts(
        rows_of(
            f"{header}\n{GOOD_ACCOUNT},38.90\n5900100102,Смирнов,Алексей,,г. Пермь,rural,,,0,0,,\n"
        )
    )
    assert parsed.errors == []
    assert [a.penalty for a in parsed.items] == [Decimal("38.90"), None]
    assert str(parsed.items[0].penalty) == "38.90"  # the scale billing wrote
    bad = parse_accounts(rows_of(f"{header}\n{GOOD_ACCOUNT},-1.00\n{GOOD_ACCOUNT[:-1]}6,1.234\n"))
    assert [str(error) for error in bad.errors] == [
        "row 2: penalty: must be at least 0: '-1.00'",
        "row 3: penalty: more than 2 digits after the dot: '1.234'",
    ]


def test_account_penalty_from_jsonl_number_string_or_null() -> None:
    line = (
        '{"account": "590010010%d", "surname": "Иванова", "first_name": "Ольга", '
        '"patronymic": "", "address": "г. Пермь", "category": "urban_gas", '
        '"large_family": 0, "balance": 2092.64, "penalty": %s}'
    )
    values = ("10.40", "null", '"0.00"')
    jsonl = "".join(line % (n, value) + "\n" for n, value in enumerate(values))
    parsed = parse_accounts(rows_of(jsonl, Format.JSONL))
    assert parsed.errors == []
    assert [a.penalty for a in parsed.items] == [Decimal("10.40"), None, Decimal("0.00")]


def test_account_repeated_in_one_file() -> None:
    assert account_errors(GOOD_ACCOUNT, GOOD_ACCOUNT.replace("5900100101", "59001 00101")) == [
        "row 3: account: the account repeats row 2"
    ]


def test_accounts_from_jsonl_with_numbers_and_strings_equal_csv() -> None:
    jsonl = (DATA / "accounts.jsonl").read_text(encoding="utf-8")
    from_jsonl = parse_accounts(rows_of(jsonl, Format.JSONL))
    assert from_jsonl.errors == []
    assert from_jsonl.items == parse_accounts(rows_of(ACCOUNTS_CSV)).items
    assert all(type(a.balance) is Decimal for a in from_jsonl.items)


def test_jsonl_row_numbers_are_line_numbers() -> None:
    jsonl = '\n{"account": "1", "category": "urban"}\n'
    errors = [str(e) for e in parse_accounts(rows_of(jsonl, Format.JSONL)).errors]
    assert "row 2: account: not an account number (10-11 digits): '1'" in errors
    assert "row 2: surname: required" in errors  # a missing key is a blank value


# --- meters


def test_meters_group_register_rows() -> None:
    parsed = parse_meters(rows_of(METERS_CSV))
    assert parsed.errors == []
    assert parsed.items == [
        Meter(
            account="5900100101",
            serial="011076120445",
            scheme=Scheme.TWO_ZONE,
            digits=6,
            smart=False,
            verification_due=date(2031, 6, 30),
            registers=(
                Register("T1", Decimal("23415.6"), date(2026, 11, 23), Decimal("138.4")),
                Register("T2", Decimal("8120.4"), date(2026, 11, 23), Decimal("59.3")),
            ),
        ),
        Meter(
            account="5900100102",
            serial="38217504",
            scheme=Scheme.SINGLE,
            digits=5,
            smart=True,
            verification_due=None,
            registers=(Register("T1", Decimal("99874.3"), date(2026, 10, 24), Decimal(213)),),
        ),
    ]
    assert parsed.accounts == {"5900100101": [2, 3], "5900100102": [4]}


def test_meter_registers_in_any_order_come_out_sorted() -> None:
    parsed = parse_meters(
        rows_of(
            f"{METERS_HEADER}\n"
            "5900100101,M1,three_zone,7,0,,t3,3,,\n"
            "5900100101,M1,three_zone,7,0,,T1,1,,\n"
            "5900100101,M1,three_zone,7,0,,T2,2,,\n"
        )
    )
    assert parsed.errors == []
    (meter,) = parsed.items
    assert [(r.name, r.last_value) for r in meter.registers] == [
        ("T1", Decimal(1)),
        ("T2", Decimal(2)),
        ("T3", Decimal(3)),
    ]


def test_meter_register_not_of_scheme() -> None:
    assert meter_errors("5900100101,M1,single,6,0,,T2,1,,") == [
        "row 2: register: T2 is not a register of a single meter (T1)"
    ]
    assert meter_errors(
        "5900100101,M1,two_zone,6,0,,T1,1,,",
        "5900100101,M1,two_zone,6,0,,T2,1,,",
        "5900100101,M1,two_zone,6,0,,T3,1,,",
    ) == ["row 4: register: T3 is not a register of a two_zone meter (T1, T2)"]
    assert meter_errors("5900100101,M1,single,6,0,,T4,1,,") == [
        "row 2: register: not one of T1, T2, T3: 'T4'"
    ]


def test_meter_incomplete_registers() -> None:
    assert meter_errors("5900100101,M1,two_zone,6,0,,T1,1,,") == [
        "row 2: register: meter M1 (two_zone) has no row for T2"
    ]
    assert meter_errors("5900100101,M1,three_zone,6,0,,T2,1,,") == [
        "row 2: register: meter M1 (three_zone) has no row for T1, T3"
    ]


def test_meter_row_with_other_errors_still_counts_for_completeness() -> None:
    # T2 is there, only its value is wrong: no spurious "has no row for T2".
    assert meter_errors(
        "5900100101,M1,two_zone,6,0,,T1,1,,",
        "5900100101,M1,two_zone,6,0,,T2,-5,,",
    ) == ["row 3: last_value: must be at least 0: '-5'"]


def test_meter_rows_must_agree_and_not_repeat() -> None:
    assert meter_errors(
        "5900100101,M1,two_zone,6,0,2030-01-31,T1,1,,",
        "5900100101,M1,two_zone,7,1,2030-01-31,T2,1,,",
        "5900100101,M1,two_zone,6,0,,T2,1,,",
    ) == [
        "row 3: digits: '7' differs from row 2 of the same meter ('6')",
        "row 3: smart: '1' differs from row 2 of the same meter ('0')",
        "row 4: register: T2 repeats row 3",
        "row 4: verification_due: empty differs from row 2 of the same meter ('2030-01-31')",
    ]


def test_meter_digits_and_values() -> None:
    assert meter_errors(
        "5900100101,M1,single,3,0,,T1,1,,",
        "5900100101,M2,single,10,0,,T1,1,,",
        "5900100101,M3,single,5,0,,T1,100000,,",
        "5900100101,M4,single,5,0,31.12.2030,T1,99999.9,2026-11-31,abc",
    ) == [
        "row 2: digits: must be 4 to 9: '3'",
        "row 3: digits: must be 4 to 9: '10'",
        "row 4: last_value: more integer digits than the display has (5): 100000",
        "row 5: verification_due: not a date (YYYY-MM-DD): '31.12.2030'",
        "row 5: last_date: not a date (YYYY-MM-DD): '2026-11-31'",
        "row 5: avg_monthly_kwh: not a decimal number: 'abc'",
    ]


def test_same_serial_on_two_accounts_is_two_meters() -> None:
    parsed = parse_meters(
        rows_of(
            f"{METERS_HEADER}\n5900100101,M1,single,6,0,,T1,1,,\n5900100102,M1,single,6,0,,T1,2,,\n"
        )
    )
    assert parsed.errors == []
    assert [(m.account, m.serial) for m in parsed.items] == [
        ("5900100101", "M1"),
        ("5900100102", "M1"),
    ]


def test_meters_from_jsonl_with_numbers() -> None:
    jsonl = (
        '{"account": 5900100102, "serial": 38217504, "scheme": "single", "digits": 5, '
        '"smart": 1, "verification_due": null, "register": "T1", "last_value": 99874.3, '
        '"last_date": "2026-10-24", "avg_monthly_kwh": 213}\n'
    )
    parsed = parse_meters(rows_of(jsonl, Format.JSONL))
    assert parsed.errors == []
    assert parsed.items == parse_meters(rows_of(METERS_CSV)).items[1:]


# --- history


def test_history_parsed() -> None:
    parsed = parse_history(rows_of(HISTORY_CSV))
    assert parsed.errors == []
    assert parsed.items[0] == HistoryEntry(
        "5900100101", "2026-10", Decimal(210), Decimal("1350.20"), Decimal("1350.20")
    )
    assert parsed.accounts == {"5900100101": [2, 3], "5900100102": [4]}


def test_history_errors() -> None:
    assert history_errors(
        "5900100101,2026-13,-1,abc,1.999",
        "5900100101,2026-11,1,1,1",
        "5900100101,2026-11,2,2,2",
    ) == [
        "row 2: period: not a period (YYYY-MM): '2026-13'",
        "row 2: kwh: must be at least 0: '-1'",
        "row 2: charged: not a decimal number: 'abc'",
        "row 2: paid: more than 2 digits after the dot: '1.999'",
        "row 4: period: the account and period repeats row 3",
    ]


def test_history_basis_is_optional() -> None:
    csv_text = (
        f"{HISTORY_HEADER},basis\n"
        "5900100101,2026-10,210,1350.20,1350.20,reading\n"
        "5900100101,2026-11,245,1514.86,0,Average\n"
        "5900100101,2026-12,130,852.80,0,norm\n"
        "5900100102,2026-11,300,1377.00,1627.00,\n"
    )
    parsed = parse_history(rows_of(csv_text))
    assert parsed.errors == []
    assert [e.basis for e in parsed.items] == [
        BillingBasis.READING,
        BillingBasis.AVERAGE,
        BillingBasis.NORM,
        None,
    ]
    assert history_errors("5900100101,2026-10,210,1350.20,1350.20") == []  # no basis column
    bad = parse_history(rows_of(f"{HISTORY_HEADER},basis\n5900100101,2026-10,1,1,1,estimate\n"))
    assert [str(error) for error in bad.errors] == [
        "row 2: basis: not one of reading, average, norm: 'estimate'"
    ]


def test_history_rows_with_errors_still_name_their_account() -> None:
    parsed = parse_history(rows_of(f"{HISTORY_HEADER}\n5900100109,2026-13,1,1,1\n"))
    assert parsed.accounts == {"5900100109": [2]}


# --- tariffs


def test_tariffs_parsed_with_roman_ranges_and_open_limits() -> None:
    parsed = parse_tariffs(rows_of(TARIFFS_CSV))
    assert parsed.errors == []
    assert len(parsed.items) == 9
    day_iii = parsed.items[5]
    assert (day_iii.zone, day_iii.range, day_iii.range_from_kwh, day_iii.range_to_kwh) == (
        Zone.DAY,
        3,
        Decimal(6000),
        None,
    )
    assert day_iii.price == Decimal("11.15")
    assert day_iii.valid_to is None


def single(range_: str, low: str, high: str, price: str = "6.56", since: str = "2026-01-01",
           until: str = "", zone: str = "all", scheme: str = "single") -> str:  # fmt: skip
    return f"urban_gas,{scheme},{zone},{range_},{low},{high},{price},{since},{until}"


def test_tariff_row_errors() -> None:
    assert tariff_errors(
        single("1", "0", "", zone="day"),
        single("IV", "0", "", price="0"),
        single("1", "100", "100", since="2026-01-01", until="2025-12-31"),
        "suburban,four_zone,all,1,0,,1,2026-01-01,",
    ) == [
        "row 2: zone: day is not a zone of single (all)",
        "row 3: range: not one of 1, 2, 3 (or I, II, III): 'IV'",
        "row 3: price: must be above 0: '0'",
        "row 4: range_to_kwh: must be above range_from_kwh (100): 100",
        "row 4: valid_to: before valid_from (2026-01-01): 2025-12-31",
        "row 5: category: not one of urban_gas, urban_electric, rural: 'suburban'",
        "row 5: scheme: not one of single, two_zone, three_zone: 'four_zone'",
    ]


def test_tariff_zone_not_in_scheme_for_three_zone() -> None:
    assert tariff_errors(single("1", "0", "", zone="day", scheme="three_zone")) == [
        "row 2: zone: day is not a zone of three_zone (peak, night, semipeak)"
    ]


def test_tariff_repeated_key() -> None:
    assert tariff_errors(single("1", "0", ""), single("I", "0", "", price="7")) == [
        "row 3: range: the category, scheme, zone, range and valid_from repeats row 2"
    ]


def test_tariff_ranges_must_chain_from_zero_to_open() -> None:
    assert tariff_errors(single("1", "100", "1000"), single("2", "1200", "6000")) == [
        "row 2: range_from_kwh: range 1 must start at 0 kWh",
        "row 3: range_from_kwh: 1200 does not continue range 1 (row 2), which ends at 1000",
        "row 3: range_to_kwh: the last range must have no upper limit "
        "(nothing prices consumption above 6000)",
    ]
    assert tariff_errors(single("1", "0", ""), single("2", "1000", "")) == [
        "row 2: range_to_kwh: only the last range may have no upper limit (range 2, row 3, follows)"
    ]
    assert tariff_errors(single("1", "0", "1000"), single("3", "6000", "")) == [
        "row 2: range: range(s) 2 missing for this zone"
    ]


def test_tariff_scheme_needs_every_zone_with_the_same_limits() -> None:
    day = [single(r, lo, hi, zone="day", scheme="two_zone") for r, lo, hi in
           (("1", "0", "1000"), ("2", "1000", ""))]  # fmt: skip
    assert tariff_errors(*day) == [
        "row 2: zone: urban_gas two_zone from 2026-01-01 has no rows for night"
    ]
    night = [single("1", "0", "1200", zone="night", scheme="two_zone"),
             single("2", "1200", "", zone="night", scheme="two_zone")]  # fmt: skip
    assert tariff_errors(*day, *night) == [
        "row 4: range_to_kwh: range 1 limits differ from zone day (row 2): 0-1200 vs 0-1000",
        "row 5: range_from_kwh: range 2 limits differ from zone day (row 3): 1200-no limit vs "
        "1000-no limit",
    ]


def test_tariff_periods_must_not_overlap_but_may_follow_each_other() -> None:
    assert (
        tariff_errors(
            single("1", "0", "", price="6.45", since="2025-07-01", until="2025-12-31"),
            single("1", "0", "", since="2026-01-01"),
        )
        == []
    )
    assert tariff_errors(
        single("1", "0", "", price="6.45", since="2025-07-01"),
        single("1", "0", "", since="2026-01-01"),
    ) == ["row 3: valid_from: 2026-01-01 overlaps row 2 (valid from 2025-07-01 to open-ended)"]


def test_tariffs_from_jsonl_with_numbers() -> None:
    jsonl = "".join(
        f'{{"category": "rural", "scheme": "single", "zone": "all", "range": {r}, '
        f'"range_from_kwh": {lo}, "range_to_kwh": {hi}, "price": {p}, '
        f'"valid_from": "2026-01-01", "valid_to": null}}\n'
        for r, lo, hi, p in (
            (1, 0, 2000, "4.59"),
            ('"2"', 2000, '"6000"', '"9.02"'),
            (3, 6000, "null", 10.32),
        )
    )
    parsed = parse_tariffs(rows_of(jsonl, Format.JSONL))
    assert parsed.errors == []
    assert [(t.range, t.range_to_kwh, t.price) for t in parsed.items] == [
        (1, Decimal(2000), Decimal("4.59")),
        (2, Decimal(6000), Decimal("9.02")),
        (3, None, Decimal("10.32")),
    ]


def test_meter_location_is_optional_and_shared_by_the_meter_rows() -> None:
    header = "account,serial,scheme,digits,smart,register,last_value,location\n"
    parsed = parse_meters(
        rows_of(
            header
            + "5900100101,H1,two_zone,7,0,T1,84120.3,дом\n"
            + "5900100101,H1,two_zone,7,0,T2,31244.1,дом\n"
            + "5900100101,G1,single,5,0,T1,6120,гараж\n"
            + "5900100101,B1,single,5,0,T1,10,\n"
        )
    )
    assert parsed.errors == []
    assert {m.serial: m.location for m in parsed.items} == {"H1": "дом", "G1": "гараж", "B1": ""}
    mixed = parse_meters(
        rows_of(
            header
            + "5900100101,H1,two_zone,7,0,T1,84120.3,дом\n"
            + "5900100101,H1,two_zone,7,0,T2,31244.1,баня\n"
        )
    )
    assert [str(e) for e in mixed.errors] == [
        "row 3: location: 'баня' differs from row 2 of the same meter ('дом')"
    ]
