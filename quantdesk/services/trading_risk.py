"""A client's daily loss limit, the halt it triggers and an operator's resumption.

- An operator sets (or clears) the daily loss limit, in money, with a reason.
- Before a rebalance is executed, the day's loss (the brokerage's equity at the previous
  session's close less its equity now) is compared with the limit. A loss beyond it
  halts the client's trading and records an alert; a loss exactly at it does not.
- While halted, only orders that reduce risk (sells) are sent: every buy is denied with
  the limit ``halted``. The halt lasts until an operator resumes trading, with a reason;
  the loss of the session in which trading was resumed does not halt it again.
- Every change (limit set, halted, resumed) is kept: who, when, the session and why.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock, utc_text
from quantdesk.domain.risk import breaches_daily_loss, daily_loss
from quantdesk.errors import TradingNotHalted
from quantdesk.services.brokerage_link import BrokerageLinkService
from quantdesk.services.client_setup import require_client
from quantdesk.services.rebalancing import Market
from quantdesk.services.trading_views import money
from quantdesk.store.models import RiskEventRow, TradingRiskRow

log = logging.getLogger("quantdesk.trading")


class TradingRiskService:
    def __init__(
        self, sessions: sessionmaker[Session], clock: SystemClock, links: BrokerageLinkService
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.links = links

    def view(self, client_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            require_client(session, client_id)
            return self._view(session, client_id)

    def set_limit(self, client_id: str, limit: Decimal | None, *, by: str, reason: str) -> dict:
        with self.sessions() as session:
            require_client(session, client_id)
            row = self._row(session, client_id)
            row.daily_loss_limit = money(limit) if limit is not None else None
            row.updated_at = self.clock.now()
            shown = row.daily_loss_limit or "none"
            self._event(
                session, client_id, "limit_set", None, by, f"daily loss limit {shown}: {reason}"
            )
            session.commit()
            return self._view(session, client_id)

    def resume(self, client_id: str, *, by: str, reason: str) -> dict[str, Any]:
        with self.sessions() as session:
            require_client(session, client_id)
            if not self._row(session, client_id).halted:
                raise TradingNotHalted(
                    "The client's trading is not halted: there is nothing to resume.",
                    details={"trading": "active"},
                )
        account = self.links.with_access_token(client_id, self.links.broker.trading_account)
        on = date.fromisoformat(str(account["session"]))
        with self.sessions() as session:
            row = self._row(session, client_id)
            if not row.halted:  # resumed meanwhile by another operator
                return self._view(session, client_id)
            row.halted, row.halted_reason, row.resumed_session = False, None, on
            row.updated_at = self.clock.now()
            self._event(session, client_id, "resumed", on, by, reason)
            session.commit()
            return self._view(session, client_id)

    def halted(self, client_id: str, market: Market) -> bool:
        """Whether the client may only reduce risk now, halting it first when the day's
        loss at the brokerage (``market``) is beyond its limit."""
        on = date.fromisoformat(market.session)
        with self.sessions() as session:
            row = self._row(session, client_id)
            if row.halted:
                return True
            limit = Decimal(row.daily_loss_limit) if row.daily_loss_limit is not None else None
            loss = daily_loss(market.last_equity, market.equity)
            if limit is None or row.resumed_session == on or not breaches_daily_loss(loss, limit):
                session.rollback()
                return False
            reason = (
                f"the day's loss of {money(loss)} since the close of the previous session is "
                f"beyond the daily loss limit of {money(limit)}"
            )
            row.halted, row.halted_reason, row.updated_at = True, reason, self.clock.now()
            self._event(session, client_id, "halted", on, "platform", reason)
            session.commit()
        log.warning("trading halted for client %s: %s", client_id, reason)
        return True

    # -- rows ---------------------------------------------------------------------------
    def _row(self, session: Session, client_id: str) -> TradingRiskRow:
        row = session.get(TradingRiskRow, client_id)
        if row is None:
            row = TradingRiskRow(client_id=client_id, halted=False, updated_at=self.clock.now())
            session.add(row)
        return row

    def _event(
        self, session: Session, client_id: str, kind: str, on: date | None, by: str, message: str
    ) -> None:
        session.add(
            RiskEventRow(
                client_id=client_id,
                kind=kind,
                session=on,
                by=by,
                message=message,
                at=self.clock.now(),
            )
        )

    def _view(self, session: Session, client_id: str) -> dict[str, Any]:
        row = session.get(TradingRiskRow, client_id)
        events = session.scalars(
            select(RiskEventRow)
            .where(RiskEventRow.client_id == client_id)
            .order_by(RiskEventRow.id)
        )
        return {
            "client_id": client_id,
            "daily_loss_limit": row.daily_loss_limit if row else None,
            "trading": "halted" if row is not None and row.halted else "active",
            "halted_reason": row.halted_reason if row else None,
            "events": [
                {
                    "kind": e.kind,
                    "session": e.session.isoformat() if e.session else None,
                    "by": e.by,
                    "message": e.message,
                    "at": utc_text(e.at),
                }
                for e in events
            ],
        }
