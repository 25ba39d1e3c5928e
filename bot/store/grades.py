"""History months' grade counts kept in the store, so a fresh process reads a summary of a
few hundred KiB instead of parsing a month's completions sheet (~25k rows) again.

A summary is keyed by the sheet's content (sha256 of its bytes), its month and the case
reference pattern that decided which rows were valid: it is exact for that sheet, and a
changed sheet has a new hash, so it is parsed again and its summary replaces the old one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass
from datetime import date

from sqlalchemy import Connection, and_, delete, or_, select

from bot.core import calendar as cal
from bot.core.quality import FollowUp, GradeMix, MonthGrades
from bot.core.records import Month
from bot.store.repo import insert_ignoring_duplicates
from bot.store.schema import grade_summaries

# Bump when the summary's shape or the rules of bot.core.quality.month_grades change: a
# summary in another format is read as absent, so its sheet is parsed and it is replaced.
FORMAT = 1


@dataclass(frozen=True)
class SheetGrades:
    """A month's grades with the sheet content and case reference pattern they came from."""

    sheet_sha256: str
    case_ref_pattern: str
    grades: MonthGrades


def dumps(grades: MonthGrades) -> str:
    """Compact JSON, in columns: each auditor once, with the number of their row of counts
    (a month has only a few hundred distinct rows), and the inadequate audits (ISO days).
    Columns of strings and numbers also load fast: there are ~10,000 auditors a month."""
    rows: dict[tuple[int, ...], int] = {}
    row_of = [rows.setdefault(tuple(c), len(rows)) for c in grades.by_auditor.values()]
    follow_ups = grades.inadequate
    data = {
        "format": FORMAT,
        # Lateness was judged against this day: a bank-holiday calendar that moves it (a
        # newer ``holidays``) makes the summary stale, so it is parsed again.
        "deadline": cal.deadline(grades.month).isoformat(),
        "auditors": list(grades.by_auditor),
        "row_of_auditor": row_of,
        "rows": [list(row) for row in rows],
        "inadequate": {
            "case_refs": [f.case_ref for f in follow_ups],
            "auditors": [f.auditor_email for f in follow_ups],
            "days": [f.submitted_on.isoformat() for f in follow_ups],
            "late": [f.late for f in follow_ups],
        },
        "total": list(astuple(grades.total)),
    }
    return json.dumps(data, separators=(",", ":"))


def loads(month: Month, text: str) -> MonthGrades | None:
    """The summary ``dumps`` wrote; None if it is in another format or unreadable, so the
    sheet is parsed again rather than a digest failing."""
    try:
        data = json.loads(text)
        if data["format"] != FORMAT or data["deadline"] != cal.deadline(month).isoformat():
            return None
        rows = [tuple(row) for row in data["rows"]]
        counts = map(rows.__getitem__, data["row_of_auditor"])
        by_auditor = dict(zip(data["auditors"], counts, strict=True))
        i = data["inadequate"]
        columns = zip(i["case_refs"], i["auditors"], i["days"], i["late"], strict=True)
        inadequate = tuple(
            FollowUp(ref, email, date.fromisoformat(day), late) for ref, email, day, late in columns
        )
        total = GradeMix.of_counts(data["total"])
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None
    return MonthGrades(month, by_auditor, inadequate, True, total)


def stored(
    connection: Connection, sheets: Mapping[Month, str], case_ref_pattern: str
) -> dict[Month, MonthGrades]:
    """The stored summaries of these sheets (month -> sha256 of the sheet), one query."""
    if not sheets:
        return {}
    c = grade_summaries.c
    query = select(c.month, c.summary).where(
        c.case_ref_pattern == case_ref_pattern,
        or_(*(and_(c.month == str(m), c.sheet_sha256 == sha) for m, sha in sheets.items())),
    )
    found = {}
    for row in connection.execute(query):
        month = Month.parse(row.month)
        grades = loads(month, row.summary)
        if grades is not None:
            found[month] = grades
    return found


def save(connection: Connection, summaries: Sequence[SheetGrades]) -> None:
    """Keep these summaries (the last of each month) in place of any other of their months:
    an older sheet's, or one in an old format. Another instance storing the same summary at
    once is no error."""
    if not summaries:
        return
    newest = {str(s.grades.month): s for s in summaries}  # a month's later sheet wins
    connection.execute(delete(grade_summaries).where(grade_summaries.c.month.in_(list(newest))))
    rows = [
        {
            "month": month,
            "sheet_sha256": s.sheet_sha256,
            "case_ref_pattern": s.case_ref_pattern,
            "summary": dumps(s.grades),
        }
        for month, s in sorted(newest.items())
    ]
    insert_ignoring_duplicates(connection, grade_summaries, rows)
