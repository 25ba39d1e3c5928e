"""Completion figures: counts of the auditors' standings by team and service.

Pure: no I/O, no clock, no store. Each auditor's standing is bot.core.cycle.standings's.

Counting rules, the same in every table:

- *allocated*: auditors with rows in the month's allocation sheet (rows that have problems
  hold an auditor back: they are counted apart as ``held_back``);
- each allocated auditor is in exactly one of *complete* (every case due in the completions
  sheet by the deadline, or by an extension's date: those are also counted apart as
  *extended*), *self-reported* (told the bot they had finished, the sheet does not show
  it yet), *exempted* (the director approved an exemption for the month) or *outstanding*;
  once the month is closed, *missed* and *late* (missed, then all in after the deadline: not
  counted) replace outstanding;
- the completion *rate* leaves the exempted out: complete / (allocated - exempted).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.cycle import AuditorMonth, Standing, head_names
from bot.core.quality import percent
from bot.core.records import Auditor, Month

TREND_MONTHS = 12
MAX_BARS = 30  # a taller chart is no longer read at a glance: the table has every team


# -- counting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    allocated: int = 0
    complete: int = 0  # extended included: complete by an extension's date is complete
    self_reported: int = 0
    exempted: int = 0
    outstanding: int = 0
    missed: int = 0
    late: int = 0
    extended: int = 0  # of the complete, those with a case in by an extension's date

    @property
    def counted(self) -> int:
        """The auditors the completion rate is taken over: everyone not exempted."""
        return self.allocated - self.exempted

    @property
    def rate(self) -> int | None:
        return percent(self.complete, self.counted)


def tally(rows: Iterable[AuditorMonth]) -> Tally:
    counts = Counter(r.standing for r in rows)
    found = {standing.value: counts.get(standing, 0) for standing in Standing}
    found["complete"] += found["extended"]
    return Tally(allocated=sum(counts.values()), **found)


@dataclass(frozen=True)
class AuditTally:
    """Completion by audit, what a QA report counts, beside completion by auditor (what the
    letter asks of each auditor): the audits due from auditors not exempted (cases
    exempted by name left out), and how many were submitted on or before the deadline, or
    by an extension's date (``extended``, counted in ``in_time`` too)."""

    allocated: int = 0
    in_time: int = 0
    extended: int = 0

    @property
    def rate(self) -> int | None:
        return percent(self.in_time, self.allocated)


def audit_tally(rows: Iterable[AuditorMonth]) -> AuditTally:
    allocated = in_time = extended = 0
    for row in rows:
        if row.standing is Standing.EXEMPTED:
            continue
        due = row.cases - len(row.exempted_cases)
        allocated += due
        in_time += due - len(row.outstanding)
        extended += len(row.extended_cases)
    return AuditTally(allocated, in_time, extended)


@dataclass(frozen=True)
class Group:
    key: str  # the team's name, or the Head of Service's address
    label: str
    head: str  # the team's Head of Service (name), or the Head of Service themself
    tally: Tally


def team_heads(roster: Mapping[str, Auditor]) -> dict[str, dict[str, str]]:
    """Each Head of Service's active teams, with the Head's name: {head: {team: name}}."""
    names = head_names(roster)
    found: dict[str, dict[str, str]] = {}
    for auditor in roster.values():
        if auditor.active:
            head = auditor.head_of_service_email
            found.setdefault(head, {}).setdefault(auditor.team, names[head])
    return found


def by_team(
    rows: Iterable[AuditorMonth],
    roster: Mapping[str, Auditor],
    head: str | None = None,
    *,
    teams_of: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Group]:
    """One row per team (of ``head``'s service, or of everyone), including teams of the roster
    with nobody allocated. ``teams_of`` is ``team_heads(roster)``, if already worked out."""
    teams_of = team_heads(roster) if teams_of is None else teams_of
    heads: dict[str, str] = {}
    for owner, teams in teams_of.items():
        if head is None or owner == head:
            for team, name in teams.items():
                heads.setdefault(team, name)
    grouped: dict[str, list[AuditorMonth]] = {team: [] for team in heads}
    for row in rows:
        grouped.setdefault(row.team, []).append(row)
        heads.setdefault(row.team, row.head_name)
    return [
        Group(team, team, heads[team], tally(members))
        for team, members in sorted(grouped.items(), key=lambda item: item[0].lower())
    ]


def furthest_behind(groups: Iterable[Group], limit: int = MAX_BARS) -> list[Group]:
    """Groups in order of need, for a chart: the lowest completion rate first, those with
    nobody allocated last; only the ``limit`` furthest behind when there are more."""
    ordered = sorted(
        groups, key=lambda g: (g.tally.rate is None, g.tally.rate or 0, g.label.lower())
    )
    return ordered[:limit]


@dataclass(frozen=True)
class OutcomeCount:
    """How many auditors of one Head of Service had one outcome in a closed month."""

    month: Month
    head_email: str
    # complete | extended | exempted | missed (late ones included: not counted either)
    outcome: str
    count: int


@dataclass(frozen=True)
class RatePoint:
    month: Month
    complete: int
    counted: int
    so_far: bool = False  # the current month, still open

    @property
    def rate(self) -> int | None:
        return percent(self.complete, self.counted)


def completion_trend(
    counts: Iterable[OutcomeCount],
    current: Month,
    current_tally: Tally | None = None,
    head: str | None = None,
    months: int = TREND_MONTHS,
    *,
    so_far: bool = True,
) -> list[RatePoint]:
    """Monthly completion rate over the ``months`` months up to ``current``: closed months
    from their frozen outcomes (late counts as not complete); with ``current_tally`` the
    current month's figures are those given (``so_far``: the month is still open)."""
    first = current.plus(1 - months)
    complete: Counter[Month] = Counter()
    counted: Counter[Month] = Counter()
    for row in counts:
        if not first <= row.month <= current or (head is not None and row.head_email != head):
            continue
        if row.outcome != "exempted":
            counted[row.month] += row.count
        if row.outcome in ("complete", "extended"):
            complete[row.month] += row.count
    points = [RatePoint(m, complete[m], counted[m]) for m in map(first.plus, range(months))]
    if current_tally is not None:
        points[-1] = RatePoint(current, current_tally.complete, current_tally.counted, so_far)
    return points


def team_services(roster: Mapping[str, Auditor]) -> dict[str, str]:
    """Each team's service: as the roster's ``service`` column names it (the first row that
    names one), else the team itself, so that a roster without the column counts by team."""
    named: dict[str, str] = {}
    for auditor in roster.values():
        if auditor.service:
            named.setdefault(auditor.team, auditor.service)
    return {a.team: named.get(a.team, a.team) for a in roster.values()}


def by_service(
    rows: list[AuditorMonth],
    roster: Mapping[str, Auditor],
    head: str | None = None,
    *,
    teams_of: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[tuple[Group, tuple[Group, ...]], ...]:
    """Each service by name with its teams under it (of ``head``'s service, or everyone's).

    Grouped by what the roster calls the teams, never by a Head of Service's address: an
    address typed two ways (``omar.kahn@`` on one row) cannot split a service in two. A
    team the roster gives no service stands as its own."""
    service_of = team_services(roster)
    teams: dict[str, list[Group]] = {}
    for team in by_team(rows, roster, head, teams_of=teams_of):
        teams.setdefault(service_of.get(team.key, team.key), []).append(team)
    members: dict[str, list[AuditorMonth]] = {}
    for row in rows:
        members.setdefault(service_of.get(row.team, row.team), []).append(row)
    found = []
    for service, groups in sorted(teams.items(), key=lambda item: item[0].lower()):
        heads = ", ".join(sorted({g.head for g in groups if g.head}))
        group = Group(service, service, heads, tally(members.get(service, ())))
        found.append((group, tuple(groups)))
    return tuple(found)


_ATTENTION = {s: n for n, s in enumerate(Standing)}


def by_attention(row: AuditorMonth) -> tuple[int, str, str]:
    """Outstanding first, then self-reported, exempted, complete; by name within each."""
    return (_ATTENTION[row.standing], row.name.lower(), row.email)


def heads_with_auditors(roster: Mapping[str, Auditor]) -> list[tuple[str, str]]:
    """(address, name) of each Head of Service with an active auditor in the roster."""
    names = head_names(roster)
    found = {a.head_of_service_email for a in roster.values() if a.active}
    return sorted(((h, names[h]) for h in found), key=lambda pair: pair[0])
