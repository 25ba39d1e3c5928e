"""No inbound message, however broken, makes a tick raise or get lost."""

from __future__ import annotations

import email.utils
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.world import BOT, SAM, World

_header_names = st.sampled_from(
    [
        "From",
        "To",
        "Subject",
        "Message-ID",
        "In-Reply-To",
        "References",
        "Auto-Submitted",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
        "Reply-To",
        "Precedence",
        "X-Autoreply",
        "Return-Path",
        "X-MS-Exchange-Organization-AuthAs",
    ]
)
_header_values = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "multipart/mixed; boundary=x",
            "multipart/report; report-type=delivery-status",
            "text/plain; charset=x-unknown",
            "text/html; charset=utf-8",
            "base64",
            "quoted-printable",
            f"<{SAM[1]}>",
            "auto-replied",
            "[AUD-2021-05-AAAAAAAA]",
            "<>",
        ]
    ),
)
_bodies = st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode))


@st.composite
def messages(draw) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=3000))
    headers = draw(st.lists(st.tuples(_header_names, _header_values), max_size=12))
    lines = [f"{name}: {value}".encode("utf-8", "surrogateescape") for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + draw(_bodies)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raws=st.lists(messages(), min_size=1, max_size=3))
def test_no_message_makes_a_tick_raise_and_every_one_is_filed(
    tmp_path: Path, raws: list[bytes]
) -> None:
    world = _world(tmp_path)
    for raw in raws:
        world.deliver(raw)
    _world.clock += timedelta(minutes=5)
    world.tick(_world.clock)
    inbox = world.root / "mail" / "inbox"
    assert [p for sub in ("new", "cur") for p in (inbox / sub).iterdir()] == []


def _world(tmp_path: Path) -> World:
    # One council for all examples: creating a store per example would dominate the run.
    if _world.current is None or not _world.current.root.exists():
        _world.current = World.create(tmp_path / "fuzz")
        _world.current.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    return _world.current


_world.current = None
_world.clock = datetime.fromisoformat("2021-05-04T09:30")


def _id() -> str:
    return email.utils.make_msgid(domain="council.example")


def test_a_twenty_megabyte_attachment_and_an_html_only_message_are_handled(tmp_path: Path) -> None:
    world = World.create(tmp_path / "big")
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    big = (
        (
            f"From: {SAM[1]}\r\nTo: {BOT}\r\nSubject: big\r\nMessage-ID: {_id()}\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            "Content-Type: text/plain\r\n\r\nDone, submitted yesterday.\r\n--b\r\n"
            "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + b"QUFBQUFB\r\n" * 2_500_000
        + b"--b--\r\n"
    )
    html_only = (
        f"From: {SAM[1]}\r\nTo: {BOT}\r\nSubject: html\r\nMessage-ID: {_id()}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<html><body><p>Which case is the thematic one?</p></body></html>\r\n"
    ).encode()
    world.deliver(big)
    world.deliver(html_only)
    report = world.tick("2021-05-05T10:00")
    assert sorted(report.inbox.actions) == [
        "forward: not something the bot acts on (question)",
        "self_report: says it is done",
    ]
    world.close()
