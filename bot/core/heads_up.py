"""Before a month starts: each active auditor told the day its audits go out, and that a
request to be exempted should come now. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from bot.core import calendar as cal
from bot.core.cycle import CycleRules, is_due
from bot.core.keys import heads_up_key
from bot.core.plans import MailPlan, Record
from bot.core.records import Auditor, Month


def heads_up_day(month: Month, rules: CycleRules) -> date | None:
    """The day ``month``'s heads-up goes: ``rules.heads_up`` working days before its
    allocation day (Monday 24 May 2021 for June, the 31st being a bank holiday)."""
    if rules.heads_up is None:
        return None
    return cal.working_days_before(cal.allocation_day(month), rules.heads_up)


def heads_up_due(month: Month, now: datetime, rules: CycleRules) -> bool:
    """From the heads-up day's send time until ``month``'s allocation day: a heads-up that
    came later would only repeat the allocation."""
    day = heads_up_day(month, rules)
    return (
        day is not None
        and is_due(day, now, rules.send_time)
        and now.date() < (cal.allocation_day(month))
    )


def plan_heads_up(
    month: Month,
    roster: Mapping[str, Auditor],
    records: Mapping[str, Record],
    exempted: frozenset[str],
    now: datetime,
    rules: CycleRules,
) -> list[MailPlan]:
    """Before ``month`` starts, each active auditor (and moderator: everyone takes part) is
    told the day its audits go out, and that a request to be exempted from them should come
    now, before the month starts, as the letter asks. Someone already exempted for ``month``
    is not asked. Once each, whoever joins the roster in the window included; it carries the
    auditor's token for ``month``, so a reply to it is about ``month``."""
    if not heads_up_due(month, now, rules):
        return []
    plans: list[MailPlan] = []
    for email, auditor in sorted(roster.items()):
        key = heads_up_key(month, email)
        if not auditor.active or email in exempted or key in records:
            continue
        context: dict[str, object] = {
            "auditor": {"name": auditor.name, "email": email},
            "month": month.title,
            "month_id": str(month),
            "allocation_day": cal.allocation_day(month),
            "deadline": cal.deadline(month),
            "council": rules.council,
        }
        plans.append(
            MailPlan(
                key,
                "heads_up",
                (email,),
                context,
                month=month,
                about=email,
                auditor_thread=True,
            )
        )
    return plans
