"""Daily OHLCV bars: parsing, validation with quarantine, and upsert diffs (pure).

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

One bar per (symbol, session). :data:`BARS_SCHEMA` is the pandera schema of that
contract; later layers may validate frames read back from storage against it.

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

import csv
import io
import re
import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from quantdesk.domain.symbols import (
    INVALID_SYMBOL,
    STORED_SYMBOL_PATTERN,
    SYMBOL_RULE,
    TRIMMED,
)

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

# Header aliases (after lower-casing and turning spaces/hyphens into underscores).
COLUMN_ALIASES: dict[str, str] = {
    "symbol": "symbol",
    "ticker": "symbol",
    "sym": "symbol",
    "session": "session",
    "date": "session",
    "trade_date": "session",
    "trading_date": "session",
    "day": "session",
    "timestamp": "session",
    "datetime": "session",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "volume": "volume",
    "vol": "volume",
}
NA_STRINGS: tuple[str, ...] = ("", "NaN", "nan", "NA", "N/A", "n/a", "null", "NULL", "None", "-")


class MalformedBarsError(ValueError):
    """The input is not OHLCV bars at all (not CSV, empty, required columns missing).

    ``reason`` is a sentence for a human; row-level problems are never raised, they are
    quarantined by :func:`validate_bars`.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of :func:`validate_bars`.

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


# ---------------------------------------------------------------------------- schemas


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


# ----------------------------------------------------------------------------- parsing


def _canonical_header(name: object) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def _map_columns(names: list[object]) -> dict[object, str]:
    """Original header -> contract column; raises on ambiguity."""
    mapping: dict[object, str] = {}
    seen: dict[str, object] = {}
    for name in names:
        target = COLUMN_ALIASES.get(_canonical_header(name))
        if target is None:
            continue
        if target in seen:
            raise MalformedBarsError(
                f"columns {seen[target]!r} and {name!r} both mean {target!r}; keep only one"
            )
        seen[target] = name
        mapping[name] = target
    return mapping


def _missing_columns_reason(missing: list[str], found: list[object]) -> str:
    shown = ", ".join(str(f) for f in found[:10]) or "none"
    return f"not daily OHLCV bars: missing required column(s) {', '.join(missing)} (found: {shown})"


def parse_csv(data: bytes, *, symbol: str | None = None) -> pd.DataFrame:
    """Read a CSV upload into raw bar columns (no row-level validation: see validate_bars).

    Headers are matched case-insensitively, with aliases (``Date``/``date`` -> session,
    ``Ticker`` -> symbol, ``Open``/``High``/``Low``/``Close``/``Volume``); ``Adj Close`` and
    any other extra column is dropped. A file without a symbol column (a one-ticker
    download) takes ``symbol``. Returns the seven :data:`BAR_COLUMNS` with values as read
    (symbol as text, session as text, numbers as numbers or text when unparseable).

    Raises :class:`MalformedBarsError` when the bytes are not text CSV, are empty, have no
    rows, lack a required column, or a row has more fields than the header (a shifted
    row cannot be trusted). A row with fewer fields is read with empty values and is
    quarantined later as ``missing_value``.
    """
    if not data or not data.strip():
        raise MalformedBarsError("the file is empty")
    if b"\x00" in data[:4096]:
        raise MalformedBarsError("not a CSV file: the content is binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte
            raise MalformedBarsError("not a CSV file: the text encoding is unknown") from None
    try:
        header = next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as exc:
        raise MalformedBarsError(f"not a CSV file: {exc}") from None
    mapping = _map_columns(header)
    targets = set(mapping.values())
    if "symbol" not in targets and symbol is not None:
        targets.add("symbol")
    missing = [c for c in BAR_COLUMNS if c not in targets]
    if missing:
        raise MalformedBarsError(_missing_columns_reason(missing, header))
    # Our own names: contract names for known columns, placeholders for the rest.
    names = [mapping.get(name, f"_ignored_{i}") for i, name in enumerate(header)]
    numeric_na = list(NA_STRINGS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                header=0,
                names=names,
                index_col=False,
                dtype={"symbol": str, "session": str},
                keep_default_na=False,
                na_values={
                    name: [""] if name in KEY_COLUMNS else numeric_na
                    for name in names
                    if not name.startswith("_ignored_")
                },
                skipinitialspace=True,
            )
    except pd.errors.ParserWarning:
        raise MalformedBarsError(
            f"the CSV cannot be read: a row has more fields than the {len(header)} columns "
            "of the header"
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise MalformedBarsError(f"the CSV cannot be read: {str(exc).splitlines()[0]}") from None
    if frame.empty:
        raise MalformedBarsError("the file has a header but no bars")
    if "symbol" not in frame.columns:
        frame["symbol"] = symbol
    return frame.loc[:, list(BAR_COLUMNS)]


# -------------------------------------------------------------------------- validation


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
        raise MalformedBarsError(_missing_columns_reason(missing, list(frame.columns)))
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


# ------------------------------------------------------------------------------ upsert


def diff_bars(
    existing: pd.DataFrame, incoming: pd.DataFrame, *, price_tolerance: float = 1e-9
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Compare incoming bars with stored ones for an idempotent upsert.

    Both frames are in the bar contract (incoming: the ``valid`` output of
    :func:`validate_bars`). Returns three bar-contract frames of *incoming* rows:

    - ``inserted``: (symbol, session) not stored yet;
    - ``updated``: stored, but a value differs (a corrected bar; the incoming values win);
    - ``unchanged``: stored with the same values (prices within ``price_tolerance``
      absolute, to survive a round trip through storage; volume exactly).

    Re-sending the same file therefore gives ``inserted`` and ``updated`` both empty.
    A difference in either direction is an update. Raises ``ValueError`` for a negative
    ``price_tolerance`` (``np.isclose`` still treats identical values as close then, so
    the mistake would otherwise only show on prices that differ by a rounding error).
    """
    if not price_tolerance >= 0:
        raise ValueError(f"price_tolerance must be >= 0, got {price_tolerance!r}")
    keys = list(KEY_COLUMNS)
    stored = existing.loc[:, [*keys, *VALUE_COLUMNS]]
    merged = incoming.reset_index(drop=True).merge(
        stored,
        on=keys,
        how="left",
        suffixes=("", "_stored"),
        indicator=True,
        sort=False,
        validate="one_to_one",
    )
    is_new = (merged["_merge"] == "left_only").to_numpy()
    same = np.ones(len(merged), dtype=bool)
    for name in PRICE_COLUMNS:
        same &= np.isclose(
            merged[name].to_numpy(dtype="float64"),
            merged[f"{name}_stored"].to_numpy(dtype="float64"),
            rtol=0.0,
            atol=price_tolerance,
        )
    same &= merged["volume"].to_numpy() == merged["volume_stored"].to_numpy()
    columns = list(BAR_COLUMNS)
    out = merged.loc[:, columns]

    def part(mask: np.ndarray) -> pd.DataFrame:
        return out.loc[mask].astype({"volume": "int64"}).reset_index(drop=True)

    return part(is_new), part(~is_new & ~same), part(~is_new & same)
