"""The transport contract: every transport passes the same tests.

Run against the local maildir transport and the Graph transport talking to the stand-in over
HTTPS. Each harness knows how to put mail in the inbox as a mail server would, and how to
look at what was sent and what was filed, as a person would in Outlook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.mail.local import LocalTransport
from bot.mail.message import KEY_HEADER
from bot.mail.transport import Transport
from tests.graph.mails import HANA, NOW, SAM, inbound, outgoing, parse

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)


@dataclass
class Harness:
    transport: Transport
    deliver: Callable[[bytes], None]
    sent: Callable[[], list[EmailMessage]]
    filed: Callable[[str], list[bytes]]


def _local(tmp_path: Path) -> Harness:
    transport = LocalTransport(tmp_path / "out", tmp_path / "in")

    def filed(folder: str) -> list[bytes]:
        path = tmp_path / "in" / f".{folder}" / "cur"
        return [p.read_bytes() for p in sorted(path.iterdir())] if path.exists() else []

    return Harness(
        transport,
        transport.deliver,
        lambda: [parse(p.read_bytes()) for p in sorted((tmp_path / "out" / "new").iterdir())],
        filed,
    )


@pytest.fixture(params=["local", "graph"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    if request.param == "local":
        yield _local(tmp_path)
        return
    standin = request.getfixturevalue("standin")
    graph = request.getfixturevalue("graph")
    yield Harness(
        graph,
        standin.deliver,
        standin.sent,
        lambda folder: [m.raw for m in standin.mailbox.in_folder(folder)],
    )


def test_a_sent_message_is_found_by_its_key(harness: Harness) -> None:
    harness.transport.send(outgoing("allocation/2021-05/sam@council.example"), NOW)
    assert harness.transport.was_sent("allocation/2021-05/sam@council.example")
    assert len(harness.sent()) == 1


def test_a_key_never_sent_is_not_found(harness: Harness) -> None:
    harness.transport.send(outgoing("reminder/2021-05/stage-2/sam"), NOW)
    assert not harness.transport.was_sent("reminder/2021-05/stage-1/sam")
    assert not harness.transport.was_sent("reminder/2021-05/stage-2/sa")
    assert not harness.transport.was_sent("it's/a/key with a quote")


def test_the_headers_every_message_carries_survive_sending(harness: Harness) -> None:
    key = "exemption/EXM-2021-05-001/to-head"
    original = outgoing(key)
    harness.transport.send(original, NOW)
    [landed] = harness.sent()
    assert landed[KEY_HEADER] == key
    assert landed["X-Auto-Response-Suppress"] == "All"
    assert landed["Auto-Submitted"] == "auto-generated"
    assert landed["Message-ID"] == original.message_id
    assert landed["Subject"] == "Your audits for May 2021 [CR-1001]"
    assert [a.addr_spec for a in landed["To"].addresses] == [SAM]
    assert [a.addr_spec for a in landed["Cc"].addresses] == [HANA]
    html = landed.get_body(("html",))
    assert html is not None
    assert "Please audit <b>CR-1001</b>." in html.get_content()


def test_inline_images_are_sent_with_their_content_ids(harness: Harness) -> None:
    key = "digest/2021-05-07"
    message = outgoing(key, html='<p>Chart:</p><img src="cid:chart1">', images={"chart1": PNG})
    harness.transport.send(message, NOW)
    [landed] = harness.sent()
    images = [p for p in landed.walk() if p.get_content_type() == "image/png"]
    assert [str(p["Content-ID"]) for p in images] == ["<chart1>"]
    assert images[0].get_content() == PNG


def test_a_delivered_message_is_fetched_once_byte_for_byte(harness: Harness) -> None:
    raw = inbound("RE: Your audits for May 2021")
    harness.deliver(raw)
    items = harness.transport.fetch_new()
    assert [item.raw for item in items] == [raw]


def test_exchange_headers_on_received_mail_reach_the_reply_reader(harness: Harness) -> None:
    raw = inbound("RE: exemption", extra="X-MS-Exchange-Organization-AuthAs: Internal\r\n")
    harness.deliver(raw)
    [item] = harness.transport.fetch_new()
    assert parse(item.raw)["X-MS-Exchange-Organization-AuthAs"] == "Internal"


def test_a_message_not_yet_filed_is_fetched_again(harness: Harness) -> None:
    # A crash between reading a message and filing it must not lose it.
    harness.deliver(inbound("first"))
    first = harness.transport.fetch_new()
    again = harness.transport.fetch_new()
    assert [i.raw for i in again] == [i.raw for i in first]
    assert len(again) == 1


def test_a_filed_message_leaves_the_inbox_and_lands_in_its_folder(harness: Harness) -> None:
    processed, spoofed = inbound("approve"), inbound("spoof", sender="mallory@elsewhere.example")
    harness.deliver(processed)
    harness.deliver(spoofed)
    items = {item.raw: item.id for item in harness.transport.fetch_new()}
    harness.transport.move(items[spoofed], "Quarantine")
    harness.transport.move(items[processed], "Processed")
    assert harness.transport.fetch_new() == []
    assert harness.filed("Processed") == [processed]
    assert harness.filed("Quarantine") == [spoofed]


def test_mail_arriving_later_is_fetched_after_earlier_mail_was_filed(harness: Harness) -> None:
    harness.deliver(inbound("one"))
    [one] = harness.transport.fetch_new()
    harness.transport.move(one.id, "Processed")
    harness.deliver(inbound("two"))
    harness.deliver(inbound("three"))
    later = harness.transport.fetch_new()
    assert sorted(parse(i.raw)["Subject"] for i in later) == ["three", "two"]
    for item in later:
        harness.transport.move(item.id, "Processed")
    assert harness.transport.fetch_new() == []
    assert len(harness.filed("Processed")) == 3


def test_nothing_new_means_an_empty_fetch(harness: Harness) -> None:
    assert harness.transport.fetch_new() == []
    assert harness.transport.fetch_new() == []
