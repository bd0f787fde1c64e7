"""Feature sets for learning, built from stored bars on request (see
``quantdesk.domain.feature_sets``), and their chronological train/validation/test split.

Every stored bar of a symbol up to ``end`` is used, whatever ``start`` is, so a row's
features do not depend on the range asked for: the same (symbol, session) always gets
the same features, and appending later bars changes no past row (no look-ahead).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from quantdesk.domain.feature_sets import (
    FEATURE_SETS,
    FeatureSet,
    Split,
    chronological_split,
    get_feature_set,
)
from quantdesk.domain.symbols import parse_symbol, symbol_problem
from quantdesk.errors import NotFound, ValidationFailed
from quantdesk.services.market_data import MarketDataService, decimal_text

MAX_SYMBOLS = 50


def definition_view(feature_set: FeatureSet) -> dict[str, Any]:
    return {
        "key": feature_set.key,
        "name": feature_set.name,
        "version": feature_set.version,
        "features": list(feature_set.features),
        "label": feature_set.label,
        "description": feature_set.description,
        "warmup_sessions": feature_set.warmup_sessions,
    }


def _row_views(frame: pd.DataFrame, features: tuple[str, ...]) -> list[dict[str, Any]]:
    columns = {name: frame[name].to_numpy(dtype="float64").tolist() for name in features}
    labels = frame["label"].astype("object").where(frame["label"].notna(), None).tolist()
    next_returns = frame["next_return"].to_numpy(dtype="float64").tolist()
    sessions = [d.date().isoformat() for d in frame["session"]]
    return [
        {
            "symbol": symbol,
            "session": sessions[i],
            **{name: decimal_text(columns[name][i]) for name in features},
            "label": None if labels[i] is None else int(labels[i]),
            "next_return": decimal_text(next_returns[i]),
        }
        for i, symbol in enumerate(frame["symbol"].astype(str).tolist())
    ]


def _part_view(part: pd.DataFrame) -> dict[str, Any]:
    sessions = part["session"]
    return {
        "rows": len(part),
        "sessions": int(sessions.nunique()),
        "first_session": sessions.min().date().isoformat() if len(part) else None,
        "last_session": sessions.max().date().isoformat() if len(part) else None,
    }


class FeatureSetService:
    def __init__(self, market_data: MarketDataService) -> None:
        self.market_data = market_data

    def list(self) -> dict[str, Any]:
        return {"items": [definition_view(f) for _, f in sorted(FEATURE_SETS.items())]}

    def definition(self, key: str) -> dict[str, Any]:
        return definition_view(self._get(key))

    @staticmethod
    def _get(key: str) -> FeatureSet:
        try:
            return get_feature_set(key)
        except KeyError:
            raise NotFound(
                "No feature set with that key.",
                details={"feature_set": key, "known": sorted(FEATURE_SETS)},
            ) from None

    def _build(
        self, key: str, symbols: list[str], start: date | None, end: date | None
    ) -> tuple[FeatureSet, pd.DataFrame]:
        feature_set = self._get(key)
        _check(symbols, start, end)
        bars = self.market_data.stored_bars(symbols, None, end)
        frame = feature_set.build(bars)
        if start is not None:
            frame = frame.loc[frame["session"] >= pd.Timestamp(start)].reset_index(drop=True)
        return feature_set, frame

    def frame(
        self, key: str, symbols: list[str], start: date | None, end: date | None
    ) -> pd.DataFrame:
        """The feature rows (warm-up and unlabelled rows included) as a frame."""
        return self._build(key, symbols, start, end)[1]

    def rows(
        self,
        key: str,
        symbols: list[str],
        start: date | None = None,
        end: date | None = None,
        *,
        complete: bool = False,
    ) -> dict[str, Any]:
        """Feature rows of ``symbols`` in ``start``..``end`` (``complete``: warm-up and
        unlabelled rows left out)."""
        feature_set, frame = self._build(key, symbols, start, end)
        if complete:
            frame = feature_set.complete_rows(frame)
        return {
            "feature_set": feature_set.key,
            "features": list(feature_set.features),
            "label": feature_set.label,
            "items": _row_views(frame, feature_set.features),
        }

    def split(
        self,
        key: str,
        symbols: list[str],
        start: date | None = None,
        end: date | None = None,
        *,
        train: float = 0.7,
        validation: float = 0.15,
        test: float = 0.15,
        gap: int = 0,
    ) -> dict[str, Any]:
        """The chronological split of the complete rows: sessions and rows of each part."""
        feature_set, frame = self._build(key, symbols, start, end)
        complete = feature_set.complete_rows(frame)
        try:
            parts: Split = chronological_split(
                complete, train=train, validation=validation, test=test, gap=gap
            )
        except ValueError as exc:
            raise ValidationFailed(
                [{"field": "train", "code": "invalid_split", "message": str(exc)}]
            ) from None
        return {
            "feature_set": feature_set.key,
            "symbols": sorted({parse_symbol(s) or s for s in symbols}),
            "fractions": {"train": train, "validation": validation, "test": test},
            "gap_sessions": gap,
            "rows": len(complete),
            "sessions": int(complete["session"].nunique()),
            "parts": {
                "train": _part_view(parts.train),
                "validation": _part_view(parts.validation),
                "test": _part_view(parts.test),
            },
        }


def _check(symbols: list[str], start: date | None, end: date | None) -> None:
    problems = []
    if not symbols:
        problems.append({"field": "symbols", "code": "required", "message": "name a symbol"})
    elif len(symbols) > MAX_SYMBOLS:
        problems.append(
            {"field": "symbols", "code": "too_many", "message": f"at most {MAX_SYMBOLS}"}
        )
    else:
        refused = symbol_problem("symbols", symbols)
        if refused:
            problems.append(refused)
    if start is not None and end is not None and end < start:
        problems.append({"field": "end", "code": "before_start", "message": "end is before start"})
    if problems:
        raise ValidationFailed(problems)
