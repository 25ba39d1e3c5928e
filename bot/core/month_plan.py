"""Everything due for one month at a moment: allocations, reminders and the extensions'
reminders while it is open, then its close and what follows it. Pure and level-triggered:
what is recorded under its key is never planned again.
"""

from __future__ import annotations

from datetime import datetime

from bot.core import calendar as cal
from bot.core.close import plan_after_close, plan_close
from bot.core.cycle import (
    CycleRules,
    MonthFacts,
    Plan,
    plan_allocations,
    plan_extension_reminders,
    plan_reminders,
)


def plan_month(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[Plan]:
    """Everything due for ``facts.month`` at local time ``now`` and not yet recorded."""
    if facts.closed:
        return plan_after_close(facts, now, rules)
    if not cal.is_working_day(now.date()):
        return []
    plans: list[Plan] = []
    plans += plan_allocations(facts, now, rules)
    plans += plan_reminders(facts, now, rules)
    plans += plan_extension_reminders(facts, now, rules)
    plans += plan_close(facts, now, rules)
    return plans
