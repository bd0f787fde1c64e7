"""Daily OHLCV bars: the bar contract every market-data function keeps, the validation
rules by name, and the outcome of a validation (pure).

The bar contract
----------------
Every function here that returns bars returns a DataFrame with exactly these
columns, in this order, with a default ``RangeIndex``, sorted by symbol then session:

=========  ====================  =====================================================
column     dtype                 meaning
=========  ====================  =====================================================
symbol     ``str``               ticker, trimmed and upper-cased (``"SPX"``), following
                                 the symbol rule of ``quantdesk.domain.symbols``
session    ``datetime64[ns]``    the trading date, midnight, timezone-naive
open       ``float64``           > 0
high       ``float64``           >= open, close and low
low        ``float64``           <= open and close
close      ``float64``           > 0
volume     ``int64``             >= 0, a whole number of shares (0 is allowed: indexes)
=========  ====================  =====================================================

One bar per (symbol, session). ``quantdesk.domain.bar_validation.BARS_SCHEMA`` is the
pandera schema of that contract; later layers may validate frames read back from storage against it.

Validation rules (stable names, reported per quarantined row)
--------------------------------------------------------------
``missing_value``             a required field is empty, not a number/date, or infinite
``invalid_symbol``            the symbol breaks the symbol rule (``quantdesk.domain.symbols``:
                              1 to 40 letters, digits, ``.``, ``_`` or ``-``, starting with a
                              letter or a digit), e.g. ``SPX?x=1`` or ``S P X``
``non_positive_price``        open, high, low or close <= 0
``high_below_open_or_close``  high < max(open, close)
``low_above_open_or_close``   low > min(open, close)
``high_below_low``            high < low
``negative_volume``           volume < 0
``non_integer_volume``        volume has a fractional part
``duplicate_session``         more than one row for the same symbol and session: *every*
                              copy is quarantined (none is silently preferred), so the
                              uploader has to say which bar is right
``future_session``            session is after ``today``

There is no ``not_increasing`` rule: rows are sorted on the way out, so input order
is not a data-quality problem, and equal sessions are already ``duplicate_session``.
Prices are compared exactly (no tolerance), as they were given.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from quantdesk.domain.symbols import INVALID_SYMBOL, SYMBOL_RULE

BAR_COLUMNS: tuple[str, ...] = ("symbol", "session", "open", "high", "low", "close", "volume")
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")
VALUE_COLUMNS: tuple[str, ...] = (*PRICE_COLUMNS, "volume")
KEY_COLUMNS: tuple[str, ...] = ("symbol", "session")
SESSION_DTYPE = "datetime64[ns]"
BAR_DTYPES: dict[str, str] = {
    "symbol": "str",
    "session": SESSION_DTYPE,
    **{name: "float64" for name in PRICE_COLUMNS},
    "volume": "int64",
}


def bars_frame(columns: dict[str, list] | None = None) -> pd.DataFrame:
    """A frame in the bar contract's columns and types (empty when no columns given)."""
    columns = columns or {name: [] for name in BAR_COLUMNS}
    frame = pd.DataFrame({name: columns[name] for name in BAR_COLUMNS})
    frame["session"] = pd.to_datetime(frame["session"])
    return frame.astype(BAR_DTYPES)


RULES: tuple[str, ...] = (
    "missing_value",
    INVALID_SYMBOL,
    "non_positive_price",
    "high_below_open_or_close",
    "low_above_open_or_close",
    "high_below_low",
    "negative_volume",
    "non_integer_volume",
    "duplicate_session",
    "future_session",
)
RULE_DESCRIPTIONS: dict[str, str] = {
    "missing_value": "a required field is empty, not a number/date, or infinite",
    INVALID_SYMBOL: SYMBOL_RULE,
    "non_positive_price": "open, high, low and close must be greater than zero",
    "high_below_open_or_close": "high must be at least the open and the close",
    "low_above_open_or_close": "low must be at most the open and the close",
    "high_below_low": "high must be at least the low",
    "negative_volume": "volume must not be negative",
    "non_integer_volume": "volume must be a whole number",
    "duplicate_session": "only one bar per symbol and session",
    "future_session": "the session is after today",
}


class MalformedBarsError(ValueError):
    """The input is not OHLCV bars at all (not CSV, empty, required columns missing).

    ``reason`` is a sentence for a human; row-level problems are never raised, they are
    quarantined by ``quantdesk.domain.bar_validation.validate_bars``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of ``quantdesk.domain.bar_validation.validate_bars``.

    ``valid``: the good rows, in the bar contract (see the module docstring).

    ``quarantined``: one row per rejected input row, sorted by ``row``, columns
    ``row`` (int, 0-based position in the input frame; CSV line = row + 2), the seven
    bar columns *as given* (raw values, object dtype) and ``rules`` (``list[str]`` of
    the broken rule names, in :data:`RULES` order, never empty).
    """

    valid: pd.DataFrame
    quarantined: pd.DataFrame

    @property
    def valid_count(self) -> int:
        return len(self.valid)

    @property
    def quarantined_count(self) -> int:
        return len(self.quarantined)

    def rule_counts(self) -> dict[str, int]:
        """How many quarantined rows broke each rule (rules with no failures omitted)."""
        counts = dict.fromkeys(RULES, 0)
        for rules in self.quarantined["rules"]:
            for rule in rules:
                counts[rule] += 1
        return {rule: n for rule, n in counts.items() if n}


def missing_columns_reason(missing: list[str], found: list[object]) -> str:
    shown = ", ".join(str(f) for f in found[:10]) or "none"
    return f"not daily OHLCV bars: missing required column(s) {', '.join(missing)} (found: {shown})"
