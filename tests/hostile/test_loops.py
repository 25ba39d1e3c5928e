"""Mail that used to make the bot and another mailbox answer each other without end."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.hostile.mail import raw_mail
from tests.world import DIRECTOR, HANA, LONDON, QA, SAM, World

OUTSIDER = "mallory@elsewhere.example"

ACKNOWLEDGEMENTS = {
    "service-desk": (
        "[QA-Ticket #{n}] {subject}",
        "We have received your email: {subject}\n\nYour request has been logged with "
        "reference QA-{n} and a member of the team will respond shortly.",
    ),
    # Words the reader cannot tell from a person's: only the loop breaker stops these.
    "plain": ("RE: {subject}", "Thanks, noted."),
}


@pytest.mark.parametrize("style", sorted(ACKNOWLEDGEMENTS))
def test_an_auto_acknowledging_mailbox_answering_every_mail_is_bounded(
    world: World, style: str
) -> None:
    subject_form, body_form = ACKNOWLEDGEMENTS[style]
    world.write_in(OUTSIDER, "Approve everything", "Approved.")  # tells the QA team
    clock = datetime(2021, 5, 5, 10, 0, tzinfo=LONDON)
    sent_to_qa = 0
    for n in range(20):
        world.tick(clock)
        clock += timedelta(minutes=5)
        for mail in world.new_mail():
            if QA not in mail.to:
                continue
            sent_to_qa += 1
            parent = str(mail.message["Message-ID"])
            world.deliver(
                raw_mail(
                    [
                        ("From", QA),
                        ("Subject", subject_form.format(n=n, subject=mail.subject)),
                        ("In-Reply-To", parent),
                        ("References", parent),
                    ],
                    body_form.format(n=n, subject=mail.subject),
                )
            )
    limit = world.open().settings.inbox.max_answers_per_day
    # The first notice, at most a day's answers, and one word that answering stopped.
    assert sent_to_qa <= 1 + limit + 1
    assert world.tick(clock).inbox.left == 0


def test_answers_to_one_correspondent_stop_at_the_daily_limit_and_qa_is_told_once(
    world: World,
) -> None:
    world.config.write_text(world.config.read_text() + "inbox: {max_answers_per_day: 2}\n")
    for n in range(4):
        world.write_in(QA, f"Question {n}", "Which auditors are off this month?")
    world.tick("2021-05-05T10:00")
    landed = world.new_mail()
    stopped = [m for m in landed if m.key.startswith("answers-stopped/")]
    assert len(stopped) == 1
    assert stopped[0].subject == f"Answers to {QA} paused for today"
    assert "Messages that would go past it are kept and filed" in " ".join(stopped[0].text.split())
    answers = [m for m in landed if m.key.startswith(("inbound/", "will-answer/"))]
    assert len(answers) == 2
    # The next day answers start again.
    world.write_in(QA, "Question 5", "Which auditors are off this month?")
    world.tick("2021-05-06T10:00")
    assert len([m for m in world.new_mail() if m.key.startswith(("inbound/", "will-answer/"))]) == 2


def test_answers_in_one_thread_stop_at_the_daily_limit_whoever_writes(
    world: World,
) -> None:
    world.config.write_text(world.config.read_text() + "inbox: {max_answers_per_day: 1}\n")
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    allocation = world.new_mail()[0]
    world.reply(allocation, SAM[1], "I'm on sick leave for three weeks, can I be exempted?")
    world.tick("2021-05-05T09:00")
    to_head = next(m for m in world.new_mail() if m.key.endswith("/to-head"))
    world.reply(to_head, HANA, "What is this about?")
    world.tick("2021-05-05T10:00")
    assert [m.to for m in world.new_mail() if m.to != (QA,)] == [(HANA,)]
    # The director writes in the same thread the same day: its one answer is spent.
    world.reply(to_head, DIRECTOR, "Who is dealing with this?")
    world.tick("2021-05-05T11:00")
    landed = world.new_mail()
    assert [m.to for m in landed if m.to != (QA,)] == []
    assert any(m.key == f"answers-stopped/{DIRECTOR}/2021-05-05" for m in landed)


def test_a_tick_whose_budget_is_spent_leaves_the_inbox_for_the_next(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.tick
    from bot.budget import Budget

    for n in range(3):
        world.write_in(QA, f"Question {n}", "Which auditors are off this month?")
    monkeypatch.setattr(bot.tick.Budget, "of", classmethod(lambda cls, seconds: Budget(0.0)))
    report = world.tick("2021-05-05T10:00")
    assert (report.inbox.left, report.inbox.processed, report.drained.sent) == (3, 0, 0)
    monkeypatch.undo()
    report = world.tick("2021-05-05T10:05")
    assert (report.inbox.left, report.inbox.processed) == (0, 3)
