"""The digests' charts, timed one by one: what a big allocation day costs in PNGs.

    .venv/bin/python benchmarks/charts.py [--runs 15] [--out DIR] [--profile]

On a big allocation day a tick sends 21 digests (the director's and 20 Heads of Service's),
three charts each: 63 charts. The inputs are built here, without a store, as
``bot.reporting.digests.digest_charts`` passes them: the director sees 60 teams (the 30
furthest behind drawn), each Head of Service their 3; 12-month completion and grade trends,
the current month still open; a Head of Service's grade trend has months of fewer than 10
graded audits.

The first chart in a process pays for loading the fonts, and the first round of 63 for
whatever else is cold; both are printed. Then each chart is timed, the median of ``--runs``
runs, and the 63 charts of 21 digests in a row, the median of 3 rounds. ``--out DIR``
writes each chart's PNG there, to look at before and after a change; ``--profile`` runs
the 63 charts under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's bot, not whichever one is installed

from benchmarks.machine import cpu_model, load_average  # noqa: E402
from bot.config import TargetSettings  # noqa: E402
from bot.core.completion import Group, RatePoint, Tally  # noqa: E402
from bot.core.quality import GradeMix  # noqa: E402
from bot.core.records import Month  # noqa: E402

MONTH = Month(2021, 5)
HEADS = 20
TEAMS = 60
AREAS = ("North", "South", "East", "West", "Central", "Outer")
SERVICES = ("Children in Need", "Child Protection", "Looked After Children", "Early Help",
            "Fostering", "Adoption", "Care Leavers", "Disabled Children", "Front Door",
            "Youth Justice")  # fmt: skip

Chart = tuple[str, Callable[[], bytes]]


def machine() -> str:
    cpu, load = cpu_model(), load_average()
    import matplotlib
    import PIL

    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
        f"Pillow {PIL.__version__}; load average {load}"
    )


def commit() -> str:
    try:
        run = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return run.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _tally(rng: random.Random, allocated: int) -> Tally:
    exempted = rng.randint(0, allocated // 12)
    complete = round((allocated - exempted) * rng.uniform(0.15, 0.95))
    self_reported = rng.randint(0, (allocated - exempted - complete) // 4)
    outstanding = allocated - exempted - complete - self_reported
    return Tally(allocated, complete, self_reported, exempted, outstanding)


def teams(rng: random.Random) -> list[Group]:
    """60 teams such as ``Looked After Children North 2``, one in twenty with nobody allocated."""
    groups = []
    for i in range(TEAMS):
        name = f"{SERVICES[i % len(SERVICES)]} {AREAS[i // len(SERVICES)]} {i % 3 + 1}"
        allocated = 0 if i % 20 == 7 else rng.randint(80, 250)
        head = f"Head {i % HEADS + 1:02d}"
        groups.append(Group(name, name, head, _tally(rng, allocated)))
    return groups


def rate_trend(rng: random.Random, people: int) -> list[RatePoint]:
    points = []
    for back in range(11, -1, -1):
        counted = people - rng.randint(0, people // 20)
        complete = round(counted * min(0.98, 0.6 + 0.02 * (11 - back) + rng.uniform(-0.05, 0.05)))
        points.append(RatePoint(MONTH.plus(-back), complete, counted, so_far=back == 0))
    return points


def grade_trend(rng: random.Random, audits: int) -> list[tuple[Month, GradeMix]]:
    """The 12 full months before this one; a small service has months under 10 graded."""
    points = []
    for back in range(12, 0, -1):
        graded = max(0, round(audits * rng.uniform(0.6, 1.2)))
        good = 0.30 + 0.012 * (12 - back)
        counts = [round(graded * s) for s in (good / 5, good * 4 / 5, 0.5 - good, 0.12)]
        points.append((MONTH.plus(-back), GradeMix(*counts, ungraded=graded // 20)))
    return points


def digests(seed: int = 5) -> list[list[Chart]]:
    """21 digests' charts, as thunks: the director's first, then each Head of Service's."""
    from bot.reporting import charts

    rng = random.Random(seed)
    everyone = teams(rng)
    title = f"{MONTH.title}: completion by team so far"
    found: list[list[Chart]] = []
    scopes = [("all teams", everyone, 10_000, 2_500)]
    for h in range(HEADS):
        theirs = [g for g in everyone if g.head == f"Head {h + 1:02d}"]
        people = sum(g.tally.allocated for g in theirs)
        scopes.append((f"Head {h + 1:02d}'s service", theirs, people, 20 if h % 4 else 6))
    for scope, groups, people, audits in scopes:
        trend, grades = rate_trend(rng, people), grade_trend(rng, audits)
        found.append(
            [
                ("teams", lambda g=groups: charts.completion_by_team(g, title)),
                ("trend", lambda t=trend, s=scope: charts.completion_trend(
                    t, f"Completion rate by month, {s}")),
                ("grades", lambda q=grades, s=scope: charts.grade_trend(
                    q, f"Grades of audits by month, {s}", TargetSettings().rules)),
            ]
        )  # fmt: skip
    return found


def timed(thunk: Callable[[], object]) -> float:
    start = time.perf_counter()
    thunk()
    return time.perf_counter() - start


def cpu_timed(thunk: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds: on a shared machine the CPU time moves less with the load."""
    wall, cpu = time.perf_counter(), time.process_time()
    thunk()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per chart (median)")
    parser.add_argument("--out", type=Path, help="write each chart's PNG into this folder")
    parser.add_argument("--profile", action="store_true", help="cProfile the 63 charts")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    print(f"commit:  {commit()}  ({ROOT})")
    import_s = timed(lambda: __import__("bot.reporting.charts"))
    print(f"import bot.reporting.charts: {1000 * import_s:.0f} ms")
    made = digests()
    director, head = made[0], made[2]  # Head 02: some months under 10 graded, some not
    every = [thunk for charts in made for _, thunk in charts]
    first = timed(director[0][1])
    print(f"first chart in the process (fonts loaded): {1000 * first:.0f} ms")
    # Before anything is warm but the fonts, as on a fresh daemon's first big day.
    first_round = timed(lambda: [thunk() for thunk in every])
    print(f"first {len(every)} charts in the process: {1000 * first_round:.0f} ms")

    print(f"\n{'chart (ms)':<26}{'median':>8}{'min':>8}{'cpu med':>9}{'PNG KiB':>9}{'pixels':>11}")
    for who, charts in (("director", director), ("head of service", head)):
        for name, thunk in charts:
            walls, cpus = zip(*(cpu_timed(thunk) for _ in range(args.runs)), strict=True)
            png = thunk()
            width, height = int.from_bytes(png[16:20]), int.from_bytes(png[20:24])
            print(
                f"{who + ' ' + name:<26}{1000 * statistics.median(walls):>8.1f}"
                f"{1000 * min(walls):>8.1f}{1000 * statistics.median(cpus):>9.1f}"
                f"{len(png) / 1024:>9.1f}{f'{width}x{height}':>11}"
            )

    rounds = [cpu_timed(lambda: [thunk() for thunk in every]) for _ in range(3)]
    walls = sorted(wall for wall, _ in rounds)
    cpu = statistics.median(cpu for _, cpu in rounds)
    size = sum(len(thunk()) for thunk in every)
    print(
        f"\n{len(every)} charts of {len(made)} digests: {1000 * walls[1]:.0f} ms median of 3 "
        f"({', '.join(f'{1000 * w:.0f}' for w in walls)}), {1000 * walls[1] / len(every):.1f} ms "
        f"a chart; CPU {1000 * cpu:.0f} ms; {size / 1024:.0f} KiB of PNG"
    )

    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for who, charts in (("director", director), ("head", head)):
            for name, thunk in charts:
                (args.out / f"{who}-{name}.png").write_bytes(thunk())
        print(f"PNGs written to {args.out}")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [thunk() for thunk in every])
        stats = pstats.Stats(profile).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
