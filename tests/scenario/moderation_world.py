"""A council whose roster has two moderators, with May 2021's audits in: shared by the
moderation scenarios and the report's look in the browser."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.world import ALEX, KIM, SAM, World

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
MO = ("Mo Reid", "mo@council.example", "Fostering", KIM[3], KIM[4], "moderator")
DI = ("Di Evans", "di@council.example", "Leaving Care", SAM[3], SAM[4], "moderator")
EXTRA = ("case_team", "action_needed", "themes")
# May's completions export as it stands at the deadline.
MAY_DONE: list[tuple[str, ...]] = [
    (
        "CR-1001",
        SAM_EMAIL,
        "2021-05-12",
        "good",
        "Children in Need",
        "",
        "voice of the child",
    ),
    ("CR-1002", SAM_EMAIL, "2021-05-20", "good", "Leaving Care", "", ""),
    (
        "CR-2001",
        ALEX_EMAIL,
        "2021-05-21",
        "requires improvement",
        "",
        "",
        "Voice of the child; management oversight",
    ),
    ("CR-3001", KIM_EMAIL, "2021-05-27", "outstanding", "Fostering", "", ""),
]


def may_with_moderators(world: World) -> World:
    """Sam, Alex and Kim audit in May; Mo (Fostering) and Di (Leaving Care) moderate."""
    world.write_roster([SAM, ALEX, KIM, MO, DI])
    world.config.write_text(world.config.read_text() + "moderation: {due_working_days: 5}\n")
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (SAM_EMAIL, "CR-1002", "case_audit"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (KIM_EMAIL, "CR-3001", "case_audit"),
        ],
    )
    world.write_completions("2021-05", MAY_DONE, modified="2021-05-28T18:00", extra=EXTRA)
    world.tick("2021-05-04T09:30")
    world.new_mail()
    return world


def write_moderations(world: World, rows: list[tuple[str, ...]]) -> Path:
    """The May 2021 moderation sheet, in the default folder beside the completions."""
    folder = world.root / "moderations"
    folder.mkdir(exist_ok=True)
    path = folder / "2021-05.csv"
    header = ["case_ref", "moderator_email", "moderated_grade", "moderated_on", "comment"]
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *map(list, rows)])
    return path


def write_later_export(world: World, rows: list[tuple[str, ...]], modified: str) -> Path:
    """A later May 2021 completions export: the rows at the deadline and ``rows`` more."""
    return world.write_completions("2021-05", [*MAY_DONE, *rows], modified=modified, extra=EXTRA)
