"""Opening the store: SQLite by default (owner-only file), PostgreSQL for several instances."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from bot.store.migrate import upgrade


def open_engine(url: str) -> Engine:
    """An engine for ``url`` with the schema in place."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, parsed.database)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    upgrade(engine)
    return engine


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        path = Path(database)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            # Owner-only from the first byte: the store holds who asked for what and why.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions: the driver would otherwise run
        # DDL outside any transaction, and a kill mid-migration would leave half a schema.
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten values are zeroed, not left in free space: retention
        # deletes what people wrote, and it must be gone from the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # BEGIN IMMEDIATE: take the write lock up front, so two processes never both read
        # and then fail to upgrade to writing halfway through a tick.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
