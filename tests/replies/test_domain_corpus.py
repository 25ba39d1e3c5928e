"""The labelled domain replies, quoted as three clients quote them: the reader's promises.

The figures themselves are the benchmark's (python -m benchmarks replies); these are the
lines that must never be crossed: no dangerous reading, every unclear label asked about.
"""

from __future__ import annotations

import pytest

from benchmarks.replies import CLIENTS, DOMAIN, FRESH, Item, dangerous, load, message, staff
from bot.core.replies import Intent, analyse
from tests.replies.messages import TODAY

CLIENT_NAMES = ("outlook", "iphone", "android")


def _items() -> list[Item]:
    items = [item for path in FRESH for item in load(path)]
    if DOMAIN.is_file():  # the shared corpus sits next to a clone, as in CI
        items += load(DOMAIN)
    return items


ITEMS = _items()
STAFF = staff()


def _read(item: Item, client: str) -> Intent:
    reading = analyse(message(item, CLIENTS[client]), today=TODAY, role=item.role, staff=STAFF)
    assert reading.reading is not None
    return reading.reading.intent


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_no_reading_acts_where_the_label_does_not(client: str) -> None:
    wrong = [
        (item.id, item.intent, read)
        for item in ITEMS
        if dangerous(item.intent, read := _read(item, client))
    ]

    assert wrong == []


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_most_replies_are_read_as_labelled(client: str) -> None:
    right = sum(_read(item, client) is item.intent for item in ITEMS)

    assert right / len(ITEMS) >= 0.97


def test_every_unclear_label_in_the_corpus_is_asked_about() -> None:
    if not DOMAIN.is_file():
        pytest.skip("the shared corpus is not next to this clone")
    unanswered = [
        item.id
        for item in load(DOMAIN)
        if item.intent is Intent.UNCLEAR
        and _read(item, "outlook") not in (Intent.UNCLEAR, Intent.QUESTION)
    ]

    assert unanswered == []


def test_labelled_childrens_names_are_masked() -> None:
    missed = []
    for item in ITEMS:
        raw = message(item, CLIENTS["outlook"])
        reading = analyse(raw, today=TODAY, role=item.role, staff=STAFF).reading
        assert reading is not None
        missed += [span for span in item.spans if span in reading.masked]

    assert missed == []
