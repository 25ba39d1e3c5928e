"""The trail's own retention: events older than `trail_years` go, the pruning is an event
saying what went, when and by which rule, and what is kept still verifies from the anchor it
recorded, and still shows an edited, deleted or reordered event."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, delete, func, select, update

from bot.commands.cli import main
from bot.purge import purge
from bot.store.schema import events
from tests.world import LONDON, SAM, World


def _run(world: World, *args: str):
    return CliRunner().invoke(main, ["--config", str(world.config), *args])


def _seven_years_on(world: World) -> None:
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    world.tick("2021-05-14T09:30")
    world.write_allocations("2021-06", [(SAM[1], "CR-1101", "case_audit")])
    world.tick("2021-06-02T09:30")
    world.tick("2028-05-02T09:30")  # seven years after nothing yet: nothing pruned
    world.tick("2028-05-16T09:30")  # May 2021's events are past seven years
    world.tick("2028-06-05T09:30")  # and now June 2021's


def _prunings(connection: Connection) -> list[dict]:
    return [
        row.detail
        for row in connection.execute(
            select(events.c.detail).where(events.c.kind == "trail_pruned").order_by(events.c.id)
        )
    ]


def test_events_past_trail_years_go_and_what_is_kept_verifies(world: World) -> None:
    world.write_allocations("2021-05", [(SAM[1], "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    with world.open().engine.connect() as connection:
        may = connection.scalar(select(func.count()).select_from(events))
    _seven_years_on(world)
    with world.open().engine.connect() as connection:
        first, second = _prunings(connection)
        oldest = connection.scalar(select(func.min(events.c.at)))
    assert first["rule"] == "trail_years" and first["trail_years"] == 7
    assert first["before"] == "2021-05-16T08:30:00+00:00"  # 09:30 BST, seven years back
    assert first["from"].startswith("2021-05-04") and first["to"].startswith("2021-05-14")
    assert first["events"] >= may
    assert second["before"] == "2021-06-05T08:30:00+00:00"
    assert second["from"].startswith("2021-06-02") and second["to"].startswith("2021-06-02")
    assert oldest >= datetime(2028, 5, 2, tzinfo=UTC)
    result = _run(world, "verify-trail")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert f"chain intact from the anchor the last pruning recorded, {second['anchor']}" in said
    exported = list(csv.DictReader(io.StringIO(_run(world, "trail", "--csv").output)))
    assert exported and all(row["at"] >= "2028" for row in exported)


def test_with_nothing_newer_the_pruning_event_carries_the_chain_on(world: World) -> None:
    world.tick("2021-05-04T09:30")
    with world.open().engine.connect() as connection:
        head = connection.scalar(select(events.c.hash).order_by(events.c.id.desc()).limit(1))
    # The purge alone (a tick would write events of its own first): every event is old.
    report = purge(world.open(), datetime(2028, 5, 5, 9, 30, tzinfo=LONDON))
    assert report is not None and report.trail_events > 0
    with world.open().engine.connect() as connection:
        oldest = connection.execute(select(events).order_by(events.c.id).limit(1)).one()
        kinds = set(connection.scalars(select(events.c.kind)))
    assert oldest.kind == "trail_pruned" and oldest.prev_hash == head == oldest.detail["anchor"]
    assert kinds <= {"trail_pruned", "retention_purge"}
    result = _run(world, "verify-trail")
    assert result.exit_code == 0, result.output


def _edit(connection: Connection, ids: list[int]) -> int:
    connection.execute(update(events).where(events.c.id == ids[5]).values(subject="edited"))
    return ids[5]


def _delete_the_oldest_kept(connection: Connection, ids: list[int]) -> int:
    connection.execute(delete(events).where(events.c.id == ids[0]))
    return ids[1]


def _delete_one_in_the_middle(connection: Connection, ids: list[int]) -> int:
    connection.execute(delete(events).where(events.c.id == ids[4]))
    return ids[5]


def _reorder(connection: Connection, ids: list[int]) -> int:
    first, second = ids[2], ids[3]
    a = connection.execute(select(events).where(events.c.id == first)).one()._asdict()
    b = connection.execute(select(events).where(events.c.id == second)).one()._asdict()
    for row_id, values in ((first, b), (second, a)):
        values = {k: v for k, v in values.items() if k not in ("id", "hash")}
        connection.execute(
            update(events).where(events.c.id == row_id).values(hash=f"tmp{row_id}", **values)
        )
    connection.execute(update(events).where(events.c.id == first).values(hash=b["hash"]))
    connection.execute(update(events).where(events.c.id == second).values(hash=a["hash"]))
    return first


def _move_the_anchor(connection: Connection, ids: list[int]) -> int:
    # Someone who deleted more of the oldest would need the recorded anchor to match.
    newest = connection.execute(
        select(events.c.id, events.c.detail)
        .where(events.c.kind == "trail_pruned")
        .order_by(events.c.id.desc())
        .limit(1)
    ).one()
    connection.execute(delete(events).where(events.c.id == ids[0]))
    anchor = connection.scalar(select(events.c.prev_hash).where(events.c.id == ids[1]))
    connection.execute(
        update(events)
        .where(events.c.id == newest.id)
        .values(detail={**newest.detail, "anchor": anchor})
    )
    return newest.id


@pytest.mark.parametrize(
    "tamper",
    [_edit, _delete_the_oldest_kept, _delete_one_in_the_middle, _reorder, _move_the_anchor],
)
def test_after_pruning_a_changed_kept_event_is_still_named(
    world: World, tamper: Callable[[Connection, list[int]], int]
) -> None:
    _seven_years_on(world)
    with world.open().engine.begin() as connection:
        ids = list(connection.scalars(select(events.c.id).order_by(events.c.id)))
        broken = tamper(connection, ids)
    result = _run(world, "verify-trail")
    assert result.exit_code == 1, result.output
    assert f"broken at event {broken}" in result.output
