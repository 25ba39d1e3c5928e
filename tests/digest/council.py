"""A small council living through May 2021 with the real bot, for the digest's shell tests.

Sam (Children in Need, Hana)       asks for an exemption, Hana supports, director approves
Alex (Looked After Children, Hana) out of office; outstanding
Kim (Early Help, Omar)             says at risk, then submits CR-3001 (good) on 6 May
Fay (Fostering, Omar)              nothing allocated
April's completions sheet: Sam good, Kim inadequate, Alex no grade.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.world import (
    ALEX,
    DIRECTOR,
    HANA,
    KIM,
    LONDON,
    OMAR,
    PERSONAS,
    SAM,
    Landed,
    World,
    build_new,
)

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]
FAY = ("Fay Singh", "fay@council.example", "Fostering", OMAR, "Omar Khan")
MONDAY = datetime(2021, 5, 10, 9, 30, tzinfo=LONDON)
SICK_NOTE = "I'm on sick leave from Monday for three weeks, can I be exempted this month?"


def _by_key(mails: list[Landed]) -> dict[str, Landed]:
    return {m.key: m for m in mails}


def build(root: Path, store: str | None = None) -> World:
    world = World.create(root, store=store)
    world.write_roster(PERSONAS, extra_rows=[list(FAY)])
    world.write_completions(
        "2021-04",
        [
            ("CR-0901", SAM_EMAIL, "2021-04-06", "good"),
            ("CR-0902", KIM_EMAIL, "2021-04-07", "inadequate"),
            ("CR-0903", ALEX_EMAIL, "2021-04-08", ""),
        ],
    )
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (SAM_EMAIL, "CR-1002", "dip_sample"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (KIM_EMAIL, "CR-3001", "thematic"),
        ],
    )
    world.tick("2021-05-04T09:30")
    allocations = _by_key(world.new_mail())

    world.reply(allocations[f"allocation/2021-05/{SAM_EMAIL}"], SAM_EMAIL, SICK_NOTE)
    world.reply(
        allocations[f"allocation/2021-05/{KIM_EMAIL}"],
        KIM_EMAIL,
        "I'm at risk of missing the deadline this month, court all week.",
    )
    world.deliver(
        build_new(
            ALEX_EMAIL,
            f"Automatic reply: {allocations[f'allocation/2021-05/{ALEX_EMAIL}'].subject}",
            "I am out of the office until 17 May with limited access to email.",
            headers={"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
        )
    )
    world.tick("2021-05-05T10:00")
    asked = _by_key(world.new_mail())
    world.reply(
        asked["exemption/EXM-2021-05-001/to-head"], HANA, "I support this request. Fit note seen."
    )
    world.tick("2021-05-05T11:00")
    supported = _by_key(world.new_mail())
    world.reply(supported["exemption/EXM-2021-05-001/to-director"], DIRECTOR, "Approved.")
    world.tick("2021-05-06T09:30")
    world.write_completions("2021-05", [("CR-3001", KIM_EMAIL, "2021-05-06", "good")])
    world.new_mail()
    return world
