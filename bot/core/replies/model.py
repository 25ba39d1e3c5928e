"""What the reply reader says about one inbound message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.records import Month


class Kind(StrEnum):
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"


class Intent(StrEnum):
    EXEMPTION_REQUEST = "exemption_request"
    AT_RISK = "at_risk"
    COMPLETED = "completed"
    WITHDRAW = "withdraw"
    APPROVE = "approve"
    DECLINE = "decline"
    QUESTION = "question"
    UNCLEAR = "unclear"  # a decision under a condition, or renderings that disagree: ask
    UNKNOWN = "unknown"


class Reason(StrEnum):
    ABSENCE = "absence"
    OTHER_QA_ACTIVITY = "other_qa_activity"
    STATUTORY_WORK = "statutory_work"
    OTHER = "other"


@dataclass(frozen=True)
class Analysis:
    kind: Kind
    body: str  # the new text only: quotes and signature removed, whitespace tidied
    intent: Intent | None  # None when kind is not REPLY
    reason: Reason | None  # only for EXEMPTION_REQUEST, else None
    reference: str | None  # the reference token found (upper-cased), else None
    month: Month | None  # a month the new text names, else None
    sender: str | None  # lower-cased address from From: (never Reply-To)
    message_id: str | None  # with angle brackets as in the header
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    bounced_recipients: tuple[str, ...]  # for BOUNCE: the failed addresses, lower-cased
    malformed: str | None  # a plain reason when the message cannot be read safely
    auth_internal: bool | None  # X-MS-Exchange-Organization-AuthAs: Internal
    # Why an AUTO_REPLY is automatic: "out_of_office", "acknowledgement" (a ticketing or
    # service desk), "read_receipt" (read or delivery receipt) or "headers" (automatic
    # headers only). None for a person's reply and for a bounce.
    automatic: str | None
    # Lower-cased Sender: and Resent-From: addresses that differ from From:, in order;
    # "(unreadable)" for a value that holds no single clear address.
    other_senders: tuple[str, ...]
    # For a BOUNCE: the Message-IDs and X-Audit-Bot-Key values of the message sent back.
    returned_message_ids: tuple[str, ...]
    returned_keys: tuple[str, ...]
    # sha256 of what the message says (From, Subject, Date, every text part), not of how it
    # travelled: the same message delivered twice has the same digest, a forged copy not.
    content_digest: str


def analysis_as_json(analysis: Analysis) -> dict[str, str | list[str] | None]:
    """The fields a person or a log needs, as JSON-ready values."""
    return {
        "kind": analysis.kind.value,
        "body": analysis.body,
        "intent": analysis.intent.value if analysis.intent is not None else None,
        "reason": analysis.reason.value if analysis.reason is not None else None,
        "reference": analysis.reference,
        "month": str(analysis.month) if analysis.month is not None else None,
        "sender": analysis.sender,
        "subject": analysis.subject,
        "malformed": analysis.malformed,
        "automatic": analysis.automatic,
        "other_senders": list(analysis.other_senders),
    }
