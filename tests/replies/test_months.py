"""The month a reply names, read against today's date."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.records import Month
from bot.core.replies import analyse
from tests.replies.messages import TODAY, message


def month_of(text: str, today: date = TODAY, **kwargs: object) -> Month | None:
    return analyse(message(text, **kwargs), today=today).month  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("I'm on annual leave for most of June.", Month(2021, 6)),
        ("I have a final hearing in July.", Month(2021, 7)),
        ("Off sick until the end of May.", Month(2021, 5)),
        ("Surgery on 14th June, back mid-August.", Month(2021, 6)),
        ("Signed off from June 3rd.", Month(2021, 6)),
        ("The MACA runs throughout September 2022.", Month(2022, 9)),
        ("Please exempt me for the June audits.", Month(2021, 6)),
        ("Can I be exempted next month?", Month(2021, 6)),
        ("I can't do this month's audits.", Month(2021, 5)),
        ("I can't do them this month.", Month(2021, 5)),
        ("I'm on leave during April.", Month(2022, 4)),
        ("Nothing about dates here.", None),
    ],
)
def test_a_named_month_is_the_next_such_month_on_or_after_today(
    text: str, month: Month | None
) -> None:
    assert month_of(text) == month


def test_a_month_named_across_the_year_end_is_next_year() -> None:
    today = date(2021, 11, 20)

    assert month_of("I'm on maternity leave from January.", today) == Month(2022, 1)
    assert month_of("Most of December I'm in court.", today) == Month(2021, 12)
    assert month_of("Can I be exempted next month?", date(2021, 12, 2)) == Month(2022, 1)


@pytest.mark.parametrize(
    "text",
    [
        "This may be late.",
        "I may not make it.",
        "May I be exempted?",
        "June from the QA team said I should ask.",
    ],
)
def test_may_the_verb_and_june_the_name_are_not_months(text: str) -> None:
    assert month_of(text) is None


def test_the_first_month_named_is_taken() -> None:
    assert month_of("Off from late May to mid June.") == Month(2021, 5)


def test_a_month_in_the_quote_is_not_read() -> None:
    text = "Approved.\n\n> I'm on leave for most of June.\n"

    assert month_of(text) is None


def test_a_month_in_the_bots_subject_is_not_the_persons() -> None:
    assert month_of("I'm off sick.", subject="Re: Your audits for May 2021") is None


def test_a_month_in_a_subject_the_person_wrote_is_read() -> None:
    assert month_of("Off sick.", subject="Exemption for July please") == Month(2021, 7)


def test_the_month_just_gone_is_meant_while_it_is_being_closed() -> None:
    assert month_of("Can I be exempt from my May audits? I was off sick.", date(2021, 6, 3)) == (
        Month(2021, 5)
    )
    assert month_of("Can I be exempt from my May audits?", date(2021, 6, 14)) == Month(2022, 5)
