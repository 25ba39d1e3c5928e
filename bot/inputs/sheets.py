"""Read the QA team's spreadsheets: the roster, and each month's allocations and completions.

Each reader returns the rows it could use plus a list of Problems a QA officer can act on
(file, row, column, plain-English message). None of them raises on bad input: a broken sheet
is an everyday event, and the caller decides what to do with a sheet that has problems.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from bot.core.moderation import Moderated
from bot.core.records import (
    Allocation,
    Auditor,
    AuditType,
    Completion,
    Grade,
    Month,
    Problem,
    Role,
)
from bot.core.roster_checks import HeadRow, RosterSeen, TeamRow
from bot.inputs.sheet_io import Row, normalise_name, read_table

__all__ = [
    "DEFAULT_CASE_REF_PATTERN",
    "AllocationSheet",
    "CompletionSheet",
    "RosterSheet",
    "find_month_sheet",
    "read_allocations",
    "read_completions",
    "read_moderations",
    "read_roster",
]

# Matched against the whole value. A case reference is 2-40 letters, digits and / - _ . that
# starts with a letter or digit and has at least one digit, so a child's NAME ("Jane Smith",
# "JSmith") can never pass for one.
DEFAULT_CASE_REF_PATTERN: re.Pattern[str] = re.compile(
    r"(?=[^0-9]*[0-9])[A-Za-z0-9][A-Za-z0-9/._-]{1,39}"
)

# One @, a dot inside the domain, and nothing that is whitespace, a control character or has a
# meaning in a mail header (<>()[],;:"\), since these addresses are put into headers.
_NOT_IN_ADDRESS = r"@\s\x00-\x1f\x7f<>()\[\],;:\"\\"
_EMAIL = re.compile(rf"[^{_NOT_IN_ADDRESS}]+@[^{_NOT_IN_ADDRESS}.]+(?:\.[^{_NOT_IN_ADDRESS}.]+)+")

# Day, then an optional time (validated, then thrown away: only the day is kept).
_TIME = r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})" + _TIME)
_UK_DAY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})" + _TIME.replace("[ T]", " "))

_ROLES = {role.value: role for role in Role}
_AUDIT_TYPES = {kind.value: kind for kind in AuditType}
_GRADES: dict[str, Grade | None] = {grade.value: grade for grade in Grade}
_ACTIVE = {"yes": True, "y": True, "true": True, "1": True,
           "no": False, "n": False, "false": False, "0": False}  # fmt: skip

_ROSTER_REQUIRED = ("name", "email", "team", "head_of_service_email")
_ROSTER_COLUMNS = (*_ROSTER_REQUIRED, "head_of_service", "role", "active", "service")
_ALLOCATION_COLUMNS = ("auditor_email", "case_ref", "audit_type")
# case_team (the team holding the child's case), action_needed (yes for a concern for the
# child, whatever the grade) and themes (what the audit found, separated by semicolons) are
# optional.
_COMPLETION_COLUMNS = (
    "case_ref", "auditor_email", "submitted_on", "grade", "case_team", "action_needed", "themes"
)  # fmt: skip

_MODERATION_COLUMNS = ("case_ref", "moderator_email", "moderated_grade", "moderated_on", "comment")

_T = TypeVar("_T")

# "Dip sample", "dip-sample" -> "dip_sample". Cached: a sheet repeats a handful of spellings.
_canonical = lru_cache(maxsize=256)(normalise_name)


def _is_email(text: str) -> bool:
    return len(text) <= 254 and _email_shaped(text)  # 254: the longest address SMTP allows


@lru_cache(maxsize=1024)  # sheets name the same people over and over (a big roster names
# each person once: a bigger cache would only hold them all)
def _email_shaped(text: str) -> bool:
    return _EMAIL.fullmatch(text) is not None


@dataclass(frozen=True)
class RosterSheet:
    auditors: dict[str, Auditor]  # keyed by lower-cased email, only valid rows
    problems: list[Problem]
    # Not wrong on their face, but to be confirmed by a person: a Head of Service's address
    # typed two ways, or under two names. The roster stays in force meanwhile.
    to_confirm: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class AllocationSheet:
    allocations: tuple[Allocation, ...]  # valid rows only, in sheet order
    # Lower-cased emails of roster auditors with at least one bad row: sending them part of
    # their allocation would look like the whole of it.
    held_back: frozenset[str]
    problems: list[Problem]


@dataclass(frozen=True)
class CompletionSheet:
    completions: tuple[Completion, ...]
    problems: list[Problem]


def find_month_sheet(folder: Path, month: Month) -> tuple[Path | None, list[Problem]]:
    """``folder/2021-05.csv`` or ``folder/2021-05.xlsx``; never a guess when both are there."""
    wanted = {f"{month}.csv", f"{month}.xlsx"}
    try:
        # Compared case-insensitively, so "2021-05.CSV" is found and also counts as a clash.
        found = sorted(p for p in folder.iterdir() if p.name.lower() in wanted and p.is_file())
    except OSError as error:
        message = f"this folder cannot be read: {error.strerror or error}"
        return None, [Problem(str(folder), message)]
    if len(found) > 1:
        names = " and ".join(p.name for p in found)
        message = (
            f"there are {len(found)} sheets for {month}: {names}; "
            "delete or rename all but one so it is clear which is meant"
        )
        return None, [Problem(str(folder), message)]
    return (found[0] if found else None), []


# Each reader first tries a fast test that only passes a row that is plainly right, and runs
# the full checks (which say what is wrong) on anything else: sheets of tens of thousands of
# rows are read at every tick, and almost every row is right.


class _FirstRows:
    """The row each address was first given on, to name it when a later row repeats it.

    A good row's address is already a key of ``auditors``, kept in the order read, so only
    its row number is kept here, in an array in that same order: four bytes a row rather
    than a second dict entry and a number object, which is most of what a roster of half a
    million rows would otherwise add. The lookup from address to row is built only if a
    repeat is found."""

    def __init__(self, auditors: dict[str, Auditor]) -> None:
        self._auditors = auditors
        self._rows = array("L")  # the row of each auditor, in the order of ``auditors``
        self._elsewhere: dict[str, int] = {}  # addresses first seen on rows with problems
        self._looked_up: dict[str, int] | None = None

    def __contains__(self, email: str) -> bool:
        return email in self._auditors or email in self._elsewhere

    def add_auditor(self, email: str, row: int) -> None:
        self._rows.append(row)
        if self._looked_up is not None:
            self._looked_up[email] = row

    def add_elsewhere(self, email: str, row: int) -> None:
        self._elsewhere[email] = row

    def row_of(self, email: str) -> int:
        if email in self._elsewhere:
            return self._elsewhere[email]
        if self._looked_up is None:
            self._looked_up = dict(zip(self._auditors, self._rows, strict=True))
        return self._looked_up[email]


def read_roster(path: Path, confirmed: frozenset[str] = frozenset()) -> RosterSheet:
    path = Path(path)
    file = str(path)
    table = read_table(path, _ROSTER_COLUMNS, _ROSTER_REQUIRED)
    problems = table.problems
    auditors: dict[str, Auditor] = {}
    shared: dict[str, str] = {}
    first_row = _FirstRows(auditors)
    seen = RosterSeen()
    for row in table:
        number, cells, tainted = row
        name, typed_email, team, typed_boss, boss, role_text, active_text, service = cells
        email, boss_email = typed_email.lower(), typed_boss.lower()
        role = _ROLES.get(_canonical(role_text)) if role_text else Role.AUDITOR
        active = _ACTIVE.get(_canonical(active_text)) if active_text else True
        if (
            tainted
            or not (name and team)
            or role is None
            or active is None
            or email == boss_email
            or email in first_row
            or not (_is_email(email) and _is_email(boss_email))
        ):
            check = _Checks(file, row)
            check.filled("name", name)
            check.filled("team", team)
            email_ok = check.email("email", typed_email)
            if check.email("head_of_service_email", typed_boss) and email == boss_email:
                message = f"{_quote(typed_email)} is listed as their own head of service"
                check.add("head_of_service_email", message)
            role = check.choice("role", role_text, _ROLES, Role.AUDITOR, "a role")
            active = check.choice(
                "active", active_text, _ACTIVE, True, "a yes/no value", "yes or no"
            )
            if email_ok and email in first_row:
                earlier = first_row.row_of(email)
                message = f"{_quote(typed_email)} is already in the roster on row {earlier}"
                check.add("email", message)
            elif email_ok:
                first_row.add_elsewhere(email, number)  # a later row is still a duplicate
            if check.found:
                problems.extend(check.found)
                continue
        # Teams and Heads of Service repeat on every row: one copy of each, not one a row.
        team, boss_email, boss, service = (
            shared.setdefault(v, v) for v in (team, boss_email, boss, service)
        )
        auditors[email] = Auditor(name, email, team, boss_email, boss, role, active, service)
        first_row.add_auditor(email, number)
        seen.add_head(HeadRow(number, boss_email, boss))
        if service:
            seen.add_team(TeamRow(number, team, service))
    if table.unreadable:
        return RosterSheet({}, [table.unreadable])
    if not problems and not any(a.active for a in auditors.values()):
        # Everyone would drop out at once: no allocations, no reminders, no digests.
        message = (
            "no active auditor or moderator in the roster (only the header row, or every "
            "row marked inactive)"
        )
        problems.append(Problem(file, message))
    found = seen.to_confirm(confirmed)
    to_confirm = [Problem(file, c.message, c.row, c.column) for c in found]
    return RosterSheet(auditors, problems, to_confirm)


def read_allocations(
    path: Path,
    roster: Mapping[str, Auditor],
    case_ref_pattern: re.Pattern[str] = DEFAULT_CASE_REF_PATTERN,
    *,
    roster_complete: bool = True,
) -> AllocationSheet:
    """With ``roster_complete`` False (the roster has problems of its own), rows for people
    it does not hold are counted in one problem rather than each reported: the root problem
    is in the roster, and is reported there."""
    path = Path(path)
    file = str(path)
    table = read_table(path, _ALLOCATION_COLUMNS, ("auditor_email", "case_ref"))
    problems = table.problems
    waiting = 0  # rows for people the roster does not hold while it has problems
    allocations: list[Allocation] = []
    held_back: set[str] = set()
    first_row: dict[str, int] = {}  # case ref (upper-cased) -> the row it first appeared on
    for row in table:
        number, cells, tainted = row
        typed_email, case_ref, type_text = cells
        email = typed_email.lower()
        auditor = roster.get(email)  # roster keys are good addresses, so a hit vouches for it
        audit_type = _AUDIT_TYPES.get(_canonical(type_text)) if type_text else AuditType.CASE_AUDIT
        key = case_ref.upper()
        if (
            tainted
            or auditor is None
            or not auditor.active
            or audit_type is None
            or key in first_row
            or not case_ref_pattern.fullmatch(case_ref)
        ):
            check = _Checks(file, row)
            if check.email("auditor_email", typed_email):
                if auditor is None and not roster_complete:
                    waiting += 1
                    continue
                if auditor is None:
                    check.add("auditor_email", f"{_quote(typed_email)} is not in the roster")
                elif not auditor.active:
                    message = f"{_quote(typed_email)} is marked inactive in the roster"
                    check.add("auditor_email", message)
            if check.case_ref(case_ref, case_ref_pattern):
                if key in first_row:
                    message = f"case reference {_quote(case_ref)} already allocated on row "
                    check.add("case_ref", f"{message}{first_row[key]}")
                else:
                    first_row[key] = number  # even on a bad row: a second copy is still wrong
            audit_type = check.choice(
                "audit_type", type_text, _AUDIT_TYPES, AuditType.CASE_AUDIT, "an audit type"
            )
            if check.found:
                problems.extend(check.found)
                if email in roster:
                    held_back.add(email)
                continue
        first_row[key] = number
        allocations.append(Allocation(email, case_ref, audit_type))
    if table.unreadable:
        return AllocationSheet((), frozenset(), [table.unreadable])
    if waiting:
        rows_text = "1 row names someone" if waiting == 1 else f"{waiting} rows name people"
        message = (
            f"{rows_text} not among the roster's usable rows; fix the roster's problems "
            "first, then check again"
        )
        problems.append(Problem(file, message, column="auditor_email"))
    return AllocationSheet(tuple(allocations), frozenset(held_back), problems)


def read_completions(
    path: Path, case_ref_pattern: re.Pattern[str] = DEFAULT_CASE_REF_PATTERN
) -> CompletionSheet:
    path = Path(path)
    file = str(path)
    required = ("case_ref", "auditor_email", "submitted_on")
    table = read_table(path, _COMPLETION_COLUMNS, required)
    problems = table.problems
    completions: list[Completion] = []
    kept: dict[str, tuple[int, int]] = {}  # case ref (upper-cased) -> (index, row number)
    days: dict[str, date | None] = {}  # an export repeats the same few dates thousands of times
    for row in table:
        number, cells, tainted = row
        case_ref, typed_email, submitted_text, grade_text, case_team, needed_text, themes = cells
        email = typed_email.lower()
        if submitted_text not in days:
            days[submitted_text] = _parse_day(submitted_text)
        submitted_on = days[submitted_text]
        grade = _GRADES.get(_canonical(grade_text)) if grade_text else None
        needed = _ACTIVE.get(needed_text.strip().lower()) if needed_text else False
        if (
            tainted
            or submitted_on is None
            or (grade is None and grade_text)
            or needed is None
            or not case_ref_pattern.fullmatch(case_ref)
            # Not checked against the roster: people leave, and the audit tool is the authority.
            or not _is_email(email)
        ):
            check = _Checks(file, row)
            check.case_ref(case_ref, case_ref_pattern)
            check.email("auditor_email", typed_email)
            submitted_on = check.day("submitted_on", submitted_text)
            grade = check.choice("grade", grade_text, _GRADES, None, "a grade")
            needed = check.choice(
                "action_needed",
                needed_text.strip().lower(),
                _ACTIVE,
                False,
                "yes or no",
                "yes or no",
            )
            if check.found or submitted_on is None:
                problems.extend(check.found)
                continue
        completion = Completion(
            case_ref,
            email,
            submitted_on,
            grade,
            case_team.strip() or None,
            bool(needed),
            tuple(t.strip() for t in themes.split(";") if t.strip()) if themes else (),
        )
        key = case_ref.upper()
        if key not in kept:
            kept[key] = (len(completions), number)
            completions.append(completion)
            continue
        index, first = kept[key]
        earlier = completions[index]
        if earlier.auditor_email != email:
            message = (
                f"case reference {_quote(case_ref)} was already submitted by "
                f"{_quote(earlier.auditor_email)} on row {first}, not by {_quote(typed_email)}"
            )
            problems.append(Problem(file, message, number, "auditor_email"))
        elif submitted_on < earlier.submitted_on:
            # The audit tool re-exports resubmissions: the first submission is the one that counts.
            completions[index] = completion
    if table.unreadable:
        return CompletionSheet((), [table.unreadable])
    return CompletionSheet(tuple(completions), problems)


def read_moderations(
    path: Path, case_ref_pattern: re.Pattern[str] = DEFAULT_CASE_REF_PATTERN
) -> tuple[list[Moderated], list[Problem]]:
    """The moderation sheet's rows (every column but ``comment`` required in each row)."""
    path = Path(path)
    file = str(path)
    table = read_table(path, _MODERATION_COLUMNS, _MODERATION_COLUMNS[:4])
    problems = table.problems
    rows: list[Moderated] = []
    for row in table:
        number, cells, _ = row
        case_ref, typed_email, grade_text, day_text, comment = cells
        check = _Checks(file, row)
        check.case_ref(case_ref, case_ref_pattern)
        check.email("moderator_email", typed_email)
        grade = None
        if check.filled("moderated_grade", grade_text):
            grade = check.choice("moderated_grade", grade_text, _GRADES, None, "a grade")
        moderated_on = check.day("moderated_on", day_text)
        if check.found or grade is None or moderated_on is None:
            problems.extend(check.found)
            continue
        rows.append(
            Moderated(case_ref, typed_email.lower(), grade, moderated_on, comment, file, number)
        )
    if table.unreadable:
        return [], [table.unreadable]
    return rows, problems


# A column as a sentence names it ("the date submitted is empty", not "the submitted on").
_IN_WORDS = {
    "submitted_on": "date submitted",
    "case_ref": "case reference",
    "auditor_email": "auditor's email address",
    "email": "email address",
    "head_of_service_email": "Head of Service's email address",
    "moderator_email": "moderator's email address",
    "moderated_grade": "moderated grade",
    "moderated_on": "date moderated",
}


class _Checks:
    """The problems of one row; the row is used only if none are found."""

    __slots__ = ("file", "found", "row", "unusable", "whole_row")

    def __init__(self, file: str, row: Row) -> None:
        self.file = file
        self.row, _, already = row
        self.found: list[Problem] = list(already)
        # Cells with control characters are already reported: do not report them twice. A
        # problem with no column (too many values) makes every cell of the row suspect.
        self.unusable = {p.column for p in already}
        self.whole_row = None in self.unusable

    def add(self, column: str, message: str) -> None:
        self.found.append(Problem(self.file, message, self.row, column))

    def filled(self, column: str, value: str) -> bool:
        if self.whole_row or column in self.unusable:
            return False
        if not value:
            self.add(column, f"the {_IN_WORDS.get(column, column.replace('_', ' '))} is empty")
            return False
        return True

    def email(self, column: str, value: str) -> bool:
        if not self.filled(column, value):
            return False
        if not _is_email(value):
            self.add(column, f"{_quote(value)} is not an email address")
            return False
        return True

    def case_ref(self, value: str, pattern: re.Pattern[str]) -> bool:
        if not self.filled("case_ref", value):
            return False
        if not pattern.fullmatch(value):
            # Never quoted: a value that fails here may well be a child's name.
            rule = " (2 to 40 letters, digits or / - _ . with at least one digit)"
            message = (
                "this is not a case reference: put case references only in this column, "
                f"never names{rule if pattern is DEFAULT_CASE_REF_PATTERN else ''}"
            )
            self.add("case_ref", message)
            return False
        return True

    def choice(
        self,
        column: str,
        text: str,
        options: Mapping[str, _T],
        default: _T,
        what: str,
        allowed: str = "",
    ) -> _T:
        """Blank means the default; a bad value is reported (and the row will be dropped)."""
        if self.whole_row or column in self.unusable or not text:
            return default
        value = options.get(text)
        if value is None:
            value = options.get(_canonical(text))
        if value is None:
            allowed = allowed or "one of: " + ", ".join(k.replace("_", " ") for k in options)
            self.add(column, f"{_quote(text)} is not {what}; use {allowed}")
            return default
        return value

    def day(self, column: str, text: str) -> date | None:
        if not self.filled(column, text):
            return None
        day = _parse_day(text)
        if day is None:
            message = (
                f"{_quote(text)} is not a date: write it as 2021-05-14 or 14/05/2021 "
                "(day first), with a time after it if you like"
            )
            self.add(column, message)
        return day


def _parse_day(text: str) -> date | None:
    """ISO or UK day-first, optionally with a time; never US month-first."""
    if match := _ISO_DAY.fullmatch(text):
        year, month, day, hour, minute, second = match.groups()
    elif match := _UK_DAY.fullmatch(text):
        day, month, year, hour, minute, second = match.groups()
    else:
        return None
    try:
        if hour is not None:
            time(int(hour), int(minute), int(second or 0))  # a time, if given, must be real too
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _quote(value: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return f'"{shown}"'
