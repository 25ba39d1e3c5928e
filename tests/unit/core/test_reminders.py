"""plan_month's reminders: stages counted back from the deadline day, and who is spared."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.cycle import MonthFacts
from bot.core.month_plan import plan_month
from bot.core.plans import MailPlan, Record, SkipPlan
from bot.core.records import Auditor
from tests.unit.core.personas import (
    CYCLE,
    HANA,
    KIM,
    MAY,
    OMAR,
    SAM,
    Recorded,
    allocated,
    at,
    cases,
    done,
    facts,
    keys,
    recorded,
    with_records,
)

STAGE_DAYS = {
    10: date(2021, 5, 14),
    5: date(2021, 5, 21),
    2: date(2021, 5, 26),
    0: date(2021, 5, 28),
}
SHEET = {SAM.email: cases(SAM, "CR-1001", "CR-1002"), KIM.email: cases(KIM, "CR-2001")}
ALLOCATED = allocated(SHEET)


def reminder(stage: int, auditor: Auditor = SAM) -> str:
    return f"reminder/2021-05/stage-{stage}/{auditor.email}"


def sent_before(stage: int | None, *auditors: Auditor) -> dict[str, Record]:
    """Every stage earlier than ``stage``, sent on its own day to each of ``auditors``."""
    return {
        reminder(k, a): Record("sent", day)
        for k, day in STAGE_DAYS.items()
        if stage is not None and k > stage
        for a in auditors
    }


def allocated_month(
    records: dict[str, Record] | Recorded | None = None, **more: object
) -> MonthFacts:
    """Sam (two cases) and Kim (one) were sent their allocations on 4 May."""
    if not isinstance(records, Recorded):
        records = Recorded(records or {})
    return facts(SHEET, records=ALLOCATED | records, **more)


def reminder_for(plans: list, auditor: Auditor) -> MailPlan:
    [found] = [p for p in plans if isinstance(p, MailPlan) and p.about == auditor.email]
    return found


@pytest.mark.parametrize(
    ("now", "stage"),
    [
        pytest.param(at(date(2021, 5, 13)), None, id="13-may-nothing-due"),
        pytest.param(at(date(2021, 5, 14), 8, 30), None, id="14-may-before-the-send-time"),
        pytest.param(at(date(2021, 5, 14)), 10, id="14-may-stage-10"),
        pytest.param(at(date(2021, 5, 21)), 5, id="21-may-stage-5"),
        pytest.param(at(date(2021, 5, 26)), 2, id="26-may-stage-2"),
        pytest.param(at(date(2021, 5, 28)), 0, id="28-may-the-deadline-day-stage-0"),
        pytest.param(at(date(2021, 5, 29)), None, id="29-may-saturday"),
        pytest.param(at(date(2021, 5, 31)), None, id="31-may-the-bank-holiday-deadline"),
    ],
)
def test_reminder_stages_fall_10_5_2_and_0_working_days_before_the_deadline_day(now, stage) -> None:
    month_facts = allocated_month(sent_before(stage, SAM, KIM))

    plans = plan_month(month_facts, now, CYCLE)

    assert keys(plans) == ([] if stage is None else [reminder(stage, KIM), reminder(stage)])


@pytest.mark.parametrize(
    ("stage", "cc", "urgency", "final"),
    [
        pytest.param(10, (), 0, False, id="stage-10-to-the-auditor-alone"),
        pytest.param(5, (), 1, False, id="stage-5-to-the-auditor-alone"),
        pytest.param(2, (HANA,), 2, False, id="stage-2-copies-the-head-of-service"),
        pytest.param(0, (HANA,), 3, True, id="stage-0-copies-the-head-of-service"),
    ],
)
def test_reminders_grow_firmer_and_copy_the_head_of_service_from_stage_2(
    stage, cc, urgency, final
) -> None:
    month_facts = allocated_month(sent_before(stage, SAM, KIM))

    sam = reminder_for(plan_month(month_facts, at(STAGE_DAYS[stage]), CYCLE), SAM)

    assert (sam.key, sam.template, sam.to, sam.cc) == (
        reminder(stage),
        "reminder",
        (SAM.email,),
        cc,
    )
    assert (sam.month, sam.about, sam.stage, sam.auditor_thread) == (MAY, SAM.email, stage, True)
    assert sam.context["copied"] is bool(cc)
    assert sam.context["urgency"] == urgency
    assert sam.context["final"] is final
    assert sam.context["working_days_left"] == stage
    assert sam.context["deadline_day"] == date(2021, 5, 28)
    assert sam.context["head_of_service"] == "Hana Ahmed"


def test_each_auditor_s_own_head_of_service_is_copied() -> None:
    month_facts = allocated_month(sent_before(2, SAM, KIM))

    plans = plan_month(month_facts, at(date(2021, 5, 26)), CYCLE)

    assert reminder_for(plans, KIM).cc == (OMAR,)
    assert reminder_for(plans, SAM).cc == (HANA,)


@pytest.mark.parametrize(
    ("already_sent", "expected"),
    [
        pytest.param(
            {},
            [
                SkipPlan(reminder(10), MAY, SAM.email, 10),
                SkipPlan(reminder(5), MAY, SAM.email, 5),
                reminder(2),
            ],
            id="nothing-sent-since-the-allocation",
        ),
        pytest.param(
            sent_before(5, SAM),
            [SkipPlan(reminder(5), MAY, SAM.email, 5), reminder(2)],
            id="stage-10-went-before-the-downtime",
        ),
        pytest.param(sent_before(2, SAM), [reminder(2)], id="no-downtime-at-all"),
    ],
)
def test_after_downtime_only_the_latest_due_stage_is_sent_and_older_ones_skipped(
    already_sent, expected
) -> None:
    only_sam = facts({SAM.email: SHEET[SAM.email]}, records=ALLOCATED | Recorded(already_sent))

    plans = plan_month(only_sam, at(date(2021, 5, 27)), CYCLE)

    assert [p if isinstance(p, SkipPlan) else p.key for p in plans] == expected


def test_a_reminder_lists_only_the_cases_still_outstanding() -> None:
    one_done = allocated_month(completions=[done(SAM, "CR-1001", date(2021, 5, 12))])

    sam = reminder_for(plan_month(one_done, at(date(2021, 5, 14)), CYCLE), SAM)

    assert sam.context["outstanding"] == [{"ref": "CR-1002", "type": "Case audit"}]


@pytest.mark.parametrize(
    "month_facts",
    [
        pytest.param(
            allocated_month(
                completions=[
                    done(SAM, "CR-1001", date(2021, 5, 5)),
                    done(SAM, "CR-1002", date(2021, 5, 13)),
                ]
            ),
            id="complete",
        ),
        pytest.param(
            facts(
                {SAM.email: cases(SAM, "cr-1001"), KIM.email: SHEET[KIM.email]},
                completions=[done(SAM, "CR-1001", date(2021, 5, 12))],
                records=allocated({SAM.email: cases(SAM, "cr-1001"), KIM.email: SHEET[KIM.email]}),
            ),
            id="complete-though-the-audit-tool-writes-the-reference-in-capitals",
        ),
        pytest.param(allocated_month(self_reported=frozenset({SAM.email})), id="self-reported"),
        pytest.param(allocated_month(exempted=frozenset({SAM.email})), id="exempted"),
        pytest.param(
            facts(
                SHEET,
                held_back=frozenset({SAM.email}),
                records=allocated({KIM.email: SHEET[KIM.email]}),
            ),
            id="held-back-and-never-sent-an-allocation",
        ),
    ],
)
def test_sam_is_not_reminded_when(month_facts) -> None:
    assert keys(plan_month(month_facts, at(date(2021, 5, 14)), CYCLE)) == [reminder(10, KIM)]


def test_nobody_is_reminded_on_the_day_their_allocation_went_out() -> None:
    # Kim was added to the sheet and sent their allocation on the stage-10 day itself.
    kim_late = allocated({KIM.email: SHEET[KIM.email]}, on=date(2021, 5, 14))
    month_facts = allocated_month(kim_late)

    that_day = plan_month(month_facts, at(date(2021, 5, 14), 15), CYCLE)
    next_day = plan_month(
        with_records(month_facts, recorded(that_day, date(2021, 5, 14))),
        at(date(2021, 5, 17)),
        CYCLE,
    )

    assert keys(that_day) == [reminder(10)]
    assert keys(next_day) == [reminder(10, KIM)]


def test_a_reminder_once_recorded_is_not_planned_again() -> None:
    now = at(date(2021, 5, 26))
    month_facts = allocated_month(sent_before(2, SAM, KIM))

    first = plan_month(month_facts, now, CYCLE)
    again = plan_month(with_records(month_facts, recorded(first, now.date())), now, CYCLE)

    assert keys(first) == [reminder(2, KIM), reminder(2)]
    assert again == []
