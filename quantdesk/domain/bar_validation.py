"""Validating raw bars with quarantine: every rule of ``quantdesk.domain.bars.RULES`` is
checked on every row (pandera, lazily), so a quarantined row lists every rule it broke
(pure)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from quantdesk.domain.bars import (
    BAR_COLUMNS,
    KEY_COLUMNS,
    PRICE_COLUMNS,
    RULES,
    SESSION_DTYPE,
    VALUE_COLUMNS,
    MalformedBarsError,
    ValidationResult,
    missing_columns_reason,
)
from quantdesk.domain.symbols import INVALID_SYMBOL, STORED_SYMBOL_PATTERN, TRIMMED


def _symbol_ok(symbols: pd.Series) -> pd.Series:
    return symbols.str.fullmatch(STORED_SYMBOL_PATTERN).fillna(False).astype(bool)


def _price_column() -> pa.Column:
    return pa.Column(
        "float64",
        checks=pa.Check(lambda s: s > 0, name="non_positive_price"),
        nullable=False,
    )


def _wide_checks() -> list[pa.Check]:
    """Checks across columns; a row with a missing operand passes (it is missing_value)."""

    def high_ok(d: pd.DataFrame) -> pd.Series:
        top = np.maximum(d["open"], d["close"])
        return (d["high"] >= top) | d["high"].isna() | top.isna()

    def low_ok(d: pd.DataFrame) -> pd.Series:
        bottom = np.minimum(d["open"], d["close"])
        return (d["low"] <= bottom) | d["low"].isna() | bottom.isna()

    def high_low_ok(d: pd.DataFrame) -> pd.Series:
        return (d["high"] >= d["low"]) | d["high"].isna() | d["low"].isna()

    def unique_ok(d: pd.DataFrame) -> pd.Series:
        keyed = d["symbol"].notna() & d["session"].notna()
        return ~(d.duplicated(list(KEY_COLUMNS), keep=False) & keyed)

    return [
        pa.Check(high_ok, name="high_below_open_or_close"),
        pa.Check(low_ok, name="low_above_open_or_close"),
        pa.Check(high_low_ok, name="high_below_low"),
        pa.Check(unique_ok, name="duplicate_session"),
    ]


def _validation_schema(today: pd.Timestamp) -> pa.DataFrameSchema:
    """Schema run (lazily) on the coerced input: volume is still float here."""
    return pa.DataFrameSchema(
        {
            "symbol": pa.Column(
                "str",
                checks=pa.Check(_symbol_ok, name=INVALID_SYMBOL),
                nullable=False,
            ),
            "session": pa.Column(
                SESSION_DTYPE,
                checks=pa.Check(lambda s: s <= today, name="future_session"),
                nullable=False,
            ),
            **{name: _price_column() for name in PRICE_COLUMNS},
            "volume": pa.Column(
                "float64",
                checks=[
                    pa.Check(lambda s: s >= 0, name="negative_volume"),
                    pa.Check(lambda s: s == np.floor(s), name="non_integer_volume"),
                ],
                nullable=False,
            ),
        },
        checks=_wide_checks(),
        strict=True,
        ordered=True,
    )


BARS_SCHEMA = pa.DataFrameSchema(
    {
        "symbol": pa.Column("str", pa.Check(_symbol_ok, name=INVALID_SYMBOL)),
        "session": pa.Column(SESSION_DTYPE),
        **{name: pa.Column("float64", pa.Check.gt(0)) for name in PRICE_COLUMNS},
        "volume": pa.Column("int64", pa.Check.ge(0)),
    },
    checks=_wide_checks()[:3],
    unique=list(KEY_COLUMNS),
    strict=True,
    ordered=True,
    name="daily_bars",
)
"""The bar contract as a pandera schema (what :func:`validate_bars` returns as ``valid``)."""


def _coerce_sessions(raw: pd.Series) -> pd.Series:
    """Dates from datetimes, date objects or text (ISO, then US m/d/Y, then anything)."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        return _as_session_dtype(raw.dt.tz_localize(None).dt.normalize())
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return _as_session_dtype(raw.dt.normalize())
    parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    pending = parsed.isna() & raw.notna()
    for fmt in ("%m/%d/%Y", "mixed"):
        if not pending.any():
            break
        parsed[pending] = pd.to_datetime(raw[pending], errors="coerce", format=fmt)
        pending = parsed.isna() & raw.notna()
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # pragma: no cover - mixed tz text
        parsed = parsed.dt.tz_localize(None)
    return _as_session_dtype(parsed.dt.normalize())


def _as_session_dtype(days: pd.Series) -> pd.Series:
    """To nanosecond dates without overflow: a date after 2262 becomes the last
    representable day (still a ``future_session``), one before 1677 (e.g. "5th March"
    read as year 1) is missing."""
    last = pd.Timestamp.max.normalize()
    first = pd.Timestamp.min.ceil("D")
    days = days.where(~(days > last), last)
    return days.where(~(days < first)).astype(SESSION_DTYPE)


def _coerce_numbers(raw: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers))


def _coerce_symbols(raw: pd.Series) -> pd.Series:
    """Trimmed and upper-cased; only ASCII is upper-cased, so a non-ASCII letter that
    upper-cases to ASCII (``ß`` -> ``SS``) still breaks the symbol rule."""
    trimmed = raw.astype("str").str.strip(TRIMMED)
    symbols = trimmed.str.upper().where(trimmed.str.isascii(), trimmed)
    return symbols.where(raw.notna() & (symbols != ""))


def _coerce(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "symbol": _coerce_symbols(frame["symbol"]),
            "session": _coerce_sessions(frame["session"]),
            **{name: _coerce_numbers(frame[name]) for name in VALUE_COLUMNS},
        }
    )


def _broken_rules(coerced: pd.DataFrame, today: pd.Timestamp) -> pd.Series:
    """Row position -> sorted list of broken rules (only rows that broke something)."""
    try:
        _validation_schema(today).validate(coerced, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return pd.Series([], dtype=object)
    cases = cases.loc[cases["index"].notna(), ["index", "check"]]
    rule = cases["check"].astype(str).replace({"not_nullable": "missing_value"})
    unknown = set(rule.unique()) - set(RULES)
    if unknown:  # pragma: no cover - a schema change without a rule name
        raise RuntimeError(f"unnamed validation failures: {sorted(unknown)}")
    order = rule.map({name: i for i, name in enumerate(RULES)})
    pairs = (
        pd.DataFrame({"row": cases["index"].astype("int64"), "order": order, "rule": rule})
        .drop_duplicates(["row", "rule"])
        .sort_values(["row", "order"], kind="stable")
    )
    return pairs.groupby("row", sort=True)["rule"].agg(list)


def validate_bars(frame: pd.DataFrame, *, today: date) -> ValidationResult:
    """Split raw bars into good rows (the bar contract) and quarantined rows with reasons.

    ``frame`` needs the seven :data:`BAR_COLUMNS` (extra columns are ignored); values may be
    text, numbers or dates (as from :func:`parse_csv`). Sessions after ``today`` are
    ``future_session``. All rules are checked on every row (pandera, lazy), so a row lists
    every rule it broke. See the module docstring for the rules and the contract.

    Raises :class:`MalformedBarsError` when required columns are missing or there are no
    rows.
    """
    missing = [c for c in BAR_COLUMNS if c not in frame.columns]
    if missing:
        raise MalformedBarsError(missing_columns_reason(missing, list(frame.columns)))
    if frame.empty:
        raise MalformedBarsError("there are no bars")
    raw = frame.loc[:, list(BAR_COLUMNS)].reset_index(drop=True)
    coerced = _coerce(raw)
    today_ts = pd.Timestamp(today).normalize()
    broken = _broken_rules(coerced, today_ts)

    bad = np.zeros(len(raw), dtype=bool)
    bad[broken.index.to_numpy(dtype="int64")] = True
    valid = coerced.loc[~bad]
    valid = valid.assign(volume=valid["volume"].astype("int64"))
    valid = valid.sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)

    quarantined = raw.loc[bad].astype(object)
    quarantined.insert(0, "row", quarantined.index.astype("int64"))
    quarantined["rules"] = broken.to_numpy() if len(broken) else []
    return ValidationResult(valid=valid, quarantined=quarantined.reset_index(drop=True))
