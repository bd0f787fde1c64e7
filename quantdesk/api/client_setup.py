"""Portfolio preferences, strategy choice and the onboarding checklist of a client."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from quantdesk.api.deps import ClientSetupDep
from quantdesk.api.errors import errors
from quantdesk.api.security import AccessibleClient

router = APIRouter(tags=["onboarding"])


class PreferencesIn(BaseModel):
    """Validated by the platform's rules, which report every problem at once."""

    model_config = ConfigDict(extra="allow")
    universe: Any = Field(default=None, examples=[["SPX", "NDX"]])
    excluded: Any = Field(default=None, examples=[[]])
    max_position_weight: Any = Field(
        default=None,
        examples=["0.25"],
        description="Fraction, above 0 and at most 1; default by risk tolerance "
        "(conservative 0.15, moderate 0.25, aggressive 0.40)",
    )
    cash_buffer: Any = Field(default=None, examples=["0.05"], description="Fraction, 0 to 0.5")
    approval_required: Any = Field(default=None, examples=[False])


class PreferencesOut(BaseModel):
    client_id: str
    universe: list[str]
    excluded: list[str]
    tradable: list[str]
    max_position_weight: str
    cash_buffer: str
    approval_required: bool
    updated_at: str


class StrategyIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    strategy: Any = Field(default=None, examples=["equal_weight"], description="equal_weight|model")
    model_alias: Any = Field(default=None, description="The registered model, for strategy model")


class StrategyOut(BaseModel):
    client_id: str
    strategy: str
    model_alias: str | None
    chosen_at: str


class OnboardingSteps(BaseModel):
    registered: bool
    brokerage_linked: bool
    preferences_set: bool
    strategy_chosen: bool
    funded: bool


class OnboardingOut(BaseModel):
    client_id: str
    status: str = Field(description="active when every step is done, otherwise registered")
    steps: OnboardingSteps
    brokerage_link: str = Field(description="not_linked, active or reauth_required")


@router.put(
    "/v1/clients/{client_id}/preferences",
    response_model=PreferencesOut,
    summary="Set the client's portfolio preferences",
    responses=errors(400, 401, 404, 422),
)
def set_preferences(
    client_id: AccessibleClient,
    body: PreferencesIn,
    client_setup: ClientSetupDep,
) -> dict[str, Any]:
    return client_setup.set_preferences(client_id, body.model_dump(exclude_unset=True))


@router.get(
    "/v1/clients/{client_id}/preferences",
    response_model=PreferencesOut,
    responses=errors(401, 404, 422, e404="not_found, or preferences_not_set"),
)
def get_preferences(client_id: AccessibleClient, client_setup: ClientSetupDep) -> dict[str, Any]:
    return client_setup.preferences_of(client_id)


@router.put(
    "/v1/clients/{client_id}/strategy",
    response_model=StrategyOut,
    summary="Choose the strategy: a registered model by alias, or equal_weight",
    responses=errors(400, 401, 404, 422),
)
def choose_strategy(
    client_id: AccessibleClient, body: StrategyIn, client_setup: ClientSetupDep
) -> dict[str, Any]:
    return client_setup.choose_strategy(client_id, body.model_dump(exclude_unset=True))


@router.get(
    "/v1/clients/{client_id}/strategy",
    response_model=StrategyOut,
    responses=errors(401, 404, 422, e404="not_found, or strategy_not_chosen"),
)
def get_strategy(client_id: AccessibleClient, client_setup: ClientSetupDep) -> dict[str, Any]:
    return client_setup.strategy_of(client_id)


@router.get(
    "/v1/clients/{client_id}/onboarding",
    response_model=OnboardingOut,
    summary="The client's onboarding checklist; active only when every step is done",
    responses=errors(401, 404, 422),
)
def get_onboarding(client_id: AccessibleClient, client_setup: ClientSetupDep) -> dict[str, Any]:
    return client_setup.onboarding_of(client_id)
