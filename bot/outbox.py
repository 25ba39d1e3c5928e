"""Draining the outbox through a transport: planned -> sending -> sent.

A row is claimed with a conditional UPDATE before it is sent: "0 rows updated" means
another instance got there first. A crash between send and record leaves the row in
``sending``; once its lease runs out the transport is asked whether the key is among
the sent mail, and only if it is not is the row sent again.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, or_, select, update

from bot.core.records import Month
from bot.faults import checkpoint
from bot.mail.message import OutgoingMail, build_message
from bot.mail.transport import SendOutcomeUnknownError, Transport
from bot.store.repo import add_event
from bot.store.schema import Status, outbox

CLAIM_BATCH = 500
DEFAULT_LEASE = timedelta(minutes=10)


@dataclass
class DrainReport:
    sent: int = 0
    settled: int = 0  # rows found already sent after a crash
    failed: int = 0


def drain(
    engine: Engine,
    transport: Transport,
    sender: str,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> DrainReport:
    report = DrainReport()
    report.settled = _settle_interrupted(engine, transport, now, lease)
    while ids := _claim(engine, now):
        _send_claimed(engine, transport, sender, now, ids, report)
    return report


def _settle_interrupted(
    engine: Engine, transport: Transport, now: datetime, lease: timedelta
) -> int:
    """Rows left in ``sending`` by a dead sender, or ``unknown`` after a lost answer."""
    stale = or_(
        outbox.c.status == Status.UNKNOWN,
        and_(outbox.c.status == Status.SENDING, outbox.c.claimed_at < now - lease),
    )
    settled = 0
    with engine.begin() as connection:
        rows = connection.execute(
            select(outbox.c.id, outbox.c.key, outbox.c.month).where(stale)
        ).all()
        for row in rows:
            if transport.was_sent(row.key):
                connection.execute(
                    update(outbox)
                    .where(outbox.c.id == row.id)
                    .values(status=Status.SENT, sent_at=now)
                )
                add_event(
                    connection,
                    now,
                    "mail_sent",
                    month=_month(row.month),
                    subject=row.key,
                    settled=True,
                )
                settled += 1
            else:
                connection.execute(
                    update(outbox).where(outbox.c.id == row.id).values(status=Status.PLANNED)
                )
    return settled


def _month(text: str | None) -> Month | None:
    return Month.parse(text) if text else None


def _claim(engine: Engine, now: datetime) -> list[int]:
    with engine.begin() as connection:
        candidates = select(outbox.c.id).where(outbox.c.status == Status.PLANNED)
        candidates = candidates.order_by(outbox.c.id).limit(CLAIM_BATCH)
        ids = list(connection.scalars(candidates))
        if not ids:
            return []
        claimed = connection.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids), outbox.c.status == Status.PLANNED)
            .values(status=Status.SENDING, claimed_at=now, attempts=outbox.c.attempts + 1)
            .returning(outbox.c.id)
        )
        return sorted(claimed.scalars())


def _send_claimed(
    engine: Engine,
    transport: Transport,
    sender: str,
    now: datetime,
    ids: list[int],
    report: DrainReport,
) -> None:
    with engine.connect() as connection:
        rows = connection.execute(
            select(outbox).where(outbox.c.id.in_(ids)).order_by(outbox.c.id)
        ).all()
    for row in rows:
        mail = OutgoingMail(
            key=row.key,
            sender=sender,
            to=row.to_addrs,
            cc=row.cc_addrs,
            subject=row.subject,
            text=row.body_text,
            html=row.body_html,
            images={cid: base64.b64decode(data) for cid, data in (row.images or {}).items()},
        )
        try:
            checkpoint("send.before")
            transport.send(build_message(mail, now), row.key)
            checkpoint("send.after")  # sent but not recorded: settled via was_sent
        except SendOutcomeUnknownError as exc:
            _mark(engine, row.id, Status.UNKNOWN, now, error=str(exc))
            report.failed += 1
            continue
        except Exception as exc:  # any failure before the send went out: try again next tick
            _mark(engine, row.id, Status.PLANNED, now, error=f"{type(exc).__name__}: {exc}")
            report.failed += 1
            continue
        _mark(engine, row.id, Status.SENT, now, key=row.key, month=row.month)
        report.sent += 1


def _mark(
    engine: Engine,
    row_id: int,
    status: Status,
    now: datetime,
    *,
    error: str | None = None,
    key: str | None = None,
    month: str | None = None,
) -> None:
    values: dict[str, object] = {"status": status, "last_error": error}
    if status is Status.SENT:
        values["sent_at"] = now
    with engine.begin() as connection:
        connection.execute(
            update(outbox)
            .where(outbox.c.id == row_id, outbox.c.status == Status.SENDING)
            .values(**values)
        )
        if status is Status.SENT:
            add_event(connection, now, "mail_sent", month=_month(month), subject=key)
