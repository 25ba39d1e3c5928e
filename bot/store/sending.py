"""The outbox rows' life while they are sent: claimed, recorded sent, failed, settled.

Every statement is conditional on the status the caller last saw: "0 rows" means another
sender got there first, and the caller leaves the row to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, or_, select, update

from bot.core.records import Month
from bot.store.repo import add_event
from bot.store.schema import Status, outbox
from bot.store.trail import append_events


@dataclass(frozen=True)
class Interrupted:
    """A row left ``sending`` (its sender may have died) or ``unknown`` (an answer lost)."""

    id: int
    key: str
    month: str | None
    status: str
    claimed_at: datetime
    claimed_by: str | None


def interrupted(connection: Connection) -> list[Interrupted]:
    query = select(
        outbox.c.id,
        outbox.c.key,
        outbox.c.month,
        outbox.c.status,
        outbox.c.claimed_at,
        outbox.c.claimed_by,
    ).where(outbox.c.status.in_([Status.UNKNOWN, Status.SENDING]))
    return [Interrupted(*row) for row in connection.execute(query)]


def settle(connection: Connection, row: Interrupted, sent: bool, now: datetime) -> bool:
    """Sent after all, or due again; False if another sender settled it first."""
    moved = connection.execute(
        update(outbox)
        .where(outbox.c.id == row.id, outbox.c.status == row.status)
        .values(status=Status.SENT if sent else Status.PLANNED, sent_at=now if sent else None)
    ).rowcount
    if sent and moved:
        add_event(
            connection, now, "mail_sent", month=_month(row.month), subject=row.key, settled=True
        )
    return bool(moved)


def _due(now: datetime) -> Select[tuple[int]]:
    return select(outbox.c.id).where(
        outbox.c.status == Status.PLANNED,
        or_(outbox.c.not_before.is_(None), outbox.c.not_before <= now),
    )


def any_due(connection: Connection, now: datetime) -> bool:
    return connection.scalar(_due(now).limit(1)) is not None


def claim(connection: Connection, now: datetime, claimant: str, limit: int) -> list[int]:
    """Take up to ``limit`` due rows for sending; the ids this sender now holds."""
    ids = list(connection.scalars(_due(now).order_by(outbox.c.id).limit(limit)))
    if not ids:
        return []
    claimed = connection.execute(
        update(outbox)
        .where(outbox.c.id.in_(ids), outbox.c.status == Status.PLANNED)
        .values(
            status=Status.SENDING,
            claimed_at=now,
            claimed_by=claimant,
            attempts=outbox.c.attempts + 1,
        )
        .returning(outbox.c.id)
    )
    return sorted(claimed.scalars())


def claimed_rows(connection: Connection, ids: Sequence[int]) -> list[Any]:
    return list(
        connection.execute(select(outbox).where(outbox.c.id.in_(ids)).order_by(outbox.c.id))
    )


def mark_sent(connection: Connection, rows: Sequence[Any], now: datetime) -> None:
    connection.execute(
        update(outbox)
        .where(outbox.c.id.in_([r.id for r in rows]), outbox.c.status == Status.SENDING)
        .values(status=Status.SENT, sent_at=now, last_error=None)
    )
    append_events(connection, now, [("mail_sent", row.month, row.key, {}) for row in rows])


def mark_failed(
    connection: Connection,
    row_id: int,
    status: Status,
    error: str,
    not_before: datetime | None = None,
) -> None:
    connection.execute(
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.status == Status.SENDING)
        .values(status=status, last_error=error, not_before=not_before)
    )


def give_up(connection: Connection, row: Any, now: datetime, reason: str) -> None:
    moved = connection.execute(
        update(outbox)
        .where(outbox.c.id == row.id, outbox.c.status == Status.SENDING)
        .values(status=Status.FAILED, last_error=reason)
    ).rowcount
    if moved:
        add_event(
            connection, now, "mail_failed", month=_month(row.month), subject=row.key, why=reason
        )


def release(connection: Connection, ids: Sequence[int]) -> None:
    """Claimed but not tried: due again, the attempt uncounted."""
    connection.execute(
        update(outbox)
        .where(outbox.c.id.in_(ids), outbox.c.status == Status.SENDING)
        .values(status=Status.PLANNED, attempts=outbox.c.attempts - 1)
    )


def _month(text: str | None) -> Month | None:
    return Month.parse(text) if text else None
