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
    retention_health,
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


CHECKED_AT = at("2022-06-15T10:00")


@pytest.mark.parametrize(
    ("oldest", "purged_on", "ticked", "expected"),
    [
        # Nothing held, nothing run yet: a new deployment.
        ({}, None, None, [("ok", "no raw mail held"), ("ok", "no tick has run yet")]),
        # A year's mail, purged this morning: all well.
        (
            {"processed": at("2021-06-16T09:00"), "quarantined": at("2022-03-20T09:00")},
            date(2022, 6, 15),
            at("2022-06-15T09:55"),
            [
                ("ok", "processed message held arrived 16 Jun 2021 (364 days ago); kept raw_mail"),
                ("ok", "quarantined message held arrived 20 Mar 2022"),
                ("ok", "the purge last ran on Wed 15 Jun 2022"),
            ],
        ),
        # Mail past its period while ticks run and no purge since a week: behind.
        (
            {"processed": at("2021-05-01T09:00"), "quarantined": at("2022-02-01T09:00")},
            date(2022, 6, 8),
            at("2022-06-15T09:55"),
            [
                ("warn", "01 May 2021 (410 days ago), past raw_mail_months (12)"),
                ("warn", "01 Feb 2022 (134 days ago), past quarantine_months (3)"),
                ("warn", "ticks run but no purge has run since 08 Jun 2022"),
            ],
        ),
        # Within the slack: the purge ran yesterday, a message a day past its period.
        (
            {"processed": at("2021-06-14T09:00")},
            date(2022, 6, 14),
            at("2022-06-15T09:55"),
            [("ok", "kept raw_mail_months (12)"), ("ok", "last ran on Tue 14 Jun 2022")],
        ),
        # Ticks run, the purge never has.
        ({}, None, at("2022-06-15T09:55"), [("ok", "no raw"), ("warn", "no purge has run ever")]),
        # No tick for three days: nothing is purged.
        (
            {},
            date(2022, 6, 12),
            at("2022-06-12T09:30"),
            [("ok", "no raw"), ("warn", "no tick since 12 Jun 2022 09:30, so nothing is purged")],
        ),
    ],
)
def test_retention_health_says_how_old_the_oldest_raw_mail_is_and_whether_the_purge_runs(
    oldest: dict[str, datetime],
    purged_on: date | None,
    ticked: datetime | None,
    expected: list[tuple[str, str]],
) -> None:
    found = retention_health(CHECKED_AT, RetentionRules(), oldest, purged_on, ticked)
    assert len(found) == len(expected), found
    for health, (level, words) in zip(found, expected, strict=True):
        assert health.level == level and words in health.what, health
        assert (health.fix != "") == (level == "warn"), health
