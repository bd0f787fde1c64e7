"""After registration: portfolio preferences, strategy choice and the onboarding checklist."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock, utc_text
from quantdesk.domain.clients import FieldProblem, RiskTolerance
from quantdesk.domain.preferences import (
    checklist_status,
    tradable,
    validate_preferences,
    validate_strategy,
)
from quantdesk.errors import (
    NotFound,
    PlatformError,
    PreferencesNotSet,
    StrategyNotChosen,
    ValidationFailed,
)
from quantdesk.services.model_registry import ModelRegistry
from quantdesk.store.models import (
    BrokerageLinkRow,
    ClientDepositRow,
    ClientRow,
    ClientStrategyRow,
    DailyBarRow,
    PortfolioPreferencesRow,
)

T = TypeVar("T")


def checklist_of(session: Session, client_id: str) -> dict[str, bool]:
    """Each onboarding step of a client, read from the same rows the step endpoints use."""
    link_status = session.scalar(
        select(BrokerageLinkRow.status).where(BrokerageLinkRow.client_id == client_id)
    )
    return {
        "registered": session.get(ClientRow, client_id) is not None,
        "brokerage_linked": link_status == "active",
        "preferences_set": session.get(PortfolioPreferencesRow, client_id) is not None,
        "strategy_chosen": session.get(ClientStrategyRow, client_id) is not None,
        "funded": bool(
            session.scalar(
                select(func.count(ClientDepositRow.id)).where(
                    ClientDepositRow.client_id == client_id
                )
            )
        ),
    }


def status_of(session: Session, client_id: str) -> str:
    return checklist_status(checklist_of(session, client_id))


def preferences_view(row: PortfolioPreferencesRow) -> dict[str, Any]:
    universe, excluded = json.loads(row.universe), json.loads(row.excluded)
    return {
        "client_id": row.client_id,
        "universe": universe,
        "excluded": excluded,
        "tradable": list(tradable(universe, excluded)),
        "max_position_weight": row.max_position_weight,
        "cash_buffer": row.cash_buffer,
        "approval_required": row.approval_required,
        "updated_at": utc_text(row.updated_at),
    }


def strategy_view(row: ClientStrategyRow) -> dict[str, Any]:
    return {
        "client_id": row.client_id,
        "strategy": row.kind,
        "model_alias": row.model_alias,
        "chosen_at": utc_text(row.chosen_at),
    }


class ClientSetupService:
    def __init__(
        self, sessions: sessionmaker[Session], clock: SystemClock, models: ModelRegistry
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.models = models

    def set_preferences(self, client_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        with self.sessions() as session:
            client = require_client(session, client_id)
            prefs, problems = validate_preferences(
                data, risk_tolerance=RiskTolerance(client.risk_tolerance)
            )
            if prefs is not None:
                known = set(
                    session.scalars(
                        select(DailyBarRow.symbol)
                        .where(DailyBarRow.symbol.in_(prefs.universe))
                        .distinct()
                    )
                )
                unknown = [s for s in prefs.universe if s not in known]
                if unknown:
                    problems.append(
                        FieldProblem(
                            "universe",
                            "no_market_data",
                            f"The platform has no market data for: {', '.join(unknown)}.",
                        )
                    )
            if problems or prefs is None:
                raise ValidationFailed([p.as_dict() for p in problems])
            row = session.get(PortfolioPreferencesRow, client_id)
            if row is None:
                row = PortfolioPreferencesRow(client_id=client_id)
                session.add(row)
            row.universe = json.dumps(list(prefs.universe))
            row.excluded = json.dumps(list(prefs.excluded))
            row.max_position_weight = str(prefs.max_position_weight)
            row.cash_buffer = str(prefs.cash_buffer)
            row.approval_required = prefs.approval_required
            row.updated_at = self.clock.now()
            session.commit()
            return preferences_view(row)

    def preferences_of(self, client_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            row = client_resource(
                session,
                PortfolioPreferencesRow,
                client_id,
                PreferencesNotSet("The client has not set portfolio preferences yet."),
            )
            return preferences_view(row)

    def choose_strategy(self, client_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        choice, problems = validate_strategy(data)
        if choice is not None and choice.strategy == "model":
            # ``name@alias`` (``name``: its production alias) must point to a version now.
            missing = self.models.alias_problem(choice.model_alias or "")
            if missing is not None:
                problems.append(missing)
        if choice is None or problems:
            raise ValidationFailed([p.as_dict() for p in problems])
        with self.sessions() as session:
            require_client(session, client_id)
            row = session.get(ClientStrategyRow, client_id)
            if row is None:
                row = ClientStrategyRow(client_id=client_id)
                session.add(row)
            row.kind = choice.strategy
            row.model_alias = choice.model_alias
            row.chosen_at = self.clock.now()
            session.commit()
            return strategy_view(row)

    def strategy_of(self, client_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            row = client_resource(
                session,
                ClientStrategyRow,
                client_id,
                StrategyNotChosen("The client has not chosen a strategy yet."),
            )
            return strategy_view(row)

    def onboarding_of(self, client_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            require_client(session, client_id)
            steps = checklist_of(session, client_id)
            link_status = session.scalar(
                select(BrokerageLinkRow.status).where(BrokerageLinkRow.client_id == client_id)
            )
            return {
                "client_id": client_id,
                "status": checklist_status(steps),
                "steps": steps,
                "brokerage_link": link_status or "not_linked",
            }


def client_resource(session: Session, model: type[T], client_id: str, missing: PlatformError) -> T:
    """A one-per-client row (keyed by client id): 404 ``not_found`` for an unknown
    client, ``missing`` when the client has none yet."""
    require_client(session, client_id)
    row = session.get(model, client_id)
    if row is None:
        raise missing
    return row


def require_client(session: Session, client_id: str) -> ClientRow:
    """The client's row, or 404 ``not_found``."""
    row = session.get(ClientRow, client_id)
    if row is None:
        raise NotFound("No client with that id.", details={"client_id": client_id})
    return row
