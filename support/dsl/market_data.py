"""The market-data pipeline in business terms: load daily bars from operators' files, read
them back, and judge the quality of each load."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import allure
import numpy as np
import pandas as pd

from support import datasets
from support.drivers.market_data import MarketDataDriver
from support.dsl.aliases import Aliases
from support.dsl.operations import Operations
from support.dsl.outcomes import Outcomes, answer_or_refusal
from support.reporting import attach_table

# Files that are not daily bars, as the specification names them.
NOT_BARS: dict[str, Any] = {
    "a file without a close column": lambda symbol: (
        f"symbol,session,open,high,low,volume\n{symbol},2024-03-04,100,101,99,1000\n".encode()
    ),
    "a spreadsheet that is not CSV": lambda _: b"PK\x03\x04\x14\x00\x06\x00" + bytes(64),
    "an empty file": lambda _: b"",
}


def rule_name(words: str) -> str:
    """``"non-positive price"`` -> ``"non_positive_price"``."""
    return re.sub(r"[\s\-]+", "_", words.strip().lower())


@dataclass
class MarketData:
    driver: MarketDataDriver
    aliases: Aliases
    outcomes: Outcomes
    operations: Operations
    runs: list[dict[str, Any]] = field(default_factory=list)
    # How long the operator waited for the last upload's answer, in milliseconds.
    waited_ms: float = 0.0
    described_symbol: str = ""
    simultaneous: list[Any] = field(default_factory=list)

    def load(self, title: str, content: bytes, *, kind: str, source: str) -> dict[str, Any]:
        with allure.step(title):
            started = time.perf_counter()
            run = self.driver.ingest_csv(content, kind=kind, source=source)
            self.waited_ms = (time.perf_counter() - started) * 1000
            if "done" in run:  # a target that runs this upload as an operation
                run = self.operations.result_of(run)
            self.record(run)
        return run

    def record(self, run: dict[str, Any]) -> None:
        """Keep ``run`` as the scenario's last load, its quality report in the evidence."""
        self.runs.append(run)
        attach_quality_report(self.driver.quality_report(run["id"]))

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
        return self.load(title, datasets.to_csv(bars), kind=kind, source="arch")

    def load_real_history(self, sources: list[str], period: str) -> None:
        """Real history of ``sources`` stored under their own names: reference data the
        scenarios share (the same bars whoever loads them, so loading again changes
        nothing), for clients who trade the brokerage's real symbols."""
        start, end = datasets.parse_period(period)
        bars = pd.concat(
            [datasets.history(s, start, end, symbol=s) for s in sources], ignore_index=True
        )
        run = self.load(
            f"The platform holds the real {', '.join(sources)} history of {period}",
            datasets.to_csv(bars),
            kind="full",
            source="arch",
        )
        assert run["status"] == "succeeded", run

    def load_bars(self, symbol: str, rows: pd.DataFrame) -> dict[str, Any]:
        """Bars given as text (columns session, open, high, low, close, volume; a session
        may read "today" or "tomorrow")."""
        bars = rows.assign(
            symbol=self.aliases.symbol(symbol), session=rows["session"].map(datasets.session_text)
        )
        return self.load(
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
        return self.load(
            f"Load {len(rows)} bars of {symbol}, the one of {session} under {written!r}",
            datasets.to_csv(bars),
            kind="incremental",
            source="operator",
        )

    def load_flat_history(self, symbol: str, close: str, count: int, first: date) -> None:
        """``count`` NYSE sessions from ``first`` whose bars all stand still at ``close``."""
        self._load_closes(symbol, first, [close] * count)

    def load_slide(
        self, symbol: str, first: date, days: int, turns: int, *, step: float = 0.99
    ) -> None:
        """Closes that move by ``step`` (0.99: fall 1 %) each session for ``days`` sessions
        from ``first``, then rise and fall 1 % in turn for ``turns`` sessions."""
        steps = [step] * days + [1.01 if i % 2 == 0 else 0.99 for i in range(turns)]
        closes = [round(100 * float(np.prod(steps[: i + 1])), 4) for i in range(len(steps))]
        self._load_closes(symbol, first, closes)

    def _load_closes(self, symbol: str, first: date, closes: list[Any]) -> None:
        """Bars that open, trade and close at ``closes``, one a NYSE session from ``first``."""
        sessions = datasets.sessions_from(first, len(closes))
        bars = pd.DataFrame(
            {"session": [d.isoformat() for d in sessions], "open": closes, "high": closes,
             "low": closes, "close": closes, "volume": 100}
        )  # fmt: skip
        run = self.load_bars(symbol, bars)
        assert run["inserted"] == len(closes), f"the history was not stored whole: {run}"

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
        return self.load(
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
        return self.load(
            f"Correct the close of {symbol} on {session} to {close}",
            datasets.to_csv(frame),
            kind="full",
            source="correction",
        )

    def attempt_load(self, file: str, symbol: str) -> dict[str, Any] | None:
        """Load one of :data:`NOT_BARS`; None (the refusal kept) when refused."""
        content = NOT_BARS[file](self.aliases.symbol(symbol))
        return self.outcomes.attempt(
            lambda: self.load(
                f"Load {file} for {symbol}", content, kind="incremental", source="operator"
            )
        )

    def hold_bars_of(
        self, symbols: list[str], symbol_of: Callable[[str], str] | None = None
    ) -> None:
        """A few daily bars of each symbol, loaded in one operator upload; symbols aliased by
        ``symbol_of`` (default: a ticker of this scenario only)."""
        symbol_of = symbol_of or self.aliases.symbol
        sessions = ["2024-03-04", "2024-03-05", "2024-03-06"]
        bars = pd.DataFrame(
            [
                {
                    "symbol": symbol_of(symbol),
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
        attach_table(
            "the simultaneous loads",
            [
                {"load": str(n + 1), "answer": o["status"] if isinstance(o, dict) else str(o)}
                for n, o in enumerate(outcomes)
            ],
        )
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
        return self.load(
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

    def rules_counted(self) -> dict[str, int]:
        """``{rule: rows}`` of the last load's quality report."""
        with allure.step("Read the quality report of the last load"):
            report = self.driver.quality_report(self.last_run["id"])
        return {item["rule"]: item["rows"] for item in report["rules_broken"]}

    def refused_run(self) -> dict[str, Any]:
        """The failed run the platform recorded for the last refused load."""
        refusal = self.outcomes.last_refusal("the last load")
        with allure.step("Read the record of the refused load"):
            return self.driver.run(refusal.details["run_id"])


def attach_quality_report(report: dict[str, Any]) -> None:
    """A load's quality report as tables a reader scans: its counts, the rules rows
    broke, and the sessions each symbol is missing."""
    counts = {"status": report["status"], "kind": report["kind"], **report["counts"]}
    attach_table("data quality report: counts", [{k: str(v) for k, v in counts.items()}])
    if report["rules_broken"]:
        attach_table(
            "data quality report: rules broken",
            [{k: str(v) for k, v in item.items()} for item in report["rules_broken"]],
        )
    if report["gaps"]:
        attach_table(
            "data quality report: sessions without a bar",
            [
                {"symbol": g["symbol"], "count": str(g["count"]),
                 "missing sessions": ", ".join(g["missing_sessions"])}
                for g in report["gaps"]
            ],
        )  # fmt: skip
