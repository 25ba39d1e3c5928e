"""``analyse``: raw bytes of one inbound message in, an ``Analysis`` out; never raises."""

from __future__ import annotations

import email.utils
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.core.records import Auditor
from bot.core.replies import envelope
from bot.core.replies.classify import bounced_recipients, classify
from bot.core.replies.html_text import html_to_text
from bot.core.replies.intent import read_intent
from bot.core.replies.mime import TEXT_LIMIT, Chunk, Mail, note_returned_lines, parse
from bot.core.replies.model import Analysis, Intent, Kind, Reading, Reason, Role, shell_intent
from bot.core.replies.months import find_month
from bot.core.replies.reading import read
from bot.core.replies.reference import REFERENCE_PATTERN, find_reference, without_reference
from bot.core.replies.trim import new_text, written_text

LONDON = ZoneInfo("Europe/London")

MAX_MESSAGE = 25 * 1024 * 1024  # Exchange Online's default limit for a received message
MAX_SUBJECT = 1000
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fw|fwd|wg|tr|rv|doorst)\s*:", re.IGNORECASE)
# Whitespace of every kind (TAB, U+2028, U+2029, U+0085...) and every C0/C1 control.
_SUBJECT_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def analyse(
    raw: bytes,
    *,
    today: date,
    role: Role | None = None,
    roster: Mapping[str, Auditor] | None = None,
    staff: Iterable[str] = (),
) -> Analysis:
    """What one inbound message is and says. Never raises, for any bytes.

    ``role`` is who the sender is (None: not known, read as the shell reads today);
    ``roster`` and ``staff`` name the staff, whose names are never masked."""
    try:
        raw = bytes(raw)
        return _analyse(raw, today, _Context(role, roster or {}, tuple(staff)))
    except Exception as error:  # the last line of defence: a message must never crash a poll
        digest = hashlib.sha256(raw if isinstance(raw, bytes) else b"").hexdigest()
        return _unreadable(f"could not be read ({type(error).__name__})", digest)


def _unreadable(why: str, digest: str) -> Analysis:
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
        automatic=None,
        other_senders=(),
        returned_message_ids=(),
        returned_keys=(),
        content_digest=digest,
    )


def normalise_subject(subject: str) -> str:
    """One line: every run of whitespace or control characters one space; at most 1,000."""
    return _SUBJECT_SPACE.sub(" ", subject[: MAX_SUBJECT * 8]).strip()[:MAX_SUBJECT]


def _content_digest(mail: Mail, subject: str) -> str:
    """What the message says, not how it travelled: Received: and the like are left out."""
    digest = hashlib.sha256()
    fields = [mail.first("from") or "", subject, mail.first("date") or ""]
    for field in [*fields, *(chunk.text for chunk in mail.text_parts)]:
        data = field.encode("utf-8", "surrogatepass")
        digest.update(b"%d:" % len(data) + data)  # length-prefixed: fields cannot run together
    return digest.hexdigest()


def _texts(chunks: list[Chunk]) -> list[str]:
    return [html_to_text(chunk.text) if chunk.is_html else chunk.text for chunk in chunks]


def _lines(text: str) -> list[str]:
    """The words of each line, blank lines left out: what the intent rules can tell apart."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


class _Context:
    def __init__(self, role: Role | None, roster: Mapping[str, Auditor], staff: tuple[str, ...]):
        self.role, self.roster, self.staff = role, roster, staff


def _read(
    written: str,
    body: str,
    today: date,
    context: _Context,
    sender: str | None,
    automatic: bool = False,
) -> Reading:
    return read(
        body,
        subject=written,
        today=today,
        role=context.role,
        roster=context.roster,
        staff=context.staff,
        sender=sender,
        automatic=automatic,
    )


def _for_shell(
    written: str, body: str, reading: Reading, context: _Context
) -> tuple[Intent, Reason | None]:
    """What the shell acts on. Without a role it is the earlier rules' reading, which the
    shell was built on; given a role, the full reading made safe by ``shell_intent``."""
    if context.role is None:
        return read_intent(f"{written}\n{body}" if written else body)
    intent = shell_intent(reading.intent)
    return intent, reading.reason if intent is Intent.EXEMPTION_REQUEST else None


def _both_renderings(
    written: str,
    body: str,
    html_body: str,
    reading: Reading,
    acted: tuple[Intent, Reason | None],
    today: date,
    context: _Context,
    sender: str | None,
) -> tuple[Reading, Intent, Reason | None]:
    """The HTML rendering must say the same as the plain one, or neither is trusted."""
    intent, reason = acted
    if context.role is None:
        # The shell's own rules decide; the full reading follows them when they disagree.
        if read_intent(f"{written}\n{html_body}" if written else html_body)[0] is not intent:
            return _as_unclear(reading, reading), Intent.UNCLEAR, None
        return reading, intent, reason
    html_reading = _read(written, html_body, today, context, sender)
    if html_reading.intent is not reading.intent:
        return _as_unclear(reading, html_reading), Intent.UNCLEAR, None
    return reading, intent, reason


def _as_unclear(plain: Reading, html: Reading) -> Reading:
    """Two renderings that read differently: ask which was meant."""
    offered = tuple(dict.fromkeys((plain.intent, html.intent)))
    return replace(plain, intent=Intent.UNCLEAR, confidence=0.3, alternatives=offered)


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
    if mail.unknown_charsets:
        return f"unknown charset {mail.unknown_charsets[0]}"
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


def _analyse(raw: bytes, today: date, context: _Context) -> Analysis:
    try:
        mail = parse(raw)
    except Exception:  # the parser gave up (deep nesting): keep what the headers say
        mail = parse(_header_block(raw))
        mail.broken, mail.chunks, mail.html_view, mail.text_parts = True, [], [], []
    subject = normalise_subject(mail.first("subject") or "")
    sender = envelope.read_sender(mail)
    texts = _texts(mail.chunks)
    full_text = "\n\n".join(texts)[:TEXT_LIMIT]
    body = new_text(full_text)
    kind, automatic = classify(mail, sender, subject, body)
    malformed = _malformed(raw, mail, kind, sender, texts)

    intent = reason = month = reading = None
    reference = find_reference(subject, body)
    recipients: tuple[str, ...] = ()
    returned_ids: tuple[str, ...] = ()
    returned_keys: tuple[str, ...] = ()
    if kind is Kind.REPLY:
        written = _written_subject(subject)
        # The reading keeps a forwarded mail when the forward is the message.
        forward = bool(_FORWARD_SUBJECT.match(subject))
        reading = _read(written, written_text(full_text, forward), today, context, sender)
        intent, reason = _for_shell(written, body, reading, context)
        if mail.html_view:
            # The HTML rendering must say the same as the plain one, or neither is trusted.
            html_body = new_text("\n\n".join(_texts(mail.html_view))[:TEXT_LIMIT])
            if _lines(html_body) != _lines(body):
                reading, intent, reason = _both_renderings(
                    written, body, html_body, reading, (intent, reason), today, context, sender
                )
        if malformed:
            intent, reason = Intent.UNKNOWN, None  # never act on a message not read whole
            reading = replace(reading, intent=Intent.UNKNOWN, confidence=0.0, alternatives=())
        month = find_month(body, today) or find_month(written, today)
    elif kind is Kind.AUTO_REPLY:
        reading = _read("", body, today, context, sender, automatic=True)
    elif kind is Kind.BOUNCE:
        recipients = bounced_recipients(mail, full_text)
        # A failure report quotes the bot's own mail: the token there ties it to a record.
        reference = reference or find_reference(*mail.returned_subjects, full_text)
        note_returned_lines(mail, full_text)  # Exchange's plain-text reports show the headers
        returned_ids, returned_keys = tuple(mail.returned_message_ids), tuple(mail.returned_keys)

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
        automatic=automatic,
        other_senders=envelope.other_senders(mail, sender),
        returned_message_ids=returned_ids,
        returned_keys=returned_keys,
        content_digest=_content_digest(mail, subject),
        reading=reading,
        sent_on=sent_on(mail.first("date"), today),
    )


def sent_on(header: str | None, today: date) -> date | None:
    """The local day a Date header names, if it is between a month before ``today`` and
    ``today``: a clock far off, or a forged date, moves no deadline."""
    if not header:
        return None
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    day = when.astimezone(LONDON).date()
    return day if today - timedelta(days=31) <= day <= today else None
