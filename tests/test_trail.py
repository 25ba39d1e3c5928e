"""The audit trail shows any later edit of history."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from sqlalchemy import delete, select, update

from bot.commands.cli import main
from bot.store.schema import events
from tests.world import SAM, World


def _run(world: World, *args: str):
    return CliRunner().invoke(main, ["--config", str(world.config), *args])


def _month_of_events(world: World) -> list[int]:
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    world.tick("2021-05-14T09:30")
    with world.open().engine.connect() as connection:
        return list(connection.scalars(select(events.c.id).order_by(events.c.id)))


def test_an_untouched_trail_verifies_and_exports(world: World) -> None:
    ids = _month_of_events(world)
    result = _run(world, "verify-trail")
    assert result.exit_code == 0 and f"{len(ids)} events, chain intact" in result.output
    exported = [
        json.loads(line) for line in _run(world, "trail", "--month", "2021-05").output.splitlines()
    ]
    assert {e["kind"] for e in exported} >= {"mail_planned", "mail_sent"}
    rows = list(csv.DictReader(io.StringIO(_run(world, "trail", "--csv").output)))
    assert len(rows) == len(ids) and rows[0]["hash"]


def test_a_changed_row_is_named(world: World) -> None:
    ids = _month_of_events(world)
    with world.open().engine.begin() as connection:
        connection.execute(
            update(events).where(events.c.id == ids[3]).values(subject="someone else")
        )
    result = _run(world, "verify-trail")
    assert result.exit_code == 1
    assert f"broken at event {ids[3]}" in result.output and "was changed" in result.output


def test_a_deleted_row_is_named(world: World) -> None:
    ids = _month_of_events(world)
    with world.open().engine.begin() as connection:
        connection.execute(delete(events).where(events.c.id == ids[2]))
    result = _run(world, "verify-trail")
    assert result.exit_code == 1 and f"broken at event {ids[3]}" in result.output


def test_a_reordered_pair_is_named(world: World) -> None:
    ids = _month_of_events(world)
    first, second = ids[4], ids[5]
    with world.open().engine.begin() as connection:
        # Swap two rows' contents (and their hashes) as someone reordering history would.
        a = connection.execute(select(events).where(events.c.id == first)).one()._asdict()
        b = connection.execute(select(events).where(events.c.id == second)).one()._asdict()
        for row_id, values in ((first, b), (second, a)):
            values = {k: v for k, v in values.items() if k not in ("id", "hash")}
            connection.execute(
                update(events).where(events.c.id == row_id).values(hash=f"tmp{row_id}", **values)
            )
        connection.execute(update(events).where(events.c.id == first).values(hash=b["hash"]))
        connection.execute(update(events).where(events.c.id == second).values(hash=a["hash"]))
    result = _run(world, "verify-trail")
    assert result.exit_code == 1 and f"broken at event {first}" in result.output


def test_a_months_trail_includes_its_mail_in_and_out_in_local_time(world: World) -> None:
    _month_of_events(world)
    allocation = next(m for m in world.all_mail() if m.key.startswith("allocation/"))
    world.reply(allocation, SAM[1], "All done, submitted this morning.")
    world.tick("2021-05-17T10:00")
    world.reply(allocation, SAM[1], "A June note.")
    world.tick("2021-06-02T10:00")
    may = [
        json.loads(line) for line in _run(world, "trail", "--month", "2021-05").output.splitlines()
    ]
    kinds = [e["kind"] for e in may]
    assert {"mail_received", "mail_processed", "mail_planned", "mail_sent"} <= set(kinds)
    received = [e for e in may if e["kind"] == "mail_received"]
    assert len(received) == 1  # June's reply is June's
    assert received[0]["at"] == "2021-05-17T10:00:00+01:00"
