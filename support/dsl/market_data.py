"""The market-data pipeline in business terms: load bars, read them back, judge quality."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import allure
import numpy as np
import pandas as pd

from support import datasets, oracles
from support.drivers.market_data import MarketDataDriver
from support.dsl.aliases import Aliases
from support.dsl.outcomes import Outcomes, answer_or_refusal
from support.reporting import attach_chart, attach_json

# Files that are not daily bars, as the specification names them.
NOT_BARS: dict[str, Any] = {
    "a file without a close column": lambda symbol: (
        f"symbol,session,open,high,low,volume\n{symbol},2024-03-04,100,101,99,1000\n".encode()
    ),
    "a spreadsheet that is not CSV": lambda _: b"PK\x03\x04\x14\x00\x06\x00" + bytes(64),
    "an empty file": lambda _: b"",
}
# The published feature set the scenarios use (``momentum`` in Gherkin).
FEATURE_SET = "momentum_v1"
# How long a load running as an operation may take before a scenario gives up.
OPERATION_DEADLINE_S = 30.0
# Indicators shown in the chart attached to the report.
CHART_INDICATORS = [
    "close", "sma_20", "sma_50", "bb_upper", "bb_lower", "rsi_14", "macd", "macd_signal",
    "macd_hist",
]  # fmt: skip
# The n-th session (1-based) of a symbol's history at which each indicator has its first
# value (quantdesk.domain.indicators documents the warm-ups).
INDICATOR_WARMUP = {
    "sma_20": 20, "sma_50": 50, "ema_12": 12, "ema_26": 26, "rsi_14": 15, "macd": 26,
    "macd_signal": 34, "macd_hist": 34, "bb_upper": 20, "bb_middle": 20, "bb_lower": 20,
    "return_1d": 2, "volatility_20": 21,
}  # fmt: skip
# The specification's names of the served indicators and momentum features.
INDICATOR_LABELS = {
    "SMA(20)": "sma_20", "SMA(50)": "sma_50", "EMA(12)": "ema_12", "EMA(26)": "ema_26",
    "RSI(14)": "rsi_14", "MACD line": "macd", "MACD signal": "macd_signal",
    "MACD histogram": "macd_hist", "Bollinger upper band": "bb_upper",
    "Bollinger middle band": "bb_middle", "Bollinger lower band": "bb_lower",
    "daily return": "return_1d", "volatility(20)": "volatility_20",
}  # fmt: skip
FEATURE_LABELS = {
    "1-session return": "return_1d", "5-session return": "return_5d",
    "10-session return": "return_10d", "RSI(14)": "rsi_14", "MACD histogram": "macd_hist",
    "volatility(20)": "volatility_20", "distance from SMA(20)": "close_to_sma_20",
    "next session up": "label", "next session return": "next_return",
}  # fmt: skip
# Where indicator worked examples start (any NYSE session: the examples have no dates).
EXAMPLE_FIRST_SESSION = date(2024, 1, 2)


def indicator_name(label: str) -> str:
    """``"RSI(14)"`` -> ``"rsi_14"``."""
    match = re.fullmatch(r"\s*([A-Za-z]+)\s*\(\s*(\d+)\s*\)\s*", label)
    assert match, f"not an indicator like RSI(14): {label!r}"
    return f"{match[1].lower()}_{match[2]}"


def rule_name(words: str) -> str:
    """``"non-positive price"`` -> ``"non_positive_price"``."""
    return re.sub(r"[\s\-]+", "_", words.strip().lower())


@dataclass
class MarketData:
    driver: MarketDataDriver
    aliases: Aliases
    outcomes: Outcomes
    runs: list[dict[str, Any]] = field(default_factory=list)
    worked_example: pd.DataFrame | None = None
    operation: dict[str, Any] | None = None
    # How long the operator waited for the last upload's answer, in milliseconds.
    waited_ms: float = 0.0
    described_symbol: str = ""
    progress_seen: list[float] = field(default_factory=list)
    feature_rows_read: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    last_split: dict[str, Any] | None = None
    simultaneous: list[Any] = field(default_factory=list)

    # -- loading -----------------------------------------------------------------------

    def _load(self, title: str, content: bytes, *, kind: str, source: str) -> dict[str, Any]:
        with allure.step(title):
            started = time.perf_counter()
            run = self.driver.ingest_csv(content, kind=kind, source=source)
            self.waited_ms = (time.perf_counter() - started) * 1000
            if "done" in run:  # a target that runs this upload as an operation
                self.operation = run
                operation = self.await_operation()
                assert operation["status"] == "succeeded", f"the load did not succeed: {operation}"
                run = operation["result"]
            self.runs.append(run)
            attach_json("data quality report", self.driver.quality_report(run["id"]))
        return run

    def load_history(
        self, source: str, period: str, *, without: list[date] = (), kind: str = "full"
    ) -> dict[str, Any]:
        """Real history of ``source`` (e.g. SPX) over ``period``, stored under its alias."""
        start, end = datasets.parse_period(period)
        bars = datasets.history(source, start, end, symbol=self.aliases.symbol(source))
        bars = bars.loc[~bars["session"].dt.date.isin(set(without))]
        title = f"Load the {source} history of {period}" + (
            f" without {len(without)} sessions" if without else ""
        )
        return self._load(title, datasets.to_csv(bars), kind=kind, source="arch")

    def load_bars(self, symbol: str, rows: pd.DataFrame) -> dict[str, Any]:
        """Bars given as text (columns session, open, high, low, close, volume; a session
        may read "today" or "tomorrow")."""
        bars = rows.assign(
            symbol=self.aliases.symbol(symbol), session=rows["session"].map(datasets.session_text)
        )
        return self._load(
            f"Load {len(rows)} bars of {symbol}",
            datasets.to_csv(bars),
            kind="incremental",
            source="operator",
        )

    def load_bars_with_one_under(
        self, symbol: str, rows: pd.DataFrame, session: str, written: str
    ) -> dict[str, Any]:
        """Bars of ``symbol`` (as :meth:`load_bars`), the row of ``session`` under the symbol
        ``written`` exactly as written: a symbol the platform must refuse is never stored,
        so it needs no alias to keep scenarios apart."""
        bars = rows.assign(symbol=self.aliases.symbol(symbol))
        bars.loc[bars["session"] == session, "symbol"] = written
        return self._load(
            f"Load {len(rows)} bars of {symbol}, the one of {session} under {written!r}",
            datasets.to_csv(bars),
            kind="incremental",
            source="operator",
        )

    def load_flat_history(self, symbol: str, close: str, count: int, first: date) -> None:
        """``count`` NYSE sessions from ``first`` whose bars all stand still at ``close``."""
        sessions = datasets.sessions_from(first, count)
        bars = pd.DataFrame(
            {"session": [d.isoformat() for d in sessions], "open": close, "high": close,
             "low": close, "close": close, "volume": 100}
        )  # fmt: skip
        run = self.load_bars(symbol, bars)
        assert run["inserted"] == count, f"the flat history was not stored whole: {run}"

    def load_bar_under_described_symbol(self, words: str) -> dict[str, Any]:
        """One bar under a symbol the specification describes rather than names, unique to
        the scenario: "of 40 characters, the most" or "in lower case with a dot, a hyphen
        and an underscore"."""
        tag = self.aliases.tag.upper()
        if words.startswith("of 40 characters"):
            written = (f"L{tag}" + "X" * 40)[:40]
        elif words.startswith("in lower case"):
            written = f"brk.{tag}-x_y".lower()
        else:
            raise AssertionError(f"no such symbol described: {words!r}")
        self.described_symbol = written
        bars = pd.DataFrame(
            [{"symbol": written, "session": "2024-03-05", "open": 100, "high": 101,
              "low": 99, "close": 100.5, "volume": 900}]
        )  # fmt: skip
        return self._load(
            f"Load a bar under the symbol {written!r}",
            datasets.to_csv(bars),
            kind="full",
            source="operator",
        )

    def stored_under_described_symbol(self) -> list[str]:
        """The symbols the last described bar is stored under, read back in capitals."""
        written = self.described_symbol.upper()
        with allure.step(f"Read the stored bars of {written}"):
            return sorted({b["symbol"] for b in self.driver.bars(written)})

    def correct_close(self, symbol: str, session: date, close: str) -> dict[str, Any]:
        """Send the stored bar of ``session`` again with another close (range widened)."""
        bar = self.bar(symbol, session)
        value = float(close)
        corrected = {
            **bar,
            "close": close,
            "high": str(max(float(bar["high"]), value)),
            "low": str(min(float(bar["low"]), value)),
        }
        frame = pd.DataFrame([corrected])
        return self._load(
            f"Correct the close of {symbol} on {session} to {close}",
            datasets.to_csv(frame),
            kind="full",
            source="correction",
        )

    def attempt_load(self, file: str, symbol: str) -> dict[str, Any] | None:
        """Load one of :data:`NOT_BARS`; None (the refusal kept) when refused."""
        content = NOT_BARS[file](self.aliases.symbol(symbol))
        return self.outcomes.attempt(
            lambda: self._load(
                f"Load {file} for {symbol}", content, kind="incremental", source="operator"
            )
        )

    def hold_bars_of(self, symbols: list[str]) -> None:
        """A few daily bars of each symbol (aliased), loaded in one operator upload."""
        sessions = ["2024-03-04", "2024-03-05", "2024-03-06"]
        bars = pd.DataFrame(
            [
                {
                    "symbol": self.aliases.symbol(symbol),
                    "session": session,
                    "open": 100 + i,
                    "high": 101 + i,
                    "low": 99 + i,
                    "close": 100.5 + i,
                    "volume": 1000 + 100 * i,
                }
                for symbol in symbols
                for i, session in enumerate(sessions)
            ]
        )
        with allure.step(f"The platform has market data for {', '.join(symbols)}"):
            run = self.driver.ingest_csv(datasets.to_csv(bars), kind="full", source="operator")
        assert run["status"] == "succeeded", run

    def load_worked_example(self, symbol: str, example: pd.DataFrame) -> dict[str, Any]:
        """The example's closes (column ``close``), one per NYSE session, flat bars."""
        self.worked_example = example.reset_index(drop=True)
        sessions = datasets.sessions_from(EXAMPLE_FIRST_SESSION, len(example))
        closes = example["close"]
        bars = pd.DataFrame(
            {
                "symbol": self.aliases.symbol(symbol),
                "session": [d.isoformat() for d in sessions],
                "open": closes,
                "high": closes,
                "low": closes,
                "close": closes,
                "volume": 0,
            }
        )
        return self._load(
            f"Load the worked example's {len(bars)} closes as {symbol}",
            datasets.to_csv(bars),
            kind="full",
            source="stockcharts-chartschool",
        )

    def load_kind(self, source: str, period: str, kind: str) -> dict[str, Any]:
        """An ``incremental`` or ``backfill`` load of real history."""
        return self.load_history(source, period, kind=kind)

    def load_simultaneously(self, count: int, source: str, period: str) -> list[Any]:
        """``count`` loads of the same history at once; each run, or the refusal it met."""
        start, end = datasets.parse_period(period)
        bars = datasets.history(source, start, end, symbol=self.aliases.symbol(source))
        content = datasets.to_csv(bars)

        def load(i: int) -> Any:
            return answer_or_refusal(
                lambda: self.driver.ingest_csv(content, kind="full", source=f"operator-{i + 1}")
            )

        title = f"{count} operators load the {source} history of {period} at once"
        with allure.step(title), ThreadPoolExecutor(count) as pool:
            outcomes = list(pool.map(load, range(count)))
        self.runs.extend(o for o in outcomes if isinstance(o, dict))
        self.simultaneous = outcomes
        attach_json("the simultaneous loads", [getattr(o, "args", o) for o in outcomes])
        return outcomes

    def bars_file_of(self, symbol: str, size: int) -> bytes:
        """A file of valid, distinct bars of exactly ``size`` bytes: daily bars of
        ``symbol`` from 2000, then of ``symbol-1``, ``symbol-2``... (5,000 each); the last
        close is padded with zeros to the byte."""
        header = b"symbol,session,open,high,low,close,volume\n"
        base, first = self.aliases.symbol(symbol), date(2000, 1, 3)
        rows: list[str] = []
        total = len(header)
        while True:
            k, day = divmod(len(rows), 5000)
            name = base if k == 0 else f"{base}-{k}"
            row = f"{name},{(first + timedelta(days=day)).isoformat()},100,101,99,100.5,1000\n"
            if total + 2 * len(row) > size:
                break
            rows.append(row)
            total += len(row)
        rows[-1] = rows[-1].replace(",100.5,", ",100.5" + "0" * (size - total) + ",")
        content = header + "".join(rows).encode()
        assert len(content) == size, (len(content), size)
        return content

    def load_file_at_upload_limit(self, symbol: str) -> dict[str, Any]:
        limit = self.driver.limits()["max_upload_bytes"]
        content = self.bars_file_of(symbol, limit)
        return self._load(
            f"Load a {len(content)}-byte file for {symbol} (limit {limit} bytes)",
            content,
            kind="full",
            source="operator",
        )

    def attempt_oversized_load(self, symbol: str) -> None:
        """A well-formed bars file one byte over the platform's upload limit."""
        limit = self.driver.limits()["max_upload_bytes"]
        content = self.bars_file_of(symbol, limit + 1)
        with allure.step(f"Load a {len(content)}-byte file for {symbol} (limit {limit} bytes)"):
            self.outcomes.attempt(
                lambda: self.driver.ingest_csv(content, kind="full", source="operator")
            )

    # -- the brokerage's feed and long loads -------------------------------------------

    def _feed_symbols(self, sources: list[str]) -> list[dict[str, str]]:
        return [{"broker_symbol": s, "symbol": self.aliases.symbol(s)} for s in sources]

    def load_from_broker(self, sources: list[str], period: str) -> dict[str, Any]:
        """Load real history from the brokerage's feed; wait for it if it is an operation."""
        start, end = datasets.parse_period(period)
        with allure.step(f"Load the {', '.join(sources)} history of {period} from the brokerage"):
            is_operation, body = self.driver.ingest_from_broker(
                self._feed_symbols(sources), start, end
            )
            if is_operation:
                self.operation = body
                body = self.await_operation()
                assert body["status"] == "succeeded", f"the load did not succeed: {body}"
                body = body["result"]
            self.runs.append(body)
            attach_json("data quality report", self.driver.quality_report(body["id"]))
        return body

    def attempt_load_from_broker(self, source: str, period: str) -> None:
        self.outcomes.attempt(lambda: self.load_from_broker([source], period))

    def symbol_refusal(self) -> list[dict[str, str]]:
        """The problems of the last refused load that are broken symbol rules."""
        refusal = self.outcomes.last_refusal("the load")
        attach_json("the refusal", {"code": refusal.code, "details": refusal.details})
        return [f for f in refusal.details.get("fields", []) if f["code"] == "invalid_symbol"]

    def nothing_stored_for(self, symbol: str) -> list[str]:
        """What the last refused load left behind for ``symbol``: a recorded run, stored
        bars (empty when nothing)."""
        left = []
        refusal = self.outcomes.refusal
        if refusal is not None and "run_id" in refusal.details:
            left.append(f"run {refusal.details['run_id']}")
        left.extend(f"bar of {d.isoformat()}" for d in self.stored_sessions(symbol))
        return left

    def start_load_from_broker(self, sources: list[str], period: str) -> dict[str, Any]:
        """Start a load as an operation and return at once."""
        start, end = datasets.parse_period(period)
        with allure.step(f"Start loading {', '.join(sources)} of {period} from the brokerage"):
            is_operation, body = self.driver.ingest_from_broker(
                self._feed_symbols(sources), start, end, as_operation=True
            )
        assert is_operation, f"the load did not run as an operation: {body}"
        self.operation = body
        self.progress_seen = [body["progress"]["percent"]]
        return body

    def cancel_load(self) -> dict[str, Any]:
        assert self.operation is not None, "no load was started"
        with allure.step("Cancel the load"):
            self.driver.cancel_operation(self.operation["id"])
            return self.await_operation()

    def await_operation(self, deadline_s: float = OPERATION_DEADLINE_S) -> dict[str, Any]:
        """Poll the current operation until it is done (deadline; interval 20..200 ms)."""
        assert self.operation is not None, "no load was started"
        operation_id = self.operation["id"]
        deadline = time.monotonic() + deadline_s
        interval = 0.02
        with allure.step(f"Wait for operation {operation_id}"):
            operation = self.driver.operation(operation_id)
            self.progress_seen.append(operation["progress"]["percent"])
            while not operation["done"]:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"operation {operation_id} not done within {deadline_s:.0f} s; last "
                        f"seen: {operation['status']} at {operation['progress']}"
                    )
                time.sleep(interval)  # poll interval, bounded by the deadline above
                interval = min(0.2, interval * 2)
                operation = self.driver.operation(operation_id)
                self.progress_seen.append(operation["progress"]["percent"])
        self.operation = operation
        return operation

    # -- feature sets ------------------------------------------------------------------

    def feature_rows_over(self, symbols: list[str], period: str) -> list[dict[str, Any]] | None:
        """The momentum rows of ``symbols`` over ``period``; None (refusal kept) if refused.
        "N symbols" names N made-up symbols, the first being SPX."""
        count = re.fullmatch(r"(\d+) symbols", symbols[0]) if len(symbols) == 1 else None
        if count:
            symbols = ["SPX", *(f"NONE{i}" for i in range(1, int(count[1])))]
        start, end = datasets.parse_period(period)
        real = [self.aliases.symbol(s) for s in symbols]
        with allure.step(f"Read the {FEATURE_SET} rows of {len(symbols)} symbols, {period}"):
            return self.outcomes.attempt(
                lambda: self.driver.feature_rows(FEATURE_SET, real, start, end)
            )

    def _features(self, symbol: str) -> list[dict[str, Any]]:
        with allure.step(f"Read the {FEATURE_SET} features of {symbol}"):
            return self.driver.feature_rows(FEATURE_SET, [self.aliases.symbol(symbol)])

    def read_features(self, symbol: str) -> list[dict[str, Any]]:
        """Read and remember the rows, to compare with later reads."""
        self.feature_rows_read[symbol] = self._features(symbol)
        return self.feature_rows_read[symbol]

    def feature_changes(self, symbol: str, until: date) -> list[dict[str, Any]]:
        """Rows up to ``until`` that differ now from when they were first read."""
        before = {r["session"]: r for r in self.feature_rows_read[symbol]}
        after = {r["session"]: r for r in self._features(symbol)}
        changed = [
            {"session": day, "before": row, "after": after.get(day)}
            for day, row in before.items()
            if day <= until.isoformat() and after.get(day) != row
        ]
        attach_json(f"{symbol} feature rows changed since first read", changed)
        return changed

    def labels(self, symbol: str) -> dict[str, int | None]:
        """``{session: label}`` of every momentum row of ``symbol``."""
        return {row["session"]: row["label"] for row in self._features(symbol)}

    def feature_label(self, symbol: str, session: date, *, fresh: bool = False) -> Any:
        rows = self._features(symbol) if fresh else self.feature_rows_read[symbol]
        matching = [r for r in rows if r["session"] == session.isoformat()]
        assert matching, f"no {FEATURE_SET} row of {symbol} on {session}"
        return matching[0]["label"]

    def split(
        self, symbols: list[str], fractions: dict[str, float], *, gap: int = 0
    ) -> dict[str, Any]:
        words = f"{fractions}, {gap} sessions left out between parts"
        with allure.step(f"Split the {FEATURE_SET} rows of {', '.join(symbols)} {words}"):
            self.last_split = self.driver.feature_split(
                FEATURE_SET, [self.aliases.symbol(s) for s in symbols], fractions, gap
            )
        attach_json("chronological split", self.last_split)
        return self.last_split

    def sessions_between_parts(self, symbol: str) -> list[int]:
        """Stored sessions of ``symbol`` strictly between training and validation, and
        between validation and test, of the last split."""
        parts = self.last_split["parts"]
        sessions = self.stored_sessions(symbol)

        def between(earlier: str, later: str) -> int:
            low = date.fromisoformat(parts[earlier]["last_session"])
            high = date.fromisoformat(parts[later]["first_session"])
            return sum(1 for s in sessions if low < s < high)

        return [between("train", "validation"), between("validation", "test")]

    # -- reading back ------------------------------------------------------------------

    @property
    def last_run(self) -> dict[str, Any]:
        assert self.runs, "no market data has been loaded in this scenario"
        return self.runs[-1]

    def run_counts(self) -> dict[str, int]:
        return {
            k: self.last_run[k]
            for k in ("received", "inserted", "updated", "unchanged", "rejected")
        }

    def stored_sessions(self, symbol: str, period: str | None = None) -> list[date]:
        start, end = datasets.parse_period(period) if period else (None, None)
        with allure.step(f"Read the stored bars of {symbol}"):
            bars = self.driver.bars(self.aliases.symbol(symbol), start, end)
        return [date.fromisoformat(b["session"]) for b in bars]

    def bar(self, symbol: str, session: date) -> dict[str, Any]:
        with allure.step(f"Read the {symbol} bar of {session}"):
            bars = self.driver.bars(self.aliases.symbol(symbol), session, session)
        assert bars, f"{symbol} has no bar on {session}"
        return bars[0]

    def quarantined_rules(self, session_text: str) -> list[str]:
        """Rules broken by the quarantined row of the last load whose session reads so."""
        return self._quarantined(session_text)["rules"]

    def quarantined_row_number(self, session_text: str) -> int:
        """Which data row of the file (1-based, the header not counted) was set aside."""
        return self._quarantined(session_text)["row_number"]

    def _quarantined(self, session_text: str) -> dict[str, Any]:
        with allure.step("Read the rows the last load set aside"):
            rows = self.driver.quarantine(self.last_run["id"])
        for row in rows:
            if str(row["values"]["session"] or "") == datasets.session_text(session_text):
                return row
        shown = [(r["values"]["session"], r["rules"]) for r in rows]
        raise AssertionError(f"no quarantined row with session {session_text!r}: {shown}")

    def missing_sessions(self, symbol: str) -> list[date]:
        """Sessions the quality report of the last load lists as missing for ``symbol``."""
        with allure.step(f"Read the quality report of the last load for {symbol}"):
            report = self.driver.quality_report(self.last_run["id"])
        real = self.aliases.symbol(symbol)
        gaps = {g["symbol"]: g["missing_sessions"] for g in report["gaps"]}
        return [date.fromisoformat(d) for d in gaps.get(real, [])]

    def refused_run(self) -> dict[str, Any]:
        """The failed run the platform recorded for the last refused load."""
        refusal = self.outcomes.last_refusal("the last load")
        with allure.step("Read the record of the refused load"):
            return self.driver.run(refusal.details["run_id"])

    def indicator_vs_example(self, label: str) -> tuple[list[str], list[str]]:
        """(platform, worked example) values of ``label`` per example day, to the cent."""
        example = self.worked_example
        assert example is not None, "no worked example has been loaded"
        run = self.last_run
        name = indicator_name(label)
        with allure.step(f"Read {label} from the platform"):
            items = self.driver.indicators(run["symbols"][0], [name])
        platform = [f"{float(i[name]):.2f}" if i[name] is not None else "" for i in items]
        chart = pd.DataFrame(
            {
                "close": example["close"].astype(float).to_numpy(),
                name: [float(i[name]) if i[name] is not None else float("nan") for i in items],
            },
            index=pd.to_datetime(datasets.sessions_from(EXAMPLE_FIRST_SESSION, len(items))),
        )
        attach_chart(f"{label} of the StockCharts example, as the platform computes it", chart)
        return platform, [v.strip() for v in example[label]]

    def indicator_panel(self, symbol: str, period: str) -> pd.DataFrame:
        """The platform's standard indicators of ``symbol`` over ``period`` (NaN = none yet),
        charted into the report."""
        start, end = datasets.parse_period(period)
        with allure.step(f"Read the indicators of {symbol} over {period}"):
            items = self.driver.indicators(self.aliases.symbol(symbol), [], start, end)
        panel = pd.DataFrame(items)
        panel.index = pd.to_datetime(panel.pop("session"))
        panel = panel.apply(pd.to_numeric, errors="coerce")
        attach_chart(f"{symbol} {period}: close and indicators", panel[CHART_INDICATORS])
        return panel

    def indicator_of_period(self, symbol: str, label: str, period: str) -> dict[str, str] | None:
        """``label`` (e.g. "SMA(500)") of ``symbol`` over ``period`` against its definition
        (the disagreements), or None with the refusal kept if the platform refuses it."""
        name = indicator_name(label)
        start, end = datasets.parse_period(period)
        real = self.aliases.symbol(symbol)
        with allure.step(f"Read {label} of {symbol} over {period}"):
            items = self.outcomes.attempt(lambda: self.driver.indicators(real, [name], start, end))
        if items is None:
            return None
        served = pd.DataFrame({name: [i[name] for i in items]}).astype("float64")
        closes = [float(c) for c in self.stored_closes(symbol, period)]
        kind, n = name.rsplit("_", 1)
        defined = getattr(oracles, kind)(np.asarray(closes), int(n))
        return oracles.disagreements(served, pd.DataFrame({name: defined}))

    def rules_counted(self) -> dict[str, int]:
        """``{rule: rows}`` of the last load's quality report."""
        with allure.step("Read the quality report of the last load"):
            report = self.driver.quality_report(self.last_run["id"])
        return {item["rule"]: item["rows"] for item in report["rules_broken"]}

    def served_by_definition(
        self, kind: str, symbol: str, period: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        """(the served columns by their specification name, the disagreements with their
        definitions): ``kind`` is "indicator" or "momentum feature"."""
        if kind == "indicator":
            served = self.indicator_panel(symbol, period)
            labels, oracle = INDICATOR_LABELS, "indicators"
            closes = served["close"]
        else:
            start, end = datasets.parse_period(period)
            with allure.step(f"Read the momentum features of {symbol} over {period}"):
                items = self.driver.feature_rows(
                    FEATURE_SET, [self.aliases.symbol(symbol)], start, end
                )
            served = pd.DataFrame(items).drop(columns=["symbol", "session"]).astype("float64")
            labels, oracle = FEATURE_LABELS, FEATURE_SET
            closes = pd.Series([float(c) for c in self.stored_closes(symbol, period)])
        by_name = {label: column for label, column in labels.items() if column in served}
        defined = oracles.expected(oracle, closes.to_numpy()).loc[:, list(by_name.values())]
        served = served.reset_index(drop=True).loc[:, list(by_name.values())]
        problems = oracles.disagreements(served, defined)
        unnamed = set(served.columns) - set(labels.values()) - {"close"}
        by_column = {column: label for label, column in labels.items()}
        return (
            {**by_name, **{c: c for c in unnamed}},
            {by_column.get(c, c): problem for c, problem in problems.items()},
        )

    @staticmethod
    def warmup_problems(panel: pd.DataFrame) -> dict[str, str]:
        """Indicators whose first value is not at their documented session, or that have a
        hole after it; empty when all is well."""
        problems = {}
        for name, first in INDICATOR_WARMUP.items():
            present = panel[name].notna().to_numpy()
            if not present.any():
                problems[name] = "no value at all"
                continue
            seen = int(present.argmax()) + 1
            if seen != first:
                problems[name] = f"first value at session {seen}, expected {first}"
            elif not present[seen - 1 :].all():
                problems[name] = "missing values after the warm-up"
        return problems

    def stored_closes(self, symbol: str, period: str) -> list[str]:
        start, end = datasets.parse_period(period)
        with allure.step(f"Read the stored bars of {symbol} over {period}"):
            bars = self.driver.bars(self.aliases.symbol(symbol), start, end)
        return [f"{float(b['close']):.6f}" for b in bars]

    @staticmethod
    def real_closes(source: str, period: str) -> list[str]:
        start, end = datasets.parse_period(period)
        bars = datasets.history(source, start, end, symbol=source)
        return [f"{c:.6f}" for c in bars["close"]]
