"""The month's close as a pure function: outcomes frozen on the first working day after the
deadline, the close mails, the close becoming final, and counting by submission date after
it (a lagging export, a late audit, a decision while provisional, an extension running).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bot.core import calendar as cal
from bot.core.case_outcomes import CaseOutcome
from bot.core.cycle import (
    CycleRules,
    MonthFacts,
    Plan,
    Standing,
    is_due,
    plan_extension_reminders,
    standings,
    submitted_on,
)
from bot.core.keys import close_corrected_key, close_head_key, close_qa_key
from bot.core.plans import (
    ClosePlan,
    FinalPlan,
    FrozenOutcome,
    LatePlan,
    MailPlan,
    Outcome,
    OutcomePlan,
)


def outcomes_at_close(facts: MonthFacts) -> tuple[FrozenOutcome, ...]:
    """Each auditor who was sent an allocation, by address: their standing as the month
    closes, frozen (complete, exempted, or missed: outstanding and self-reported alike)."""
    return tuple(
        FrozenOutcome(
            row.email,
            row.name,
            row.team,
            row.head_email,
            _AT_CLOSE.get(row.standing, Outcome.MISSED),
            row.cases,
        )
        for row in sorted(standings(facts), key=lambda r: r.email)
        if row.issued
    )


_AT_CLOSE = {
    Standing.COMPLETE: Outcome.COMPLETE,
    Standing.EXEMPTED: Outcome.EXEMPTED,
    Standing.EXTENDED: Outcome.EXTENDED,
}


def plan_close(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[Plan]:
    month = facts.month
    if not is_due(cal.close_day(month), now, rules.send_time):
        return []
    outcomes = outcomes_at_close(facts)
    # With nothing allocated there is nothing a later export could change; while an
    # extension runs for someone not yet counted, what they submit by its date counts.
    final = facts.export_covers_deadline or rules.export_grace == 0 or not outcomes
    missed = {o.email for o in outcomes if o.outcome is Outcome.MISSED}
    final = final and not _extension_running(facts, missed, now.date())
    plans: list[Plan] = [ClosePlan(month, outcomes, final)]
    if not outcomes:  # nothing was allocated (sheet never came, or before the bot ran)
        return plans
    closing = {
        "provisional": not final,
        "final_day": cal.final_day(month, rules.export_grace),
    }
    by_head: dict[str, list[FrozenOutcome]] = {}
    for outcome in outcomes:
        if outcome.head_email:
            by_head.setdefault(outcome.head_email, []).append(outcome)
    names = {a.head_of_service_email: a.head_of_service for a in facts.roster.values()}
    for head, theirs in sorted(by_head.items()):
        context = {
            "head_of_service": names.get(head) or head,
            "month": month.title,
            "month_id": str(month),
            "deadline": cal.deadline(month),
            "missed": [_missed(facts, o) for o in theirs if o.outcome is Outcome.MISSED],
            "complete": sum(_counted_as(o.outcome) is Outcome.COMPLETE for o in theirs),
            "exempted": sum(o.outcome is Outcome.EXEMPTED for o in theirs),
            "total": len(theirs),
            "unconfirmed": _unconfirmed(facts, theirs),
            "council": rules.council,
            **closing,
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
            {**_summary_context(facts, outcomes, rules), **closing},
            cc=(rules.director,) if rules.director else (),
            month=month,
        )
    )
    return plans


def _counted_as(outcome: Outcome) -> Outcome:
    """Complete by an extension is complete in the figures (and shown apart where named)."""
    return Outcome.COMPLETE if outcome is Outcome.EXTENDED else outcome


def _person(outcome: FrozenOutcome) -> dict[str, object]:
    return {
        "name": outcome.name,
        "email": outcome.email,
        "team": outcome.team,
        "cases": outcome.cases,
    }


def extended_to(facts: MonthFacts, email: str) -> date | None:
    """The date past the deadline an extension gives ``email``, if it gives one."""
    until = facts.terms_of(email).until
    return until if until is not None and until > cal.deadline(facts.month) else None


def _missed(facts: MonthFacts, outcome: FrozenOutcome) -> dict[str, object]:
    """Someone not counted at the close, with the date an extension gives them, if any."""
    until = extended_to(facts, outcome.email)
    return {**_person(outcome), **({"extended_to": until} if until else {})}


def _unconfirmed(facts: MonthFacts, outcomes: list[FrozenOutcome]) -> list[dict[str, object]]:
    """Self-reported completions the completions sheet never confirmed."""
    return [
        {**_person(o), "cases": list(facts.unconfirmed.get(o.email, ()))}
        for o in outcomes
        if o.outcome is Outcome.MISSED and o.email in facts.self_reported
    ]


def _summary_context(
    facts: MonthFacts, outcomes: tuple[FrozenOutcome, ...], rules: CycleRules
) -> dict[str, object]:
    teams: dict[str, dict[str, int]] = {}
    for o in outcomes:
        row = teams.setdefault(o.team, {"total": 0, "complete": 0, "exempted": 0, "missed": 0})
        row["total"] += 1
        row[_counted_as(o.outcome).value] += 1
    counted = [o for o in outcomes if o.outcome is not Outcome.EXEMPTED]
    complete = sum(_counted_as(o.outcome) is Outcome.COMPLETE for o in outcomes)
    return {
        "month": facts.month.title,
        "month_id": str(facts.month),
        "deadline": cal.deadline(facts.month),
        "total": len(outcomes),
        "complete": complete,
        "exempted": sum(o.outcome is Outcome.EXEMPTED for o in outcomes),
        "extended": sum(o.outcome is Outcome.EXTENDED for o in outcomes),
        "missed": [_missed(facts, o) for o in outcomes if o.outcome is Outcome.MISSED],
        "rate": round(100 * complete / len(counted)) if counted else None,
        "teams": [{"team": name, **row} for name, row in sorted(teams.items())],
        "held_back": sorted(facts.held_back),
        "unconfirmed": _unconfirmed(facts, list(outcomes)),
        "council": rules.council,
    }


def plan_after_close(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[Plan]:
    """After the close, counting stays by submission date. A missed auditor whose audits all
    show as submitted on or before the deadline is counted complete (the export lagged);
    one whose audits all arrive, some after the deadline, is recorded as late (not counted).
    A provisional close becomes final once an export covering the deadline has been read, or
    the grace period has passed. A final month that gains on-time rows (a corrected export)
    changes only with a record in the trail, and the QA team is told."""
    month = facts.month
    plans: list[Plan] = list(plan_extension_reminders(facts, now, rules))
    counted: list[FrozenOutcome] = []
    for email in sorted(facts.missed):
        found = facts.case_outcomes(email)
        if not found or CaseOutcome.OUTSTANDING in found.values():
            continue
        if all(o.counted or o is CaseOutcome.EXEMPTED for o in found.values()):
            outcome = Outcome.COMPLETE
            why = "submitted in time, shown by a later completions export"
            if CaseOutcome.EXTENDED in found.values():
                outcome, why = Outcome.EXTENDED, "submitted by the extension's date"
            plans.append(OutcomePlan(month, email, outcome, why, facts.final))
            counted.append((facts.frozen or {})[email])
        elif email not in facts.late:
            cases = facts.allocations.get(email, ())
            last = max(d for c in cases if (d := submitted_on(facts.completions, c)) is not None)
            plans.append(LatePlan(month, email, last))
    if facts.final and counted:
        plans.append(_corrected(facts, counted, rules))
    if _extension_running(facts, facts.missed, now.date()):
        return plans
    if not facts.final:
        if facts.export_covers_deadline:
            plans.append(FinalPlan(month, "export"))
        elif is_due(cal.final_day(month, rules.export_grace), now, rules.send_time):
            plans.append(FinalPlan(month, "grace"))
    return plans


def _extension_running(facts: MonthFacts, missed: Iterable[str], today: date) -> bool:
    """Whether an extension for someone not yet counted runs to ``today`` or later: the
    month is not final before it ends."""
    return any((until := facts.terms_of(e).until) is not None and today <= until for e in missed)


def _corrected(facts: MonthFacts, counted: list[FrozenOutcome], rules: CycleRules) -> MailPlan:
    """The QA team told that a final month's figures changed: who is now counted, and why."""
    emails = sorted(o.email for o in counted)
    context = {
        "month": facts.month.title,
        "month_id": str(facts.month),
        "deadline": cal.deadline(facts.month),
        "people": [_person(o) for o in sorted(counted, key=lambda o: (o.name.lower(), o.email))],
        "council": rules.council,
    }
    return MailPlan(
        close_corrected_key(facts.month, emails),
        "close_corrected",
        (rules.qa_team,),
        context,
        month=facts.month,
        detail={"counted": emails},
    )
