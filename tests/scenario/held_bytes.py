"""Where a phrase is still held, byte for byte: the store's files and the mail folders (on
SQLite), or the store's columns that hold what people wrote (on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.store.schema import events, exemptions, inbound, notes, outbox
from tests.world import World


def found_in_files(world: World, phrase: str) -> list[str]:
    """Every file of the store and the mail folders holding ``phrase``, byte for byte."""
    needle = phrase.encode()
    places: list[Path] = [world.root / "mail"]
    url = make_url(world.store)
    if url.get_backend_name() == "sqlite":
        places.append(Path(str(url.database)).parent)
    hits = []
    for place in places:
        for path in place.rglob("*"):
            if path.is_file() and needle in path.read_bytes():
                hits.append(str(path.relative_to(world.root.parent)))
    return hits


def in_postgres(world: World, phrase: str) -> bool:
    """Whether a column that can hold what someone wrote still holds ``phrase``."""
    with world.open().engine.connect() as connection:
        rows = connection.execute(select(inbound.c.raw, inbound.c.subject)).all()
        words = connection.execute(
            select(exemptions.c.words, exemptions.c.head_words, exemptions.c.director_words)
        ).all()
        noted = connection.execute(select(notes.c.words)).all()
        sent = connection.execute(select(outbox.c.body_text, outbox.c.body_html)).all()
        trail = connection.execute(select(events.c.detail, events.c.subject)).all()
    text = repr(rows) + repr(words) + repr(noted) + repr(sent) + repr(trail)
    return phrase in text or phrase.encode() in b"".join(r.raw for r in rows)


def held(world: World, phrase: str) -> bool:
    return bool(found_in_files(world, phrase)) or in_postgres(world, phrase)
