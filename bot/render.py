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

from bot.core.text import CONTROL_CHARACTERS
from bot.errors import AuditBotError

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

SUBJECT_LIMIT = 200  # characters: room for a reference token, far inside a mail line
_TRAILING_TOKEN = re.compile(r"\s*\[[A-Z]{3}-[A-Z0-9-]{4,40}\]$")


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


def subject_line(text: str) -> str:
    """A subject safe for any header, whatever the template was given (a folded subject from
    a reply, a separator typed into a sheet: CVE-2024-6923): one line, no control
    characters, capped, with a trailing reference token kept whole."""
    # Whitespace of every kind (TAB, line and paragraph separators, NEL) is folded by
    # str.split; what is left of the control characters is dropped.
    line = CONTROL_CHARACTERS.sub("", " ".join(text.split()))
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
