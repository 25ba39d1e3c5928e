"""Each auditor's state for a month, as the QA team asks for it: a pure function.

The standing is bot.core.cycle.standings's; this only words it as `auditbot status` does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.core.close import extended_to
from bot.core.cycle import AuditorMonth, MonthFacts, Standing, standings


@dataclass(frozen=True)
class AuditorState:
    email: str
    name: str
    team: str
    cases: int
    allocated: bool  # the allocation mail was issued
    reminded_stage: int | None  # the most urgent reminder stage sent
    state: str  # pending | outstanding | complete | extended | exempted | missed | late
    late_on: date | None = None
    # Not counted at the close so far, with an extension running to this day: what they
    # submit by then counts, and the month is not final before it.
    extended_to: date | None = None


def state(row: AuditorMonth) -> str:
    """Not done yet is ``pending`` until the allocation goes out, then ``outstanding``
    (saying done changes nothing here: the completions sheet is the authority)."""
    if row.standing in (Standing.OUTSTANDING, Standing.SELF_REPORTED):
        return "outstanding" if row.issued else "pending"
    return row.standing.value


def auditor_states(facts: MonthFacts, reminded: Mapping[str, int]) -> list[AuditorState]:
    """Each auditor's state, by address."""
    return [
        AuditorState(
            email=row.email,
            name=row.name,
            team=row.team,
            cases=row.cases,
            allocated=row.issued,
            reminded_stage=reminded.get(row.email),
            state=state(row),
            late_on=row.late_on,
            extended_to=_extension_running(facts, row),
        )
        for row in sorted(standings(facts), key=lambda r: r.email)
    ]


def _extension_running(facts: MonthFacts, row: AuditorMonth) -> date | None:
    if row.standing is not Standing.MISSED or facts.final:
        return None
    return extended_to(facts, row.email)


def close_state(facts: MonthFacts) -> str:
    """open | provisional (closed; audits in time may still appear) | final."""
    if not facts.closed:
        return "open"
    return "final" if facts.final else "provisional"


def totals(states: list[AuditorState]) -> dict[str, int]:
    counts = Counter(s.state for s in states)
    return {"auditors": len(states), **dict(sorted(counts.items()))}
