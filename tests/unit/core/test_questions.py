"""Questions back, table-driven: what is offered, how an answer is read, when it is asked
again, and what a message means to the interpreter when it is unclear, part done or a Head
of Service's own request."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.core.exemptions import State
from bot.core.inbound import Action, Binding, Parties, interpret, interpret_answer, sender_role
from bot.core.questions import AskAgain, PassOn, Question, answer_in, ask, follow_ups, offered_for
from bot.core.questions import State as QuestionState
from bot.core.replies import Intent
from bot.core.replies.model import Reading, Role
from tests.unit.core.personas import (
    ALEX,
    BOT,
    DIRECTOR,
    HANA,
    KIM,
    MAY,
    OMAR,
    QA,
    ROSTER,
    SAM,
    analysis,
    request,
)

PARTIES = Parties(mailbox=BOT, director=DIRECTOR, qa_team=QA, roster=ROSTER)
TODAY = date(2021, 5, 12)
TOKEN = "ASK-2021-05-K7M3Q9XA"
QUESTION = Question(
    token=TOKEN,
    sender=SAM.email,
    role=Role.AUDITOR,
    offered=(Intent.EXEMPTION_REQUEST, Intent.AT_RISK, Intent.QUESTION),
    inbound_id=7,
    month=MAY,
    asked_on=date(2021, 5, 6),  # a Thursday
)


def reading(
    intent: Intent,
    *alternatives: Intent,
    on_behalf_of: str | None = None,
    cases: tuple[str, ...] = (),
) -> Reading:
    return Reading(
        intent=intent,
        confidence=0.3 if intent is Intent.UNCLEAR else 0.9,
        alternatives=alternatives,
        reason=None,
        cases=cases,
        until=None,
        on_behalf_of=on_behalf_of,
        masked="",
        child_names_masked=0,
    )


def said(sender: str, full: Intent, *alternatives: Intent, **more: object):
    return analysis(sender, Intent.UNKNOWN, reading=reading(full, *alternatives, **more))


@pytest.mark.parametrize(
    ("role", "alternatives", "offered"),
    [
        pytest.param(
            Role.AUDITOR,
            (Intent.EXEMPTION_REQUEST, Intent.AT_RISK),
            (Intent.EXEMPTION_REQUEST, Intent.AT_RISK, Intent.QUESTION),
            id="an-auditor-is-offered-both-and-a-way-to-a-person",
        ),
        pytest.param(
            Role.HEAD_OF_SERVICE,
            (Intent.SUPPORT, Intent.APPROVE, Intent.NOT_SUPPORT),
            (Intent.SUPPORT, Intent.NOT_SUPPORT, Intent.QUESTION),
            id="a-head-of-service-is-never-offered-the-directors-decision",
        ),
        pytest.param(
            Role.DIRECTOR,
            (Intent.APPROVE, Intent.APPROVE, Intent.DECLINE),
            (Intent.APPROVE, Intent.DECLINE, Intent.QUESTION),
            id="each-reading-once",
        ),
        pytest.param(Role.OUTSIDER, (Intent.APPROVE,), (), id="an-outsider-is-never-asked"),
        pytest.param(Role.AUDITOR, (), (), id="nothing-to-choose-nothing-asked"),
    ],
)
def test_what_a_question_offers(role, alternatives, offered) -> None:
    assert offered_for(role, alternatives) == offered


@pytest.mark.parametrize(
    ("text", "subject", "chosen"),
    [
        ("1 - please send my exemption request", f"RE: [{TOKEN}] 1", Intent.EXEMPTION_REQUEST),
        ("2", "RE: A quick question [" + TOKEN + "]", Intent.AT_RISK),
        ("", f"Re: [{TOKEN}] 3", Intent.QUESTION),
        ("  (2)  thanks", "", Intent.AT_RISK),
        ("1", f"RE: [{TOKEN}] 2", None),  # two different numbers: not an answer
        ("4", "", None),  # not offered
        ("12", "", None),
        ("Yes please", f"RE: [{TOKEN}]", None),
        ("I think 1", "", None),  # a number inside a sentence is not a click
    ],
)
def test_an_answer_is_a_number_that_was_offered(text, subject, chosen) -> None:
    assert answer_in(QUESTION, text, subject) == chosen


def test_the_question_goes_to_its_sender_alone_with_a_link_for_each_line() -> None:
    plan = ask(QUESTION, "Sorted", BOT, "Example Borough Council")
    assert (plan.key, plan.to, plan.cc) == (f"question/{TOKEN}/ask", (SAM.email,), ())
    assert plan.reference == TOKEN
    links = [o["href"] for o in plan.context["options"]]
    assert links[0] == (
        f"mailto:{BOT}?subject=RE%3A%20%5B{TOKEN}%5D%201"
        "&body=1%20-%20please%20send%20my%20exemption%20request%20to%20my%20Head%20of%20Service"
    )
    assert ask(QUESTION, "", BOT, "", again=True).key == f"question/{TOKEN}/again"


@pytest.mark.parametrize(
    ("question", "today", "due"),
    [
        (QUESTION, date(2021, 5, 7), None),  # Friday: one working day
        (QUESTION, date(2021, 5, 10), AskAgain),  # Monday: two
        (replace(QUESTION, asked_again_on=date(2021, 5, 10)), date(2021, 5, 11), None),
        (replace(QUESTION, asked_again_on=date(2021, 5, 10)), date(2021, 5, 12), PassOn),
        (replace(QUESTION, asked_on=date(2021, 5, 28)), date(2021, 6, 1), None),  # bank holiday
        (replace(QUESTION, state=QuestionState.ANSWERED), date(2021, 5, 20), None),
    ],
)
def test_a_question_not_answered_is_asked_again_then_passed_on(question, today, due) -> None:
    found = follow_ups([question], today)
    assert [type(step) for step in found] == ([due] if due else [])


@pytest.mark.parametrize(
    ("message", "binding", "action"),
    [
        pytest.param(
            said(SAM.email, Intent.UNCLEAR, Intent.COMPLETED, Intent.AT_RISK),
            Binding(MAY, SAM.email),
            Action.ASK_BACK,
            id="an-unclear-auditor-is-asked",
        ),
        pytest.param(
            said(SAM.email, Intent.PARTLY_COMPLETED),
            Binding(MAY, SAM.email),
            Action.PART_DONE,
            id="part-done-is-progress-not-completion",
        ),
        pytest.param(
            said(SAM.email, Intent.NO_ACTION),
            None,
            Action.NO_ACTION,
            id="thanks-needs-nothing",
        ),
        pytest.param(
            said(HANA, Intent.UNCLEAR, Intent.SUPPORT, Intent.NOT_SUPPORT),
            Binding(MAY, SAM.email, request(state=State.AWAITING_HEAD)),
            Action.ASK_BACK,
            id="an-unclear-head-of-service-is-asked-never-decided-for",
        ),
        pytest.param(
            said(DIRECTOR, Intent.UNCLEAR, Intent.APPROVE, Intent.DECLINE),
            Binding(MAY, SAM.email, request(state=State.AWAITING_DIRECTOR)),
            Action.ASK_BACK,
            id="an-unclear-director-is-asked",
        ),
        pytest.param(
            said(DIRECTOR, Intent.APPROVE_PARTIAL),
            Binding(MAY, SAM.email, request(state=State.AWAITING_DIRECTOR)),
            Action.ASK_BACK,
            id="a-partial-approval-naming-no-part-is-asked-about-not-taken-for-a-full-one",
        ),
        pytest.param(
            said(DIRECTOR, Intent.APPROVE_PARTIAL, cases=("CR-104363",)),
            Binding(MAY, SAM.email, request(state=State.AWAITING_DIRECTOR)),
            Action.DIRECTOR_DECISION,
            id="a-partial-approval-naming-its-case-is-a-decision",
        ),
        pytest.param(
            said(DIRECTOR, Intent.APPROVE_PARTIAL, cases=("CR-104399",)),
            Binding(MAY, SAM.email, request(state=State.AWAITING_DIRECTOR, cases=("CR-104363",))),
            Action.FORWARD,
            id="a-partial-approval-of-a-case-never-asked-about-goes-to-a-person",
        ),
        pytest.param(
            said(HANA, Intent.EXEMPTION_REQUEST_ON_BEHALF, on_behalf_of=ALEX.email),
            None,
            Action.ON_BEHALF,
            id="a-head-of-service-asks-for-their-own-auditor",
        ),
        pytest.param(
            said(OMAR, Intent.EXEMPTION_REQUEST_ON_BEHALF, on_behalf_of=ALEX.email),
            None,
            Action.QUARANTINE,
            id="not-for-someone-outside-their-service",
        ),
        pytest.param(
            said(HANA, Intent.EXEMPTION_REQUEST_ON_BEHALF),
            None,
            Action.FORWARD,
            id="not-for-someone-the-roster-does-not-name",
        ),
    ],
)
def test_what_a_reading_means(message, binding, action) -> None:
    assert interpret(message, binding, PARTIES, TODAY).action is action


@pytest.mark.parametrize(
    ("message", "action", "chosen"),
    [
        (analysis(SAM.email, body="2"), Action.ANSWER, Intent.AT_RISK),
        (analysis(KIM.email, body="2"), Action.QUARANTINE, None),  # asked of Sam only
        (analysis(SAM.email, body="which?"), Action.FORWARD, None),
    ],
)
def test_an_answer_from_its_sender_with_a_number_acts(message, action, chosen) -> None:
    meaning = interpret_answer(message, QUESTION)
    assert (meaning.action, meaning.chosen) == (action, chosen)


def test_an_answer_to_a_settled_question_changes_nothing() -> None:
    settled = replace(QUESTION, state=QuestionState.ANSWERED)
    assert interpret_answer(analysis(SAM.email, body="1"), settled).action is Action.FORWARD


@pytest.mark.parametrize(
    ("sender", "binding", "role"),
    [
        (SAM.email, None, Role.AUDITOR),
        (HANA, None, Role.HEAD_OF_SERVICE),
        (DIRECTOR, None, Role.DIRECTOR),
        (QA, None, Role.QA_TEAM),
        ("someone@else.example", None, None),
        (HANA, Binding(MAY, SAM.email, request(state=State.AWAITING_HEAD)), Role.HEAD_OF_SERVICE),
        (SAM.email, Binding(MAY, SAM.email, request()), Role.AUDITOR),
        (KIM.email, Binding(MAY, SAM.email, request()), None),
    ],
)
def test_who_the_sender_is_here(sender, binding, role) -> None:
    assert sender_role(sender, binding, PARTIES) is role
