"""The one symbol rule (quantdesk.domain.symbols), wherever a symbol enters the platform,
and the symbol reaching the brokerage's feed only as an encoded path segment."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from quantdesk.domain.bar_validation import validate_bars
from quantdesk.domain.bars import BAR_COLUMNS, RULES
from quantdesk.domain.clients import RiskTolerance
from quantdesk.domain.preferences import validate_preferences
from quantdesk.domain.symbols import (
    INVALID_SYMBOL,
    SYMBOL_RULE,
    is_symbol,
    parse_symbol,
    symbol_problem,
)
from quantdesk.errors import UnknownSymbol
from quantdesk.services.market_feed import MarketFeed, bars_path
from tests.conftest import OPERATOR, Sim

ACCEPTED = {
    "SPX": "SPX",
    "spx": "SPX",
    " NDX\t": "NDX",
    "BRK.B": "BRK.B",
    "ES-1": "ES-1",
    "SPX_3F9C2A1B": "SPX_3F9C2A1B",  # the suite's per-scenario aliases
    "7203": "7203",
    "A" * 40: "A" * 40,
}
REFUSED = [
    "",
    "   ",
    "SPX?x=1",
    "SPX#x",
    "S P X",
    "A/B",
    "..",
    ".A",
    "-A",
    "_A",
    "A" * 41,
    "S\x00X",
    "SPX\x1f",
    "SPX\n",
    "\x7f",
    "S%2FX",
    "É",
    "ß",  # upper-cases to "SS": refused before upper-casing
    "S\u200bX",
]


@pytest.mark.parametrize(("text", "stored"), ACCEPTED.items())
def test_a_symbol_is_trimmed_and_upper_cased(text, stored):
    assert parse_symbol(text) == stored


@pytest.mark.parametrize("text", REFUSED)
def test_anything_else_breaks_the_rule(text):
    assert parse_symbol(text) is None
    assert not is_symbol(text)


def test_the_refusal_names_the_rule_and_shows_control_characters_escaped():
    problem = symbol_problem("symbols", ["SPX", "S\x00X"])
    assert problem is not None
    assert (problem["field"], problem["code"]) == ("symbols", INVALID_SYMBOL)
    assert SYMBOL_RULE in problem["message"]
    assert "'S\\x00X'" in problem["message"] and "\x00" not in problem["message"]
    assert symbol_problem("symbols", ["SPX", "ndx"]) is None


def test_a_csv_row_breaking_the_symbol_rule_is_quarantined_for_it():
    frame = pd.DataFrame(
        [
            ("SPX", "2024-01-02", 10, 11, 9, 10.5, 100),
            ("SPX?x=1", "2024-01-02", 10, 11, 9, 10.5, 100),
            ("S P X", "2024-01-03", 10, 11, 9, 10.5, 100),
            (None, "2024-01-03", 10, 11, 9, 10.5, 100),
        ],
        columns=list(BAR_COLUMNS),
    )
    result = validate_bars(frame, today=date(2024, 6, 28))
    assert result.valid["symbol"].tolist() == ["SPX"]
    assert result.quarantined["rules"].tolist() == [
        [INVALID_SYMBOL],
        [INVALID_SYMBOL],
        ["missing_value"],
    ]
    assert INVALID_SYMBOL in RULES


def test_a_client_universe_follows_the_same_rule():
    problems = validate_preferences(
        {"universe": ["SPX", "SPX?x=1"]}, risk_tolerance=RiskTolerance.MODERATE
    )[1]
    assert [(p.field, p.code) for p in problems] == [("universe", INVALID_SYMBOL)]


@pytest.mark.parametrize(
    ("symbols", "field"),
    [
        (["SPX?x=1"], "symbols.0"),
        (["SPX", "S\x01X"], "symbols.1"),
        ([{"broker_symbol": "SPX", "symbol": "A/B"}], "symbols.0.symbol"),
        ([{"broker_symbol": "SPX X"}], "symbols.0.broker_symbol"),
    ],
)
def test_a_feed_load_breaking_the_rule_is_refused_before_the_brokerage_is_called(
    client, symbols, field
):
    answer = client.post(
        "/v1/market-data/ingestions",
        headers=OPERATOR,
        json={"source": "broker", "symbols": symbols, "start": "2018-01-01", "end": "2018-01-31"},
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "validation_failed"
    assert [(f["field"], f["code"]) for f in body["details"]["fields"]] == [(field, INVALID_SYMBOL)]
    assert SYMBOL_RULE in body["details"]["fields"][0]["message"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/market-data/bars", {"symbol": "SPX?x=1"}, "symbol"),
        ("/v1/market-data/indicators", {"symbol": "S\x01X"}, "symbol"),
        ("/v1/market-data/feature-sets/momentum_v1/rows", {"symbols": "SPX,A/B"}, "symbols"),
        ("/v1/market-data/feature-sets/momentum_v1/split", {"symbols": "SPX X"}, "symbols"),
    ],
)
def test_a_query_breaking_the_rule_is_refused(client, path, params, field):
    answer = client.get(path, params=params, headers=OPERATOR)
    assert answer.status_code == 422, answer.text
    fields = answer.json()["details"]["fields"]
    assert [(f["field"], f["code"]) for f in fields] == [(field, INVALID_SYMBOL)]


def test_a_symbol_is_one_encoded_path_segment_of_the_feed():
    assert bars_path("SPX") == "/v1/market-data/bars/SPX"
    assert bars_path("SPX?x=1") == "/v1/market-data/bars/SPX%3Fx%3D1"
    assert bars_path("A/B#c") == "/v1/market-data/bars/A%2FB%23c"
    assert bars_path("..") == "/v1/market-data/bars/%2E%2E"


def test_the_brokerage_receives_a_question_mark_as_part_of_the_symbol(tmp_path):
    sim = Sim(tmp_path)
    sent: list[str] = []
    sim.http.event_hooks = {"request": [lambda request: sent.append(request.url.raw_path)]}
    feed = MarketFeed(sim.http)
    with pytest.raises(UnknownSymbol) as refused:
        feed.daily_bars("SPX?x=1", date(2018, 1, 1), date(2018, 1, 31), "SPX?x=1")
    # The simulator looked up the symbol "SPX?x=1" (not SPX with a query of x=1) and has none.
    assert refused.value.details == {"broker_symbol": "SPX?x=1"}
    assert sent == [b"/v1/market-data/bars/SPX%3Fx%3D1?start=2018-01-01&end=2018-01-31"]
    assert len(feed.daily_bars("SPX", date(2018, 1, 1), date(2018, 1, 31), "SPX")) == 21
