"""Telling the QA team about problems in their spreadsheets: once per distinct list."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.cycle import CycleRules
from bot.core.keys import problems_key
from bot.core.plans import MailPlan, Record


def plan_problem_report(
    source: str,
    problems: list[str],
    records: Mapping[str, Record],
    rules: CycleRules,
    kind: str = "sheet",
    template: str = "sheet_problems",
) -> list[MailPlan]:
    """One mail for a set of problems in one input file; the same set is never re-sent,
    a changed set (fixed, or broken anew) is."""
    if not problems:
        return []
    key = problems_key(source, problems)
    if key in records:
        return []
    context = {"source": source, "kind": kind, "problems": problems, "council": rules.council}
    return [MailPlan(key, template, (rules.qa_team,), context)]
