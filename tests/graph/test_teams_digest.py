"""The director's weekly digest also goes to Teams; a failing webhook never blocks the mail."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.store.schema import events
from tests.world import SAM, World


def _council(tmp_path: Path, monkeypatch, url: str) -> World:
    world = World.create(tmp_path / "council", digests=True)
    world.config.write_text(
        world.config.read_text() + "teams: {webhook_url_env: AUDITBOT_TEAMS_URL}\n"
    )
    monkeypatch.setenv("AUDITBOT_TEAMS_URL", url)
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    world.new_mail()
    return world


def _trail(world: World) -> list[str]:
    with world.open().engine.connect() as connection:
        return list(connection.scalars(select(events.c.kind).where(events.c.kind.like("teams%"))))


def test_the_weekly_digest_is_posted_as_a_card_once(tmp_path, monkeypatch, standin) -> None:
    world = _council(tmp_path, monkeypatch, standin.webhook_url())
    assert len(standin.cards) == 1  # the week of 3 May, on Tuesday the 4th
    world.tick("2021-05-10T09:30")
    world.tick("2021-05-10T09:35")
    assert len(standin.cards) == 2
    facts = standin.cards[-1]["attachments"][0]["content"]["body"][1]["facts"]
    assert {"title": "Complete", "value": "0 of 1 auditors"} in facts
    assert _trail(world) == ["teams_posted", "teams_posted"]
    world.close()


def test_a_failing_webhook_is_recorded_and_the_mail_still_goes(tmp_path, monkeypatch, standin):
    standin.webhook_status = 500
    world = _council(tmp_path, monkeypatch, standin.webhook_url())
    world.tick("2021-05-10T09:30")
    keys = {m.key for m in world.new_mail()}
    assert "digest/2021-W19/director" in keys
    assert _trail(world) == ["teams_failed", "teams_failed"]
    world.close()
