"""What a roster can get wrong as a whole: nobody left in it, a Head of Service's address
typed two ways, active people the month's sheet left out."""

from __future__ import annotations

import csv
from datetime import date

from click.testing import CliRunner

from bot.commands.cli import main
from tests.world import ALEX, KIM, QA, SAM, World

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
KHAN, KAHN = "omar.khan@council.example", "omar.kahn@council.example"


def _check(world: World):
    return CliRunner().invoke(main, ["--config", str(world.config), "check"])


def test_a_header_only_roster_is_a_problem_and_the_last_good_roster_stays_in_force(
    world: World,
) -> None:
    world.write_allocations(
        "2021-05",
        [(SAM_EMAIL, "CR-1001", "case_audit"), (ALEX_EMAIL, "CR-2001", "case_audit"),
         (KIM_EMAIL, "CR-3001", "case_audit")],
    )  # fmt: skip
    world.run_days(date(2021, 5, 4), date(2021, 5, 10))
    world.new_mail()
    world.write_roster([])  # the header row alone
    by_day = world.run_days(date(2021, 5, 11), date(2021, 5, 14))
    # The QA team hears once, on the first tick that reads it.
    (notice,) = by_day[date(2021, 5, 11)]
    assert notice.kind == "problems" and notice.to == (QA,)
    assert "no active auditor or moderator in the roster" in notice.text
    assert "the last roster without problems stays in force" in notice.text
    # Stage 10 on Friday 14 May still goes to everyone: the roster in force is the last good one.
    assert sorted(m.key for m in by_day[date(2021, 5, 14)]) == [
        f"reminder/2021-05/stage-10/{ALEX_EMAIL}",
        f"reminder/2021-05/stage-10/{KIM_EMAIL}",
        f"reminder/2021-05/stage-10/{SAM_EMAIL}",
    ]
    result = _check(world)
    assert result.exit_code == 1
    assert "no active auditor or moderator in the roster" in result.output


def test_a_head_of_service_address_typed_two_ways_is_to_confirm(world: World) -> None:
    world.write_roster(
        [SAM, ALEX],
        extra_rows=[
            ["Kim Lee", KIM_EMAIL, "Early Help", KHAN, "Omar Khan"],
            ["Ola Ade", "ola@council.example", "Early Help", KHAN, "Omar Khan"],
            ["Pat Roe", "pat@council.example", "Early Help", KAHN, "Omar Khan"],
            ["Ria Sen", "ria@council.example", "Children in Need", SAM[3], "H Ahmed"],
        ],
    )  # fmt: skip
    result = _check(world)
    assert result.exit_code == 1
    flat = " ".join(result.output.split())
    assert (
        f"row 6, column head_of_service_email: '{KAHN}' (row 6) and '{KHAN}' (rows 4 and 5) "
        "differ only by a letter or two" in flat
    )
    assert (
        "'hana@council.example' is given under 2 names: 'Hana Ahmed' (rows 2 and 3); "
        "'H Ahmed' (row 7)" in flat
    )
    assert "2 roster entries to confirm" in flat
    # The roster is still in force: everyone in the sheet is allocated, Pat included.
    world.write_allocations(
        "2021-05",
        [(email, f"CR-{n}001", "case_audit") for n, email in enumerate(
            [SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL, "ola@council.example", "pat@council.example",
             "ria@council.example"], start=1)],
    )  # fmt: skip
    report = world.tick("2021-05-04T09:30")
    landed = {m.key: m for m in world.new_mail()}
    assert len([k for k in landed if k.startswith("allocation/")]) == 6
    (confirm,) = [m for k, m in landed.items() if k.startswith("problems/")]
    assert confirm.to == (QA,)
    assert confirm.subject == "The roster: 2 entries to confirm"
    assert "The roster is in use as it stands" in confirm.text
    assert f"'{KAHN}' (row 6) and '{KHAN}' (rows 4 and 5)" in " ".join(confirm.text.split())
    assert len(report.problems) == 2
    # Told once: the same list is not sent again.
    world.tick("2021-05-05T09:30")
    assert [m.key for m in world.new_mail()] == []
    # Once a person has looked and confirmed both, check passes and nothing more is said.
    world.close()
    world.config.write_text(
        world.config.read_text() + f"confirmed_heads_of_service: [{KAHN}, hana@council.example]\n"
    )
    assert _check(world).exit_code == 0
    world.tick("2021-05-06T09:30")
    assert [m.key for m in world.new_mail()] == []


def test_active_people_left_out_of_the_sheet_are_listed_once_and_counted_for_the_director(
    world: World,
) -> None:
    _write_roster_with_roles(
        world,
        [
            [*SAM, "", ""],
            [*ALEX, "", ""],
            [*KIM, "", ""],
            ["Mo Ray", "mo@council.example", "Early Help", KIM[3], KIM[4], "moderator", ""],
            ["Lee Brown", "lee@council.example", "Early Help", KIM[3], KIM[4], "auditor", "no"],
        ],
    )
    world.enable_digests()
    world.write_allocations("2021-05", [(SAM_EMAIL, "CR-1001", "case_audit")])
    by_day = world.run_days(date(2021, 5, 4), date(2021, 5, 11))
    first = {m.key: m for m in by_day[date(2021, 5, 4)]}
    left_out = first["not-allocated/2021-05"]
    assert left_out.to == (QA,)
    assert left_out.subject == "May 2021: 3 active auditors and moderators with no allocation"
    text = " ".join(left_out.text.split())
    for line in (
        f"Alex Jones ({ALEX_EMAIL}), Looked After Children, auditor",
        f"Kim Lee ({KIM_EMAIL}), Early Help, auditor",
        "Mo Ray (mo@council.example), Early Help, moderator",
    ):
        assert line in text
    assert "Lee Brown" not in text  # inactive
    # Once for the month, even when the sheet changes.
    world.write_allocations(
        "2021-05", [(SAM_EMAIL, "CR-1001", "case_audit"), (KIM_EMAIL, "CR-3001", "case_audit")]
    )
    later = world.run_days(date(2021, 5, 12), date(2021, 5, 17))
    assert not [m for day in later.values() for m in day if m.kind == "not-allocated"]
    # The director's digest of Monday 17 May counts the two still left out.
    (digest,) = [m for m in later[date(2021, 5, 17)] if m.key == "digest/2021-W20/director"]
    assert (
        "2 active auditors or moderators in the roster with no cases in the May 2021 sheet."
        in " ".join(digest.text.split())
    )


def _write_roster_with_roles(world: World, rows: list[list[str]]) -> None:
    """The roster with the optional role and active columns."""
    header = ["name", "email", "team", "head_of_service_email", "head_of_service", "role"]
    with (world.root / "roster.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([[*header, "active"], *rows])
