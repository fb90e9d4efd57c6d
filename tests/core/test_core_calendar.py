from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.calendar import BusinessHours, add_months

PERM = ZoneInfo("Asia/Yekaterinburg")
HOURS = BusinessHours(
    tz=PERM,
    holidays=frozenset({date(2026, 5, 1), date(2026, 5, 11), date(2026, 3, 9)}),
)


def perm(*args: int) -> datetime:
    return datetime(*args, tzinfo=PERM)


def test_working_days() -> None:
    assert HOURS.is_working_day(date(2026, 3, 6))  # Friday
    assert not HOURS.is_working_day(date(2026, 3, 7))  # Saturday
    assert not HOURS.is_working_day(date(2026, 3, 8))  # Sunday
    assert not HOURS.is_working_day(date(2026, 3, 9))  # Monday, a holiday
    assert HOURS.is_working_day(date(2026, 3, 10))


@pytest.mark.parametrize(
    ("now", "is_open"),
    [
        (perm(2026, 3, 6, 7, 59), False),
        (perm(2026, 3, 6, 8, 0), True),
        (perm(2026, 3, 6, 17, 59, 59), True),
        (perm(2026, 3, 6, 18, 0), False),
        (perm(2026, 3, 7, 12, 0), False),  # Saturday
        (perm(2026, 5, 1, 12, 0), False),  # holiday
        # 04:00 UTC is 09:00 in Perm; 13:30 UTC is 18:30.
        (datetime(2026, 3, 6, 4, 0, tzinfo=UTC), True),
        (datetime(2026, 3, 6, 13, 30, tzinfo=UTC), False),
    ],
)
def test_is_open(now: datetime, is_open: bool) -> None:
    assert HOURS.is_open(now) is is_open


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        HOURS.is_open(datetime(2026, 3, 6, 12, 0))


def test_next_opening_when_open_is_now() -> None:
    now = datetime(2026, 3, 6, 5, 0, tzinfo=UTC)
    opening = HOURS.next_opening(now)
    assert opening == now
    assert opening.tzinfo == PERM


def test_next_opening_friday_evening_is_monday_morning() -> None:
    opening = HOURS.next_opening(perm(2026, 3, 13, 18, 30))
    assert opening == perm(2026, 3, 16, 8, 0)
    assert opening.astimezone(PERM).time() == time(8, 0)


def test_next_opening_skips_a_holiday_monday() -> None:
    # Friday 6 March evening; Monday 9 March is a holiday.
    assert HOURS.next_opening(perm(2026, 3, 6, 19, 0)) == perm(2026, 3, 10, 8, 0)
    # Friday 8 May evening; Monday 11 May is a holiday.
    assert HOURS.next_opening(datetime(2026, 5, 8, 14, 0, tzinfo=UTC)) == perm(2026, 5, 12, 8, 0)


def test_next_opening_early_morning_is_today() -> None:
    assert HOURS.next_opening(perm(2026, 3, 10, 6, 15)) == perm(2026, 3, 10, 8, 0)


def test_next_opening_early_morning_on_a_holiday() -> None:
    assert HOURS.next_opening(perm(2026, 5, 1, 6, 0)) == perm(2026, 5, 4, 8, 0)


def test_next_working_days() -> None:
    assert HOURS.next_working_days(date(2026, 3, 5), 3) == [
        date(2026, 3, 6),
        date(2026, 3, 10),
        date(2026, 3, 11),
    ]
    assert HOURS.next_working_days(date(2026, 3, 6), 0) == []


def test_no_working_day_at_all_raises() -> None:
    closed = BusinessHours(tz=PERM, weekdays=frozenset())
    with pytest.raises(ValueError):
        closed.next_working_days(date(2026, 1, 1), 1)


def test_local_date() -> None:
    # 20:00 UTC is already the next day in Perm.
    assert HOURS.local_date(datetime(2026, 3, 6, 20, 0, tzinfo=UTC)) == date(2026, 3, 7)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 8, 15), 6, date(2027, 2, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
