"""The monthly cycle as a pure function: given what is known and ``now``, what is due.

Level-triggered: the planner returns everything that ought to exist by ``now`` and is
not yet recorded under its key. Running it twice with the same facts plans nothing new
the second time, because the shell records every plan before the next run.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from bot.core import calendar as cal
from bot.core.case_outcomes import NO_TERMS, CaseOutcome, Terms, outcomes
from bot.core.keys import (
    allocation_key,
    allocation_update_key,
    exempt_but_allocated_key,
    exemption_key,
    missing_sheet_key,
    not_allocated_key,
    reallocate_key,
    reminder_key,
)
from bot.core.plans import (
    ClosePlan,
    FinalPlan,
    FrozenOutcome,
    LatePlan,
    MailPlan,
    Outcome,
    OutcomePlan,
    Record,
    SkipPlan,
)
from bot.core.records import Allocation, Auditor, Completion, Month

Plan = MailPlan | SkipPlan | ClosePlan | LatePlan | FinalPlan | OutcomePlan

LEFT_THE_ROSTER = "(left the roster)"  # the team of an auditor the roster no longer names


@dataclass(frozen=True)
class CycleRules:
    send_time: time
    reminders: tuple[int, ...]  # stages, largest first
    copy_head_of_service_from_stage: int | None
    qa_team: str
    council: str = "the council"
    director: str | None = None  # copied on the month-close summary
    # Working days after the deadline before a provisional close becomes final without an
    # export covering the deadline.
    export_grace: int = 3
    # Working days before a month's allocation day that its heads-up goes; None: none.
    heads_up: int | None = None


@dataclass(frozen=True)
class MonthFacts:
    """What is known of a month: the sheets as read and what the store has recorded. The
    planner, `auditbot status`, the digests and the month report all read this one record."""

    month: Month
    roster: Mapping[str, Auditor]
    allocations: Mapping[str, tuple[Allocation, ...]]  # by auditor; held-back auditors absent
    completions: Mapping[str, Completion]  # by upper-cased case reference
    records: Mapping[str, Record]  # outbox keys already in the store
    # The case references each auditor's allocation mail (and any updates) listed, as recorded.
    issued: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sheet_found: bool = True
    held_back: frozenset[str] = frozenset()
    exempted: frozenset[str] = frozenset()  # approved for the month
    self_reported: frozenset[str] = frozenset()
    unconfirmed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The outcomes frozen at the close, by auditor; None while the month is open.
    frozen: Mapping[str, FrozenOutcome] | None = None
    final: bool = False  # closed, and the close made final
    # A completions sheet modified after the deadline has been read: the export covers it.
    export_covers_deadline: bool = False
    # Decisions about named cases (partial exemptions) and extensions, by auditor.
    terms: Mapping[str, Terms] = field(default_factory=dict)
    # Cases an auditor said were done in a part-done reply, by auditor (upper-cased): the
    # sheet is still the authority, but reminders stop naming them.
    said_done: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def closed(self) -> bool:
        return self.frozen is not None

    @property
    def provisional(self) -> bool:
        """Closed, but the export covering the deadline not yet read nor the grace passed:
        audits submitted in time may still appear."""
        return self.closed and not self.final

    @property
    def missed(self) -> frozenset[str]:
        """Frozen as missed (late ones included)."""
        frozen = self.frozen or {}
        return frozenset(e for e, o in frozen.items() if o.outcome is Outcome.MISSED)

    @property
    def late(self) -> frozenset[str]:
        frozen = self.frozen or {}
        return frozenset(e for e, o in frozen.items() if o.late_on is not None)

    def terms_of(self, email: str) -> Terms:
        return self.terms.get(email, NO_TERMS)

    def case_outcomes(self, email: str) -> dict[str, CaseOutcome]:
        """Each of ``email``'s allocated cases' outcome, by reference as the sheet has it."""
        cases = self.allocations.get(email, ())
        found = ((c.case_ref, submitted_on(self.completions, c)) for c in cases)
        return outcomes(found, cal.deadline(self.month), self.terms_of(email))

    def partly_exempted(self) -> frozenset[str]:
        """Auditors exempted from named cases (not the whole month)."""
        return frozenset(e for e, t in self.terms.items() if t.exempted) - self.exempted


def is_due(day: date, now: datetime, send_time: time) -> bool:
    """Scheduled mail for ``day`` is due on a working day at or after the send time."""
    today = now.date()
    return cal.is_working_day(today) and (day < today or (day == today and now.time() >= send_time))


def submission(completions: Mapping[str, Completion], case: Allocation) -> Completion | None:
    """The completion of ``case``; the completions mapping is keyed by upper-case reference."""
    return completions.get(case.case_ref.upper())


def submitted_on(completions: Mapping[str, Completion], case: Allocation) -> date | None:
    done = submission(completions, case)
    return done.submitted_on if done is not None else None


def in_time(done: Completion | None, deadline: date) -> bool:
    """Submitted on or before the deadline: late ones do not count."""
    return done is not None and done.submitted_on <= deadline


def outstanding_cases(
    month: Month, cases: Iterable[Allocation], completions: Mapping[str, Completion]
) -> list[Allocation]:
    """The allocated cases not submitted in time."""
    deadline = cal.deadline(month)
    return [c for c in cases if not in_time(submission(completions, c), deadline)]


# -- each auditor's standing ------------------------------------------------------------------


class Standing(enum.StrEnum):
    """Where an auditor stands in a month. Open: exactly one of outstanding, self-reported
    (told the bot they had finished, the sheet does not show it yet), exempted (the director
    approved an exemption for the month) or complete (every case in the completions sheet by
    the deadline). Closed: complete, exempted, missed, or late (missed, then all in after the
    deadline: not counted)."""

    OUTSTANDING = "outstanding"
    SELF_REPORTED = "self_reported"
    EXEMPTED = "exempted"
    EXTENDED = "extended"  # every case due is in, some by an extension's date
    COMPLETE = "complete"
    MISSED = "missed"
    LATE = "late"

    @property
    def label(self) -> str:
        return STANDING_LABELS[self]


STANDING_LABELS = {
    Standing.OUTSTANDING: "outstanding",
    Standing.SELF_REPORTED: "says complete, not yet in the sheet",
    Standing.EXEMPTED: "exempted",
    Standing.EXTENDED: "complete by an extension",
    Standing.COMPLETE: "complete",
    Standing.MISSED: "missed",
    Standing.LATE: "late: not counted",
}


@dataclass(frozen=True)
class AuditorMonth:
    """An auditor's standing in a month, with what every view of it shows."""

    email: str
    name: str
    team: str
    head_email: str
    head_name: str
    standing: Standing
    cases: int
    outstanding: tuple[str, ...] = ()  # case references due and not in the sheet in time
    late_on: date | None = None
    issued: bool = True  # the allocation mail went out (else, while open, it is pending)
    exempted_cases: tuple[str, ...] = ()  # exempted by name: not due
    extended_cases: tuple[str, ...] = ()  # submitted after the deadline, by an extension


def head_names(roster: Mapping[str, Auditor]) -> dict[str, str]:
    """Each Head of Service's name as the roster gives it (their address when it does not)."""
    names: dict[str, str] = {}
    for auditor in roster.values():
        if auditor.head_of_service or auditor.head_of_service_email not in names:
            names[auditor.head_of_service_email] = (
                auditor.head_of_service or auditor.head_of_service_email
            )
    return names


def standings(facts: MonthFacts) -> list[AuditorMonth]:
    """Each auditor's standing in the month, by name: the one answer that planning, the
    close, `auditbot status`, the digests and the month report all ask for.

    Open: everyone with rows in the allocation sheet. Closed: the outcomes frozen at the
    close, and anyone exempted before their allocation went out (never issued, so never
    frozen, but exempted all the same); someone in the sheet never issued is not counted."""
    names = head_names(facts.roster)
    emails = set(facts.allocations)
    # Exempted after their allocation went, their cases since given to others: still counted
    # as exempted, though the sheet no longer names them.
    emails |= {e for e in facts.exempted if allocation_key(facts.month, e) in facts.records}
    if facts.frozen is not None:
        emails = set(facts.frozen) | (emails & facts.exempted)
    deadline = cal.deadline(facts.month)
    rows = [_standing(facts, email, names, deadline) for email in emails]
    rows.sort(key=lambda r: (r.name.lower(), r.email))
    return rows


def _standing(
    facts: MonthFacts, email: str, names: Mapping[str, str], deadline: date
) -> AuditorMonth:
    found = facts.case_outcomes(email)
    missing = [r for r, o in found.items() if o in (CaseOutcome.OUTSTANDING, CaseOutcome.LATE)]
    spared = tuple(r for r, o in found.items() if o is CaseOutcome.EXEMPTED)
    extended = tuple(r for r, o in found.items() if o is CaseOutcome.EXTENDED)
    frozen = facts.frozen.get(email) if facts.frozen is not None else None
    if frozen is not None:
        name, team, head = frozen.name, frozen.team, frozen.head_email
        standing = Standing.LATE if frozen.late_on else Standing(frozen.outcome.value)
        count, issued = frozen.cases, True
    else:
        auditor = facts.roster.get(email)
        if auditor is None:  # only as the sheet and the roster fall out of step
            name, team, head = email, LEFT_THE_ROSTER, ""
        else:
            name, team, head = auditor.name, auditor.team, auditor.head_of_service_email
        count = len(found)
        issued = allocation_key(facts.month, email) in facts.records
        if email in facts.exempted or (found and len(spared) == len(found)):
            standing = Standing.EXEMPTED
        elif not missing:
            standing = Standing.EXTENDED if extended else Standing.COMPLETE
        elif email in facts.self_reported:
            standing = Standing.SELF_REPORTED
        else:
            standing = Standing.OUTSTANDING
    if standing in (Standing.COMPLETE, Standing.EXEMPTED, Standing.EXTENDED):
        missing = []
    late_on = frozen.late_on if frozen is not None else None
    return AuditorMonth(
        email,
        name,
        team,
        head,
        names.get(head, head),
        standing,
        count,
        tuple(missing),
        late_on,
        issued,
        spared if standing is not Standing.EXEMPTED else (),
        extended,
    )


# -- what is due -------------------------------------------------------------------------------


def _in_allocation_window(month: Month, now: datetime, rules: CycleRules) -> bool:
    return is_due(
        cal.allocation_day(month), now, rules.send_time
    ) and now.date() <= cal.deadline_day(month)


def plan_allocations(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[Plan]:
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
    to_reallocate = _to_reallocate(facts)
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
        # The sheet folds case ("cr-1001" is "CR-1001"), so a corrected capital is no new case.
        issued = {ref.upper() for ref in facts.issued.get(email, ())}
        # A case the director exempted them from before it was sent is not theirs to do.
        spared = facts.terms_of(email).exempted
        new_cases = tuple(c for c in cases if c.case_ref.upper() not in issued | spared)
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
        detail: dict[str, object] = {"cases": [c.case_ref for c in new_cases]}
        # The sheet that gives an exempted auditor's case to someone else is the reallocation.
        moved = {
            c.case_ref: to_reallocate[c.case_ref.upper()]
            for c in new_cases
            if to_reallocate.get(c.case_ref.upper(), email) != email
        }
        if moved:
            detail["reallocated_from"] = moved
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


def not_allocated(facts: MonthFacts) -> list[Auditor]:
    """Active auditors and moderators with no row in the month's sheet (everyone takes part,
    says the letter), by name; none while the sheet is missing. Those held back by a bad row
    are in the sheet, and someone exempted for the month need not be allocated."""
    if not facts.sheet_found:
        return []
    left_out = [
        a
        for email, a in facts.roster.items()
        if a.active
        and email not in facts.allocations
        and email not in facts.held_back
        and email not in facts.exempted
    ]
    return sorted(left_out, key=lambda a: (a.name.lower(), a.email))


def plan_not_allocated(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[MailPlan]:
    """Once a month, from the allocation day: who the sheet left out, for the QA team."""
    month = facts.month
    key = not_allocated_key(month)
    if key in facts.records or facts.closed or not cal.is_working_day(now.date()):
        return []
    if not _in_allocation_window(month, now, rules):
        return []
    left_out = not_allocated(facts)
    if not left_out:
        return []
    context: dict[str, object] = {
        "month": month.title,
        "month_id": str(month),
        "deadline_day": cal.deadline_day(month),
        "people": [
            {"name": a.name, "email": a.email, "team": a.team, "role": a.role.value}
            for a in left_out
        ],
        "council": rules.council,
    }
    detail = {"people": [a.email for a in left_out]}
    return [MailPlan(key, "not_allocated", (rules.qa_team,), context, month=month, detail=detail)]


def plan_reallocations(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[MailPlan]:
    """An auditor exempted after their allocation went out leaves cases unaudited: the QA
    team gets one mail per auditor listing those not yet submitted, to give to someone else.
    While the month is open, on working days from the send time."""
    month = facts.month
    if facts.closed or not is_due(now.date(), now, rules.send_time):
        return []
    if now.date() > cal.deadline_day(month):
        return []
    plans: list[MailPlan] = []
    for email in sorted(facts.exempted | facts.partly_exempted()):
        key = reallocate_key(month, email)
        if key in facts.records or allocation_key(month, email) not in facts.records:
            continue  # told already, or never allocated (the QA team heard at allocation)
        cases = outstanding_cases(month, facts.allocations.get(email, ()), facts.completions)
        if email not in facts.exempted:  # exempted from named cases: only those move
            cases = [c for c in cases if facts.terms_of(email).is_exempted(c.case_ref)]
        if not cases:
            continue
        auditor = facts.roster.get(email)
        context: dict[str, object] = {
            "name": auditor.name if auditor else email,
            "email": email,
            "team": auditor.team if auditor else LEFT_THE_ROSTER,
            "month": month.title,
            "month_id": str(month),
            "deadline": cal.deadline(month),
            "cases": [{"ref": c.case_ref, "type": c.audit_type.label} for c in cases],
            "partly": email not in facts.exempted,
            "council": rules.council,
        }
        detail = {"cases": [c.case_ref for c in cases]}
        plans.append(
            MailPlan(key, "reallocate", (rules.qa_team,), context, month=month, detail=detail)
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


def _to_reallocate(facts: MonthFacts) -> dict[str, str]:
    """Cases mailed to an auditor since exempted: reference (upper case) -> that auditor."""
    return {
        ref.upper(): email
        for email in sorted(facts.exempted | facts.partly_exempted())
        for ref in facts.issued.get(email, ())
        if email in facts.exempted or facts.terms_of(email).is_exempted(ref)
    }


def _due_stages(month: Month, now: datetime, rules: CycleRules) -> list[int]:
    if now.date() > cal.deadline_day(month):
        return []
    return [k for k in rules.reminders if is_due(cal.reminder_day(month, k), now, rules.send_time)]


def plan_reminders(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[Plan]:
    month = facts.month
    due = _due_stages(month, now, rules)
    if not due:
        return []
    latest = min(due)
    names, deadline = head_names(facts.roster), cal.deadline(month)
    plans: list[Plan] = []
    for email, cases in sorted(facts.allocations.items()):
        allocated = facts.records.get(allocation_key(month, email))
        auditor = facts.roster.get(email)
        if allocated is None or auditor is None or not auditor.active:
            continue
        key = reminder_key(month, latest, email)
        if key in facts.records or allocated.planned_on == now.date():
            continue  # already sent, or the allocation itself went out today
        # Asked only for those still to remind: on most ticks nobody is.
        if _standing(facts, email, names, deadline).standing is not Standing.OUTSTANDING:
            continue  # complete, exempted or says done
        if not _due_by(facts, email, deadline):
            continue  # what is left is extended: its reminders follow the new date
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
    due = set(_due_by(facts, auditor.email, cal.deadline(month)))
    outstanding = [c for c in cases if c.case_ref in due]
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
        "exempted_cases": sorted(facts.terms_of(auditor.email).exempted),
        "extended_to": None,
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


def _due_by(facts: MonthFacts, email: str, day: date) -> list[str]:
    """``email``'s cases not yet submitted that are due by ``day`` (the deadline, or an
    extension's date), less those they said were done: what a reminder names."""
    terms, deadline = facts.terms_of(email), cal.deadline(facts.month)
    said = facts.said_done.get(email, frozenset())
    return [
        ref
        for ref, outcome in facts.case_outcomes(email).items()
        if outcome in (CaseOutcome.OUTSTANDING, CaseOutcome.LATE)
        and terms.due(ref, deadline) == day
        and ref.upper() not in said
    ]


def plan_extension_reminders(facts: MonthFacts, now: datetime, rules: CycleRules) -> list[MailPlan]:
    """Reminders for cases extended past the deadline follow the extension's date, on the
    same ladder of working days before it, from the first stage that falls after the
    month's last working day; after downtime only the latest stage goes."""
    plans: list[MailPlan] = []
    today, deadline = now.date(), cal.deadline(facts.month)
    if not cal.is_working_day(today):
        return []
    for email, terms in sorted(facts.terms.items()):
        auditor = facts.roster.get(email)
        if terms.until is None or terms.until <= deadline or not terms.ref or today > terms.until:
            continue
        if auditor is None or not auditor.active:
            continue
        if allocation_key(facts.month, email) not in facts.records or email in facts.exempted:
            continue
        if email in facts.self_reported:
            continue  # they said it is all in: the sheet will show it
        last_day = cal.previous_working_day(terms.until)
        # The ladder's stages after the month's own last working day: before it, the
        # month's own reminders were the ones in force.
        days = {k: cal.working_days_before(last_day, k) for k in rules.reminders}
        due = [
            k
            for k, day in days.items()
            if day > cal.deadline_day(facts.month) and is_due(day, now, rules.send_time)
        ]
        if not due or not _due_by(facts, email, terms.until):
            continue
        latest = min(due)
        keys = [exemption_key(terms.ref, f"extension-reminder-{k}") for k in rules.reminders]
        if any(keys[rules.reminders.index(k)] in facts.records for k in due):
            continue  # this stage or a later one went already
        cases = facts.allocations.get(email, ())
        plan = _reminder(facts, auditor, cases, latest, rules)
        wanted = set(_due_by(facts, email, terms.until))
        context = {
            **plan.context,
            "deadline": terms.until,
            "deadline_day": last_day,
            "final": latest == 0,
            "extended_to": terms.until,
            "outstanding": [
                {"ref": c.case_ref, "type": c.audit_type.label}
                for c in cases
                if c.case_ref in wanted
            ],
        }
        key = exemption_key(terms.ref, f"extension-reminder-{latest}")
        plans.append(replace(plan, key=key, context=context))
    return plans
