"""Trading: rebalance batches, their orders and audit trail, and the fills the portfolio is
kept from.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
MONEY = sa.String(32)


def _client(**kw) -> sa.Column:
    return sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), nullable=False, **kw)


def upgrade() -> None:
    op.create_table(
        "rebalance_batches",
        sa.Column("id", sa.String(40), primary_key=True),
        _client(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("active_client_id", sa.String(40), nullable=True),
        sa.Column("priced_on", sa.Date(), nullable=False),
        sa.Column("value", MONEY, nullable=False),
        sa.Column("cash_before", MONEY, nullable=False),
        sa.Column("cash_after", MONEY, nullable=False),
        sa.Column("positions_after", sa.Text(), nullable=False),  # JSON {symbol: quantity}
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("execution_key", sa.String(255), nullable=True),
        sa.Column("execution_fingerprint", sa.String(64), nullable=True),
        sa.Column("proposed_by", sa.String(80), nullable=False),
        sa.Column("proposed_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("active_client_id", name="uq_rebalance_batches_active"),
    )
    op.create_index("ix_rebalance_batches_client_id", "rebalance_batches", ["client_id"])
    op.create_table(
        "batch_orders",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("batch_id", sa.String(40), sa.ForeignKey("rebalance_batches.id"), nullable=False),
        _client(),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(40), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("commission", MONEY, nullable=False),
        sa.Column("client_order_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("denied_limit", sa.String(40), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("broker_order_id", sa.String(64), nullable=True),
        sa.Column("filled_quantity", sa.Integer(), nullable=False),
        sa.Column("filled_price", MONEY, nullable=True),
        sa.Column("filled_commission", MONEY, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("client_id", "client_order_id", name="uq_batch_orders_client_order_id"),
    )
    op.create_index("ix_batch_orders_batch_id", "batch_orders", ["batch_id"])
    op.create_table(
        "batch_transitions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(40), sa.ForeignKey("rebalance_batches.id"), nullable=False),
        sa.Column("from_state", sa.String(30), nullable=True),
        sa.Column("to_state", sa.String(30), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("by", sa.String(80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_batch_transitions_batch_id", "batch_transitions", ["batch_id"])
    op.create_table(
        "portfolio_fills",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _client(),
        sa.Column(
            "batch_order_id", sa.String(40), sa.ForeignKey("batch_orders.id"), nullable=False
        ),
        sa.Column("symbol", sa.String(40), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("commission", MONEY, nullable=False),
        sa.Column("filled_through", sa.Integer(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.UniqueConstraint("batch_order_id", "filled_through", name="uq_portfolio_fills_step"),
    )
    op.create_index("ix_portfolio_fills_client_id", "portfolio_fills", ["client_id"])


def downgrade() -> None:
    for index, table in (
        ("ix_portfolio_fills_client_id", "portfolio_fills"),
        ("ix_batch_transitions_batch_id", "batch_transitions"),
        ("ix_batch_orders_batch_id", "batch_orders"),
        ("ix_rebalance_batches_client_id", "rebalance_batches"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "portfolio_fills",
        "batch_transitions",
        "batch_orders",
        "rebalance_batches",
    ):
        op.drop_table(table)
