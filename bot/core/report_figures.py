"""The month-end QA report's figures: per auditor, per audit, per team, against the targets.

Pure, like bot.core.digest_figures: the shell gathers, this decides what every number is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.core import calendar as cal
from bot.core.actions import ActionState, ChildAction
from bot.core.completion import AuditTally, audit_tally
from bot.core.cycle import in_time, submission
from bot.core.digest_figures import (
    AuditorMonth,
    Group,
    HistoryInputs,
    MonthFacts,
    RatePoint,
    Standing,
    Tally,
    by_service,
    by_team,
    completion_trend,
    standings,
    tally,
)
from bot.core.exemption_figures import Decision, decision
from bot.core.exemptions import Request, State
from bot.core.moderation import Agreements, Round, agreements
from bot.core.quality import GradeMix, Quality, month_grades, quality
from bot.core.records import Completion, Grade, Month

NOT_ALLOCATED = "(not in the allocation sheet)"


@dataclass(frozen=True)
class AuditRow:
    case_ref: str
    audit_type: str  # its label, "Case audit"; empty when the case was never allocated
    auditor_email: str
    auditor_name: str
    team: str
    submitted_on: date | None
    in_time: bool
    grade: Grade | None  # the auditor's
    moderated_grade: Grade | None = None

    @property
    def status(self) -> str:
        if self.submitted_on is None:
            return "not submitted"
        return "in time" if self.in_time else "late: not counted"

    @property
    def grade_label(self) -> str:
        label = self.grade.value.replace("_", " ") if self.grade else ""
        if self.moderated_grade is not None and self.moderated_grade is not self.grade:
            moderated = self.moderated_grade.value.replace("_", " ")
            return f"{label or 'not graded'}, moderated: {moderated}"
        return label


@dataclass(frozen=True)
class LateModeration:
    """A moderator with audits not back when the report was made."""

    name: str
    email: str
    cases: tuple[str, ...]


@dataclass(frozen=True)
class ModerationFigures:
    started_on: date
    due: date
    allocated: int  # audits given to a moderator
    returned: int
    unallocated: tuple[str, ...]  # case references no moderator outside their teams could take
    late: tuple[LateModeration, ...]
    agreements: Agreements

    @property
    def complete(self) -> bool:
        return self.allocated > 0 and self.returned >= self.allocated


def moderation_figures(round_: Round, today: date) -> ModerationFigures:
    late = [
        LateModeration(waiting[0].moderator.name, email, tuple(a.audit.case_ref for a in waiting))
        for email, waiting in sorted(round_.late(today).items())
        if waiting[0].moderator is not None
    ]
    return ModerationFigures(
        started_on=round_.started_on,
        due=round_.due,
        allocated=len(round_.allocated),
        returned=sum(1 for a in round_.allocated if round_.moderated(a) is not None),
        unallocated=tuple(a.audit.case_ref for a in round_.unallocated),
        late=tuple(late),
        agreements=agreements(round_),
    )


def theme_counts(completions: Iterable[Completion]) -> tuple[tuple[str, int], ...]:
    """Each theme the completions sheet names, with how many audits named it: most first.
    Themes are compared as written, without regard to case or spacing."""
    counted: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for done in completions:
        for theme in done.themes:
            key = " ".join(theme.lower().split())
            shown.setdefault(key, theme)
            counted[key] += 1
    return tuple((shown[k], n) for k, n in sorted(counted.items(), key=lambda i: (-i[1], i[0])))


@dataclass(frozen=True)
class ReportAuditor:
    row: AuditorMonth
    exemption: Request | None  # the approved request behind an exemption
    decision: Decision | None
    grades: GradeMix  # their audits submitted in time

    @property
    def outcome(self) -> str:
        row = self.row
        if row.standing is Standing.LATE and row.late_on:
            return f"late: all in by {row.late_on:%d/%m/%Y}, not counted"
        if row.standing is Standing.EXEMPTED and self.exemption is not None:
            return f"exempted: {self.exemption.reason_label}"
        return row.standing.label


@dataclass(frozen=True)
class Report:
    month: Month
    now: datetime  # local; when it was made
    closed: bool  # False: the month is still open and every figure is provisional
    final: bool  # closed and final; closed but not final: audits in time may still appear
    deadline: date
    overall: Tally
    audit_counts: AuditTally  # completion by audit, beside ``overall`` (by auditor)
    services: tuple[tuple[Group, tuple[Group, ...]], ...]  # each service by name, its teams
    teams: tuple[Group, ...]
    auditors: tuple[ReportAuditor, ...]
    audits: tuple[AuditRow, ...]
    grades: GradeMix  # the month's own audits
    team_grades: tuple[tuple[str, GradeMix], ...]
    quality: Quality  # the three months up to and including this one, and the year's trend
    trend: tuple[RatePoint, ...]
    exemptions: tuple[tuple[Request, Decision | None], ...]  # every request of the month
    trail_head: str
    trail_event: int
    moderation: ModerationFigures | None = None  # None: no moderation for the month
    open_actions: tuple[ChildAction, ...] = ()  # actions for children not yet done
    themes: tuple[tuple[str, int], ...] = ()


def build_report(
    current: MonthFacts,
    history: HistoryInputs,
    now_local: datetime,
    moderation: Round | None = None,
    actions: Iterable[ChildAction] = (),
) -> Report:
    """The month's report; with ``moderation``, every figure takes the moderated grade where
    there is one."""
    month, roster = current.month, current.roster
    rows = standings(current)
    moderated = moderation.grades() if moderation is not None else {}
    if moderated:
        current = replace(
            current,
            completions={
                key: replace(done, grade=moderated.get(key, done.grade))
                for key, done in current.completions.items()
            },
        )
        grades = month_grades(month, current.completions.values())
    else:
        grades = history.grades.get(month) or month_grades(month, current.completions.values())
    approved: dict[str, Request] = {}
    requests = [r for r in history.requests if r.month == month]
    for request in requests:
        if request.state is State.APPROVED:
            approved[request.auditor_email] = request
    auditors = []
    for row in rows:
        granted = approved.get(row.email) if row.standing is Standing.EXEMPTED else None
        auditors.append(
            ReportAuditor(
                row,
                granted,
                decision(granted, history.director) if granted else None,
                grades.mix([row.email]),
            )
        )
    teams_of = {r.email: r.team for r in rows}
    names = {e: a.name for e, a in roster.items()} | {r.email: r.name for r in rows}
    audits = _audits(current, teams_of, names, moderation)
    by_team_members: dict[str, list[str]] = {}
    for email in grades.by_auditor:
        team = teams_of.get(email) or (roster[email].team if email in roster else NOT_ALLOCATED)
        by_team_members.setdefault(team, []).append(email)
    overall = tally(rows)
    audit_counts = audit_tally(rows)
    closed = current.closed
    return Report(
        month=month,
        now=now_local,
        closed=closed,
        final=current.final,
        deadline=cal.deadline(month),
        overall=overall,
        audit_counts=audit_counts,
        services=by_service(rows, roster),
        teams=tuple(by_team(rows, roster)),
        auditors=tuple(auditors),
        audits=tuple(audits),
        grades=grades.mix(),
        team_grades=tuple(
            (team, grades.mix(members))
            for team, members in sorted(by_team_members.items(), key=lambda i: i[0].lower())
        ),
        quality=quality({**history.grades, month: grades}, month.next()),
        trend=tuple(completion_trend(history.outcome_counts, month, overall, so_far=not closed)),
        exemptions=tuple(
            (r, decision(r, history.director))
            for r in sorted(requests, key=lambda r: (r.requested_at, r.ref))
        ),
        trail_head=history.trail_head,
        trail_event=history.trail_event,
        moderation=moderation_figures(moderation, now_local.date()) if moderation else None,
        open_actions=tuple(a for a in actions if a.state is not ActionState.DONE),
        themes=theme_counts(current.completions.values()),
    )


def _audits(
    current: MonthFacts,
    teams_of: Mapping[str, str],
    names: Mapping[str, str],
    moderation: Round | None,
) -> list[AuditRow]:
    """Every allocated case, then every completion not in the allocation sheet; the grade
    is the auditor's, as moderation found it (``current`` holds the moderated grades)."""
    deadline = cal.deadline(current.month)
    given = (
        {a.audit.case_ref.upper(): a.audit.grade for a in moderation.assignments}
        if moderation
        else {}
    )
    moderated = moderation.grades() if moderation else {}

    def grades(key: str, done: Completion | None) -> tuple[Grade | None, Grade | None]:
        if key in moderated:
            return given.get(key), moderated[key]
        return (done.grade if done else None), None

    rows = []
    seen: set[str] = set()
    for email, cases in sorted(current.allocations.items()):
        for case in cases:
            key = case.case_ref.upper()
            seen.add(key)
            done = submission(current.completions, case)
            rows.append(
                AuditRow(
                    case.case_ref,
                    case.audit_type.label,
                    email,
                    names.get(email, email),
                    teams_of.get(email, ""),
                    done.submitted_on if done else None,
                    in_time(done, deadline),
                    *grades(key, done),
                )
            )
    for key, done in sorted(current.completions.items()):
        if key in seen:
            continue
        email = done.auditor_email
        rows.append(
            AuditRow(
                done.case_ref,
                "",
                email,
                names.get(email, email),
                teams_of.get(email, NOT_ALLOCATED),
                done.submitted_on,
                in_time(done, deadline),
                *grades(key, done),
            )
        )
    return rows
