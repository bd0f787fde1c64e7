"""Test controls of the simulated brokerage: outage, clock, slow market-data feed, and
revoking a user's tokens.

Mounted only when ``controls_enabled`` is true; otherwise these paths are 404 and absent
from ``/openapi.json``. They are a contract (``docs/contract.md``, "The brokerage's test
controls"): a broker sandbox that offers the same routes, bodies and answers can stand
in for the simulator under the acceptance suite. Every control answers errors in the
simulator's one shape ``{code, message, details}``, and keeps answering during an
outage.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import select

from quantdesk.broker_sim.accounts import iso
from quantdesk.broker_sim.errors import SimError, SimErrorOut
from quantdesk.broker_sim.runtime import FeedStateDep, SessionDep, SimState, StateDep
from quantdesk.broker_sim.store import BrokerUser
from quantdesk.broker_sim.tokens import revoke_grants

CONTROLS_PREFIX = "/v1/controls"
_TEN_YEARS = 10 * 366 * 24 * 3600

router = APIRouter(prefix=CONTROLS_PREFIX, tags=["controls"])


def _errors(**described: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a control: each error status with the error shape."""
    return {
        int(status.removeprefix("e")): {"model": SimErrorOut, "description": text}
        for status, text in described.items()
    }


BODY_ERRORS = _errors(
    e400="malformed_request: the body is not valid JSON",
    e422="validation_failed: details.fields lists each problem as {field, message}",
)


# -- request bodies -----------------------------------------------------------------------


class OutageChange(BaseModel):
    """Switch the brokerage's outage on or off."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"down": True, "health": False}, {"down": False}]},
    )
    down: StrictBool = Field(
        description="true: every route except the health check and the controls answers "
        "503 broker_unavailable (with Retry-After: 1); false: back to normal."
    )
    health: StrictBool = Field(
        False,
        description="With down: also fail the health check, as a brokerage that cannot be "
        "reached at all.",
    )


class ClockChange(BaseModel):
    """Move the brokerage's clock forward (never back)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"advance_seconds": 3600}]}
    )
    advance_seconds: float = Field(
        ge=0,
        le=_TEN_YEARS,
        description="Seconds to add to the brokerage's clock, 0 to ten years. Token "
        "lifetimes and timestamps follow the moved clock.",
    )


class LatencyChange(BaseModel):
    """Slow the market-data feed down."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"latency_ms": 200}]})
    latency_ms: int = Field(
        ge=0,
        le=10_000,
        description="Milliseconds every bars answer waits before it is sent, 0 to 10000; "
        "0 turns the delay off.",
    )


# -- answers ------------------------------------------------------------------------------


class OutageOut(BaseModel):
    down: bool = Field(description="Whether the brokerage is in an outage.")
    health: bool = Field(description="Whether the outage also fails the health check.")


class ClockOut(BaseModel):
    now: str = Field(
        description="The brokerage's now, ISO 8601 UTC with Z.", examples=["2026-12-01T12:00:00Z"]
    )
    offset_seconds: float = Field(description="How far the clock has been moved forward.")


class ControlsOut(BaseModel):
    """The state of the controls."""

    outage: OutageOut
    clock: ClockOut


class LatencyOut(BaseModel):
    latency_ms: int = Field(description="The delay now added to every bars answer.")


class RevokedOut(BaseModel):
    username: str
    revoked_grants: int = Field(description="How many of the user's grants were revoked.")


def controls_view(state: SimState) -> dict[str, Any]:
    return {
        "outage": {"down": state.down, "health": state.health_down},
        "clock": {"now": iso(state.now()), "offset_seconds": state.offset_seconds},
    }


# -- routes -------------------------------------------------------------------------------


@router.get("", response_model=ControlsOut, summary="The state of the controls")
def show_controls(state: StateDep) -> dict[str, Any]:
    return controls_view(state)


@router.post(
    "/outage",
    response_model=ControlsOut,
    summary="Start or end an outage of the brokerage",
    responses=BODY_ERRORS,
)
def set_outage(body: OutageChange, state: StateDep) -> dict[str, Any]:
    state.set_down(body.down, health=body.health)
    return controls_view(state)


@router.post(
    "/clock",
    response_model=ControlsOut,
    summary="Move the brokerage's clock forward",
    responses=BODY_ERRORS,
)
def advance_clock(body: ClockChange, state: StateDep) -> dict[str, Any]:
    state.advance(body.advance_seconds)
    return controls_view(state)


@router.post(
    "/market-data",
    response_model=LatencyOut,
    summary="Slow down (or stop slowing down) the market-data feed's bars answers",
    responses=BODY_ERRORS,
)
def set_feed_latency(body: LatencyChange, feed: FeedStateDep) -> dict[str, Any]:
    feed.set_latency(body.latency_ms)
    return {"latency_ms": body.latency_ms}


@router.post(
    "/users/{username}/revoke-tokens",
    response_model=RevokedOut,
    summary="Revoke every grant of a user, as if they withdrew access at the brokerage",
    description="The platform's next call with one of the user's tokens is refused (an "
    "access token answers 401, a refresh token invalid_grant).",
    responses=_errors(
        e404="user_not_found: no broker user with that username",
        e422="validation_failed: details.fields lists each problem as {field, message}",
    ),
)
def revoke_user_tokens(
    session: SessionDep,
    state: StateDep,
    username: str = Path(description="The broker user's username.", examples=["alice"]),
) -> dict[str, Any]:
    user_id = session.scalar(select(BrokerUser.id).where(BrokerUser.username == username))
    if user_id is None:
        raise SimError(
            404, "user_not_found", "No broker user with that username.", {"username": username}
        )
    revoked = revoke_grants(session, state.now(), user_id=user_id)
    session.commit()
    return {"username": username, "revoked_grants": revoked}
