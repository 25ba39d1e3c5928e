"""Who sent a message and which thread it belongs to, read strictly.

The sender decides who may act, so it is read from From: alone (never Reply-To) and refused
when it is unclear: two From headers that differ, several addresses, or an address hidden in
a display name. The raw value is read before RFC 2047 decoding, because an encoded display
name may decode to text that looks like an address. Sender: and Resent-From: never decide who
acts, but a message relayed or sent on someone's behalf says so there, and that is reported.
"""

from __future__ import annotations

import re

from bot.core.replies.mime import Mail, undecoded_header_value

_QUOTED_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_COMMENT = re.compile(r"\([^()]*\)")
_ANGLE = re.compile(r"<([^<>]*)>")
_ADDRESS = re.compile(
    r"(?<![A-Za-z0-9.!#$%&'*+/=?^_`{|}~-])[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,500}>")
MAX_ADDRESS = 254  # RFC 5321's limit on a forward path, so on any address that can be used
# An addr-spec, strictly: dot-atom local part, hostname labels; letters may be non-ASCII
# (RFC 6531), whitespace and control characters never.
_ATEXT = r"[\w!#$%&'*+/=?^`{|}~-]+"
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_ADDR_SPEC = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*")
UNREADABLE = "(unreadable)"
MAX_OTHER_SENDERS = 10


def is_address(text: str) -> bool:
    """A syntactically valid addr-spec of at most 254 characters (local part at most 64)."""
    local, _, _ = text.rpartition("@")
    return (
        len(text) <= MAX_ADDRESS
        and 0 < len(local) <= 64
        and text.isprintable()
        and bool(_ADDR_SPEC.fullmatch(text))
    )


def _address_in(value: str) -> str | None:
    if len(value) > 2000:
        return None  # no honest From header is this long
    value = _COMMENT.sub(" ", _COMMENT.sub(" ", _QUOTED_STRING.sub(" ", value)))
    angles = _ANGLE.findall(value)
    outside = _ANGLE.sub(" ", value)
    if len(angles) > 1 or "<" in outside or ">" in outside:
        return None
    candidate = (angles[0] if angles else outside).strip()
    if candidate.lower().startswith("mailto:"):
        candidate = candidate[len("mailto:") :]
    if len(candidate) > MAX_ADDRESS or not _ADDRESS.fullmatch(candidate):
        return None
    if angles and any(other.lower() != candidate.lower() for other in _ADDRESS.findall(outside)):
        return None  # a different address in the display name: ambiguous, perhaps a spoof
    return candidate.lower()


def read_sender(mail: Mail) -> str | None:
    """The lower-cased From address, or None when absent, unparseable or ambiguous."""
    raw = mail.raw_headers.get("from", [])
    values = {undecoded_header_value(value).strip() for value in raw} - {""}
    addresses = {_address_in(value) for value in values}
    if len(addresses) != 1:
        return None
    return addresses.pop()


def _mailboxes(value: str) -> list[str]:
    """A mailbox-list split at the commas between mailboxes (not those in quotes)."""
    pieces, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(value):
        if char == '"' and (index == 0 or value[index - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char in "(<":
            depth += 1
        elif not quoted and char in ")>":
            depth = max(0, depth - 1)
        elif char == "," and not quoted and not depth:
            pieces.append(value[start:index])
            start = index + 1
    pieces.append(value[start:])
    return [piece for piece in pieces if piece.strip()]


def other_senders(mail: Mail, sender: str | None) -> tuple[str, ...]:
    """Sender: and Resent-From: addresses other than the From address, lower-cased."""
    found: list[str] = []
    for name in ("sender", "resent-from"):
        for raw in mail.raw_headers.get(name, []):
            value = undecoded_header_value(raw).strip()
            # An over-long value is refused whole by _address_in, never read in part.
            pieces = (_mailboxes(value) if len(value) <= 2000 else []) or [value]
            for piece in pieces:
                address = _address_in(piece.strip()) or UNREADABLE
                if address != sender and address not in found and len(found) < MAX_OTHER_SENDERS:
                    found.append(address)
    return tuple(found)


def first_message_id(mail: Mail, name: str) -> str | None:
    value = mail.first(name)
    if value is None:
        return None
    match = _MESSAGE_ID.search(value)
    if match:
        return match.group(0)
    return value.strip()[:500] or None


def message_ids(mail: Mail, name: str) -> tuple[str, ...]:
    found: list[str] = []
    for value in mail.values(name):
        for message_id in _MESSAGE_ID.findall(value):
            if message_id not in found and len(found) < 100:
                found.append(message_id)
    return tuple(found)


def auth_internal(mail: Mail) -> bool | None:
    """Exchange stamps mail authenticated inside the organisation ``AuthAs: Internal``."""
    values = mail.values("x-ms-exchange-organization-authas")
    if not values:
        return None
    return all(value.strip().lower() == "internal" for value in values)
