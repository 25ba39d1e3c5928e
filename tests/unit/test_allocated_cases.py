"""The cases each allocation mail listed: written with its outbox row, read back by auditor,
and filled in by the migration from rows recorded before the table existed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url

from bot.core.records import Month
from bot.store import migrate, repo
from bot.store.db import open_engine
from bot.store.schema import Status, outbox

NOW = datetime(2021, 5, 4, 8, 30, tzinfo=UTC)
# The revision the allocated_cases migration follows, whatever number it carries.
_BEFORE_THE_TABLE = next(
    script.down_revision
    for script in ScriptDirectory(str(migrate.MIGRATIONS)).walk_revisions()
    if "allocated_cases" in script.path
)
MAY = Month(2021, 5)


def _row(key: str, kind: str, about: str, cases: list[str] | None = None) -> dict:
    return {
        "key": key,
        "kind": kind,
        "month": "2021-05",
        "about": about,
        "stage": None,
        "status": Status.PLANNED,
        "planned_at": NOW,
        "planned_on": NOW.date(),
        "to_addrs": [about],
        "cc_addrs": [],
        "subject": "Audits",
        "body_text": "text",
        "body_html": "<p>html</p>",
        "detail": {"cases": cases} if cases is not None else {},
        "attempts": 0,
    }


SAM = "sam@council.example"
KIM = "kim@council.example"
ROWS = [
    _row(f"allocation/2021-05/{SAM}", "allocation", SAM, ["CR-1001", "cr-1002"]),
    _row(f"allocation/2021-05/{KIM}", "allocation", KIM, ["CR-2001"]),
    _row(f"allocation-update/2021-05/{SAM}/0123456789ab", "allocation_update", SAM, ["CR-1003"]),
    _row(f"reminder/2021-05/stage-10/{KIM}", "reminder", KIM),
]


def test_an_allocation_s_cases_are_recorded_with_it_and_read_back_by_auditor(
    store_url: str,
) -> None:
    engine = open_engine(store_url)
    with engine.begin() as connection:
        assert len(repo.record_outbox(connection, ROWS)) == 4
        # Planned again (another instance, a repeated tick): nothing new, no case twice.
        assert repo.record_outbox(connection, ROWS[:1]) == []
    with engine.connect() as connection:
        issued = repo.issued_cases(connection, MAY)
        assert repo.issued_cases(connection, Month(2021, 6)) == {}
    assert {email: sorted(refs) for email, refs in issued.items()} == {
        SAM: ["CR-1001", "CR-1003", "cr-1002"],
        KIM: ["CR-2001"],
    }


def test_the_migration_fills_in_the_cases_of_allocations_recorded_before_it(
    store_url: str,
) -> None:
    if store_url.startswith("sqlite"):
        Path(make_url(store_url).database or "").parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(store_url)
    with engine.begin() as connection:
        command.upgrade(migrate._config(connection), _BEFORE_THE_TABLE)
    with engine.begin() as connection:
        connection.execute(insert(outbox), [{**r, "message_id": None} for r in ROWS])
    engine.dispose()

    upgraded = open_engine(store_url)
    with upgraded.connect() as connection:
        issued = repo.issued_cases(connection, MAY)
    assert {email: sorted(refs) for email, refs in issued.items()} == {
        SAM: ["CR-1001", "CR-1003", "cr-1002"],
        KIM: ["CR-2001"],
    }
