"""Hostile and odd messages, written byte by byte as the senders' software would write them."""

from __future__ import annotations

import email.utils

from sqlalchemy import select

from bot.core.exemptions import Request
from bot.store.exemption_requests import load_requests
from bot.store.schema import events, inbound, outbox
from tests.world import BOT, Landed, World


def message_id() -> str:
    return email.utils.make_msgid(domain="council.example")


def raw_mail(
    headers: list[tuple[str, str]],
    body: str,
    *,
    content_type: str = 'text/plain; charset="utf-8"',
) -> bytes:
    """A message with exactly these headers (folding, separators and all) and a text body."""
    names = {name.lower() for name, _ in headers}
    head = list(headers)
    if "to" not in names:
        head.append(("To", BOT))
    if "message-id" not in names:
        head.append(("Message-ID", message_id()))
    head += [("MIME-Version", "1.0"), ("Content-Type", content_type)]
    lines = "".join(f"{name}: {value}\r\n" for name, value in head)
    return (lines + "\r\n" + body.replace("\r\n", "\n").replace("\n", "\r\n")).encode("utf-8")


def reply_to(original: Landed, sender: str, body: str, **extra: str) -> bytes:
    """A plain reply threaded to ``original``, with any extra headers as written."""
    parent = str(original.message["Message-ID"])
    headers = [
        ("From", sender),
        ("Subject", extra.pop("Subject", f"RE: {original.subject}")),
        ("In-Reply-To", extra.pop("In-Reply-To", parent)),
        ("References", extra.pop("References", parent)),
        *extra.items(),
    ]
    return raw_mail(headers, body)


def requests(world: World) -> dict[str, Request]:
    with world.open().engine.connect() as connection:
        return {r.ref: r for r in load_requests(connection)}


def inbound_statuses(world: World) -> list[str]:
    with world.open().engine.connect() as connection:
        return list(connection.scalars(select(inbound.c.status).order_by(inbound.c.id)))


def event_kinds(world: World) -> list[str]:
    with world.open().engine.connect() as connection:
        return list(connection.scalars(select(events.c.kind).order_by(events.c.id)))


def outbox_rows(world: World) -> list[dict]:
    with world.open().engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(outbox))]


def in_inbox(world: World) -> int:
    folder = world.root / "mail" / "inbox"
    return sum(1 for sub in ("new", "cur") for _ in (folder / sub).iterdir())
