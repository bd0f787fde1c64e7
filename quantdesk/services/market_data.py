"""Market-data use cases: ingest daily bars from CSV, read bars, indicators and quality back.

An ingestion is one *run*: the file is parsed and validated (``quantdesk.domain.market_data``,
today from the platform clock), good bars are upserted idempotently (same data twice
stores nothing new, a corrected bar is updated), bad rows are quarantined with the rules
they broke, and gaps against the XNYS calendar are recorded, all in one transaction. A
file that is not bars at all fails the run: the failed run is recorded, no bar is stored.
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock, utc_text
from quantdesk.domain import indicators as ind
from quantdesk.domain.market_data import (
    BAR_COLUMNS,
    RULE_DESCRIPTIONS,
    RULES,
    MalformedBarsError,
    bars_frame,
    diff_bars,
    parse_csv,
    validate_bars,
)
from quantdesk.domain.trading_calendar import DEFAULT_CALENDAR, missing_sessions
from quantdesk.errors import NotFound, PlatformError, ValidationFailed
from quantdesk.store.models import DailyBarRow, IngestionRunRow, QuarantinedRowRow

KINDS: tuple[str, ...] = ("full", "incremental", "backfill")
_EXTRA_INDICATOR = re.compile(r"^(sma|ema|rsi)_(\d{1,3})$")


class MalformedMarketData(PlatformError):
    """The upload is not daily bars at all; ``details`` has the ``reason`` and ``run_id``."""

    status_code = 422
    code = "malformed_market_data"


def decimal_text(value: float | None) -> str | None:
    """A float as a plain decimal string (shortest round-trip digits, never exponent)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return format(Decimal(repr(float(value))), "f")


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else str(value)
    return value


def run_view(row: IngestionRunRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "source": row.source,
        "kind": row.kind,
        "status": row.status,
        "reason": row.reason,
        "range": (
            {"start": row.range_start.isoformat(), "end": row.range_end.isoformat()}
            if row.range_start and row.range_end
            else None
        ),
        "symbols": json.loads(row.symbols),
        "received": row.received,
        "inserted": row.inserted,
        "updated": row.updated,
        "unchanged": row.unchanged,
        "rejected": row.rejected,
        "duration_ms": row.duration_ms,
        "created_at": utc_text(row.created_at),
    }


def bar_view(row: DailyBarRow) -> dict[str, Any]:
    return {
        "symbol": row.symbol,
        "session": row.session.isoformat(),
        **{name: decimal_text(getattr(row, name)) for name in ("open", "high", "low", "close")},
        "volume": str(row.volume),
    }


def _bar_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "symbol": str(r.symbol),
            "session": pd.Timestamp(r.session).date(),
            "open": float(r.open),
            "high": float(r.high),
            "low": float(r.low),
            "close": float(r.close),
            "volume": int(r.volume),
        }
        for r in frame.itertuples(index=False)
    ]


def _symbol(symbol: str) -> str:
    return symbol.strip().upper()


class MarketDataService:
    def __init__(self, sessions: sessionmaker[Session], clock: SystemClock) -> None:
        self.sessions = sessions
        self.clock = clock

    # -- ingestion ---------------------------------------------------------------------

    def ingest_csv(
        self, content: bytes, kind: str = "incremental", *, source: str = "upload"
    ) -> dict[str, Any]:
        """Validate and store a CSV of daily bars; the run record (see ``run_view``)."""
        if kind not in KINDS:
            raise ValidationFailed(
                [{"field": "kind", "code": "invalid_choice", "message": f"one of {KINDS}"}]
            )
        started = time.perf_counter()
        run = IngestionRunRow(
            id=f"ing_{uuid.uuid4().hex}",
            source=source,
            kind=kind,
            symbols="[]",
            received=0,
            inserted=0,
            updated=0,
            unchanged=0,
            rejected=0,
            duration_ms=0,
            status="failed",
            gaps="{}",
            created_at=self.clock.now(),
        )
        try:
            raw = parse_csv(content)
            result = validate_bars(raw, today=self.clock.today())
        except MalformedBarsError as exc:
            run.reason = exc.reason
            run.duration_ms = _elapsed_ms(started)
            with self.sessions.begin() as session:
                session.add(run)
            raise MalformedMarketData(
                f"The market data file was refused: {exc.reason}.",
                details={"reason": exc.reason, "run_id": run.id},
            ) from None

        valid = result.valid
        symbols = sorted(valid["symbol"].unique().tolist())
        run.received = len(raw)
        run.rejected = result.quarantined_count
        run.symbols = json.dumps(symbols)
        if len(valid):
            run.range_start = valid["session"].min().date()
            run.range_end = valid["session"].max().date()
            run.gaps = json.dumps(self._gaps(valid, run.range_start, run.range_end))
        with self.sessions.begin() as session:
            session.add(run)
            session.flush()  # the run exists before bars and quarantined rows point at it
            if len(valid):
                existing = self._stored_frame(
                    session, symbols, run.range_start, run.range_end, with_ids=True
                )
                inserted, updated, unchanged = diff_bars(existing, valid)
                if len(inserted):
                    session.execute(
                        insert(DailyBarRow),
                        [{**r, "run_id": run.id} for r in _bar_records(inserted)],
                    )
                if len(updated):
                    ids = existing.set_index(["symbol", "session"])["id"]
                    keys = pd.MultiIndex.from_frame(updated[["symbol", "session"]])
                    rows = _bar_records(updated)
                    for record, bar_id in zip(rows, ids.loc[keys].to_numpy(), strict=True):
                        record.update(id=int(bar_id), run_id=run.id)
                    session.execute(update(DailyBarRow), rows)
                run.inserted, run.updated, run.unchanged = (
                    len(inserted),
                    len(updated),
                    len(unchanged),
                )
            if result.quarantined_count:
                session.execute(insert(QuarantinedRowRow), self._quarantine_rows(run.id, result))
            run.status = "succeeded_with_rejections" if run.rejected else "succeeded"
            run.duration_ms = _elapsed_ms(started)
        return run_view(run)

    @staticmethod
    def _gaps(valid: pd.DataFrame, start: date, end: date) -> dict[str, list[str]]:
        gaps: dict[str, list[str]] = {}
        for symbol, bars in valid.groupby("symbol", sort=True):
            missing = missing_sessions(bars["session"], start, end)
            gaps[str(symbol)] = [d.isoformat() for d in missing]
        return gaps

    @staticmethod
    def _quarantine_rows(run_id: str, result: Any) -> list[dict[str, Any]]:
        return [
            {
                "run_id": run_id,
                "row_number": int(r["row"]) + 1,
                "raw_values": json.dumps({c: _jsonable(r[c]) for c in BAR_COLUMNS}),
                "rules": json.dumps(list(r["rules"])),
            }
            for r in result.quarantined.to_dict("records")
        ]

    @staticmethod
    def _stored_frame(
        session: Session,
        symbols: list[str],
        start: date | None,
        end: date | None,
        *,
        with_ids: bool = False,
    ) -> pd.DataFrame:
        """Stored bars in the bar contract (plus ``id`` if asked), sorted by symbol, session."""
        query = select(DailyBarRow).where(DailyBarRow.symbol.in_(symbols))
        if start is not None:
            query = query.where(DailyBarRow.session >= start)
        if end is not None:
            query = query.where(DailyBarRow.session <= end)
        rows = session.scalars(query.order_by(DailyBarRow.symbol, DailyBarRow.session)).all()
        frame = bars_frame({name: [getattr(r, name) for r in rows] for name in BAR_COLUMNS})
        if with_ids:
            frame["id"] = pd.Series([r.id for r in rows], dtype="int64")
        return frame

    # -- reading back ------------------------------------------------------------------

    def _run(self, session: Session, run_id: str) -> IngestionRunRow:
        row = session.get(IngestionRunRow, run_id)
        if row is None:
            raise NotFound("No ingestion run with that id.", details={"run_id": run_id})
        return row

    def get_run(self, run_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            return run_view(self._run(session, run_id))

    def quarantine(self, run_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            self._run(session, run_id)
            rows = session.scalars(
                select(QuarantinedRowRow)
                .where(QuarantinedRowRow.run_id == run_id)
                .order_by(QuarantinedRowRow.row_number)
            )
            items = [
                {
                    "row_number": r.row_number,
                    "values": json.loads(r.raw_values),
                    "rules": json.loads(r.rules),
                }
                for r in rows
            ]
        return {"run_id": run_id, "items": items}

    def quality_report(self, run_id: str) -> dict[str, Any]:
        run = self.get_run(run_id)
        counts = dict.fromkeys(RULES, 0)
        for item in self.quarantine(run_id)["items"]:
            for rule in item["rules"]:
                counts[rule] += 1
        with self.sessions() as session:
            gaps = json.loads(self._run(session, run_id).gaps)
        return {
            "run_id": run_id,
            "status": run["status"],
            "reason": run["reason"],
            "kind": run["kind"],
            "source": run["source"],
            "range": run["range"],
            "counts": {
                k: run[k] for k in ("received", "inserted", "updated", "unchanged", "rejected")
            },
            "rules_broken": [
                {"rule": rule, "description": RULE_DESCRIPTIONS[rule], "rows": n}
                for rule, n in counts.items()
                if n
            ],
            "calendar": DEFAULT_CALENDAR,
            "gaps": [
                {"symbol": symbol, "missing_sessions": missing, "count": len(missing)}
                for symbol, missing in gaps.items()
            ],
        }

    def bars(self, symbol: str, start: date | None, end: date | None) -> dict[str, Any]:
        _check_range(start, end)
        symbol = _symbol(symbol)
        with self.sessions() as session:
            query = select(DailyBarRow).where(DailyBarRow.symbol == symbol)
            if start is not None:
                query = query.where(DailyBarRow.session >= start)
            if end is not None:
                query = query.where(DailyBarRow.session <= end)
            rows = session.scalars(query.order_by(DailyBarRow.session))
            return {"symbol": symbol, "items": [bar_view(r) for r in rows]}

    def indicators(
        self,
        symbol: str,
        start: date | None,
        end: date | None,
        names: list[str] | None = None,
    ) -> dict[str, Any]:
        """Indicators of the stored closes in ``start``..``end``.

        Warm-up: every stored bar of the symbol before ``start`` is used, so a value at a
        session does not depend on the range asked for. ``names``: the standard panel
        (``quantdesk.domain.indicators.INDICATOR_COLUMNS``) by default; ``sma_<n>``,
        ``ema_<n>`` and ``rsi_<n>`` may be asked for too.
        """
        _check_range(start, end)
        wanted = _indicator_names(names)
        symbol = _symbol(symbol)
        with self.sessions() as session:
            bars = self._stored_frame(session, [symbol], None, end)
        items: list[dict[str, Any]] = []
        if len(bars):
            panel = ind.compute_indicators(bars)
            close = panel["close"]
            for name in wanted:
                if name not in panel.columns:
                    kind, n = _EXTRA_INDICATOR.match(name).groups()  # type: ignore[union-attr]
                    panel[name] = getattr(ind, kind)(close, int(n)).to_numpy()
            if start is not None:
                panel = panel.loc[panel.index >= pd.Timestamp(start)]
            for session_ts, values in panel[wanted].iterrows():
                items.append(
                    {
                        "session": session_ts.date().isoformat(),
                        **{k: decimal_text(v) for k, v in values.items()},
                    }
                )
        return {"symbol": symbol, "indicators": wanted, "items": items}


def _indicator_names(names: list[str] | None) -> list[str]:
    if not names:
        return list(ind.INDICATOR_COLUMNS)
    wanted = [n.strip().lower() for n in names if n.strip()]
    bad = [
        n
        for n in wanted
        if n not in ind.INDICATOR_COLUMNS
        and not (_EXTRA_INDICATOR.match(n) and 1 <= int(n.rsplit("_", 1)[1]) <= 500)
    ]
    if bad:
        raise ValidationFailed(
            [
                {
                    "field": "indicators",
                    "code": "invalid_choice",
                    "message": f"unknown indicator(s) {', '.join(bad)}; use "
                    f"{', '.join(ind.INDICATOR_COLUMNS)}, sma_<n>, ema_<n> or rsi_<n>",
                }
            ]
        )
    return list(dict.fromkeys(wanted))


def _check_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationFailed(
            [{"field": "end", "code": "before_start", "message": "end is before start"}]
        )


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
