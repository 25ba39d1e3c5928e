"""interpret: who wrote what, to which record, and what the bot may do about it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.core.exemptions import State
from bot.core.inbound import Action, Binding, Parties, SentMail, interpret
from bot.core.records import Month
from bot.core.replies import Intent, Kind
from tests.unit.core.personas import (
    ALEX,
    BOT,
    DIRECTOR,
    DIRECTORS_PA,
    HANA,
    JUNE,
    KIM,
    LEE,
    MAY,
    OMAR,
    OUTSIDER,
    QA,
    ROSTER,
    SAM,
    analysis,
    request,
)

TODAY = date(2021, 5, 12)
APRIL = Month(2021, 4)
PARTIES = Parties(
    mailbox=BOT,
    director=DIRECTOR,
    qa_team=QA,
    roster=ROSTER,
    delegates={DIRECTOR: frozenset({DIRECTORS_PA})},
)
STRICT = replace(PARTIES, require_internal=True)

SAMS_THREAD = Binding(MAY, SAM.email)
WITH_HEAD = request(state=State.AWAITING_HEAD)
WITH_DIRECTOR = request(state=State.AWAITING_DIRECTOR)
APPROVED = request(state=State.APPROVED)
JUNE_REQUEST = request(month=JUNE, number=3)
RETURNED = SentMail("reminder/2021-05/stage-10/sam@council.example", frozenset({SAM.email, HANA}))
DAEMON = "mailer-daemon@council.example"


def on(req) -> Binding:
    """The binding of a reply to request ``req``'s thread."""
    return Binding(req.month, req.auditor_email, req)


def case(
    id, message, expected, *, binding=None, open_requests=None, returned=None, parties=PARTIES
):
    return pytest.param(message, binding, open_requests, returned, parties, expected, id=id)


def means(action: Action, **fields) -> dict:
    return {"action": action, **fields}


def bounce(*addresses: str):
    return analysis(DAEMON, kind=Kind.BOUNCE, bounced_recipients=addresses)


def auto(sender: str, why: str):
    return analysis(sender, kind=Kind.AUTO_REPLY, automatic=why)


ANYONE = [
    case("the-bots-own-mail-is-ignored", analysis(BOT, Intent.APPROVE), means(Action.IGNORE)),
    case(
        "a-bounce-of-a-mail-we-sent-is-believed",
        bounce(SAM.email),
        means(Action.BOUNCE, bounced=(SAM.email,), returned=RETURNED),
        returned=RETURNED,
    ),
    case(
        "a-bounce-is-believed-only-for-the-addresses-the-mail-went-to",
        bounce("ceo@council.example", SAM.email),
        means(Action.BOUNCE, bounced=(SAM.email,), returned=RETURNED),
        returned=RETURNED,
    ),
    case(
        "a-bounce-naming-nobody-the-mail-went-to-is-quarantined",
        bounce("ceo@council.example"),
        means(Action.QUARANTINE, bounced=(), returned=RETURNED),
        returned=RETURNED,
    ),
    case(
        "a-bounce-of-no-mail-we-sent-is-quarantined",
        bounce(SAM.email),
        means(Action.QUARANTINE, bounced=(), returned=None),
    ),
    case(
        "an-auditors-out-of-office-is-kept-for-the-auditor",
        auto(SAM.email, "out_of_office"),
        means(Action.AUTO_REPLY, auditor=SAM),
    ),
    case(
        "automatic-headers-from-an-auditor-count-as-away",
        auto(SAM.email, "headers"),
        means(Action.AUTO_REPLY, auditor=SAM),
    ),
    case(
        "a-service-desk-acknowledgement-says-nothing-of-the-auditor",
        auto(SAM.email, "acknowledgement"),
        means(Action.AUTO_REPLY, auditor=None),
    ),
    case(
        "a-read-receipt-says-nothing-of-the-auditor",
        auto(SAM.email, "read_receipt"),
        means(Action.AUTO_REPLY, auditor=None),
    ),
    case(
        "an-outsiders-out-of-office-is-nobodys",
        auto(OUTSIDER, "out_of_office"),
        means(Action.AUTO_REPLY, auditor=None),
    ),
    case(
        "an-out-of-office-on-a-request-thread-decides-nothing",
        auto(DIRECTOR, "out_of_office"),
        means(Action.AUTO_REPLY, request=None),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "a-malformed-message-is-quarantined",
        analysis(SAM.email, Intent.COMPLETED, malformed="broken MIME"),
        means(Action.QUARANTINE, why="unreadable message: broken MIME"),
    ),
    case(
        "a-message-without-a-sender-is-quarantined",
        analysis(None, Intent.APPROVE),
        means(Action.QUARANTINE, why="no sender address"),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "unauthenticated-mail-is-quarantined-when-internal-mail-is-required",
        analysis(DIRECTOR, Intent.APPROVE, auth_internal=None),
        means(Action.QUARANTINE, request=None),
        binding=on(WITH_DIRECTOR),
        parties=STRICT,
    ),
    case(
        "mail-authenticated-as-external-is-quarantined-when-internal-is-required",
        analysis(DIRECTOR, Intent.APPROVE, auth_internal=False),
        means(Action.QUARANTINE, request=None),
        binding=on(WITH_DIRECTOR),
        parties=STRICT,
    ),
    case(
        "internal-mail-is-acted-on-when-internal-is-required",
        analysis(DIRECTOR, Intent.APPROVE, auth_internal=True),
        means(Action.DIRECTOR_DECISION, approve=True),
        binding=on(WITH_DIRECTOR),
        parties=STRICT,
    ),
    case(
        "external-mail-is-acted-on-when-internal-is-not-required",
        analysis(SAM.email, Intent.COMPLETED, auth_internal=False),
        means(Action.SELF_REPORT, auditor=SAM),
        binding=SAMS_THREAD,
    ),
]

WHO_SENT_IT = [
    case(
        "sent-by-someone-else-for-the-director-is-quarantined",
        analysis(DIRECTOR, Intent.APPROVE, other_senders=(OUTSIDER,)),
        means(
            Action.QUARANTINE,
            why=f"sent by {OUTSIDER} on behalf of {DIRECTOR}",
            delegate=None,
        ),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "an-unreadable-sender-header-is-quarantined",
        analysis(DIRECTOR, Intent.APPROVE, other_senders=("(unreadable)",)),
        means(Action.QUARANTINE, delegate=None),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "the-directors-pa-decides-for-the-director",
        analysis(DIRECTOR, Intent.APPROVE, other_senders=(DIRECTORS_PA,)),
        means(Action.DIRECTOR_DECISION, request=WITH_DIRECTOR, approve=True, delegate=DIRECTORS_PA),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "the-directors-pa-and-an-outsider-together-are-quarantined",
        analysis(DIRECTOR, Intent.APPROVE, other_senders=(DIRECTORS_PA, OUTSIDER)),
        means(Action.QUARANTINE, delegate=None),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "the-directors-pa-is-no-delegate-of-an-auditor",
        analysis(SAM.email, Intent.WITHDRAW, other_senders=(DIRECTORS_PA,)),
        means(Action.QUARANTINE, delegate=None),
        binding=on(WITH_HEAD),
    ),
    case(
        "the-directors-pa-starts-nothing-without-a-request-to-decide",
        analysis(DIRECTOR, Intent.QUESTION, other_senders=(DIRECTORS_PA,)),
        means(Action.QUARANTINE, delegate=None),
    ),
]

ON_A_REQUEST = [
    case(
        "the-auditor-withdraws-a-request-with-the-head-of-service",
        analysis(SAM.email, Intent.WITHDRAW),
        means(Action.WITHDRAW, request=WITH_HEAD),
        binding=on(WITH_HEAD),
    ),
    case(
        "the-auditor-withdraws-a-request-with-the-director",
        analysis(SAM.email, Intent.WITHDRAW),
        means(Action.WITHDRAW, request=WITH_DIRECTOR),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "the-auditor-withdraws-too-late",
        analysis(SAM.email, Intent.WITHDRAW),
        means(Action.ALREADY_DECIDED, request=APPROVED),
        binding=on(APPROVED),
    ),
    case(
        "the-auditor-tries-to-approve-their-own-request",
        analysis(SAM.email, Intent.APPROVE),
        means(Action.QUARANTINE, request=WITH_DIRECTOR, approve=None),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "the-auditor-tries-to-support-their-own-request",
        analysis(SAM.email, Intent.APPROVE),
        means(Action.QUARANTINE, request=WITH_HEAD, approve=None),
        binding=on(WITH_HEAD),
    ),
    case(
        "the-auditor-asks-about-their-request",
        analysis(SAM.email, Intent.QUESTION),
        means(Action.FORWARD, request=WITH_HEAD),
        binding=on(WITH_HEAD),
    ),
    case(
        "the-head-of-service-supports-a-request-awaiting-them",
        analysis(HANA, Intent.APPROVE),
        means(Action.HEAD_DECISION, request=WITH_HEAD, approve=True),
        binding=on(WITH_HEAD),
    ),
    case(
        "the-head-of-service-does-not-support-a-request-awaiting-them",
        analysis(HANA, Intent.DECLINE),
        means(Action.HEAD_DECISION, request=WITH_HEAD, approve=False),
        binding=on(WITH_HEAD),
    ),
    case(
        "the-head-of-service-is-unclear",
        analysis(HANA, Intent.UNCLEAR),
        means(Action.FORWARD, request=WITH_HEAD, approve=None),
        binding=on(WITH_HEAD),
    ),
    case(
        "the-head-of-service-answers-after-it-went-to-the-director",
        analysis(HANA, Intent.DECLINE),
        means(Action.ALREADY_DECIDED, request=WITH_DIRECTOR, approve=False),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "the-director-approves-a-request-awaiting-them",
        analysis(DIRECTOR, Intent.APPROVE),
        means(Action.DIRECTOR_DECISION, request=WITH_DIRECTOR, approve=True, delegate=None),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "the-director-declines-a-request-awaiting-them",
        analysis(DIRECTOR, Intent.DECLINE),
        means(Action.DIRECTOR_DECISION, request=WITH_DIRECTOR, approve=False),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "the-director-answers-before-the-head-of-service",
        analysis(DIRECTOR, Intent.APPROVE),
        means(Action.NOT_YET, request=WITH_HEAD),
        binding=on(WITH_HEAD),
    ),
    case(
        "the-director-answers-a-request-already-decided",
        analysis(DIRECTOR, Intent.DECLINE),
        means(Action.ALREADY_DECIDED, request=APPROVED, approve=False),
        binding=on(APPROVED),
    ),
    case(
        "an-unclear-director-is-forwarded",
        analysis(DIRECTOR, Intent.UNCLEAR),
        means(Action.FORWARD, request=WITH_DIRECTOR, approve=None),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "another-head-of-service-is-quarantined",
        analysis(OMAR, Intent.APPROVE),
        means(Action.QUARANTINE, request=WITH_HEAD, approve=None),
        binding=on(WITH_HEAD),
    ),
    case(
        "another-auditor-withdrawing-is-quarantined",
        analysis(ALEX.email, Intent.WITHDRAW),
        means(Action.QUARANTINE, request=WITH_HEAD),
        binding=on(WITH_HEAD),
    ),
    case(
        "the-qa-team-approving-is-quarantined",
        analysis(QA, Intent.APPROVE),
        means(Action.QUARANTINE, request=WITH_DIRECTOR, approve=None),
        binding=on(WITH_DIRECTOR),
    ),
    case(
        "an-outsider-approving-is-quarantined",
        analysis(OUTSIDER, Intent.APPROVE),
        means(Action.QUARANTINE, request=WITH_DIRECTOR, approve=None),
        binding=on(WITH_DIRECTOR),
    ),
]

FROM_AN_AUDITOR = [
    case(
        "an-exemption-request-on-the-auditors-thread",
        analysis(SAM.email, Intent.EXEMPTION_REQUEST),
        means(Action.NEW_REQUEST, month=MAY, auditor=SAM),
        binding=SAMS_THREAD,
    ),
    case(
        "an-exemption-request-without-a-reference-is-for-this-month",
        analysis(SAM.email, Intent.EXEMPTION_REQUEST),
        means(Action.NEW_REQUEST, month=MAY, auditor=SAM),
    ),
    case(
        "an-exemption-request-naming-next-month-is-for-next-month",
        analysis(SAM.email, Intent.EXEMPTION_REQUEST, month=JUNE),
        means(Action.NEW_REQUEST, month=JUNE, auditor=SAM),
        binding=SAMS_THREAD,
    ),
    case(
        "an-exemption-request-on-last-months-thread-is-forwarded",
        analysis(SAM.email, Intent.EXEMPTION_REQUEST),
        means(Action.FORWARD, why="exemption asked for a past month (2021-04)", month=None),
        binding=Binding(APRIL, SAM.email),
    ),
    case(
        "an-exemption-request-naming-last-month-is-forwarded",
        analysis(SAM.email, Intent.EXEMPTION_REQUEST, month=APRIL),
        means(Action.FORWARD, month=None),
        binding=SAMS_THREAD,
    ),
    case(
        "a-second-request-for-a-month-already-asked-about-is-forwarded",
        analysis(SAM.email, Intent.EXEMPTION_REQUEST),
        means(Action.FORWARD, why="a request for 2021-05 is already open (EXM-2021-05-017)"),
        binding=SAMS_THREAD,
        open_requests={SAM.email: [WITH_HEAD]},
    ),
    case(
        "a-request-open-for-another-month-does-not-stop-a-new-one",
        analysis(SAM.email, Intent.EXEMPTION_REQUEST),
        means(Action.NEW_REQUEST, month=MAY, auditor=SAM),
        binding=SAMS_THREAD,
        open_requests={SAM.email: [JUNE_REQUEST]},
    ),
    case(
        "another-auditors-open-request-does-not-stop-a-new-one",
        analysis(SAM.email, Intent.EXEMPTION_REQUEST),
        means(Action.NEW_REQUEST, month=MAY, auditor=SAM),
        binding=SAMS_THREAD,
        open_requests={ALEX.email: [request(ALEX, number=18)]},
    ),
    case(
        "at-risk-on-the-auditors-thread",
        analysis(SAM.email, Intent.AT_RISK),
        means(Action.AT_RISK, month=MAY, auditor=SAM),
        binding=SAMS_THREAD,
    ),
    case(
        "at-risk-on-last-months-thread-is-about-last-month",
        analysis(SAM.email, Intent.AT_RISK),
        means(Action.AT_RISK, month=APRIL, auditor=SAM),
        binding=Binding(APRIL, SAM.email),
    ),
    case(
        "done",
        analysis(SAM.email, Intent.COMPLETED),
        means(Action.SELF_REPORT, month=MAY, auditor=SAM),
        binding=SAMS_THREAD,
    ),
    case(
        "a-withdrawal-with-one-open-request-withdraws-it",
        analysis(SAM.email, Intent.WITHDRAW),
        means(Action.WITHDRAW, request=JUNE_REQUEST, auditor=SAM),
        binding=SAMS_THREAD,
        open_requests={SAM.email: [JUNE_REQUEST]},
    ),
    case(
        "a-withdrawal-with-several-open-requests-is-forwarded",
        analysis(SAM.email, Intent.WITHDRAW),
        means(Action.FORWARD, request=None),
        binding=SAMS_THREAD,
        open_requests={SAM.email: [WITH_HEAD, JUNE_REQUEST]},
    ),
    case(
        "a-withdrawal-with-nothing-open-is-forwarded",
        analysis(SAM.email, Intent.WITHDRAW),
        means(Action.FORWARD, request=None),
        binding=SAMS_THREAD,
    ),
    case(
        "a-question-is-forwarded",
        analysis(SAM.email, Intent.QUESTION),
        means(Action.FORWARD, auditor=SAM),
        binding=SAMS_THREAD,
    ),
    case(
        "another-auditor-on-sams-thread-is-quarantined",
        analysis(ALEX.email, Intent.COMPLETED),
        means(Action.QUARANTINE, auditor=None),
        binding=SAMS_THREAD,
    ),
    case(
        "the-director-on-sams-thread-is-quarantined",
        analysis(DIRECTOR, Intent.QUESTION),
        means(Action.QUARANTINE, auditor=None),
        binding=SAMS_THREAD,
    ),
    case(
        "an-auditor-who-left-is-quarantined",
        analysis(LEE.email, Intent.EXEMPTION_REQUEST),
        means(Action.QUARANTINE, why="sender is not in the roster"),
    ),
    case(
        "an-unknown-sender-is-quarantined",
        analysis(OUTSIDER, Intent.EXEMPTION_REQUEST),
        means(Action.QUARANTINE, why="sender is not in the roster"),
    ),
    case(
        "the-director-without-a-reference-is-forwarded",
        analysis(DIRECTOR, Intent.QUESTION),
        means(Action.FORWARD),
    ),
    case(
        "the-qa-team-without-a-reference-is-forwarded",
        analysis(QA, Intent.QUESTION),
        means(Action.FORWARD),
    ),
    case(
        "a-head-of-service-without-a-reference-is-forwarded",
        analysis(OMAR, Intent.APPROVE),
        means(Action.FORWARD, request=None, approve=None),
    ),
]


@pytest.mark.parametrize(
    ("message", "binding", "open_requests", "returned", "parties", "expected"),
    ANYONE + WHO_SENT_IT + ON_A_REQUEST + FROM_AN_AUDITOR,
)
def test_what_a_message_means(message, binding, open_requests, returned, parties, expected) -> None:
    meaning = interpret(message, binding, parties, TODAY, open_requests, returned)

    assert {field: getattr(meaning, field) for field in expected} == expected


def test_a_director_who_is_the_auditors_head_of_service_can_answer_as_head() -> None:
    kims_head_is_the_director = replace(KIM, head_of_service_email=DIRECTOR)
    roster = {**ROSTER, KIM.email: kims_head_is_the_director}
    waiting = request(kims_head_is_the_director, state=State.AWAITING_HEAD)

    meaning = interpret(
        analysis(DIRECTOR, Intent.APPROVE),
        on(waiting),
        replace(PARTIES, roster=roster),
        TODAY,
    )

    assert meaning.action is not Action.NOT_YET


# -- after the close: a final month changes no more -------------------------------------------


@pytest.mark.parametrize(
    ("message", "binding", "final", "action"),
    [
        pytest.param(
            analysis(SAM.email, Intent.EXEMPTION_REQUEST),
            Binding(APRIL, SAM.email),
            frozenset({APRIL}),
            Action.MONTH_FINAL,
            id="a-request-for-a-final-month-is-refused",
        ),
        pytest.param(
            analysis(SAM.email, Intent.EXEMPTION_REQUEST),
            Binding(APRIL, SAM.email),
            frozenset(),
            Action.FORWARD,
            id="a-request-for-a-past-month-not-final-goes-to-a-person",
        ),
        pytest.param(
            analysis(DIRECTOR, Intent.APPROVE),
            on(replace(WITH_DIRECTOR, month=APRIL)),
            frozenset({APRIL}),
            Action.MONTH_FINAL,
            id="a-decision-after-the-month-is-final-is-refused",
        ),
        pytest.param(
            analysis(DIRECTOR, Intent.APPROVE),
            on(replace(WITH_DIRECTOR, month=APRIL, state=State.LAPSED)),
            frozenset({APRIL}),
            Action.MONTH_FINAL,
            id="a-decision-on-a-request-that-lapsed-when-the-month-went-final-is-refused",
        ),
        pytest.param(
            analysis(DIRECTOR, Intent.APPROVE),
            on(replace(WITH_DIRECTOR, month=APRIL)),
            frozenset(),
            Action.DIRECTOR_DECISION,
            id="a-decision-while-the-close-is-provisional-counts",
        ),
        pytest.param(
            analysis(DIRECTOR, Intent.APPROVE),
            on(replace(APPROVED, month=APRIL)),
            frozenset({APRIL}),
            Action.ALREADY_DECIDED,
            id="a-second-decision-after-final-is-already-decided",
        ),
    ],
)
def test_what_a_final_month_allows(message, binding, final, action) -> None:
    meaning = interpret(message, binding, PARTIES, TODAY, final=final)

    assert meaning.action is action
