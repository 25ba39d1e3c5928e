from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.world import World

PG_URL = os.environ.get("AUDITBOT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema in the local PostgreSQL, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'bot.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def world(tmp_path: Path, store_url: str) -> Iterator[World]:
    created = World.create(tmp_path / "council", store=store_url)
    yield created
    created.close()


# The fast layer: the pure core and the reply reader, with no store, files or maildirs.
FAST = (
    "tests/unit/core/",
    "tests/replies/",
    "tests/unit/test_calendar.py",
    "tests/unit/test_config.py",
    "tests/unit/test_message.py",
    "tests/unit/test_render.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix()
        if where.startswith(FAST):
            item.add_marker(pytest.mark.fast)
        if where.startswith("tests/faults/"):
            item.add_marker(pytest.mark.faults)
