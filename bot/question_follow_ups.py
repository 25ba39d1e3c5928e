"""Questions back not answered: asked once more after two working days, then passed to the
QA team after as many again. A job of the tick, after the inbox is read."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.core import calendar as cal
from bot.core import questions as qb
from bot.core.inbound import Parties
from bot.core.replies import analyse
from bot.inbox import RecordMail, parties_for
from bot.store import questions as stored_questions
from bot.store import repo


def follow_up_questions(app: App, now: datetime, local: datetime, record_mail: RecordMail) -> None:
    """Only on working days; each step recorded once, whoever gets there first."""
    if not cal.is_working_day(local.date()):
        return
    settings = app.settings
    with app.engine.begin() as connection:
        due = qb.follow_ups(stored_questions.waiting(connection), local.date())
        if not due:
            return
        parties = parties_for(app, connection, now)
        for step in due:
            question = step.question
            if isinstance(step, qb.AskAgain):
                if not stored_questions.asked_again(connection, question, local.date()):
                    continue
                event = "question_asked_again"
            elif not stored_questions.settle(connection, question, qb.State.UNANSWERED):
                continue
            else:
                event = "question_unanswered"
            raw = stored_questions.asked_about(connection, question)
            words = _shown_words(raw, local, question, parties)
            if isinstance(step, qb.AskAgain):
                plan = qb.ask(question, words, settings.mailbox, settings.council, again=True)
            else:
                plan = qb.pass_on(question, words, settings.qa_team.email, settings.council)
            repo.add_event(connection, now, event, month=question.month, subject=question.token)
            record_mail(connection, [plan])


def _shown_words(raw: bytes, local: datetime, question: qb.Question, parties: Parties) -> str:
    """The message's new text as it may be quoted: with children's names masked."""
    analysis = analyse(
        raw, today=local.date(), role=question.role, roster=parties.roster, staff=parties.staff
    )
    reading = analysis.reading
    return reading.masked if reading is not None else analysis.body
