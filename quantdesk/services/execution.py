"""Executing an approved batch on the paper brokerage.

- Only an approved batch, still within its lifetime and priced at the brokerage's
  current session, is executed; one execution wins the batch (``claim``), so orders
  are placed once however many requests arrive together.
- Before each order goes out, the platform's own limits are checked against the account
  as it is then (``quantdesk.domain.risk``): a denied order is recorded with the limit
  it broke and never reaches the brokerage.
- Orders go out in the batch's order (sells first). Each carries the batch's
  ``client_order_id`` for it: placing it again is refused by the brokerage, and the
  platform then reads the order it already placed instead.
- Each order's answer, and the fill it brings, is recorded in one transaction.
- The batch ends ``executed``, ``partially_executed`` or ``failed``. If the brokerage is
  unavailable before any order is placed, the batch goes back to ``approved``: nothing
  was done, and it can be executed again.
- The same ``Idempotency-Key`` again answers the execution already made.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.broker.client import BrokerRefused
from quantdesk.clock import SystemClock
from quantdesk.domain import batches
from quantdesk.domain.rebalancing import Commission, ProposedOrder, portfolio_value
from quantdesk.domain.risk import Denial, Exposure, RiskLimits, check_order
from quantdesk.errors import BatchInWrongState, BrokerageUnavailable, PricesStale
from quantdesk.faults import InjectedFault, InjectedFaults
from quantdesk.jobs.operations import OperationCancelled, Operations, Progress
from quantdesk.services.brokerage_link import BrokerageLinkService
from quantdesk.services.client_setup import require_client
from quantdesk.services.rebalancing import Market, RebalanceService, claim, transition
from quantdesk.services.trading_risk import TradingRiskService
from quantdesk.services.trading_views import money
from quantdesk.store.models import BatchOrderRow, PortfolioFillRow, RebalanceBatchRow

log = logging.getLogger("quantdesk.trading")
PRICE_STEP = Decimal("0.0001")
EXECUTION_KIND = "rebalance_execution"
# Orders the brokerage has finished with, as the platform recorded them.
SETTLED = ("filled", "canceled", "rejected", "expired", "denied")
# Orders whose fills may still be unknown to the platform.
UNSETTLED = ("proposed", "unknown", "new", "accepted", "partially_filled")
# An order whose placing got no answer: the brokerage may or may not have it.
UNKNOWN = "unknown"


@dataclass
class PreTrade:
    """The account as orders go out: what each check needs, kept current after each fill."""

    limits: RiskLimits
    cash: Decimal
    value: Decimal
    held: dict[str, int]
    prices: dict[str, Decimal]
    commission: Commission
    halted: bool = False

    def check(self, order: BatchOrderRow) -> Denial | None:
        price = self.prices[order.symbol]
        proposed = ProposedOrder(
            order.symbol, order.side, order.quantity, price, self.commission.of(order.quantity)
        )
        exposure = Exposure(self.held.get(order.symbol, 0), self.cash, self.value)
        return check_order(proposed, exposure, self.limits, halted=self.halted)

    def settle(self, order: BatchOrderRow, answer: dict[str, Any]) -> None:
        filled = int(answer.get("filled_qty") or 0)
        price = Decimal(str(answer.get("filled_avg_price") or 0))
        commission = Decimal(str(answer.get("commission") or 0))
        signed = filled if order.side == "buy" else -filled
        self.held[order.symbol] = self.held.get(order.symbol, 0) + signed
        self.cash -= signed * price + commission


class ExecutionService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: SystemClock,
        links: BrokerageLinkService,
        rebalances: RebalanceService,
        risk: TradingRiskService,
        operations: Operations,
        faults: InjectedFaults | None = None,
        *,
        sync_max_orders: int = 20,
    ) -> None:
        self.operations = operations
        self.sync_max_orders = sync_max_orders
        self.sessions = sessions
        self.risk = risk
        self.faults = faults or InjectedFaults()
        self.clock = clock
        self.links = links
        self.broker = links.broker
        self.rebalances = rebalances

    def execute(
        self,
        client_id: str,
        batch_id: str,
        *,
        by: str,
        key: str | None,
        in_background: bool = False,
    ) -> tuple[bool, dict[str, Any]]:
        """Execute the batch: ``(False, batch)`` when done in the request, or
        ``(True, operation)`` when it runs in the background (asked for, or more orders
        than run in a request)."""
        with self.sessions() as session:
            batch = self.rebalances.batch_row(session, client_id, batch_id)
            if key is not None and batch.execution_key == key:  # the execution already made
                if batch.execution_operation_id is not None:
                    return True, self.operations.get(batch.execution_operation_id)
                return False, self.rebalances.view(session, batch)
            if batch.status != batches.APPROVED:
                raise BatchInWrongState(
                    f"The batch is {batch.status.replace('_', ' ')}: it cannot be executed.",
                    details={"status": batch.status},
                )
            priced_on, closing = batch.priced_on, batch.kind == "close_out"
            orders = list(
                session.scalars(
                    select(BatchOrderRow)
                    .where(BatchOrderRow.batch_id == batch_id)
                    .order_by(BatchOrderRow.sequence)
                )
            )
        # One read of the account serves both the session check and the pre-trade limits.
        desk, market = self._pre_trade(client_id, orders)
        session_now = market.session
        if session_now != priced_on.isoformat():
            raise PricesStale(
                f"The batch was proposed at the prices of {priced_on.isoformat()}; the "
                f"brokerage now trades {session_now}. Propose it afresh.",
                details={"priced_on": priced_on.isoformat(), "session": session_now},
            )
        with self.sessions() as session:
            batch = self.rebalances.batch_row(session, client_id, batch_id)
            if not claim(session, batch, by=by, at=self.clock.now()):
                session.rollback()
                raise BatchInWrongState(
                    "The batch is being executed or was executed already.",
                    details={"status": session.get(RebalanceBatchRow, batch_id).status},
                )
            operation = None
            if in_background or len(orders) > self.sync_max_orders:
                # Written with the claim: the same key finds the operation from then on.
                request = {"client_id": client_id, "batch_id": batch_id, "orders": len(orders)}
                operation = self.operations.queued(EXECUTION_KIND, request)
                session.add(operation)
            batch.execution_key = key
            batch.execution_operation_id = operation.id if operation is not None else None
            session.commit()
        desk.halted = self.risk.halted(client_id, market)
        if operation is None:
            return False, self._run(client_id, batch_id, orders, desk, closing=closing, by=by)
        return True, self.operations.start(
            operation,
            lambda progress: self._run(
                client_id, batch_id, orders, desk, closing=closing, by=by, progress=progress
            ),
        )

    def _run(
        self,
        client_id: str,
        batch_id: str,
        orders: list[BatchOrderRow],
        desk: PreTrade,
        *,
        closing: bool,
        by: str,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        if closing:  # nothing may fill after the account is closed out
            self.links.with_access_token(client_id, self._cancel_open_orders)
        placed_any = False
        for done, order in enumerate(orders):
            if progress is not None:
                self._report(progress, done, len(orders), client_id, batch_id, by=by)
            if order.status in SETTLED:  # recorded already (by a repair): never sent again
                continue
            try:
                answer = self._already_placed(client_id, order)
                # A fill found standing was in the account read before the first order.
                counted = answer is not None
                if answer is None:
                    denial = desk.check(order)
                    if denial is not None:  # the platform's own limit: never sent
                        self._deny(order.id, denial)
                        continue
                    answer = self.links.with_access_token(
                        client_id, lambda token, o=order: self._place(token, o)
                    )
            except BrokerageUnavailable:
                self._set_status(order.id, UNKNOWN)  # it may stand at the brokerage
                return self._interrupted(
                    client_id, batch_id, placed_any=placed_any, by=by, left=len(orders) - done
                )
            placed_any = True
            try:
                self._record(order.id, answer)
            except (InjectedFault, SQLAlchemyError):
                # The brokerage did it; the platform could not write it down. Nothing of
                # it was kept: stop, and let a repair record it from the brokerage.
                log.exception("recording the fill of order %s failed", order.client_order_id)
                return self._recording_failed(client_id, batch_id, order, by=by)
            if not counted:
                desk.settle(order, answer)
        return self._finish(client_id, batch_id, by=by)

    def _cancel_open_orders(self, token: str) -> None:
        for order in self.broker.open_orders(token):
            try:
                self.broker.cancel_order(token, str(order["id"]))
            except BrokerRefused as refused:  # it filled or ended meanwhile: nothing to cancel
                if refused.code != "order_not_cancelable":
                    raise

    def _pre_trade(self, client_id: str, orders: list[BatchOrderRow]) -> tuple[PreTrade, Market]:
        """The client's limits and the account as the brokerage has it now, and the session
        the brokerage trades."""
        with self.sessions() as session:
            targets = self.rebalances.recommendations.targets_of(session, client_id)
        market = self.rebalances.market_of(client_id, {o.symbol for o in orders})
        desk = PreTrade(
            limits=RiskLimits(
                max_position_weight=targets["max_position_weight"],
                max_order_notional=self.rebalances.settings.max_order_notional,
                universe=frozenset(s for s, w in targets["weights"].items() if w > 0),
            ),
            cash=market.cash,
            value=portfolio_value(market.positions, market.cash, market.prices),
            held=dict(market.positions),
            prices=market.prices,
            commission=market.commission,
        )
        return desk, market

    def _report(
        self, progress: Progress, done: int, total: int, client_id: str, batch_id: str, *, by: str
    ) -> None:
        """Progress before the next order; a cancel ends the batch as far as it went."""
        try:
            progress(done / total, f"order {done + 1} of {total}")
        except OperationCancelled:
            reason = f"the execution was cancelled; {total - done} of {total} orders not sent"
            self._finish(client_id, batch_id, by=by, note=reason)
            raise

    def _already_placed(self, client_id: str, order: BatchOrderRow) -> dict[str, Any] | None:
        """The brokerage's order for one whose answer never came (None: it has none, so
        it is checked and placed as any other)."""
        if order.status != UNKNOWN:
            return None
        return self.links.with_access_token(
            client_id,
            lambda token: self.broker.order_by_client_order_id(token, order.client_order_id),
        )

    def _set_status(self, order_id: str, status: str) -> None:
        with self.sessions() as session:
            order = session.get(BatchOrderRow, order_id)
            assert order is not None
            order.status, order.updated_at = status, self.clock.now()
            session.commit()

    def _deny(self, order_id: str, denial: Denial) -> None:
        with self.sessions() as session:
            order = session.get(BatchOrderRow, order_id)
            assert order is not None
            order.status = "denied"
            order.denied_limit = denial.limit
            order.message = denial.message
            order.updated_at = self.clock.now()
            session.commit()

    def _place(self, token: str, order: BatchOrderRow) -> dict[str, Any]:
        """Place the order, or read the one placed already under its client_order_id."""
        try:
            return self.broker.place_order(
                token,
                symbol=order.symbol,
                side=order.side,
                qty=order.quantity,
                client_order_id=order.client_order_id,
            )
        except BrokerRefused as refused:
            if refused.code != "duplicate_client_order_id":
                raise
            placed = self.broker.order_by_client_order_id(token, order.client_order_id)
            if placed is None:
                raise
            return placed

    def _record(self, order_id: str, answer: dict[str, Any]) -> None:
        """The brokerage's answer for one order, and its new fill, in one transaction."""
        now = self.clock.now()
        with self.sessions() as session:
            order = session.get(BatchOrderRow, order_id)
            assert order is not None
            filled = int(answer.get("filled_qty") or 0)
            average = Decimal(str(answer.get("filled_avg_price") or 0))
            commission = Decimal(str(answer.get("commission") or 0))
            new = filled - order.filled_quantity
            if new > 0:
                before = order.filled_quantity * Decimal(order.filled_price or 0)
                price = ((filled * average - before) / new).quantize(PRICE_STEP, ROUND_HALF_EVEN)
                session.add(
                    PortfolioFillRow(
                        client_id=order.client_id,
                        batch_order_id=order.id,
                        symbol=order.symbol,
                        side=order.side,
                        quantity=new,
                        price=str(price.normalize()),
                        commission=money(commission - Decimal(order.filled_commission)),
                        filled_through=filled,
                        recorded_at=now,
                    )
                )
            order.status = str(answer.get("status") or "sent")
            order.broker_order_id = str(answer.get("id") or "") or None
            order.filled_quantity = filled
            order.filled_price = str(average.normalize()) if filled else None
            order.filled_commission = money(commission)
            order.message = answer.get("reject_reason")
            order.updated_at = now
            session.flush()  # every row of the change written, none committed yet
            self.faults.check_recording(order.client_id)
            session.commit()

    def _finish(
        self, client_id: str, batch_id: str, *, by: str, note: str | None = None
    ) -> dict[str, Any]:
        """End the batch by how much of it filled, giving the rejections and ``note``
        (why it stopped early) as its reason."""
        with self.sessions() as session:
            batch = self.rebalances.batch_row(session, client_id, batch_id)
            orders = list(
                session.scalars(select(BatchOrderRow).where(BatchOrderRow.batch_id == batch_id))
            )
            ordered = sum(o.quantity for o in orders)
            filled = sum(o.filled_quantity for o in orders)
            ending = batches.outcome(filled, ordered) if ordered else batches.EXECUTED
            rejected = [o for o in orders if o.status == "rejected"]
            reason = "; ".join(f"{o.symbol}: {o.message or 'rejected'}" for o in rejected) or None
            if note is not None:
                reason = "; ".join(r for r in (note, reason) if r)
            transition(
                session, batch, ending, by=by, at=self.clock.now(), action=ending, reason=reason
            )
            batch.reason = reason
            session.commit()
            return self.rebalances.view(session, batch)

    def _recording_failed(
        self, client_id: str, batch_id: str, order: BatchOrderRow, *, by: str
    ) -> dict[str, Any]:
        reason = (
            f"the fill of the order to {order.side} {order.symbol} could not be recorded; "
            "no further order was sent: repair the book from the brokerage"
        )
        return self._finish(client_id, batch_id, by=by, note=reason)

    def _interrupted(
        self, client_id: str, batch_id: str, *, placed_any: bool, by: str, left: int
    ) -> dict[str, Any]:
        """The brokerage went away: nothing placed puts the batch back, else it fails."""
        with self.sessions() as session:
            batch = self.rebalances.batch_row(session, client_id, batch_id)
            if not placed_any:
                transition(
                    session,
                    batch,
                    batches.APPROVED,
                    by=by,
                    at=self.clock.now(),
                    action="handed back",
                    reason="the brokerage was unavailable; nothing was sent",
                )
                batch.execution_key = batch.execution_operation_id = None
                session.commit()
                raise BrokerageUnavailable(
                    "The brokerage is unavailable; it confirmed no order and the batch can be "
                    "executed again (an order it placed is never placed twice).",
                    details={"during": "executing a rebalance"},
                )
        note = f"the brokerage became unavailable; {left} orders not confirmed"
        return self._finish(client_id, batch_id, by=by, note=note)

    def repair(self, client_id: str) -> int:
        """Record what the brokerage did with orders whose answer the platform never got
        (looked up by ``client_order_id``, never placed again); how many were repaired."""
        with self.sessions() as session:
            require_client(session, client_id)
            orders = list(
                session.scalars(
                    select(BatchOrderRow)
                    .where(
                        BatchOrderRow.client_id == client_id,
                        BatchOrderRow.status.in_(UNSETTLED),
                    )
                    .order_by(BatchOrderRow.updated_at, BatchOrderRow.sequence)
                )
            )
        repaired = 0
        for order in orders:
            placed = self.links.with_access_token(
                client_id,
                lambda token, o=order: self.broker.order_by_client_order_id(
                    token, o.client_order_id
                ),
            )
            if placed is not None and int(placed.get("filled_qty") or 0) != order.filled_quantity:
                self._record(order.id, placed)
                repaired += 1
        return repaired
