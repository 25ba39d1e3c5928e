"""The date a person names for an extension or a late submission ("until the 7th").

A day of the month without a month is the next such day on or after ``today``: on 20 May
"the 7th" is 7 June; for an extension (``after`` the deadline) it is the next such day
after the deadline: on 3 May, "an extension to the 4th" of May audits is 4 June. Days
named relative to the message's date count too: "next Friday" (the Friday of next week),
"Friday" (the coming one), "the end of the week" and "the end of next week" (their
Fridays), "tomorrow". Only dates tied to an extension or a promise ("until", "by", "extension
to", "aiming for") count; "off on the 20th for my op" is not a new deadline.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

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


_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_RELATIVE = re.compile(
    rf"\b{_LEAD}\s+(?:the\s+)?(?:(?P<next>next\s+)?(?:(?P<this>this|the coming)\s+)?"
    r"(?P<weekday>mon|tues?|wed(?:nes)?|thu(?:rs)?|fri)(?:day)?\b|"
    r"(?P<end>end of (?:the |this )?(?P<next_week>next )?week)\b|(?P<tomorrow>tomorrow)\b)",
    re.IGNORECASE,
)


def relative_day(match: re.Match[str], today: date) -> date:
    """The day a relative phrase names, seen from ``today``."""
    if match.group("tomorrow"):
        return today + timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    if match.group("end"):
        friday = monday + timedelta(days=4)
        return friday + timedelta(days=7) if match.group("next_week") else friday
    weekday = _WEEKDAYS[match.group("weekday")[:3].lower()]
    if match.group("next"):
        return monday + timedelta(days=7 + weekday)
    ahead = (weekday - today.weekday()) % 7 or 7  # "Friday" said on a Friday: next week's
    return today + timedelta(days=ahead)


def _resolve(day: int, month: int | None, today: date, after: date | None = None) -> date | None:
    if month is None and after is not None and today <= after:
        # For an extension: the first such day after the deadline.
        start = after + timedelta(days=1)
        found = _resolve(day, None, start)
        return found
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


def find_until(text: str, today: date, after: date | None = None) -> date | None:
    """The first extension date in ``text``, or None; ``after``: the deadline the date
    extends, so a bare day of the month is the first such day after it."""
    found: list[tuple[int, date]] = []
    relative = _RELATIVE.search(text)  # "by next Friday": its lead word ties it to the work
    if relative:
        found.append((relative.start(), relative_day(relative, today)))
    if not _EXTENSION_WORDS.search(text):
        return min(found)[1] if found else None
    for match in _DAY_OF_MONTH.finditer(text):
        day = match.group("day") or match.group("day2")
        name = match.group("month") or match.group("month2")
        month = _MONTHS[name[:3].lower()] if name else None
        resolved = _resolve(int(day), month, today, after)
        if resolved:
            found.append((match.start(), resolved))
            break
    return min(found)[1] if found else None
