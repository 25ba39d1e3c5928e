"""The people and the month the pure-core tests talk about, and small builders.

No store, no files, no mail: the core is called with plain values, as the shell calls it.

May 2021 is the month most tests live in. Saturday 1 May and Monday 3 May (Early May bank
holiday) put the allocation day on Tuesday 4 May; Monday 31 May (Spring bank holiday) puts
the deadline day on Friday 28 May and the close on Tuesday 1 June. The reminder stages fall
on 14 May (10), 21 May (5), 26 May (2) and 28 May (0).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.cycle import CycleRules, MonthFacts, Plan
from bot.core.exemptions import ExemptionRules, Request, State
from bot.core.keys import allocation_key
from bot.core.plans import FrozenOutcome, MailPlan, Outcome, Record, SkipPlan
from bot.core.records import Allocation, Auditor, Completion, Month
from bot.core.replies import Analysis, Intent, Kind, Reason

LONDON = ZoneInfo("Europe/London")
MAY = Month(2021, 5)
JUNE = Month(2021, 6)

BOT = "audit-bot@council.example"
QA = "qa-team@council.example"
DIRECTOR = "director@council.example"
DIRECTORS_PA = "pa@council.example"
HANA = "hana@council.example"  # Head of Service for Sam and Alex
OMAR = "omar@council.example"  # Head of Service for Kim
OUTSIDER = "mallory@elsewhere.example"

SAM = Auditor("Sam Patel", "sam@council.example", "Children in Need", HANA, "Hana Ahmed")
ALEX = Auditor("Alex Jones", "alex@council.example", "Looked After Children", HANA, "Hana Ahmed")
KIM = Auditor("Kim Lee", "kim@council.example", "Early Help", OMAR, "Omar Khan")
# Left the service: still in the roster, no longer active.
LEE = Auditor("Lee Brown", "lee@council.example", "Early Help", OMAR, "Omar Khan", active=False)
ROSTER: Mapping[str, Auditor] = {a.email: a for a in (SAM, ALEX, KIM, LEE)}

COUNCIL = "Example Borough Council"
CYCLE = CycleRules(
    send_time=time(9, 0),
    reminders=(10, 5, 2, 0),
    copy_head_of_service_from_stage=2,
    qa_team=QA,
    council=COUNCIL,
)
EXEMPTIONS = ExemptionRules(
    mailbox=BOT,
    director_email=DIRECTOR,
    director_name="Dana Director",
    qa_team=QA,
    council=COUNCIL,
)


def at(day: date, hour: int = 9, minute: int = 30) -> datetime:
    """A local time in London, as the shell passes it down."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


# -- the month's facts ------------------------------------------------------------------------


def cases(auditor: Auditor, *refs: str) -> tuple[Allocation, ...]:
    return tuple(Allocation(auditor.email, ref) for ref in refs)


def done(auditor: Auditor, ref: str, on: date) -> Completion:
    return Completion(ref, auditor.email, on)


def facts(
    allocations: Mapping[str, tuple[Allocation, ...]],
    *,
    completions: Iterable[Completion] = (),
    records: Mapping[str, Record] | Recorded | None = None,
    month: Month = MAY,
    **more: object,
) -> MonthFacts:
    """A month's facts as the shell gathers them; ``more`` sets any other field. A closed
    month (``frozen`` given) is final unless ``final=False`` says it is still provisional.
    ``records`` from :func:`recorded` bring the cases their allocation mail listed too."""
    fields: dict = {"sheet_found": True, "held_back": frozenset(), **more}
    if fields.get("frozen") is not None:
        fields.setdefault("final", True)
    if isinstance(records, Recorded):
        fields.setdefault("issued", records.issued)
        records = records.records
    return MonthFacts(
        month=month,
        roster=ROSTER,
        allocations=allocations,
        completions={c.case_ref.upper(): c for c in completions},
        records=records or {},
        **fields,
    )


def missed(*emails: str, late: Iterable[str] = ()) -> dict[str, FrozenOutcome]:
    """Outcomes frozen at May's close: ``emails`` missed, those in ``late`` since all in."""
    late = frozenset(late)
    return {
        email: FrozenOutcome(
            email,
            ROSTER[email].name,
            ROSTER[email].team,
            ROSTER[email].head_of_service_email,
            Outcome.MISSED,
            1,
            date(2021, 6, 3) if email in late else None,
        )
        for email in emails
    }


@dataclass(frozen=True)
class Recorded:
    """What the shell stores for some plans: a record under each mail's key, and the cases
    each allocation mail listed, by auditor."""

    records: dict[str, Record] = field(default_factory=dict)
    issued: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __or__(self, other: Recorded) -> Recorded:
        issued = dict(self.issued)
        for email, refs in other.issued.items():
            issued[email] = issued.get(email, ()) + refs
        return Recorded({**self.records, **other.records}, issued)


def recorded(plans: Iterable[Plan], on: date) -> Recorded:
    """What the shell stores for ``plans`` on ``on``."""
    records: dict[str, Record] = {}
    issued: dict[str, tuple[str, ...]] = {}
    for plan in plans:
        if isinstance(plan, MailPlan):
            records[plan.key] = Record("planned", on)
            if plan.template in ("allocation", "allocation_update") and plan.about:
                issued[plan.about] = issued.get(plan.about, ()) + tuple(plan.detail["cases"])
        elif isinstance(plan, SkipPlan):
            records[plan.key] = Record("skipped", on)
    return Recorded(records, issued)


def allocated(
    sheet: Mapping[str, tuple[Allocation, ...]], on: date = date(2021, 5, 4), month: Month = MAY
) -> Recorded:
    """Each auditor in ``sheet`` sent their allocation of those cases on ``on``."""
    return Recorded(
        {allocation_key(month, email): Record("sent", on) for email in sheet},
        {email: tuple(c.case_ref for c in cs) for email, cs in sheet.items()},
    )


def with_records(month_facts: MonthFacts, records: Recorded) -> MonthFacts:
    both = Recorded(dict(month_facts.records), dict(month_facts.issued)) | records
    return replace(month_facts, records=both.records, issued=both.issued)


def keys(plans: Iterable[object]) -> list[str]:
    return [p.key for p in plans if isinstance(p, MailPlan | SkipPlan)]


# -- what the reply reader said ---------------------------------------------------------------


def analysis(
    sender: str | None,
    intent: Intent | None = Intent.UNKNOWN,
    *,
    kind: Kind = Kind.REPLY,
    body: str = "",
    **fields: object,
) -> Analysis:
    """What the reply reader would say of a message from ``sender``: a plain reply unless
    told otherwise. Every field of Analysis is required; the rest default to nothing."""
    values: dict = {
        "kind": kind,
        "body": body,
        "intent": intent if kind is Kind.REPLY else None,
        "reason": None,
        "reference": None,
        "month": None,
        "sender": sender,
        "message_id": "<m1@mail.example>",
        "in_reply_to": None,
        "references": (),
        "subject": "Re: your audits",
        "bounced_recipients": (),
        "malformed": None,
        "auth_internal": True,
        "automatic": None,
        "other_senders": (),
        "returned_message_ids": (),
        "returned_keys": (),
        "content_digest": "0" * 64,
    }
    values.update(fields)
    return Analysis(**values)


# -- exemption requests -----------------------------------------------------------------------


def request(
    auditor: Auditor = SAM,
    *,
    state: State = State.AWAITING_HEAD,
    requested_on: date = date(2021, 5, 10),
    month: Month = MAY,
    number: int = 17,
    **fields: object,
) -> Request:
    """Sam's request EXM-2021-05-017 unless told otherwise."""
    ref = f"EXM-{month}-{number:03d}"
    values: dict = {
        "ref": ref,
        "token": f"{ref}-K7M3Q9XA",
        "month": month,
        "auditor_email": auditor.email,
        "auditor_name": auditor.name,
        "team": auditor.team,
        "head_email": auditor.head_of_service_email,
        "head_name": auditor.head_of_service,
        "reason": Reason.ABSENCE,
        "words": "I'm on sick leave from Monday for three weeks, can I be exempted?",
        "requested_at": at(requested_on, 10, 15),
        "requested_on": requested_on,
        "after_allocation": True,
        "last_week": False,
        "state": state,
    }
    values.update(fields)
    return Request(**values)
