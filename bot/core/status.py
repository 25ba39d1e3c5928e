"""Each auditor's state for a month, as the QA team asks for it: a pure function."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.core.cycle import MonthFacts, allocation_key, is_complete


@dataclass(frozen=True)
class AuditorState:
    email: str
    name: str
    team: str
    cases: int
    allocated: bool  # the allocation mail was issued
    reminded_stage: int | None  # the most urgent reminder stage sent
    state: str  # pending | outstanding | complete | exempted | missed | late
    late_on: date | None = None


@dataclass(frozen=True)
class ClosedOutcome:
    outcome: str
    late_on: date | None


def auditor_states(
    facts: MonthFacts,
    reminded: Mapping[str, int],
    closed_outcomes: Mapping[str, ClosedOutcome],
) -> list[AuditorState]:
    emails = sorted(set(facts.allocations) | set(closed_outcomes))
    states = []
    for email in emails:
        auditor = facts.roster.get(email)
        cases = facts.allocations.get(email, ())
        allocated = allocation_key(facts.month, email) in facts.records
        if facts.closed:
            closed = closed_outcomes.get(email)
            if closed is None:
                continue  # allocated in the sheet but never issued before the close
            state = "late" if closed.late_on else closed.outcome
            late_on = closed.late_on
        else:
            late_on = None
            if email in facts.exempted:
                state = "exempted"
            elif is_complete(facts.month, cases, facts.completions):
                state = "complete"
            else:
                state = "outstanding" if allocated else "pending"
        states.append(
            AuditorState(
                email=email,
                name=auditor.name if auditor else email,
                team=auditor.team if auditor else "",
                cases=len(cases),
                allocated=allocated,
                reminded_stage=reminded.get(email),
                state=state,
                late_on=late_on,
            )
        )
    return states


def totals(states: list[AuditorState]) -> dict[str, int]:
    counts = Counter(s.state for s in states)
    return {"auditors": len(states), **dict(sorted(counts.items()))}
