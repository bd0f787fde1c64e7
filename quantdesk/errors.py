"""Errors the platform reports to callers: one class per machine code.

Every class is a :class:`PlatformError`; ``quantdesk.api.errors`` turns one into the
HTTP answer ``{code, message, details}`` with the class's ``status_code``. The classes
live here, not in the API package, because services, jobs and the broker client raise
them and must not depend on the web layer.
"""

from __future__ import annotations

from typing import Any


class PlatformError(Exception):
    """Base of every error with a defined HTTP answer: ``{code, message, details}``."""

    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


# -- 400 ----------------------------------------------------------------------------------


class MalformedRequest(PlatformError):
    """The body is not valid JSON."""

    status_code = 400
    code = "malformed_request"


class InvalidState(PlatformError):
    """A brokerage callback without a ``state``, or with one the platform did not issue."""

    status_code = 400
    code = "invalid_state"


class MissingCode(PlatformError):
    """A brokerage callback with neither ``code`` nor ``error``."""

    status_code = 400
    code = "missing_code"


class AuthorizationFailed(PlatformError):
    """The brokerage answered the browser with an error other than ``access_denied``."""

    status_code = 400
    code = "authorization_failed"


class AuthorizationRejected(PlatformError):
    """The brokerage refused the authorization code (used, expired or not ours)."""

    status_code = 400
    code = "authorization_rejected"


# -- 401 ----------------------------------------------------------------------------------


class Unauthenticated(PlatformError):
    """No credentials, or an operator key that is not valid."""

    status_code = 401
    code = "unauthenticated"


class InvalidCredentials(PlatformError):
    """A sign-in with an email or password that is not correct."""

    status_code = 401
    code = "invalid_credentials"


class InvalidToken(PlatformError):
    """A client bearer token that is unknown or expired."""

    status_code = 401
    code = "invalid_token"


# -- 403 ----------------------------------------------------------------------------------


class ConsentDenied(PlatformError):
    """The client declined access at the brokerage."""

    status_code = 403
    code = "consent_denied"


# -- 404 ----------------------------------------------------------------------------------


class NotFound(PlatformError):
    """No such resource, or one the caller may not see."""

    status_code = 404
    code = "not_found"


class PreferencesNotSet(PlatformError):
    status_code = 404
    code = "preferences_not_set"


class StrategyNotChosen(PlatformError):
    status_code = 404
    code = "strategy_not_chosen"


# -- 409 ----------------------------------------------------------------------------------


class ClientNotActive(PlatformError):
    """Trading needs every onboarding step done; ``details.missing_steps`` names the rest."""

    status_code = 409
    code = "client_not_active"


class BatchInWrongState(PlatformError):
    """The batch's state does not allow the action; ``details.status`` is the state."""

    status_code = 409
    code = "batch_in_wrong_state"


class PricesStale(PlatformError):
    """A batch proposed at another session's prices must be proposed afresh."""

    status_code = 409
    code = "prices_stale"


class TradingNotHalted(PlatformError):
    """Resuming a client's trading that is not halted."""

    status_code = 409
    code = "trading_not_halted"


class AliasNotSet(PlatformError):
    """The model has no version behind that alias (or no such model)."""

    status_code = 409
    code = "alias_not_set"


class PromotionRefused(PlatformError):
    """The version does worse than the one the alias points to; ``details`` say by how much."""

    status_code = 409
    code = "promotion_refused"


class NothingToRollBack(PlatformError):
    """The alias has no earlier version to return to."""

    status_code = 409
    code = "nothing_to_roll_back"


class ArtifactTampered(PlatformError):
    """A model artifact whose bytes no longer match its registered checksum."""

    status_code = 409
    code = "artifact_tampered"


class ArtifactUntrusted(PlatformError):
    """A model artifact holding types outside the trusted list."""

    status_code = 409
    code = "artifact_untrusted"


class TrainingFailed(PlatformError):
    """A training that cannot go on with its data (the operation's error)."""

    status_code = 422
    code = "training_failed"


class ModelInputsMissing(PlatformError):
    """The model cannot predict: a symbol has no complete feature row as of the date."""

    status_code = 409
    code = "model_inputs_missing"


class EmailAlreadyRegistered(PlatformError):
    status_code = 409
    code = "email_already_registered"


class OperationFinished(PlatformError):
    """A cancel of an operation that has already finished."""

    status_code = 409
    code = "operation_finished"


class LinkAttemptUsed(PlatformError):
    status_code = 409
    code = "link_attempt_used"


class LinkAttemptExpired(PlatformError):
    status_code = 409
    code = "link_attempt_expired"


class BrokerageNotLinked(PlatformError):
    """The client has no brokerage link.

    409 when a broker call needs the link; 404 when the link itself is the resource
    asked for (``GET /v1/clients/{id}/brokerage-link``).
    """

    status_code = 409
    code = "brokerage_not_linked"

    def __init__(self, message: str, *, status_code: int = 409) -> None:
        super().__init__(message)
        self.status_code = status_code


class ReauthRequired(PlatformError):
    """The brokerage no longer accepts the link; ``details.reason`` says why."""

    status_code = 409
    code = "reauth_required"

    def __init__(self, reason: str | None) -> None:
        super().__init__(
            "The brokerage no longer accepts this link: the client must link the brokerage "
            "account again.",
            details={"link_status": "reauth_required", "reason": reason or ""},
        )


class BrokerageRefused(PlatformError):
    """The brokerage refused a call for a reason of its own; ``details.broker_code``."""

    status_code = 409
    code = "brokerage_refused"


# -- 413, 415, 422 ------------------------------------------------------------------------


class PayloadTooLarge(PlatformError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(PlatformError):
    status_code = 415
    code = "unsupported_media_type"


class ValidationFailed(PlatformError):
    """422 with every field problem at once in ``details.fields``."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, fields: list[dict[str, str]], message: str | None = None) -> None:
        names = ", ".join(sorted({f["field"] for f in fields}))
        super().__init__(
            message or f"The request has invalid fields: {names}.", details={"fields": fields}
        )


class MalformedMarketData(PlatformError):
    """The upload is not daily bars at all; ``details`` has the ``reason`` and ``run_id``."""

    status_code = 422
    code = "malformed_market_data"


class UnknownSymbol(PlatformError):
    """The brokerage's feed has no market data for a symbol."""

    status_code = 422
    code = "unknown_symbol"


# -- 503 ----------------------------------------------------------------------------------


class BrokerageUnavailable(PlatformError):
    """The brokerage (its API or its market-data feed) did not answer, or answered 5xx."""

    status_code = 503
    code = "brokerage_unavailable"


class BrokerageNotConfigured(PlatformError):
    """The platform has no OAuth client secret for the brokerage."""

    status_code = 503
    code = "brokerage_not_configured"
