"""Who sent a message, which thread it answers, and whether Exchange vouches for it."""

from __future__ import annotations

import pytest

from bot.core.replies import Kind, analyse, analysis_as_json
from tests.replies.messages import DIRECTOR, HANA, SAM, TODAY, message


def test_the_sender_is_the_lower_cased_from_address() -> None:
    analysis = analyse(
        message("Approved.", sender="Hana Ahmed <Hana.Ahmed@Council.Example>"), today=TODAY
    )

    assert analysis.sender == HANA


def test_reply_to_is_never_the_sender() -> None:
    raw = message("Approved.", sender=f"Sam Patel <{SAM}>", headers=(("Reply-To", DIRECTOR),))

    assert analyse(raw, today=TODAY).sender == SAM


@pytest.mark.parametrize(
    "sender",
    [
        f"{SAM}",
        f"<{SAM}>",
        f'"Patel, Sam" <{SAM}>',
        f'"{SAM}" <{SAM}>',
        f"=?utf-8?q?Sam_Pat=C3=A9l?= <{SAM}>",
        f"{SAM} (Sam Patel)",
    ],
)
def test_the_sender_is_read_from_the_usual_forms(sender: str) -> None:
    assert analyse(message("Done.", sender=sender), today=TODAY).sender == SAM


@pytest.mark.parametrize(
    "sender",
    [
        None,
        "",
        "Sam Patel",
        f"{SAM}, {HANA}",
        f"{DIRECTOR} <{SAM}>",
        f"=?utf-8?q?{DIRECTOR}?= <{SAM}>",
        f"<{DIRECTOR}> <{SAM}>",
        "not an address <@>",
    ],
)
def test_a_missing_or_ambiguous_sender_is_none_and_the_message_is_malformed(
    sender: str | None,
) -> None:
    analysis = analyse(message("Approved.", sender=sender), today=TODAY)

    assert analysis.sender is None
    assert analysis.malformed == "no sender"
    assert analysis.intent is not None and analysis.intent.value == "unknown"


def test_two_different_from_headers_are_ambiguous() -> None:
    raw = message("Approved.", sender=f"Sam <{SAM}>", headers=(("From", f"Hana <{HANA}>"),))

    assert analyse(raw, today=TODAY).sender is None


def test_threading_headers_are_kept_with_their_angle_brackets() -> None:
    raw = message(
        "Approved.",
        headers=(
            ("In-Reply-To", "<allocation-1@council.example>"),
            ("References", "<a@council.example>\r\n <allocation-1@council.example>"),
        ),
    )

    analysis = analyse(raw, today=TODAY)

    assert analysis.message_id == "<reply-1@council.example>"
    assert analysis.in_reply_to == "<allocation-1@council.example>"
    assert analysis.references == ("<a@council.example>", "<allocation-1@council.example>")


def test_absent_threading_headers_are_none_and_empty() -> None:
    raw = b"From: sam.patel@council.example\r\nSubject: hi\r\n\r\nDone."

    analysis = analyse(raw, today=TODAY)

    assert (analysis.message_id, analysis.in_reply_to, analysis.references) == (None, None, ())


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Internal", True), ("internal", True), ("Anonymous", False), (None, None)],
)
def test_exchange_internal_authentication_is_reported(
    value: str | None, expected: bool | None
) -> None:
    headers = (("X-MS-Exchange-Organization-AuthAs", value),) if value else ()

    assert analyse(message("Approved.", headers=headers), today=TODAY).auth_internal is expected


def test_the_subject_is_decoded() -> None:
    raw = message("Done.", subject="=?utf-8?q?Re:_Audits_f=C3=BCr_May?=")

    assert analyse(raw, today=TODAY).subject == "Re: Audits für May"


def test_the_json_form_has_plain_values() -> None:
    raw = message("I'm on leave for most of June, can I be exempted?")

    assert analysis_as_json(analyse(raw, today=TODAY)) == {
        "kind": "reply",
        "body": "I'm on leave for most of June, can I be exempted?",
        "intent": "exemption_request",
        "acted_on_as": "exemption_request",
        "reason": "absence",
        "reference": "AUD-2021-05-K7M3Q9XA",
        "month": "2021-06",
        "sender": SAM,
        "subject": "Re: Your audits for May 2021 [AUD-2021-05-K7M3Q9XA]",
        "malformed": None,
        "automatic": None,
        "other_senders": [],
        "cases": [],
        "until": None,
        "on_behalf_of": None,
        "child_names_masked": 0,
        "masked_body": "I'm on leave for most of June, can I be exempted?",
        "confidence": 0.9,
        "alternatives": [],
    }


def test_the_json_form_of_an_automatic_reply_has_nulls() -> None:
    raw = message("Away.", subject="Automatic reply: audits")

    as_json = analysis_as_json(analyse(raw, today=TODAY))

    assert as_json["kind"] == Kind.AUTO_REPLY.value
    assert (as_json["intent"], as_json["reason"], as_json["month"]) == (None, None, None)
