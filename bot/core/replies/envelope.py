"""Who sent a message and which thread it belongs to, read strictly.

The sender decides who may act, so it is read from From: alone (never Reply-To) and refused
when it is unclear: two From headers that differ, several addresses, or an address hidden in
a display name. The raw value is read before RFC 2047 decoding, because an encoded display
name may decode to text that looks like an address.
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
    if not _ADDRESS.fullmatch(candidate):
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
