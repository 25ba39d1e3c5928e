"""plan_month on and after the allocation day: who is sent their allocation, and when."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.case_outcomes import Terms
from bot.core.month_plan import plan_month
from bot.core.plans import MailPlan
from tests.unit.core.personas import (
    ALEX,
    CYCLE,
    KIM,
    LEE,
    MAY,
    QA,
    SAM,
    allocated,
    at,
    cases,
    facts,
    keys,
    recorded,
    with_records,
)

SAM_ALLOCATION = "allocation/2021-05/sam@council.example"
KIM_ALLOCATION = "allocation/2021-05/kim@council.example"
# Plans come in the order of the auditors' addresses: Kim's before Sam's.
SHEET = {SAM.email: cases(SAM, "CR-1001", "CR-1002"), KIM.email: cases(KIM, "CR-2001")}


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(at(date(2021, 5, 1), 10), [], id="saturday-1-may"),
        pytest.param(at(date(2021, 5, 3), 10), [], id="early-may-bank-holiday"),
        pytest.param(at(date(2021, 5, 4), 8, 59), [], id="allocation-day-before-send-time"),
        pytest.param(
            at(date(2021, 5, 4), 9, 0),
            [KIM_ALLOCATION, SAM_ALLOCATION],
            id="allocation-day-at-send-time",
        ),
        pytest.param(
            at(date(2021, 5, 6), 15),
            [KIM_ALLOCATION, SAM_ALLOCATION],
            id="two-days-late-after-downtime",
        ),
        pytest.param(
            at(date(2021, 5, 28), 16),
            [KIM_ALLOCATION, SAM_ALLOCATION],
            id="as-late-as-the-deadline-day",
        ),
        pytest.param(at(date(2021, 5, 31), 10), [], id="spring-bank-holiday-deadline"),
        pytest.param(at(date(2021, 6, 1), 10), [], id="close-day-is-too-late"),
    ],
)
def test_allocations_go_on_the_first_working_day_at_or_after_the_send_time(now, expected) -> None:
    plans = plan_month(facts(SHEET), now, CYCLE)

    assert [key for key in keys(plans) if key.startswith("allocation/")] == expected


def test_an_allocation_lists_the_cases_to_the_auditor_alone() -> None:
    [_kim, sam] = plan_month(facts(SHEET), at(date(2021, 5, 4)), CYCLE)

    assert isinstance(sam, MailPlan)
    assert (sam.key, sam.template, sam.to, sam.cc) == (
        SAM_ALLOCATION,
        "allocation",
        (SAM.email,),
        (),
    )
    assert (sam.month, sam.about, sam.auditor_thread) == (MAY, SAM.email, True)
    assert sam.context["month"] == "May 2021"
    assert sam.context["deadline"] == date(2021, 5, 31)
    assert sam.context["cases"] == [
        {"ref": "CR-1001", "type": "Case audit"},
        {"ref": "CR-1002", "type": "Case audit"},
    ]
    assert sam.detail == {"cases": ["CR-1001", "CR-1002"]}


@pytest.mark.parametrize(
    ("month_facts", "expected"),
    [
        pytest.param(
            facts({SAM.email: SHEET[SAM.email]}, held_back=frozenset({KIM.email})),
            [SAM_ALLOCATION],
            id="held-back-auditor-left-out-of-the-sheet",
        ),
        pytest.param(
            facts(SHEET, held_back=frozenset({KIM.email})),
            [SAM_ALLOCATION],
            id="held-back-auditor-whose-rows-still-reach-the-planner",
        ),
        pytest.param(
            facts({**SHEET, LEE.email: cases(LEE, "CR-3001")}),
            [KIM_ALLOCATION, SAM_ALLOCATION],
            id="inactive-auditor",
        ),
        pytest.param(
            facts({**SHEET, "stranger@council.example": cases(SAM, "CR-4001")}),
            [KIM_ALLOCATION, SAM_ALLOCATION],
            id="auditor-not-in-the-roster",
        ),
        pytest.param(
            facts(SHEET, exempted=frozenset({SAM.email})),
            [KIM_ALLOCATION, "exempt-but-allocated/2021-05/sam@council.example"],
            id="exempted-auditor-only-the-qa-team-hears",
        ),
    ],
)
def test_only_active_auditors_who_are_not_held_back_or_exempted_are_allocated(
    month_facts, expected
) -> None:
    assert keys(plan_month(month_facts, at(date(2021, 5, 4)), CYCLE)) == expected


def test_the_qa_team_is_told_an_exempted_auditor_has_rows_in_the_sheet() -> None:
    month_facts = facts(SHEET, exempted=frozenset({SAM.email}))

    [_kim, notice] = plan_month(month_facts, at(date(2021, 5, 4)), CYCLE)

    assert (notice.template, notice.to) == ("exempt_but_allocated", (QA,))
    assert notice.context["name"] == "Sam Patel"
    assert notice.context["cases"] == ["CR-1001", "CR-1002"]


def test_an_auditor_exempted_after_their_allocation_went_out_is_not_reported() -> None:
    month_facts = facts(
        SHEET,
        exempted=frozenset({SAM.email}),
        records=allocated(SHEET),
    )

    assert plan_month(month_facts, at(date(2021, 5, 7)), CYCLE) == []


@pytest.mark.parametrize(
    "now",
    [
        pytest.param(at(date(2021, 5, 4)), id="allocation-day"),
        pytest.param(at(date(2021, 5, 12)), id="mid-month"),
    ],
)
def test_a_missing_sheet_is_reported_to_the_qa_team_once(now) -> None:
    month_facts = facts({}, sheet_found=False)

    [notice] = plan_month(month_facts, now, CYCLE)
    again = plan_month(with_records(month_facts, recorded([notice], now.date())), now, CYCLE)

    assert (notice.key, notice.template, notice.to) == (
        "missing-sheet/allocations/2021-05",
        "missing_sheet",
        (QA,),
    )
    assert again == []


def test_an_auditor_added_to_the_sheet_later_gets_their_allocation_at_the_next_tick() -> None:
    first = facts({SAM.email: SHEET[SAM.email]})
    sent = recorded(plan_month(first, at(date(2021, 5, 4)), CYCLE), date(2021, 5, 4))

    later = plan_month(facts(SHEET, records=sent), at(date(2021, 5, 12), 14), CYCLE)

    assert keys(later) == [KIM_ALLOCATION]
    assert later[0].template == "allocation"


def test_cases_added_for_an_auditor_already_allocated_go_as_an_update() -> None:
    first = facts({SAM.email: cases(SAM, "CR-1001")})
    sent = recorded(plan_month(first, at(date(2021, 5, 4)), CYCLE), date(2021, 5, 4))
    grown = facts({SAM.email: cases(SAM, "CR-1001", "CR-1002", "CR-1003")}, records=sent)

    [update] = plan_month(grown, at(date(2021, 5, 6)), CYCLE)
    prefix, _, digest = update.key.rpartition("/")

    assert prefix == "allocation-update/2021-05/sam@council.example"
    assert len(digest) == 12
    assert (update.template, update.to) == ("allocation_update", (SAM.email,))
    assert [c["ref"] for c in update.context["cases"]] == ["CR-1002", "CR-1003"]
    assert update.detail == {"cases": ["CR-1002", "CR-1003"]}


def test_each_later_batch_of_cases_gets_an_update_of_its_own() -> None:
    day = date(2021, 5, 4)
    sent = recorded(plan_month(facts({SAM.email: cases(SAM, "CR-1")}), at(day), CYCLE), day)
    two = facts({SAM.email: cases(SAM, "CR-1", "CR-2")}, records=sent)
    [first_update] = plan_month(two, at(date(2021, 5, 6)), CYCLE)
    sent |= recorded([first_update], date(2021, 5, 6))
    three = facts({SAM.email: cases(SAM, "CR-1", "CR-2", "CR-3")}, records=sent)

    [second_update] = plan_month(three, at(date(2021, 5, 7)), CYCLE)

    assert second_update.key != first_update.key
    assert second_update.detail == {"cases": ["CR-3"]}
    assert plan_month(with_records(three, recorded([second_update], day)), at(day), CYCLE) == []


def test_a_case_removed_from_the_sheet_sends_nothing() -> None:
    day = date(2021, 5, 4)
    sent = recorded(plan_month(facts({SAM.email: SHEET[SAM.email]}), at(day), CYCLE), day)

    shrunk = facts({SAM.email: cases(SAM, "CR-1001")}, records=sent)

    assert plan_month(shrunk, at(date(2021, 5, 6)), CYCLE) == []


def test_alex_and_sam_share_a_head_of_service_but_each_gets_their_own_mail() -> None:
    sheet = {SAM.email: cases(SAM, "CR-1"), ALEX.email: cases(ALEX, "CR-2")}

    plans = plan_month(facts(sheet), at(date(2021, 5, 4)), CYCLE)

    assert [(p.key, p.to) for p in plans] == [
        ("allocation/2021-05/alex@council.example", (ALEX.email,)),
        ("allocation/2021-05/sam@council.example", (SAM.email,)),
    ]


def test_a_case_reference_rewritten_in_capitals_is_not_sent_again_as_an_added_case() -> None:
    day = date(2021, 5, 4)
    sent = recorded(plan_month(facts({SAM.email: cases(SAM, "cr-1001")}), at(day), CYCLE), day)

    corrected = facts({SAM.email: cases(SAM, "CR-1001")}, records=sent)

    assert plan_month(corrected, at(date(2021, 5, 6)), CYCLE) == []


def test_a_case_exempted_by_name_before_allocation_day_is_not_sent() -> None:
    month = facts(
        {SAM.email: cases(SAM, "CR-1001", "CR-1002")},
        terms={SAM.email: Terms(exempted=frozenset({"CR-1002"}))},
    )

    plans = plan_month(month, at(date(2021, 5, 4)), CYCLE)

    (mail,) = [p for p in plans if isinstance(p, MailPlan) and p.template == "allocation"]

    assert [c["ref"] for c in mail.context["cases"]] == ["CR-1001"]
