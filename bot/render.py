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

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


class RenderError(ValueError):
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
        subject = self.env.get_template(f"{name}/subject.txt").render(context)
        # Template line breaks are layout and become spaces; any other control character
        # (\r, NUL, an encoded line separator from a sheet: CVE-2024-6923) is refused.
        if _CONTROL.search(subject.replace("\n", "")):
            raise RenderError(f"template {name}: subject holds control characters")
        subject = " ".join(subject.split())
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
