"""Replies read as a careful QA officer would, through the local transport on both stores: a
question back instead of a guess, part done, slippage, a Head of Service's own request, and
children's names kept out of what is passed on."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select

from bot.store.schema import inbound, questions
from tests.world import ALEX, BOT, DIRECTOR, HANA, KIM, OMAR, QA, SAM, Landed, World, build_new

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]


@pytest.fixture
def may(world: World) -> World:
    return world.allocate_may()


def _allocation(world: World, email: str) -> Landed:
    return next(m for m in world.all_mail() if m.key == f"allocation/2021-05/{email}")


def _keys(mails: list[Landed]) -> list[str]:
    return sorted(m.key for m in mails)


def _one(mails: list[Landed], prefix: str, suffix: str = "") -> Landed:
    (found,) = [m for m in mails if m.key.startswith(prefix) and m.key.endswith(suffix)]
    return found


def _said(mail: Landed) -> str:
    """The plain text as one line: wording, not where the lines break."""
    return " ".join(mail.text.split())


def _links(mail: Landed) -> dict[str, str]:
    """The one-click answers of a question back: the line shown -> its mailto: link."""
    found = re.findall(r'<a href="(mailto:[^"]+)"[^>]*>([^<]+)</a>', mail.html)
    return {html.unescape(text): html.unescape(href) for href, text in found}


def _click(world: World, sender: str, href: str) -> None:
    """What a mail client sends for a mailto: link: a new message, no threading headers."""
    link = urlsplit(href)
    fields = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert unquote(link.path) == BOT
    world.deliver(build_new(sender, fields["subject"], fields["body"]))


def _question_rows(world: World) -> list[tuple[str, str, str | None]]:
    with world.open().engine.connect() as connection:
        rows = connection.execute(
            select(questions.c.sender, questions.c.state, questions.c.answer)
        ).all()
    return [tuple(r) for r in rows]


def test_an_unclear_reply_is_asked_about_and_acted_on_by_its_one_click_answer(
    may: World,
) -> None:
    may.reply(_allocation(may, SAM_EMAIL), SAM_EMAIL, "Sorted")
    may.tick("2021-05-06T10:00")
    landed = may.new_mail()
    asked = _one(landed, "question/", "/ask")
    assert _keys(landed) == [asked.key]  # nothing else: no guess, no copy to anyone
    assert (asked.to, asked.cc) == ((SAM_EMAIL,), ())
    assert "Sorted" in asked.text
    links = _links(asked)
    assert "I have submitted all my audits for the month" in links
    assert _question_rows(may) == [(SAM_EMAIL, "waiting", None)]

    _click(may, SAM_EMAIL, links["I have submitted all my audits for the month"])
    may.tick("2021-05-06T10:30")
    acted = may.new_mail()
    ack = _one(acted, "inbound/", "/ack")
    assert ack.to == (SAM_EMAIL,) and "no more reminders" in _said(ack).lower()
    assert _question_rows(may) == [(SAM_EMAIL, "answered", "completed")]
    # The stage-10 reminder goes to the others, not to Sam, who said all is done.
    may.tick("2021-05-17T09:30")
    reminded = {m.to[0] for m in may.new_mail() if m.key.startswith("reminder/")}
    assert SAM_EMAIL not in reminded and ALEX_EMAIL in reminded


def test_a_question_not_answered_is_asked_again_then_passed_to_the_qa_team(may: World) -> None:
    may.reply(_allocation(may, SAM_EMAIL), SAM_EMAIL, "Sorted")
    may.tick("2021-05-06T10:00")  # Thursday
    asked = _one(may.new_mail(), "question/", "/ask")
    token = asked.key.split("/")[1]
    by_day = may.run_days(*(_day(d) for d in (7, 14)))
    question_mail = {
        day.day: [m.key.split("/")[-1] for m in mails if m.key.startswith("question/")]
        for day, mails in by_day.items()
    }
    assert {d: keys for d, keys in question_mail.items() if keys} == {
        10: ["again"],  # two working days after Thursday
        12: ["unanswered"],  # two more
    }
    again = next(m for mails in by_day.values() for m in mails if m.key.endswith("/again"))
    assert again.to == (SAM_EMAIL,) and token in again.subject
    passed = next(m for mails in by_day.values() for m in mails if m.key.endswith("/unanswered"))
    assert passed.to == (QA,) and "Sorted" in passed.text
    assert _question_rows(may) == [(SAM_EMAIL, "unanswered", None)]
    # Nothing was guessed meanwhile: no request, no notice to anyone about the message.
    keys = [m.key for mails in by_day.values() for m in mails]
    assert not any(k.startswith(("exemption/", "inbound/")) for k in keys)


def _day(day: int):
    from datetime import date

    return date(2021, 5, day)


def test_part_done_keeps_reminding_of_what_is_left_then_done_stops_it(may: World) -> None:
    may.write_completions("2021-05", [("CR-1001", SAM_EMAIL, "2021-05-10", "good")])
    may.reply(
        _allocation(may, SAM_EMAIL), SAM_EMAIL, "I've done one of them, the other is nearly there."
    )
    may.tick("2021-05-11T10:00")
    landed = may.new_mail()
    ack = _one(landed, "inbound/", "/ack")
    assert _keys(landed) == [ack.key] and ack.to == (SAM_EMAIL,)
    assert "keep reminding you" in _said(ack)
    may.tick("2021-05-17T09:30")  # stage 10
    (reminder,) = [m for m in may.new_mail() if m.key == f"reminder/2021-05/stage-10/{SAM_EMAIL}"]
    assert "CR-1002" in reminder.text and "CR-1001" not in reminder.text

    may.reply(reminder, SAM_EMAIL, "Done them all now, thanks")
    may.tick("2021-05-18T10:00")
    assert "no more reminders" in _said(_one(may.new_mail(), "inbound/", "/ack")).lower()
    may.tick("2021-05-24T09:30")  # stage 5 (and June's heads-up, which is not about May)
    assert not [
        m
        for m in may.new_mail()
        if m.key.startswith("reminder/2021-05/") and m.key.endswith(f"/{SAM_EMAIL}")
    ]


def test_slippage_with_a_reason_goes_to_the_head_of_service_and_is_no_request(
    may: World,
) -> None:
    may.reply(
        _allocation(may, KIM_EMAIL),
        KIM_EMAIL,
        "I don't think I'll make the deadline this month - I'm giving evidence at a final "
        "hearing all of next week. I'll do what I can.",
    )
    may.tick("2021-05-06T10:00")
    landed = may.new_mail()
    assert not [m for m in landed if m.key.startswith(("exemption/", "question/"))]
    at_risk = _one(landed, "inbound/", "/at-risk")
    assert (at_risk.to, at_risk.cc) == ((OMAR,), (QA,))
    assert _one(landed, "inbound/", "/ack").to == (KIM_EMAIL,)


def test_a_head_of_services_own_request_for_an_auditor_goes_to_the_director(may: World) -> None:
    may.write_in(
        HANA,
        "Exemption for Sam",
        "I'd like to request an exemption for Sam Patel this month - he is giving evidence at "
        "a final hearing all week. I support this.",
    )
    may.tick("2021-05-06T10:00")
    landed = {m.key: m for m in may.new_mail()}
    ref = "exemption/EXM-2021-05-001"
    assert sorted(landed) == sorted(
        [f"{ref}/to-director", f"{ref}/head-confirm", f"{ref}/on-behalf"]
    )
    assert landed[f"{ref}/to-director"].to == (DIRECTOR,)
    assert landed[f"{ref}/head-confirm"].to == (HANA,)
    assert landed[f"{ref}/on-behalf"].to == (SAM_EMAIL,)

    # Omar is not Sam's Head of Service: his request for Sam is quarantined.
    may.write_in(
        OMAR, "Exemption", "I'd like to request an exemption for Alex Jones. I support it."
    )
    may.tick("2021-05-06T11:00")
    assert may.filed("Quarantine") == 1
    assert [m.to for m in may.new_mail()] == [(QA,)]


def test_a_childs_name_is_masked_in_what_is_passed_on_and_kept_in_the_raw_message(
    may: World,
) -> None:
    words = "Please can I be exempt this month? I'm in court all week for the final hearing"
    may.reply(_allocation(may, SAM_EMAIL), SAM_EMAIL, f"{words} in Jayden Smith's case.")
    may.tick("2021-05-06T10:00")
    landed = {m.key: m for m in may.new_mail()}
    to_head = landed["exemption/EXM-2021-05-001/to-head"]
    assert "Jayden" not in to_head.text + to_head.html and "[name removed]" in to_head.text
    kindly = landed[f"names-reminder/{SAM_EMAIL}"]
    assert kindly.to == (SAM_EMAIL,) and "case reference" in _said(kindly)

    may.reply(to_head, HANA, "I support this request.")
    may.tick("2021-05-06T11:00")
    director = _one(may.new_mail(), "exemption/", "/to-director")
    assert "Jayden" not in director.text + director.html
    with may.open().engine.connect() as connection:
        raws = [bytes(r) for r in connection.scalars(select(inbound.c.raw))]
    assert any(b"Jayden Smith" in raw for raw in raws)


def test_a_decision_is_never_taken_from_an_unclear_answer(may: World) -> None:
    may.reply(
        _allocation(may, ALEX_EMAIL),
        ALEX_EMAIL,
        "I'm on sick leave from Monday for three weeks, can I be exempted this month?",
    )
    may.tick("2021-05-06T10:00")
    to_head = _one(may.new_mail(), "exemption/", "/to-head")
    may.reply(to_head, HANA, "Agreed on this occasion but I want to talk to Priya first")
    may.tick("2021-05-06T11:00")
    landed = may.new_mail()
    asked = _one(landed, "question/", "/ask")
    assert _keys(landed) == [asked.key] and asked.to == (HANA,)
    links = _links(asked)
    assert any("I support the request" in line for line in links)
    _click(may, HANA, next(h for line, h in links.items() if "I support the request" in line))
    may.tick("2021-05-06T11:30")
    assert _one(may.new_mail(), "exemption/", "/to-director").to == (DIRECTOR,)
