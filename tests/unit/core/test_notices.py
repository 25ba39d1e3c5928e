"""notices_for: the short mails that answer an inbound message, and failed-send notices."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.exemptions import State
from bot.core.inbound import Action, Interpretation, SentMail
from bot.core.notices import failed_send_notices, notices_for
from bot.core.plans import FailedSend
from bot.core.replies import Intent, Kind
from tests.unit.core.personas import (
    DIRECTOR,
    EXEMPTIONS,
    HANA,
    KIM,
    MAY,
    OMAR,
    OUTSIDER,
    QA,
    SAM,
    analysis,
    request,
)

TODAY = date(2021, 5, 12)
MESSAGE = "3f9a1c0b7d2e"  # what the shell derives from the inbound Message-ID
SAMS_TOKEN = "AUD-2021-05-K7M3Q9XA"
RETURNED = SentMail("reminder/2021-05/stage-2/sam@council.example", frozenset({SAM.email, HANA}))
WITH_DIRECTOR = request(state=State.AWAITING_DIRECTOR)
APPROVED = request(state=State.APPROVED)


def mail(suffix: str, template: str, to: str, cc: tuple[str, ...] = ()) -> tuple:
    return (f"inbound/{MESSAGE}/{suffix}", template, (to,), cc)


CASES = [
    pytest.param(
        Interpretation(Action.QUARANTINE, "sender is not in the roster"),
        analysis(OUTSIDER, Intent.APPROVE),
        [mail("quarantined", "quarantined", QA)],
        id="quarantined-the-qa-team-is-told",
    ),
    pytest.param(
        Interpretation(Action.FORWARD, "not something the bot acts on", auditor=SAM),
        analysis(SAM.email, Intent.QUESTION),
        [
            mail("forwarded", "forwarded", QA),
            ("will-answer/sam@council.example/2021-05-12", "will_answer", (SAM.email,), ()),
        ],
        id="forwarded-to-the-qa-team-and-the-sender-told-a-person-will-answer",
    ),
    pytest.param(
        Interpretation(Action.FORWARD, "message without a reference"),
        analysis(DIRECTOR, Intent.QUESTION),
        [
            mail("forwarded", "forwarded", QA),
            ("will-answer/director@council.example/2021-05-12", "will_answer", (DIRECTOR,), ()),
        ],
        id="the-director-forwarded-is-told-too",
    ),
    pytest.param(
        Interpretation(Action.AT_RISK, "at risk of slipping", month=MAY, auditor=SAM),
        analysis(SAM.email, Intent.AT_RISK),
        [mail("at-risk", "at_risk", HANA, (QA,)), mail("ack", "at_risk_ack", SAM.email)],
        id="at-risk-the-head-of-service-is-told-copying-qa-and-the-auditor-thanked",
    ),
    pytest.param(
        Interpretation(Action.AT_RISK, "at risk of slipping", month=MAY, auditor=KIM),
        analysis(KIM.email, Intent.AT_RISK),
        [mail("at-risk", "at_risk", OMAR, (QA,)), mail("ack", "at_risk_ack", KIM.email)],
        id="at-risk-goes-to-the-auditors-own-head-of-service",
    ),
    pytest.param(
        Interpretation(Action.SELF_REPORT, "says it is done", month=MAY, auditor=SAM),
        analysis(SAM.email, Intent.COMPLETED),
        [mail("ack", "completed_ack", SAM.email)],
        id="self-report-acknowledged",
    ),
    pytest.param(
        Interpretation(Action.ALREADY_DECIDED, "already decided", request=APPROVED),
        analysis(DIRECTOR, Intent.DECLINE),
        [mail("already-decided", "already_decided", DIRECTOR)],
        id="already-decided-the-sender-is-told",
    ),
    pytest.param(
        Interpretation(Action.NOT_YET, "still with the Head of Service", request=request()),
        analysis(DIRECTOR, Intent.APPROVE),
        [mail("not-yet", "not_yet", DIRECTOR)],
        id="not-yet-the-director-is-told",
    ),
    pytest.param(
        Interpretation(
            Action.BOUNCE, "delivery failure report", bounced=(SAM.email, HANA), returned=RETURNED
        ),
        analysis("mailer-daemon@council.example", kind=Kind.BOUNCE),
        [
            (
                "bounce/reminder/2021-05/stage-2/sam@council.example/sam@council.example",
                "bounce_notice",
                (QA,),
                (),
            ),
            (
                "bounce/reminder/2021-05/stage-2/sam@council.example/hana@council.example",
                "bounce_notice",
                (QA,),
                (),
            ),
        ],
        id="bounce-one-notice-per-failed-address",
    ),
    pytest.param(
        Interpretation(Action.AUTO_REPLY, "automatic reply", auditor=SAM),
        analysis(SAM.email, kind=Kind.AUTO_REPLY, automatic="out_of_office"),
        [],
        id="an-out-of-office-is-never-answered",
    ),
    pytest.param(
        Interpretation(Action.IGNORE, "the bot's own mail"),
        analysis("audit-bot@council.example", Intent.APPROVE),
        [],
        id="our-own-mail-is-never-answered",
    ),
    pytest.param(
        Interpretation(Action.DIRECTOR_DECISION, "director decided", request=WITH_DIRECTOR),
        analysis(DIRECTOR, Intent.APPROVE),
        [],
        id="a-decision-sends-its-mails-through-the-workflow-not-here",
    ),
]


@pytest.mark.parametrize(("meaning", "message", "expected"), CASES)
def test_what_goes_out_in_answer_to_a_message(meaning, message, expected) -> None:
    plans = notices_for(meaning.action, meaning, message, MESSAGE, EXEMPTIONS, TODAY)

    assert [(p.key, p.template, p.to, p.cc) for p in plans] == expected


def test_a_forward_without_a_sender_tells_only_the_qa_team() -> None:
    meaning = Interpretation(Action.FORWARD, "no sender")

    plans = notices_for(Action.FORWARD, meaning, analysis(None), MESSAGE, EXEMPTIONS, TODAY)

    assert [p.key for p in plans] == [f"inbound/{MESSAGE}/forwarded"]


@pytest.mark.parametrize(
    ("second_day", "same_answer"),
    [
        pytest.param(TODAY, True, id="same-day-one-will-answer"),
        pytest.param(date(2021, 5, 13), False, id="next-day-another"),
    ],
)
def test_a_sender_is_told_a_person_will_answer_at_most_once_a_day(second_day, same_answer) -> None:
    meaning = Interpretation(Action.FORWARD, "a question", auditor=SAM)
    message = analysis(SAM.email, Intent.QUESTION)

    first = notices_for(Action.FORWARD, meaning, message, "aaaa", EXEMPTIONS, TODAY)
    second = notices_for(Action.FORWARD, meaning, message, "bbbb", EXEMPTIONS, second_day)

    assert first[0].key != second[0].key  # each message is forwarded
    assert (first[1].key == second[1].key) is same_answer


def test_an_at_risk_notice_names_the_auditor_and_carries_their_thread() -> None:
    meaning = Interpretation(Action.AT_RISK, "at risk of slipping", month=MAY, auditor=SAM)
    message = analysis(
        SAM.email, Intent.AT_RISK, body="I may not make it this month.", reference=SAMS_TOKEN
    )

    to_head, ack = notices_for(Action.AT_RISK, meaning, message, MESSAGE, EXEMPTIONS, TODAY)

    assert to_head.context["head"] == "Hana Ahmed"
    assert to_head.context["name"] == "Sam Patel"
    assert to_head.context["month"] == "May 2021"
    assert to_head.context["body"] == "I may not make it this month."
    assert {(m.reference, m.month) for m in (to_head, ack)} == {(SAMS_TOKEN, MAY)}


def test_an_answer_about_a_request_carries_the_requests_reference_and_state() -> None:
    meaning = Interpretation(Action.ALREADY_DECIDED, "already decided", request=APPROVED)

    [answer] = notices_for(
        Action.ALREADY_DECIDED,
        meaning,
        analysis(DIRECTOR, Intent.DECLINE),
        MESSAGE,
        EXEMPTIONS,
        TODAY,
    )

    assert answer.reference == "EXM-2021-05-017-K7M3Q9XA"
    assert answer.month == MAY
    assert answer.context["ref"] == "EXM-2021-05-017"
    assert answer.context["state_label"] == "approved by the director"


def test_the_qa_team_hears_once_of_each_mail_that_could_not_be_sent() -> None:
    failed = [
        FailedSend(
            "reminder/2021-05/stage-2/sam@council.example",
            "reminder",
            ("sam@council.example", HANA),
            "550 5.1.1 mailbox unavailable",
        ),
        FailedSend("close/2021-05/qa", "close_summary", (QA,), "message too large"),
    ]

    plans = failed_send_notices(failed, QA, "Example Borough Council")

    assert [(p.key, p.template, p.to) for p in plans] == [
        ("send-failed/reminder/2021-05/stage-2/sam@council.example", "send_failed", (QA,)),
        ("send-failed/close/2021-05/qa", "send_failed", (QA,)),
    ]
    assert plans[0].context == {
        "key": "reminder/2021-05/stage-2/sam@council.example",
        "kind": "reminder",
        "recipients": ["sam@council.example", HANA],
        "reason": "550 5.1.1 mailbox unavailable",
        "council": "Example Borough Council",
    }
    assert failed_send_notices([], QA, "Example Borough Council") == []
