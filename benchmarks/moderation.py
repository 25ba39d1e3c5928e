"""Moderation and the month's report at scale, timed: 10,000 auditors, 25,000 audits.

    .venv/bin/python -m benchmarks moderation [--auditors 10000] [--keep]

A generated council (``benchmarks.council``, about 5% moderators) goes through May 2021 with
every audit submitted in time. The allocation day and the close are ticked first, untimed,
with the moderators' role taken out of the roster, so that nothing is moderated yet. Then,
each in a fresh process (``benchmarks.worker``) so its peak RSS is its own:

- **moderation allocated**: the tick after the close with the moderators back in the roster:
  the sample (all), the allocation of every audit, its storing, and the moderators' mail;
- **report mailed**: the tick after a moderation sheet with every grade back is saved: the
  sheet read, the report built with the moderated grades, its workbook and page made, and
  the mail with both attached sent.

Targets (issue 12): each within 10 s and 500 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from benchmarks.council import GRADES, generate
from benchmarks.machine import cpu_model, load_average

TARGET_S = 10.0
TARGET_MB = 500.0
PROJECT = Path(__file__).resolve().parent.parent


def _tick(config: Path, at: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", "--config", str(config), "--at", at],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the tick at {at} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _without_moderators(roster: Path) -> list[list[str]]:
    """The roster with every moderator made an auditor; returns the rows as they were."""
    with roster.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    _write(roster, [rows[0], *([*r[:5], "auditor"] for r in rows[1:])])
    return rows


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _moderations_back(root: Path, seed: int = 12) -> int:
    """A moderation sheet with every allocated audit's moderated grade."""
    rng = random.Random(seed)
    with sqlite3.connect(root / "var" / "bot.db") as db:
        given = db.execute(
            "SELECT case_ref, moderator_email FROM moderations WHERE moderator_email IS NOT NULL"
        ).fetchall()
    grades = [g for g, _ in GRADES]
    weights = [w for _, w in GRADES]
    rows = [["case_ref", "moderator_email", "moderated_grade", "moderated_on"]]
    rows += [[c, m, rng.choices(grades, weights)[0], "2021-06-02"] for c, m in given]
    (root / "moderations").mkdir(exist_ok=True)
    _write(root / "moderations" / "2021-05.csv", rows)
    return len(given)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks moderation")
    parser.add_argument("--auditors", type=int, default=10_000, help="roster size (10000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated council")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-moderation-"))
    try:
        root = folder / "council"
        council = generate(root, args.auditors)
        with council.config.open("a", encoding="utf-8") as config:
            config.write("digest: {enabled: false}\n")
        # Every audit in, in time: all of them are moderated.
        for ref, (email, submitted) in council.cases.items():
            council.cases[ref] = (email, submitted or date(2021, 5, 27))
        audits = council.write_completions(date(2021, 6, 1))
        rows = _without_moderators(root / "roster.csv")
        moderators = sum(1 for r in rows[1:] if r[5] == "moderator")
        print(f"{args.auditors:,} auditors, {audits:,} audits, {moderators} moderators; "
              f"CPU {cpu_model()}, load {load_average()}", flush=True)  # fmt: skip
        _tick(council.config, "2021-05-04T09:30")  # the allocations (untimed)
        _tick(council.config, "2021-06-01T09:30")  # the close (untimed)
        _write(root / "roster.csv", rows)
        allocated = _tick(council.config, "2021-06-01T10:00")
        back = _moderations_back(root)
        reported = _tick(council.config, "2021-06-02T09:30")
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    ok = True
    for label, result, kind in (
        ("moderation allocated", allocated, "moderation"),
        ("report mailed", reported, "report"),
    ):
        wall, peak = result["wall_s"][0], result["peak_rss_kb"] / 1024
        met = wall <= TARGET_S and peak <= TARGET_MB and result["planned_kinds"].get(kind, 0) > 0
        ok = ok and met
        print(
            f"{label:22} {wall:6.2f} s (cpu {result['cpu_s'][0]:.2f} s), peak RSS {peak:5.0f} MB,"
            f" mail {result['planned_kinds']}: {'met' if met else 'NOT MET'}"
            f" (targets {TARGET_S:.0f} s, {TARGET_MB:.0f} MB)"
        )
        spent = sorted(result["phases"][0].items(), key=lambda item: -item[1][0])
        print("    where: " + ", ".join(f"{name} {s:.2f} s" for name, (s, _) in spent[:6]))
    print(f"moderated grades back before the report: {back:,}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
