"""Everything the store holds about one member of staff, for a subject access request. Rows
are picked by the address itself, never by a part of it: another person's rows stay out."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, or_, select

from bot.store.exemption_requests import request_ref
from bot.store.schema import (
    allocated_cases,
    events,
    exemptions,
    inbound,
    moderations,
    month_closes,
    notes,
    outbox,
    outcomes,
    questions,
    roster_versions,
)


def _names(email: str) -> re.Pattern[str]:
    """``email`` as a whole address: not inside a longer one (xsam@…, sam@….uk)."""
    return re.compile(r"(?<![\w.+-])" + re.escape(email) + r"(?![\w-]|\.[\w-])", re.IGNORECASE)


def address_like(email: str) -> str:
    """A LIKE pattern (escape ``\\``) for text holding ``email``; then check the address with
    :func:`addressed`, as a longer address holds it too."""
    escaped = email.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def addressed(row: Any, email: str) -> bool:
    """Whether an outbox row went to, copied or is about ``email`` (the whole address)."""
    return row.about == email or email in [a.lower() for a in [*row.to_addrs, *row.cc_addrs]]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _row(row: Any, *skip: str) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row._mapping.items() if k not in skip}


def records_of(connection: Connection, email: str) -> dict[str, list[dict[str, Any]]]:
    email = email.strip().lower()
    names = _names(email)
    like = address_like(email)
    held: dict[str, list[dict[str, Any]]] = {}

    held["roster"] = [
        {"loaded_at": _plain(version.loaded_at), **entry}
        for version in connection.execute(select(roster_versions).order_by(roster_versions.c.id))
        for entry in version.auditors
        if email in (entry.get("email"), entry.get("head_of_service_email"))
    ]
    held["allocations"] = [
        _row(row)
        for row in connection.execute(
            select(allocated_cases)
            .where(allocated_cases.c.auditor_email == email)
            .order_by(allocated_cases.c.month, allocated_cases.c.outbox_key)
        )
    ]
    held["outcomes"] = [
        _row(row)
        for row in connection.execute(
            select(outcomes)
            .where(
                or_(outcomes.c.auditor_email == email, outcomes.c.head_of_service_email == email)
            )
            .order_by(outcomes.c.month)
        )
    ]
    held["moderations"] = [
        _row(row, "id")
        for row in connection.execute(
            select(moderations)
            .where(
                or_(moderations.c.auditor_email == email, moderations.c.moderator_email == email)
            )
            .order_by(moderations.c.month, moderations.c.case_ref)
        )
    ]
    sent = connection.execute(
        select(
            outbox.c.key,
            outbox.c.kind,
            outbox.c.month,
            outbox.c.status,
            outbox.c.subject,
            outbox.c.planned_at,
            outbox.c.sent_at,
            outbox.c.to_addrs,
            outbox.c.cc_addrs,
            outbox.c.about,
        )
        .where(
            or_(
                outbox.c.about == email,
                cast(outbox.c.to_addrs, Text).like(like, escape="\\"),
                cast(outbox.c.cc_addrs, Text).like(like, escape="\\"),
            )
        )
        .order_by(outbox.c.planned_at, outbox.c.key)
    )
    held["mail_sent"] = [_row(row) for row in sent if addressed(row, email)]
    requests = connection.execute(
        select(exemptions)
        .where(or_(exemptions.c.auditor_email == email, exemptions.c.head_email == email))
        .order_by(exemptions.c.requested_at)
    ).all()
    held["requests"] = [
        {
            "ref": request_ref(row.month, row.number),
            # The token binds replies to the request: a secret, not a fact about anyone.
            **_row(row, "id", "inbound_id", "token"),
            "role": "auditor" if row.auditor_email == email else "head_of_service",
        }
        for row in requests
    ]
    held["notes"] = [
        _row(row, "id", "inbound_id")
        for row in connection.execute(
            select(notes).where(notes.c.auditor_email == email).order_by(notes.c.at)
        )
    ]
    held["mail_received"] = [
        _row(row, "id")
        for row in connection.execute(
            select(inbound).where(inbound.c.sender == email).order_by(inbound.c.received_at)
        )
    ]
    held["questions"] = [
        _row(row, "id", "token", "inbound_id", "answer_inbound_id")
        for row in connection.execute(
            select(questions).where(questions.c.sender == email).order_by(questions.c.id)
        )
    ]
    refs = {request_ref(row.month, row.number) for row in requests}
    candidates = connection.execute(
        select(
            events.c.id,
            events.c.at,
            events.c.kind,
            events.c.month,
            events.c.subject,
            events.c.detail,
        )
        .where(
            or_(
                events.c.subject.like(like, escape="\\"),
                cast(events.c.detail, Text).like(like, escape="\\"),
                events.c.subject.in_(refs) if refs else events.c.id < 0,
            )
        )
        .order_by(events.c.id)
    )
    held["trail"] = [
        _row(row)
        for row in candidates
        if row.subject in refs or names.search(row.subject or "") or names.search(_flat(row.detail))
    ]
    return held


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k} {_flat(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " ".join(_flat(v) for v in value)
    return str(value)


def months_held(connection: Connection) -> list[str]:
    """Every month the store knows of, for reading the sheets about a person."""
    found = set(connection.scalars(select(allocated_cases.c.month).distinct()))
    found |= set(connection.scalars(select(month_closes.c.month)))
    found |= set(connection.scalars(select(outcomes.c.month).distinct()))
    found |= {m for m in connection.scalars(select(outbox.c.month).distinct()) if m}
    return sorted(found)
