"""The pure reply reader: one inbound message's raw bytes in, what it is and says out.

No I/O and no clock: ``today`` is passed in. ``analyse`` never raises.

    mime        raw bytes -> headers and readable text parts, bounded
    html_text   HTML -> text, quotes marked by the client's own quote containers
    trim        the writer's new text: quotes, old headers, signatures, banners removed
    classify    reply, automatic reply (and why) or bounce; the addresses that bounced
    automatic   out-of-office notes and ticketing acknowledgements told by their words
    envelope    sender (strictly, from From: only), other senders, threading ids, AuthAs
    intent      what the new text asks or decides, by ordered rules (phrases.py): what the
                shell acts on until it passes the sender's role
    reading     the new text read whole, with the sender's role: meaning.py (rules by role,
                cues.py; unclear with the readings to ask about rather than a guess),
                grounds.py (the ground claimed), cases.py, until.py (an extension's date),
                behalf.py (the auditor a Head of Service names), names.py (children's
                names masked)
    months      the month the new text names
    reference   the bot's reference token
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
