"""plan_month is level-triggered: what is recorded under its key is never planned again,
and a month ticked through day by day plans each mail once, on its day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bot.core.cycle import MonthFacts
from bot.core.month_plan import plan_month
from bot.core.plans import ClosePlan, LatePlan, MailPlan, SkipPlan
from bot.core.records import Completion
from tests.unit.core.personas import (
    ALEX,
    CYCLE,
    HANA,
    KIM,
    OMAR,
    QA,
    SAM,
    allocated,
    at,
    cases,
    done,
    facts,
    missed,
    recorded,
    with_records,
)

SHEET = {
    SAM.email: cases(SAM, "CR-1001", "CR-1002"),
    ALEX.email: cases(ALEX, "CR-1501"),
    KIM.email: cases(KIM, "CR-2001"),
}


def tick(month_facts: MonthFacts, now: datetime) -> tuple[MonthFacts, list]:
    """One tick as the shell does it: plan, then record every plan before the next."""
    plans = plan_month(month_facts, now, CYCLE)
    month_facts = with_records(month_facts, recorded(plans, now.date()))
    frozen = dict(month_facts.frozen or {})
    for plan in plans:
        if isinstance(plan, ClosePlan):  # the store freezes the outcomes
            frozen |= {o.email: o for o in plan.outcomes}
            month_facts = replace(month_facts, frozen=frozen)
        elif isinstance(plan, LatePlan):
            frozen[plan.email] = replace(frozen[plan.email], late_on=plan.submitted_on)
            month_facts = replace(month_facts, frozen=frozen)
    return month_facts, plans


ALLOCATED = allocated(SHEET)
SAM_ONLY_WITH_ONE_CASE = allocated({SAM.email: cases(SAM, "CR-1001")})


def kinds(plans: list) -> list[str]:
    """What was planned, by kind: a mail's key up to its first slash, else the plan's type."""
    return sorted(
        {
            p.key.split("/")[0] if isinstance(p, MailPlan | SkipPlan) else type(p).__name__
            for p in plans
        }
    )


@pytest.mark.parametrize(
    ("month_facts", "now", "planned"),
    [
        pytest.param(facts(SHEET), at(date(2021, 5, 4)), ["allocation"], id="allocation-day"),
        pytest.param(
            facts({}, sheet_found=False),
            at(date(2021, 5, 4)),
            ["missing-sheet"],
            id="sheet-missing",
        ),
        pytest.param(
            facts(SHEET, records=SAM_ONLY_WITH_ONE_CASE),
            at(date(2021, 5, 6)),
            ["allocation", "allocation-update"],
            id="auditors-and-cases-added-later",
        ),
        pytest.param(
            facts(SHEET, records=ALLOCATED),
            at(date(2021, 5, 27)),
            ["reminder"],
            id="reminders-and-skips-after-downtime",
        ),
        pytest.param(
            facts(SHEET, records=ALLOCATED),
            at(date(2021, 6, 1)),
            ["ClosePlan", "close"],
            id="close-day",
        ),
        pytest.param(
            facts(
                SHEET,
                records=ALLOCATED,
                frozen=missed(KIM.email),
                completions=[done(KIM, "CR-2001", date(2021, 6, 2))],
            ),
            at(date(2021, 6, 3)),
            ["LatePlan"],
            id="late-after-the-close",
        ),
    ],
)
def test_planning_again_once_the_plans_are_recorded_plans_nothing_new(
    month_facts, now, planned
) -> None:
    month_facts, first = tick(month_facts, now)

    assert kinds(first) == planned
    assert plan_month(month_facts, now, CYCLE) == []
    assert plan_month(month_facts, now + timedelta(hours=5), CYCLE) == []


def test_the_exempt_but_allocated_notice_once_recorded_is_not_planned_again() -> None:
    month_facts, first = tick(facts(SHEET, exempted=frozenset({SAM.email})), at(date(2021, 5, 4)))

    assert "exempt-but-allocated/2021-05/sam@council.example" in [p.key for p in first]
    assert plan_month(month_facts, at(date(2021, 5, 5)), CYCLE) == []


def mail_days(
    month_facts: MonthFacts, completions: list[Completion]
) -> dict[str, list[tuple[date, str]]]:
    """Tick at 08:00, 09:30 and 16:00 every day from 1 May to 8 June, the completions sheet
    showing each audit from the day it is submitted; each mail's day and key, by the first
    address it goes to."""
    seen: dict[str, list[tuple[date, str]]] = {}
    day = date(2021, 5, 1)
    while day <= date(2021, 6, 8):
        so_far = {c.case_ref: c for c in completions if c.submitted_on <= day}
        month_facts = replace(month_facts, completions=so_far)
        for hour in (8, 9, 16):
            month_facts, plans = tick(month_facts, at(day, hour))
            for plan in plans:
                if isinstance(plan, MailPlan):
                    seen.setdefault(plan.to[0], []).append((day, plan.key))
        day += timedelta(days=1)
    return seen


def test_a_month_ticked_day_by_day_plans_each_mail_once_on_its_day() -> None:
    # Sam finishes on 25 May, so is spared the last two stages; Alex finishes on the
    # bank-holiday deadline, too late to be spared any reminder but in time; Kim never does.
    completions = [
        done(SAM, "CR-1001", date(2021, 5, 12)),
        done(SAM, "CR-1002", date(2021, 5, 25)),
        done(ALEX, "CR-1501", date(2021, 5, 31)),
    ]

    seen = mail_days(facts(SHEET), completions)

    assert seen[SAM.email] == [
        (date(2021, 5, 4), "allocation/2021-05/sam@council.example"),
        (date(2021, 5, 14), "reminder/2021-05/stage-10/sam@council.example"),
        (date(2021, 5, 21), "reminder/2021-05/stage-5/sam@council.example"),
    ]
    assert seen[KIM.email] == [
        (date(2021, 5, 4), "allocation/2021-05/kim@council.example"),
        (date(2021, 5, 14), "reminder/2021-05/stage-10/kim@council.example"),
        (date(2021, 5, 21), "reminder/2021-05/stage-5/kim@council.example"),
        (date(2021, 5, 26), "reminder/2021-05/stage-2/kim@council.example"),
        (date(2021, 5, 28), "reminder/2021-05/stage-0/kim@council.example"),
    ]
    assert [key for _, key in seen[ALEX.email]][
        -1
    ] == "reminder/2021-05/stage-0/alex@council.example"
    assert seen[HANA] == [(date(2021, 6, 1), "close/2021-05/head/hana@council.example")]
    assert seen[OMAR] == [(date(2021, 6, 1), "close/2021-05/head/omar@council.example")]
    assert seen[QA] == [(date(2021, 6, 1), "close/2021-05/qa")]


def test_the_close_counts_what_the_sheet_showed_by_the_deadline() -> None:
    completions = [
        done(SAM, "CR-1001", date(2021, 5, 12)),
        done(SAM, "CR-1002", date(2021, 5, 25)),
        done(ALEX, "CR-1501", date(2021, 5, 31)),
        done(KIM, "CR-2001", date(2021, 6, 4)),
    ]
    month_facts = facts(SHEET)
    closes = []
    day = date(2021, 5, 4)
    while day <= date(2021, 6, 1):
        so_far = {c.case_ref: c for c in completions if c.submitted_on <= day}
        month_facts, plans = tick(replace(month_facts, completions=so_far), at(day))
        closes += [p for p in plans if isinstance(p, ClosePlan)]
        day += timedelta(days=1)

    [close] = closes

    assert {o.email: o.outcome.value for o in close.outcomes} == {
        ALEX.email: "complete",
        KIM.email: "missed",
        SAM.email: "complete",
    }
