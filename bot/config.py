"""config.yaml -> typed settings, with errors that name the file, line and field."""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.core.quality import Targets
from bot.core.retention import RetentionRules
from bot.errors import AuditBotError
from bot.inputs.sheets import DEFAULT_CASE_REF_PATTERN
from bot.mail.graph_config import GraphMail


class ConfigError(AuditBotError):
    """A config file that cannot be used; the message names file, line and field."""


class _Strict(BaseModel):
    # Unknown keys are refused: a misspelt key silently ignored is a setting silently lost.
    model_config = ConfigDict(extra="forbid", frozen=True)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value.lower()


Email = Annotated[str, AfterValidator(_email)]


class Person(_Strict):
    name: str = Field(min_length=1)
    email: Email


class Team(_Strict):
    email: Email


class LocalMail(_Strict):
    transport: Literal["local"] = "local"
    outbox: Path = Path("var/mail/outbox")
    inbox: Path = Path("var/mail/inbox")
    # Act only on replies Exchange marks as authenticated inside the organisation.
    require_internal_sender: bool = False


def _mail_kind(value: Any) -> str:
    """A config without ``transport:`` is the embedded local one."""
    if isinstance(value, dict):
        return value.get("transport", "local")
    return getattr(value, "transport", "local")


MailSettings = Annotated[
    Annotated[LocalMail, Tag("local")] | Annotated[GraphMail, Tag("graph")],
    Discriminator(_mail_kind),
]


class Exemptions(_Strict):
    chase_after_working_days: int = Field(default=2, ge=1)
    escalate_after_working_days: int = Field(default=4, ge=1)
    # The month's last week: its last working days up to the deadline day.
    last_week_working_days: int = Field(default=5, ge=0)
    last_week_chase_after_working_days: int = Field(default=1, ge=1)
    last_week_escalate_after_working_days: int = Field(default=2, ge=1)
    director_chase_after_working_days: int = Field(default=2, ge=1)
    director_chase_every_working_days: int = Field(default=3, ge=1)
    # Replaced by last_week_working_days: refused with a word on what to write instead.
    last_week_days: int | None = None

    @field_validator("last_week_days")
    @classmethod
    def _now_in_working_days(cls, value: int | None) -> int | None:
        if value is not None:
            raise ValueError(
                "the last week is now counted in working days: write "
                "last_week_working_days (default 5) instead"
            )
        return value

    @model_validator(mode="after")
    def _chase_before_escalating(self) -> Exemptions:
        if self.escalate_after_working_days <= self.chase_after_working_days:
            raise ValueError("escalate_after_working_days must exceed chase_after_working_days")
        if self.last_week_escalate_after_working_days <= self.last_week_chase_after_working_days:
            raise ValueError(
                "last_week_escalate_after_working_days must exceed "
                "last_week_chase_after_working_days"
            )
        return self


class Schedule(_Strict):
    send_time: time = time(9, 0)
    reminders: tuple[int, ...] = (10, 5, 2, 0)
    # Stages k <= this copy the auditor's Head of Service; null never copies.
    copy_head_of_service_from_stage: int | None = 2
    tick_minutes: int = Field(default=5, ge=1, le=60)
    # A tick stops taking new work once this is spent and leaves the rest to the next tick.
    tick_budget_seconds: int = Field(default=240, ge=5)
    # Working days before a month's allocation day that each active auditor hears when it
    # comes and that exemption requests for that month should come now; null: no heads-up.
    heads_up_working_days: int | None = Field(default=5, ge=1, le=15)

    @field_validator("send_time", mode="before")
    @classmethod
    def _parse_time(cls, value: Any) -> Any:
        if isinstance(value, int):  # YAML 1.1 reads 09:00 unquoted as a sexagesimal number
            return time(value // 60, value % 60)
        return value

    @field_validator("send_time")
    @classmethod
    def _not_in_clock_change_hours(cls, value: time) -> time:
        # 01:00-02:59 local happens twice or not at all on clock-change Sundays.
        if 1 <= value.hour < 3:
            raise ValueError("choose a send time outside 01:00-02:59 (clock changes)")
        return value

    @field_validator("reminders")
    @classmethod
    def _ladder(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(k < 0 for k in value) or len(set(value)) != len(value):
            raise ValueError("reminders must be distinct working-day counts, 0 or more")
        return tuple(sorted(value, reverse=True))


class Close(_Strict):
    """The month's close is provisional until an export covering the deadline is read."""

    # Working days after the deadline before it is final without such an export.
    export_grace_working_days: int = Field(default=3, ge=0, le=20)


class Inbox(_Strict):
    """Limits that keep odd mail from flooding anyone, the bot included."""

    # Answers to any one correspondent, and in any one thread, per day, whatever the reason.
    max_answers_per_day: int = Field(default=5, ge=1)
    max_bounce_notices_per_tick: int = Field(default=20, ge=1)


class Retention(_Strict):
    """How long what people wrote is kept. The raw mail (and the words taken from it: a
    request's reasons, notes, the mail that quoted them) goes after ``raw_mail_months``;
    mail that was quarantined after ``quarantine_months``; the trail (who decided what and
    when, without the words) after ``trail_years``."""

    raw_mail_months: int = Field(default=12, ge=1, le=120)
    quarantine_months: int = Field(default=3, ge=1, le=120)
    trail_years: int = Field(default=7, ge=1, le=100)

    @property
    def rules(self) -> RetentionRules:
        return RetentionRules(self.raw_mail_months, self.quarantine_months, self.trail_years)


class Digest(_Strict):
    enabled: bool = True
    weekday: int = Field(default=0, ge=0, le=4)  # 0 = Monday; the next working day if a holiday
    head_of_service_digests: bool = True


class TargetSettings(_Strict):
    """The improvement plan's targets, as shares of graded audits: they change, so they live
    here. At least ``good_or_better_min`` good or better; less than ``inadequate_max``
    inadequate."""

    good_or_better_min: float = Field(default=0.40, gt=0, le=1)
    inadequate_max: float = Field(default=0.12, gt=0, le=1)

    @property
    def rules(self) -> Targets:
        return Targets.of(self.good_or_better_min, self.inadequate_max)


class Teams(_Strict):
    """The director's digest also goes to a Teams channel through a Workflows webhook."""

    webhook_url_env: str = Field(min_length=1)  # the URL holds a signature: environment only
    digest_link: str = "https://outlook.office.com/mail/"
    timeout_seconds: float = Field(default=10, gt=0, le=60)


class ChildActions(_Strict):
    """An audit that finds a child needs remedial action: told to the Head of Service holding
    the case at once, chased, then the director told."""

    chase_after_working_days: int = Field(default=3, ge=1)
    escalate_after_working_days: int = Field(default=5, ge=1)

    @model_validator(mode="after")
    def _escalate_after_chase(self) -> ChildActions:
        if self.escalate_after_working_days <= self.chase_after_working_days:
            raise ValueError("escalate_after_working_days must exceed chase_after_working_days")
        return self


class Moderation(_Strict):
    """After the close, a sample of the month's audits goes to the roster's moderators."""

    sample: Literal["all"] | float = "all"  # or the share sampled, such as 0.25
    due_working_days: int = Field(default=5, ge=1, le=20)
    min_per_auditor: int = Field(default=1, ge=0)
    # When it starts: at the close (provisional) or once the close is final.
    starts: Literal["provisional", "final"] = "provisional"

    @field_validator("sample")
    @classmethod
    def _a_share(cls, value: str | float) -> str | float:
        if isinstance(value, float) and not 0 < value <= 1:
            raise ValueError("write all, or a share between 0 and 1 such as 0.25")
        return value

    @property
    def share(self) -> float | None:
        return None if self.sample == "all" else float(self.sample)


class Settings(_Strict):
    """The whole configuration; paths are already resolved against the config's folder."""

    timezone: str = "Europe/London"
    council: str = "the council"
    mailbox: Email
    director: Person
    qa_team: Team
    roster: Path
    allocations: Path
    completions: Path
    store: str = "sqlite:///var/auditbot.db"
    mail: MailSettings = LocalMail()
    schedule: Schedule = Schedule()
    exemptions: Exemptions = Exemptions()
    child_actions: ChildActions = ChildActions()
    moderation: Moderation = Moderation()
    # The moderation sheets' folder; by default "moderations" beside the completions folder.
    moderations: Path | None = None
    digest: Digest = Digest()
    inbox: Inbox = Inbox()
    close: Close = Close()
    targets: TargetSettings = TargetSettings()
    # Head of Service addresses a person has looked at and confirmed, though a letter or two
    # from another or given under two names: the roster check names them no more.
    confirmed_heads_of_service: list[Email] = Field(default_factory=list)
    retention: Retention = Retention()
    # Who may send on someone's behalf (a director's PA): "director" or an address, each
    # with the addresses that may appear as Sender or Resent-From for them.
    delegates: dict[str, list[Email]] = Field(default_factory=dict)
    teams: Teams | None = None
    templates: Path | None = None
    # Where auditors do their audits; the allocation mail links to it when set.
    audit_tool_url: str | None = None
    case_ref_pattern: str = DEFAULT_CASE_REF_PATTERN.pattern
    # A pinned clock, for the demo and for rehearsals: a local time such as
    # 2021-05-20T09:30. Every command acts as at that time unless given --at, and `run`
    # will not start: a deployment never has one.
    clock: datetime | None = None
    config_path: Path = Path("config.yaml")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("clock")
    @classmethod
    def _local_time(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError("write the local time without a zone, e.g. 2021-05-20T09:30")
        return value

    @field_validator("case_ref_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _resolve_paths(self) -> Settings:
        base = self.config_path.parent
        resolved: dict[str, Any] = {
            key: base / getattr(self, key) for key in ("roster", "allocations", "completions")
        }
        if self.templates is not None:
            resolved["templates"] = base / self.templates
        resolved["moderations"] = (
            base / self.moderations
            if self.moderations is not None
            else resolved["completions"].parent / "moderations"
        )
        if isinstance(self.mail, LocalMail):
            resolved["mail"] = self.mail.model_copy(
                update={"outbox": base / self.mail.outbox, "inbox": base / self.mail.inbox}
            )
        else:
            if self.mail.mailbox.lower() != self.mailbox:
                # Graph sends from mail.mailbox whatever the From header says.
                raise ValueError(f"mail.mailbox must be the bot's mailbox, {self.mailbox}")
            if self.mail.certificate_path is not None:
                resolved["mail"] = self.mail.model_copy(
                    update={"certificate_path": base / self.mail.certificate_path}
                )
        resolved["store"] = _resolve_sqlite_url(self.store, base)
        for key, value in resolved.items():
            object.__setattr__(self, key, value)
        return self

    def named(self, path: str | Path) -> str:
        """A file as the QA team knows it: relative to the config's folder when inside it
        (``allocations/2021-05.csv``), so mail and keys do not change if the deployment
        moves. Anything else is named in full."""
        base = self.config_path.parent.absolute()
        full = Path(path).absolute()
        return full.relative_to(base).as_posix() if full.is_relative_to(base) else str(path)

    @field_validator("delegates")
    @classmethod
    def _delegates_for_known_people(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for who in value:
            if who != "director" and not _EMAIL.fullmatch(who):
                raise ValueError(f"{who!r}: name 'director' or an email address")
        return value

    def delegates_of(self) -> dict[str, frozenset[str]]:
        """Each principal's address -> the addresses that may send for them."""
        return {
            (self.director.email if who == "director" else who.lower()): frozenset(addresses)
            for who, addresses in self.delegates.items()
        }

    @property
    def moderation_sheets(self) -> Path:
        """The moderation sheets' folder (resolved when the settings are read)."""
        return self.moderations or self.completions.parent / "moderations"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def case_ref_regex(self) -> re.Pattern[str]:
        if self.case_ref_pattern == DEFAULT_CASE_REF_PATTERN.pattern:
            return DEFAULT_CASE_REF_PATTERN  # the sheet reader explains this one in full
        return re.compile(self.case_ref_pattern)


def _resolve_sqlite_url(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((base / url[len(prefix) :]).resolve())
    return url


def load_settings(path: Path) -> Settings:
    """Read and validate ``path``; raise ConfigError naming the file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_problem(path, exc)) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    data.setdefault("config_path", path)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(path, node, error) for error in exc.errors()]
        raise ConfigError("\n".join(lines)) from None


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
    """YAML's own words, placed: the line and column, what it found, what to look at."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return (
        f"{where}: not valid YAML ({problem}). Look for an unclosed bracket or quote, or an "
        "indent that does not line up, on that line or the one before."
    )


# What to write instead, for pydantic's kinds of error that need it in plain words.
_ADVICE = {
    "time_parsing": 'write a 24-hour time in quotes, such as "09:00"',
    "time_type": 'write a 24-hour time in quotes, such as "09:00"',
    "int_parsing": "write a whole number, such as 5",
    "int_type": "write a whole number, such as 5",
    "bool_parsing": "write true or false",
    "bool_type": "write true or false",
    "float_parsing": "write a number, such as 10",
    "string_type": "write text here",
    "list_type": "write a list, such as [10, 5, 2, 0]",
    "tuple_type": "write a list, such as [10, 5, 2, 0]",
    "dict_type": "write a group of settings here (name: value, one a line, indented)",
    "model_type": "write a group of settings here (name: value, one a line, indented)",
    "model_attributes_type": "write a group of settings here (name: value, one a line, indented)",
}


def _describe(path: Path, root: yaml.Node | None, error: Any) -> str:
    location = [part for part in error["loc"] if isinstance(part, str | int)]
    if location[:1] == ["mail"] and location[1:2] in (["local"], ["graph"]):
        location = ["mail", *location[2:]]
    field = ".".join(str(part) for part in location) or "(top level)"
    line = _line_of(root, location)
    where = f"{path}, line {line}" if line else str(path)
    message = error["msg"].removeprefix("Value error, ")
    kind = error["type"]
    if kind == "extra_forbidden":
        message = "unknown setting (misspelt?)"
    elif kind == "missing":
        parent = ".".join(str(part) for part in location[:-1])
        message = f"required setting is missing: add `{location[-1]}:`" + (
            f" under `{parent}:`" if parent else " at the top level"
        )
    elif kind in _ADVICE:
        given = error.get("input")
        message = f"{_ADVICE[kind]} (found {given!r})" if given is not None else _ADVICE[kind]
    return f"{where}, field {field}: {message}"


def _line_of(node: yaml.Node | None, location: list[str | int]) -> int | None:
    """The 1-based line of the deepest YAML node on ``location`` that exists."""
    line = None
    for part in location:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, _ in node.value if k.value == part), None)
            if key is None:
                break
            line, node = key.start_mark.line + 1, match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
