"""`auditbot reply`: write a reply into the local inbox as someone in the roster would.

For the demo and rehearsals on the local transport: a newcomer answers the latest mail an
auditor, a Head of Service or the director received, then ticks, and watches what follows.
The reply is threaded and quoted as Outlook writes one, so the bot reads it as it would a
real one. Nothing is sent anywhere.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from bot.config import LocalMail, Settings
from bot.errors import AuditBotError
from bot.inputs import sheets


class ReplyNotWrittenError(AuditBotError):
    """The reply cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class Person:
    name: str
    email: str


def people(settings: Settings) -> list[Person]:
    """Everyone who may write in: the roster's auditors and Heads of Service, the director."""
    director = settings.director
    found = {director.email.lower(): Person(director.name, director.email)}
    for auditor in sheets.read_roster(settings.roster).auditors.values():
        found.setdefault(auditor.email.lower(), Person(auditor.name, auditor.email))
        head = auditor.head_of_service_email
        if head:
            found.setdefault(head, Person(auditor.head_of_service or head, head))
    return list(found.values())


def find_person(settings: Settings, who: str) -> Person:
    """``who`` is an address or a full name, as in the roster; case does not matter."""
    wanted = " ".join(who.split()).lower()
    everyone = people(settings)
    matches = [p for p in everyone if wanted in (p.email.lower(), p.name.lower())]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ReplyNotWrittenError(
            f"nobody called {who!r} is in the roster or is the director; give a full name "
            "or an address as the roster has it"
        )
    raise ReplyNotWrittenError(f"{who!r} names more than one person; give their address instead")


def write_reply(
    settings: Settings,
    who: str,
    text: str,
    now: datetime,
    subject: str | None = None,
    about: str | None = None,
) -> tuple[Path, str]:
    """Put ``who``'s reply to the latest mail they received into the local inbox (or a new
    mail with ``subject`` if they have received none); with ``about``, the latest whose
    subject names it (a request's reference). The file and the subject used."""
    mail = settings.mail
    if not isinstance(mail, LocalMail):
        raise ReplyNotWrittenError(
            "replies can be written in only on the local transport; this config uses "
            "Microsoft 365, so reply from a mail client instead"
        )
    person = find_person(settings, who)
    original = latest_mail_to(mail.outbox, person.email, about)
    if about is not None and original is None:
        raise ReplyNotWrittenError(f"{person.name} has received no mail about {about}")
    message = EmailMessage()
    message["From"] = email.utils.formataddr((person.name, person.email))
    message["To"] = settings.mailbox
    message["Date"] = email.utils.format_datetime(now)
    message["Message-ID"] = email.utils.make_msgid(domain=person.email.rpartition("@")[2])
    if original is None or subject is not None:
        message["Subject"] = subject or "Case audits"
        message.set_content(text + "\n")
    else:
        message["Subject"] = f"RE: {original['Subject']}"
        message["In-Reply-To"] = original["Message-ID"]
        message["References"] = original["Message-ID"]
        message.set_content(_quoted(text, original, person))
    return _deliver(mail.inbox, message.as_bytes()), str(message["Subject"])


def latest_mail_to(outbox: Path, address: str, about: str | None = None) -> EmailMessage | None:
    """The most recent message in the outbox maildir sent to ``address`` (To or Cc), and
    with ``about`` in its subject if given."""
    latest: tuple[datetime, str, EmailMessage] | None = None
    for folder in ("new", "cur"):
        for path in (outbox / folder).glob("*"):
            parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            if address.lower() not in _recipients(parsed):
                continue
            if about is not None and about.upper() not in str(parsed["Subject"]).upper():
                continue
            sent = parsed["Date"].datetime
            if latest is None or (sent, path.name) > latest[:2]:
                latest = (sent, path.name, parsed)
    return None if latest is None else latest[2]


def _recipients(message: EmailMessage) -> set[str]:
    found = set()
    for header in ("To", "Cc"):
        value = message.get(header)
        if value is not None:
            found |= {a.addr_spec.lower() for a in value.addresses}
    return found


def _quoted(text: str, original: EmailMessage, person: Person) -> str:
    body = original.get_body(("plain",))
    quoted = body.get_content() if isinstance(body, EmailMessage) else ""
    return (
        f"{text}\n\n"
        f"From: {original['From']}\n"
        f"Sent: {original['Date'].datetime:%A, %d %B %Y %H:%M}\n"
        f"To: {person.name} <{person.email}>\n"
        f"Subject: {original['Subject']}\n\n"
        f"{quoted}"
    )


def _deliver(inbox: Path, raw: bytes) -> Path:
    """Into the maildir's new/ by rename, as a mail server delivers: never half a file."""
    name = f"{secrets.token_hex(8)}.{os.getpid()}.reply"
    temporary = inbox / "tmp" / name
    temporary.write_bytes(raw)
    delivered = inbox / "new" / name
    temporary.replace(delivered)
    return delivered
