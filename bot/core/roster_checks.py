"""What a roster can get wrong that no single row shows: a Head of Service's address typed
two ways, or given two names, a team given under two services, and a roster with nobody left
to audit.

Pure: the rows as read in, problems to confirm out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

NEAR = 2  # letters: an address this close to another is taken for a slip of the keyboard


@dataclass(frozen=True)
class HeadRow:
    """One roster row's Head of Service, as typed."""

    row: int
    email: str
    name: str  # may be empty


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
    rows: Sequence[HeadRow], confirmed: frozenset[str] = frozenset()
) -> list[ToConfirm]:
    """Heads of Service to confirm: an address a letter or two away from another one (the
    rarer of the two is named, at its first row), and an address given under two names.
    An address in ``confirmed`` (config.yaml) has been looked at: it is not named again."""
    by_email: dict[str, list[HeadRow]] = {}
    for row in rows:
        by_email.setdefault(row.email, []).append(row)
    found: list[ToConfirm] = []
    emails = sorted(by_email)
    for i, first in enumerate(emails):
        for second in emails[i + 1 :]:
            if letters_apart(first, second) > NEAR:
                continue
            rare, common = sorted((first, second), key=lambda e: (len(by_email[e]), e))
            if rare in confirmed:
                continue
            found.append(
                ToConfirm(
                    by_email[rare][0].row,
                    "head_of_service_email",
                    f"'{rare}' ({_rows(by_email[rare])}) and '{common}' "
                    f"({_rows(by_email[common])}) differ only by a letter or two: correct the "
                    "address if they are the same Head of Service, or confirm they are two "
                    "people",
                )
            )
    for email in emails:
        if email in confirmed:
            continue
        named = _names(by_email[email])
        if len(named) > 1:
            shown = "; ".join(f"'{name}' ({_rows(theirs)})" for name, theirs in named.items())
            found.append(
                ToConfirm(
                    next(iter(named.values()))[0].row,
                    "head_of_service",
                    f"'{email}' is given under {len(named)} names: {shown}. "
                    "Use one name, or correct the address",
                )
            )
    return sorted(found, key=lambda c: (c.row, c.column, c.message))


@dataclass(frozen=True)
class TeamRow:
    """One roster row's team and the service it names (rows naming none are left out)."""

    row: int
    team: str
    service: str


def services_to_confirm(rows: Sequence[TeamRow]) -> list[ToConfirm]:
    """Teams given under two services or more (told apart ignoring case and spacing): the
    digests count each team under one service, the first its rows name, so the roster
    should say which, at the first row of each service after the first."""
    by_team: dict[str, list[TeamRow]] = {}
    for row in rows:
        by_team.setdefault(row.team, []).append(row)
    found: list[ToConfirm] = []
    for team, theirs in sorted(by_team.items()):
        named: dict[str, list[TeamRow]] = {}
        seen: dict[str, str] = {}
        for row in theirs:
            plain = " ".join(row.service.lower().split())
            named.setdefault(seen.setdefault(plain, row.service), []).append(row)
        if len(named) < 2:
            continue
        shown = "; ".join(f"'{service}' ({_rows(r)})" for service, r in named.items())
        counted = next(iter(named))
        for later in list(named.values())[1:]:
            found.append(
                ToConfirm(
                    later[0].row,
                    "service",
                    f"team '{team}' is given under {len(named)} services: {shown}. The digests "
                    f"count it under '{counted}': use one service for the team",
                )
            )
    return found


def _names(rows: Sequence[HeadRow]) -> dict[str, list[HeadRow]]:
    """The names given for one address, told apart ignoring case and spacing."""
    named: dict[str, list[HeadRow]] = {}
    seen: dict[str, str] = {}
    for row in rows:
        if not row.name:
            continue
        plain = " ".join(row.name.lower().split())
        named.setdefault(seen.setdefault(plain, row.name), []).append(row)
    return named


def _rows(rows: Sequence[HeadRow] | Sequence[TeamRow]) -> str:
    numbers = [str(r.row) for r in rows]
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    shown = numbers if len(numbers) <= 5 else [*numbers[:5], f"{len(numbers) - 5} more"]
    return "rows " + ", ".join(shown[:-1]) + " and " + shown[-1]
