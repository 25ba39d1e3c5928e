"""Figures for the weekly digests, and when they are due.

Pure: dataclasses in, dataclasses out; no I/O, no clock, no store. The shell (bot.reporting.digests)
gathers the month's sheets and the store's rows for a given ``now`` and hands them in. The
counting rules are bot.core.completion's; quality is bot.core.quality's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.core import calendar as cal
from bot.core.actions import ActionState, ChildAction
from bot.core.completion import (
    TREND_MONTHS,
    AuditTally,
    Group,
    OutcomeCount,
    RatePoint,
    Tally,
    audit_tally,
    by_attention,
    by_service,
    by_team,
    completion_trend,
    heads_with_auditors,
    tally,
    team_heads,
)
from bot.core.cycle import (
    AuditorMonth,
    MonthFacts,
    Standing,
    head_names,
    not_allocated,
    standings,
)
from bot.core.exemption_figures import (
    Decision,
    NoteFact,
    Notice,
    Pending,
    Repeat,
    decided_since,
    flagged,
    involving,
    notices,
    pending,
    repeats,
    week_before,
)
from bot.core.exemptions import Request
from bot.core.keys import week_id
from bot.core.quality import MonthGrades, Quality, follow_ups, quality
from bot.core.records import Month

__all__ = [
    "TREND_MONTHS",
    "ActionRow",
    "AuditorMonth",
    "ClosedMonth",
    "Digest",
    "FollowUpRow",
    "Group",
    "HistoryInputs",
    "MonthFacts",
    "OutcomeCount",
    "RatePoint",
    "Standing",
    "Tally",
    "build_digest",
    "by_attention",
    "by_service",
    "by_team",
    "completion_trend",
    "digest_day",
    "digest_due",
    "heads_with_auditors",
    "standings",
    "tally",
]


# -- when ------------------------------------------------------------------------------------


def digest_day(day: date, weekday: int = 0) -> date | None:
    """The digest day of ``day``'s ISO week: ``weekday`` (0 = Monday), or the next working day
    when that is a bank holiday. None if no working day is left in the week for it."""
    wanted = day - timedelta(days=day.weekday()) + timedelta(days=weekday)
    found = cal.next_working_day(wanted)
    return found if found.isocalendar()[:2] == day.isocalendar()[:2] else None


def digest_due(now_local: datetime, send_time: time, weekday: int = 0) -> date | None:
    """The digest day of ``now_local``'s week if the digest is due by now, else None.

    Due on the digest day at or after ``send_time`` and on any later working day of the same
    week (so a week of downtime still sends that week's one digest, never a backlog); never
    on a weekend or bank holiday, like all scheduled mail."""
    today = now_local.date()
    day = digest_day(today, weekday)
    if day is None or not cal.is_working_day(today):
        return None
    if today > day or (today == day and now_local.time() >= send_time):
        return day
    return None


# -- the digest --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryInputs:
    """Everything beyond the current month's sheets that a digest looks at."""

    outcome_counts: tuple[OutcomeCount, ...] = ()
    requests: tuple[Request, ...] = ()
    notes: tuple[NoteFact, ...] = ()  # this month's, times local
    grades: Mapping[Month, MonthGrades] = field(default_factory=dict)
    # auditor -> the Head of Service who follows up their audits of last month
    last_month_heads: Mapping[str, str] = field(default_factory=dict)
    director: str = "the director"
    trail_head: str = ""
    trail_event: int = 0
    # Last month, in the first digest on or after its close: shown beside the new one.
    closed: MonthFacts | None = None
    # Actions for children not yet done, of every month: times local.
    actions: tuple[ChildAction, ...] = ()


def shows_closed_month(day: date, month: Month, weekday: int = 0) -> bool:
    """The digest of ``day`` (for ``month``) shows last month too when it is the first
    digest on or after last month's close: the director sees the month just closed."""
    close = cal.close_day(month.previous())
    first = digest_day(close, weekday)
    if first is None or first < close:  # this week's digest came before the close
        first = digest_day(close + timedelta(days=7 - close.weekday()), weekday)
    return first is not None and close <= day and day.isocalendar()[:2] == first.isocalendar()[:2]


@dataclass(frozen=True)
class ClosedMonth:
    """Last month as it closed, for the digest: the outcomes' tally, and whether final."""

    month: Month
    deadline: date
    tally: Tally
    final: bool


@dataclass(frozen=True)
class ActionRow:
    """An action for a child not yet done, with its age as the chasing counts it."""

    action: ChildAction
    age: int  # working days since the Head of Service was told

    @property
    def waiting(self) -> bool:
        """Nobody has answered yet: neither done nor an owner named."""
        return self.action.state is ActionState.OPEN


def open_actions(
    actions: Iterable[ChildAction], today: date, head: str | None = None
) -> tuple[ActionRow, ...]:
    """Actions not done (of ``head``, the Head of Service holding them, or everyone's),
    the oldest first."""
    rows = [
        ActionRow(a, a.age(today))
        for a in actions
        if a.state is not ActionState.DONE and (head is None or a.holder.head_email == head)
    ]
    return tuple(sorted(rows, key=lambda r: (-r.age, r.action.month, r.action.case_ref)))


@dataclass(frozen=True)
class FollowUpRow:
    case_ref: str
    auditor: str
    auditor_email: str
    submitted_on: date
    late: bool


@dataclass(frozen=True)
class Digest:
    now: datetime  # local
    day: date
    week: str
    month: Month
    deadline: date
    deadline_day: date
    working_days_left: int  # after today, up to and including the deadline day
    head_email: str | None  # None: the director's digest
    head_name: str | None
    overall: Tally
    audits: AuditTally  # the same auditors' audits, counted one by one
    teams: tuple[Group, ...]
    services: tuple[tuple[Group, tuple[Group, ...]], ...]  # each service by name, its teams
    auditors: tuple[AuditorMonth, ...]  # outstanding first, by name; only in a Head's digest
    held_back: tuple[str, ...]
    not_allocated: int  # active in the roster, no row in the month's sheet
    trend: tuple[RatePoint, ...]
    pending: tuple[Pending, ...]
    decided: tuple[Decision, ...]
    flagged: tuple[Request, ...]
    repeats: tuple[Repeat, ...]
    notices: tuple[Notice, ...]
    quality: Quality
    follow_ups: tuple[FollowUpRow, ...]  # inadequate last month; only in a Head's digest
    trail_head: str
    trail_event: int
    closed_month: ClosedMonth | None = None
    actions: tuple[ActionRow, ...] = ()  # for children, not yet done

    @property
    def for_director(self) -> tuple[Pending, ...]:
        """Requests waiting for the director's decision, the longest waiting first."""
        return tuple(p for p in self.pending if not p.with_head)

    @property
    def for_head(self) -> tuple[Pending, ...]:
        """In a Head of Service's digest: the requests waiting for their answer."""
        return tuple(
            p for p in self.pending if p.with_head and p.request.head_email == self.head_email
        )


def build_digest(
    current: MonthFacts,
    history: HistoryInputs,
    now_local: datetime,
    head: str | None = None,
    *,
    day: date | None = None,
    everyone: list[AuditorMonth] | None = None,
) -> Digest:
    """The director's digest (``head`` None) or one Head of Service's. ``everyone`` is
    ``standings(current)`` when already worked out (one digest per Head of Service)."""
    month, roster = current.month, current.roster
    today = now_local.date()
    day = day or today
    everyone = standings(current) if everyone is None else everyone
    names = head_names(roster)
    if head is None:
        rows, mine = everyone, None
        requests: Iterable[Request] = history.requests
        notes: Iterable[NoteFact] = history.notes
        held = sorted(current.held_back)
        left_out = len(not_allocated(current))
    else:
        rows = [r for r in everyone if r.head_email == head]
        mine = frozenset(
            {a.email for a in roster.values() if a.head_of_service_email == head}
            | {r.email for r in rows}
        )
        requests = list(filter(involving(head, mine), history.requests))
        notes = [n for n in history.notes if n.email in mine]
        held = sorted(e for e in current.held_back if e in mine)
        left_out = sum(a.email in mine for a in not_allocated(current))
    overall = tally(rows)
    teams_of = team_heads(roster)
    nested = by_service(rows, roster, head, teams_of=teams_of)
    theirs = (
        history.requests
        if mine is None
        else [r for r in history.requests if r.auditor_email in mine]
    )
    follow: tuple[FollowUpRow, ...] = ()
    found = follow_ups(history.grades.get(month.previous()), history.last_month_heads, head)
    if head is not None and found:
        who = {r.email: r.name for r in everyone} | {e: a.name for e, a in roster.items()}
        follow = tuple(
            FollowUpRow(
                f.case_ref,
                who.get(f.auditor_email, f.auditor_email),
                f.auditor_email,
                f.submitted_on,
                f.late,
            )
            for f in found
        )
    return Digest(
        now=now_local,
        day=day,
        week=week_id(day),
        month=month,
        deadline=cal.deadline(month),
        deadline_day=cal.deadline_day(month),
        working_days_left=cal.working_days_between(today, cal.deadline_day(month)),
        head_email=head,
        head_name=names.get(head, head) if head else None,
        overall=overall,
        audits=audit_tally(rows),
        teams=tuple(by_team(rows, roster, head, teams_of=teams_of)),
        services=nested,
        auditors=tuple(sorted(rows, key=by_attention)) if head is not None else (),
        held_back=tuple(held),
        not_allocated=left_out,
        trend=tuple(completion_trend(history.outcome_counts, month, overall, head)),
        pending=tuple(pending(requests, today)),
        decided=tuple(decided_since(requests, week_before(now_local), now_local, history.director)),
        flagged=tuple(flagged(requests, month)),
        repeats=tuple(repeats(theirs, month, roster)),
        notices=tuple(notices(notes, roster)),
        quality=quality(history.grades, month, mine),
        follow_ups=follow,
        trail_head=history.trail_head,
        trail_event=history.trail_event,
        closed_month=_closed_month(history.closed, head),
        actions=open_actions(history.actions, today, head),
    )


def _closed_month(closed: MonthFacts | None, head: str | None) -> ClosedMonth | None:
    if closed is None or not closed.closed:
        return None
    rows = [r for r in standings(closed) if head is None or r.head_email == head]
    return ClosedMonth(closed.month, cal.deadline(closed.month), tally(rows), closed.final)
