"""The tick's moderation job: once a month is closed (or final, as configured), its audits
are allocated to moderators, each moderator is told and reminded, audits submitted in time
that a later completions export brings are added while moderation is open, and the month's
report is mailed when moderation is complete or on its due day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import Connection

from bot.app import App
from bot.core import moderation as mod
from bot.core.cycle import is_due
from bot.core.keys import problems_key, report_key
from bot.core.problems import plan_problem_report
from bot.core.records import Month
from bot.inbox import RecordMail
from bot.moderation import in_time_audits, read_round
from bot.reporting.report import report_mail
from bot.store import moderation as stored
from bot.store import repo


def run_moderation(app: App, now: datetime, local: datetime, record_mail: RecordMail) -> None:
    """Level-triggered: what is due by ``now`` and not yet recorded, at the send time of a
    working day. The allocation is stored once; mail and the report go once by their keys."""
    settings = app.settings
    today = local.date()
    if not is_due(today, local, settings.schedule.send_time):
        return
    rules = app.moderation_rules
    this_month = Month.of(today)
    reports: list[tuple[Month, str, mod.Round]] = []
    with app.engine.begin() as connection:
        recent = {m for m in stored.started_months(connection) if m >= this_month.plus(-3)}
        months = sorted(recent | {this_month.previous()})
        closed = repo.closed_months(connection, months)
        final = repo.final_months(connection, closed)
        for month in months:
            if month not in closed or (rules.starts == "final" and month not in final):
                continue
            due = stored.due_of(connection, month)
            if due is None:
                if not _start(app, connection, month, now, local):
                    continue
                due = stored.due_of(connection, month)
            else:
                _top_up(app, connection, month, now, today)
            sent = stored.mail_keys(connection, month)
            if report_key(month) in sent and due is not None and today > due:
                continue  # the month's moderation is over: its sheet need not be read again
            round_, problems = read_round(settings, connection, month)
            if round_ is None:
                continue
            plans = mod.plan_moderation(round_, sent, today, rules)
            if problems:
                source = settings.named(problems[0].file)
                shown = [str(replace(p, file=settings.named(p.file))) for p in problems]
                key = problems_key(source, shown)
                if not repo.recorded_keys(connection, [key]):  # this list told once only
                    plans += plan_problem_report(source, shown, {}, app.rules)
            record_mail(connection, plans)
            why = mod.report_due(round_, today)
            if why is not None and report_key(month) not in sent:
                reports.append((month, why, round_))
    for month, why, round_ in reports:
        # Made outside any transaction: drawing the report's charts takes a while.
        plan = report_mail(app, month, now, why, round_)
        with app.engine.begin() as connection:
            if report_key(month) in stored.mail_keys(connection, month):
                continue  # another process got there first
            repo.add_event(connection, now, "report_mailed", month=month, why=why)
            record_mail(connection, [plan])


def _start(app: App, connection: Connection, month: Month, now: datetime, local: datetime) -> bool:
    """Allocate the month's moderation; False when there is nothing to allocate (no
    moderator in the roster, or no audit submitted in time)."""
    audits, people = in_time_audits(app.settings, connection, month, now, app.parsed_sheets)
    if not people:
        return False
    rules = app.moderation_rules
    chosen = mod.sample(audits, month, rules.sample, rules.min_per_auditor)
    if not chosen:
        return False
    assignments = mod.allocate(chosen, people, month)
    started_on = local.date()
    due = mod.due_day(started_on, rules.due_working_days)
    if stored.save_round(connection, month, assignments, started_on, due, now):
        given = sum(1 for a in assignments if a.moderator is not None)
        repo.add_event(
            connection,
            now,
            "moderation_allocated",
            month=month,
            audits=len(assignments),
            allocated=given,
            moderators=len({a.moderator.email for a in assignments if a.moderator}),
            due=due.isoformat(),
        )
    return True


def _top_up(app: App, connection: Connection, month: Month, now: datetime, today: date) -> None:
    """While the month's moderation is open, add its audits submitted in time that a later
    completions export brought: the same sample and exclusions, spread counting what each
    moderator already has."""
    round_ = stored.load_round(connection, month)
    if round_ is None:
        return
    if not mod.open_for_top_up(round_, stored.mail_keys(connection, month), today):
        return
    audits, people = in_time_audits(app.settings, connection, month, now, app.parsed_sheets)
    if not people:
        return  # nobody to give them to: named as not moderated in ``auditbot moderation``
    rules = app.moderation_rules
    new = mod.top_up(round_.assignments, audits, people, month, rules.sample, rules.min_per_auditor)
    added = stored.add_to_round(connection, month, new, now)
    if added:
        repo.add_event(
            connection,
            now,
            "moderation_topped_up",
            month=month,
            audits=len(added),
            allocated=sum(1 for a in added if a.moderator is not None),
            moderators=len({a.moderator.email for a in added if a.moderator}),
        )
