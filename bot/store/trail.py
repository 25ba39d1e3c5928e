"""The tamper-evident audit trail: an append-only, hash-chained table of events."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select

from bot.core.records import Month
from bot.store import locks
from bot.store.fit import fit
from bot.store.locks import advisory
from bot.store.schema import events

GENESIS = "0" * 64
# The event that records a pruning of the trail's oldest events. Its ``anchor`` is the hash
# the oldest kept event follows: the chain is checked from there.
PRUNED = "trail_pruned"


def event_hash(
    prev_hash: str, at: datetime, kind: str, month: str | None, subject: str | None, detail: Any
) -> str:
    canonical = json.dumps(
        [
            prev_hash,
            at.astimezone(UTC).isoformat(timespec="microseconds"),
            kind,
            month,
            subject,
            detail,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _head(connection: Connection) -> str:
    # Cached per transaction: a tick appends thousands of events in one.
    transaction = connection.get_transaction()
    cached = connection.info.get("trail_head")
    if cached is not None and cached[0] is transaction:
        return cached[1]
    if connection.dialect.name == "postgresql":
        # Two instances appending at once would fork the chain; take turns until commit.
        connection.execute(advisory("pg_advisory_xact_lock"), {"id": locks.TRAIL})
    value = head(connection)[1]
    connection.info["trail_head"] = (transaction, value)
    return value


def append_event(
    connection: Connection,
    at: datetime,
    kind: str,
    *,
    month: str | None,
    subject: str | None,
    detail: dict[str, Any],
) -> str:
    """One event; its hash."""
    digest = append_events(connection, at, [(kind, month, subject, detail)])
    assert digest is not None  # one entry was appended
    return digest


def append_events(
    connection: Connection, at: datetime, entries: list[tuple[str, str | None, str | None, dict]]
) -> str | None:
    """Many events at once, (kind, month, subject, detail) each: the chain is computed here
    and written in one statement, not one round trip per event. The new head's hash; None,
    and no lock taken, when there is nothing to append (most ticks)."""
    if not entries:
        return None
    prev_hash = _head(connection)
    at = at.astimezone(UTC)
    rows = []
    for kind, month, raw_subject, detail in entries:
        subject = fit(raw_subject, events.c.subject)
        digest = event_hash(prev_hash, at, kind, month, subject, detail)
        rows.append(
            {
                "at": at,
                "kind": kind,
                "month": month,
                "subject": subject,
                "detail": detail,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    connection.execute(insert(events), rows)
    connection.info["trail_head"] = (connection.get_transaction(), prev_hash)
    return prev_hash


@dataclass(frozen=True)
class Break:
    event_id: int
    problem: str


def verify(connection: Connection) -> tuple[int, str, Break | None]:
    """Recompute the chain: (events checked, head hash, the first break if any). After a
    pruning, the oldest kept event must follow the anchor the newest pruning recorded."""
    prev = anchor(connection)
    count = 0
    for row in connection.execute(select(events).order_by(events.c.id)).yield_per(5000):
        count += 1
        if row.prev_hash != prev:
            return (
                count,
                prev,
                Break(row.id, "does not follow the event before it (a row was deleted or moved)"),
            )
        if event_hash(prev, row.at, row.kind, row.month, row.subject, row.detail) != row.hash:
            return (
                count,
                prev,
                Break(row.id, "its content no longer matches its hash (the row was changed)"),
            )
        prev = row.hash
    return count, prev, None


def anchor(connection: Connection) -> str:
    """The hash the oldest event held follows: the genesis, or what the newest pruning
    recorded. (That event is itself in the chain: an edited anchor breaks its hash.)"""
    detail = connection.scalar(
        select(events.c.detail).where(events.c.kind == PRUNED).order_by(events.c.id.desc()).limit(1)
    )
    return str(detail["anchor"]) if detail else GENESIS


def prune(connection: Connection, now: datetime, before: datetime, rule: dict[str, Any]) -> int:
    """Delete the oldest events, those before ``before`` up to the first that is not, and
    record it as an event saying how many, which span, by which ``rule``, and the anchor the
    oldest kept event follows. How many went: 0 (and no event) when none was old enough."""
    head_hash = _head(connection)  # on PostgreSQL, takes the trail's lock first
    first_kept = connection.scalar(select(func.min(events.c.id)).where(events.c.at >= before))
    # Only a run of the oldest: an event written later with an earlier time (a tick forced
    # back) waits for those before it, so what is kept stays one unbroken chain.
    old = events.c.id < first_kept if first_kept is not None else events.c.id.is_not(None)
    span = connection.execute(
        select(func.count(), func.min(events.c.at), func.max(events.c.at)).where(old)
    ).one()
    if not span[0]:
        return 0
    kept = None
    if first_kept is not None:
        kept = connection.scalar(select(events.c.prev_hash).where(events.c.id == first_kept))
    connection.execute(delete(events).where(old))
    append_event(
        connection,
        now,
        PRUNED,
        month=None,
        subject=None,
        detail={
            "events": span[0],
            "from": span[1].astimezone(UTC).isoformat(),
            "to": span[2].astimezone(UTC).isoformat(),
            "before": before.astimezone(UTC).isoformat(),
            **rule,
            # Nothing kept: this event is the oldest, and follows the old head.
            "anchor": kept if kept is not None else head_hash,
        },
    )
    return int(span[0])


def head(connection: Connection, until: datetime | None = None) -> tuple[int, str]:
    """The newest event's number and hash (the newest at or before ``until``, if given);
    (0, GENESIS) before the first."""
    query = select(events.c.id, events.c.hash).order_by(events.c.id.desc()).limit(1)
    if until is not None:
        query = query.where(events.c.at <= until)
    row = connection.execute(query).first()
    return (row.id, row.hash) if row else (0, GENESIS)


def rows(connection: Connection, month: Month | None, tz: tzinfo) -> Iterator[dict[str, Any]]:
    """Every event, oldest first, its time local with the offset. For ``month``: the events
    about that month, and those about no month in particular (mail received, filed,
    quarantined) that happened in it."""
    query = select(events).order_by(events.c.id)
    if month is not None:
        start = datetime.combine(month.first_day, time(), tz).astimezone(UTC)
        end = datetime.combine(month.next().first_day, time(), tz).astimezone(UTC)
        query = query.where(
            or_(
                events.c.month == str(month),
                and_(events.c.month.is_(None), events.c.at >= start, events.c.at < end),
            )
        )
    for row in connection.execute(query).yield_per(5000):
        yield {
            "id": row.id,
            "at": row.at.astimezone(tz).isoformat(),
            "kind": row.kind,
            "month": row.month,
            "subject": row.subject,
            "detail": json.dumps(row.detail, sort_keys=True, default=str),
            "hash": row.hash,
        }
