"""The month-end QA report's figures: per auditor, per audit, per team, against the targets.

Pure, like bot.core.digest_figures: the shell gathers, this decides what every number is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.core import calendar as cal
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
    by_team,
    completion_trend,
    services,
    standings,
    tally,
)
from bot.core.exemption_figures import Decision, decision
from bot.core.exemptions import Request, State
from bot.core.quality import GradeMix, Quality, month_grades, quality
from bot.core.records import Grade, Month

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
    grade: Grade | None

    @property
    def status(self) -> str:
        if self.submitted_on is None:
            return "not submitted"
        return "in time" if self.in_time else "late: not counted"

    @property
    def grade_label(self) -> str:
        return self.grade.value.replace("_", " ") if self.grade else ""


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
    services: tuple[tuple[Group, tuple[Group, ...]], ...]  # each Head of Service, their teams
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


def build_report(current: MonthFacts, history: HistoryInputs, now_local: datetime) -> Report:
    month, roster = current.month, current.roster
    rows = standings(current)
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
    audits = _audits(current, teams_of, names)
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
        services=services(rows, roster, None, overall),
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
    )


def _audits(
    current: MonthFacts, teams_of: Mapping[str, str], names: Mapping[str, str]
) -> list[AuditRow]:
    """Every allocated case, then every completion not in the allocation sheet."""
    deadline = cal.deadline(current.month)
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
                    done.grade if done else None,
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
                done.grade,
            )
        )
    return rows
