"""How long what people wrote is kept, and what is due to go at a given moment.

Pure: the moment is a parameter. The store and the transports do the deleting.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

RAW_MAIL = "raw_mail_months"
QUARANTINE = "quarantine_months"


@dataclass(frozen=True)
class RetentionRules:
    raw_mail_months: int = 12
    quarantine_months: int = 3
    trail_years: int = 7


@dataclass(frozen=True)
class Cutoffs:
    """What was received (or written) before each moment is due to be deleted."""

    raw_mail: datetime
    quarantine: datetime
    trail: datetime


def months_before(moment: datetime, months: int) -> datetime:
    """The same local time ``months`` calendar months earlier; the 31st becomes the month's
    last day where there is no 31st."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def cutoffs(local_now: datetime, rules: RetentionRules) -> Cutoffs:
    if local_now.tzinfo is None:
        raise ValueError("cutoffs need an aware datetime")
    return Cutoffs(
        raw_mail=months_before(local_now, rules.raw_mail_months),
        quarantine=months_before(local_now, rules.quarantine_months),
        trail=months_before(local_now, rules.trail_years * 12),
    )


def raw_rule(received_at: datetime, status: str, cut: Cutoffs) -> str | None:
    """The rule under which a stored message's raw bytes are due to go, or None to keep
    them. Quarantined mail goes sooner: nothing was done with it. A message not yet
    finished (received, being acted on) is never due."""
    if status == "quarantined":
        return QUARANTINE if received_at < cut.quarantine else None
    if status == "processed":
        return RAW_MAIL if received_at < cut.raw_mail else None
    return None


def words_due(written_at: datetime | None, cut: Cutoffs) -> bool:
    """Words taken from a message (a request's reasons, a note) follow the raw mail."""
    return written_at is not None and written_at < cut.raw_mail


def purge_due(last_purged_on: date | None, today: date) -> bool:
    """Once a local day is enough: every other tick that day finds nothing to do."""
    return last_purged_on is None or today > last_purged_on


# What an erasure on request leaves, and why: said to the QA team before they confirm it.
KEPT_ON_ERASURE: tuple[tuple[str, str], ...] = (
    (
        "exemption requests' decisions: reason category, flags, dates, state, who asked and "
        "who decided",
        "they are the record of a decision the director made",
    ),
    (
        "the audit trail: who did or decided what, and when (never what anyone wrote)",
        "it is the evidence of the process, kept trail_years; its chain must stay whole",
    ),
    (
        "allocations, completions, each month's outcome and the roster entries",
        "the monthly QA report counts them",
    ),
    (
        "the sent mail's keys, addresses, subjects and dates",
        "so that no mail is ever sent twice",
    ),
    (
        "a SHA-256 digest of each deleted message",
        "so that a copy found later in a mail folder is recognised and deleted too",
    ),
    (
        "mail not yet sent, and mail from them still being acted on",
        "until it has gone or been filed; the daily purge takes it after its period",
    ),
)
