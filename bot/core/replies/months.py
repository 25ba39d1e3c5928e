"""The month a person's text names: "most of June", "in July 2021", "next month".

A month named without a year is the next such month on or after the current one: in
November, "January" is next January. The month just gone is the exception in the first
week after it, while its audits are being closed: on 3 June, "my May audits" are May's.
Month names need a little context ("in June", "5 June", "June 2021", "June audits")
because May, March and June are also words and names.
"""

from __future__ import annotations

import re
from datetime import date

from bot.core.records import Month

_NUMBERS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_NAME = r"(?P<name>" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")\b\.?"
_YEAR = r",?\s+(?P<year>(?:19|20)\d\d)\b"
_BEFORE = (
    r"\b(?:in|of|for|during|until|till|til|from|by|through|throughout|before|after|since|into|"
    r"over|early|late|mid|end of|start of|beginning of|most of|all of|whole of|rest of|"
    r"month of|this|next|coming)(?:\s+the)?(?:\s+|-)"
)
_DAY = r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?"
_NAMED = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"{_BEFORE}{_NAME}(?:{_YEAR})?",
        rf"{_DAY}{_NAME}(?:{_YEAR})?",
        rf"\b{_NAME}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\d)(?:{_YEAR})?",
        rf"\b{_NAME}{_YEAR}",
        rf"\b{_NAME}(?:'s)?\s+(?:audits?|allocations?|cases?|deadline|cycle|qa)\b",
    )
)
# "this may be late", "in March we..." : "may" followed by a verb is the verb.
_MAY_VERB = re.compile(
    r"\s+(?:not|be|have|need|take|make|also|well|affect|mean|cause|want|like|help|slip|"
    r"impact|result|require|delay|seem|get|come|only|still|just|never|i|we|you|they)\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(?P<which>this|next|last|the coming|the following|the previous)\s+month\b", re.I
)


def _named_month(match: re.Match[str], today: date) -> Month:
    number = _NUMBERS[match.group("name").lower()]
    year = match.groupdict().get("year")
    if year:
        return Month(int(year), number)
    current = Month.of(today)
    if current.previous().month == number and today.day <= 7:
        return current.previous()
    return Month(today.year if number >= today.month else today.year + 1, number)


def _relative_month(match: re.Match[str], today: date) -> Month:
    which = match.group("which").lower()
    current = Month.of(today)
    if which in ("next", "the coming", "the following"):
        return current.next()
    if which in ("last", "the previous"):
        return current.previous()
    return current


def find_month(text: str, today: date) -> Month | None:
    """The first month the text names, resolved against today."""
    found: list[tuple[int, Month]] = []
    for pattern in _NAMED:
        for match in pattern.finditer(text):
            if match.group("name").lower() == "may" and _MAY_VERB.match(text, match.end("name")):
                continue
            found.append((match.start("name"), _named_month(match, today)))
            break
    relative = _RELATIVE.search(text)
    if relative:
        found.append((relative.start(), _relative_month(relative, today)))
    return min(found, key=lambda item: item[0])[1] if found else None
