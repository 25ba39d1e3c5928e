"""Action for the child: an audit that finds a child needs remedial action (an inadequate
grade, or a concern the auditor flagged) goes at once to the Head of Service who holds the
child's case, and is tracked until they say it is done.

    open -> (the Head of Service replies it is done) -> done
         -> (they name an owner and a date)          -> assigned -> done
         -> (no answer after N working days)         chased; after M, the director is told

Pure: no I/O, no clock. Times are local; ``today`` is a parameter.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot.core import calendar as cal
from bot.core.keys import child_action_key
from bot.core.plans import MailPlan, Record
from bot.core.records import Auditor, Completion, Grade, Month


class ActionState(enum.StrEnum):
    OPEN = "open"  # told, no answer yet
    ASSIGNED = "assigned"  # an owner and a date named: no more chasing, not yet done
    DONE = "done"

    @property
    def label(self) -> str:
        return {
            ActionState.OPEN: "waiting for the Head of Service",
            ActionState.ASSIGNED: "owner and date named",
            ActionState.DONE: "done",
        }[self]


@dataclass(frozen=True)
class ActionRules:
    qa_team: str
    director_email: str
    director_name: str
    council: str
    chase_after: int = 3  # working days without an answer before the Head of Service is chased
    escalate_after: int = 5  # and before the director is told


@dataclass(frozen=True)
class Holder:
    """Who is told of an action: the case team's Head of Service, or, when the case team is
    not known, the auditor's Head of Service with the QA team copied."""

    head_email: str
    head_name: str
    case_team: str | None  # None: the sheet named no team, or one the roster does not know
    cc: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChildAction:
    """One action for a child, as the store keeps it."""

    month: Month
    case_ref: str
    token: str  # ACT-2021-05-K7M3Q9XA: what binds a reply to it
    grade: Grade | None
    concern: bool  # the sheet said action_needed, whatever the grade
    auditor_email: str
    auditor_name: str
    named_team: str | None  # the case team the sheet gave, as written
    holder: Holder
    opened_at: datetime
    opened_on: date
    state: ActionState = ActionState.OPEN
    owner: str | None = None
    due: date | None = None
    words: str | None = None  # the Head of Service's answer, names masked
    closed_at: datetime | None = None

    @property
    def grade_label(self) -> str:
        return self.grade.value.replace("_", " ") if self.grade else "not graded"

    def age(self, today: date) -> int:
        """Working days since the Head of Service was told."""
        return cal.working_days_between(self.opened_on, today)


def needs_action(completion: Completion) -> bool:
    return completion.grade is Grade.INADEQUATE or completion.action_needed


def needing_action(completions: Iterable[Completion]) -> list[Completion]:
    """The audits that ask for action for a child, in case-reference order."""
    return sorted((c for c in completions if needs_action(c)), key=lambda c: c.case_ref.upper())


def team_heads(roster: Mapping[str, Auditor]) -> dict[str, tuple[str, str]]:
    """Each team's Head of Service (address, name), by lower-cased team name: the one most
    of the team's roster rows name."""
    counts: dict[str, Counter[str]] = {}
    names: dict[str, str] = {}
    for auditor in roster.values():
        counts.setdefault(auditor.team.strip().lower(), Counter())[
            auditor.head_of_service_email
        ] += 1
        if auditor.head_of_service:
            names[auditor.head_of_service_email] = auditor.head_of_service
    heads = {}
    for team, counted in counts.items():
        email = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[0][0]
        heads[team] = (email, names.get(email, email))
    return heads


def holder_for(completion: Completion, roster: Mapping[str, Auditor], qa_team: str) -> Holder:
    """Who is told about ``completion``'s action."""
    team = (completion.case_team or "").strip()
    heads = team_heads(roster)
    if team and team.lower() in heads:
        email, name = heads[team.lower()]
        return Holder(email, name, team)
    auditor = roster.get(completion.auditor_email)
    if auditor is None:
        return Holder(qa_team, "Quality Assurance Team", None)
    name = auditor.head_of_service or auditor.head_of_service_email
    return Holder(auditor.head_of_service_email, name, None, (qa_team,))


def new_action(
    completion: Completion,
    month: Month,
    token: str,
    roster: Mapping[str, Auditor],
    rules: ActionRules,
    now: datetime,
) -> ChildAction:
    auditor = roster.get(completion.auditor_email)
    team = (completion.case_team or "").strip() or None
    return ChildAction(
        month=month,
        case_ref=completion.case_ref,
        token=token,
        grade=completion.grade,
        concern=completion.action_needed,
        auditor_email=completion.auditor_email,
        auditor_name=auditor.name if auditor else completion.auditor_email,
        named_team=team,
        holder=holder_for(completion, roster, rules.qa_team),
        opened_at=now,
        opened_on=now.date(),
    )


def _context(action: ChildAction, rules: ActionRules, **extra: object) -> dict[str, object]:
    return {
        "case_ref": action.case_ref,
        "month": action.month.title,
        "grade": action.grade_label,
        "inadequate": action.grade is Grade.INADEQUATE,
        "concern": action.concern,
        "auditor": {"name": action.auditor_name, "email": action.auditor_email},
        "head": {"name": action.holder.head_name, "email": action.holder.head_email},
        "case_team": action.holder.case_team,
        "named_team": action.named_team,
        "opened_on": action.opened_on,
        "state_label": action.state.label,
        "owner": action.owner,
        "due": action.due,
        "words": action.words,
        "director": {"name": rules.director_name, "email": rules.director_email},
        "director_name": rules.director_name,
        "council": rules.council,
        "chase_after": rules.chase_after,
        **extra,
    }


def _mail(
    action: ChildAction,
    suffix: str,
    template: str,
    to: tuple[str, ...],
    context: dict[str, object],
    cc: tuple[str, ...] = (),
) -> MailPlan:
    return MailPlan(
        key=child_action_key(action.month, action.case_ref, suffix),
        template=template,
        to=to,
        cc=cc,
        context=context,
        month=action.month,
        reference=action.token,
    )


def plan_actions(
    actions: Iterable[ChildAction],
    records: Mapping[str, Record],
    today: date,
    rules: ActionRules,
    scheduled: bool,
) -> list[MailPlan]:
    """What is due for each action by ``today``: the Head of Service told at once (any
    tick); when scheduled mail is due (``scheduled``: a working day, at or after the send
    time), one chase after ``chase_after`` working days without an answer and the director
    told after ``escalate_after``. An action with an owner and a date is asked after once on
    that date (or the first working day after it) if not yet reported done; a new date named
    is asked after again on its day. A done action is chased no more."""
    plans: list[MailPlan] = []
    for action in actions:
        holder = action.holder
        notify = child_action_key(action.month, action.case_ref, "notify")
        if notify not in records:
            plans.append(
                _mail(
                    action,
                    "notify",
                    "child_action",
                    (holder.head_email,),
                    _context(action, rules),
                    cc=holder.cc,
                )
            )
        if not scheduled:
            continue
        if action.state is ActionState.ASSIGNED and action.due is not None:
            when = child_action_key(action.month, action.case_ref, f"due-{action.due}")
            if today >= action.due and when not in records:
                plans.append(
                    _mail(
                        action,
                        f"due-{action.due}",
                        "child_action_due",
                        (holder.head_email,),
                        _context(action, rules),
                        cc=holder.cc,
                    )
                )
            continue
        if action.state is not ActionState.OPEN:
            continue
        waited = action.age(today)
        escalate = child_action_key(action.month, action.case_ref, "escalate")
        chase = child_action_key(action.month, action.case_ref, "chase")
        if waited >= rules.escalate_after:
            if escalate not in records:
                plans.append(
                    _mail(
                        action,
                        "escalate",
                        "child_action_escalation",
                        (rules.director_email,),
                        _context(action, rules, waited=waited),
                        cc=(holder.head_email, rules.qa_team),
                    )
                )
        elif waited >= rules.chase_after and chase not in records:
            plans.append(
                _mail(
                    action,
                    "chase",
                    "child_action_chase",
                    (holder.head_email,),
                    _context(action, rules, waited=waited),
                    cc=holder.cc,
                )
            )
    return plans


# -- reading the Head of Service's answer ------------------------------------------------------


@dataclass(frozen=True)
class ActionReply:
    """What a reply on an action's thread says: done, or an owner and a date, or neither."""

    done: bool
    owner: str | None = None
    when: date | None = None

    @property
    def understood(self) -> bool:
        return self.done or (self.owner is not None and self.when is not None)


_NOT_DONE = re.compile(
    r"\b(?:not\s+(?:yet\s+)?(?:been\s+)?(?:done|completed|held|actioned|in\s+place)|not\s+yet|"
    r"(?:has|have|is|was)n[’']?t|still\s+(?:to|waiting|outstanding)|will\s+be\s+done)\b",
    re.IGNORECASE,
)
_DONE = re.compile(
    r"\b(?:done|completed|complete|actioned|in\s+place|held|took\s+place|has\s+been\s+"
    r"(?:updated|reviewed|convened)|plan\s+updated)\b",
    re.IGNORECASE,
)
_OWNER = re.compile(
    r"\b(?:[Oo]wner(?:\s+is)?\s*[:\-]?\s*|(?:allocated|assigned|given)\s+to\s+)"
    r"(?P<name>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)"
    r"|(?P<will>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)\s+will\b"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_UK = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\b")
_DAY = re.compile(
    r"\b(?:on|by|before|from|for)?\s*(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?"
    r"(?:\s+(?:of\s+)?([A-Za-z]{3,9}))?\b",
    re.IGNORECASE,
)
_PRONOUNS = {"I", "We", "She", "He", "They", "It", "This", "That", "Who"}


def _resolve(day: int, month: int | None, year: int | None, today: date) -> date | None:
    month = month or today.month
    year = year or today.year
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found


def find_date(text: str, today: date) -> date | None:
    """The first date named: 2021-05-24, 24/05/2021, 24 May, on the 24th (this month)."""
    if match := _ISO.search(text):
        return _resolve(int(match[3]), int(match[2]), int(match[1]), today)
    if match := _UK.search(text):
        return _resolve(int(match[1]), int(match[2]), int(match[3]) if match[3] else None, today)
    for match in _DAY.finditer(text):
        month_word = (match[2] or "").lower()
        has_suffix = re.search(r"\d(?:st|nd|rd|th)\b", match[0], re.IGNORECASE) is not None
        month = _MONTHS.get(month_word)
        if month is None and not has_suffix:
            continue  # a bare number is not a date
        if 1 <= int(match[1]) <= 31:
            return _resolve(int(match[1]), month, None, today)
    return None


def find_owner(text: str) -> str | None:
    for match in _OWNER.finditer(text):
        name = match["name"] or match["will"]
        if name and name.split()[0] not in _PRONOUNS:
            return name
    return None


def read_reply(text: str, today: date) -> ActionReply:
    """Read simply: "done" (not "not done"), a date, an owner. Anything else is for a person."""
    done = _DONE.search(text) is not None and _NOT_DONE.search(text) is None
    return ActionReply(done=done, owner=find_owner(text), when=find_date(text, today))


def answered(action: ChildAction, reply: ActionReply, words: str, now: datetime) -> ChildAction:
    """The action as it stands after an answer that was understood."""
    if reply.done:
        return replace(
            action,
            state=ActionState.DONE,
            words=words,
            closed_at=now,
            owner=reply.owner or action.owner,
            due=reply.when or action.due,
        )
    return replace(
        action, state=ActionState.ASSIGNED, words=words, owner=reply.owner, due=reply.when
    )


def answer_mail(action: ChildAction, rules: ActionRules) -> MailPlan:
    """The Head of Service's confirmation that their answer was recorded (once per state)."""
    return _mail(
        action,
        f"recorded-{action.state}",
        "child_action_recorded",
        (action.holder.head_email,),
        _context(action, rules),
    )
