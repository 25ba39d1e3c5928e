"""The embedded default: outgoing mail is written to a maildir, replies are read from another."""

from __future__ import annotations

import hashlib
import mailbox
import os
from email.message import EmailMessage
from pathlib import Path


def _make_private_maildir(path: Path) -> None:
    for sub in ("", "tmp", "new", "cur"):
        (path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)


class LocalTransport:
    """Each sent message becomes one file in ``outbox``'s ``new/`` folder.

    The file name is derived from the message key and written by an atomic rename, so
    "was it sent?" has an exact answer even after the process was killed mid-send.
    """

    def __init__(self, outbox: Path, inbox: Path) -> None:
        self.outbox = outbox
        self.inbox = inbox
        _make_private_maildir(outbox)
        _make_private_maildir(inbox)

    @staticmethod
    def _name(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()[:40] + ".auditbot"

    def send(self, message: EmailMessage, key: str) -> None:
        name = self._name(key)
        temporary = self.outbox / "tmp" / f"{name}.{os.getpid()}"
        fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        temporary.replace(self.outbox / "new" / name)

    def was_sent(self, key: str) -> bool:
        name = self._name(key)
        return (self.outbox / "new" / name).exists() or any((self.outbox / "cur").glob(name + "*"))

    def sent_messages(self) -> mailbox.Maildir:
        """The outbox as a standard maildir, for tests, the demo and people."""
        return mailbox.Maildir(self.outbox, create=False)
