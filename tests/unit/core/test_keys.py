"""Outbox keys: each kind's string, and the parser that reads every one back."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import keys
from bot.core.keys import Kind, OutboxKey, parse
from bot.core.records import Month

MAY = Month(2021, 5)
JO = "jo.bloggs@council.gov.uk"
HEAD = "hana@council.gov.uk"
MONDAY = date(2021, 5, 17)  # ISO week 2021-W20
REMINDER = "reminder/2021-05/stage-2/jo.bloggs@council.gov.uk"

# What each constructor writes (the stored format: these strings never change) and what the
# parser reads back from it.
CASES = [
    (
        keys.allocation_key(MAY, JO),
        "allocation/2021-05/jo.bloggs@council.gov.uk",
        OutboxKey(Kind.ALLOCATION, month=MAY, email=JO),
    ),
    (
        keys.allocation_update_key(MAY, JO, ["CR-1002", "CR-1001"]),
        "allocation-update/2021-05/jo.bloggs@council.gov.uk/"
        + keys.short_digest(["CR-1001", "CR-1002"]),
        OutboxKey(
            Kind.ALLOCATION_UPDATE,
            month=MAY,
            email=JO,
            digest=keys.short_digest(["CR-1001", "CR-1002"]),
        ),
    ),
    (
        keys.reminder_key(MAY, 2, JO),
        REMINDER,
        OutboxKey(Kind.REMINDER, month=MAY, stage=2, email=JO),
    ),
    (
        keys.reminder_key(MAY, 0, JO),
        "reminder/2021-05/stage-0/jo.bloggs@council.gov.uk",
        OutboxKey(Kind.REMINDER, month=MAY, stage=0, email=JO),
    ),
    (
        keys.exempt_but_allocated_key(MAY, JO),
        "exempt-but-allocated/2021-05/jo.bloggs@council.gov.uk",
        OutboxKey(Kind.EXEMPT_BUT_ALLOCATED, month=MAY, email=JO),
    ),
    (
        keys.child_action_key(MAY, "CR/1001", "notify"),
        "child-action/2021-05/notify/CR/1001",
        OutboxKey(Kind.CHILD_ACTION, month=MAY, suffix="notify", case="CR/1001"),
    ),
    (
        keys.missing_sheet_key(MAY),
        "missing-sheet/allocations/2021-05",
        OutboxKey(Kind.MISSING_SHEET, month=MAY),
    ),
    (
        keys.reallocate_key(MAY, JO),
        "reallocate/2021-05/jo.bloggs@council.gov.uk",
        OutboxKey(Kind.REALLOCATE, month=MAY, email=JO),
    ),
    (
        keys.not_allocated_key(MAY),
        "not-allocated/2021-05",
        OutboxKey(Kind.NOT_ALLOCATED, month=MAY),
    ),
    (
        keys.close_head_key(MAY, HEAD),
        "close/2021-05/head/hana@council.gov.uk",
        OutboxKey(Kind.CLOSE_HEAD, month=MAY, email=HEAD),
    ),
    (keys.close_qa_key(MAY), "close/2021-05/qa", OutboxKey(Kind.CLOSE_QA, month=MAY)),
    (
        keys.close_corrected_key(MAY, [HEAD]),
        f"close/2021-05/corrected/{keys.short_digest([HEAD])}",
        OutboxKey(Kind.CLOSE_CORRECTED, month=MAY, digest=keys.short_digest([HEAD])),
    ),
    (
        keys.exemption_key("EXM-2021-05-017", "to-head"),
        "exemption/EXM-2021-05-017/to-head",
        OutboxKey(Kind.EXEMPTION, ref="EXM-2021-05-017", suffix="to-head"),
    ),
    (
        keys.digest_director_key(MONDAY),
        "digest/2021-W20/director",
        OutboxKey(Kind.DIGEST_DIRECTOR, week="2021-W20"),
    ),
    (
        keys.digest_head_key(MONDAY, HEAD),
        "digest/2021-W20/head/hana@council.gov.uk",
        OutboxKey(Kind.DIGEST_HEAD, week="2021-W20", email=HEAD),
    ),
    (
        keys.digest_qa_key(MONDAY),
        "digest/2021-W20/qa",
        OutboxKey(Kind.DIGEST_QA, week="2021-W20"),
    ),
    (
        keys.heads_up_key(Month(2021, 6), HEAD),
        "heads-up/2021-06/hana@council.gov.uk",
        OutboxKey(Kind.HEADS_UP, month=Month(2021, 6), email=HEAD),
    ),
    (
        keys.problems_key("allocations/2021-05.xlsx", ["row 3: no auditor"]),
        "problems/allocations/2021-05.xlsx/" + keys.short_digest(["row 3: no auditor"]),
        OutboxKey(
            Kind.PROBLEMS,
            source="allocations/2021-05.xlsx",
            digest=keys.short_digest(["row 3: no auditor"]),
        ),
    ),
    (
        keys.problems_key("roster", ["x"]),
        "problems/roster/" + keys.short_digest(["x"]),
        OutboxKey(Kind.PROBLEMS, source="roster", digest=keys.short_digest(["x"])),
    ),
    (
        keys.inbound_key("3f9a1c0b7d2e", "at-risk"),
        "inbound/3f9a1c0b7d2e/at-risk",
        OutboxKey(Kind.INBOUND, ref="3f9a1c0b7d2e", suffix="at-risk"),
    ),
    (
        keys.inbound_key("3f9a1c0b7d2e", "suspected-forgery"),
        "inbound/3f9a1c0b7d2e/suspected-forgery",
        OutboxKey(Kind.INBOUND, ref="3f9a1c0b7d2e", suffix="suspected-forgery"),
    ),
    (
        keys.will_answer_key(JO, date(2021, 5, 12)),
        "will-answer/jo.bloggs@council.gov.uk/2021-05-12",
        OutboxKey(Kind.WILL_ANSWER, email=JO, day=date(2021, 5, 12)),
    ),
    (
        keys.bounce_key(REMINDER, JO),
        "bounce/reminder/2021-05/stage-2/jo.bloggs@council.gov.uk/jo.bloggs@council.gov.uk",
        OutboxKey(Kind.BOUNCE, about=REMINDER, email=JO),
    ),
    (
        keys.send_failed_key(REMINDER),
        "send-failed/reminder/2021-05/stage-2/jo.bloggs@council.gov.uk",
        OutboxKey(Kind.SEND_FAILED, about=REMINDER),
    ),
    (
        keys.answers_stopped_key(JO, date(2021, 5, 12)),
        "answers-stopped/jo.bloggs@council.gov.uk/2021-05-12",
        OutboxKey(Kind.ANSWERS_STOPPED, email=JO, day=date(2021, 5, 12)),
    ),
    (
        keys.connection_check_key(datetime(2021, 5, 4, 9, 30, 5), "0a1b2c3d"),
        "connection-check/20210504T093005/0a1b2c3d",
        OutboxKey(Kind.CONNECTION_CHECK, at=datetime(2021, 5, 4, 9, 30, 5), nonce="0a1b2c3d"),
    ),
    (
        keys.question_key("ASK-2021-05-K7M3Q9XA", "again"),
        "question/ASK-2021-05-K7M3Q9XA/again",
        OutboxKey(Kind.QUESTION, ref="ASK-2021-05-K7M3Q9XA", suffix="again"),
    ),
    (
        keys.names_reminder_key(JO),
        "names-reminder/jo.bloggs@council.gov.uk",
        OutboxKey(Kind.NAMES_REMINDER, email=JO),
    ),
    (
        keys.moderation_key(MAY, "reminder-2", JO),
        "moderation/2021-05/reminder-2/jo.bloggs@council.gov.uk",
        OutboxKey(Kind.MODERATION, month=MAY, suffix="reminder-2", email=JO),
    ),
    (keys.report_key(MAY), "report/2021-05", OutboxKey(Kind.REPORT, month=MAY)),
]


@pytest.mark.parametrize(("built", "text", "typed"), CASES, ids=[c[1] for c in CASES])
def test_each_key_is_written_as_stored_and_read_back(
    built: str, text: str, typed: OutboxKey
) -> None:
    assert built == text
    assert parse(built) == typed
    assert str(typed) == text


def test_every_kind_is_covered() -> None:
    assert {typed.kind for _, _, typed in CASES} == set(Kind) - {Kind.FOREIGN}


def test_the_kinds_that_share_a_first_segment() -> None:
    assert Kind.CLOSE_HEAD.prefix == Kind.CLOSE_QA.prefix == "close"
    assert Kind.DIGEST_HEAD.prefix == Kind.DIGEST_DIRECTOR.prefix == "digest"
    assert Kind.ALLOCATION_UPDATE.prefix == "allocation-update"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "/",
        "allocation",
        "allocation/",
        "allocation/2021-05",
        "allocation/2021-05/",
        "allocation/2021-13/jo@council.gov.uk",  # no 13th month
        "allocation/21-05/jo@council.gov.uk",
        "allocation/ 2021-05/jo@council.gov.uk",
        "reminder/2021-05/stage-02/jo@council.gov.uk",  # not how a stage is written
        "reminder/2021-05/stage-x/jo@council.gov.uk",
        "reminder/2021-05/jo@council.gov.uk",
        "close/2021-05/director",
        "close/2021-05/qa/extra",
        "digest/2021-20/director",
        "will-answer/jo@council.gov.uk/2021-02-30",  # no 30 February
        "answers-stopped/jo@council.gov.uk",
        "exemption/EXM-2021-05-017/to-head/again",
        "connection-check/20211301T000000/0a1b2c3d",
        "send-failed/",
        "something-else/2021-05/jo@council.gov.uk",  # a key from an older or other system
        "ALLOCATION/2021-05/jo@council.gov.uk",
    ],
)
def test_a_key_of_no_known_shape_is_foreign_not_an_error(text: str) -> None:
    parsed = parse(text)
    assert parsed == OutboxKey(Kind.FOREIGN, text=text)
    assert str(parsed) == text


def test_a_key_missing_a_part_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="lacks a part"):
        str(OutboxKey(Kind.ALLOCATION, month=MAY))


# -- properties --------------------------------------------------------------------------------

months = st.builds(Month, st.integers(0, 9999), st.integers(1, 12))
emails = st.emails()
days = st.dates()
texts = st.text(st.characters(codec="utf-8"))  # what a sheet or a mail can hold
segments = st.text(st.characters(codec="utf-8", exclude_characters="/"), min_size=1)
stamps = st.datetimes(min_value=datetime(1000, 1, 1)).map(lambda t: t.replace(microsecond=0))
any_key = st.one_of(  # keys of our own mail, which a bounce or failed send names
    st.builds(keys.allocation_key, months, emails),
    st.builds(keys.allocation_update_key, months, emails, st.lists(segments)),
    st.builds(keys.reminder_key, months, st.integers(0, 99), emails),
    st.builds(keys.close_head_key, months, emails),
    st.builds(keys.will_answer_key, emails, days),
    st.builds(keys.digest_head_key, st.dates(min_value=date(1000, 1, 8)), emails),
    st.text(min_size=1),  # and a foreign key
)


@given(months, emails)
def test_allocation_round_trip(month: Month, email: str) -> None:
    assert parse(keys.allocation_key(month, email)) == OutboxKey(
        Kind.ALLOCATION, month=month, email=email
    )


@given(months, st.integers(0, 99), emails)
def test_reminder_round_trip(month: Month, stage: int, email: str) -> None:
    assert parse(keys.reminder_key(month, stage, email)) == OutboxKey(
        Kind.REMINDER, month=month, stage=stage, email=email
    )


@given(months, emails, st.lists(segments))
def test_allocation_update_round_trip(month: Month, email: str, cases: list[str]) -> None:
    digest = keys.short_digest(sorted(cases))
    assert parse(keys.allocation_update_key(month, email, cases)) == OutboxKey(
        Kind.ALLOCATION_UPDATE, month=month, email=email, digest=digest
    )


@given(months, emails)
def test_month_keys_round_trip(month: Month, email: str) -> None:
    assert parse(keys.exempt_but_allocated_key(month, email)).email == email
    assert parse(keys.close_head_key(month, email)) == OutboxKey(
        Kind.CLOSE_HEAD, month=month, email=email
    )
    assert parse(keys.missing_sheet_key(month)).month == month
    assert parse(keys.close_qa_key(month)) == OutboxKey(Kind.CLOSE_QA, month=month)


@given(st.dates(min_value=date(1000, 1, 8)), emails)
def test_digest_round_trip(day: date, email: str) -> None:
    week = keys.week_id(day)
    assert parse(keys.digest_director_key(day)) == OutboxKey(Kind.DIGEST_DIRECTOR, week=week)
    assert parse(keys.digest_head_key(day, email)) == OutboxKey(
        Kind.DIGEST_HEAD, week=week, email=email
    )


@given(days, emails)
def test_daily_per_sender_round_trip(day: date, email: str) -> None:
    assert parse(keys.will_answer_key(email, day)) == OutboxKey(
        Kind.WILL_ANSWER, email=email, day=day
    )
    assert parse(keys.answers_stopped_key(email, day)) == OutboxKey(
        Kind.ANSWERS_STOPPED, email=email, day=day
    )


@given(segments, segments)
def test_ref_and_suffix_round_trip(ref: str, suffix: str) -> None:
    assert parse(keys.exemption_key(ref, suffix)) == OutboxKey(
        Kind.EXEMPTION, ref=ref, suffix=suffix
    )
    assert parse(keys.inbound_key(ref, suffix)) == OutboxKey(Kind.INBOUND, ref=ref, suffix=suffix)


@given(st.one_of(segments, st.text(min_size=1)), st.lists(texts))
def test_problems_round_trip(source: str, problems: list[str]) -> None:
    digest = keys.short_digest(problems)
    assert parse(keys.problems_key(source, problems)) == OutboxKey(
        Kind.PROBLEMS, source=source, digest=digest
    )


@given(any_key, emails.filter(lambda e: "/" not in e))
def test_bounce_and_send_failed_round_trip(returned: str, address: str) -> None:
    # The bounced address is the last segment: an address with "/" in it would not read back.
    assert parse(keys.bounce_key(returned, address)) == OutboxKey(
        Kind.BOUNCE, about=returned, email=address
    )
    assert parse(keys.send_failed_key(returned)) == OutboxKey(Kind.SEND_FAILED, about=returned)
    assert parse(parse(keys.bounce_key(returned, address)).about or "") == parse(returned)


@given(stamps, segments)
def test_connection_check_round_trip(at: datetime, nonce: str) -> None:
    assert parse(keys.connection_check_key(at, nonce)) == OutboxKey(
        Kind.CONNECTION_CHECK, at=at, nonce=nonce
    )


prefixes = st.sampled_from([*sorted({kind.prefix for kind in Kind} - {""}), "close/2021-05"])


@given(st.one_of(st.text(), st.builds(lambda p, rest: f"{p}/{rest}", prefixes, st.text())))
def test_any_text_reads_back_as_itself(text: str) -> None:
    # Known or foreign, a key is never lost or changed by reading it.
    assert str(parse(text)) == text
