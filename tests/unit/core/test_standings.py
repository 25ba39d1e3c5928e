"""An auditor's standing in a month: cycle.standings, which planning, the close, the digests,
the month report and `auditbot status` (status.auditor_states) all ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from bot.core.case_outcomes import Terms
from bot.core.completion import audit_tally, tally
from bot.core.cycle import LEFT_THE_ROSTER, MonthFacts, Standing, standings
from bot.core.plans import FrozenOutcome, Outcome, Record
from bot.core.records import Allocation, Completion
from bot.core.status import auditor_states, totals
from tests.unit.core.personas import ALEX, KIM, SAM, allocated, cases, done, facts

SAMS_CASES = cases(SAM, "CR-1001", "CR-1002")
EARLY, DEADLINE, AFTER = date(2021, 5, 20), date(2021, 5, 31), date(2021, 6, 1)


@dataclass(frozen=True)
class SamsMonth:
    """Sam's May as the store and the sheets hold it."""

    completions: tuple[Completion, ...] = ()
    exempted: bool = False
    self_reported: bool = False
    issued: bool = True  # the allocation mail went out
    closed: bool = False
    outcome: str | None = None  # frozen at the close; None if nothing was frozen for Sam
    late_on: date | None = None
    in_sheet: tuple[Allocation, ...] = SAMS_CASES
    terms: Terms | None = None  # a decision about named cases, or an extension

    def facts(self) -> MonthFacts:
        return facts(
            {SAM.email: self.in_sheet},
            completions=self.completions,
            records=allocated({SAM.email: self.in_sheet}) if self.issued else None,
            exempted=frozenset({SAM.email} if self.exempted else ()),
            self_reported=frozenset({SAM.email} if self.self_reported else ()),
            frozen=self._frozen() if self.closed else None,
            terms={SAM.email: self.terms} if self.terms else {},
        )

    def _frozen(self) -> dict[str, FrozenOutcome]:
        if self.outcome is None:
            return {}
        head = SAM.head_of_service_email
        outcome = Outcome(self.outcome)
        return {
            SAM.email: FrozenOutcome(SAM.email, SAM.name, SAM.team, head, outcome, 2, self.late_on)
        }


def closed(outcome: str | None, **more) -> SamsMonth:
    """Sam's May once closed, with ``outcome`` frozen for Sam."""
    return SamsMonth(closed=True, outcome=outcome, **more)


BOTH = (done(SAM, "CR-1001", EARLY), done(SAM, "CR-1002", EARLY))
LATE_1002 = (BOTH[0], done(SAM, "CR-1002", date(2021, 6, 3)))
SPARE_1002 = Terms(exempted=frozenset({"CR-1002"}))
TO_4_JUNE = Terms(until=date(2021, 6, 4), ref="EXM-2021-05-001")

STANDINGS = [
    pytest.param(SamsMonth(), Standing.OUTSTANDING, ("CR-1001", "CR-1002"), id="nothing-in"),
    pytest.param(
        SamsMonth(completions=BOTH[:1]), Standing.OUTSTANDING, ("CR-1002",), id="one-of-two-in"
    ),
    pytest.param(SamsMonth(completions=BOTH), Standing.COMPLETE, (), id="both-in-by-20-may"),
    pytest.param(
        SamsMonth(completions=(BOTH[0], done(SAM, "CR-1002", DEADLINE))),
        Standing.COMPLETE,
        (),
        id="the-last-in-on-the-bank-holiday-deadline",
    ),
    pytest.param(
        SamsMonth(completions=(BOTH[0], done(SAM, "CR-1002", AFTER))),
        Standing.OUTSTANDING,
        ("CR-1002",),
        id="the-last-in-a-day-late-before-the-close",
    ),
    pytest.param(
        SamsMonth(in_sheet=cases(SAM, "cr-1001", "cr-1002"), completions=BOTH),
        Standing.COMPLETE,
        (),
        id="the-sheet-and-the-audit-tool-spell-the-references-differently",
    ),
    pytest.param(
        SamsMonth(self_reported=True),
        Standing.SELF_REPORTED,
        ("CR-1001", "CR-1002"),
        id="says-done-the-sheet-shows-nothing",
    ),
    pytest.param(
        SamsMonth(self_reported=True, completions=BOTH),
        Standing.COMPLETE,
        (),
        id="says-done-and-the-sheet-agrees",
    ),
    pytest.param(SamsMonth(exempted=True), Standing.EXEMPTED, (), id="exempted"),
    pytest.param(
        SamsMonth(exempted=True, completions=BOTH), Standing.EXEMPTED, (), id="exempted-and-done"
    ),
    pytest.param(closed("complete", completions=BOTH), Standing.COMPLETE, (), id="closed-complete"),
    pytest.param(
        closed("missed", completions=BOTH[:1]),
        Standing.MISSED,
        ("CR-1002",),
        id="closed-missed",
    ),
    pytest.param(
        closed("missed", self_reported=True),
        Standing.MISSED,
        ("CR-1001", "CR-1002"),
        id="closed-missed-though-self-reported",
    ),
    pytest.param(
        closed(
            "missed",
            late_on=date(2021, 6, 4),
            completions=(BOTH[0], done(SAM, "CR-1002", date(2021, 6, 4))),
        ),
        Standing.LATE,
        ("CR-1002",),
        id="closed-missed-then-all-in-late",
    ),
    pytest.param(closed("exempted", exempted=True), Standing.EXEMPTED, (), id="closed-exempted"),
    pytest.param(
        closed(None, issued=False, exempted=True),
        Standing.EXEMPTED,
        (),
        id="closed-exempted-before-the-allocation-went-out",
    ),
]


@pytest.mark.parametrize(("month", "standing", "outstanding"), STANDINGS)
def test_sams_standing(month, standing, outstanding) -> None:
    [sam] = standings(month.facts())

    assert (sam.email, sam.name, sam.team) == (SAM.email, "Sam Patel", "Children in Need")
    assert (sam.head_email, sam.head_name) == (SAM.head_of_service_email, "Hana Ahmed")
    assert sam.standing is standing
    assert sam.outstanding == outstanding
    assert sam.cases == 2
    assert sam.late_on == month.late_on


def test_an_auditor_in_the_sheet_never_issued_is_not_counted_once_closed() -> None:
    month = closed(None, issued=False)

    assert standings(month.facts()) == []


def test_an_auditor_the_roster_no_longer_names_is_named_by_address_as_the_close_freezes_them() -> (
    None
):
    # Unreachable through the sheets (an auditor not in the roster is held back), but the
    # planner, the close and every view agree all the same.
    month_facts = facts({"gone@council.example": cases(SAM, "CR-9")})

    [row] = standings(month_facts)

    assert (row.name, row.team, row.head_email, row.standing) == (
        "gone@council.example",
        LEFT_THE_ROSTER,
        "",
        Standing.OUTSTANDING,
    )


def test_an_auditor_who_left_after_the_close_keeps_the_name_frozen_with_them() -> None:
    gone = FrozenOutcome(
        "gone@council.example",
        "Jo Gone",
        "Early Help",
        KIM.head_of_service_email,
        Outcome.MISSED,
        1,
    )
    month_facts = facts({}, frozen={gone.email: gone})

    [row] = standings(month_facts)

    assert (row.name, row.team, row.standing, row.head_name) == (
        "Jo Gone",
        "Early Help",
        Standing.MISSED,
        "Omar Khan",
    )


def test_the_month_tallies_each_standing_and_leaves_the_exempted_out_of_the_rate() -> None:
    month_facts = facts(
        {
            SAM.email: SAMS_CASES,
            ALEX.email: cases(ALEX, "CR-1501"),
            KIM.email: cases(KIM, "CR-2001"),
        },
        completions=BOTH,
        exempted=frozenset({ALEX.email}),
    )

    rows = standings(month_facts)
    counted = tally(rows)

    assert [(r.name, r.standing) for r in rows] == [
        ("Alex Jones", Standing.EXEMPTED),
        ("Kim Lee", Standing.OUTSTANDING),
        ("Sam Patel", Standing.COMPLETE),
    ]
    assert (counted.allocated, counted.complete, counted.exempted, counted.outstanding) == (
        3,
        1,
        1,
        1,
    )
    assert counted.rate == 50


# -- `auditbot status` ------------------------------------------------------------------------

STATUS = [
    pytest.param(SamsMonth(issued=False), "pending", None, id="in-the-sheet-not-yet-sent"),
    pytest.param(SamsMonth(), "outstanding", 5, id="sent-nothing-in"),
    pytest.param(SamsMonth(completions=BOTH), "complete", 10, id="complete"),
    pytest.param(
        SamsMonth(completions=(BOTH[0], done(SAM, "CR-1002", AFTER))),
        "outstanding",
        0,
        id="the-last-in-a-day-late-before-the-close",
    ),
    pytest.param(SamsMonth(exempted=True), "exempted", None, id="exempted"),
    pytest.param(
        SamsMonth(issued=False, exempted=True), "exempted", None, id="exempted-before-allocation"
    ),
    pytest.param(closed("complete", completions=BOTH), "complete", 5, id="closed-complete"),
    pytest.param(closed("missed"), "missed", 0, id="closed-missed"),
    pytest.param(closed("missed", late_on=date(2021, 6, 4)), "late", 0, id="closed-late"),
    pytest.param(closed("exempted", exempted=True), "exempted", None, id="closed-exempted"),
]


@pytest.mark.parametrize(("month", "state", "reminded"), STATUS)
def test_sams_state_in_auditbot_status(month, state, reminded) -> None:
    stages = {} if reminded is None else {SAM.email: reminded}

    [sam] = auditor_states(month.facts(), stages)

    assert (sam.email, sam.name, sam.team, sam.cases) == (
        SAM.email,
        "Sam Patel",
        "Children in Need",
        2,
    )
    assert sam.state == state
    assert sam.allocated is month.issued
    assert sam.reminded_stage == reminded
    assert sam.late_on == month.late_on


def test_status_leaves_out_an_auditor_never_issued_before_the_close() -> None:
    month = closed(None, issued=False)

    assert auditor_states(month.facts(), {}) == []


def test_status_keeps_an_auditor_exempted_before_allocation_once_the_month_is_closed() -> None:
    month = closed(None, issued=False, exempted=True)

    states = auditor_states(month.facts(), {})

    assert [(s.email, s.state) for s in states] == [(SAM.email, "exempted")]


def test_status_names_an_auditor_who_left_the_roster_by_address() -> None:
    month_facts = facts({"gone@council.example": cases(SAM, "CR-9")})

    [row] = auditor_states(month_facts, {})

    assert (row.name, row.team, row.state) == ("gone@council.example", LEFT_THE_ROSTER, "pending")


def test_status_totals_count_each_state() -> None:
    month_facts = facts(
        {
            SAM.email: SAMS_CASES,
            ALEX.email: cases(ALEX, "CR-1501"),
            KIM.email: cases(KIM, "CR-2001"),
        },
        completions=BOTH,
        records={"allocation/2021-05/kim@council.example": Record("sent", date(2021, 5, 4))},
        exempted=frozenset({ALEX.email}),
    )

    states = auditor_states(month_facts, {})

    assert [(s.email, s.state) for s in states] == [
        (ALEX.email, "exempted"),
        (KIM.email, "outstanding"),
        (SAM.email, "complete"),
    ]
    assert totals(states) == {"auditors": 3, "complete": 1, "exempted": 1, "outstanding": 1}


# -- one standing, two views ------------------------------------------------------------------

AGREED = [
    pytest.param(SamsMonth(), id="outstanding"),
    pytest.param(SamsMonth(completions=BOTH), id="complete"),
    pytest.param(SamsMonth(completions=(BOTH[0], done(SAM, "CR-1002", AFTER))), id="a-day-late"),
    pytest.param(SamsMonth(exempted=True), id="exempted"),
    pytest.param(SamsMonth(issued=False, exempted=True), id="exempted-before-allocation"),
    pytest.param(closed("complete", completions=BOTH), id="closed-complete"),
    pytest.param(closed("missed"), id="closed-missed"),
    pytest.param(closed("missed", late_on=date(2021, 6, 4)), id="closed-late"),
    pytest.param(closed("exempted", exempted=True), id="closed-exempted"),
    pytest.param(closed(None, issued=False, exempted=True), id="closed-exempted-before-allocation"),
    pytest.param(SamsMonth(completions=BOTH[:1], terms=SPARE_1002), id="one-in-one-exempted"),
    pytest.param(SamsMonth(terms=SPARE_1002), id="one-exempted-one-outstanding"),
    pytest.param(SamsMonth(completions=LATE_1002, terms=TO_4_JUNE), id="one-in-by-an-extension"),
    pytest.param(closed("extended", completions=LATE_1002, terms=TO_4_JUNE), id="closed-extended"),
]


@pytest.mark.parametrize("month", AGREED)
def test_status_and_the_digests_agree_on_sams_standing(month) -> None:
    by_status = [s.state for s in auditor_states(month.facts(), {})]
    by_digest = [r.standing.value for r in standings(month.facts())]

    assert by_status == by_digest


PARTIAL = [
    pytest.param(
        SamsMonth(terms=SPARE_1002), Standing.OUTSTANDING, ("CR-1001",), (1, 0, 0),
        id="exempted-from-one-the-other-still-due",
    ),
    pytest.param(
        SamsMonth(completions=BOTH[:1], terms=SPARE_1002), Standing.COMPLETE, (), (1, 1, 0),
        id="exempted-from-one-the-other-in",
    ),
    pytest.param(
        SamsMonth(terms=Terms(exempted=frozenset({"CR-1001", "CR-1002"}))),
        Standing.EXEMPTED, (), (0, 0, 0),
        id="exempted-from-both-by-name",
    ),
    pytest.param(
        SamsMonth(completions=LATE_1002, terms=TO_4_JUNE), Standing.EXTENDED, (), (2, 2, 1),
        id="in-after-the-deadline-by-the-extension",
    ),
    pytest.param(
        SamsMonth(completions=LATE_1002, terms=Terms(until=date(2021, 6, 2))),
        Standing.OUTSTANDING, ("CR-1002",), (2, 1, 0),
        id="in-after-the-extension-is-not-counted",
    ),
    pytest.param(
        SamsMonth(
            completions=LATE_1002,
            terms=Terms(until=date(2021, 6, 4), extended=frozenset({"CR-1001"})),
        ),
        Standing.OUTSTANDING, ("CR-1002",), (2, 1, 0),
        id="the-extension-covers-another-case",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("month", "standing", "outstanding", "audits"), PARTIAL)
def test_named_exemptions_and_extensions_decide_the_standing(
    month, standing, outstanding, audits
) -> None:
    (row,) = standings(month.facts())
    by_audit = audit_tally([row])

    assert (row.standing, row.outstanding) == (standing, outstanding)
    assert (by_audit.allocated, by_audit.in_time, by_audit.extended) == audits


def test_complete_by_an_extension_is_complete_and_counted_apart() -> None:
    month = SamsMonth(completions=LATE_1002, terms=TO_4_JUNE)

    counted = tally(standings(month.facts()))

    assert (counted.complete, counted.extended, counted.rate) == (1, 1, 100)
