"""Generated headers with control and separator characters, extreme lengths and odd
structures, through real ticks on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.exemptions import State
from tests.hostile.mail import event_kinds, in_inbox, inbound_statuses, requests
from tests.world import ALEX, BOT, DIRECTOR, HANA, LONDON, QA, SAM, World

DECISIONS = {"head_decision", "director_decision", "request_withdrawn", "request_received"}

_separators = st.sampled_from(
    ["\t", "\r\n\t", "\r\n ", "\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x00", "\x1b", "\r"]
)
_words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=40,
)
_value = st.one_of(
    _words,
    st.builds(lambda a, sep, b: a + sep + b, _words, _separators, _words),
    st.integers(min_value=300, max_value=3000).map(lambda n: "x" * n),
    st.integers(min_value=250, max_value=1200).map(lambda n: "a" * n + "@council.example"),
)
_senders = st.one_of(
    st.sampled_from([SAM[1], ALEX[1], HANA, DIRECTOR, QA, "MAILER-DAEMON@elsewhere.example"]),
    _value,
)
_structures = st.sampled_from(
    [
        'text/plain; charset="utf-8"',
        'text/html; charset="utf-8"',
        "multipart/alternative; boundary=b",
        "multipart/report; report-type=delivery-status; boundary=b",
        'text/plain; charset="x-klingon-7"',
        "message/rfc822",
    ]
)


@st.composite
def hostile_messages(draw: st.DrawFn) -> bytes:
    structure = draw(_structures)
    headers = [
        ("From", draw(_senders)),
        ("Subject", draw(_value)),
        ("Message-ID", draw(st.one_of(_value, st.just("<fixed@council.example>")))),
        ("To", BOT),
        ("MIME-Version", "1.0"),
        ("Content-Type", structure),
    ]
    for name in draw(
        st.lists(st.sampled_from(["Sender", "In-Reply-To", "References"]), max_size=2)
    ):
        headers.append((name, draw(_value)))
    text = draw(_words)
    if structure.startswith("multipart/report"):
        body = (
            f"--b\r\nContent-Type: message/delivery-status\r\n\r\n"
            f"Final-Recipient: rfc822; {draw(_value)}\r\nAction: failed\r\n\r\n--b--\r\n"
        )
    elif structure.startswith("multipart/"):
        body = (
            f"--b\r\nContent-Type: text/plain\r\n\r\n{text}\r\n"
            f"--b\r\nContent-Type: text/html\r\n\r\n<p>{text}</p>\r\n--b--\r\n"
        )
    else:
        body = text
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n" + body).encode("utf-8", "surrogatepass")


def _world_with_open_requests(world: World) -> World:
    if getattr(world, "_prepared", False):
        return world
    world.write_allocations(
        "2021-05", [(SAM[1], "CR-1001", "case_audit"), (ALEX[1], "CR-2001", "case_audit")]
    )
    world.tick("2021-05-04T09:30")
    allocation = next(m for m in world.new_mail() if m.to == (SAM[1],))
    world.reply(allocation, SAM[1], "I'm on sick leave for three weeks, can I be exempted?")
    world.tick("2021-05-04T10:00")
    world.new_mail()
    world._prepared = True  # type: ignore[attr-defined]
    world._clock = datetime(2021, 5, 5, 9, 0, tzinfo=LONDON)  # type: ignore[attr-defined]
    return world


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raws=st.lists(hostile_messages(), min_size=1, max_size=4))
def test_generated_hostile_mail_never_stops_a_tick_or_decides_anything(
    world: World, raws: list[bytes]
) -> None:
    world = _world_with_open_requests(world)
    decided_before = [k for k in event_kinds(world) if k in DECISIONS]
    for raw in raws:
        world.deliver(raw)
    world._clock += timedelta(minutes=7)  # type: ignore[attr-defined]
    report = world.tick(world._clock)  # type: ignore[attr-defined]
    assert report.inbox.left == 0
    assert in_inbox(world) == 0
    assert set(inbound_statuses(world)) <= {"processed", "quarantined"}
    assert [k for k in event_kinds(world) if k in DECISIONS] == decided_before
    assert requests(world)["EXM-2021-05-001"].state is State.AWAITING_HEAD
