"""Replies through the local transport: from the auditor's mail to the director's decision."""

from __future__ import annotations

from datetime import date

import pytest

from tests.world import ALEX, BOT, DIRECTOR, HANA, KIM, QA, SAM, Landed, World, build_new

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
OUTSIDER = "mallory@elsewhere.example"


@pytest.fixture
def may(world: World) -> World:
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (KIM_EMAIL, "CR-3001", "case_audit"),
        ],
    )
    world.tick("2021-05-04T09:30")
    world.new_mail()
    return world


def _allocation(world: World, email: str) -> Landed:
    return next(m for m in world.all_mail() if m.key == f"allocation/2021-05/{email}")


def _by_key(mails: list[Landed]) -> dict[str, Landed]:
    return {m.key: m for m in mails}


def _ask_and_support(world: World) -> dict[str, Landed]:
    world.reply(
        _allocation(world, SAM_EMAIL),
        SAM_EMAIL,
        "I'm on sick leave from Monday for three weeks, can I be exempted this month?",
    )
    world.tick("2021-05-06T10:00")
    asked = _by_key(world.new_mail())
    world.reply(
        asked["exemption/EXM-2021-05-001/to-head"],
        HANA,
        "I support this request. Sam has a fit note until the end of the month.",
    )
    world.tick("2021-05-06T11:00")
    return asked | _by_key(world.new_mail())


def test_an_exemption_goes_from_auditor_to_head_to_director_and_everyone_is_told(
    may: World,
) -> None:
    world = may
    world.reply(
        _allocation(world, SAM_EMAIL),
        SAM_EMAIL,
        "I'm on sick leave from Monday for three weeks, can I be exempted this month?",
    )
    world.tick("2021-05-06T10:00")
    asked = _by_key(world.new_mail())
    assert sorted(asked) == ["exemption/EXM-2021-05-001/ack", "exemption/EXM-2021-05-001/to-head"]
    ack, to_head = (
        asked["exemption/EXM-2021-05-001/ack"],
        asked["exemption/EXM-2021-05-001/to-head"],
    )
    assert ack.to == (SAM_EMAIL,) and "prolonged absence or ill-health" in ack.text
    assert "(this request is for May 2021)" in " ".join(ack.text.split())
    assert to_head.to == (HANA,)
    assert "I'm on sick leave from Monday for three weeks" in to_head.text
    assert "Asked after the month's allocations were issued." in to_head.text
    assert "- none" in to_head.text  # no earlier requests
    assert (
        "mailto:audit-bot@council.example?subject=Re%3A%20Exemption%20request%20EXM-2021-05-001"
        in to_head.html
    )
    assert world.filed("Processed") == 1

    world.reply(
        to_head, HANA, "I support this request. Sam has a fit note until the end of the month."
    )
    world.tick("2021-05-06T11:00")
    supported = _by_key(world.new_mail())
    assert sorted(supported) == [
        "exemption/EXM-2021-05-001/head-confirm",
        "exemption/EXM-2021-05-001/to-director",
    ]
    to_director = supported["exemption/EXM-2021-05-001/to-director"]
    assert to_director.to == (DIRECTOR,)
    assert "Sam has a fit note until the end of the month." in to_director.text
    assert "Sam has a fit note" in to_director.html

    world.reply(to_director, DIRECTOR, "Approved. Get well soon.")
    world.tick("2021-05-06T12:00")
    decided = _by_key(world.new_mail())
    assert sorted(decided) == [
        "exemption/EXM-2021-05-001/director-confirm",
        "exemption/EXM-2021-05-001/outcome",
        f"reallocate/2021-05/{SAM_EMAIL}",  # Sam's case now needs another auditor
    ]
    assert decided[f"reallocate/2021-05/{SAM_EMAIL}"].to == (QA,)
    outcome = decided["exemption/EXM-2021-05-001/outcome"]
    assert (outcome.to, outcome.cc) == ((SAM_EMAIL,), (HANA,))
    assert outcome.subject.startswith("Exemption EXM-2021-05-001 granted")
    assert decided["exemption/EXM-2021-05-001/director-confirm"].to == (DIRECTOR,)

    # Exempted: no reminders for Sam; Alex and Kim still get theirs; Sam counted exempted.
    reminders = world.run_days(date(2021, 5, 14), date(2021, 5, 14))[date(2021, 5, 14)]
    assert sorted(m.to[0] for m in reminders) == [ALEX_EMAIL, KIM_EMAIL]
    world.tick("2021-06-01T09:30")
    summary = _by_key(world.new_mail())["close/2021-05/qa"]
    assert "Exempted:           1" in summary.text


def test_a_spoofed_approval_is_quarantined_and_changes_nothing(may: World) -> None:
    world = may
    mails = _ask_and_support(world)
    to_director = mails["exemption/EXM-2021-05-001/to-director"]
    # An outsider, the auditor themself, and a forged Reply-To: none of them is the director.
    world.reply(to_director, OUTSIDER, "Approved.")
    world.reply(to_director, SAM_EMAIL, "Approved.")
    world.reply(to_director, OUTSIDER, "Approved.", headers={"Reply-To": DIRECTOR})
    world.tick("2021-05-06T12:00")
    landed = world.new_mail()
    assert {m.to for m in landed} == {(QA,)}
    assert all(m.subject.startswith("Quarantined: message from") for m in landed)
    assert len(landed) == 3
    assert world.filed("Quarantine") == 3
    # The director's own decision still counts afterwards.
    world.reply(to_director, DIRECTOR, "Approved.")
    world.tick("2021-05-06T13:00")
    assert "exemption/EXM-2021-05-001/outcome" in _by_key(world.new_mail())


def test_two_conflicting_director_replies_the_first_wins(may: World) -> None:
    world = may
    to_director = _ask_and_support(world)["exemption/EXM-2021-05-001/to-director"]
    world.reply(to_director, DIRECTOR, "Declined, this is the third month running.")
    world.tick("2021-05-07T09:30")
    first = _by_key(world.new_mail())
    assert first["exemption/EXM-2021-05-001/outcome"].subject.startswith(
        "Exemption EXM-2021-05-001 not granted"
    )
    world.reply(to_director, DIRECTOR, "Approved.")
    world.tick("2021-05-07T10:00")
    (answer,) = world.new_mail()
    assert answer.to == (DIRECTOR,)
    assert (
        answer.subject
        == "No change: exemption request EXM-2021-05-001 is already declined by the director"
    )


def test_a_head_of_service_who_never_answers_is_chased_once_then_bypassed(may: World) -> None:
    world = may
    world.reply(
        _allocation(world, SAM_EMAIL),
        SAM_EMAIL,
        "I've got a final hearing all next week and the week after, can I be exempted?",
    )
    world.tick("2021-05-05T10:00")  # Wednesday
    world.new_mail()
    by_day = world.run_days(date(2021, 5, 6), date(2021, 5, 12))
    keys = {day: sorted(m.key for m in mails) for day, mails in by_day.items()}
    assert keys == {
        date(2021, 5, 7): ["exemption/EXM-2021-05-001/chase"],  # 2 working days later
        date(2021, 5, 11): ["exemption/EXM-2021-05-001/to-director"],  # 4 working days later
    }
    to_director = by_day[date(2021, 5, 11)][0]
    assert "NO HEAD OF SERVICE RESPONSE" in to_director.text
    assert "heavy statutory work" in to_director.text
    # The Head of Service answering now is too late to change anything.
    world.reply(by_day[date(2021, 5, 7)][0], HANA, "I do not support this request.")
    world.tick("2021-05-12T11:00")
    (late,) = world.new_mail()
    assert late.key.endswith("/already-decided") and late.to == (HANA,)


def test_an_out_of_office_reply_is_remembered_and_never_answered(may: World) -> None:
    world = may
    auto = build_new(
        SAM_EMAIL,
        f"Automatic reply: {_allocation(world, SAM_EMAIL).subject}",
        "I am out of the office until 17 May with limited access to email.",
        headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
    )
    world.deliver(auto)
    report = world.tick("2021-05-05T10:00")
    assert world.new_mail() == []
    assert report.inbox.actions == ["auto_reply: automatic reply"]
    assert world.filed("Processed") == 1


def test_a_bounce_tells_the_qa_team_once_that_an_address_may_be_wrong(may: World) -> None:
    world = may
    returned = _allocation(world, KIM_EMAIL).message["Message-ID"]
    for _ in range(2):
        world.deliver(
            build_new(
                "MAILER-DAEMON@council.example",
                "Undeliverable: Your case audits for May 2021",
                "Delivery has failed to these recipients or groups:\n\nkim@council.example\n"
                "The email address you entered couldn't be found.\n\n"
                f"Original message headers:\n\nMessage-ID: {returned}\n",
                headers={"Auto-Submitted": "auto-replied", "X-MS-Exchange-Message-Is-Ndr": ""},
            )
        )
    world.tick("2021-05-05T10:00")
    (notice,) = world.new_mail()
    assert notice.to == (QA,)
    assert notice.subject == "Mail to kim@council.example could not be delivered: check the roster"


def test_a_reply_with_the_token_only_in_the_subject_is_understood(may: World) -> None:
    world = may
    world.reply(
        _allocation(world, ALEX_EMAIL),
        ALEX_EMAIL,
        "Done, all submitted yesterday.",
        threading=False,
    )
    world.tick("2021-05-05T10:00")
    (ack,) = world.new_mail()
    assert (
        ack.to == (ALEX_EMAIL,)
        and ack.subject == "Thank you: your May 2021 audits are noted as done"
    )
    # Self-reported: no reminders; the month close names what the sheet never confirmed.
    assert ALEX_EMAIL not in {
        m.to[0] for m in world.run_days(date(2021, 5, 14), date(2021, 5, 14))[date(2021, 5, 14)]
    }
    world.tick("2021-06-01T09:30")
    closing = _by_key(world.new_mail())
    assert "Alex Jones: CR-2001" in closing[f"close/2021-05/head/{HANA}"].text


def test_the_same_message_delivered_twice_is_acted_on_once(may: World) -> None:
    world = may
    from tests.world import build_reply

    raw = build_reply(
        _allocation(world, KIM_EMAIL), KIM_EMAIL, "I might not make it this month, sorry."
    )
    world.deliver(raw)
    world.deliver(raw)
    world.tick("2021-05-05T10:00")
    landed = _by_key(world.new_mail())
    assert len(landed) == 2
    (to_head,) = [m for k, m in landed.items() if k.endswith("/at-risk")]
    assert to_head.to == ("omar@council.example",) and to_head.cc == (QA,)
    assert world.filed("Processed") == 2


def test_a_request_in_the_last_week_is_flagged_urgent(may: World) -> None:
    world = may
    world.reply(
        _allocation(world, SAM_EMAIL), SAM_EMAIL, "Can I be exempted? I'm off sick from tomorrow."
    )
    world.tick("2021-05-26T08:00")
    to_head = _by_key(world.new_mail())["exemption/EXM-2021-05-001/to-head"]
    assert to_head.subject.startswith("URGENT: Exemption request EXM-2021-05-001")
    assert "!! Asked in the last week before the deadline." in to_head.text


def test_asking_ahead_for_next_month_with_no_reference(may: World) -> None:
    world = may
    world.write_in(SAM_EMAIL, "June", "I'll be on annual leave for most of June, can I be exempt?")
    world.tick("2021-05-20T10:00")
    mails = _by_key(world.new_mail())
    ack = mails["exemption/EXM-2021-06-001/ack"]
    assert "June 2021" in ack.subject
    world.reply(
        mails["exemption/EXM-2021-06-001/to-head"], HANA, "Happy for this to go to the director."
    )
    world.tick("2021-05-20T11:00")
    to_director = _by_key(world.new_mail())["exemption/EXM-2021-06-001/to-director"]
    world.reply(to_director, DIRECTOR, "Approved.")
    world.tick("2021-05-20T12:00")
    world.new_mail()
    world.write_allocations(
        "2021-06", [(SAM_EMAIL, "CR-1101", "case_audit"), (ALEX_EMAIL, "CR-2101", "case_audit")]
    )
    world.tick("2021-06-01T09:30")
    june = _by_key(world.new_mail())
    assert f"allocation/2021-06/{SAM_EMAIL}" not in june
    assert f"allocation/2021-06/{ALEX_EMAIL}" in june
    notice = june[f"exempt-but-allocated/2021-06/{SAM_EMAIL}"]
    assert notice.to == (QA,) and "CR-1101" in notice.text


def test_an_auditor_can_withdraw_an_undecided_request(may: World) -> None:
    world = may
    world.reply(
        _allocation(world, SAM_EMAIL),
        SAM_EMAIL,
        "Can I be exempted this month? I'm having surgery.",
    )
    world.tick("2021-05-05T10:00")
    ack = _by_key(world.new_mail())["exemption/EXM-2021-05-001/ack"]
    world.reply(ack, SAM_EMAIL, "Please withdraw my request, the operation was postponed.")
    world.tick("2021-05-05T11:00")
    (withdrawn,) = world.new_mail()
    assert withdrawn.to == (SAM_EMAIL,) and withdrawn.cc == (HANA,)
    assert "withdrawn" in withdrawn.subject


def test_a_question_is_forwarded_to_a_person_and_the_sender_told(may: World) -> None:
    world = may
    world.reply(_allocation(world, KIM_EMAIL), KIM_EMAIL, "Which of these is the thematic one?")
    world.tick("2021-05-05T10:00")
    landed = world.new_mail()
    assert sorted(m.to for m in landed) == [(KIM_EMAIL,), (QA,)]
    forwarded = next(m for m in landed if m.to == (QA,))
    assert "Which of these is the thematic one?" in forwarded.text


def test_mail_from_the_bot_itself_and_malformed_mail_are_never_acted_on(may: World) -> None:
    world = may
    world.write_in(BOT, "loop", "Approved.")
    world.deliver(b"\xff\xfe\x00garbage without headers\r\n\r\n\x00\x00")
    report = world.tick("2021-05-05T10:00")
    landed = world.new_mail()
    assert [m.subject.split(":")[0] for m in landed] == ["Quarantined"]
    assert world.filed("Processed") == 1 and world.filed("Quarantine") == 1
    assert len(report.inbox.actions) == 2
