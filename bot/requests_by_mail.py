"""Exemption requests that mail makes or changes outside the usual steps: an auditor's own
request recorded, a Head of Service's request on an auditor's behalf, more time given by the
QA team, and an approval that lands while a month's close is still provisional."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from bot.core import calendar as cal
from bot.core import exemptions as ex
from bot.core.inbound import Interpretation
from bot.core.plans import MailPlan, Outcome, OutcomePlan
from bot.core.records import Month
from bot.core.replies import Analysis
from bot.store import exemption_requests, repo

# A year back: the earlier requests shown beside a new one, and the months looked up to see
# whether their figures are final.
HISTORY_MONTHS = 12


def approved_after_close(
    connection: Connection, request: ex.Request, mails: list[MailPlan], now: datetime
) -> list[MailPlan]:
    """An approval for a month closed but still provisional (a final month's decision is
    refused before it gets here): a missed or late outcome becomes exempted, in the trail,
    and the auditor's mail says exactly what their outcome is now."""
    if request.month not in repo.closed_months(connection, [request.month]):
        return mails
    frozen = {o.email: o for o in repo.load_outcomes(connection, request.month)}
    before = frozen.get(request.auditor_email)
    if before is None:  # never issued an allocation: counted as exempted already
        return mails
    if before.outcome is Outcome.MISSED:
        why = "exemption approved while the close was provisional"
        plan = OutcomePlan(request.month, request.auditor_email, Outcome.EXEMPTED, why, False)
        if repo.record_outcome(connection, plan):
            repo.add_event(
                connection,
                now,
                "outcome_updated",
                month=request.month,
                subject=request.auditor_email,
                outcome=Outcome.EXEMPTED.value,
                why=why,
            )
    after_close = {"was": "late" if before.late_on else before.outcome.value}
    return [
        replace(m, context={**m.context, "after_close": after_close})
        if m.template == "exemption_outcome"
        else m
        for m in mails
    ]


def new_request(
    connection: Connection,
    meaning: Interpretation,
    analysis: Analysis,
    inbound_id: int,
    now: datetime,
    local: datetime,
    rules: ex.ExemptionRules,
) -> list[MailPlan]:
    """The request recorded; the auditor's acknowledgement and the Head of Service's copy."""
    request, history = _record_request(connection, meaning, analysis, inbound_id, now, local, rules)
    return ex.mails_for_new_request(request, history, rules)


def _record_request(
    connection: Connection,
    meaning: Interpretation,
    analysis: Analysis,
    inbound_id: int,
    now: datetime,
    local: datetime,
    rules: ex.ExemptionRules,
) -> tuple[ex.Request, list[dict[str, Any]]]:
    """A new request in the store, and the auditor's earlier requests of the last year."""
    auditor, month = meaning.auditor, meaning.month
    assert auditor is not None and month is not None
    issued = exemption_requests.allocation_issued_on(connection, month, auditor.email)
    draft = ex.Request(
        ref="",
        token="",
        month=month,
        auditor_email=auditor.email,
        auditor_name=auditor.name,
        team=auditor.team,
        head_email=auditor.head_of_service_email,
        head_name=auditor.head_of_service,
        reason=analysis.reason or ex.Reason.OTHER,
        words=analysis.body[:4000],
        requested_at=now,
        requested_on=local.date(),
        after_allocation=issued is not None or local.date() > cal.allocation_day(month),
        last_week=ex.is_last_week(month, local.date(), rules.last_week_working_days),
        cases=meaning.cases,
    )
    request = exemption_requests.create_request(connection, draft, inbound_id)
    since = Month.of(local.date()).plus(1 - HISTORY_MONTHS)
    history = [
        h
        for h in exemption_requests.history(connection, auditor.email, since)
        if h["ref"] != request.ref
    ]
    repo.add_event(
        connection,
        now,
        "request_received",
        month=month,
        subject=request.ref,
        reason=request.reason.value,
        **({"cases": list(request.cases)} if request.cases else {}),
    )
    return request, history


def qa_extension(
    connection: Connection,
    meaning: Interpretation,
    analysis: Analysis,
    inbound_id: int,
    now: datetime,
    local: datetime,
    rules: ex.ExemptionRules,
) -> list[MailPlan]:
    """More time from the QA team: kept as a request decided at once (extended), so that
    it counts, is reminded and is reported as the director's extensions are."""
    for earlier in exemption_requests.decided(connection, meaning.month or Month.of(local.date())):
        same = earlier.auditor_email == (meaning.auditor.email if meaning.auditor else None)
        if same and earlier.state is ex.State.EXTENDED and earlier.until == meaning.until:
            return []  # the same extension, given again (a reply-all, a copy)
    recorded = replace(meaning, cases=())
    request, _ = _record_request(
        connection,
        recorded,
        replace(analysis, reason=ex.Reason.OTHER),
        inbound_id,
        now,
        local,
        rules,
    )
    moved = replace(
        request,
        state=ex.State.EXTENDED,
        director_words=analysis.body[:4000],
        granted=meaning.cases or None,
        until=meaning.until,
    )
    exemption_requests.move_request(connection, moved, [ex.State.AWAITING_HEAD], now)
    repo.add_event(
        connection,
        now,
        "extension_granted",
        month=moved.month,
        subject=moved.ref,
        by=analysis.sender,
        until=moved.until.isoformat() if moved.until else None,
        cases=list(moved.decided_cases),
    )
    return ex.qa_extension(moved, rules)


def on_behalf(
    connection: Connection,
    meaning: Interpretation,
    analysis: Analysis,
    inbound_id: int,
    now: datetime,
    local: datetime,
    rules: ex.ExemptionRules,
) -> list[MailPlan]:
    """A Head of Service's request for one of their auditors: made with their support given,
    so it goes straight to the director; the auditor is told."""
    auditor = meaning.auditor
    assert auditor is not None
    reason = analysis.reading.reason if analysis.reading else None
    with_reason = replace(analysis, reason=reason or ex.Reason.OTHER)
    request, _ = _record_request(connection, meaning, with_reason, inbound_id, now, local, rules)
    step = ex.transition(request, "head_decision", True, analysis.body, rules)
    exemption_requests.move_request(connection, step.moved, step.expected, now)
    repo.add_event(
        connection, now, step.event, month=request.month, subject=request.ref, **step.detail
    )
    return [*step.mails, ex.mail_for_request_on_behalf(step.moved, rules)]
