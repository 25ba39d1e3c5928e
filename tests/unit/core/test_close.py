"""plan_month at the close: outcomes frozen on the first working day after the deadline,
then late submissions recorded."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.cycle import plan_month
from bot.core.plans import ClosePlan, FrozenOutcome, LatePlan, MailPlan, Outcome, Record
from tests.unit.core.personas import (
    ALEX,
    CYCLE,
    HANA,
    KIM,
    MAY,
    OMAR,
    QA,
    SAM,
    at,
    cases,
    done,
    facts,
    missed,
)

CLOSE_DAY = date(2021, 6, 1)  # Tuesday: the 29th and 30th are a weekend, the 31st a bank holiday
SHEET = {
    SAM.email: cases(SAM, "CR-1001", "CR-1002"),
    ALEX.email: cases(ALEX, "CR-1501"),
    KIM.email: cases(KIM, "CR-2001"),
}
ALLOCATED = {f"allocation/2021-05/{email}": Record("sent", date(2021, 5, 4)) for email in SHEET}
# Sam finished on the deadline itself (a bank holiday still counts); Alex was exempted;
# Kim's only audit came in on the close day, a day late.
MAY_AS_IT_ENDED = facts(
    SHEET,
    records=ALLOCATED,
    exempted=frozenset({ALEX.email}),
    completions=[
        done(SAM, "CR-1001", date(2021, 5, 20)),
        done(SAM, "CR-1002", date(2021, 5, 31)),
        done(KIM, "CR-2001", date(2021, 6, 1)),
    ],
)


def outcome(auditor, result: Outcome, count: int) -> FrozenOutcome:
    return FrozenOutcome(
        auditor.email, auditor.name, auditor.team, auditor.head_of_service_email, result, count
    )


@pytest.mark.parametrize(
    "now",
    [
        pytest.param(at(date(2021, 5, 29)), id="saturday-after-the-deadline-day"),
        pytest.param(at(date(2021, 5, 31), 23, 59), id="the-deadline-a-bank-holiday"),
        pytest.param(at(CLOSE_DAY, 8, 59), id="close-day-before-the-send-time"),
    ],
)
def test_nothing_happens_between_the_deadline_day_and_the_close(now) -> None:
    assert plan_month(MAY_AS_IT_ENDED, now, CYCLE) == []


def test_the_month_closes_on_the_first_working_day_after_the_deadline() -> None:
    plans = plan_month(MAY_AS_IT_ENDED, at(CLOSE_DAY, 9, 0), CYCLE)

    assert plans[0] == ClosePlan(
        MAY,
        (
            outcome(ALEX, Outcome.EXEMPTED, 1),
            outcome(KIM, Outcome.MISSED, 1),
            outcome(SAM, Outcome.COMPLETE, 2),
        ),
    )
    assert [(p.key, p.template, p.to) for p in plans[1:]] == [
        ("close/2021-05/head/hana@council.example", "close_head_of_service", (HANA,)),
        ("close/2021-05/head/omar@council.example", "close_head_of_service", (OMAR,)),
        ("close/2021-05/qa", "close_summary", (QA,)),
    ]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(
            HANA,
            {
                "head_of_service": "Hana Ahmed",
                "missed": [],
                "complete": 1,
                "exempted": 1,
                "total": 2,
            },
            id="hana-nobody-missed",
        ),
        pytest.param(
            OMAR,
            {
                "head_of_service": "Omar Khan",
                "missed": [
                    {"name": "Kim Lee", "email": KIM.email, "team": "Early Help", "cases": 1}
                ],
                "complete": 0,
                "exempted": 0,
                "total": 1,
            },
            id="omar-kim-missed",
        ),
    ],
)
def test_each_head_of_service_hears_who_of_theirs_missed(head, expected) -> None:
    plans = plan_month(MAY_AS_IT_ENDED, at(CLOSE_DAY), CYCLE)

    [mail] = [p for p in plans if isinstance(p, MailPlan) and p.to == (head,)]

    assert {k: mail.context[k] for k in expected} == expected


def test_the_qa_summary_leaves_the_exempted_out_of_the_rate() -> None:
    summary = plan_month(MAY_AS_IT_ENDED, at(CLOSE_DAY), CYCLE)[-1]

    assert summary.context["total"] == 3
    assert summary.context["complete"] == 1
    assert summary.context["exempted"] == 1
    assert [m["name"] for m in summary.context["missed"]] == ["Kim Lee"]
    assert summary.context["rate"] == 50  # Sam of Sam and Kim
    assert summary.context["teams"] == [
        {"team": "Children in Need", "total": 1, "complete": 1, "exempted": 0, "missed": 0},
        {"team": "Early Help", "total": 1, "complete": 0, "exempted": 0, "missed": 1},
        {"team": "Looked After Children", "total": 1, "complete": 0, "exempted": 1, "missed": 0},
    ]


def test_a_self_report_the_sheet_never_confirmed_is_named_at_the_close() -> None:
    month_facts = facts(
        {KIM.email: SHEET[KIM.email]},
        records=ALLOCATED,
        self_reported=frozenset({KIM.email}),
        unconfirmed={KIM.email: ("CR-2001",)},
    )

    plans = plan_month(month_facts, at(CLOSE_DAY), CYCLE)
    [omar] = [p for p in plans if isinstance(p, MailPlan) and p.to == (OMAR,)]

    assert plans[0].outcomes == (outcome(KIM, Outcome.MISSED, 1),)
    assert omar.context["unconfirmed"] == [
        {"name": "Kim Lee", "email": KIM.email, "team": "Early Help", "cases": ["CR-2001"]}
    ]
    assert plans[-1].context["unconfirmed"] == omar.context["unconfirmed"]


def test_an_auditor_whose_allocation_never_went_out_is_not_counted_at_the_close() -> None:
    never_sent = {k: v for k, v in ALLOCATED.items() if KIM.email not in k}
    month_facts = facts(SHEET, records=never_sent, exempted=frozenset({ALEX.email}))

    close = plan_month(month_facts, at(CLOSE_DAY), CYCLE)[0]

    assert [o.email for o in close.outcomes] == [ALEX.email, SAM.email]


def test_a_month_with_nothing_allocated_closes_without_mail() -> None:
    assert plan_month(facts({}, sheet_found=False), at(CLOSE_DAY), CYCLE) == [ClosePlan(MAY, ())]


@pytest.mark.parametrize(
    ("completions", "late", "expected"),
    [
        pytest.param(
            [done(KIM, "CR-2001", date(2021, 6, 3))],
            frozenset(),
            [LatePlan(MAY, KIM.email, date(2021, 6, 3))],
            id="all-in-after-the-close-is-late",
        ),
        pytest.param([], frozenset(), [], id="still-missing-is-not-late"),
        pytest.param(
            [done(KIM, "CR-2001", date(2021, 6, 3))],
            frozenset({KIM.email}),
            [],
            id="already-recorded-as-late",
        ),
    ],
)
def test_a_missed_auditor_whose_audits_all_arrive_after_the_freeze_is_late(
    completions, late, expected
) -> None:
    closed = facts(
        SHEET,
        records=ALLOCATED,
        frozen=missed(KIM.email, late=late),
        completions=completions,
    )

    assert plan_month(closed, at(date(2021, 6, 7)), CYCLE) == expected


def test_late_is_dated_by_the_last_audit_to_arrive() -> None:
    closed = facts(
        SHEET,
        records=ALLOCATED,
        frozen=missed(SAM.email),
        completions=[
            done(SAM, "CR-1001", date(2021, 5, 20)),
            done(SAM, "CR-1002", date(2021, 6, 8)),
        ],
    )

    assert plan_month(closed, at(date(2021, 6, 9)), CYCLE) == [
        LatePlan(MAY, SAM.email, date(2021, 6, 8))
    ]


def test_a_closed_month_plans_no_more_mail() -> None:
    closed = facts(SHEET, records=ALLOCATED, frozen={})

    assert plan_month(closed, at(CLOSE_DAY), CYCLE) == []
