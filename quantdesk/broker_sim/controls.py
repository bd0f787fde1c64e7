"""Test controls: outage switch, simulated clock, revoking a user's tokens.

Mounted only when ``controls_enabled`` is true; otherwise these paths are 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import select

from quantdesk.broker_sim.accounts import iso
from quantdesk.broker_sim.errors import SimError
from quantdesk.broker_sim.runtime import SessionDep, SimState, StateDep
from quantdesk.broker_sim.store import BrokerUser
from quantdesk.broker_sim.tokens import revoke_grants

CONTROLS_PREFIX = "/v1/controls"
_TEN_YEARS = 10 * 366 * 24 * 3600

router = APIRouter(prefix=CONTROLS_PREFIX, tags=["controls"])


class OutageChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    down: StrictBool
    health: StrictBool = Field(
        False, description="Also fail the health check, as a brokerage that cannot be reached."
    )


class ClockChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    advance_seconds: float = Field(ge=0, le=_TEN_YEARS)


def controls_view(state: SimState) -> dict[str, Any]:
    return {
        "outage": {"down": state.down, "health": state.health_down},
        "clock": {"now": iso(state.now()), "offset_seconds": state.offset_seconds},
    }


@router.get("")
def show_controls(state: StateDep) -> dict[str, Any]:
    return controls_view(state)


@router.post("/outage")
def set_outage(body: OutageChange, state: StateDep) -> dict[str, Any]:
    state.set_down(body.down, health=body.health)
    return controls_view(state)


@router.post("/clock")
def advance_clock(body: ClockChange, state: StateDep) -> dict[str, Any]:
    state.advance(body.advance_seconds)
    return controls_view(state)


@router.post("/users/{username}/revoke-tokens")
def revoke_user_tokens(username: str, session: SessionDep, state: StateDep) -> dict[str, Any]:
    user_id = session.scalar(select(BrokerUser.id).where(BrokerUser.username == username))
    if user_id is None:
        raise SimError(
            404, "user_not_found", "No broker user with that username.", {"username": username}
        )
    revoked = revoke_grants(session, state.now(), user_id=user_id)
    session.commit()
    return {"username": username, "revoked_grants": revoked}
