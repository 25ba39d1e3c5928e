"""What the reply reader says about one inbound message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
    UNCLEAR = "unclear"  # not sure which action is meant: ask the sender, never guess
    UNKNOWN = "unknown"
    # Read by the fuller reader (Reading); the shell sees them through ``shell_intent``.
    PARTLY_COMPLETED = "partly_completed"
    EXEMPTION_REQUEST_ON_BEHALF = "exemption_request_on_behalf"
    SUPPORT = "support"
    NOT_SUPPORT = "not_support"
    APPROVE_PARTIAL = "approve_partial"
    NO_ACTION = "no_action"


class Role(StrEnum):
    """Who wrote a message, as the roster and config say: the reader reads by role."""

    AUDITOR = "auditor"
    HEAD_OF_SERVICE = "head_of_service"
    DIRECTOR = "director"
    QA_TEAM = "qa_team"
    OUTSIDER = "outsider"


# The readings that act: moving a request forward, deciding it, or stopping reminders.
ACTING = frozenset(
    {
        Intent.EXEMPTION_REQUEST,
        Intent.EXEMPTION_REQUEST_ON_BEHALF,
        Intent.SUPPORT,
        Intent.NOT_SUPPORT,
        Intent.APPROVE,
        Intent.APPROVE_PARTIAL,
        Intent.DECLINE,
        Intent.COMPLETED,
        Intent.WITHDRAW,
    }
)

# The one place where a reading the shell does not yet act on is made safe for it: the
# shell forwards UNKNOWN to the QA team. Support and refusal reach it as the decision words
# it already binds to the Head of Service by sender.
_FOR_SHELL = {
    Intent.SUPPORT: Intent.APPROVE,
    Intent.NOT_SUPPORT: Intent.DECLINE,
    Intent.PARTLY_COMPLETED: Intent.UNKNOWN,
    Intent.EXEMPTION_REQUEST_ON_BEHALF: Intent.UNKNOWN,
    Intent.APPROVE_PARTIAL: Intent.UNKNOWN,
    Intent.NO_ACTION: Intent.UNKNOWN,
}


def shell_intent(intent: Intent) -> Intent:
    """The intent as the shell (bot.core.inbound) knows intents today."""
    return _FOR_SHELL.get(intent, intent)


@dataclass(frozen=True)
class Reading:
    """What a person's new text means, read with who wrote it in mind."""

    intent: Intent
    confidence: float  # 0-1: how sure the rules are; below 0.5 the intent is UNCLEAR
    alternatives: tuple[Intent, ...]  # the readings to offer when asking back
    reason: Reason | None  # for the two exemption intents
    cases: tuple[str, ...]  # case references in the new text, upper-cased, in order
    until: date | None  # a date named for an extension or a late submission
    on_behalf_of: str | None  # the roster address a Head of Service names
    masked: str  # the new text with children's names replaced
    child_names_masked: int


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
    reading: Reading | None = None  # for a person's reply (and an automatic one's words)
    # The day the sender wrote it (its Date header, in London), when that is believable:
    # what "next Friday" in it is counted from. None when absent, unreadable or not
    # between a month before the day it is read and that day.
    sent_on: date | None = None


JsonValue = str | int | float | list[str] | None


def reading_as_json(reading: Reading | None) -> dict[str, JsonValue]:
    if reading is None:
        return {"reading": None}
    return {
        "reading": reading.intent.value,
        "cases": list(reading.cases),
        "until": reading.until.isoformat() if reading.until else None,
        "on_behalf_of": reading.on_behalf_of,
        "child_names_masked": reading.child_names_masked,
        "masked_body": reading.masked,
        "confidence": round(reading.confidence, 2),
        "alternatives": [intent.value for intent in reading.alternatives],
    }


def analysis_as_json(analysis: Analysis) -> dict[str, JsonValue]:
    """The fields a person or a log needs, as JSON-ready values. ``intent`` is the full
    reading; ``acted_on_as`` is what the shell acts on today."""
    reading = analysis.reading
    return {
        "kind": analysis.kind.value,
        "body": analysis.body,
        "intent": (reading.intent.value if reading else None)
        if analysis.kind is Kind.REPLY
        else None,
        "acted_on_as": analysis.intent.value if analysis.intent is not None else None,
        "reason": reading.reason.value
        if reading and reading.reason and analysis.kind is Kind.REPLY
        else None,
        "reference": analysis.reference,
        "month": str(analysis.month) if analysis.month is not None else None,
        "sender": analysis.sender,
        "subject": analysis.subject,
        "malformed": analysis.malformed,
        "automatic": analysis.automatic,
        "other_senders": list(analysis.other_senders),
        **{k: v for k, v in reading_as_json(reading).items() if k != "reading"},
    }
