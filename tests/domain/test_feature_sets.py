"""Feature sets without look-ahead, and chronological splits (quantdesk.domain.feature_sets)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantdesk.domain import indicators as ind
from quantdesk.domain.feature_sets import (
    FEATURE_SETS,
    MOMENTUM_V1,
    chronological_split,
    get_feature_set,
)


def make_bars(closes_by_symbol: dict[str, list[float]], start: str = "2020-01-01") -> pd.DataFrame:
    frames = []
    for symbol, closes in closes_by_symbol.items():
        close = np.asarray(closes, dtype="float64")
        frames.append(
            pd.DataFrame(
                {
                    "symbol": symbol,
                    "session": pd.bdate_range(start, periods=len(close)).astype("datetime64[ns]"),
                    "open": close,
                    "high": close,
                    "low": close,
                    "close": close,
                    "volume": 1,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def walk(n: int, seed: int = 1) -> list[float]:
    rng = np.random.default_rng(seed)
    return list(100 * np.cumprod(1 + rng.normal(0, 0.01, n)))


def test_momentum_v1_is_published_under_its_key():
    assert get_feature_set("momentum_v1") is MOMENTUM_V1
    assert list(FEATURE_SETS) == ["momentum_v1"]
    assert MOMENTUM_V1.features == (
        "return_1d",
        "return_5d",
        "return_10d",
        "rsi_14",
        "macd_hist",
        "volatility_20",
        "close_to_sma_20",
    )
    with pytest.raises(KeyError, match="momentum_v1"):
        get_feature_set("momentum_v9")


def test_build_gives_one_row_per_bar_with_features_and_label():
    bars = make_bars({"SPX": walk(60), "NDX": walk(50, seed=2)})
    out = MOMENTUM_V1.build(bars)
    assert list(out.columns) == [
        "symbol", "session", *MOMENTUM_V1.features, "label", "next_return"
    ]  # fmt: skip
    assert len(out) == 110
    assert out["symbol"].tolist() == ["NDX"] * 50 + ["SPX"] * 60
    spx = out[out["symbol"] == "SPX"].reset_index(drop=True)
    close = pd.Series(walk(60))
    assert spx.loc[10, "return_10d"] == pytest.approx(close[10] / close[0] - 1)
    assert spx.loc[5, "return_5d"] == pytest.approx(close[5] / close[0] - 1)
    np.testing.assert_allclose(spx["rsi_14"], ind.rsi(close).to_numpy())
    assert spx.loc[30, "close_to_sma_20"] == pytest.approx(close[30] / close[11:31].mean() - 1)


def test_label_is_whether_the_next_session_closes_higher():
    out = MOMENTUM_V1.build(make_bars({"SPX": [10.0, 11.0, 11.0, 10.5, 12.0]}))
    assert out["label"].tolist()[:4] == [1, 0, 0, 1]
    assert out["label"].isna().tolist() == [False] * 4 + [True]
    assert out["next_return"].iloc[0] == pytest.approx(0.1)
    assert str(out["label"].dtype) == "Int8"


def test_labels_never_cross_from_one_symbol_to_the_next():
    out = MOMENTUM_V1.build(make_bars({"AAA": [1.0, 2.0], "BBB": [100.0, 1.0]}))
    assert out["label"].isna().tolist() == [False, True, False, True]


def test_complete_rows_drop_the_warm_up_and_the_unlabelled_last_session():
    out = MOMENTUM_V1.build(make_bars({"SPX": walk(60)}))
    complete = MOMENTUM_V1.complete_rows(out)
    assert len(complete) == 60 - MOMENTUM_V1.warmup_sessions - 1
    assert complete[list(MOMENTUM_V1.features)].notna().all().all()


def test_build_of_no_bars_is_an_empty_frame_with_the_columns():
    out = MOMENTUM_V1.build(make_bars({"SPX": walk(3)}).iloc[0:0])
    assert out.empty
    assert "label" in out.columns and "return_10d" in out.columns


@settings(max_examples=40, deadline=None)
@given(
    steps=st.lists(st.floats(-0.08, 0.08, allow_nan=False), min_size=2, max_size=90),
    cut=st.integers(1, 89),
)
def test_appending_future_bars_never_changes_a_past_row(steps, cut):
    close = list(50 * np.cumprod(1 + np.asarray(steps)))
    cut = min(cut, len(close) - 1)
    before = MOMENTUM_V1.build(make_bars({"SPX": close[:cut]}))
    after = MOMENTUM_V1.build(make_bars({"SPX": close}))
    past = after.iloc[:cut].reset_index(drop=True)
    columns = ["symbol", "session", *MOMENTUM_V1.features, "next_return"]
    known = before["label"].notna()
    pd.testing.assert_frame_equal(past[columns][known], before[columns][known], check_exact=True)
    pd.testing.assert_frame_equal(
        past[list(MOMENTUM_V1.features)], before[list(MOMENTUM_V1.features)], check_exact=True
    )
    assert past["label"][known].tolist() == before["label"][known].tolist()
    assert before["label"].isna().tolist() == [False] * (cut - 1) + [True]


# ----------------------------------------------------------------------- chronological split


def test_split_is_chronological_disjoint_and_complete():
    frame = MOMENTUM_V1.build(make_bars({"SPX": walk(100), "NDX": walk(100, seed=3)}))
    split = chronological_split(frame, train=0.6, validation=0.2, test=0.2)
    parts = (split.train, split.validation, split.test)
    assert [p["session"].nunique() for p in parts] == [60, 20, 20]
    assert sum(len(p) for p in parts) == len(frame)
    assert split.train["session"].max() < split.validation["session"].min()
    assert split.validation["session"].max() < split.test["session"].min()
    for part in parts:  # both symbols of a day land in the same part
        assert (part.groupby("session")["symbol"].nunique() == 2).all()


def test_split_keeps_row_order_and_never_shuffles():
    frame = make_bars({"SPX": walk(10)})
    split = chronological_split(frame, train=0.5, validation=0.3, test=0.2)
    assert split.train["close"].tolist() == frame["close"].iloc[:5].tolist()
    assert split.test["close"].tolist() == frame["close"].iloc[8:].tolist()


def test_split_gap_drops_sessions_between_parts():
    frame = make_bars({"SPX": walk(20)})
    split = chronological_split(frame, train=0.5, validation=0.25, test=0.25, gap=1)
    assert [len(split.train), len(split.validation), len(split.test)] == [10, 5, 3]
    assert (
        split.train["session"].iloc[-1]
        < frame["session"].iloc[10]
        < (split.validation["session"].iloc[0])
    )


@pytest.mark.parametrize("fractions", [(0.5, 0.5, 0.5), (1.2, -0.1, -0.1), (0.7, 0.2, 0.0)])
def test_split_fractions_must_be_valid(fractions):
    train, validation, test = fractions
    with pytest.raises(ValueError, match="fractions"):
        chronological_split(
            make_bars({"SPX": walk(10)}), train=train, validation=validation, test=test
        )
