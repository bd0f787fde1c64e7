"""The trading cycle of a client: its recommendation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from quantdesk.api.deps import RecommendationDep
from quantdesk.api.errors import errors
from quantdesk.api.security import AccessibleClient

router = APIRouter(tags=["trading"])


class TargetWeight(BaseModel):
    symbol: str
    weight: str = Field(
        description="Decimal fraction of the portfolio's value", examples=["0.2375"]
    )


class RecommendationOut(BaseModel):
    client_id: str
    strategy: str = Field(description="equal_weight or model")
    model_alias: str | None
    max_position_weight: str = Field(description="No weight is above it")
    cash_buffer: str = Field(description="The weights never sum above 1 minus the buffer")
    weights: list[TargetWeight] = Field(description="One per tradable symbol, universe order")
    invested: str = Field(description="The sum of the weights")
    cash: str = Field(description="1 minus the invested fraction: the buffer and what caps leave")
    as_of: str


@router.get(
    "/v1/clients/{client_id}/recommendation",
    response_model=RecommendationOut,
    summary="The client's target weights, from its strategy and preferences",
    responses=errors(401, 404, 409, 422, e409="client_not_active (details.missing_steps)"),
)
def get_recommendation(
    client_id: AccessibleClient, recommendations: RecommendationDep
) -> dict[str, Any]:
    return recommendations.recommend(client_id)
