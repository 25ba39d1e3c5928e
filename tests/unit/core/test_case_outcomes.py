"""The outcome of one case given its dates, an exemption and an extension."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.case_outcomes import CaseOutcome, Terms, case_outcome, outcomes

DEADLINE = date(2021, 5, 31)  # May 2021: a bank holiday
EARLY, ON_THE_DAY = date(2021, 5, 20), DEADLINE
AFTER, LATER = date(2021, 6, 3), date(2021, 6, 8)
UNTIL = date(2021, 6, 4)


@pytest.mark.parametrize(
    ("submitted", "exempted", "until", "expected"),
    [
        pytest.param(EARLY, False, None, CaseOutcome.ON_TIME, id="before-the-deadline"),
        pytest.param(ON_THE_DAY, False, None, CaseOutcome.ON_TIME, id="on-the-deadline"),
        pytest.param(AFTER, False, None, CaseOutcome.LATE, id="after-the-deadline"),
        pytest.param(None, False, None, CaseOutcome.OUTSTANDING, id="not-in"),
        pytest.param(None, True, None, CaseOutcome.EXEMPTED, id="exempted-not-in"),
        pytest.param(EARLY, True, None, CaseOutcome.ON_TIME, id="exempted-but-done-in-time"),
        pytest.param(AFTER, True, None, CaseOutcome.EXEMPTED, id="exempted-then-done-late"),
        pytest.param(AFTER, False, UNTIL, CaseOutcome.EXTENDED, id="by-the-extension"),
        pytest.param(UNTIL, False, UNTIL, CaseOutcome.EXTENDED, id="on-the-extension-date"),
        pytest.param(LATER, False, UNTIL, CaseOutcome.LATE, id="after-the-extension"),
        pytest.param(EARLY, False, UNTIL, CaseOutcome.ON_TIME, id="extended-but-in-on-time"),
        pytest.param(None, False, UNTIL, CaseOutcome.OUTSTANDING, id="extended-not-in-yet"),
    ],
)
def test_a_case_outcome(submitted, exempted, until, expected) -> None:
    assert case_outcome(submitted, DEADLINE, exempted=exempted, until=until) is expected


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        pytest.param(
            Terms(), {"CR-1": CaseOutcome.ON_TIME, "CR-2": CaseOutcome.LATE}, id="no-decision"
        ),
        pytest.param(
            Terms(exempted=frozenset({"CR-2"})),
            {"CR-1": CaseOutcome.ON_TIME, "CR-2": CaseOutcome.EXEMPTED},
            id="one-case-exempted",
        ),
        pytest.param(
            Terms(until=UNTIL),
            {"CR-1": CaseOutcome.ON_TIME, "CR-2": CaseOutcome.EXTENDED},
            id="every-case-extended",
        ),
        pytest.param(
            Terms(until=UNTIL, extended=frozenset({"CR-1"})),
            {"CR-1": CaseOutcome.ON_TIME, "CR-2": CaseOutcome.LATE},
            id="another-case-extended",
        ),
        pytest.param(
            Terms(until=date(2021, 5, 28)),
            {"CR-1": CaseOutcome.ON_TIME, "CR-2": CaseOutcome.LATE},
            id="an-extension-before-the-deadline-extends-nothing",
        ),
    ],
)
def test_the_cases_of_a_month_under_a_decision(terms, expected) -> None:
    assert outcomes([("CR-1", EARLY), ("cr-2", AFTER)], DEADLINE, terms) == {
        ("cr-2" if ref == "CR-2" else ref): outcome for ref, outcome in expected.items()
    }


def test_two_decisions_keep_both_exemptions_and_the_later_extension() -> None:
    first = Terms(exempted=frozenset({"CR-1"}), until=date(2021, 6, 2), ref="EXM-2021-05-001")
    second = Terms(until=UNTIL, ref="EXM-2021-05-002")

    both = first.merged(second)

    assert (both.exempted, both.until, both.ref) == (frozenset({"CR-1"}), UNTIL, "EXM-2021-05-002")
