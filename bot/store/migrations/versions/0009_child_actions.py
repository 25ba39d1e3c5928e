"""Actions for children: an inadequate grade or a concern, told to the Head of Service who
holds the case and tracked until it is done.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "child_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("case_ref", sa.String(length=60), nullable=False),
        sa.Column("token", sa.String(length=60), nullable=False, unique=True),
        sa.Column("grade", sa.String(length=30), nullable=True),
        sa.Column("concern", sa.Boolean(), nullable=False),
        sa.Column("auditor_email", sa.String(length=320), nullable=False),
        sa.Column("auditor_name", sa.String(length=200), nullable=False),
        sa.Column("named_team", sa.String(length=200), nullable=True),
        sa.Column("case_team", sa.String(length=200), nullable=True),
        sa.Column("head_email", sa.String(length=320), nullable=False, index=True),
        sa.Column("head_name", sa.String(length=200), nullable=False),
        sa.Column("cc", sa.JSON(), nullable=False),
        sa.Column("opened_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False, index=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("words", sa.Text(), nullable=True),
        sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("month", "case_ref"),
    )


def downgrade() -> None:
    op.drop_table("child_actions")
