"""The cases each allocation mail listed, in a table of their own, and an index that answers
each tick's read of a month's outbox keys without visiting the rows.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_outbox = sa.table(
    "outbox",
    sa.column("key", sa.String),
    sa.column("kind", sa.String),
    sa.column("month", sa.String),
    sa.column("about", sa.String),
    sa.column("detail", sa.JSON),
)


def upgrade() -> None:
    allocated_cases = op.create_table(
        "allocated_cases",
        sa.Column("outbox_key", sa.String(length=400), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("auditor_email", sa.String(length=320), nullable=False),
        sa.Column("case_ref", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("outbox_key", "position"),
    )
    op.create_index("allocated_cases_month", "allocated_cases", ["month", "auditor_email"])
    # The allocations already recorded, from the cases their rows list.
    allocations = op.get_bind().execute(
        sa.select(_outbox.c.key, _outbox.c.month, _outbox.c.about, _outbox.c.detail).where(
            _outbox.c.kind.in_(["allocation", "allocation_update"])
        )
    )
    rows = [
        {
            "outbox_key": key,
            "position": position,
            "month": month,
            "auditor_email": about,
            "case_ref": case_ref,
        }
        for key, month, about, detail in allocations
        for position, case_ref in enumerate((detail or {}).get("cases") or ())
    ]
    if rows:
        op.bulk_insert(allocated_cases, rows)
    op.drop_index("ix_outbox_month", table_name="outbox")
    op.create_index("outbox_month_records", "outbox", ["month", "key", "status", "planned_on"])


def downgrade() -> None:
    op.drop_index("outbox_month_records", table_name="outbox")
    op.create_index("ix_outbox_month", "outbox", ["month"])
    op.drop_index("allocated_cases_month", table_name="allocated_cases")
    op.drop_table("allocated_cases")
