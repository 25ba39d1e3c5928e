"""`auditbot check`: every input the bot reads, validated without acting on any."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings
from bot.core.records import Month, Problem
from bot.inputs import sheets

_SHEET_NAME = re.compile(r"(\d{4}-\d{2})\.(csv|xlsx)")


def roster_to_confirm(settings: Settings) -> list[Problem]:
    """Roster entries that may be slips (a Head of Service's address typed two ways, or
    under two names): not errors, the roster stays in force, but a person should look."""
    confirmed = frozenset(settings.confirmed_heads_of_service)
    return sheets.read_roster(settings.roster, confirmed).to_confirm


def check_inputs(settings: Settings) -> list[Problem]:
    roster = sheets.read_roster(settings.roster)
    problems = list(roster.problems)
    for folder, kind in (
        (settings.allocations, "allocations"),
        (settings.completions, "completions"),
    ):
        if not folder.is_dir():
            problems.append(Problem(str(folder), f"the {kind} folder does not exist"))
            continue
        for month in _months_in(folder, problems):
            path, found = sheets.find_month_sheet(folder, month)
            problems += found
            if path is None:
                continue
            if kind == "allocations":
                problems += sheets.read_allocations(
                    path,
                    roster.auditors,
                    settings.case_ref_regex,
                    roster_complete=not roster.problems,
                ).problems
            else:
                problems += sheets.read_completions(path, settings.case_ref_regex).problems
    return problems


def _months_in(folder: Path, problems: list[Problem]) -> list[Month]:
    months: set[Month] = set()
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")):  # hidden files and Excel's lock files
            continue
        match = _SHEET_NAME.fullmatch(path.name)
        try:
            if match:
                months.add(Month.parse(match.group(1)))
        except ValueError:
            match = None
        if match is None:
            problems.append(
                Problem(str(path), "not a sheet name the bot reads (expected like 2021-05.csv)")
            )
    return sorted(months)
