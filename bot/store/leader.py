"""One instance at a time runs a tick. Correctness never rests on this lock (unique keys
and conditional updates do that); it only stops two instances doing the same work.

Every advisory lock the bot takes is keyed by the schema too, so deployments that share a
PostgreSQL database in separate schemas never wait on each other."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from bot.store import locks
from bot.store.locks import advisory


@contextmanager
def leadership(engine: Engine, wait_seconds: float = 10) -> Iterator[bool]:
    """True if this instance may tick now. On PostgreSQL a session advisory lock: if the
    leader dies, its connection closes, the lock goes with it, and the standby takes over.
    It waits a little for the lock: a leader killed a moment ago may not yet have been
    noticed by the server. SQLite serialises writers itself, so every instance may try."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        connection.execute(text(f"SET lock_timeout = '{int(wait_seconds * 1000)}ms'"))
        try:
            connection.execute(advisory("pg_advisory_lock"), {"id": locks.TICK})
            held = True
        except OperationalError:  # lock_timeout: another instance is mid-tick
            connection.rollback()
            held = False
        connection.execute(text("SET lock_timeout = 0"))
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(advisory("pg_advisory_unlock"), {"id": locks.TICK})
                connection.commit()
