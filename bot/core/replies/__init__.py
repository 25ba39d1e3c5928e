"""The pure reply reader: one inbound message's raw bytes in, what it is and says out.

No I/O and no clock: ``today`` is passed in. ``analyse`` never raises.
"""

from bot.core.replies.analyse import analyse
from bot.core.replies.model import Analysis, Intent, Kind, Reason, analysis_as_json
from bot.core.replies.reference import REFERENCE_PATTERN

__all__ = [
    "REFERENCE_PATTERN",
    "Analysis",
    "Intent",
    "Kind",
    "Reason",
    "analyse",
    "analysis_as_json",
]
