"""Exemption requests: their states, their timers, and the mail each step sends.

auditor asks -> awaiting_head -> (Head of Service supports) -> awaiting_director -> approved
                              -> (does not support) -> not_supported      -> declined
                                                                          -> extended
                              -> (no answer in N working days) -> awaiting_director
awaiting_head | awaiting_director -> withdrawn (by the auditor)
awaiting_head | awaiting_director -> lapsed (the month's figures became final first)

A request may name cases (none: the whole month). The director may approve it for some of
them only, or grant an extension to a date instead, for named cases or all; the QA team may
grant an extension after a slippage notice (a request made extended at once).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.core import calendar as cal
from bot.core.case_outcomes import Terms
from bot.core.keys import exemption_key
from bot.core.plans import MailPlan, Record
from bot.core.records import Month
from bot.core.replies import Reason

REASON_LABELS = {
    Reason.ABSENCE: "prolonged absence or ill-health",
    Reason.OTHER_QA_ACTIVITY: "other quality assurance work",
    Reason.STATUTORY_WORK: "heavy statutory work",
    Reason.OTHER: "outside the policy's exceptional circumstances",
}


class State(enum.StrEnum):
    AWAITING_HEAD = "awaiting_head"
    AWAITING_DIRECTOR = "awaiting_director"
    APPROVED = "approved"
    DECLINED = "declined"
    NOT_SUPPORTED = "not_supported"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"  # undecided when the month's figures became final
    EXTENDED = "extended"  # an extension to a date granted instead of an exemption

    @property
    def undecided(self) -> bool:
        return self in (State.AWAITING_HEAD, State.AWAITING_DIRECTOR)

    @property
    def label(self) -> str:
        return {
            State.AWAITING_HEAD: "waiting for the Head of Service",
            State.AWAITING_DIRECTOR: "waiting for the director",
            State.APPROVED: "approved by the director",
            State.DECLINED: "declined by the director",
            State.NOT_SUPPORTED: "not supported by the Head of Service",
            State.WITHDRAWN: "withdrawn by the auditor",
            State.LAPSED: "not decided before the month's figures were final",
            State.EXTENDED: "extension granted",
        }[self]


@dataclass(frozen=True)
class ExemptionRules:
    mailbox: str
    director_email: str
    director_name: str
    qa_team: str
    council: str
    chase_after: int = 2  # working days without a Head of Service answer
    escalate_after: int = 4
    last_week_working_days: int = 5  # a request this close to the deadline is a warning sign
    # Shorter for a request asked in the last week: the deadline will not wait.
    last_week_chase_after: int = 1
    last_week_escalate_after: int = 2
    director_chase_after: int = 2  # working days with the director before the first reminder
    director_chase_every: int = 3  # and then every so many working days

    def head_timers(self, request: Request) -> tuple[int, int]:
        """(chase after, escalate after) in working days, for this request."""
        if request.last_week:
            return self.last_week_chase_after, self.last_week_escalate_after
        return self.chase_after, self.escalate_after


@dataclass(frozen=True)
class Request:
    """One exemption request: what the inbox acts on, and what the digests and the month
    report show (they are handed it with times local and without the free text)."""

    ref: str  # EXM-2021-05-017: what people call it
    token: str  # EXM-2021-05-017-K7M3Q9XA: what binds a reply to it (unguessable)
    month: Month
    auditor_email: str
    auditor_name: str
    team: str
    head_email: str
    head_name: str
    reason: Reason
    words: str
    requested_at: datetime
    requested_on: date
    after_allocation: bool
    last_week: bool
    state: State = State.AWAITING_HEAD
    head_words: str | None = None
    no_head_response: bool = False
    director_words: str | None = None
    id: int | None = None
    head_decided_at: datetime | None = None  # the Head of Service supported or not
    decided_at: datetime | None = None  # the director approved or declined
    escalated_at: datetime | None = None  # sent on to the director without the Head's answer
    cases: tuple[str, ...] = ()  # the cases asked about, upper-cased; none: the whole month
    granted: tuple[str, ...] | None = None  # the cases the decision covers; None: as asked
    until: date | None = None  # the date an extension runs to

    @property
    def decided_cases(self) -> tuple[str, ...]:
        """The cases the decision covers (none: every case of the month)."""
        return self.cases if self.granted is None else self.granted

    @property
    def terms(self) -> Terms:
        """What the decision means for counting the auditor's cases."""
        if self.state is State.APPROVED and self.decided_cases:
            return Terms(exempted=frozenset(self.decided_cases))
        if self.state is State.EXTENDED and self.until is not None:
            return Terms(until=self.until, extended=frozenset(self.decided_cases), ref=self.ref)
        return Terms()

    @property
    def whole_month_exempted(self) -> bool:
        return self.state is State.APPROVED and not self.decided_cases

    @property
    def outside_policy(self) -> bool:
        return self.reason is Reason.OTHER

    @property
    def reason_label(self) -> str:
        return REASON_LABELS[self.reason]

    @property
    def flags(self) -> tuple[str, ...]:
        found = []
        if self.after_allocation:
            found.append("after allocation")
        if self.last_week:
            found.append("last week")
        if self.outside_policy:
            found.append("outside policy")
        if self.no_head_response:
            found.append("no Head of Service response")
        return tuple(found)

    @property
    def with_director_since(self) -> datetime:
        """When it reached the director: supported, or sent on without an answer (as far as
        is known: the time it was asked if neither is)."""
        return self.escalated_at or self.head_decided_at or self.requested_at

    @property
    def head_label(self) -> str:
        return self.head_name or self.head_email

    @property
    def head_decision(self) -> str:
        """What the Head of Service did with the request."""
        if self.state is State.NOT_SUPPORTED:
            return "not supported"
        if self.no_head_response:
            return "no response: sent on to the director"
        if self.head_decided_at is not None:
            return "supported"
        if self.state is State.AWAITING_HEAD:
            return "waiting"
        return "none before it was withdrawn" if self.state is State.WITHDRAWN else ""


def is_last_week(month: Month, day: date, working_days: int) -> bool:
    """A request in the month's last ``working_days`` working days is a warning sign."""
    return cal.in_last_week(month, day, working_days)


def _context(request: Request, rules: ExemptionRules, **extra: object) -> dict[str, object]:
    return {
        "ref": request.ref,
        "reference": request.token,
        "month": request.month.title,
        "deadline": cal.deadline(request.month),
        "auditor": {"name": request.auditor_name, "email": request.auditor_email},
        "team": request.team,
        "head": {"name": request.head_name or request.head_email, "email": request.head_email},
        "director": {"name": rules.director_name, "email": rules.director_email},
        "reason": request.reason.value,
        "reason_label": REASON_LABELS[request.reason],
        "outside_policy": request.outside_policy,
        "words": request.words,
        "after_allocation": request.after_allocation,
        "last_week": request.last_week,
        "requested_on": request.requested_on,
        "head_words": request.head_words,
        "no_head_response": request.no_head_response,
        "director_words": request.director_words,
        "state": request.state.value,
        "state_label": request.state.label,
        "cases": list(request.cases),
        "decided_cases": list(request.decided_cases),
        "until": request.until,
        # An example extension date in the director's instructions: a week past the deadline.
        "extension_example": cal.next_working_day(cal.deadline(request.month) + timedelta(days=7)),
        "mailbox": rules.mailbox,
        "council": rules.council,
        "escalate_after": rules.escalate_after,
        "by_delegate": None,
        "granted_by": "director",
        **extra,
    }


def _mail(
    request: Request, suffix: str, template: str, to: str, context: dict, cc: tuple[str, ...] = ()
) -> MailPlan:
    return MailPlan(
        key=exemption_key(request.ref, suffix),
        template=template,
        to=(to,),
        cc=cc,
        context=context,
        month=request.month,
        about=request.auditor_email,
        reference=request.token,
    )


def mails_for_new_request(
    request: Request, history: list[dict[str, object]], rules: ExemptionRules
) -> list[MailPlan]:
    """The auditor's acknowledgement and the Head of Service's copy of the request."""
    return [
        _mail(request, "ack", "exemption_ack", request.auditor_email, _context(request, rules)),
        _mail(
            request,
            "to-head",
            "exemption_to_head",
            request.head_email,
            _context(request, rules, history=history),
        ),
    ]


def mail_for_request_on_behalf(request: Request, rules: ExemptionRules) -> MailPlan:
    """The auditor told that their Head of Service asked the director for them."""
    return _mail(
        request, "on-behalf", "exemption_on_behalf", request.auditor_email, _context(request, rules)
    )


def mails_for_head_decision(
    request: Request, supported: bool, rules: ExemptionRules
) -> list[MailPlan]:
    context = _context(request, rules, supported=supported)
    mails = [
        _mail(
            request,
            "head-confirm",
            "decision_confirm",
            request.head_email,
            context | {"decider": "head"},
        )
    ]
    if supported:
        mails.append(
            _mail(request, "to-director", "exemption_to_director", rules.director_email, context)
        )
    else:
        mails.append(_mail(request, "outcome", "exemption_outcome", request.auditor_email, context))
    return mails


def mails_for_director_decision(
    request: Request, approved: bool, rules: ExemptionRules
) -> list[MailPlan]:
    context = _context(request, rules, approved=approved, supported=True)
    return [
        _mail(
            request,
            "outcome",
            "exemption_outcome",
            request.auditor_email,
            context,
            cc=(request.head_email,),
        ),
        _mail(
            request,
            "director-confirm",
            "decision_confirm",
            rules.director_email,
            context | {"decider": "director"},
        ),
    ]


def mails_for_withdrawal(request: Request, rules: ExemptionRules) -> list[MailPlan]:
    context = _context(request, rules)
    cc: tuple[str, ...] = (request.head_email,)
    if request.state is State.AWAITING_DIRECTOR:
        cc += (rules.director_email,)
    return [
        _mail(request, "withdrawn", "exemption_withdrawn", request.auditor_email, context, cc=cc)
    ]


@dataclass(frozen=True)
class Transition:
    """A decision or withdrawal: it applies only if the request is still in one of the
    ``expected`` states (the first valid decision wins); then these mails go."""

    expected: tuple[State, ...]
    moved: Request  # the request as it stands after the step
    mails: list[MailPlan]
    event: str
    detail: dict[str, object]


def transition(
    request: Request,
    step: str,
    yes: bool,
    words: str,
    rules: ExemptionRules,
    delegate: str | None = None,
    part: tuple[tuple[str, ...], date | None] = ((), None),
) -> Transition:
    """``step`` is head_decision, director_decision or withdraw; ``yes`` supports/approves;
    ``delegate`` sent the reply on the decider's behalf (a PA), and the decider is told.
    ``part``: the cases and the extension date a director's partial decision names."""
    moved = _transition(request, step, yes, words, rules, part)
    if delegate is None:
        return moved
    return replace(
        moved,
        mails=[replace(m, context={**m.context, "by_delegate": delegate}) for m in moved.mails],
        detail={**moved.detail, "by": delegate},
    )


def _transition(
    request: Request,
    step: str,
    yes: bool,
    words: str,
    rules: ExemptionRules,
    part: tuple[tuple[str, ...], date | None] = ((), None),
) -> Transition:
    if step == "head_decision":
        state = State.AWAITING_DIRECTOR if yes else State.NOT_SUPPORTED
        moved = replace(request, state=state, head_words=words)
        return Transition(
            (State.AWAITING_HEAD,),
            moved,
            mails_for_head_decision(moved, yes, rules),
            "head_decision",
            {"supported": yes},
        )
    if step == "director_decision":
        cases, until = part
        state = State.APPROVED if yes else State.DECLINED
        if yes and until is not None:
            state = State.EXTENDED
        granted = cases if yes and cases else None
        moved = replace(
            request,
            state=state,
            director_words=words,
            granted=granted,
            until=until if state is State.EXTENDED else None,
        )
        detail: dict[str, object] = {"approved": yes}
        if moved.decided_cases and yes:
            detail["cases"] = list(moved.decided_cases)
        if moved.until is not None:
            detail["until"] = moved.until.isoformat()
        return Transition(
            (State.AWAITING_DIRECTOR,),
            moved,
            mails_for_director_decision(moved, yes, rules),
            "director_decision",
            detail,
        )
    if step == "withdraw":
        return Transition(
            (State.AWAITING_HEAD, State.AWAITING_DIRECTOR),
            replace(request, state=State.WITHDRAWN),
            mails_for_withdrawal(request, rules),
            "request_withdrawn",
            {},
        )
    raise ValueError(f"not a step of an exemption request: {step}")


def qa_extension(request: Request, rules: ExemptionRules) -> list[MailPlan]:
    """An extension the QA team granted (``request`` as recorded, extended): the auditor
    told, their Head of Service and the QA team copied."""
    context = _context(request, rules, approved=True, supported=True, granted_by="qa")
    return [
        _mail(
            request,
            "outcome",
            "exemption_outcome",
            request.auditor_email,
            context,
            cc=(request.head_email, rules.qa_team),
        )
    ]


@dataclass(frozen=True)
class Escalation:
    """A request the Head of Service left unanswered, now going to the director."""

    request: Request


def director_chase_due(waited: int, rules: ExemptionRules) -> int | None:
    """Which reminder to the director is due after ``waited`` working days with them (1 for
    the first), or None before the first. Only the latest is ever sent: after downtime the
    director gets one reminder, not a backlog."""
    if waited < rules.director_chase_after:
        return None
    return 1 + (waited - rules.director_chase_after) // rules.director_chase_every


def plan_timers(
    requests: list[Request],
    records: dict[str, Record],
    today: date,
    rules: ExemptionRules,
    final: frozenset[Month] = frozenset(),
) -> list[MailPlan | Escalation]:
    """Chase a silent Head of Service once; after longer, go to the director without them
    (sooner for a request asked in the last week). Remind the director of a request waiting
    for them, and again at intervals. Times are local. Called only when scheduled mail is
    due (a working day, at or after the send time). A request for a month whose figures
    are final (``final``) is chased no more: no decision can change them."""
    plans: list[MailPlan | Escalation] = []
    for request in requests:
        if request.month in final:
            continue
        if request.state is State.AWAITING_DIRECTOR:
            plans += _chase_director(request, records, today, rules)
            continue
        if request.state is not State.AWAITING_HEAD:
            continue
        chase_after, escalate_after = rules.head_timers(request)
        waited = cal.working_days_between(request.requested_on, today)
        if waited >= escalate_after:
            escalated = replace(request, state=State.AWAITING_DIRECTOR, no_head_response=True)
            plans.append(Escalation(escalated))
            plans.append(
                _mail(
                    escalated,
                    "to-director",
                    "exemption_to_director",
                    rules.director_email,
                    _context(escalated, rules, escalate_after=escalate_after),
                )
            )
        elif waited >= chase_after and exemption_key(request.ref, "chase") not in records:
            plans.append(
                _mail(
                    request,
                    "chase",
                    "exemption_chase",
                    request.head_email,
                    _context(request, rules, waited=waited),
                )
            )
    return plans


def _chase_director(
    request: Request, records: dict[str, Record], today: date, rules: ExemptionRules
) -> list[MailPlan]:
    since = request.with_director_since.date()
    waited = cal.working_days_between(since, today)
    number = director_chase_due(waited, rules)
    if number is None or exemption_key(request.ref, f"director-chase-{number}") in records:
        return []
    context = _context(request, rules, waited=waited, since=since, chase=number)
    return [
        _mail(
            request,
            f"director-chase-{number}",
            "exemption_director_chase",
            rules.director_email,
            context,
        )
    ]


@dataclass(frozen=True)
class Lapse:
    """A request still undecided when its month's figures became final: nothing can change
    how the month counts now, so it is closed, and everyone it involved is told."""

    request: Request


def plan_lapses(
    requests: list[Request], final: frozenset[Month], rules: ExemptionRules
) -> list[MailPlan | Lapse]:
    """Each undecided request for a month in ``final``: lapsed, with one mail to the auditor
    copying their Head of Service, the director if it was with them, and the QA team."""
    plans: list[MailPlan | Lapse] = []
    for request in requests:
        if request.month not in final or not request.state.undecided:
            continue
        cc: tuple[str, ...] = (request.head_email,)
        if request.state is State.AWAITING_DIRECTOR:
            cc += (rules.director_email,)
        lapsed = replace(request, state=State.LAPSED)
        context = _context(lapsed, rules, was=request.state.value)
        plans.append(Lapse(lapsed))
        plans.append(
            _mail(
                lapsed,
                "lapsed",
                "exemption_lapsed",
                request.auditor_email,
                context,
                cc=(*cc, rules.qa_team),
            )
        )
    return plans
