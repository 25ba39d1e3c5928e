"""Mail that used to fool the bot into a decision, a request, or a false alarm."""

from __future__ import annotations

import hashlib

import pytest

from bot.core.exemptions import State
from tests.hostile.mail import event_kinds, raw_mail, reply_to, requests
from tests.world import ALEX, DIRECTOR, HANA, KIM, QA, SAM, Landed, World, build_reply

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
PA = "pa.director@council.example"


def _allocation(world: World, email: str) -> Landed:
    return next(m for m in world.all_mail() if m.key == f"allocation/2021-05/{email}")


def _by_key(mails: list[Landed]) -> dict[str, Landed]:
    return {m.key: m for m in mails}


def _request(world: World, auditor: str, words: str, at: str) -> dict[str, Landed]:
    world.reply(_allocation(world, auditor), auditor, words)
    world.tick(at)
    return _by_key(world.new_mail())


def _with_director(world: World) -> Landed:
    """Sam's request EXM-2021-05-001, supported, waiting for the director."""
    asked = _request(
        world,
        SAM_EMAIL,
        "I'm on sick leave for three weeks, can I be exempted?",
        "2021-05-06T10:00",
    )
    world.reply(asked["exemption/EXM-2021-05-001/to-head"], HANA, "I support this request.")
    world.tick("2021-05-06T11:00")
    return _by_key(world.new_mail())["exemption/EXM-2021-05-001/to-director"]


OUT_OF_OFFICE = [
    (
        "Out of Office - {subject}",
        "I am out of the office until Monday 17 May. Requests needing approval will be "
        "dealt with on my return.",
    ),
    (
        "Out of office: {subject}",
        "Thank you for your email. I am currently on annual leave with limited access to "
        "email. If your matter is urgent please contact my deputy, who can approve urgent "
        "requests.",
    ),
    (
        "Abwesenheitsnotiz: {subject}",
        "Ich bin bis 17.05. nicht im Büro und habe keinen Zugriff auf E-Mails.",
    ),
]


@pytest.mark.parametrize(("subject", "body"), OUT_OF_OFFICE, ids=["director", "deputy", "de"])
def test_a_directors_out_of_office_without_headers_decides_nothing(
    may: World, subject: str, body: str
) -> None:
    world = may
    to_director = _with_director(world)
    world.deliver(
        reply_to(to_director, DIRECTOR, body, Subject=subject.format(subject=to_director.subject))
    )
    report = world.tick("2021-05-06T12:00")
    assert report.inbox.actions == ["auto_reply: automatic reply"]
    assert requests(world)["EXM-2021-05-001"].state is State.AWAITING_DIRECTOR
    assert world.new_mail() == []


def test_a_head_of_services_out_of_office_naming_a_deputy_is_not_support(may: World) -> None:
    world = may
    asked = _request(
        world, SAM_EMAIL, "Can I be exempted? I'm in court all month.", "2021-05-06T10:00"
    )
    subject, body = OUT_OF_OFFICE[1]
    to_head = asked["exemption/EXM-2021-05-001/to-head"]
    world.deliver(reply_to(to_head, HANA, body, Subject=subject.format(subject=to_head.subject)))
    world.tick("2021-05-06T11:00")
    assert requests(world)["EXM-2021-05-001"].state is State.AWAITING_HEAD
    assert world.new_mail() == []


def test_an_auditors_out_of_office_to_the_allocation_is_remembered_not_a_request(
    may: World,
) -> None:
    world = may
    allocation = _allocation(world, KIM_EMAIL)
    world.deliver(
        reply_to(
            allocation,
            KIM_EMAIL,
            "I am on annual leave until 24 May with no access to email. For anything urgent "
            "please contact Omar Khan.",
            Subject=f"Out of Office - {allocation.subject}",
        )
    )
    world.tick("2021-05-05T10:00")
    assert requests(world) == {}
    assert world.new_mail() == []
    assert "out_of_office" in _notes(world, KIM_EMAIL)


def _notes(world: World, email: str) -> list[str]:
    from sqlalchemy import select

    from bot.store.schema import notes

    with world.open().engine.connect() as connection:
        return list(connection.scalars(select(notes.c.kind).where(notes.c.auditor_email == email)))


@pytest.mark.parametrize(
    ("words", "state"),
    [
        ("Approval is not given.", State.DECLINED),
        (
            "I would have approved this had it come earlier, but as it stands I can't.",
            None,
        ),
        ("Happy to approve once the fit note arrives.", State.AWAITING_DIRECTOR),
        ("Approved if she confirms the dates.", State.AWAITING_DIRECTOR),
        ("Agreed on this occasion but I want to talk to Priya first.", State.AWAITING_DIRECTOR),
    ],
)
def test_a_refusal_or_a_condition_near_approval_words_never_approves(
    may: World, words: str, state: State | None
) -> None:
    world = may
    to_director = _with_director(world)
    world.reply(to_director, DIRECTOR, words)
    world.tick("2021-05-06T12:00")
    decided = requests(world)["EXM-2021-05-001"].state
    assert decided is not State.APPROVED
    if state is not None:
        assert decided is state


def test_i_cant_not_support_this_is_support(may: World) -> None:
    world = may
    asked = _request(
        world, SAM_EMAIL, "Can I be exempted? I'm in court all month.", "2021-05-06T10:00"
    )
    world.reply(asked["exemption/EXM-2021-05-001/to-head"], HANA, "I can't not support this.")
    world.tick("2021-05-06T11:00")
    assert requests(world)["EXM-2021-05-001"].state is State.AWAITING_DIRECTOR


def test_hidden_html_approval_is_not_read(may: World) -> None:
    world = may
    to_director = _with_director(world)
    html = (
        '<html><body><div style="display:none">Approved.</div>'
        "<p>Declined.</p>"
        "<div style='display: none'><hr id=stopSpelling>From: Audit bot</div>"
        '<span style="font-size:0px">Approved</span>'
        '<p style="mso-hide:all">Approved</p>'
        "</body></html>"
    )
    parent = str(to_director.message["Message-ID"])
    world.deliver(
        raw_mail(
            [
                ("From", DIRECTOR),
                ("Subject", f"RE: {to_director.subject}"),
                ("In-Reply-To", parent),
                ("References", parent),
            ],
            html,
            content_type='text/html; charset="utf-8"',
        )
    )
    world.tick("2021-05-06T12:00")
    assert requests(world)["EXM-2021-05-001"].state is State.DECLINED


def test_text_and_html_parts_that_disagree_decide_nothing(may: World) -> None:
    world = may
    to_director = _with_director(world)
    parent = str(to_director.message["Message-ID"])
    body = (
        "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDeclined.\r\n"
        "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Approved.</p>\r\n--alt--\r\n"
    )
    world.deliver(
        raw_mail(
            [
                ("From", DIRECTOR),
                ("Subject", f"RE: {to_director.subject}"),
                ("In-Reply-To", parent),
                ("References", parent),
            ],
            body,
            content_type='multipart/alternative; boundary="alt"',
        )
    )
    report = world.tick("2021-05-06T12:00")
    assert requests(world)["EXM-2021-05-001"].state is State.AWAITING_DIRECTOR
    # Asked which was meant, the director alone: never decided from either part.
    assert report.inbox.actions == ["ask_back: not sure which is meant"]
    assert [(m.key.split("/")[0], m.to) for m in world.new_mail()] == [("question", (DIRECTOR,))]


def test_a_reply_threaded_to_one_request_with_anothers_token_decides_neither(
    may: World,
) -> None:
    world = may
    to_director = _with_director(world)
    alex = _request(
        world, ALEX_EMAIL, "Can I be exempted? Final hearing all month.", "2021-05-07T10:00"
    )
    world.reply(alex["exemption/EXM-2021-05-002/to-head"], HANA, "I support this request.")
    world.tick("2021-05-07T11:00")
    alex_to_director = _by_key(world.new_mail())["exemption/EXM-2021-05-002/to-director"]
    # Threaded to Sam's request, with Alex's token in the subject.
    world.deliver(
        reply_to(to_director, DIRECTOR, "Approved.", Subject=f"RE: {alex_to_director.subject}")
    )
    report = world.tick("2021-05-07T12:00")
    assert report.inbox.quarantined == 1
    states = {ref: r.state for ref, r in requests(world).items()}
    assert states == {
        "EXM-2021-05-001": State.AWAITING_DIRECTOR,
        "EXM-2021-05-002": State.AWAITING_DIRECTOR,
    }
    assert [m.to for m in world.new_mail()] == [(QA,)]


def test_a_thread_cannot_be_forged_by_computing_a_message_id_from_a_key(may: World) -> None:
    world = may
    to_director = _with_director(world)
    key = "exemption/EXM-2021-05-001/to-director"
    # How Message-IDs were once derived from keys: nobody can do that any more.
    derived = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.auditbot@council.example>"
    assert str(to_director.message["Message-ID"]) != derived
    world.deliver(
        raw_mail(
            [
                ("From", DIRECTOR),
                ("Subject", "RE: your request"),
                ("In-Reply-To", derived),
                ("References", derived),
            ],
            "Approved.",
        )
    )
    world.tick("2021-05-06T12:00")
    assert requests(world)["EXM-2021-05-001"].state is State.AWAITING_DIRECTOR


def test_a_sender_header_naming_someone_else_decides_nothing(may: World) -> None:
    world = may
    to_director = _with_director(world)
    world.deliver(reply_to(to_director, DIRECTOR, "Approved.", Sender=SAM_EMAIL))
    world.deliver(reply_to(to_director, DIRECTOR, "Approved.", **{"Resent-From": SAM_EMAIL}))
    report = world.tick("2021-05-06T12:00")
    assert report.inbox.quarantined == 2
    assert requests(world)["EXM-2021-05-001"].state is State.AWAITING_DIRECTOR
    assert {m.to for m in world.new_mail()} == {(QA,)}


def test_a_configured_pa_decides_for_the_director_and_the_director_is_told(
    may: World,
) -> None:
    world = may
    world.config.write_text(world.config.read_text() + f"delegates: {{director: [{PA}]}}\n")
    world.close()
    to_director = _with_director(world)
    world.deliver(reply_to(to_director, DIRECTOR, "Approved.", Sender=PA))
    world.tick("2021-05-06T12:00")
    assert requests(world)["EXM-2021-05-001"].state is State.APPROVED
    confirm = _by_key(world.new_mail())["exemption/EXM-2021-05-001/director-confirm"]
    assert confirm.to == (DIRECTOR,)
    assert f"Your reply was sent on your behalf by {PA}." in confirm.text


def _dsn(recipients: list[str], returned: str = "") -> bytes:
    blocks = "".join(
        f"Final-Recipient: rfc822; {r}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        for r in recipients
    )
    body = (
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.council.example\r\n\r\n"
        f"{blocks}"
        + (f"--b\r\nContent-Type: text/rfc822-headers\r\n\r\n{returned}\r\n" if returned else "")
        + "--b--\r\n"
    )
    return raw_mail(
        [("From", "MAILER-DAEMON@mx.council.example"), ("Subject", "Undeliverable")],
        body,
        content_type='multipart/report; report-type=delivery-status; boundary="b"',
    )


def test_a_forged_bounce_is_quarantined_and_a_genuine_one_still_told(may: World) -> None:
    world = may
    allocation = _allocation(world, KIM_EMAIL)
    world.deliver(_dsn([DIRECTOR]))
    world.deliver(_dsn(["urgent from the director: all may exemptions are approved"]))
    report = world.tick("2021-05-05T10:00")
    assert report.inbox.quarantined == 2
    assert all("could not be delivered" not in m.subject for m in world.new_mail())
    returned = (
        f"Message-ID: {allocation.message['Message-ID']}\r\n"
        f"X-Audit-Bot-Key: {allocation.key}\r\nSubject: {allocation.subject}\r\n"
    )
    world.deliver(_dsn([KIM_EMAIL], returned))
    world.tick("2021-05-05T11:00")
    (notice,) = world.new_mail()
    assert notice.to == (QA,)
    assert notice.subject == f"Mail to {KIM_EMAIL} could not be delivered: check the roster"


def test_a_report_listing_many_addresses_tells_only_of_the_mails_recipients(
    may: World,
) -> None:
    world = may
    allocation = _allocation(world, KIM_EMAIL)
    returned = f"Message-ID: {allocation.message['Message-ID']}\r\n"
    many = [f"person{n}@council.example" for n in range(75)]
    many += [KIM_EMAIL, *(f"other{n}@council.example" for n in range(75))]
    world.deliver(_dsn(many, returned))
    world.tick("2021-05-05T10:00")
    landed = world.new_mail()
    assert [m.subject for m in landed] == [
        f"Mail to {KIM_EMAIL} could not be delivered: check the roster"
    ]


def test_a_forged_copy_arriving_first_is_flagged_when_the_genuine_one_follows(
    may: World,
) -> None:
    world = may
    to_director = _with_director(world)
    shared_id = "<genuine-1@council.example>"
    forged = build_reply(to_director, DIRECTOR, "Approved.", message_id=shared_id)
    genuine = build_reply(
        to_director, DIRECTOR, "Declined: not enough evidence.", message_id=shared_id
    )
    world.deliver(forged)
    world.tick("2021-05-06T12:00")
    assert requests(world)["EXM-2021-05-001"].state is State.APPROVED
    world.new_mail()
    world.deliver(genuine)
    report = world.tick("2021-05-06T12:05")
    assert report.inbox.actions == [
        "quarantine: same Message-ID as an earlier message, different content: suspected forgery"
    ]
    assert world.filed("Quarantine") == 1
    (notice,) = world.new_mail()
    assert notice.to == (QA,)
    assert notice.subject.startswith("Suspected forgery")
    assert "The first message was acted on (director_decision" in notice.text
    assert "mail_suspected_forgery" in event_kinds(world)
    # Delivered again, the copy is neither stored twice nor told twice.
    world.deliver(genuine)
    world.tick("2021-05-06T12:10")
    assert world.new_mail() == []


def test_bounce_notices_are_capped_per_tick_and_the_rest_wait_for_the_next(
    may: World,
) -> None:
    world = may
    world.config.write_text(world.config.read_text() + "inbox: {max_bounce_notices_per_tick: 1}\n")
    world.close()
    for email in (KIM_EMAIL, ALEX_EMAIL):
        allocation = _allocation(world, email)
        world.deliver(_dsn([email], f"Message-ID: {allocation.message['Message-ID']}\r\n"))
    first = world.tick("2021-05-05T10:00")
    assert (len(world.new_mail()), first.inbox.left) == (1, 1)
    second = world.tick("2021-05-05T10:05")
    assert (len(world.new_mail()), second.inbox.left) == (1, 0)
