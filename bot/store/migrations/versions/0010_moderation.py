"""Moderation: the audits of a closed month given to moderators, and files attached to mail
(the month's report).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "moderations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(length=7), nullable=False, index=True),
        sa.Column("case_ref", sa.String(length=60), nullable=False),
        sa.Column("auditor_email", sa.String(length=320), nullable=False),
        sa.Column("auditor_name", sa.String(length=200), nullable=False),
        sa.Column("auditor_team", sa.String(length=200), nullable=False),
        sa.Column("case_team", sa.String(length=200), nullable=True),
        sa.Column("grade", sa.String(length=30), nullable=True),
        sa.Column("moderator_email", sa.String(length=320), nullable=True),
        sa.Column("moderator_name", sa.String(length=200), nullable=True),
        sa.Column("moderator_team", sa.String(length=200), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("allocated_at", UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("month", "case_ref"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attachments", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("attachments")
    op.drop_table("moderations")
