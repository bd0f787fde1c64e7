"""What a route may ask FastAPI for: the platform's settings, clock and services.

Each is an ``Annotated[Type, Depends(getter)]`` alias, so a route states the type it gets
(``service: MarketDataDep``) and a test can swap a collaborator with
``app.dependency_overrides[getter]``. The getters are the only code that reads
``app.state``; ``create_app`` puts the :class:`~quantdesk.platform.Platform` there.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from quantdesk.clock import SystemClock
from quantdesk.faults import InjectedFaults
from quantdesk.jobs.operations import Operations
from quantdesk.platform import Platform
from quantdesk.services.brokerage_link import BrokerageLinkService
from quantdesk.services.client_auth import ClientAuthService
from quantdesk.services.client_setup import ClientSetupService
from quantdesk.services.execution import ExecutionService
from quantdesk.services.feature_sets import FeatureSetService
from quantdesk.services.funding import FundingService
from quantdesk.services.ingestion import IngestionService
from quantdesk.services.ingestion_runs import IngestionRunService
from quantdesk.services.market_data import MarketDataService
from quantdesk.services.model_registry import ModelRegistry
from quantdesk.services.onboarding import OnboardingService
from quantdesk.services.portfolio import PortfolioService
from quantdesk.services.rebalancing import RebalanceService
from quantdesk.services.recommendations import RecommendationService
from quantdesk.services.trading_risk import TradingRiskService
from quantdesk.services.training import TrainingService
from quantdesk.settings import Settings


def platform(request: Request) -> Platform:
    return request.app.state.platform


PlatformDep = Annotated[Platform, Depends(platform)]


def settings(running: PlatformDep) -> Settings:
    return running.settings


def clock(running: PlatformDep) -> SystemClock:
    return running.clock


def onboarding_service(running: PlatformDep) -> OnboardingService:
    return running.onboarding


def client_auth_service(running: PlatformDep) -> ClientAuthService:
    return running.client_auth


def client_setup_service(running: PlatformDep) -> ClientSetupService:
    return running.client_setup


def brokerage_link_service(running: PlatformDep) -> BrokerageLinkService:
    return running.brokerage_link


def funding_service(running: PlatformDep) -> FundingService:
    return running.funding


def ingestion_service(running: PlatformDep) -> IngestionService:
    return running.ingestion


def ingestion_run_service(running: PlatformDep) -> IngestionRunService:
    return running.ingestion_runs


def market_data_service(running: PlatformDep) -> MarketDataService:
    return running.market_data


def feature_set_service(running: PlatformDep) -> FeatureSetService:
    return running.feature_sets


def operations_service(running: PlatformDep) -> Operations:
    return running.operations


def recommendation_service(running: PlatformDep) -> RecommendationService:
    return running.recommendations


def rebalance_service(running: PlatformDep) -> RebalanceService:
    return running.rebalances


def execution_service(running: PlatformDep) -> ExecutionService:
    return running.execution


def portfolio_service(running: PlatformDep) -> PortfolioService:
    return running.portfolio


def injected_faults(running: PlatformDep) -> InjectedFaults:
    return running.faults


def trading_risk_service(running: PlatformDep) -> TradingRiskService:
    return running.trading_risk


def training_service(running: PlatformDep) -> TrainingService:
    return running.training


def model_registry(running: PlatformDep) -> ModelRegistry:
    return running.models


SettingsDep = Annotated[Settings, Depends(settings)]
ClockDep = Annotated[SystemClock, Depends(clock)]
OnboardingDep = Annotated[OnboardingService, Depends(onboarding_service)]
ClientAuthDep = Annotated[ClientAuthService, Depends(client_auth_service)]
ClientSetupDep = Annotated[ClientSetupService, Depends(client_setup_service)]
BrokerageLinkDep = Annotated[BrokerageLinkService, Depends(brokerage_link_service)]
FundingDep = Annotated[FundingService, Depends(funding_service)]
IngestionDep = Annotated[IngestionService, Depends(ingestion_service)]
IngestionRunsDep = Annotated[IngestionRunService, Depends(ingestion_run_service)]
MarketDataDep = Annotated[MarketDataService, Depends(market_data_service)]
FeatureSetsDep = Annotated[FeatureSetService, Depends(feature_set_service)]
OperationsDep = Annotated[Operations, Depends(operations_service)]
RecommendationDep = Annotated[RecommendationService, Depends(recommendation_service)]
RebalanceDep = Annotated[RebalanceService, Depends(rebalance_service)]
ExecutionDep = Annotated[ExecutionService, Depends(execution_service)]
PortfolioDep = Annotated[PortfolioService, Depends(portfolio_service)]
FaultsDep = Annotated[InjectedFaults, Depends(injected_faults)]
TradingRiskDep = Annotated[TradingRiskService, Depends(trading_risk_service)]
TrainingDep = Annotated[TrainingService, Depends(training_service)]
ModelRegistryDep = Annotated[ModelRegistry, Depends(model_registry)]
