"""The monthly cycle at scale: allocation day, idle ticks and a reminder day, timed.

A generated council (10,000 auditors by default) goes through May 2021 on the local
maildir transport. Each scenario runs in a fresh subprocess (``benchmarks.worker``) so its
peak RSS is its own; the store and maildir carry over from one scenario to the next, as
they would in the daemon. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.council import Council, generate
from benchmarks.machine import cpu_model

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PEAK_RSS_TARGET_MB = 300.0
PROFILED = ("allocation", "idle", "idle-late")  # scenarios --profile reruns under cProfile
PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    at: str  # local Europe/London time
    morning: date  # the completions sheet is an export taken on this morning
    repeat: int = 1
    target_s: float | None = None
    expect: str = ""  # "allocations", "idle", "reminders", "digests"
    # Kinds of mail that may also go (any number): the weekly digests fall on allocation day
    # in May 2021, as Monday 3 May is a bank holiday; and the council's inadequate audits
    # (12% of grades) open actions for children, told, chased and escalated as they come.
    also: tuple[str, ...] = ("child-action",)
    headline: bool = True  # one of the three the brief asks for (the others are context)
    # Phases the target leaves out: the allocation day's digests go after its own mail.
    judged_without: tuple[str, ...] = ()


def scenarios(idle_repeat: int) -> list[Scenario]:
    return [
        Scenario("allocation", "allocation day", "2021-05-04T09:30", date(2021, 5, 4),
                 target_s=10.0, expect="allocations", also=("digest", "child-action"),
                 judged_without=("digests",)),
        Scenario("idle", "idle, day after", "2021-05-05T09:30", date(2021, 5, 5),
                 repeat=idle_repeat, target_s=0.5, expect="idle"),
        # The week's digests go on Monday; without these ticks they would go on the next tick
        # of the week and the idle tick on the 20th would not be idle.
        Scenario("digest10", "weekly digests", "2021-05-10T09:30", date(2021, 5, 10),
                 expect="digests", headline=False),
        Scenario("stage10", "reminder stage 10", "2021-05-14T09:30", date(2021, 5, 14),
                 expect="reminders", headline=False),
        Scenario("digest17", "weekly digests", "2021-05-17T09:30", date(2021, 5, 17),
                 expect="digests", headline=False),
        Scenario("idle-late", "idle, mid-month", "2021-05-20T09:30", date(2021, 5, 20),
                 repeat=idle_repeat, target_s=0.5, expect="idle", headline=False),
        Scenario("stage5", "reminder stage 5", "2021-05-21T09:30", date(2021, 5, 21),
                 expect="reminders"),
    ]  # fmt: skip


# --- running -------------------------------------------------------------------------------


class BenchError(RuntimeError):
    pass


# Where the workers import the bot from: a copy taken at the start of the run (see main).
CODE = {"dir": PROJECT}


def snapshot_code(target: Path) -> Path:
    """Copy the bot, its templates and these benchmarks, so that every scenario of a run
    measures the same code even while people keep editing the working tree."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("bot", "templates", "benchmarks"):
        shutil.copytree(PROJECT / folder, target / folder, ignore=skip)
    return target


def _worker(
    config: Path, scenario: Scenario, *, heap: bool = False, profile: Path | None = None
) -> dict:
    command = [
        sys.executable, "-m", "benchmarks.worker", "--config", str(config),
        "--at", scenario.at, "--repeat", str(scenario.repeat),
    ]  # fmt: skip
    if heap:
        command.append("--heap")
    if profile is not None:
        command += ["--profile", str(profile)]
    # Run from the code copy: ``-m`` puts the working directory first on sys.path, ahead of
    # the editable install's finder, so ``bot`` is imported from the copy.
    done = subprocess.run(command, cwd=CODE["dir"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # The tail of the traceback, with SQLAlchemy's long statement echoes cut short.
        tail = [line[:300] for line in done.stderr.splitlines()[-25:]]
        raise BenchError(f"{scenario.label}: worker failed ({done.returncode})", tail)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(result["bot_file"]).is_relative_to(CODE["dir"]):
        raise BenchError(f"the worker imported the bot from {result['bot_file']}", [])
    return result


def _snapshot(source: Path, target: Path) -> None:
    """A copy of a council folder to rerun a scenario from the same state: the SQLite store is
    copied, everything else (sheets, maildirs, which a tick only adds to) is hard-linked."""

    def link_or_copy(src: str, dst: str) -> object:
        if Path(src).parent.name == "var":
            return shutil.copy2(src, dst)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
        return dst

    shutil.copytree(source, target, copy_function=link_or_copy)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_store(
    council: Council,
    store_name: str,
    plan: list[Scenario],
    results: list[dict],
    *,
    heap: bool,
    profile_dir: Path | None,
) -> None:
    """Run ``plan`` in order on one store, appending to ``results`` as each one finishes."""
    snapshots = council.root.parent / f"snapshots-{store_name}"
    for scenario in plan:
        rows = council.write_completions(scenario.morning)
        extra_runs = store_name == "sqlite" and (
            heap or (profile_dir is not None and scenario.name in PROFILED)
        )
        pristine = snapshots / f"{scenario.name}-before"
        if extra_runs:
            _snapshot(council.root, pristine)
        _log(f"[{store_name}] {scenario.label} at {scenario.at} ({rows} completion rows) ...")
        # Write back what earlier work left dirty (the council's sheets, the last scenario,
        # a previous run's deleted files, which a disk mounted with `discard` trims at the
        # next journal commit), so it is not billed to this tick's file creation.
        os.sync()
        disk_us = disk_probe(council.root / "mail")
        result = _worker(council.config, scenario)
        result["disk_us"] = disk_us
        result |= {"scenario": scenario, "store": store_name, "completion_rows": rows}
        result["check"] = _check(council, scenario, result)
        if extra_runs and heap:
            copy = snapshots / f"{scenario.name}-heap"
            _snapshot(pristine, copy)
            _log(f"[{store_name}] {scenario.label}: again with tracemalloc ...")
            result["heap_peak_bytes"] = _worker(copy / "config.yaml", scenario, heap=True)[
                "heap_peak_bytes"
            ]
            shutil.rmtree(copy)
        if extra_runs and profile_dir is not None and scenario.name in PROFILED:
            copy = snapshots / f"{scenario.name}-profile"
            _snapshot(pristine, copy)
            out = profile_dir / f"{scenario.name}.prof"
            _log(f"[{store_name}] {scenario.label}: again under cProfile -> {out}")
            # Two idle ticks so the profiled one is warm; the allocation tick can only run once.
            profiled = _with_repeat(scenario, 2) if scenario.repeat > 1 else scenario
            _worker(copy / "config.yaml", profiled, profile=out)
            result["profile"] = str(out)
            shutil.rmtree(copy)
        if pristine.exists():
            shutil.rmtree(pristine)
        results.append(result)
    shutil.rmtree(snapshots, ignore_errors=True)


def disk_probe(folder: Path, files: int = 1000) -> float:
    """Microseconds to create, write and close one 6 KB file beside the tick's maildirs: the
    tick makes one per mail. A virtual disk can at times take 30-100 times the usual 10-30 us,
    which shows as "write .eml" and is no work of the bot's."""
    probe = folder / f".probe-{uuid.uuid4().hex[:8]}"
    probe.mkdir(parents=True)
    data = b"x" * 6000
    started = time.perf_counter()
    for n in range(files):
        fd = os.open(probe / str(n), os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.write(fd, data)
        os.close(fd)
    elapsed = time.perf_counter() - started
    shutil.rmtree(probe)
    return elapsed / files * 1e6


def _with_repeat(scenario: Scenario, repeat: int) -> Scenario:
    return Scenario(**{**scenario.__dict__, "repeat": repeat})


def _check(council: Council, scenario: Scenario, result: dict) -> str:
    """Did the tick do what the month calls for? A fast wrong tick is no result."""
    found = []
    if result["problem_count"]:
        found.append(f"{result['problem_count']} input problems: {result['problems']}")
    if result["later_planned"] or result["later_sent"]:
        found.append("a repeated tick planned or sent more mail")
    if result["failed"]:
        found.append(f"{result['failed']} sends failed")
    planned, sent = result["planned"], result["sent"]
    kinds = dict(result["planned_kinds"])
    extra = {kind: kinds.pop(kind) for kind in scenario.also if kind in kinds}
    if sent != planned:
        found.append(f"planned {planned} mails but sent {sent}")
    if scenario.expect == "allocations":
        want = {"allocation": len(council.auditors)}
    elif scenario.expect == "reminders":
        want = {"reminder": len(council.auditors) - council.complete_as_of(scenario.morning)}
    elif scenario.expect == "digests":
        want = {"digest": kinds.get("digest", 0) or "some"}
    else:
        want = {}
    if kinds != want:
        shown = ", ".join(f"{n} {k}" for k, n in want.items()) or "nothing"
        found.append(f"expected {shown}, got {result['planned_kinds']}")
    result["extra_kinds"] = extra
    return "; ".join(found) or "ok"


def source_stamp() -> tuple[float, int]:
    """Newest modification time and count of the bot's code and templates: the code is
    edited while benchmarks run, and a run that straddles an edit measures two versions."""
    files = [
        p for folder in ("bot", "templates") for p in (PROJECT / folder).rglob("*") if p.is_file()
    ]
    return max((p.stat().st_mtime for p in files), default=0.0), len(files)


def commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


# --- PostgreSQL ----------------------------------------------------------------------------


class PostgresSchema:
    """A fresh schema for one run, dropped afterwards."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.schema = f"bench_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(url)
        separator = "&" if "?" in url else "?"
        self.url = f"{url}{separator}options=-csearch_path%3D{self.schema}"

    def __enter__(self) -> PostgresSchema:
        from sqlalchemy import text

        try:
            with self.admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
                self.version = connection.execute(text("SHOW server_version")).scalar_one()
        except Exception as error:  # unreachable server, bad URL, no rights to create a schema
            self.admin.dispose()
            raise BenchError(f"PostgreSQL: cannot create a schema: {error}", []) from None
        return self

    def __exit__(self, *_exc: object) -> None:
        from sqlalchemy import text

        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()


# --- reporting -----------------------------------------------------------------------------


def load_average() -> str:
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:
        return "?"
    return f"{one:.2f} (1 min) / {five:.2f} (5 min)"


def machine(pg_version: str | None = None, load_at_start: str = "?") -> list[str]:
    cpu = cpu_model()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    lines = [
        f"CPU      {cpu}, {os.cpu_count()} logical cores ({usable} usable){memory}",
        f"OS       {platform.platform()}",
        f"Python   {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if pg_version:
        lines.append(f"Postgres {pg_version}")
    lines.append(
        f"Load     {load_at_start} at start, {load_average()} at end "
        "(other work on the machine slows every figure)"
    )
    return lines


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(results: list[dict]) -> tuple[list[str], bool]:
    header = (
        "scenario", "store", "mails", "wall s", "target", "", "cpu s",
        "peak RSS MB", "target", "", "RSS pre-tick", "heap MB", "check",
    )  # fmt: skip
    rows = [header]
    all_ok = True
    for r in results:
        s: Scenario = r["scenario"]
        walls = r["wall_s"]
        wall = statistics.median(walls)
        cpu = statistics.median(r["cpu_s"])
        wall_text = f"{wall:.3f}" if wall < 1 else f"{wall:.2f}"
        if len(walls) > 1:
            wall_text += f" (median of {len(walls)})"
        judged = wall
        if s.judged_without and r.get("phases"):
            left_out = [
                sum(taken.get(name, (0.0, 0))[0] for name in s.judged_without)
                for taken in r["phases"]
            ]
            judged = statistics.median(w - x for w, x in zip(walls, left_out, strict=True))
            wall_text += f" ({judged:.2f} without {', '.join(s.judged_without)})"
        rss = r["peak_rss_kb"] / 1024
        time_ok = s.target_s is None or judged < s.target_s
        rss_ok = rss < PEAK_RSS_TARGET_MB
        checked = r["check"] == "ok"
        all_ok &= time_ok and rss_ok and checked
        heap = r.get("heap_peak_bytes")
        rows.append(
            (
                f"{s.label} ({s.at[5:10]} {s.at[11:]})" + ("" if s.headline else " *"),
                r["store"],
                str(r["sent"]) + (" *" if r.get("extra_kinds") else ""),
                wall_text,
                f"< {s.target_s:g} s" if s.target_s else "-",
                _verdict(time_ok) if s.target_s else "",
                f"{cpu:.2f}",
                f"{rss:.0f}",
                f"< {PEAK_RSS_TARGET_MB:.0f}",
                _verdict(rss_ok),
                f"{r['rss_before_tick_kb'] / 1024:.0f}" if r["rss_before_tick_kb"] else "?",
                f"{heap / 1024 / 1024:.0f}" if heap is not None else "-",
                "ok" if checked else "WRONG",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return [line.rstrip() for line in lines], all_ok


def _median_tick(result: dict) -> int:
    walls = result["wall_s"]
    return sorted(range(len(walls)), key=walls.__getitem__)[len(walls) // 2]


def breakdown(results: list[dict]) -> list[str]:
    """Where each tick's time went (timers around named functions; nested ones in brackets)."""
    nested = {"roster": "plan", "sheets": "plan", "render": "record",
              "build message": "drain", "write .eml": "drain", "mark sent": "drain"}  # fmt: skip
    lines = []
    for r in results:
        phases = r.get("phases") or []
        if not phases:
            continue
        taken = phases[_median_tick(r)]
        wall = r["wall_s"][_median_tick(r)]
        parts = []
        for top in ("inbox", "digests", "plan", "record", "drain"):
            if top not in taken or (top in ("inbox", "digests") and taken[top][0] < 0.005):
                continue
            inner = [
                f"{name} {taken[name][0]:.2f}"
                for name, parent in nested.items()
                if parent == top and name in taken
            ]
            text = f"{top} {taken[top][0]:.2f}"
            parts.append(text + (f" ({', '.join(inner)})" if inner else ""))
        if "gc" in taken:
            seconds, calls = taken["gc"]
            parts.append(f"garbage collector {seconds:.2f} in {calls} passes (within the above)")
        if r.get("disk_us") is not None:
            parts.append(f"disk probe {r['disk_us']:.0f} us a file")
        if "read_roster" in taken:
            seconds, calls = taken["read_roster"]
            parts.append(f"roster.csv parsed {calls}x, {seconds:.2f} in all")
        lines.append(f"  {r['scenario'].label} [{r['store']}] {wall:.2f} s: " + "; ".join(parts))
    return lines


def notes(results: list[dict]) -> list[str]:
    lines = [
        "  Rows marked * are context: the Monday digests and stage 10 happen between the",
        "  headline days as they would; the mid-month idle tick reads a half-full completions",
        "  sheet and a fuller store. Wall = the tick alone; peak RSS = the whole worker process",
        "  (interpreter, imports, App.open, every tick in it); RSS pre-tick = resident after",
        "  App.open; heap MB = tracemalloc peak during the tick (--heap).",
    ]
    extras = [
        f"{r['scenario'].label} [{r['store']}] also "
        + ", ".join(f"{n} {kind}" for kind, n in r["extra_kinds"].items())
        for r in results
        if r.get("extra_kinds")
    ]
    if extras:
        lines.append("  Mails marked * include other kinds: " + "; ".join(extras) + ".")
    return lines


def idle_spread(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        if len(r["wall_s"]) > 1:
            walls = ", ".join(f"{w:.3f}" for w in r["wall_s"])
            lines.append(f"  {r['scenario'].label} [{r['store']}]: ticks took {walls} s")
    return lines


def hot_spots(path: Path, limit: int) -> list[str]:
    import io

    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.strip_dirs()
    for order in ("tottime", "cumulative"):
        out.write(f"--- top {limit} by {order} ---\n")
        stats.sort_stats(order).print_stats(limit)
    keep = []
    for line in out.getvalue().splitlines():
        if line.strip() and not line.lstrip().startswith(("Ordered by", "List reduced")):
            keep.append(line)
    return keep


# --- command line --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time the bot's ticks on a generated council (see benchmarks/README.md).",
    )
    parser.add_argument("--auditors", type=int, default=10_000, help="roster size (10000)")
    parser.add_argument("--quick", action="store_true", help="a 1,000-auditor smoke run")
    parser.add_argument("--idle-repeat", type=int, default=7, help="idle ticks to time (7)")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=PG_DEFAULT,
        metavar="URL",
        help=f"also run on PostgreSQL, in a fresh schema (default URL {PG_DEFAULT})",
    )
    parser.add_argument(
        "--heap",
        action="store_true",
        help="rerun each SQLite scenario under tracemalloc for its Python heap peak (slow)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="cProfile the allocation-day and idle ticks into DIR and print the hot spots",
    )
    parser.add_argument("--top", type=int, default=25, help="hot spots to print per profile")
    parser.add_argument("--keep", action="store_true", help="keep the generated council folders")
    parser.add_argument(
        "--dir", type=Path, help="where to generate the councils (default: the system's temp)"
    )
    args = parser.parse_args(argv)
    auditors = 1_000 if args.quick else args.auditors
    if auditors < 1:
        parser.error("--auditors must be at least 1")
    plan = scenarios(args.idle_repeat)
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)

    workdir = Path(tempfile.mkdtemp(prefix="auditbot-bench-", dir=args.dir))
    results: list[dict] = []
    pg_version = None
    failure: BenchError | None = None
    stamp = source_stamp()
    load_at_start = load_average()
    started = time.perf_counter()
    code_commit = commit()
    CODE["dir"] = snapshot_code(workdir / "code")
    _log(f"generating a council of {auditors:,} auditors in {workdir} ...")
    council = generate(workdir / "sqlite", auditors)
    _log(f"  {len(council.auditors):,} auditors, {council.allocation_rows:,} allocation rows")
    try:
        run_store(council, "sqlite", plan, results, heap=args.heap, profile_dir=args.profile)
        if args.postgres:
            with PostgresSchema(args.postgres) as pg:
                pg_version = pg.version
                pg_council = generate(workdir / "postgresql", auditors, store=pg.url)
                run_store(pg_council, "postgresql", plan, results, heap=False, profile_dir=None)
    except BenchError as error:
        failure = error
    finally:
        if args.keep:
            _log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    lines, all_ok = table(results) if results else ([], False)
    print()
    print(
        f"auditbot benchmarks: {auditors:,} auditors, {council.allocation_rows:,} allocation "
        f"rows, May 2021, local maildir transport ({time.perf_counter() - started:.0f} s in all)"
    )
    print(*machine(pg_version, load_at_start), sep="\n")
    print(
        f"Code     commit {code_commit} plus the working tree's uncommitted changes, "
        "copied at the start"
    )
    if source_stamp() != stamp:
        print("         (bot/ or templates/ changed since; this run measured the copy)")
    print()
    print(*lines, sep="\n")
    if failure is not None:
        print()
        print(f"STOPPED: {failure.args[0]}")
        print(*(f"  | {line}" for line in failure.args[1]), sep="\n")
        print("(the table holds the scenarios that finished before it)")
        return 2
    print()
    print(*notes(results), sep="\n")
    print(*idle_spread(results), sep="\n")
    print()
    print("Where the time went (seconds in the median tick; timers around the bot's functions):")
    print(*breakdown(results), sep="\n")
    for r in results:
        if r["check"] != "ok":
            print(f"  WRONG {r['scenario'].label} [{r['store']}]: {r['check']}")
    if args.profile is not None:
        for r in results:
            if "profile" in r:
                print()
                print(f"=== cProfile: {r['scenario'].label} [{r['store']}] ({r['profile']}) ===")
                print("(times under cProfile run about twice the real ones; compare shares)")
                print(*hot_spots(Path(r["profile"]), args.top), sep="\n")
    print()
    print("ALL TARGETS MET" if all_ok else "SOME TARGETS MISSED (or a tick did the wrong thing)")
    return 0 if all_ok else 1
