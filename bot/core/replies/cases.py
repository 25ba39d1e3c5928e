"""Case references a person names in their new text ("CR-104305"), in order, once each.

Mails carry case references only, so these are what a partial request or decision names.
"""

from __future__ import annotations

import re

# "CR-104305", "cr104305", "CR 104305": staff type them every way.
CASE_PATTERN = re.compile(r"\bCR[- ]?(\d{3,8})\b", re.IGNORECASE | re.ASCII)


def find_cases(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in CASE_PATTERN.finditer(text):
        ref = f"CR-{match.group(1)}"
        if ref not in found:
            found.append(ref)
    return tuple(found)
