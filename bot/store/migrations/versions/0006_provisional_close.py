"""A month's close is provisional until the completions export covering the deadline has been
read (or a grace period has passed): when it became final, and why.

Months closed before this revision were closed under the old rule, frozen for good: they
are final from their close.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("month_closes") as batch_op:
        batch_op.add_column(sa.Column("final_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("final_why", sa.String(length=10), nullable=True))
    op.execute("UPDATE month_closes SET final_at = closed_at, final_why = 'export'")


def downgrade() -> None:
    with op.batch_alter_table("month_closes") as batch_op:
        batch_op.drop_column("final_why")
        batch_op.drop_column("final_at")
