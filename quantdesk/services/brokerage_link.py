"""Brokerage linking (OAuth 2.0 authorization code + PKCE) and the access tokens that
broker calls on the client's behalf use.

A link starts on the platform, which remembers the ``state`` (hashed) and the PKCE
verifier (encrypted) and hands the client the brokerage's authorization URL. The
brokerage sends the client's browser back to the callback with a single-use code; the
platform exchanges it server to server, reads the account id, and only then stores the
link, in one transaction. Nothing is stored when any step fails.

Every later broker call goes through ``with_access_token``: an access token about to
expire is refreshed first, a 401 from the broker triggers one refresh and one retry,
and a refused refresh moves the link to ``reauth_required``: broker calls are refused
with that reason until the client links again.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.broker.client import (
    AccessTokenRejected,
    BrokerClient,
    BrokerRefused,
    GrantRejected,
    TokenSet,
    new_pkce_verifier,
    new_state,
)
from quantdesk.broker.vault import TokenVault
from quantdesk.clock import SystemClock, as_utc, utc_text
from quantdesk.errors import (
    AuthorizationFailed,
    AuthorizationRejected,
    BrokerageNotConfigured,
    BrokerageNotLinked,
    BrokerageRefused,
    BrokerageUnavailable,
    ConsentDenied,
    InvalidState,
    LinkAttemptExpired,
    LinkAttemptUsed,
    MissingCode,
    ReauthRequired,
)
from quantdesk.services.client_setup import client_resource, require_client
from quantdesk.store.models import BrokerageLinkRow, LinkAttemptRow

T = TypeVar("T")
ACTIVE, REAUTH_REQUIRED = "active", "reauth_required"
# Refresh an access token this long before the broker would call it expired.
REFRESH_MARGIN = timedelta(seconds=30)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def link_view(row: BrokerageLinkRow) -> dict[str, Any]:
    """What anyone may see of a link: never a token."""
    return {
        "client_id": row.client_id,
        "status": row.status,
        "broker_account_id": row.broker_account_id,
        "scope": row.scope.split(),
        "reason": row.reason,
        "linked_at": utc_text(row.linked_at),
        "updated_at": utc_text(row.updated_at),
    }


class BrokerageLinkService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: SystemClock,
        broker: BrokerClient,
        vault: TokenVault,
        *,
        attempt_ttl_seconds: int,
        configured: bool,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.broker = broker
        self.vault = vault
        self.attempt_ttl = timedelta(seconds=attempt_ttl_seconds)
        self.configured = configured
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # -- linking ----------------------------------------------------------------------
    def start_link(self, client_id: str) -> dict[str, Any]:
        if not self.configured:
            raise BrokerageNotConfigured(
                "Brokerage linking is not configured on this platform (no OAuth client secret)."
            )
        state, verifier = new_state(), new_pkce_verifier()
        now = self.clock.now()
        with self.sessions() as session:
            require_client(session, client_id)
            attempt = LinkAttemptRow(
                id=f"la_{uuid.uuid4().hex}",
                client_id=client_id,
                state_hash=sha256_hex(state),
                code_verifier_enc=self.vault.encrypt(verifier),
                created_at=now,
                expires_at=now + self.attempt_ttl,
            )
            session.add(attempt)
            session.commit()
        return {
            "id": attempt.id,
            "client_id": client_id,
            "authorization_url": self.broker.authorization_url(state, verifier),
            "redirect_uri": self.broker.redirect_uri,
            "expires_at": utc_text(attempt.expires_at),
        }

    def complete_link(
        self,
        *,
        state: str | None,
        code: str | None,
        error: str | None,
        error_description: str | None = None,
    ) -> dict[str, Any]:
        """The brokerage's redirect back: check the state, exchange the code, store the link."""
        client_id, attempt_id, verifier = self._open_attempt(state)
        if error is not None:
            self._finish_attempt(attempt_id, "denied" if error == "access_denied" else "failed")
            if error == "access_denied":
                raise ConsentDenied(
                    "The client declined access at the brokerage. Nothing was linked."
                )
            raise AuthorizationFailed(
                "The brokerage refused the authorization. Nothing was linked.",
                details={"broker_error": error, "broker_description": error_description or ""},
            )
        if not code:
            raise MissingCode("The brokerage's answer has no authorization code.")
        tokens, account_id = self._exchange(attempt_id, code, verifier)
        return self._store_link(client_id, attempt_id, tokens, account_id)

    def _open_attempt(self, state: str | None) -> tuple[str, str, str]:
        """``(client_id, attempt_id, code_verifier)`` of the open link ``state`` names."""
        if not state:
            raise InvalidState(
                "The brokerage's answer has no state: it cannot be matched to a link the "
                "client started. Nothing was linked."
            )
        with self.sessions() as session:
            attempt = session.scalar(
                select(LinkAttemptRow).where(LinkAttemptRow.state_hash == sha256_hex(state))
            )
            if attempt is None:
                raise InvalidState(
                    "The state does not belong to any link the platform started. "
                    "Nothing was linked."
                )
            if attempt.completed_at is not None:
                raise LinkAttemptUsed(
                    "This link was already completed or abandoned; start a new link.",
                    details={"outcome": attempt.outcome},
                )
            if as_utc(attempt.expires_at) <= self.clock.now():
                self._finish_attempt(attempt.id, "expired")
                raise LinkAttemptExpired("The link took too long to complete; start a new link.")
            return (
                attempt.client_id,
                attempt.id,
                self.vault.decrypt(attempt.code_verifier_enc),
            )

    def _exchange(self, attempt_id: str, code: str, verifier: str) -> tuple[TokenSet, str]:
        """The tokens for ``code`` and the account id they open."""
        # The broker being down leaves the attempt open: the same callback can be retried.
        try:
            tokens = self.broker.exchange_code(code, verifier)
        except GrantRejected as exc:
            self._finish_attempt(attempt_id, "rejected")
            raise _authorization_rejected(exc) from None
        try:
            account = self.broker.get_account(tokens.access_token)
        except (AccessTokenRejected, BrokerRefused):
            self._finish_attempt(attempt_id, "failed")
            raise _authorization_rejected(
                GrantRejected("invalid_token", "the new access token was refused")
            ) from None
        except BrokerageUnavailable:
            # The code is spent: the client starts a new link once the broker is back.
            self._finish_attempt(attempt_id, "failed")
            raise
        return tokens, str(account.get("id", ""))

    def _store_link(
        self, client_id: str, attempt_id: str, tokens: TokenSet, account_id: str
    ) -> dict[str, Any]:
        now = self.clock.now()
        with self.sessions() as session:
            claimed = session.execute(
                update(LinkAttemptRow)
                .where(LinkAttemptRow.id == attempt_id, LinkAttemptRow.completed_at.is_(None))
                .values(completed_at=now, outcome="linked")
            ).rowcount
            if claimed != 1:
                session.rollback()
                raise LinkAttemptUsed("This link was completed by another request.")
            row = session.get(BrokerageLinkRow, client_id)
            if row is None:
                row = BrokerageLinkRow(client_id=client_id, linked_at=now)
                session.add(row)
            row.broker_account_id = account_id
            row.linked_at = now
            row.status = ACTIVE
            row.reason = None
            self._put_tokens(row, tokens, now)
            session.commit()
            return link_view(row)

    def _put_tokens(self, row: BrokerageLinkRow, tokens: TokenSet, now: datetime) -> None:
        row.access_token_enc = self.vault.encrypt(tokens.access_token)
        row.refresh_token_enc = self.vault.encrypt(tokens.refresh_token)
        row.access_expires_at = now + timedelta(seconds=max(tokens.expires_in, 0))
        row.scope = tokens.scope
        row.updated_at = now

    def _finish_attempt(self, attempt_id: str, outcome: str) -> None:
        with self.sessions() as session:
            session.execute(
                update(LinkAttemptRow)
                .where(LinkAttemptRow.id == attempt_id, LinkAttemptRow.completed_at.is_(None))
                .values(completed_at=self.clock.now(), outcome=outcome)
            )
            session.commit()

    def link_of(self, client_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            row = client_resource(
                session,
                BrokerageLinkRow,
                client_id,
                BrokerageNotLinked(
                    "The client has not linked a brokerage account.", status_code=404
                ),
            )
            return link_view(row)

    # -- broker calls -----------------------------------------------------------------
    def account_of(self, client_id: str) -> dict[str, Any]:
        account = self.with_access_token(client_id, self.broker.get_account)
        return {k: account.get(k) for k in ("id", "cash", "currency", "status")}

    def _lock(self, client_id: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(client_id, threading.Lock())

    def trading_session(self, client_id: str) -> date:
        """The session the client's account at the brokerage is at now."""
        account = self.with_access_token(client_id, self.broker.trading_account)
        return date.fromisoformat(str(account["session"]))

    def with_access_token(self, client_id: str, call: Callable[[str], T]) -> T:
        """Run ``call(access_token)``, refreshing the token first or after a 401 (once)."""
        with self._lock(client_id):
            token = self._usable_access_token(client_id, force_refresh=False)
        try:
            return self._call(call, token)
        except AccessTokenRejected:
            pass
        with self._lock(client_id):
            current = self._usable_access_token(client_id, force_refresh=False)
            token = (
                current
                if current != token  # another request refreshed meanwhile
                else self._usable_access_token(client_id, force_refresh=True)
            )
        try:
            return self._call(call, token)
        except AccessTokenRejected:
            self._require_reauth(client_id, "the brokerage refused a freshly refreshed token")
            raise ReauthRequired("the brokerage refused a freshly refreshed token") from None

    @staticmethod
    def _call(call: Callable[[str], T], token: str) -> T:
        try:
            return call(token)
        except BrokerRefused as exc:
            raise BrokerageRefused(
                f"The brokerage refused the request: {exc.message}",
                details={"broker_code": exc.code},
            ) from None

    def _usable_access_token(self, client_id: str, *, force_refresh: bool) -> str:
        """The link's access token, refreshed first when it is (about to be) expired."""
        with self.sessions() as session:
            require_client(session, client_id)
            link = session.get(BrokerageLinkRow, client_id)
            if link is None:
                raise BrokerageNotLinked("The client has not linked a brokerage account yet.")
            if link.status != ACTIVE or not link.refresh_token_enc:
                raise ReauthRequired(link.reason)
            expires = link.access_expires_at and as_utc(link.access_expires_at)
            now = self.clock.now()
            fresh = link.access_token_enc and expires and expires - REFRESH_MARGIN > now
            if fresh and not force_refresh:
                return self.vault.decrypt(link.access_token_enc)  # type: ignore[arg-type]
            try:
                tokens = self.broker.refresh(self.vault.decrypt(link.refresh_token_enc))
            except GrantRejected as exc:
                reason = f"the brokerage refused the refresh token ({exc.error})"
                self._mark_reauth(session, link, reason)
                raise ReauthRequired(reason) from None
            self._put_tokens(link, tokens, now)
            session.commit()
            return tokens.access_token

    def _require_reauth(self, client_id: str, reason: str) -> None:
        with self.sessions() as session:
            link = session.get(BrokerageLinkRow, client_id)
            if link is not None:
                self._mark_reauth(session, link, reason)

    def _mark_reauth(self, session: Session, link: BrokerageLinkRow, reason: str) -> None:
        link.status = REAUTH_REQUIRED
        link.reason = reason
        link.access_token_enc = None
        link.refresh_token_enc = None
        link.access_expires_at = None
        link.updated_at = self.clock.now()
        session.commit()


def _authorization_rejected(exc: GrantRejected) -> AuthorizationRejected:
    return AuthorizationRejected(
        "The brokerage did not accept the authorization (the code may have been used "
        "already or have expired). Nothing was linked; start a new link.",
        details={"broker_error": exc.error},
    )
