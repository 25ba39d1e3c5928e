"""What the core asks the shell to do: plain records, no behaviour."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from bot.core.records import Month


class Outcome(enum.StrEnum):
    COMPLETE = "complete"
    EXEMPTED = "exempted"
    MISSED = "missed"
    EXTENDED = "extended"  # every case due in by the deadline or its extension, some by this


@dataclass(frozen=True)
class MailPlan:
    """One message that ought to exist; ``key`` makes it happen at most once."""

    key: str
    template: str
    to: tuple[str, ...]
    context: Mapping[str, Any]
    cc: tuple[str, ...] = ()
    month: Month | None = None
    about: str | None = None  # the auditor the message concerns, if any
    stage: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)  # kept in the store, not mailed
    reference: str | None = None  # the reference token for replies, shown in the subject
    # The shell gives the mail the auditor's token for the month (made once, at random).
    auditor_thread: bool = False
    images: Mapping[str, bytes] = field(default_factory=dict)  # inline PNGs by content-id
    attachments: Mapping[str, bytes] = field(default_factory=dict)  # files by name
    # An answer to a message: its sender and thread, which the loop breaker counts.
    answers: str | None = None
    answers_thread: str | None = None


@dataclass(frozen=True)
class SkipPlan:
    """A reminder stage superseded during downtime: recorded, never sent."""

    key: str
    month: Month
    about: str
    stage: int


@dataclass(frozen=True)
class FrozenOutcome:
    """An auditor's outcome as frozen at the month's close: what the close records and
    what every reader of a closed month (status, digests, report) gets back from the store.
    Name, team and Head of Service are those of the close, whatever the roster says later."""

    email: str
    name: str
    team: str
    head_email: str
    outcome: Outcome
    cases: int
    late_on: date | None = None  # missed, then every audit in after the close: not counted


@dataclass(frozen=True)
class ClosePlan:
    month: Month
    outcomes: tuple[FrozenOutcome, ...]
    # Final at once only if a completions export covering the deadline has been read.
    final: bool = False


@dataclass(frozen=True)
class FinalPlan:
    """A provisional close made final: the export covering the deadline was read
    (``why`` "export") or the grace period passed ("grace")."""

    month: Month
    why: str


@dataclass(frozen=True)
class OutcomePlan:
    """A closed month's outcome for one auditor changed, and why: audits submitted in time
    that a later completions export shows, or an exemption approved while provisional."""

    month: Month
    email: str
    outcome: Outcome
    why: str
    final: bool  # the month was already final: the QA team is told


@dataclass(frozen=True)
class LatePlan:
    """A missed auditor whose audits all arrived after the month was frozen."""

    month: Month
    email: str
    submitted_on: date


@dataclass(frozen=True)
class FailedSend:
    """A mail the outbox gave up on, and why."""

    key: str
    kind: str
    recipients: tuple[str, ...]
    reason: str


class Record(NamedTuple):
    """What the store already holds under an outbox key. A tuple of plain values: a big
    council's tick reads tens of thousands, and the collector need not keep walking them."""

    status: str
    planned_on: date  # local date the row was planned
