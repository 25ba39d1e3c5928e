"""Each history month's grade counts, keyed by its completions sheet's content.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grade_summaries",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("sheet_sha256", sa.String(length=64), nullable=False),
        sa.Column("case_ref_pattern", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("month", "sheet_sha256", "case_ref_pattern"),
    )


def downgrade() -> None:
    op.drop_table("grade_summaries")
