"""The typed parameters of every step, registered once, from environment.py.

Each type matches only the words it stands for, so that no two step patterns match the
same step text whatever order behave loads the step modules in.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import parse
from behave import register_type

from support.datasets import symbol_list
from support.dsl.access_control import door_phrase_pattern
from support.dsl.brokerage_circuit import TRIES
from support.dsl.market_data import NOT_BARS
from support.dsl.model_training import SETTINGS as MODEL_SETTINGS
from support.glossary import BATCH_STATES

_MONTH = "(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY_OR_YEAR = rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|(?:{_MONTH} )?\d{{4}})"
_SYMBOL = r"[A-Z][A-Z0-9]*"


@parse.with_pattern(r"[A-Z][a-z]+")
def parse_name(text: str) -> str:
    """A person of the scenario, by their alias: ``Alice``."""
    return text


@parse.with_pattern(_SYMBOL)
def parse_symbol(text: str) -> str:
    """A ticker as the specification writes it: ``SPX``."""
    return text


@parse.with_pattern(rf"(?:\d+ symbols|{_SYMBOL}(?:(?:, | and ){_SYMBOL})*)")
def parse_symbols(text: str) -> list[str]:
    """``SPX, NDX and GOOG`` -> ``["SPX", "NDX", "GOOG"]``; ``50 symbols`` is kept whole."""
    return symbol_list(text)


@parse.with_pattern(rf"{_DAY_OR_YEAR}(?: to {_DAY_OR_YEAR})?")
def parse_period(text: str) -> str:
    """A period of sessions: ``2018``, ``January 2018``, ``2018-01-02 to 2018-03-29``."""
    return text


@parse.with_pattern(r"\S+ USD")
def parse_money(text: str) -> str:
    """An amount of money as written, valid or not: ``2,500.00 USD``, ``ten USD``."""
    return text


@parse.with_pattern(r"\d{4}-\d{2}-\d{2}")
def parse_date(text: str) -> date:
    return date.fromisoformat(text)


@parse.with_pattern(r"\d+ (?:second|minute|hour|day)s?")
def parse_duration(text: str) -> str:
    """``10 minutes``, ``1 hour``."""
    return text


@parse.with_pattern(r"[A-Z][a-z]+'s (?:sign-in|started link|access|rebalance)")
def parse_lifetime(text: str) -> str:
    """Something of a client's that lasts a while: ``Alice's sign-in``."""
    return text


@parse.with_pattern(r"[A-Z]+\(\d+\)")
def parse_indicator(text: str) -> str:
    """An indicator and its period: ``RSI(14)``."""
    return text


@parse.with_pattern(
    "(?:client record|onboarding checklist|brokerage link|brokerage account"
    "|preferences|strategy|deposits)"
)
def parse_holding(text: str) -> str:
    """What the platform holds about a client and shows to them."""
    return text


@parse.with_pattern("(?:" + "|".join(re.escape(name) for name in NOT_BARS) + ")")
def parse_not_bars(text: str) -> str:
    """A file that is not daily bars, as the specification names it."""
    return text


@parse.with_pattern(door_phrase_pattern())
def parse_door(text: str) -> str:
    """A door of the access matrix: ``change Alice's preferences``."""
    return text


@parse.with_pattern(r"-?\d+(?:\.\d+)? %")
def parse_percent(text: str) -> str:
    """A fraction as the specification writes it: ``4 %``, ``49.99 %``."""
    return text


@parse.with_pattern("(?:" + "|".join(re.escape(s) for s in BATCH_STATES.values()) + ")")
def parse_batch_state(text: str) -> str:
    """A rebalance's state in words: ``waiting for approval``, ``executed``."""
    return text


@parse.with_pattern("(?:buy|sell)")
def parse_side(text: str) -> str:
    """The side of an order."""
    return text


@parse.with_pattern("(?:halted|active)")
def parse_trading_state(text: str) -> str:
    """Whether a client's trading is halted by its daily loss limit, or active."""
    return text


@parse.with_pattern("(?:" + "|".join(re.escape(t) for t in TRIES) + ")")
def parse_circuit_tries(text: str) -> str:
    """How many failed tries in a row, against the circuit to the brokerage's limit."""
    return text


@parse.with_pattern("(?:closed|open|half open)")
def parse_circuit_state(text: str) -> str:
    return text


@parse.with_pattern(
    "(?:as many symbols as|one symbol more than) the platform executes orders at once"
)
def parse_many_symbols(text: str) -> str:
    """A universe sized against how many orders the platform executes in a request."""
    return text


@parse.with_pattern("(?:at once|in the background)")
def parse_executed_how(text: str) -> str:
    return text


@parse.with_pattern(r'[^"]*')
def parse_quoted(text: str) -> str:
    """The text between double quotes, possibly empty."""
    return text


@parse.with_pattern(r'[^"\s][^"]*')
def parse_phrase(text: str) -> str:
    """Words without quotes: a reason as the specification words it."""
    return text


@parse.with_pattern(r"(?:logistic regression|gradient boosting|the reinforcement-learning agent)")
def parse_algorithm(text: str) -> str:
    """An algorithm the platform trains, as a quant names it."""
    return text


@parse.with_pattern("|".join(sorted(map(re.escape, MODEL_SETTINGS), key=len, reverse=True)))
def parse_setting(text: str) -> str:
    """A setting of a training request, as the specification names it: ``folds``."""
    return text


@parse.with_pattern(r"[a-z][a-z0-9_-]*")
def parse_alias(text: str) -> str:
    """A model's alias: ``production``, ``staging``."""
    return text


@parse.with_pattern(r"(?:fallen|risen)")
def parse_moved(text: str) -> str:
    return text


@parse.with_pattern(r"(?:better|worse)")
def parse_better_or_worse(text: str) -> str:
    return text


@parse.with_pattern(r"\d{4}-\d{2}-\d{2}(?:, an? [A-Z][a-z]+day)?")
def parse_day(text: str) -> date:
    """A date, possibly with its weekday for the reader: ``2018-03-04, a Sunday``."""
    return date.fromisoformat(text[:10])


STEP_TYPES: dict[str, Any] = {
    "Name": parse_name,
    "Symbol": parse_symbol,
    "Symbols": parse_symbols,
    "Period": parse_period,
    "Money": parse_money,
    "Date": parse_date,
    "Duration": parse_duration,
    "Lifetime": parse_lifetime,
    "Indicator": parse_indicator,
    "Holding": parse_holding,
    "NotBars": parse_not_bars,
    "Door": parse_door,
    "Percent": parse_percent,
    "BatchState": parse_batch_state,
    "Side": parse_side,
    "TradingState": parse_trading_state,
    "CircuitTries": parse_circuit_tries,
    "CircuitState": parse_circuit_state,
    "ManySymbols": parse_many_symbols,
    "ExecutedHow": parse_executed_how,
    "Quoted": parse_quoted,
    "Phrase": parse_phrase,
    "Algorithm": parse_algorithm,
    "Setting": parse_setting,
    "Alias": parse_alias,
    "BetterOrWorse": parse_better_or_worse,
    "Moved": parse_moved,
    "Day": parse_day,
}


def register_step_types() -> None:
    register_type(**STEP_TYPES)
