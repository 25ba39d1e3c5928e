"""The heads-up before allocation day: when it goes, to whom, and once each."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.core.heads_up import heads_up_day, heads_up_due, plan_heads_up
from bot.core.plans import Record
from bot.core.records import Month
from tests.unit.core.personas import ALEX, CYCLE, JUNE, KIM, MAY, ROSTER, SAM, at

RULES = replace(CYCLE, heads_up=5)


@pytest.mark.parametrize(
    ("month", "working_days", "expected"),
    [
        # 31 May 2021 a bank holiday: June is allocated on Tuesday 1 June; 28, 27, 26, 25, 24.
        pytest.param(JUNE, 5, date(2021, 5, 24), id="june-2021"),
        # 3 May a bank holiday: May is allocated on Tuesday 4 May; 30, 29, 28, 27, 26 April.
        pytest.param(MAY, 5, date(2021, 4, 26), id="may-2021"),
        # 3 January 2022 a bank holiday (new year's day on a Saturday), 27 and 28 December
        # too (Christmas at a weekend): 31, 30, 29, 24, 23 December.
        pytest.param(Month(2022, 1), 5, date(2021, 12, 23), id="across-christmas"),
        pytest.param(JUNE, 1, date(2021, 5, 28), id="the-working-day-before"),
        pytest.param(JUNE, None, None, id="turned-off"),
    ],
)
def test_the_heads_up_goes_working_days_before_allocation_day(
    month: Month, working_days: int | None, expected: date | None
) -> None:
    assert heads_up_day(month, replace(CYCLE, heads_up=working_days)) == expected


@pytest.mark.parametrize(
    ("now", "due"),
    [
        pytest.param(at(date(2021, 5, 21), 12), False, id="the-friday-before"),
        pytest.param(at(date(2021, 5, 24), 8, 59), False, id="before-the-send-time"),
        pytest.param(at(date(2021, 5, 24), 9, 0), True, id="heads-up-day"),
        pytest.param(at(date(2021, 5, 28), 16), True, id="after-downtime-still-before"),
        pytest.param(at(date(2021, 5, 29), 10), False, id="a-saturday"),
        pytest.param(at(date(2021, 5, 31), 10), False, id="the-bank-holiday"),
        pytest.param(at(date(2021, 6, 1), 10), False, id="allocation-day-itself"),
    ],
)
def test_the_heads_up_is_due_from_its_day_until_allocation_day(now, due: bool) -> None:
    assert heads_up_due(JUNE, now, RULES) is due


def test_each_active_auditor_not_exempted_and_not_yet_told_gets_one() -> None:
    # Lee has left (inactive); Alex is already exempted for June; Kim heard yesterday.
    told = {"heads-up/2021-06/kim@council.example": Record("sent", date(2021, 5, 24))}
    plans = plan_heads_up(JUNE, ROSTER, told, frozenset({ALEX.email}), at(date(2021, 5, 25)), RULES)
    assert [(p.key, p.to, p.template, p.month, p.about) for p in plans] == [
        ("heads-up/2021-06/sam@council.example", (SAM.email,), "heads_up", JUNE, SAM.email)
    ]
    (plan,) = plans
    assert plan.auditor_thread  # a reply to it is about June
    assert plan.context["allocation_day"] == date(2021, 6, 1)
    assert plan.context["deadline"] == date(2021, 6, 30)
    assert KIM.email not in {p.about for p in plans}


def test_no_heads_up_when_turned_off_or_out_of_its_window() -> None:
    off = replace(CYCLE, heads_up=None)
    assert plan_heads_up(JUNE, ROSTER, {}, frozenset(), at(date(2021, 5, 24)), off) == []
    assert plan_heads_up(JUNE, ROSTER, {}, frozenset(), at(date(2021, 6, 1)), RULES) == []
