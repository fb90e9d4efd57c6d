from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.meters import Meter, Register, Scheme, Zone
from core.readings import (
    AssignError,
    ParsedValue,
    Reading,
    ReadingStatus,
    Verdict,
    account_average,
    assign_to_registers,
    check_register_value,
    in_submission_window,
    parse_readings,
    period_for,
    plausibility_limit,
    previous_value,
    zone_named,
)

D = Decimal
MARGIN = D("0.1")


def meter(scheme: Scheme, digits: int = 6) -> Meter:
    names = {Scheme.SINGLE: ("T1",), Scheme.TWO_ZONE: ("T1", "T2")}.get(scheme, ("T1", "T2", "T3"))
    return Meter(
        account="5901234567",
        serial="123",
        scheme=scheme,
        digits=digits,
        smart=False,
        verification_due=None,
        registers=tuple(Register(n, None, None, None) for n in names),
    )


def pv(value: str, zone: Zone | None = None, register: str | None = None) -> ParsedValue:
    integer, _, fraction = value.partition(".")
    return ParsedValue(zone, D(value), len(integer), len(fraction), register)


def simple(values: list[ParsedValue]) -> list[tuple[Zone | None, str | None, Decimal]]:
    return [(v.zone, v.register, v.value) for v in values]


# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("день 23415 ночь 8120", [(Zone.DAY, None, D(23415)), (Zone.NIGHT, None, D(8120))]),
        ("т1 4521 т2 1877", [(None, "T1", D(4521)), (None, "T2", D(1877))]),
        ("T1: 4521, T2 - 1877", [(None, "T1", D(4521)), (None, "T2", D(1877))]),
        ("t3=15", [(None, "T3", D(15))]),
        (
            "пик 3201 полупик 2890 ночь 1502",
            [
                (Zone.PEAK, None, D(3201)),
                (Zone.SEMIPEAK, None, D(2890)),
                (Zone.NIGHT, None, D(1502)),
            ],
        ),
        ("23415 8120", [(None, None, D(23415)), (None, None, D(8120))]),
        ("показания 12457 квт", [(None, None, D(12457))]),
        ("12 345,6", [(None, None, D("12345.6"))]),
        ("12\u00a0345,6 кВт·ч", [(None, None, D("12345.6"))]),
        ("12345.6", [(None, None, D("12345.6"))]),
        ("12345,67", [(None, None, D("12345.67"))]),
        ("4521 1877", [(None, None, D(4521)), (None, None, D(1877))]),
        ("12 3456", [(None, None, D(12)), (None, None, D(3456))]),
        ("1 234 567", [(None, None, D(1234567))]),
        ("день 200, ночь 90", [(Zone.DAY, None, D(200)), (Zone.NIGHT, None, D(90))]),
        ("ДЕНЬ 23415 НОЧЬ 8120", [(Zone.DAY, None, D(23415)), (Zone.NIGHT, None, D(8120))]),
        ("дневной:23415 ночной:8120", [(Zone.DAY, None, D(23415)), (Zone.NIGHT, None, D(8120))]),
        ("д 23415 н 8120", [(Zone.DAY, None, D(23415)), (Zone.NIGHT, None, D(8120))]),
        (
            "day 1 night 2 peak 3",
            [(Zone.DAY, None, D(1)), (Zone.NIGHT, None, D(2)), (Zone.PEAK, None, D(3))],
        ),
        ("semi-peak 5 пиковый 6", [(Zone.SEMIPEAK, None, D(5)), (Zone.PEAK, None, D(6))]),
        ("Полупиковый — 7", [(Zone.SEMIPEAK, None, D(7))]),
        # A label applies only to the number right after it.
        ("день примерно 23415", [(Zone.DAY, None, D(23415))]),
        ("день рождения 23415", [(None, None, D(23415))]),
        ("сдаю 26.11.2025: 12345", [(None, None, D(12345))]),
        ("", []),
        ("нет показаний", []),
    ],
)
def test_parse_readings(text: str, expected: list) -> None:
    assert simple(parse_readings(text)) == expected


def test_parse_records_how_the_number_was_written() -> None:
    [value] = parse_readings("12 345,6")
    assert (value.integer_digits, value.decimals) == (5, 1)
    [value] = parse_readings("0012345")
    assert (value.value, value.integer_digits, value.decimals) == (D(12345), 7, 0)
    [value] = parse_readings("123456,789")
    assert (value.integer_digits, value.decimals) == (6, 3)


def test_parse_other_scripts_digits() -> None:
    assert simple(parse_readings("٤٥٢١")) == [(None, None, D(4521))]
    assert simple(parse_readings("１２３４５")) == [(None, None, D(12345))]


def test_labelled_property() -> None:
    day, t2, bare = parse_readings("день 1 т2 2 3")
    assert day.labelled and t2.labelled and not bare.labelled


@given(st.text())
def test_parse_readings_never_raises(text: str) -> None:
    for value in parse_readings(text):
        assert value.value >= 0
        assert value.integer_digits >= 1
        assert value.decimals >= 0


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["день", "т1", "пик", ""]))
def test_parse_finds_any_plain_integer(number: int, label: str) -> None:
    [value] = parse_readings(f"{label} {number} квт")
    assert value.value == number
    assert value.labelled is bool(label)


# --- assigning to registers ---------------------------------------------------------------------


def test_assign_two_zone_by_labels_in_any_order() -> None:
    result = assign_to_registers(parse_readings("ночь 8120 день 23415"), meter(Scheme.TWO_ZONE))
    assert isinstance(result, dict)
    assert list(result) == ["T1", "T2"]
    assert (result["T1"].value, result["T2"].value) == (D(23415), D(8120))


def test_assign_register_labels() -> None:
    result = assign_to_registers(parse_readings("т2 1877 т1 4521"), meter(Scheme.TWO_ZONE))
    assert isinstance(result, dict)
    assert {k: v.value for k, v in result.items()} == {"T1": D(4521), "T2": D(1877)}


def test_assign_three_zone() -> None:
    values = parse_readings("пик 3201 полупик 2890 ночь 1502")
    result = assign_to_registers(values, meter(Scheme.THREE_ZONE))
    assert isinstance(result, dict)
    assert {k: v.value for k, v in result.items()} == {"T1": D(3201), "T2": D(1502), "T3": D(2890)}


def test_assign_day_means_t1_on_three_zone_and_peak_means_t1_on_two_zone() -> None:
    three = assign_to_registers(parse_readings("день 5"), meter(Scheme.THREE_ZONE))
    two = assign_to_registers(parse_readings("пик 5"), meter(Scheme.TWO_ZONE))
    assert isinstance(three, dict) and list(three) == ["T1"]
    assert isinstance(two, dict) and list(two) == ["T1"]


def test_assign_t1_on_single_rate() -> None:
    result = assign_to_registers(parse_readings("т1 12457"), meter(Scheme.SINGLE))
    assert isinstance(result, dict) and result["T1"].value == D(12457)


def test_assign_unlabelled_in_register_order() -> None:
    result = assign_to_registers(parse_readings("23415 8120"), meter(Scheme.TWO_ZONE))
    assert isinstance(result, dict)
    assert {k: v.value for k, v in result.items()} == {"T1": D(23415), "T2": D(8120)}
    single = assign_to_registers(parse_readings("показания 12457 квт"), meter(Scheme.SINGLE))
    assert isinstance(single, dict) and single["T1"].value == D(12457)


def test_assign_fewer_values_than_registers() -> None:
    result = assign_to_registers(parse_readings("1502"), meter(Scheme.THREE_ZONE))
    assert isinstance(result, dict) and list(result) == ["T1"]


def test_assign_unlabelled_fills_missing() -> None:
    result = assign_to_registers(
        parse_readings("1502 2890"), meter(Scheme.THREE_ZONE), missing=("T3", "T2")
    )
    assert isinstance(result, dict)
    assert {k: v.value for k, v in result.items()} == {"T2": D(1502), "T3": D(2890)}


@pytest.mark.parametrize(
    ("text", "scheme", "missing", "error"),
    [
        ("", Scheme.SINGLE, None, AssignError.NO_VALUES),
        ("1 2", Scheme.SINGLE, None, AssignError.TOO_MANY),
        ("1 2 3", Scheme.TWO_ZONE, None, AssignError.TOO_MANY),
        ("1 2", Scheme.THREE_ZONE, ("T3",), AssignError.TOO_MANY),
        ("ночь 5", Scheme.SINGLE, None, AssignError.UNKNOWN_ZONE),
        ("полупик 5", Scheme.TWO_ZONE, None, AssignError.UNKNOWN_ZONE),
        ("т3 5", Scheme.TWO_ZONE, None, AssignError.UNKNOWN_ZONE),
        ("день 1 день 2", Scheme.TWO_ZONE, None, AssignError.DUPLICATE_ZONE),
        ("день 1 т1 2", Scheme.TWO_ZONE, None, AssignError.DUPLICATE_ZONE),
        ("день 1 2", Scheme.TWO_ZONE, None, AssignError.MIXED),
    ],
)
def test_assign_errors(
    text: str, scheme: Scheme, missing: tuple[str, ...] | None, error: AssignError
) -> None:
    assert assign_to_registers(parse_readings(text), meter(scheme), missing) is error


# --- checking a register value -----------------------------------------------------------------


def test_check_ok_with_consumption() -> None:
    check = check_register_value(pv("12457"), D(12300), 5, MARGIN)
    assert check.verdict is Verdict.OK and check.consumption == D(157)


def test_check_equal_is_zero_consumption() -> None:
    check = check_register_value(pv("12300.5"), D("12300.5"), 5, MARGIN)
    assert check.verdict is Verdict.OK and check.consumption == 0


def test_check_first_reading_has_no_consumption() -> None:
    check = check_register_value(pv("12457"), None, 5, MARGIN)
    assert check.verdict is Verdict.OK and check.consumption is None


def test_check_rollover() -> None:
    check = check_register_value(pv("120"), D(99850), 5, MARGIN)
    assert check.verdict is Verdict.ROLLOVER
    assert check.consumption == D(270)  # 100000 - 99850 + 120


def test_check_rollover_margin_boundaries() -> None:
    # With 5 digits and a 10 % margin: previous from 90 000 and new value up to 10 000.
    assert check_register_value(pv("10000"), D(90000), 5, MARGIN).verdict is Verdict.ROLLOVER
    assert check_register_value(pv("10000"), D(89999), 5, MARGIN).verdict is (
        Verdict.BELOW_PREVIOUS
    )
    assert check_register_value(pv("10001"), D(90000), 5, MARGIN).verdict is (
        Verdict.BELOW_PREVIOUS
    )


def test_check_below_previous_is_not_a_rollover_far_from_the_top() -> None:
    check = check_register_value(pv("120"), D(50000), 5, MARGIN)
    assert check.verdict is Verdict.BELOW_PREVIOUS and check.consumption is None
    check = check_register_value(pv("20000"), D(99850), 5, MARGIN)
    assert check.verdict is Verdict.BELOW_PREVIOUS


def test_check_too_many_digits_and_decimals() -> None:
    assert (
        check_register_value(pv("124576"), D(12300), 5, MARGIN).verdict is Verdict.TOO_MANY_DIGITS
    )
    assert check_register_value(pv("1245.761"), D(1200), 5, MARGIN).verdict is (
        Verdict.TOO_MANY_DECIMALS
    )
    assert check_register_value(pv("12457.61"), D(12300), 5, MARGIN).verdict is Verdict.OK


@given(
    digits=st.integers(min_value=4, max_value=8),
    data=st.data(),
)
def test_check_never_accepts_a_drop_without_rollover(digits: int, data: st.DataObject) -> None:
    top = 10**digits - 1
    previous = D(data.draw(st.integers(min_value=0, max_value=top)))
    value = D(data.draw(st.integers(min_value=0, max_value=top)))
    check = check_register_value(pv(str(value)), previous, digits, MARGIN)
    modulus = D(10) ** digits
    rollover = previous >= (1 - MARGIN) * modulus and value <= MARGIN * modulus
    if value < previous:
        assert check.verdict is not Verdict.OK
        assert (check.verdict is Verdict.ROLLOVER) is rollover
        if rollover:
            assert check.consumption == modulus - previous + value
            assert 0 < check.consumption <= 2 * MARGIN * modulus
        else:
            assert check.verdict is Verdict.BELOW_PREVIOUS
    else:
        assert check.verdict is Verdict.OK and check.consumption == value - previous


# --- plausibility ------------------------------------------------------------------------------


def test_account_average() -> None:
    history = [D(200), D(100), D(300), D(0), D(200), D(400), D(9000)]
    assert account_average(history) == D(200)  # the 7th month is beyond the window
    assert account_average(history, months=2) == D(150)
    assert account_average([]) is None
    assert account_average([D(0), D(0)]) is None


def test_plausibility_three_times_the_average() -> None:
    limit = plausibility_limit(D(200), D(500), D(3), D(1000))
    assert limit == D(600)
    assert D(601) > limit


def test_plausibility_falls_back_to_billing_average() -> None:
    assert plausibility_limit(None, D(250), D(3), D(1000)) == D(750)


def test_plausibility_without_history_is_1000_kwh() -> None:
    assert plausibility_limit(None, None, D(3), D(1000)) == D(1000)
    assert plausibility_limit(D(0), D(0), D(3), D(1000)) == D(1000)


# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (date(2026, 3, 1), "2026-03"),
        (date(2026, 3, 25), "2026-03"),
        (date(2026, 3, 26), "2026-04"),
        (date(2026, 3, 31), "2026-04"),
        (date(2026, 12, 25), "2026-12"),
        (date(2026, 12, 26), "2027-01"),
    ],
)
def test_period_for_cutoff_25(day: date, period: str) -> None:
    assert period_for(day, 25) == period


def test_cutoff_day_is_a_setting() -> None:
    assert period_for(date(2026, 3, 24), 23) == "2026-04"


def test_submission_window() -> None:
    assert not in_submission_window(date(2026, 3, 22), 23, 25)
    assert in_submission_window(date(2026, 3, 23), 23, 25)
    assert in_submission_window(date(2026, 3, 25), 23, 25)
    assert not in_submission_window(date(2026, 3, 26), 23, 25)


def reading(value: int, period: str, at: datetime, status: ReadingStatus) -> Reading:
    return Reading(
        account="5901234567",
        serial="123",
        register="T1",
        value=D(value),
        consumption_kwh=None,
        period=period,
        submitted_at=at,
        channel="telegram",
        status=status,
    )


def test_previous_value_ignores_readings_of_the_same_period() -> None:
    # A correction before the cut-off is checked against the previous period, not itself.
    own = [
        reading(12100, "2026-02", datetime(2026, 2, 24, 9, tzinfo=UTC), ReadingStatus.ACCEPTED),
        reading(12400, "2026-03", datetime(2026, 3, 20, 9, tzinfo=UTC), ReadingStatus.ACCEPTED),
    ]
    assert previous_value(D(12000), date(2026, 1, 31), own, "2026-03") == (
        D(12100),
        date(2026, 2, 24),
    )


def test_previous_value_prefers_the_newer_billing_value() -> None:
    own = [reading(12100, "2026-02", datetime(2026, 2, 24, tzinfo=UTC), ReadingStatus.ACCEPTED)]
    assert previous_value(D(12150), date(2026, 2, 28), own, "2026-03") == (
        D(12150),
        date(2026, 2, 28),
    )


def test_previous_value_same_day_prefers_billing() -> None:
    own = [reading(12100, "2026-02", datetime(2026, 2, 24, 9, tzinfo=UTC), ReadingStatus.ACCEPTED)]
    assert previous_value(D(12105), date(2026, 2, 24), own, "2026-03") == (
        D(12105),
        date(2026, 2, 24),
    )


def test_previous_value_skips_replaced_readings() -> None:
    own = [
        reading(12900, "2026-02", datetime(2026, 2, 24, 10, tzinfo=UTC), ReadingStatus.REPLACED),
        reading(12100, "2026-02", datetime(2026, 2, 24, 9, tzinfo=UTC), ReadingStatus.ACCEPTED),
        reading(13000, "2026-02", datetime(2026, 2, 25, 9, tzinfo=UTC), ReadingStatus.REPLACED),
    ]
    assert previous_value(None, None, own, "2026-03") == (D(12100), date(2026, 2, 24))


def test_previous_value_latest_of_earlier_periods() -> None:
    own = [
        reading(12100, "2026-01", datetime(2026, 1, 24, tzinfo=UTC), ReadingStatus.ACCEPTED),
        reading(12300, "2026-02", datetime(2026, 2, 24, tzinfo=UTC), ReadingStatus.FLAGGED),
    ]
    assert previous_value(D(11000), date(2025, 12, 31), own, "2026-03") == (
        D(12300),
        date(2026, 2, 24),
    )


def test_previous_value_none_without_anything() -> None:
    assert previous_value(None, None, [], "2026-03") is None
    own = [reading(12400, "2026-03", datetime(2026, 3, 20, tzinfo=UTC), ReadingStatus.ACCEPTED)]
    assert previous_value(None, None, own, "2026-03") is None


def test_billing_reimporting_our_reading_is_not_the_baseline_of_its_correction() -> None:
    own = [
        reading(12100, "2026-02", datetime(2026, 2, 24, 9, tzinfo=UTC), ReadingStatus.ACCEPTED),
        reading(12580, "2026-03", datetime(2026, 3, 20, 9, tzinfo=UTC), ReadingStatus.ACCEPTED),
    ]
    # Billing imported 12 580 (ours, of March) as its last value; a March correction to
    # 12 480 is checked against February, not against the reading it corrects.
    assert previous_value(D(12580), date(2026, 3, 21), own, "2026-03") == (
        D(12100),
        date(2026, 2, 24),
    )


def test_our_reading_dates_are_local() -> None:
    perm = ZoneInfo("Asia/Yekaterinburg")
    own = [
        reading(12100, "2026-10", datetime(2026, 10, 31, 22, tzinfo=UTC), ReadingStatus.ACCEPTED)
    ]
    assert previous_value(None, None, own, "2026-11", perm) == (D(12100), date(2026, 11, 1))


def test_undated_billing_value_has_no_date() -> None:
    assert previous_value(D(500), None, [], "2026-11") == (D(500), None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("полу пик 3350", [(Zone.SEMIPEAK, "3350")]),
        ("полу-пик 3350", [(Zone.SEMIPEAK, "3350")]),
        ("п/пик 3340", [(Zone.SEMIPEAK, "3340")]),
        ("ночные 6050 дневные 16100", [(Zone.NIGHT, "6050"), (Zone.DAY, "16100")]),
        ("по ночи 6050 по дню 16100", [(Zone.NIGHT, "6050"), (Zone.DAY, "16100")]),
        ("дневной тариф 16100", [(Zone.DAY, "16100")]),
        ("ночь на самом деле 12055", [(Zone.NIGHT, "12055")]),
        ("сегодня день рождения, показания 12345", [(None, "12345")]),
    ],
)
def test_zone_labels_as_people_write_them(text: str, expected: list) -> None:
    assert [(v.zone, str(v.value)) for v in parse_readings(text)] == expected


def test_our_reading_equal_to_billings_older_value_does_not_hide_it() -> None:
    # 16 000 sent again (zero consumption), then corrected: billing's 16 000 of October stays
    # the baseline, so a lower value is still refused and consumption still computed.
    own = [reading(16000, "2026-12", datetime(2026, 11, 26, 9, tzinfo=UTC), ReadingStatus.REPLACED)]
    assert previous_value(D(16000), date(2026, 10, 24), own, "2026-12") == (
        D(16000),
        date(2026, 10, 24),
    )


def test_a_reimport_with_no_earlier_reading_of_ours_falls_back_to_its_own_baseline() -> None:
    own = [
        Reading(
            account="7704000012",
            serial="S",
            register="T1",
            value=D(40100),
            consumption_kwh=D(100),
            period="2026-12",
            submitted_at=datetime(2026, 11, 26, 9, tzinfo=UTC),
            channel="terminal",
            status=ReadingStatus.ACCEPTED,
        )
    ]
    assert previous_value(D(40100), date(2026, 11, 27), own, "2026-12") == (D(40000), None)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("добрый день. счетчик 31710 передаю", [(None, "31710")]),
        ("Добрый день показания 7485 3085", [(None, "7485"), (None, "3085")]),
        ("доброго дня! день 7485 ночь 3085", [(Zone.DAY, "7485"), (Zone.NIGHT, "3085")]),
        ("добрый вечер, ночь 3085", [(Zone.NIGHT, "3085")]),
        ("день добрый, счетчик 31710", [(None, "31710")]),
    ],
)
def test_a_greeting_is_not_a_zone_label(text: str, values: list[tuple[Zone | None, str]]) -> None:
    assert [(v.zone, str(v.value)) for v in parse_readings(text)] == values


def test_a_greeting_names_no_zone_in_a_correction() -> None:
    assert zone_named("Добрый день, ошиблась, ночь там 8030") is Zone.NIGHT
    assert zone_named("Добрый день, ошиблась, там 8030") is None
