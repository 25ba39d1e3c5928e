"""Inbound messages in the store: kept raw before anything is acted on, claimed, finished."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from bot.store.fit import fit
from bot.store.repo import add_event, insert_ignoring_duplicates
from bot.store.schema import inbound

# What a message may have set moving: a later copy that says something else must be checked.
DECIDING_ACTIONS = ("new_request", "head_decision", "director_decision", "withdraw")


@dataclass(frozen=True)
class Stored:
    id: int
    status: str  # received | acting | processed | quarantined
    content_digest: str | None
    verdict: str | None

    @property
    def set_something_moving(self) -> bool:
        return (self.verdict or "").split(":", 1)[0] in DECIDING_ACTIONS


@dataclass(frozen=True)
class Arrival:
    """One message as it is first stored."""

    key: str  # Message-ID, or a digest of the raw bytes
    sender: str | None
    subject: str
    raw: bytes
    kind: str
    intent: str | None
    content_digest: str | None


def store_arrival(
    connection: Connection, arrival: Arrival, now: datetime, status: str = "received"
) -> bool:
    """Keep the message raw; False if a message under its key is stored already."""
    new = insert_ignoring_duplicates(
        connection,
        inbound,
        [
            {
                "message_key": fit(arrival.key, inbound.c.message_key),
                "received_at": now,
                "sender": fit(arrival.sender, inbound.c.sender),
                "subject": arrival.subject[:1000],
                "raw": arrival.raw,
                "status": status,
                "kind": fit(arrival.kind, inbound.c.kind),
                "intent": fit(arrival.intent, inbound.c.intent),
                "content_digest": arrival.content_digest,
            }
        ],
    )
    if new:
        add_event(connection, now, "mail_received", subject=arrival.key, sender=arrival.sender)
    return bool(new)


def stored(connection: Connection, key: str) -> Stored | None:
    row = connection.execute(
        select(inbound.c.id, inbound.c.status, inbound.c.content_digest, inbound.c.verdict).where(
            inbound.c.message_key == fit(key, inbound.c.message_key)
        )
    ).first()
    return Stored(*row) if row else None


def claim(connection: Connection, inbound_id: int) -> bool:
    """Take the message to act on it. False means it was acted on already (delivered
    twice, moved before a crash, or another instance has it); the row lock is held until
    the caller's transaction commits."""
    return bool(
        connection.execute(
            update(inbound)
            .where(inbound.c.id == inbound_id, inbound.c.status == "received")
            .values(status="acting")
        ).rowcount
    )


def finish(
    connection: Connection, inbound_id: int, status: str, verdict: str, now: datetime
) -> None:
    connection.execute(
        update(inbound)
        .where(inbound.c.id == inbound_id)
        .values(status=status, verdict=verdict, processed_at=now)
    )


def quarantine_unhandled(connection: Connection, key: str, verdict: str, now: datetime) -> bool:
    """Mark a stored message that could not be handled as quarantined. False if it was not
    stored (the caller stores it first) or was finished already."""
    return bool(
        connection.execute(
            update(inbound)
            .where(
                inbound.c.message_key == fit(key, inbound.c.message_key),
                inbound.c.status.in_(["received", "acting"]),
            )
            .values(status="quarantined", verdict=verdict, processed_at=now)
        ).rowcount
    )


def message_key_of(connection: Connection, inbound_id: int) -> str:
    """The Message-ID (or digest) a stored message is keyed by."""
    key = connection.scalar(select(inbound.c.message_key).where(inbound.c.id == inbound_id))
    assert key is not None
    return str(key)
