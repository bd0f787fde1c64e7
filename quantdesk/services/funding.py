"""Funding a client's linked paper account: deposits through the brokerage, made once per
``Idempotency-Key`` and recorded by the platform.

The broker call itself goes through :meth:`BrokerageLinkService.with_access_token`, so a
deposit refreshes or re-links exactly like every other broker call.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock, utc_text
from quantdesk.errors import ValidationFailed
from quantdesk.services.brokerage_link import BrokerageLinkService, sha256_hex
from quantdesk.services.client_setup import require_client
from quantdesk.store.models import BrokerageLinkRow, ClientDepositRow

MAX_DEPOSIT = Decimal("10000000")


def deposit_view(row: ClientDepositRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "client_id": row.client_id,
        "broker_account_id": row.broker_account_id,
        "broker_deposit_id": row.broker_deposit_id,
        "amount": row.amount,
        "created_at": utc_text(row.created_at),
    }


class FundingService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: SystemClock,
        links: BrokerageLinkService,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.links = links
        self.broker = links.broker

    def deposit(
        self, client_id: str, amount: Any, idempotency_key: str | None
    ) -> tuple[dict[str, Any], bool]:
        """Deposit cash into the linked account; ``(deposit, created)``. Same key, same result."""
        text = _deposit_amount(amount)
        _check_idempotency_key(idempotency_key)
        fingerprint = sha256_hex(json.dumps({"amount": text}))
        with self.sessions() as session:
            require_client(session, client_id)
            if idempotency_key is not None:
                earlier = _deposit_with_key(session, client_id, idempotency_key)
                if earlier is not None:
                    return _replay(earlier, fingerprint), False
        # The broker's own key makes a retried call safe: one key per platform deposit.
        broker_key = "qd-" + sha256_hex(f"{client_id}:{idempotency_key or uuid.uuid4().hex}")[:40]
        made = self.links.with_access_token(
            client_id, lambda token: self.broker.deposit(token, text, broker_key)
        )
        with self.sessions() as session:
            link = session.get(BrokerageLinkRow, client_id)
            row = ClientDepositRow(
                id=f"dp_{uuid.uuid4().hex}",
                client_id=client_id,
                broker_account_id=link.broker_account_id if link else "",
                broker_deposit_id=str(made.get("id", "")),
                amount=text,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                created_at=self.clock.now(),
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # a concurrent request with the same key won
                session.rollback()
                earlier = _deposit_with_key(session, client_id, idempotency_key or "")
                if earlier is None:
                    raise
                return _replay(earlier, fingerprint), False
            return deposit_view(row), True

    def deposits_of(self, client_id: str) -> list[dict[str, Any]]:
        with self.sessions() as session:
            require_client(session, client_id)
            rows = session.scalars(
                select(ClientDepositRow)
                .where(ClientDepositRow.client_id == client_id)
                .order_by(ClientDepositRow.created_at)
            )
            return [deposit_view(row) for row in rows]


def _check_idempotency_key(key: str | None) -> None:
    if key is not None and not 1 <= len(key) <= 255:
        raise ValidationFailed(
            [
                {
                    "field": "Idempotency-Key",
                    "code": "invalid_length",
                    "message": "Idempotency-Key must be 1 to 255 characters.",
                }
            ]
        )


def _deposit_amount(amount: Any) -> str:
    problem = None
    if amount is None or amount == "":
        problem = ("required", "amount is required.")
    elif not isinstance(amount, str):
        problem = ("invalid_type", 'amount must be a decimal string, e.g. "2500.00".')
    else:
        try:
            value = Decimal(amount.strip())
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            problem = ("invalid_number", "amount is not a decimal number.")
        elif value.as_tuple().exponent < -2:  # type: ignore[operator]
            problem = ("too_precise", "amount may have at most 2 decimal places.")
        elif not 0 < value <= MAX_DEPOSIT:
            problem = ("out_of_range", f"amount must be above 0 and at most {MAX_DEPOSIT}.")
        else:
            return f"{value:.2f}"
    code, message = problem
    raise ValidationFailed([{"field": "amount", "code": code, "message": message}])


def _deposit_with_key(session: Session, client_id: str, key: str) -> ClientDepositRow | None:
    return session.scalar(
        select(ClientDepositRow).where(
            ClientDepositRow.client_id == client_id, ClientDepositRow.idempotency_key == key
        )
    )


def _replay(earlier: ClientDepositRow, fingerprint: str) -> dict[str, Any]:
    if earlier.fingerprint != fingerprint:
        raise ValidationFailed(
            [
                {
                    "field": "Idempotency-Key",
                    "code": "idempotency_key_reused",
                    "message": "This Idempotency-Key was used for a different deposit.",
                }
            ],
            message="The Idempotency-Key was already used with a different request.",
        )
    return deposit_view(earlier)
