"""Schema migrations (Alembic), safe when several instances start at once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from bot.faults import checkpoint
from bot.store import locks
from bot.store.locks import advisory

if TYPE_CHECKING:  # Alembic is imported only when a migration is due
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest revision; a test keeps it equal to the migrations folder's head. Knowing it
# lets a tick skip importing Alembic when the store is already up to date.
HEAD = "0011"


def _config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision. Two instances starting together take turns:
    the second finds nothing left to do."""
    if _stored_revision(engine) == HEAD:
        return
    from alembic import command

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(advisory("pg_advisory_xact_lock"), {"id": locks.MIGRATION})
        command.upgrade(_config(connection), "head")
        checkpoint("migration")  # inside the transaction: a kill here undoes the migration


def _stored_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def current_and_head(engine: Engine) -> tuple[str | None, str]:
    """The store's revision and the newest this code knows, for `auditbot doctor`."""
    return _stored_revision(engine), HEAD
