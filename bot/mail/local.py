"""The embedded default: outgoing mail is written to a maildir, replies are read from another."""

from __future__ import annotations

import email
import email.policy
import hashlib
import mailbox
import os
import secrets
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from bot.mail.message import OutgoingMail, mime_bytes
from bot.mail.transport import Folder, InboundItem, SendOutcomeUnknownError


class AlreadySentError(SendOutcomeUnknownError):
    """The key was sent before: the outbox settles the row as sent via ``was_sent``."""


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

    def send(self, mail: OutgoingMail, now: datetime) -> None:
        key = mail.key
        name = self._name(key)
        temporary = self.outbox / "tmp" / f"{name}.{os.getpid()}"
        fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(mime_bytes(mail, now))
        try:
            # link() never replaces: a key can land once, and a second send is refused.
            os.link(temporary, self.outbox / "new" / name)
        except FileExistsError:
            self._journal("REFUSED-DUPLICATE", key)
            raise AlreadySentError(f"{key} is already in the outbox") from None
        finally:
            temporary.unlink(missing_ok=True)
        self._journal("SENT", key)

    def _journal(self, what: str, key: str) -> None:
        """One line per delivery, like a mail server's log: key and outcome."""
        with (self.outbox / "sent.log").open("a", encoding="utf-8") as log:
            log.write(f"{what} {key}\n")

    def was_sent(self, key: str) -> bool:
        name = self._name(key)
        return (self.outbox / "new" / name).exists() or any((self.outbox / "cur").glob(name + "*"))

    def sent_messages(self) -> mailbox.Maildir:
        """The outbox as a standard maildir, for tests, the demo and people."""
        return mailbox.Maildir(self.outbox, create=False)

    def fetch_new(self) -> list[InboundItem]:
        items = []
        for sub in ("new", "cur"):
            for path in sorted((self.inbox / sub).iterdir()):
                if path.is_file():
                    items.append(InboundItem(f"{sub}/{path.name}", path.read_bytes()))
        return items

    def move(self, item_id: str, folder: Folder) -> None:
        # Maildir++ subfolder (".Processed"), as mail clients and Dovecot lay them out.
        target = self.inbox / f".{folder}"
        _make_private_maildir(target)
        name = item_id.split("/", 1)[1]
        try:
            (self.inbox / item_id).replace(target / "cur" / name.split(":")[0])
        except FileNotFoundError:
            # Another instance filed it first; anything else missing is a real fault.
            if not any(
                (self.inbox / f".{f}" / "cur" / name).exists() for f in ("Processed", "Quarantine")
            ):
                raise

    def forget_filed(self, digests: set[str]) -> int:
        """Delete from the Processed and Quarantine folders each message whose SHA-256 is in
        ``digests`` (their retention period is over); how many went."""
        gone = 0
        if not digests:
            return gone
        for folder in ("Processed", "Quarantine"):
            for sub in ("cur", "new"):
                where = self.inbox / f".{folder}" / sub
                if not where.is_dir():
                    continue
                for path in where.iterdir():
                    if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() in digests:
                        path.unlink(missing_ok=True)
                        gone += 1
        return gone

    def forget_sent(self, keys: list[str]) -> int:
        """Cut each sent message under ``keys`` down to its headers: its body may quote what
        someone wrote. The file stays, so ``was_sent`` still knows the key was sent."""
        cut = 0
        for key in keys:
            name = self._name(key)
            for path in [self.outbox / "new" / name, *(self.outbox / "cur").glob(name + "*")]:
                if not path.is_file():
                    continue
                original = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                kept = EmailMessage()
                for header, value in original.items():
                    if not header.lower().startswith(("content-", "mime-version")):
                        kept[header] = value
                kept.set_content("(body deleted: its retention period is over)\n")
                temporary = self.outbox / "tmp" / f"{name}.{os.getpid()}.cut"
                fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(kept.as_bytes())
                temporary.replace(path)
                cut += 1
        return cut

    def deliver(self, raw: bytes) -> str:
        """Put a message into the inbox as a mail server would (tests and the demo)."""
        digest = hashlib.sha256(raw).hexdigest()[:24]
        name = f"{digest}.{os.getpid()}.{secrets.token_hex(4)}"
        temporary = self.inbox / "tmp" / name
        temporary.write_bytes(raw)
        temporary.replace(self.inbox / "new" / name)
        return name
