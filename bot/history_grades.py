"""History months' completions sheets reduced to grade counts, for the digests and the month
report, each sheet parsed once: remembered in this process by file, in the store by content.

Looked for in that order: this process's memo (path, mtime and size: nothing read), then the
store (the sheet's sha256: the file read and hashed, one query for every month), and only
then the sheet itself, parsed (~25k rows a month for a big council). What had to be parsed
is written to the store later, by ``store_parsed_grades``: never while gathering.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from bot import sheets
from bot.config import Settings
from bot.core.quality import MonthGrades, month_grades
from bot.core.records import Month
from bot.store import grades as store

log = logging.getLogger(__name__)

Identity = tuple[str, int, int, str, Month]  # path, mtime_ns, size, case ref pattern, month


@dataclass(frozen=True)
class _Sheet:
    path: Path
    identity: Identity


@dataclass
class _Known:
    summary: store.SheetGrades
    saved: bool  # in the store: read from it, or written since


_MEMO: OrderedDict[Identity, _Known] = OrderedDict()
_MEMO_SIZE = 48  # four years of months: the digests look at twelve
_LOCK = threading.Lock()


def history_grades(
    settings: Settings, connection: Connection, months: Iterable[Month]
) -> dict[Month, MonthGrades]:
    """Each month's completions sheet reduced to grade counts; a missing sheet counts empty.
    Reads the store through ``connection`` and never writes to it."""
    months = list(months)
    found: dict[Month, MonthGrades] = {}
    unknown: dict[Month, tuple[_Sheet, str]] = {}
    for month in months:
        sheet = _locate(settings, month)
        known = _recall(sheet.identity) if sheet is not None else None
        sha = _sha256(sheet.path) if sheet is not None and known is None else None
        if known is not None:
            found[month] = known
        elif sheet is None or sha is None:
            found[month] = MonthGrades(month, sheet_found=False)
        else:
            unknown[month] = (sheet, sha)
    pattern = settings.case_ref_pattern
    in_store = store.stored(connection, {m: sha for m, (_, sha) in unknown.items()}, pattern)
    for month, (sheet, sha) in unknown.items():
        grades = in_store.get(month)
        if grades is None:
            parsed = sheets.read_completions(sheet.path, settings.case_ref_regex)
            grades = month_grades(month, parsed.completions)
        _remember(sheet, store.SheetGrades(sha, pattern, grades), saved=month in in_store)
        found[month] = grades
    return {m: found[m] for m in months}


def store_parsed_grades(engine: Engine) -> int:
    """Store the summaries this process parsed and has not stored yet; how many it stored.

    Called by whoever owned the connection a digest was gathered on, once it is closed, and
    not by the gathering itself: on SQLite every transaction, a read too, begins IMMEDIATE
    and so holds the write lock, and a write beside an open read would wait 30 s and fail.
    A failed write is logged and changes nothing else: the digest is made from the parsed
    sheet either way, and the summaries are tried again next time."""
    with _LOCK:
        unsaved = [known for known in _MEMO.values() if not known.saved]
    if not unsaved:
        return 0
    try:
        with engine.begin() as connection:
            store.save(connection, [known.summary for known in unsaved])
    except Exception:  # a cache that could not be kept: never a reason for a digest to fail
        log.warning("could not store %d grade summaries", len(unsaved), exc_info=True)
        return 0
    with _LOCK:
        for known in unsaved:
            known.saved = True
    return len(unsaved)


def _locate(settings: Settings, month: Month) -> _Sheet | None:
    path, _ = sheets.find_month_sheet(settings.completions, month)
    if path is None:
        return None
    identity = _identity(path, settings.case_ref_pattern, month)
    return _Sheet(path, identity) if identity is not None else None


def _identity(path: Path, pattern: str, month: Month) -> Identity | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size, pattern, month)


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _recall(identity: Identity) -> MonthGrades | None:
    with _LOCK:
        known = _MEMO.get(identity)
        if known is None:
            return None
        _MEMO.move_to_end(identity)
        return known.summary.grades


def _remember(sheet: _Sheet, summary: store.SheetGrades, saved: bool) -> None:
    """Keep the summary only if the file is as it was before it was hashed and read: one
    saved over while being read would otherwise tie the new hash to the old figures."""
    month = summary.grades.month
    if _identity(sheet.path, summary.case_ref_pattern, month) != sheet.identity:
        return
    with _LOCK:
        _MEMO[sheet.identity] = _Known(summary, saved)
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
