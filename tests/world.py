"""A council in a temporary folder: config, roster, sheets, and the bot pointed at it.

Tests travel in time by ticking at chosen local times and read the mail that lands in
the outbox maildir, as a person would.
"""

from __future__ import annotations

import csv
import email
import email.policy
import email.utils
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App
from bot.config import load_settings
from bot.tick import TickReport, tick

LONDON = ZoneInfo("Europe/London")

QA = "qa-team@council.example"
DIRECTOR = "director@council.example"
BOT = "audit-bot@council.example"

# Named personas: (name, email, team, head of service email, head of service name)
SAM = ("Sam Patel", "sam@council.example", "Children in Need", "hana@council.example", "Hana Ahmed")
ALEX = (
    "Alex Jones",
    "alex@council.example",
    "Looked After Children",
    "hana@council.example",
    "Hana Ahmed",
)
KIM = ("Kim Lee", "kim@council.example", "Early Help", "omar@council.example", "Omar Khan")
HANA = "hana@council.example"
OMAR = "omar@council.example"
PERSONAS = (SAM, ALEX, KIM)


@dataclass(frozen=True)
class Landed:
    """One message found in the outbox maildir."""

    key: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    html: str
    message: EmailMessage

    @property
    def kind(self) -> str:
        return self.key.split("/")[0]


def parse_landed(raw: bytes) -> Landed:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)

    def addresses(header: str) -> tuple[str, ...]:
        value = message.get(header)
        return tuple(a.addr_spec for a in value.addresses) if value else ()

    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return Landed(
        key=str(message["X-Audit-Bot-Key"]),
        to=addresses("To"),
        cc=addresses("Cc"),
        subject=str(message["Subject"]),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
        message=message,
    )


@dataclass
class World:
    root: Path
    store: str
    seen: set[str] = field(default_factory=set)
    app: App | None = None

    @classmethod
    def create(
        cls, root: Path, store: str | None = None, digests: bool = False, **schedule: object
    ) -> World:
        """A council; weekly digests are off unless asked for, so that tests of the monthly
        cycle see only its own mail."""
        store = store or f"sqlite:///{root / 'var' / 'bot.db'}"
        world = cls(root, store)
        (root / "allocations").mkdir(parents=True)
        (root / "completions").mkdir()
        lines = [
            "timezone: Europe/London",
            "council: Example Borough Council",
            f"mailbox: {BOT}",
            f"director: {{name: Dana Director, email: {DIRECTOR}}}",
            f"qa_team: {{email: {QA}}}",
            "roster: roster.csv",
            "allocations: allocations",
            "completions: completions",
            f"store: '{store}'",
            "mail: {transport: local, outbox: mail/outbox, inbox: mail/inbox}",
            f"digest: {{enabled: {str(digests).lower()}}}",
            "schedule:",
            '  send_time: "09:00"',
            *(f"  {k}: {v}" for k, v in schedule.items()),
        ]
        (root / "config.yaml").write_text("\n".join(lines) + "\n")
        world.write_roster(PERSONAS)
        return world

    def enable_digests(self) -> None:
        text = self.config.read_text().replace(
            "digest: {enabled: false}", "digest: {enabled: true}"
        )
        self.config.write_text(text)

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    def write_roster(self, people, extra_rows: list[list[str]] | None = None) -> None:
        """A person of six values carries a role (auditor or moderator) in a role column."""
        rows = [["name", "email", "team", "head_of_service_email", "head_of_service"]]
        people = [list(p) for p in people]
        if any(len(p) > 5 for p in people):
            rows[0].append("role")
            people = [p + [""] * (6 - len(p)) for p in people]
        rows += people + (extra_rows or [])
        _write_csv(self.root / "roster.csv", rows)

    def write_allocations(self, month: str, rows: list[tuple[str, ...]]) -> Path:
        path = self.root / "allocations" / f"{month}.csv"
        _write_csv(path, [["auditor_email", "case_ref", "audit_type"], *map(list, rows)])
        return path

    def write_completions(
        self,
        month: str,
        rows: list[tuple[str, ...]],
        modified: str | None = None,
        extra: tuple[str, ...] = (),
    ) -> Path:
        """The month's completions export; ``modified`` (a local time) is when the audit tool
        made it, as the file's modification time: the bot reads an export modified after the
        deadline as covering it. Without it the file is as new as the test run. ``extra`` names
        optional columns after the grade (case_team, action_needed)."""
        path = self.root / "completions" / f"{month}.csv"
        header = ["case_ref", "auditor_email", "submitted_on", "grade", *extra]
        _write_csv(path, [header, *map(list, rows)])
        if modified is not None:
            stamp = datetime.fromisoformat(modified).replace(tzinfo=LONDON).timestamp()
            os.utime(path, (stamp, stamp))
        return path

    def open(self) -> App:
        if self.app is None:
            self.app = App.open(load_settings(self.config))
        return self.app

    def close(self) -> None:
        if self.app is not None:
            self.app.close()
            self.app = None

    def tick(self, when: str | datetime) -> TickReport:
        moment = datetime.fromisoformat(when) if isinstance(when, str) else when
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=LONDON)
        return tick(self.open(), moment)

    def deliver(self, raw: bytes) -> None:
        self.open().transport.deliver(raw)

    def reply(self, original: Landed, sender: str, body: str, **options: object) -> None:
        self.deliver(build_reply(original, sender, body, **options))

    def write_in(self, sender: str, subject: str, body: str, **options: object) -> None:
        self.deliver(build_new(sender, subject, body, **options))

    def filed(self, folder: str) -> int:
        """How many inbound messages sit in the inbox's Processed or Quarantine folder."""
        path = self.root / "mail" / "inbox" / f".{folder}" / "cur"
        return len(list(path.iterdir())) if path.exists() else 0

    def all_mail(self) -> list[Landed]:
        new = self.root / "mail" / "outbox" / "new"
        return sorted((parse_landed(p.read_bytes()) for p in new.iterdir()), key=lambda m: m.key)

    def new_mail(self) -> list[Landed]:
        """Messages that landed since the last call."""
        new = self.root / "mail" / "outbox" / "new"
        fresh = sorted(p for p in new.iterdir() if p.name not in self.seen)
        self.seen.update(p.name for p in fresh)
        return sorted((parse_landed(p.read_bytes()) for p in fresh), key=lambda m: m.key)

    def allocate_may(self) -> World:
        """May 2021's allocations sent (Sam two cases, Alex and Kim one each) with nothing
        submitted yet, and the mail of that day seen: where many scenarios start."""
        self.write_allocations(
            "2021-05",
            [
                (SAM[1], "CR-1001", "case_audit"),
                (SAM[1], "CR-1002", "case_audit"),
                (ALEX[1], "CR-2001", "case_audit"),
                (KIM[1], "CR-3001", "case_audit"),
            ],
        )
        self.write_completions("2021-05", [])
        self.tick("2021-05-04T09:30")
        self.new_mail()
        return self

    def run_days(self, first: date, last: date, at: str = "09:30") -> dict[date, list[Landed]]:
        """Tick once a day at ``at`` local time; the mail that landed, by day."""
        by_day: dict[date, list[Landed]] = {}
        day = first
        while day <= last:
            self.tick(f"{day.isoformat()}T{at}")
            if landed := self.new_mail():
                by_day[day] = landed
            day += timedelta(days=1)
        return by_day


def build_reply(
    original: Landed,
    sender: str,
    body: str,
    *,
    subject: str | None = None,
    threading: bool = True,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> bytes:
    """A reply as Outlook writes one: new text on top, the original quoted below."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = BOT
    reply["Subject"] = subject if subject is not None else f"RE: {original.subject}"
    reply["Message-ID"] = message_id or email.utils.make_msgid(domain="council.example")
    if threading:
        reply["In-Reply-To"] = original.message["Message-ID"]
        reply["References"] = original.message["Message-ID"]
    for name, value in (headers or {}).items():
        reply[name] = value
    quoted = (
        f"{body}\n\n"
        f"From: Audit bot <{BOT}>\nSent: Tuesday, May 4, 2021 9:30 AM\n"
        f"To: {sender}\nSubject: {original.subject}\n\n{original.text}"
    )
    reply.set_content(quoted)
    return reply.as_bytes()


def build_new(sender: str, subject: str, body: str, headers: dict[str, str] | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = BOT
    message["Subject"] = subject
    message["Message-ID"] = email.utils.make_msgid(domain="council.example")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
