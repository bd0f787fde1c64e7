"""Upsert diffs of incoming against stored bars (quantdesk.domain.bar_diff)."""

from __future__ import annotations

import numpy as np
import pytest

from quantdesk.domain.bar_csv import parse_csv
from quantdesk.domain.bar_diff import diff_bars
from quantdesk.domain.bar_validation import validate_bars
from quantdesk.domain.bars import BAR_COLUMNS
from tests.conftest import BARS_TODAY, GOOD_CSV, bar_frame, good_row


def test_diff_bars_splits_inserted_updated_unchanged():
    existing = validate_bars(
        bar_frame(good_row("2024-01-02"), good_row("2024-01-03"), good_row("2024-01-04")),
        today=BARS_TODAY,
    ).valid
    incoming = validate_bars(
        bar_frame(
            good_row("2024-01-02"),
            good_row("2024-01-03", close=10.75),
            good_row("2024-01-04", volume=101),
            good_row("2024-01-05"),
        ),
        today=BARS_TODAY,
    ).valid
    inserted, updated, unchanged = diff_bars(existing, incoming)
    assert inserted["session"].dt.day.tolist() == [5]
    assert updated["session"].dt.day.tolist() == [3, 4]
    assert updated["close"].tolist() == [10.75, 10.5]
    assert unchanged["session"].dt.day.tolist() == [2]
    for part in (inserted, updated, unchanged):
        assert list(part.columns) == list(BAR_COLUMNS)
        assert part["volume"].dtype == np.int64


def test_resending_the_same_bars_changes_nothing():
    existing = validate_bars(parse_csv(GOOD_CSV), today=BARS_TODAY).valid
    inserted, updated, unchanged = diff_bars(existing, existing.copy())
    assert inserted.empty and updated.empty
    assert len(unchanged) == len(existing)


def test_diff_against_nothing_stored_inserts_everything():
    incoming = validate_bars(parse_csv(GOOD_CSV), today=BARS_TODAY).valid
    inserted, updated, unchanged = diff_bars(incoming.iloc[0:0], incoming)
    assert len(inserted) == 3 and updated.empty and unchanged.empty


def test_a_storage_round_trip_rounding_is_not_an_update():
    existing = validate_bars(bar_frame(good_row()), today=BARS_TODAY).valid
    incoming = existing.assign(close=existing["close"] + 1e-12)
    _, updated, unchanged = diff_bars(existing, incoming)
    assert updated.empty and len(unchanged) == 1


@pytest.mark.parametrize("column", ["open", "high", "low", "close", "volume"])
@pytest.mark.parametrize("direction", [-1, 1])
def test_a_correction_in_either_direction_is_an_update(column, direction):
    # Regression: every correction in the suite went *up*, so a one-sided
    # comparison ("incoming - stored <= tolerance") that missed downward corrections
    # passed every test and scenario.
    existing = validate_bars(
        bar_frame(good_row(open=10.0, high=12.0, low=8.0, close=10.0, volume=100)), today=BARS_TODAY
    ).valid
    step = 1 if column == "volume" else 0.5
    incoming = existing.assign(**{column: existing[column] + direction * step})
    _, updated, unchanged = diff_bars(existing, incoming)
    assert (len(updated), len(unchanged)) == (1, 0)


def test_a_rounding_error_is_unchanged_in_either_direction():
    existing = validate_bars(bar_frame(good_row()), today=BARS_TODAY).valid
    for delta in (-1e-12, 1e-12):
        _, updated, unchanged = diff_bars(existing, existing.assign(low=existing["low"] + delta))
        assert updated.empty and len(unchanged) == 1


def test_a_negative_price_tolerance_is_refused():
    # np.isclose(a, b, atol<0) is still True for identical values, so a negative
    # tolerance looked harmless everywhere except on rounding errors.
    existing = validate_bars(bar_frame(good_row()), today=BARS_TODAY).valid
    with pytest.raises(ValueError, match="price_tolerance"):
        diff_bars(existing, existing, price_tolerance=-1e-9)
