"""analyse never raises and stays quick, whatever arrives."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.replies import REFERENCE_PATTERN, Analysis, Intent, Kind, analyse, analysis_as_json
from tests.replies.messages import TODAY, message

QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_well_formed(analysis: Analysis) -> None:
    """The promises every Analysis keeps, whatever the input."""
    assert isinstance(analysis, Analysis)
    assert analysis.kind in Kind
    assert (analysis.intent is None) == (analysis.kind is not Kind.REPLY)
    assert analysis.reason is None or analysis.intent is Intent.EXEMPTION_REQUEST
    assert analysis.reference is None or REFERENCE_PATTERN.fullmatch(analysis.reference)
    assert analysis.sender is None or analysis.sender == analysis.sender.lower()
    assert all(address == address.lower() for address in analysis.bounced_recipients)
    assert analysis.bounced_recipients == () or analysis.kind is Kind.BOUNCE
    assert analysis.malformed is None or analysis.intent in (None, Intent.UNKNOWN)
    json.dumps(analysis_as_json(analysis))


@QUICK
@given(raw=st.binary(max_size=4000), today=st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_any_bytes_give_an_analysis(raw: bytes, today: date) -> None:
    assert_well_formed(analyse(raw, today=today))


HEADER_NAMES = [
    "From", "To", "Subject", "Reply-To", "Message-ID", "In-Reply-To", "References",
    "Return-Path", "Auto-Submitted", "Precedence", "X-Autoreply", "X-Auto-Response-Suppress",
    "X-MS-Exchange-Message-Is-Ndr", "X-MS-Exchange-Organization-AuthAs", "X-Failed-Recipients",
    "X-MS-Exchange-Inbox-Rules-Loop", "Content-Disposition", "X-Odd",
]  # fmt: skip
CHARSETS = [
    "utf-8", "iso-8859-1", "windows-1252", "x-unknown", "unknown-8bit", "unicode-1-1-utf-7",
    "utf-7", "utf-16", "idna", "punycode", "base64", "rot13", "zlib", "shift_jis", "gb2312",
    "", '"', "utf-8\x00",
]  # fmt: skip
ENCODINGS = ["7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus"]
LEAF_TYPES = ["text/plain", "text/html", "message/delivery-status", "message/rfc822",
              "message/disposition-notification", "application/pdf", "text/rfc822-headers",
              "bogus"]  # fmt: skip
FRAGMENTS = [
    "Approved.", "I can't support this.", "> On Mon, Jo wrote:", "> approve", "\n",
    "-----Original Message-----", "From: Jo\nSent: today\nTo: Sam\nSubject: x",
    "<div id=divRplyFwdMsg>", "<blockquote type=cite>", "</div>", "<![if x]>", "=?utf-8?q?x?=",
    "EXM-2021-05-017-K7M3Q9XA", "Final-Recipient: rfc822; jo@x.example", "most of June",
    "Sent from my iPhone", "-- ", "\u00a0", "\ufeff", "=\r\n", "=ZZ", "\x00", "\udcff",
]  # fmt: skip

header_values = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["<>", "auto-replied", "bulk", "Internal", "sam@x.example", "=?x?q?=ff?="]),
)


@st.composite
def parts(draw: st.DrawFn, depth: int = 0) -> str:
    if depth < 3 and draw(st.booleans()):
        boundary = draw(st.sampled_from(["b1", "b2", "", "a b", "--", "b" * 80]))
        sub = draw(st.sampled_from(["mixed", "alternative", "report", "related", "signed"]))
        children = draw(st.lists(parts(depth + 1), max_size=3))
        close = draw(st.sampled_from([f"--{boundary}--", "", "--wrong--"]))
        body = "".join(f"--{boundary}\r\n{child}\r\n" for child in children) + close
        params = f'; boundary="{boundary}"' if draw(st.booleans()) else ""
        params += "; report-type=delivery-status" if draw(st.booleans()) else ""
        return f"Content-Type: multipart/{sub}{params}\r\n\r\n{body}"
    ctype = draw(st.sampled_from(LEAF_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    text = "".join(draw(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)))))
    return (
        f"Content-Type: {ctype}; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n{text}"
    )


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_values), max_size=8))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    text = head + "MIME-Version: 1.0\r\n" + draw(parts())
    return text.encode("utf-8", "surrogateescape")


@QUICK
@given(raw=messages(), today=st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_any_structured_message_gives_an_analysis(raw: bytes, today: date) -> None:
    assert_well_formed(analyse(raw, today=today))


def read(raw: bytes) -> Analysis:
    # How fast is measured in benchmarks/bench_replies.py; here, that it ends and reads right.
    return analyse(raw, today=TODAY)


def test_a_twenty_megabyte_attachment_is_not_decoded_and_the_text_is_read_quickly() -> None:
    attachment = (b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=" * 2 + b"\r\n") * 280_000  # 20 MB
    raw = (
        b"From: Sam Patel <sam.patel@council.example>\r\nSubject: Re: audits\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
        b"--m\r\nContent-Type: text/plain\r\n\r\nAll done.\r\n"
        b"--m\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=audit.pdf\r\n\r\n" + attachment + b"--m--\r\n"
    )

    analysis = read(raw)

    assert (analysis.body, analysis.intent, analysis.malformed) == (
        "All done.",
        Intent.COMPLETED,
        None,
    )


def test_a_message_over_25_megabytes_is_malformed_but_still_attributed() -> None:
    raw = message("Approved.\n" + "x" * 27_000_000)

    analysis = read(raw)

    assert analysis.malformed == "message too large"
    assert analysis.intent is Intent.UNKNOWN
    assert analysis.sender == "sam.patel@council.example"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"From: a@b.example\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all",
        b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--y\r\n\r\nhi",
        b"From: a@b.example\r\nContent-Type: image/png\r\n\r\n\x89PNG",
    ],
    ids=["empty", "blank", "no-boundary", "wrong-boundary", "no-text-part"],
)
def test_a_message_with_nothing_readable_is_malformed(raw: bytes) -> None:
    analysis = analyse(raw, today=TODAY)

    assert analysis.malformed is not None
    assert analysis.intent is Intent.UNKNOWN
    assert_well_formed(analysis)


def test_an_unknown_charset_is_read_as_utf8_with_replacement_and_not_malformed() -> None:
    raw = (
        b"From: sam.patel@council.example\r\nSubject: Re: audits\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\nAll done \xe2\x80\x93 thanks \xff"
    )

    analysis = analyse(raw, today=TODAY)

    assert analysis.body == "All done – thanks \ufffd"
    assert analysis.malformed is None


def test_an_html_only_message_is_converted_to_text() -> None:
    raw = message("<p>I&#39;m on sick leave.</p><p>Sam</p>", html=True)

    analysis = analyse(raw, today=TODAY)

    assert analysis.body == "I'm on sick leave.\n\nSam"
    assert analysis.intent is Intent.EXEMPTION_REQUEST


def test_deeply_nested_parts_do_not_exhaust_the_stack() -> None:
    nested = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
        for i in range(3000)
    )
    raw = b"From: sam.patel@council.example\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"

    analysis = read(raw + nested)

    assert analysis.sender == "sam.patel@council.example"
    assert analysis.intent is Intent.UNKNOWN


def test_a_long_line_without_spaces_is_read_in_linear_time() -> None:
    analysis = read(message("a" * 2_000_000))

    assert analysis.malformed is None


def test_bytes_like_input_is_accepted() -> None:
    assert analyse(bytearray(message("Done.")), today=TODAY).intent is Intent.COMPLETED  # type: ignore[arg-type]
