"""Test controls of the platform: only mounted when controls are enabled, operators only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from quantdesk.api.deps import ClockDep, FaultsDep, PlatformDep
from quantdesk.api.errors import errors
from quantdesk.api.security import require_operator
from quantdesk.clock import SystemClock, utc_text
from quantdesk.platform import Platform
from quantdesk.services.client_setup import require_client

router = APIRouter(
    prefix="/v1/controls", tags=["controls"], dependencies=[Depends(require_operator)]
)


class ClockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stopped_at: AwareDatetime | None = Field(
        description="Stop the platform's clock at this instant; null lets it run again.",
        examples=["2026-12-01T12:00:00Z"],
    )

    @field_validator("stopped_at")
    @classmethod
    def _within_reach(cls, value: datetime | None) -> datetime | None:
        # Lifetimes are added to the clock: keep far from the ends of the calendar.
        if value is not None and not 2000 <= value.year <= 2999:
            raise ValueError("stopped_at must be in the years 2000 to 2999")
        return value


class ClockOut(BaseModel):
    now: str
    stopped: bool


def _clock_view(clock: SystemClock) -> dict[str, Any]:
    return {"now": utc_text(clock.now()), "stopped": clock.stopped}


@router.get(
    "/clock", response_model=ClockOut, summary="The platform's clock", responses=errors(401)
)
def get_clock(clock: ClockDep) -> dict[str, Any]:
    return _clock_view(clock)


@router.put(
    "/clock",
    response_model=ClockOut,
    summary="Stop the platform's clock at an instant, or run it",
    responses=errors(400, 401, 422),
)
def set_clock(body: ClockIn, clock: ClockDep) -> dict[str, Any]:
    clock.stop_at(body.stopped_at)
    return _clock_view(clock)


def _require_client(running: Platform, client_id: str) -> None:
    with running.sessions() as session:
        require_client(session, client_id)  # 404 for a client that does not exist


class FaultsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"fail_recording_fills": 1}]}
    )
    fail_recording_fills: int = Field(
        ge=0,
        le=100,
        description="How many of the client's next fills fail half-way through being "
        "recorded (after every row is written, before it is committed); 0 clears.",
    )


class FaultsOut(BaseModel):
    client_id: str
    fail_recording_fills: int


@router.put(
    "/clients/{client_id}/faults",
    response_model=FaultsOut,
    summary="Make the platform fail half-way through recording a client's next fills",
    responses=errors(400, 401, 404, 422),
)
def set_faults(
    client_id: str, body: FaultsIn, faults: FaultsDep, running: PlatformDep
) -> dict[str, Any]:
    _require_client(running, client_id)
    faults.fail_recording(client_id, body.fail_recording_fills)
    return {"client_id": client_id, "fail_recording_fills": faults.recording_fails(client_id)}


@router.get(
    "/clients/{client_id}/faults",
    response_model=FaultsOut,
    summary="The faults armed for a client",
    responses=errors(401, 404, 422),
)
def get_faults(client_id: str, faults: FaultsDep, running: PlatformDep) -> dict[str, Any]:
    _require_client(running, client_id)
    return {"client_id": client_id, "fail_recording_fills": faults.recording_fails(client_id)}


class ArtifactDamageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"how": "bytes"}]})
    how: Literal["bytes", "untrusted_type"] = Field(
        description="bytes: change the file's bytes (its checksum no longer matches); "
        "untrusted_type: replace it with an artifact holding a type outside the trusted "
        "list, and register that file's checksum (as an attacker with database access would)"
    )


class ArtifactFilesOut(BaseModel):
    model: str
    files: list[str] = Field(description="The model's artifact files in the data directory")


@router.post(
    "/models/{name}/versions/{version}/artifact:damage",
    response_model=ArtifactFilesOut,
    summary="Damage a model version's artifact file, to see it refused",
    responses=errors(400, 401, 404, 422),
)
def damage_artifact(
    name: str, version: int, body: ArtifactDamageIn, running: PlatformDep
) -> dict[str, Any]:
    running.models.damage_artifact(name, version, body.how)
    return {"model": name, "files": running.models.artifact_files(name)}


@router.get(
    "/models/{name}/artifacts",
    response_model=ArtifactFilesOut,
    summary="A model's artifact files in the data directory",
    responses=errors(401, 422),
)
def artifact_files(name: str, running: PlatformDep) -> dict[str, Any]:
    return {"model": name, "files": running.models.artifact_files(name)}
