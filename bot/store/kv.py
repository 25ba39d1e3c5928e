"""A small string map in the store for what a transport keeps between ticks."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from sqlalchemy import Engine, delete, select

from bot.store.repo import insert_ignoring_duplicates
from bot.store.schema import transport_state


class StoreState(MutableMapping[str, str]):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __getitem__(self, key: str) -> str:
        with self.engine.connect() as connection:
            value = connection.scalar(
                select(transport_state.c.value).where(transport_state.c.key == key)
            )
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(transport_state).where(transport_state.c.key == key))
            insert_ignoring_duplicates(connection, transport_state, [{"key": key, "value": value}])

    def __delitem__(self, key: str) -> None:
        with self.engine.begin() as connection:
            if not connection.execute(
                delete(transport_state).where(transport_state.c.key == key)
            ).rowcount:
                raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        with self.engine.connect() as connection:
            return iter(list(connection.scalars(select(transport_state.c.key))))

    def __len__(self) -> int:
        return sum(1 for _ in self)
