"""Gathering a month's facts from the store and the sheets for `auditbot status`."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from bot.app import App
from bot.core.records import Month
from bot.core.status import auditor_states, close_state, totals
from bot.inputs.in_force import read_month, roster_in_force
from bot.month_facts import month_facts
from bot.store import repo


def month_status(app: App, month: Month, now: datetime) -> tuple[list[dict], dict[str, int]]:
    """Read-only: a look at the month changes nothing in the store."""
    states, totals, _ = month_status_and_close(app, month, now)
    return states, totals


def month_status_and_close(
    app: App, month: Month, now: datetime
) -> tuple[list[dict], dict[str, int], str]:
    """Each auditor's state, the totals, and where the month's close stands."""
    with app.engine.connect() as connection:
        roster = roster_in_force(app.settings, connection, now, app.parsed_sheets, remember=False)
        sheets = read_month(app.settings, month, roster.auditors, app.parsed_sheets)
        records = repo.load_records(connection, [month])
        closed = month in repo.closed_months(connection, [month])
        final = month in repo.final_months(connection, [month])
        facts = month_facts(
            connection, month, sheets, roster.auditors, records, closed, final, app.settings.tz
        )
        reminded = repo.sent_stage_by_auditor(connection, month)
    states = auditor_states(facts, reminded)
    return [asdict(s) for s in states], totals(states), close_state(facts)
