"""Trading risk: a client's daily loss limit and halt, and the trail of risk events
(limits set, halts with their alert, resumptions); a batch executed in the background
keeps its operation (the fingerprint of an execution, always the same, goes).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
MONEY = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "trading_risk",
        sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), primary_key=True),
        sa.Column("daily_loss_limit", MONEY, nullable=True),
        sa.Column("halted", sa.Boolean(), nullable=False),
        sa.Column("halted_reason", sa.Text(), nullable=True),
        sa.Column("resumed_session", sa.Date(), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "risk_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("session", sa.Date(), nullable=True),
        sa.Column("by", sa.String(80), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_risk_events_client_id", "risk_events", ["client_id"])
    with op.batch_alter_table("rebalance_batches") as batch:
        batch.add_column(sa.Column("execution_operation_id", sa.String(40), nullable=True))
        batch.drop_column("execution_fingerprint")


def downgrade() -> None:
    with op.batch_alter_table("rebalance_batches") as batch:
        batch.add_column(sa.Column("execution_fingerprint", sa.String(64), nullable=True))
        batch.drop_column("execution_operation_id")
    op.drop_index("ix_risk_events_client_id", table_name="risk_events")
    op.drop_table("risk_events")
    op.drop_table("trading_risk")
