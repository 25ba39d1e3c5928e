"""The keyed outbox: exactly once through crashes between send and record."""

import email
import email.policy
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.mail.local import LocalTransport
from bot.mail.message import OutgoingMail, mime_bytes
from bot.outbox import drain
from bot.store.db import open_engine
from bot.store.repo import insert_ignoring_duplicates
from bot.store.schema import Status, outbox

NOW = datetime(2021, 5, 4, 8, 30, tzinfo=UTC)


def _row(key: str) -> dict:
    return {
        "key": key,
        "kind": "allocation",
        "month": "2021-05",
        "about": None,
        "stage": None,
        "status": Status.PLANNED,
        "planned_at": NOW,
        "planned_on": NOW.date(),
        "to_addrs": ["sam@council.example"],
        "cc_addrs": [],
        "subject": "Audits",
        "body_text": "text",
        "body_html": "<p>html</p>",
        "detail": {},
        "attempts": 0,
    }


def _setup(tmp_path, store_url):
    engine = open_engine(store_url)
    transport = LocalTransport(tmp_path / "out", tmp_path / "in")
    with engine.begin() as connection:
        assert len(insert_ignoring_duplicates(connection, outbox, [_row("a"), _row("b")])) == 2
        assert insert_ignoring_duplicates(connection, outbox, [_row("a")]) == []
    return engine, transport


def _statuses(engine):
    with engine.connect() as connection:
        return dict(connection.execute(select(outbox.c.key, outbox.c.status)).all())


def _landed(tmp_path):
    return len(list((tmp_path / "out" / "new").iterdir()))


def test_planned_rows_are_sent_once_and_recorded(tmp_path, store_url) -> None:
    engine, transport = _setup(tmp_path, store_url)
    assert drain(engine, transport, "bot@council.example", NOW).sent == 2
    assert drain(engine, transport, "bot@council.example", NOW).sent == 0
    assert _statuses(engine) == {"a": "sent", "b": "sent"}
    assert _landed(tmp_path) == 2


def test_a_crash_after_sending_but_before_recording_is_settled_without_a_resend(
    tmp_path, store_url
) -> None:
    engine, transport = _setup(tmp_path, store_url)
    # As if the process died after "a" went out and before the row said so.
    transport.send(OutgoingMail("a", "bot@council.example", ["x@y.z"], [], "s", "t", "h"), NOW)
    with engine.begin() as connection:
        connection.execute(update(outbox).values(status=Status.SENDING, claimed_at=NOW))
    # Within the lease another live sender may own the rows: leave them alone.
    assert drain(engine, transport, "bot@council.example", NOW + timedelta(minutes=1)).sent == 0
    later = NOW + timedelta(minutes=11)
    report = drain(engine, transport, "bot@council.example", later)
    assert (report.settled, report.sent) == (1, 1)
    assert _statuses(engine) == {"a": "sent", "b": "sent"}
    assert _landed(tmp_path) == 2


def test_every_message_carries_the_bot_headers(tmp_path) -> None:
    raw = mime_bytes(
        OutgoingMail(
            "reminder/2021-05/stage-2/sam@council.example",
            "bot@council.example",
            ["sam@council.example"],
            ["hana@council.example"],
            "Subject",
            "text",
            "<p>h</p>",
        ),
        NOW,
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["X-Audit-Bot-Key"] == "reminder/2021-05/stage-2/sam@council.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["Message-ID"].endswith("@council.example>")
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_a_leader_settles_a_dead_leaders_claims_at_once(tmp_path, store_url) -> None:
    engine, transport = _setup(tmp_path, store_url)
    with engine.begin() as connection:
        connection.execute(
            update(outbox).values(status=Status.SENDING, claimed_at=NOW, claimed_by="other-host:1")
        )
    # Another host's claim: without the leader lock it waits for the lease...
    assert drain(engine, transport, "bot@council.example", NOW).sent == 0
    # ...but the holder of the leader lock knows that sender is gone.
    assert drain(engine, transport, "bot@council.example", NOW, exclusive=True).sent == 2
    assert _landed(tmp_path) == 2
