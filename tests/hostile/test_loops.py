"""Mail that used to make the bot and another mailbox answer each other without end."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.hostile.mail import raw_mail
from tests.world import LONDON, QA, World

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
    assert stopped[0].subject == f"We have stopped answering {QA} for today"
    answers = [m for m in landed if m.key.startswith(("inbound/", "will-answer/"))]
    assert len(answers) == 2
    # The next day answers start again.
    world.write_in(QA, "Question 5", "Which auditors are off this month?")
    world.tick("2021-05-06T10:00")
    assert len([m for m in world.new_mail() if m.key.startswith(("inbound/", "will-answer/"))]) == 2
