"""`auditbot person EMAIL --erase`: what one person wrote goes now, ahead of its period, from
the store and the mail folders, byte for byte; what decisions, the trail and the month's
counts need stays, and the QA team is told so before confirming; nobody else's is touched."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from bot.commands.cli import main
from bot.store.schema import events, exemptions, notes, outcomes
from tests.scenario.held_bytes import found_in_files, held
from tests.world import ALEX, DIRECTOR, HANA, SAM, Landed, World

SAM_EMAIL, ALEX_EMAIL = SAM[1], ALEX[1]
SAM_AT_RISK = "walnut trampoline"
SAM_ASKS = "quince lighthouse"
SAM_STRAY = "saffron gondola"
SAM_UNCLEAR = "tamarind zeppelin"
ALEX_AT_RISK = "porcupine semaphore"


def _by_key(mails: list[Landed]) -> dict[str, Landed]:
    return {m.key: m for m in mails}


def _run(world: World, *args: str, given: str | None = None):
    return CliRunner().invoke(main, ["--config", str(world.config), *args], input=given)


def _a_month_of_both(world: World) -> None:
    world.write_allocations(
        "2021-05", [(SAM_EMAIL, "CR-1001", "case_audit"), (ALEX_EMAIL, "CR-2001", "case_audit")]
    )
    world.tick("2021-05-04T09:30")
    mail = _by_key(world.new_mail())
    sams, alexs = mail[f"allocation/2021-05/{SAM_EMAIL}"], mail[f"allocation/2021-05/{ALEX_EMAIL}"]
    for original, sender, words in (
        (sams, SAM_EMAIL, SAM_AT_RISK),
        (alexs, ALEX_EMAIL, ALEX_AT_RISK),
    ):
        world.reply(
            original,
            sender,
            f"I don't think I'll make the deadline this month ({words}), I'm giving evidence "
            "at a final hearing all of next week.",
        )
    world.reply(alexs, SAM_EMAIL, f"Alex, see you at the hearing ({SAM_STRAY}).")  # quarantined
    world.tick("2021-05-06T10:00")
    world.reply(
        sams,
        SAM_EMAIL,
        f"I'm on sick leave from Monday for three weeks ({SAM_ASKS}), can I be exempted?",
    )
    world.tick("2021-05-06T11:00")
    world.reply(
        _by_key(world.new_mail())["exemption/EXM-2021-05-001/to-head"], HANA, "I support this."
    )
    world.tick("2021-05-06T12:00")
    to_director = _by_key(world.new_mail())["exemption/EXM-2021-05-001/to-director"]
    world.reply(to_director, DIRECTOR, "Approved.")
    world.tick("2021-05-06T13:00")
    # A reply that could mean more than one thing, never answered: the question back goes
    # to the QA team in the end, quoting it.
    world.reply(sams, SAM_EMAIL, f"Sorted - {SAM_UNCLEAR}")
    for day in ("2021-05-07", "2021-05-11", "2021-05-13"):
        world.tick(f"{day}T10:00")
    world.tick("2021-06-02T09:30")  # the close: each month's outcome


def test_erasing_one_auditor_deletes_their_words_everywhere_and_keeps_the_decisions(
    world: World,
) -> None:
    _a_month_of_both(world)
    for phrase in (SAM_AT_RISK, SAM_ASKS, SAM_STRAY, SAM_UNCLEAR, ALEX_AT_RISK):
        assert held(world, phrase), phrase
    assert world.filed("Quarantine") == 1
    assert any(m.key.endswith("/unanswered") and SAM_UNCLEAR in m.text for m in world.all_mail())

    result = _run(world, "person", SAM_EMAIL, "--erase", "--yes")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "It keeps, because:" in said and "so that no mail is ever sent twice" in said
    assert "the monthly QA report counts them" in said
    assert "recorded in the audit trail (person_erased)" in said

    for phrase in (SAM_AT_RISK, SAM_ASKS, SAM_STRAY, SAM_UNCLEAR):
        assert found_in_files(world, phrase) == [], phrase
        assert not held(world, phrase), phrase
    # Alex's words are Alex's: untouched, in the store and the Processed folder.
    assert held(world, ALEX_AT_RISK)
    assert any("Processed" in hit for hit in found_in_files(world, ALEX_AT_RISK))
    assert world.filed("Quarantine") == 0

    with world.open().engine.connect() as connection:
        request = connection.execute(select(exemptions)).one()
        kept_notes = {row.auditor_email: row.words for row in connection.execute(select(notes))}
        closed = {row.auditor_email: row.outcome for row in connection.execute(select(outcomes))}
        erased = connection.execute(select(events).where(events.c.kind == "person_erased")).one()
    assert request.words == "" and request.state == "approved" and request.reason == "absence"
    assert request.decided_at and request.head_decided_at and request.auditor_email == SAM_EMAIL
    assert request.head_words  # Hana's words are Hana's
    assert kept_notes[SAM_EMAIL] == "" and ALEX_AT_RISK in kept_notes[ALEX_EMAIL]
    assert closed[SAM_EMAIL] == "exempted" and closed[ALEX_EMAIL]
    assert erased.subject == SAM_EMAIL
    assert erased.detail["raw_mail"] == 5  # three of Sam's, two replies quoting Sam
    assert erased.detail["quarantine"] == 1 and erased.detail["note_words"] == 1
    assert _run(world, "verify-trail").exit_code == 0

    exported = json.loads(_run(world, "person", SAM_EMAIL, "--json").output)["parts"]
    assert exported["requests"][0]["words"] == "" and exported["requests"][0]["state"]
    assert any(e["kind"] == "person_erased" for e in exported["trail"])
    again = _run(world, "person", SAM_EMAIL, "--erase", "--yes")
    assert "Nothing of theirs is left to erase." in again.output


def test_erasing_asks_first_and_a_no_erases_nothing(world: World) -> None:
    _a_month_of_both(world)
    result = _run(world, "person", SAM_EMAIL, "--erase", given="n\n")
    assert result.exit_code == 0, result.output
    assert "Erase it now?" in result.output and "Nothing was erased." in result.output
    for phrase in (SAM_AT_RISK, SAM_ASKS, SAM_STRAY):
        assert held(world, phrase), phrase
    with world.open().engine.connect() as connection:
        assert not connection.execute(select(events).where(events.c.kind == "person_erased")).all()


def test_erasing_does_not_mix_with_json_on_the_same_output(world: World) -> None:
    result = _run(world, "person", SAM_EMAIL, "--erase", "--json")
    assert result.exit_code == 2 and "--erase does not go with --json" in result.output
