"""Reading a raw message without trusting it: bounded work, nothing decoded that is not read.

The stdlib parser is used with ``compat32``, not the default policy: the default policy parses
header values when they are first read and can raise then, and its ``get_payload`` decodes
8-bit text with the declared charset, which raises for some ("idna"). Here header values are
decoded by hand (RFC 2047 words, unknown charsets replaced by utf-8 with U+FFFD) and payloads
are taken raw, so the only place that can raise is ``parse`` itself, which the caller guards.
A text part in a charset no text codec knows is still decoded that way, but noted: what it
says cannot be trusted, so the caller treats the message as malformed.

Both renderings of a multipart/alternative are kept: the reader reads the plain one and checks
that the HTML one says the same, so neither can hide a different answer.

Only the first PARSE_LIMIT bytes are parsed (a 20 MB attachment is never read, let alone
decoded), only text parts that are not attachments are decoded, and each at most PART_LIMIT.
"""

from __future__ import annotations

import binascii
import email
import email.policy
import quopri
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message

PARSE_LIMIT = 512 * 1024  # bytes handed to the parser: text comes before big attachments
# The stdlib parser makes one message per block of a delivery report, slowly; real reports
# are small and come before the returned message, so less is read when one is present.
REPORT_PARSE_LIMIT = 128 * 1024
TEXT_LIMIT = 64 * 1024  # characters of decoded text the reader works on
HTML_LIMIT = 128 * 1024  # characters of HTML source converted to text
PART_LIMIT = 512 * 1024  # characters of one encoded payload decoded
HEADER_LIMIT = 8 * 1024  # characters of one header value kept
MAX_PARTS = 200
MAX_DEPTH = 12

_CHARSET_ALIASES = {
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "x-user-defined": "utf-8",
    "ks_c_5601-1987": "cp949",
    # Labels real clients send that Python spells differently.
    "windows-874": "cp874",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "x-mac-roman": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-sjis": "shift_jis",
    "x-gbk": "gbk",
}
MAX_RETURNED = 10  # Message-IDs and keys kept from a returned message
MAX_RETURNED_ID = 250  # characters, angle brackets included; longer ones are dropped
MAX_RETURNED_KEY = 400
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")
_SURROGATE = re.compile("[\udc80-\udcff]")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,500}>")
_RETURNED_LINE = re.compile(r"(?im)^[ \t>]*(message-id|x-audit-bot-key)[ \t]*:[ \t]*(\S[^\r\n]*)")


@dataclass(frozen=True)
class Chunk:
    """One readable text part, in message order."""

    text: str
    is_html: bool


@dataclass
class Mail:
    """The parts of a message the reader looks at."""

    raw_headers: dict[str, list[str]] = field(default_factory=dict)  # lower-cased name -> values
    content_type: str = "text/plain"
    report_type: str = ""
    delivery_reports: list[str] = field(default_factory=list)  # message/delivery-status text
    disposition_report: bool = False  # a read receipt (message/disposition-notification)
    chunks: list[Chunk] = field(default_factory=list)  # the text read: plain preferred
    # The same with HTML preferred in every multipart/alternative; empty when no alternative
    # offers both, so that the two readings can only differ when there are two renderings.
    html_view: list[Chunk] = field(default_factory=list)
    text_parts: list[Chunk] = field(default_factory=list)  # every text part decoded, in order
    unknown_charsets: list[str] = field(default_factory=list)  # declared by a text part read
    returned_subjects: list[str] = field(default_factory=list)  # of messages sent back to us
    returned_message_ids: list[str] = field(default_factory=list)
    returned_keys: list[str] = field(default_factory=list)  # their X-Audit-Bot-Key values
    broken: bool = False  # a multipart whose boundaries could not be found
    parts_seen: int = 0

    def values(self, name: str) -> list[str]:
        """Decoded values of a header, in order; decoded only when asked for."""
        return [decode_header_value(value) for value in self.raw_headers.get(name.lower(), [])]

    def first(self, name: str) -> str | None:
        values = self.raw_headers.get(name.lower())
        return decode_header_value(values[0]) if values else None

    def has(self, name: str) -> bool:
        return name.lower() in self.raw_headers


def _charset_name(charset: str | None) -> str:
    name = (charset or "").strip().strip("\"'").lower()
    return _CHARSET_ALIASES.get(name, name)


def unknown_charset(charset: str | None) -> str | None:
    """The declared name, printable and short, when no text codec knows it; else None."""
    name = _charset_name(charset)
    if not name:
        return None
    try:
        b"a".decode(name, "replace")
    except UnicodeError:
        return None  # a codec that knows the name but not the handler ("idna")
    except (LookupError, ValueError, TypeError):
        pass  # no codec of that name, or not a text codec ("base64", "zlib")
    else:
        return None
    shown = "".join(char for char in (charset or "").strip().strip("\"'") if char.isprintable())
    return shown[:60] or "(unprintable)"


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode text in a declared charset; anything unknown or broken becomes utf-8 with U+FFFD."""
    name = _charset_name(charset)
    if not name:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    try:
        return data.decode(name, "replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        # LookupError also covers bytes-to-bytes codecs named as charsets ("base64").
        return data.decode("utf-8", "replace")


def _to_bytes(text: str) -> bytes:
    # The bytes parser keeps 8-bit data as surrogate escapes; this gives the bytes back.
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def undecoded_header_value(value: str) -> str:
    """An unfolded header value, 8-bit bytes read as text, RFC 2047 words left encoded."""
    text = _FOLD.sub("", value[:HEADER_LIMIT])
    if _SURROGATE.search(text):
        text = decode_bytes(_to_bytes(text), None)
    return text


def decode_header_value(value: object) -> str:
    """An unfolded, decoded header value with control characters removed."""
    text = undecoded_header_value(str(value))
    if "=?" in text:
        try:
            pieces = decode_header(text)
        except Exception:  # a broken encoded word leaves the text as it is
            pieces = [(text, None)]
        text = "".join(
            piece if isinstance(piece, str) else decode_bytes(piece, charset)
            for piece, charset in pieces
        )
    return _CONTROL.sub(" ", text).strip()


def _header(part: Message, name: str) -> str:
    try:
        value = part.get(name)
    except Exception:
        return ""
    return "" if value is None else decode_header_value(value)


def _content_type(part: Message) -> str:
    value = _header(part, "content-type").split(";", 1)[0].strip().lower()
    if value.count("/") != 1:
        # RFC 2045: an invalid or missing type is text/plain (inside multipart/digest too,
        # which is rare enough to ignore).
        return "text/plain"
    return value


def _param(part: Message, name: str) -> str:
    match = re.search(
        rf"(?:^|;)\s*{name}\s*=\s*\"?([^\";]*)", _header(part, "content-type"), re.IGNORECASE
    )
    return match.group(1).strip().lower() if match else ""


def _is_attachment(part: Message) -> bool:
    return _header(part, "content-disposition").lower().startswith("attachment")


def _raw_payload(part: Message) -> object:
    # Not get_payload(): for 8-bit text it decodes with the declared charset itself, which
    # raises for some codecs ("idna") and would make the bytes impossible to recover.
    return getattr(part, "_payload", None)


def _payload_bytes(part: Message) -> bytes:
    payload = _raw_payload(part)
    if not isinstance(payload, str):
        return b""
    data = _to_bytes(payload[:PART_LIMIT])
    encoding = _header(part, "content-transfer-encoding").lower()
    if encoding == "base64":
        cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
        cleaned = cleaned[: len(cleaned) // 4 * 4]
        try:
            return binascii.a2b_base64(cleaned)
        except (binascii.Error, ValueError):
            return b""
    if encoding == "quoted-printable":
        return quopri.decodestring(data)
    return data


def _part_text(part: Message, limit: int, mail: Mail) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    unknown = unknown_charset(charset)
    if unknown and unknown not in mail.unknown_charsets:
        mail.unknown_charsets.append(unknown)
    return decode_bytes(_payload_bytes(part), charset)[:limit]


def _status_text(part: Message) -> str:
    payload = _raw_payload(part)
    if isinstance(payload, str):
        return decode_bytes(_payload_bytes(part), None)[:TEXT_LIMIT]
    lines: list[str] = []
    if isinstance(payload, list):
        for block in payload[:MAX_PARTS]:
            if isinstance(block, Message):
                lines.extend(f"{k}: {decode_header_value(v)}" for k, v in block.raw_items())
                lines.append("")
    return "\n".join(lines)[:TEXT_LIMIT]


_Views = tuple[list[Chunk], list[Chunk]]  # (plain preferred, HTML preferred)


def _nothing() -> _Views:
    return [], []


def _collect(part: Message, mail: Mail, depth: int) -> _Views:
    mail.parts_seen += 1
    if depth > MAX_DEPTH or mail.parts_seen > MAX_PARTS:
        return _nothing()
    ctype = _content_type(part)
    if ctype == "message/delivery-status":
        mail.delivery_reports.append(_status_text(part))
        return _nothing()
    if ctype == "message/disposition-notification":
        mail.disposition_report = True
        return _nothing()
    if ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
        _note_returned(part, mail)
        return _nothing()  # a returned or forwarded message is not the sender's text
    if ctype.startswith("message/"):
        return _nothing()
    if ctype.startswith("multipart/"):
        payload = _raw_payload(part)
        mail.broken = mail.broken or not isinstance(payload, list)
        children = (
            [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
        )
        found = [_collect(child, mail, depth + 1) for child in children]
        if ctype == "multipart/alternative":
            return (
                _choose_alternative([plain for plain, _ in found], prefer_html=False),
                _choose_alternative([html for _, html in found], prefer_html=True),
            )
        return (
            [chunk for plain, _ in found for chunk in plain],
            [chunk for _, html in found for chunk in html],
        )
    if _is_attachment(part) or ctype not in ("text/plain", "text/html"):
        return _nothing()
    is_html = ctype == "text/html"
    chunk = Chunk(_part_text(part, HTML_LIMIT if is_html else TEXT_LIMIT, mail), is_html)
    mail.text_parts.append(chunk)
    return [chunk], [chunk]


def note_returned_id(found: list[str], value: str) -> None:
    """Keep a returned message's Message-ID: bracketed, not too long, not too many."""
    match = _MESSAGE_ID.search(value)
    message_id = match.group(0) if match else ""
    if (
        message_id
        and len(message_id) <= MAX_RETURNED_ID
        and message_id not in found
        and len(found) < MAX_RETURNED
    ):
        found.append(message_id)


def note_returned_key(found: list[str], value: str) -> None:
    """Keep a returned message's X-Audit-Bot-Key: one word, not too long, not too many."""
    key = value.strip()
    if (
        key
        and len(key) <= MAX_RETURNED_KEY
        and not any(char.isspace() for char in key)
        and key not in found
        and len(found) < MAX_RETURNED
    ):
        found.append(key)


def note_returned_lines(mail: Mail, text: str) -> None:
    """Message-ID: and X-Audit-Bot-Key: lines of a returned message's headers shown as text."""
    for match in _RETURNED_LINE.finditer(text[:TEXT_LIMIT]):
        name, value = match.group(1).lower(), match.group(2)
        if name == "message-id":
            note_returned_id(mail.returned_message_ids, value)
        else:
            note_returned_key(mail.returned_keys, value)


def _note_returned(part: Message, mail: Mail) -> None:
    """The subject, Message-ID and key of a message sent back (or attached)."""
    payload = _raw_payload(part)
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        returned = payload[0]
        subject = _header(returned, "subject")
        note_returned_id(mail.returned_message_ids, _header(returned, "message-id"))
        note_returned_key(mail.returned_keys, _header(returned, "x-audit-bot-key"))
    else:
        headers = decode_bytes(_payload_bytes(part), None)[:TEXT_LIMIT]
        match = re.search(r"(?im)^subject:(.*(?:\n[ \t].*)*)", headers)
        subject = decode_header_value(match.group(1)) if match else ""
        note_returned_lines(mail, _FOLD.sub("", headers))
    if subject and len(mail.returned_subjects) < MAX_RETURNED:
        mail.returned_subjects.append(subject)


def _choose_alternative(found: list[list[Chunk]], *, prefer_html: bool) -> list[Chunk]:
    """The preferred rendering; the other one when the preferred one is empty."""
    for want_html in (prefer_html, not prefer_html):
        for chunks in found:
            if any(c.is_html == want_html and c.text.strip() for c in chunks):
                return chunks
    return next((chunks for chunks in found if chunks), [])


def parse(raw: bytes) -> Mail:
    """Parse the first PARSE_LIMIT bytes of a message. May raise; the caller guards."""
    head = raw[:PARSE_LIMIT]
    if re.search(rb"(?i)delivery-status", head):
        head = head[:REPORT_PARSE_LIMIT]
    message = email.message_from_bytes(head, policy=email.policy.compat32)
    mail = Mail()
    for name, value in list(message.raw_items())[:1000]:
        mail.raw_headers.setdefault(str(name).strip().lower(), []).append(str(value))
    mail.content_type = _content_type(message)
    mail.report_type = _param(message, "report-type")
    mail.chunks, html_view = _collect(message, mail, 0)
    if html_view != mail.chunks:
        mail.html_view = html_view
    return mail
