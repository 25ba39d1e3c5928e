"""One outgoing mail, and its RFC 5322 form: the same headers on every transport.

The MIME text is written here rather than through ``email.message.EmailMessage``, whose
header registry parses and refolds every header again for each of a big allocation day's
ten thousand messages (``benchmarks/`` measures it). The structure is fixed and small
(text and HTML alternatives, inline PNGs), the values are checked before they reach a
header, and tests read every message back with the standard parser.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.utils import format_datetime

from bot.core.text import CONTROL_CHARACTERS
from bot.errors import AuditBotError

KEY_HEADER = "X-Audit-Bot-Key"
MAX_LINE = 998  # RFC 5322's hard limit on a line, CRLF excluded
# Addresses go into headers as bare addr-specs: nothing with a meaning in a header (display
# names, quotes, commas, spaces). UTF-8 ones pass as written (RFC 6532), as the roster allows.
PLAIN_ADDRESS = re.compile(r'[^@\s<>()\[\],;:"\\]+@[^@\s<>()\[\],;:"\\]+')
CONTENT_ID = re.compile(r"[A-Za-z0-9._-]+")


class UnsafeHeaderError(AuditBotError, ValueError):
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
    message_id: str  # made once when the mail is planned, and stored: a resend carries it
    images: Mapping[str, bytes] = field(default_factory=dict)  # content-id -> PNG
    attachments: Mapping[str, bytes] = field(default_factory=dict)  # file name -> bytes

    def __post_init__(self) -> None:
        # Refused when made, so no transport can send a forged header.
        values = (self.key, self.sender, self.subject, self.message_id, *self.to, *self.cc)
        for value in (*values, *self.images):
            check_header_value(value)
        for address in (self.sender, *self.to, *self.cc):
            if not PLAIN_ADDRESS.fullmatch(address):
                raise UnsafeHeaderError(f"not a plain address: {address!r}")
        for cid in self.images:
            if not CONTENT_ID.fullmatch(cid):
                raise UnsafeHeaderError(f"not a plain content id: {cid!r}")
        for name in self.attachments:
            if not CONTENT_ID.fullmatch(name):
                raise UnsafeHeaderError(f"not a plain file name: {name!r}")

    def bot_headers(self) -> list[tuple[str, str]]:
        """The headers every transport must carry besides the addresses and subject: ask
        other systems not to auto-reply, mark the mail as automatic (RFC 3834), name the key."""
        return [
            ("Auto-Submitted", "auto-generated"),
            ("X-Auto-Response-Suppress", "All"),
            (KEY_HEADER, self.key),
        ]


def new_message_id(sender: str) -> str:
    """A Message-ID with a random part, made when the mail is planned and stored with it: a
    resend after a lost answer carries the same one, and nobody can compute one from a key
    to forge a reply's thread."""
    return f"<{secrets.token_hex(16)}.auditbot@{sender.rpartition('@')[2]}>"


def check_header_value(value: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise UnsafeHeaderError(f"control character in header value {value!r}")
    return value


def mime_bytes(mail: OutgoingMail, now: datetime) -> bytes:
    """The message as a mail server would store it (LF line ends, as in a maildir)."""
    boundary = _boundary(mail)
    headers = [
        ("From", mail.sender),
        ("To", ", ".join(mail.to)),
        *([("Cc", ", ".join(mail.cc))] if mail.cc else []),
        ("Subject", _subject(mail.subject)),
        ("Date", format_datetime(now)),
        ("Message-ID", mail.message_id),
        *mail.bot_headers(),
        ("MIME-Version", "1.0"),
    ]
    out = [_header(name, value) for name, value in headers]
    if mail.attachments:
        # multipart/mixed around the alternative: the files follow the message.
        out.append(f'Content-Type: multipart/mixed; boundary="{boundary}-m"\n\n')
        out.append(f"--{boundary}-m\n")
    out.append(f'Content-Type: multipart/alternative; boundary="{boundary}-a"\n')
    out += ["\n", f"--{boundary}-a\n", _text_part("plain", mail.text), f"\n--{boundary}-a\n"]
    if mail.images:
        # multipart/related inside the alternative: the HTML shows them via cid: links.
        out.append(f'Content-Type: multipart/related; boundary="{boundary}-r"\n\n')
        out += [f"--{boundary}-r\n", _text_part("html", mail.html)]
        for cid, png in mail.images.items():
            out += [f"\n--{boundary}-r\n", _image_part(cid, png)]
        out.append(f"\n--{boundary}-r--\n")
    else:
        out.append(_text_part("html", mail.html))
    out.append(f"\n--{boundary}-a--\n")
    if mail.attachments:
        for name, data in mail.attachments.items():
            out += [f"\n--{boundary}-m\n", _file_part(name, data)]
        out.append(f"\n--{boundary}-m--\n")
    return "".join(out).encode()


def _boundary(mail: OutgoingMail) -> str:
    """Random, and never inside a body: a reply quoted in a mail cannot forge a part."""
    while True:
        boundary = f"=_auditbot_{secrets.token_hex(12)}"
        if boundary not in mail.text and boundary not in mail.html:
            return boundary


def _header(name: str, value: str) -> str:
    header = f"{name}: {value}\n"
    # Each physical line counts: an encoded subject is folded over several.
    if any(len(line) > MAX_LINE for line in header.split("\n")):
        raise UnsafeHeaderError(f"the {name} header is longer than a mail line may be")
    return header


def _subject(subject: str) -> str:
    # Plain ASCII is written as it is, unless it holds "=?", which a mail client would take
    # for the start of an encoded word and show as something else.
    if subject.isascii() and "=?" not in subject and len(subject) < MAX_LINE - len("Subject: "):
        return subject
    # RFC 2047 encoded words, folded onto continuation lines.
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")


def _text_part(subtype: str, body: str) -> str:
    head = f'Content-Type: text/{subtype}; charset="utf-8"\nContent-Transfer-Encoding: '
    data = body.encode()
    if b"\r" not in data and max(map(len, data.split(b"\n"))) <= MAX_LINE:
        # As written: a person opening the file reads the mail itself.
        return head + ("7bit" if body.isascii() else "8bit") + "\n\n" + body
    encoded = binascii.b2a_qp(data, istext=False).decode("ascii")
    return head + "quoted-printable\n\n" + encoded


def _file_part(name: str, data: bytes) -> str:
    kind = _FILE_TYPES.get(name.rpartition(".")[2].lower(), "application/octet-stream")
    return (
        f"Content-Type: {kind}\nContent-Transfer-Encoding: base64\n"
        f'Content-Disposition: attachment; filename="{name}"\n\n'
        + base64.encodebytes(data).decode("ascii")
    )


_FILE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}


def _image_part(cid: str, png: bytes) -> str:
    return (
        f"Content-Type: image/png\nContent-Transfer-Encoding: base64\n"
        f'Content-Disposition: inline; filename="{cid}.png"\nContent-ID: <{cid}>\n\n'
        + base64.encodebytes(png).decode("ascii")
    )
