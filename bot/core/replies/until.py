"""The date a person names for an extension or a late submission ("until the 7th").

A day of the month without a month is the next such day on or after ``today``: on 20 May
"the 7th" is 7 June. Only dates tied to an extension or a promise ("until", "by", "extension
to", "aiming for") count; "off on the 20th for my op" is not a new deadline.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# Only words that tie a date to the work or to more time: "off until the 14th" is not one.
_LEAD = (
    r"(?:(?:have|get|give|giving|grant|allow|need|want|had)\w*\s+(?:\w+\s+)?(?:until|till|to)|"
    r"extension\s+(?:to|until|till|of)|extended\s+(?:to|until|till)|by|aiming for|"
    r"deadline of|slip\w*\s+(?:to|until))"
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_DAY_OF_MONTH = re.compile(
    rf"\b{_LEAD}\s+(?:the\s+)?(?:(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b"
    rf"(?:\s+(?:of\s+)?(?P<month>{_MONTH})\b)?|(?P<day2>[0-3]?\d)\s+(?P<month2>{_MONTH})\b)",
    re.IGNORECASE,
)
_EXTENSION_WORDS = re.compile(
    r"\b(?:until|till|extension|extra|more time|late|slip|after the deadline|by the|"
    r"aiming|get it (?:done|in)|have it done|done by|in by)\b",
    re.IGNORECASE,
)


def _resolve(day: int, month: int | None, today: date) -> date | None:
    if month is None:
        month, year = today.month, today.year
        if day < today.day:
            month, year = (1, year + 1) if month == 12 else (month + 1, year)
    else:
        year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_until(text: str, today: date) -> date | None:
    """The first extension date in ``text``, or None."""
    if not _EXTENSION_WORDS.search(text):
        return None
    for match in _DAY_OF_MONTH.finditer(text):
        day = match.group("day") or match.group("day2")
        name = match.group("month") or match.group("month2")
        found = _resolve(int(day), _MONTHS[name[:3].lower()] if name else None, today)
        if found:
            return found
    return None
