"""Plain records shared by the core and the adapters: no I/O, no clock."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, written ``2021-05`` everywhere a person sees it."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        year, _, month = text.strip().partition("-")
        if not (len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()):
            raise ValueError(f"{text!r} is not a month like 2021-05")
        return cls(int(year), int(month))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def title(self) -> str:
        """``May 2021``: how a month is named in mail."""
        return self.first_day.strftime("%B %Y")

    def months_after(self, other: Month) -> int:
        """How many months ``self`` comes after ``other`` (negative if before)."""
        return (self.year - other.year) * 12 + self.month - other.month

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def next(self) -> Month:
        return self.plus(1)

    def previous(self) -> Month:
        return self.plus(-1)


class Role(enum.StrEnum):
    AUDITOR = "auditor"
    MODERATOR = "moderator"


class AuditType(enum.StrEnum):
    CASE_AUDIT = "case_audit"
    DIP_SAMPLE = "dip_sample"
    THEMATIC = "thematic"
    SERVICE_REVIEW = "service_review"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Grade(enum.StrEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"


@dataclass(frozen=True, slots=True)  # a big roster holds many
class Auditor:
    name: str
    email: str  # lower-cased
    team: str
    head_of_service_email: str  # lower-cased
    head_of_service: str = ""  # a name, may be empty
    role: Role = Role.AUDITOR
    active: bool = True
    service: str = ""  # the service the team belongs to, if the roster says (else the team)


@dataclass(frozen=True)
class Allocation:
    auditor_email: str  # lower-cased
    case_ref: str
    audit_type: AuditType = AuditType.CASE_AUDIT


@dataclass(frozen=True)
class Completion:
    case_ref: str
    auditor_email: str  # lower-cased
    submitted_on: date
    grade: Grade | None = None
    case_team: str | None = None  # the team holding the child's case, if the sheet says
    action_needed: bool = False  # a concern for the child, whatever the grade
    themes: tuple[str, ...] = ()  # what the audit found, as the sheet's themes column names it


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, named so a person can find and fix it."""

    file: str
    message: str
    row: int | None = None  # the spreadsheet's own row number (header is row 1)
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"
