"""Onboarding after registration: brokerage links (OAuth), preferences, strategy, funding.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _client_fk() -> sa.ForeignKey:
    return sa.ForeignKey("clients.id")


def upgrade() -> None:
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("client_id", sa.String(40), _client_fk(), nullable=False, index=True),
        sa.Column("state_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("code_verifier_enc", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("completed_at", TS, nullable=True),
        sa.Column("outcome", sa.String(30), nullable=True),
    )
    op.create_table(
        "brokerage_links",
        sa.Column("client_id", sa.String(40), _client_fk(), primary_key=True),
        sa.Column("broker_account_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("access_token_enc", sa.Text(), nullable=True),
        sa.Column("refresh_token_enc", sa.Text(), nullable=True),
        sa.Column("access_expires_at", TS, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("linked_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "portfolio_preferences",
        sa.Column("client_id", sa.String(40), _client_fk(), primary_key=True),
        sa.Column("universe", sa.Text(), nullable=False),
        sa.Column("excluded", sa.Text(), nullable=False),
        sa.Column("max_position_weight", sa.String(12), nullable=False),
        sa.Column("cash_buffer", sa.String(12), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "client_strategies",
        sa.Column("client_id", sa.String(40), _client_fk(), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("model_alias", sa.String(100), nullable=True),
        sa.Column("chosen_at", TS, nullable=False),
    )
    op.create_table(
        "client_deposits",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("client_id", sa.String(40), _client_fk(), nullable=False, index=True),
        sa.Column("broker_account_id", sa.String(40), nullable=False),
        sa.Column("broker_deposit_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("client_id", "idempotency_key", name="uq_client_deposits_key"),
    )


def downgrade() -> None:
    for table in (
        "client_deposits",
        "client_strategies",
        "portfolio_preferences",
        "brokerage_links",
        "link_attempts",
    ):
        op.drop_table(table)
