"""Building the RFC 5322 message for an outbox row: the same headers on every transport."""

from __future__ import annotations

import email.policy
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

KEY_HEADER = "X-Audit-Bot-Key"

# Fold only past RFC 5322's hard limit: Python folds a long subject right after "Subject:",
# which some clients then show with a leading space.
MAIL_POLICY = email.policy.default.clone(max_line_length=998)


class UnsafeHeaderError(ValueError):
    """A value bound for a header holds characters that could forge another header."""


@dataclass(frozen=True)
class OutgoingMail:
    key: str
    sender: str
    to: Sequence[str]
    cc: Sequence[str]
    subject: str
    text: str
    html: str
    images: Mapping[str, bytes] = field(default_factory=dict)  # content-id -> PNG


def message_id_for(key: str, sender: str) -> str:
    """Deterministic, so a resend after a lost answer carries the same Message-ID and a
    reply's In-Reply-To leads straight back to the key."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}.auditbot@{sender.rpartition('@')[2]}>"


def check_header_value(value: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 or ch in "\u2028\u2029\x85" for ch in value):
        raise UnsafeHeaderError(f"control character in header value {value!r}")
    return value


def build_message(mail: OutgoingMail, now: datetime) -> EmailMessage:
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = check_header_value(mail.sender)
    message["To"] = ", ".join(check_header_value(a) for a in mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(check_header_value(a) for a in mail.cc)
    message["Subject"] = check_header_value(mail.subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id_for(mail.key, mail.sender)
    # Ask other systems not to auto-reply, and mark ourselves as automatic (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message[KEY_HEADER] = check_header_value(mail.key)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    if mail.images:
        # multipart/related inside the alternative: the HTML shows them via cid: links.
        html_part = message.get_body(("html",))
        for cid, png in mail.images.items():
            html_part.add_related(png, "image", "png", cid=f"<{cid}>", filename=f"{cid}.png")
    return message
