"""History months' grades kept in the store by sheet content: exact, re-read when a sheet
changes, used by a fresh process instead of the sheet, and never a reason to miss a digest."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core.plans import MailPlan
from bot.core.quality import GradeMix, MonthGrades
from bot.core.records import Month
from bot.inputs import sheets
from bot.reporting import digests as shell
from bot.reporting import history_grades
from bot.store import grades as store
from bot.store.schema import grade_summaries
from tests.digest.council import ALEX_EMAIL, KIM_EMAIL, MONDAY, SAM_EMAIL, build
from tests.world import OMAR, World

APRIL = Month(2021, 4)


def _store_parsed(world: World) -> int:
    app = world.open()
    return history_grades.store_parsed_grades(app.engine, app.grade_summaries)


def _april(world: World) -> MonthGrades:
    app = world.open()
    with app.engine.connect() as connection:
        return shell.gather(app, connection, MONDAY).history.grades[APRIL]


def _stored(world: World) -> list[tuple[str, str]]:
    with world.open().engine.connect() as connection:
        query = select(grade_summaries.c.month, grade_summaries.c.sheet_sha256)
        return sorted(tuple(r) for r in connection.execute(query))


def _text(app: App, plan: MailPlan) -> str:
    return " ".join(app.renderer.render(plan.template, plan.context).text.split())


def _never_parse_april(monkeypatch: pytest.MonkeyPatch) -> None:
    real = sheets.read_completions

    def read(path: Path, *args: object) -> object:
        if path.stem == str(APRIL):
            raise AssertionError(f"{path.name} parsed")
        return real(path, *args)

    monkeypatch.setattr(sheets, "read_completions", read)


def test_a_fresh_process_reads_the_stored_summary_not_the_sheet(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(tmp_path / "council", store=store_url)  # SQLite and PostgreSQL
    try:
        parsed = _april(world)
        assert parsed.mix() == GradeMix(good=1, inadequate=1, ungraded=1)
        assert _stored(world) == []  # gathering only reads
        assert _store_parsed(world) == 1
        assert _store_parsed(world) == 0  # once only
        sheet = world.root / "completions" / "2021-04.csv"
        assert _stored(world) == [("2021-04", hashlib.sha256(sheet.read_bytes()).hexdigest())]

        world.close()  # a new process
        _never_parse_april(monkeypatch)
        assert _april(world) == parsed
        app = world.open()
        with app.engine.connect() as connection:
            director = shell.director_digest(app, connection, MONDAY)
            heads = {p.key: p for p in shell.team_digests(app, connection, MONDAY)}
        text = _text(app, director)
        assert "April 2021: 2 graded; good or better 50.0%*" in text
        # April's inadequate audit, from the stored summary, for Omar to follow up.
        omar = _text(app, heads[f"digest/2021-W19/head/{OMAR}"])
        assert "CR-0902, audited by Kim Lee, submitted Wednesday 7 April 2021" in omar
    finally:
        world.close()


def test_a_changed_sheet_is_read_again_and_replaces_its_summary(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(tmp_path / "council", store=store_url)
    try:
        assert _april(world).mix() == GradeMix(good=1, inadequate=1, ungraded=1)
        _store_parsed(world)
        (before,) = _stored(world)
        # Kim's audit regraded good, and a late submission arrives (listed, not counted).
        world.write_completions(
            "2021-04",
            [
                ("CR-0901", SAM_EMAIL, "2021-04-06", "good"),
                ("CR-0902", KIM_EMAIL, "2021-04-07", "good"),
                ("CR-0903", ALEX_EMAIL, "2021-04-08", ""),
                ("CR-0904", ALEX_EMAIL, "2021-05-04", "inadequate"),
            ],
        )
        world.close()  # a new process
        april = _april(world)
        assert april.mix() == GradeMix(good=2, ungraded=1, late=1)
        assert [(f.case_ref, f.submitted_on, f.late) for f in april.inadequate] == [
            ("CR-0904", date(2021, 5, 4), True)
        ]
        assert _store_parsed(world) == 1
        (after,) = _stored(world)  # the old sheet's summary replaced
        assert after[0] == before[0] == "2021-04" and after[1] != before[1]
    finally:
        world.close()


def test_a_missing_sheet_counts_empty_and_stores_nothing(tmp_path: Path) -> None:
    world = build(tmp_path / "council")
    try:
        (world.root / "completions" / "2021-04.csv").unlink()
        assert _april(world) == MonthGrades(APRIL, sheet_found=False)
        assert _store_parsed(world) == 0
    finally:
        world.close()


def test_a_summary_that_cannot_be_stored_breaks_no_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build(tmp_path / "council")
    try:
        world.enable_digests()
        world.close()

        def fail(*_: object) -> None:
            raise RuntimeError("disk full")

        save = store.save
        monkeypatch.setattr(store, "save", fail)
        world.tick(MONDAY)
        assert "digest/2021-W19/director" in {m.key for m in world.new_mail()}
        assert _stored(world) == []
        # Writable again: the next tick (no digest due now) keeps what the last one parsed.
        monkeypatch.setattr(store, "save", save)
        _never_parse_april(monkeypatch)
        world.tick(MONDAY.replace(hour=10))
        assert world.new_mail() == []
        assert [month for month, _ in _stored(world)] == ["2021-04"]
    finally:
        world.close()


def test_the_weekly_tick_keeps_the_summaries_it_parsed(tmp_path: Path, store_url: str) -> None:
    world = build(tmp_path / "council", store=store_url)
    try:
        world.enable_digests()
        world.close()
        world.tick(MONDAY)
        assert "digest/2021-W19/director" in {m.key for m in world.new_mail()}
        assert [month for month, _ in _stored(world)] == ["2021-04"]
        with world.open().engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(grade_summaries)) == 1
    finally:
        world.close()
