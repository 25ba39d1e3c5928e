"""An auditor exempted after their allocation went: the QA team gets their cases to give to
someone else, and the sheet that does so is taken as the reallocation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.commands.status_view import month_status
from bot.core.records import Month
from bot.store.schema import events
from tests.world import ALEX, DIRECTOR, HANA, KIM, LONDON, QA, SAM, World

SAM_EMAIL, ALEX_EMAIL, KIM_EMAIL = SAM[1], ALEX[1], KIM[1]


def test_an_approval_after_allocation_sends_the_qa_team_the_cases_to_reallocate(
    world: World,
) -> None:
    sheet = [
        (SAM_EMAIL, "CR-1001", "case_audit"),
        (SAM_EMAIL, "CR-1002", "dip_sample"),
        (ALEX_EMAIL, "CR-2001", "case_audit"),
        (KIM_EMAIL, "CR-3001", "case_audit"),
    ]
    world.write_allocations("2021-05", sheet)
    world.write_completions("2021-05", [("CR-1001", SAM_EMAIL, "2021-05-05", "good")])
    world.tick("2021-05-04T09:30")
    allocation = next(m for m in world.new_mail() if m.key == f"allocation/2021-05/{SAM_EMAIL}")
    world.reply(
        allocation, SAM_EMAIL, "I'm on sick leave from Monday for three weeks, can I be exempted?"
    )
    world.tick("2021-05-06T10:00")
    to_head = next(m for m in world.new_mail() if m.key.endswith("/to-head"))
    world.reply(to_head, HANA, "I support this request.")
    world.tick("2021-05-06T11:00")
    to_director = next(m for m in world.new_mail() if m.key.endswith("/to-director"))
    world.reply(to_director, DIRECTOR, "Approved.")
    world.tick("2021-05-06T12:00")
    landed = {m.key: m for m in world.new_mail()}
    told = landed["reallocate/2021-05/sam@council.example"]
    assert told.to == (QA,)
    assert told.subject == "May 2021: 1 case to reallocate from Sam Patel (exempted)"
    text = " ".join(told.text.split())
    assert "- CR-1002 (Dip sample)" in text and "CR-1001" not in text  # already submitted
    # Told once.
    world.tick("2021-05-07T09:30")
    assert not [m for m in world.new_mail() if m.key.startswith("reallocate/")]
    # The QA team gives CR-1002 to Kim: Kim gets it, Sam stays exempted.
    world.write_allocations(
        "2021-05",
        [
            (SAM_EMAIL, "CR-1001", "case_audit"),
            (KIM_EMAIL, "CR-1002", "dip_sample"),
            (ALEX_EMAIL, "CR-2001", "case_audit"),
            (KIM_EMAIL, "CR-3001", "case_audit"),
        ],
    )
    world.tick("2021-05-10T09:30")
    (update,) = [m for m in world.new_mail() if m.key.startswith("allocation-update/")]
    assert update.to == (KIM_EMAIL,) and "CR-1002" in update.text
    # The sheet that gave it to Kim is taken as the reallocation, in the trail.
    with world.open().engine.connect() as connection:
        moved = connection.execute(
            select(events.c.subject, events.c.detail).where(events.c.kind == "case_reallocated")
        ).all()
    assert [(r.subject, r.detail) for r in moved] == [
        ("CR-1002", {"case": "CR-1002", "from": SAM_EMAIL, "to": KIM_EMAIL})
    ]
    states, totals = month_status(
        world.open(), Month(2021, 5), datetime(2021, 5, 10, 12, tzinfo=LONDON)
    )
    assert {s["email"]: s["state"] for s in states}[SAM_EMAIL] == "exempted"
    assert totals == {"auditors": 3, "exempted": 1, "outstanding": 2}
