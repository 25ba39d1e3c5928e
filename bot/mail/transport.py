"""The one interface every mail transport implements."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class SendOutcomeUnknownError(Exception):
    """The request may have reached the server but no answer came back: the message may
    or may not have gone. Never resend blind; ask ``was_sent`` first."""


class Transport(Protocol):
    def send(self, message: EmailMessage, key: str) -> None:
        """Deliver ``message``; raise on failure (SendOutcomeUnknownError if it may have gone)."""

    def was_sent(self, key: str) -> bool:
        """Whether a message carrying ``key`` is already among the sent mail."""
