"""Sending through Graph: throttling, pacing, lost answers and the outbox's exactly-once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.mail.graph import GraphTransport
from bot.mail.graph_http import GraphConnectionError, GraphError, GraphThrottledError
from bot.mail.graph_payload import (
    AUTO_SUBMITTED_PROPERTY,
    KEY_PROPERTY,
    graph_message,
)
from bot.mail.message import mime_bytes
from bot.mail.transport import SendOutcomeUnknownError
from bot.outbox import drain
from bot.store.db import open_engine
from bot.store.repo import insert_ignoring_duplicates
from bot.store.schema import Status, outbox
from tests.graph.conftest import CLIENT_TIMEOUT
from tests.graph.mails import BOT, HANA, NOW, SAM, outgoing, parse
from tests.graph.standin import GraphStandIn, SimClock

SEND = r"/sendMail$"
KEY = "allocation/2021-05/sam@council.example"


def _sends(standin: GraphStandIn) -> list[int | None]:
    return [s.status for s in standin.graph_requests() if s.path.endswith("/sendMail")]


def test_a_429_on_sendmail_is_waited_out_for_as_long_as_graph_asks(graph, standin, clock):
    standin.inject("POST", SEND, status=429, retry_after=7)
    before = clock()
    graph.send(outgoing(KEY), NOW)
    assert _sends(standin) == [429, 202]
    assert clock() - before >= 7
    assert graph.http.stats.throttled == 1
    assert len(standin.sent()) == 1


def test_a_503_without_retry_after_is_retried_with_back_off(graph, standin, clock):
    standin.inject("POST", SEND, status=503, times=2)
    graph.send(outgoing(KEY), NOW)
    assert _sends(standin) == [503, 503, 202]
    assert graph.http.stats.waited == 1 + 2
    assert len(standin.sent()) == 1


def test_a_move_post_is_retried_after_throttling(graph, standin):
    standin.deliver(b"Subject: hello\r\n\r\nhi\r\n")
    [item] = graph.fetch_new()
    standin.inject("POST", r"/move$", status=429, retry_after=3)
    graph.move(item.id, "Processed")
    moves = [s.status for s in standin.graph_requests() if s.path.endswith("/move")]
    assert moves == [429, 201]
    assert len(standin.mailbox.in_folder("Processed")) == 1


def test_a_patch_is_retried_after_throttling(graph, standin):
    message_id = standin.deliver(b"Subject: hello\r\n\r\nhi\r\n")
    standin.inject("PATCH", r"/messages/", status=429, retry_after=2)
    response = graph.http.request(
        "PATCH", f"{graph.user_path}/messages/{message_id}", json={"isRead": True}
    )
    assert response.json()["isRead"] is True
    assert [s.status for s in standin.graph_requests() if s.method == "PATCH"] == [429, 200]


def test_throttling_longer_than_the_bot_will_wait_is_an_ordinary_failure(graph, standin, clock):
    standin.inject("POST", SEND, status=429, retry_after=3600)
    with pytest.raises(GraphThrottledError) as caught:
        graph.send(outgoing(KEY), NOW)
    assert caught.value.status == 429
    assert not isinstance(caught.value, SendOutcomeUnknownError)
    assert standin.sent() == []
    assert clock.slept < 60  # the bot did not sit out the hour


def test_a_send_whose_answer_is_lost_is_unknown_and_then_found_in_sent_items(graph, standin):
    standin.inject("POST", SEND, kind="lose_response")
    with pytest.raises(SendOutcomeUnknownError):
        graph.send(outgoing(KEY), NOW)
    assert graph.was_sent(KEY)
    assert len(standin.sent()) == 1


def test_a_send_that_times_out_after_it_was_carried_out_is_unknown(graph, standin):
    standin.inject("POST", SEND, kind="timeout_after", hang_seconds=CLIENT_TIMEOUT + 0.4)
    # Without the client's timeout the stand-in's late 202 would arrive and nothing be raised.
    with pytest.raises(SendOutcomeUnknownError):
        graph.send(outgoing(KEY), NOW)
    assert graph.was_sent(KEY)


def test_a_send_that_timed_out_before_it_was_carried_out_is_unknown_and_not_found(graph, standin):
    standin.inject("POST", SEND, kind="hang", hang_seconds=CLIENT_TIMEOUT + 0.4)
    with pytest.raises(SendOutcomeUnknownError):
        graph.send(outgoing(KEY), NOW)
    assert not graph.was_sent(KEY)


def test_a_gateway_timeout_on_sendmail_is_unknown_not_retried(graph, standin):
    standin.inject("POST", SEND, status=504)
    with pytest.raises(SendOutcomeUnknownError):
        graph.send(outgoing(KEY), NOW)
    assert _sends(standin) == [504]


def test_a_read_that_hangs_gives_up_after_the_timeout(graph, standin):
    standin.inject("GET", r"/messages/delta$", kind="hang", hang_seconds=CLIENT_TIMEOUT + 0.4)
    # Without the client's timeout the stand-in's late answer would arrive and be read.
    with pytest.raises(GraphConnectionError):
        graph.fetch_new()


def test_a_refused_payload_is_an_ordinary_failure(graph, standin):
    message = outgoing(KEY, to=[], cc=[])
    with pytest.raises(GraphError) as caught:
        graph.send(message, NOW)
    assert caught.value.code == "ErrorInvalidRecipients"
    assert not isinstance(caught.value, SendOutcomeUnknownError)


def _outbox_row(key: str) -> dict:
    now = datetime(2021, 5, 4, 8, 30, tzinfo=UTC)
    return {
        "key": key,
        "kind": "allocation",
        "month": "2021-05",
        "about": None,
        "stage": None,
        "status": Status.PLANNED,
        "planned_at": now,
        "planned_on": now.date(),
        "to_addrs": ["sam@council.example"],
        "cc_addrs": [],
        "subject": "Your audits for May 2021",
        "body_text": "text",
        "body_html": "<p>html</p>",
        "detail": {},
        "attempts": 0,
        "message_id": f"<{key.replace('/', '.')}.test@council.example>",
    }


def test_the_outbox_settles_a_lost_send_from_sent_items_without_sending_twice(
    graph, standin, tmp_path
):
    engine = open_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    with engine.begin() as connection:
        insert_ignoring_duplicates(connection, outbox, [_outbox_row(KEY), _outbox_row("b")])
    standin.inject("POST", SEND, kind="lose_response")
    now = datetime(2021, 5, 4, 8, 30, tzinfo=UTC)
    first = drain(engine, graph, BOT, now)
    assert (first.sent, first.failed) == (1, 1)
    with engine.connect() as connection:
        statuses = dict(connection.execute(select(outbox.c.key, outbox.c.status)).all())
    assert statuses == {KEY: Status.UNKNOWN, "b": Status.SENT}
    # Exchange files the Sent Items copy a little after accepting: no settling at once.
    soon = drain(engine, graph, BOT, now + timedelta(seconds=30))
    assert (soon.settled, soon.sent) == (0, 0)
    second = drain(engine, graph, BOT, now + timedelta(minutes=3))
    assert (second.settled, second.sent) == (1, 0)
    keys = sorted(str(m["X-Audit-Bot-Key"]) for m in standin.sent())
    assert keys == [KEY, "b"]
    engine.dispose()


def test_sending_is_paced_under_the_per_minute_limit_without_a_single_429(
    graph_mail, standin, clock
):
    standin.send_limit_per_minute = 30
    transport = GraphTransport.from_settings(graph_mail, clock=clock, sleep=clock.sleep)
    started = clock()
    for n in range(45):
        transport.send(outgoing(f"k/{n}"), NOW)
    assert standin.throttled_sends == 0
    assert clock() - started == pytest.approx(44 * 2.0)
    assert len(standin.sent()) == 45
    transport.close()


def test_a_burst_over_the_limit_is_throttled_by_the_stand_in_and_still_all_sent(
    graph_mail, standin, clock
):
    # With pacing set too high, Exchange's own limit bites: every 429 is waited out.
    standin.send_limit_per_minute = 10
    transport = GraphTransport.from_settings(
        graph_mail.model_copy(update={"send_per_minute": 600}), clock=clock, sleep=clock.sleep
    )
    for n in range(25):
        transport.send(outgoing(f"k/{n}"), NOW)
    assert standin.throttled_sends > 0
    assert len(standin.sent()) == 25
    transport.close()


def test_the_graph_message_carries_every_header_the_local_transport_writes():
    mail = outgoing(KEY, images={"chart": b"\x89PNG"})
    resource = graph_message(mail)
    headers = {h["name"]: h["value"] for h in resource["internetMessageHeaders"]}
    assert headers == {"X-Audit-Bot-Key": KEY, "X-Auto-Response-Suppress": "All"}
    properties = {p["id"]: p["value"] for p in resource["singleValueExtendedProperties"]}
    assert properties == {KEY_PROPERTY: KEY, AUTO_SUBMITTED_PROPERTY: "auto-generated"}
    local = parse(mime_bytes(mail, NOW))
    assert resource["internetMessageId"] == local["Message-ID"]
    assert resource["subject"] == local["Subject"]
    assert [r["emailAddress"]["address"] for r in resource["toRecipients"]] == [SAM]
    assert [r["emailAddress"]["address"] for r in resource["ccRecipients"]] == [HANA]
    assert resource["body"] == {"contentType": "HTML", "content": mail.html}
    [image] = resource["attachments"]
    assert (image["contentId"], image["isInline"], image["contentType"]) == (
        "chart",
        True,
        "image/png",
    )
    # Every header the local transport writes is carried, or is one Graph sets itself.
    carried_by_graph = {"from", "date", "mime-version", "content-type", "subject", "to", "cc"}
    carried = {name.lower() for name in headers} | {"message-id", "auto-submitted"}
    assert {name.lower() for name in local} <= carried | carried_by_graph


def test_a_long_run_of_sends_costs_one_request_each(graph, standin, clock: SimClock):
    for n in range(10):
        graph.send(outgoing(f"k/{n}"), NOW)
    assert len(standin.graph_requests()) == 10
    assert graph.http.stats.requests == 10
