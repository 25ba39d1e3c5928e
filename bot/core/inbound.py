"""What an inbound message means and who may act on it: a pure function.

The bot acts only for the person a record waits for; anything it cannot attribute or
understand is quarantined or forwarded to the QA team, never guessed at.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from bot.core import calendar as cal
from bot.core.actions import ActionReply, ActionState, ChildAction, read_reply
from bot.core.exemptions import Request, State
from bot.core.questions import Question, answer_in, offered_for
from bot.core.questions import State as QuestionState
from bot.core.records import Auditor, Month
from bot.core.replies import Analysis, Intent, Kind
from bot.core.replies.cases import asked_cases
from bot.core.replies.model import Role
from bot.core.replies.until import find_until


class Action(enum.StrEnum):
    IGNORE = "ignore"  # our own mail, or a message already seen
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    QUARANTINE = "quarantine"
    FORWARD = "forward"  # a person at the QA team answers
    NEW_REQUEST = "new_request"
    AT_RISK = "at_risk"
    SELF_REPORT = "self_report"
    WITHDRAW = "withdraw"
    HEAD_DECISION = "head_decision"
    DIRECTOR_DECISION = "director_decision"
    ALREADY_DECIDED = "already_decided"
    NOT_YET = "not_yet"  # the director answered a request still with the Head of Service
    ASK_BACK = "ask_back"  # it could mean more than one thing: ask the sender which
    ANSWER = "answer"  # the answer to a question back: act on the message it was about
    PART_DONE = "part_done"  # some audits submitted, not all: reminders go on
    ON_BEHALF = "on_behalf"  # a Head of Service asks for one of their auditors
    NO_ACTION = "no_action"  # thanks, a note for information: nothing to do or answer
    # An exemption asked for, or decided, once the month's close is final: refused, with why.
    MONTH_FINAL = "month_final"
    # The Head of Service holding a child's case says the action is done, or names an owner.
    CHILD_ACTION = "child_action"
    # The QA team, on an auditor's thread (the slippage notice they were copied on), gives
    # the auditor more time: an extension to a date.
    QA_EXTENSION = "qa_extension"


@dataclass(frozen=True)
class Binding:
    """The record a reply's reference token or threading headers lead to."""

    month: Month
    auditor_email: str
    request: Request | None = None  # None: the auditor's own thread for the month


@dataclass(frozen=True)
class SentMail:
    """A mail of ours that a delivery report returned: its key and who it went to."""

    key: str
    recipients: frozenset[str]


@dataclass(frozen=True)
class Parties:
    mailbox: str
    director: str
    qa_team: str
    roster: Mapping[str, Auditor]
    staff: tuple[str, ...] = ()  # staff names, which the reader never takes for a child's
    require_internal: bool = False  # Graph: sender must be authenticated inside the org
    # Principal's address -> addresses that may send for them (Sender / Resent-From).
    delegates: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Interpretation:
    action: Action
    why: str
    month: Month | None = None
    auditor: Auditor | None = None
    request: Request | None = None
    approve: bool | None = None
    delegate: str | None = None  # who sent it on the sender's behalf (a configured PA)
    bounced: tuple[str, ...] = ()  # for BOUNCE: the failed addresses the mail went to
    returned: SentMail | None = None  # for BOUNCE: the mail of ours that failed
    # ASK_BACK: the sender's role and the readings to offer; ANSWER: the question answered
    # and the reading chosen.
    role: Role | None = None
    offered: tuple[Intent, ...] = ()
    question: Question | None = None
    chosen: Intent | None = None
    # CHILD_ACTION (and a FORWARD about one): the action, and what its answer says.
    child_action: ChildAction | None = None
    action_reply: ActionReply | None = None
    # A request's cases (NEW_REQUEST), or a decision's (DIRECTOR_DECISION: only these
    # exempted, or extended to ``until``; none named: as asked).
    cases: tuple[str, ...] = ()
    until: date | None = None


def interpret_action_reply(
    analysis: Analysis, action: ChildAction, parties: Parties, today: date
) -> Interpretation:
    """A reply on an action's thread. Only the Head of Service it waits for can close it, and
    only with words read plainly as done, or as an owner and a date; anything else from
    them, or from the QA team or the director, goes to a person at the QA team."""
    sender = analysis.sender
    if sender == parties.mailbox:
        return Interpretation(Action.IGNORE, "the bot's own mail")
    if analysis.malformed:
        return Interpretation(Action.QUARANTINE, f"unreadable message: {analysis.malformed}")
    if sender is None:
        return Interpretation(Action.QUARANTINE, "no sender address")
    if parties.require_internal and analysis.auth_internal is not True:
        return Interpretation(Action.QUARANTINE, "sender not authenticated inside the organisation")
    if sender != action.holder.head_email:
        if sender in (parties.qa_team, parties.director) or _is_head(sender, parties):
            why = f"an answer on the action for case {action.case_ref} from {sender}"
            return Interpretation(Action.FORWARD, why, month=action.month, child_action=action)
        why = f"{sender} answered the action for case {action.case_ref}, which waits for " + (
            action.holder.head_email
        )
        return Interpretation(Action.QUARANTINE, why, month=action.month, child_action=action)
    if action.state is ActionState.DONE:
        why = f"an answer on the action for case {action.case_ref}, already done"
        return Interpretation(Action.FORWARD, why, month=action.month, child_action=action)
    reply = read_reply(analysis.body, today)
    if not reply.understood:
        why = f"an answer on the action for case {action.case_ref} not read as done"
        return Interpretation(Action.FORWARD, why, month=action.month, child_action=action)
    what = "done" if reply.done else "owner and date named"
    return Interpretation(
        Action.CHILD_ACTION,
        f"action for case {action.case_ref}: {what}",
        month=action.month,
        child_action=action,
        action_reply=reply,
    )


def interpret(
    analysis: Analysis,
    binding: Binding | None,
    parties: Parties,
    today: date,
    open_requests: Mapping[str, list[Request]] | None = None,
    returned: SentMail | None = None,
    final: frozenset[Month] = frozenset(),
) -> Interpretation:
    """What ``analysis`` asks for; ``open_requests`` are undecided requests by auditor;
    ``returned`` is the mail of ours a delivery report names, if the store has it;
    ``final`` the months whose close is final (nothing can change how they count)."""
    sender = analysis.sender
    if sender == parties.mailbox:
        return Interpretation(Action.IGNORE, "the bot's own mail")
    if analysis.kind is Kind.BOUNCE:
        return _bounce(analysis, returned)
    if analysis.kind is Kind.AUTO_REPLY:
        # Only a person's own out-of-office says something about them: a service desk's
        # acknowledgement or a read receipt does not.
        away = analysis.automatic in ("out_of_office", "headers")
        auditor = parties.roster.get(sender or "") if away else None
        return Interpretation(Action.AUTO_REPLY, "automatic reply", auditor=auditor)
    if analysis.malformed:
        return Interpretation(Action.QUARANTINE, f"unreadable message: {analysis.malformed}")
    if sender is None:
        return Interpretation(Action.QUARANTINE, "no sender address")
    if parties.require_internal and analysis.auth_internal is not True:
        return Interpretation(Action.QUARANTINE, "sender not authenticated inside the organisation")
    others = set(analysis.other_senders)
    if others and not others <= parties.delegates.get(sender, frozenset()):
        return Interpretation(
            Action.QUARANTINE, f"sent by {', '.join(sorted(others))} on behalf of {sender}"
        )
    delegate = min(others) if others else None
    if binding is not None and binding.request is not None:
        meaning = _about_request(analysis, binding.request, parties, final, today)
        return replace(meaning, delegate=delegate) if delegate else meaning
    if delegate:
        # A delegate decides for the person they work for; nothing else is theirs to start.
        return Interpretation(
            Action.QUARANTINE, f"sent by {delegate} for {sender} without a request to decide"
        )
    if binding is not None and sender == parties.qa_team:
        return _qa_on_auditor_thread(analysis, binding, parties, today, final)
    auditor_of_thread = parties.roster.get(binding.auditor_email) if binding else None
    if (
        binding is not None
        and auditor_of_thread is not None
        and sender == auditor_of_thread.head_of_service_email
    ):
        # A Head of Service answering about their auditor (a slippage notice): the letter
        # has them liaise with the QA team, so a person there reads it.
        why = f"{sender} wrote about {binding.auditor_email}'s audits"
        return Interpretation(Action.FORWARD, why, month=binding.month, auditor=auditor_of_thread)
    if binding is not None and sender != binding.auditor_email:
        return Interpretation(
            Action.QUARANTINE, f"reply to {binding.auditor_email}'s audits from someone else"
        )
    auditor = parties.roster.get(sender)
    if _is_head(sender, parties) and _full(analysis) is Intent.EXEMPTION_REQUEST_ON_BEHALF:
        return _on_behalf(analysis, sender, parties, today)
    if auditor is None or not auditor.active:
        if sender in (parties.director, parties.qa_team) or _is_head(sender, parties):
            return Interpretation(Action.FORWARD, "message without a reference the bot can act on")
        return Interpretation(Action.QUARANTINE, "sender is not in the roster")
    thread_month = binding.month if binding else Month.of(today)
    return _from_auditor(analysis, auditor, thread_month, today, open_requests or {}, final)


def _bounce(analysis: Analysis, returned: SentMail | None) -> Interpretation:
    """Believed only for mail we really sent, and only for addresses it really went to:
    anyone can write a delivery report, naming anyone."""
    if returned is None:
        return Interpretation(Action.QUARANTINE, "delivery report about no mail the bot sent")
    failed = tuple(a for a in analysis.bounced_recipients if a in returned.recipients)
    if not failed:
        return Interpretation(
            Action.QUARANTINE,
            f"delivery report names no recipient of {returned.key}",
            returned=returned,
        )
    return Interpretation(
        Action.BOUNCE, "delivery failure report", bounced=failed, returned=returned
    )


def _on_behalf(analysis: Analysis, head: str, parties: Parties, today: date) -> Interpretation:
    """A Head of Service asking for one of their own auditors, named in the roster."""
    named = analysis.reading.on_behalf_of if analysis.reading else None
    auditor = parties.roster.get(named or "")
    if auditor is None:
        return Interpretation(
            Action.FORWARD, "a Head of Service's request for someone the roster does not name"
        )
    if auditor.head_of_service_email != head:
        return Interpretation(
            Action.QUARANTINE,
            f"{head} asked for {auditor.email}, who is not in their service",
            auditor=auditor,
        )
    if not auditor.active:
        return Interpretation(Action.FORWARD, f"a request for {auditor.email}, marked inactive")
    month = analysis.month or Month.of(today)
    if month < Month.of(today):
        return Interpretation(Action.FORWARD, f"exemption asked for a past month ({month})")
    return Interpretation(
        Action.ON_BEHALF,
        "request from the Head of Service",
        month=month,
        auditor=auditor,
        cases=asked_cases(analysis.body),
    )


def _is_head(sender: str, parties: Parties) -> bool:
    return any(a.head_of_service_email == sender for a in parties.roster.values())


def _from_auditor(
    analysis: Analysis,
    auditor: Auditor,
    thread_month: Month,
    today: date,
    open_requests: Mapping[str, list[Request]],
    final: frozenset[Month],
) -> Interpretation:
    intent = analysis.intent
    asked = _ask_back(analysis, Role.AUDITOR, month=thread_month, auditor=auditor)
    if asked is not None:
        return asked
    if _full(analysis) is Intent.PARTLY_COMPLETED:
        return Interpretation(
            Action.PART_DONE, "some audits done, not all", month=thread_month, auditor=auditor
        )
    if _full(analysis) is Intent.NO_ACTION:
        return Interpretation(
            Action.NO_ACTION, "nothing to do", month=thread_month, auditor=auditor
        )
    if intent is Intent.EXEMPTION_REQUEST:
        month = analysis.month or thread_month
        if month in final:
            return Interpretation(
                Action.MONTH_FINAL,
                f"exemption asked for {month}, whose figures are final",
                month=month,
                auditor=auditor,
            )
        if month < Month.of(today):
            return Interpretation(Action.FORWARD, f"exemption asked for a past month ({month})")
        pending = [r for r in open_requests.get(auditor.email, []) if r.month == month]
        if pending:
            return Interpretation(
                Action.FORWARD, f"a request for {month} is already open ({pending[0].ref})"
            )
        cases = asked_cases(analysis.body)
        return Interpretation(
            Action.NEW_REQUEST, "exemption request", month=month, auditor=auditor, cases=cases
        )
    if intent is Intent.AT_RISK:
        return Interpretation(
            Action.AT_RISK, "at risk of slipping", month=thread_month, auditor=auditor
        )
    if intent is Intent.COMPLETED:
        return Interpretation(
            Action.SELF_REPORT, "says it is done", month=thread_month, auditor=auditor
        )
    if intent is Intent.WITHDRAW:
        pending = open_requests.get(auditor.email, [])
        if len(pending) == 1:
            return Interpretation(
                Action.WITHDRAW, "withdrawal", auditor=auditor, request=pending[0]
            )
        return Interpretation(Action.FORWARD, "withdrawal, but which request is unclear")
    return Interpretation(
        Action.FORWARD, f"not something the bot acts on ({intent})", auditor=auditor
    )


def _about_request(
    analysis: Analysis,
    request: Request,
    parties: Parties,
    final: frozenset[Month],
    today: date,
) -> Interpretation:
    sender, intent = analysis.sender, analysis.intent
    partial = sender == parties.director and _full(analysis) is Intent.APPROVE_PARTIAL
    deciding = intent in (Intent.APPROVE, Intent.DECLINE) or partial
    approve = (intent is Intent.APPROVE or partial) if deciding else None
    if sender == request.auditor_email:
        if intent is Intent.WITHDRAW and request.state.undecided:
            return Interpretation(Action.WITHDRAW, "withdrawal", request=request)
        if intent is Intent.WITHDRAW:
            return Interpretation(
                Action.ALREADY_DECIDED, "withdrawal after a decision", request=request
            )
        if deciding:
            return Interpretation(
                Action.QUARANTINE, f"{sender} tried to decide their own request", request=request
            )
        asked = _ask_back(analysis, Role.AUDITOR, request=request)
        if asked is not None and request.state.undecided:
            return asked
        return Interpretation(
            Action.FORWARD, "the auditor wrote about their request", request=request
        )
    # The Head of Service answers first, also when the roster names the director as one.
    head_turn = sender == request.head_email and request.state is State.AWAITING_HEAD
    if head_turn or (sender == request.head_email and sender != parties.director):
        asked = _ask_back(analysis, Role.HEAD_OF_SERVICE, request=request) if head_turn else None
        if asked is not None:
            return asked
        if not deciding:
            return Interpretation(
                Action.FORWARD, "unclear answer from the Head of Service", request=request
            )
        if head_turn:
            return Interpretation(
                Action.HEAD_DECISION, "Head of Service answered", request=request, approve=approve
            )
        return Interpretation(
            Action.ALREADY_DECIDED, "the request has moved on", request=request, approve=approve
        )
    if sender == parties.director:
        waiting = request.state is State.AWAITING_DIRECTOR
        asked = _ask_back(analysis, Role.DIRECTOR, request=request) if waiting else None
        if asked is not None:
            return asked
        cases, until = _part_decided(analysis, request, today) if partial else ((), None)
        if partial and not cases and until is None and waiting:
            # "Agreed, but only for one of the two": which one is not said. Never guessed.
            return Interpretation(
                Action.ASK_BACK,
                "part of the request agreed, without saying which part",
                month=request.month,
                request=request,
                role=Role.DIRECTOR,
                offered=(Intent.APPROVE, Intent.DECLINE, Intent.QUESTION),
            )
        strays = [c for c in cases if request.cases and c not in request.cases]
        if partial and strays and until is None:
            why = f"the director approved {', '.join(strays)}, which the request did not ask about"
            return Interpretation(Action.FORWARD, why, request=request)
        if partial and not cases and until is None:
            return Interpretation(
                Action.FORWARD,
                "part of the request agreed, without saying which part",
                request=request,
            )
        if not deciding:
            return Interpretation(
                Action.FORWARD, "unclear answer from the director", request=request
            )
        closed_undecided = (State.AWAITING_DIRECTOR, State.LAPSED)
        if request.state in closed_undecided and request.month in final:
            return Interpretation(
                Action.MONTH_FINAL,
                f"decision after {request.month}'s figures were final",
                request=request,
                approve=approve,
            )
        if request.state is State.AWAITING_DIRECTOR:
            what = (
                "director decided"
                if not partial
                else ("director granted an extension" if until else "director approved part")
            )
            return Interpretation(
                Action.DIRECTOR_DECISION,
                what,
                request=request,
                approve=approve,
                cases=cases,
                until=until,
            )
        if request.state is State.AWAITING_HEAD:
            return Interpretation(Action.NOT_YET, "still with the Head of Service", request=request)
        return Interpretation(
            Action.ALREADY_DECIDED, "already decided", request=request, approve=approve
        )
    return Interpretation(
        Action.QUARANTINE,
        f"reply to {request.ref} from someone it does not wait for",
        request=request,
    )


def _qa_on_auditor_thread(
    analysis: Analysis, binding: Binding, parties: Parties, today: date, final: frozenset[Month]
) -> Interpretation:
    """The QA team on an auditor's thread: an extension when they name a date after the
    month's deadline (for the cases they name, or all); anything else needs nothing done."""
    auditor = parties.roster.get(binding.auditor_email)
    deadline = cal.deadline(binding.month)
    until = find_until(analysis.body, analysis.sent_on or today, after=deadline)
    if auditor is None or until is None or until <= deadline:
        return Interpretation(
            Action.NO_ACTION, "the QA team wrote on an auditor's thread", month=binding.month
        )
    if binding.month in final:
        return Interpretation(
            Action.MONTH_FINAL,
            f"an extension for {binding.month}, whose figures are final",
            month=binding.month,
            auditor=auditor,
        )
    cases = analysis.reading.cases if analysis.reading else ()
    return Interpretation(
        Action.QA_EXTENSION,
        "the QA team granted an extension",
        month=binding.month,
        auditor=auditor,
        cases=cases,
        until=until,
    )


def _part_decided(
    analysis: Analysis, request: Request, today: date
) -> tuple[tuple[str, ...], date | None]:
    """The cases and the extension date a partial decision names. A date is taken as the
    first such day after the month's deadline ("an extension to the 4th" in May is 4 June);
    one on or before the deadline extends nothing."""
    reading = analysis.reading
    cases = reading.cases if reading else ()
    deadline = cal.deadline(request.month)
    until = find_until(analysis.body, analysis.sent_on or today, after=deadline)
    return cases, until if until is not None and until > deadline else None


def staff_names(roster: Mapping[str, Auditor], director: str) -> tuple[str, ...]:
    """Everyone the roster and config name: auditors, Heads of Service, the director."""
    names = {director}
    for auditor in roster.values():
        names.add(auditor.name)
        if auditor.head_of_service:
            names.add(auditor.head_of_service)
    return tuple(sorted(n for n in names if n))


def sender_role(sender: str | None, binding: Binding | None, parties: Parties) -> Role | None:
    """Who the sender is for this message: a request's Head of Service or director when it
    answers a request, else an auditor, a Head of Service or the director by address."""
    if sender is None:
        return None
    request = binding.request if binding else None
    if request is not None:
        if sender == request.head_email and request.state is State.AWAITING_HEAD:
            return Role.HEAD_OF_SERVICE
        if sender == parties.director:
            return Role.DIRECTOR
        if sender == request.head_email:
            return Role.HEAD_OF_SERVICE
        if sender == request.auditor_email:
            return Role.AUDITOR
        return None
    if sender == parties.director:
        return Role.DIRECTOR
    if sender == parties.qa_team:
        return Role.QA_TEAM
    auditor = parties.roster.get(sender)
    if auditor is not None and auditor.active:
        return Role.AUDITOR
    if _is_head(sender, parties):
        return Role.HEAD_OF_SERVICE
    return None


def interpret_answer(analysis: Analysis, question: Question) -> Interpretation:
    """A reply to a question back: only its sender answers it, and only with a number."""
    if analysis.sender != question.sender:
        return Interpretation(
            Action.QUARANTINE, f"answer to {question.token} from someone it was not asked of"
        )
    if question.state is not QuestionState.WAITING:
        return Interpretation(
            Action.FORWARD, f"a further answer to {question.token}, already {question.state}"
        )
    chosen = answer_in(question, analysis.body, analysis.subject)
    if chosen is None:
        return Interpretation(Action.FORWARD, f"an answer to {question.token} that picks no option")
    return Interpretation(
        Action.ANSWER, f"answered {question.token}", question=question, chosen=chosen
    )


def _full(analysis: Analysis) -> Intent | None:
    """The reader's full reading when it read with the sender's role, else the shell's."""
    return analysis.reading.intent if analysis.reading is not None else analysis.intent


def _ask_back(
    analysis: Analysis,
    role: Role,
    month: Month | None = None,
    auditor: Auditor | None = None,
    request: Request | None = None,
) -> Interpretation | None:
    """A question back when the reading is unclear and there is something to choose."""
    if _full(analysis) is not Intent.UNCLEAR or analysis.reading is None:
        return None
    offered = offered_for(role, analysis.reading.alternatives)
    if not (analysis.reading.cases or analysis.reading.until):
        # Approving "only the cases named" means nothing when none is named.
        offered = tuple(i for i in offered if i is not Intent.APPROVE_PARTIAL)
    if not offered or offered == (Intent.QUESTION,):
        return None
    return Interpretation(
        Action.ASK_BACK,
        "not sure which is meant",
        month=month or (request.month if request else None),
        auditor=auditor,
        request=request,
        role=role,
        offered=offered,
    )
