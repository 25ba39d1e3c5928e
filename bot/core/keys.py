"""Outbox keys: the name that makes each outgoing message happen at most once.

Every key is built here, by one small function per kind of mail, and read back here, by
:func:`parse`. Both go through one table of templates, so a key's shape is written once.
The strings are a stored format: deployed databases hold them, so a template never changes.

    >>> allocation_key(Month(2021, 5), "jo.bloggs@council.gov.uk")
    'allocation/2021-05/jo.bloggs@council.gov.uk'
    >>> parse("reminder/2021-05/stage-2/jo.bloggs@council.gov.uk").stage
    2

:func:`parse` never raises: a key of no known shape (an old or foreign one) comes back as
:attr:`Kind.FOREIGN` with its text, and ``str(parse(text)) == text`` for every string.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.core.records import Month


class Kind(enum.Enum):
    ALLOCATION = "allocation"
    ALLOCATION_UPDATE = "allocation-update"
    REMINDER = "reminder"
    EXEMPT_BUT_ALLOCATED = "exempt-but-allocated"
    MISSING_SHEET = "missing-sheet"
    NOT_ALLOCATED = "not-allocated"
    REALLOCATE = "reallocate"
    CLOSE_HEAD = "close-head"
    CLOSE_QA = "close-qa"
    CLOSE_CORRECTED = "close-corrected"
    EXEMPTION = "exemption"
    DIGEST_DIRECTOR = "digest-director"
    DIGEST_HEAD = "digest-head"
    DIGEST_QA = "digest-qa"
    HEADS_UP = "heads-up"
    PROBLEMS = "problems"
    INBOUND = "inbound"
    WILL_ANSWER = "will-answer"
    BOUNCE = "bounce"
    SEND_FAILED = "send-failed"
    ANSWERS_STOPPED = "answers-stopped"
    CONNECTION_CHECK = "connection-check"
    QUESTION = "question"
    NAMES_REMINDER = "names-reminder"
    CHILD_ACTION = "child-action"
    MODERATION = "moderation"
    REPORT = "report"
    FOREIGN = "foreign"  # no known shape: an old key, or one not ours

    @property
    def prefix(self) -> str:
        """The key's first segment (``close`` for both kinds of close mail)."""
        return _TEMPLATES[self].partition("/")[0] if self is not Kind.FOREIGN else ""


_STAMP = "%Y%m%dT%H%M%S"

# The one statement of each key's shape. ``{name}`` is a field of OutboxKey.
_TEMPLATES: dict[Kind, str] = {
    Kind.ALLOCATION: "allocation/{month}/{email}",
    Kind.ALLOCATION_UPDATE: "allocation-update/{month}/{email}/{digest}",
    Kind.REMINDER: "reminder/{month}/stage-{stage}/{email}",
    Kind.EXEMPT_BUT_ALLOCATED: "exempt-but-allocated/{month}/{email}",
    Kind.MISSING_SHEET: "missing-sheet/allocations/{month}",
    Kind.NOT_ALLOCATED: "not-allocated/{month}",
    Kind.REALLOCATE: "reallocate/{month}/{email}",
    Kind.CLOSE_HEAD: "close/{month}/head/{email}",
    Kind.CLOSE_QA: "close/{month}/qa",
    Kind.CLOSE_CORRECTED: "close/{month}/corrected/{digest}",
    Kind.EXEMPTION: "exemption/{ref}/{suffix}",
    Kind.DIGEST_DIRECTOR: "digest/{week}/director",
    Kind.DIGEST_HEAD: "digest/{week}/head/{email}",
    Kind.DIGEST_QA: "digest/{week}/qa",
    Kind.HEADS_UP: "heads-up/{month}/{email}",
    Kind.PROBLEMS: "problems/{source}/{digest}",
    Kind.INBOUND: "inbound/{ref}/{suffix}",
    Kind.WILL_ANSWER: "will-answer/{email}/{day}",
    Kind.BOUNCE: "bounce/{about}/{email}",
    Kind.SEND_FAILED: "send-failed/{about}",
    Kind.ANSWERS_STOPPED: "answers-stopped/{email}/{day}",
    Kind.CONNECTION_CHECK: "connection-check/{at:" + _STAMP + "}/{nonce}",
    Kind.QUESTION: "question/{ref}/{suffix}",
    Kind.NAMES_REMINDER: "names-reminder/{email}",
    Kind.CHILD_ACTION: "child-action/{month}/{suffix}/{case}",
    Kind.MODERATION: "moderation/{month}/{suffix}/{email}",
    Kind.REPORT: "report/{month}",
    Kind.FOREIGN: "{text}",
}


@dataclass(frozen=True)
class OutboxKey:
    """A key's kind and its named parts; the parts a kind has not are None.

    ``email`` is the person the key is per: the auditor (allocation, reminder), the Head of
    Service (close, digest), the sender (will-answer, answers-stopped) or the address that
    bounced. ``ref`` is an exemption request's ref or an inbound message's ref, ``suffix``
    which of the mails about it. ``about`` is the key of the mail a bounce or failed send
    concerns. ``digest`` is a short hash of a set (an update's cases, a list of problems).
    """

    kind: Kind
    month: Month | None = None
    email: str | None = None
    stage: int | None = None
    ref: str | None = None
    suffix: str | None = None
    digest: str | None = None
    week: str | None = None  # ISO week, 2021-W20
    day: date | None = None
    source: str | None = None  # the input file a problems notice is about
    about: str | None = None
    at: datetime | None = None  # a connection check's time, to the second
    nonce: str | None = None
    text: str | None = None  # a foreign key, whole
    case: str | None = None  # a case reference (it may hold "/")

    def __str__(self) -> str:
        parts = {name: getattr(self, name) for name in _NAMES[self.kind]}
        if None in parts.values():
            raise ValueError(f"{self!r} lacks a part of its key")
        return _render(self.kind, **parts)


# -- building: one function per kind of mail ---------------------------------------------------


def allocation_key(month: Month, email: str) -> str:
    return _render(Kind.ALLOCATION, month=month, email=email)


def allocation_update_key(month: Month, email: str, cases: Iterable[str]) -> str:
    """Cases added after the allocation went: a new key for each new set of cases."""
    digest = short_digest(sorted(cases))
    return _render(Kind.ALLOCATION_UPDATE, month=month, email=email, digest=digest)


def reminder_key(month: Month, stage: int, email: str) -> str:
    return _render(Kind.REMINDER, month=month, stage=stage, email=email)


def exempt_but_allocated_key(month: Month, email: str) -> str:
    return _render(Kind.EXEMPT_BUT_ALLOCATED, month=month, email=email)


def missing_sheet_key(month: Month) -> str:
    return _render(Kind.MISSING_SHEET, month=month)


def not_allocated_key(month: Month) -> str:
    """Active auditors and moderators the month's sheet left out: the QA team, once."""
    return _render(Kind.NOT_ALLOCATED, month=month)


def reallocate_key(month: Month, email: str) -> str:
    """An auditor exempted after their allocation went: their cases, to the QA team, once."""
    return _render(Kind.REALLOCATE, month=month, email=email)


def close_head_key(month: Month, head: str) -> str:
    return _render(Kind.CLOSE_HEAD, month=month, email=head)


def close_qa_key(month: Month) -> str:
    return _render(Kind.CLOSE_QA, month=month)


def close_corrected_key(month: Month, emails: Iterable[str]) -> str:
    """A final month's figures corrected by a later export: once per set of auditors."""
    return _render(Kind.CLOSE_CORRECTED, month=month, digest=short_digest(sorted(emails)))


def exemption_key(ref: str, suffix: str) -> str:
    """A mail about exemption request ``ref`` (``EXM-2021-05-017``): ``ack``, ``chase``..."""
    return _render(Kind.EXEMPTION, ref=ref, suffix=suffix)


def question_key(token: str, suffix: str) -> str:
    """A mail about a question back (``ASK-2021-05-K7M3Q9XA``): ``ask``, ``again``..."""
    return _render(Kind.QUESTION, ref=token, suffix=suffix)


def names_reminder_key(sender: str) -> str:
    """The one kind word to a sender who named a child: once, ever."""
    return _render(Kind.NAMES_REMINDER, email=sender)


def child_action_key(month: Month, case_ref: str, suffix: str) -> str:
    """A mail about the action for the child whose case ``case_ref`` was audited in
    ``month``: ``notify``, ``chase``, ``escalate``, ``done``."""
    return _render(Kind.CHILD_ACTION, month=month, suffix=suffix, case=case_ref)


def moderation_key(month: Month, suffix: str, email: str) -> str:
    """A moderator's mail about ``month``'s moderation: ``allocation``, ``reminder-2``."""
    return _render(Kind.MODERATION, month=month, suffix=suffix, email=email)


def report_key(month: Month) -> str:
    """The month's QA report, mailed once to the QA team and the director."""
    return _render(Kind.REPORT, month=month)


def digest_director_key(day: date) -> str:
    """The director's weekly digest: once per ISO week of ``day``."""
    return _render(Kind.DIGEST_DIRECTOR, week=week_id(day))


def digest_head_key(day: date, head: str) -> str:
    return _render(Kind.DIGEST_HEAD, week=week_id(day), email=head)


def digest_qa_key(day: date) -> str:
    """The QA team's copy of the director's digest (with the trail's head): once a week."""
    return _render(Kind.DIGEST_QA, week=week_id(day))


def heads_up_key(month: Month, email: str) -> str:
    """The notice before ``month``'s allocation day: once per auditor and month."""
    return _render(Kind.HEADS_UP, month=month, email=email)


def problems_key(source: str, problems: list[str]) -> str:
    """Problems in one input file: a new key for each distinct list (order counts)."""
    return _render(Kind.PROBLEMS, source=source, digest=short_digest(problems))


def message_ref(message_key: str) -> str:
    """The short reference of an inbound message (its Message-ID, or the digest that
    stands for one) that the keys of the mail answering it carry."""
    return hashlib.sha256(message_key.encode()).hexdigest()[:16]


def inbound_key(message_ref: str, suffix: str) -> str:
    """A mail answering an inbound message (``message_ref``, from its Message-ID)."""
    return _render(Kind.INBOUND, ref=message_ref, suffix=suffix)


def will_answer_key(sender: str, day: date) -> str:
    return _render(Kind.WILL_ANSWER, email=sender, day=day)


def bounce_key(returned: str, address: str) -> str:
    """The QA team told that mail ``returned`` (its key) bounced from ``address``."""
    return _render(Kind.BOUNCE, about=returned, email=address)


def send_failed_key(failed: str) -> str:
    """The QA team told that mail ``failed`` (its key) could not be sent."""
    return _render(Kind.SEND_FAILED, about=failed)


def answers_stopped_key(sender: str, day: date) -> str:
    return _render(Kind.ANSWERS_STOPPED, email=sender, day=day)


def connection_check_key(at: datetime, nonce: str) -> str:
    return _render(Kind.CONNECTION_CHECK, at=at, nonce=nonce)


def week_id(day: date) -> str:
    """``2021-W20``: the ISO week of ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def short_digest(parts: list[str]) -> str:
    """A short, stable name for a set of values, for keys that must change when they do."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


# -- reading -----------------------------------------------------------------------------------


def parse(text: str) -> OutboxKey:
    """The kind and parts of key ``text``; :attr:`Kind.FOREIGN` if it has no known shape."""
    for kind, pattern in _BY_PREFIX.get(text.partition("/")[0], ()):
        found = pattern.fullmatch(text)
        if found is None:
            continue
        try:
            parts = {name: _READ[name](value) for name, value in found.groupdict().items()}
        except ValueError:  # a month 13, a 30 February: not a key of ours
            continue
        # Made without __init__, which sets every one of the fields: the cycle reads a month's
        # allocation keys on every tick. The parts a kind has not keep the class's None.
        key = object.__new__(OutboxKey)
        key.__dict__.update(parts, kind=kind)
        return key
    return OutboxKey(Kind.FOREIGN, text=text)


# What each part matches in a key and how it is read back. A part that may hold "/" matches
# greedily, so a later part never does: a bounced address is the key's last segment.
_PARTS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "month": (r"[0-9]{4}-[0-9]{2}", functools.lru_cache(maxsize=256)(Month.parse)),
    "email": (r".+", str),
    "stage": (r"0|[1-9][0-9]*", int),
    "ref": (r"[^/]+", str),
    "suffix": (r"[^/]+", str),
    "digest": (r"[^/]+", str),
    "week": (r"[0-9]{4}-W[0-9]{2}", str),
    "day": (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", date.fromisoformat),
    "source": (r".+", str),
    "about": (r".+", str),
    "at": (r"[0-9]{8}T[0-9]{6}", lambda s: datetime.strptime(s, _STAMP)),  # noqa: DTZ007
    "nonce": (r"[^/]+", str),
    "case": (r".+", str),
    "text": (r".*", str),
}
_READ = {name: read for name, (_, read) in _PARTS.items()}
_FIELD = re.compile(r"\{(\w+)(?::[^}]*)?\}")  # {name} or {name:format}
_NAMES: dict[Kind, tuple[str, ...]] = {
    kind: tuple(_FIELD.findall(template)) for kind, template in _TEMPLATES.items()
}


def _render(kind: Kind, **parts: object) -> str:
    return _TEMPLATES[kind].format_map(parts)


def _pattern(template: str) -> re.Pattern[str]:
    pieces = _FIELD.split(template)  # literal, name, literal, name, ..., literal
    return re.compile(
        "".join(
            re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>{_PARTS[piece][0]})"
            for i, piece in enumerate(pieces)
        ),
        re.DOTALL,
    )


_BY_PREFIX: dict[str, list[tuple[Kind, re.Pattern[str]]]] = {}
for _kind, _template in _TEMPLATES.items():
    if _kind is not Kind.FOREIGN:
        _BY_PREFIX.setdefault(_kind.prefix, []).append((_kind, _pattern(_template)))
