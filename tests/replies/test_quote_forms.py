"""Quote trimming on the forms that used to keep the quoted original, and forwards."""

from __future__ import annotations

import pytest

from bot.core.replies.trim import new_text, written_text

QUOTE = "> Your audits for May 2021 are CR-104305 and CR-104311.\n> Reply done when complete."
BOT = "Audit Bot <audit-bot@council.example>"


@pytest.mark.parametrize(
    "attribution",
    [
        f"On Tue, 4 May 2021, 09:30 {BOT}\nwrote:",  # wrapped over two lines (Android Gmail)
        f"Le mar. 4 mai 2021 à 09:30, {BOT} a\nécrit :",
        f"Am 04.05.2021 um 09:30 schrieb {BOT}:",
        f"---- On Tue, 04 May 2021 09:30:00 +0100 {BOT} wrote ----",  # Zoho
        f"2013/7/20 {BOT}",  # Gmail, date first
        f"2021/5/4 {BOT}:",
        f"On 4 May 2021, at 09:30, {BOT} wrote:",  # iOS
        "On Tue, 4 May 2021 at 09:30, Audit Bot <audit-bot@council.example\n> wrote:",
        "On Tuesday, 4 May 2021 at 09:30:00 BST, Audit Bot\n<audit-bot@council.example>\nwrote:",
        f"{BOT} wrote on 04/05/2021 09:30:",  # Lotus Notes
    ],
)
def test_each_attribution_form_ends_the_new_text(attribution: str) -> None:
    assert new_text(f"All done, thanks.\n\n{attribution}\n\n{QUOTE}") == "All done, thanks."


def test_a_short_line_above_an_attribution_is_not_taken_into_it() -> None:
    text = f"2/3 done\n\nAm 04.05.2021 um 09:30 schrieb {BOT}:\n{QUOTE}"

    assert new_text(text) == "2/3 done"


@pytest.mark.parametrize("line", ["Obtenir Outlook pour iOS", "Get Outlook for Android"])
def test_outlook_mobile_lines_end_the_new_text(line: str) -> None:
    text = f"Approved.\n\n{line}\n________________________________\nDe : Audit Bot\nObjet : x"

    assert new_text(text) == "Approved."


def test_a_dashed_attribution_ends_the_text_even_without_quote_marks() -> None:
    text = f"Approved.\n\n---- On Tue, 04 May 2021 09:30 {BOT} wrote ----\n\nDo you approve?"

    assert new_text(text) == "Approved."


def test_a_quote_only_message_has_no_new_text() -> None:
    assert new_text(f"On 4 May 2021, at 09:30, {BOT} wrote:\n\n{QUOTE}") == ""


FORWARDED = (
    "---------- Forwarded message ---------\nFrom: Sam Patel <sam.patel@council.example>\n"
    "Date: Tue, 4 May 2021 at 09:30\nSubject: Exemption\nTo: Hana Ahmed\n\n"
    "Can I be exempted this month? I'm in court all week.\n\nSam"
)


@pytest.mark.parametrize(
    ("note", "kept"),
    [
        ("See below, I support this.", True),
        ("FYI", True),
        ("", True),
        ("All done, thanks.", False),  # a reply that happens to carry a forward below it
    ],
)
def test_a_forward_is_kept_when_it_is_the_message(note: str, kept: bool) -> None:
    text = written_text(f"{note}\n\n{FORWARDED}")

    assert ("Can I be exempted this month?" in text) is kept
    assert ("sam.patel@council.example" in text) is kept
    assert new_text(f"{note}\n\n{FORWARDED}") == note  # what the shell reads is unchanged


def test_an_outlook_forward_is_kept_when_the_subject_says_forward() -> None:
    text = (
        "I support this.\n\n________________________________\n"
        "From: Sam Patel <sam.patel@council.example>\nSent: 04 May 2021 09:30\nTo: Hana\n"
        "Subject: Exemption\n\nCan I be exempted?"
    )

    assert "Can I be exempted?" in written_text(text, forward=True)
    assert "Can I be exempted?" not in written_text(text, forward=False)
