"""Mail that used to stop the bot: every tick failing, or never returning."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.core.inbound import Action
from bot.core.replies import analyse
from tests.hostile.mail import (
    in_inbox,
    inbound_statuses,
    outbox_rows,
    raw_mail,
    reply_to,
)
from tests.world import DIRECTOR, KIM, QA, SAM, World

SAM_EMAIL, KIM_EMAIL = SAM[1], KIM[1]
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _allocation(world: World, email: str):
    return next(m for m in world.all_mail() if m.key == f"allocation/2021-05/{email}")


@pytest.mark.parametrize(
    "fold",
    ["\r\n\t", "\u2028", "\u0085", "\u2029", "\x0b"],
    ids=["tab-folded", "line-separator", "next-line", "paragraph-separator", "vertical-tab"],
)
def test_a_subject_folded_or_holding_separators_is_answered_and_the_tick_goes_on(
    may: World, fold: str
) -> None:
    world = may
    allocation = _allocation(world, KIM_EMAIL)
    head, token = allocation.subject.rsplit(" [", 1)
    subject = f"RE: {head}{fold}[{token}"
    world.deliver(
        reply_to(allocation, KIM_EMAIL, "Which one is the thematic audit?", Subject=subject)
    )
    report = world.tick("2021-05-05T10:00")
    assert report.inbox.actions == ["forward: not something the bot acts on (question)"]
    landed = world.new_mail()
    answer = next(m for m in landed if m.to == (KIM_EMAIL,))
    assert not CONTROL.search(answer.subject)
    assert answer.subject.endswith(f"[{token}")
    assert world.filed("Processed") == 1 and in_inbox(world) == 0
    # The next tick runs as usual: nothing is stuck.
    assert world.tick("2021-05-05T10:05").inbox.actions == []


@pytest.mark.parametrize("length", [990, 625, 5000])
def test_a_very_long_subject_is_answered_once_with_a_capped_subject(
    may: World, length: int
) -> None:
    world = may
    allocation = _allocation(world, KIM_EMAIL)
    subject = ("RE: Which one’s the thematic audit " * 200)[:length]
    world.deliver(
        reply_to(allocation, KIM_EMAIL, "Which one is the thematic audit?", Subject=subject)
    )
    report = world.tick("2021-05-05T10:00")
    assert report.drained.failed == 0
    answer = next(m for m in world.new_mail() if m.to == (KIM_EMAIL,))
    assert len(answer.subject) <= 200
    assert all(row["attempts"] <= 1 for row in outbox_rows(world))


def test_a_bounce_with_a_tab_in_its_recipient_from_outside_is_quarantined(world: World) -> None:
    world.config.write_text(
        world.config.read_text().replace(
            "mail: {transport: local,", "mail: {require_internal_sender: true, transport: local,"
        )
    )
    report = _bounce_from_outside(world, "kim@council.example\t\r\n\tjunk")
    assert report.inbox.actions == ["quarantine: delivery report about no mail the bot sent"]
    assert [m.to for m in world.new_mail()] == [(QA,)]


def _bounce_from_outside(world: World, recipient: str):
    world.write_allocations("2021-05", [(KIM_EMAIL, "CR-3001", "case_audit")])
    world.tick("2021-05-04T09:30")
    world.new_mail()
    boundary = "b1"
    body = (
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.elsewhere.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"--{boundary}--\r\n"
    )
    world.deliver(
        raw_mail(
            [("From", "MAILER-DAEMON@elsewhere.example"), ("Subject", "Undeliverable")],
            body,
            content_type=f'multipart/report; report-type=delivery-status; boundary="{boundary}"',
        )
    )
    return world.tick("2021-05-05T10:00")


def test_a_thousand_character_bounced_address_from_outside_changes_nothing(world: World) -> None:
    report = _bounce_from_outside(world, "a" * 1000 + "@council.example")
    assert report.inbox.quarantined == 1
    assert [m.to for m in world.new_mail()] == [(QA,)]
    assert in_inbox(world) == 0


def test_a_from_address_longer_than_any_real_one_is_quarantined(may: World) -> None:
    world = may
    long_sender = "x" * 400 + "@council.example"
    world.deliver(raw_mail([("From", long_sender), ("Subject", "hello")], "Approved."))
    report = world.tick("2021-05-05T10:00")
    assert report.inbox.quarantined == 1
    assert inbound_statuses(world) == ["quarantined"]


def test_one_poison_message_among_good_ones_is_quarantined_and_the_rest_acted_on(
    may: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever goes wrong with one message (here a fault planted in acting on it) stays
    with that message."""
    import bot.inbox

    world = may
    real = bot.inbox._act

    def act(app, connection, meaning, analysis, *rest):
        if "poison" in analysis.body:
            raise RuntimeError("planted fault")
        return real(app, connection, meaning, analysis, *rest)

    monkeypatch.setattr(bot.inbox, "_act", act)
    world.deliver(reply_to(_allocation(world, SAM_EMAIL), SAM_EMAIL, "All done, submitted today."))
    world.deliver(reply_to(_allocation(world, KIM_EMAIL), KIM_EMAIL, "poison: which one first?"))
    world.deliver(reply_to(_allocation(world, SAM_EMAIL), DIRECTOR, "poison"))
    report = world.tick("2021-05-05T10:00")
    assert sorted(report.inbox.actions) == [
        "quarantine: could not be handled (RuntimeError: planted fault)",
        "quarantine: could not be handled (RuntimeError: planted fault)",
        "self_report: says it is done",
    ]
    assert world.filed("Processed") == 1 and world.filed("Quarantine") == 2
    landed = world.new_mail()
    told = [m for m in landed if m.to == (QA,)]
    assert len(told) == 2
    assert all("could not be handled (RuntimeError: planted fault)" in m.text for m in told)
    assert sorted(inbound_statuses(world)) == ["processed", "quarantined", "quarantined"]
    # Read again (as after a crash before filing), nothing is told twice.
    world.tick("2021-05-05T10:05")
    assert world.new_mail() == []


def test_a_message_in_an_unknown_charset_is_quarantined(may: World) -> None:
    world = may
    raw = reply_to(_allocation(world, SAM_EMAIL), SAM_EMAIL, "All done.")
    raw = raw.replace(b'charset="utf-8"', b'charset="x-klingon-7"')
    assert analyse(raw, today=date(2021, 5, 5)).malformed == "unknown charset x-klingon-7"
    world.deliver(raw)
    report = world.tick("2021-05-05T10:00")
    assert report.inbox.actions[0].startswith(f"{Action.QUARANTINE}: unreadable message")
    assert world.filed("Quarantine") == 1


def test_a_mail_refused_for_good_is_not_retried_and_the_qa_team_is_told_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    transport = world.open().transport
    real = transport.send
    refused = []

    def send(mail, now):
        if mail.key == f"allocation/2021-05/{SAM_EMAIL}":
            refused.append(mail.key)
            raise ValueError("the server refused the message")
        return real(mail, now)

    monkeypatch.setattr(transport, "send", send)
    world.tick("2021-05-04T09:30")
    world.tick("2021-05-04T09:35")
    world.tick("2021-05-05T09:35")
    assert refused == [f"allocation/2021-05/{SAM_EMAIL}"]
    (notice,) = [m for m in world.new_mail() if m.kind == "send-failed"]
    assert notice.to == (QA,)
    assert notice.subject == f"A message could not be sent: allocation to {SAM_EMAIL}"
    assert "Reason: ValueError: the server refused the message" in notice.text
