"""Messages the tests send and receive: an allocation from the bot, replies from people."""

from __future__ import annotations

import email
import email.policy
import hashlib
from datetime import UTC, datetime
from email.message import EmailMessage

from bot.mail.message import OutgoingMail

NOW = datetime(2021, 5, 4, 8, 30, tzinfo=UTC)
BOT = "audit-bot@council.example"
SAM = "sam@council.example"
HANA = "hana@council.example"
OUTSIDER = "mallory@elsewhere.example"


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def outgoing(key: str, **changes: object) -> OutgoingMail:
    fields: dict = {
        "key": key,
        "sender": BOT,
        "to": [SAM],
        "cc": [HANA],
        "subject": "Your audits for May 2021 [CR-1001]",
        "text": "Dear Sam,\n\nPlease audit CR-1001.\n",
        "html": "<p>Dear Sam,</p><p>Please audit <b>CR-1001</b>.</p>",
        "message_id": f"<{hashlib.sha256(key.encode()).hexdigest()[:24]}.test@council.example>",
    }
    fields.update(changes)
    return OutgoingMail(**fields)


def inbound(subject: str, *, sender: str = SAM, extra: str = "") -> bytes:
    digest = hashlib.sha256(f"{sender}{subject}".encode()).hexdigest()[:16]
    return (
        f"From: Sam Patel <{sender}>\r\nTo: {BOT}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{digest}@council.example>\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "I support this request.\r\n"
    ).encode()
