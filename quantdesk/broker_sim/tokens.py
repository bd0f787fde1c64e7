"""Grants, access and refresh tokens: issue, look up, rotate and revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from quantdesk.broker_sim.security import new_secret, secret_hash
from quantdesk.broker_sim.settings import BrokerSimSettings
from quantdesk.broker_sim.store import OAuthGrant, OAuthToken

ACCESS = "access"
REFRESH = "refresh"


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    scope: str

    def as_response(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "scope": self.scope,
        }


class TokenRejected(Exception):
    """A presented token is not usable; ``reason`` is unknown, expired or revoked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def new_grant(
    session: Session,
    settings: BrokerSimSettings,
    *,
    user_id: int,
    client_id: str,
    scope: str,
    now: datetime,
) -> OAuthGrant:
    """A grant lasts as long as its first refresh token: rotation does not extend it."""
    lifetime = timedelta(seconds=settings.broker_refresh_token_ttl_seconds)
    grant = OAuthGrant(
        user_id=user_id, client_id=client_id, scope=scope, created_at=now, expires_at=now + lifetime
    )
    session.add(grant)
    session.flush()
    return grant


def issue_tokens(
    session: Session, settings: BrokerSimSettings, grant: OAuthGrant, *, scope: str, now: datetime
) -> IssuedTokens:
    """A new access token for ``scope`` (at most the grant's) and a new refresh token
    for the whole grant, which expires with the grant."""
    access, refresh = new_secret(), new_secret()
    ttl = settings.broker_access_token_ttl_seconds
    session.add_all(
        [
            OAuthToken(
                token_hash=secret_hash(access),
                kind=ACCESS,
                scope=scope,
                grant_id=grant.id,
                created_at=now,
                expires_at=now + timedelta(seconds=ttl),
            ),
            OAuthToken(
                token_hash=secret_hash(refresh),
                kind=REFRESH,
                scope=grant.scope,
                grant_id=grant.id,
                created_at=now,
                expires_at=grant.expires_at,
            ),
        ]
    )
    session.flush()
    return IssuedTokens(access, refresh, ttl, scope)


def find_token(
    session: Session,
    raw: str,
    now: datetime,
    kind: str | None = None,
) -> tuple[OAuthToken, OAuthGrant]:
    """The live token and its grant, or ``TokenRejected``."""
    query = select(OAuthToken, OAuthGrant).join(OAuthGrant, OAuthToken.grant_id == OAuthGrant.id)
    query = query.where(OAuthToken.token_hash == secret_hash(raw))
    if kind is not None:
        query = query.where(OAuthToken.kind == kind)
    row = session.execute(query).first()
    if row is None:
        raise TokenRejected("unknown")
    token, grant = row[0], row[1]
    if token.revoked_at is not None or grant.revoked_at is not None:
        raise TokenRejected("revoked")
    if token.expires_at <= now or grant.expires_at <= now:
        raise TokenRejected("expired")
    return token, grant


def revoke_token(session: Session, token_id: int, now: datetime) -> bool:
    """Marks one token revoked; False when it already was (lost a race)."""
    result = session.execute(
        update(OAuthToken)
        .where(OAuthToken.id == token_id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount == 1


def revoke_grants(
    session: Session, now: datetime, *, grant_id: int | None = None, user_id: int | None = None
) -> int:
    """Revokes a grant (or every grant of a user) and with it all of its tokens."""
    query = update(OAuthGrant).where(OAuthGrant.revoked_at.is_(None))
    if grant_id is not None:
        query = query.where(OAuthGrant.id == grant_id)
    if user_id is not None:
        query = query.where(OAuthGrant.user_id == user_id)
    return session.execute(query.values(revoked_at=now)).rowcount
