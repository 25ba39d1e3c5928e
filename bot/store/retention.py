"""Deleting what people wrote once its retention period is over: the raw mail, the words
taken from it, and the bodies of the mail that quoted them. What a decision needs (who,
when, which reason, which state) and the trail stay."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Text, and_, cast, delete, func, or_, select, update

from bot.core.keys import exemption_key, inbound_key, message_ref, question_key
from bot.core.retention import Cutoffs, raw_rule, words_due
from bot.store.exemption_requests import request_ref
from bot.store.person import address_like, addressed
from bot.store.repo import insert_ignoring_duplicates
from bot.store.schema import (
    Status,
    exemptions,
    inbound,
    notes,
    outbox,
    questions,
    threads,
    transport_state,
)

LAST_PURGED = "retention:last_purged_on"
# Mail whose outcome will not change: its body is no longer needed to send or settle it.
_SETTLED = (Status.SENT, Status.SKIPPED, Status.FAILED)


@dataclass
class Purged:
    """What one purge deleted, by rule."""

    raw_mail: int = 0  # processed messages' raw bytes (raw_mail_months)
    quarantine: int = 0  # quarantined messages' raw bytes (quarantine_months)
    request_words: int = 0  # requests whose free text went (raw_mail_months)
    note_words: int = 0
    mail_bodies: int = 0  # sent mail's bodies (raw_mail_months)
    raw_digests: set[str] = field(default_factory=set)  # SHA-256 of each raw message deleted
    raw_keys: set[str] = field(default_factory=set)  # and its Message-ID (or digest)
    sent_keys: list[str] = field(default_factory=list)  # outbox keys whose bodies went

    @property
    def anything(self) -> bool:
        return bool(
            self.raw_mail
            + self.quarantine
            + self.request_words
            + self.note_words
            + self.mail_bodies
        )

    def counts(self) -> dict[str, int]:
        return {
            "raw_mail": self.raw_mail,
            "quarantine": self.quarantine,
            "request_words": self.request_words,
            "note_words": self.note_words,
            "mail_bodies": self.mail_bodies,
        }


def last_purged_on(connection: Connection) -> date | None:
    value = connection.scalar(
        select(transport_state.c.value).where(transport_state.c.key == LAST_PURGED)
    )
    return date.fromisoformat(value) if value else None


def oldest_raw(connection: Connection) -> dict[str, datetime]:
    """The oldest raw message still held, by status (processed, quarantined)."""
    rows = connection.execute(
        select(inbound.c.status, func.min(inbound.c.received_at))
        .where(inbound.c.purged_at.is_(None), inbound.c.status.in_(("processed", "quarantined")))
        .group_by(inbound.c.status)
    ).all()
    return {status: oldest for status, oldest in rows if oldest is not None}


def mark_purged_on(connection: Connection, today: date) -> None:
    connection.execute(delete(transport_state).where(transport_state.c.key == LAST_PURGED))
    insert_ignoring_duplicates(
        connection, transport_state, [{"key": LAST_PURGED, "value": today.isoformat()}]
    )


def purge(connection: Connection, cut: Cutoffs, now: datetime) -> Purged:
    """Delete, in the caller's transaction, everything whose period is over at ``cut``."""
    purged = Purged()
    _purge_raw(connection, cut, now, purged)
    _purge_request_words(connection, cut, purged)
    purged.note_words = connection.execute(
        update(notes).where(notes.c.at < cut.raw_mail, notes.c.words != "").values(words="")
    ).rowcount
    _purge_mail_bodies(connection, cut, purged)
    return purged


def _purge_raw(connection: Connection, cut: Cutoffs, now: datetime, purged: Purged) -> None:
    candidates = connection.execute(
        select(
            inbound.c.id,
            inbound.c.received_at,
            inbound.c.status,
            inbound.c.raw,
            inbound.c.message_key,
        ).where(
            inbound.c.purged_at.is_(None),
            (
                and_(inbound.c.status == "processed", inbound.c.received_at < cut.raw_mail)
                | and_(inbound.c.status == "quarantined", inbound.c.received_at < cut.quarantine)
            ),
        )
    ).all()
    for row in candidates:
        if raw_rule(row.received_at, row.status, cut) is not None:
            _forget_raw(connection, row, now, purged)


def _forget_raw(connection: Connection, row: Any, now: datetime, purged: Purged) -> None:
    digest = hashlib.sha256(row.raw).hexdigest()
    connection.execute(
        update(inbound)
        .where(inbound.c.id == row.id)
        # The subject is what a person typed too; the verdict and digests stay.
        .values(raw=b"", subject="", raw_sha256=digest, purged_at=now)
    )
    purged.raw_digests.add(digest)
    purged.raw_keys.add(row.message_key)
    if row.status == "quarantined":
        purged.quarantine += 1
    else:
        purged.raw_mail += 1


def _purge_request_words(connection: Connection, cut: Cutoffs, purged: Purged) -> None:
    rows = connection.execute(
        select(
            exemptions.c.id,
            exemptions.c.requested_at,
            exemptions.c.head_decided_at,
            exemptions.c.decided_at,
            exemptions.c.words,
            exemptions.c.head_words,
            exemptions.c.director_words,
        ).where(
            exemptions.c.requested_at < cut.raw_mail,
            (exemptions.c.words != "")
            | (exemptions.c.head_words != "")
            | (exemptions.c.director_words != ""),
        )
    ).all()
    for row in rows:
        values: dict[str, str] = {}
        if row.words and words_due(row.requested_at, cut):
            values["words"] = ""
        # A decider's words follow the decision's date; undecided, the request's.
        if row.head_words and words_due(row.head_decided_at or row.requested_at, cut):
            values["head_words"] = ""
        if row.director_words and words_due(row.decided_at or row.requested_at, cut):
            values["director_words"] = ""
        if values:
            connection.execute(update(exemptions).where(exemptions.c.id == row.id).values(values))
            purged.request_words += 1


def _purge_mail_bodies(connection: Connection, cut: Cutoffs, purged: Purged) -> None:
    keys = list(
        connection.scalars(
            select(outbox.c.key).where(
                outbox.c.planned_at < cut.raw_mail,
                outbox.c.status.in_(_SETTLED),
                (outbox.c.body_text != "") | (outbox.c.body_html != ""),
            )
        )
    )
    _empty_bodies(connection, keys, purged)


def _empty_bodies(connection: Connection, keys: list[str], purged: Purged) -> None:
    for start in range(0, len(keys), 500):
        batch = keys[start : start + 500]
        connection.execute(
            update(outbox)
            .where(outbox.c.key.in_(batch))
            .values(body_text="", body_html="", images={}, attachments={})
        )
    purged.mail_bodies = len(keys)
    purged.sent_keys = keys


def erase_person(connection: Connection, email: str, now: datetime) -> Purged:
    """Delete now, in the caller's transaction, what one person wrote, ahead of its period
    (an erasure they asked for): the raw mail from them, processed or quarantined; the words
    of their requests and what they wrote on others' as Head of Service; their notes' words;
    the raw replies in their threads, which quote them; and the bodies of sent mail that
    went to them, was about them, or answered or passed on their messages or requests. What
    decisions, the trail and the month's counts need stays: the rows themselves, with who,
    when, which reason and which state."""
    email = email.strip().lower()
    purged = Purged()
    tokens = list(
        connection.scalars(select(threads.c.token).where(threads.c.auditor_email == email))
    )
    columns = (
        inbound.c.id,
        inbound.c.status,
        inbound.c.raw,
        inbound.c.message_key,
        inbound.c.purged_at,
    )
    theirs = connection.execute(select(*columns).where(inbound.c.sender == email)).all()
    # Replies in their threads (a Head of Service's, the director's) quote what they wrote;
    # what the deciders wrote stays on the request, as head_words and director_words.
    quoting = (
        connection.execute(
            select(*columns).where(
                inbound.c.sender != email,
                or_(*(inbound.c.subject.contains(token, autoescape=True) for token in tokens)),
            )
        ).all()
        if tokens
        else []
    )
    for row in [*theirs, *quoting]:
        # Mail still being acted on keeps its bytes until it is filed.
        if row.purged_at is None and row.status in ("processed", "quarantined"):
            _forget_raw(connection, row, now, purged)
    requests = connection.execute(
        select(
            exemptions.c.id,
            exemptions.c.month,
            exemptions.c.number,
            exemptions.c.auditor_email,
            exemptions.c.words,
            exemptions.c.head_words,
        ).where(or_(exemptions.c.auditor_email == email, exemptions.c.head_email == email))
    ).all()
    for request in requests:
        values = {}
        if request.auditor_email == email and request.words:
            values["words"] = ""
        if request.auditor_email != email and request.head_words:
            values["head_words"] = ""
        if values:
            connection.execute(
                update(exemptions).where(exemptions.c.id == request.id).values(values)
            )
            purged.request_words += 1
    purged.note_words = connection.execute(
        update(notes).where(notes.c.auditor_email == email, notes.c.words != "").values(words="")
    ).rowcount
    asked = connection.scalars(select(questions.c.token).where(questions.c.sender == email))
    prefixes = [
        *(inbound_key(message_ref(row.message_key), "") for row in theirs),
        *(exemption_key(request_ref(r.month, r.number), "") for r in requests),
        # A question not answered goes to the QA team with their message quoted.
        *(question_key(token, "") for token in asked),
    ]
    _empty_bodies(connection, _mail_quoting(connection, email, prefixes), purged)
    return purged


def _mail_quoting(connection: Connection, email: str, prefixes: list[str]) -> list[str]:
    """Settled mail with a body that may quote ``email``'s words: to, copied to or about
    them, or under one of ``prefixes`` (the mail about their messages and requests)."""
    like = address_like(email)
    rows = connection.execute(
        select(outbox.c.key, outbox.c.about, outbox.c.to_addrs, outbox.c.cc_addrs).where(
            outbox.c.status.in_(_SETTLED),
            (outbox.c.body_text != "") | (outbox.c.body_html != ""),
            or_(
                outbox.c.about == email,
                cast(outbox.c.to_addrs, Text).like(like, escape="\\"),
                cast(outbox.c.cc_addrs, Text).like(like, escape="\\"),
                *(outbox.c.key.startswith(prefix, autoescape=True) for prefix in prefixes),
            ),
        )
    )
    return [row.key for row in rows if addressed(row, email) or row.key.startswith(tuple(prefixes))]


def purged_digests(connection: Connection) -> set[str]:
    """The digest of every raw message deleted so far: a copy still in a mail folder (moved
    after a crash, restored from a backup) goes too."""
    return set(
        connection.scalars(select(inbound.c.raw_sha256).where(inbound.c.raw_sha256.is_not(None)))
    )


def reclaim(engine: Engine) -> None:
    """On SQLite, rewrite the file so no deleted bytes are left in free pages or the
    write-ahead log. (Deleted values are also zeroed as they go: secure_delete.)"""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()
