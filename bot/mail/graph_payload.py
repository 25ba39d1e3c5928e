"""Microsoft Graph's JSON for an outgoing message: what sendMail takes, built from MIME.

Custom headers go as ``internetMessageHeaders`` (only ``x-`` ones are allowed); the rest
ride on Exchange properties that its MIME writer turns back into headers."""

from __future__ import annotations

import base64
from email.message import EmailMessage, Message
from email.utils import getaddresses
from typing import Any

from bot.mail.message import KEY_HEADER

# The bot's own named-property namespace; the name is case-sensitive in a $filter.
KEY_PROPERTY = "String {8f0c5a3e-2d4b-4c1a-9e57-6b3f1d2a7c90} Name AuditBotKey"
# PS_INTERNET_HEADERS: named properties here become MIME headers of the same name.
AUTO_SUBMITTED_PROPERTY = "String {00020386-0000-0000-C000-000000000046} Name Auto-Submitted"
IN_REPLY_TO_PROPERTY = "String 0x1042"  # PidTagInReplyToId
REFERENCES_PROPERTY = "String 0x1039"  # PidTagInternetReferences
# Carried by message properties or the MIME structure, not as headers.
STRUCTURAL_HEADERS = frozenset(
    {"from", "date", "mime-version", "content-type", "content-transfer-encoding"}
)


class UnsupportedHeaderError(ValueError):
    """A header Graph cannot carry on a new message; refused rather than dropped."""


def _recipients(message: Message, header: str) -> list[dict[str, Any]]:
    found = []
    for name, address in getaddresses([str(v) for v in message.get_all(header, [])]):
        if address:
            entry: dict[str, str] = {"address": address}
            if name:
                entry["name"] = name
            found.append({"emailAddress": entry})
    return found


def graph_message(message: EmailMessage, key: str) -> dict[str, Any]:
    """The sendMail ``message`` resource for an RFC 5322 message built by ``build_message``."""
    headers: list[dict[str, str]] = []
    properties = [{"id": KEY_PROPERTY, "value": key}]
    out: dict[str, Any] = {"subject": str(message.get("Subject", ""))}
    for header, field in (
        ("To", "toRecipients"),
        ("Cc", "ccRecipients"),
        ("Bcc", "bccRecipients"),
        ("Reply-To", "replyTo"),
    ):
        if message.get(header) is not None:
            out[field] = _recipients(message, header)
    for name, value in message.items():
        lower = name.lower()
        if lower.startswith("x-"):
            headers.append({"name": name, "value": str(value)})
        elif lower == "message-id":
            out["internetMessageId"] = str(value).strip()
        elif lower == "auto-submitted":
            properties.append({"id": AUTO_SUBMITTED_PROPERTY, "value": str(value)})
        elif lower == "in-reply-to":
            properties.append({"id": IN_REPLY_TO_PROPERTY, "value": str(value)})
        elif lower == "references":
            properties.append({"id": REFERENCES_PROPERTY, "value": str(value)})
        elif lower not in STRUCTURAL_HEADERS and lower not in {
            "subject",
            "to",
            "cc",
            "bcc",
            "reply-to",
        }:
            raise UnsupportedHeaderError(f"Graph cannot send the {name} header on a new message")
    if not any(h["name"].lower() == KEY_HEADER.lower() for h in headers):
        headers.append({"name": KEY_HEADER, "value": key})
    out["internetMessageHeaders"] = headers
    out["singleValueExtendedProperties"] = properties
    html = message.get_body(("html",))
    plain = message.get_body(("plain",))
    body = html or plain
    if body is None:
        out["body"] = {"contentType": "Text", "content": ""}
    else:
        kind = "HTML" if body is html else "Text"
        out["body"] = {"contentType": kind, "content": body.get_content()}  # type: ignore[attr-defined]
    html_text = out["body"]["content"] if html is not None else ""
    attachments = _attachments(message, {id(html), id(plain)}, html_text)
    if attachments:
        out["attachments"] = attachments
    return out


def _attachments(message: EmailMessage, bodies: set[int], html: str) -> list[dict[str, Any]]:
    # An image the HTML shows through a cid: link is inline; anything else is an attachment.
    found = []
    for part in message.walk():
        if part.is_multipart() or id(part) in bodies:
            continue
        cid = str(part.get("Content-ID", "")).strip().strip("<>")
        payload = part.get_payload(decode=True)
        found.append(
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": part.get_filename() or cid or "attachment",
                "contentType": part.get_content_type(),
                "contentBytes": base64.b64encode(
                    payload if isinstance(payload, bytes) else b""
                ).decode(),
                "isInline": bool(cid) and f"cid:{cid}" in html,
                **({"contentId": cid} if cid else {}),
            }
        )
    return found
