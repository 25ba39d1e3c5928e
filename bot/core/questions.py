"""A question back: when a reply could mean more than one thing, its sender is asked which,
and nothing is done until they answer. Pure: no I/O, no clock.

The question offers each reading as a numbered line with a one-click ``mailto:`` link that
carries the question's reference and the number. The answer is read for that number only,
so an answer is never itself a guess. A sender who does not answer is asked once more
after ``again_after`` working days; after as many again, the QA team is told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from urllib.parse import quote

from bot.core import calendar as cal
from bot.core.keys import question_key
from bot.core.plans import MailPlan
from bot.core.records import Month
from bot.core.replies import Intent
from bot.core.replies.model import Role

AGAIN_AFTER = 2  # working days before the question is asked once more, then the QA team told

# What each reading means, in the sender's own voice: the line they pick.
_SAID: dict[Intent, str] = {
    Intent.EXEMPTION_REQUEST: "please send my exemption request to my Head of Service",
    Intent.AT_RISK: "I'm only telling you I may be late: I am not asking for an exemption",
    Intent.COMPLETED: "I have submitted all my audits for the month",
    Intent.PARTLY_COMPLETED: "I have submitted some of my audits, not all of them yet",
    Intent.WITHDRAW: "please withdraw my exemption request",
    Intent.SUPPORT: "I support the request: please send it to the director",
    Intent.NOT_SUPPORT: "I do not support the request",
    Intent.EXEMPTION_REQUEST_ON_BEHALF: (
        "please make an exemption request for my auditor, with my support, to the director"
    ),
    Intent.APPROVE: "I approve the request",
    Intent.APPROVE_PARTIAL: "I approve only the cases, or the extension, that my message names",
    Intent.DECLINE: "I decline the request",
    Intent.QUESTION: "none of these: please ask someone in the QA team to read my message",
    Intent.NO_ACTION: "nothing needs doing: it was for information",
}

# What an answer may choose: a reading the sender's role can act on.
_FOR_ROLE: dict[Role, frozenset[Intent]] = {
    Role.AUDITOR: frozenset(
        {
            Intent.EXEMPTION_REQUEST,
            Intent.AT_RISK,
            Intent.COMPLETED,
            Intent.PARTLY_COMPLETED,
            Intent.WITHDRAW,
            Intent.NO_ACTION,
        }
    ),
    Role.HEAD_OF_SERVICE: frozenset(
        {Intent.SUPPORT, Intent.NOT_SUPPORT, Intent.EXEMPTION_REQUEST_ON_BEHALF, Intent.NO_ACTION}
    ),
    Role.DIRECTOR: frozenset(
        {Intent.APPROVE, Intent.APPROVE_PARTIAL, Intent.DECLINE, Intent.NO_ACTION}
    ),
}

_NUMBER_FIRST = re.compile(r"^\W*([1-9])(?![0-9])")


class State(StrEnum):
    WAITING = "waiting"
    ANSWERED = "answered"
    UNANSWERED = "unanswered"  # asked twice, then passed to the QA team


@dataclass(frozen=True)
class Question:
    token: str  # ASK-2021-05-K7M3Q9XA: in the subject and in every link
    sender: str
    role: Role
    offered: tuple[Intent, ...]  # in the order shown, numbered from 1
    inbound_id: int  # the message the question is about
    month: Month
    asked_on: date
    asked_again_on: date | None = None
    state: State = State.WAITING
    answer: Intent | None = None
    id: int | None = None


def offered_for(role: Role, alternatives: tuple[Intent, ...]) -> tuple[Intent, ...]:
    """The readings to offer: those the sender's role can act on, in the reader's order,
    and always a last way out to a person. Empty if none is left to choose between."""
    allowed = _FOR_ROLE.get(role, frozenset())
    chosen = tuple(dict.fromkeys(i for i in alternatives if i in allowed))
    if not chosen:
        return ()
    return (*chosen, Intent.QUESTION)


def answer_in(question: Question, text: str, subject: str) -> Intent | None:
    """The reading an answer picks: the number at the start of its new text, or right after
    the reference in its subject, as the one-click links write them. None if neither says
    one number that was offered."""
    numbers: list[int] = []
    found = _NUMBER_FIRST.match(text)
    if found:
        numbers.append(int(found.group(1)))
    _, _, after = subject.upper().partition(question.token)
    found = _NUMBER_FIRST.match(after)
    if found:
        numbers.append(int(found.group(1)))
    if not numbers or len(set(numbers)) > 1:
        return None
    number = numbers[0]
    return question.offered[number - 1] if number <= len(question.offered) else None


def ask(
    question: Question,
    words: str,
    mailbox: str,
    council: str,
    again: bool = False,
    hint: str | None = None,
) -> MailPlan:
    """The question, to its sender only; ``words`` are theirs, as they may be quoted.
    ``hint``: another way to answer, when there is one (naming the cases meant)."""
    options = []
    for number, intent in enumerate(question.offered, start=1):
        said = _SAID.get(intent, intent.value.replace("_", " "))
        subject = f"RE: [{question.token}] {number}"
        href = f"mailto:{mailbox}?subject={quote(subject)}&body={quote(f'{number} - {said}')}"
        options.append({"number": number, "said": said, "href": href})
    return MailPlan(
        question_key(question.token, "again" if again else "ask"),
        "question_back",
        (question.sender,),
        {
            "options": options,
            "words": words,
            "again": again,
            "hint": hint,
            "asked_on": question.asked_on,
            "council": council,
        },
        month=question.month,
        reference=question.token,
    )


@dataclass(frozen=True)
class AskAgain:
    question: Question


@dataclass(frozen=True)
class PassOn:
    """Asked twice and not answered: the QA team reads the message instead."""

    question: Question


def follow_ups(questions: list[Question], today: date) -> list[AskAgain | PassOn]:
    """What is due for questions still waiting: once more after ``AGAIN_AFTER`` working
    days, then to the QA team after as many again."""
    due: list[AskAgain | PassOn] = []
    for question in questions:
        if question.state is not State.WAITING:
            continue
        if question.asked_again_on is None:
            if cal.working_days_between(question.asked_on, today) >= AGAIN_AFTER:
                due.append(AskAgain(question))
        elif cal.working_days_between(question.asked_again_on, today) >= AGAIN_AFTER:
            due.append(PassOn(question))
    return due


def pass_on(question: Question, words: str, qa_team: str, council: str) -> MailPlan:
    """Asked twice, not answered: the QA team reads the message and decides what it means."""
    return MailPlan(
        question_key(question.token, "unanswered"),
        "question_unanswered",
        (qa_team,),
        {
            "sender": question.sender,
            "token": question.token,
            "asked_on": question.asked_on,
            "asked_again_on": question.asked_again_on,
            "offered": [said(i) for i in question.offered],
            "words": words,
            "council": council,
        },
        month=question.month,
    )


def said(intent: Intent) -> str:
    """The line a reading was offered as, for the mail that passes a question on."""
    return _SAID.get(intent, intent.value.replace("_", " "))
