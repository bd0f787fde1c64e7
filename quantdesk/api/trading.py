"""The trading cycle of a client: recommendation, rebalance batches (propose, approve or
reject, execute) and the portfolio they leave."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from quantdesk.api.deps import (
    ExecutionDep,
    PortfolioDep,
    RebalanceDep,
    RecommendationDep,
    SettingsDep,
    TradingRiskDep,
)
from quantdesk.api.errors import errors
from quantdesk.api.operations import OperationOut
from quantdesk.api.security import AccessibleClient, CallerDep, require_operator
from quantdesk.errors import ValidationFailed

router = APIRouter(tags=["trading"])


class TargetWeight(BaseModel):
    symbol: str
    weight: str = Field(
        description="Decimal fraction of the portfolio's value", examples=["0.2375"]
    )


class ModelUsed(BaseModel):
    name: str
    version: int
    alias: str | None = None
    as_of: str | None = Field(None, description="The session the model predicted as of")


class BatchModel(BaseModel):
    name: str
    version: int


class RecommendationOut(BaseModel):
    client_id: str
    strategy: str = Field(description="equal_weight or model")
    model_alias: str | None
    model: ModelUsed | None = Field(description="The model version whose signals gave the weights")
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
    responses=errors(
        401,
        404,
        409,
        422,
        503,
        e409="client_not_active (details.missing_steps); for a model strategy also "
        "alias_not_set, model_inputs_missing, artifact_tampered, artifact_untrusted, "
        "brokerage_not_linked or reauth_required",
        e503="brokerage_unavailable: a model strategy reads the client's session there",
    ),
)
def get_recommendation(
    client_id: AccessibleClient, recommendations: RecommendationDep
) -> dict[str, Any]:
    return recommendations.recommend(client_id)


class OrderOut(BaseModel):
    sequence: int
    symbol: str
    side: str = Field(description="buy or sell; sells come first")
    quantity: int = Field(description="Whole shares")
    price: str = Field(description="The close it was proposed at")
    notional: str
    commission: str = Field(description="Estimated when proposed")
    client_order_id: str = Field(description="What the brokerage knows the order by")
    broker_order_id: str | None = Field(
        description="The brokerage's own id of the order, once it answered"
    )
    status: str = Field(
        description="proposed; unknown when placing it got no answer; then the brokerage's: "
        "filled, rejected, ...; or denied by the platform's limits"
    )
    denied_limit: str | None
    message: str | None
    filled_quantity: int
    filled_price: str | None
    filled_commission: str


class TransitionOut(BaseModel):
    from_: str | None = Field(alias="from")
    to: str
    at: str
    by: str
    reason: str | None


class HoldingOut(BaseModel):
    symbol: str
    quantity: int


class BatchOut(BaseModel):
    id: str
    client_id: str
    kind: str
    status: str = Field(
        description="pending_approval, approved, executing, executed, partially_executed, "
        "failed, rejected, expired or superseded"
    )
    priced_on: str = Field(description="The brokerage's session whose closes priced it")
    value: str
    cash_before: str
    cash_after: str = Field(description="Expected after every order at the proposed prices")
    positions_after: list[HoldingOut] = Field(
        description="The positions expected after every order, by symbol"
    )
    approval_required: bool
    model: BatchModel | None = Field(description="The model version that produced the targets")
    reason: str | None
    proposed_by: str
    proposed_at: str
    expires_at: str
    orders: list[OrderOut]
    transitions: list[TransitionOut] = Field(description="The audit trail, oldest first")


class BatchList(BaseModel):
    items: list[BatchOut]


class DecisionIn(BaseModel):
    reason: str | None = Field(None, max_length=500, description="Why; required to reject")


class PositionOut(BaseModel):
    symbol: str
    quantity: int
    average_cost: str
    price: str
    market_value: str
    unrealised_pnl: str
    weight: str


class PortfolioOut(BaseModel):
    client_id: str
    session: str | None
    cash: str
    market_value: str
    equity: str
    realised_pnl: str
    unrealised_pnl: str
    commissions: str
    positions: list[PositionOut]


class DifferenceOut(BaseModel):
    what: str = Field(description="position or cash")
    symbol: str | None
    platform: str
    brokerage: str


class ReconciliationOut(BaseModel):
    client_id: str
    agrees: bool
    differences: list[DifferenceOut]


class TradingLimitsOut(BaseModel):
    min_order_notional: str = Field(description="No order worth less is proposed")
    max_order_notional: str = Field(description="An order worth more is denied")
    drift_band: str = Field(description="A position this close to its weight is not traded")
    rebalance_ttl_seconds: int = Field(description="How long a proposal may wait")
    execution_sync_max_orders: int = Field(
        description="A batch with more orders is executed in the background"
    )
    broker_circuit_failures: int = Field(description="Failures in a row that open the circuit")
    broker_circuit_cooldown_seconds: int


@router.get(
    "/v1/trading/limits",
    response_model=TradingLimitsOut,
    summary="The platform's trading limits (operators)",
    dependencies=[Depends(require_operator)],
    responses=errors(401),
)
def get_trading_limits(settings: SettingsDep) -> dict[str, Any]:
    return {
        "min_order_notional": str(settings.min_order_notional),
        "max_order_notional": str(settings.max_order_notional),
        "drift_band": str(settings.drift_band),
        "rebalance_ttl_seconds": settings.rebalance_ttl_seconds,
        "execution_sync_max_orders": settings.execution_sync_max_orders,
        "broker_circuit_failures": settings.broker_circuit_failures,
        "broker_circuit_cooldown_seconds": settings.broker_circuit_cooldown_seconds,
    }


BATCH = "/v1/clients/{client_id}/rebalances"
BROKER_ERRORS = errors(
    401,
    404,
    409,
    422,
    503,
    e409="client_not_active, batch_in_wrong_state, prices_stale, brokerage_not_linked, "
    "reauth_required or brokerage_refused; for a model strategy also alias_not_set, "
    "model_inputs_missing, artifact_tampered or artifact_untrusted",
    e503="brokerage_unavailable",
)


@router.post(
    BATCH,
    status_code=201,
    response_model=BatchOut,
    summary="Propose the orders that move the portfolio to its recommendation",
    responses=BROKER_ERRORS,
)
def propose_rebalance(
    client_id: AccessibleClient, caller: CallerDep, rebalances: RebalanceDep
) -> dict[str, Any]:
    return rebalances.propose(client_id, by=caller.name)


@router.post(
    f"{BATCH}:close-out",
    status_code=201,
    response_model=BatchOut,
    summary="Propose selling every position of the client, as one batch (operators); it is "
    "approved and executed like any rebalance",
    dependencies=[Depends(require_operator)],
    responses=BROKER_ERRORS,
)
def propose_close_out(client_id: str, rebalances: RebalanceDep) -> dict[str, Any]:
    return rebalances.propose(client_id, by="operator", close_out=True)


@router.get(BATCH, response_model=BatchList, responses=errors(401, 404, 422))
def list_rebalances(client_id: AccessibleClient, rebalances: RebalanceDep) -> dict[str, Any]:
    return {"items": rebalances.list(client_id)}


@router.get(f"{BATCH}/{{batch_id}}", response_model=BatchOut, responses=errors(401, 404, 422))
def get_rebalance(
    client_id: AccessibleClient, batch_id: str, rebalances: RebalanceDep
) -> dict[str, Any]:
    return rebalances.get(client_id, batch_id)


@router.post(
    f"{BATCH}/{{batch_id}}:approve",
    response_model=BatchOut,
    summary="Approve a batch waiting for approval (operators)",
    dependencies=[Depends(require_operator)],
    responses=errors(400, 401, 404, 409, 422, e409="batch_in_wrong_state"),
)
def approve_rebalance(
    client_id: str, batch_id: str, body: DecisionIn, rebalances: RebalanceDep
) -> dict[str, Any]:
    return rebalances.decide(client_id, batch_id, approve=True, by="operator", reason=body.reason)


@router.post(
    f"{BATCH}/{{batch_id}}:reject",
    response_model=BatchOut,
    summary="Reject a batch waiting for approval, with the reason (operators)",
    dependencies=[Depends(require_operator)],
    responses=errors(400, 401, 404, 409, 422, e409="batch_in_wrong_state"),
)
def reject_rebalance(
    client_id: str, batch_id: str, body: DecisionIn, rebalances: RebalanceDep
) -> dict[str, Any]:
    if not (body.reason or "").strip():
        raise ValidationFailed(
            [{"field": "reason", "code": "required", "message": "A rejection says why."}]
        )
    return rebalances.decide(client_id, batch_id, approve=False, by="operator", reason=body.reason)


class DryFillOut(BaseModel):
    symbol: str
    side: str
    quantity: int
    price: str = Field(description="The close of the account's session now")
    commission: str = Field(description="Estimated")


class DryRunOut(BaseModel):
    batch_id: str
    session: str = Field(description="The brokerage session whose closes priced the fills")
    fills: list[DryFillOut]
    cash_after: str
    positions_after: list[HoldingOut]


@router.post(
    f"{BATCH}/{{batch_id}}:dry-run",
    response_model=DryRunOut,
    summary="The fills a batch would get now and the account after them; nothing is sent",
    responses=BROKER_ERRORS,
)
def dry_run_rebalance(
    client_id: AccessibleClient, batch_id: str, rebalances: RebalanceDep
) -> dict[str, Any]:
    return rebalances.dry_run(client_id, batch_id)


@router.post(
    f"{BATCH}/{{batch_id}}:execute",
    response_model=BatchOut,
    summary="Execute an approved batch on the paper brokerage (Idempotency-Key accepted); "
    "a large batch, or one asked to, runs in the background as an operation",
    responses={
        202: {
            "model": OperationOut,
            "description": "Executing in the background: the operation (operators poll "
            "/v1/operations/{id}; its progress counts the orders, its result is the batch)",
            "headers": {
                "Location": {
                    "description": "The operation: /v1/operations/{id}",
                    "schema": {"type": "string"},
                }
            },
        },
        **BROKER_ERRORS,
    },
)
def execute_rebalance(
    client_id: AccessibleClient,
    batch_id: str,
    caller: CallerDep,
    execution: ExecutionDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
    as_operation: bool = Query(False, description="Run in the background whatever the size."),
) -> dict[str, Any] | JSONResponse:
    in_background, answer = execution.execute(
        client_id, batch_id, by=caller.name, key=idempotency_key, in_background=as_operation
    )
    if in_background:
        return JSONResponse(
            status_code=202,
            content=answer,
            headers={"Location": f"/v1/operations/{answer['id']}"},
        )
    return answer


@router.get(
    "/v1/clients/{client_id}/portfolio",
    response_model=PortfolioOut,
    summary="Positions, cash and P&L as the platform keeps them, at the session's closes",
    responses=BROKER_ERRORS,
)
def get_portfolio(client_id: AccessibleClient, portfolio: PortfolioDep) -> dict[str, Any]:
    return portfolio.portfolio_of(client_id)


class DayOut(BaseModel):
    session: str = Field(description="The brokerage session (ISO date)")
    equity: str = Field(description="Cash and positions at the session's close")
    deposits: str = Field(description="Everything deposited by then")
    day_pnl: str = Field(description="The day's gain: the change of equity less deposits")
    total_pnl: str = Field(description="Equity less deposits")


class HistoryOut(BaseModel):
    client_id: str
    days: list[DayOut] = Field(description="Oldest first; the last is the current session")


@router.get(
    "/v1/clients/{client_id}/portfolio/history",
    response_model=HistoryOut,
    summary="The portfolio's value and gain at each session's close, net of deposits",
    responses=BROKER_ERRORS,
)
def get_portfolio_history(client_id: AccessibleClient, portfolio: PortfolioDep) -> dict[str, Any]:
    return portfolio.history_of(client_id)


@router.get(
    "/v1/clients/{client_id}/portfolio/reconciliation",
    response_model=ReconciliationOut,
    summary="Every difference between the platform's book and the brokerage's account",
    responses=BROKER_ERRORS,
)
def get_reconciliation(client_id: AccessibleClient, portfolio: PortfolioDep) -> dict[str, Any]:
    return portfolio.reconciliation_of(client_id)


class RepairOut(ReconciliationOut):
    repaired_orders: int = Field(description="Orders whose fills were recorded from the brokerage")


@router.post(
    "/v1/clients/{client_id}/portfolio/reconciliation:repair",
    response_model=RepairOut,
    summary="Record the fills of orders the brokerage placed without the platform hearing of "
    "them, from its orders by client_order_id (operators); then compare again",
    dependencies=[Depends(require_operator)],
    responses=BROKER_ERRORS,
)
def repair_portfolio(
    client_id: str, execution: ExecutionDep, portfolio: PortfolioDep
) -> dict[str, Any]:
    repaired = execution.repair(client_id)
    return {**portfolio.reconciliation_of(client_id), "repaired_orders": repaired}


# Why an operator acts: required, not blank.
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S", description="Why")]


class RiskEventOut(BaseModel):
    kind: str = Field(description="limit_set, halted (the alert) or resumed")
    session: str | None = Field(description="The brokerage session it happened in")
    by: str
    message: str
    at: str


class RiskOut(BaseModel):
    client_id: str
    daily_loss_limit: str | None = Field(description="Money; null: no daily loss limit")
    trading: str = Field(description="active, or halted: only orders that reduce risk are sent")
    halted_reason: str | None
    events: list[RiskEventOut] = Field(description="The risk trail, oldest first")


class RiskLimitIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"daily_loss_limit": "1200.00", "reason": "mandate"}]},
    )
    daily_loss_limit: Decimal | None = Field(
        gt=0,
        le=Decimal("100000000"),
        decimal_places=2,
        description="The most the account may lose in a session before trading halts "
        "(a loss exactly at it does not halt); null removes the limit",
    )
    reason: Reason


class ResumeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason


RISK = "/v1/clients/{client_id}/risk"


@router.get(
    RISK,
    response_model=RiskOut,
    summary="The client's daily loss limit, whether its trading is halted, and the trail",
    responses=errors(401, 404, 422),
)
def get_risk(client_id: AccessibleClient, risk: TradingRiskDep) -> dict[str, Any]:
    return risk.view(client_id)


@router.put(
    RISK,
    response_model=RiskOut,
    summary="Set or remove the client's daily loss limit, with the reason (operators)",
    dependencies=[Depends(require_operator)],
    responses=errors(400, 401, 404, 422),
)
def set_risk(client_id: str, body: RiskLimitIn, risk: TradingRiskDep) -> dict[str, Any]:
    return risk.set_limit(client_id, body.daily_loss_limit, by="operator", reason=body.reason)


@router.post(
    f"{RISK}:resume",
    response_model=RiskOut,
    summary="Resume a halted client's trading, with the reason (operators)",
    dependencies=[Depends(require_operator)],
    responses=errors(
        400,
        401,
        404,
        409,
        422,
        503,
        e409="trading_not_halted, brokerage_not_linked or reauth_required",
        e503="brokerage_unavailable",
    ),
)
def resume_trading(client_id: str, body: ResumeIn, risk: TradingRiskDep) -> dict[str, Any]:
    return risk.resume(client_id, by="operator", reason=body.reason)
