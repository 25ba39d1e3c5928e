"""The MIME writer, read back by the standard library's parser as a mail client would."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.mail.graph_payload import graph_message
from bot.mail.message import (
    KEY_HEADER,
    OutgoingMail,
    UnsafeHeaderError,
    mime_bytes,
    new_message_id,
)

NOW = datetime(2021, 5, 4, 8, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3


def _mail(**changes: object) -> OutgoingMail:
    fields: dict = {
        "key": "allocation/2021-05/sam@council.example",
        "sender": "audit-bot@council.example",
        "to": ["sam@council.example"],
        "cc": ["hana@council.example", "ola@council.example"],
        "subject": "Your case audits for May 2021",
        "text": "Dear Sam,\n\nPlease audit CR-1001.\n",
        "html": '<p>Dear Sam,</p><p><a href="mailto:x@y.z?subject=a=b">CR-1001</a></p>',
        "message_id": "<5f2b9c.auditbot@council.example>",
    }
    return OutgoingMail(**(fields | changes))


def _parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert not message.defects, message.defects
    for part in message.walk():
        assert not part.defects, part.defects
    return message


def _body(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return part.get_content()  # type: ignore[attr-defined]


def test_the_headers_and_both_parts_read_back() -> None:
    mail = _mail()
    message = _parse(mime_bytes(mail, NOW))
    assert message["From"] == "audit-bot@council.example"
    assert [a.addr_spec for a in message["To"].addresses] == ["sam@council.example"]
    assert [a.addr_spec for a in message["Cc"].addresses] == [
        "hana@council.example",
        "ola@council.example",
    ]
    assert message["Subject"] == mail.subject
    assert message["Date"].datetime == NOW
    # The one made when the mail was planned, so a resend carries the same one.
    assert message["Message-ID"] == mail.message_id
    assert _parse(mime_bytes(mail, NOW))["Message-ID"] == message["Message-ID"]
    made = {new_message_id("audit-bot@council.example") for _ in range(100)}
    assert len(made) == 100
    assert all(re.fullmatch(r"<[0-9a-f]{32}\.auditbot@council\.example>", m) for m in made)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message[KEY_HEADER] == mail.key
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert _body(message, "plain") == mail.text
    assert _body(message, "html") == mail.html


def test_no_cc_header_when_nobody_is_copied() -> None:
    assert "Cc" not in _parse(mime_bytes(_mail(cc=[]), NOW))


def test_a_plain_mail_reads_as_written_in_the_file() -> None:
    # A person opening the .eml in a text editor sees the mail, not an encoding.
    raw = mime_bytes(_mail(text="Bonjour Zoë,\nCR-1001 — due 31 May\n"), NOW)
    assert "Bonjour Zoë,\nCR-1001 — due 31 May\n".encode() in raw
    assert b'href="mailto:x@y.z?subject=a=b"' in raw


def test_images_sit_beside_the_html_with_their_content_ids() -> None:
    mail = _mail(html='<img src="cid:digest-teams"><img src="cid:digest-trend">',
                 images={"digest-teams": PNG, "digest-trend": PNG[::-1]})  # fmt: skip
    message = _parse(mime_bytes(mail, NOW))
    html_part = message.get_body(("html",))
    assert html_part is not None
    related = [p for p in message.walk() if p.get_content_type() == "multipart/related"]
    assert len(related) == 1
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert [str(p["Content-ID"]) for p in images] == ["<digest-teams>", "<digest-trend>"]
    assert [p.get_content() for p in images] == [PNG, PNG[::-1]]
    assert [p.get_filename() for p in images] == ["digest-teams.png", "digest-trend.png"]
    assert html_part.get_content() == mail.html  # type: ignore[attr-defined]


def test_a_body_quoting_a_boundary_like_line_cannot_forge_a_part() -> None:
    evil = "Thanks\n--=_auditbot_000000000000000000000000-a\nContent-Type: text/html\n\n<b>x</b>\n"
    message = _parse(mime_bytes(_mail(text=evil), NOW))
    assert _body(message, "plain") == evil
    assert len(list(message.iter_parts())) == 2


def test_long_lines_and_carriage_returns_are_encoded_and_come_back_exact() -> None:
    text = "x" * 5000 + "\r\nnext=line \t\n" + "é" * 700
    raw = mime_bytes(_mail(text=text, html="<p>" + "y" * 3000 + "</p>"), NOW)
    assert max(len(line) for line in raw.split(b"\n")) <= 998
    message = _parse(raw)
    assert _body(message, "plain") == text
    assert _body(message, "html") == "<p>" + "y" * 3000 + "</p>"


def test_a_non_ascii_subject_is_encoded_and_reads_back() -> None:
    subject = "Reminder — your audits for Mai 2021 are due: Zoë's cases " + "ü" * 60
    raw = mime_bytes(_mail(subject=subject), NOW)
    assert raw.isascii() or b"Subject: =?utf-8?" in raw
    assert _parse(raw)["Subject"] == subject


@pytest.mark.parametrize(
    "changes",
    [
        {"to": ["Sam <sam@council.example>"]},
        {"cc": ["a@b.example, c@d.example"]},
        {"sender": "bot@council.example\nBcc: x@elsewhere.example"},
        {"subject": "Hi\r\nBcc: x@elsewhere.example"},
        {"images": {'x"; name="y': PNG}},
    ],
)
def test_values_that_could_forge_a_header_are_refused_when_the_mail_is_made(changes) -> None:
    with pytest.raises(UnsafeHeaderError):
        _mail(**changes)


text_strategy = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=400
)


@settings(max_examples=150, deadline=None)
@example(subject="=?utf-8?q?Hi?= there", text="", html="")  # not an encoded word: as typed
@given(subject=st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=120),
       text=text_strategy, html=text_strategy)  # fmt: skip
def test_any_subject_and_bodies_read_back_exactly(subject: str, text: str, html: str) -> None:
    mail = _mail(subject=subject, text=text, html=html)  # the alphabet holds nothing unsafe
    message = _parse(mime_bytes(mail, NOW))
    assert message["Subject"] in (subject, subject.lstrip(" "))  # as a client shows it
    assert _body(message, "plain") == text
    assert _body(message, "html") == html


def test_files_are_attached_after_the_message_and_read_back_whole() -> None:
    workbook = bytes(range(256)) * 40
    mail = _mail(
        images={"chart-1": PNG},
        attachments={"report-2021-05.xlsx": workbook, "report-2021-05.html": b"<p>Hi</p>"},
    )
    parsed = email.message_from_bytes(mime_bytes(mail, NOW), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/mixed"
    body = parsed.get_body(("plain",))
    assert body is not None and body.get_content() == mail.text
    files = {p.get_filename(): p for p in parsed.iter_attachments()}
    assert sorted(files) == ["report-2021-05.html", "report-2021-05.xlsx"]
    xlsx = files["report-2021-05.xlsx"]
    assert xlsx.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert xlsx.get_content() == workbook
    assert parsed.get_body(("html",)) is not None


def test_graph_carries_attached_files_after_the_inline_images() -> None:
    mail = _mail(images={"chart-1": PNG}, attachments={"report-2021-05.xlsx": b"PK"})
    attached = graph_message(mail)["attachments"]
    assert [(a["name"], a["isInline"]) for a in attached] == [
        ("chart-1.png", True),
        ("report-2021-05.xlsx", False),
    ]
    assert attached[1]["contentBytes"] == "UEs="


def test_an_attachments_name_may_not_reach_a_header_unchecked() -> None:
    with pytest.raises(UnsafeHeaderError):
        _mail(attachments={'report"\nBcc: x@y.z': b"x"})
