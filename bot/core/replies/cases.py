"""Case references a person names in their new text ("CR-104305"), in order, once each,
and, in a part-done reply, which of them they say are done.

Mails carry case references only, so these are what a partial request or decision names.
"""

from __future__ import annotations

import re

# "CR-104305", "cr104305", "CR 104305": staff type them every way; "CR-7" in short.
CASE_PATTERN = re.compile(r"\bCR(?:-(\d{1,8})|[ ]?(\d{3,8}))\b", re.IGNORECASE | re.ASCII)

# A part-done reply's clauses: "CR-1 is done, CR-2 nearly there", "done CR-1 but not CR-2".
_CLAUSE_BREAK = re.compile(r"[.;:!?\n]+|,\s*|\s+(?:but|while|whereas)\s+", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_DONE = re.compile(
    r"\b(?:done|submitted|completed?|finished|uploaded|sent (?:it )?in|(?:is|are) in)\b",
    re.IGNORECASE,
)
_NOT_DONE = re.compile(
    r"\b(?:not|nearly|almost|still|yet|working on|half|in progress|partly|started|"
    r"need\w*|finishing|to do|outstanding|remaining|left)\b|n't\b",
    re.IGNORECASE,
)


def find_cases(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in CASE_PATTERN.finditer(text):
        ref = f"CR-{match.group(1) or match.group(2)}"
        if ref not in found:
            found.append(ref)
    return tuple(found)


def done_and_outstanding(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(said done, not done) among the cases ``text`` names, each clause read on its own:
    a clause that says done, with nothing saying not yet, makes its cases done. A case
    named in a clause that does not say done is not done."""
    done: list[str] = []
    for clause in _CLAUSE_BREAK.split(text):
        # "CR-1 and CR-2 are in" is one clause; "CR-1 is in and CR-2 is not" two.
        mixed = _DONE.search(clause) and _NOT_DONE.search(clause)
        for part in _AND.split(clause) if mixed else [clause]:
            if _DONE.search(part) and not _NOT_DONE.search(part):
                done += [ref for ref in find_cases(part) if ref not in done]
    named = find_cases(text)
    return tuple(r for r in named if r in done), tuple(r for r in named if r not in done)


_LIST = r"CR[- ]?\d{1,8}(?:\s*(?:,|and|&|or)\s*CR[- ]?\d{1,8})*"
# A request for named cases ties them to the asking: "exempt from CR-1", "CR-1 only",
# "just CR-1". Cases only mentioned ("I have CR-1 and CR-2 but am off all month") are not.
_ASKED = re.compile(
    r"\b(?:exempt\w*|excused|let off|released)\s+(?:me\s+|her\s+|him\s+|them\s+)?"
    rf"(?:from|for|on)\s+(?:(?:the\s+)?(?:case\s+)?audits?\s+(?:of|for|on)\s+)?(?P<a>{_LIST})|"
    rf"(?P<b>{_LIST})\s+only\b|\b(?:only|just)\s+(?:for\s+|from\s+)?(?P<c>{_LIST})",
    re.IGNORECASE,
)


def asked_cases(text: str) -> tuple[str, ...]:
    """The cases a request asks to be exempted from, when it names them as what it asks
    for; none when it asks for the whole month."""
    found: list[str] = []
    for match in _ASKED.finditer(text):
        listed = match.group("a") or match.group("b") or match.group("c")
        found += [ref for ref in find_cases(listed) if ref not in found]
    return tuple(found)
