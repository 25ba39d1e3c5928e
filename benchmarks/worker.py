"""One measured scenario in a fresh process: open the bot, tick at a time, report as JSON.

Run by ``benchmarks.cycle``, never by hand (though it can be):

    python -m benchmarks.worker --config DIR/config.yaml --at 2021-05-04T09:30 [--repeat N]
        [--heap] [--profile FILE]

The last line on stdout is a JSON object. Peak RSS is read from ``getrusage`` at the very
end, so it covers the interpreter, the imports, ``App.open`` and every tick in this process.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# Where a tick's time goes, without a profiler's overhead: these functions are wrapped with a
# timer (each looked up by name at call time by its caller). A name that no longer exists is
# left out, so a refactor of the bot makes a phase vanish rather than the benchmark fail.
PHASES = (
    ("inbox", "bot.tick", "process_inbox"),
    # Drawn, recorded and sent after the cycle's own mail (its drain is inside, too).
    ("digests", "bot.tick", "_send_digests"),
    ("read_roster", "bot.inputs.sheets", "read_roster"),
    ("plan", "bot.tick", "_plan"),
    ("moderation", "bot.tick", "run_moderation"),
    ("report", "bot.moderation_job", "report_mail"),
    ("report: figures", "bot.reporting.report", "month_report"),
    ("report: workbook", "bot.reporting.report", "write_xlsx"),
    ("report: page", "bot.reporting.report", "render_report_html"),
    ("moderation: read", "bot.moderation_job", "read_round"),
    ("roster", "bot.tick", "roster_in_force"),
    ("sheets", "bot.tick", "read_month"),
    ("record", "bot.tick", "_record"),
    ("render", "bot.render", "Renderer.render"),
    ("drain", "bot.tick", "drain"),
    ("build message", "bot.outbox", "build_message"),  # EmailMessage (before mime_bytes)
    ("build message", "bot.mail.local", "mime_bytes"),
    ("write .eml", "bot.mail.local", "LocalTransport.send"),  # includes mime_bytes
    ("mark sent", "bot.outbox", "_mark"),  # one commit per message (before batching)
    ("mark sent", "bot.outbox", "_mark_sent"),  # one commit per batch
)


class PhaseTimer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def install(self) -> None:
        import functools
        import importlib

        for phase, module_name, qualname in PHASES:
            try:
                owner = importlib.import_module(module_name)
                *path, name = qualname.split(".")
                for part in path:
                    owner = getattr(owner, part)
                original = getattr(owner, name)
            except (ImportError, AttributeError):
                continue

            def timed(*args, _original=original, _phase=phase, **kwargs):
                started = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    elapsed = time.perf_counter() - started
                    self.seconds[_phase] = self.seconds.get(_phase, 0.0) + elapsed
                    self.calls[_phase] = self.calls.get(_phase, 0) + 1

            setattr(owner, name, functools.wraps(original)(timed))

    def install_gc(self) -> None:
        """Time the cyclic garbage collector's passes too: with a big tick's objects alive,
        a full pass walks all of them."""
        import gc

        started: list[float] = []

        def on_gc(phase: str, info: dict) -> None:
            if phase == "start":
                started[:] = [time.perf_counter()]
            elif started:
                elapsed = time.perf_counter() - started.pop()
                self.seconds["gc"] = self.seconds.get("gc", 0.0) + elapsed
                self.calls["gc"] = self.calls.get("gc", 0) + 1

        gc.callbacks.append(on_gc)

    def take(self) -> dict[str, tuple[float, int]]:
        taken = {p: (s, self.calls[p]) for p, s in self.seconds.items()}
        self.seconds, self.calls = {}, {}
        return taken


def _vm_rss_kb() -> int | None:
    """Resident set size now (not the peak), from /proc; None off Linux."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def _peak_rss_kb() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


def run(config: Path, at: datetime, repeat: int, heap: bool, profile: Path | None) -> dict:
    # Imported here so the import cost lands in the RSS figure like it does in the daemon.
    import bot
    from bot.app import App
    from bot.config import load_settings
    from bot.tick import tick

    settings = load_settings(config)
    started = time.perf_counter()
    app = App.open(settings)
    open_s = time.perf_counter() - started
    rss_before_kb = _vm_rss_kb()
    timer = PhaseTimer()
    if profile is None and not heap:
        timer.install()
        timer.install_gc()
    phases = []

    if heap:
        import tracemalloc

        tracemalloc.start()
    profiler = None
    walls: list[float] = []
    cpus: list[float] = []
    reports = []
    try:
        for index in range(repeat):
            # The profiled tick is the last one: warm, like a tick in the long-lived daemon.
            if profile is not None and index == repeat - 1:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            wall, cpu = time.perf_counter(), time.process_time()
            reports.append(tick(app, at))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            phases.append(timer.take())
            if profiler is not None:
                profiler.disable()
    finally:
        app.close()

    heap_peak = None
    if heap:
        import tracemalloc

        heap_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    if profiler is not None and profile is not None:
        profiler.dump_stats(profile)

    first = reports[0]
    return {
        "at": at.isoformat(),
        "bot_file": bot.__file__,
        "open_s": open_s,
        "wall_s": walls,
        "cpu_s": cpus,
        "planned": len(first.planned),
        "planned_kinds": _kinds(first.planned),
        "sent": first.drained.sent,
        "failed": first.drained.failed,
        "skipped": len(first.skipped),
        "closed": [str(m) for m in first.closed],
        "problems": [str(p) for p in first.problems[:5]],
        "problem_count": len(first.problems),
        "later_planned": sum(len(r.planned) for r in reports[1:]),
        "later_sent": sum(r.drained.sent for r in reports[1:]),
        "phases": phases,
        "rss_before_tick_kb": rss_before_kb,
        "peak_rss_kb": _peak_rss_kb(),
        "heap_peak_bytes": heap_peak,
    }


def _kinds(keys: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        kind = key.split("/", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--at", required=True, help="local Europe/London time, ISO format")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--heap", action="store_true", help="also trace the Python heap")
    parser.add_argument("--profile", type=Path, help="cProfile the last tick into this file")
    args = parser.parse_args(argv)
    at = datetime.fromisoformat(args.at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=LONDON)
    result = run(args.config, at, max(1, args.repeat), args.heap, args.profile)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
