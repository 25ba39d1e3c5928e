"""A large generated council in a folder, laid out as ``tests/world.py`` lays out a small one.

config.yaml, roster.csv, allocations/2021-05.csv and completions/2021-05.csv (rewritten
for each benchmark day with the rows an export taken that morning would hold). Seeded, so
the same size always gives the same council.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

MONTH = "2021-05"
DOMAIN = "council.example"
BOT = f"audit-bot@{DOMAIN}"
QA = f"qa-team@{DOMAIN}"
DIRECTOR = f"director@{DOMAIN}"

FIRST_NAMES = (
    "Aisha", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Hassan", "Isla", "Jack",
    "Kiran", "Lena", "Marcus", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
    "Uma", "Victor", "Wendy", "Xavier", "Yasmin", "Zoe", "Alex", "Bea", "Callum", "Dina",
)  # fmt: skip
SURNAMES = (
    "Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts",
    "Singh", "Taylor", "Usman", "Walker", "Young", "Zielinski", "Okafor", "Murphy",
)  # fmt: skip
AREAS = ("North", "South", "East", "West", "Central", "Outer")
SERVICES = (
    "Children in Need", "Child Protection", "Looked After Children", "Early Help",
    "Fostering", "Adoption", "Care Leavers", "Disabled Children", "Front Door",
    "Youth Justice",
)  # fmt: skip
AUDIT_TYPES = (("case_audit", 0.7), ("dip_sample", 0.15), ("thematic", 0.1),
               ("service_review", 0.05))  # fmt: skip
GRADES = (("outstanding", 0.1), ("good", 0.4), ("requires_improvement", 0.38),
          ("inadequate", 0.12))  # fmt: skip

# Completed work is submitted on these days; every completer is done before the stage-5 day.
FIRST_SUBMISSION = date(2021, 5, 5)
LAST_SUBMISSION = date(2021, 5, 20)


@dataclass
class Council:
    root: Path
    auditors: list[str] = field(default_factory=list)  # emails, roster order
    # case ref -> (auditor email, day submitted or None)
    cases: dict[str, tuple[str, date | None]] = field(default_factory=dict)
    grades: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def allocation_rows(self) -> int:
        return len(self.cases)

    def complete_as_of(self, morning: date) -> int:
        """Auditors all of whose cases are in an export taken on the morning of ``morning``."""
        outstanding: set[str] = set()
        for email, submitted in self.cases.values():
            if submitted is None or submitted >= morning:
                outstanding.add(email)
        return len(self.auditors) - len(outstanding)

    def write_completions(self, morning: date) -> int:
        """Rewrite the completions sheet as an export taken that morning; returns its rows."""
        rows = sorted(
            (submitted, ref, email)
            for ref, (email, submitted) in self.cases.items()
            if submitted is not None and submitted < morning
        )
        _write_csv(
            self.root / "completions" / f"{MONTH}.csv",
            [
                ["case_ref", "auditor_email", "submitted_on", "grade"],
                *([ref, email, day.isoformat(), self.grades[ref]] for day, ref, email in rows),
            ],
        )
        return len(rows)


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def generate(root: Path, auditors: int, store: str | None = None, seed: int = 2021) -> Council:
    """Write a council of ``auditors`` auditors under ``root`` (which must not exist)."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    (root / "allocations").mkdir()
    (root / "completions").mkdir()
    council = Council(root)
    store = store or "sqlite:///var/bot.db"  # relative to config.yaml, so a copied folder works
    (root / "config.yaml").write_text(
        "\n".join(
            [
                "timezone: Europe/London",
                "council: Benchmark Borough Council",
                f"mailbox: {BOT}",
                f"director: {{name: Dana Director, email: {DIRECTOR}}}",
                f"qa_team: {{email: {QA}}}",
                "roster: roster.csv",
                "allocations: allocations",
                "completions: completions",
                f"store: '{store}'",
                "mail: {transport: local, outbox: mail/outbox, inbox: mail/inbox}",
                "schedule:",
                '  send_time: "09:00"',
            ]
        )
        + "\n"
    )

    # ~20 Heads of Service, each over 3 of the ~60 teams.
    teams = [f"{area} {service}" for area in AREAS for service in SERVICES]
    heads = []
    for number in range(len(teams) // 3):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        heads.append((f"hos.{number + 1:02d}@{DOMAIN}", name))
    head_of_team = {team: heads[index // 3] for index, team in enumerate(teams)}
    # Numbered addresses are a letter or two apart: the QA team has confirmed them as meant.
    confirmed = ", ".join(email for email, _ in heads)
    with (root / "config.yaml").open("a", encoding="utf-8") as config:
        config.write(f"confirmed_heads_of_service: [{confirmed}]\n")

    roster = [["name", "email", "team", "head_of_service_email", "head_of_service", "role"]]
    allocations = [["auditor_email", "case_ref", "audit_type"]]
    next_case = 1
    for number in range(1, auditors + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        email = f"{first}.{last.replace(' ', '')}.{number:05d}@{DOMAIN}".lower().replace("'", "")
        team = teams[rng.randrange(len(teams))]
        head_email, head_name = head_of_team[team]
        role = "moderator" if rng.random() < 0.05 else "auditor"
        roster.append([f"{first} {last}", email, team, head_email, head_name, role])
        council.auditors.append(email)

        completer = rng.random() < 0.5  # ~half finish everything before the stage-5 day
        partial = not completer and rng.random() < 0.3  # some of the rest finish one case
        for index in range(rng.choice((2, 3))):
            ref = f"CR-{next_case:06d}"
            next_case += 1
            allocations.append([email, ref, _pick(rng, AUDIT_TYPES)])
            submitted = None
            if completer or (partial and index == 0):
                span = (LAST_SUBMISSION - FIRST_SUBMISSION).days
                submitted = FIRST_SUBMISSION + timedelta(days=rng.randint(0, span))
            council.cases[ref] = (email, submitted)
            council.grades[ref] = _pick(rng, GRADES)

    _write_csv(root / "roster.csv", roster)
    _write_csv(root / "allocations" / f"{MONTH}.csv", allocations)
    _earlier_mail(root / "mail" / "outbox", council.auditors)
    return council


def _earlier_mail(outbox: Path, auditors: list[str]) -> None:
    """April's allocations, already read: a deployment's outbox holds the earlier months'
    mail, so May's tick writes into a maildir that is not empty, as it would in the daemon."""
    for sub in ("tmp", "new", "cur"):
        (outbox / sub).mkdir(parents=True, mode=0o700)
    for number, email in enumerate(auditors):
        message = f"From: {BOT}\nTo: {email}\nSubject: Your case audits for April 2021\n\n.\n"
        (outbox / "cur" / f"april-{number:05d}.auditbot:2,S").write_text(message)


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
