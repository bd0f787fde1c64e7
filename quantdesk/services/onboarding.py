"""Onboarding use cases: registering clients and reading them back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock, utc_text
from quantdesk.domain.clients import normalize_email, validate_registration
from quantdesk.errors import EmailAlreadyRegistered, NotFound, ValidationFailed
from quantdesk.services.client_auth import hash_password
from quantdesk.services.client_setup import status_of
from quantdesk.store.models import ClientRow


def client_view(row: ClientRow, status: str) -> dict[str, Any]:
    """``status`` is derived from the onboarding checklist: ``active`` when all is done."""
    return {
        "id": row.id,
        "full_name": row.full_name,
        "email": row.email,
        "date_of_birth": row.date_of_birth.isoformat(),
        "risk_tolerance": row.risk_tolerance,
        "country": row.country,
        "investment_horizon_years": row.investment_horizon_years,
        "status": status,
        "created_at": utc_text(row.created_at),
    }


class OnboardingService:
    def __init__(self, sessions: sessionmaker[Session], clock: SystemClock) -> None:
        self.sessions = sessions
        self.clock = clock

    def register(self, data: Mapping[str, Any]) -> dict[str, Any]:
        registration, problems = validate_registration(data, today=self.clock.today())
        if registration is None:
            raise ValidationFailed([p.as_dict() for p in problems])
        row = ClientRow(
            id=f"cl_{uuid.uuid4().hex}",
            full_name=registration.full_name,
            email=registration.email,
            email_key=registration.email_key,
            date_of_birth=registration.date_of_birth,
            risk_tolerance=registration.risk_tolerance.value,
            country=registration.country,
            investment_horizon_years=registration.investment_horizon_years,
            password_hash=hash_password(registration.password),
            status="registered",
            created_at=self.clock.now(),
        )
        with self.sessions() as session:
            if session.scalar(select(ClientRow.id).where(ClientRow.email_key == row.email_key)):
                raise _duplicate()
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # a concurrent registration won the race
                session.rollback()
                raise _duplicate() from None
        return client_view(row, "registered")

    def find_by_email(self, email: str) -> list[dict[str, Any]]:
        with self.sessions() as session:
            rows = session.scalars(
                select(ClientRow).where(ClientRow.email_key == normalize_email(email))
            )
            return [client_view(row, status_of(session, row.id)) for row in rows]

    def get(self, client_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            row = session.get(ClientRow, client_id)
            if row is None:
                raise NotFound("No client with that id.", details={"client_id": client_id})
            return client_view(row, status_of(session, client_id))


def _duplicate() -> EmailAlreadyRegistered:
    return EmailAlreadyRegistered(
        "A client with this email is already registered.",
        details={"field": "email"},
    )
