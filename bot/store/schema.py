"""Tables. Business state lives here, never in the scheduler."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and hands back aware datetimes on SQLite as well as PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Status(enum.StrEnum):
    PLANNED = "planned"
    SENDING = "sending"  # claimed by a sender; outcome not yet recorded
    SENT = "sent"
    UNKNOWN = "unknown"  # a send may have happened without an answer: settle via Sent Items
    SKIPPED = "skipped"  # superseded reminder stage; never to be sent
    FAILED = "failed"  # refused for a reason that will not change, or out of attempts


metadata = MetaData()

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(400), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("month", String(7)),
    Column("about", String(320)),
    Column("stage", Integer),
    Column("status", String(10), nullable=False, index=True),
    Column("planned_at", UTCDateTime, nullable=False),
    Column("planned_on", Date, nullable=False),  # local date, for "not on allocation day"
    Column("claimed_at", UTCDateTime),
    Column("claimed_by", String(120)),  # host:pid of the sender that claimed the row
    Column("sent_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("not_before", UTCDateTime),  # after a failed attempt: when to try again
    Column("to_addrs", JSON, nullable=False),
    Column("cc_addrs", JSON, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("detail", JSON, nullable=False),
    # Random, made when planned; lets a reply's In-Reply-To lead back to its thread.
    Column("message_id", String(200), index=True),
    Column("thread", String(60)),  # the reference token in the subject, if any
    Column("images", JSON),  # inline images: {content-id: base64 PNG}
    Column("attachments", JSON),  # files attached: {file name: base64}
    # An answer to someone's message: who, and in which thread (the loop breaker counts them).
    Column("answers", String(320)),
    Column("answers_thread", String(300)),
    Index("outbox_answers", "answers", "planned_on"),
    Index("outbox_answers_thread", "answers_thread", "planned_on"),
    # Every tick reads each month's keys (bot.store.repo.load_records): answered from this
    # index alone, without visiting the rows, which are large (the bodies).
    Index("outbox_month_records", "month", "key", "status", "planned_on"),
)

allocated_cases = Table(
    # The cases each allocation mail listed, written with its outbox row: the planner asks on
    # every tick which cases an auditor has been sent, and this answers without reading every
    # allocation row's detail. Rows are never updated or deleted, as outbox rows are not.
    "allocated_cases",
    metadata,
    Column("outbox_key", String(400), primary_key=True),
    Column("position", Integer, primary_key=True),  # the order the mail listed them in
    Column("month", String(7), nullable=False),
    Column("auditor_email", String(320), nullable=False),
    Column("case_ref", Text, nullable=False),
    Index("allocated_cases_month", "month", "auditor_email"),
)

roster_versions = Table(
    "roster_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("loaded_at", UTCDateTime, nullable=False),
    Column("auditors", JSON, nullable=False),
)

month_closes = Table(
    "month_closes",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("closed_at", UTCDateTime, nullable=False),
    # Provisional until then: audits submitted in time may still appear in a later export.
    Column("final_at", UTCDateTime),
    Column("final_why", String(10)),  # export | grace
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("month", String(7), nullable=False),
    Column("auditor_email", String(320), nullable=False),
    Column("name", Text, nullable=False),
    Column("team", Text, nullable=False),
    Column("head_of_service_email", String(320), nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("cases", Integer, nullable=False),
    Column("late_on", Date),
    UniqueConstraint("month", "auditor_email"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("month", String(7), index=True),
    Column("subject", String(400)),
    Column("detail", JSON, nullable=False),
    # Hash chain: each row's hash covers its content and the previous row's hash, so an
    # edited, deleted or reordered row breaks every hash after it.
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)


threads = Table(
    # A reference token in a subject, bound to what a reply to it concerns.
    "threads",
    metadata,
    Column("token", String(60), primary_key=True),
    Column("kind", String(10), nullable=False),  # auditor (a month's audits) | request
    Column("month", String(7), nullable=False),
    Column("auditor_email", String(320), nullable=False),
    Column("request_id", Integer),
    UniqueConstraint("kind", "month", "auditor_email", "request_id"),
)

exemptions = Table(
    "exemptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("month", String(7), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("token", String(60), nullable=False, unique=True),
    Column("auditor_email", String(320), nullable=False, index=True),
    Column("auditor_name", Text, nullable=False),
    Column("team", Text, nullable=False),
    Column("head_email", String(320), nullable=False),
    Column("head_name", Text, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("words", Text, nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("requested_on", Date, nullable=False),
    Column("after_allocation", Boolean, nullable=False),
    Column("last_week", Boolean, nullable=False),
    Column("state", String(20), nullable=False),
    Column("head_words", Text),
    Column("head_decided_at", UTCDateTime),
    Column("no_head_response", Boolean, nullable=False, default=False),
    Column("director_words", Text),
    Column("decided_at", UTCDateTime),
    Column("inbound_id", Integer, nullable=False),
    # The cases the request names (none: the whole month), the cases the decision covers
    # (none: those asked for), and the date an extension runs to.
    Column("cases", JSON),
    Column("granted", JSON),
    Column("until", Date),
    UniqueConstraint("month", "number"),
)

notes = Table(
    # What auditors told the bot: at risk, self-reported completion, out of office.
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("month", String(7), nullable=False, index=True),
    Column("auditor_email", String(320), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("words", Text, nullable=False),
    Column("inbound_id", Integer),
)

transport_state = Table(
    # Small values a transport keeps between ticks, e.g. Graph's inbox deltaLink.
    "transport_state",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)

inbound = Table(
    # Every message that arrived, stored raw before it is acted on. The raw bytes go after
    # the retention period (bot.store.retention); the row, its digest and verdict stay.
    "inbound",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_key", String(300), nullable=False, unique=True),  # Message-ID or digest
    Column("received_at", UTCDateTime, nullable=False),
    Column("sender", String(320)),
    Column("subject", Text),
    Column("raw", LargeBinary, nullable=False),
    Column("status", String(12), nullable=False),  # received | processed | quarantined
    Column("kind", String(12)),
    Column("intent", String(20)),
    Column("verdict", Text),
    Column("processed_at", UTCDateTime),
    # What the message says (sender, subject, date, text): a second message with the same
    # Message-ID and a different digest is a suspected forgery.
    Column("content_digest", String(64)),
    # Once the raw bytes are deleted: a SHA-256 of what they were, and when they went.
    Column("raw_sha256", String(64)),
    Column("purged_at", UTCDateTime),
    Index("inbound_received_at", "received_at"),
)

questions = Table(
    # A question back: a reply that could mean more than one thing, asked about, and the
    # answer once it comes. Nothing is done about the message until then.
    "questions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(60), nullable=False, unique=True),
    Column("sender", String(320), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("offered", Text, nullable=False),  # the readings offered, comma-separated, in order
    Column("inbound_id", Integer, nullable=False, unique=True),
    Column("month", String(7), nullable=False),
    Column("asked_on", Date, nullable=False),
    Column("asked_again_on", Date),
    Column("state", String(12), nullable=False, index=True),  # waiting | answered | unanswered
    Column("answer", String(40)),
    Column("answer_inbound_id", Integer),
)

grade_summaries = Table(
    # Each history month's completions sheet reduced to grade counts (bot.store.grades), so a
    # fresh process reads a small summary instead of parsing ~25k rows again. Keyed by the
    # sheet's content: a regraded or late-submitted sheet has a new hash and is parsed anew.
    "grade_summaries",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("sheet_sha256", String(64), primary_key=True),
    Column("case_ref_pattern", Text, primary_key=True),  # which rows counted as valid
    Column("summary", Text, nullable=False),  # compact JSON
)

child_actions = Table(
    # An action for a child: an audit graded inadequate, or flagged action_needed, told to the
    # Head of Service holding the case and tracked until they say it is done.
    "child_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("month", String(7), nullable=False),
    Column("case_ref", String(60), nullable=False),
    Column("token", String(60), nullable=False, unique=True),
    Column("grade", String(30)),
    Column("concern", Boolean, nullable=False),
    Column("auditor_email", String(320), nullable=False),
    Column("auditor_name", String(200), nullable=False),
    Column("named_team", String(200)),  # the case team as the sheet gave it
    Column("case_team", String(200)),  # the team whose Head of Service was told; None: unknown
    Column("head_email", String(320), nullable=False, index=True),
    Column("head_name", String(200), nullable=False),
    Column("cc", JSON, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("state", String(12), nullable=False, index=True),  # open | assigned | done
    Column("owner", String(200)),
    Column("due", Date),
    Column("words", Text),
    Column("closed_at", UTCDateTime),
    UniqueConstraint("month", "case_ref"),
)


moderations = Table(
    # A closed month's audit given to a moderator (moderator None: every moderator is in one
    # of the audit's teams). Written once, when the month's moderation starts.
    "moderations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("month", String(7), nullable=False, index=True),
    Column("case_ref", String(60), nullable=False),
    Column("auditor_email", String(320), nullable=False),
    Column("auditor_name", String(200), nullable=False),
    Column("auditor_team", String(200), nullable=False),
    Column("case_team", String(200)),
    Column("grade", String(30)),  # the auditor's
    Column("moderator_email", String(320)),
    Column("moderator_name", String(200)),
    Column("moderator_team", String(200)),
    Column("started_on", Date, nullable=False),
    Column("due", Date, nullable=False),
    Column("allocated_at", UTCDateTime, nullable=False),
    UniqueConstraint("month", "case_ref"),
)
