"""The migrations build exactly the schema the code declares, and tolerate a race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.store.db import open_engine
from bot.store.migrate import HEAD, MIGRATIONS, current_and_head
from bot.store.schema import metadata


def test_the_migrated_schema_matches_the_declared_one(store_url: str) -> None:
    engine = open_engine(store_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == [], "schema.py changed without a migration"
    current, head = current_and_head(engine)
    assert current == head


def test_two_instances_starting_together_both_come_up_migrated(pg_url: str) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        engines = list(pool.map(open_engine, [pg_url, pg_url]))
    for engine in engines:
        current, head = current_and_head(engine)
        assert current == head
        engine.dispose()


def test_the_head_the_code_knows_is_the_newest_migration() -> None:
    assert ScriptDirectory(str(MIGRATIONS)).get_current_head() == HEAD
