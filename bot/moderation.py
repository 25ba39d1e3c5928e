"""A month's moderation as it stands: what the store says was allocated, and what the
moderation sheet says has come back. Read by the tick's moderation job, the month report
and ``auditbot moderation``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection

from bot.config import Settings
from bot.core import moderation as mod
from bot.core.records import Month, Problem
from bot.inputs.in_force import ParsedSheets, read_month, roster_in_force
from bot.inputs.sheets import find_month_sheet, read_moderations
from bot.store import moderation as stored


def read_round(
    settings: Settings, connection: Connection, month: Month
) -> tuple[mod.Round | None, list[Problem]]:
    """The month's round with its returns, and the moderation sheet's problems; (None, [])
    when moderation has not started for the month."""
    round_ = stored.load_round(connection, month)
    if round_ is None:
        return None, []
    folder = settings.moderation_sheets
    if not folder.is_dir():
        return round_, []  # nothing has come back yet: the folder is made with the first sheet
    path, problems = find_month_sheet(folder, month)
    rows: list[mod.Moderated] = []
    if path is not None:
        rows, found = read_moderations(path, settings.case_ref_regex)
        problems += found
    returned, mismatched = mod.match_returns(round_.assignments, rows, month)
    return replace(round_, returned=returned), problems + mismatched


def in_time_audits(
    settings: Settings, connection: Connection, month: Month, now: datetime, parsed: ParsedSheets
) -> tuple[list[mod.Audit], list[mod.Moderator]]:
    """The month's audits submitted in time, as the completions sheet has them now, and the
    roster's moderators."""
    roster = roster_in_force(settings, connection, now, parsed, remember=False)
    sheets = read_month(settings, month, roster.auditors, parsed)
    audits = mod.audits_to_moderate(month, sheets.completions.values(), roster.auditors)
    return audits, mod.moderators(roster.auditors)
