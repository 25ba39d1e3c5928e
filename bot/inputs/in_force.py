"""Reading the QA team's spreadsheets for a tick: the roster in force and each month's sheets."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection

from bot.config import Settings
from bot.core.records import Allocation, Auditor, Completion, Month, Problem, Role
from bot.inputs import sheets
from bot.store import repo

T = TypeVar("T")


def content_digest(path: Path) -> str | None:
    """The sha256 of a sheet's bytes; None if it cannot be read. The content, not the
    modification time: two saves within the file system's clock resolution must not look
    alike. Hashing is a millisecond; parsing is a tenth of a second."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class ParsedSheets:
    """The sheets this process has parsed, by content: ticks come every few minutes, sheets
    change a few times a month, so a sheet is parsed again only when its bytes (or what it
    is checked against) change. One per App, so it lives as long as the process; it holds
    at most ``limit`` sheets and starts again empty when full."""

    def __init__(self, limit: int = 64) -> None:
        self._parsed: dict[tuple[str, str, str, object], object] = {}
        self._limit = limit
        self._roster: tuple[Mapping[str, Auditor], str] | None = None

    def roster_version(self, roster: Mapping[str, Auditor]) -> str:
        """A digest of ``roster``'s content, for the key of a sheet checked against it. Worked
        out once for each roster handed in (the same one tick after tick while the roster file
        is unchanged), so a lookup compares a short string, not every auditor."""
        if self._roster is None or self._roster[0] is not roster:
            content = repr(sorted(roster.items())).encode()
            self._roster = (roster, hashlib.sha256(content).hexdigest())
        return self._roster[1]

    def get(
        self, kind: str, path: Path, extra: object, read: Callable[[], T]
    ) -> tuple[T, str | None]:
        """The sheet ``read`` parses, and the digest of the bytes it was read from. A file
        that cannot be read is always read again, so its problem is reported as usual."""
        digest = content_digest(path)
        if digest is None:
            return read(), None
        key = (kind, str(path), digest, extra)
        if key not in self._parsed:
            if len(self._parsed) >= self._limit:
                self._parsed.clear()
            self._parsed[key] = read()
        return self._parsed[key], digest  # type: ignore[return-value]


def read_roster(settings: Settings, parsed: ParsedSheets) -> tuple[sheets.RosterSheet, str | None]:
    """The roster sheet, and the digest of the bytes it was read from."""
    confirmed = frozenset(settings.confirmed_heads_of_service)
    return parsed.get(
        "roster",
        settings.roster,
        tuple(sorted(confirmed)),
        lambda: sheets.read_roster(settings.roster, confirmed),
    )


@dataclass(frozen=True)
class RosterInForce:
    auditors: dict[str, Auditor]
    problems: list[Problem]
    fallback: bool  # the file had problems and the last good roster is used instead
    to_confirm: list[Problem] = field(default_factory=list)  # in the file, whichever is used


def roster_in_force(
    settings: Settings,
    connection: Connection,
    now: datetime,
    parsed: ParsedSheets,
    *,
    remember: bool = True,
) -> RosterInForce:
    """The roster file if it is clean, else the last clean roster the store remembers.
    With ``remember`` a clean roster that changed is stored as the new last good one."""
    sheet, digest = read_roster(settings, parsed)
    if not sheet.problems and not remember:
        return RosterInForce(sheet.auditors, [], False, sheet.to_confirm)
    if not sheet.problems and digest is not None:
        # The file's own bytes identify the version.
        if repo.latest_roster_digest(connection) != digest:
            rows = [_auditor_row(a) for a in sheet.auditors.values()]
            repo.save_roster(connection, digest, rows, now)
            repo.add_event(connection, now, "roster_loaded", auditors=len(rows), digest=digest)
        return RosterInForce(sheet.auditors, [], False, sheet.to_confirm)
    stored = repo.latest_roster(connection)
    if stored is None:
        # Nothing better to fall back on: the clean rows of the file are all there is.
        return RosterInForce(sheet.auditors, sheet.problems, False, sheet.to_confirm)
    auditors = {row["email"]: _auditor_from_row(row) for row in stored[1]}
    return RosterInForce(auditors, sheet.problems, True, sheet.to_confirm)


def _auditor_row(auditor: Auditor) -> dict[str, object]:
    # Field by field: dataclasses.asdict deep-copies, a fifth of a second for 10,000 rows.
    row = {f.name: getattr(auditor, f.name) for f in _AUDITOR_FIELDS}
    return row | {"role": auditor.role.value}


_AUDITOR_FIELDS = fields(Auditor)


def auditors_from_rows(rows: list[dict]) -> dict[str, Auditor]:
    """A roster version as the store keeps it, by address."""
    return {row["email"]: _auditor_from_row(row) for row in rows}


def _auditor_from_row(row: dict) -> Auditor:
    return Auditor(**{**row, "role": Role(row["role"])})


@dataclass(frozen=True)
class MonthSheets:
    month: Month
    sheet_found: bool
    allocations: dict[str, tuple[Allocation, ...]]
    held_back: frozenset[str]
    completions: dict[str, Completion]
    problems: dict[str, list[Problem]] = field(default_factory=dict)  # by file
    # When the completions sheet was last modified (aware, UTC), if there is one: an export
    # modified after the deadline covers it.
    completions_modified: datetime | None = None


def read_month(
    settings: Settings, month: Month, roster: dict[str, Auditor], parsed: ParsedSheets
) -> MonthSheets:
    problems: dict[str, list[Problem]] = {}
    pattern = settings.case_ref_regex
    path, found_problems = sheets.find_month_sheet(settings.allocations, month)
    _collect(problems, found_problems)
    allocations: dict[str, tuple[Allocation, ...]] = {}
    held_back: frozenset[str] = frozenset()
    if path is not None:
        # Grouped by auditor and keyed upper-case once per parse, not at every tick: the
        # mappings are shared by the ticks that read the same sheet, which only read them.
        (allocation_sheet, allocations), _ = parsed.get(
            "allocations",
            path,
            (pattern.pattern, parsed.roster_version(roster)),
            lambda: _by_auditor(sheets.read_allocations(path, roster, pattern)),
        )
        _collect(problems, allocation_sheet.problems)
        held_back = allocation_sheet.held_back
    completions: dict[str, Completion] = {}
    modified: datetime | None = None
    done_path, done_problems = sheets.find_month_sheet(settings.completions, month)
    _collect(problems, done_problems)
    if done_path is not None:
        (completion_sheet, completions), _ = parsed.get(
            "completions",
            done_path,
            pattern.pattern,
            lambda: _by_reference(sheets.read_completions(done_path, pattern)),
        )
        _collect(problems, completion_sheet.problems)
        modified = _modified(done_path)
    return MonthSheets(
        month=month,
        sheet_found=path is not None,
        allocations=allocations,
        held_back=held_back,
        completions=completions,
        problems=problems,
        completions_modified=modified,
    )


def _modified(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def _by_auditor(
    sheet: sheets.AllocationSheet,
) -> tuple[sheets.AllocationSheet, dict[str, tuple[Allocation, ...]]]:
    by_auditor: dict[str, list[Allocation]] = {}
    for allocation in sheet.allocations:
        by_auditor.setdefault(allocation.auditor_email, []).append(allocation)
    return sheet, {email: tuple(rows) for email, rows in by_auditor.items()}


def _by_reference(
    sheet: sheets.CompletionSheet,
) -> tuple[sheets.CompletionSheet, dict[str, Completion]]:
    # Keyed upper-case: the audit tool and the QA team may not type references alike.
    return sheet, {c.case_ref.upper(): c for c in sheet.completions}


def _collect(into: dict[str, list[Problem]], problems: list[Problem]) -> None:
    for problem in problems:
        into.setdefault(problem.file, []).append(problem)
