"""``auditbot moderation``: who moderates what, what is back, agreement so far."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.app import App
from bot.core import moderation as mod
from bot.core.records import Month
from bot.moderation import in_time_audits, read_round
from bot.store import moderation as stored


def moderation_view(app: App, month: Month, now: datetime) -> dict[str, Any] | None:
    """The month's moderation as plain values; None when it has not started. ``not_given``:
    audits submitted in time, in the sample, that are not in the round: given at a later
    tick while moderation is ``open``, else not moderated."""
    today = now.astimezone(app.settings.tz).date()
    rules = app.moderation_rules
    with app.engine.connect() as connection:
        round_, problems = read_round(app.settings, connection, month)
        if round_ is None:
            return None
        is_open = mod.open_for_top_up(round_, stored.mail_keys(connection, month), today)
        in_time, _ = in_time_audits(app.settings, connection, month, now, app.parsed_sheets)
    held = [a.audit for a in round_.assignments]
    not_given = mod.sample(in_time, month, rules.sample, rules.min_per_auditor, held)
    audits = []
    for a in round_.assignments:
        back = round_.moderated(a)
        audits.append(
            {
                "case_ref": a.audit.case_ref,
                "auditor": a.audit.auditor_email,
                "grade": a.audit.grade.value if a.audit.grade else None,
                "moderator": a.moderator.email if a.moderator else None,
                "moderated_grade": back.grade.value if back else None,
                "moderated_on": back.moderated_on.isoformat() if back else None,
                "steps_apart": (
                    mod.steps_apart(a.audit.grade, back.grade) if back and a.audit.grade else None
                ),
            }
        )
    overall = mod.agreements(round_).overall
    return {
        "month": str(month),
        "started_on": round_.started_on.isoformat(),
        "due": round_.due.isoformat(),
        "allocated": len(round_.allocated),
        "returned": sum(1 for a in round_.allocated if round_.moderated(a) is not None),
        "complete": round_.complete,
        "agreement": {
            "same": overall.same,
            "one_step": overall.one_step,
            "two_or_more": overall.two_or_more,
        },
        "late": {
            email: [a.audit.case_ref for a in waiting]
            for email, waiting in round_.late(today).items()
        },
        "open": is_open,
        "not_given": sorted(a.case_ref for a in not_given),
        "problems": [str(p) for p in problems],
        "audits": audits,
    }
