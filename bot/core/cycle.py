"""The monthly cycle as a pure function: given what is known and ``now``, what is due.

Level-triggered: the planner returns everything that ought to exist by ``now`` and is
not yet recorded under its key. Running it twice with the same facts plans nothing new
the second time, because the shell records every plan before the next run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.core import calendar as cal
from bot.core.keys import (
    Kind,
    allocation_key,
    allocation_update_key,
    close_head_key,
    close_qa_key,
    exempt_but_allocated_key,
    missing_sheet_key,
    parse,
    reminder_key,
)
from bot.core.plans import (
    AuditorOutcome,
    ClosePlan,
    LatePlan,
    MailPlan,
    Outcome,
    Record,
    SkipPlan,
)
from bot.core.records import Allocation, Auditor, Completion, Month

Plan = MailPlan | SkipPlan | ClosePlan | LatePlan


@dataclass(frozen=True)
class CycleRules:
    send_time: time
    reminders: tuple[int, ...]  # stages, largest first
    copy_head_of_service_from_stage: int | None
    qa_team: str
    council: str = "the council"


@dataclass(frozen=True)
class MonthFacts:
    month: Month
    roster: Mapping[str, Auditor]
    sheet_found: bool
    allocations: Mapping[str, tuple[Allocation, ...]]  # by auditor; held-back auditors absent
    held_back: frozenset[str]
    completions: Mapping[str, Completion]  # by case reference
    records: Mapping[str, Record]  # outbox keys already in the store
    closed: bool = False
    exempted: frozenset[str] = frozenset()
    missed: frozenset[str] = frozenset()  # frozen at close; only read once closed
    late: frozenset[str] = frozenset()
    self_reported: frozenset[str] = frozenset()
    unconfirmed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def is_due(day: date, now: datetime, send_time: time) -> bool:
    """Scheduled mail for ``day`` is due on a working day at or after the send time."""
    today = now.date()
    return cal.is_working_day(today) and (day < today or (day == today and now.time() >= send_time))


def submission(completions: Mapping[str, Completion], case: Allocation) -> Completion | None:
    """The completion of ``case``; the completions mapping is keyed by upper-case reference."""
    return completions.get(case.case_ref.upper())


def in_time(done: Completion | None, deadline: date) -> bool:
    """Submitted on or before the deadline: late ones do not count."""
    return done is not None and done.submitted_on <= deadline


def outstanding_cases(
    month: Month, cases: Iterable[Allocation], completions: Mapping[str, Completion]
) -> list[Allocation]:
    """The allocated cases not submitted in time."""
    deadline = cal.deadline(month)
    return [c for c in cases if not in_time(submission(completions, c), deadline)]


def is_complete(
    month: Month, cases: tuple[Allocation, ...], completions: Mapping[str, Completion]
) -> bool:
    """Every allocated case submitted on or before the deadline."""
    return not outstanding_cases(month, cases, completions)


def plan_month(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[Plan]:
    """Everything due for ``facts.month`` at local time ``now`` and not yet recorded."""
    if facts.closed:
        return list(_plan_late(facts))
    if not cal.is_working_day(now.date()):
        return []
    plans: list[Plan] = []
    plans += _plan_allocations(facts, now, rules)
    plans += _plan_reminders(facts, now, rules)
    plans += _plan_close(facts, now, rules)
    return plans


def _in_allocation_window(month: Month, now: datetime, rules: CycleRules) -> bool:
    return is_due(
        cal.allocation_day(month), now, rules.send_time
    ) and now.date() <= cal.deadline_day(month)


def _plan_allocations(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[Plan]:
    month = facts.month
    if not _in_allocation_window(month, now, rules):
        return []
    if not facts.sheet_found:
        key = missing_sheet_key(month)
        if key in facts.records:
            return []
        context: dict[str, object] = {
            "month": month.title,
            "month_id": str(month),
            "council": rules.council,
        }
        return [MailPlan(key, "missing_sheet", (rules.qa_team,), context, month=month)]
    issued_by_auditor = _issued_cases(facts)
    plans: list[Plan] = []
    for email, cases in sorted(facts.allocations.items()):
        auditor = facts.roster.get(email)
        if auditor is None or not auditor.active:
            continue
        if email in facts.exempted:
            notice = _exempt_but_allocated(facts, auditor, rules)
            if not {allocation_key(month, email), notice.key} & facts.records.keys():
                plans.append(notice)
            continue
        if email in facts.held_back:  # never a partial allocation: wait for the sheet fix
            continue
        issued = issued_by_auditor.get(email, set())
        # The sheet folds case ("cr-1001" is "CR-1001"), so a corrected capital is no new case.
        new_cases = tuple(c for c in cases if c.case_ref.upper() not in issued)
        if not new_cases:
            continue
        key = allocation_key(month, email)
        template = "allocation"
        if key in facts.records:  # cases added to the sheet after the first mail
            key = allocation_update_key(month, email, (c.case_ref for c in new_cases))
            template = "allocation_update"
        context = {
            "auditor": {"name": auditor.name, "email": email},
            "month": month.title,
            "month_id": str(month),
            "deadline": cal.deadline(month),
            "cases": [{"ref": c.case_ref, "type": c.audit_type.label} for c in new_cases],
            "council": rules.council,
        }
        detail = {"cases": [c.case_ref for c in new_cases]}
        plans.append(
            MailPlan(
                key,
                template,
                (email,),
                context,
                month=month,
                about=email,
                detail=detail,
                auditor_thread=True,
            )
        )
    return plans


def _exempt_but_allocated(facts: MonthFacts, auditor: Auditor, rules: CycleRules) -> MailPlan:
    """Exempted before allocation day: no allocation mail, and the QA team is told."""
    context = {
        "name": auditor.name,
        "email": auditor.email,
        "month": facts.month.title,
        "cases": [c.case_ref for c in facts.allocations[auditor.email]],
        "council": rules.council,
    }
    key = exempt_but_allocated_key(facts.month, auditor.email)
    return MailPlan(key, "exempt_but_allocated", (rules.qa_team,), context, month=facts.month)


def _issued_cases(facts: MonthFacts) -> dict[str, set[str]]:
    """Case references already mailed to each auditor this month, by auditor."""
    issued: dict[str, set[str]] = {}
    for key, record in facts.records.items():
        cases = record.detail.get("cases")
        if not cases:  # only allocation mail lists cases: most keys need no reading
            continue
        parsed = parse(key)
        if parsed.kind in _ALLOCATING and parsed.month == facts.month and parsed.email:
            issued.setdefault(parsed.email, set()).update(ref.upper() for ref in cases)
    return issued


_ALLOCATING = (Kind.ALLOCATION, Kind.ALLOCATION_UPDATE)


def _due_stages(month: Month, now: datetime, rules: CycleRules) -> list[int]:
    if now.date() > cal.deadline_day(month):
        return []
    return [k for k in rules.reminders if is_due(cal.reminder_day(month, k), now, rules.send_time)]


def _plan_reminders(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[Plan]:
    month = facts.month
    due = _due_stages(month, now, rules)
    if not due:
        return []
    latest = min(due)
    plans: list[Plan] = []
    for email, cases in sorted(facts.allocations.items()):
        allocated = facts.records.get(allocation_key(month, email))
        auditor = facts.roster.get(email)
        if allocated is None or auditor is None or not auditor.active:
            continue
        if email in facts.exempted or email in facts.self_reported:
            continue
        if is_complete(month, cases, facts.completions):
            continue
        key = reminder_key(month, latest, email)
        if key in facts.records or allocated.planned_on == now.date():
            continue  # already sent, or the allocation itself went out today
        # After downtime only the latest stage goes; older unsent stages are recorded as skipped.
        plans += [
            SkipPlan(reminder_key(month, k, email), month, email, k)
            for k in due
            if k != latest and reminder_key(month, k, email) not in facts.records
        ]
        plans.append(_reminder(facts, auditor, cases, latest, rules))
    return plans


def _reminder(
    facts: MonthFacts,
    auditor: Auditor,
    cases: tuple[Allocation, ...],
    stage: int,
    rules: CycleRules,
) -> MailPlan:
    month = facts.month
    copy_from = rules.copy_head_of_service_from_stage
    cc = (auditor.head_of_service_email,) if copy_from is not None and stage <= copy_from else ()
    outstanding = outstanding_cases(month, cases, facts.completions)
    context = {
        "auditor": {"name": auditor.name, "email": auditor.email},
        "head_of_service": auditor.head_of_service or auditor.head_of_service_email,
        "month": month.title,
        "month_id": str(month),
        "deadline": cal.deadline(month),
        "deadline_day": cal.deadline_day(month),
        "stage": stage,
        "urgency": rules.reminders.index(stage),
        "final": stage == 0,
        "working_days_left": stage,
        "copied": bool(cc),
        "out_of_office": False,  # the shell fills it in from MailTips where it can
        "outstanding": [{"ref": c.case_ref, "type": c.audit_type.label} for c in outstanding],
        "council": rules.council,
    }
    return MailPlan(
        reminder_key(month, stage, auditor.email),
        "reminder",
        (auditor.email,),
        context,
        cc=cc,
        month=month,
        about=auditor.email,
        stage=stage,
        auditor_thread=True,
    )


def outcomes_at_close(facts: MonthFacts) -> tuple[AuditorOutcome, ...]:
    """Each auditor who was sent an allocation: complete, exempted or missed."""
    result = []
    for email, cases in sorted(facts.allocations.items()):
        if allocation_key(facts.month, email) not in facts.records:
            continue
        auditor = facts.roster.get(email)
        if email in facts.exempted:
            outcome = Outcome.EXEMPTED
        elif is_complete(facts.month, cases, facts.completions):
            outcome = Outcome.COMPLETE
        else:
            outcome = Outcome.MISSED
        result.append(
            AuditorOutcome(
                email=email,
                name=auditor.name if auditor else email,
                team=auditor.team if auditor else "(left the roster)",
                head_of_service_email=auditor.head_of_service_email if auditor else "",
                outcome=outcome,
                cases=len(cases),
            )
        )
    return tuple(result)


def _plan_close(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[Plan]:
    month = facts.month
    if not is_due(cal.close_day(month), now, rules.send_time):
        return []
    outcomes = outcomes_at_close(facts)
    plans: list[Plan] = [ClosePlan(month, outcomes)]
    if not outcomes:  # nothing was allocated (sheet never came, or before the bot ran)
        return plans
    by_head: dict[str, list[AuditorOutcome]] = {}
    for outcome in outcomes:
        if outcome.head_of_service_email:
            by_head.setdefault(outcome.head_of_service_email, []).append(outcome)
    names = {a.head_of_service_email: a.head_of_service for a in facts.roster.values()}
    for head, theirs in sorted(by_head.items()):
        context = {
            "head_of_service": names.get(head) or head,
            "month": month.title,
            "month_id": str(month),
            "deadline": cal.deadline(month),
            "missed": [_person(o) for o in theirs if o.outcome is Outcome.MISSED],
            "complete": sum(o.outcome is Outcome.COMPLETE for o in theirs),
            "exempted": sum(o.outcome is Outcome.EXEMPTED for o in theirs),
            "total": len(theirs),
            "unconfirmed": _unconfirmed(facts, theirs),
            "council": rules.council,
        }
        plans.append(
            MailPlan(
                close_head_key(month, head), "close_head_of_service", (head,), context, month=month
            )
        )
    plans.append(
        MailPlan(
            close_qa_key(month),
            "close_summary",
            (rules.qa_team,),
            _summary_context(facts, outcomes, rules),
            month=month,
        )
    )
    return plans


def _person(outcome: AuditorOutcome) -> dict[str, object]:
    return {
        "name": outcome.name,
        "email": outcome.email,
        "team": outcome.team,
        "cases": outcome.cases,
    }


def _unconfirmed(facts: MonthFacts, outcomes: list[AuditorOutcome]) -> list[dict[str, object]]:
    """Self-reported completions the completions sheet never confirmed."""
    return [
        {**_person(o), "cases": list(facts.unconfirmed.get(o.email, ()))}
        for o in outcomes
        if o.outcome is Outcome.MISSED and o.email in facts.self_reported
    ]


def _summary_context(
    facts: MonthFacts, outcomes: tuple[AuditorOutcome, ...], rules: CycleRules
) -> dict[str, object]:
    teams: dict[str, dict[str, int]] = {}
    for o in outcomes:
        row = teams.setdefault(o.team, {"total": 0, **{x.value: 0 for x in Outcome}})
        row["total"] += 1
        row[o.outcome.value] += 1
    counted = [o for o in outcomes if o.outcome is not Outcome.EXEMPTED]
    complete = sum(o.outcome is Outcome.COMPLETE for o in outcomes)
    return {
        "month": facts.month.title,
        "month_id": str(facts.month),
        "deadline": cal.deadline(facts.month),
        "total": len(outcomes),
        "complete": complete,
        "exempted": sum(o.outcome is Outcome.EXEMPTED for o in outcomes),
        "missed": [_person(o) for o in outcomes if o.outcome is Outcome.MISSED],
        "rate": round(100 * complete / len(counted)) if counted else None,
        "teams": [{"team": name, **row} for name, row in sorted(teams.items())],
        "held_back": sorted(facts.held_back),
        "unconfirmed": _unconfirmed(facts, list(outcomes)),
        "council": rules.council,
    }


def _plan_late(facts: MonthFacts) -> list[Plan]:
    """After the freeze, a missed auditor whose audits all arrive is recorded as late."""
    plans: list[Plan] = []
    for email in sorted(facts.missed - facts.late):
        cases = facts.allocations.get(email, ())
        submitted = [submission(facts.completions, c) for c in cases]
        if cases and all(submitted):
            last = max(s.submitted_on for s in submitted if s)
            plans.append(LatePlan(facts.month, email, last))
    return plans
