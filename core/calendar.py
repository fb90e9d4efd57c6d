"""Working days and the operators' business hours."""

from __future__ import annotations

import calendar as _stdlib_calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A calendar with no working day at all would loop forever; nobody plans further ahead than this.
_SEARCH_LIMIT_DAYS = 3660


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class BusinessHours:
    tz: ZoneInfo
    opens: time = time(8, 0)
    closes: time = time(18, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    holidays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def is_open(self, now: datetime) -> bool:
        """`now` is aware; converted to the company's zone."""
        local = self._local(now)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """When operators are next at work (aware, company zone); `now` itself if open."""
        local = self._local(now)
        if self.is_open(local):
            return local
        today = local.date()
        if self.is_working_day(today) and local.time() < self.opens:
            return self._at_opening(today)
        return self._at_opening(self.next_working_days(today, 1)[0])

    def next_working_days(self, after: date, count: int) -> list[date]:
        """The next `count` working days strictly after `after`."""
        days: list[date] = []
        day = after
        for _ in range(_SEARCH_LIMIT_DAYS + count * 7):
            if len(days) >= count:
                break
            day += timedelta(days=1)
            if self.is_working_day(day):
                days.append(day)
        if len(days) < count:
            raise ValueError("the calendar has no working days")
        return days

    def local_date(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()

    def _local(self, now: datetime) -> datetime:
        # A naive datetime would be taken as the server's local time: refuse it instead.
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("an aware datetime is required")
        return now.astimezone(self.tz)

    def _at_opening(self, day: date) -> datetime:
        return datetime.combine(day, self.opens, tzinfo=self.tz)
