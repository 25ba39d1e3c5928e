"""The first schema.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

import bot.store.schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", bot.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("subject", sa.String(length=400), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hash"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_month"), ["month"], unique=False)

    op.create_table(
        "exemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=60), nullable=False),
        sa.Column("auditor_email", sa.String(length=320), nullable=False),
        sa.Column("auditor_name", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("head_email", sa.String(length=320), nullable=False),
        sa.Column("head_name", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("requested_at", bot.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("after_allocation", sa.Boolean(), nullable=False),
        sa.Column("last_week", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("head_words", sa.Text(), nullable=True),
        sa.Column("head_decided_at", bot.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("no_head_response", sa.Boolean(), nullable=False),
        sa.Column("director_words", sa.Text(), nullable=True),
        sa.Column("decided_at", bot.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("month", "number"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("exemptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exemptions_auditor_email"), ["auditor_email"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exemptions_month"), ["month"], unique=False)

    op.create_table(
        "inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=300), nullable=False),
        sa.Column("received_at", bot.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=True),
        sa.Column("intent", sa.String(length=20), nullable=True),
        sa.Column("verdict", sa.Text(), nullable=True),
        sa.Column("processed_at", bot.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_key"),
    )
    op.create_table(
        "month_closes",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("closed_at", bot.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("auditor_email", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", bot.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_month"), ["month"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("about", sa.String(length=320), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("planned_at", bot.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("claimed_at", bot.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", bot.store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("to_addrs", sa.JSON(), nullable=False),
        sa.Column("cc_addrs", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("thread", sa.String(length=60), nullable=True),
        sa.Column("images", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)

    op.create_table(
        "outcomes",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("auditor_email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("head_of_service_email", sa.String(length=320), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("late_on", sa.Date(), nullable=True),
        sa.UniqueConstraint("month", "auditor_email"),
    )
    op.create_table(
        "roster_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", bot.store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("auditors", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_table(
        "threads",
        sa.Column("token", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("auditor_email", sa.String(length=320), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("token"),
        sa.UniqueConstraint("kind", "month", "auditor_email", "request_id"),
    )
    op.create_table(
        "transport_state",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("transport_state")
    op.drop_table("threads")
    op.drop_table("roster_versions")
    op.drop_table("outcomes")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_month"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_month"))

    op.drop_table("notes")
    op.drop_table("month_closes")
    op.drop_table("inbound")
    with op.batch_alter_table("exemptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exemptions_month"))
        batch_op.drop_index(batch_op.f("ix_exemptions_auditor_email"))

    op.drop_table("exemptions")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_month"))

    op.drop_table("events")
