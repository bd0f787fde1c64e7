"""Portfolio preferences and strategy choice: rules and defaults (pure).

Weights are decimal fractions of the portfolio ("0.25" is 25 %), sent and stored as
decimal strings like every quantity in the contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from quantdesk.domain.clients import FieldProblem, RiskTolerance
from quantdesk.domain.symbols import parse_symbol, symbol_problem

# The largest share of the portfolio one position may take, by the client's risk tolerance.
DEFAULT_MAX_POSITION_WEIGHT = {
    RiskTolerance.CONSERVATIVE: Decimal("0.15"),
    RiskTolerance.MODERATE: Decimal("0.25"),
    RiskTolerance.AGGRESSIVE: Decimal("0.40"),
}
DEFAULT_CASH_BUFFER = Decimal("0.05")
MAX_CASH_BUFFER = Decimal("0.50")
MAX_UNIVERSE = 500
PREFERENCE_FIELDS = (
    "universe",
    "excluded",
    "max_position_weight",
    "cash_buffer",
    "approval_required",
)
STRATEGIES = ("equal_weight", "model")
STRATEGY_FIELDS = ("strategy", "model_alias")


@dataclass(frozen=True)
class Preferences:
    universe: tuple[str, ...]
    excluded: tuple[str, ...]
    max_position_weight: Decimal
    cash_buffer: Decimal
    approval_required: bool


def tradable(universe: Sequence[str], excluded: Sequence[str]) -> tuple[str, ...]:
    """The universe without the excluded symbols, in the client's order."""
    return tuple(s for s in universe if s not in excluded)


@dataclass(frozen=True)
class StrategyChoice:
    strategy: str
    model_alias: str | None = None


def _symbols(
    data: Mapping[str, Any], name: str, problems: list[FieldProblem], *, required: bool
) -> tuple[str, ...] | None:
    value = data.get(name)
    if value is None:
        if required:
            problems.append(FieldProblem(name, "required", f"{name} is required."))
            return None
        return ()
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        problems.append(FieldProblem(name, "invalid_type", f"{name} must be a list of symbols."))
        return None
    refused = symbol_problem(name, value)
    if refused:
        problems.append(FieldProblem(name, refused["code"], refused["message"]))
        return None
    symbols = [parse_symbol(s) or "" for s in value]
    if required and not symbols:
        problems.append(FieldProblem(name, "required", f"{name} needs at least one symbol."))
        return None
    if len(symbols) > MAX_UNIVERSE:
        problems.append(
            FieldProblem(name, "too_long", f"{name} may hold at most {MAX_UNIVERSE} symbols.")
        )
        return None
    return tuple(dict.fromkeys(symbols))  # duplicates dropped, order kept


def _fraction(
    data: Mapping[str, Any],
    name: str,
    problems: list[FieldProblem],
    *,
    default: Decimal,
    low: Decimal,
    high: Decimal,
    low_inclusive: bool,
    bounds: str,
) -> Decimal | None:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        problems.append(
            FieldProblem(name, "invalid_type", f'{name} must be a decimal string, e.g. "0.25".')
        )
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        problems.append(FieldProblem(name, "invalid_number", f"{name} is not a decimal number."))
        return None
    if not number.is_finite():
        problems.append(FieldProblem(name, "invalid_number", f"{name} is not a finite number."))
        return None
    above_low = number >= low if low_inclusive else number > low
    if not above_low or number > high:
        problems.append(FieldProblem(name, "out_of_range", f"{name} must be a fraction {bounds}."))
        return None
    return number.normalize() if number != 0 else Decimal("0")


def validate_preferences(
    data: Mapping[str, Any], *, risk_tolerance: RiskTolerance
) -> tuple[Preferences | None, list[FieldProblem]]:
    """Check every preference rule and report all problems at once.

    Whether the symbols have market data is the service's check (it needs the store).
    """
    problems = [
        FieldProblem(name, "unknown_field", f"{name} is not a portfolio preference.")
        for name in sorted(set(data) - set(PREFERENCE_FIELDS))
    ]
    universe = _symbols(data, "universe", problems, required=True)
    excluded = _symbols(data, "excluded", problems, required=False)
    weight = _fraction(
        data,
        "max_position_weight",
        problems,
        default=DEFAULT_MAX_POSITION_WEIGHT[risk_tolerance],
        low=Decimal(0),
        high=Decimal(1),
        low_inclusive=False,
        bounds="above 0 and at most 1 (100 %)",
    )
    buffer = _fraction(
        data,
        "cash_buffer",
        problems,
        default=DEFAULT_CASH_BUFFER,
        low=Decimal(0),
        high=MAX_CASH_BUFFER,
        low_inclusive=True,
        bounds="from 0 to 0.5 (50 %)",
    )
    approval = _approval_required(data, problems)
    if universe and excluded is not None and not [s for s in universe if s not in excluded]:
        problems.append(
            FieldProblem(
                "excluded", "excludes_everything", "excluded leaves no symbol of the universe."
            )
        )
    if problems or universe is None or excluded is None or weight is None or buffer is None:
        return None, problems
    return (
        Preferences(
            universe=universe,
            excluded=excluded,
            max_position_weight=weight,
            cash_buffer=buffer,
            approval_required=bool(approval),
        ),
        [],
    )


def _approval_required(data: Mapping[str, Any], problems: list[FieldProblem]) -> bool:
    approval = data.get("approval_required", False)
    if not isinstance(approval, bool):
        problems.append(
            FieldProblem(
                "approval_required", "invalid_type", "approval_required must be true or false."
            )
        )
        return False
    return approval


def validate_strategy(data: Mapping[str, Any]) -> tuple[StrategyChoice | None, list[FieldProblem]]:
    """``{"strategy": "equal_weight"}`` or ``{"strategy": "model", "model_alias": ...}``."""
    problems = [
        FieldProblem(name, "unknown_field", f"{name} is not a strategy setting.")
        for name in sorted(set(data) - set(STRATEGY_FIELDS))
    ]
    strategy = data.get("strategy")
    alias = data.get("model_alias")
    if strategy is None or strategy == "":
        problems.append(FieldProblem("strategy", "required", "strategy is required."))
    elif strategy not in STRATEGIES:
        problems.append(
            FieldProblem(
                "strategy", "invalid_choice", f"strategy must be one of: {', '.join(STRATEGIES)}."
            )
        )
    if strategy == "model":
        if not isinstance(alias, str) or not alias.strip():
            problems.append(
                FieldProblem("model_alias", "required", "model_alias names the registered model.")
            )
    elif alias is not None and strategy in STRATEGIES:
        problems.append(
            FieldProblem(
                "model_alias", "not_applicable", "model_alias is only for the model strategy."
            )
        )
    if problems:
        return None, problems
    return StrategyChoice(str(strategy), alias.strip() if isinstance(alias, str) else None), []


def checklist_status(checklist: Mapping[str, bool]) -> str:
    """A client is ``active`` only when every onboarding step is done."""
    return "active" if checklist and all(checklist.values()) else "registered"
