"""Questions back: a reply that could mean more than one thing waits for its sender's answer.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(length=60), nullable=False, unique=True),
        sa.Column("sender", sa.String(length=320), nullable=False, index=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("offered", sa.Text(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("asked_again_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False, index=True),
        sa.Column("answer", sa.String(length=40), nullable=True),
        sa.Column("answer_inbound_id", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("questions")
