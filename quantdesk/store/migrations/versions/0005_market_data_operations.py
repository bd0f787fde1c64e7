"""Market data: skipped rows of incremental/backfill runs; long-running operations.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Rows of an incremental (backfill) run at or before the newest (at or after the
    # oldest) stored session: received, valid, deliberately not stored.
    op.add_column(
        "ingestion_runs",
        sa.Column("skipped", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "operations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(60), nullable=False),
        # queued | running | succeeded | failed | cancelled
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress_percent", sa.Double(), nullable=False),
        sa.Column("progress_message", sa.Text(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),  # JSON, what was asked
        sa.Column("result", sa.Text(), nullable=True),  # JSON, on success
        sa.Column("error", sa.Text(), nullable=True),  # JSON {code, message, details}
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
    )
    op.create_index("ix_operations_status", "operations", ["status"])


def downgrade() -> None:
    op.drop_index("ix_operations_status", table_name="operations")
    op.drop_table("operations")
    with op.batch_alter_table("ingestion_runs") as batch:
        batch.drop_column("skipped")
