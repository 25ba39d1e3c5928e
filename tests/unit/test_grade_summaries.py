"""A history month's grade summary reads back from its compact JSON exactly as it was made."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.quality import GradeMix, MonthGrades, month_grades
from bot.core.records import Completion, Grade, Month
from bot.store import grades as store

EMAILS = st.text(min_size=1, max_size=40)

completions = st.lists(
    st.builds(
        Completion,
        case_ref=st.text(max_size=40),
        auditor_email=EMAILS,
        submitted_on=st.dates(),  # any year, 0001 to 9999: ISO days must come back exactly
        grade=st.none() | st.sampled_from(Grade),
    ),
    max_size=60,
)
months = st.builds(Month, st.integers(1990, 2100), st.integers(1, 12))


@given(months, completions)
def test_a_summary_reads_back_exactly_what_the_sheet_gave(
    month: Month, done: list[Completion]
) -> None:
    grades = month_grades(month, done)
    assert store.loads(month, store.dumps(grades)) == grades


@given(
    months,
    st.dictionaries(EMAILS, st.tuples(*[st.integers(0, 10**6)] * 6), max_size=20),
    st.tuples(*[st.integers(0, 10**9)] * 6),
)
def test_any_counts_read_back_exactly(
    month: Month, by_auditor: dict[str, tuple[int, ...]], total: tuple[int, ...]
) -> None:
    grades = MonthGrades(month, by_auditor, (), True, GradeMix.of_counts(total))
    assert store.loads(month, store.dumps(grades)) == grades


COLUMNS = '"inadequate":{"case_refs":[],"auditors":[],"days":[],"late":[]},"total":[0,0,0,0,0,0]'


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"format": 1}',
        '{"format": 0, "total": []}',
        '{"format":1,"auditors":["a@x"],"row_of_auditor":[],"rows":[],' + COLUMNS + "}",
        '{"format":1,"auditors":["a@x"],"row_of_auditor":[1],"rows":[[1,0,0,0,0,0]],'
        + COLUMNS
        + "}",
    ],
)
def test_an_unreadable_or_older_summary_counts_as_absent(text: str) -> None:
    assert store.loads(Month(2021, 4), text) is None


def test_a_summary_judged_against_another_deadline_counts_as_absent(monkeypatch) -> None:
    # 31 May 2021 was a bank holiday; a calendar that moved the deadline (a newer `holidays`)
    # would make the stored late flags wrong, so the sheet must be parsed again.
    may = Month(2021, 5)
    text = store.dumps(month_grades(may, []))
    assert store.loads(may, text) is not None
    moved = store.cal.deadline(may).replace(day=28)
    monkeypatch.setattr(store.cal, "deadline", lambda month: moved)
    assert store.loads(may, text) is None
