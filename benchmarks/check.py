"""How much memory `auditbot check` takes on a big roster.

Run: .venv/bin/python -m benchmarks check [--megabytes 50] [--dir /var/tmp]

Writes a roster of about that many megabytes (seeded: the same size gives the same roster,
rows shaped like a council's, 12 Heads of Service), an empty allocations and completions
folder and a config, then runs `auditbot check` in a child process and reports its peak
resident memory and wall time. Target: a 50 MB roster under 200 MB. Exit status 0 when the
target is met and the check read the roster as valid, 1 otherwise.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.machine import cpu_model, load_average

TARGET_MB = 200
HEADER = "name,email,team,head_of_service_email,head_of_service,role,active"
FIRST = ["Sam", "Alex", "Kim", "Lee", "Hana", "Omar", "Fiona", "Megan", "Jo", "Priya", "Tom"]
LAST = ["Patel", "Jones", "Khan", "Ahmed", "Campbell", "Lloyd", "Smith", "Brown", "Evans"]
TEAMS = ["Children in Need", "Looked After Children", "Child Protection", "Leaving Care"]
CONFIG = """\
mailbox: audit-bot@council.example
director:
  name: Dana Director
  email: director@council.example
qa_team:
  email: qa-team@council.example
roster: roster.csv
allocations: allocations
completions: completions
"""


def write_council(folder: Path, megabytes: int) -> int:
    """The roster's rows, written to ``folder/roster.csv``; returns how many."""
    rng = random.Random(megabytes)
    size = megabytes * 1_000_000
    rows = 0
    with (folder / "roster.csv").open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        written = len(HEADER) + 1
        while written < size:
            first, last, team = rng.choice(FIRST), rng.choice(LAST), rng.randrange(48)
            head = team % 12  # addresses far enough apart not to be taken for slips
            line = (
                f"{first} {last},{first.lower()}.{last.lower()}{rows}@council.example,"
                f"{TEAMS[team % 4]} {team},head-of-service-{'abcdefghijkl'[head] * 3}"
                f"@council.example,Head {head},auditor,yes\n"
            )
            out.write(line)
            written += len(line)
            rows += 1
    (folder / "allocations").mkdir()
    (folder / "completions").mkdir()
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks check")
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--dir", type=Path, default=None, help="where to write the roster")
    args = parser.parse_args(argv)
    auditbot = Path(sys.executable).with_name("auditbot")
    with tempfile.TemporaryDirectory(dir=args.dir) as temporary:
        folder = Path(temporary)
        rows = write_council(folder, args.megabytes)
        print(f"machine: {cpu_model()}, {load_average()} load")
        print(f"roster: {args.megabytes} MB, {rows:,} rows")
        started = time.perf_counter()
        done = subprocess.run(
            [str(auditbot), "--config", str(folder / "config.yaml"), "check"],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    valid = done.returncode == 0
    met = valid and peak_mb < TARGET_MB
    print(f"auditbot check: {wall:.1f} s, peak RSS {peak_mb:.0f} MB (target under {TARGET_MB})")
    if not valid:
        print(f"the check did not pass (exit {done.returncode}):\n{done.stdout[-2000:]}")
    print("PASS" if met else "FAIL")
    return 0 if met else 1
