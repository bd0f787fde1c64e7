"""A client's recommendation: the target weight of every symbol it trades.

The weights come from the client's strategy over its tradable universe (the universe
without its exclusions), capped at its maximum position weight and leaving its cash
buffer (``quantdesk.domain.recommendations``). Only an active client, every onboarding
step done, gets one.

``equal_weight`` gives every symbol the same weight. ``model`` asks the model version
behind the client's alias (``name@alias``) for each symbol's signal as of the client's
current session at the brokerage (so a model never sees a price after the day it trades
on): the symbols it holds long share the weight in proportion to their scores, the
others get none, and the recommendation names the version that produced it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock, utc_text
from quantdesk.domain.preferences import tradable
from quantdesk.domain.recommendations import capped_weights, equal_weight
from quantdesk.domain.training import LONG
from quantdesk.errors import ClientNotActive
from quantdesk.services.client_setup import checklist_of, require_client
from quantdesk.services.model_registry import ModelRegistry, parse_reference
from quantdesk.store.models import ClientStrategyRow, PortfolioPreferencesRow


def weight_text(weight: Decimal) -> str:
    """A weight as the contract's decimal string, without trailing zeros: ``"0.2375"``."""
    return f"{weight.normalize():f}"


class RecommendationService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: SystemClock,
        models: ModelRegistry,
        trading_session: Callable[[str], date],
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.models = models
        self.trading_session = trading_session

    def targets_of(self, session: Session, client_id: str) -> dict[str, Any]:
        """The target weights of an active client, in its universe's order."""
        require_client(session, client_id)
        steps = checklist_of(session, client_id)
        missing = [step for step, done in steps.items() if not done]
        if missing:
            raise ClientNotActive(
                "Only an active client trades: every onboarding step must be done first.",
                details={"missing_steps": missing},
            )
        prefs = session.get(PortfolioPreferencesRow, client_id)
        strategy = session.get(ClientStrategyRow, client_id)
        assert prefs is not None and strategy is not None  # both steps are done
        cap, buffer = Decimal(prefs.max_position_weight), Decimal(prefs.cash_buffer)
        symbols = tradable(json.loads(prefs.universe), json.loads(prefs.excluded))
        model = None
        if strategy.kind == "model":
            name, alias = parse_reference(strategy.model_alias or "")
            predictor = self.models.predictor(name, alias)
            day = self.trading_session(client_id)
            scores = {
                p["symbol"]: Decimal(p["score"]) if p["signal"] == LONG else Decimal(0)
                for p in self.models.predictions(predictor, symbols, day)
            }
            weights = capped_weights(scores, max_position_weight=cap, cash_buffer=buffer)
            model = {
                "name": name,
                "alias": alias,
                "version": predictor.version,
                "as_of": day.isoformat(),
            }
        else:
            weights = equal_weight(symbols, max_position_weight=cap, cash_buffer=buffer)
        return {
            "strategy": strategy.kind,
            "model_alias": strategy.model_alias,
            "model": model,
            "max_position_weight": cap,
            "cash_buffer": buffer,
            "approval_required": prefs.approval_required,
            "weights": weights,
        }

    def recommend(self, client_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            targets = self.targets_of(session, client_id)
        weights: dict[str, Decimal] = targets["weights"]
        invested = sum(weights.values(), Decimal(0))
        return {
            "client_id": client_id,
            "strategy": targets["strategy"],
            "model_alias": targets["model_alias"],
            "model": targets["model"],
            "max_position_weight": weight_text(targets["max_position_weight"]),
            "cash_buffer": weight_text(targets["cash_buffer"]),
            "weights": [
                {"symbol": symbol, "weight": weight_text(weight)}
                for symbol, weight in weights.items()
            ],
            "invested": weight_text(invested),
            "cash": weight_text(1 - invested),
            "as_of": utc_text(self.clock.now()),
        }
