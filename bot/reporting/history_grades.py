"""History months' completions sheets reduced to grade counts, for the digests and the month
report, each sheet parsed once: remembered in this process and in the store by content.

Each sheet is read and hashed (a millisecond or two), then looked for in the App's
``GradeSummaries``, then in the store (one query for every month), and only then parsed
(~25k rows a month for a big council). What had to be parsed is written to the store later, by
``store_parsed_grades``: never while gathering.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from bot.config import Settings
from bot.core.quality import MonthGrades, month_grades
from bot.core.records import Month
from bot.inputs import sheets
from bot.inputs.in_force import content_digest
from bot.store import grades as store

log = logging.getLogger(__name__)

Identity = tuple[str, str, Month]  # the sheet's sha256, the case ref pattern, the month


@dataclass
class _Known:
    summary: store.SheetGrades
    saved: bool  # in the store: read from it, or written since


class GradeSummaries:
    """The history months' grade counts this process has worked out, by sheet content. One
    per App, so it lives as long as the process; it keeps the most recently used months,
    four years of them (the digests look at twelve). Thread-safe: a digest preview and a
    tick may share it."""

    def __init__(self, size: int = 48) -> None:
        self._known: OrderedDict[Identity, _Known] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def recall(self, identity: Identity) -> MonthGrades | None:
        with self._lock:
            known = self._known.get(identity)
            if known is None:
                return None
            self._known.move_to_end(identity)
            return known.summary.grades

    def remember(self, summary: store.SheetGrades, saved: bool) -> None:
        identity = (summary.sheet_sha256, summary.case_ref_pattern, summary.grades.month)
        with self._lock:
            self._known[identity] = _Known(summary, saved)
            while len(self._known) > self._size:
                self._known.popitem(last=False)

    def unsaved(self) -> list[_Known]:
        with self._lock:
            return [known for known in self._known.values() if not known.saved]

    def mark_saved(self, known: list[_Known]) -> None:
        with self._lock:
            for each in known:
                each.saved = True


def history_grades(
    settings: Settings,
    connection: Connection,
    months: Iterable[Month],
    summaries: GradeSummaries,
) -> dict[Month, MonthGrades]:
    """Each month's completions sheet reduced to grade counts; a missing sheet counts empty.
    Reads the store through ``connection`` and never writes to it."""
    months = list(months)
    pattern = settings.case_ref_pattern
    found: dict[Month, MonthGrades] = {}
    unknown: dict[Month, tuple[Path, str]] = {}
    for month in months:
        path, _ = sheets.find_month_sheet(settings.completions, month)
        sha = content_digest(path) if path is not None else None
        known = summaries.recall((sha, pattern, month)) if sha is not None else None
        if known is not None:
            found[month] = known
        elif path is None or sha is None:
            found[month] = MonthGrades(month, sheet_found=False)
        else:
            unknown[month] = (path, sha)
    in_store = store.stored(connection, {m: sha for m, (_, sha) in unknown.items()}, pattern)
    for month, (path, sha) in unknown.items():
        grades = in_store.get(month)
        if grades is None:
            parsed = sheets.read_completions(path, settings.case_ref_regex)
            grades = month_grades(month, parsed.completions)
            if content_digest(path) != sha:
                # Saved over while it was read: the figures may not be those of ``sha``.
                found[month] = grades
                continue
        summaries.remember(store.SheetGrades(sha, pattern, grades), saved=month in in_store)
        found[month] = grades
    return {m: found[m] for m in months}


def store_parsed_grades(engine: Engine, summaries: GradeSummaries) -> int:
    """Store the summaries this process parsed and has not stored yet; how many it stored.

    Called by whoever owned the connection a digest was gathered on, once it is closed, and
    not by the gathering itself: on SQLite every transaction, a read too, begins IMMEDIATE
    and so holds the write lock, and a write beside an open read would wait 30 s and fail.
    A failed write is logged and changes nothing else: the digest is made from the parsed
    sheet either way, and the summaries are tried again next time."""
    unsaved = summaries.unsaved()
    if not unsaved:
        return 0
    try:
        with engine.begin() as connection:
            store.save(connection, [known.summary for known in unsaved])
    except Exception:  # a cache that could not be kept: never a reason for a digest to fail
        log.warning("could not store %d grade summaries", len(unsaved), exc_info=True)
        return 0
    summaries.mark_saved(unsaved)
    return len(unsaved)
