"""Recording the brokerage's answers: each new fill once, at the price of that fill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from quantdesk.clock import SystemClock
from quantdesk.services.execution import ExecutionService
from quantdesk.store.models import BatchOrderRow, PortfolioFillRow, RebalanceBatchRow
from tests.conftest import NOW, active_client


@pytest.fixture
def order(sessions):
    active_client(sessions)
    with sessions() as session:
        session.add(
            RebalanceBatchRow(
                id="rb1",
                client_id="c1",
                kind="rebalance",
                status="executing",
                priced_on=date(2018, 1, 2),
                value="10000.00",
                cash_before="10000.00",
                cash_after="0.00",
                positions_after="{}",
                approval_required=False,
                proposed_by="client c1",
                proposed_at=NOW,
                expires_at=NOW,
                updated_at=NOW,
            )
        )
        session.flush()
        session.add(
            BatchOrderRow(
                id="bo1",
                batch_id="rb1",
                client_id="c1",
                sequence=1,
                symbol="SYN001",
                side="buy",
                quantity=10,
                price="40.00",
                commission="0.00",
                client_order_id="rb1-1",
                status="proposed",
                filled_quantity=0,
                filled_commission="0.00",
                updated_at=NOW,
            )
        )
        session.commit()
    links = SimpleNamespace(broker=None)
    return ExecutionService(
        sessions, SystemClock(), links, rebalances=None, risk=None, operations=None
    )  # type: ignore[arg-type]


def fills(sessions):
    with sessions() as session:
        rows = session.scalars(select(PortfolioFillRow).order_by(PortfolioFillRow.id))
        return [(r.quantity, Decimal(r.price), r.commission, r.filled_through) for r in rows]


def test_a_second_fill_is_recorded_at_its_own_price(order, sessions):
    answer = {"id": "x", "status": "partially_filled", "commission": "1.00"}
    order._record("bo1", answer | {"filled_qty": "4", "filled_avg_price": "40.0000"})
    order._record(
        "bo1", answer | {"filled_qty": "10", "filled_avg_price": "41.2000", "commission": "1.50"}
    )
    assert fills(sessions) == [
        (4, Decimal("40"), "1.00", 4),
        (6, Decimal("42"), "0.50", 10),
    ]


def test_the_same_answer_twice_records_its_fill_once(order, sessions):
    answer = {"id": "x", "status": "filled", "filled_qty": "10", "filled_avg_price": "40"}
    order._record("bo1", answer)
    order._record("bo1", answer)
    assert [f[0] for f in fills(sessions)] == [10]


def test_a_rejected_order_keeps_its_reason_and_records_no_fill(order, sessions):
    order._record("bo1", {"id": "x", "status": "rejected", "reject_reason": "halted"})
    with sessions() as session:
        row = session.get(BatchOrderRow, "bo1")
        assert (row.status, row.message, row.filled_price) == ("rejected", "halted", None)
    assert fills(sessions) == []


def test_the_active_slot_clash_is_told_apart_from_other_integrity_errors():
    from sqlalchemy.exc import IntegrityError

    from quantdesk.services.rebalancing import _lost_active_slot

    def clash(text: str) -> IntegrityError:
        return IntegrityError("INSERT", {}, Exception(text))

    assert _lost_active_slot(clash("UNIQUE constraint failed: rebalance_batches.active_client_id"))
    assert _lost_active_slot(clash('violates unique constraint "uq_rebalance_batches_active"'))
    assert not _lost_active_slot(clash("FOREIGN KEY constraint failed"))
