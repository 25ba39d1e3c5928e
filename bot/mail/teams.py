"""The director's digest as an Adaptive Card in a Teams channel, through a Workflows webhook.

Graph cannot post to a channel with application permissions (channel messages are
delegated-only for apps), so the channel owner adds the "Post to a channel when a webhook
request is received" workflow and gives the bot its URL. The URL is a secret (anyone holding
it can post): it comes from the environment, never config.yaml. A failure here never holds up
the digest mail: the caller logs the ``TeamsWebhookError`` and carries on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests

from bot.errors import AuditBotError

CARD_VERSION = "1.4"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_FACTS = 40  # a long FactSet is unreadable in a channel; the mail carries the rest


class TeamsWebhookError(AuditBotError):
    """The card was not accepted; the message says by whom and why, never the URL's secret."""


def digest_card(title: str, facts: list[tuple[str, str]], link: str) -> dict[str, Any]:
    """An Adaptive Card 1.4 with a title, the figures as a FactSet and a button to the full
    digest, wrapped in the message envelope the Workflows trigger expects."""
    if not link.startswith(("https://", "mailto:")):
        raise ValueError("the digest link must be an https:// or mailto: URL")
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "size": "Large", "weight": "Bolder", "wrap": True}
    ]
    if facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": name, "value": value} for name, value in facts[:MAX_FACTS]],
            }
        )
    if len(facts) > MAX_FACTS:
        body.append(
            {
                "type": "TextBlock",
                "text": f"and {len(facts) - MAX_FACTS} more in the full digest",
                "isSubtle": True,
                "wrap": True,
            }
        )
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": "Open the full digest", "url": link}],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}],
    }


def post_card(webhook_url: str, card: dict[str, Any], timeout: float) -> None:
    """POST ``card`` to the Workflows webhook; raise ``TeamsWebhookError`` unless accepted."""
    parts = urlsplit(webhook_url)
    if parts.scheme != "https" or not parts.hostname:
        raise TeamsWebhookError("the Teams webhook URL must be an https URL")
    where = parts.hostname  # the path and query hold the signature: keep them out of logs
    try:
        response = requests.post(webhook_url, json=card, timeout=timeout)
    except requests.Timeout:
        raise TeamsWebhookError(
            f"Teams webhook at {where} did not answer in {timeout:g} s"
        ) from None
    except requests.RequestException as exc:
        raise TeamsWebhookError(
            f"Teams webhook at {where} could not be reached ({type(exc).__name__})"
        ) from None
    if 200 <= response.status_code < 300:
        return
    reason = response.reason or ""
    try:
        error = response.json().get("error", {})
        reason = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ") or reason
    except (ValueError, AttributeError):
        reason = response.text[:200] or reason
    hint = {
        400: "the card was refused (is the workflow's trigger an Adaptive Card one?)",
        401: "the workflow refused the call (has its URL been regenerated?)",
        403: "the workflow refused the call (has its URL been regenerated?)",
        404: "no workflow at this URL (was it deleted or turned off?)",
        429: "Teams is throttling the workflow; the next digest will try again",
    }.get(response.status_code, "the workflow failed")
    raise TeamsWebhookError(
        f"Teams webhook at {where} answered HTTP {response.status_code}: {hint}; {reason}"
    )
