"""How fast and how right the reply reader is on the corpus.

Run: .venv/bin/python benchmarks/bench_replies.py [seconds]

Reads every labelled message (the shared corpus next to the clone, ../shared/corpus, plus
this repository's tests/replies/corpus), analyses them over and over on one core for a few
seconds, and prints messages per second and the accuracy against the labels.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.replies import Kind, analyse  # noqa: E402 - the repository root is put on the path first

TODAY = date(2021, 5, 10)
CORPORA = (ROOT.parent / "shared" / "corpus", ROOT / "tests" / "replies" / "corpus")
TARGET_PER_SECOND = 500


def wrap(body: bytes, html: bool) -> bytes:
    """A file holding only a body becomes a minimal reply."""
    head = (
        "From: Sam Patel <sam.patel@council.example>\r\nSubject: Re: audits\r\n"
        f"Content-Type: text/{'html' if html else 'plain'}; charset=utf-8\r\n\r\n"
    )
    return head.encode() + body


def load() -> list[tuple[str, Kind, bytes]]:
    """Each labelled message once, by name; the shared copy is used when both exist."""
    found: dict[str, tuple[Kind, bytes]] = {}
    for corpus in CORPORA:
        labels = corpus / "labels.csv"
        if not labels.is_file():
            continue
        with labels.open(newline="", encoding="utf-8") as rows:
            for row in csv.DictReader(rows):
                path = corpus / row["file"]
                if row["file"] in found or not path.is_file():
                    continue
                kind = Kind(row["kind"])
                raw = path.read_bytes()
                if path.suffix in (".txt", ".html") and kind is Kind.REPLY:
                    raw = wrap(raw, html=path.suffix == ".html")
                found[row["file"]] = (kind, raw)
    return [(name, kind, raw) for name, (kind, raw) in sorted(found.items())]


def accuracy(messages: list[tuple[str, Kind, bytes]]) -> None:
    totals: Counter[Kind] = Counter()
    right: Counter[Kind] = Counter()
    wrong: list[str] = []
    for name, label, raw in messages:
        kind = analyse(raw, today=TODAY).kind
        totals[label] += 1
        if kind is label:
            right[label] += 1
        else:
            wrong.append(f"  {name}: labelled {label.value}, read as {kind.value}")
    for kind in (Kind.AUTO_REPLY, Kind.BOUNCE):
        print(f"{kind.value:11} recognised: {right[kind]}/{totals[kind]}")
    misread = totals[Kind.REPLY] - right[Kind.REPLY]
    print(f"replies misread as automatic: {misread}/{totals[Kind.REPLY]}")
    print("\n".join(wrong) or "  (no disagreements with the labels)")


def throughput(messages: list[tuple[str, Kind, bytes]], seconds: float) -> float:
    raws = [raw for _, _, raw in messages]
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for raw in raws:
            analyse(raw, today=TODAY)
        count += len(raws)
    return count / (time.perf_counter() - started)


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    messages = load()
    if not messages:
        print("no corpus found")
        return 1
    size = sum(len(raw) for _, _, raw in messages)
    print(f"{len(messages)} labelled messages, {size // 1024} KiB")
    accuracy(messages)
    rate = throughput(messages, seconds)
    verdict = "meets" if rate >= TARGET_PER_SECOND else "BELOW"
    print(f"{rate:,.0f} messages/second on one core ({verdict} the {TARGET_PER_SECOND}/s target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
