"""What hostile or odd mail needs: failed sends and their back-off, answers counted for the
loop breaker, and each inbound message's content digest.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("not_before", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("answers", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("answers_thread", sa.String(length=300), nullable=True))
        batch_op.create_index("outbox_answers", ["answers", "planned_on"])
        batch_op.create_index("outbox_answers_thread", ["answers_thread", "planned_on"])
    with op.batch_alter_table("inbound") as batch_op:
        batch_op.add_column(sa.Column("content_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound") as batch_op:
        batch_op.drop_column("content_digest")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("outbox_answers_thread")
        batch_op.drop_index("outbox_answers")
        batch_op.drop_column("answers_thread")
        batch_op.drop_column("answers")
        batch_op.drop_column("not_before")
