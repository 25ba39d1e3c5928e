"""The one interface every mail transport implements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from bot.errors import AuditBotError
from bot.mail.message import OutgoingMail

Folder = Literal["Processed", "Quarantine"]


@dataclass(frozen=True)
class InboundItem:
    """One message waiting in the bot's inbox; ``id`` is the transport's own handle."""

    id: str
    raw: bytes


class SendOutcomeUnknownError(AuditBotError):
    """The request may have reached the server but no answer came back: the message may
    or may not have gone. Never resend blind; ask ``was_sent`` first."""


class Transport(Protocol):
    def send(self, mail: OutgoingMail, now: datetime) -> None:
        """Deliver ``mail`` in the transport's own form, dated ``now``; raise on failure
        (SendOutcomeUnknownError if it may have gone)."""

    def was_sent(self, key: str) -> bool:
        """Whether a message carrying ``key`` is already among the sent mail."""

    def fetch_new(self) -> list[InboundItem]:
        """Messages in the inbox not yet moved to Processed or Quarantine."""

    def move(self, item_id: str, folder: Folder) -> None:
        """File a message away once what it asked for has been recorded. Never deletes."""
