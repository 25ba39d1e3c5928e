"""Quality figures: the grade mix of completed audits against the department's targets.

Pure: completions in, counts out. Grades come from the completions sheets' ``grade`` column.
An audit counts in its month's grade mix only if it was submitted on or before that month's
deadline ("late audits are not counted"); late ones are tallied apart so nothing is hidden,
and an inadequate grade is always listed for follow-up, late or not: the child comes first.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from bot.core import calendar as cal
from bot.core.records import Completion, Grade, Month

SMALL_NUMBER = 10  # a share of fewer graded audits than this is marked as a small number

# Positions in the per-auditor count tuples.
_ORDER = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)
_INDEX = {grade: index for index, grade in enumerate(_ORDER)}
_UNGRADED, _LATE = 4, 5
_ZERO = (0, 0, 0, 0, 0, 0)


def percent(part: int, whole: int) -> int | None:
    """Whole percent, halves rounded up (62.5 -> 63); None for an empty whole."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def share(part: int, whole: int) -> float | None:
    """Percent to one decimal place, halves rounded up; None for an empty whole."""
    if whole <= 0:
        return None
    return ((2000 * part + whole) // (2 * whole)) / 10


@dataclass(frozen=True)
class GradeMix:
    """Audits by grade. ``ungraded`` audits (no grade in the sheet) and ``late`` ones (after
    the deadline) are counted but left out of every share."""

    outstanding: int = 0
    good: int = 0
    requires_improvement: int = 0
    inadequate: int = 0
    ungraded: int = 0
    late: int = 0

    @classmethod
    def of_counts(cls, counts: Sequence[int]) -> GradeMix:
        return cls(*counts)

    def __add__(self, other: GradeMix) -> GradeMix:
        return GradeMix(
            self.outstanding + other.outstanding,
            self.good + other.good,
            self.requires_improvement + other.requires_improvement,
            self.inadequate + other.inadequate,
            self.ungraded + other.ungraded,
            self.late + other.late,
        )

    @property
    def graded(self) -> int:
        return self.outstanding + self.good + self.requires_improvement + self.inadequate

    @property
    def good_or_better(self) -> int:
        return self.outstanding + self.good

    @property
    def good_or_better_share(self) -> float | None:
        return share(self.good_or_better, self.graded)

    @property
    def requires_improvement_share(self) -> float | None:
        return share(self.requires_improvement, self.graded)

    @property
    def inadequate_share(self) -> float | None:
        return share(self.inadequate, self.graded)

    @property
    def small(self) -> bool:
        """Shares from so few audits that one audit moves them by ten points or more."""
        return 0 < self.graded < SMALL_NUMBER


@dataclass(frozen=True)
class Targets:
    """The improvement plan's targets, as shares of graded audits (config.yaml ``targets:``):
    at least ``good_or_better_min`` good or better, less than ``inadequate_max`` inadequate.

    Fractions, so that a verdict is exact, not taken on a rounded share: 39.96% is below 40%.
    """

    good_or_better_min: Fraction
    inadequate_max: Fraction
    small: int = SMALL_NUMBER

    @classmethod
    def of(cls, good_or_better_min: float | str, inadequate_max: float | str) -> Targets:
        # Through the decimal text: 0.12 read as a float is not quite twelve hundredths.
        return cls(Fraction(str(good_or_better_min)), Fraction(str(inadequate_max)))

    @property
    def good(self) -> str:
        """The good-or-better target as a percentage to show: "40", "37.5"."""
        return _percent_text(self.good_or_better_min)

    @property
    def inadequate(self) -> str:
        return _percent_text(self.inadequate_max)

    def meets_good(self, mix: GradeMix) -> bool | None:
        """At least the target share good or better; None with nothing graded."""
        if not mix.graded:
            return None
        return Fraction(mix.good_or_better, mix.graded) >= self.good_or_better_min

    def meets_inadequate(self, mix: GradeMix) -> bool | None:
        """Less than the limit inadequate; None with nothing graded."""
        if not mix.graded:
            return None
        return Fraction(mix.inadequate, mix.graded) < self.inadequate_max


def _percent_text(share: Fraction) -> str:
    return f"{float(share * 100):.4g}"


@dataclass(frozen=True)
class FollowUp:
    """An audit graded inadequate: its Head of Service must follow it up for the child."""

    case_ref: str
    auditor_email: str
    submitted_on: date
    late: bool


@dataclass(frozen=True)
class MonthGrades:
    """One month's completions sheet reduced to what the digests need."""

    month: Month
    by_auditor: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    inadequate: tuple[FollowUp, ...] = ()
    sheet_found: bool = True
    total: GradeMix = GradeMix()

    def mix(self, auditors: Collection[str] | None = None) -> GradeMix:
        """The grade mix of everyone's audits, or of the audits by ``auditors`` only."""
        if auditors is None:
            return self.total
        return _sum(self.by_auditor[a] for a in auditors if a in self.by_auditor)


def _sum(rows: Iterable[Sequence[int]]) -> GradeMix:
    totals = [0] * 6
    for counts in rows:
        for index, value in enumerate(counts):
            totals[index] += value
    return GradeMix.of_counts(totals)


def month_grades(month: Month, completions: Iterable[Completion]) -> MonthGrades:
    """Tally the month's completions sheet by auditor. Every row counts, allocated or not:
    the audit tool is the authority on what was audited."""
    deadline = cal.deadline(month)
    counts: dict[str, list[int]] = {}
    inadequate: list[FollowUp] = []
    for done in completions:
        row = counts.get(done.auditor_email)
        if row is None:
            row = counts[done.auditor_email] = [0, 0, 0, 0, 0, 0]
        late = done.submitted_on > deadline
        if done.grade is Grade.INADEQUATE:
            inadequate.append(FollowUp(done.case_ref, done.auditor_email, done.submitted_on, late))
        if late:
            row[_LATE] += 1
        elif done.grade is None:
            row[_UNGRADED] += 1
        else:
            row[_INDEX[done.grade]] += 1
    inadequate.sort(key=lambda f: (f.submitted_on, f.case_ref))
    by_auditor = {email: tuple(row) for email, row in counts.items()}
    return MonthGrades(month, by_auditor, tuple(inadequate), True, _sum(by_auditor.values()))


@dataclass(frozen=True)
class Quality:
    """The last three full months against the targets, with the longer trend."""

    months: tuple[tuple[Month, GradeMix], ...]  # the last 3 full months, oldest first
    combined: GradeMix  # the three together: what is set against the targets
    trend: tuple[tuple[Month, GradeMix], ...]  # the last 12 full months, oldest first

    @property
    def any_small(self) -> bool:
        return self.combined.small or any(mix.small for _, mix in self.months)

    @property
    def first(self) -> Month:
        return self.months[0][0]

    @property
    def last(self) -> Month:
        return self.months[-1][0]


def full_months(current: Month, count: int) -> list[Month]:
    """The ``count`` whole months before ``current``, oldest first."""
    return [current.plus(-n) for n in range(count, 0, -1)]


def quality(
    history: Mapping[Month, MonthGrades],
    current: Month,
    auditors: Collection[str] | None = None,
    *,
    recent: int = 3,
    trend: int = 12,
) -> Quality:
    """Grade mix of the ``recent`` full months before ``current`` (and a ``trend``-month
    series), over everyone or over ``auditors``. A month without a sheet counts as empty."""

    def mix(month: Month) -> GradeMix:
        grades = history.get(month)
        return grades.mix(auditors) if grades is not None else GradeMix()

    series = tuple((m, mix(m)) for m in full_months(current, trend))
    by_month = dict(series)
    months = tuple(
        (m, by_month[m] if m in by_month else mix(m)) for m in full_months(current, recent)
    )
    combined = GradeMix()
    for _, counts in months:
        combined += counts
    return Quality(months, combined, series)


def follow_ups(
    grades: MonthGrades | None,
    head_of: Mapping[str, str],
    head: str | None = None,
) -> list[FollowUp]:
    """Inadequate audits of the month, all of them or those of ``head``'s service
    (``head_of`` maps each auditor to their Head of Service for that month)."""
    if grades is None:
        return []
    if head is None:
        return list(grades.inadequate)
    return [f for f in grades.inadequate if head_of.get(f.auditor_email) == head]


__all__ = [
    "SMALL_NUMBER",
    "FollowUp",
    "GradeMix",
    "MonthGrades",
    "Quality",
    "Targets",
    "follow_ups",
    "full_months",
    "month_grades",
    "percent",
    "quality",
    "share",
]
