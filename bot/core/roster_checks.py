"""What a roster can get wrong that no single row shows: a Head of Service's address typed
two ways, or given two names, a team given under two services, and a roster with nobody left
to audit.

Pure: the rows as read in, problems to confirm out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

NEAR = 2  # letters: an address this close to another is taken for a slip of the keyboard


@dataclass(frozen=True)
class HeadRow:
    """One roster row's Head of Service, as typed."""

    row: int
    email: str
    name: str  # may be empty


@dataclass(frozen=True)
class TeamRow:
    """One roster row's team and the service it names (rows naming none are left out)."""

    row: int
    team: str
    service: str


@dataclass(frozen=True)
class ToConfirm:
    row: int
    column: str
    message: str


def letters_apart(a: str, b: str, limit: int = NEAR) -> int:
    """Edits (a letter added, dropped, changed, or two swapped) from ``a`` to ``b``, or
    ``limit + 1`` as soon as it is known to be more than ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            swapped = i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]
            if swapped and before is not None:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def heads_to_confirm(
    rows: Iterable[HeadRow], confirmed: frozenset[str] = frozenset()
) -> list[ToConfirm]:
    """Heads of Service to confirm: an address a letter or two away from another one (the
    rarer of the two is named, at its first row), and an address given under two names.
    An address in ``confirmed`` (config.yaml) has been looked at: it is not named again."""
    seen = RosterSeen()
    for row in rows:
        seen.add_head(row)
    return seen.heads_to_confirm(confirmed)


def services_to_confirm(rows: Iterable[TeamRow]) -> list[ToConfirm]:
    """Teams given under two services or more (told apart ignoring case and spacing): the
    digests count each team under one service, the first its rows name, so the roster
    should say which, at the first row of each service after the first."""
    seen = RosterSeen()
    for row in rows:
        seen.add_team(row)
    return seen.services_to_confirm()


_SHOWN = 5  # rows named in a message; the rest are counted


@dataclass
class _Rows:
    """Where something was given: its first few rows and how many in all. A big roster
    repeats each Head of Service and team thousands of times; a message names a few."""

    first: list[int] = field(default_factory=list)
    count: int = 0

    def add(self, row: int) -> None:
        if len(self.first) < _SHOWN:
            self.first.append(row)
        self.count += 1

    def __str__(self) -> str:
        if self.count == 1:
            return f"row {self.first[0]}"
        shown = [str(r) for r in self.first]
        if self.count > _SHOWN:
            shown.append(f"{self.count - _SHOWN} more")
        return "rows " + ", ".join(shown[:-1]) + " and " + shown[-1]


@dataclass
class _Given:
    """One address or team: where it was given, and the values given with it (names,
    services), told apart ignoring case and spacing: plain -> (as first typed, where)."""

    rows: _Rows = field(default_factory=_Rows)
    values: dict[str, tuple[str, _Rows]] = field(default_factory=dict)

    def add(self, row: int, value: str) -> None:
        self.rows.add(row)
        if value:
            plain = " ".join(value.lower().split())
            given = self.values.get(plain)
            if given is None:
                given = self.values[plain] = (value, _Rows())
            given[1].add(row)


class RosterSeen:
    """The Heads of Service and teams a roster gives, gathered row by row as it is read, in
    memory that grows with the number of Heads of Service and teams, not of rows."""

    def __init__(self) -> None:
        self._heads: dict[str, _Given] = {}
        self._teams: dict[str, _Given] = {}

    def add_head(self, row: HeadRow) -> None:
        _given(self._heads, row.email).add(row.row, row.name)

    def add_team(self, row: TeamRow) -> None:
        _given(self._teams, row.team).add(row.row, row.service)

    def to_confirm(self, confirmed: frozenset[str] = frozenset()) -> list[ToConfirm]:
        found = self.heads_to_confirm(confirmed) + self.services_to_confirm()
        return sorted(found, key=lambda c: (c.row, c.column, c.message))

    def heads_to_confirm(self, confirmed: frozenset[str] = frozenset()) -> list[ToConfirm]:
        by_email = self._heads
        found: list[ToConfirm] = []
        emails = sorted(by_email)
        for i, first in enumerate(emails):
            for second in emails[i + 1 :]:
                if letters_apart(first, second) > NEAR:
                    continue
                rare, common = sorted((first, second), key=lambda e: (by_email[e].rows.count, e))
                if rare in confirmed:
                    continue
                found.append(
                    ToConfirm(
                        by_email[rare].rows.first[0],
                        "head_of_service_email",
                        f"'{rare}' ({by_email[rare].rows}) and '{common}' "
                        f"({by_email[common].rows}) differ only by a letter or two: correct "
                        "the address if they are the same Head of Service, or confirm they "
                        "are two people",
                    )
                )
        for email in emails:
            if email in confirmed:
                continue
            named = list(by_email[email].values.values())
            if len(named) > 1:
                shown = "; ".join(f"'{name}' ({rows})" for name, rows in named)
                found.append(
                    ToConfirm(
                        named[0][1].first[0],
                        "head_of_service",
                        f"'{email}' is given under {len(named)} names: {shown}. "
                        "Use one name, or correct the address",
                    )
                )
        return sorted(found, key=lambda c: (c.row, c.column, c.message))

    def services_to_confirm(self) -> list[ToConfirm]:
        found: list[ToConfirm] = []
        for team, given in sorted(self._teams.items()):
            named = list(given.values.values())
            if len(named) < 2:
                continue
            shown = "; ".join(f"'{service}' ({rows})" for service, rows in named)
            counted = named[0][0]
            for _, later in named[1:]:
                found.append(
                    ToConfirm(
                        later.first[0],
                        "service",
                        f"team '{team}' is given under {len(named)} services: {shown}. The "
                        f"digests count it under '{counted}': use one service for the team",
                    )
                )
        return found


def _given(seen: dict[str, _Given], key: str) -> _Given:
    given = seen.get(key)
    if given is None:
        given = seen[key] = _Given()
    return given
