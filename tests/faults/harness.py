"""A month run by the bot as a subprocess, killed with SIGKILL at chosen points.

The script of the month (sheets, completions, replies) is fixed; each day's tick is rerun
until it finishes, as a supervisor restarting the bot would. At the end, the outbox must
hold exactly the mail a run without faults produced: none lost, none sent twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tests.world import ALEX, DIRECTOR, HANA, KIM, SAM, Landed, World, parse_landed

NAMED_STEPS = (
    "migration",
    "render",
    "tick.record",
    "tick.planned",
    "send.before",
    "send.after",
    "inbox.stored",
    "inbox.acted",
)
FIRST, LAST = date(2021, 5, 1), date(2021, 6, 2)


def _mail(world: World, key: str) -> Landed:
    return next(m for m in world.all_mail() if m.key == key)


# Replies delivered before the tick of the given day, built from mail that has landed;
# fixed Message-IDs so both runs key their answers alike.
REPLIES: dict[date, Callable[[World], None]] = {
    date(2021, 5, 6): lambda w: w.reply(
        _mail(w, f"allocation/2021-05/{SAM[1]}"),
        SAM[1],
        "I'm on sick leave from Monday for three weeks, can I be exempted this month?",
        message_id="<r1@council.example>",
    ),
    date(2021, 5, 7): lambda w: w.reply(
        _mail(w, "exemption/EXM-2021-05-001/to-head"),
        HANA,
        "I support this request.",
        message_id="<r2@council.example>",
    ),
    date(2021, 5, 10): lambda w: w.reply(
        _mail(w, "exemption/EXM-2021-05-001/to-director"),
        DIRECTOR,
        "Approved.",
        message_id="<r3@council.example>",
    ),
    date(2021, 5, 12): lambda w: w.reply(
        _mail(w, f"allocation/2021-05/{KIM[1]}"),
        KIM[1],
        "I might not make it this month, sorry.",
        message_id="<r4@council.example>",
    ),
    date(2021, 5, 20): lambda w: w.reply(
        _mail(w, f"allocation/2021-05/{ALEX[1]}"),
        ALEX[1],
        "Done, all submitted yesterday.",
        message_id="<r5@council.example>",
    ),
}


def prepare(world: World) -> None:
    world.write_allocations(
        "2021-05",
        [
            (SAM[1], "CR-1001", "case_audit"),
            (ALEX[1], "CR-2001", "case_audit"),
            (KIM[1], "CR-3001", "case_audit"),
            (KIM[1], "CR-3002", "dip_sample"),
        ],
    )
    world.write_completions("2021-05", [("CR-3001", KIM[1], "2021-05-18", "good")])


@dataclass
class Run:
    kills: Counter[str] = field(default_factory=Counter)
    ticks: int = 0


def run_month(world: World, faults: dict[date, list[str]], run: Run, instances: int = 1) -> None:
    """Tick each day as a subprocess; on each day, first the faults planned for it, then a
    clean tick, as a supervisor restarting the bot would.
    With two instances, both tick at once each time, the fault set on both."""
    prepare(world)
    day = FIRST
    while day <= LAST:
        if day.weekday() >= 5:  # nothing is scheduled at weekends: save the subprocesses
            day += timedelta(days=1)
            continue
        if day in REPLIES:
            REPLIES[day](world)
        for fault in [*faults.get(day, []), None]:
            run.ticks += 1
            survived = _ticks(world.config, f"{day.isoformat()}T09:30", fault, instances)
            run.kills[fault.split(":")[0] if fault else "none"] += instances - survived
            # Every planned fault is tried, even after one missed its mark and the tick
            # finished: each later one still strikes a tick, if only an idle one.
        day += timedelta(days=1)
    # One quiet tick well after the end settles any send left unrecorded by a kill.
    assert _tick(world.config, "2021-06-08T09:30", None)


def _tick(config: Path, at: str, fault: str | None) -> bool:
    return _ticks(config, at, fault, 1) == 1


def _ticks(config: Path, at: str, fault: str | None, instances: int) -> int:
    """Run ``instances`` ticks at once; how many finished rather than being killed."""
    env = {k: v for k, v in os.environ.items() if k != "AUDITBOT_FAULT"}
    if fault:
        env["AUDITBOT_FAULT"] = fault
    command = [sys.executable, "-m", "bot", "--config", str(config), "tick", "--at", at]
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(instances)
    ]
    survived = 0
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        if process.returncode == -signal.SIGKILL:
            continue
        assert process.returncode == 0, stderr
        survived += 1
    return survived


def plan_faults(seed: int, random_kills: int) -> dict[date, list[str]]:
    """Every named step once, on a day where it happens, then random kill points on the
    days when the bot has work (a kill on a quiet day would find nothing to interrupt)."""
    rng = random.Random(seed)
    mail_days = [date(2021, 5, 4), date(2021, 5, 14), date(2021, 5, 21), date(2021, 6, 1)]
    reply_days = sorted(REPLIES)
    faults: dict[date, list[str]] = {date(2021, 5, 3): ["migration"]}
    for step in NAMED_STEPS[1:]:
        days = reply_days if step.startswith("inbox") else mail_days + reply_days
        faults.setdefault(rng.choice(days), []).append(step)
    for _ in range(random_kills):
        faults.setdefault(rng.choice(mail_days + reply_days), []).append(f"any:{rng.randint(1, 4)}")
    # A tick that survives its fault finishes the day's work, and later faults that day
    # would find nothing to hit: named steps go first, in the order a tick reaches them.
    order = {step: n for n, step in enumerate(("migration", "inbox.stored", "inbox.acted"))}
    return {
        day: sorted(steps, key=lambda s: order.get(s, 3 + s.startswith("any")))
        for day, steps in faults.items()
    }


def outbox_keys(world: World) -> Counter[str]:
    new = world.root / "mail" / "outbox" / "new"
    return Counter(parse_landed(p.read_bytes()).key for p in new.iterdir())


def refused_duplicates(world: World) -> list[str]:
    log = world.root / "mail" / "outbox" / "sent.log"
    return [line for line in log.read_text().splitlines() if line.startswith("REFUSED")]
