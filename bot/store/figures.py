"""The store's reads for the digests and the month report: each table read once, as the
core's types (exemption requests through bot.store.exemption_requests's one row mapper)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, or_, select

from bot.config import Settings
from bot.core.digest_figures import OutcomeCount
from bot.core.exemption_figures import NOTE_LABELS, NoteFact
from bot.core.exemptions import Request, State
from bot.core.records import Auditor, Month
from bot.store import exemption_requests
from bot.store.schema import exemptions, notes, outcomes


def outcome_counts(connection: Connection, first: Month, last: Month) -> tuple[OutcomeCount, ...]:
    c = outcomes.c
    query = (
        select(c.month, c.head_of_service_email, c.outcome, func.count().label("n"))
        .where(c.month >= str(first), c.month <= str(last))
        .group_by(c.month, c.head_of_service_email, c.outcome)
    )
    return tuple(
        OutcomeCount(Month.parse(r.month), r.head_of_service_email, r.outcome, r.n)
        for r in connection.execute(query)
    )


def digest_requests(connection: Connection, first: Month, local: datetime) -> tuple[Request, ...]:
    """Requests for the trend window, any still undecided, and any decided in the last week,
    with times local. The free-text words are dropped: a digest names reasons, never
    circumstances."""
    since = local - timedelta(days=8)
    c = exemptions.c
    found = exemption_requests.load_requests(
        connection,
        or_(
            c.month >= str(first),
            c.state.in_([State.AWAITING_HEAD, State.AWAITING_DIRECTOR]),
            c.decided_at >= since,
            c.head_decided_at >= since,
        ),
    )
    tz = local.tzinfo
    waiting = [r for r in found if r.no_head_response]
    escalated = exemption_requests.escalation_times(connection, waiting, tz)

    def at(value: datetime | None) -> datetime | None:
        return value.astimezone(tz) if value is not None else None

    return tuple(
        replace(
            r,
            words="",
            head_words=None,
            director_words=None,
            requested_at=r.requested_at.astimezone(tz),
            head_decided_at=at(r.head_decided_at),
            decided_at=at(r.decided_at),
            escalated_at=escalated.get(r.ref),
        )
        for r in found
    )


def month_notes(connection: Connection, month: Month, settings: Settings) -> tuple[NoteFact, ...]:
    query = select(notes.c.auditor_email, notes.c.kind, notes.c.at).where(
        notes.c.month == str(month), notes.c.kind.in_(list(NOTE_LABELS))
    )
    return tuple(
        NoteFact(r.auditor_email, r.kind, r.at.astimezone(settings.tz))
        for r in connection.execute(query)
    )


def heads_of(connection: Connection, month: Month, roster: dict[str, Auditor]) -> dict[str, str]:
    """Whose service each auditor's ``month`` audits belong to for follow-up: their Head of
    Service now (the one who can act), else the one frozen at the month's close."""
    query = select(outcomes.c.auditor_email, outcomes.c.head_of_service_email).where(
        outcomes.c.month == str(month)
    )
    heads = {r.auditor_email: r.head_of_service_email for r in connection.execute(query)}
    heads.update({email: a.head_of_service_email for email, a in roster.items()})
    return heads
