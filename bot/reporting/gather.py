"""Gathering what the digests and the month report show: one read of the store and the
sheets per digest, history months' grades from bot.reporting.history_grades."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from bot.app import App
from bot.core import digest_figures as core
from bot.core.digest_figures import HistoryInputs, MonthFacts, shows_closed_month
from bot.core.quality import full_months, month_grades
from bot.core.records import Auditor, Month
from bot.inputs.in_force import read_month, roster_in_force
from bot.month_facts import month_facts
from bot.reporting.history_grades import history_grades
from bot.store import child_actions, figures, repo, trail

# -- gathering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Gathered:
    local: datetime
    roster: dict[str, Auditor]
    current: MonthFacts
    history: HistoryInputs


def gather(
    app: App,
    connection: Connection,
    now: datetime,
    month: Month | None = None,
    *,
    as_of: bool = False,
) -> Gathered:
    """Everything a digest (or the report for ``month``) looks at, read once: the roster in
    force, the month's sheets, one query per table, and each history month's grades (kept
    in the store by sheet content: a sheet is parsed once until it changes). Only reads:
    ``bot.reporting.history_grades.store_parsed_grades`` keeps what had to be parsed, afterwards.

    ``as_of`` (``auditbot digest --at``, looking back): the month's figures as they were at
    ``now`` for what is dated: completions submitted by then, exemptions approved by then,
    the close only if it had happened by then, and the trail up to then."""
    if now.tzinfo is None:
        raise ValueError("the digest needs an aware datetime")
    settings = app.settings
    local = now.astimezone(settings.tz)
    month = month or Month.of(local.date())
    roster = roster_in_force(settings, connection, now, app.parsed_sheets, remember=False).auditors
    sheets = read_month(settings, month, roster, app.parsed_sheets)
    records = repo.load_records(connection, [month])
    closed_at, final_at = repo.close_times(connection, month)
    until = now if as_of else None
    if until is not None:
        day = local.date()
        done = {k: c for k, c in sheets.completions.items() if c.submitted_on <= day}
        sheets = replace(sheets, completions=done)
        closed_at = closed_at if closed_at is not None and closed_at <= until else None
        final_at = final_at if final_at is not None and final_at <= until else None
    closed, final = closed_at is not None, final_at is not None
    current = month_facts(
        connection, month, sheets, roster, records, closed, final, settings.tz, until
    )
    first = month.plus(1 - core.TREND_MONTHS)
    grades = history_grades(
        settings, connection, full_months(month, core.TREND_MONTHS), app.grade_summaries
    )
    if current.closed or month < Month.of(local.date()):
        grades[month] = month_grades(month, current.completions.values())
    just_closed = None
    weekday = settings.digest.weekday
    if shows_closed_month(local.date(), month, weekday) and month == Month.of(local.date()):
        last = month.previous()
        if last in repo.closed_months(connection, [last]):
            last_sheets = read_month(settings, last, roster, app.parsed_sheets)
            last_records = repo.load_records(connection, [last])
            last_final = last in repo.final_months(connection, [last])
            just_closed = month_facts(
                connection, last, last_sheets, roster, last_records, True, last_final, settings.tz
            )
    trail_event, trail_head = trail.head(connection, until)
    actions = [
        a
        for a in child_actions.all_actions(connection, open_only=True)
        if until is None or a.opened_at <= until
    ]
    history = HistoryInputs(
        outcome_counts=figures.outcome_counts(connection, first, month),
        requests=figures.digest_requests(connection, first, local),
        notes=figures.month_notes(connection, month, settings),
        grades=grades,
        last_month_heads=figures.heads_of(connection, month.previous(), roster),
        director=settings.director.name,
        trail_head=trail_head,
        trail_event=trail_event,
        closed=just_closed,
        actions=tuple(actions),
    )
    return Gathered(local, roster, current, history)
