"""Exemption requests, thread tokens, notes and inbound mail in the store."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from bot.core.case_outcomes import Terms
from bot.core.exemptions import Request, State
from bot.core.inbound import Binding, SentMail
from bot.core.keys import allocation_key
from bot.core.records import Month
from bot.core.replies import Reason
from bot.store.repo import insert_ignoring_duplicates
from bot.store.schema import Status, events, exemptions, notes, outbox, threads

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def request_ref(month: Month | str, number: int) -> str:
    """``EXM-2021-05-001``: how a request is named in mail, the store and the reports."""
    return f"EXM-{month}-{number:03d}"


def new_secret() -> str:
    """Eight symbols of a 32-letter alphabet: 40 random bits, five to a symbol."""
    bits = int.from_bytes(secrets.token_bytes(5))
    return "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(0, 40, 5))


def auditor_tokens(
    connection: Connection, wanted: Iterable[tuple[Month, str]]
) -> dict[tuple[Month, str], str]:
    """The reference token of each (month, auditor) thread, made at random the first time."""
    by_text = {(str(month), email): (month, email) for month, email in wanted}
    if not by_text:
        return {}
    query = select(threads.c.token, threads.c.month, threads.c.auditor_email).where(
        threads.c.kind == "auditor", threads.c.month.in_({m for m, _ in by_text})
    )
    found = {(r.month, r.auditor_email): r.token for r in connection.execute(query)}
    rows = [
        {
            "token": f"AUD-{month}-{new_secret()}",
            "kind": "auditor",
            "month": month,
            "auditor_email": email,
        }
        for month, email in by_text
        if (month, email) not in found
    ]
    insert_ignoring_duplicates(connection, threads, rows)
    if rows:  # another instance may have made some first: read back what is in force
        found = {(r.month, r.auditor_email): r.token for r in connection.execute(query)}
    return {pair: found[text] for text, pair in by_text.items()}


def _request(row: Any) -> Request:
    return Request(
        id=row.id,
        ref=request_ref(row.month, row.number),
        token=row.token,
        month=Month.parse(row.month),
        auditor_email=row.auditor_email,
        auditor_name=row.auditor_name,
        team=row.team,
        head_email=row.head_email,
        head_name=row.head_name,
        reason=Reason(row.reason),
        words=row.words,
        requested_at=row.requested_at,
        requested_on=row.requested_on,
        after_allocation=row.after_allocation,
        last_week=row.last_week,
        state=State(row.state),
        head_words=row.head_words,
        no_head_response=row.no_head_response,
        director_words=row.director_words,
        head_decided_at=row.head_decided_at,
        decided_at=row.decided_at,
        cases=tuple(row.cases or ()),
        granted=tuple(row.granted) if row.granted is not None else None,
        until=row.until,
    )


def load_requests(connection: Connection, *where: Any) -> list[Request]:
    query = select(exemptions).where(*where).order_by(exemptions.c.month, exemptions.c.number)
    return [_request(row) for row in connection.execute(query)]


def undecided_requests(connection: Connection, auditor_email: str | None = None) -> list[Request]:
    undecided = exemptions.c.state.in_([State.AWAITING_HEAD, State.AWAITING_DIRECTOR])
    if auditor_email is None:
        return load_requests(connection, undecided)
    return load_requests(connection, undecided, exemptions.c.auditor_email == auditor_email)


def waiting_requests(connection: Connection, tz: tzinfo) -> list[Request]:
    """Undecided requests with their times in ``tz`` and, for one sent on without its Head of
    Service's answer, when that was: what the timers count working days from."""
    found = undecided_requests(connection)
    escalated = escalation_times(connection, [r for r in found if r.no_head_response], tz)
    return [
        replace(
            r,
            requested_at=r.requested_at.astimezone(tz),
            head_decided_at=r.head_decided_at.astimezone(tz) if r.head_decided_at else None,
            escalated_at=escalated.get(r.ref),
        )
        for r in found
    ]


def decided(connection: Connection, month: Month, until: datetime | None = None) -> list[Request]:
    """Requests for ``month`` approved or extended (by ``until``, if given)."""
    where = [
        exemptions.c.month == str(month),
        exemptions.c.state.in_([State.APPROVED, State.EXTENDED]),
    ]
    if until is not None:
        where.append(exemptions.c.decided_at <= until)
    return load_requests(connection, *where)


def exempted(connection: Connection, month: Month, until: datetime | None = None) -> frozenset[str]:
    """Auditors approved for the whole of ``month`` (by ``until``, if given)."""
    return frozenset(
        r.auditor_email for r in decided(connection, month, until) if r.whole_month_exempted
    )


def terms(connection: Connection, month: Month, until: datetime | None = None) -> dict[str, Terms]:
    """What decisions for ``month`` say of named cases and extensions, by auditor."""
    found: dict[str, Terms] = {}
    for request in decided(connection, month, until):
        if request.whole_month_exempted:
            continue
        earlier = found.get(request.auditor_email)
        found[request.auditor_email] = earlier.merged(request.terms) if earlier else request.terms
    return found


def noted_words(connection: Connection, month: Month, kind: str) -> list[tuple[str, str]]:
    """(auditor, words) of each note of ``kind`` for ``month``, oldest first."""
    query = (
        select(notes.c.auditor_email, notes.c.words)
        .where(notes.c.month == str(month), notes.c.kind == kind)
        .order_by(notes.c.at, notes.c.id)
    )
    return [(r.auditor_email, r.words) for r in connection.execute(query)]


def history(connection: Connection, auditor_email: str, since: Month) -> list[dict[str, object]]:
    """An auditor's requests from ``since`` on, for the Head of Service to see."""
    return [
        {"ref": r.ref, "month": r.month.title, "reason": r.reason.value, "state": r.state.label}
        for r in load_requests(
            connection,
            exemptions.c.auditor_email == auditor_email,
            exemptions.c.month >= str(since),
        )
    ]


def create_request(connection: Connection, draft: Request, inbound_id: int) -> Request:
    """Number the request within its month and bind a fresh token to it."""
    number = 1 + (
        connection.scalar(
            select(func.max(exemptions.c.number)).where(exemptions.c.month == str(draft.month))
        )
        or 0
    )
    ref = request_ref(draft.month, number)
    token = f"{ref}-{new_secret()}"
    row_id = connection.execute(
        insert(exemptions)
        .values(
            month=str(draft.month),
            number=number,
            token=token,
            auditor_email=draft.auditor_email,
            auditor_name=draft.auditor_name,
            team=draft.team,
            head_email=draft.head_email,
            head_name=draft.head_name,
            reason=draft.reason.value,
            words=draft.words,
            requested_at=draft.requested_at,
            requested_on=draft.requested_on,
            after_allocation=draft.after_allocation,
            last_week=draft.last_week,
            state=State.AWAITING_HEAD,
            no_head_response=False,
            inbound_id=inbound_id,
            cases=list(draft.cases),
        )
        .returning(exemptions.c.id)
    ).scalar_one()
    connection.execute(
        insert(threads).values(
            token=token,
            kind="request",
            month=str(draft.month),
            auditor_email=draft.auditor_email,
            request_id=row_id,
        )
    )
    return replace(draft, id=row_id, ref=ref, token=token)


def move_request(
    connection: Connection,
    moved: Request,
    expected: Iterable[State],
    now: datetime,
) -> bool:
    """Store a request as a step left it, only if it is still in an expected state. False
    means another reply or instance got there first: the first valid decision wins."""
    values: dict[str, Any] = {
        "state": moved.state,
        "head_words": moved.head_words,
        "director_words": moved.director_words,
        "no_head_response": moved.no_head_response,
        "granted": list(moved.granted) if moved.granted is not None else None,
        "until": moved.until,
    }
    if moved.head_words is not None and moved.head_decided_at is None:
        values["head_decided_at"] = now
    if moved.state in (State.APPROVED, State.DECLINED, State.EXTENDED):
        values["decided_at"] = now
    result = connection.execute(
        update(exemptions)
        .where(exemptions.c.id == moved.id, exemptions.c.state.in_([s.value for s in expected]))
        .values(**values)
    )
    return result.rowcount == 1


def add_note(
    connection: Connection,
    month: Month,
    email: str,
    kind: str,
    now: datetime,
    words: str,
    inbound_id: int | None,
) -> None:
    connection.execute(
        insert(notes).values(
            month=str(month),
            auditor_email=email,
            kind=kind,
            at=now,
            words=words,
            inbound_id=inbound_id,
        )
    )


def noted(connection: Connection, month: Month, kind: str) -> frozenset[str]:
    query = select(notes.c.auditor_email).where(notes.c.month == str(month), notes.c.kind == kind)
    return frozenset(connection.scalars(query))


def thread_token(connection: Connection, message_ids: Sequence[str]) -> str | None:
    """The reference token of the first of ``message_ids`` (closest first) that is a mail
    of ours with a thread."""
    ids = [m for m in message_ids if m]
    if not ids:
        return None
    found = dict(
        connection.execute(
            select(outbox.c.message_id, outbox.c.thread).where(
                outbox.c.message_id.in_(ids), outbox.c.thread.is_not(None)
            )
        ).all()
    )
    return next((found[m] for m in ids if m in found), None)


def binding_for_token(connection: Connection, token: str) -> Binding | None:
    """The record a reference token names; None when it names nothing (a guess, a typo)."""
    row = connection.execute(select(threads).where(threads.c.token == token)).first()
    if row is None:
        return None
    request = None
    if row.request_id is not None:
        request = load_requests(connection, exemptions.c.id == row.request_id)[0]
    return Binding(Month.parse(row.month), row.auditor_email, request)


def returned_mail(
    connection: Connection, message_ids: Sequence[str], keys: Sequence[str]
) -> SentMail | None:
    """The mail of ours a delivery report returned, found by its Message-ID or its key."""
    if not message_ids and not keys:
        return None
    row = connection.execute(
        select(outbox.c.key, outbox.c.to_addrs, outbox.c.cc_addrs)
        .where(
            or_(outbox.c.message_id.in_(list(message_ids)), outbox.c.key.in_(list(keys))),
            outbox.c.status.in_([Status.SENT, Status.UNKNOWN, Status.SENDING]),
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    return SentMail(row.key, frozenset(a.lower() for a in [*row.to_addrs, *row.cc_addrs]))


def answers_on(connection: Connection, day: date, correspondent: str, thread: str | None) -> int:
    """How many answers went to ``correspondent``, or in ``thread``, planned on ``day``:
    the larger of the two."""
    counted = [outbox.c.answers == correspondent]
    if thread:
        counted.append(outbox.c.answers_thread == thread)
    return max(
        connection.scalar(select(func.count()).where(where, outbox.c.planned_on == day)) or 0
        for where in counted
    )


def allocation_issued_on(connection: Connection, month: Month, email: str) -> date | None:
    return connection.scalar(
        select(outbox.c.planned_on).where(outbox.c.key == allocation_key(month, email))
    )


def escalation_times(connection: Connection, found: list[Request], tz: Any) -> dict[str, datetime]:
    """When each request went to the director without its Head of Service, from the trail."""
    if not found:
        return {}
    query = select(events.c.subject, events.c.at).where(
        events.c.month.in_({str(r.month) for r in found}),
        events.c.kind == "request_escalated",
        events.c.subject.in_({r.ref for r in found}),
    )
    return {r.subject: r.at.astimezone(tz) for r in connection.execute(query)}
