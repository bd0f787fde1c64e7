"""The market-data domain in one import: the bar contract and rules
(``quantdesk.domain.bars``), reading CSV (``bar_csv``), validation with quarantine
(``bar_validation``) and upsert diffs (``bar_diff``). All pure; the contract and the
rules are told in ``quantdesk.domain.bars``.
"""

from __future__ import annotations

from quantdesk.domain.bar_csv import COLUMN_ALIASES, NA_STRINGS, parse_csv
from quantdesk.domain.bar_diff import diff_bars
from quantdesk.domain.bar_validation import BARS_SCHEMA, validate_bars
from quantdesk.domain.bars import (
    BAR_COLUMNS,
    BAR_DTYPES,
    KEY_COLUMNS,
    PRICE_COLUMNS,
    RULE_DESCRIPTIONS,
    RULES,
    SESSION_DTYPE,
    VALUE_COLUMNS,
    MalformedBarsError,
    ValidationResult,
    bars_frame,
)

__all__ = [
    "BARS_SCHEMA",
    "BAR_COLUMNS",
    "BAR_DTYPES",
    "COLUMN_ALIASES",
    "KEY_COLUMNS",
    "NA_STRINGS",
    "PRICE_COLUMNS",
    "RULES",
    "RULE_DESCRIPTIONS",
    "SESSION_DTYPE",
    "VALUE_COLUMNS",
    "MalformedBarsError",
    "ValidationResult",
    "bars_frame",
    "diff_bars",
    "parse_csv",
    "validate_bars",
]
