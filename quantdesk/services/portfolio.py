"""A client's portfolio as the platform keeps it: replayed from the deposits it made and
the fills it recorded (``quantdesk.domain.portfolio``), valued at the brokerage's
prices, and reconciled with the brokerage's own account.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.domain.portfolio import Book, Fill, pnl_over_days, reconcile
from quantdesk.services.brokerage_link import BrokerageLinkService
from quantdesk.services.client_setup import require_client
from quantdesk.services.trading_views import money
from quantdesk.store.models import ClientDepositRow, PortfolioFillRow


def book_of(session: Session, client_id: str) -> Book:
    """The client's book: every deposit, then every fill in the order it was recorded."""
    deposits = session.scalars(
        select(ClientDepositRow.amount).where(ClientDepositRow.client_id == client_id)
    )
    book = Book(sum((Decimal(a) for a in deposits), Decimal(0)))
    fills = session.scalars(
        select(PortfolioFillRow)
        .where(PortfolioFillRow.client_id == client_id)
        .order_by(PortfolioFillRow.recorded_at, PortfolioFillRow.id)
    )
    for fill in fills:
        book = book.apply(
            Fill(
                fill.symbol,
                fill.side,
                fill.quantity,
                Decimal(fill.price),
                Decimal(fill.commission),
            )
        )
    return book


class PortfolioService:
    def __init__(self, sessions: sessionmaker[Session], links: BrokerageLinkService) -> None:
        self.sessions = sessions
        self.links = links
        self.broker = links.broker

    def portfolio_of(self, client_id: str) -> dict[str, Any]:
        """Positions, cash and P&L, valued at the closes of the account's session."""
        with self.sessions() as session:
            require_client(session, client_id)
            book = book_of(session, client_id)
        symbols = sorted(book.positions)

        def read(token: str) -> dict[str, Any]:
            return self.broker.prices(token, symbols) if symbols else {"prices": {}}

        quotes = self.links.with_access_token(client_id, read)
        prices = {s: Decimal(str(p)) for s, p in quotes["prices"].items()}
        market_value = book.market_value(prices)
        equity = book.cash + market_value
        unrealised = book.unrealised_pnl(prices)
        return {
            "client_id": client_id,
            "session": quotes.get("session"),
            "cash": money(book.cash),
            "market_value": money(market_value),
            "equity": money(equity),
            "realised_pnl": money(book.realised_pnl),
            "unrealised_pnl": money(unrealised),
            "commissions": money(book.commissions),
            "positions": [
                {
                    "symbol": symbol,
                    "quantity": position.quantity,
                    "average_cost": str(position.average_cost.normalize()),
                    "price": money(prices[symbol]),
                    "market_value": money(position.quantity * prices[symbol]),
                    "unrealised_pnl": money(
                        (prices[symbol] - position.average_cost) * position.quantity
                    ),
                    "weight": str(
                        (position.quantity * prices[symbol] / equity).quantize(Decimal("0.0001"))
                    )
                    if equity
                    else "0",
                }
                for symbol, position in sorted(book.positions.items())
            ],
        }

    def history_of(self, client_id: str) -> dict[str, Any]:
        """The portfolio's value at each session's close and the gain of each day, net of
        deposits, as the brokerage's account history has them."""
        with self.sessions() as session:
            require_client(session, client_id)
        history = self.links.with_access_token(client_id, self.broker.portfolio_history)
        points = [
            (str(day), Decimal(str(equity)), Decimal(str(deposits)))
            for day, equity, deposits in zip(
                history.get("sessions") or [],
                history.get("equity") or [],
                history.get("deposits") or [],
                strict=False,
            )
        ]
        return {
            "client_id": client_id,
            "days": [
                {
                    "session": day.session,
                    "equity": money(day.equity),
                    "deposits": money(day.deposits),
                    "day_pnl": money(day.day_pnl),
                    "total_pnl": money(day.total_pnl),
                }
                for day in pnl_over_days(points)
            ],
        }

    def reconciliation_of(self, client_id: str) -> dict[str, Any]:
        """Every difference between the platform's book and the brokerage's account."""
        with self.sessions() as session:
            require_client(session, client_id)
            book = book_of(session, client_id)

        def read(token: str) -> tuple[dict[str, int], Decimal]:
            held = {p["symbol"]: int(p["qty"]) for p in self.broker.positions(token)}
            return held, Decimal(str(self.broker.trading_account(token)["cash"]))

        held, cash = self.links.with_access_token(client_id, read)
        differences = reconcile(book, held, cash)
        return {
            "client_id": client_id,
            "agrees": not differences,
            "differences": [
                {
                    "what": d.what,
                    "symbol": d.symbol,
                    "platform": d.platform,
                    "brokerage": d.brokerage,
                }
                for d in differences
            ],
        }
