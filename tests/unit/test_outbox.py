"""The keyed outbox: exactly once through crashes between send and record."""

import email
import email.policy
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.budget import Budget
from bot.mail.local import LocalTransport
from bot.mail.message import OutgoingMail, mime_bytes, new_message_id
from bot.outbox import MAX_ATTEMPTS, drain, retry_delay
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
        "message_id": f"<{key}.test@council.example>",
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
    transport.send(
        OutgoingMail("a", "bot@council.example", ["x@y.z"], [], "s", "t", "h", "<a@x.y>"), NOW
    )
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
            new_message_id("bot@council.example"),
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


class _Refusing:
    """A transport whose server refuses every message, for a reason that may or may not
    change: the outbox must neither give up too soon nor try for ever."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.tries = 0

    def send(self, mail, now) -> None:
        self.tries += 1
        raise self.error

    def was_sent(self, key: str) -> bool:
        return False


def _rows(engine) -> dict[str, dict]:
    with engine.connect() as connection:
        return {r.key: dict(r._mapping) for r in connection.execute(select(outbox))}


def test_a_send_refused_for_good_is_marked_failed_with_its_reason_and_never_retried(
    tmp_path, store_url
) -> None:
    engine, _ = _setup(tmp_path, store_url)
    transport = _Refusing(ValueError("not a plain address: 'x'"))
    report = drain(engine, transport, "bot@council.example", NOW)
    assert (report.failed, report.given_up, transport.tries) == (2, 2, 2)
    rows = _rows(engine)
    assert {r["status"] for r in rows.values()} == {"failed"}
    assert rows["a"]["last_error"] == "ValueError: not a plain address: 'x'"
    drain(engine, transport, "bot@council.example", NOW + timedelta(days=30))
    assert transport.tries == 2


def test_a_failing_send_backs_off_and_is_given_up_after_bounded_attempts(
    tmp_path, store_url
) -> None:
    engine, _ = _setup(tmp_path, store_url)
    transport = _Refusing(ConnectionError("connection reset"))
    # Each row is tried once a tick however often the tick loops: no tight retry loop.
    assert drain(engine, transport, "bot@council.example", NOW).failed == 2
    assert transport.tries == 2
    assert _statuses(engine) == {"a": "planned", "b": "planned"}
    # Not due again until its delay has passed...
    drain(engine, transport, "bot@council.example", NOW + retry_delay(1) - timedelta(seconds=1))
    assert transport.tries == 2
    # ...and the delays grow until the row is given up.
    when, attempts = NOW, 1
    while _statuses(engine)["a"] == "planned":
        when += retry_delay(attempts)
        drain(engine, transport, "bot@council.example", when)
        attempts += 1
    assert attempts == MAX_ATTEMPTS
    assert retry_delay(2) > retry_delay(1)
    assert _rows(engine)["a"]["last_error"] == "ConnectionError: connection reset"
    assert transport.tries == 2 * MAX_ATTEMPTS


def test_a_spent_budget_sends_nothing_more_and_loses_nothing(tmp_path, store_url) -> None:
    engine, transport = _setup(tmp_path, store_url)
    report = drain(engine, transport, "bot@council.example", NOW, budget=Budget(0.0))
    assert (report.sent, report.out_of_time) == (0, True)
    assert _statuses(engine) == {"a": "planned", "b": "planned"}
    assert drain(engine, transport, "bot@council.example", NOW).sent == 2
