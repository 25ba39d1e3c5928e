"""The digests' words: rendered from the seeded month's figures through the real templates."""

from __future__ import annotations

import dataclasses
import re

import pytest

from bot.config import TargetSettings
from bot.core.digest_figures import build_digest
from bot.render import Renderer
from bot.reporting.digests import Chart
from tests.digest.seeded import CURRENT, HISTORY, NOW, PRIYA, ROSTER

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f6d8a50000000049454e44ae426082"
)


def _context(d, prefix: str, qa_copy: bool = False) -> dict:
    charts = {
        name: Chart(f"{prefix}-{name}", PNG_1PX, f"{name} chart").view(inline=True)
        for name in ("teams", "trend", "grades")
    }
    return {
        "d": d,
        "charts": charts,
        "council": "Example Borough Council",
        "director": "Dana Director",
        "limit": 25 if d.head_email is None else 100_000,
        "targets": TargetSettings().rules,
        "as_of": None,
        "qa_copy": qa_copy,
        "mailbox": "audit-bot@council.example",
    }


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(council="Example Borough Council")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_directors_digest_reads_as_worked_out(renderer: Renderer) -> None:
    d = build_digest(CURRENT, HISTORY, NOW, day=NOW.date())
    mail = renderer.render("digest", _context(d, "digest"))
    assert mail.subject == (
        "Weekly audit digest, week of Mon 17 May: 1 for your decision; "
        "May 2021 40% of auditors complete, 9 working days left"
    )
    # What waits on her comes first, before any figure.
    assert mail.text.index("FOR YOUR DECISION (1)") < mail.text.index("40% of auditors")
    text = _flat(mail.text)
    for line in (
        "- EXM-2021-05-003: Dina Morgan (Looked After Children) asks to be exempted from May "
        "2021 audits: outside the policy's exceptional circumstances. Flagged: after "
        "allocation, outside policy, no Head of Service response. With you for 5 working days.",
        'To decide, reply to the request\'s own email starting "Approved." or "Declined.", or '
        "use the buttons in the HTML version of this message.",
        "40% of auditors complete: 2 of 5 (the 1 exempted left out); 4 of their 7 audits in.",
        "Deadline Monday 31 May 2021 (the last working day is Friday 28 May 2021): "
        "9 working days left after today.",
        "Everyone: 6 auditors allocated, 2 complete, 1 say done, 1 exempted, 2 outstanding: 40%",
        "Counts are of auditors, not audits.",
        "Fostering: nobody allocated",
        "- April 2021: 80% (4 of 5 auditors)",
        "- May 2021: 40% (2 of 5 auditors) so far",
        "Waiting for a Head of Service (1): "
        "- EXM-2021-05-002 Alex Jones (Looked After Children), heavy statutory work: "
        "with Hana Ahmed (Head of Service) for 3 working days",
        "EXM-2021-05-004 Ben Okafor: not supported by Hana Ahmed, Fri 14 May 12:00",
        "EXM-2021-05-003 Dina Morgan: after allocation, outside policy, no Head of Service "
        "response (waiting for the director)",
        "Dina Morgan (Looked After Children): Jan 2021, Apr 2021",
        "Dina Morgan (Looked After Children): out of office (2 times), latest Wed 12 May 09:41",
        "- The three months: 7 graded; good or better 57.1%*, requires improvement 28.6%*, "
        "inadequate 14.3%*; 2 not graded",
        "Good or better 57.1%*: meets the target of at least 40%.",
        "Inadequate 14.3%*: NOT WITHIN the limit of less than 12%.",
        "* Small number: a share of fewer than 10 graded audits.",
        "1 audit submitted after the month's deadline is left out (late audits are not counted).",
    ):
        assert line in text, line
    assert "- February 2021: 0 graded; good or better -" in text
    # The director's digest is in numbers: auditors are named only where they asked or said.
    assert "Sam Patel" not in mail.text and "Kim Lee" not in mail.text
    # Services and teams by name, never by a Head of Service's.
    assert "Hana Ahmed:" not in mail.text and "Priya Shah:" not in mail.text
    # The trail's hash is the QA team's to keep, not the director's to read.
    assert "ab" * 32 not in mail.text + mail.html and "Tamper" not in mail.text


def test_the_qa_teams_copy_has_the_trails_hash_and_no_buttons(renderer: Renderer) -> None:
    d = build_digest(CURRENT, HISTORY, NOW, day=NOW.date())
    mail = renderer.render("digest", _context(d, "digest", qa_copy=True))
    assert mail.subject == (
        "QA team's copy: Weekly audit digest, week of Mon 17 May: 1 for Dana's decision; "
        "May 2021 40% of auditors complete, 9 working days left"
    )
    text = _flat(mail.text)
    assert text.startswith("This is the QA team's copy of this week's digest for Dana Director")
    assert "WAITING FOR DANA DIRECTOR'S DECISION (1)" in text
    assert "With Dana for 5 working days." in text
    assert "newest event in the audit trail was number 4321, with hash " + "ab" * 32 in text
    assert "ab" * 32 in mail.html
    assert "mailto:" not in mail.html and "Dear Dana" not in mail.text


def test_the_html_part_shows_the_same_with_charts_and_alt_text(renderer: Renderer) -> None:
    d = build_digest(CURRENT, HISTORY, NOW, day=NOW.date())
    html = renderer.render("digest", _context(d, "digest")).html
    for name in ("teams", "trend", "grades"):
        assert f'<img src="cid:digest-{name}" alt="{name} chart" width="592" height="592"' in html
    assert "<strong>40% of auditors complete</strong>: 2 of 5 (the 1 exempted left out)" in html
    assert re.search(r"Fostering <span[^>]*>\(nobody allocated\)</span>", html)
    assert '57.1%<sup title="small number: fewer than 10 graded audits">*</sup>' in html
    # One click to decide: a reply to us carrying the request's token and one word.
    subject = "Re%3A%20Exemption%20request%20EXM-2021-05-003%20%5BEXM-2021-05-003-K7M3Q9XA%5D"
    for word in ("Approved.", "Declined."):
        href = f"mailto:audit-bot@council.example?subject={subject}&amp;body={word}"
        assert href in html, word
    assert ">Approve EXM-2021-05-003</a>" in html and ">Decline EXM-2021-05-003</a>" in html


def test_a_head_of_services_digest_names_their_auditors_and_follow_ups(renderer) -> None:
    d = build_digest(CURRENT, HISTORY, NOW, PRIYA, day=NOW.date())
    mail = renderer.render("team_digest", _context(d, "team"))
    assert mail.subject == (
        "Your service's audits, week of Mon 17 May: May 2021 0 of 2 auditors complete, "
        "9 working days left"
    )
    text = _flat(mail.text)
    assert (
        "- Alex Jones (Looked After Children): outstanding; not yet in the sheet: CR-2001" in text
    )
    assert (
        "- Dina Morgan (Looked After Children): outstanding; not yet in the sheet: CR-2101" in text
    )
    assert "GRADED INADEQUATE IN APRIL 2021: FOLLOW UP FOR THE CHILD" in text
    assert "- CR-0202, audited by Alex Jones, submitted Wednesday 7 April 2021" in text
    assert '<td style="text-align:left;padding:3px 8px 3px 0;' in mail.html
    assert "CR-0202" in mail.html and 'src="cid:team-teams"' in mail.html


def test_values_from_the_sheets_are_escaped_in_html(renderer: Renderer) -> None:
    alex = ROSTER["alex@council.example"]
    roster = {**ROSTER, alex.email: dataclasses.replace(alex, name="<b>Alex</b> & co")}
    current = dataclasses.replace(CURRENT, roster=roster)
    d = build_digest(current, HISTORY, NOW, PRIYA, day=NOW.date())
    mail = renderer.render("team_digest", _context(d, "team"))
    assert "&lt;b&gt;Alex&lt;/b&gt; &amp; co" in mail.html
    assert "<b>Alex</b>" not in mail.html
    assert "<b>Alex</b> & co" in mail.text
