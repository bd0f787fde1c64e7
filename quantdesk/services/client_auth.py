"""Client credentials: argon2id password hashes and opaque bearer tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock
from quantdesk.domain.clients import normalize_email
from quantdesk.errors import InvalidCredentials, InvalidToken
from quantdesk.store.models import ClientRow, ClientSessionRow

# argon2id at OWASP's minimum recommended parameters (m=19 MiB, t=2, p=1): ~30 ms a
# hash on this 2-core machine; argon2-cffi's defaults (64 MiB, t=3, p=4) take ~110 ms,
# which made sign-in-heavy scenarios the slowest part of the suite.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified when the email is unknown, so both refusals take as long (no account probing).
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ClientAuthService:
    def __init__(
        self, sessions: sessionmaker[Session], clock: SystemClock, token_ttl_seconds: int
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.token_ttl = timedelta(seconds=token_ttl_seconds)

    def sign_in(self, email: Any, password: Any) -> dict[str, Any]:
        refused = InvalidCredentials("The email or password is not correct.")
        if not isinstance(email, str) or not isinstance(password, str):
            raise refused
        with self.sessions() as session:
            row = session.scalar(
                select(ClientRow).where(ClientRow.email_key == normalize_email(email))
            )
            try:
                _hasher.verify(
                    row.password_hash if row and row.password_hash else _DUMMY_HASH, password
                )
            except (VerificationError, InvalidHashError):
                raise refused from None
            if row is None or row.password_hash is None:
                raise refused
            token = secrets.token_urlsafe(32)
            now = self.clock.now()
            session.add(
                ClientSessionRow(
                    token_hash=_token_hash(token),
                    client_id=row.id,
                    created_at=now,
                    expires_at=now + self.token_ttl,
                )
            )
            session.commit()
            return {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": int(self.token_ttl.total_seconds()),
                "client_id": row.id,
            }

    def authenticate(self, token: str) -> str:
        """The id of the client this bearer token belongs to."""
        with self.sessions() as session:
            row = session.get(ClientSessionRow, _token_hash(token))
            if row is None:
                raise InvalidToken("The bearer token is not valid.")
            expires_at = row.expires_at
            if expires_at.tzinfo is None:  # SQLite returns naive UTC datetimes
                expires_at = expires_at.replace(tzinfo=self.clock.now().tzinfo)
            if expires_at <= self.clock.now():
                raise InvalidToken("The bearer token has expired.")
            return row.client_id
