"""Client details for suitability (country, horizon) and credentials (password, sessions).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: clients registered before this migration have none of these yet.
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("country", sa.String(2), nullable=True))
        batch.add_column(sa.Column("investment_horizon_years", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("password_hash", sa.String(200), nullable=True))
    op.create_table(
        "client_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_client_sessions_client_id", "client_sessions", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_client_sessions_client_id", "client_sessions")
    op.drop_table("client_sessions")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("password_hash")
        batch.drop_column("investment_horizon_years")
        batch.drop_column("country")
