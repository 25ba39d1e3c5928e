"""What a person's new text means, read with who wrote it: the reader's one decision.

An auditor reports, asks or withdraws; a Head of Service supports, refuses or asks for one of
their own; the director decides, in whole or in part. Each role has its own short list of
rules, in the order the department ranks meanings (a decision > a new request > completed >
partly completed > withdrawn > at risk > a question > nothing to do). Whenever two readings
that would act disagree, or nothing the rules know is said, the answer is UNCLEAR with the
readings to offer: the sender is asked, never guessed for. Without a role (the shell does not
pass one yet) the auditor's rules are read first and a bare decision second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.replies import cues, phrases
from bot.core.replies.cases import find_cases
from bot.core.replies.grounds import ground_of
from bot.core.replies.intent import TextToRead, found, prepare
from bot.core.replies.model import Intent, Reason, Role

SURE = 0.9
FAIRLY_SURE = 0.75
UNSURE = 0.3


@dataclass(frozen=True)
class Meaning:
    intent: Intent
    confidence: float
    alternatives: tuple[Intent, ...] = ()
    reason: Reason | None = None


def _unclear(*alternatives: Intent) -> Meaning:
    return Meaning(Intent.UNCLEAR, UNSURE, tuple(dict.fromkeys(alternatives)))


def _words(prepared: str) -> str:
    return "".join(ch for ch in prepared if ch.isalnum() or ch.isspace()).strip()


# -- auditors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Auditor:
    ask: bool  # asks to be exempted, this month
    policy: bool  # asks about exemptions in general or later
    withdraw: bool
    not_withdrawing: bool
    done: bool
    partly: bool
    at_risk: bool
    question: bool
    call_me: bool
    unsure: bool
    acknowledges: bool
    circumstance: bool  # the writer's own: an absence, a hearing, other QA work
    cases: int


def _acknowledges(prepared: str) -> bool:
    """Thanks, "noted", an emoji: nothing asked, nothing reported."""
    words = _words(prepared).split()
    if not words:
        return bool(prepared) and "?" not in prepared
    thanked = any(word.startswith("thank") or word in ("cheers", "ta") for word in words)
    return bool(cues.ACK.match(prepared)) or (thanked and len(words) <= 12)


def _part_count(prepared: str) -> bool:
    return any(int(a) < int(b) for a, b in cues.PART_COUNT.findall(prepared))


_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|i'll|i'd|my|me|we|we're|our|us)\b")


def _auditor_signals(prepared: str) -> _Auditor:
    text = TextToRead(prepared)
    not_withdrawing = text.take(cues.NOT_WITHDRAWING)
    withdraw = text.take(cues.WITHDRAW_MORE) | text.take(phrases.WITHDRAW)
    if withdraw:
        text.take(cues.REQUEST_NAMED)
    text.take(cues.NOT_ASKING)
    text.take(cues.STATUS)
    policy = text.take(cues.POLICY)
    exempt_text = text.value
    exempt = found(cues.EXEMPT, exempt_text)
    ask = exempt and found(cues.ASK, exempt_text)
    done_firm = text.take(cues.DONE_FIRM)
    partly = text.take(cues.PARTLY) or _part_count(prepared)
    at_risk = text.take(phrases.AT_RISK) | text.take(cues.AT_RISK_MORE)
    not_completed = text.take(phrases.NOT_COMPLETED)
    planned = text.take(phrases.NOT_YET)  # "I'll finish the other on Monday"
    done = done_firm or text.take(phrases.COMPLETED)
    remaining = text.take(cues.REMAINING) or not_completed or planned
    return _Auditor(
        ask=ask,
        policy=policy,
        withdraw=withdraw,
        not_withdrawing=not_withdrawing,
        done=done,
        partly=partly or (done and remaining),
        at_risk=at_risk,
        question="?" in prepared or bool(phrases.QUESTION_START.search(prepared)),
        call_me=found(cues.CALL_ME, prepared),
        unsure=found(cues.UNSURE, prepared),
        acknowledges=_acknowledges(prepared),
        # "Which one is the thematic audit?" asks about other QA work, not the writer's own.
        circumstance=ground_of(prepared) is not Reason.OTHER
        and (bool(_FIRST_PERSON.search(prepared)) or "?" not in prepared),
        cases=len(find_cases(prepared)),
    )


def _auditor(prepared: str) -> Meaning:
    s = _auditor_signals(prepared)
    if s.policy:
        return Meaning(Intent.QUESTION, FAIRLY_SURE, (Intent.EXEMPTION_REQUEST,))
    if s.ask:
        return Meaning(Intent.EXEMPTION_REQUEST, SURE, reason=ground_of(prepared))
    if s.not_withdrawing:
        return _unclear(Intent.WITHDRAW, Intent.AT_RISK)
    if s.partly:
        return Meaning(Intent.PARTLY_COMPLETED, SURE if not s.at_risk else FAIRLY_SURE)
    if s.done:
        if s.at_risk:
            # "Done" next to "late" is a plan at most: reminders must not stop on a guess.
            if s.cases > 1:  # "CR-1 done. CR-2 will be next week."
                return Meaning(Intent.PARTLY_COMPLETED, FAIRLY_SURE, (Intent.AT_RISK,))
            return Meaning(Intent.AT_RISK, FAIRLY_SURE, (Intent.PARTLY_COMPLETED,))
        return Meaning(Intent.COMPLETED, SURE)
    if s.withdraw:
        return Meaning(Intent.WITHDRAW, SURE)
    if s.at_risk:
        return Meaning(Intent.AT_RISK, SURE)
    if s.call_me or s.unsure:
        return _unclear(Intent.COMPLETED, Intent.AT_RISK, Intent.EXEMPTION_REQUEST)
    if s.circumstance:
        # An absence or a hearing named without an ask: may be late, may want an exemption.
        return _unclear(Intent.AT_RISK, Intent.EXEMPTION_REQUEST)
    if s.question:
        return Meaning(Intent.QUESTION, FAIRLY_SURE)
    if s.acknowledges:
        return Meaning(Intent.NO_ACTION, FAIRLY_SURE)
    return _unclear(Intent.COMPLETED, Intent.AT_RISK, Intent.EXEMPTION_REQUEST)


# -- deciders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Decider:
    yes: bool
    no: bool
    hedge: bool
    condition: bool
    partial: bool
    partial_grant: bool
    hold: bool
    ask_first: bool
    question: bool
    unsure: bool


def _decider_signals(prepared: str, director: bool) -> _Decider:
    text = TextToRead(cues.QUOTED.sub(" ", prepared))
    idiom_yes = text.take(cues.YES_IDIOMS)
    text.take(cues.NOT_THIS_DECISION)
    if director:
        text.take(cues.MET_CONDITION)
    partial = found(cues.PARTIAL, text.value)
    partial_grant = partial and found(cues.PARTIAL_GRANT, text.value)
    hedge = text.take(phrases.HEDGE)
    hold = found(cues.HOLD, prepared)
    double_negative = text.take(phrases.APPROVE_DOUBLE_NEGATIVE)
    text.take(phrases.NOT_A_DECISION)
    no = text.take(phrases.DECLINE) | text.take(cues.DECLINE_MORE)
    condition = text.take(phrases.CONDITIONAL) | text.take(cues.OPEN_CONDITION)
    yes = text.take(phrases.APPROVE) | text.take(cues.APPROVE_MORE) or double_negative or idiom_yes
    return _Decider(
        yes=yes,
        no=no,
        hedge=hedge,
        condition=condition,
        partial=partial,
        partial_grant=partial_grant,
        hold=hold,
        ask_first=found(cues.ASK_FIRST, prepared),
        question="?" in prepared or bool(phrases.QUESTION_START.search(prepared)),
        unsure=found(cues.UNSURE, prepared),
    )


def _decider(prepared: str, yes_intent: Intent, no_intent: Intent, director: bool) -> Meaning:
    s = _decider_signals(prepared, director)
    if found(cues.WANTS_FIRST, prepared):
        return _unclear(yes_intent, no_intent)
    if found(cues.LEANING, prepared):
        return Meaning(
            Intent.QUESTION if s.question or s.ask_first else Intent.UNCLEAR,
            UNSURE,
            (yes_intent, no_intent),
        )
    if s.condition and not (s.yes or s.no):
        return Meaning(Intent.QUESTION, FAIRLY_SURE, (yes_intent, no_intent))
    if s.unsure:
        return _unclear(yes_intent, no_intent)
    if director and s.partial and (s.partial_grant or s.yes):
        return Meaning(Intent.APPROVE_PARTIAL, FAIRLY_SURE, (yes_intent, no_intent))
    if director and s.partial:
        return _unclear(Intent.APPROVE_PARTIAL, no_intent)
    if director and s.no and found(cues.BUT_GRANT, prepared):
        return _unclear(Intent.APPROVE_PARTIAL, no_intent)  # "No, but she can have..."
    if s.condition:
        if s.no and not s.yes:
            return Meaning(no_intent, FAIRLY_SURE)  # "I'd support it if..., but no."
        return Meaning(Intent.QUESTION, FAIRLY_SURE, (yes_intent, no_intent))
    if s.yes and s.no:
        return _unclear(yes_intent, no_intent)
    if (s.yes or s.no) and s.hedge:
        return _unclear(yes_intent, no_intent)  # "Support the first but not sure about..."
    if s.yes:
        return Meaning(yes_intent, SURE)
    if s.no:
        return Meaning(no_intent, SURE)
    if s.ask_first or s.question:
        return Meaning(Intent.QUESTION, FAIRLY_SURE)
    if s.hold or s.hedge:
        return Meaning(Intent.NO_ACTION, FAIRLY_SURE)
    if cues.ACK.match(prepared):
        return Meaning(Intent.NO_ACTION, FAIRLY_SURE)
    return _unclear(yes_intent, no_intent)


def _head_of_service(prepared: str) -> Meaning:
    own, marker, forwarded = prepared.partition("\nforwarded:")
    if marker and _auditor(forwarded).intent is Intent.EXEMPTION_REQUEST:
        # An auditor's request sent on by their Head of Service: raised on their behalf.
        head = _decider(own, Intent.SUPPORT, Intent.NOT_SUPPORT, director=False)
        if head.intent in (Intent.SUPPORT, Intent.UNCLEAR, Intent.NO_ACTION):
            return Meaning(
                Intent.EXEMPTION_REQUEST_ON_BEHALF, FAIRLY_SURE, reason=ground_of(forwarded)
            )
        return head
    if found(cues.ON_BEHALF, prepared):
        return Meaning(Intent.EXEMPTION_REQUEST_ON_BEHALF, FAIRLY_SURE, reason=ground_of(prepared))
    return _decider(prepared, Intent.SUPPORT, Intent.NOT_SUPPORT, director=False)


# -- others -----------------------------------------------------------------------------------


def _someone_else(prepared: str, colleague: bool) -> Meaning:
    """The QA team's own notes need nothing unless they ask; a stranger's go to a person."""
    if found(cues.NOTHING_TO_DO, prepared):
        return Meaning(Intent.NO_ACTION, FAIRLY_SURE)
    if "?" in prepared or phrases.QUESTION_START.search(prepared):
        return Meaning(Intent.QUESTION, FAIRLY_SURE)
    if colleague:
        return Meaning(Intent.NO_ACTION, FAIRLY_SURE - 0.15, (Intent.QUESTION,))
    return _unclear(Intent.QUESTION, Intent.NO_ACTION)


def _without_role(prepared: str) -> Meaning:
    """The shell's reading until it passes a role: the auditor's rules, then a decision."""
    auditor = _auditor(prepared)
    if auditor.intent not in (Intent.UNCLEAR, Intent.QUESTION, Intent.NO_ACTION):
        return auditor
    decision = _decider(prepared, Intent.APPROVE, Intent.DECLINE, director=True)
    if decision.intent is not Intent.UNCLEAR:
        return decision
    return auditor


def out_of_office(prepared: str) -> Meaning:
    """An out-of-office note: a long absence is for a person to follow up; else nothing."""
    if cues.LONG_ABSENCE.search(prepared):
        return _unclear(Intent.EXEMPTION_REQUEST, Intent.NO_ACTION)
    return Meaning(Intent.NO_ACTION, FAIRLY_SURE)


def _guarded(meaning: Meaning, prepared: str) -> Meaning:
    """The last word on safety: a reading that would act, next to words that would change
    it, is asked about instead. One place, so every role's rules pass through it."""
    intent = meaning.intent
    if intent in (Intent.APPROVE, Intent.SUPPORT) and found(cues.LIMITS, prepared):
        other = Intent.APPROVE_PARTIAL if intent is Intent.APPROVE else Intent.QUESTION
        return _unclear(intent, other)
    if intent is Intent.COMPLETED and (
        found(cues.STILL_TO_COME, prepared)
        or (len(find_cases(prepared)) > 1 and found(cues.MORE_TO_COME, prepared))
    ):
        return Meaning(Intent.PARTLY_COMPLETED, FAIRLY_SURE, (Intent.COMPLETED,))
    if intent is Intent.EXEMPTION_REQUEST and found(cues.TAKE_BACK, prepared):
        return _unclear(Intent.EXEMPTION_REQUEST, Intent.WITHDRAW)
    return meaning


def read_meaning(text: str, role: Role | None) -> Meaning:
    """The meaning of ``text`` (new text, signature off) written by someone in ``role``."""
    prepared = prepare(text).strip()
    return _guarded(_read_meaning(prepared, role), prepared)


def _read_meaning(prepared: str, role: Role | None) -> Meaning:
    if "?" in prepared and len(_words(prepared).split()) <= 2:
        # "?", "Done?", "Sorry?": asking what is meant, or meaning nothing the bot can act on.
        return _unclear(Intent.QUESTION, Intent.COMPLETED)
    if cues.OUT_OF_OFFICE.search(prepared) and role in (None, Role.AUDITOR):
        return out_of_office(prepared)
    if role is Role.AUDITOR:
        return _auditor(prepared)
    if role is Role.HEAD_OF_SERVICE:
        return _head_of_service(prepared)
    if role is Role.DIRECTOR:
        return _decider(prepared, Intent.APPROVE, Intent.DECLINE, director=True)
    if role in (Role.QA_TEAM, Role.OUTSIDER):
        return _someone_else(prepared, colleague=role is Role.QA_TEAM)
    return _without_role(prepared)
