"""Hostile or odd mail cannot fool the reader: what it says decides, never what it hides."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.replies import Analysis, Intent, Kind, analyse, analysis_as_json
from tests.replies.messages import (
    ALLOCATION_SUBJECT,
    BOT,
    DIRECTOR,
    EXEMPTION_SUBJECT,
    HANA,
    SAM,
    SHARED_CORPUS,
)

TODAY = date(2021, 5, 14)
QA = "qa.team@council.example"
REQUEST_TO_DIRECTOR = f"RE: Exemption request for Sam Patel {EXEMPTION_SUBJECT}"


def mail(
    body: str,
    *,
    subject: str = f"Re: {ALLOCATION_SUBJECT}",
    sender: str = f"Sam Patel <{SAM}>",
    headers: tuple[tuple[str, str], ...] = (),
    content_type: str = "text/plain; charset=utf-8",
    received: str = "from mx1.council.example by mx2.council.example; Fri, 14 May 2021 09:00",
) -> bytes:
    """One raw RFC 5322 message, as it arrives: CRLF lines, 8-bit body."""
    lines = [
        f"Received: {received}",
        f"From: {sender}",
        f"To: {BOT}",
        f"Subject: {subject}",
        "Date: Fri, 14 May 2021 09:00:00 +0100",
        "Message-ID: <reply-1@council.example>",
        *(f"{name}: {value}" for name, value in headers),
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
        "Content-Transfer-Encoding: 8bit",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


def alternative(plain: str, html: str, **kwargs: object) -> bytes:
    """A multipart/alternative message, as Outlook and Gmail send it."""
    body = (
        "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{plain}\r\n"
        "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f"{html}\r\n"
        "--alt--\r\n"
    )
    return mail(body, content_type='multipart/alternative; boundary="alt"', **kwargs)  # type: ignore[arg-type]


def read(raw: bytes) -> Analysis:
    return analyse(raw, today=TODAY)


# 1. Automatic mail is recognised by what it says, not only by its headers. -----------------

OUT_OF_OFFICE = [
    pytest.param(
        "Out of Office - Exemption request for Sam Patel",
        "I am out of the office until Monday 24 May. Requests needing approval will be dealt "
        "with on my return.\n\nHelen Strickmore\nDirector of Children's Social Care",
        f"Director <{DIRECTOR}>",
        id="the-directors-out-of-office-with-a-dash",
    ),
    pytest.param(
        REQUEST_TO_DIRECTOR,
        "Thank you for your email. I am on annual leave until Tuesday 25 May. In my absence "
        "Jo Bell, Deputy Head of Service, can approve urgent requests: jo.bell@council.example",
        f"Hana Ahmed <{HANA}>",
        id="a-head-of-service-naming-a-deputy",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "I am currently on annual leave, returning on Tuesday 18 May. If your matter is urgent "
        "please contact the Assessment Team duty line on 01632 960200.",
        f"Sam Patel <{SAM}>",
        id="an-auditors-out-of-office-answering-the-allocation",
    ),
    pytest.param(
        "Out of office: Your audits for May 2021",
        "I'm away.",
        f"Sam Patel <{SAM}>",
        id="out-of-office-colon",
    ),
    pytest.param(
        "Out of Office – Your audits for May 2021",
        "Thank you for your message.",
        f"Sam Patel <{SAM}>",
        id="out-of-office-en-dash",
    ),
    pytest.param(
        "Automatic reply",
        "Thank you for your message.",
        f"Sam Patel <{SAM}>",
        id="automatic-reply-as-the-whole-subject",
    ),
    pytest.param(
        "Auto: Your audits for May 2021",
        "I am on leave until 1 June.",
        f"Sam Patel <{SAM}>",
        id="auto-colon",
    ),
    pytest.param(
        "Away from the office",
        "I am away from the office until 1 June with limited access to email.",
        f"Sam Patel <{SAM}>",
        id="away-from-the-office",
    ),
    pytest.param(
        "On leave",
        "I will respond on my return.",
        f"Sam Patel <{SAM}>",
        id="on-leave-subject-and-a-return-sentence",
    ),
    pytest.param(
        "Abwesenheitsnotiz",
        "Ich bin bis 24.05.2021 nicht im Büro.",
        f"Sam Patel <{SAM}>",
        id="german-subject",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "Vielen Dank für Ihre Nachricht. Ich bin bis zum 24.05.2021 nicht im Büro und habe "
        "keinen Zugriff auf meine E-Mails. In dringenden Fällen wenden Sie sich bitte an "
        "jo.bell@council.example.",
        f"Sam Patel <{SAM}>",
        id="german-body",
    ),
    pytest.param(
        "Absence du bureau",
        "Je suis absente jusqu'au 24 mai.",
        f"Sam Patel <{SAM}>",
        id="french-subject",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "Bonjour, je suis absent jusqu'au 24 mai. Je répondrai à votre message dès mon retour.",
        f"Sam Patel <{SAM}>",
        id="french-body",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "I am out of the office until 1 June with no access to email.",
        f"Sam Patel <{SAM}>",
        id="away-and-no-access",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "I am currently on annual leave with limited access to email.",
        f"Sam Patel <{SAM}>",
        id="on-leave-and-limited-access",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "I am out of the office at the moment. Your email will be dealt with on my return.",
        f"Sam Patel <{SAM}>",
        id="away-and-dealt-with-on-return",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "I'm on leave this week and will reply when I return. If your matter is urgent please "
        "contact my manager.",
        f"Sam Patel <{SAM}>",
        id="away-return-and-urgent-contact",
    ),
]


@pytest.mark.parametrize(("subject", "body", "sender"), OUT_OF_OFFICE)
def test_an_out_of_office_without_automatic_headers_is_an_automatic_reply(
    subject: str, body: str, sender: str
) -> None:
    analysis = read(mail(body, subject=subject, sender=sender))

    assert (analysis.kind, analysis.automatic) == (Kind.AUTO_REPLY, "out_of_office")
    assert analysis.intent is None


ACKNOWLEDGEMENTS = [
    pytest.param(
        f"[QA-Ticket] Re: {ALLOCATION_SUBJECT}",
        f"We have received your email: Re: {ALLOCATION_SUBJECT}\n\nThe QA team",
        id="the-qa-mailbox-acknowledging",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "Thank you for contacting the IT Service Desk, your request has been logged.",
        id="a-service-desk-logging-a-request",
    ),
    pytest.param(
        f"Ticket #12345: Re: {ALLOCATION_SUBJECT}",
        "Thank you for contacting us. We will reply as soon as we can.",
        id="ticket-number-in-the-subject",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "We have received your message. Your reference number is HR-20931.",
        id="a-reference-number",
    ),
    pytest.param(
        f"Re: {ALLOCATION_SUBJECT}",
        "This is an automated response. Please do not reply to this email.",
        id="this-is-an-automated-response",
    ),
]


@pytest.mark.parametrize(("subject", "body"), ACKNOWLEDGEMENTS)
def test_a_ticketing_acknowledgement_is_an_automatic_reply(subject: str, body: str) -> None:
    analysis = read(mail(body, subject=subject, sender=f"QA Team <{QA}>"))

    assert (analysis.kind, analysis.automatic) == (Kind.AUTO_REPLY, "acknowledgement")


PEOPLE = [
    pytest.param(
        "I'm on annual leave from Monday for three weeks, can I be exempted this month?",
        f"Re: {ALLOCATION_SUBJECT}",
        Intent.EXEMPTION_REQUEST,
        id="leave-and-a-request",
    ),
    pytest.param(
        "I'll be off sick until the 20th so won't get these done",
        f"Re: {ALLOCATION_SUBJECT}",
        Intent.AT_RISK,
        id="off-sick-and-at-risk",
    ),
    pytest.param(
        "I'll be out of the office most of June - can I be exempted?",
        f"Re: {ALLOCATION_SUBJECT}",
        Intent.EXEMPTION_REQUEST,
        id="out-of-the-office-and-a-request",
    ),
    pytest.param(
        "I'm on leave from the 20th until 4 June and will have no access to email, so can I "
        "be exempted this month? If anything is urgent please contact Hana.",
        f"Re: {ALLOCATION_SUBJECT}",
        Intent.EXEMPTION_REQUEST,
        id="out-of-office-words-around-a-request",
    ),
    pytest.param(
        "I'm away on leave next week, could I be let off?",
        "Out of office - June",
        Intent.EXEMPTION_REQUEST,
        id="an-away-subject-with-a-request",
    ),
    pytest.param(
        "I'm out all of June on leave, so won't be able to do the June audits.",
        "Out of office",
        Intent.EXEMPTION_REQUEST,
        id="an-away-subject-and-work-that-cannot-be-done",
    ),
    pytest.param(
        "Approved. I'm on leave from tomorrow so if anything is urgent please contact Jo.",
        REQUEST_TO_DIRECTOR,
        Intent.APPROVE,
        id="an-answer-first-and-a-note-about-being-away",
    ),
    pytest.param(
        "Thanks for your email. All done.",
        f"Re: {ALLOCATION_SUBJECT}",
        Intent.COMPLETED,
        id="thanks-for-your-email",
    ),
]


@pytest.mark.parametrize(("body", "subject", "intent"), PEOPLE)
def test_a_person_writing_about_being_away_is_a_person(
    body: str, subject: str, intent: Intent
) -> None:
    analysis = read(mail(body, subject=subject))

    assert (analysis.kind, analysis.automatic, analysis.intent) == (Kind.REPLY, None, intent)


@pytest.mark.parametrize(
    ("headers", "body", "automatic"),
    [
        ((("Auto-Submitted", "auto-replied"),), "Thanks.", "headers"),
        ((("Precedence", "bulk"),), "Thanks.", "headers"),
        (
            (("Auto-Submitted", "auto-replied"),),
            "I am on leave and will reply on my return.",
            "out_of_office",
        ),
    ],
)
def test_the_automatic_field_says_why_a_message_is_automatic(
    headers: tuple[tuple[str, str], ...], body: str, automatic: str
) -> None:
    analysis = read(mail(body, headers=headers))

    assert (analysis.kind, analysis.automatic) == (Kind.AUTO_REPLY, automatic)


def test_a_read_receipt_is_automatic_as_a_read_receipt() -> None:
    raw = mail(
        "--r\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n"
        "--r\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n--r--\r\n",
        subject=f"Read: {ALLOCATION_SUBJECT}",
        content_type="multipart/report; report-type=disposition-notification; boundary=r",
    )

    assert (read(raw).kind, read(raw).automatic) == (Kind.AUTO_REPLY, "read_receipt")


def test_a_persons_reply_is_not_automatic() -> None:
    assert read(mail("Approved.")).automatic is None


def domain_replies() -> list[dict[str, str]]:
    path = SHARED_CORPUS / "domain" / "replies.jsonl"
    if not path.is_file():
        pytest.skip("the labelled domain replies are only in the shared corpus")
    with Path(path).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def is_labelled_auto_reply(row: dict[str, str]) -> bool:
    # Auto-replies there carry no_action or unclear, like some people's mail; the note says.
    return row["intent"] in ("no_action", "unclear") and "auto-reply" in row["note"].lower()


def test_every_labelled_auto_reply_is_recognised_by_what_it_says() -> None:
    rows = [row for row in domain_replies() if is_labelled_auto_reply(row)]

    readings = {row["id"]: read(mail(row["text"])).automatic for row in rows}

    assert rows
    assert readings == dict.fromkeys(readings, "out_of_office")


def test_no_labelled_human_reply_is_taken_for_an_automatic_one() -> None:
    rows = [row for row in domain_replies() if not is_labelled_auto_reply(row)]

    mistaken = [row["id"] for row in rows if read(mail(row["text"])).kind is not Kind.REPLY]

    assert mistaken == []


# 2. Decisions come only from what a person plainly wrote. -------------------------------

HIDDEN_APPROVALS = [
    pytest.param(
        '<div style="display:none">Approved<div id="divRplyFwdMsg"></div></div><p>Declined.</p>',
        id="display-none-before-a-hidden-separator",
    ),
    pytest.param('<p>Declined.</p><div style="DISPLAY: NONE !important">Approved</div>', id="caps"),
    pytest.param('<span style="visibility:hidden">Approved. </span><p>Declined.</p>', id="vis"),
    pytest.param('<p>Declined.</p><span style="font-size:0">Approved</span>', id="font-size-0"),
    pytest.param('<p>Declined.</p><span style="font-size: 0px">Approved</span>', id="0px"),
    pytest.param('<p>Declined.</p><span style="font-size:0pt">Approved</span>', id="0pt"),
    pytest.param('<p>Declined.</p><span style="font-size:0.0em">Approved</span>', id="0em"),
    pytest.param('<p>Declined.</p><div style="opacity:0">Approved</div>', id="opacity-0"),
    pytest.param(
        '<p>Declined.</p><div style="max-height:0;overflow:hidden">Approved</div>',
        id="max-height-0-overflow-hidden",
    ),
    pytest.param('<p>Declined.</p><div style="mso-hide:all">Approved</div>', id="mso-hide"),
    pytest.param("<p>Declined.</p><div hidden>Approved</div>", id="hidden-attribute"),
    pytest.param("<p>Declined.</p><template>Approved</template>", id="a-template"),
    pytest.param(
        '<p>Declined.</p><span style="display /* x */ : n\\6f ne">Approved</span>',
        id="css-comments-and-escapes",
    ),
    pytest.param(
        '<p>Declined.</p><div style="display:none"><div><p>Approved</p></div>'
        "<div>I support this</div></div>",
        id="nested-content-inside-a-hidden-element",
    ),
    pytest.param(
        '<table style="display:none"><tr><td>Approved</td></tr></table><p>Declined.</p>',
        id="a-hidden-table",
    ),
]


@pytest.mark.parametrize("html", HIDDEN_APPROVALS)
def test_hidden_html_is_never_read_as_an_approval(html: str) -> None:
    analysis = read(mail(html, subject=REQUEST_TO_DIRECTOR, content_type="text/html"))

    assert "Approved" not in analysis.body
    assert analysis.intent in (Intent.DECLINE, Intent.UNCLEAR)


def test_visible_text_around_hidden_html_is_kept() -> None:
    html = '<p>I support this.</p><span style="display:none">Not supported</span><p>Hana</p>'

    analysis = read(mail(html, content_type="text/html"))

    assert analysis.body == "I support this.\n\nHana"
    assert analysis.intent is Intent.APPROVE


@pytest.mark.parametrize(
    ("plain", "html"),
    [
        ("Approved.", "<p>Declined.</p>"),
        ("Declined.", "<p>Approved.</p>"),
        ("Thanks.", "<p>Approved.</p>"),
    ],
)
def test_plain_and_html_renderings_that_disagree_are_unclear(plain: str, html: str) -> None:
    analysis = read(alternative(plain, html, subject=REQUEST_TO_DIRECTOR))

    assert (analysis.kind, analysis.intent, analysis.reason) == (Kind.REPLY, Intent.UNCLEAR, None)


def test_plain_and_html_renderings_that_agree_are_read() -> None:
    analysis = read(alternative("Approved.\n\nHelen", "<p>Approved.</p><p>Helen</p>"))

    assert analysis.intent is Intent.APPROVE


def test_unclear_shows_as_unclear_in_the_json_form() -> None:
    analysis = read(alternative("Approved.", "<p>Declined.</p>"))

    assert analysis_as_json(analysis)["intent"] == "unclear"


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("Approval is not given.", {Intent.DECLINE}),
        ("Support is not given for this request.", {Intent.DECLINE}),
        (
            "I would have approved this had it come earlier, but as it stands I can't.",
            {Intent.DECLINE, Intent.UNCLEAR},
        ),
        ("Happy to approve once the fit note arrives.", {Intent.UNCLEAR}),
        ("Approved if she confirms the dates", {Intent.UNCLEAR}),
        ("Agreed on this occasion but I want to talk to Priya first", {Intent.UNCLEAR}),
        ("I'll support it provided someone else can pick up CR-104305.", {Intent.UNCLEAR}),
        ("Approved subject to the hearing going ahead.", {Intent.UNCLEAR}),
        ("Approved, pending confirmation from Legal.", {Intent.UNCLEAR}),
        ("If the hearing goes ahead, approved.", {Intent.UNCLEAR}),
        ("Approved in principle.", {Intent.UNCLEAR}),
        ("Approved? I don't think so.", {Intent.DECLINE, Intent.QUESTION, Intent.UNKNOWN}),
    ],
)
def test_a_refusal_or_a_condition_near_an_approval_word_is_never_approve(
    text: str, intents: set[Intent]
) -> None:
    assert read(mail(text, subject=REQUEST_TO_DIRECTOR)).intent in intents


@pytest.mark.parametrize(
    "text",
    [
        "I can't not support this.",
        "Approved.",
        "Approved. If you need anything else, let me know.",
        "Supported, though I'd expect Sam to pick up an extra one next month.",
        "I wouldn't normally, but yes, I'll support this one given the circumstances.",
    ],
)
def test_a_plain_approval_is_still_approve(text: str) -> None:
    assert read(mail(text, subject=REQUEST_TO_DIRECTOR)).intent is Intent.APPROVE


# 3. Who sent it. ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "other_senders"),
    [
        ((), ()),
        ((("Sender", f"Sam Patel <{SAM}>"),), ()),
        ((("Sender", "Helpdesk <Helpdesk@Council.Example>"),), ("helpdesk@council.example",)),
        ((("Resent-From", f"<{HANA}>"),), (HANA,)),
        (
            (("Sender", "pa@council.example"), ("Resent-From", f"Hana <{HANA}>")),
            ("pa@council.example", HANA),
        ),
        ((("Sender", "not an address"),), ("(unreadable)",)),
        ((("Resent-From", f"<{DIRECTOR}> <{HANA}>"),), ("(unreadable)",)),
    ],
)
def test_other_senders_are_the_sender_and_resent_from_addresses_that_differ_from_from(
    headers: tuple[tuple[str, str], ...], other_senders: tuple[str, ...]
) -> None:
    analysis = read(mail("Approved.", headers=headers))

    assert analysis.sender == SAM
    assert analysis.other_senders == other_senders


def test_other_senders_show_in_the_json_form() -> None:
    raw = mail("Approved.", headers=(("Sender", "pa@council.example"),))

    assert analysis_as_json(read(raw))["other_senders"] == ["pa@council.example"]


def address_of_length(length: int) -> str:
    """An address of exactly ``length`` characters: 64-character local part, long labels."""
    domain = "d" * 63 + "." + "d" * 63 + "." + "d" * (length - 64 - 1 - 128 - 8) + ".example"
    return "a" * 64 + "@" + domain


@pytest.mark.parametrize(("length", "accepted"), [(254, True), (255, False), (400, False)])
def test_a_sender_address_longer_than_254_characters_is_refused(
    length: int, accepted: bool
) -> None:
    address = address_of_length(length)

    analysis = read(mail("Approved.", sender=f"Someone <{address}>"))

    assert len(address) == length
    assert analysis.sender == (address if accepted else None)
    assert analysis.malformed == (None if accepted else "no sender")


# 4. Bounces. -------------------------------------------------------------------------

RETURNED_HEADERS = (
    "From: Audit Bot <audit-bot@council.example>\r\nTo: jo@council.example\r\n"
    f"Subject: {ALLOCATION_SUBJECT}\r\n"
    "Message-ID: <allocation-2021-05-jo@council.example>\r\n"
    "X-Audit-Bot-Key: allocation/2021-05/jo@council.example\r\n"
)


def report(final_recipient: str, returned_type: str, returned: str) -> bytes:
    body = (
        "--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n"
        f"\r\nFinal-Recipient: {final_recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"--r\r\nContent-Type: {returned_type}\r\n\r\n{returned}\r\n--r--\r\n"
    )
    return mail(
        body,
        subject="Undelivered Mail Returned to Sender",
        sender="Mail Delivery System <MAILER-DAEMON@mx.example>",
        content_type="multipart/report; report-type=delivery-status; boundary=r",
    )


@pytest.mark.parametrize(
    ("returned_type", "returned"),
    [
        ("message/rfc822", RETURNED_HEADERS + "\r\nYour audits for May.\r\n"),
        ("text/rfc822-headers", RETURNED_HEADERS),
        ("message/rfc822-headers", RETURNED_HEADERS),
    ],
)
def test_a_bounce_names_the_returned_message_and_its_key(returned_type: str, returned: str) -> None:
    analysis = read(report("rfc822; jo@council.example", returned_type, returned))

    assert analysis.kind is Kind.BOUNCE
    assert analysis.bounced_recipients == ("jo@council.example",)
    assert analysis.returned_message_ids == ("<allocation-2021-05-jo@council.example>",)
    assert analysis.returned_keys == ("allocation/2021-05/jo@council.example",)


def test_an_exchange_plain_text_report_names_the_returned_message_and_its_key() -> None:
    text = (
        "Delivery has failed to these recipients or groups:\r\n\r\njo@council.example\r\n"
        "The email address you entered couldn't be found.\r\n\r\n"
        "Diagnostic information for administrators:\r\n\r\n"
        "Original message headers:\r\n\r\n"
        "From: Audit Bot <audit-bot@council.example>\r\n"
        "Message-ID: <reminder-2-jo@council.example>\r\n"
        "X-Audit-Bot-Key: reminder/2021-05/stage-2/jo@council.example\r\n"
    )
    raw = mail(
        text,
        subject=f"Undeliverable: {ALLOCATION_SUBJECT}",
        sender="Microsoft Outlook <postmaster@council.example>",
    )

    analysis = read(raw)

    assert analysis.kind is Kind.BOUNCE
    assert analysis.bounced_recipients == ("jo@council.example",)
    assert analysis.returned_message_ids == ("<reminder-2-jo@council.example>",)
    assert analysis.returned_keys == ("reminder/2021-05/stage-2/jo@council.example",)


def test_over_long_returned_ids_and_keys_are_dropped_and_the_counts_capped() -> None:
    lines = "".join(
        f"Message-ID: <m{index}@council.example>\r\nX-Audit-Bot-Key: key/{index}\r\n"
        for index in range(30)
    )
    text = (
        "Delivery has failed to these recipients or groups:\r\n\r\njo@council.example\r\n\r\n"
        "Original message headers:\r\n\r\n"
        f"Message-ID: <{'x' * 300}@council.example>\r\nX-Audit-Bot-Key: {'k' * 401}\r\n{lines}"
    )

    analysis = read(mail(text, subject="Undeliverable: x", sender="postmaster@council.example"))

    assert analysis.returned_message_ids == tuple(f"<m{i}@council.example>" for i in range(10))
    assert analysis.returned_keys == tuple(f"key/{i}" for i in range(10))


def test_a_persons_reply_names_no_returned_message() -> None:
    analysis = read(mail("Done.\r\n\r\nMessage-ID: <allocation@council.example>"))

    assert (analysis.returned_message_ids, analysis.returned_keys) == ((), ())


@pytest.mark.parametrize(
    ("final_recipient", "bounced"),
    [
        ("rfc822; Jo@Council.Example", ("jo@council.example",)),
        ("rfc822;\tjo@council.example", ("jo@council.example",)),
        ("rfc822; jo@council\t.example", ()),
        ("rfc822; jo smith@council.example", ()),
        ("rfc822; please call the helpdesk", ()),
        ("rfc822; <script>@x", ()),
        ("rfc822; jo@@council.example", ()),
        ("rfc822; @council.example", ()),
        ("rfc822; jo@", ()),
        ("rfc822; " + "a" * 250 + "@council.example", ()),
        ("rfc822; jo@council.example\x0b", ("jo@council.example",)),
        ("rfc822; jo\x01@council.example", ()),
    ],
)
def test_bounced_recipients_are_only_ever_valid_addresses(
    final_recipient: str, bounced: tuple[str, ...]
) -> None:
    analysis = read(report(final_recipient, "text/rfc822-headers", RETURNED_HEADERS))

    assert analysis.kind is Kind.BOUNCE
    assert analysis.bounced_recipients == bounced


# 5. Unknown charsets. ------------------------------------------------------------------


def test_a_text_part_in_a_charset_no_codec_knows_is_malformed() -> None:
    analysis = read(mail("Approved.", content_type='text/plain; charset="x-klingon-7"'))

    assert analysis.malformed == "unknown charset x-klingon-7"
    assert analysis.intent is Intent.UNKNOWN


@pytest.mark.parametrize("charset", ["utf-8", "x-unknown", "unknown-8bit", "windows-1252", ""])
def test_a_known_or_harmless_charset_is_read(charset: str) -> None:
    analysis = read(mail("Approved.", content_type=f"text/plain; charset={charset}"))

    assert (analysis.malformed, analysis.intent) == (None, Intent.APPROVE)


# 6. Subjects and headers normalised; what the message says, digested. -------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re:\tYour   audits", "Re: Your audits"),
        ("Re: Your audits\u2028Bcc: everyone", "Re: Your audits Bcc: everyone"),
        ("Re: a\u2029b\x85c\x9bd\x1ee\x7ff", "Re: a b c d e f"),
        ("=?utf-8?q?Re:_a=0Db=0Ac=09d?=", "Re: a b c d"),
    ],
)
def test_the_subject_has_every_line_separator_and_control_folded_to_one_space(
    subject: str, expected: str
) -> None:
    assert read(mail("Done.", subject=subject)).subject == expected


def test_the_subject_is_capped_at_a_thousand_characters() -> None:
    assert read(mail("Done.", subject="x" * 3000)).subject == "x" * 1000


def test_the_same_message_delivered_twice_has_the_same_digest() -> None:
    first = read(mail("Approved.", received="from mx1 by mx2; Fri, 14 May 2021 09:00"))
    again = read(mail("Approved.", received="from mx7 by mx9; Fri, 14 May 2021 09:05"))

    assert first.content_digest == again.content_digest
    assert re.fullmatch(r"[0-9a-f]{64}", first.content_digest)


@pytest.mark.parametrize(
    "forged",
    [
        mail("Declined."),
        mail("Approved.", subject="Re: something else"),
        mail("Approved.", sender=f"Hana <{HANA}>"),
        alternative("Approved.", "<p>Declined.</p>"),
    ],
    ids=["other-words", "other-subject", "other-from", "other-html"],
)
def test_a_forged_copy_with_the_same_message_id_has_another_digest(forged: bytes) -> None:
    original = read(mail("Approved."))

    assert read(forged).message_id == original.message_id
    assert read(forged).content_digest != original.content_digest


def test_an_unreadable_message_still_has_a_digest() -> None:
    analysis = read(b"\r\n\r\n")

    assert analysis.malformed is not None
    assert re.fullmatch(r"[0-9a-f]{64}", analysis.content_digest)


# Properties: whatever arrives in these headers, the promises hold. ------------------------

ADDR_SPEC = re.compile(r"[^\s@]{1,64}@[^\s@]+")
NASTY = list('\t\r\n\x00\x0b\x0c\x1b\x7f\x85\x9b\u2028\u2029\u00a0\u200b\u202e;,<>"()@:\\')
nasty_text = st.one_of(
    st.text(st.one_of(st.characters(), st.sampled_from(NASTY)), max_size=120),
    st.builds(
        lambda piece, count: piece * count,
        st.sampled_from(["a", "@", "<a@b.example>", "\t", "\u2028", "x@y.example, ", "=?x?q?"]),
        st.integers(0, 3000),
    ),
)


def is_valid_address(address: str) -> bool:
    return (
        len(address) <= 254
        and bool(ADDR_SPEC.fullmatch(address))
        and not any(unicodedata.category(char)[0] in "CZ" for char in address)
        and address == address.lower()
    )


@st.composite
def hostile_bounces(draw: st.DrawFn) -> bytes:
    head = "".join(
        f"{name}: {draw(nasty_text)}\r\n" for name in ("From", "Sender", "Subject", "Resent-From")
    )
    body = (
        "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        f"Final-Recipient: rfc822; {draw(nasty_text)}\r\nAction: failed\r\n--r--\r\n"
    )
    text = (
        head + "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n" + body
    )
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=hostile_bounces())
def test_hostile_header_values_never_break_the_reader(raw: bytes) -> None:
    analysis = read(raw)

    assert not (analysis.malformed or "").startswith("could not be read")
    assert len(analysis.subject) <= 1000
    assert not any(unicodedata.category(char) == "Cc" for char in analysis.subject)
    assert "\u2028" not in analysis.subject and "\u2029" not in analysis.subject
    assert all(is_valid_address(address) for address in analysis.bounced_recipients)
    assert analysis.sender is None or is_valid_address(analysis.sender)
    assert all(
        sender == "(unreadable)" or is_valid_address(sender) for sender in analysis.other_senders
    )
    assert re.fullmatch(r"[0-9a-f]{64}", analysis.content_digest)
    json.dumps(analysis_as_json(analysis))
