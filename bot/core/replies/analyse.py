"""``analyse``: raw bytes of one inbound message in, an ``Analysis`` out; never raises."""

from __future__ import annotations

from datetime import date

from bot.core.replies import envelope
from bot.core.replies.classify import bounced_recipients, classify
from bot.core.replies.html_text import html_to_text
from bot.core.replies.intent import read_intent
from bot.core.replies.mime import TEXT_LIMIT, Mail, parse
from bot.core.replies.model import Analysis, Intent, Kind
from bot.core.replies.months import find_month
from bot.core.replies.reference import REFERENCE_PATTERN, find_reference, without_reference
from bot.core.replies.trim import new_text

MAX_MESSAGE = 25 * 1024 * 1024  # Exchange Online's default limit for a received message


def analyse(raw: bytes, *, today: date) -> Analysis:
    """What one inbound message is and says. Never raises, for any bytes."""
    try:
        return _analyse(bytes(raw), today)
    except Exception as error:  # the last line of defence: a message must never crash a poll
        return _unreadable(f"could not be read ({type(error).__name__})")


def _unreadable(why: str) -> Analysis:
    return Analysis(
        kind=Kind.REPLY,
        body="",
        intent=Intent.UNKNOWN,
        reason=None,
        reference=None,
        month=None,
        sender=None,
        message_id=None,
        in_reply_to=None,
        references=(),
        subject="",
        bounced_recipients=(),
        malformed=why,
        auth_internal=None,
    )


def _written_subject(subject: str) -> str:
    """The subject when the person wrote it; a reply's subject is someone else's words."""
    if REFERENCE_PATTERN.search(subject) or without_reference(subject) != subject.strip():
        return ""
    return subject


def _malformed(
    raw: bytes, mail: Mail, kind: Kind, sender: str | None, texts: list[str]
) -> str | None:
    readable = any(text.strip() for text in texts)
    if len(raw) > MAX_MESSAGE:
        return "message too large"
    if kind is Kind.BOUNCE:
        # A delivery report is read for its failed addresses; who sent it does not matter.
        return None if readable or mail.delivery_reports else "no readable text"
    if mail.broken and not readable:
        return "broken MIME structure"
    if sender is None:
        return "no sender"
    if not readable:
        return "no readable text"
    return None


def _header_block(raw: bytes) -> bytes:
    ends = [index for index in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if index >= 0]
    return raw[: min(ends, default=len(raw))][: 256 * 1024] + b"\r\n\r\n"


def _analyse(raw: bytes, today: date) -> Analysis:
    try:
        mail = parse(raw)
    except Exception:  # the parser gave up (deep nesting): keep what the headers say
        mail = parse(_header_block(raw))
        mail.broken, mail.chunks = True, []
    subject = mail.first("subject") or ""
    sender = envelope.read_sender(mail)
    texts = [html_to_text(chunk.text) if chunk.is_html else chunk.text for chunk in mail.chunks]
    full_text = "\n\n".join(texts)[:TEXT_LIMIT]
    body = new_text(full_text)
    kind = classify(mail, sender, subject, body)
    malformed = _malformed(raw, mail, kind, sender, texts)

    intent = reason = month = None
    reference = find_reference(subject, body)
    recipients: tuple[str, ...] = ()
    if kind is Kind.REPLY:
        written = _written_subject(subject)
        intent, reason = read_intent(f"{written}\n{body}" if written else body)
        if malformed:
            intent, reason = Intent.UNKNOWN, None  # never act on a message not read whole
        month = find_month(body, today) or find_month(written, today)
    elif kind is Kind.BOUNCE:
        recipients = bounced_recipients(mail, full_text)
        # A failure report quotes the bot's own mail: the token there ties it to a record.
        reference = reference or find_reference(*mail.returned_subjects, full_text)

    return Analysis(
        kind=kind,
        body=body,
        intent=intent,
        reason=reason,
        reference=reference,
        month=month,
        sender=sender,
        message_id=envelope.first_message_id(mail, "message-id"),
        in_reply_to=envelope.first_message_id(mail, "in-reply-to"),
        references=envelope.message_ids(mail, "references"),
        subject=subject,
        bounced_recipients=recipients,
        malformed=malformed,
        auth_internal=envelope.auth_internal(mail),
    )
