"""How long what people wrote is kept, and what is due to go at a given moment.

Pure: the moment is a parameter. The store and the transports do the deleting.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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


# The purge runs at the first tick of each local day: a day's slack, and one more for a
# quiet night, before its absence is worth a warning.
PURGE_SLACK = timedelta(days=2)


@dataclass(frozen=True)
class Health:
    """One line of `auditbot doctor` about retention: ok or warn, what, and what to do."""

    level: str
    what: str
    fix: str = ""


def retention_health(
    local_now: datetime,
    rules: RetentionRules,
    oldest_raw: dict[str, datetime],
    last_purged_on: date | None,
    last_tick: datetime | None,
) -> list[Health]:
    """Whether retention is keeping up at ``local_now``: the oldest raw message held of each
    status (processed, quarantined) against its period, and when the purge last ran against
    the ticks. ``oldest_raw`` maps a status to its oldest raw message still held."""
    tz = local_now.tzinfo
    cut = cutoffs(local_now, rules)
    found = []
    periods = {
        "processed": (cut.raw_mail, f"raw_mail_months ({rules.raw_mail_months})"),
        "quarantined": (cut.quarantine, f"quarantine_months ({rules.quarantine_months})"),
    }
    if not oldest_raw:
        found.append(Health("ok", "no raw mail held"))
    for status, oldest in sorted(oldest_raw.items()):
        before, rule = periods[status]
        said = (
            f"the oldest raw {status} message held arrived {oldest.astimezone(tz):%d %b %Y} "
            f"({(local_now - oldest).days} days ago)"
        )
        if oldest < before - PURGE_SLACK:
            found.append(
                Health("warn", f"{said}, past {rule}", "retention is behind: check that ticks run")
            )
        else:
            found.append(Health("ok", f"{said}; kept {rule}"))
    today = local_now.date()
    ticking = last_tick is not None and local_now - last_tick <= PURGE_SLACK
    if last_tick is None:
        found.append(Health("ok", "retention: no tick has run yet"))
    elif not ticking:
        found.append(
            Health(
                "warn",
                f"retention: no tick since {last_tick.astimezone(tz):%d %b %Y %H:%M}, so "
                "nothing is purged",
                "start `auditbot run` (or its service)",
            )
        )
    elif last_purged_on is None or today - last_purged_on > PURGE_SLACK:
        since = f"since {last_purged_on:%d %b %Y}" if last_purged_on else "ever"
        found.append(
            Health(
                "warn",
                f"retention: ticks run but no purge has run {since}",
                "look in the log for an error from the purge at the first tick of the day",
            )
        )
    else:
        found.append(Health("ok", f"retention: the purge last ran on {last_purged_on:%a %d %b %Y}"))
    return found
