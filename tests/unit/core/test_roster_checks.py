"""Roster entries to confirm, who the month's sheet left out, and cases to reallocate."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.cycle import (
    not_allocated,
    plan_not_allocated,
    plan_reallocations,
    standings,
)
from bot.core.month_plan import plan_month
from bot.core.plans import Record
from bot.core.roster_checks import (
    HeadRow,
    TeamRow,
    heads_to_confirm,
    letters_apart,
    services_to_confirm,
)
from tests.unit.core.personas import (
    ALEX,
    CYCLE,
    KIM,
    MAY,
    QA,
    SAM,
    Recorded,
    at,
    cases,
    done,
    facts,
)

MAY_4 = date(2021, 5, 4)


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        ("omar.khan@council.example", "omar.khan@council.example", 0),
        ("omar.kahn@council.example", "omar.khan@council.example", 1),  # two letters swapped
        ("omar.khan@council.example", "omar.kha@council.example", 1),
        ("omar.khan@council.example", "omer.kan@council.example", 2),
        ("omar.khan@council.example", "hana.ahmed@council.example", 3),  # 3: more than 2
        ("a@x.example", "abcd@x.example", 3),  # lengths alone say so
    ],
)
def test_letters_apart_counts_a_swap_as_one_slip(a: str, b: str, apart: int) -> None:
    assert letters_apart(a, b) == apart
    assert letters_apart(b, a) == apart


def test_an_address_a_slip_away_is_named_where_it_is_rarer() -> None:
    rows = [
        HeadRow(2, "omar.khan@council.example", "Omar Khan"),
        HeadRow(3, "omar.khan@council.example", "Omar Khan"),
        HeadRow(4, "omar.kahn@council.example", "Omar Khan"),
        HeadRow(5, "hana@council.example", "Hana Ahmed"),
    ]
    (found,) = heads_to_confirm(rows)
    assert (found.row, found.column) == (4, "head_of_service_email")
    assert found.message.startswith(
        "'omar.kahn@council.example' (row 4) and 'omar.khan@council.example' (rows 2 and 3) "
        "differ only by a letter or two"
    )


@pytest.mark.parametrize(
    ("names", "to_confirm"),
    [
        (["Hana Ahmed", "Hana Ahmed"], False),
        (["Hana Ahmed", "hana  ahmed"], False),  # case and spacing are not another name
        (["Hana Ahmed", ""], False),  # a blank name is no name
        (["Hana Ahmed", "H Ahmed"], True),
    ],
)
def test_an_address_under_two_names_is_to_confirm(names: list[str], to_confirm: bool) -> None:
    rows = [HeadRow(n + 2, "hana@council.example", name) for n, name in enumerate(names)]
    found = heads_to_confirm(rows)
    assert bool(found) is to_confirm
    if found:
        assert found[0].column == "head_of_service"
        assert "'hana@council.example' is given under 2 names" in found[0].message


def test_distinct_heads_far_apart_need_no_confirming() -> None:
    rows = [
        HeadRow(2, "hana@council.example", "Hana Ahmed"),
        HeadRow(3, "omar@council.example", ""),
    ]
    assert heads_to_confirm(rows) == []


def test_active_people_without_rows_in_the_sheet_are_not_allocated() -> None:
    sheet = {SAM.email: cases(SAM, "CR-1001")}
    # Lee is inactive; Alex held back by a bad row; Kim exempted for the month.
    assert [a.email for a in not_allocated(facts(sheet))] == [ALEX.email, KIM.email]
    month = facts(sheet, held_back=frozenset({ALEX.email}), exempted=frozenset({KIM.email}))
    assert not_allocated(month) == []
    assert not_allocated(facts({}, sheet_found=False)) == []


@pytest.mark.parametrize(
    ("day", "hour", "due"),
    [
        (date(2021, 5, 3), 10, False),  # the bank holiday before the allocation day
        (date(2021, 5, 4), 8, False),  # before the send time
        (date(2021, 5, 4), 10, True),
        (date(2021, 5, 28), 10, True),  # up to the deadline day
        (date(2021, 5, 29), 10, False),
    ],
)
def test_the_qa_team_hears_of_those_left_out_in_the_allocation_window(
    day: date, hour: int, due: bool
) -> None:
    plans = plan_not_allocated(facts({SAM.email: cases(SAM, "CR-1001")}), at(day, hour), CYCLE)
    assert [(p.key, p.to) for p in plans] == ([("not-allocated/2021-05", (QA,))] if due else [])
    if plans:
        assert [p["name"] for p in plans[0].context["people"]] == ["Alex Jones", "Kim Lee"]
        assert plans[0].month == MAY


ALLOCATED = {f"allocation/2021-05/{a.email}": Record("sent", date(2021, 5, 4)) for a in (SAM, KIM)}


@pytest.mark.parametrize(
    ("day", "completions", "records", "expected"),
    [
        pytest.param(date(2021, 5, 12), [], ALLOCATED, ["CR-1001", "CR-1002"], id="both-due"),
        pytest.param(
            date(2021, 5, 12),
            [done(SAM, "CR-1001", date(2021, 5, 10))],
            ALLOCATED,
            ["CR-1002"],
            id="one-already-submitted",
        ),
        pytest.param(
            date(2021, 5, 12),
            [done(SAM, "CR-1001", date(2021, 5, 10)), done(SAM, "CR-1002", date(2021, 5, 11))],
            ALLOCATED,
            None,
            id="all-submitted-nothing-to-reallocate",
        ),
        pytest.param(date(2021, 5, 12), [], {}, None, id="exempted-before-allocation"),
        pytest.param(
            date(2021, 5, 12),
            [],
            {**ALLOCATED, "reallocate/2021-05/sam@council.example": Record("sent", MAY_4)},
            None,
            id="told-already",
        ),
        pytest.param(date(2021, 5, 31), [], ALLOCATED, None, id="after-the-deadline-day"),
    ],
)
def test_the_qa_team_gets_the_cases_of_an_auditor_exempted_after_allocation(
    day: date, completions: list, records: dict, expected: list[str] | None
) -> None:
    month = facts(
        {SAM.email: cases(SAM, "CR-1001", "CR-1002"), KIM.email: cases(KIM, "CR-2001")},
        completions=completions,
        records=records,
        exempted=frozenset({SAM.email}),
    )
    plans = plan_reallocations(month, at(day), CYCLE)
    if expected is None:
        assert plans == []
        return
    [mail] = plans
    assert (mail.key, mail.to) == ("reallocate/2021-05/sam@council.example", (QA,))
    assert [c["ref"] for c in mail.context["cases"]] == expected


def test_an_auditor_exempted_after_allocation_stays_counted_when_their_rows_go() -> None:
    month = facts(
        {KIM.email: cases(KIM, "CR-2001", "CR-1001")},  # Sam's case moved to Kim
        records=ALLOCATED,
        exempted=frozenset({SAM.email}),
    )
    assert {r.email: r.standing.value for r in standings(month)} == {
        KIM.email: "outstanding",
        SAM.email: "exempted",
    }


def test_the_sheet_that_gives_an_exempted_auditors_case_to_another_is_the_reallocation() -> None:
    records = Recorded(
        {
            "allocation/2021-05/sam@council.example": Record("sent", MAY_4),
            "allocation/2021-05/kim@council.example": Record("sent", MAY_4),
        },
        {SAM.email: ("CR-1001", "CR-1002"), KIM.email: ("CR-2001",)},
    )
    month = facts(
        {
            SAM.email: cases(SAM, "CR-1001"),
            KIM.email: cases(KIM, "CR-2001", "cr-1002"),  # the QA team's own capitals
        },
        records=records,
        exempted=frozenset({SAM.email}),
    )

    [update] = plan_month(month, at(date(2021, 5, 12)), CYCLE)

    assert (update.template, update.to) == ("allocation_update", (KIM.email,))
    assert update.detail == {"cases": ["cr-1002"], "reallocated_from": {"cr-1002": SAM.email}}


def test_a_confirmed_address_is_named_no_more() -> None:
    rows = [
        HeadRow(2, "omar.khan@council.example", "Omar Khan"),
        HeadRow(3, "omar.khan@council.example", "Omar Khan"),
        HeadRow(4, "omar.kahn@council.example", "Omar Kahn"),
        HeadRow(5, "omar.kahn@council.example", "O Kahn"),
    ]
    assert len(heads_to_confirm(rows)) == 2
    assert heads_to_confirm(rows, frozenset({"omar.kahn@council.example"})) == []


def test_a_team_under_two_services_is_named_at_the_second_services_first_row() -> None:
    rows = [
        TeamRow(2, "Early Help", "Early Help and Prevention"),
        TeamRow(3, "Early Help", "early help  and prevention"),  # the same, typed loosely
        TeamRow(4, "Fostering", "Children Looked After"),
        TeamRow(5, "Early Help", "Family Support"),
        TeamRow(6, "Early Help", "Family Support"),
    ]
    (found,) = services_to_confirm(rows)
    assert (found.row, found.column) == (5, "service")
    assert found.message == (
        "team 'Early Help' is given under 2 services: 'Early Help and Prevention' (rows 2 and "
        "3); 'Family Support' (rows 5 and 6). The digests count it under 'Early Help and "
        "Prevention': use one service for the team"
    )


def test_teams_each_under_one_service_need_no_confirming() -> None:
    rows = [TeamRow(2, "Early Help", "Prevention"), TeamRow(3, "Fostering", "Prevention")]
    assert services_to_confirm(rows) == []
