"""Load: a burst of inbound replies in one tick, and a big council through a whole month.

    python benchmarks/load.py [--auditors 10000] [--replies 5000] [--postgres]

Each scenario runs in a fresh process so that peak memory (getrusage) is its own.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.council import BOT, generate  # noqa: E402

LONDON = ZoneInfo("Europe/London")
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SAYINGS = (
    "Done, all submitted yesterday.",
    "I might not make it this month, sorry.",
    "I'm on sick leave from Monday for three weeks, can I be exempted this month?",
    "Which of these is the thematic one?",
)


def _replies(outbox: Path, count: int) -> list[bytes]:
    """Replies to the first ``count`` allocation mails, as auditors would write them."""
    replies = []
    for n, path in enumerate(sorted((outbox / "new").iterdir())):
        original = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if not str(original["X-Audit-Bot-Key"]).startswith("allocation/"):
            continue
        reply = EmailMessage()
        reply["From"] = str(original["To"])
        reply["To"] = BOT
        reply["Subject"] = f"RE: {original['Subject']}"
        reply["Message-ID"] = f"<load-{n}@council.example>"
        reply["In-Reply-To"] = str(original["Message-ID"])
        reply.set_content(f"{SAYINGS[n % len(SAYINGS)]}\n\n-----Original Message-----\nquoted")
        replies.append(reply.as_bytes())
        if len(replies) == count:
            break
    return replies


def scenario(kind: str, config: Path, replies: int) -> dict[str, object]:
    """Runs inside the measured process."""
    from bot.app import App
    from bot.config import load_settings
    from bot.tick import tick

    app = App.open(load_settings(config))
    result: dict[str, object] = {}
    if kind == "burst":
        tick(app, datetime(2021, 5, 4, 9, 30, tzinfo=LONDON))  # allocation day
        for raw in _replies(app.settings.mail.outbox, replies):
            app.transport.deliver(raw)
        started = time.perf_counter()
        report = tick(app, datetime(2021, 5, 5, 9, 30, tzinfo=LONDON))
        result = {
            "seconds": time.perf_counter() - started,
            "replies": report.inbox.processed + report.inbox.quarantined,
            "mail planned": len(report.planned),
        }
    else:
        started = time.perf_counter()
        sent = 0
        day = date(2021, 5, 1)
        while day <= date(2021, 6, 2):
            report = tick(app, datetime(day.year, day.month, day.day, 9, 30, tzinfo=LONDON))
            sent += report.drained.sent
            day += timedelta(days=1)
        result = {"seconds": time.perf_counter() - started, "mail sent": sent, "ticks": 33}
    app.close()
    result["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _run(kind: str, auditors: int, replies: int, postgres: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        store, schema = None, None
        if postgres:
            from sqlalchemy import create_engine, text

            schema = f"load_{uuid.uuid4().hex[:8]}"
            with create_engine(PG).begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            store = f"{PG}?options=-csearch_path%3D{schema}"
        council = generate(Path(tmp) / "council", auditors, store=store)
        council.write_completions(date(2021, 5, 18))
        try:
            output = subprocess.run(
                [sys.executable, __file__, "--inside", kind, str(council.config), str(replies)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout
        finally:
            if schema:
                from sqlalchemy import create_engine, text

                with create_engine(PG).begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--auditors", type=int, default=10_000)
    parser.add_argument("--replies", type=int, default=5_000)
    parser.add_argument("--postgres", action="store_true", help="also on the local PostgreSQL")
    parser.add_argument("--inside", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        kind, config, replies = args.inside
        print(json.dumps(scenario(kind, Path(config), int(replies))))
        return
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (s.split(":", 1)[1].strip() for s in lines if "model name" in s), platform.processor()
    )
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    stores = ["sqlite"] + (["postgresql"] if args.postgres else [])
    for store in stores:
        burst = _run("burst", args.auditors, args.replies, store == "postgresql")
        print(f"{store:10} {args.replies} replies in one tick: " + json.dumps(burst))
        month = _run("month", args.auditors, 0, store == "postgresql")
        print(f"{store:10} {args.auditors} auditors, May 2021 day by day: " + json.dumps(month))


if __name__ == "__main__":
    main()
