"""The daemon: APScheduler 3 as a clock only. Jobs hold no business state; they call tick."""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App
from bot.tick import tick

log = logging.getLogger("auditbot")


def run_forever(app: App) -> None:
    scheduler = BlockingScheduler(timezone=app.settings.tz)

    def tick_now() -> None:
        # The daemon's edge reads the clock once a tick; everything below takes `now` (the
        # command line is the other edge, for `--at` and the on-demand views).
        now = datetime.now(UTC)
        try:
            report = tick(app, now)
        except Exception:  # a bad tick must not stop the clock; the next one retries
            log.exception("tick failed")
            return
        log.info(
            "tick: %d planned, %d sent, %d skipped, %d problems",
            len(report.planned),
            report.drained.sent,
            len(report.skipped),
            len(report.problems),
        )

    scheduler.add_job(
        tick_now,
        IntervalTrigger(minutes=app.settings.schedule.tick_minutes),
        id="tick",
        next_run_time=datetime.now(UTC),
        coalesce=True,  # after a pause run once, not once per missed interval
        max_instances=1,
        misfire_grace_time=None,  # the default of 1 s would silently drop late runs
    )

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping after the current tick", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("running: a tick every %d minutes", app.settings.schedule.tick_minutes)
    scheduler.start()
