"""The director's digest as she uses it: what waits on her at the top, decided in one click;
the QA team's copy keeps the trail's hash. Through the local transport, on both stores."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.world import ALEX, BOT, DIRECTOR, HANA, KIM, QA, SAM, Landed, World, build_new

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]


@pytest.fixture
def waiting(world: World) -> World:
    """Sam's request supported by Hana on Thursday 6 May: with the director by Monday."""
    world.enable_digests()
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (KIM_EMAIL, "CR-3001", "case_audit"),
        ],
    )
    world.tick("2021-05-04T09:30")
    allocation = next(m for m in world.new_mail() if m.key == f"allocation/2021-05/{SAM_EMAIL}")
    world.reply(
        allocation,
        SAM_EMAIL,
        "I'm on sick leave from Monday for three weeks, can I be exempted this month?",
    )
    world.tick("2021-05-06T10:00")
    to_head = next(m for m in world.new_mail() if m.key.endswith("/to-head"))
    world.reply(to_head, HANA, "I support this request.")
    world.tick("2021-05-06T11:00")
    world.new_mail()
    return world


def _buttons(mail: Landed) -> dict[str, str]:
    """The digest's mailto links, by their label."""
    found = re.findall(r'<a href="(mailto:[^"]+)"[^>]*>([^<]+)</a>', mail.html)
    return {label: htmllib.unescape(href) for href, label in found}


def _click(href: str, sender: str) -> bytes:
    """What a mail client sends when the link is clicked and the draft sent as it is."""
    parts = urlsplit(href)
    query = parse_qs(parts.query)
    assert unquote(parts.path) == BOT
    return build_new(sender, query["subject"][0], query["body"][0])


def test_the_directors_decision_waits_at_the_top_and_one_click_decides_it(
    waiting: World,
) -> None:
    world = waiting
    world.tick("2021-05-10T09:30")
    landed = {m.key: m for m in world.new_mail()}
    digest = landed["digest/2021-W19/director"]
    assert digest.to == (DIRECTOR,)
    assert digest.subject.startswith(
        "Weekly audit digest, week of Mon 10 May: 1 for your decision; May 2021"
    )
    text = " ".join(digest.text.split())
    assert text.index("FOR YOUR DECISION (1)") < text.index("COMPLETION: MAY 2021")
    assert (
        "- EXM-2021-05-001: Sam Patel (Children in Need) asks to be exempted from May 2021 "
        "audits: prolonged absence or ill-health. Supported by Hana Ahmed, Head of Service."
    ) in text
    # Services and teams by name; auditors said; no hash for her to puzzle over.
    assert "Children in Need: 1 auditor allocated" in text
    assert "Hana Ahmed: " not in text and "Omar Khan: " not in text
    assert not re.search(r"\b[0-9a-f]{64}\b", digest.text + digest.html)
    buttons = _buttons(digest)
    assert sorted(buttons) == ["Approve EXM-2021-05-001", "Decline EXM-2021-05-001"]
    # The QA team's copy: the same figures, the trail's hash, nothing to click.
    qa = landed["digest/2021-W19/qa"]
    assert qa.to == (QA,) and _buttons(qa) == {}
    assert re.search(r"with hash\s+[0-9a-f]{64}\b", qa.text)

    world.deliver(_click(buttons["Approve EXM-2021-05-001"], DIRECTOR))
    world.tick("2021-05-10T10:00")
    decided = {m.key: m for m in world.new_mail()}
    outcome = decided["exemption/EXM-2021-05-001/outcome"]
    assert (outcome.to, outcome.cc) == ((SAM_EMAIL,), (HANA,))
    assert outcome.subject.startswith("Exemption EXM-2021-05-001 granted")
    assert world.filed("Processed") >= 3 and world.filed("Quarantine") == 0


def test_a_click_on_decline_declines(waiting: World) -> None:
    world = waiting
    world.tick("2021-05-10T09:30")
    digest = next(m for m in world.new_mail() if m.key == "digest/2021-W19/director")
    world.deliver(_click(_buttons(digest)["Decline EXM-2021-05-001"], DIRECTOR))
    world.tick("2021-05-10T10:00")
    outcome = next(m for m in world.new_mail() if m.key == "exemption/EXM-2021-05-001/outcome")
    assert outcome.subject.startswith("Exemption EXM-2021-05-001 not granted")


def test_a_button_forwarded_to_someone_else_decides_nothing(waiting: World) -> None:
    world = waiting
    world.tick("2021-05-10T09:30")
    digest = next(m for m in world.new_mail() if m.key == "digest/2021-W19/director")
    world.deliver(_click(_buttons(digest)["Approve EXM-2021-05-001"], KIM_EMAIL))
    world.tick("2021-05-10T10:00")
    assert "exemption/EXM-2021-05-001/outcome" not in {m.key for m in world.new_mail()}
    assert world.filed("Quarantine") == 1


def test_a_head_of_service_answers_from_their_digest_in_one_click(world: World) -> None:
    world.enable_digests()
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    allocation = next(m for m in world.new_mail() if m.key == f"allocation/2021-05/{SAM_EMAIL}")
    world.reply(allocation, SAM_EMAIL, "I'm on sick leave for three weeks, can I be exempted?")
    world.tick("2021-05-07T10:00")
    world.new_mail()
    # Monday: Hana has not answered; her digest starts with it, the director's does not.
    world.tick("2021-05-10T09:30")
    landed = {m.key: m for m in world.new_mail()}
    hana = landed[f"digest/2021-W19/head/{HANA}"]
    assert hana.subject.startswith(
        "Your service's audits, week of Mon 10 May: 1 for your answer; May 2021"
    )
    text = " ".join(hana.text.split())
    assert text.index("WAITING FOR YOUR ANSWER (1)") < text.index("COMPLETION: MAY 2021")
    assert "FOR YOUR DECISION" not in landed["digest/2021-W19/director"].text
    buttons = _buttons(hana)
    assert sorted(buttons) == ["Do not support EXM-2021-05-001", "Support EXM-2021-05-001"]
    world.deliver(_click(buttons["Support EXM-2021-05-001"], HANA))
    world.tick("2021-05-10T10:00")
    decided = {m.key: m for m in world.new_mail()}
    assert decided["exemption/EXM-2021-05-001/to-director"].to == (DIRECTOR,)


def test_a_head_of_service_address_typed_two_ways_does_not_split_the_digest(
    world: World,
) -> None:
    khan, kahn = "omar.khan@council.example", "omar.kahn@council.example"
    world.enable_digests()
    world.write_roster(
        [SAM, ALEX],
        extra_rows=[
            ["Kim Lee", KIM_EMAIL, "Early Help", khan, "Omar Khan"],
            ["Pat Roe", "pat@council.example", "Early Help", kahn, "Omar Khan"],
        ],
    )
    world.write_allocations(
        "2021-05",
        [(SAM_EMAIL, "CR-1001", "case_audit"), (KIM_EMAIL, "CR-3001", "case_audit"),
         ("pat@council.example", "CR-4001", "case_audit")],
    )  # fmt: skip
    world.run_days(date(2021, 5, 4), date(2021, 5, 10))
    digest = next(m for m in world.all_mail() if m.key == "digest/2021-W19/director")
    lines = digest.text.splitlines()
    # One Early Help, counting both of its auditors; no line labelled with Omar's name.
    assert [line for line in lines if line.startswith("Early Help")] == [
        "Early Help: 2 auditors allocated, 0 complete, 0 say done, 0 exempted, 2 outstanding: 0%"
    ]
    assert not [line for line in lines if line.startswith("Omar Khan")]
    # The QA team has been asked to confirm the address all the same.
    (confirm,) = [m for m in world.all_mail() if m.key.startswith("problems/")]
    assert f"'{kahn}' (row 5) and '{khan}' (row 4)" in " ".join(confirm.text.split())
