"""How right and how fast the reader is on the labelled domain replies and the real mail.

Run: .venv/bin/python -m benchmarks replies [--seconds N] [--errors]

- Intents: every reply in ../shared/corpus/domain/replies.jsonl, wrapped as each mail client
  quotes (Outlook desktop, OWA, Outlook mobile, iPhone, Android Gmail with a wrapped
  attribution, Gmail date-first, German and French clients, "---- On ... wrote ----", a
  Head of Service forwarding), then read with the sender's role. Accuracy overall, on `hard`
  items, on the two halves of the corpus split by a hash of the id (the rules were tuned on
  "tuned" only; "untuned" is the fair figure), a confusion matrix, and dangerous errors:
  any reading that moves a request forward, decides it, or stops reminders when the label
  says otherwise. Every `unclear` label must be answered by a question back.
- Trimming: each wrapped reply must come back to the writer's words, and the labelled real
  replies of ../shared/corpus (tests/replies/test_corpus.py BODIES) must keep their own
  words and lose the quote.
- Names: labelled children's names masked, and other words masked by mistake.
- Speed: messages per second on one core.

Exit status 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.core.replies import analyse
from bot.core.replies.model import ACTING, Intent, Role
from bot.core.replies.names import MASK
from bot.core.replies.trim import new_text

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT.parent / "shared" / "corpus" / "domain" / "replies.jsonl"
STAFF = ROOT / "benchmarks" / "data" / "brackenshire_staff.txt"
# Replies written for this project after the rules were (written apart from the corpus, in
# the same council's manner, and read once before any rule was changed): a second fair check.
FRESH = (
    ROOT / "benchmarks" / "data" / "fresh_replies.jsonl",
    ROOT / "benchmarks" / "data" / "fresh_replies_2.jsonl",
    ROOT / "benchmarks" / "data" / "fresh_replies_3.jsonl",
    ROOT / "benchmarks" / "data" / "fresh_replies_4.jsonl",
    ROOT / "benchmarks" / "data" / "fresh_replies_5.jsonl",
    ROOT / "benchmarks" / "data" / "fresh_replies_6.jsonl",
    ROOT / "benchmarks" / "data" / "fresh_replies_7.jsonl",
)
TODAY = date(2021, 5, 10)
BOT = "audit-bot@brackenshire.example"
TARGETS = {"overall": 0.97, "hard": 0.90, "trim": 0.95, "names": 0.95, "overmask": 0.01}
PER_SECOND = 500
ANSWERS_BACK = (Intent.UNCLEAR, Intent.QUESTION)

# What the bot wrote, by what the person replies to: words a careless reader would act on.
ORIGINALS = {
    "allocation": "Your audits for May 2021 are CR-104305 and CR-104311. If you need an "
    "exemption, ask your Head of Service. Reply 'done' when complete.",
    "reminder": "Reminder: your May audits are not yet completed. Are they done? At risk? "
    "Do you need an exemption?",
    "final_reminder": "Final reminder: the deadline is 31 May. Reply done, at risk, or ask "
    "for an exemption.",
    "request_to_head": "Sam asks to be exempted (court). Do you support this request? "
    "Reply yes to support or no to decline.",
    "request_to_director": "Supported by the Head of Service. Do you approve? Reply approved "
    "or declined.",
    "decision": "Your exemption request was approved by the director.",
    "none": "",
}


@dataclass(frozen=True)
class Item:
    id: str
    role: Role
    replying_to: str
    text: str
    intent: Intent
    hard: bool
    spans: tuple[str, ...]
    reason: str | None = None

    @property
    def tuned(self) -> bool:
        """The half the rules were developed on (by a hash of the id, not by choice)."""
        return hashlib.sha256(self.id.encode()).digest()[0] % 2 == 0


def load(path: Path = DOMAIN) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        items.append(
            Item(
                row["id"],
                Role(row["sender_role"]),
                row["replying_to"],
                row["text"],
                Intent(row["intent"]),
                bool(row["hard"]),
                tuple(row["child_name_spans"]),
                row.get("reason"),
            )
        )
    return items


def staff() -> tuple[str, ...]:
    lines = STAFF.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


# -- how each client quotes -------------------------------------------------------------------

Wrap = Callable[[str, str], str]  # (reply text, original) -> body


def _quoted(original: str) -> str:
    return "\n".join(f"> {line}" for line in original.splitlines())


def outlook_desktop(text: str, original: str) -> str:
    return (
        f"{text}\n\n________________________________\nFrom: Audit Bot <{BOT}>\n"
        f"Sent: 04 May 2021 09:30\nTo: Sam Whitlow <sam@brackenshire.example>\n"
        f"Subject: Your audits for May 2021\n\n{original}"
    )


def owa(text: str, original: str) -> str:
    return (
        f"{text}\n\nFrom: Audit Bot <{BOT}>\nSent: Tuesday, May 4, 2021 9:30 AM\n"
        f"To: Whitlow, Sam <sam@brackenshire.example>\nSubject: RE: Your audits\n\n{original}"
    )


def outlook_mobile(text: str, original: str) -> str:
    return (
        f"{text}\n\nGet Outlook for Android\n________________________________\n"
        f"From: Audit Bot <{BOT}>\nSent: Tuesday, 4 May 2021, 09:30\nTo: Sam Whitlow\n"
        f"Subject: Your audits\n\n{original}"
    )


def iphone(text: str, original: str) -> str:
    attribution = f"> On 4 May 2021, at 09:30, Audit Bot <{BOT}> wrote:\n>"
    return f"{text}\n\nSent from my iPhone\n\n{attribution}\n{_quoted(original)}"


def android_gmail_wrapped(text: str, original: str) -> str:
    return f"{text}\n\nOn Tue, 4 May 2021, 09:30 Audit Bot, <{BOT}>\nwrote:\n\n{_quoted(original)}"


def gmail_date_first(text: str, original: str) -> str:
    return f"{text}\n\n2021/5/4 Audit Bot <{BOT}>\n\n{_quoted(original)}"


def german(text: str, original: str) -> str:
    return f"{text}\n\nAm 04.05.2021 um 09:30 schrieb Audit Bot <{BOT}>:\n{_quoted(original)}"


def french(text: str, original: str) -> str:
    return (
        f"{text}\n\nLe mar. 4 mai 2021 à 09:30, Audit Bot <{BOT}> a\nécrit :\n\n{_quoted(original)}"
    )


def zoho(text: str, original: str) -> str:
    return (
        f"{text}\n\n---- On Tue, 04 May 2021 09:30:00 +0100 Audit Bot <{BOT}> wrote ----\n\n"
        f"{_quoted(original)}"
    )


CLIENTS: dict[str, Wrap] = {
    "outlook": outlook_desktop,
    "owa": owa,
    "outlook-mobile": outlook_mobile,
    "iphone": iphone,
    "android": android_gmail_wrapped,
    "gmail-date-first": gmail_date_first,
    "german": german,
    "french": french,
    "zoho": zoho,
}


def message(item: Item, wrap: Wrap) -> bytes:
    original = ORIGINALS.get(item.replying_to, "")
    body = wrap(item.text, original) if original else item.text
    subject = "Re: Your audits for May 2021" if original else "Audits"
    head = (
        f"From: Someone <person@brackenshire.example>\r\nTo: {BOT}\r\nSubject: {subject}\r\n"
        "Message-ID: <m@brackenshire.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return (head + body.replace("\n", "\r\n")).encode()


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- figures ----------------------------------------------------------------------------------


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.rate:6.1%} ({self.right}/{self.total})"


def dangerous(label: Intent, read: Intent) -> bool:
    return read in ACTING and read is not label


def intents(items: list[Item], show_errors: bool, title: str) -> bool:
    names_ = ("overall", "hard", "tuned", "untuned", "trimmed", "reason")
    tallies = {name: Tally() for name in names_}
    confusion: Counter[tuple[Intent, Intent]] = Counter()
    danger: list[str] = []
    unanswered: list[str] = []
    errors: Counter[tuple[str, Intent, Intent]] = Counter()
    staff_names = staff()
    for client, wrap in CLIENTS.items():
        for item in items:
            analysis = analyse(message(item, wrap), today=TODAY, role=item.role, staff=staff_names)
            reading = analysis.reading
            read = reading.intent if reading else Intent.UNKNOWN
            ok = read is item.intent
            for name, counts in (
                ("overall", True), ("hard", item.hard), ("tuned", item.tuned),
                ("untuned", not item.tuned),
            ):  # fmt: skip
                if counts:
                    tallies[name].add(ok)
            confusion[(item.intent, read)] += 1
            if item.reason and ok and reading is not None:
                tallies["reason"].add(reading.reason is not None and reading.reason == item.reason)
            expected = new_text(item.text)
            tallies["trimmed"].add(_flat(analysis.body) == _flat(expected))
            if dangerous(item.intent, read):
                danger.append(f"{client}: {item.id} labelled {item.intent}, read {read}")
            if item.intent is Intent.UNCLEAR and read not in ANSWERS_BACK:
                unanswered.append(f"{client}: {item.id} read {read}")
            if not ok:
                errors[(item.id, item.intent, read)] += 1
    print(f"Intents, {title}: {len(items)} labelled replies x {len(CLIENTS)} clients' quoting")
    for name in ("overall", "hard", "tuned", "untuned"):
        target = TARGETS.get(name)
        print(f"  {name:8} {tallies[name]}" + (f"   target {target:.0%}" if target else ""))
    print(f"  dangerous errors: {len(danger)} (target 0)")
    print(f"  unclear labels not answered by a question back: {len(unanswered)} (target 0)")
    print(f"  wrapped replies trimmed back to the writer's words: {tallies['trimmed']}")
    if tallies["reason"].total:
        print(f"  ground of requests read as labelled: {tallies['reason']}")
    _print_confusion(confusion)
    if show_errors:
        for (item_id, label, read), count in sorted(errors.items()):
            print(f"    {item_id}: labelled {label}, read {read} ({count} clients)")
        for line in danger[:40]:
            print(f"    DANGER {line}")
    return (
        tallies["overall"].rate >= TARGETS["overall"]
        and tallies["hard"].rate >= TARGETS["hard"]
        and not danger
        and not unanswered
    )


def _print_confusion(confusion: Counter[tuple[Intent, Intent]]) -> None:
    labels = sorted({label for label, _ in confusion}, key=lambda intent: intent.value)
    reads = sorted({read for _, read in confusion}, key=lambda intent: intent.value)
    short = {intent: intent.value[:7] for intent in reads}
    print("  confusion (rows: label, columns: reading)")
    print("  " + " " * 28 + " ".join(f"{short[r]:>7}" for r in reads))
    for label in labels:
        cells = " ".join(f"{confusion[(label, r)] or '.':>7}" for r in reads)
        print(f"  {label.value:28}{cells}")


def names(items: list[Item], title: str) -> bool:
    """With the roster (staff names known) and without one (a name's company only)."""
    results = []
    for roster, staff_names in (("with the roster", staff()), ("without a roster", ())):
        found = missed = wrong = words = 0
        misses: list[str] = []
        for item in items:
            raw = message(item, CLIENTS["outlook"])
            reading = analyse(raw, today=TODAY, role=item.role, staff=staff_names).reading
            masked = reading.masked if reading else ""
            for span in item.spans:
                if span in masked:
                    missed += 1
                    misses.append(f"{item.id}: {span}")
                else:
                    found += 1
            # Masks beyond the labelled names found are ordinary words masked by mistake.
            plain = new_text(item.text)
            for span in item.spans:
                plain = plain.replace(span, " ")
            words += len(re.findall(r"[A-Za-z]+", plain))
            wrong += max(0, masked.count(MASK) - sum(span not in masked for span in item.spans))
        total = found + missed
        recall = found / total if total else 1.0
        over = wrong / words if words else 0.0
        print(
            f"Children's names, {title}, {roster}: {found}/{total} labelled spans masked "
            f"({recall:.1%}, target 95%); other words masked: {wrong} of {words} "
            f"({over:.2%}, target under 1%)"
        )
        for line in misses:
            print(f"    missed {line}")
        results.append(recall >= TARGETS["names"] and over < TARGETS["overmask"])
    return results[0]  # without a roster is for information: the bot always has one


def real_trimming() -> bool:
    try:
        from tests.replies.messages import corpus_message, labelled
        from tests.replies.test_corpus import BODIES
    except Exception as error:  # the tests and the shared corpus travel with a clone
        print(f"Trimming of real replies: skipped ({error})")
        return True
    known = dict(labelled())
    tally = Tally()
    wrong = []
    for name, (kept, dropped) in BODIES.items():
        if name not in known:
            continue
        body = _flat(analyse(corpus_message(name, known[name]), today=TODAY).body)
        ok = all(_flat(p) in body for p in kept) and not any(_flat(p) in body for p in dropped)
        tally.add(ok)
        if not ok:
            wrong.append(name)
    print(f"Trimming of labelled real replies (../shared/corpus): {tally}, target 95%")
    for name in wrong:
        print(f"    not trimmed right: {name}")
    return tally.rate >= TARGETS["trim"]


def speed(items: list[Item], seconds: float) -> bool:
    """Wall clock and CPU time both: on a shared machine the CPU figure is the fairer one."""
    staff_names = staff()
    raws = [(message(item, wrap), item.role) for item in items for wrap in CLIENTS.values()]
    count = 0
    started, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        for raw, role in raws:
            analyse(raw, today=TODAY, role=role, staff=staff_names)
        count += len(raws)
    wall = count / (time.perf_counter() - started)
    on_cpu = count / (time.process_time() - cpu)
    print(
        f"Speed: {wall:,.0f} messages/second on one core by the clock, {on_cpu:,.0f} by CPU "
        f"time (target {PER_SECOND}; load average {os.getloadavg()[0]:.1f})"
    )
    return on_cpu >= PER_SECOND


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks replies")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--errors", action="store_true", help="list every misreading")
    args = parser.parse_args(argv)
    if not DOMAIN.is_file():
        print(f"no labelled replies at {DOMAIN}")
        return 1
    items = load()
    results = [intents(items, args.errors, "the corpus"), names(items, "the corpus")]
    for number, path in enumerate(FRESH, 1):
        # For information: each set was measured once before rules changed for it (the
        # figures before are in the README); what it shows now has been tuned on.
        fresh = load(path)
        title = f"fresh set {number}"
        intents(fresh, args.errors, title)
        names(fresh, title)
    results.append(real_trimming())
    results.append(speed(items, args.seconds))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
