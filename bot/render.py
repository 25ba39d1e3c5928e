"""Jinja2 rendering of each mail into subject, text and HTML.

A council can override any template by pointing ``templates:`` in config.yaml at a folder
holding files with the same names; anything it does not override comes from ``templates/``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    Undefined,
    select_autoescape,
)

from bot.core import calendar as cal
from bot.core.records import Month
from bot.core.text import CONTROL_CHARACTERS
from bot.errors import AuditBotError

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

SUBJECT_LIMIT = 200  # characters: room for a reference token, far inside a mail line
_TRAILING_TOKEN = re.compile(r"\s*\[[A-Z]{3}-[A-Z0-9-]{4,40}\]$")
# "Re:", "RE:", "Re[2]:", "AW:", "SV:", "Antw:", stacked at the start of a subject.
_REPLY_PREFIXES = re.compile(r"^(?:(?:re|aw|sv|antw)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "cllr", "sir", "dame"}


class RenderError(AuditBotError, ValueError):
    """A template produced something that must not be sent."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _defined(value: Any) -> None:
    if isinstance(value, Undefined):
        str(value)  # StrictUndefined raises here, naming the missing variable


def long_date(day: date) -> str:
    """``Monday 31 May 2021``: unambiguous on both sides of the Atlantic."""
    _defined(day)
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    _defined(day)
    return f"{day:%a} {day.day} {day:%b}"


def first_name(name: str) -> str:
    """How a colleague is greeted: ``Rachel`` for ``Rachel Morgan`` (and for ``Morgan,
    Rachel`` or ``Dr Rachel Morgan``). An address or an empty name gets ``colleague``."""
    _defined(name)
    text = " ".join(str(name or "").split())
    if not text or "@" in text:
        return "colleague"
    if "," in text:  # "Surname, Forename" as some directories write it
        text = text.partition(",")[2].strip() or text.partition(",")[0]
    words = text.split()
    while len(words) > 1 and words[0].rstrip(".").lower() in _TITLES:
        words = words[1:]
    return words[0]


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """``1 audit``, ``2 audits``; ``plural`` for words that do not just take an s."""
    _defined(number)
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def day_off(day: date) -> str:
    """Why ``day`` is not a working day (``a bank holiday``, ``a Sunday``), or ``""``."""
    _defined(day)
    if cal.is_working_day(day):
        return ""
    return "a bank holiday" if cal.bank_holiday_name(day) else f"a {day:%A}"


def last_working_day(day: date) -> date:
    """The last working day on or before ``day``: when a deadline on a holiday is met."""
    _defined(day)
    return cal.previous_working_day(day)


def working_days_after(today: date, day: date) -> int:
    """Working days after ``today`` up to and including ``day``, as the reminders count."""
    _defined(today)
    _defined(day)
    return cal.working_days_between(today, day)


def next_allocation_day(month_id: str) -> date:
    """The day the month after ``month_id`` (``2021-05``) is allocated."""
    _defined(month_id)
    return cal.allocation_day(Month.parse(str(month_id)).plus(1))


def in_our_words(reason: str) -> str:
    """A recorded reason as the QA team says it in mail: "we", never "the bot"."""
    _defined(reason)
    text = re.sub(r"\bthe bot's\b", "our", str(reason))
    text = re.sub(r"\bthe bot acts\b", "we act", text)
    return re.sub(r"\bthe bot\b", "we", text)


def subject_line(text: str) -> str:
    """A subject safe for any header, whatever the template was given (a folded subject from
    a reply, a separator typed into a sheet: CVE-2024-6923): one line, no control
    characters, capped, with a trailing reference token kept whole."""
    # Whitespace of every kind (TAB, line and paragraph separators, NEL) is folded by
    # str.split; what is left of the control characters is dropped.
    line = CONTROL_CHARACTERS.sub("", " ".join(text.split()))
    # A reply to a reply reads "Re: ..." once, however many prefixes the thread piled up.
    line = _REPLY_PREFIXES.sub("Re: ", line)
    if len(line) <= SUBJECT_LIMIT:
        return line
    token = _TRAILING_TOKEN.search(line)
    tail = token.group(0) if token else ""
    return line[: SUBJECT_LIMIT - len(tail) - 1].rstrip() + "…" + tail


class Renderer:
    def __init__(self, override: Path | None = None, **globals_: Any) -> None:
        loaders = [FileSystemLoader(BUILTIN_TEMPLATES)]
        if override is not None:
            loaders.insert(0, FileSystemLoader(override))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            # HTML parts are escaped (values come from sheets and mail); text parts are not.
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["long_date"] = long_date
        self.env.filters["short_date"] = short_date
        self.env.filters["first_name"] = first_name
        self.env.filters["counted"] = counted
        self.env.filters["day_off"] = day_off
        self.env.filters["last_working_day"] = last_working_day
        self.env.filters["working_days_after"] = working_days_after
        self.env.filters["next_allocation_day"] = next_allocation_day
        self.env.filters["in_our_words"] = in_our_words
        # Values a deployment may leave out; ``today`` is the day a mail is planned.
        self.env.globals.update(audit_tool_url=None, director_name=None, today=None)
        self.env.globals.update(globals_)

    def render(self, name: str, context: Mapping[str, Any]) -> Rendered:
        subject = subject_line(self.env.get_template(f"{name}/subject.txt").render(context))
        if not subject:
            raise RenderError(f"template {name}: subject is empty")
        text = self.env.get_template(f"{name}/body.txt").render(context)
        try:
            html_template = self.env.get_template(f"{name}/body.html")
        except TemplateNotFound:
            # Short notices need no HTML of their own: their text in the house layout.
            html = self.env.get_template("text_as_html.html").render(
                {**context, "text": text, "title": subject}
            )
        else:
            html = html_template.render(context)
        return Rendered(subject=subject, text=text, html=html)
