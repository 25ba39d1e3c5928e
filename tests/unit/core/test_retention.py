"""What is due to be deleted at a given moment: the raw mail after its months, quarantined
mail sooner, words with their mail, and the purge once a local day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.retention import (
    QUARANTINE,
    RAW_MAIL,
    RetentionRules,
    cutoffs,
    months_before,
    purge_due,
    raw_rule,
    words_due,
)

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        ("2022-05-14T09:30", 12, "2021-05-14T09:30"),
        ("2022-03-31T09:30", 1, "2022-02-28T09:30"),  # no 31 February: its last day
        ("2024-03-31T09:30", 1, "2024-02-29T09:30"),  # a leap year
        ("2022-01-15T00:00", 3, "2021-10-15T00:00"),  # back across the year
        ("2028-05-14T09:30", 84, "2021-05-14T09:30"),  # seven years
    ],
)
def test_months_before(moment: str, months: int, expected: str) -> None:
    assert months_before(at(moment), months) == at(expected)


RULES = RetentionRules(raw_mail_months=12, quarantine_months=3, trail_years=7)
NOW = at("2022-06-01T09:30")


@pytest.mark.parametrize(
    ("received", "status", "rule"),
    [
        ("2021-05-31T09:00", "processed", RAW_MAIL),  # over a year ago
        ("2021-06-01T09:29", "processed", RAW_MAIL),  # a minute over
        ("2021-06-01T09:30", "processed", None),  # exactly a year: kept until it is over
        ("2022-01-10T09:00", "processed", None),
        ("2022-02-28T09:00", "quarantined", QUARANTINE),  # quarantined mail goes sooner
        ("2022-03-02T09:00", "quarantined", None),
        ("2020-01-01T09:00", "received", None),  # never acted on: not touched
        ("2020-01-01T09:00", "acting", None),
    ],
)
def test_raw_rule(received: str, status: str, rule: str | None) -> None:
    assert raw_rule(at(received), status, cutoffs(NOW, RULES)) == rule


@pytest.mark.parametrize(
    ("written", "due"),
    [("2021-05-01T10:00", True), ("2021-07-01T10:00", False), (None, False)],
)
def test_words_follow_the_raw_mail(written: str | None, due: bool) -> None:
    assert words_due(at(written) if written else None, cutoffs(NOW, RULES)) is due


def test_the_trail_is_kept_for_years() -> None:
    assert cutoffs(NOW, RULES).trail == at("2015-06-01T09:30")


@pytest.mark.parametrize(
    ("last", "today", "due"),
    [
        (None, date(2022, 6, 1), True),
        (date(2022, 5, 31), date(2022, 6, 1), True),
        (date(2022, 6, 1), date(2022, 6, 1), False),  # every other tick that day
        (date(2022, 6, 2), date(2022, 6, 1), False),  # a tick back in time does nothing
    ],
)
def test_once_a_day(last: date | None, today: date, due: bool) -> None:
    assert purge_due(last, today) is due


def test_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError):
        cutoffs(datetime(2022, 6, 1, 9, 30), RULES)
