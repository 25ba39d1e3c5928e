"""One case's outcome in a month, given its dates and the decisions about it: a pure rule.

The letter counts audits submitted on or before the last day of the month. The director
(or the QA team, after a slippage notice) may exempt named cases, so they are not due, or
extend named cases to a later date, so they count if submitted by then. Everything that
counts an auditor's month (bot.core.cycle.standings) asks this rule about each case.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


class CaseOutcome(enum.StrEnum):
    ON_TIME = "on_time"  # submitted on or before the deadline
    EXTENDED = "extended"  # submitted after the deadline, by its extension date
    LATE = "late"  # submitted after the date it was due: not counted
    EXEMPTED = "exempted"  # not due: the decision exempted it
    OUTSTANDING = "outstanding"  # not submitted (yet)

    @property
    def counted(self) -> bool:
        """Done in time, the deadline or its extension."""
        return self in (CaseOutcome.ON_TIME, CaseOutcome.EXTENDED)


@dataclass(frozen=True)
class Terms:
    """What decisions say of one auditor's cases in a month. ``exempted`` and
    ``extended`` hold upper-cased case references; an extension with no cases named
    (``extended`` empty, ``until`` set) covers every case not exempted."""

    exempted: frozenset[str] = frozenset()
    until: date | None = None
    extended: frozenset[str] = frozenset()
    ref: str = ""  # the request that decided the extension, for its reminders' keys

    def is_exempted(self, case_ref: str) -> bool:
        return case_ref.upper() in self.exempted

    def due(self, case_ref: str, deadline: date) -> date:
        """The last day ``case_ref`` counts if submitted on."""
        ref = case_ref.upper()
        extended = not self.extended or ref in self.extended
        if self.until is not None and self.until > deadline and extended:
            return deadline if ref in self.exempted else self.until
        return deadline

    def merged(self, other: Terms) -> Terms:
        """Two decisions for the same auditor and month: both exemptions hold, and the
        later-dated extension."""
        until, extended, ref = self.until, self.extended, self.ref
        if other.until is not None and (until is None or other.until >= until):
            until, extended, ref = other.until, other.extended, other.ref
        return Terms(self.exempted | other.exempted, until, extended, ref)


NO_TERMS = Terms()


def case_outcome(
    submitted_on: date | None, deadline: date, *, exempted: bool = False, until: date | None = None
) -> CaseOutcome:
    """The outcome of one case: submitted ``submitted_on`` (None: not yet), due by
    ``deadline`` or, extended, by ``until``. An audit submitted in time counts even when
    the case was exempted afterwards: the work was done."""
    if submitted_on is not None and submitted_on <= deadline:
        return CaseOutcome.ON_TIME
    if exempted:
        return CaseOutcome.EXEMPTED
    if submitted_on is None:
        return CaseOutcome.OUTSTANDING
    if until is not None and submitted_on <= until:
        return CaseOutcome.EXTENDED
    return CaseOutcome.LATE


def outcomes(
    cases: Iterable[tuple[str, date | None]], deadline: date, terms: Terms = NO_TERMS
) -> dict[str, CaseOutcome]:
    """Each case's outcome, by reference as given: (reference, submitted on) pairs."""
    found: dict[str, CaseOutcome] = {}
    for ref, submitted_on in cases:
        due = terms.due(ref, deadline)
        found[ref] = case_outcome(
            submitted_on,
            deadline,
            exempted=terms.is_exempted(ref),
            until=due if due > deadline else None,
        )
    return found
