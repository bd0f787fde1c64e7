"""The contract's refusal codes and field names in the specification's words.

One table for every feature: a refusal the platform answers is turned into the words the
scenarios use, and the words a scenario expects are checked against the glossary first,
so a mistyped or new phrase fails loudly, listing the phrases the glossary knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from support.drivers.http import ApiError

# Why a request was refused as a whole; ``{name}`` is the client it was about.
REASONS = {
    "unauthenticated": "the caller is not an authenticated operator",
    "invalid_credentials": "the email or password is wrong",
    "invalid_token": "{name} must sign in again",
    "email_already_registered": "the email is already registered",
    "malformed_request": "unreadable",
    "not_found": "there is nothing at that address",
    "method_not_allowed": "that address does not take that request",
    "consent_denied": "{name} declined access",
    "invalid_state": "the answer does not belong to a link the client started",
    "link_attempt_used": "the link was already completed",
    "link_attempt_expired": "the link took too long",
    "authorization_rejected": "the brokerage did not accept the authorization",
    "brokerage_unavailable": "the brokerage is unavailable",
    "reauth_required": "{name} must link again",
    "brokerage_not_linked": "{name} has not linked a brokerage account",
    "client_not_active": "{name} is not active yet",
    "batch_in_wrong_state": "the rebalance is {status}",
    "prices_stale": "the prices it was proposed at are no longer current",
    "trading_not_halted": "{name}'s trading is not halted",
    "operation_finished": "the training has already finished",
    "alias_not_set": "the alias points to no version",
    "nothing_to_roll_back": "the alias has no earlier version to return to",
    "artifact_tampered": "the model file no longer matches its checksum",
    "artifact_untrusted": "the model file holds types that are not trusted",
    "model_inputs_missing": "the model has no prices to predict from",
}
# Why the platform denied an order before it reached the brokerage (its pre-trade limits).
DENIALS = {
    "short_sale": "it would sell more shares than are held",
    "halted": "trading is halted",
    "outside_universe": "the symbol is not in the client's universe",
    "max_order_notional": "it is worth more than the largest order allowed",
    "buying_power": "it costs more than the cash there is",
    "max_position_weight": "the position would weigh more than the maximum position weight",
}
# What a client's risk trail records, as the specification words it.
RISK_EVENTS = {
    "limit_set": "daily loss limit set",
    "halted": "trading halted",
    "resumed": "trading resumed",
}
# A rebalance's state as the specification words it.
BATCH_STATES = {
    "proposed": "proposed",
    "pending_approval": "waiting for approval",
    "approved": "approved",
    "executing": "being executed",
    "executed": "executed",
    "partially_executed": "partly executed",
    "failed": "failed",
    "rejected": "rejected",
    "expired": "expired",
    "superseded": "superseded by a newer proposal",
}
# The contract's field names (of a body, a header or a query) as the specification names them.
FIELDS = {
    "full_name": "full name",
    "email": "email",
    "date_of_birth": "date of birth",
    "country": "country",
    "risk_tolerance": "risk tolerance",
    "investment_horizon_years": "investment horizon",
    "password": "password",
    "universe": "universe",
    "excluded": "excluded",
    "max_position_weight": "maximum position weight",
    "cash_buffer": "cash buffer",
    "approval_required": "rebalance approval",
    "model_alias": "model",
    "amount": "amount",
    "Idempotency-Key": "request key",
    "start": "start",
    "end": "end",
    "symbols": "symbols",
    "indicators": "indicator",
    "model": "model name",
    "algorithm": "algorithm",
    "feature_set": "feature set",
    "folds": "folds",
    "gap_sessions": "sessions left out before each test window",
    "seed": "seed",
    "hyperparameters.c": "C",
    "hyperparameters.max_iter": "maximum iterations",
    "hyperparameters.learning_rate": "learning rate",
    "hyperparameters.max_depth": "maximum depth",
    "hyperparameters.episodes": "episodes",
    "version": "version",
    "reason": "reason",
}
# What is wrong with a field.
PROBLEMS = {
    "required": "is missing",
    "invalid_email": "is not a valid email address",
    "invalid_date": "is not a date",
    "in_future": "is in the future",
    "under_age": "makes the client younger than 18",
    "invalid_choice": "is not one of the accepted values",
    "too_long": "is too long",
    "invalid_type": "is of the wrong kind",
    "unknown_field": "is not a registration detail",
    "unsupported_country": "is not a country we serve",
    "out_of_range": "is out of range",
    "weak_password": "is not 12 to 128 characters long",
    "no_market_data": "has no market data",
    "invalid_number": "is not a number",
    "invalid_symbol": "is not a list of symbols",
    "excludes_everything": "leaves nothing to trade",
    "too_precise": "has more than 2 decimal places",
    "idempotency_key_reused": "was used for another deposit",
    "unknown_model": "is not a registered model",
    "before_start": "is before the start",
    "too_many": "are more than 50",
    "unknown_algorithm": "is not an algorithm the platform trains",
    "unknown_feature_set": "is not a published feature set",
    "too_little_data": "leaves too little data for the folds",
    "no_data": "have no prices in the range",
    "invalid_name": "is not a valid model name",
    "unknown_alias": "has no version behind that alias",
    "greater_than_equal": "is below its minimum",
    "less_than_equal": "is above its maximum",
    "string_too_long": "is longer than allowed",
    "string_too_short": "is shorter than allowed",
    "one_outcome": "holds sessions that all went the same way",
}
# A field whose problem the specification words in its own terms.
FIELD_PROBLEMS = {
    ("investment_horizon_years", "out_of_range"): "is outside 1 to 50 years",
}
# The status of a brokerage link whose access the brokerage no longer grants.
REAUTH_REQUIRED = "reauth_required"
_NAME = r"[A-Z][\w-]*"


def field_words(field: str) -> str:
    return FIELDS.get(field, field)


def field_named(words: str) -> str:
    """The contract's name of the field the specification calls ``words`` (unknown words
    are sent as written, for the platform to refuse)."""
    by_words = {w: f for f, w in FIELDS.items()}
    return by_words.get(words.strip().lower(), words)


def problem_words(field: str, code: str) -> str:
    return FIELD_PROBLEMS.get((field, code)) or PROBLEMS.get(code, code)


def reason_words(code: str, about: str | None, status: str | None = None) -> str:
    words = REASONS.get(code, code).replace("{name}", about or "<nobody>")
    return words.replace("{status}", BATCH_STATES.get(status or "", status or "<no state>"))


def problems_of(refusal: ApiError) -> dict[str, str]:
    """``{field: problem}`` of a refusal, in the specification's words."""
    return {
        field_words(field): problem_words(field, code)
        for field, code in refusal.field_problems.items()
    }


def reasons_of(refusal: ApiError, about: str | None = None) -> list[str]:
    """Why ``refusal`` refused, in the specification's words: "the <field> <problem>" for
    each field problem, or the reason for the request as a whole."""
    problems = problems_of(refusal)
    if problems:
        return [f"the {field} {problem}" for field, problem in problems.items()]
    return [reason_words(refusal.code, about, refusal.details.get("status"))]


def _known_reasons() -> list[str]:
    problems = sorted({*PROBLEMS.values(), *FIELD_PROBLEMS.values()})
    return [
        *REASONS.values(),
        *(f"the <{'|'.join(sorted(FIELDS.values()))}> {p}" for p in problems),
    ]


def _unknown(kind: str, words: str, known: Iterable[str]) -> AssertionError:
    listed = "\n  ".join(sorted(known))
    return AssertionError(f"the glossary has no {kind} {words!r}; it knows:\n  {listed}")


def check_reason(words: str) -> str:
    """``words``, when the glossary knows them as a reason for a refusal."""
    states = "(?:" + "|".join(re.escape(s) for s in BATCH_STATES.values()) + ")"
    for template in REASONS.values():
        pattern = re.escape(template).replace(re.escape("{name}"), _NAME)
        pattern = pattern.replace(re.escape("{status}"), states)
        if re.fullmatch(pattern, words):
            return words
    for field in FIELDS.values():
        problem = words.removeprefix(f"the {field} ")
        if problem != words and problem in {*PROBLEMS.values(), *FIELD_PROBLEMS.values()}:
            return words
    raise _unknown("reason", words, _known_reasons())


def check_problems(problems: Mapping[str, str]) -> dict[str, str]:
    """``{field: problem}`` in words, when the glossary knows every field and problem."""
    for field, problem in problems.items():
        if field not in FIELDS.values():
            raise _unknown("field", field, FIELDS.values())
        if problem not in {*PROBLEMS.values(), *FIELD_PROBLEMS.values()}:
            raise _unknown("problem", problem, {*PROBLEMS.values(), *FIELD_PROBLEMS.values()})
    return dict(problems)


def denial_words(limit: str | None) -> str:
    return DENIALS.get(limit or "", limit or "<no limit>")


def check_denial(words: str) -> str:
    """``words``, when the glossary knows them as the reason of a denied order."""
    if words not in DENIALS.values():
        raise _unknown("denial", words, DENIALS.values())
    return words
