"""Reading the inbox: store each message raw, decide what it means, act, then file it.

The raw message is committed before anything is acted on. The action, its mail and the
message's new status commit together; only then is the message moved to Processed or
Quarantine. A crash anywhere leaves the message in the inbox or its row in ``received``,
and the next tick picks it up again without acting twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from bot import requests_by_mail
from bot.app import App
from bot.budget import Budget
from bot.core import actions as act
from bot.core import exemptions as ex
from bot.core import questions as qb
from bot.core.inbound import (
    Action,
    Interpretation,
    Parties,
    interpret,
    interpret_action_reply,
    interpret_answer,
    sender_role,
    staff_names,
)
from bot.core.keys import answers_stopped_key, inbound_key, message_ref, names_reminder_key
from bot.core.notices import notices_for
from bot.core.plans import MailPlan
from bot.core.records import Month
from bot.core.replies import Analysis, Intent, Kind, analyse
from bot.core.replies.model import Role, shell_intent
from bot.faults import checkpoint
from bot.inputs.in_force import roster_in_force
from bot.mail.transport import Folder, InboundItem
from bot.store import child_actions, exemption_requests, received, repo
from bot.store import questions as stored_questions

# Renders and writes mail plans into the outbox, in the caller's transaction.
RecordMail = Callable[[Connection, list[MailPlan]], None]

SUSPECTED_FORGERY = "same Message-ID as an earlier message, different content: suspected forgery"


@dataclass
class InboxReport:
    processed: int = 0
    quarantined: int = 0
    left: int = 0  # left in the inbox for the next tick (time budget, bounce cap, a fault)
    bounce_notices: int = 0
    actions: list[str] = field(default_factory=list)  # "action: why" per message

    def count(self, folder: Folder, action: str) -> None:
        self.actions.append(action)
        if folder == "Quarantine":
            self.quarantined += 1
        else:
            self.processed += 1


def process_inbox(
    app: App, now: datetime, local: datetime, record_mail: RecordMail, budget: Budget
) -> InboxReport:
    """``record_mail(connection, plans)`` renders and writes mail plans into the outbox."""
    report = InboxReport()
    items = app.transport.fetch_new()
    if not items:
        return report
    with app.engine.begin() as connection:
        parties = parties_for(app, connection, now)  # once per tick, not once per message
    for index, item in enumerate(items):
        if budget.spent():
            report.left += len(items) - index
            break
        folder = _handle_safely(app, parties, item, now, local, record_mail, report)
        if folder is None:
            report.left += 1
            continue
        checkpoint("inbox.acted")  # acted on and committed, not yet filed away
        _file(app, item, folder, now)
    return report


def _file(app: App, item: InboundItem, folder: Folder, now: datetime) -> None:
    try:
        app.transport.move(item.id, folder)
    except Exception as exc:
        # What it asked for is recorded; the next tick finds it stored and files it then.
        with app.engine.begin() as connection:
            repo.add_event(connection, now, "mail_not_filed", folder=folder, why=_said(exc))


def _said(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _message_key(analysis: Analysis, raw: bytes) -> str:
    if analysis.message_id and len(analysis.message_id) < 250:
        return analysis.message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _arrival(analysis: Analysis, key: str, raw: bytes) -> received.Arrival:
    return received.Arrival(
        key=key,
        sender=analysis.sender,
        subject=analysis.subject,
        raw=raw,
        kind=analysis.kind.value,
        intent=analysis.intent.value if analysis.intent else None,
        content_digest=analysis.content_digest,
    )


def _handle_safely(
    app: App,
    parties: Parties,
    item: InboundItem,
    now: datetime,
    local: datetime,
    record_mail: RecordMail,
    report: InboxReport,
) -> Folder | None:
    """Whatever goes wrong with one message stays with that message: it is quarantined with
    the reason and the QA team told, and the rest of the inbox goes on. None: leave it in
    the inbox for the next tick."""
    analysis = analyse(item.raw, today=local.date())
    key = _message_key(analysis, item.raw)
    try:
        return _handle(app, parties, item.raw, analysis, key, now, local, record_mail, report)
    except Exception as exc:
        try:
            folder = _quarantine_unhandled(app, item.raw, analysis, key, exc, now, record_mail)
        except Exception:
            return None  # the store itself is failing: the message waits in the inbox
        report.count(folder, f"{Action.QUARANTINE}: could not be handled ({_said(exc)})")
        return folder


def _quarantine_unhandled(
    app: App,
    raw: bytes,
    analysis: Analysis,
    key: str,
    exc: Exception,
    now: datetime,
    record_mail: RecordMail,
) -> Folder:
    why = f"could not be handled ({_said(exc)})"
    meaning = Interpretation(Action.QUARANTINE, why)
    with app.engine.begin() as connection:
        if not received.quarantine_unhandled(connection, key, f"{meaning.action}: {why}", now):
            existing = received.stored(connection, key)
            if existing is not None and existing.status in ("processed", "quarantined"):
                return "Quarantine" if existing.status == "quarantined" else "Processed"
            # Not even stored (the store refused a value): kept under a digest of its bytes.
            key = "sha256:" + hashlib.sha256(raw).hexdigest()
            arrival = replace(_arrival(analysis, key, raw), subject=analysis.subject[:200])
            received.store_arrival(connection, arrival, now, status="quarantined")
        repo.add_event(
            connection, now, "mail_quarantined", subject=key, action="quarantine", why=why
        )
        ref = message_ref(key)
        rules = app.exemption_rules
        today = now.astimezone(app.settings.tz).date()
        try:
            with connection.begin_nested():
                record_mail(
                    connection,
                    notices_for(meaning.action, meaning, analysis, ref, rules, today),
                )
        except Exception:
            # Its words may be what broke the notice: tell the QA team without them.
            bare = replace(analysis, subject="", body="")
            record_mail(connection, notices_for(meaning.action, meaning, bare, ref, rules, today))
    return "Quarantine"


def _handle(
    app: App,
    parties: Parties,
    raw: bytes,
    analysis: Analysis,
    key: str,
    now: datetime,
    local: datetime,
    record_mail: RecordMail,
    report: InboxReport,
) -> Folder | None:
    if analysis.kind is Kind.BOUNCE and (
        report.bounce_notices >= app.settings.inbox.max_bounce_notices_per_tick
    ):
        return None  # enough notices for one tick; the rest are read at the next
    with app.engine.begin() as connection:
        if not received.store_arrival(connection, _arrival(analysis, key, raw), now):
            first = received.stored(connection, key)
            if first is not None and first.content_digest not in (None, analysis.content_digest):
                folder = _suspected_forgery(
                    app, connection, raw, analysis, key, first, now, record_mail
                )
                report.count(folder, f"{Action.QUARANTINE}: {SUSPECTED_FORGERY}")
                return folder
    checkpoint("inbox.stored")
    with app.engine.begin() as connection:
        row = received.stored(connection, key)
        assert row is not None  # stored above, or by an earlier tick
        if not received.claim(connection, row.id):
            return "Quarantine" if row.status == "quarantined" else "Processed"
        meaning, analysis = _interpret(connection, parties, raw, analysis, local)
        quarantined = _act(
            app,
            connection,
            meaning,
            analysis,
            (row.id, message_ref(key)),
            now,
            local,
            record_mail,
            report,
        )
        status = "quarantined" if quarantined else "processed"
        received.finish(connection, row.id, status, f"{meaning.action}: {meaning.why}", now)
        detail: dict[str, Any] = {"action": meaning.action.value, "why": meaning.why}
        if meaning.delegate:
            detail["by"] = meaning.delegate
        repo.add_event(connection, now, f"mail_{status}", subject=key, **detail)
    filed: Folder = "Quarantine" if quarantined else "Processed"
    report.count(filed, f"{meaning.action}: {meaning.why}")
    return filed


def _suspected_forgery(
    app: App,
    connection: Connection,
    raw: bytes,
    analysis: Analysis,
    key: str,
    first: received.Stored,
    now: datetime,
    record_mail: RecordMail,
) -> Folder:
    """Same Message-ID, different words: both are kept, the later one is not acted on, and
    the QA team is asked to confirm anything the first one set moving."""
    copy_key = f"{key}#{analysis.content_digest[:16]}"
    arrival = _arrival(analysis, copy_key, raw)
    if received.store_arrival(connection, arrival, now, status="quarantined"):
        why = SUSPECTED_FORGERY
        repo.add_event(
            connection,
            now,
            "mail_suspected_forgery",
            subject=copy_key,
            first=key,
            first_verdict=first.verdict,
        )
        plan = MailPlan(
            inbound_key(message_ref(copy_key), "suspected-forgery"),
            "suspected_forgery",
            (app.settings.qa_team.email,),
            {
                "message_id": key,
                "sender": analysis.sender or "(no sender)",
                "subject": analysis.subject,
                "why": why,
                "first_acted": first.set_something_moving,
                "first_verdict": first.verdict or "not yet acted on",
                "council": app.settings.council,
            },
        )
        record_mail(connection, [plan])
    return "Quarantine"


def parties_for(app: App, connection: Connection, now: datetime) -> Parties:
    """Who is who at ``now``: the roster in force, the director, the QA team, delegates."""
    settings = app.settings
    roster = roster_in_force(settings, connection, now, app.parsed_sheets)
    return Parties(
        mailbox=settings.mailbox,
        director=settings.director.email,
        qa_team=settings.qa_team.email,
        roster=roster.auditors,
        staff=staff_names(roster.auditors, settings.director.name),
        require_internal=settings.mail.require_internal_sender,
        delegates=settings.delegates_of(),
    )


def _interpret(
    connection: Connection,
    parties: Parties,
    raw: bytes,
    analysis: Analysis,
    local: datetime,
    chosen: Intent | None = None,
) -> tuple[Interpretation, Analysis]:
    """What the message means, and the analysis it was read with: read again with the
    sender's role once the thread says who they are here. ``chosen`` is the reading its
    sender picked in answer to a question back."""
    today = local.date()
    if analysis.kind is Kind.BOUNCE:
        returned = exemption_requests.returned_mail(
            connection, analysis.returned_message_ids, analysis.returned_keys
        )
        return interpret(analysis, None, parties, today, returned=returned), analysis
    binding = None
    if analysis.kind is Kind.REPLY:
        # The message it answers first, then older ones in its thread.
        threaded = [m for m in (analysis.in_reply_to, *reversed(analysis.references)) if m]
        by_thread = exemption_requests.thread_token(connection, threaded)
        token = analysis.reference
        if token and token.startswith("ASK-"):
            question = stored_questions.by_token(connection, token)
            if question is None:
                return Interpretation(Action.QUARANTINE, f"unknown reference {token}"), analysis
            return interpret_answer(analysis, question), analysis
        if token and by_thread and token != by_thread:
            why = f"the subject names {token} but the thread belongs to {by_thread}"
            return Interpretation(Action.QUARANTINE, why), analysis
        token = token or by_thread
        if token and token.startswith("ACT-"):
            action = child_actions.by_token(connection, token)
            if action is None:
                return Interpretation(Action.QUARANTINE, f"unknown reference {token}"), analysis
            # Read as a Head of Service's, with staff names known: a child's name is masked
            # before anything is read from the words, kept or passed on.
            analysis = analyse(
                raw,
                today=today,
                role=Role.HEAD_OF_SERVICE,
                roster=parties.roster,
                staff=parties.staff,
            )
            if analysis.reading is not None and analysis.reading.child_names_masked:
                analysis = replace(analysis, body=analysis.reading.masked)
            return interpret_action_reply(analysis, action, parties, today), analysis
        if token:
            binding = exemption_requests.binding_for_token(connection, token)
            if binding is None:
                return Interpretation(Action.QUARANTINE, f"unknown reference {token}"), analysis
    role = sender_role(analysis.sender, binding, parties) if analysis.kind is Kind.REPLY else None
    if role is not None:
        first = analysis
        analysis = analyse(raw, today=today, role=role, roster=parties.roster, staff=parties.staff)
        deciding = first.intent in (Intent.APPROVE, Intent.DECLINE)
        if role is Role.AUDITOR and binding and binding.request and deciding:
            # A decider's words from the auditor on their own request: read as the attempt
            # to decide it that they look like, and quarantined for that.
            analysis = replace(analysis, intent=first.intent)
        if analysis.reading is not None and analysis.reading.child_names_masked:
            # Quoted onward (to a Head of Service, the director, the QA team) and kept in
            # notes and requests without the names; the raw message stays in the store.
            analysis = replace(analysis, body=analysis.reading.masked)
    if chosen is not None:
        analysis = _as_chosen(analysis, chosen)
    open_requests: dict[str, list[ex.Request]] = {}
    # Only the sender's own open requests matter to what their message means.
    for request in exemption_requests.undecided_requests(connection, analysis.sender or ""):
        open_requests.setdefault(request.auditor_email, []).append(request)
    # The months whose figures are final: nothing asked or decided changes them now.
    year = [Month.of(today).plus(-n) for n in range(requests_by_mail.HISTORY_MONTHS + 1)]
    final = frozenset(repo.final_months(connection, year))
    return interpret(analysis, binding, parties, today, open_requests, final=final), analysis


def _as_chosen(analysis: Analysis, chosen: Intent) -> Analysis:
    """The message as its sender said it was meant, in answer to a question back."""
    reading = analysis.reading
    if reading is not None:
        reading = replace(reading, intent=chosen, confidence=1.0, alternatives=())
    intent = shell_intent(chosen)
    reason = None
    if intent is Intent.EXEMPTION_REQUEST:
        reason = (reading.reason if reading else None) or ex.Reason.OTHER
    return replace(analysis, intent=intent, reason=reason, reading=reading)


def _act(
    app: App,
    connection: Connection,
    meaning: Interpretation,
    analysis: Analysis,
    ids: tuple[int, str],
    now: datetime,
    local: datetime,
    record_mail: RecordMail,
    report: InboxReport,
) -> bool:
    """Apply ``meaning``; True if the message is to be quarantined. ``ids`` are the inbound
    row's id and a reference derived from its Message-ID, which keys the answers to it."""
    inbound_id, message_ref = ids
    rules = app.exemption_rules
    action = meaning.action
    plans: list[MailPlan] = []
    if action is Action.ANSWER:
        return _answered(app, connection, meaning, ids, now, local, record_mail, report)
    if action is Action.ASK_BACK:
        plans += _ask_back(app, connection, meaning, analysis, inbound_id, now, local)
    elif action is Action.NO_ACTION:
        pass
    elif action is Action.CHILD_ACTION:
        plans += _child_action_answered(app, connection, meaning, analysis, now)
    elif action is Action.ON_BEHALF:
        plans += requests_by_mail.on_behalf(
            connection, meaning, analysis, inbound_id, now, local, rules
        )
    elif action is Action.NEW_REQUEST:
        plans += requests_by_mail.new_request(
            connection, meaning, analysis, inbound_id, now, local, rules
        )
    elif action is Action.QA_EXTENSION:
        plans += requests_by_mail.qa_extension(
            connection, meaning, analysis, inbound_id, now, local, rules
        )
    elif action in (Action.HEAD_DECISION, Action.DIRECTOR_DECISION, Action.WITHDRAW):
        request = meaning.request
        assert request is not None
        step = ex.transition(
            request,
            action.value,
            bool(meaning.approve),
            analysis.body,
            rules,
            meaning.delegate,
            (meaning.cases, meaning.until),
        )
        if exemption_requests.move_request(connection, step.moved, step.expected, now):
            mails = step.mails
            if step.moved.whole_month_exempted:
                mails = requests_by_mail.approved_after_close(connection, step.moved, mails, now)
            if analysis.sender and action is not Action.WITHDRAW:
                _settle_questions_about(connection, request, analysis.sender, ids[0], local)
            plans += mails
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
        if action is Action.MONTH_FINAL:
            asked = meaning.request
            repo.add_event(
                connection,
                now,
                "refused_month_final",
                month=asked.month if asked else meaning.month,
                subject=asked.ref if asked else analysis.sender,
                why=meaning.why,
            )
    if action is Action.BOUNCE:
        report.bounce_notices += len(plans)
    masked = analysis.reading.child_names_masked if analysis.reading else 0
    unanswered = (Action.QUARANTINE, Action.IGNORE, Action.AUTO_REPLY, Action.BOUNCE)
    if masked and analysis.sender and analysis.kind is Kind.REPLY and action not in unanswered:
        plans.append(
            MailPlan(
                names_reminder_key(analysis.sender),
                "names_reminder",
                (analysis.sender,),
                {"council": app.settings.council},
            )
        )
    record_mail(connection, _within_answer_limit(app, connection, plans, analysis, local))
    return action is Action.QUARANTINE


def _settle_questions_about(
    connection: Connection, request: ex.Request, sender: str, inbound_id: int, local: datetime
) -> None:
    """A decision made by a plainer reply on the request itself settles any question back
    still waiting from the same person about it: they are not asked again."""
    for question in stored_questions.waiting(connection, sender):
        asked = analyse(stored_questions.asked_about(connection, question), today=local.date())
        threaded = [m for m in (asked.in_reply_to, *reversed(asked.references)) if m]
        token = asked.reference or exemption_requests.thread_token(connection, threaded)
        if token == request.token:
            stored_questions.settle(connection, question, qb.State.ANSWERED, None, inbound_id)


def _child_action_answered(
    app: App, connection: Connection, meaning: Interpretation, analysis: Analysis, now: datetime
) -> list[MailPlan]:
    """Done, or an owner and a date: recorded, in the trail, and the Head of Service thanked.
    A second answer that finds the action already moved on changes nothing."""
    action, reply = meaning.child_action, meaning.action_reply
    assert action is not None and reply is not None
    moved = act.answered(action, reply, analysis.body[:4000], now)
    if not child_actions.record_answer(connection, moved, action.state):
        return []
    repo.add_event(
        connection,
        now,
        f"child_action_{moved.state}",
        month=action.month,
        subject=action.case_ref,
        by=analysis.sender,
        owner=moved.owner,
        due=moved.due.isoformat() if moved.due else None,
        words=moved.words,
    )
    return [act.answer_mail(moved, app.action_rules)]


def _within_answer_limit(
    app: App, connection: Connection, plans: list[MailPlan], analysis: Analysis, local: datetime
) -> list[MailPlan]:
    """The loop breaker: whatever the reason, the sender of a message, and its thread, get
    at most ``inbox.max_answers_per_day`` answers a day. Past that the answers are dropped
    (everything else still happens) and the QA team is told once that day."""
    sender = analysis.sender
    answers = {id(p) for p in plans if sender and (sender in p.to or sender in p.cc)}
    if not sender or not answers:
        return plans
    thread = analysis.reference or next(iter(analysis.references), None) or analysis.in_reply_to
    limit = app.settings.inbox.max_answers_per_day
    given = exemption_requests.answers_on(connection, local.date(), sender, thread)
    if given + len(answers) <= limit:
        return [
            replace(p, answers=sender, answers_thread=thread) if id(p) in answers else p
            for p in plans
        ]
    stopped = MailPlan(
        answers_stopped_key(sender, local.date()),
        "answers_stopped",
        (app.settings.qa_team.email,),
        {"sender": sender, "limit": limit, "council": app.settings.council},
    )
    return [*(p for p in plans if id(p) not in answers), stopped]


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
        Action.PART_DONE: "part_done",
        Action.AUTO_REPLY: "out_of_office",
    }
    kind = kinds.get(meaning.action)
    if kind and meaning.auditor is not None:
        month = meaning.month or Month.of(local.date())
        exemption_requests.add_note(
            connection, month, meaning.auditor.email, kind, now, analysis.body[:4000], inbound_id
        )


def _ask_back(
    app: App,
    connection: Connection,
    meaning: Interpretation,
    analysis: Analysis,
    inbound_id: int,
    now: datetime,
    local: datetime,
) -> list[MailPlan]:
    """Ask the sender which they meant; nothing else happens until they answer."""
    assert meaning.role is not None and analysis.sender is not None
    draft = qb.Question(
        token="",
        sender=analysis.sender,
        role=meaning.role,
        offered=meaning.offered,
        inbound_id=inbound_id,
        month=meaning.month or Month.of(local.date()),
        asked_on=local.date(),
    )
    question = stored_questions.create(connection, draft)
    repo.add_event(
        connection,
        now,
        "question_asked",
        month=question.month,
        subject=question.token,
        offered=[i.value for i in question.offered],
    )
    settings = app.settings
    hint = None
    if meaning.request is not None and meaning.role is Role.DIRECTOR:
        asked = meaning.request.cases
        example = f"Approved for {asked[0]} only." if asked else "Approved for CR-... only."
        hint = (
            f"To approve {meaning.request.ref} for some of its cases only, reply to the "
            f'request itself naming them, for example "{example}"'
        )
    return [qb.ask(question, analysis.body, settings.mailbox, settings.council, hint=hint)]


def _answered(
    app: App,
    connection: Connection,
    meaning: Interpretation,
    ids: tuple[int, str],
    now: datetime,
    local: datetime,
    record_mail: RecordMail,
    report: InboxReport,
) -> bool:
    """Act on the message a question was about, as its sender said it was meant."""
    question, chosen = meaning.question, meaning.chosen
    assert question is not None and chosen is not None
    if not stored_questions.settle(connection, question, qb.State.ANSWERED, chosen, ids[0]):
        return False  # answered already, by an earlier copy of this answer
    repo.add_event(
        connection,
        now,
        "question_answered",
        month=question.month,
        subject=question.token,
        answer=chosen.value,
    )
    raw = stored_questions.asked_about(connection, question)
    first = analyse(raw, today=local.date())
    parties = parties_for(app, connection, now)
    original, analysis = _interpret(connection, parties, raw, first, local, chosen)
    # What is kept and quoted as their words is both messages: the first alone ("agreed,
    # but only for one") would contradict what their answer decided.
    answered = f"[Asked which they meant, they answered: {qb.said(chosen)}.]"
    analysis = replace(analysis, body=f"{analysis.body.rstrip()}\n\n{answered}")
    ref = message_ref(received.message_key_of(connection, question.inbound_id))
    return _act(
        app,
        connection,
        original,
        analysis,
        (question.inbound_id, ref),
        now,
        local,
        record_mail,
        report,
    )
