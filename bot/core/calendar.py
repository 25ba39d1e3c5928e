"""Working days in England and Wales, and the dates the monthly cycle hangs on.

Everything here is a pure function of dates: the clock is read elsewhere.
"""

from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta
from functools import cache

import holidays

from bot.core.records import Month


@cache
def _bank_holiday_names(year: int) -> dict[date, str]:
    # England and Wales share one list; subdiv ENG is it.
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday_name(day: date) -> str | None:
    return _bank_holiday_names(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holiday_names(day.year)


def next_working_day(day: date) -> date:
    """The first working day on or after ``day``."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The last working day on or before ``day``."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_days_before(day: date, count: int) -> date:
    """The working day ``count`` working days before the working day ``day``."""
    for _ in range(count):
        day = previous_working_day(day - timedelta(days=1))
    return day


def deadline(month: Month) -> date:
    """Audits count only if submitted on or before the last calendar day of the month."""
    return date(month.year, month.month, _cal.monthrange(month.year, month.month)[1])


def deadline_day(month: Month) -> date:
    """The last working day on or before the deadline: the day of the final reminder."""
    return previous_working_day(deadline(month))


def allocation_day(month: Month) -> date:
    return next_working_day(month.first_day)


def close_day(month: Month) -> date:
    """The first working day after the deadline, when the month is closed and frozen."""
    return next_working_day(deadline(month) + timedelta(days=1))


def final_day(month: Month, grace: int) -> date:
    """The day a provisional close becomes final if no export covering the deadline has been
    read: the ``grace``-th working day after the deadline (the close day itself for 0). For
    May 2021 and 3: Thursday 3 June (1, 2 and 3 June; the 31st was a bank holiday)."""
    day = close_day(month)
    for _ in range(grace - 1):
        day = next_working_day(day + timedelta(days=1))
    return day


def reminder_day(month: Month, stage: int) -> date:
    """Reminder stage k goes out k working days before the deadline day."""
    return working_days_before(deadline_day(month), stage)


def in_last_week(month: Month, day: date, working_days: int) -> bool:
    """Whether ``day`` falls in the month's last week: the last ``working_days`` working days
    up to the deadline day, and on to the deadline itself. Monday 24 May 2021 is in it (24,
    25, 26, 27 and 28 May: the 31st was a bank holiday); Friday 21 May is not."""
    return day <= deadline(month) and working_days_between(day, deadline_day(month)) < working_days


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
