"""The reference token binds a reply to its record: subject first, then the new text only."""

from __future__ import annotations

import pytest

from bot.core.replies import REFERENCE_PATTERN, Kind, analyse
from tests.replies.messages import TODAY, message

TOKEN = "EXM-2021-05-017-K7M3Q9XA"


def reference_of(text: str, subject: str) -> str | None:
    return analyse(message(text, subject=subject), today=TODAY).reference


def test_the_reference_in_the_subject_is_found() -> None:
    assert reference_of("Approved.", f"RE: Exemption request [{TOKEN}]") == TOKEN


def test_an_allocation_reference_without_a_number_is_found() -> None:
    subject = "Re: Your audits for May 2021 [AUD-2021-05-K7M3Q9XA]"

    assert reference_of("Done.", subject) == "AUD-2021-05-K7M3Q9XA"


def test_a_reference_in_odd_case_is_found_and_upper_cased() -> None:
    assert reference_of("Approved.", "re: exemption [exm-2021-05-017-k7m3q9xa]") == TOKEN


def test_the_subject_wins_over_the_body() -> None:
    body = "About EXM-2021-05-018-ABCDEFGH too."

    assert reference_of(body, f"RE: [{TOKEN}]") == TOKEN


def test_a_reference_typed_in_the_new_text_is_found_when_the_subject_has_none() -> None:
    assert reference_of(f"Approved ({TOKEN.lower()}).", "Exemption") == TOKEN


def test_a_reference_only_in_the_quote_is_never_taken() -> None:
    text = f"Approved.\n\n-----Original Message-----\nSubject: Exemption request [{TOKEN}]\n"

    assert reference_of(text, "Re: exemption") is None


def test_no_reference_is_none() -> None:
    assert reference_of("Approved.", "Re: your audits") is None


@pytest.mark.parametrize(
    "text",
    [
        "EXM-2021-05-017-K7M3Q9X",  # seven characters
        "EXM-2021-05-017-K7M3Q9XAB",  # nine
        "EXM-2021-13-017-K7M3Q9XA",  # no thirteenth month
        "EXM-2021-05-017-K7M3Q9XO",  # O is not in the alphabet
        "EXM-2021-05-017-K7M3Q9X1",  # nor is 1
        "ABC-2021-05-017-K7M3Q9XA",
        "EXM-2021-05-17-K7M3Q9XA",
        "EXM-2021-05-017-K7M3Q9X\u212a",  # a Kelvin sign is not a K
    ],
)
def test_near_misses_are_not_references(text: str) -> None:
    assert REFERENCE_PATTERN.search(text) is None


def test_a_bounce_is_tied_to_the_bots_mail_by_the_returned_subject() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.council.example (Mail Delivery System)\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nReturn-Path: <>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n"
        b"--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; gone@council.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--r\r\nContent-Type: message/rfc822\r\n\r\nFrom: audit-bot@council.example\r\n"
        b"Subject: Your audits for May 2021 [AUD-2021-05-K7M3Q9XA]\r\n\r\nDear Jo\r\n--r--\r\n"
    )

    analysis = analyse(raw, today=TODAY)

    assert analysis.kind is Kind.BOUNCE
    assert analysis.reference == "AUD-2021-05-K7M3Q9XA"
    assert analysis.bounced_recipients == ("gone@council.example",)
