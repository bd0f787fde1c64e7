"""Reading a CSV upload of daily bars into raw bar columns (pure; no row-level checks:
those are ``quantdesk.domain.bar_validation``'s)."""

from __future__ import annotations

import csv
import io
import re
import warnings

import pandas as pd

from quantdesk.domain.bars import (
    BAR_COLUMNS,
    KEY_COLUMNS,
    MalformedBarsError,
    missing_columns_reason,
)

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
        raise MalformedBarsError(missing_columns_reason(missing, header))
    # Our own names: contract names for known columns, placeholders for the rest.
    names = [mapping.get(name, f"_ignored_{i}") for i, name in enumerate(header)]
    frame = _read_rows(text, names)
    if frame.empty:
        raise MalformedBarsError("the file has a header but no bars")
    if "symbol" not in frame.columns:
        frame["symbol"] = symbol
    return frame.loc[:, list(BAR_COLUMNS)]


def _read_rows(text: str, names: list[str]) -> pd.DataFrame:
    """The rows under the header, in columns ``names``; a row longer than the header is
    refused (a shifted row cannot be trusted)."""
    numeric_na = list(NA_STRINGS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
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
            f"the CSV cannot be read: a row has more fields than the {len(names)} columns "
            "of the header"
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise MalformedBarsError(f"the CSV cannot be read: {str(exc).splitlines()[0]}") from None
