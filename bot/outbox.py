"""Draining the outbox through a transport: planned -> sending -> sent.

A row is claimed with a conditional UPDATE before it is sent: "0 rows updated" means
another instance got there first. A crash between send and record leaves the row in
``sending``; once its lease runs out the transport is asked whether the key is among
the sent mail, and only if it is not is the row sent again.
"""

from __future__ import annotations

import base64
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from bot.budget import Budget
from bot.faults import checkpoint
from bot.mail.message import OutgoingMail
from bot.mail.transport import SendOutcomeUnknownError, Transport
from bot.store import sending
from bot.store.schema import Status

CLAIM_BATCH = 500
# Sends are recorded once MARK_BATCH have gone or MARK_EVERY has passed, whichever is first:
# big batches when sending is fast (a maildir), a record every few seconds when it is paced
# (Graph's 30 a minute), so a crash leaves few rows for ``was_sent`` to settle.
MARK_BATCH = 250
MARK_EVERY = 2.0  # seconds
DEFAULT_LEASE = timedelta(minutes=10)
UNKNOWN_SETTLE_AFTER = timedelta(minutes=2)
# A failed send is tried again after 5, 10, 20 ... minutes, at most 6 hours apart, and given
# up (marked failed, with the reason) after MAX_ATTEMPTS.
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)


@dataclass
class DrainReport:
    sent: int = 0
    settled: int = 0  # rows found already sent after a crash
    failed: int = 0  # attempts that failed this time (most are tried again later)
    given_up: int = 0  # rows marked failed for good
    out_of_time: bool = False  # the tick's budget ran out with mail still to send

    def plus(self, other: DrainReport) -> DrainReport:
        return DrainReport(
            sent=self.sent + other.sent,
            settled=self.settled + other.settled,
            failed=self.failed + other.failed,
            given_up=self.given_up + other.given_up,
            out_of_time=other.out_of_time,
        )


def retry_delay(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failed attempt a row is tried again."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def is_permanent(error: Exception) -> bool:
    """A failure that would happen again however often the mail is tried: a value that may
    not go into a header, or a server that refused the message itself."""
    return isinstance(error, ValueError) or bool(getattr(error, "permanent", False))


def drain(
    engine: Engine,
    transport: Transport,
    sender: str,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
    exclusive: bool = False,
    budget: Budget | None = None,
) -> DrainReport:
    """``exclusive``: the caller holds the leader lock, so no other sender is alive and a
    row another process claimed was left by a dead leader: settle it now, not after the
    lease, so a standby taking over leaves no gap longer than a tick. ``budget``: stop
    sending when it is spent; what is left goes at the next tick."""
    budget = budget or Budget.unlimited()
    report = DrainReport()
    report.settled = _settle_interrupted(engine, transport, now, lease, exclusive)
    # A row that fails is not due again until later than ``now``, so each row is tried at
    # most once a tick and this loop ends.
    while not budget.spent() and (ids := _claim(engine, now)):
        _send_claimed(engine, transport, sender, now, ids, report, budget)
    report.out_of_time = budget.spent() and _any_due(engine, now)
    return report


def _any_due(engine: Engine, now: datetime) -> bool:
    with engine.connect() as connection:
        return sending.any_due(connection, now)


def claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claimant_is_dead(claimed_by: str | None) -> bool:
    """A claim made on this host by a process that no longer exists: a restart after a
    crash need not wait for the lease. Claims from other hosts wait for it."""
    host, _, pid = (claimed_by or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _settle_interrupted(
    engine: Engine, transport: Transport, now: datetime, lease: timedelta, exclusive: bool
) -> int:
    """Rows left in ``sending`` by a dead sender, or ``unknown`` after a lost answer."""
    with engine.connect() as connection:
        rows = sending.interrupted(connection)
    settled = 0
    for row in rows:
        stale = (
            # Exchange files the Sent Items copy seconds after accepting a send: asking at
            # once could miss it and send twice, so an unknown outcome waits a little.
            (row.status == Status.UNKNOWN and row.claimed_at < now - UNKNOWN_SETTLE_AFTER)
            or (row.status == Status.SENDING and row.claimed_at < now - lease)
            or (row.status == Status.SENDING and _claimant_is_dead(row.claimed_by))
            or (row.status == Status.SENDING and exclusive and row.claimed_by != claimant())
        )
        if not stale:
            continue  # a live sender may still be working on it
        # Sent but not recorded? Look among the sent mail before sending again; asked
        # outside any transaction, since on Graph it is a request.
        sent = transport.was_sent(row.key)
        with engine.begin() as connection:
            if sending.settle(connection, row, sent, now) and sent:
                settled += 1
    return settled


def _claim(engine: Engine, now: datetime) -> list[int]:
    with engine.begin() as connection:
        return sending.claim(connection, now, claimant(), CLAIM_BATCH)


def _send_claimed(
    engine: Engine,
    transport: Transport,
    sender: str,
    now: datetime,
    ids: list[int],
    report: DrainReport,
    budget: Budget,
) -> None:
    with engine.connect() as connection:
        rows = sending.claimed_rows(connection, ids)
    sent: list[Any] = []
    marked = time.monotonic()
    for index, row in enumerate(rows):
        if budget.spent():
            _release(engine, [r.id for r in rows[index:]])
            break
        try:
            mail = _mail(row, sender)
            checkpoint("send.before")
            transport.send(mail, now)
            checkpoint("send.after")  # sent but not recorded: settled via was_sent
        except SendOutcomeUnknownError as exc:
            _mark_failed(engine, row.id, Status.UNKNOWN, str(exc))
            report.failed += 1
            continue
        except Exception as exc:  # the send did not go out
            reason = f"{type(exc).__name__}: {exc}"[:2000]
            report.failed += 1
            if is_permanent(exc) or row.attempts >= MAX_ATTEMPTS:
                _give_up(engine, row, now, reason)
                report.given_up += 1
            else:
                retry_at = now + retry_delay(row.attempts)
                _mark_failed(engine, row.id, Status.PLANNED, reason, retry_at)
            continue
        sent.append(row)
        report.sent += 1
        if len(sent) >= MARK_BATCH or time.monotonic() - marked >= MARK_EVERY:
            _mark_sent(engine, sent, now)
            sent, marked = [], time.monotonic()
    _mark_sent(engine, sent, now)


def _mail(row: Any, sender: str) -> OutgoingMail:
    return OutgoingMail(
        key=row.key,
        sender=sender,
        to=row.to_addrs,
        cc=row.cc_addrs,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        message_id=row.message_id,
        images={cid: base64.b64decode(data) for cid, data in (row.images or {}).items()},
        attachments={n: base64.b64decode(d) for n, d in (row.attachments or {}).items()},
    )


def _mark_sent(engine: Engine, rows: list[Any], now: datetime) -> None:
    """Record sends in batches: one commit per message would dominate a big send. A crash
    before the batch commits leaves its rows in ``sending``, settled via ``was_sent``."""
    if rows:
        with engine.begin() as connection:
            sending.mark_sent(connection, rows, now)


def _mark_failed(
    engine: Engine, row_id: int, status: Status, error: str, not_before: datetime | None = None
) -> None:
    with engine.begin() as connection:
        sending.mark_failed(connection, row_id, status, error, not_before)


def _give_up(engine: Engine, row: Any, now: datetime, reason: str) -> None:
    """Never tried again; the trail and the QA team's next notice say why."""
    with engine.begin() as connection:
        sending.give_up(connection, row, now, reason)


def _release(engine: Engine, ids: list[int]) -> None:
    """Claimed but not tried before the budget ran out: due again next tick."""
    with engine.begin() as connection:
        sending.release(connection, ids)
