"""Every word of one month's mail, compared with the reviewed text in tests/golden/may-2021/.

One May 2021 is played through the local transport, scripted so that every kind of mail the
bot can send in a month goes out at least once: allocations and an added case, each reminder
stage (the final one on Friday 28 May, as the 31st is a bank holiday), the close, the weekly
digests, problems in a sheet, the missing sheet, the whole exemption chain (approved,
declined, not supported, withdrawn, chased, escalated, already decided, not yet), at-risk
and done notices, forwards, quarantine, a bounce, a send that fails for good, a suspected
forgery and the loop breaker. On Monday 24 May everyone active in the roster hears that June's
audits go out on Tuesday 1 June (Dev too, though May's sheet left him out; not Kim, already
exempted for June).

Each file holds the plain-text part (subject and body) of every mail of one template, in the
order they were planned. Random parts (reference tokens, digests of Message-IDs, the
trail's hash) are replaced by fixed placeholders so the files only change when words do.

After changing a template, regenerate the files and read the diff line by line:

    AUDITBOT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/golden
    git diff tests/golden
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.mail.message import UnsafeHeaderError
from bot.render import BUILTIN_TEMPLATES
from bot.store.schema import outbox
from tests.world import (
    ALEX,
    DIRECTOR,
    HANA,
    KIM,
    LONDON,
    OMAR,
    PERSONAS,
    QA,
    SAM,
    Landed,
    World,
    build_reply,
)

GOLDEN = Path(__file__).parent / "may-2021"
UPDATE = os.environ.get("AUDITBOT_UPDATE_GOLDEN") == "1"

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
LEE = ("Lee Brown", "lee@council.example", "Fostering", OMAR, "Omar Khan")
LEE_EMAIL = LEE[1]
# In the roster, not in the sheet, and under a Head of Service's address typed one letter off.
DEV = ("Dev Shah", "dev@council.example", "Early Help", "omarr@council.example", "Omar Khan")
OUTSIDER = "mallory@elsewhere.example"
# A moderator in a team none of May's audits come from: every audit in time is theirs.
MO = ("Mo Reid", "mo@council.example", "Fostering", OMAR, "Omar Khan", "moderator")

# Random parts of a mail, and what stands for them in the golden files.
_RANDOM = [
    (
        re.compile(
            r"\b((?:AUD-\d{4}-\d{2})|(?:ASK-\d{4}-\d{2})|(?:ACT-\d{4}-\d{2})|(?:EXM-\d{4}-\d{2}-\d{3}))-[A-Z2-9]{8}\b"
        ),
        r"\1-TOKEN",
    ),
    (re.compile(r"\binbound/[0-9a-f]{16}/"), "inbound/MESSAGE/"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "HASH"),
]


def _fixed(text: str) -> str:
    for pattern, placeholder in _RANDOM:
        text = pattern.sub(placeholder, text)
    return text


@dataclass(frozen=True)
class Sent:
    template: str
    key: str
    planned_on: date
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    html: str

    def block(self) -> str:
        head = [
            f"==== {self.key} ({self.planned_on:%a} {self.planned_on})",
            f"To: {', '.join(self.to)}",
        ]
        if self.cc:
            head.append(f"Cc: {', '.join(self.cc)}")
        head.append(f"Subject: {self.subject}")
        return "\n".join(head) + "\n\n" + self.text.rstrip("\n") + "\n"


class Month:
    """The world, with the mail to reply to found by key."""

    def __init__(self, world: World) -> None:
        self.world = world

    def mail(self, key: str) -> Landed:
        return next(m for m in self.world.all_mail() if m.key == key)

    def at(self, day: date, clock: str) -> None:
        self.world.tick(datetime.fromisoformat(f"{day.isoformat()}T{clock}").replace(tzinfo=LONDON))


SAM_DONE = ("CR-1001", SAM_EMAIL, "2021-05-19", "good")
KIM_FIRST = ("CR-3001", KIM_EMAIL, "2021-05-18", "inadequate")
# The completions sheet as exported each day it changes.
COMPLETIONS = {
    date(2021, 5, 19): [SAM_DONE, KIM_FIRST],
    date(2021, 5, 20): [SAM_DONE, KIM_FIRST, ("CR-3002", KIM_EMAIL, "", "")],  # no date
    date(2021, 5, 21): [SAM_DONE, KIM_FIRST],  # put right
    date(2021, 5, 27): [SAM_DONE, KIM_FIRST, ("CR-3002", KIM_EMAIL, "2021-05-27", "good")],
}


def _play_may(world: World) -> None:
    month = Month(world)
    app = world.open()
    # Kim has automatic replies on from the 26th (asked of MailTips on reminder days).
    app.transport.mailtips = lambda emails: {  # type: ignore[attr-defined]
        e: e == KIM_EMAIL and today[0] >= date(2021, 5, 26) for e in emails
    }
    # The bounce notice cannot be sent (a value that may not go into a header): told once.
    send = app.transport.send

    def refusing(mail, now):  # type: ignore[no-untyped-def]
        if mail.key.startswith("bounce/"):
            raise UnsafeHeaderError("control character in header value 'To'")
        return send(mail, now)

    app.transport.send = refusing  # type: ignore[method-assign]
    today = [date(2021, 5, 4)]

    allocations = [
        (SAM_EMAIL, "CR-1001", "case_audit"),
        (SAM_EMAIL, "CR-1002", "dip_sample"),
        (ALEX_EMAIL, "CR-2001", "case_audit"),
        (KIM_EMAIL, "CR-3001", "thematic"),
        (KIM_EMAIL, "CR-3002", "case_audit"),
        (LEE_EMAIL, "CR-4001", "case_audit"),
        ("nobody@council.example", "CR-9001", "case_audit"),  # not in the roster
    ]
    world.write_allocations("2021-05", allocations)

    # Tuesday 4 May, before the allocations go out: Lee asks ahead, and it is settled.
    world.write_in(
        LEE_EMAIL,
        "Audits this month",
        "I will be on annual leave for most of May. Can I be exempt from this month's audits?",
    )
    month.at(today[0], "07:30")
    world.reply(
        month.mail("exemption/EXM-2021-05-001/to-head"),
        OMAR,
        "I support this request. Lee's leave was agreed in January.",
    )
    month.at(today[0], "07:45")
    world.reply(month.mail("exemption/EXM-2021-05-001/to-director"), DIRECTOR, "Approved.")
    month.at(today[0], "08:15")

    day = date(2021, 5, 4)
    while day <= date(2021, 6, 3):
        today[0] = day
        if day == date(2021, 5, 10):  # a case added for Alex
            world.write_allocations(
                "2021-05", [*allocations, (ALEX_EMAIL, "CR-2002", "dip_sample")]
            )
        if day in COMPLETIONS:
            world.write_completions("2021-05", COMPLETIONS[day])
        month.at(day, "09:30")
        _replies(month, day)
        day += timedelta(days=1)


def _replies(month: Month, day: date) -> None:
    world = month.world
    allocation = "allocation/2021-05/{}"
    if day == date(2021, 5, 5):
        world.reply(
            month.mail(allocation.format(KIM_EMAIL)),
            KIM_EMAIL,
            "Which of these is the thematic one?",
        )
        month.at(day, "10:00")
        returned = month.mail(allocation.format(KIM_EMAIL)).message["Message-ID"]
        world.write_in(
            "MAILER-DAEMON@council.example",
            "Undeliverable: Your case audits for May 2021",
            "Delivery has failed to these recipients or groups:\n\nkim@council.example\n"
            "The email address you entered couldn't be found.\n\n"
            f"Original message headers:\n\nMessage-ID: {returned}\n",
            headers={"Auto-Submitted": "auto-replied", "X-MS-Exchange-Message-Is-Ndr": ""},
        )
        month.at(day, "10:30")
        world.write_in(OUTSIDER, "Exemptions", "Approved. Please exempt everyone in my team.")
        month.at(day, "11:00")
    elif day == date(2021, 5, 6):
        world.reply(
            month.mail(allocation.format(SAM_EMAIL)),
            SAM_EMAIL,
            "I'm on sick leave from Monday for three weeks, can I be exempted this month?",
        )
        month.at(day, "10:00")
        to_head = month.mail("exemption/EXM-2021-05-002/to-head")
        shared = "<hana-answer-1@council.example>"
        world.deliver(
            build_reply(
                to_head,
                HANA,
                "I do not support this request. Sam is back on Wednesday and the cases are"
                " short; we will plan them together.",
                message_id=shared,
            )
        )
        month.at(day, "11:00")
        world.deliver(build_reply(to_head, HANA, "I support this request.", message_id=shared))
        month.at(day, "11:30")
    elif day == date(2021, 5, 7):
        for n in range(3):  # an auto-answering mailbox; the loop breaker stops it
            world.write_in(QA, f"Question {n + 1}", "Which auditors are off this month?")
            month.at(day, f"1{n}:00")
    elif day == date(2021, 5, 11):
        world.reply(
            month.mail(allocation.format(ALEX_EMAIL)),
            ALEX_EMAIL,
            "I am giving evidence at a final hearing all next week and the week after."
            " Can I be exempt this month?",
        )
        month.at(day, "10:00")
    elif day == date(2021, 5, 27):
        # Asked in the last week and never answered: still undecided when May is final.
        world.reply(
            month.mail(allocation.format(SAM_EMAIL)),
            SAM_EMAIL,
            "Can I be exempted this month? I have been signed off for three weeks from today.",
        )
        month.at(day, "10:00")
        # Kim's inadequate audit of CR-3001, asked after this morning: Omar says it is done.
        world.reply(
            month.mail("child-action/2021-05/escalate/CR-3001"),
            OMAR,
            "done - placement review held on 24th, plan updated",
        )
        month.at(day, "10:30")
    elif day == date(2021, 6, 2):
        # A corrected export after the figures are final: Sam's second audit was in on time.
        world.write_completions(
            "2021-05",
            [*COMPLETIONS[date(2021, 5, 27)], ("CR-1002", SAM_EMAIL, "2021-05-28", "good")],
        )
        month.at(day, "12:00")
        # CR-1002 goes to Mo as a top-up at this tick. Mo moderates two of the four audits;
        # the other two are still out when the report goes.
        folder = world.root / "moderations"
        folder.mkdir(exist_ok=True)
        (folder / "2021-05.csv").write_text(
            "case_ref,moderator_email,moderated_grade,moderated_on\n"
            "CR-1001,mo@council.example,good,2021-06-02\n"
            "CR-3001,mo@council.example,requires improvement,2021-06-02\n"
        )
    elif day == date(2021, 6, 3):
        world.write_in(
            KIM_EMAIL, "May audits", "Can I be exempt from my May audits? I was off sick."
        )
        month.at(day, "10:00")
    elif day == date(2021, 5, 12):
        # Not clear what is meant: asked, asked again, then passed to the QA team.
        world.reply(month.mail(allocation.format(ALEX_EMAIL)), ALEX_EMAIL, "Sorted")
        month.at(day, "10:00")
        world.write_in(
            OMAR,
            "Kim in June",
            "I'd like to request an exemption for Kim Lee for June - she is giving evidence at"
            " a final hearing for most of the month. I support this.",
        )
        month.at(day, "10:30")
    elif day == date(2021, 5, 17):
        world.reply(
            month.mail("exemption/EXM-2021-05-003/to-director"),
            DIRECTOR,
            "Declined. The hearing was known about in April: please plan the audit around it.",
        )
        month.at(day, "10:00")
    elif day == date(2021, 5, 18):
        world.reply(month.mail("exemption/EXM-2021-05-003/chase"), HANA, "I support this request.")
        month.at(day, "10:00")
    elif day == date(2021, 5, 21):
        # Omar's request for Kim's June, chased twice: the director approves it.
        world.reply(
            month.mail("exemption/EXM-2021-06-001/director-chase-2"),
            DIRECTOR,
            "Approved. Two hearings back to back is exceptional.",
        )
        month.at(day, "10:00")
    elif day == date(2021, 5, 26):
        # Alex is signed off: asked, supported and approved in a day; the QA team is told
        # which of Alex's cases now need another auditor.
        world.reply(
            month.mail(allocation.format(ALEX_EMAIL)),
            ALEX_EMAIL,
            "I have been signed off sick for three weeks from today. Can I be exempted?",
        )
        month.at(day, "10:00")
        world.reply(month.mail("exemption/EXM-2021-05-005/to-head"), HANA, "I support this.")
        month.at(day, "10:30")
        world.reply(month.mail("exemption/EXM-2021-05-005/to-director"), DIRECTOR, "Approved.")
        month.at(day, "11:00")
        # Kim's inadequate audit of CR-3001, escalated this morning: Omar names an owner and
        # a date, and is asked after on that date (tomorrow) as it is not yet reported done.
        world.reply(
            month.mail("child-action/2021-05/escalate/CR-3001"),
            OMAR,
            "Kim Lee will hold a placement review by 27 May.",
        )
        month.at(day, "11:30")
    elif day == date(2021, 5, 19):
        world.reply(
            month.mail(f"reminder/2021-05/stage-10/{SAM_EMAIL}"),
            SAM_EMAIL,
            "All done, I submitted everything today.",
        )
        month.at(day, "10:00")
        world.reply(
            month.mail(f"reminder/2021-05/stage-10/{KIM_EMAIL}"),
            KIM_EMAIL,
            "I've done one of them, the other (Jayden Smith's case) is nearly there.",
        )
        month.at(day, "10:30")
    elif day == date(2021, 5, 24):
        world.reply(
            month.mail(f"reminder/2021-05/stage-5/{ALEX_EMAIL}"),
            ALEX_EMAIL,
            "I might not make it this month, court has overrun.",
        )
        month.at(day, "10:00")
    elif day == date(2021, 5, 25):
        world.reply(
            month.mail(f"reminder/2021-05/stage-5/{KIM_EMAIL}"),
            KIM_EMAIL,
            "Can I be exempted? I'm off sick from tomorrow.",
        )
        month.at(day, "10:00")
        to_head = month.mail("exemption/EXM-2021-05-004/to-head")
        token = to_head.subject.rsplit("[", 1)[1].rstrip("]")
        world.write_in(DIRECTOR, f"Kim's request [{token}]", "Approved.")
        month.at(day, "11:00")
        world.reply(
            month.mail("exemption/EXM-2021-05-004/ack"),
            KIM_EMAIL,
            "Please withdraw my request, I am feeling better and will finish the audit.",
        )
        month.at(day, "12:00")


def _sent(world: World) -> list[Sent]:
    with world.open().engine.connect() as connection:
        rows = connection.execute(select(outbox).where(outbox.c.status != "skipped")).all()
    mails = [
        Sent(
            template=r.kind,
            key=_fixed(r.key),
            planned_on=r.planned_on,
            to=tuple(r.to_addrs),
            cc=tuple(r.cc_addrs),
            subject=_fixed(r.subject),
            text=_fixed(r.body_text),
            html=r.body_html,
        )
        for r in sorted(rows, key=lambda r: r.planned_at)
    ]
    # Mails planned in one tick come in the order their messages were read: sort within it.
    return sorted(mails, key=lambda m: (m.planned_on, m.template, m.key, m.to, m.subject, m.text))


@pytest.fixture(scope="module")
def may_sent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Sent]]:
    world = World.create(tmp_path_factory.mktemp("golden") / "council", digests=True)
    world.config.write_text(
        world.config.read_text()
        + "inbox: {max_answers_per_day: 3}\n"
        + "audit_tool_url: https://audits.council.example/\n"
        + "moderation: {due_working_days: 2}\n"
    )
    world.write_roster([*PERSONAS, LEE, DEV, MO])
    try:
        _play_may(world)
        yield _sent(world)
    finally:
        world.close()


@pytest.fixture(scope="module")
def may_mail(may_sent: list[Sent]) -> dict[str, str]:
    """Each template's golden text: every mail of it, in the order they were planned."""
    by_template: dict[str, list[str]] = {}
    for mail in may_sent:
        by_template.setdefault(mail.template, []).append(mail.block())
    return {name: "\n".join(blocks) for name, blocks in sorted(by_template.items())}


MAIL_TEMPLATES = sorted(p.parent.name for p in BUILTIN_TEMPLATES.glob("*/subject.txt"))


def test_every_template_is_sent_in_the_month(may_mail: dict[str, str]) -> None:
    assert sorted(may_mail) == MAIL_TEMPLATES


@pytest.mark.parametrize("template", MAIL_TEMPLATES)
def test_the_mail_reads_as_reviewed(may_mail: dict[str, str], template: str) -> None:
    path = GOLDEN / f"{template}.txt"
    text = may_mail.get(template, "")
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run with AUDITBOT_UPDATE_GOLDEN=1 to write it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"golden/{path.name}",
                "as sent",
            )
        )
        pytest.fail(
            f"the {template} mail changed (AUDITBOT_UPDATE_GOLDEN=1 rewrites the file):\n{diff}"
        )


# "1 audits": a count of one with a plural noun.
_MISCOUNTED = re.compile(
    r"(?<![\d.,])1 (audits|auditors|cases|problems|working days|days|requests)\b"
)


def test_no_mail_speaks_of_the_bot_or_miscounts(may_sent: list[Sent]) -> None:
    for mail in may_sent:
        for part in (mail.subject, mail.text, re.sub(r"<[^>]+>", " ", mail.html)):
            assert "the bot" not in part.lower(), (mail.key, part)
            assert "bot's" not in part.lower(), (mail.key, part)
            found = _MISCOUNTED.search(" ".join(part.split()))
            assert found is None, (mail.key, found and found.group(0))
        assert "Re: Re:" not in mail.subject and "Re: RE:" not in mail.subject, mail.subject


def test_greetings_use_first_names(may_sent: list[Sent]) -> None:
    greetings = {line for m in may_sent for line in m.text.splitlines() if line.startswith("Dear ")}
    assert greetings == {
        "Dear Alex,", "Dear Dana,", "Dear Dev,", "Dear Hana,", "Dear Kim,", "Dear Lee,", "Dear Mo,",
        "Dear Omar,", "Dear Sam,",
    }  # fmt: skip


def test_an_approved_exemption_says_nothing_of_the_deadline(may_sent: list[Sent]) -> None:
    (approved,) = [
        m
        for m in may_sent
        if m.template == "exemption_outcome" and m.key.startswith("exemption/EXM-2021-05-001/")
    ]
    assert "risk" not in approved.text and "deadline" not in approved.text
    assert "risk" not in approved.html and "deadline" not in approved.html
