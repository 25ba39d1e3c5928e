"""Microsoft Graph's JSON for an outgoing message: what sendMail takes, built from the mail.

Custom headers go as ``internetMessageHeaders`` (only ``x-`` ones are allowed); the rest
ride on Exchange properties that its MIME writer turns back into headers."""

from __future__ import annotations

import base64
from typing import Any

from bot.mail.message import OutgoingMail

# The bot's own named-property namespace; the name is case-sensitive in a $filter.
KEY_PROPERTY = "String {8f0c5a3e-2d4b-4c1a-9e57-6b3f1d2a7c90} Name AuditBotKey"
# PS_INTERNET_HEADERS: named properties here become MIME headers of the same name.
AUTO_SUBMITTED_PROPERTY = "String {00020386-0000-0000-C000-000000000046} Name Auto-Submitted"


def _recipients(addresses: Any) -> list[dict[str, Any]]:
    return [{"emailAddress": {"address": address}} for address in addresses]


def graph_message(mail: OutgoingMail) -> dict[str, Any]:
    """The sendMail ``message`` resource: the same headers as the local transport writes."""
    headers = []
    properties = [{"id": KEY_PROPERTY, "value": mail.key}]
    for name, value in mail.bot_headers():
        if name.lower().startswith("x-"):
            headers.append({"name": name, "value": value})
        elif name == "Auto-Submitted":
            properties.append({"id": AUTO_SUBMITTED_PROPERTY, "value": value})
        else:  # a header added to bot_headers must be mapped here, never dropped
            raise ValueError(f"Graph has no way to carry the {name} header")
    out: dict[str, Any] = {
        "subject": mail.subject,
        "toRecipients": _recipients(mail.to),
        "internetMessageId": mail.message_id,
        "internetMessageHeaders": headers,
        "singleValueExtendedProperties": properties,
        "body": (
            {"contentType": "HTML", "content": mail.html}
            if mail.html
            else {"contentType": "Text", "content": mail.text}
        ),
    }
    if mail.cc:
        out["ccRecipients"] = _recipients(mail.cc)
    if mail.images or mail.attachments:
        out["attachments"] = [
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": f"{cid}.png",
                "contentType": "image/png",
                "contentBytes": base64.b64encode(png).decode(),
                "isInline": True,
                "contentId": cid,
            }
            for cid, png in mail.images.items()
        ] + [
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": name,
                "contentBytes": base64.b64encode(data).decode(),
                "isInline": False,
            }
            for name, data in mail.attachments.items()
        ]
    return out
