"""Exemption requests and auditors' notices as the digests and the QA report show them.

Pure: the shell hands in plain records (bot.core.exemptions.Request) with local
(Europe/London) times already applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core import calendar as cal
from bot.core.exemptions import Request, State
from bot.core.records import Auditor, Month

REPEAT_WINDOW = 12  # months, the current one included
REPEAT_AT = 2  # exemptions granted in the window that make an auditor a repeat


@dataclass(frozen=True)
class Pending:
    request: Request
    with_head: bool  # waiting for the Head of Service (else for the director)
    since: date  # the day it reached whoever holds it now
    working_days: int  # working days it has waited with them
    working_days_in_all: int  # since it was asked

    @property
    def with_whom(self) -> str:
        if self.with_head:
            return f"{self.request.head_label} (Head of Service)"
        return "the director"


@dataclass(frozen=True)
class Decision:
    request: Request
    outcome: str  # approved | declined | not supported
    by: str  # who decided
    at: datetime


@dataclass(frozen=True)
class Repeat:
    email: str
    name: str
    team: str
    months: tuple[Month, ...]  # months exempted within the window, oldest first

    @property
    def count(self) -> int:
        return len(self.months)


def pending(requests: Iterable[Request], today: date) -> list[Pending]:
    """Undecided requests, longest waiting with their holder first."""
    rows = []
    for request in requests:
        if request.state is State.AWAITING_HEAD:
            since, with_head = request.requested_on, True
        elif request.state is State.AWAITING_DIRECTOR:
            since, with_head = request.with_director_since.date(), False
        else:
            continue
        rows.append(
            Pending(
                request,
                with_head,
                since,
                cal.working_days_between(since, today),
                cal.working_days_between(request.requested_on, today),
            )
        )
    rows.sort(key=lambda p: (-p.working_days, p.request.requested_at, p.request.ref))
    return rows


def decision(request: Request, director: str) -> Decision | None:
    """The request's final decision, if any: the director's, or a Head of Service's refusal."""
    decided = (State.APPROVED, State.DECLINED, State.EXTENDED)
    if request.state in decided and request.decided_at is not None:
        return Decision(request, _decided_as(request), director, request.decided_at)
    if request.state is State.NOT_SUPPORTED and request.head_decided_at is not None:
        return Decision(request, "not supported", request.head_label, request.head_decided_at)
    return None


def _decided_as(request: Request) -> str:
    """ "approved", "approved for CR-1, CR-2", "declined", "extended to 2021-06-04"."""
    if request.state is State.EXTENDED and request.until is not None:
        return f"extended to {request.until.isoformat()}"
    if request.state is State.APPROVED and request.decided_cases:
        return f"approved for {', '.join(request.decided_cases)}"
    return request.state.value


def decided_since(
    requests: Iterable[Request], since: datetime, until: datetime, director: str
) -> list[Decision]:
    """Final decisions made after ``since`` and up to ``until``, in the order made."""
    found = []
    for request in requests:
        made = decision(request, director)
        if made is not None and since < made.at <= until:
            found.append(made)
    found.sort(key=lambda d: (d.at, d.request.ref))
    return found


def flagged(requests: Iterable[Request], month: Month) -> list[Request]:
    """The month's requests with a warning sign, in the order asked."""
    return sorted(
        (r for r in requests if r.month == month and r.flags),
        key=lambda r: (r.requested_at, r.ref),
    )


def repeats(
    requests: Iterable[Request], current: Month, roster: Mapping[str, Auditor]
) -> list[Repeat]:
    """Auditors granted exemptions for 2 or more of the 12 months up to ``current``."""
    first = current.plus(1 - REPEAT_WINDOW)
    months: dict[str, set[Month]] = {}
    latest: dict[str, Request] = {}
    for request in requests:
        if request.state is State.APPROVED and first <= request.month <= current:
            months.setdefault(request.auditor_email, set()).add(request.month)
            latest[request.auditor_email] = request
    rows = []
    for email, granted in months.items():
        if len(granted) < REPEAT_AT:
            continue
        auditor = roster.get(email)
        request = latest[email]
        rows.append(
            Repeat(
                email,
                auditor.name if auditor else request.auditor_name,
                auditor.team if auditor else request.team,
                tuple(sorted(granted)),
            )
        )
    rows.sort(key=lambda r: (-r.count, r.name, r.email))
    return rows


def involving(head: str, auditors: frozenset[str]) -> Callable[[Request], bool]:
    """A request concerns a Head of Service if it waits for them or is by one of theirs."""
    return lambda r: r.head_email == head or r.auditor_email in auditors


@dataclass(frozen=True)
class NoteFact:
    """Something an auditor told the bot: an at-risk notice or an out-of-office reply."""

    email: str
    kind: str  # at_risk | out_of_office
    at: datetime  # local


@dataclass(frozen=True)
class Notice:
    email: str
    name: str
    team: str
    head: str
    kind: str
    count: int  # how many this month
    latest: datetime

    @property
    def label(self) -> str:
        return NOTE_LABELS.get(self.kind, self.kind)


NOTE_LABELS = {
    "at_risk": "at risk of missing the deadline",
    "part_done": "some audits done, not all",
    "out_of_office": "out of office",
}


def notices(
    notes: Iterable[NoteFact], roster: Mapping[str, Auditor], kinds: Iterable[str] = NOTE_LABELS
) -> list[Notice]:
    """One line per auditor and kind: how many this month and the latest; at-risk first."""
    wanted = tuple(kinds)
    grouped: dict[tuple[str, str], list[datetime]] = {}
    for note in notes:
        if note.kind in wanted:
            grouped.setdefault((note.email, note.kind), []).append(note.at)
    rows = []
    for (email, kind), times in grouped.items():
        auditor = roster.get(email)
        rows.append(
            Notice(
                email,
                auditor.name if auditor else email,
                auditor.team if auditor else "",
                (auditor.head_of_service or auditor.head_of_service_email) if auditor else "",
                kind,
                len(times),
                max(times),
            )
        )
    rows.sort(key=lambda n: (wanted.index(n.kind), -n.latest.timestamp(), n.name))
    return rows


def week_before(now: datetime) -> datetime:
    return now - timedelta(days=7)
