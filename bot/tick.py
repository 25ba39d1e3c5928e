"""One pass of the bot: read the inbox, plan what is due by ``now``, record it, send it.

This is the imperative shell around the pure planners. Plans and the state they reflect
are written in one transaction; only then does the outbox drain through the transport.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from bot.app import App
from bot.budget import Budget
from bot.core import actions as act
from bot.core import exemptions as ex
from bot.core import keys
from bot.core.cycle import Plan, is_due, plan_not_allocated, plan_reallocations
from bot.core.heads_up import heads_up_due, plan_heads_up
from bot.core.month_plan import plan_month
from bot.core.notices import failed_send_notices
from bot.core.plans import (
    ClosePlan,
    FinalPlan,
    LatePlan,
    MailPlan,
    OutcomePlan,
    Record,
    SkipPlan,
)
from bot.core.problems import plan_problem_report
from bot.core.records import Auditor, Completion, Month, Problem
from bot.faults import checkpoint
from bot.inbox import InboxReport, process_inbox
from bot.inputs.in_force import MonthSheets, read_month, roster_in_force
from bot.inputs.sheets import find_month_sheet
from bot.mail.message import new_message_id
from bot.moderation_job import run_moderation
from bot.month_facts import month_facts
from bot.outbox import DrainReport, drain
from bot.purge import PurgeReport, purge
from bot.question_follow_ups import follow_up_questions
from bot.reporting.digests import weekly_digests
from bot.reporting.history_grades import store_parsed_grades
from bot.reporting.teams_card import post_digest_card
from bot.store import child_actions, exemption_requests, repo
from bot.store.fit import fit
from bot.store.leader import leadership
from bot.store.schema import Status, outbox
from bot.store.trail import append_events

# What planning asks the shell to do: mail, records, and exemption requests moved on.
Planned = Plan | ex.Escalation | ex.Lapse


@dataclass
class TickReport:
    at: datetime
    planned: list[str] = field(default_factory=list)  # outbox keys written this tick
    skipped: list[str] = field(default_factory=list)
    closed: list[Month] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    inbox: InboxReport = field(default_factory=InboxReport)
    drained: DrainReport = field(default_factory=DrainReport)
    follower: bool = False  # another instance held the tick this time
    purged: PurgeReport | None = None  # the day's retention purge, when it ran


def tick(app: App, now: datetime) -> TickReport:
    """Do everything due at ``now`` (an aware datetime) and nothing else."""
    if now.tzinfo is None:
        raise ValueError("tick needs an aware datetime")
    local = now.astimezone(app.settings.tz)
    report = TickReport(at=local)
    with leadership(app.engine) as leader:
        if leader:
            _run(app, now, local, report)
        else:
            report.follower = True
    return report


def _run(app: App, now: datetime, local: datetime, report: TickReport) -> None:
    def record_mail(connection: Connection, plans: list[MailPlan]) -> None:
        _record(app, connection, list(plans), local, now, report)

    # However much mail waits, a tick ends in time for the next: what is left waits for it.
    budget = Budget.of(app.settings.schedule.tick_budget_seconds)
    # Replies first, so that a decision made this morning counts before reminders go.
    report.inbox = process_inbox(app, now, local, record_mail, budget)
    follow_up_questions(app, now, local, record_mail)
    with app.engine.begin() as connection:
        plans = _plan(app, connection, local, now, report)
        repo.record_tick(connection, now)
    # Nothing waits on the network while holding a transaction (on SQLite, the write lock).
    mailtips = _ask_mailtips(app, plans)
    with app.engine.begin() as connection:
        plans = _with_mailtips(connection, plans, mailtips, now)
        _record(app, connection, plans, local, now, report)
        checkpoint("tick.record")  # mid-transaction: all of it rolls back
    checkpoint("tick.planned")
    run_moderation(app, now, local, record_mail)
    _drain(app, now, budget, report)
    if app.settings.digest.enabled:
        # After the cycle's own mail has gone: a big council's digests take seconds to draw,
        # and allocations and reminders need not wait for them. A crash in between is caught
        # up by the next tick, as everything else is.
        _send_digests(app, now, local, budget, report)
    # Last: what people wrote and whose period is over goes (once a day).
    report.purged = purge(app, now)


def _send_digests(
    app: App, now: datetime, local: datetime, budget: Budget, report: TickReport
) -> None:
    with app.engine.connect() as reading:
        digests = weekly_digests(app, reading, now)
    # After the read is closed (on SQLite it holds the write lock): a sheet parsed for the
    # digests is kept as a small summary, so a fresh process need not parse it again.
    store_parsed_grades(app.engine, app.grade_summaries)
    if not digests:
        return
    with app.engine.begin() as connection:
        _record(app, connection, digests, local, now, report)
    _drain(app, now, budget, report)
    director = [
        d
        for d in digests
        if keys.parse(d.key).kind is keys.Kind.DIGEST_DIRECTOR and d.key in report.planned
    ]
    if director and app.settings.teams is not None:
        post_digest_card(app, director[0], now)


def _drain(app: App, now: datetime, budget: Budget, report: TickReport) -> None:
    # On PostgreSQL this tick holds the leader lock: no other sender can be alive.
    exclusive = app.engine.dialect.name == "postgresql"
    drained = drain(
        app.engine, app.transport, app.settings.mailbox, now, exclusive=exclusive, budget=budget
    )
    report.drained = report.drained.plus(drained)


def months_to_consider(connection: Connection, today: Month) -> list[Month]:
    """The current month, the one before, and any earlier month still open (downtime)."""
    earlier = {m for m in repo.open_months(connection) if m < today}
    return sorted(earlier | {today.previous(), today})


def _plan(
    app: App, connection: Connection, local: datetime, now: datetime, report: TickReport
) -> list[Planned]:
    settings = app.settings
    roster = roster_in_force(settings, connection, now, app.parsed_sheets)
    months = months_to_consider(connection, Month.of(local.date()))
    next_month = Month.of(local.date()).next()
    records = repo.load_records(connection, [*months, next_month])
    closed = repo.closed_months(connection, months)
    final = repo.final_months(connection, closed)
    problems: dict[str, list[Problem]] = {}
    if roster.problems:
        problems["roster"] = roster.problems
    plans: list[Planned] = []
    completed: dict[Month, dict[str, Completion]] = {}
    for month in months:
        sheets = read_month(settings, month, roster.auditors, app.parsed_sheets)
        _merge(problems, sheets)
        completed[month] = sheets.completions
        facts = month_facts(
            connection,
            month,
            sheets,
            roster.auditors,
            records,
            month in closed,
            month in final,
            settings.tz,
        )
        plans += plan_month(facts, local, app.rules)
        plans += plan_not_allocated(facts, local, app.rules)
        plans += plan_reallocations(facts, local, app.rules)
    plans += _child_actions(app, connection, roster.auditors, completed, records, local, now)
    if heads_up_due(next_month, local, app.rules):
        # Before next month starts: when its audits go out, and to ask now if exempt.
        exempted = exemption_requests.exempted(connection, next_month)
        plans += plan_heads_up(next_month, roster.auditors, records, exempted, local, app.rules)
    saved, clash = find_month_sheet(settings.allocations, next_month)
    if saved is not None or clash:
        # Next month's sheet, if already saved, is checked early so problems are fixed in time.
        _merge(problems, read_month(settings, next_month, roster.auditors, app.parsed_sheets))
    for source, found in sorted(problems.items()):
        report.problems += found
        kind = "roster" if source == "roster" else "sheet"
        named = [str(replace(p, file=settings.named(p.file))) for p in found]
        shown = source if source == "roster" else settings.named(source)
        plans += plan_problem_report(shown, named, records, app.rules, kind)
    if roster.to_confirm:
        report.problems += roster.to_confirm
        found_text = [str(replace(p, file=settings.named(p.file))) for p in roster.to_confirm]
        plans += plan_problem_report(
            "roster", found_text, records, app.rules, "roster", "roster_to_confirm"
        )
    plans += failed_send_notices(
        repo.failed_sends(connection), settings.qa_team.email, settings.council
    )
    waiting = exemption_requests.waiting_requests(connection, settings.tz)
    # A month made final now, or before: its undecided requests lapse, and are chased no more.
    final_now = {p.month for p in plans if isinstance(p, FinalPlan)}
    if waiting:  # most ticks: nothing waits, and nothing need be asked
        final_now |= repo.final_months(connection, {r.month for r in waiting})
    settled = frozenset(final_now)
    plans += ex.plan_lapses(waiting, settled, app.exemption_rules)
    if is_due(local.date(), local, settings.schedule.send_time):
        plans += ex.plan_timers(waiting, records, local.date(), app.exemption_rules, settled)
    return plans


def _child_actions(
    app: App,
    connection: Connection,
    roster: dict[str, Auditor],
    completed: dict[Month, dict[str, Completion]],
    records: dict[str, Record],
    local: datetime,
    now: datetime,
) -> list[MailPlan]:
    """Open an action for each audit that asks for one and is not yet known, then plan what
    is due for every action not done: told at once, chased, the director told."""
    rules = app.action_rules
    for month, completions in completed.items():
        wanted = act.needing_action(completions.values())
        if not wanted:
            continue
        known = child_actions.known_cases(connection, month)
        for completion in wanted:
            if completion.case_ref.upper() in known:
                continue
            token = child_actions.new_token(month)
            action = act.new_action(completion, month, token, roster, rules, local)
            if child_actions.open_action(connection, action):
                repo.add_event(
                    connection,
                    now,
                    "child_action_opened",
                    month=month,
                    subject=action.case_ref,
                    grade=action.grade_label,
                    concern=action.concern,
                    head=action.holder.head_email,
                    case_team=action.holder.case_team,
                )
    waiting = child_actions.all_actions(connection, open_only=True)
    older = {a.month for a in waiting} - set(completed)
    known_records = {**repo.load_records(connection, older), **records} if older else records
    scheduled = is_due(local.date(), local, app.settings.schedule.send_time)
    return act.plan_actions(waiting, known_records, local.date(), rules, scheduled)


def _reminded(plans: list[Planned]) -> dict[str, Month]:
    return {
        p.about: p.month
        for p in plans
        if isinstance(p, MailPlan) and p.template == "reminder" and p.about and p.month
    }


def _ask_mailtips(app: App, plans: list[Planned]) -> set[str] | Exception | None:
    """On reminder days, which auditors have automatic replies on (Graph's MailTips): the
    addresses, the error if asking failed, or None when there is nothing to ask."""
    ask = getattr(app.transport, "mailtips", None)
    reminded = _reminded(plans)
    if ask is None or not reminded:
        return None
    try:
        return {email for email, on in ask(sorted(reminded)).items() if on}
    except Exception as exc:  # MailTips is a courtesy: its failure changes nothing else
        return exc


def _with_mailtips(
    connection: Connection,
    plans: list[Planned],
    away: set[str] | Exception | None,
    now: datetime,
) -> list[Planned]:
    """Remember who is away and tell a copied Head of Service. Never holds any mail back."""
    if away is None:
        return plans
    if isinstance(away, Exception):
        repo.add_event(connection, now, "mailtips_failed", why=f"{type(away).__name__}: {away}")
        return plans
    reminded = _reminded(plans)
    for email in sorted(away & reminded.keys()):
        exemption_requests.add_note(
            connection,
            reminded[email],
            email,
            "out_of_office",
            now,
            "automatic replies on (MailTips)",
            None,
        )
    return [
        replace(p, context={**p.context, "out_of_office": True})
        if isinstance(p, MailPlan) and p.template == "reminder" and p.about in away
        else p
        for p in plans
    ]


def _merge(problems: dict[str, list[Problem]], sheets: MonthSheets) -> None:
    for source, found in sheets.problems.items():
        problems.setdefault(source, found)


def _record(
    app: App,
    connection: Connection,
    plans: list,
    local: datetime,
    now: datetime,
    report: TickReport,
) -> None:
    threads = {id(p): _auditor_thread(p) for p in plans if isinstance(p, MailPlan)}
    tokens = exemption_requests.auditor_tokens(connection, [t for t in threads.values() if t])
    mail: list[MailPlan | SkipPlan] = []
    for plan in plans:
        if isinstance(plan, MailPlan | SkipPlan):
            mail.append(plan)
        elif isinstance(plan, ClosePlan):
            if repo.record_close(connection, plan, now):
                close = "final" if plan.final else "provisional"
                repo.add_event(connection, now, "month_closed", month=plan.month, close=close)
                report.closed.append(plan.month)
        elif isinstance(plan, FinalPlan):
            if repo.record_final(connection, plan, now):
                repo.add_event(connection, now, "month_final", month=plan.month, why=plan.why)
        elif isinstance(plan, OutcomePlan):
            if repo.record_outcome(connection, plan):
                repo.add_event(
                    connection,
                    now,
                    "outcome_corrected" if plan.final else "outcome_updated",
                    month=plan.month,
                    subject=plan.email,
                    outcome=plan.outcome.value,
                    why=plan.why,
                )
        elif isinstance(plan, LatePlan):
            repo.record_late(connection, plan)
            repo.add_event(
                connection,
                now,
                "late_submission",
                month=plan.month,
                subject=plan.email,
                submitted_on=plan.submitted_on.isoformat(),
            )
        elif isinstance(plan, ex.Lapse):
            lapsed = plan.request
            expected = [ex.State.AWAITING_HEAD, ex.State.AWAITING_DIRECTOR]
            if exemption_requests.move_request(connection, lapsed, expected, now):
                repo.add_event(
                    connection, now, "request_lapsed", month=lapsed.month, subject=lapsed.ref
                )
        elif isinstance(plan, ex.Escalation):
            request = plan.request
            exemption_requests.move_request(connection, request, [ex.State.AWAITING_HEAD], now)
            repo.add_event(
                connection, now, "request_escalated", month=request.month, subject=request.ref
            )
    # Rendered and written a batch at a time, so an allocation day does not hold every
    # auditor's rendered mail at once; what the trail needs of each row is kept.
    new: set[str] = set()
    written: list[tuple[str, str, str | None, list[str], list[str], str | None, dict]] = []
    for start in range(0, len(mail), _RECORD_BATCH):
        rows = []
        for plan in mail[start : start + _RECORD_BATCH]:
            if isinstance(plan, MailPlan):
                reference = plan.reference
                if thread := threads[id(plan)]:
                    reference = tokens[thread]
                rows.append(_outbox_row(app, plan, reference, local, now))
            else:
                rows.append(_skip_row(plan, local, now))
        new.update(repo.record_outbox(connection, rows))
        written += [
            (r["key"], r["status"], r["month"], r["to_addrs"], r["cc_addrs"], r.get("about"),
             dict(r["detail"].get("reallocated_from") or {}) if r.get("detail") else {})
            for r in rows
        ]  # fmt: skip
    # Only rows that are really new reach the trail: another instance may have planned some.
    entries: list[tuple[str, str | None, str | None, dict[str, Any]]] = []
    for key, status, month, to_addrs, cc_addrs, about, moved in (w for w in written if w[0] in new):
        if status == Status.SKIPPED:
            report.skipped.append(key)
            entries.append(("reminder_skipped", month, key, {}))
        else:
            report.planned.append(key)
            entries.append(("mail_planned", month, key, {"to": to_addrs, "cc": cc_addrs}))
            for case, old in moved.items():
                entries.append(
                    ("case_reallocated", month, case, {"case": case, "from": old, "to": about})
                )
    append_events(connection, now, entries)


_RECORD_BATCH = 500


def _auditor_thread(plan: MailPlan) -> tuple[Month, str] | None:
    """The (month, auditor) whose reference token the mail carries, if it is theirs."""
    if not plan.auditor_thread:
        return None
    if plan.month is None or plan.about is None:
        raise ValueError(f"{plan.key}: an auditor's mail needs its month and auditor")
    return plan.month, plan.about


def _outbox_row(
    app: App, plan: MailPlan, reference: str | None, local: datetime, now: datetime
) -> dict:
    context = {**plan.context, "reference": reference, "today": local.date()}
    rendered = app.renderer.render(plan.template, context)
    checkpoint("render")
    return {
        **_row_base(plan.key, plan.template, plan.month, plan.about, plan.stage, local, now),
        "status": Status.PLANNED,
        "to_addrs": list(plan.to),
        "cc_addrs": list(plan.cc),
        "subject": rendered.subject,
        "body_text": rendered.text,
        "body_html": rendered.html,
        "detail": dict(plan.detail),
        "images": {cid: base64.b64encode(png).decode() for cid, png in plan.images.items()},
        "attachments": {
            name: base64.b64encode(data).decode() for name, data in plan.attachments.items()
        },
        "message_id": new_message_id(app.settings.mailbox),
        "thread": reference,
        "answers": fit(plan.answers, outbox.c.answers),
        "answers_thread": fit(plan.answers_thread, outbox.c.answers_thread),
    }


def _skip_row(plan: SkipPlan, local: datetime, now: datetime) -> dict:
    return {
        **_row_base(plan.key, "reminder", plan.month, plan.about, plan.stage, local, now),
        "status": Status.SKIPPED,
        "to_addrs": [],
        "cc_addrs": [],
        "subject": "",
        "body_text": "",
        "body_html": "",
        "detail": {},
        "images": {},
        "attachments": {},
        "message_id": None,
        "thread": None,
        "answers": None,
        "answers_thread": None,
    }


def _row_base(
    key: str,
    kind: str,
    month: Month | None,
    about: str | None,
    stage: int | None,
    local: datetime,
    now: datetime,
) -> dict:
    return {
        "key": fit(key, outbox.c.key),
        "kind": kind,
        "month": str(month) if month else None,
        "about": fit(about, outbox.c.about),
        "stage": stage,
        "planned_at": now,
        "planned_on": local.date(),
        "attempts": 0,
    }
