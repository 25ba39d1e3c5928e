"""What a person's reply asks for or decides, read by rules; when unsure, UNKNOWN."""

from __future__ import annotations

import pytest

from bot.core.replies import Intent, Kind, Reason, analyse
from tests.replies.messages import EXEMPTION_SUBJECT, HANA, TODAY, message


def intent_of(text: str, **kwargs: object) -> Intent | None:
    return analyse(message(text, **kwargs), today=TODAY).intent  # type: ignore[arg-type]


def from_hana(text: str) -> Intent | None:
    return intent_of(text, sender=f"Hana Ahmed <{HANA}>", subject=f"RE: {EXEMPTION_SUBJECT}")


@pytest.mark.parametrize(
    "text",
    [
        "Approved.",
        "I approve this request.",
        "Supported - happy for this to go to the director.",
        "I support Sam's request.",
        "Agreed.",
        "Happy to support.",
        "Yes, please escalate to the director.",
        "Yes",
        "Granted.",
        "OK to exempt.",
        "No objection from me.",
        "I can't see any reason not to approve this.",
        "I'm happy to support this exemption as Sam has been signed off sick.",
        "Agreed, Sam has a final hearing and two ICPCs this month.",
        "Director, I support this request and would like to escalate it to you.",
    ],
)
def test_a_head_of_service_approving_is_approve(text: str) -> None:
    assert from_hana(text) is Intent.APPROVE


@pytest.mark.parametrize(
    "text",
    [
        "Not approved.",
        "I can't support this.",
        "I cannot support this request at this time.",
        "I can not support this one.",
        "I do not support this.",
        "I don't support the exemption.",
        "Not supported.",
        "Declined - please complete the audits as allocated.",
        "Refused.",
        "Rejected, sorry.",
        "Not agreed.",
        "No, sorry.",
        "No - the court date has moved.",
        "I don't agree.",
        "I'm not happy to support this.",
        "I won't support this one.",
        "Sorry, I don't think this meets the threshold for an exemption.",
        "I don't feel this is exceptional, please ask Sam to complete the audits.",
    ],
)
def test_a_head_of_service_declining_is_decline_never_approve(text: str) -> None:
    assert from_hana(text) is Intent.DECLINE


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to withdraw my request.",
        "Please withdraw my exemption request, the hearing has been adjourned.",
        "Please cancel my request, I can do them after all.",
        "I no longer need the exemption.",
        "Please disregard my earlier request.",
    ],
)
def test_an_auditor_taking_back_a_request_is_withdraw(text: str) -> None:
    assert intent_of(text) is Intent.WITHDRAW


@pytest.mark.parametrize(
    "text",
    [
        "Done.",
        "All done, thanks.",
        "Completed and submitted yesterday.",
        "I submitted all three audits this morning.",
        "All my audits are in.",
        "I've finished my audits.",
        "Audits submitted today.",
    ],
)
def test_an_auditor_reporting_completion_is_completed(text: str) -> None:
    assert intent_of(text) is Intent.COMPLETED


@pytest.mark.parametrize(
    "text",
    [
        "Not completed yet.",
        "I haven't submitted them.",
        "Not done, sorry.",
        "Nearly done.",
        "I'll have them done by Friday.",
        "I will submit them tomorrow.",
    ],
)
def test_work_not_yet_done_is_not_completed(text: str) -> None:
    assert intent_of(text) is Intent.UNKNOWN


@pytest.mark.parametrize(
    "text",
    [
        "I might not make it this month.",
        "I may not make the deadline.",
        "Not done yet and I might not make it.",
        "I'm at risk of not completing this month.",
        "I'm struggling to complete my audits with my caseload as it is.",
        "I won't be able to finish by the 31st.",
        "I'm running behind on my audits.",
        "My audits might slip.",
        "I'm falling behind, the team is short-staffed.",
        "I think I'll be late with the dip sample.",
        "Can I have an extension until the 7th?",
    ],
)
def test_an_auditor_who_may_miss_the_deadline_is_at_risk(text: str) -> None:
    assert intent_of(text) is Intent.AT_RISK


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Can I be exempted this month?", Reason.OTHER),
        ("I'd like to request an exemption for June please.", Reason.OTHER),
        ("Please can you excuse me from audits this month?", Reason.OTHER),
        ("I'm on sick leave for three weeks, can I be exempted?", Reason.ABSENCE),
        ("I've been signed off by my GP for a month. Fit note attached.", Reason.ABSENCE),
        ("I'm having surgery on the 3rd and will be off for six weeks.", Reason.ABSENCE),
        ("I'm on maternity leave from next month.", Reason.ABSENCE),
        ("I'm on annual leave for most of June, so can't do my audits.", Reason.ABSENCE),
        ("Compassionate leave following a bereavement - can I be let off?", Reason.ABSENCE),
        ("I'm leading the multi-agency audit in June.", Reason.OTHER_QA_ACTIVITY),
        ("Could I be excused? I'm doing the MACA on neglect this month.", Reason.OTHER_QA_ACTIVITY),
        ("I'm on the JTAI team throughout June, can I be exempt?", Reason.OTHER_QA_ACTIVITY),
        ("I've got a final hearing all next week and the week after.", Reason.STATUTORY_WORK),
        ("I'm giving evidence in care proceedings next week.", Reason.STATUTORY_WORK),
        (
            "I have an ICPC and two court hearings this week - could I be let off this month?",
            Reason.STATUTORY_WORK,
        ),
        (
            "My caseload is really high with statutory visits, please could I be excused "
            "from this month's audits?",
            Reason.STATUTORY_WORK,
        ),
        ("I'm off sick, can I be exempted? Thanks for your support.", Reason.ABSENCE),
        ("Final hearing all week; I hope you agree I can be let off.", Reason.STATUTORY_WORK),
    ],
)
def test_an_auditor_asking_to_be_let_off_is_an_exemption_request_with_a_reason(
    text: str, reason: Reason
) -> None:
    analysis = analyse(message(text), today=TODAY)

    assert analysis.intent is Intent.EXEMPTION_REQUEST
    assert analysis.reason is reason


@pytest.mark.parametrize(
    "text",
    [
        "Which case is the thematic one?",
        "Is the deadline the 31st or the last working day?",
        "who do I send the dip sample to",
    ],
)
def test_a_question_that_is_nothing_else_is_a_question(text: str) -> None:
    assert intent_of(text) is Intent.QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Thanks",
        "Thank you, noted.",
        "Will do.",
        "Approved - no, actually I can't support it.",
        "Yes, I've submitted them.",
        "I'm not sure I can support this.",
        "Not sure this is exceptional enough. Happy to discuss.",
        "Please approve.",
        "I've done the multi-agency audit, so can I be exempted?",
    ],
)
def test_unclear_or_mixed_text_is_unknown_never_a_guess(text: str) -> None:
    assert intent_of(text) is Intent.UNKNOWN


def test_a_bottom_posted_reply_whose_quote_says_approve_is_not_approve() -> None:
    text = (
        "On 4 May 2021, at 10:00, Hana Ahmed <hana.ahmed@council.example> wrote:\n"
        "> Approved, I support this and agree it should go to the director.\n"
        "\n"
        "Thanks Hana. Which case should I do first?\n"
    )

    assert intent_of(text) is Intent.QUESTION


def test_a_top_posted_reply_is_read_without_its_quote() -> None:
    text = (
        "Thanks\n\n"
        "From: Hana Ahmed\nSent: 04 May 2021 10:00\nTo: Sam Patel\nSubject: RE: Exemption\n\n"
        "Approved. I support this.\n"
    )

    assert intent_of(text) is Intent.UNKNOWN


def test_the_quoted_allocation_words_never_make_a_request() -> None:
    text = (
        "Done.\n\n"
        "-----Original Message-----\n"
        "Exemptions only for ill-health, multi-agency audits or final hearings.\n"
    )

    analysis = analyse(message(text), today=TODAY)

    assert analysis.intent is Intent.COMPLETED
    assert analysis.reason is None


def test_a_subject_the_person_wrote_is_read_with_the_body() -> None:
    analysis = analyse(
        message("I'm on leave for most of June.", subject="Exemption request"), today=TODAY
    )

    assert analysis.intent is Intent.EXEMPTION_REQUEST
    assert analysis.reason is Reason.ABSENCE


def test_a_reply_subject_is_not_the_persons_words() -> None:
    subject = "Re: May 2021 audits: all your auditors submitted in time"

    assert intent_of("Thanks", subject=subject) is Intent.UNKNOWN
    assert intent_of("Thanks", subject=f"RE: {EXEMPTION_SUBJECT}") is Intent.UNKNOWN


def test_reason_is_only_given_for_an_exemption_request() -> None:
    analysis = analyse(message("I support this - Sam has a final hearing."), today=TODAY)

    assert analysis.intent is Intent.APPROVE
    assert analysis.reason is None


def test_an_automatic_reply_has_no_intent() -> None:
    analysis = analyse(
        message("I'm on annual leave until 1 June.", subject="Automatic reply: Your audits"),
        today=TODAY,
    )

    assert analysis.kind is Kind.AUTO_REPLY
    assert analysis.intent is None
    assert analysis.reason is None


@pytest.mark.parametrize(
    "signature",
    [
        "Hana Ahmed\nHead of Service, Children's Support Services",
        "Hana Ahmed\nApproved Mental Health Professional",
        "Hana Ahmed | Family Support Team",
    ],
)
def test_a_job_title_in_the_signature_is_not_a_decision(signature: str) -> None:
    assert from_hana(f"Not approved, sorry.\n\n{signature}") is Intent.DECLINE
