"""Retention at each tick: what people wrote goes once its period is over, from the store and
from the mail folders, and the purge itself is an event in the trail; so do the trail's own
events once ``trail_years`` have passed, the chain still checked from a recorded anchor. Once
a local day; every other tick reads one value and stops."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.app import App
from bot.core.retention import cutoffs, purge_due
from bot.store import retention, trail
from bot.store.trail import append_event


@dataclass(frozen=True)
class PurgeReport:
    counts: dict[str, int]
    files: int  # mail files deleted or cut down in the transport's folders
    trail_events: int = 0  # the trail's events older than trail_years, deleted


def purge(app: App, now: datetime) -> PurgeReport | None:
    """Delete what is due at ``now``; None when the day's purge has run already."""
    local = now.astimezone(app.settings.tz)
    today = local.date()
    rules = app.settings.retention
    with app.engine.connect() as reading:
        if not purge_due(retention.last_purged_on(reading), today):
            return None
    cut = cutoffs(local, rules.rules)
    with app.engine.begin() as connection:
        pruned = trail.prune(
            connection,
            now,
            cut.trail,
            {"rule": "trail_years", "trail_years": rules.trail_years},
        )
        purged = retention.purge(connection, cut, now)
        # The folders first: a crash before the commit leaves the rows to be found again.
        files = forget_files(
            app,
            retention.purged_digests(connection) | purged.raw_digests,
            purged.raw_keys,
            purged.sent_keys,
        )
        if purged.anything or files:
            append_event(
                connection,
                now,
                "retention_purge",
                month=None,
                subject=None,
                detail={
                    **purged.counts(),
                    "files": files,
                    "rules": {
                        "raw_mail_months": rules.raw_mail_months,
                        "quarantine_months": rules.quarantine_months,
                    },
                    "before": {
                        "raw_mail": cut.raw_mail.isoformat(),
                        "quarantine": cut.quarantine.isoformat(),
                    },
                },
            )
        retention.mark_purged_on(connection, today)
    if purged.anything or pruned:
        retention.reclaim(app.engine)
    return PurgeReport(purged.counts(), files, pruned)


def forget_files(app: App, digests: set[str], message_ids: set[str], sent_keys: list[str]) -> int:
    """Delete from the transport's Processed and Quarantine folders the messages whose raw
    bytes went from the store, and cut the sent mail under ``sent_keys`` down to its headers
    where the transport keeps it; how many went or were cut. The local maildir knows a
    message by its bytes' digest (every digest ever deleted: a copy put back goes too);
    Microsoft 365 by its Message-ID (those deleted now)."""
    files = 0
    forget_filed = getattr(app.transport, "forget_filed", None)
    if forget_filed is not None and digests:
        files += forget_filed(digests)
    forget_filed_messages = getattr(app.transport, "forget_filed_messages", None)
    if forget_filed_messages is not None and message_ids:
        files += forget_filed_messages(sorted(message_ids))
    forget_sent = getattr(app.transport, "forget_sent", None)
    if forget_sent is not None and sent_keys:
        files += forget_sent(sent_keys)
    return files
