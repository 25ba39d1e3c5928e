"""Partial exemptions and extensions: the cases a request names, the cases a decision
covers, and the date an extension runs to.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exemptions") as batch:
        batch.add_column(sa.Column("cases", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("granted", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exemptions") as batch:
        batch.drop_column("until")
        batch.drop_column("granted")
        batch.drop_column("cases")
