"""Retention: a stored message's raw bytes can be deleted, keeping a digest of them and when
they went.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound") as batch:
        batch.add_column(sa.Column("raw_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("inbound_received_at", "inbound", ["received_at"])


def downgrade() -> None:
    op.drop_index("inbound_received_at", table_name="inbound")
    with op.batch_alter_table("inbound") as batch:
        batch.drop_column("purged_at")
        batch.drop_column("raw_sha256")
