"""The auditor a Head of Service names when asking on their behalf, as a roster address.

By address first, then by full name, then by first name; among the Head of Service's own
auditors first. Two people who answer to the same name give None: a person decides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.core.records import Auditor

_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def _named(text: str, name: str) -> bool:
    return bool(name) and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def _one(found: list[Auditor]) -> str | None:
    emails = {auditor.email for auditor in found}
    return emails.pop() if len(emails) == 1 else None


def named_auditor(text: str, roster: Mapping[str, Auditor], head: str | None = None) -> str | None:
    """The roster address of the one auditor ``text`` names, or None."""
    for address in _ADDRESS.findall(text):
        if address.lower() in roster:
            return address.lower()
    everyone = [auditor for auditor in roster.values() if auditor.active]
    own = [auditor for auditor in everyone if head and auditor.head_of_service_email == head]
    for pool in (own, everyone):
        full = [a for a in pool if _named(text.lower(), " ".join(a.name.lower().split()))]
        if full:
            return _one(full)
        first = [a for a in pool if a.name.split() and _named(text, a.name.split()[0])]
        if first:
            return _one(first)
    return None
