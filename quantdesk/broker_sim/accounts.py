"""Broker users (sandbox sign-up), their paper accounts and deposits."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quantdesk.broker_sim.errors import SimError, SimErrorOut, validation_failed
from quantdesk.broker_sim.money import format_cents, parse_amount
from quantdesk.broker_sim.runtime import SessionDep, StateDep
from quantdesk.broker_sim.security import hash_password
from quantdesk.broker_sim.store import (
    BrokerUser,
    Deposit,
    IdempotencyRecord,
    OAuthGrant,
    PaperAccount,
)
from quantdesk.broker_sim.tokens import ACCESS, TokenRejected, find_token

router = APIRouter(tags=["accounts"])

MAX_DEPOSIT_CENTS = 10_000_000 * 100
_USERNAME = re.compile(r"^[A-Za-z0-9._@+\-]{3,128}$")


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class NewUser(BaseModel):
    username: StrictStr
    password: StrictStr

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not _USERNAME.match(value):
            raise ValueError("must be 3-128 letters, digits or . _ @ + -")
        return value

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        if not 8 <= len(value) <= 256:
            raise ValueError("must be 8 to 256 characters")
        return value


class NewDeposit(BaseModel):
    model_config = ConfigDict(extra="ignore")
    amount: StrictStr


class AccountOut(BaseModel):
    id: str = Field(description="The paper account's id, PA and ten digits.")
    cash: str = Field(description="Cash as a decimal string with two places.")
    currency: str
    status: str


class NewUserOut(BaseModel):
    username: str
    account: AccountOut


class DepositOut(BaseModel):
    id: str
    amount: str = Field(description="A decimal string with two places.")
    status: str
    created_at: str = Field(description="ISO 8601 UTC with Z, by the brokerage's clock.")


def _errors(**described: str) -> dict[int | str, dict[str, Any]]:
    return {
        int(status.removeprefix("e")): {"model": SimErrorOut, "description": text}
        for status, text in described.items()
    }


def account_view(account: PaperAccount) -> dict[str, str]:
    return {
        "id": account.id,
        "cash": format_cents(account.cash_cents),
        "currency": account.currency,
        "status": account.status,
    }


def deposit_view(deposit: Deposit) -> dict[str, str]:
    return {
        "id": deposit.id,
        "amount": format_cents(deposit.amount_cents),
        "status": deposit.status,
        "created_at": iso(deposit.created_at),
    }


def _new_account_id(session: Session) -> str:
    while True:
        candidate = f"PA{secrets.randbelow(10**10):010d}"
        if session.get(PaperAccount, candidate) is None:
            return candidate


@router.post(
    "/v1/sandbox/users",
    status_code=201,
    response_model=NewUserOut,
    summary="Sign up at the brokerage: a user and their paper account",
    responses=_errors(e409="username_taken", e422="validation_failed"),
)
def create_user(body: NewUser, session: SessionDep, state: StateDep) -> dict[str, Any]:
    """Sign up at the broker: a user and their paper account."""
    password_hash = hash_password(body.password)  # slow: before the write transaction
    if session.scalar(select(BrokerUser.id).where(BrokerUser.username == body.username)):
        raise SimError(409, "username_taken", "That username is already registered.")
    now = state.now()
    user = BrokerUser(username=body.username, password_hash=password_hash, created_at=now)
    session.add(user)
    session.flush()
    account = PaperAccount(
        id=_new_account_id(session),
        user_id=user.id,
        cash_cents=0,
        currency="USD",
        status="ACTIVE",
        created_at=now,
    )
    session.add(account)
    session.commit()
    return {"username": user.username, "account": account_view(account)}


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SimError(
            401,
            "invalid_token",
            "A bearer access token is required.",
            {"reason": "missing"},
            {"WWW-Authenticate": 'Bearer realm="broker-sim"'},
        )
    return token.strip()


class Caller:
    """The account an access token acts for, and what the token may do."""

    def __init__(self, account: PaperAccount, scopes: set[str]) -> None:
        self.account = account
        self.scopes = scopes

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise SimError(
                403,
                "insufficient_scope",
                f"The access token lacks scope {scope}.",
                {"required_scope": scope},
                {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'},
            )


def current_caller(request: Request, session: SessionDep, state: StateDep) -> Caller:
    raw = _bearer(request)
    try:
        token, grant = find_token(session, raw, state.now(), ACCESS)
    except TokenRejected as exc:
        raise SimError(
            401,
            "invalid_token",
            f"The access token is {exc.reason}.",
            {"reason": exc.reason},
            {"WWW-Authenticate": 'Bearer realm="broker-sim", error="invalid_token"'},
        ) from exc
    account = _account_of(session, grant)
    return Caller(account, set(token.scope.split()))


def _account_of(session: Session, grant: OAuthGrant) -> PaperAccount:
    account = session.scalar(select(PaperAccount).where(PaperAccount.user_id == grant.user_id))
    if account is None:  # pragma: no cover - every user gets an account at sign-up
        raise SimError(404, "account_not_found", "No paper account for this user.")
    return account


CallerDep = Annotated[Caller, Depends(current_caller)]


@router.get(
    "/v1/account",
    response_model=AccountOut,
    summary="The caller's paper account (scope account:read)",
    responses=_errors(e401="invalid_token", e403="insufficient_scope"),
)
def get_account(caller: CallerDep) -> dict[str, str]:
    caller.require("account:read")
    return account_view(caller.account)


def _idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not 1 <= len(value) <= 255:
        raise validation_failed(
            [{"field": "Idempotency-Key", "message": "must be 1 to 255 characters"}]
        )
    return value


@router.post(
    "/v1/account/deposits",
    status_code=201,
    response_model=DepositOut,
    summary="Deposit cash into the caller's paper account (scope account:write)",
    responses={
        200: {"model": DepositOut, "description": "A replay of an earlier Idempotency-Key"},
        **_errors(
            e401="invalid_token",
            e403="insufficient_scope",
            e422="validation_failed, or idempotency_key_reused",
        ),
    },
)
def create_deposit(
    body: NewDeposit,
    caller: CallerDep,
    session: SessionDep,
    state: StateDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    caller.require("account:write")
    key = _idempotency_key(idempotency_key)
    cents = _deposit_cents(body.amount)
    account_id = caller.account.id
    fingerprint = hashlib.sha256(json.dumps({"amount": cents}).encode()).hexdigest()
    if key is not None:
        replay = _replay(session, account_id, key, fingerprint)
        if replay is not None:
            return replay
    now = state.now()
    deposit = Deposit(
        id=str(uuid.uuid4()),
        account_id=account_id,
        amount_cents=cents,
        status="completed",
        created_at=now,
    )
    session.add(deposit)
    session.execute(
        update(PaperAccount)
        .where(PaperAccount.id == account_id)
        .values(cash_cents=PaperAccount.cash_cents + cents)
    )
    view = deposit_view(deposit)
    if key is not None:
        session.add(_remembered(account_id, key, fingerprint, view, now))
    try:
        session.commit()
    except IntegrityError:  # a concurrent request with the same key won
        session.rollback()
        replay = _replay(session, account_id, key or "", fingerprint)
        if replay is None:
            raise
        return replay
    return JSONResponse(view, status_code=201)


def _deposit_cents(amount: str) -> int:
    cents = parse_amount(amount)
    if cents is None or not 0 < cents <= MAX_DEPOSIT_CENTS:
        raise validation_failed(
            [
                {
                    "field": "amount",
                    "message": "must be a decimal string greater than 0 and at most 10000000, "
                    "with at most 2 decimal places",
                }
            ]
        )
    return cents


def _remembered(
    account_id: str, key: str, fingerprint: str, view: dict[str, str], now: datetime
) -> IdempotencyRecord:
    """The answer to a deposit with an Idempotency-Key, kept for its replays."""
    return IdempotencyRecord(
        account_id=account_id,
        operation="deposit",
        key=key,
        fingerprint=fingerprint,
        status_code=201,
        body=json.dumps(view),
        created_at=now,
    )


def _replay(
    session: Session,
    account_id: str,
    key: str,
    fingerprint: str,
) -> JSONResponse | None:
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.account_id == account_id,
            IdempotencyRecord.operation == "deposit",
            IdempotencyRecord.key == key,
        )
    )
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise SimError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request body.",
            {"header": "Idempotency-Key"},
        )
    return JSONResponse(
        json.loads(record.body),
        status_code=record.status_code,
        headers={"Idempotent-Replayed": "true"},
    )
