"""Rebalance batches: proposed from the brokerage's positions, cash and prices, then
approved or rejected, dry-run, and expired (``quantdesk.domain.rebalancing`` and
``quantdesk.domain.batches`` hold the rules).

A client has at most one active batch: proposing again supersedes the active one
(unless it is being executed). Every state change is one transaction and one line of
the batch's audit trail.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock, as_utc
from quantdesk.domain import batches
from quantdesk.domain.rebalancing import Commission, Proposal, RebalanceRules, propose
from quantdesk.errors import BatchInWrongState, NotFound
from quantdesk.services.brokerage_link import BrokerageLinkService
from quantdesk.services.recommendations import RecommendationService
from quantdesk.services.trading_views import batch_view, money
from quantdesk.settings import Settings
from quantdesk.store.models import (
    BatchOrderRow,
    BatchTransitionRow,
    RebalanceBatchRow,
)


@dataclass(frozen=True)
class Market:
    """What the brokerage says of a client's account at one moment."""

    session: str
    cash: Decimal
    positions: dict[str, int]
    prices: dict[str, Decimal]
    commission: Commission
    equity: Decimal
    last_equity: Decimal  # at the previous session's close


def rules_of(settings: Settings, cash_buffer: Decimal, commission: Commission) -> RebalanceRules:
    return RebalanceRules(
        cash_buffer=cash_buffer,
        min_notional=settings.min_order_notional,
        drift_band=settings.drift_band,
        commission=commission,
    )


def commission_of(account: dict[str, Any]) -> Commission:
    """The commission schedule the brokerage publishes with the account (none: free)."""
    schedule = account.get("commission") or {}
    return Commission(
        Decimal(str(schedule.get("per_share", 0))),
        Decimal(str(schedule.get("minimum", 0))),
        Decimal(str(schedule.get("per_order", 0))),
    )


def transition(
    session: Session,
    batch: RebalanceBatchRow,
    to: str,
    *,
    by: str,
    at: Any,
    action: str,
    reason: str | None = None,
) -> None:
    """Move ``batch`` to ``to`` (or ``BatchInWrongState``) and write the audit line."""
    try:
        batches.move(batch.status, to, action=action)
    except batches.WrongState as wrong:
        raise BatchInWrongState(str(wrong), details={"status": batch.status}) from None
    session.add(
        BatchTransitionRow(
            batch_id=batch.id, from_state=batch.status, to_state=to, at=at, by=by, reason=reason
        )
    )
    batch.status = to
    batch.updated_at = at
    if to not in batches.ACTIVE:
        batch.active_client_id = None


class RebalanceService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: SystemClock,
        settings: Settings,
        links: BrokerageLinkService,
        recommendations: RecommendationService,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.links = links
        self.broker = links.broker
        self.recommendations = recommendations

    # -- the brokerage ------------------------------------------------------------------
    def market_of(self, client_id: str, symbols: set[str]) -> Market:
        """The account's cash, positions and the closes of ``symbols`` and of what it holds."""

        def read(token: str) -> Market:
            account = self.broker.trading_account(token)
            held = {p["symbol"]: int(p["qty"]) for p in self.broker.positions(token)}
            wanted = sorted(symbols | set(held))
            quotes = self.broker.prices(token, wanted)["prices"] if wanted else {}
            return Market(
                session=str(account["session"]),
                cash=Decimal(str(account["cash"])),
                positions=held,
                prices={s: Decimal(str(p)) for s, p in quotes.items()},
                commission=commission_of(account),
                equity=Decimal(str(account.get("equity") or 0)),
                # A brokerage that does not say measures the day from now: no loss.
                last_equity=Decimal(str(account.get("last_equity") or account.get("equity") or 0)),
            )

        return self.links.with_access_token(client_id, read)

    # -- proposing ----------------------------------------------------------------------
    def propose(self, client_id: str, *, by: str, close_out: bool = False) -> dict[str, Any]:
        """The orders to the client's targets; ``close_out``: the orders that sell every
        position, whatever its size (the account ends with cash only)."""
        with self.sessions() as session:
            targets = self.recommendations.targets_of(session, client_id)
        weights: dict[str, Decimal] = {} if close_out else targets["weights"]
        market = self.market_of(client_id, set(weights))
        model = None if close_out else targets["model"]
        rules = rules_of(self.settings, targets["cash_buffer"], market.commission)
        if close_out:
            rules = replace(rules, min_notional=Decimal(0))
        proposal = propose(
            market.positions,
            market.cash,
            market.prices,
            {s: w for s, w in weights.items() if w > 0},
            rules,
        )
        approval = bool(targets["approval_required"])
        kind = "close_out" if close_out else "rebalance"
        for _ in range(3):  # a proposal made at the same moment may win the active slot
            try:
                return self._record(
                    client_id, proposal, market, approval, by=by, kind=kind, model=model
                )
            except IntegrityError as clash:
                if not _lost_active_slot(clash):
                    raise
        raise BatchInWrongState("Another proposal for the client is being recorded.")

    def _record(
        self,
        client_id: str,
        proposal: Proposal,
        market: Market,
        approval: bool,
        *,
        by: str,
        kind: str,
        model: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = self.clock.now()
        with self.sessions() as session:
            active = session.scalar(
                select(RebalanceBatchRow).where(RebalanceBatchRow.active_client_id == client_id)
            )
            if active is not None:
                transition(
                    session,
                    active,
                    batches.SUPERSEDED,
                    by=by,
                    at=now,
                    action="superseded",
                    reason="a newer proposal replaced it",
                )
                session.flush()
            batch = RebalanceBatchRow(
                id=f"rb_{uuid.uuid4().hex[:20]}",
                client_id=client_id,
                kind=kind,
                status=batches.PROPOSED,
                active_client_id=client_id,
                priced_on=date.fromisoformat(market.session),
                value=money(proposal.value),
                cash_before=money(market.cash),
                cash_after=money(proposal.cash_after),
                positions_after=json.dumps(proposal.positions_after, sort_keys=True),
                approval_required=approval,
                proposed_by=by,
                proposed_at=now,
                expires_at=now + timedelta(seconds=self.settings.rebalance_ttl_seconds),
                updated_at=now,
                model_name=model["name"] if model else None,
                model_version=model["version"] if model else None,
            )
            session.add(batch)
            session.flush()  # the batch's row first: its orders and trail refer to it
            session.add(
                BatchTransitionRow(
                    batch_id=batch.id, from_state=None, to_state=batches.PROPOSED, at=now, by=by
                )
            )
            for sequence, order in enumerate(proposal.orders, start=1):
                session.add(
                    BatchOrderRow(
                        id=f"bo_{uuid.uuid4().hex[:20]}",
                        batch_id=batch.id,
                        client_id=client_id,
                        sequence=sequence,
                        symbol=order.symbol,
                        side=order.side,
                        quantity=order.quantity,
                        price=money(order.price),
                        commission=money(order.commission),
                        client_order_id=f"{batch.id}-{sequence}",
                        status="proposed",
                        filled_quantity=0,
                        filled_commission="0.00",
                        updated_at=now,
                    )
                )
            transition(
                session, batch, batches.first_state(approval), by=by, at=now, action="proposed"
            )
            session.commit()
            return self.view(session, batch)

    # -- reading ------------------------------------------------------------------------
    def view(self, session: Session, batch: RebalanceBatchRow) -> dict[str, Any]:
        orders = session.scalars(
            select(BatchOrderRow)
            .where(BatchOrderRow.batch_id == batch.id)
            .order_by(BatchOrderRow.sequence)
        )
        trail = session.scalars(
            select(BatchTransitionRow)
            .where(BatchTransitionRow.batch_id == batch.id)
            .order_by(BatchTransitionRow.id)
        )
        return batch_view(batch, list(orders), list(trail))

    def batch_row(self, session: Session, client_id: str, batch_id: str) -> RebalanceBatchRow:
        """The client's batch, expired first if its time is up; another client's is 404."""
        batch = session.get(RebalanceBatchRow, batch_id)
        if batch is None or batch.client_id != client_id:
            raise NotFound("No such rebalance for this client.", details={"id": batch_id})
        now = self.clock.now()
        lifetime = as_utc(batch.expires_at) - as_utc(batch.proposed_at)
        if batch.status in (batches.PENDING_APPROVAL, batches.APPROVED) and batches.has_expired(
            as_utc(batch.proposed_at), lifetime, now
        ):
            transition(
                session,
                batch,
                batches.EXPIRED,
                by="platform",
                at=now,
                action="expired",
                reason="not executed within its lifetime",
            )
            session.commit()
        return batch

    def get(self, client_id: str, batch_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            return self.view(session, self.batch_row(session, client_id, batch_id))

    def list(self, client_id: str) -> list[dict[str, Any]]:
        with self.sessions() as session:
            ids = session.scalars(
                select(RebalanceBatchRow.id)
                .where(RebalanceBatchRow.client_id == client_id)
                .order_by(RebalanceBatchRow.proposed_at)
            )
            return [self.view(session, self.batch_row(session, client_id, i)) for i in ids]

    # -- trying ---------------------------------------------------------------------------
    def dry_run(self, client_id: str, batch_id: str) -> dict[str, Any]:
        """The fills the batch would get at the brokerage's closes now, and the account
        after them: no order is sent and nothing changes anywhere."""
        with self.sessions() as session:
            batch = self.batch_row(session, client_id, batch_id)
            if batch.status not in (batches.PENDING_APPROVAL, batches.APPROVED):
                raise BatchInWrongState(
                    f"The batch is {batch.status.replace('_', ' ')}: it cannot be dry-run.",
                    details={"status": batch.status},
                )
            orders = list(
                session.scalars(
                    select(BatchOrderRow)
                    .where(BatchOrderRow.batch_id == batch_id)
                    .order_by(BatchOrderRow.sequence)
                )
            )
        market = self.market_of(client_id, {o.symbol for o in orders})
        commission = market.commission
        positions, cash, fills = dict(market.positions), market.cash, []
        for order in orders:
            price = market.prices[order.symbol]
            fee = commission.of(order.quantity)
            signed = order.quantity if order.side == "buy" else -order.quantity
            positions[order.symbol] = positions.get(order.symbol, 0) + signed
            cash -= signed * price + fee
            fills.append(
                {
                    "symbol": order.symbol,
                    "side": order.side,
                    "quantity": order.quantity,
                    "price": money(price),
                    "commission": money(fee),
                }
            )
        return {
            "batch_id": batch_id,
            "session": market.session,
            "fills": fills,
            "cash_after": money(cash),
            "positions_after": [
                {"symbol": s, "quantity": q} for s, q in sorted(positions.items()) if q
            ],
        }

    # -- deciding -----------------------------------------------------------------------
    def decide(
        self, client_id: str, batch_id: str, *, approve: bool, by: str, reason: str | None
    ) -> dict[str, Any]:
        with self.sessions() as session:
            batch = self.batch_row(session, client_id, batch_id)
            to = batches.APPROVED if approve else batches.REJECTED
            if batch.status != batches.PENDING_APPROVAL:
                raise BatchInWrongState(
                    f"The batch is {batch.status.replace('_', ' ')}: it cannot be "
                    f"{'approved' if approve else 'rejected'}.",
                    details={"status": batch.status},
                )
            transition(
                session,
                batch,
                to,
                by=by,
                at=self.clock.now(),
                action="approved" if approve else "rejected",
                reason=reason,
            )
            session.commit()
            return self.view(session, batch)


def claim(session: Session, batch: RebalanceBatchRow, *, by: str, at: Any) -> bool:
    """Move an approved batch to executing, only if no one else did: one winner."""
    won = session.execute(
        update(RebalanceBatchRow)
        .where(RebalanceBatchRow.id == batch.id, RebalanceBatchRow.status == batches.APPROVED)
        .values(status=batches.EXECUTING, updated_at=at)
    ).rowcount
    if won:
        session.add(
            BatchTransitionRow(
                batch_id=batch.id,
                from_state=batches.APPROVED,
                to_state=batches.EXECUTING,
                at=at,
                by=by,
            )
        )
    return bool(won)


def _lost_active_slot(error: IntegrityError) -> bool:
    """Whether another batch of the client became active first (SQLite or PostgreSQL)."""
    text = str(error.orig)
    return "active_client_id" in text or "uq_rebalance_batches_active" in text
