"""The market-data pipeline in business terms: load bars, read them back, judge quality."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import allure
import pandas as pd

from support import datasets
from support.drivers.http import ApiError
from support.drivers.market_data import MarketDataDriver
from support.dsl.aliases import Aliases
from support.reporting import attach_json

# Files that are not daily bars, as the specification names them.
NOT_BARS: dict[str, Any] = {
    "a file without a close column": lambda symbol: (
        f"symbol,session,open,high,low,volume\n{symbol},2024-03-04,100,101,99,1000\n".encode()
    ),
    "a spreadsheet that is not CSV": lambda _: b"PK\x03\x04\x14\x00\x06\x00" + bytes(64),
    "an empty file": lambda _: b"",
}
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
    runs: list[dict[str, Any]] = field(default_factory=list)
    last_refusal: ApiError | None = None
    worked_example: pd.DataFrame | None = None

    # -- loading -----------------------------------------------------------------------

    def _load(self, title: str, content: bytes, *, kind: str, source: str) -> dict[str, Any]:
        with allure.step(title):
            run = self.driver.ingest_csv(content, kind=kind, source=source)
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
        """Bars given as text (columns session, open, high, low, close, volume)."""
        bars = rows.assign(symbol=self.aliases.symbol(symbol))
        return self._load(
            f"Load {len(rows)} bars of {symbol}",
            datasets.to_csv(bars),
            kind="incremental",
            source="operator",
        )

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
        """Load one of :data:`NOT_BARS`, remembering a refusal instead of raising it."""
        self.last_refusal = None
        try:
            return self._load(
                f"Load {file} for {symbol}",
                NOT_BARS[file](self.aliases.symbol(symbol)),
                kind="incremental",
                source="operator",
            )
        except ApiError as refusal:
            self.last_refusal = refusal
            return None

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
        with allure.step("Read the rows the last load set aside"):
            rows = self.driver.quarantine(self.last_run["id"])
        for row in rows:
            if str(row["values"]["session"] or "") == session_text:
                return row["rules"]
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
        assert self.last_refusal is not None, "the last load was accepted"
        with allure.step("Read the record of the refused load"):
            return self.driver.run(self.last_refusal.details["run_id"])

    def indicator_vs_example(self, label: str) -> tuple[list[str], list[str]]:
        """(platform, worked example) values of ``label`` per example day, to the cent."""
        example = self.worked_example
        assert example is not None, "no worked example has been loaded"
        run = self.last_run
        name = indicator_name(label)
        with allure.step(f"Read {label} from the platform"):
            items = self.driver.indicators(run["symbols"][0], [name])
        platform = [f"{float(i[name]):.2f}" if i[name] is not None else "" for i in items]
        return platform, [v.strip() for v in example[label]]
