"""The demo's data: the made-up council it puts in, and the mail it reads back out.

In: people, May 2021's allocations and the day each audit arrives. Everything is invented.
Case references only: no child is named anywhere, and every reference matches the bot's
default case-reference pattern.

Out: each message in the outbox maildir, parsed with the stdlib as a mail client would.
"""

from __future__ import annotations

import csv
import email
import email.policy
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from email.message import EmailMessage
from pathlib import Path

from bot.core import keys
from bot.core.records import Month
from bot.mail.message import KEY_HEADER

MONTH = Month(2021, 5)
MONTH_FIRST_REQUEST = "EXM-2021-05-001"  # the first exemption request made in the demo
FIRST_DAY = date(2021, 5, 1)
LAST_DAY = date(2021, 6, 2)  # the close on Tue 1 June, and the day after it

COUNCIL = "Example Borough Council"
MAILBOX = "audit-bot@council.example"
QA_TEAM = "qa-team@council.example"
DIRECTOR = ("Helen Whitmore", "helen.whitmore@council.example")

# Heads of Service: (name, email).
PRIYA = ("Priya Sharma", "priya.sharma@council.example")
GARETH = ("Gareth Evans", "gareth.evans@council.example")
FIONA = ("Fiona Campbell", "fiona.campbell@council.example")


@dataclass(frozen=True)
class Case:
    ref: str
    audit_type: str
    submitted_on: date | None  # None: never submitted
    grade: str = "good"


@dataclass(frozen=True)
class DemoAuditor:
    name: str
    team: str
    head: tuple[str, str]
    cases: tuple[Case, ...]
    story: str  # what the demo shows through this person, for the reader of this file

    @property
    def email(self) -> str:
        return self.name.lower().replace(" ", ".").replace("'", "") + "@council.example"


def _d(day: int, month: int = 5) -> date:
    return date(2021, month, day)


# Reminder days in May 2021: stage 10 Fri 14, stage 5 Fri 21, stage 2 Wed 26 (copies the Head
# of Service), stage 0 Fri 28 (the deadline, Mon 31, is a bank holiday). Close: Tue 1 June.
AUDITORS: tuple[DemoAuditor, ...] = (
    DemoAuditor("Sam Patel", "Children in Need", PRIYA, (
        Case("CR-104233", "case audit", _d(7), "good"),
        Case("CR-104251", "dip sample", _d(18), "requires improvement"),
    ), "one stage-10 reminder, then done"),
    DemoAuditor("Emma Clarke", "Children in Need", PRIYA, (
        Case("CR-104262", "case audit", _d(10), "outstanding"),
        Case("CR-104270", "thematic", _d(12), "good"),
    ), "done early: never reminded"),
    DemoAuditor("Daniel Hughes", "Children in Need", PRIYA, (
        Case("CR-104288", "case audit", _d(13), "good"),
        Case("CR-104291", "case audit", _d(19), "good"),
        Case("CR-104305", "dip sample", _d(20), "inadequate"),
    ), "three cases; one reminder"),
    DemoAuditor("Aisha Begum", "Child Protection", PRIYA, (
        Case("CR-104317", "case audit", _d(17), "good"),
        Case("CR-104324", "service review", _d(24), "requires improvement"),
    ), "reminded at stages 10 and 5"),
    DemoAuditor("Tom Fletcher", "Child Protection", PRIYA, (
        Case("CR-104336", "case audit", _d(19), "good"),
        Case("CR-104342", "dip sample", _d(27), "good"),
    ), "stage 2 copies his Head of Service; done the day before the last reminder"),
    DemoAuditor("Rachel Morgan", "Child Protection", PRIYA, (
        Case("CR-104359", "case audit", None),
        Case("CR-104363", "case audit", None),
    ), "never submits: every reminder, then named at the close"),
    DemoAuditor("Chloe Walker", "Looked After Children", GARETH, (
        Case("CR-104377", "case audit", _d(6), "good"),
        Case("CR-104380", "thematic", _d(11), "outstanding"),
    ), "done early"),
    DemoAuditor("James O'Connor", "Looked After Children", GARETH, (
        Case("CR-104394", "case audit", _d(14), "good"),
        Case("CR-104402", "dip sample", _d(25), "requires improvement"),
        Case("CR-104415", "case audit", _d(30), "good"),
    ), "every reminder; last case on Sunday 30 May, in time"),
    DemoAuditor("Hannah Price", "Looked After Children", GARETH, (
        Case("CR-104428", "case audit", _d(20), "good"),
        Case("CR-104436", "service review", _d(1, 6), "good"),
    ), "last case a day after the deadline: missed at the close, then recorded as late"),
    DemoAuditor("Oliver Bennett", "Early Help", FIONA, (
        Case("CR-104441", "case audit", _d(5), "good"),
        Case("CR-104459", "dip sample", _d(13), "good"),
    ), "done early"),
    DemoAuditor("Zara Hussain", "Early Help", FIONA, (
        Case("CR-104463", "thematic", _d(18), "good"),
        Case("CR-104470", "case audit", _d(31), "inadequate"),
    ), "every reminder; submits on the deadline itself, a bank holiday, which counts"),
    DemoAuditor("Megan Lloyd", "Early Help", FIONA, (
        Case("CR-104484", "case audit", None),
        Case("CR-104497", "case audit", None),
    ), "never submits"),
)  # fmt: skip

CONFIG = f"""\
# Made by `auditbot demo`. A real council's config looks like this, with real addresses.
timezone: Europe/London
council: {COUNCIL}
mailbox: {MAILBOX}
director: {{name: {DIRECTOR[0]}, email: {DIRECTOR[1]}}}
qa_team: {{email: {QA_TEAM}}}

# The QA team's sheets (paths are relative to this file).
roster: roster.csv
allocations: allocations   # one sheet per month: 2021-05.csv or 2021-05.xlsx
completions: completions   # the audit tool's export of submitted audits, same naming

store: sqlite:///var/auditbot.db
# local: mail is written to a maildir instead of being sent. Nothing leaves this machine.
mail: {{transport: local, outbox: mail/outbox, inbox: mail/inbox}}

schedule:
  send_time: "09:00"
  reminders: [10, 5, 2, 0]           # working days before the deadline
  copy_head_of_service_from_stage: 2  # stages 2 and 0 copy the auditor's Head of Service
"""


def write_inputs(root: Path) -> None:
    """config.yaml, the roster and May's allocation sheet; completions start empty."""
    (root / "config.yaml").write_text(CONFIG, encoding="utf-8")
    _write_csv(
        root / "roster.csv",
        [["name", "email", "team", "head_of_service_email", "head_of_service"]]
        + [[a.name, a.email, a.team, a.head[1], a.head[0]] for a in AUDITORS],
    )
    (root / "allocations").mkdir()
    _write_csv(
        root / "allocations" / f"{MONTH}.csv",
        [["auditor_email", "case_ref", "audit_type"]]
        + [[a.email, c.ref, c.audit_type] for a in AUDITORS for c in a.cases],
    )
    (root / "completions").mkdir()
    write_completions(root, FIRST_DAY)


def submissions_by(day: date) -> list[tuple[DemoAuditor, Case]]:
    """Every submission dated on or before ``day``, in date order."""
    done = [(a, c) for a in AUDITORS for c in a.cases if c.submitted_on and c.submitted_on <= day]
    return sorted(done, key=lambda pair: (pair[1].submitted_on, pair[1].ref))


def submissions_on(day: date) -> list[tuple[DemoAuditor, Case]]:
    return [(a, c) for a, c in submissions_by(day) if c.submitted_on == day]


def write_completions(root: Path, day: date) -> None:
    """The audit tool's export as it would look on the morning of ``day``."""
    rows = [[c.ref, a.email, f"{c.submitted_on}", c.grade] for a, c in submissions_by(day)]
    _write_csv(
        root / "completions" / f"{MONTH}.csv",
        [["case_ref", "auditor_email", "submitted_on", "grade"], *rows],
    )


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


# ----- out: the mail, read back from the outbox maildir as a mail client would ----------


@dataclass(frozen=True)
class SentMail:
    """One message from the outbox maildir, as a mail client sees it."""

    path: Path
    key: str
    sent: datetime  # the Date header, in the council's zone
    subject: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    html: str

    @property
    def day(self) -> date:
        return self.sent.date()

    @property
    def kind(self) -> str:
        return kind_of(self.key)


def kind_of(key: str) -> str:
    """A mail's kind for people, from its key (``reminder/2021-05/stage-2/...``)."""
    parsed = keys.parse(key)
    if parsed.kind is keys.Kind.REMINDER:
        return f"reminder stage {parsed.stage}"
    if parsed.kind is keys.Kind.FOREIGN:
        return key.partition("/")[0]
    return _KIND_NAMES.get(parsed.kind) or parsed.kind.prefix


_KIND_NAMES = {
    keys.Kind.MISSING_SHEET: "missing sheet",
    keys.Kind.PROBLEMS: "sheet problems",
    keys.Kind.ALLOCATION_UPDATE: "allocation update",
}


def read_outbox(outbox: Path, tz: tzinfo | None = None) -> list[SentMail]:
    """Every message in the maildir (new/ and cur/), oldest first."""
    mails = []
    for path in sorted([*(outbox / "new").iterdir(), *(outbox / "cur").iterdir()]):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        html = message.get_body(("html",))
        mails.append(
            SentMail(
                path=path,
                key=str(message.get(KEY_HEADER, "")),
                sent=message["Date"].datetime.astimezone(tz),
                subject=str(message.get("Subject", "")),
                to=_addresses(message, "To"),
                cc=_addresses(message, "Cc"),
                html=html.get_content() if html else "",
            )
        )
    return sorted(mails, key=lambda m: (m.sent, m.key))


def _addresses(message: EmailMessage, header: str) -> tuple[str, ...]:
    value = message.get(header)
    return tuple(a.addr_spec for a in value.addresses) if value else ()
