"""Only the new text of a reply is read: quotes, headers of the old mail and signatures go."""

from __future__ import annotations

import pytest

from bot.core.replies import analyse
from tests.replies.messages import TODAY, message

QUOTED_ALLOCATION = """Dear Sam,

Your audit allocation for May 2021:

  CR-1001  (case audit)

If you cannot do these audits, reply saying which applies: exemptions are approved only
in exceptional circumstances (ill-health, multi-agency audits, final hearings).

Quality Assurance Team"""


def body_of(text: str, **kwargs: object) -> str:
    return analyse(message(text, **kwargs), today=TODAY).body  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "header",
    [
        "From: Audit Bot <audit-bot@council.example>\nSent: 03 May 2021 09:00\n"
        "To: Patel, Sam <sam.patel@council.example>\nSubject: Your audits for May 2021",
        "From: Audit Bot\nSent: 03 May 2021 09:00\nTo: Patel, Sam\nSubject: Your audits",
        "*From:* Audit Bot [mailto:audit-bot@council.example]\n*Sent:* Monday, May 3, 2021 9:00 AM"
        "\n*To:* Patel, Sam\n*Subject:* Your audits for May 2021",
        "From: Audit Bot <audit-bot@council.example>\nDate: Monday, 3 May 2021 at 09:00\n"
        "To: Sam Patel <sam.patel@council.example>\nSubject: Your audits",
        "From: Quality Assurance Team\n<a-very-long-shared-mailbox-name@council.example>\n"
        "Sent: 03 May 2021 09:00\nTo: Patel, Sam\nSubject: Your audits",
        "Von: Audit Bot <audit-bot@council.example>\nGesendet: Montag, 3. Mai 2021 09:00\n"
        "An: Sam Patel\nBetreff: Your audits",
        "De : Audit Bot <audit-bot@council.example>\nEnvoyé : lundi 3 mai 2021 09:00\n"
        "À : Sam Patel\nObjet : Your audits",
        "Van: Audit Bot\nVerzonden: maandag 3 mei 2021 09:00\nAan: Sam Patel\nOnderwerp: Audits",
        "Fra: Audit Bot\nSendt: 3. mai 2021 09:00\nTil: Sam Patel\nEmne: Audits",
        "Från: Audit Bot\nSkickat: den 3 maj 2021 09:00\nTill: Sam Patel\nÄmne: Audits",
        "Od: Audit Bot\nWysłano: poniedziałek, 3 maja 2021 09:00\nDo: Sam Patel\nTemat: Audyt",
        "От: Audit Bot\nОтправлено: 3 мая 2021 г. 9:00\nКому: Sam Patel\nТема: Audits",
        "________________________________\nFrom: Audit Bot <audit-bot@council.example>\n"
        "Sent: 03 May 2021 09:00\nTo: Sam Patel\nSubject: Your audits",
    ],
)
def test_an_outlook_header_block_ends_the_new_text(header: str) -> None:
    body = body_of(f"I'm on sick leave until the 28th.\n\nSam\n\n{header}\n\n{QUOTED_ALLOCATION}")

    assert body == "I'm on sick leave until the 28th.\n\nSam"


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original Message-----",
        "----- Original Message -----",
        "-----original message-----",
        "-----Ursprüngliche Nachricht-----",
        "-------- Message d'origine --------",
        "-------- Mensaje original --------",
        "---------- Forwarded message ---------",
        "Begin forwarded message:",
        "______________________________________________",
    ],
)
def test_an_original_message_separator_ends_the_new_text(separator: str) -> None:
    body = body_of(f"All done, thanks.\n\n{separator}\n{QUOTED_ALLOCATION}")

    assert body == "All done, thanks."


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, 3 May 2021 at 09:00, Audit Bot <audit-bot@council.example> wrote:",
        "On 3 May 2021, at 09:00, Audit Bot <audit-bot@council.example> wrote:",
        "On Mon, May 3, 2021 at 9:00 AM Audit Bot <audit-bot@council.example>\nwrote:",
        "Le lun. 3 mai 2021 à 09:00, Audit Bot <audit-bot@council.example> a écrit :",
        "Am Mo., 3. Mai 2021 um 09:00 Uhr schrieb Audit Bot <audit-bot@council.example>:",
        "Op ma 3 mei 2021 om 09:00 schreef Audit Bot <audit-bot@council.example>:",
        "El lun, 3 may 2021 a las 9:00, Audit Bot (<audit-bot@council.example>) escribió:",
        "Den 3. maj 2021 kl. 09.00 skrev Audit Bot <audit-bot@council.example>:",
        "3 мая 2021 г., в 9:00, Audit Bot <audit-bot@council.example> написал:",
    ],
)
def test_an_attribution_line_and_its_quote_are_dropped(attribution: str) -> None:
    quote = "\n".join(f"> {line}" for line in QUOTED_ALLOCATION.splitlines())

    body = body_of(f"Submitted yesterday.\n\n{attribution}\n\n{quote}\n")

    assert body == "Submitted yesterday."


def test_a_line_that_merely_starts_with_on_is_kept() -> None:
    text = "On Monday I have a final hearing.\nOn Tuesday too.\n\nSam"

    assert body_of(text) == text


def test_a_bottom_posted_reply_keeps_only_the_text_below_the_quote() -> None:
    text = (
        "On 3 May 2021, at 09:00, Sam Patel <sam.patel@council.example> wrote:\n"
        "> Hana, I'm on sick leave for three weeks, can I be exempted?\n"
        "> Please approve if you can.\n"
        "\n"
        "I can't support this, sorry Sam.\n"
    )

    assert body_of(text) == "I can't support this, sorry Sam."


def test_inline_answers_after_a_greeting_are_kept() -> None:
    text = (
        "Hi Hana,\n\n"
        "> Are you on leave for most of June?\n"
        "Yes, from the 1st to the 25th.\n\n"
        "> Have you told the QA team?\n"
        "Not yet.\n"
    )

    body = body_of(text)

    assert body == "Hi Hana,\n\nYes, from the 1st to the 25th.\n\nNot yet."


def test_a_see_below_reply_keeps_the_answers_below() -> None:
    text = "Answers below.\n\n> Which cases are left?\nCR-1001 only.\n"

    assert body_of(text) == "Answers below.\n\nCR-1001 only."


def test_a_top_posted_reply_ignores_text_after_the_quote() -> None:
    text = "Approved.\n\n> Can I be exempted?\n\nThis email is confidential."

    assert body_of(text) == "Approved."


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nSam Patel\nSenior Practitioner",
        "Sent from my iPhone",
        "Sent from my iPad",
        "Sent from my Samsung Galaxy smartphone.",
        "Get Outlook for iOS<https://aka.ms/o0ukef>",
        "Get Outlook for Android",
        "Sent from Outlook",
        "Sent from Mail for Windows",
        "Von meinem iPhone gesendet",
    ],
)
def test_a_signature_is_removed(signature: str) -> None:
    assert body_of(f"Done, all three submitted.\n\n{signature}\n") == "Done, all three submitted."


def test_sent_from_my_inside_a_sentence_is_not_a_signature() -> None:
    text = "Sent from my desk, because the laptop is broken: all done."

    assert body_of(text) == text


@pytest.mark.parametrize(
    "banner",
    [
        "CAUTION: This email originated from outside of the organisation. Do not click links or "
        "open attachments unless you recognise the sender and know the content is safe.",
        "[EXTERNAL] This message came from outside the council. Be careful with links.",
        "EXTERNAL EMAIL: do not click links unless you recognise the sender.",
    ],
)
def test_an_external_sender_banner_is_dropped(banner: str) -> None:
    assert body_of(f"{banner}\n\nAll my audits are in.") == "All my audits are in."


def test_leave_dates_written_as_from_and_to_are_not_a_quote_header() -> None:
    text = "I'm on annual leave.\nFrom: 1 June\nTo: 25 June\nSam"

    assert body_of(text) == text


def test_whitespace_is_tidied() -> None:
    text = "\n\n  \nApproved.\u00a0 \n\n\n\n\nHana   \n\n"

    assert body_of(text) == "Approved.\n\nHana"


HTML_REPLY = """<html><head><style>p {{margin:0}}</style><title>x</title></head><body>
<div>{new}</div>
{marker}
<p>Dear Sam, exemptions are approved only in exceptional circumstances.</p>
</div></body></html>"""


@pytest.mark.parametrize(
    "marker",
    [
        '<div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Bot</div><div>',
        '<div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Audit Bot<br><b>Sent:</b> 3 May</div><div>',
        '<div style="border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        "<p><b>From:</b> Audit Bot</p></div><div>",
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in">'
        "<p><b>From:</b> Audit Bot</p></div><div>",
        '<div class="gmail_quote"><div class="gmail_attr">On Mon, Audit Bot wrote:</div>'
        "<blockquote class='gmail_quote'>",
        '<div class="yahoo_quoted"><div>',
        '<blockquote type="cite"><div>',
        '<span id="OLK_SRC_BODY_SECTION"><div>',
    ],
)
def test_an_html_reply_is_cut_at_the_clients_quote_marker(marker: str) -> None:
    html = HTML_REPLY.format(new="I don't support this request.", marker=marker)

    analysis = analyse(message(html, html=True), today=TODAY)

    assert analysis.body == "I don't support this request."
    assert analysis.intent is not None and analysis.intent.value == "decline"


def test_an_html_reply_drops_styles_scripts_and_entities_are_decoded() -> None:
    html = (
        "<html><head><style>.x{color:red}</style><script>var approve = 1;</script></head>"
        "<body><p>Hana &amp; I agree&nbsp;&ndash; it&#39;s fine.</p></body></html>"
    )

    assert body_of(html, html=True) == "Hana & I agree – it's fine."


def test_plain_text_is_preferred_to_html_in_an_alternative() -> None:
    raw = (
        b"From: Sam Patel <sam.patel@council.example>\r\nSubject: Re: audits\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain words.\r\n"
        b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML words.</p>\r\n--b--\r\n"
    )

    assert analyse(raw, today=TODAY).body == "Plain words."


def test_html_is_used_when_the_plain_part_is_empty() -> None:
    raw = (
        b"From: Sam Patel <sam.patel@council.example>\r\nSubject: Re: audits\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n \r\n"
        b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML words.</p>\r\n--b--\r\n"
    )

    assert analyse(raw, today=TODAY).body == "HTML words."


@pytest.mark.parametrize(
    "footer",
    [
        "This e-mail (and any attachments) is confidential and may be privileged.",
        "This email and any files transmitted with it are confidential.",
        "The information in this email is confidential and intended for the addressee only.",
        "If you are not the intended recipient, please delete it and tell the sender.",
        "Disclaimer\n\nViews expressed are not necessarily those of the council.",
    ],
)
def test_a_council_disclaimer_after_the_text_is_cut(footer: str) -> None:
    assert body_of(f"Approved.\n\nHana\n\n{footer}\nNot approved otherwise.") == "Approved.\n\nHana"


def test_a_disclaimer_is_not_cut_when_it_is_all_there_is() -> None:
    text = "If you are not the intended recipient, who should I send the audits to?"

    assert body_of(text) == text


@pytest.mark.parametrize("odd", ["<![foo[bar]]>", "<![ x", "<![foo]>"])
def test_markup_the_html_parser_rejects_still_gives_the_new_text(odd: str) -> None:
    html = (
        f"<html><body><div>Approved.{odd}</div>"
        '<div class="gmail_quote">On Mon, Sam wrote:<blockquote>Can I be exempted?</blockquote>'
        "</div></body></html>"
    )

    body = body_of(html, html=True)

    assert body.startswith("Approved.")
    assert "exempted" not in body
