"""A seeded May 2021, small enough to work every figure out by hand (see test_figures.py).

The digest is read on Monday 17 May 2021 at 09:30. Looked After Children moved from Hana
Ahmed to Priya Shah, a new Head of Service, in the middle of the month: the roster below is
the one in force now, while April's frozen outcomes and the request Alex made on 12 May
still name Hana.

    auditor  team                   head now  May cases               standing
    sam      Children in Need       hana      CR-1001 6 May, CR-1002  complete
                                              7 May
    ben      Children in Need       hana      CR-1101 12 May          complete (said at risk)
    gus      Children in Need       hana      a bad row in the sheet  held back
    alex     Looked After Children  priya     CR-2001                 outstanding, asking
    dina     Looked After Children  priya     CR-2101                 outstanding, out of office
    kim      Early Help             omar      CR-3001 14 May, CR-3002 says done (self-reported)
    lee      Early Help             omar      CR-3101                 exempted on 11 May
    fay      Fostering              omar      nothing allocated       (a team with no allocations)
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.digest_figures import HistoryInputs, MonthFacts, OutcomeCount
from bot.core.exemption_figures import NoteFact
from bot.core.exemptions import Request, State
from bot.core.keys import allocation_key
from bot.core.plans import FrozenOutcome, Outcome, Record
from bot.core.quality import month_grades
from bot.core.records import Allocation, Auditor, AuditType, Completion, Grade, Month
from bot.core.replies import Reason

LONDON = ZoneInfo("Europe/London")
MAY = Month(2021, 5)
NOW = datetime(2021, 5, 17, 9, 30, tzinfo=LONDON)

HANA, OMAR, PRIYA = "hana@council.example", "omar@council.example", "priya@council.example"
CIN, LAC, EH, FOS = "Children in Need", "Looked After Children", "Early Help", "Fostering"


def at(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    return datetime(2021, month, day, hour, minute, tzinfo=LONDON)


def person(name: str, team: str, head: str, head_name: str) -> Auditor:
    return Auditor(name, f"{name.split()[0].lower()}@council.example", team, head, head_name)


SAM = person("Sam Patel", CIN, HANA, "Hana Ahmed")
BEN = person("Ben Okafor", CIN, HANA, "Hana Ahmed")
GUS = person("Gus Evans", CIN, HANA, "Hana Ahmed")
ALEX = person("Alex Jones", LAC, PRIYA, "Priya Shah")
DINA = person("Dina Morgan", LAC, PRIYA, "Priya Shah")
KIM = person("Kim Lee", EH, OMAR, "Omar Khan")
LEE = person("Lee Walker", EH, OMAR, "Omar Khan")
FAY = person("Fay Singh", FOS, OMAR, "Omar Khan")
ROSTER = {a.email: a for a in (SAM, BEN, GUS, ALEX, DINA, KIM, LEE, FAY)}


def allocations(*rows: tuple[Auditor, str]) -> dict[str, tuple[Allocation, ...]]:
    found: dict[str, list[Allocation]] = {}
    for auditor, ref in rows:
        found.setdefault(auditor.email, []).append(
            Allocation(auditor.email, ref, AuditType.CASE_AUDIT)
        )
    return {email: tuple(cases) for email, cases in found.items()}


MAY_ALLOCATIONS = allocations(
    (SAM, "CR-1001"),
    (SAM, "CR-1002"),
    (BEN, "CR-1101"),
    (ALEX, "CR-2001"),
    (DINA, "CR-2101"),
    (KIM, "CR-3001"),
    (KIM, "CR-3002"),
    (LEE, "CR-3101"),
)


def done(ref: str, who: Auditor, day: date, grade: Grade | None) -> Completion:
    return Completion(ref, who.email, day, grade)


def by_ref(*completions: Completion) -> dict[str, Completion]:
    return {c.case_ref.upper(): c for c in completions}


MAY_SO_FAR = by_ref(
    done("CR-1001", SAM, date(2021, 5, 6), Grade.GOOD),
    done("CR-1002", SAM, date(2021, 5, 7), None),  # no grade yet
    done("CR-1101", BEN, date(2021, 5, 12), Grade.OUTSTANDING),
    done("CR-3001", KIM, date(2021, 5, 14), Grade.REQUIRES_IMPROVEMENT),
)

# Everyone's allocation went out on Tuesday 4 May but Lee's: exempted before it did.
ISSUED = {
    allocation_key(MAY, email): Record("sent", date(2021, 5, 4))
    for email in MAY_ALLOCATIONS
    if email != LEE.email
}

CURRENT = MonthFacts(
    month=MAY,
    roster=ROSTER,
    allocations=MAY_ALLOCATIONS,
    completions=MAY_SO_FAR,
    records=ISSUED,
    exempted=frozenset({LEE.email}),
    self_reported=frozenset({KIM.email, SAM.email}),  # Sam's is confirmed: complete wins
    held_back=frozenset({GUS.email}),
)

# March: 3 graded (good, outstanding, requires improvement) and 1 without a grade.
MARCH = month_grades(
    Month(2021, 3),
    [
        done("CR-0101", SAM, date(2021, 3, 3), Grade.GOOD),
        done("CR-0102", BEN, date(2021, 3, 4), Grade.OUTSTANDING),
        done("CR-0103", KIM, date(2021, 3, 5), Grade.REQUIRES_IMPROVEMENT),
        done("CR-0104", KIM, date(2021, 3, 8), None),
    ],
)
# April: 4 graded in time (good, inadequate, requires improvement, outstanding), 1 without a
# grade, and 1 good one submitted on 3 May: late, so left out of the shares.
APRIL = month_grades(
    Month(2021, 4),
    [
        done("CR-0201", SAM, date(2021, 4, 6), Grade.GOOD),
        done("CR-0202", ALEX, date(2021, 4, 7), Grade.INADEQUATE),
        done("CR-0203", KIM, date(2021, 4, 8), Grade.REQUIRES_IMPROVEMENT),
        done("CR-0204", BEN, date(2021, 4, 9), Grade.OUTSTANDING),
        done("CR-0205", DINA, date(2021, 4, 12), None),
        done("CR-0206", SAM, date(2021, 5, 3), Grade.GOOD),
    ],
)
# February has no completions sheet at all.

OUTCOME_COUNTS = (
    # March: Hana's 1 complete, 1 missed.
    OutcomeCount(Month(2021, 3), HANA, "complete", 1),
    OutcomeCount(Month(2021, 3), HANA, "missed", 1),
    # April, when Looked After Children was still Hana's: 3 complete, 1 missed then late;
    # Omar's 1 complete, 1 exempted.
    OutcomeCount(Month(2021, 4), HANA, "complete", 3),
    OutcomeCount(Month(2021, 4), HANA, "missed", 1),
    OutcomeCount(Month(2021, 4), OMAR, "complete", 1),
    OutcomeCount(Month(2021, 4), OMAR, "exempted", 1),
    # A year and more ago: outside the 12-month window.
    OutcomeCount(Month(2020, 5), OMAR, "complete", 9),
)


def request(
    ref: str, who: Auditor, head: str, head_name: str, requested_at: datetime, **fields: object
) -> Request:
    """A request as the digests are handed it: times local, no free text."""
    values: dict = {"after_allocation": False, "last_week": False, **fields}
    return Request(
        ref=ref,
        token=f"{ref}-K7M3Q9XA",
        month=Month.parse(ref[4:11]),
        auditor_email=who.email,
        auditor_name=who.name,
        team=who.team,
        head_email=head,
        head_name=head_name,
        words="",
        requested_at=requested_at,
        requested_on=requested_at.date(),
        **values,
    )


REQUESTS = (
    # Lee: asked after allocation, supported the same day, approved on Tuesday 11 May.
    request("EXM-2021-05-001", LEE, OMAR, "Omar Khan", reason=Reason.ABSENCE,
            state=State.APPROVED, requested_at=at(10, 10), after_allocation=True,
            head_decided_at=at(10, 15), decided_at=at(11, 11)),
    # Alex asked Hana on Wednesday 12 May, before the team moved to Priya: still with Hana.
    request("EXM-2021-05-002", ALEX, HANA, "Hana Ahmed", reason=Reason.STATUTORY_WORK,
            state=State.AWAITING_HEAD, requested_at=at(12, 14), after_allocation=True),
    # Dina: outside policy, no answer from the Head, sent on to the director on 10 May.
    request("EXM-2021-05-003", DINA, HANA, "Hana Ahmed", reason=Reason.OTHER,
            state=State.AWAITING_DIRECTOR, requested_at=at(4, 10), after_allocation=True,
            no_head_response=True, escalated_at=at(10, 9, 5)),
    # Ben: not supported by Hana on Friday 14 May.
    request("EXM-2021-05-004", BEN, HANA, "Hana Ahmed", reason=Reason.ABSENCE,
            state=State.NOT_SUPPORTED, requested_at=at(13, 9), after_allocation=True,
            head_decided_at=at(14, 12)),
    # Decided at 09:00 on Monday 10 May: just before the week the digest looks back over.
    request("EXM-2021-06-001", SAM, HANA, "Hana Ahmed", reason=Reason.OTHER_QA_ACTIVITY,
            state=State.APPROVED, requested_at=at(7, 9), head_decided_at=at(7, 12),
            decided_at=at(10, 9)),
    # Dina, exempted in January and April: a repeat. Lee's May 2020 one is outside the year.
    request("EXM-2021-01-001", DINA, HANA, "Hana Ahmed", reason=Reason.ABSENCE,
            state=State.APPROVED, requested_at=at(4, 9, month=1),
            head_decided_at=at(4, 12, month=1), decided_at=at(5, 9, month=1)),
    request("EXM-2021-04-002", DINA, HANA, "Hana Ahmed", reason=Reason.ABSENCE,
            state=State.APPROVED, requested_at=at(1, 9, month=4),
            head_decided_at=at(1, 12, month=4), decided_at=at(8, 9, month=4)),
    request("EXM-2020-05-001", LEE, OMAR, "Omar Khan", reason=Reason.ABSENCE,
            state=State.APPROVED, requested_at=datetime(2020, 5, 4, 9, tzinfo=LONDON),
            decided_at=datetime(2020, 5, 5, 9, tzinfo=LONDON)),
)  # fmt: skip

NOTES = (
    NoteFact(BEN.email, "at_risk", at(6, 11)),
    NoteFact(DINA.email, "out_of_office", at(5, 9, 40)),
    NoteFact(DINA.email, "out_of_office", at(12, 9, 41)),
)

HISTORY = HistoryInputs(
    outcome_counts=OUTCOME_COUNTS,
    requests=REQUESTS,
    notes=NOTES,
    grades={Month(2021, 3): MARCH, Month(2021, 4): APRIL},
    # Whoever heads each auditor's service now follows up last month's audits.
    last_month_heads={email: a.head_of_service_email for email, a in ROSTER.items()},
    director="Dana Director",
    trail_head="ab" * 32,
    trail_event=4321,
)

# The same month once closed on Tuesday 1 June, for the report. Alex's audit came in on
# 2 June (late, not counted); Kim's CR-3002 and Dina's never came. Lee was exempted before
# the allocation went out, so no outcome was frozen for Lee: still counted as exempted.
MAY_AT_CLOSE = by_ref(
    *MAY_SO_FAR.values(),
    done("CR-2001", ALEX, date(2021, 6, 2), Grade.REQUIRES_IMPROVEMENT),
)
FROZEN = {
    f.email: f
    for f in (
        FrozenOutcome(SAM.email, SAM.name, CIN, HANA, Outcome.COMPLETE, 2),
        FrozenOutcome(BEN.email, BEN.name, CIN, HANA, Outcome.COMPLETE, 1),
        FrozenOutcome(
            ALEX.email, ALEX.name, LAC, PRIYA, Outcome.MISSED, 1, late_on=date(2021, 6, 2)
        ),
        FrozenOutcome(DINA.email, DINA.name, LAC, PRIYA, Outcome.MISSED, 1),
        FrozenOutcome(KIM.email, KIM.name, EH, OMAR, Outcome.MISSED, 2),
    )
}
CLOSED = MonthFacts(
    month=MAY,
    roster=ROSTER,
    allocations=MAY_ALLOCATIONS,
    completions=MAY_AT_CLOSE,
    records=ISSUED,
    exempted=frozenset({LEE.email}),
    self_reported=frozenset({KIM.email}),
    frozen=FROZEN,
)
