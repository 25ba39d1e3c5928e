"""Reading the inbox: store each message raw, decide what it means, act, then file it.

The raw message is committed before anything is acted on. The action, its mail and the
message's new status commit together; only then is the message moved to Processed or
Quarantine. A crash anywhere leaves the message in the inbox or its row in ``received``,
and the next tick picks it up again without acting twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from bot.app import App
from bot.core import calendar as cal
from bot.core import exemptions as ex
from bot.core.inbound import Action, Interpretation, Parties, interpret
from bot.core.notices import notices_for
from bot.core.plans import MailPlan
from bot.core.records import Month
from bot.core.replies import Analysis, analyse
from bot.faults import checkpoint
from bot.inputs import roster_in_force
from bot.mail.transport import Folder, InboundItem
from bot.store import repo
from bot.store import requests as store
from bot.store.schema import inbound

HISTORY_MONTHS = 12


@dataclass
class InboxReport:
    processed: int = 0
    quarantined: int = 0
    actions: list[str] = field(default_factory=list)  # "action: why" per message


def process_inbox(app: App, now: datetime, local: datetime, record_mail: Any) -> InboxReport:
    """``record_mail(connection, plans)`` renders and writes mail plans into the outbox."""
    report = InboxReport()
    items = app.transport.fetch_new()
    if not items:
        return report
    with app.engine.begin() as connection:
        parties = _parties(app, connection, now)  # once per tick, not once per message
    for item in items:
        folder = _handle(app, parties, item, now, local, record_mail, report)
        checkpoint("inbox.acted")  # acted on and committed, not yet filed away
        app.transport.move(item.id, folder)
    return report


def _message_key(analysis: Analysis, raw: bytes) -> str:
    if analysis.message_id and len(analysis.message_id) < 250:
        return analysis.message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _handle(
    app: App,
    parties: Parties,
    item: InboundItem,
    now: datetime,
    local: datetime,
    record_mail: Any,
    report: InboxReport,
) -> Folder:
    analysis = analyse(item.raw, today=local.date())
    key = _message_key(analysis, item.raw)
    with app.engine.begin() as connection:
        stored = repo.insert_ignoring_duplicates(
            connection,
            inbound,
            [
                {
                    "message_key": key,
                    "received_at": now,
                    "sender": analysis.sender,
                    "subject": analysis.subject[:1000],
                    "raw": item.raw,
                    "status": "received",
                    "kind": analysis.kind.value,
                    "intent": analysis.intent.value if analysis.intent else None,
                }
            ],
        )
        if stored:
            repo.add_event(connection, now, "mail_received", subject=key, sender=analysis.sender)
    checkpoint("inbox.stored")
    with app.engine.begin() as connection:
        row = connection.execute(
            select(inbound.c.id, inbound.c.status).where(inbound.c.message_key == key)
        ).one()
        # Claim it: "0 rows" means it was acted on already (delivered twice, moved before a
        # crash, or another instance has it). The row lock is held until this commits.
        claimed = connection.execute(
            update(inbound)
            .where(inbound.c.id == row.id, inbound.c.status == "received")
            .values(status="acting")
        ).rowcount
        if not claimed:
            return "Quarantine" if row.status == "quarantined" else "Processed"
        inbound_id = row.id
        meaning = _interpret(connection, parties, analysis, local)
        message_ref = hashlib.sha256(key.encode()).hexdigest()[:16]
        quarantined = _act(
            app, connection, meaning, analysis, (inbound_id, message_ref), now, local, record_mail
        )
        status = "quarantined" if quarantined else "processed"
        connection.execute(
            update(inbound)
            .where(inbound.c.id == inbound_id)
            .values(status=status, verdict=f"{meaning.action}: {meaning.why}", processed_at=now)
        )
        repo.add_event(
            connection,
            now,
            f"mail_{status}",
            subject=key,
            action=meaning.action.value,
            why=meaning.why,
        )
    report.actions.append(f"{meaning.action}: {meaning.why}")
    if quarantined:
        report.quarantined += 1
        return "Quarantine"
    report.processed += 1
    return "Processed"


def _parties(app: App, connection: Connection, now: datetime) -> Parties:
    settings = app.settings
    roster = roster_in_force(settings, connection, now)
    return Parties(
        mailbox=settings.mailbox,
        director=settings.director.email,
        qa_team=settings.qa_team.email,
        roster=roster.auditors,
        require_internal=settings.mail.require_internal_sender,
    )


def _interpret(
    connection: Connection, parties: Parties, analysis: Analysis, local: datetime
) -> Interpretation:
    threaded = [m for m in (analysis.in_reply_to, *analysis.references) if m]
    binding = store.binding_for(connection, analysis.reference, threaded)
    if binding is False:
        return Interpretation(Action.QUARANTINE, f"unknown reference {analysis.reference}")
    open_requests: dict[str, list[ex.Request]] = {}
    # Only the sender's own open requests matter to what their message means.
    for request in store.undecided_requests(connection, analysis.sender or ""):
        open_requests.setdefault(request.auditor_email, []).append(request)
    return interpret(analysis, binding, parties, local.date(), open_requests)


def _act(
    app: App,
    connection: Connection,
    meaning: Interpretation,
    analysis: Analysis,
    ids: tuple[int, str],
    now: datetime,
    local: datetime,
    record_mail: Any,
) -> bool:
    """Apply ``meaning``; True if the message is to be quarantined. ``ids`` are the inbound
    row's id and a reference derived from its Message-ID, which keys the answers to it."""
    inbound_id, message_ref = ids
    rules = app.exemption_rules
    action = meaning.action
    plans: list[MailPlan] = []
    if action is Action.NEW_REQUEST:
        plans += _new_request(connection, meaning, analysis, inbound_id, now, local, rules)
    elif action in (Action.HEAD_DECISION, Action.DIRECTOR_DECISION, Action.WITHDRAW):
        request = meaning.request
        assert request is not None
        step = ex.transition(request, action.value, bool(meaning.approve), analysis.body, rules)
        if store.move_request(connection, request, step.expected, now, **step.changes):
            plans += step.mails
            repo.add_event(
                connection, now, step.event, month=request.month, subject=request.ref, **step.detail
            )
        else:  # another reply (or instance) decided first
            plans += notices_for(
                Action.ALREADY_DECIDED, meaning, analysis, message_ref, rules, local.date()
            )
    else:
        _note(connection, meaning, analysis, inbound_id, now, local)
        plans += notices_for(action, meaning, analysis, message_ref, rules, local.date())
    record_mail(connection, plans)
    return action is Action.QUARANTINE


def _note(
    connection: Connection,
    meaning: Interpretation,
    analysis: Analysis,
    inbound_id: int,
    now: datetime,
    local: datetime,
) -> None:
    """At-risk notices, self-reported completions and out-of-office replies are kept for
    the digests and the close; none is answered."""
    kinds = {
        Action.AT_RISK: "at_risk",
        Action.SELF_REPORT: "self_reported",
        Action.AUTO_REPLY: "out_of_office",
    }
    kind = kinds.get(meaning.action)
    if kind and meaning.auditor is not None:
        month = meaning.month or Month.of(local.date())
        store.add_note(
            connection, month, meaning.auditor.email, kind, now, analysis.body[:4000], inbound_id
        )


def _new_request(
    connection: Connection,
    meaning: Interpretation,
    analysis: Analysis,
    inbound_id: int,
    now: datetime,
    local: datetime,
    rules: ex.ExemptionRules,
) -> list[MailPlan]:
    auditor, month = meaning.auditor, meaning.month
    assert auditor is not None and month is not None
    issued = store.allocation_issued_on(connection, month, auditor.email)
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
        last_week=ex.is_last_week(month, local.date(), rules.last_week_days),
    )
    request = store.create_request(connection, draft, inbound_id)
    since = Month.of(local.date()).plus(1 - HISTORY_MONTHS)
    history = [
        h for h in store.history(connection, auditor.email, since) if h["ref"] != request.ref
    ]
    repo.add_event(
        connection,
        now,
        "request_received",
        month=month,
        subject=request.ref,
        reason=request.reason.value,
    )
    return ex.mails_for_new_request(request, history, rules)
