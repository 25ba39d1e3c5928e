"""plan_month at the close: outcomes frozen on the first working day after the deadline,
then late submissions recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.core.completion import audit_tally, tally
from bot.core.cycle import standings
from bot.core.digest_figures import shows_closed_month
from bot.core.keys import short_digest
from bot.core.month_plan import plan_month
from bot.core.plans import (
    ClosePlan,
    FinalPlan,
    FrozenOutcome,
    LatePlan,
    MailPlan,
    Outcome,
    OutcomePlan,
    Record,
)
from bot.core.records import Month
from tests.unit.core.personas import (
    ALEX,
    CYCLE,
    HANA,
    JUNE,
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
    assert plan_month(facts({}, sheet_found=False), at(CLOSE_DAY), CYCLE) == [
        ClosePlan(MAY, (), final=True)  # nothing a later export could change
    ]


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


# -- counting by submission date, provisional then final ---------------------------------------

ON_TIME = "submitted in time, shown by a later completions export"


def test_the_close_is_provisional_until_an_export_covering_the_deadline_is_read() -> None:
    provisional = plan_month(MAY_AS_IT_ENDED, at(CLOSE_DAY), CYCLE)
    covered = replace(MAY_AS_IT_ENDED, export_covers_deadline=True)

    assert provisional[0].final is False
    assert plan_month(covered, at(CLOSE_DAY), CYCLE)[0].final is True
    for plan in provisional[1:]:
        assert plan.context["provisional"] is True
        assert plan.context["final_day"] == date(2021, 6, 3)


@pytest.mark.parametrize(
    ("submitted", "final", "expected"),
    [
        # Kim's one audit, as a later export shows it, while May is provisional or final.
        pytest.param(
            date(2021, 5, 31),
            False,
            [OutcomePlan(MAY, KIM.email, Outcome.COMPLETE, ON_TIME, False)],
            id="on-the-deadline-while-provisional-counts",
        ),
        pytest.param(
            date(2021, 5, 28),
            True,
            [OutcomePlan(MAY, KIM.email, Outcome.COMPLETE, ON_TIME, True), "close_corrected"],
            id="in-time-after-final-counts-and-the-qa-team-is-told",
        ),
        pytest.param(
            date(2021, 6, 1),
            False,
            [LatePlan(MAY, KIM.email, date(2021, 6, 1))],
            id="after-the-deadline-is-late",
        ),
        pytest.param(None, False, [], id="not-in-the-export-stays-missed"),
    ],
)
def test_the_outcome_of_a_missed_auditor_follows_the_submission_date(
    submitted: date | None, final: bool, expected: list
) -> None:
    closed = facts(
        SHEET,
        records=ALLOCATED,
        frozen=missed(KIM.email),
        final=final,
        completions=[done(KIM, "CR-2001", submitted)] if submitted else [],
    )

    plans = plan_month(closed, at(date(2021, 6, 2)), CYCLE)

    assert [p.template if isinstance(p, MailPlan) else p for p in plans] == expected


def test_the_qa_team_hears_of_a_corrected_final_month_once_per_set_of_auditors() -> None:
    closed = facts(
        SHEET,
        records=ALLOCATED,
        frozen=missed(KIM.email),
        completions=[done(KIM, "CR-2001", date(2021, 5, 28))],
    )
    [_, mail] = plan_month(closed, at(date(2021, 6, 7)), CYCLE)

    assert (mail.key, mail.to) == (f"close/2021-05/corrected/{short_digest([KIM.email])}", (QA,))
    assert mail.context["people"] == [
        {"name": "Kim Lee", "email": KIM.email, "team": "Early Help", "cases": 1}
    ]


@pytest.mark.parametrize(
    ("now", "covers", "expected"),
    [
        pytest.param(at(date(2021, 6, 2)), False, [], id="2-june-waiting-for-the-export"),
        pytest.param(
            at(date(2021, 6, 2)), True, [FinalPlan(MAY, "export")], id="2-june-export-read"
        ),
        pytest.param(at(date(2021, 6, 3), 8, 59), False, [], id="3-june-before-the-send-time"),
        pytest.param(at(date(2021, 6, 3)), False, [FinalPlan(MAY, "grace")], id="3-june-grace"),
    ],
)
def test_a_provisional_close_becomes_final_on_the_export_or_after_3_working_days(
    now, covers: bool, expected: list
) -> None:
    closed = facts(SHEET, records=ALLOCATED, frozen={}, final=False, export_covers_deadline=covers)

    assert plan_month(closed, now, CYCLE) == expected


@pytest.mark.parametrize(
    ("day", "month", "weekday", "shown"),
    [
        # May 2021 closed on Tuesday 1 June; Monday 31 May was a bank holiday, so that week's
        # digest went on the 1st, after the close.
        (date(2021, 6, 1), JUNE, 0, True),
        (date(2021, 6, 2), JUNE, 0, True),  # the same week's digest, sent late after downtime
        (date(2021, 6, 7), JUNE, 0, False),  # the next week's: June alone
        (date(2021, 5, 31), JUNE, 0, False),  # before the close
        # With digests on Fridays: Friday 4 June is the first on or after the close.
        (date(2021, 6, 4), JUNE, 4, True),
        (date(2021, 6, 11), JUNE, 4, False),
        # April 2021 closed on Tuesday 4 May (Monday 3 May the Early May bank holiday).
        (date(2021, 5, 4), MAY, 0, True),
        # March 2021 closed on Thursday 1 April; the Monday digest of 29 March came before,
        # so the first after it is Tuesday 6 April (Easter Monday the 5th).
        (date(2021, 4, 1), Month(2021, 4), 0, False),
        (date(2021, 4, 6), Month(2021, 4), 0, True),
    ],
)
def test_the_first_digest_on_or_after_the_close_shows_the_closed_month(
    day: date, month: Month, weekday: int, shown: bool
) -> None:
    assert shows_closed_month(day, month, weekday) is shown


def test_completion_by_audit_counts_each_audit_beside_completion_by_auditor() -> None:
    # Sam: 1 of 2 in; Alex exempted (left out of both); Kim: 1 of 1 in.
    month = facts(
        SHEET,
        records=ALLOCATED,
        exempted=frozenset({ALEX.email}),
        completions=[
            done(SAM, "CR-1001", date(2021, 5, 20)),
            done(KIM, "CR-2001", date(2021, 5, 21)),
        ],
    )
    rows = standings(month)

    by_auditor, by_audit = tally(rows), audit_tally(rows)

    assert (by_auditor.complete, by_auditor.counted, by_auditor.rate) == (1, 2, 50)
    assert (by_audit.in_time, by_audit.allocated, by_audit.rate) == (2, 3, 67)
