"""A sample council with a year behind it, for looking at the digest as a person would.

Seeded, so the same sample always comes out. The past year is written straight into the
store (frozen outcomes, closes, decided exemptions) and the sheets; May 2021 itself runs
through the real bot up to Monday 17 May.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from bot.core import calendar as cal
from bot.core.records import Month
from bot.store import repo
from bot.store.schema import exemptions, month_closes, notes, outcomes
from tests.world import LONDON, World

NOW = datetime(2021, 5, 17, 9, 30, tzinfo=LONDON)
MONTH = Month(2021, 5)
DOMAIN = "council.example"

SERVICES = {
    ("hana@council.example", "Hana Ahmed"): ("Children in Need", "Looked After Children"),
    ("omar@council.example", "Omar Khan"): ("Early Help", "Front Door", "Fostering"),
    ("priya@council.example", "Priya Shah"): ("Child Protection", "Care Leavers"),
}
FIRST = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Hassan",
    "Isla",
    "Jack",
    "Kiran",
    "Lena",
    "Marcus",
    "Nadia",
    "Owen",
]
LAST = [
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Lewis",
    "Morgan",
    "Nowak",
    "Patel",
    "Singh",
]
GRADES = ("outstanding", "good", "requires_improvement", "inadequate")


def build(root: Path) -> World:
    rng = random.Random(2021)
    world = World.create(root)
    people: list[tuple[str, str, str, str, str]] = []
    for (head, head_name), teams in SERVICES.items():
        for team in teams:
            size = 0 if team == "Fostering" else rng.randint(4, 7)
            for _ in range(size):
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                email = f"{name.lower().replace(' ', '.')}.{len(people) + 1}@{DOMAIN}"
                people.append((name, email, team, head, head_name))
    fostering = ("Yusuf Khan", f"yusuf.khan@{DOMAIN}", "Fostering", *list(SERVICES)[1])
    roster = [*people, fostering]
    world.write_roster(roster)
    app = world.open()

    case = iter(range(1, 1_000_000))
    with app.engine.begin() as connection:
        for back in range(12, 0, -1):
            month = MONTH.plus(-back)
            completions, frozen = [], []
            finish = 0.62 + 0.025 * (12 - back) + rng.uniform(-0.05, 0.05)
            good_share = 0.30 + 0.012 * (12 - back)
            for name, email, team, head, _ in people:
                cases = [f"CR-{next(case):05d}" for _ in range(rng.choice((1, 2)))]
                if rng.random() < 0.05:
                    outcome = "exempted"
                elif rng.random() < finish:
                    outcome = "complete"
                else:
                    outcome = "missed"
                for ref in cases:
                    if outcome == "exempted" or (outcome == "missed" and rng.random() < 0.5):
                        continue
                    day = month.first_day + timedelta(days=rng.randint(2, 26))
                    if outcome == "missed":
                        day = cal.deadline(month) + timedelta(days=rng.randint(1, 5))
                    roll = rng.random()
                    grade = (
                        "" if roll < 0.05
                        else "inadequate" if roll < 0.17
                        else "outstanding" if roll < 0.17 + good_share / 5
                        else "good" if roll < 0.17 + good_share
                        else "requires_improvement"
                    )  # fmt: skip
                    completions.append((ref, email, day.isoformat(), grade))
                frozen.append(
                    {
                        "month": str(month),
                        "auditor_email": email,
                        "name": name,
                        "team": team,
                        "head_of_service_email": head,
                        "outcome": outcome,
                        "cases": len(cases),
                        "late_on": None,
                    }
                )
            world.write_completions(str(month), completions)
            connection.execute(outcomes.insert(), frozen)
            connection.execute(
                month_closes.insert().values(
                    month=str(month),
                    closed_at=datetime.combine(cal.close_day(month), datetime.min.time(), LONDON),
                )
            )

    rows = [(email, f"CR-{next(case):05d}", "case_audit") for _, email, *_ in people]
    rows += [(email, f"CR-{next(case):05d}", "dip_sample") for _, email, *_ in people[::3]]
    world.write_allocations(str(MONTH), rows)
    world.tick("2021-05-04T09:30")
    done = [
        (ref, email, f"2021-05-{rng.randint(5, 14):02d}", rng.choice(GRADES))
        for email, ref, _ in rows
        if rng.random() < 0.55
    ]
    world.write_completions(str(MONTH), done)
    _exemptions_and_notes(world, people, rng)
    return world


def _exemptions_and_notes(world: World, people: list[tuple[str, ...]], rng: random.Random):
    def at(day: int, hour: int, month: Month = MONTH) -> datetime:
        return datetime(month.year, month.month, day, hour, tzinfo=LONDON)

    picks = rng.sample(people, 8)
    plans = [
        # (who, month, number, reason, state, asked, head answered, decided, flags)
        (picks[0], MONTH, 1, "absence", "approved", at(5, 10), at(5, 15), at(6, 11), {}),
        (picks[1], MONTH, 2, "statutory_work", "awaiting_head", at(13, 14), None, None, {}),
        (picks[2], MONTH, 3, "other", "awaiting_director", at(4, 10), None, None,
         {"no_head_response": True}),
        (picks[3], MONTH, 4, "absence", "not_supported", at(12, 9), at(14, 12), None, {}),
        (picks[4], MONTH, 5, "other_qa_activity", "approved", at(11, 9), at(11, 12),
         at(12, 16), {}),
        (picks[0], Month(2021, 2), 1, "absence", "approved", at(1, 9, Month(2021, 2)),
         at(1, 12, Month(2021, 2)), at(2, 9, Month(2021, 2)), {}),
    ]  # fmt: skip
    app = world.open()
    with app.engine.begin() as connection:
        for index, (who, month, number, reason, state, asked, head_at, decided, flags) in enumerate(
            plans
        ):
            name, email, team, head, head_name = who
            connection.execute(
                exemptions.insert().values(
                    month=str(month),
                    number=number,
                    token=f"EXM-{month}-{number:03d}-SAMPLE{index:02d}",
                    auditor_email=email,
                    auditor_name=name,
                    team=team,
                    head_email=head,
                    head_name=head_name,
                    reason=reason,
                    words="(sample)",
                    requested_at=asked,
                    requested_on=asked.date(),
                    after_allocation=month == MONTH,
                    last_week=False,
                    state=state,
                    head_decided_at=head_at,
                    no_head_response=flags.get("no_head_response", False),
                    decided_at=decided,
                    inbound_id=0,
                )
            )
            if flags.get("no_head_response"):
                repo.add_event(
                    connection, at(10, 9), "request_escalated", month=month,
                    subject=f"EXM-{month}-{number:03d}",
                )  # fmt: skip
        for who, kind, day in (
            (picks[5], "at_risk", 7),
            (picks[6], "at_risk", 12),
            (picks[7], "out_of_office", 4),
            (picks[7], "out_of_office", 14),
        ):
            connection.execute(
                notes.insert().values(
                    month=str(MONTH),
                    auditor_email=who[1],
                    kind=kind,
                    at=at(day, 9),
                    words="(sample)",
                    inbound_id=None,
                )
            )


__all__ = ["MONTH", "NOW", "build"]
