"""The role-aware reader, piece by piece: meanings by role, cases, dates, on whose behalf."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.records import Auditor
from bot.core.replies import Intent, analyse
from bot.core.replies.behalf import named_auditor
from bot.core.replies.cases import find_cases
from bot.core.replies.grounds import ground_of
from bot.core.replies.meaning import read_meaning
from bot.core.replies.model import ACTING, Role, shell_intent
from bot.core.replies.reading import read
from bot.core.replies.until import find_until
from tests.replies.messages import HANA, TODAY, message

A, H, D = Role.AUDITOR, Role.HEAD_OF_SERVICE, Role.DIRECTOR


@pytest.mark.parametrize(
    ("role", "text", "intent"),
    [
        # Slippage, with or without a reason, is never a request.
        (A, "I don't think I'll make the deadline - I'm giving evidence at a final hearing all "
            "of next week. I'll do what I can.", Intent.AT_RISK),
        (A, "I'm worried I won't get CR-104342 done.", Intent.AT_RISK),
        (A, "Not going to get these finished by Friday.", Intent.AT_RISK),
        (A, "Can I have until the 7th?", Intent.AT_RISK),
        (A, "Not asking for an exemption, it'll just be a few days late.", Intent.AT_RISK),
        # Asking to be let off, in many shapes, is a request.
        (A, "Could I be exempt from CR-104363 at least?", Intent.EXEMPTION_REQUEST),
        (A, "I'm off for six weeks after my operation. Any chance of being let off?",
            Intent.EXEMPTION_REQUEST),
        (A, "Would it be ok to skip this month? I'm on a course all week.",
            Intent.EXEMPTION_REQUEST),
        # A circumstance named without an ask: ask back which was meant.
        (A, "I'm having surgery on the 3rd and will be off for six weeks.", Intent.UNCLEAR),
        # Done, part done, and done only as a plan.
        (A, "All done, submitted this morning.", Intent.COMPLETED),
        (A, "I've done one of them, the other is nearly there.", Intent.PARTLY_COMPLETED),
        (A, "CR-1 submitted, still working on CR-2.", Intent.PARTLY_COMPLETED),
        (A, "Written up but not submitted yet.", Intent.PARTLY_COMPLETED),
        (A, "Done?", Intent.UNCLEAR),
        # Withdrawing, questions, nothing to do, nothing clear.
        (A, "Please withdraw the exemption request I sent on Monday.", Intent.WITHDRAW),
        (A, "My op was postponed so I won't need the exemption now.", Intent.WITHDRAW),
        (A, "Where do I find the audit tool?", Intent.QUESTION),
        (A, "Would a partnership audit count for exemption purposes? Just for the future.",
            Intent.QUESTION),
        (A, "Thanks!", Intent.NO_ACTION),
        (A, "yes", Intent.UNCLEAR),
        (A, "Sorted", Intent.UNCLEAR),
        # A Head of Service supports, refuses, holds, asks, or asks for one of theirs.
        (H, "Yes", Intent.SUPPORT),
        (H, "I approve - please send to the director.", Intent.SUPPORT),
        (H, "I can't say I support this.", Intent.NOT_SUPPORT),
        (H, "Not this time I'm afraid.", Intent.NOT_SUPPORT),
        (H, "Leave this with me.", Intent.NO_ACTION),
        (H, "I'd support it if someone else can take the case.", Intent.QUESTION),
        (H, "Please exempt Owen this month - he's in court. I support it, obviously.",
            Intent.EXEMPTION_REQUEST_ON_BEHALF),
        (H, "Support the first one but I'm not sure about the second.", Intent.UNCLEAR),
        # The director decides, in whole or in part, or asks.
        (D, "Approved.", Intent.APPROVE),
        (D, "Can't see why not.", Intent.APPROVE),
        (D, "Approved? I don't think so.", Intent.DECLINE),
        (D, "Agreed but only for one of the two audits.", Intent.APPROVE_PARTIAL),
        (D, "No exemption, but yes to an extension to the 4th.", Intent.APPROVE_PARTIAL),
        (D, "I'll approve if the hearing goes ahead - can you check?", Intent.QUESTION),
        (D, "Agreed on this occasion but I want to talk to Priya first.", Intent.UNCLEAR),
        (D, "Let's pick this up at SMT.", Intent.NO_ACTION),
        (Role.OUTSIDER, "I think this came to me in error, please remove me.", Intent.UNCLEAR),
        (Role.QA_TEAM, "Test - please ignore", Intent.NO_ACTION),
    ],
)  # fmt: skip
def test_each_role_is_read_for_what_it_can_mean(role: Role, text: str, intent: Intent) -> None:
    assert read_meaning(text, role).intent is intent


@pytest.mark.parametrize(
    "text",
    ["I'll have it done by Friday.", "Will submit once the SW uploads the notes.", "Done?"],
)
def test_done_as_a_plan_or_a_question_never_stops_reminders(text: str) -> None:
    assert read_meaning(text, A).intent is not Intent.COMPLETED


@pytest.mark.parametrize(
    ("role", "text"),
    [
        (D, "Approved - no, actually I can't support it."),
        (D, "Yes and no. Ring me."),
        (D, "Agreed, but I want to speak to Legal before it goes through."),
        (H, "Happy to support once the fit note arrives."),
        (H, "Supported... not sure actually, let me think."),
    ],
)
def test_a_decision_is_never_taken_from_an_unclear_reply(role: Role, text: str) -> None:
    meaning = read_meaning(text, role)

    assert meaning.intent in (Intent.UNCLEAR, Intent.QUESTION)


@pytest.mark.parametrize(
    ("role", "text", "alternatives"),
    [
        (D, "Approved, except I want the CP case done.", {Intent.APPROVE, Intent.APPROVE_PARTIAL}),
        (H, "Supported, apart from the second case.", {Intent.SUPPORT, Intent.QUESTION}),
        (A, "Can I be exempted? Actually no, ignore that.", {Intent.EXEMPTION_REQUEST,
                                                           Intent.WITHDRAW}),
    ],
)  # fmt: skip
def test_an_acting_reading_next_to_words_that_would_change_it_is_asked_about(
    role: Role, text: str, alternatives: set[Intent]
) -> None:
    meaning = read_meaning(text, role)

    assert meaning.intent is Intent.UNCLEAR
    assert set(meaning.alternatives) == alternatives


def test_an_unclear_reading_offers_the_readings_to_ask_about() -> None:
    meaning = read_meaning("Support the first one but I'm not sure about the second.", H)

    assert meaning.intent is Intent.UNCLEAR
    assert set(meaning.alternatives) == {Intent.SUPPORT, Intent.NOT_SUPPORT}
    assert meaning.confidence < 0.5


@pytest.mark.parametrize(
    ("text", "cases"),
    [
        ("Approve CR-104305 only", ("CR-104305",)),
        ("cr104305 and CR 104311, then CR-104305 again", ("CR-104305", "CR-104311")),
        ("Reference [EXM-2021-05-017-K7M3Q9XA]", ()),
        ("Nothing here", ()),
    ],
)
def test_case_references_are_found_once_each_in_order(text: str, cases: tuple[str, ...]) -> None:
    assert find_cases(text) == cases


@pytest.mark.parametrize(
    ("text", "until"),
    [
        ("she can have until the 6th", date(2021, 6, 6)),  # before today: next month's
        ("Yes to an extension to the 24th", date(2021, 5, 24)),
        ("I'll have it in by the 3rd", date(2021, 6, 3)),
        ("Can I have until 7 June?", date(2021, 6, 7)),
        ("I'm off until the 14th", None),  # an absence, not a new deadline
        ("Approved.", None),
    ],
)
def test_an_extension_date_is_read_against_today(text: str, until: date | None) -> None:
    assert find_until(text, date(2021, 5, 20)) == until


ROSTER = {
    email: Auditor(name, email, "team", head)
    for name, email, head in (
        ("Owen Tregarthen", "owen@c.example", "hana@c.example"),
        ("Owen Price", "owen.price@c.example", "rob@c.example"),
        ("Fran Kellaway", "fran@c.example", "hana@c.example"),
    )
}


@pytest.mark.parametrize(
    ("text", "head", "email"),
    [
        ("Please exempt fran@c.example this month", None, "fran@c.example"),
        ("Can Fran Kellaway be exempted?", None, "fran@c.example"),
        ("Please exempt Owen this month", "hana@c.example", "owen@c.example"),  # her own Owen
        ("Please exempt Owen this month", None, None),  # two Owens: a person decides
        ("Please exempt Priya this month", None, None),
    ],
)
def test_a_head_of_service_names_an_auditor(text: str, head: str | None, email: str | None) -> None:
    assert named_auditor(text, ROSTER, head) == email


def test_a_reading_carries_cases_dates_and_names_masked() -> None:
    reading = read(
        "Extension to the 14th agreed for CR-104305, given Jayden Smith's hearing.",
        today=TODAY,
        role=D,
        staff=("Helen Strickmore",),
    )

    assert reading.intent is Intent.APPROVE_PARTIAL
    assert reading.cases == ("CR-104305",)
    assert reading.until == date(2021, 5, 14)
    assert reading.child_names_masked == 1
    assert "Jayden" not in reading.masked and "[name removed]" in reading.masked


@pytest.mark.parametrize(
    ("intent", "shell"),
    [
        (Intent.SUPPORT, Intent.APPROVE),
        (Intent.NOT_SUPPORT, Intent.DECLINE),
        (Intent.PARTLY_COMPLETED, Intent.UNKNOWN),
        (Intent.EXEMPTION_REQUEST_ON_BEHALF, Intent.UNKNOWN),
        (Intent.APPROVE_PARTIAL, Intent.UNKNOWN),
        (Intent.NO_ACTION, Intent.UNKNOWN),
        (Intent.UNCLEAR, Intent.UNCLEAR),
        (Intent.AT_RISK, Intent.AT_RISK),
    ],
)
def test_readings_the_shell_does_not_know_reach_it_as_safe_ones(
    intent: Intent, shell: Intent
) -> None:
    assert shell_intent(intent) is shell


def test_partial_approval_is_never_a_full_one_for_the_shell() -> None:
    assert shell_intent(Intent.APPROVE_PARTIAL) not in ACTING


def test_without_a_role_the_shell_keeps_its_reading_and_the_full_one_rides_along() -> None:
    raw = message("I've got a final hearing all next week and the week after")

    analysis = analyse(raw, today=TODAY)

    assert analysis.intent is Intent.EXEMPTION_REQUEST  # what the shell acts on today
    assert analysis.reading is not None
    assert analysis.reading.intent in (Intent.UNCLEAR, Intent.AT_RISK)


def test_with_a_role_the_shell_gets_the_full_reading_made_safe() -> None:
    raw = message("Happy to support.", sender=f"Hana Ahmed <{HANA}>")

    analysis = analyse(raw, today=TODAY, role=H)

    assert analysis.reading is not None and analysis.reading.intent is Intent.SUPPORT
    assert analysis.intent is Intent.APPROVE


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Signed off for six weeks after my operation.", "absence"),
        ("Jury service for three weeks from Monday, the trial may overrun.", "absence"),
        ("On annual leave for a week from the 15th.", "other"),
        ("Off sick Monday to Wednesday with a migraine.", "other"),
        ("I'm on the GSCP multi-agency audit panel this month.", "other_qa_activity"),
        ("A dip-sample of s47s for the Safeguarding Partnership.", "other_qa_activity"),
        ("Giving evidence at a final hearing on the 14th.", "statutory_work"),
        ("Not on leave, but two contested final hearings.", "statutory_work"),
        ("Pulling together the case tracking for the ILACS inspectors.", "other"),
        ("Covering the vacant TM post as well as my own team.", "other"),
    ],
)
def test_the_ground_claimed_is_read_as_the_letter_names_it(text: str, reason: str) -> None:
    assert ground_of(text.lower()).value == reason
