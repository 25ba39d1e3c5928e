"""The ground a request claims, as the director's letter names them.

Not whether it will be granted: what the sender says. Prolonged absence means weeks (an
operation, a fit note, maternity or long-term leave, jury service); a week's leave or a few
days off sick is "other". QA work means work for the partnership or the QA programme beyond
the monthly audit; inspection preparation is "other". Statutory work means court and child
protection casework. Partnership QA is read before court words, because a partnership
dip-sample of s47s is QA; jury service before both, because it is an absence in a court.
"""

from __future__ import annotations

import re

from bot.core.replies.model import Reason

_JURY = re.compile(r"\bjury (?:service|duty)\b")
_QA = re.compile(
    r"\b(?:gscp|lscp|mscp|partnership|multi[- ]?agency|maca|section 11|s11|rapid review|"
    r"peer review|moderat(?:e|ing) (?:the|audits|for)|moderation (?:day|panel|of)|"
    r"practice observations?|observations of|thematic (?:audit|review)|"
    r"practice week|lcspr|cspr|child safeguarding practice review|jtai)\b"
)
_STATUTORY = re.compile(
    r"\b(?:final hearings?|(?:giv(?:e|ing)|gave) evidence|witness box|care proceedings|"
    r"proceedings|issu(?:e|ed|ing) (?:on|care)|ico hearings?|contested|s47s?|section 47s?|"
    r"icpcs?|rcpcs?|police protection|strats?|strategy (?:meetings|discussions)|plo|"
    r"court)\b"
)
_LONG_ABSENCE = re.compile(
    r"\b(?:surgery|operation|op|hospital|signed off|fit note|sick note|maternity|paternity|"
    r"adoption leave|shared parental|long[- ]term|phased return|chemo\w*|bereave\w*|"
    r"compassionate|carer's leave|passed away|died|pneumonia)\b"
)
_SHORT = re.compile(
    r"\b(?:a|one|1) week\b|\b(?:a )?few days\b|\b(?:two|three|four|2|3|4) days\b|"
    r"\bmonday to wednesday\b|\bannual leave\b|\b(?:on )?al\b|\bhalf term\b|\bmigraine\b"
)
_WEEKS = re.compile(
    r"\b(?:(?:[2-9]|1\d)(?:-\d+)?|two|three|four|five|six|seven|eight|several|many) "
    r"(?:weeks?|months?)\b|\b(?:a|the whole|all|most of the|rest of the) month\b|"
    r"\bmonths\b|\buntil (?:the )?(?:middle|end) of next month\b|\bnext spring\b|"
    r"\b(?:most|all|the whole|the rest) of (?:the month|this month|january|february|march|april|"
    r"may|june|july|august|september|october|november|december)\b"
)
_NOT_LEAVE = re.compile(r"\bnot on (?:leave|annual leave|holiday)(?: as such)?\b")


def ground_of(prepared: str) -> Reason:
    """The ground in lower-cased, tidied text; OTHER when none of the three is claimed."""
    text = _NOT_LEAVE.sub(" ", prepared)
    if _JURY.search(text):
        return Reason.ABSENCE
    if _QA.search(text):
        return Reason.OTHER_QA_ACTIVITY
    if _STATUTORY.search(text):
        return Reason.STATUTORY_WORK
    if _LONG_ABSENCE.search(text) or (_WEEKS.search(text) and not _SHORT.search(text)):
        return Reason.ABSENCE
    return Reason.OTHER
