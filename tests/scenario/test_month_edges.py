"""Clock changes, downtime, double ticks, sheets fixed or arriving mid-month."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.world import ALEX, KIM, QA, SAM, World

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
UTC = ZoneInfo("UTC")


def _keys(mails) -> list[str]:
    return sorted(m.key for m in mails)


def test_march_2021_reminders_follow_local_time_across_the_clock_change(world: World) -> None:
    # Clocks went forward on Sunday 28 March 2021; stage 2 falls on Monday the 29th.
    world.write_allocations("2021-03", [(SAM_EMAIL, "CR-7001", "case_audit")])
    by_day = world.run_days(date(2021, 3, 1), date(2021, 3, 28))
    # 1 April is April's allocation day (Good Friday the 2nd): its heads-up goes on the 25th.
    assert sorted(by_day) == [
        date(2021, 3, 1),
        date(2021, 3, 17),
        date(2021, 3, 24),
        date(2021, 3, 25),
    ]
    assert _keys(by_day[date(2021, 3, 25)]) == [
        f"heads-up/2021-04/{e}" for e in (ALEX_EMAIL, KIM_EMAIL, SAM_EMAIL)
    ]
    # 08:30 UTC on the 29th is 09:30 BST: due. At 07:59 UTC (08:59 BST) it was not yet.
    assert world.tick(datetime(2021, 3, 29, 7, 59, tzinfo=UTC)).planned == []
    assert world.tick(datetime(2021, 3, 29, 8, 0, tzinfo=UTC)).planned == [
        f"reminder/2021-03/stage-2/{SAM_EMAIL}"
    ]
    landed = world.new_mail()
    assert landed[0].message["Date"].datetime.utcoffset().total_seconds() == 0
    later = world.run_days(date(2021, 3, 30), date(2021, 4, 1))
    assert {day: _keys(m) for day, m in later.items()} == {
        date(2021, 3, 31): [f"reminder/2021-03/stage-0/{SAM_EMAIL}"],
        date(2021, 4, 1): [
            "close/2021-03/head/hana@council.example",
            "close/2021-03/qa",
            "missing-sheet/allocations/2021-04",
        ],
    }


def test_a_second_tick_at_the_same_moment_sends_nothing(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    first = world.tick("2021-05-04T09:30")
    second = world.tick("2021-05-04T09:30")
    # Alex and Kim are active and not in the sheet: the QA team hears, once.
    assert first.planned == [f"allocation/2021-05/{SAM_EMAIL}", "not-allocated/2021-05"]
    assert second.planned == [] and second.drained.sent == 0
    assert len(world.all_mail()) == 2


def test_nothing_goes_before_the_send_time_or_at_weekends(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    assert world.tick("2021-05-04T08:59").planned == []
    assert world.tick("2021-05-01T12:00").planned == []  # Saturday
    assert world.tick("2021-05-03T12:00").planned == []  # Early May bank holiday
    assert world.tick("2021-05-04T09:00").planned == [
        f"allocation/2021-05/{SAM_EMAIL}",
        "not-allocated/2021-05",
    ]


def test_after_ten_days_down_only_the_latest_stage_goes_and_older_ones_are_skipped(
    world: World,
) -> None:
    world.write_allocations(
        "2021-05", [(SAM_EMAIL, "CR-1001", "case_audit"), (ALEX_EMAIL, "CR-2001", "case_audit")]
    )
    world.tick("2021-05-04T09:30")
    world.new_mail()
    # Down from the 12th to the 26th: stages 10 and 5 were missed; stage 2 is due today.
    report = world.tick("2021-05-26T10:00")
    # June's heads-up (due from the 24th) is still before June starts: it goes too.
    assert sorted(report.planned) == [
        *(f"heads-up/2021-06/{e}" for e in (ALEX_EMAIL, KIM_EMAIL, SAM_EMAIL)),
        f"reminder/2021-05/stage-2/{ALEX_EMAIL}",
        f"reminder/2021-05/stage-2/{SAM_EMAIL}",
    ]
    assert sorted(report.skipped) == [
        f"reminder/2021-05/stage-10/{ALEX_EMAIL}",
        f"reminder/2021-05/stage-10/{SAM_EMAIL}",
        f"reminder/2021-05/stage-5/{ALEX_EMAIL}",
        f"reminder/2021-05/stage-5/{SAM_EMAIL}",
    ]
    assert _keys(world.new_mail()) == sorted(report.planned)
    assert world.tick("2021-05-26T10:05").planned == []


def test_downtime_across_the_month_end_closes_the_month_once_and_allocates_the_next(
    world: World,
) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    world.write_allocations("2021-06", [(SAM_EMAIL, "CR-1101", "case_audit")])
    world.tick("2021-05-04T09:30")
    world.new_mail()
    # Down from 5 May to 3 June: no May reminders now (the deadline is past), May closes,
    # June's allocation goes out, and nothing goes twice on the next tick.
    report = world.tick("2021-06-03T11:00")
    assert sorted(report.planned) == [
        f"allocation/2021-06/{SAM_EMAIL}",
        "close/2021-05/head/hana@council.example",
        "close/2021-05/qa",
        "not-allocated/2021-06",
    ]
    assert report.skipped == []
    assert world.tick("2021-06-03T11:05").planned == []


def test_no_reminder_on_the_day_an_allocation_goes_out(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    world.run_days(date(2021, 5, 4), date(2021, 5, 20))
    world.new_mail()
    # Kim is added to the sheet on the stage-5 day: allocation today, reminder tomorrow.
    world.write_allocations(
        "2021-05", [(SAM_EMAIL, "CR-1001", "case_audit"), (KIM_EMAIL, "CR-3001", "thematic")]
    )
    by_day = world.run_days(date(2021, 5, 21), date(2021, 5, 24))
    assert {day: _keys(m) for day, m in by_day.items()} == {
        date(2021, 5, 21): [
            f"allocation/2021-05/{KIM_EMAIL}",
            f"reminder/2021-05/stage-5/{SAM_EMAIL}",
        ],
        date(2021, 5, 24): [
            *(f"heads-up/2021-06/{e}" for e in (ALEX_EMAIL, KIM_EMAIL, SAM_EMAIL)),
            f"reminder/2021-05/stage-5/{KIM_EMAIL}",
        ],
    }


def test_a_missing_sheet_is_reported_once_and_allocations_follow_when_it_appears(
    world: World,
) -> None:
    by_day = world.run_days(date(2021, 5, 4), date(2021, 5, 6))
    assert {day: _keys(m) for day, m in by_day.items()} == {
        date(2021, 5, 4): ["missing-sheet/allocations/2021-05"]
    }
    assert by_day[date(2021, 5, 4)][0].to == (QA,)
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    assert world.tick("2021-05-06T14:00").planned == [
        f"allocation/2021-05/{SAM_EMAIL}",
        "not-allocated/2021-05",
    ]


def test_a_sheet_with_a_bad_row_holds_that_auditor_back_until_it_is_fixed(world: World) -> None:
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (ALEX_EMAIL, "Jane Smith", "case_audit"),  # a name where a case reference goes
            ("nobody@council.example", "CR-9001", "case_audit"),
        ],
    )
    report = world.tick("2021-05-04T09:30")
    landed = {m.key: m for m in world.new_mail()}
    # Kim is not in the sheet (Alex is, held back by a bad row): the QA team hears.
    assert set(landed) == {f"allocation/2021-05/{SAM_EMAIL}", "not-allocated/2021-05"} | {
        k for k in landed if k.startswith("problems/")
    }
    assert "Kim Lee" in landed["not-allocated/2021-05"].text
    assert "Alex Jones" not in landed["not-allocated/2021-05"].text
    (problems,) = [m for k, m in landed.items() if k.startswith("problems/")]
    assert problems.to == (QA,)
    assert "row 4, column case_ref" in problems.text
    assert "row 5, column auditor_email" in problems.text
    assert "Jane Smith" not in problems.subject
    assert len(report.problems) == 2
    # The same problems are not reported again.
    assert world.tick("2021-05-05T09:30").planned == []
    # Fixed mid-month: Alex gets the allocation at the next tick, with both cases.
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (ALEX_EMAIL, "CR-2002", "case_audit"),
        ],
    )
    assert world.tick("2021-05-12T09:30").planned == [f"allocation/2021-05/{ALEX_EMAIL}"]
    (alex,) = world.new_mail()
    assert "CR-2001" in alex.text and "CR-2002" in alex.text


def test_cases_added_after_the_allocation_are_sent_as_an_update(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    world.tick("2021-05-04T09:30")
    world.new_mail()
    world.write_allocations(
        "2021-05", [(SAM_EMAIL, "CR-1001", "case_audit"), (SAM_EMAIL, "CR-1009", "dip_sample")]
    )
    world.tick("2021-05-06T09:30")
    (update,) = world.new_mail()
    assert update.key.startswith(f"allocation-update/2021-05/{SAM_EMAIL}/")
    assert "CR-1009" in update.text and "CR-1001" not in update.text
    assert world.tick("2021-05-07T09:30").planned == []


def test_completions_before_on_and_after_the_deadline(world: World) -> None:
    world.write_allocations(
        "2021-04",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (KIM_EMAIL, "CR-3001", "case_audit"),
        ],
    )
    world.tick("2021-04-01T09:30")
    world.write_completions(
        "2021-04",
        [
            ("cr-1001", SAM_EMAIL, "2021-04-12", "good"),  # before, typed in lower case
            ("CR-2001", ALEX_EMAIL, "30/04/2021", "good"),  # on the deadline day itself
            ("CR-3001", KIM_EMAIL, "2021-05-01", "good"),  # after: not counted
        ],
    )
    report = world.tick("2021-04-30T09:30")  # stage 0, and May's heads-up (from the 26th)
    assert report.planned == [
        f"reminder/2021-04/stage-0/{KIM_EMAIL}",
        *(f"heads-up/2021-05/{e}" for e in (ALEX_EMAIL, KIM_EMAIL, SAM_EMAIL)),
    ]
    world.tick("2021-05-04T09:30")  # 3 May is a bank holiday: April closes on the 4th
    landed = {m.key: m for m in world.new_mail()}
    summary = landed["close/2021-04/qa"]
    assert "Complete in time:   2" in summary.text
    assert "Not all in time:    1" in summary.text
    assert "- Kim Lee (Early Help)" in summary.text


def test_a_roster_with_problems_keeps_the_last_good_roster_in_force(world: World) -> None:
    world.write_allocations(
        "2021-05", [(SAM_EMAIL, "CR-1001", "case_audit"), (KIM_EMAIL, "CR-3001", "case_audit")]
    )
    world.tick("2021-05-04T08:00")  # reads the good roster before anything is due
    # Someone breaks the roster: Kim's row loses the Head of Service and a duplicate appears.
    world.write_roster(
        [SAM, ALEX],
        extra_rows=[
            ["Kim Lee", KIM_EMAIL, "Early Help", "", "Omar Khan"],
            ["Sam Again", SAM_EMAIL, "Early Help", "omar@council.example", "Omar Khan"],
        ],
    )
    report = world.tick("2021-05-04T09:30")
    landed = {m.key: m for m in world.new_mail()}
    assert f"allocation/2021-05/{KIM_EMAIL}" in landed  # Kim still in force from the last roster
    (problems,) = [m for k, m in landed.items() if k.startswith("problems/")]
    assert "the last roster without problems stays in force" in problems.text
    assert len(report.problems) == 2


def test_next_months_sheet_is_checked_early_whatever_the_case_of_its_name(world: World) -> None:
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    saved = world.write_allocations("2021-06", [(SAM_EMAIL, "Jane Smith", "case_audit")])
    saved.rename(saved.with_name("2021-06.CSV"))  # as Excel on Windows may save it
    report = world.tick("2021-05-20T09:30")
    assert [str(p) for p in report.problems if "2021-06" in p.file], report.problems
    (problems,) = [m for m in world.new_mail() if m.key.startswith("problems/")]
    assert "2021-06.CSV" in problems.text and "Jane Smith" not in problems.subject


def test_problems_name_the_sheet_as_the_qa_team_knows_it_and_a_moved_deployment_is_quiet(
    tmp_path: Path,
) -> None:
    """Named relative to the config, in the mail and in its key: the same problems in a
    deployment moved to another folder are not reported again."""
    world = World.create(tmp_path / "here", store="sqlite:///var/bot.db")
    world.write_allocations("2021-05", [("nobody@council.example", "CR-9001", "case_audit")])
    world.tick("2021-05-04T09:30")
    (problems,) = [m for m in world.new_mail() if m.key.startswith("problems/")]
    assert problems.subject.startswith("Problems found in allocations/2021-05.csv: 1 to fix")
    assert str(tmp_path) not in problems.key + problems.text
    world.close()

    moved = World(tmp_path / "there", world.store)
    shutil.move(world.root, moved.root)
    try:
        assert moved.tick("2021-05-05T09:30").planned == []
    finally:
        moved.close()
