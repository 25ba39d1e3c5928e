"""The reply reader against real client output: kinds, trimmed bodies, failed addresses."""

from __future__ import annotations

import pytest

from bot.core.replies import Intent, Kind, analyse
from tests.replies.messages import TODAY, corpus_message, labelled

# Where this project reads a message differently from the corpus label, and why.
DISAGREEMENTS = {
    # Labelled "reply" because Sisimai must not parse it as a bounce it understands; but it
    # comes from postmaster with an empty return path and Auto-Submitted: auto-replied, and
    # says "an email you sent was rejected". For the bot it is a delivery failure, and it must
    # never be answered or read as a person's reply.
    "sisimai_set-of-emails/not/rb-issue-368-bug.eml": Kind.BOUNCE,
}

LABELS = labelled()


@pytest.mark.parametrize(("name", "label"), LABELS, ids=[name for name, _ in LABELS])
def test_each_labelled_message_is_read_as_its_kind(name: str, label: str) -> None:
    analysis = analyse(corpus_message(name, label), today=TODAY)

    assert analysis.kind is DISAGREEMENTS.get(name, Kind(label))


def test_no_labelled_reply_is_mistaken_for_an_automatic_message() -> None:
    mistaken = [
        name
        for name, label in LABELS
        if label == "reply"
        and name not in DISAGREEMENTS
        and analyse(corpus_message(name, label), today=TODAY).kind is not Kind.REPLY
    ]

    assert mistaken == []


@pytest.mark.parametrize(("name", "label"), [row for row in LABELS if row[1] != "reply"])
def test_automatic_messages_carry_no_intent(name: str, label: str) -> None:
    analysis = analyse(corpus_message(name, label), today=TODAY)

    assert analysis.intent is None
    assert analysis.reason is None


# file: (phrases the writer wrote, phrases from the quote or signature)
BODIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "alfonsrv_mail-parser-reply/caution.txt": (
        ("Below THIS and THAT file for 31st August 2019", "job at our end."),
        ("CAUTION", "originated from outside", "This message w/attachments"),
    ),
    "alfonsrv_mail-parser-reply/caution2.txt": (
        ("I am trying to place an order", "My order is time sensitive."),
        ("Disclaimer", "The information contained in this communication", "scanned for viruses"),
    ),
    "alfonsrv_mail-parser-reply/email_danish_1.txt": (
        ("Tak for din mail. Det lyder godt.", "Anders Andersen"),
        ("skrev Peter", "Hvordan går det med projektet?"),
    ),
    "alfonsrv_mail-parser-reply/email_nl_1_2.txt": (
        ("Outlook met een antwoord",),
        ("Van:", "Google Apps Sync", "-----"),
    ),
    "alfonsrv_mail-parser-reply/multi_header.txt": (
        ("No problem. I’ll just start a new order.",),
        ("wrote:", "Unfortunately, we are unable to add items", "replacement order"),
    ),
    "alfonsrv_mail-parser-reply/outlook.txt": (
        ("What is the best way to clear a Riak bucket", "My number is: +00 0000 000 000"),
        ("Get Outlook for iOS",),
    ),
    "crisp-oss_email-reply-parser/email_french_dash_separator.txt": (
        ("Fusce bibendum", "aliquet nec nec nibh."),
        ("Message d'origine", "Abc vous a envoyé"),
    ),
    "crisp-oss_email-reply-parser/email_german_outlook.txt": (
        ("Fusce bibendum", "aliquet nec nec nibh."),
        ("Ursprüngliche Nachricht", "Betreff", "This is the original message content."),
    ),
    "crisp-oss_email-reply-parser/email_ios_outlook.txt": (
        ("Fusce bibendum", "aliquet nec nec nibh."),
        ("Get Outlook for iOS", "The Hiring Engine", "Chauffeur - Berlin", "____"),
    ),
    "crisp-oss_email-reply-parser/email_ios_outlook_fr.txt": (
        ("Fusce bibendum", "aliquet nec nec nibh."),
        ("Envoyé à partir de Outlook pour iOS", "Etiam non sagittis orci"),
    ),
    "crisp-oss_email-reply-parser/email_msn.txt": (
        ("Fusce bibendum", "aliquet nec nec nibh."),
        ("Local CDL A Driver", "Are you currently employed?"),
    ),
    "crisp-oss_email-reply-parser/email_original_message.txt": (
        ("Fusce bibendum", "aliquet nec nec nibh."),
        ("original message", "I'd like to revisit the proposal"),
    ),
    "crisp-oss_email-reply-parser/email_original_message_2.txt": (
        ("Fusce bibendum", "aliquet nec nec nibh."),
        ("Original Message", "I'd like to revisit the proposal"),
    ),
    "crisp-oss_email-reply-parser/email_outlook_split_line_from.txt": (
        ("Fusce bibendum", "aliquet nec nec nibh."),
        ("Human Resources", "Your company is really cool!", "Sent: Monday"),
    ),
    "github_email_reply_parser/correct_sig.txt": (
        ("this is an email with a correct -- signature.",),
        ("rick",),
    ),
    "github_email_reply_parser/email_1_2.txt": (
        ("Hi,", "You can list the keys for the bucket", "would do it.", "delete them all"),
        ("Abhishek Kona wrote", "I am currently using the Java HTTP API", "riak-users"),
    ),
    "github_email_reply_parser/email_2_2.txt": (
        ("Outlook with a reply directly above line",),
        ("CRM Comments", "A new comment has been added", "____"),
    ),
    "github_email_reply_parser/email_one_is_not_on.txt": (
        ("Thank, this is really helpful.", "One outstanding question I had:", "when I run..."),
        ("Dave Tapley wrote", "The good news is that I've found a much better query"),
    ),
    "github_email_reply_parser/email_sent_from_my_not_signature.txt": (
        ("Here is another email", "Sent from my desk, is much easier then my mobile phone."),
        (),
    ),
    "github_email_reply_parser/greedy_on.txt": (
        ("On your remote host you can run:", "telnet 127.0.0.1 52698", "tunnel is not working."),
        ("George Plymale wrote", "I am having an odd issue", "Reply to this email directly"),
    ),
    "sisimai_set-of-emails/not/is-not-bounce-01.eml": (("にゃーーーーーーーーーーー",), ()),
    "sisimai_set-of-emails/not/is-not-bounce-02.eml": (
        ("it shouldn't be considered as bounce",),
        ("something", "Delivered-To"),
    ),
    "talon/OLK_SRC_BODY_SECTION.html": (("Reply",), ("From:", "Hi", "bob@example.com")),
    "talon/html_replies/gmail.html": (
        ("Hi. I am fine.", "Thanks,", "Alex"),
        ("Hello! How are you?", "Sasha", "wrote:"),
    ),
    "talon/html_replies/hotmail.html": (
        ("Hi. I am fine.", "Thanks,", "Alex"),
        ("Hello! How are you?", "Sasha", "Subject: Test message", "hmmessage"),
    ),
    "talon/html_replies/ms_outlook_2003.html": (
        ("Hi. I am fine.", "Thanks,", "Alex"),
        ("Hello! How are you?", "Sasha", "From:", "font-family"),
    ),
    "talon/html_replies/ms_outlook_2007.html": (
        ("Hi. I am fine.", "Thanks,", "Alex"),
        ("Hello! How are you?", "Sasha", "From:", "MsoNormal"),
    ),
    "talon/html_replies/ms_outlook_2010.html": (
        ("Hi. I am fine.", "Thanks,", "Alex"),
        ("Hello! How are you?", "On Behalf Of", "Conversation"),
    ),
    "talon/html_replies/windows_mail.html": (
        ("Hi. I am fine.", "Thanks,", "Alex"),
        ("Hello! How are you?", "Sasha", "От:", "Кому:"),
    ),
    "talon/reply-quotations-share-block.eml": (
        ("Hi Katharine.", "Sounds great.", "start working on a menu and proposal.", "Joe XXX"),
        ("wrote:", "You've got a new booking inquiry!", "New Booking Inquiry"),
    ),
    "zapier_email-reply-parser/email_2_3.txt": (
        ("Outlook with a reply above headers using unusual format",),
        ("*From:*", "Respond to Kim", "Ei tale aliquam eum"),
    ),
    "zapier_email-reply-parser/email_headers_no_delimiter.txt": (
        ("And another reply!",),
        ("Dan Watson", "Sent from my iPhone", "With a second line."),
    ),
    "zapier_email-reply-parser/email_partial_quote_header.txt": (
        ("On your remote host you can run:", "telnet 127.0.0.1 52698", "tunnel is not working."),
        ("George Plymale wrote", "I am having an odd issue"),
    ),
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_the_trimmed_body_keeps_the_new_text_and_drops_the_quote(name: str) -> None:
    kept, dropped = BODIES[name]

    body = analyse(corpus_message(name), today=TODAY).body

    for phrase in kept:
        assert phrase in body
    for phrase in dropped:
        assert phrase not in body


@pytest.mark.parametrize(
    "name",
    [
        "talon/standard_replies/android.eml",
        "talon/standard_replies/apple_mail.eml",
        "talon/standard_replies/gmail.eml",
        "talon/standard_replies/hotmail.eml",
        "talon/standard_replies/iphone.eml",
        "talon/standard_replies/outlook.eml",
        "talon/standard_replies/thunderbird.eml",
        "talon/standard_replies/yahoo.eml",
    ],
)
def test_each_mail_client_reply_comes_down_to_its_one_word(name: str) -> None:
    analysis = analyse(corpus_message(name), today=TODAY)

    assert analysis.body == "Hello"
    assert analysis.malformed is None
    assert analysis.intent is Intent.UNKNOWN


BOUNCED = {
    "flufl.bounce/dsn_01.txt": ("jimmymcegypt@go.com",),
    "flufl.bounce/microsoft_01.txt": ("djbennett@ikon.com",),
    "flufl.bounce/microsoft_02.txt": ("mdmoore@ball.com",),
    "flufl.bounce/microsoft_03.txt": ("midica@banknbr.com",),
    "flufl.bounce/simple_01.txt": ("bbbsss@turbosport.com",),
    "sisimai_set-of-emails/lhost-exchange2003-01.eml": ("kijitora@example.jp",),
    "sisimai_set-of-emails/lhost-office365-01.eml": ("kijitora@example.com",),
    "sisimai_set-of-emails/lhost-office365-02.eml": ("kijitora@example.onmicrosoft.com",),
    "sisimai_set-of-emails/lhost-outlook-01.eml": ("kijitora@example.jp",),
    "sisimai_set-of-emails/lhost-postfix-01.eml": ("kijitora@example.org",),
    "sisimai_set-of-emails/rfc3464-01.eml": ("userunknown@bouncehammer.jp",),
    "sisimai_set-of-emails/rhost-mimecast-01.eml": ("sabatora@example.com",),
}


@pytest.mark.parametrize("name", sorted(BOUNCED))
def test_a_bounce_names_the_address_that_failed(name: str) -> None:
    analysis = analyse(corpus_message(name, "bounce"), today=TODAY)

    assert analysis.kind is Kind.BOUNCE
    for address in BOUNCED[name]:
        assert address in analysis.bounced_recipients
    assert all(address == address.lower() for address in analysis.bounced_recipients)


def test_replies_have_no_bounced_recipients() -> None:
    for name, label in LABELS:
        if label == "reply" and name not in DISAGREEMENTS:
            assert analyse(corpus_message(name), today=TODAY).bounced_recipients == ()
