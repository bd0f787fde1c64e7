"""Comparing incoming bars with stored ones for an idempotent upsert (pure)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from quantdesk.domain.bars import BAR_COLUMNS, KEY_COLUMNS, PRICE_COLUMNS, VALUE_COLUMNS


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
