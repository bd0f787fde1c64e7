"""Allure evidence and run facts (environment.properties, executor.json)."""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import re
from pathlib import Path
from typing import Any

import allure

# Facts about this run, filled in by environment.py and written by the Allure formatter
# into its results directory when the run closes.
RUN_FACTS: dict[str, str] = {}


def attach_text(name: str, text: str) -> None:
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def attach_json(name: str, data: Any) -> None:
    allure.attach(
        json.dumps(data, indent=2, ensure_ascii=False),
        name=name,
        attachment_type=allure.attachment_type.JSON,
    )


def attach_table(name: str, rows: list[dict[str, str]]) -> None:
    """Rows as a CSV attachment: the report shows it as a table a person can read."""
    if not rows:
        allure.attach("(none)", name=name, attachment_type=allure.attachment_type.TEXT)
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    allure.attach(out.getvalue(), name=name, attachment_type=allure.attachment_type.CSV)


# The report's categories (support/report_categories.json, read by allurerc.mjs too),
# first match wins. An unmet expectation is an AssertionError (pyhamcrest, a deadline
# that passed) and Allure calls it failed; an unexpected refusal by the platform is an
# ApiError, broken to Allure, but it is the platform's behaviour, so a product defect
# too. What stops the suite from reaching the platform is infrastructure; any other
# exception is a defect of the suite itself.
CATEGORIES: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parent / "report_categories.json").read_text()
)


def category_of(status: str, message: str, trace: str = "", labels: dict | None = None) -> str:
    """The category a result falls in, by the rules above (what Allure does with them)."""
    for category in CATEGORIES:
        matchers = category["matchers"]
        for matcher in matchers if isinstance(matchers, list) else [matchers]:
            if status not in matcher["statuses"]:
                continue
            if any(
                not any(re.search(pattern, v) for v in (labels or {}).get(name, []))
                for name, pattern in matcher.get("labels", {}).items()
            ):
                continue
            if "message" in matcher and not re.search(matcher["message"], message):
                continue
            if "trace" in matcher and not re.search(matcher["trace"], trace):
                continue
            return category["name"]
    return "none"


def package_versions() -> dict[str, str]:
    """The versions of the packages that make the suite and its report (the keys of
    environment.properties cannot hold a space)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("behave", "allure-behave", "httpx", "PyHamcrest", "pandas"):
        try:
            found[name.lower()] = version(name)
        except PackageNotFoundError:
            found[name.lower()] = "not installed"
    manifest = Path(__file__).resolve().parent.parent / "package.json"
    if manifest.exists():
        pinned = json.loads(manifest.read_text()).get("devDependencies", {}).get("allure")
        found["allure-report"] = str(pinned)
    return found


def write_run_facts(results_dir: Path) -> None:
    """``environment.properties`` and ``executor.json`` for the report's overview."""
    results_dir.mkdir(parents=True, exist_ok=True)
    facts = {"python": platform.python_version(), **package_versions(), **RUN_FACTS}
    lines = [f"{key}={str(value).replace(chr(10), ' ')}" for key, value in sorted(facts.items())]
    (results_dir / "environment.properties").write_text("\n".join(lines) + "\n")
    in_ci = bool(os.environ.get("CI"))
    executor = {
        "name": "CI" if in_ci else f"local ({platform.node()})",
        "type": "ci" if in_ci else "local",
        "buildName": os.environ.get("BUILD_NAME") or "acceptance run",
        "reportName": "QuantDesk acceptance",
    }
    (results_dir / "executor.json").write_text(json.dumps(executor, indent=2))


def price_chart_png(title: str, panel: Any) -> bytes:
    """A PNG of close with its indicators (matplotlib, Agg): price with SMA(20), SMA(50) and
    Bollinger bands, RSI(14) with its 30/70 lines, and the MACD histogram and lines.

    ``panel``: a DataFrame indexed by session with any of the columns ``close``,
    ``sma_20``, ``sma_50``, ``ema_10``, ``bb_upper``, ``bb_lower``, ``rsi_14``, ``macd``,
    ``macd_signal``, ``macd_hist`` (missing ones are left out).
    """
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # no pyplot: no global state, thread-safe

    has = set(panel.columns)
    rows = 1 + ("rsi_14" in has) + bool({"macd", "macd_hist"} & has)
    figure = Figure(figsize=(9, 2.2 + 1.6 * rows), dpi=80)
    axes = figure.subplots(
        rows, 1, sharex=True, height_ratios=[3] + [1] * (rows - 1), squeeze=False
    )
    _plot_price(axes[0][0], title, panel, has)
    row = 1
    if "rsi_14" in has:
        _plot_rsi(axes[row][0], panel)
        row += 1
    if {"macd", "macd_hist"} & has:
        _plot_macd(axes[row][0], panel, has)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _plot_price(price: Any, title: str, panel: Any, has: set[str]) -> None:
    price.set_title(title)
    price.plot(panel.index, panel["close"], color="black", linewidth=1.0, label="close")
    for name, colour in (("sma_20", "tab:blue"), ("sma_50", "tab:orange"), ("ema_10", "tab:green")):
        if name in has:
            price.plot(panel.index, panel[name], color=colour, linewidth=0.9, label=name)
    if {"bb_upper", "bb_lower"} <= has:
        price.fill_between(
            panel.index, panel["bb_lower"], panel["bb_upper"], color="tab:blue", alpha=0.12,
            label="Bollinger (20, 2)",
        )  # fmt: skip
    price.legend(loc="upper left", fontsize=8)


def _plot_rsi(rsi: Any, panel: Any) -> None:
    rsi.plot(panel.index, panel["rsi_14"], color="tab:purple", linewidth=0.9)
    for level in (30, 70):
        rsi.axhline(level, color="grey", linewidth=0.6, linestyle="--")
    rsi.set_ylim(0, 100)
    rsi.set_ylabel("RSI(14)")


def _plot_macd(macd: Any, panel: Any, has: set[str]) -> None:
    if "macd_hist" in has:
        macd.bar(panel.index, panel["macd_hist"], color="grey", width=1.0)
    for name, colour in (("macd", "tab:blue"), ("macd_signal", "tab:red")):
        if name in has:
            macd.plot(panel.index, panel[name], color=colour, linewidth=0.8)
    macd.set_ylabel("MACD")


def attach_chart(title: str, panel: Any) -> None:
    allure.attach(
        price_chart_png(title, panel), name=title, attachment_type=allure.attachment_type.PNG
    )


def value_chart_png(
    title: str,
    sessions: list[str],
    values: list[float],
    *,
    others: dict[str, list[float]] | None = None,
    unit: str = "value (USD)",
) -> bytes:
    """A PNG of a value at each session's close (matplotlib, Agg): a portfolio's value,
    or a backtest's growth with ``others`` to compare it with. Few points are labelled."""
    import matplotlib
    import pandas as pd

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.2), dpi=80)
    axes = figure.subplots()
    axes.set_title(title)
    days = pd.to_datetime(sessions)
    few = len(sessions) <= 20
    axes.plot(days, values, marker="o" if few else None, color="tab:blue", linewidth=1.2,
              label="signal" if others else None)  # fmt: skip
    for label, series in (others or {}).items():
        axes.plot(days, series, color="tab:gray", linewidth=1.0, label=label)
    if few:
        for day, value in zip(days, values, strict=True):
            axes.annotate(f"{value:,.2f}", (day, value), textcoords="offset points",
                          xytext=(0, 6), ha="center", fontsize=8)  # fmt: skip
    if others:
        axes.legend(loc="best", fontsize=8)
    axes.set_ylabel(unit)
    axes.margins(y=0.2)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def attach_value_chart(
    title: str,
    sessions: list[str],
    values: list[float],
    *,
    others: dict[str, list[float]] | None = None,
    unit: str = "value (USD)",
) -> None:
    allure.attach(
        value_chart_png(title, sessions, values, others=others, unit=unit),
        name=title,
        attachment_type=allure.attachment_type.PNG,
    )
