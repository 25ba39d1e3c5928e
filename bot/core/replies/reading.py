"""A person's new text read whole: meaning, case references, dates, names to mask."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from bot.core.records import Auditor
from bot.core.replies.behalf import named_auditor
from bot.core.replies.cases import find_cases
from bot.core.replies.intent import prepare
from bot.core.replies.meaning import out_of_office, read_meaning
from bot.core.replies.model import Intent, Reading, Role
from bot.core.replies.names import mask_names, signature_start, staff_words
from bot.core.replies.until import find_until

_EXEMPTIONS = (Intent.EXEMPTION_REQUEST, Intent.EXEMPTION_REQUEST_ON_BEHALF)


MEANING_LIMIT = 4000  # a reply's meaning is in its first lines, not in a pasted report


def own_words(text: str) -> str:
    """The text before the sign-off and signature, where a meaning can be."""
    lines = text[:MEANING_LIMIT].split("\n")
    return "\n".join(lines[: signature_start(lines)])


def read(
    body: str,
    *,
    subject: str = "",
    today: date,
    role: Role | None = None,
    roster: Mapping[str, Auditor] | None = None,
    staff: Iterable[str] = (),
    sender: str | None = None,
    automatic: bool = False,
) -> Reading:
    """What ``body`` (the new text of one message) says, with the ``subject`` the sender
    wrote (not a reply's), read as ``role`` wrote it."""
    roster = roster or {}
    words = own_words(body)
    if subject:
        words = f"{subject}\n{words}"
    meaning = out_of_office(prepare(body)) if automatic else read_meaning(words, role)
    staff_names = staff_words([*staff, *(auditor.name for auditor in roster.values())])
    masked, count, _ = mask_names(body, staff_names)
    behalf = None
    if meaning.intent is Intent.EXEMPTION_REQUEST_ON_BEHALF and roster:
        behalf = named_auditor(words, roster, sender)
    return Reading(
        intent=meaning.intent,
        confidence=meaning.confidence,
        alternatives=meaning.alternatives,
        reason=meaning.reason if meaning.intent in _EXEMPTIONS else None,
        cases=find_cases(words),
        until=find_until(words, today),
        on_behalf_of=behalf,
        masked=masked,
        child_names_masked=count,
    )
