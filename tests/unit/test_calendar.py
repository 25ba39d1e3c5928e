from datetime import date

import pytest

from bot.core import calendar as cal
from bot.core.records import Month


def test_bank_holidays_and_weekends_are_not_working_days() -> None:
    assert not cal.is_working_day(date(2021, 5, 3))  # Early May bank holiday
    assert not cal.is_working_day(date(2021, 5, 31))  # Spring bank holiday
    assert not cal.is_working_day(date(2021, 5, 1))  # Saturday
    assert cal.is_working_day(date(2021, 5, 4))
    assert cal.bank_holiday_name(date(2021, 5, 31)) == "Spring Bank Holiday"


def test_the_deadline_is_the_last_calendar_day_and_the_deadline_day_the_last_working_one() -> None:
    may = Month(2021, 5)
    assert cal.deadline(may) == date(2021, 5, 31)
    assert cal.deadline_day(may) == date(2021, 5, 28)
    assert cal.deadline(Month(2024, 2)) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (
            Month(2021, 5),
            [date(2021, 5, 14), date(2021, 5, 21), date(2021, 5, 26), date(2021, 5, 28)],
        ),
        (
            Month(2021, 3),
            [date(2021, 3, 17), date(2021, 3, 24), date(2021, 3, 29), date(2021, 3, 31)],
        ),
        # Christmas and Boxing Day 2021 fall at a weekend: substitute days 27 and 28 December.
        (
            Month(2021, 12),
            [date(2021, 12, 15), date(2021, 12, 22), date(2021, 12, 29), date(2021, 12, 31)],
        ),
    ],
)
def test_reminder_stages_count_working_days_back_from_the_deadline_day(month, expected) -> None:
    assert [cal.reminder_day(month, k) for k in (10, 5, 2, 0)] == expected


def test_allocation_and_close_fall_on_the_first_working_days() -> None:
    assert cal.allocation_day(Month(2021, 5)) == date(2021, 5, 4)
    assert cal.close_day(Month(2021, 4)) == date(2021, 5, 4)
    assert cal.allocation_day(Month(2022, 1)) == date(2022, 1, 4)  # New Year substitute on the 3rd


def test_months_step_across_year_ends() -> None:
    assert Month(2021, 12).next() == Month(2022, 1)
    assert Month(2021, 1).previous() == Month(2020, 12)
    assert str(Month.parse("2021-05")) == "2021-05"
    with pytest.raises(ValueError, match="not a month"):
        Month.parse("May 2021")


@pytest.mark.parametrize(
    ("month", "grace", "final"),
    [
        (Month(2021, 5), 3, date(2021, 6, 3)),  # 1, 2, 3 June: the 31st a bank holiday
        (Month(2021, 5), 1, date(2021, 6, 1)),  # the close day itself
        (Month(2021, 5), 0, date(2021, 6, 1)),
        (Month(2021, 3), 3, date(2021, 4, 7)),  # 1 April, then Easter: 6 and 7 April
        (Month(2021, 12), 3, date(2022, 1, 6)),  # 4, 5, 6 January (the 3rd a bank holiday)
    ],
)
def test_a_provisional_close_is_final_at_the_latest_on_the_graceth_working_day_after(
    month: Month, grace: int, final: date
) -> None:
    assert cal.final_day(month, grace) == final


@pytest.mark.parametrize(
    ("day", "in_it"),
    [
        (date(2021, 6, 23), False),  # Wednesday: 24, 25, 28, 29, 30 June still to come
        (date(2021, 6, 24), True),
        (date(2021, 6, 30), True),  # the deadline
        (date(2021, 7, 1), False),
    ],
)
def test_the_last_week_counts_working_days_up_to_the_deadline_day(day: date, in_it: bool) -> None:
    assert cal.in_last_week(Month(2021, 6), day, 5) is in_it
