"""The reference token the bot puts in its subjects, e.g. ``[EXM-2021-05-017-K7M3Q9XA]``:
AUD for an auditor's month, EXM for an exemption request, ASK for a question back,
ACT for an action for a child."""

from __future__ import annotations

import re

# ASCII matters: with IGNORECASE alone the Kelvin sign would match "K".
REFERENCE_PATTERN: re.Pattern[str] = re.compile(
    r"\b(?:AUD|EXM|ASK|ACT)-\d{4}-(?:0[1-9]|1[0-2])(?:-\d{3})?-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}\b",
    re.IGNORECASE | re.ASCII,
)


def find_reference(*texts: str) -> str | None:
    """The first token in the first text that has one, upper-cased."""
    for text in texts:
        match = REFERENCE_PATTERN.search(text)
        if match:
            return match.group(0).upper()
    return None


def without_reference(subject: str) -> str:
    """A subject with reply prefixes and the bracketed token taken out."""
    subject = REFERENCE_PATTERN.sub(" ", subject).replace("[]", " ")
    return _PREFIX.sub("", subject).strip()


_PREFIX = re.compile(
    r"^(?:\s*(?:re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|r|enc|res|odp|vá|ynt|ats|réf)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)
