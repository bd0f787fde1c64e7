"""How batches, their orders and audit trail read in the contract: money as decimal
strings with two places, weights and prices as plain decimal strings."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from quantdesk.clock import utc_text
from quantdesk.store.models import BatchOrderRow, BatchTransitionRow, RebalanceBatchRow

CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    return str(amount.quantize(CENT, rounding=ROUND_HALF_EVEN))


def order_view(order: BatchOrderRow) -> dict[str, Any]:
    return {
        "sequence": order.sequence,
        "symbol": order.symbol,
        "side": order.side,
        "quantity": order.quantity,
        "price": order.price,
        "notional": money(order.quantity * Decimal(order.price)),
        "commission": order.commission,
        "client_order_id": order.client_order_id,
        "broker_order_id": order.broker_order_id,
        "status": order.status,
        "denied_limit": order.denied_limit,
        "message": order.message,
        "filled_quantity": order.filled_quantity,
        "filled_price": order.filled_price,
        "filled_commission": order.filled_commission,
    }


def transition_view(line: BatchTransitionRow) -> dict[str, Any]:
    return {
        "from": line.from_state,
        "to": line.to_state,
        "at": utc_text(line.at),
        "by": line.by,
        "reason": line.reason,
    }


def batch_view(
    batch: RebalanceBatchRow, orders: list[BatchOrderRow], trail: list[BatchTransitionRow]
) -> dict[str, Any]:
    return {
        "id": batch.id,
        "client_id": batch.client_id,
        "kind": batch.kind,
        "status": batch.status,
        "priced_on": batch.priced_on.isoformat(),
        "value": batch.value,
        "cash_before": batch.cash_before,
        "cash_after": batch.cash_after,
        "positions_after": [
            {"symbol": symbol, "quantity": quantity}
            for symbol, quantity in json.loads(batch.positions_after).items()
        ],
        "approval_required": batch.approval_required,
        "model": (
            {"name": batch.model_name, "version": batch.model_version}
            if batch.model_name is not None
            else None
        ),
        "reason": batch.reason,
        "proposed_by": batch.proposed_by,
        "proposed_at": utc_text(batch.proposed_at),
        "expires_at": utc_text(batch.expires_at),
        "orders": [order_view(o) for o in orders],
        "transitions": [transition_view(t) for t in trail],
    }
