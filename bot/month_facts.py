"""A month's facts from the store and the sheets: one gathering for the tick and ``status``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from sqlalchemy import Connection

from bot.core import calendar as cal
from bot.core.cycle import MonthFacts, submission
from bot.core.plans import Record
from bot.core.records import Auditor, Month
from bot.core.replies.cases import done_and_outstanding
from bot.inputs.in_force import MonthSheets
from bot.store import exemption_requests, repo


def month_facts(
    connection: Connection,
    month: Month,
    sheets: MonthSheets,
    roster: Mapping[str, Auditor],
    records: dict[str, Record],
    closed: bool,
    final: bool,
    tz: tzinfo,
    until: datetime | None = None,
) -> MonthFacts:
    """What the planner, ``status`` and the digests know of ``month``: the sheets as read
    and what the store has recorded (exemptions, the close, self-reported completions).
    With ``until``, exemptions are those approved by then."""
    frozen = None
    if closed:
        frozen = {o.email: o for o in repo.load_outcomes(connection, month)}
    self_reported = exemption_requests.noted(connection, month, "self_reported")
    return MonthFacts(
        month=month,
        roster=roster,
        sheet_found=sheets.sheet_found,
        allocations=sheets.allocations,
        held_back=sheets.held_back,
        completions=sheets.completions,
        records=records,
        issued=repo.issued_cases(connection, month),
        exempted=exemption_requests.exempted(connection, month, until),
        terms=exemption_requests.terms(connection, month, until),
        said_done=said_done(exemption_requests.noted_words(connection, month, "part_done")),
        self_reported=self_reported,
        unconfirmed={
            email: tuple(
                c.case_ref
                for c in sheets.allocations.get(email, ())
                if submission(sheets.completions, c) is None
            )
            for email in self_reported
        },
        frozen=frozen,
        final=closed and final,
        export_covers_deadline=covers_deadline(month, sheets.completions_modified, tz),
    )


def said_done(notes: list[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """The cases each auditor's part-done replies said were done (upper-cased)."""
    found: dict[str, frozenset[str]] = {}
    for email, words in notes:
        done, _ = done_and_outstanding(words)
        found[email] = found.get(email, frozenset()) | frozenset(done)
    return found


def covers_deadline(month: Month, modified: datetime | None, tz: tzinfo) -> bool:
    """A completions export modified after the month's deadline (local) covers it."""
    if modified is None:
        return False
    return modified.astimezone(tz).date() > cal.deadline(month)
