"""Retention over a year: what people wrote goes from the store and the mail folders once its
period is over, the trail still verifies (and still shows an edit), and a request keeps what
its decision needs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import select, update

from bot.commands.cli import main
from bot.commands.doctor import diagnose
from bot.store.schema import events, exemptions, inbound
from tests.scenario.held_bytes import found_in_files, in_postgres
from tests.world import DIRECTOR, HANA, LONDON, SAM, Landed, World

SAM_EMAIL = SAM[1]
PHRASE = "marmalade heron convalescence"  # in no template, roster or sheet
HEAD_PHRASE = "tangerine kestrel fitnote"
STRANGER_PHRASE = "obsidian walrus voucher"


def _by_key(mails: list[Landed]) -> dict[str, Landed]:
    return {m.key: m for m in mails}


def _request_decided(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    allocation = _by_key(world.new_mail())[f"allocation/2021-05/{SAM_EMAIL}"]
    world.reply(
        allocation,
        SAM_EMAIL,
        f"I'm on sick leave from Monday for three weeks ({PHRASE}), can I be exempted?",
    )
    world.write_in("stranger@elsewhere.example", "Hello", f"Please buy my {STRANGER_PHRASE} today.")
    world.tick("2021-05-06T10:00")
    to_head = _by_key(world.new_mail())["exemption/EXM-2021-05-001/to-head"]
    assert PHRASE in to_head.text  # quoted onward while it is kept
    world.reply(to_head, HANA, f"I support this request ({HEAD_PHRASE}).")
    world.tick("2021-05-06T11:00")
    to_director = _by_key(world.new_mail())["exemption/EXM-2021-05-001/to-director"]
    world.reply(to_director, DIRECTOR, "Approved. Get well soon.")
    world.tick("2021-05-06T12:00")


def _tick_weekly(world: World, first: date, last: date) -> None:
    day = first
    while day <= last:
        world.tick(datetime.combine(day, datetime.min.time(), LONDON).replace(hour=9, minute=30))
        day += timedelta(days=7)


def _verify(world: World) -> str:
    result = CliRunner().invoke(main, ["--config", str(world.config), "verify-trail"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_year_later_what_was_written_is_gone_and_the_trail_verifies(world: World) -> None:
    _request_decided(world)
    assert found_in_files(world, PHRASE) or in_postgres(world, PHRASE)
    _verify(world)

    # Three months on: the stranger's quarantined mail has gone, Sam's request has not.
    _tick_weekly(world, date(2021, 5, 13), date(2021, 8, 12))
    # (The notice that told the QA team about it is sent mail: it follows the year.)
    with world.open().engine.connect() as connection:
        stranger = connection.execute(
            select(inbound).where(inbound.c.sender == "stranger@elsewhere.example")
        ).one()
        sams = connection.execute(select(inbound).where(inbound.c.sender == SAM_EMAIL)).one()
    assert stranger.raw == b"" and stranger.status == "quarantined" and stranger.raw_sha256
    assert PHRASE.encode() in sams.raw
    assert world.filed("Quarantine") == 0 and world.filed("Processed") == 3

    # A year on, everything Sam and Hana wrote has gone too.
    _tick_weekly(world, date(2021, 8, 19), date(2022, 5, 26))
    for phrase in (PHRASE, HEAD_PHRASE, STRANGER_PHRASE):
        assert found_in_files(world, phrase) == [], phrase
        assert not in_postgres(world, phrase), phrase
    assert world.filed("Processed") == 0

    # The request keeps what its decision needs.
    with world.open().engine.connect() as connection:
        request = connection.execute(select(exemptions)).one()
        purges = connection.execute(
            select(events.c.detail).where(events.c.kind == "retention_purge")
        ).all()
        held = connection.execute(select(inbound)).all()
    assert request.words == "" and not request.head_words and not request.director_words
    assert request.reason == "absence" or request.reason
    assert request.state and request.decided_at and request.head_decided_at
    assert request.requested_on == date(2021, 5, 6) and request.auditor_email == SAM_EMAIL
    assert all(row.raw == b"" and row.raw_sha256 and row.purged_at for row in held)
    assert all(row.verdict for row in held)  # what was done with each stays
    assert sum(p.detail["quarantine"] for p in purges) >= 1
    assert sum(p.detail["raw_mail"] for p in purges) >= 3
    assert all(p.detail["rules"]["raw_mail_months"] == 12 for p in purges)

    # The trail still verifies after the purge, and still catches an edit.
    _verify(world)
    with world.open().engine.begin() as connection:
        first = connection.scalar(select(events.c.id).where(events.c.kind == "retention_purge"))
        connection.execute(update(events).where(events.c.id == first).values(subject="edited"))
    result = CliRunner().invoke(main, ["--config", str(world.config), "verify-trail"])
    assert result.exit_code == 1 and f"broken at event {first}" in result.output


def test_nothing_is_purged_twice_in_a_day(world: World) -> None:
    world.tick("2021-05-04T09:30")
    first = world.tick("2021-05-04T10:30")
    assert first.purged is None
    assert world.tick("2021-05-05T09:30").purged is not None


def test_doctor_says_how_old_the_oldest_raw_mail_is_and_whether_the_purge_runs(
    world: World,
) -> None:
    _request_decided(world)
    world.close()

    def said(day: int) -> dict[str, str]:
        checked = diagnose(world.config, datetime(2021, 5, day, 15, 0, tzinfo=LONDON))
        return {f.what: f.level for f in checked if "raw" in f.what or "retention" in f.what}

    today = said(6)
    assert today == {
        "the oldest raw processed message held arrived 06 May 2021 (0 days ago); kept "
        "raw_mail_months (12)": "ok",
        "the oldest raw quarantined message held arrived 06 May 2021 (0 days ago); kept "
        "quarantine_months (3)": "ok",
        "retention: the purge last ran on Thu 06 May 2021": "ok",
    }
    later = said(12)  # no tick since the 6th
    assert later["retention: no tick since 06 May 2021 12:00, so nothing is purged"] == "warn"
