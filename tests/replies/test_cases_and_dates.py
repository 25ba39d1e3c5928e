"""The reader's cases and dates: which named cases a part-done reply says are done, which a
request asks about, and the date an extension names, relative ones resolved against the
message's date."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.replies.analyse import sent_on
from bot.core.replies.cases import asked_cases, done_and_outstanding
from bot.core.replies.until import find_until

THURSDAY_20_MAY = date(2021, 5, 20)
MAY_DEADLINE = date(2021, 5, 31)


@pytest.mark.parametrize(
    ("text", "done", "outstanding"),
    [
        ("CR-1 is done, CR-2 nearly there", ("CR-1",), ("CR-2",)),
        ("I've done CR-104301, CR-104302 is nearly there.", ("CR-104301",), ("CR-104302",)),
        ("CR-104301 and CR-104302 are submitted but CR-104303 is not",
         ("CR-104301", "CR-104302"), ("CR-104303",)),
        ("I've finished CR-104301 but not CR-104302", ("CR-104301",), ("CR-104302",)),
        ("CR-104301 is in and CR-104302 is still to do", ("CR-104301",), ("CR-104302",)),
        ("Still working on CR-104301 and CR-104302", (), ("CR-104301", "CR-104302")),
        ("Done one of them, the other is nearly there", (), ()),
    ],
)  # fmt: skip
def test_done_and_outstanding_among_named_cases(text, done, outstanding) -> None:
    assert done_and_outstanding(text) == (done, outstanding)


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Could I be exempt from CR-104363 at least?", ("CR-104363",)),
        ("Can I be exempted from CR-104301 and CR-104302?", ("CR-104301", "CR-104302")),
        ("Please exempt me from the audit for CR-104301.", ("CR-104301",)),
        ("An exemption for CR-104363 only, please.", ("CR-104363",)),
        ("I have CR-104301 and CR-104302 but I'm off sick all month, can I be exempted?", ()),
        ("Could she be exempted from her May audits?", ()),
    ],
)
def test_the_cases_a_request_asks_about(text, asked) -> None:
    assert asked_cases(text) == asked


@pytest.mark.parametrize(
    ("text", "after", "until"),
    [
        ("I'll have them in by next Friday", None, date(2021, 5, 28)),
        ("I should get it done by Friday", None, date(2021, 5, 21)),
        ("aiming for the end of next week", None, date(2021, 5, 28)),
        ("an extension to the end of the week", None, date(2021, 5, 21)),
        ("can I have until tomorrow", None, date(2021, 5, 21)),
        ("yes to an extension to the 4th", None, date(2021, 6, 4)),
        ("yes to an extension to the 24th", None, date(2021, 5, 24)),
        # For an extension of May: the first 24th after the deadline.
        ("yes to an extension to the 24th", MAY_DEADLINE, date(2021, 6, 24)),
        ("extension until 7 June", MAY_DEADLINE, date(2021, 6, 7)),
        ("I'm off until the 14th for my operation", None, None),
        ("see you on Friday", None, None),
    ],
)
def test_the_date_an_extension_names(text, after, until) -> None:
    assert find_until(text, THURSDAY_20_MAY, after=after) == until


@pytest.mark.parametrize(
    ("header", "day"),
    [
        ("Thu, 20 May 2021 09:12:00 +0100", date(2021, 5, 20)),
        ("Wed, 19 May 2021 23:30:00 +0000", date(2021, 5, 20)),  # 00:30 in London
        ("Mon, 03 May 2021 08:00:00 +0100", date(2021, 5, 3)),
        ("Fri, 21 May 2021 09:00:00 +0100", None),  # after the day it is read: not believed
        ("Tue, 02 Mar 2021 09:00:00 +0000", None),  # months before: a clock far off
        ("Thu, 20 May 2021 09:12:00", None),  # no zone
        ("yesterday", None),
        (None, None),
    ],
)
def test_the_day_a_message_was_written(header, day) -> None:
    assert sent_on(header, THURSDAY_20_MAY) == day


def test_a_relative_date_counts_from_the_day_the_message_was_written() -> None:
    # Written on Friday 28 May, read after a week's downtime on Friday 4 June.
    written = sent_on("Fri, 28 May 2021 16:00:00 +0100", date(2021, 6, 4))

    assert find_until("She can have until next Friday.", written or date(2021, 6, 4)) == date(
        2021, 6, 4
    )
