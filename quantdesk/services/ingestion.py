"""Loading daily bars (a CSV upload or the brokerage's feed) as ingestion runs.

An ingestion is one *run*: the bars are parsed and validated (``quantdesk.domain
.bar_validation``, today from the platform clock), good bars are upserted idempotently
(same data twice stores nothing new, a corrected bar is updated), bad rows are
quarantined with the rules they broke, and gaps against the XNYS calendar are
recorded, all in one transaction. Input that is not bars at all (or a brokerage that
does not answer) fails the run: the failed run is recorded, no bar is stored.

Kinds: ``full`` upserts every valid bar; ``incremental`` stores only sessions after the
newest stored bar of each symbol; ``backfill`` only sessions before the oldest stored
bar. Valid bars outside that scope are counted as ``skipped`` and not stored. A symbol
with no stored bar takes everything. How concurrent runs of one symbol stay exact is
told in ``quantdesk.store.bars``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock
from quantdesk.domain.bar_csv import parse_csv
from quantdesk.domain.bar_diff import diff_bars
from quantdesk.domain.bar_validation import validate_bars
from quantdesk.domain.bars import MalformedBarsError, ValidationResult
from quantdesk.domain.trading_calendar import missing_sessions
from quantdesk.errors import MalformedMarketData, PlatformError, ValidationFailed
from quantdesk.jobs.operations import OperationCancelled
from quantdesk.services.ingestion_runs import COUNT_NAMES, run_view
from quantdesk.services.market_feed import MarketFeed
from quantdesk.store import bars as bar_store
from quantdesk.store import ingestion_runs as run_store
from quantdesk.store.models import IngestionRunRow

KINDS: tuple[str, ...] = ("full", "incremental", "backfill")

# progress(fraction 0..1, message); may raise OperationCancelled between steps.
ProgressFn = Callable[[float, str | None], None]


def _no_progress(_fraction: float, _message: str | None = None) -> None:
    return None


@dataclass(frozen=True)
class FeedSymbol:
    """A symbol of the brokerage's feed and the symbol its bars are stored under."""

    broker_symbol: str
    symbol: str


class IngestionService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: SystemClock,
        feed: MarketFeed | None = None,
        *,
        write_chunk_rows: int = 20_000,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.feed = feed
        self.write_chunk_rows = write_chunk_rows

    # -- loading -----------------------------------------------------------------------

    def ingest_csv(
        self,
        content: bytes,
        kind: str = "full",
        *,
        source: str = "upload",
        progress: ProgressFn = _no_progress,
    ) -> dict[str, Any]:
        """Validate and store a CSV of daily bars; the run record (see ``run_view``)."""
        _check_kind(kind)
        started = time.perf_counter()
        run = self._new_run(source, kind)
        try:
            progress(0.0, "reading the file")
            raw = parse_csv(content)
        except MalformedBarsError as exc:
            self._refuse(run, started, exc.reason)
        except OperationCancelled:
            self._record_failure(run, started, "cancelled")
            raise
        return self._ingest(run, raw, started, progress, done=0.1)

    def ingest_from_feed(
        self,
        symbols: list[FeedSymbol],
        start: date,
        end: date,
        kind: str = "full",
        *,
        progress: ProgressFn = _no_progress,
    ) -> dict[str, Any]:
        """Fetch daily bars from the brokerage's feed, then validate and store them as one run.

        Nothing is stored unless every symbol was fetched; a brokerage that does not
        answer fails the run (503 ``brokerage_unavailable``).
        """
        _check_kind(kind)
        if self.feed is None:  # pragma: no cover - wired in create_app
            raise RuntimeError("no market-data feed configured")
        started = time.perf_counter()
        run = self._new_run("broker", kind)
        run["symbols"] = json.dumps(sorted({s.symbol for s in symbols}))
        frames = []
        try:
            for i, item in enumerate(symbols):
                progress(
                    0.5 * i / len(symbols),
                    f"fetching {item.broker_symbol} from the brokerage ({i + 1} of {len(symbols)})",
                )
                frames.append(self.feed.daily_bars(item.broker_symbol, start, end, item.symbol))
        except PlatformError as exc:
            reason = str(exc.details.get("reason") or exc.message)
            run_id = self._record_failure(run, started, reason)
            exc.details = {**exc.details, "reason": reason, "run_id": run_id}
            raise
        except OperationCancelled:
            self._record_failure(run, started, "cancelled")
            raise
        raw = pd.concat(frames, ignore_index=True)
        if raw.empty:
            run.update(status="succeeded", duration_ms=_elapsed_ms(started))
            return run_view(run_store.save_run(self.sessions, run))
        return self._ingest(run, raw, started, progress, done=0.5)

    def _new_run(self, source: str, kind: str) -> dict[str, Any]:
        return {
            "id": f"ing_{uuid.uuid4().hex}",
            "source": source,
            "kind": kind,
            "symbols": "[]",
            **dict.fromkeys(COUNT_NAMES, 0),
            "duration_ms": 0,
            "status": "failed",
            "reason": None,
            "gaps": "{}",
            "created_at": self.clock.now(),
        }

    def _record_failure(self, run: dict[str, Any], started: float, reason: str) -> str:
        run.update(status="failed", reason=reason, duration_ms=_elapsed_ms(started))
        for name in COUNT_NAMES[1:]:
            run[name] = 0
        run_store.save_run(self.sessions, run)
        return run["id"]

    def _refuse(self, run: dict[str, Any], started: float, reason: str) -> None:
        run_id = self._record_failure(run, started, reason)
        raise MalformedMarketData(
            f"The market data file was refused: {reason}.",
            details={"reason": reason, "run_id": run_id},
        ) from None

    def _ingest(
        self,
        run: dict[str, Any],
        raw: pd.DataFrame,
        started: float,
        progress: ProgressFn,
        *,
        done: float,
    ) -> dict[str, Any]:
        try:
            result = validate_bars(raw, today=self.clock.today())
        except MalformedBarsError as exc:
            self._refuse(run, started, exc.reason)
        valid = result.valid
        symbols = sorted(valid["symbol"].unique().tolist())
        run["received"] = len(raw)
        run["rejected"] = result.quarantined_count
        run["symbols"] = json.dumps(sorted(set(symbols) | set(json.loads(run["symbols"]))))
        if len(valid):
            run["range_start"] = valid["session"].min().date()
            run["range_end"] = valid["session"].max().date()
            run["gaps"] = json.dumps(_gaps(valid, run["range_start"], run["range_end"]))
        try:
            progress(done + (1 - done) * 0.1, f"validated {len(raw)} rows")

            def storing(fraction: float, message: str | None = None) -> None:
                progress(done + (1 - done) * (0.1 + 0.9 * fraction), message)

            return self._store(run, result, symbols, storing, started)
        except OperationCancelled:
            self._record_failure(run, started, "cancelled")
            raise

    def _store(
        self,
        draft: dict[str, Any],
        result: ValidationResult,
        symbols: list[str],
        progress: ProgressFn,
        started: float,
    ) -> dict[str, Any]:
        """The run, its bars and its quarantined rows, in one transaction."""
        valid = result.valid
        with self.sessions.begin() as session:
            bar_store.lock_symbols(session, symbols)
            run = IngestionRunRow(**draft)
            session.add(run)
            session.flush()  # the run exists before bars and quarantined rows point at it
            if len(valid):
                valid, run.skipped = _in_scope(session, valid, run.kind, symbols)
            if len(valid):
                run.inserted, run.updated, run.unchanged = self._write_bars(
                    session, run.id, valid, symbols, progress
                )
            if result.quarantined_count:
                run_store.add_quarantined(session, run.id, result.quarantined)
            run.status = "succeeded_with_rejections" if run.rejected else "succeeded"
            run.duration_ms = _elapsed_ms(started)
        return run_view(run)

    def _write_bars(
        self,
        session: Session,
        run_id: str,
        valid: pd.DataFrame,
        symbols: list[str],
        progress: ProgressFn,
    ) -> tuple[int, int, int]:
        """Upsert the new and the corrected bars; ``(inserted, updated, unchanged)``."""
        existing = bar_store.stored_frame(
            session, symbols, valid["session"].min().date(), valid["session"].max().date()
        )
        inserted, updated, unchanged = diff_bars(existing, valid)
        total = max(1, len(inserted) + len(updated))
        written = 0
        writer = bar_store.BarWriter(session)
        for part in (inserted, updated):
            for chunk in bar_store.chunks(bar_store.bar_rows(part, run_id), self.write_chunk_rows):
                writer.write(chunk)
                written += len(chunk)
                progress(written / total, f"stored {written} of {total} bars")
        return len(inserted), len(updated), len(unchanged)


def _in_scope(
    session: Session, valid: pd.DataFrame, kind: str, symbols: list[str]
) -> tuple[pd.DataFrame, int]:
    """The bars a run of ``kind`` may store, and how many it skips."""
    if kind == "full":
        return valid, 0
    bounds = bar_store.edge_sessions(session, symbols, newest=kind == "incremental")
    if not bounds:
        return valid, 0
    bound = pd.to_datetime(valid["symbol"].map(bounds))
    keep = bound.isna() | (
        valid["session"] > bound if kind == "incremental" else valid["session"] < bound
    )
    kept = valid.loc[keep.to_numpy()].reset_index(drop=True)
    return kept, len(valid) - len(kept)


def _gaps(valid: pd.DataFrame, start: date, end: date) -> dict[str, list[str]]:
    gaps: dict[str, list[str]] = {}
    for symbol, bars in valid.groupby("symbol", sort=True):
        missing = missing_sessions(bars["session"], start, end)
        gaps[str(symbol)] = [d.isoformat() for d in missing]
    return gaps


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationFailed(
            [{"field": "kind", "code": "invalid_choice", "message": f"one of {KINDS}"}]
        )


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
