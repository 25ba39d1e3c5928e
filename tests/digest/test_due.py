"""When the weekly digest is due, and the key that makes it once a week."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.digest_figures import digest_day, digest_due
from bot.core.keys import digest_director_key as director_key
from bot.core.keys import digest_head_key as head_key

LONDON = ZoneInfo("Europe/London")
NINE = time(9, 0)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2021-05-17T08:59", None),  # Monday, before the send time
        ("2021-05-17T09:00", date(2021, 5, 17)),
        ("2021-05-19T15:00", date(2021, 5, 17)),  # after downtime: this week's, once
        ("2021-05-21T23:59", date(2021, 5, 17)),
        ("2021-05-22T10:00", None),  # Saturday: no scheduled mail at weekends
        ("2021-05-24T08:00", None),  # next Monday before nine: last week's is not sent now
        # Monday 3 May 2021 was the Early May bank holiday: Tuesday instead.
        ("2021-05-03T10:00", None),
        ("2021-05-04T08:59", None),
        ("2021-05-04T09:00", date(2021, 5, 4)),
        # Easter Monday 5 April 2021 (Good Friday 2 April before it): Tuesday 6 April.
        ("2021-04-05T09:30", None),
        ("2021-04-06T09:30", date(2021, 4, 6)),
        # Christmas Day on a Monday and Boxing Day after it: Wednesday 27 December 2023.
        ("2023-12-26T09:30", None),
        ("2023-12-27T09:30", date(2023, 12, 27)),
        # Across the clock change (Sunday 28 March 2021): local time is what counts.
        ("2021-03-29T09:00", date(2021, 3, 29)),
    ],
)
def test_the_digest_is_due_on_monday_or_the_next_working_day(now: str, due: date | None):
    assert digest_due(_at(now), NINE) == due


def test_another_weekday_can_be_configured() -> None:
    assert digest_due(_at("2021-05-19T09:00"), NINE, weekday=2) == date(2021, 5, 19)
    assert digest_due(_at("2021-05-18T12:00"), NINE, weekday=2) is None
    # Friday digest in Easter week: Good Friday, then the weekend and Easter Monday leave no
    # working day in that week, so that week has none rather than two the week after.
    assert digest_day(date(2021, 4, 1), weekday=4) is None
    assert digest_due(_at("2021-04-01T10:00"), NINE, weekday=4) is None


def test_keys_name_the_iso_week() -> None:
    assert director_key(date(2021, 5, 17)) == "digest/2021-W20/director"
    assert head_key(date(2021, 5, 17), "hana@council.example") == (
        "digest/2021-W20/head/hana@council.example"
    )
    # Friday 1 January 2021 belongs to ISO week 53 of 2020, whose Monday, 28 December, was
    # the substitute Boxing Day bank holiday: its digest day is Tuesday 29 December 2020.
    assert digest_day(date(2021, 1, 1)) == date(2020, 12, 29)
    assert director_key(digest_day(date(2021, 1, 1))) == "digest/2020-W53/director"
