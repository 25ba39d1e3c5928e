"""Moderation: after the close, a sample of the month's audits is moderated by roster members
with the ``moderator`` role, never by the auditor, nor by a moderator in the auditor's team
or the team holding the case, spread as evenly as those rules allow.

The sample and the allocation are functions of the month and the audits alone (seeded from
the month), so every tick works out the same answer; the shell stores it the first time.
Audits submitted in time that first appear in a later completions export are sampled and
allocated the same way while the month's moderation is open: a top-up, counting what each
moderator already has.
Pure: no I/O, no clock. ``today`` is a parameter.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal
from urllib.parse import quote

from bot.core import calendar as cal
from bot.core.keys import moderation_key, report_key
from bot.core.plans import MailPlan
from bot.core.records import Auditor, Completion, Grade, Month, Problem, Role

# Best first: a step is one place along this line.
GRADE_ORDER = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)
# The month's reminder ladder is scaled from a month's working days to the moderation window.
MONTH_WORKING_DAYS = 20


@dataclass(frozen=True)
class ModerationRules:
    sample: float | None = None  # None: every audit; else the share sampled (0.25)
    due_working_days: int = 5
    min_per_auditor: int = 1
    starts: Literal["provisional", "final"] = "provisional"
    reminders: tuple[int, ...] = (10, 5, 2, 0)  # the month's ladder, scaled to the window
    qa_team: str = ""
    director_email: str = ""
    director_name: str = ""
    council: str = ""
    audit_tool_url: str | None = None


@dataclass(frozen=True)
class Audit:
    """An audit submitted in time, as moderation sees it."""

    case_ref: str
    auditor_email: str
    auditor_name: str
    auditor_team: str  # the roster's; "" when the auditor has left it
    case_team: str | None  # the team holding the case, if the sheet said
    grade: Grade | None


@dataclass(frozen=True)
class Moderator:
    email: str
    name: str
    team: str


@dataclass(frozen=True)
class Assignment:
    audit: Audit
    moderator: Moderator | None  # None: every moderator is in one of the audit's teams
    # When it was stored: the round's start, or a later top-up. None until stored.
    allocated_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Moderated:
    """A row of the moderation sheet."""

    case_ref: str
    moderator_email: str
    grade: Grade
    moderated_on: date
    comment: str = ""
    file: str = field(default="", compare=False)
    row: int = field(default=0, compare=False)


def _team(name: str | None) -> str:
    return (name or "").strip().lower()


def _rank(month: Month, text: str) -> str:
    """A stable pseudo-random order, seeded from the month."""
    return hashlib.sha256(f"{month}/{text.upper()}".encode()).hexdigest()


def moderators(roster: Mapping[str, Auditor]) -> list[Moderator]:
    return sorted(
        (
            Moderator(a.email, a.name, a.team)
            for a in roster.values()
            if a.role is Role.MODERATOR and a.active
        ),
        key=lambda m: m.email,
    )


def audits_to_moderate(
    month: Month, completions: Iterable[Completion], roster: Mapping[str, Auditor]
) -> list[Audit]:
    """The month's audits submitted on or before the deadline, in case-reference order."""
    deadline = cal.deadline(month)
    audits = []
    for done in completions:
        if done.submitted_on > deadline:
            continue
        auditor = roster.get(done.auditor_email)
        audits.append(
            Audit(
                done.case_ref,
                done.auditor_email,
                auditor.name if auditor else done.auditor_email,
                auditor.team if auditor else "",
                done.case_team,
                done.grade,
            )
        )
    return sorted(audits, key=lambda a: a.case_ref.upper())


def sample(
    audits: Iterable[Audit],
    month: Month,
    share: float | None,
    min_per_auditor: int,
    already: Iterable[Audit] = (),
) -> list[Audit]:
    """Every audit (``share`` None), or ``ceil(share * n)`` of them, with at least
    ``min_per_auditor`` of each auditor's (as many as they have); the same every time.
    Audits ``already`` sampled (a top-up's round so far) count towards the share, the ``n``
    and each auditor's minimum, and are not returned."""
    before = {a.case_ref.upper(): a for a in already}
    ordered = sorted(
        (a for a in audits if a.case_ref.upper() not in before),
        key=lambda a: _rank(month, a.case_ref),
    )
    if share is None:
        return ordered
    target = math.ceil(share * (len(ordered) + len(before))) - len(before)
    taken = Counter(a.auditor_email for a in before.values())
    chosen: set[str] = set()
    for audit in ordered:
        if taken[audit.auditor_email] < min_per_auditor:
            taken[audit.auditor_email] += 1
            chosen.add(audit.case_ref)
    for audit in ordered:
        if len(chosen) >= target:
            break
        chosen.add(audit.case_ref)
    return [a for a in ordered if a.case_ref in chosen]


def may_moderate(moderator: Moderator, audit: Audit) -> bool:
    """Never one's own audit, nor one from one's team or the team holding the case."""
    team = _team(moderator.team)
    return (
        moderator.email != audit.auditor_email
        and team != _team(audit.auditor_team)
        and team != _team(audit.case_team)
    )


def allocate(
    audits: Iterable[Audit],
    people: Iterable[Moderator],
    month: Month,
    held: Mapping[str, int] | None = None,
) -> list[Assignment]:
    """Each audit to the least-loaded moderator who may take it, then audits moved while any
    could go to a moderator with at least two fewer: no single move evens the spread more.
    ``held``: what each moderator already has (by email), counted in the load; only the
    audits given here move."""
    ordered = sorted(audits, key=lambda a: _rank(month, a.case_ref))
    staff = sorted(people, key=lambda m: _rank(month, m.email))
    tiebreak = {m.email: i for i, m in enumerate(staff)}
    load = {email: (held or {}).get(email, 0) for email in tiebreak}
    heap = [(load[m.email], tiebreak[m.email], m) for m in staff]
    heapq.heapify(heap)
    chosen: dict[str, Moderator | None] = {}
    for audit in ordered:
        skipped = []
        found = None
        while heap:
            entry = heapq.heappop(heap)
            if may_moderate(entry[2], audit):
                found = entry[2]
                break
            skipped.append(entry)
        for entry in skipped:
            heapq.heappush(heap, entry)
        chosen[audit.case_ref] = found
        if found is not None:
            load[found.email] += 1
            heapq.heappush(heap, (load[found.email], tiebreak[found.email], found))
    _even_out(ordered, staff, chosen, load, tiebreak)
    return [Assignment(a, chosen[a.case_ref]) for a in ordered]


def _even_out(
    audits: list[Audit],
    staff: list[Moderator],
    chosen: dict[str, Moderator | None],
    load: dict[str, int],
    tiebreak: dict[str, int],
) -> None:
    # Each move takes one from a moderator with at least two more than the one given it, so
    # the sum of squared loads falls and the loop ends. A pass with no move saw exact loads.
    moved = True
    while moved:
        moved = False
        lightest = sorted(staff, key=lambda m: (load[m.email], tiebreak[m.email]))
        for audit in audits:
            current = chosen[audit.case_ref]
            if current is None:
                continue
            best = next((m for m in lightest if may_moderate(m, audit)), None)
            if best is not None and load[best.email] <= load[current.email] - 2:
                chosen[audit.case_ref] = best
                load[current.email] -= 1
                load[best.email] += 1
                moved = True


def top_up(
    given: Iterable[Assignment],
    audits: Iterable[Audit],
    people: Iterable[Moderator],
    month: Month,
    share: float | None,
    min_per_auditor: int,
) -> list[Assignment]:
    """The audits submitted in time that are not in the round ``given`` so far, sampled with
    the round counted and allocated with what each moderator already has counted; [] when
    there are none (so a second tick on the same sheets adds nothing)."""
    given = list(given)
    chosen = sample(audits, month, share, min_per_auditor, [a.audit for a in given])
    if not chosen:
        return []
    held = Counter(a.moderator.email for a in given if a.moderator is not None)
    return allocate(chosen, people, month, held)


def due_day(started_on: date, window: int) -> date:
    """The working day ``window`` working days after the day moderation started."""
    day = started_on
    for _ in range(window):
        day = cal.next_working_day(day + _ONE_DAY)
    return day


def reminder_stages(ladder: Iterable[int], window: int) -> tuple[int, ...]:
    """The month's ladder scaled to the window (10, 5, 2, 0 over five days: 2, 1), working
    days before the due day, when the report is made; never on the day moderation starts."""
    scaled = {k * window // MONTH_WORKING_DAYS for k in ladder}
    return tuple(sorted((k for k in scaled if 0 < k < window), reverse=True))


# -- the round: what was allocated, what came back ----------------------------------------------


@dataclass(frozen=True)
class Round:
    month: Month
    started_on: date
    due: date
    assignments: tuple[Assignment, ...]
    returned: Mapping[str, Moderated] = field(default_factory=dict)  # by upper-cased case ref

    def moderated(self, assignment: Assignment) -> Moderated | None:
        return self.returned.get(assignment.audit.case_ref.upper())

    @property
    def allocated(self) -> list[Assignment]:
        return [a for a in self.assignments if a.moderator is not None]

    @property
    def unallocated(self) -> list[Assignment]:
        return [a for a in self.assignments if a.moderator is None]

    def outstanding(self) -> dict[str, list[Assignment]]:
        """Moderator email -> their audits not yet back."""
        waiting: dict[str, list[Assignment]] = {}
        for a in self.allocated:
            if self.moderated(a) is None and a.moderator is not None:
                waiting.setdefault(a.moderator.email, []).append(a)
        return waiting

    @property
    def complete(self) -> bool:
        return bool(self.allocated) and not self.outstanding()

    def late(self, today: date) -> dict[str, list[Assignment]]:
        """From the due day, when the report is made: who has not sent back what."""
        return self.outstanding() if today >= self.due else {}

    def grades(self) -> dict[str, Grade]:
        """Moderated grades by upper-cased case reference."""
        return {key: m.grade for key, m in self.returned.items()}


def steps_apart(first: Grade, second: Grade) -> int:
    return abs(GRADE_ORDER.index(first) - GRADE_ORDER.index(second))


@dataclass(frozen=True)
class Agreement:
    same: int = 0
    one_step: int = 0
    two_or_more: int = 0

    @property
    def compared(self) -> int:
        return self.same + self.one_step + self.two_or_more

    def plus(self, steps: int) -> Agreement:
        if steps == 0:
            return Agreement(self.same + 1, self.one_step, self.two_or_more)
        if steps == 1:
            return Agreement(self.same, self.one_step + 1, self.two_or_more)
        return Agreement(self.same, self.one_step, self.two_or_more + 1)


@dataclass(frozen=True)
class Agreements:
    overall: Agreement
    by_auditor: tuple[tuple[str, str, Agreement], ...]  # (email, name, agreement)
    by_team: tuple[tuple[str, Agreement], ...]


def agreements(round_: Round) -> Agreements:
    """The auditor's grade against the moderator's, where both are known."""
    overall = Agreement()
    auditors: dict[str, tuple[str, Agreement]] = {}
    teams: dict[str, Agreement] = {}
    for a in round_.assignments:
        back = round_.moderated(a)
        if back is None or a.audit.grade is None:
            continue
        steps = steps_apart(a.audit.grade, back.grade)
        overall = overall.plus(steps)
        name, mine = auditors.get(a.audit.auditor_email, (a.audit.auditor_name, Agreement()))
        auditors[a.audit.auditor_email] = (name, mine.plus(steps))
        team = a.audit.auditor_team or "(not in the roster)"
        teams[team] = teams.get(team, Agreement()).plus(steps)
    return Agreements(
        overall,
        tuple((e, n, g) for e, (n, g) in sorted(auditors.items(), key=lambda i: i[1][0].lower())),
        tuple(sorted(teams.items(), key=lambda i: i[0].lower())),
    )


def match_returns(
    assignments: Iterable[Assignment], rows: Iterable[Moderated], month: Month
) -> tuple[dict[str, Moderated], list[Problem]]:
    """The sheet's rows for audits given to that moderator; a problem for any other row."""
    given = {a.audit.case_ref.upper(): a for a in assignments}
    kept: dict[str, Moderated] = {}
    problems = []
    for row in rows:
        key = row.case_ref.upper()
        assignment = given.get(key)
        if assignment is None:
            message = f'case reference "{row.case_ref}" was not given for moderation in {month}'
            problems.append(Problem(row.file, message, row.row, "case_ref"))
        elif assignment.moderator is None or assignment.moderator.email != row.moderator_email:
            who = assignment.moderator.email if assignment.moderator else "nobody"
            message = (
                f'case reference "{row.case_ref}" was given to {who} to moderate, '
                f"not to {row.moderator_email}"
            )
            problems.append(Problem(row.file, message, row.row, "moderator_email"))
        elif key in kept:
            message = f'case reference "{row.case_ref}" is already moderated on row {kept[key].row}'
            problems.append(Problem(row.file, message, row.row, "case_ref"))
        else:
            kept[key] = row
    return kept, problems


# -- mail ----------------------------------------------------------------------------------------


def _cases(assignments: Iterable[Assignment]) -> list[dict[str, str]]:
    return [
        {"case_ref": a.audit.case_ref, "auditor": a.audit.auditor_name}
        for a in sorted(assignments, key=lambda a: a.audit.case_ref.upper())
    ]


def plan_moderation(
    round_: Round, records: Container[str], today: date, rules: ModerationRules
) -> list[MailPlan]:
    """Each moderator's allocation (once), and the latest reminder stage due by ``today`` to
    those with audits not yet back, up to the due day; never on the day it started."""
    month = round_.month
    plans = []
    mine: dict[str, list[Assignment]] = {}
    people: dict[str, Moderator] = {}
    for a in round_.allocated:
        assert a.moderator is not None
        mine.setdefault(a.moderator.email, []).append(a)
        people[a.moderator.email] = a.moderator
    base = {
        "month": month.title,
        "month_id": str(month),
        "due": round_.due,
        "council": rules.council,
        "director_name": rules.director_name,
        "audit_tool_url": rules.audit_tool_url,
    }
    for email, given in sorted(mine.items()):
        first, *later = _batches(given)
        key = moderation_key(month, "allocation", email)
        if key not in records:
            context = {**base, "name": people[email].name, "cases": _cases(first)}
            plans.append(_mail(key, "moderation_allocation", email, month, context))
        for batch in later:
            key = topup_key(month, batch, email)
            if key not in records:
                context = {**base, "name": people[email].name, "cases": _cases(batch)}
                plans.append(_mail(key, "moderation_topup", email, month, context))
    if today <= round_.started_on or today >= round_.due:
        return plans
    stages = reminder_stages(rules.reminders, rules.due_working_days)
    due_now = [k for k in stages if cal.working_days_before(round_.due, k) <= today]
    if not due_now:
        return plans
    stage = min(due_now)  # the latest stage due; older ones are never sent in a burst
    for email, waiting in sorted(round_.outstanding().items()):
        key = moderation_key(month, f"reminder-{stage}", email)
        if key in records:
            continue
        context = {
            **base,
            "name": people[email].name,
            "cases": _cases(waiting),
            "stage": stage,
            "final": stage == min(stages),
        }
        plans.append(_mail(key, "moderation_reminder", email, month, context))
    return plans


def _batches(given: list[Assignment]) -> list[list[Assignment]]:
    """A moderator's audits by when they were stored, the first allocation first."""
    by_time: dict[datetime | None, list[Assignment]] = {}
    for a in given:
        by_time.setdefault(a.allocated_at, []).append(a)
    stored = sorted(t for t in by_time if t is not None)
    return [by_time[t] for t in ([None] if None in by_time else []) + stored]


def topup_key(month: Month, batch: Iterable[Assignment], email: str) -> str:
    """A moderator's mail about audits added to the month's round: named by its first case
    reference, which is given to one moderator once."""
    first = min(a.audit.case_ref.upper() for a in batch)
    return moderation_key(month, f"topup-{quote(first, safe='')}", email)


def open_for_top_up(round_: Round, records: Container[str], today: date) -> bool:
    """Audits may still be added: the month's report has not gone and the due day has not
    come."""
    return report_key(round_.month) not in records and today < round_.due


def report_due(round_: Round, today: date) -> str | None:
    """Why the month's report goes now: "complete", "due" (its due day has come), or None."""
    if round_.complete:
        return "complete"
    if today >= round_.due:
        return "due"
    return None


def _mail(key: str, template: str, to: str, month: Month, context: dict[str, object]) -> MailPlan:
    return MailPlan(key=key, template=template, to=(to,), context=context, month=month, about=to)


_ONE_DAY = timedelta(days=1)
