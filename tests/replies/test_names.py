"""Children's names masked in what is quoted onward; staff, parents and places left alone."""

from __future__ import annotations

import pytest

from bot.core.replies.names import MASK, mask_names, staff_words

STAFF = staff_words(["Angela Thwaite", "Kerry-Ann Bassey", "Julie Hart", "Owen Price"])


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("The final hearing for Jayden Smith's case is on the 14th.", ["Jayden Smith"]),
        ("Done Riley's, still got Summer's to do", ["Riley", "Summer"]),
        ("I'd only started CR-112904 (Leo F's case).", ["Leo F"]),
        ("Both done. Kacey-Leigh's one was grim reading.", ["Kacey-Leigh"]),
        ("I'm in court for the Okoro care proceedings.", ["Okoro"]),
        ("The hearing for baby Harper starts on the 20th.", ["Harper"]),
        ("Done. Mum (Chantelle) is pregnant again.", []),  # a parent
        ("The SW for CR-109954 (Jordan) is off sick.", []),  # a worker
        ("Have let Angela know; Owen is covering.", []),  # staff
        ("Hi Julie,\n\nAll done.\n\nThanks\nKerry-Ann", []),  # greeting and sign-off
        ("We're moving to Kilnworth House and Brackenshire County Council's hub.", []),
        ("Struggling with the file. Monday's panel is at the High Court.", []),
    ],
)
def test_only_childrens_names_are_masked(text: str, masked: list[str]) -> None:
    result, count, found = mask_names(text, STAFF)

    assert found == masked
    assert count == len(masked) == result.count(MASK)
    for name in masked:
        assert name not in result


@pytest.mark.parametrize(
    ("names", "words"),
    [
        (["Kerry-Ann Bassey"], {"kerry-ann", "kerry", "ann", "bassey"}),
        (["Niamh O'Dowd"], {"niamh", "o'dowd", "dowd"}),
        (["J Smith"], {"smith"}),  # an initial names nobody
    ],
)
def test_every_part_of_a_staff_name_is_known(names: list[str], words: set[str]) -> None:
    assert staff_words(names) >= words


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Hi Priya, I've let Marcus know. Audit for Ellie done.", ["Ellie"]),
        ("Struggling with Amelia's file; spoken to Dev about it.", ["Amelia"]),
        ("Can Tariq be exempted? He's in court for baby Skye's hearing.", ["Skye"]),
        ("I'm covering for Joanne while Rosa's team is short.", []),
    ],
)
def test_without_a_roster_a_colleague_is_told_from_a_child_by_the_words_around(
    text: str, masked: list[str]
) -> None:
    assert mask_names(text, frozenset())[2] == masked
