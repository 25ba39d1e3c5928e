"""Moderation: the sample, the allocation's exclusions and spread, the reminders scaled to
the window, returns matched to what was given, and agreement counted in steps."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import moderation as mod
from bot.core.keys import moderation_key, report_key
from bot.core.plans import MailPlan, Record
from bot.core.records import Auditor, Completion, Grade, Month, Role

MAY = Month(2021, 5)
TEAMS = ["Children in Need", "Early Help", "Fostering", "Looked After Children", "Leaving Care"]


def audit(ref: str, auditor: str = "sam@x.example", team: str = "Early Help",
          case_team: str | None = None, grade: Grade | None = Grade.GOOD) -> mod.Audit:  # fmt: skip
    return mod.Audit(ref, auditor, auditor.split("@")[0].title(), team, case_team, grade)


def moderator(email: str, team: str) -> mod.Moderator:
    return mod.Moderator(email, email.split("@")[0].title(), team)


# -- who may moderate what -------------------------------------------------------------------

MO = moderator("mo@x.example", "Fostering")


@pytest.mark.parametrize(
    ("the_audit", "allowed"),
    [
        (audit("CR-1", "sam@x.example", "Early Help", None), True),
        (audit("CR-1", "mo@x.example", "Early Help", None), False),  # their own
        (audit("CR-1", "sam@x.example", "Fostering", None), False),  # their team's
        (audit("CR-1", "sam@x.example", " fostering ", None), False),  # written otherwise
        (audit("CR-1", "sam@x.example", "Early Help", "Fostering"), False),  # the case's team
        (audit("CR-1", "sam@x.example", "Early Help", "Leaving Care"), True),
    ],
)
def test_who_may_moderate_an_audit(the_audit: mod.Audit, allowed: bool) -> None:
    assert mod.may_moderate(MO, the_audit) is allowed


# -- the sample ---------------------------------------------------------------------------------


def test_all_means_every_audit_and_the_order_is_seeded_from_the_month() -> None:
    audits = [audit(f"CR-{n}") for n in range(20)]
    may, june = mod.sample(audits, MAY, None, 1), mod.sample(audits, MAY.next(), None, 1)
    assert sorted(a.case_ref for a in may) == sorted(a.case_ref for a in audits)
    assert may == mod.sample(list(reversed(audits)), MAY, None, 1)  # the same every tick
    assert may != june


@pytest.mark.parametrize(
    ("share", "minimum", "expected"),
    [
        (0.25, 0, 5),  # a quarter of 20
        (0.25, 1, 5),  # four auditors, one each, then the rest up to the quarter
        (0.1, 1, 4),  # the minimum per auditor wins over the share
        (0.01, 0, 1),  # rounded up: never none of them
    ],
)
def test_a_share_is_rounded_up_with_a_minimum_per_auditor(
    share: float, minimum: int, expected: int
) -> None:
    audits = [audit(f"CR-{n}", f"a{n % 4}@x.example") for n in range(20)]
    chosen = mod.sample(audits, MAY, share, minimum)
    assert len(chosen) == expected
    if minimum:
        assert len({a.auditor_email for a in chosen}) == 4


def test_only_audits_submitted_in_time_are_moderated() -> None:
    roster = {"sam@x.example": Auditor("Sam Patel", "sam@x.example", "Early Help", "h@x.example")}
    done = [
        Completion("CR-2", "sam@x.example", date(2021, 5, 31), Grade.GOOD, "Fostering"),
        Completion("CR-1", "sam@x.example", date(2021, 6, 1), Grade.GOOD),  # late
        Completion("CR-3", "gone@x.example", date(2021, 5, 3)),  # has left the roster
    ]
    audits = mod.audits_to_moderate(MAY, done, roster)
    assert audits == [
        mod.Audit("CR-2", "sam@x.example", "Sam Patel", "Early Help", "Fostering", Grade.GOOD),
        mod.Audit("CR-3", "gone@x.example", "gone@x.example", "", None, None),
    ]


def test_moderators_are_the_active_roster_rows_with_that_role() -> None:
    roster = {
        "a@x.example": Auditor("A", "a@x.example", "T", "h@x.example", role=Role.MODERATOR),
        "b@x.example": Auditor("B", "b@x.example", "T", "h@x.example"),
        "c@x.example": Auditor(
            "C", "c@x.example", "T", "h@x.example", role=Role.MODERATOR, active=False
        ),
    }
    assert mod.moderators(roster) == [mod.Moderator("a@x.example", "A", "T")]


# -- the allocation: property tests -------------------------------------------------------------

emails = st.sampled_from([f"p{n}@x.example" for n in range(12)])
teams = st.sampled_from(TEAMS)
audits_strategy = st.lists(
    st.builds(
        lambda n, who, team, case_team: audit(f"CR-{n}", who, team, case_team),
        st.integers(0, 10_000),
        emails,
        teams,
        st.one_of(st.none(), teams),
    ),
    max_size=60,
    unique_by=lambda a: a.case_ref,
)
moderators_strategy = st.lists(
    st.builds(moderator, emails, teams), min_size=1, max_size=8, unique_by=lambda m: m.email
)


@settings(max_examples=200, deadline=None)
@given(audits_strategy, moderators_strategy, st.integers(2019, 2030), st.integers(1, 12))
def test_nobody_moderates_their_own_or_their_teams_or_the_cases_teams_audit_and_the_spread_is_even(
    audits: list[mod.Audit], people: list[mod.Moderator], year: int, month: int
) -> None:
    assignments = mod.allocate(audits, people, Month(year, month))
    assert sorted(a.audit.case_ref for a in assignments) == sorted(a.case_ref for a in audits)
    load = Counter({m.email: 0 for m in people})
    for a in assignments:
        if a.moderator is None:
            # Only when nobody may take it.
            assert not any(mod.may_moderate(m, a.audit) for m in people)
            continue
        assert a.moderator.email != a.audit.auditor_email
        assert a.moderator.team.lower() != a.audit.auditor_team.lower()
        assert a.moderator.team.lower() != (a.audit.case_team or "").lower()
        load[a.moderator.email] += 1
    # No single audit could go to someone who may take it with two or more fewer: the spread
    # differs by at most one wherever the exclusions allow.
    for a in assignments:
        if a.moderator is not None:
            for other in people:
                if mod.may_moderate(other, a.audit):
                    assert load[other.email] >= load[a.moderator.email] - 1


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 80), st.integers(1, 9))
def test_with_nothing_in_the_way_the_spread_differs_by_at_most_one(
    audits: int, people: int
) -> None:
    work = [audit(f"CR-{n}", "sam@x.example", "Early Help") for n in range(audits)]
    staff = [moderator(f"m{n}@x.example", "Fostering") for n in range(people)]
    load = Counter(a.moderator.email for a in mod.allocate(work, staff, MAY) if a.moderator)
    counts = [load[m.email] for m in staff]
    assert max(counts) - min(counts) <= 1


def test_the_allocation_is_the_same_every_time() -> None:
    work = [audit(f"CR-{n}", f"a{n % 3}@x.example", TEAMS[n % 3]) for n in range(30)]
    staff = [moderator(f"m{n}@x.example", TEAMS[n % 5]) for n in range(5)]
    assert mod.allocate(work, staff, MAY) == mod.allocate(list(reversed(work)), staff[::-1], MAY)


# -- the window and the reminders ------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "stages"), [(5, (2, 1)), (2, (1,)), (1, ()), (10, (5, 2, 1)), (20, (10, 5, 2))]
)
def test_the_months_reminder_ladder_is_scaled_to_the_window(
    window: int, stages: tuple[int, ...]
) -> None:
    assert mod.reminder_stages((10, 5, 2, 0), window) == stages


def test_the_due_day_counts_working_days_past_the_bank_holiday() -> None:
    # Started Tuesday 1 June 2021: five working days on is Tuesday 8 June.
    assert mod.due_day(date(2021, 6, 1), 5) == date(2021, 6, 8)
    # Started Friday 28 May: Monday 31 May is a bank holiday.
    assert mod.due_day(date(2021, 5, 28), 1) == date(2021, 6, 1)


RULES = mod.ModerationRules(due_working_days=5, qa_team="qa@x.example", council="C")


def _round(returned: dict[str, mod.Moderated] | None = None) -> mod.Round:
    mo, di = moderator("mo@x.example", "Fostering"), moderator("di@x.example", "Leaving Care")
    return mod.Round(
        MAY,
        date(2021, 6, 1),
        date(2021, 6, 8),
        (
            mod.Assignment(audit("CR-1", grade=Grade.GOOD), mo),
            mod.Assignment(audit("CR-2", grade=Grade.INADEQUATE), mo),
            mod.Assignment(audit("CR-3", "kim@x.example", "Fostering", grade=Grade.GOOD), di),
            mod.Assignment(audit("CR-4", case_team="Leaving Care"), None),
        ),
        returned or {},
    )


def _keys(today: date, records: dict[str, Record] | None = None, **back: Grade) -> list[str]:
    returned = {k: mod.Moderated(k, "mo@x.example", g, today) for k, g in back.items()}
    return [p.key for p in mod.plan_moderation(_round(returned), records or {}, today, RULES)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2021, 6, 1), ["allocation/di", "allocation/mo"]),
        (date(2021, 6, 3), ["allocation/di", "allocation/mo"]),
        (date(2021, 6, 4), ["allocation/di", "allocation/mo", "reminder-2/di", "reminder-2/mo"]),
        (date(2021, 6, 7), ["allocation/di", "allocation/mo", "reminder-1/di", "reminder-1/mo"]),
        (date(2021, 6, 8), ["allocation/di", "allocation/mo"]),  # the report's day
    ],
)
def test_each_moderator_is_told_once_then_reminded_as_the_due_day_nears(
    today: date, expected: list[str]
) -> None:
    names = [k.removeprefix("moderation/2021-05/").replace("@x.example", "") for k in _keys(today)]
    assert names == expected


def test_no_reminder_for_a_moderator_whose_grades_are_all_back() -> None:
    done = {
        moderation_key(MAY, "allocation", "mo@x.example"): Record("sent", date(2021, 6, 1)),
        moderation_key(MAY, "allocation", "di@x.example"): Record("sent", date(2021, 6, 1)),
    }
    keys = _keys(date(2021, 6, 7), done, **{"CR-1": Grade.GOOD, "CR-2": Grade.GOOD})
    assert keys == ["moderation/2021-05/reminder-1/di@x.example"]


def test_the_report_is_due_when_every_grade_is_back_or_on_the_due_day() -> None:
    assert mod.report_due(_round(), date(2021, 6, 7)) is None
    assert mod.report_due(_round(), date(2021, 6, 8)) == "due"
    back = {
        k: mod.Moderated(k, "x", Grade.GOOD, date(2021, 6, 2)) for k in ("CR-1", "CR-2", "CR-3")
    }
    assert mod.report_due(_round(back), date(2021, 6, 2)) == "complete"


# -- what comes back ----------------------------------------------------------------------------


def test_returns_for_audits_not_given_or_given_to_someone_else_are_problems() -> None:
    rows = [
        mod.Moderated("cr-1", "mo@x.example", Grade.GOOD, date(2021, 6, 2), file="m.csv", row=2),
        mod.Moderated("CR-3", "mo@x.example", Grade.GOOD, date(2021, 6, 2), file="m.csv", row=3),
        mod.Moderated("CR-9", "mo@x.example", Grade.GOOD, date(2021, 6, 2), file="m.csv", row=4),
        mod.Moderated("CR-1", "mo@x.example", Grade.GOOD, date(2021, 6, 2), file="m.csv", row=5),
    ]
    kept, problems = mod.match_returns(_round().assignments, rows, MAY)
    assert list(kept) == ["CR-1"]
    assert [str(p) for p in problems] == [
        'm.csv, row 3, column moderator_email: case reference "CR-3" was given to '
        "di@x.example to moderate, not to mo@x.example",
        'm.csv, row 4, column case_ref: case reference "CR-9" was not given for moderation '
        "in 2021-05",
        'm.csv, row 5, column case_ref: case reference "CR-1" is already moderated on row 2',
    ]


@pytest.mark.parametrize(
    ("first", "second", "steps"),
    [
        (Grade.GOOD, Grade.GOOD, 0),
        (Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, 1),
        (Grade.OUTSTANDING, Grade.REQUIRES_IMPROVEMENT, 2),
        (Grade.INADEQUATE, Grade.OUTSTANDING, 3),
    ],
)
def test_grades_are_steps_apart(first: Grade, second: Grade, steps: int) -> None:
    assert mod.steps_apart(first, second) == steps


def test_agreement_by_auditor_and_by_team() -> None:
    day = date(2021, 6, 2)
    back = {
        "CR-1": mod.Moderated("CR-1", "mo@x.example", Grade.GOOD, day),
        "CR-2": mod.Moderated("CR-2", "mo@x.example", Grade.GOOD, day),  # inadequate -> good
        "CR-3": mod.Moderated("CR-3", "di@x.example", Grade.REQUIRES_IMPROVEMENT, day),
    }
    found = mod.agreements(_round(back))
    assert found.overall == mod.Agreement(same=1, one_step=1, two_or_more=1)
    assert found.by_auditor == (
        ("kim@x.example", "Kim", mod.Agreement(0, 1, 0)),
        ("sam@x.example", "Sam", mod.Agreement(1, 0, 1)),
    )
    assert found.by_team == (
        ("Early Help", mod.Agreement(1, 0, 1)),
        ("Fostering", mod.Agreement(0, 1, 0)),
    )


# -- the top-up: audits a later export brings while moderation is open --------------------------

STARTED = datetime(2021, 6, 1, 8, 30, tzinfo=UTC)
LATER = datetime(2021, 6, 2, 8, 30, tzinfo=UTC)
DI = moderator("di@x.example", "Leaving Care")


def assigned(
    ref: str, who: mod.Moderator | None, at: datetime = STARTED, **kw: str
) -> mod.Assignment:
    return mod.Assignment(audit(ref, **kw), who, at)


@pytest.mark.parametrize(
    ("round_refs", "in_sheet", "added"),
    [
        # Nothing new: a second tick on the same sheets adds nothing.
        (["CR-1", "CR-2"], ["CR-1", "CR-2"], []),
        # Written otherwise in the new export: the same case, not a new one.
        (["CR-1", "CR-2"], ["cr-1", "CR-2"], []),
        (["CR-1", "CR-2"], ["CR-1", "CR-2", "CR-3"], ["CR-3"]),
        # An audit in the round that the export no longer shows stays; nothing is taken back.
        (["CR-1", "CR-2"], ["CR-3", "CR-4"], ["CR-3", "CR-4"]),
    ],
)
def test_a_top_up_takes_only_audits_not_in_the_round(
    round_refs: list[str], in_sheet: list[str], added: list[str]
) -> None:
    round_ = [assigned(ref, MO) for ref in round_refs]
    new = mod.top_up(round_, [audit(r) for r in in_sheet], [MO, DI], MAY, None, 1)
    assert sorted(a.audit.case_ref for a in new) == added


@pytest.mark.parametrize(
    ("held", "new_audit", "expected"),
    [
        # Mo has two, Di one: the new audit goes to Di.
        (["mo", "mo", "di"], audit("CR-9"), "di@x.example"),
        (["mo", "di", "di"], audit("CR-9"), "mo@x.example"),
        # Di has fewer but the case is Leaving Care's (Di's team): Mo takes it.
        (["mo", "mo", "di"], audit("CR-9", case_team="Leaving Care"), "mo@x.example"),
        # Di's own audit, and Mo's team's: nobody outside the teams may take it.
        (["mo", "di"], audit("CR-9", "di@x.example", "Fostering"), None),
    ],
)
def test_a_top_up_counts_what_each_moderator_already_has_and_keeps_the_exclusions(
    held: list[str], new_audit: mod.Audit, expected: str | None
) -> None:
    people = {"mo": MO, "di": DI}
    round_ = [assigned(f"CR-{n}", people[who]) for n, who in enumerate(held)]
    (new,) = mod.top_up(round_, [new_audit], [MO, DI], MAY, None, 1)
    assert (new.moderator.email if new.moderator else None) == expected


def test_a_top_up_samples_counting_the_round_and_each_auditors_minimum() -> None:
    first = [audit(f"CR-{n}", f"a{n % 2}@x.example") for n in range(8)]
    chosen = mod.sample(first, MAY, 0.25, 1)
    assert len(chosen) == 2  # a quarter of 8, one of each auditor's
    round_ = [mod.Assignment(a, MO, STARTED) for a in chosen]
    # Four more audits, one by a new auditor: a quarter of 12 is 3, and the new auditor's one
    # is their minimum, so exactly one is added.
    more = [audit(f"CR-{n}", "a0@x.example") for n in (8, 9, 10)]
    later = [*first, *more, audit("CR-11", "new@x.example")]
    new = mod.top_up(round_, later, [MO], MAY, 0.25, 1)
    assert [a.audit.case_ref for a in new] == ["CR-11"]
    # The same on the next tick, once it is stored: nothing more.
    stored = round_ + [mod.Assignment(a.audit, a.moderator, LATER) for a in new]
    assert mod.top_up(stored, later, [MO], MAY, 0.25, 1) == []
    # The same answer every time, whatever order the sheet is in.
    assert new == mod.top_up(round_[::-1], later[::-1], [MO], MAY, 0.25, 1)


def _refs(plan: MailPlan) -> list[str]:
    cases = plan.context["cases"]
    assert isinstance(cases, list)
    return [case["case_ref"] for case in cases]


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        # Nothing recorded yet: Mo's allocation names the first batch, the top-up the new one.
        ([], [("allocation", ["CR-1", "CR-2"]), ("topup-CR-7", ["CR-7", "CR-8"])]),
        (["allocation"], [("topup-CR-7", ["CR-7", "CR-8"])]),
        (["allocation", "topup-CR-7"], []),
    ],
)
def test_a_moderator_given_more_gets_one_mail_naming_just_the_new_cases(
    recorded: list[str], expected: list[tuple[str, list[str]]]
) -> None:
    round_ = mod.Round(
        MAY,
        date(2021, 6, 1),
        date(2021, 6, 8),
        (
            assigned("CR-1", MO),
            assigned("CR-2", MO),
            assigned("CR-8", MO, LATER),
            assigned("CR-7", MO, LATER),
        ),
    )
    records = {moderation_key(MAY, suffix, MO.email) for suffix in recorded}
    plans = mod.plan_moderation(round_, records, date(2021, 6, 2), RULES)
    prefix, suffix = "moderation/2021-05/", f"/{MO.email}"
    named = [(p.key.removeprefix(prefix).removesuffix(suffix), _refs(p)) for p in plans]
    assert named == expected
    assert [p.template for p in plans] == [
        "moderation_allocation" if k == "allocation" else "moderation_topup" for k, _ in expected
    ]
    assert all(p.context["due"] == date(2021, 6, 8) for p in plans)


def test_a_moderator_first_given_audits_in_a_top_up_gets_the_allocation_mail() -> None:
    round_ = mod.Round(
        MAY, date(2021, 6, 1), date(2021, 6, 8), (assigned("CR-1", MO), assigned("CR-9", DI, LATER))
    )
    plans = mod.plan_moderation(round_, set(), date(2021, 6, 2), RULES)
    assert [(p.key, p.template) for p in plans] == [
        (moderation_key(MAY, "allocation", DI.email), "moderation_allocation"),
        (moderation_key(MAY, "allocation", MO.email), "moderation_allocation"),
    ]


def test_a_case_reference_with_a_slash_makes_a_well_formed_top_up_key() -> None:
    key = mod.topup_key(MAY, [assigned("CR/9", MO)], MO.email)
    assert key == "moderation/2021-05/topup-CR%2F9/mo@x.example"


@pytest.mark.parametrize(
    ("today", "recorded", "open_"),
    [
        (date(2021, 6, 2), [], True),
        (date(2021, 6, 7), [], True),  # the working day before the due day
        (date(2021, 6, 8), [], False),  # the due day: the report is made
        (date(2021, 6, 3), [report_key(MAY)], False),  # complete, and the report has gone
    ],
)
def test_audits_are_added_only_while_the_months_moderation_is_open(
    today: date, recorded: list[str], open_: bool
) -> None:
    assert mod.open_for_top_up(_round(), set(recorded), today) is open_


@settings(max_examples=200, deadline=None)
@given(
    audits_strategy,
    moderators_strategy,
    st.integers(0, 60),
    st.one_of(st.none(), st.sampled_from([0.1, 0.25, 0.5])),
    st.integers(1, 12),
)
def test_after_a_top_up_no_exclusion_is_broken_and_the_spread_is_as_even_as_allowed(
    audits: list[mod.Audit],
    people: list[mod.Moderator],
    cut: int,
    share: float | None,
    month: int,
) -> None:
    when = Month(2021, month)
    first = mod.allocate(mod.sample(audits[:cut], when, share, 1), people, when)
    new = mod.top_up(first, audits, people, when, share, 1)
    before = {a.audit.case_ref for a in first}
    assert not before & {a.audit.case_ref for a in new}  # nothing given twice
    assert len(before) + len(new) >= math.ceil((share or 1) * len(audits))  # the share kept
    load = Counter({m.email: 0 for m in people})
    load.update(a.moderator.email for a in [*first, *new] if a.moderator)
    for a in new:
        if a.moderator is None:
            assert not any(mod.may_moderate(m, a.audit) for m in people)
            continue
        assert mod.may_moderate(a.moderator, a.audit)
        # No new audit could go to someone who may take it with two or more fewer.
        for other in people:
            if mod.may_moderate(other, a.audit):
                assert load[other.email] >= load[a.moderator.email] - 1
    # A second tick on the same sheets adds nothing.
    assert mod.top_up([*first, *new], audits, people, when, share, 1) == []


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 40), st.integers(0, 40), st.integers(1, 9))
def test_with_nothing_in_the_way_a_top_up_keeps_the_spread_within_one(
    first: int, more: int, people: int
) -> None:
    work = [audit(f"CR-{n}", "sam@x.example", "Early Help") for n in range(first + more)]
    staff = [moderator(f"m{n}@x.example", "Fostering") for n in range(people)]
    start = mod.allocate(work[:first], staff, MAY)
    new = mod.top_up(start, work, staff, MAY, None, 1)
    assert len(new) == more
    load = Counter(a.moderator.email for a in [*start, *new] if a.moderator)
    counts = [load[m.email] for m in staff]
    assert max(counts) - min(counts) <= 1
