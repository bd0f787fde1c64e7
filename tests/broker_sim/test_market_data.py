"""The simulated brokerage's market-data feed, and the platform ingesting from it."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from quantdesk.broker_sim.market_data import history
from quantdesk.clock import SystemClock
from quantdesk.market_history import load_history
from quantdesk.services.ingestion import FeedSymbol, IngestionService
from quantdesk.services.market_data import MarketDataService
from quantdesk.services.market_feed import MarketFeed
from quantdesk.store.db import create_db_engine, migrate, session_factory
from tests.conftest import Sim, assert_error


def test_the_feed_replays_the_shipped_history_by_symbol_and_range(tmp_path):
    sim = Sim(tmp_path)
    answer = sim.http.get(
        "/v1/market-data/bars/spx", params={"start": "2018-01-01", "end": "2018-01-31"}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["symbol"], body["timeframe"], len(body["bars"])) == ("SPX", "1Day", 21)
    assert body["bars"][0] == {
        "t": "2018-01-02",
        "o": 2683.72998,
        "h": 2695.889893,
        "l": 2682.360107,
        "c": 2695.810059,
        "v": 3367250000,
    }
    listed = {s["symbol"]: s for s in sim.http.get("/v1/market-data/symbols").json()["symbols"]}
    assert listed["NDX"]["first_session"] == "1999-01-04"
    assert "GOOG" in listed


def test_the_feed_refuses_unknown_symbols_and_bad_ranges(tmp_path):
    sim = Sim(tmp_path)
    assert_error(
        sim.http.get(
            "/v1/market-data/bars/NOPE", params={"start": "2018-01-01", "end": "2018-01-02"}
        ),
        404,
        "symbol_not_found",
    )
    assert_error(
        sim.http.get(
            "/v1/market-data/bars/SPX", params={"start": "2018-02-01", "end": "2018-01-02"}
        ),
        422,
        "validation_failed",
    )


def test_the_feed_is_unavailable_during_an_outage_and_latency_is_a_control(tmp_path):
    sim = Sim(tmp_path)
    assert sim.http.post("/v1/controls/market-data", json={"latency_ms": 5}).status_code == 200
    sim.http.post("/v1/controls/outage", json={"down": True})
    answer = sim.http.get(
        "/v1/market-data/bars/SPX", params={"start": "2018-01-01", "end": "2018-01-02"}
    )
    assert_error(answer, 503, "broker_unavailable")
    off = Sim(tmp_path / "off", controls_enabled=False)
    assert_error(
        off.http.post("/v1/controls/market-data", json={"latency_ms": 5}), 404, "not_found"
    )


def test_the_broker_history_agrees_with_the_platforms_own_copy():
    broker = history("NDX").set_index("t")
    platform = load_history(["NDX"]).set_index(
        load_history(["NDX"])["session"].dt.strftime("%Y-%m-%d")
    )
    assert list(broker.index) == list(platform.index)
    assert (broker["c"].to_numpy() == platform["close"].to_numpy()).all()


def test_the_platform_ingests_from_the_feed(tmp_path):
    sim = Sim(tmp_path / "sim")
    engine = create_db_engine(f"sqlite:///{tmp_path / 'platform.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    service = IngestionService(sessions, SystemClock(), MarketFeed(sim.http))
    run = service.ingest_from_feed(
        [FeedSymbol("SPX", "SPX_T"), FeedSymbol("GOOG", "GOOG")],
        date(2008, 1, 1),
        date(2008, 3, 31),
    )
    assert (run["source"], run["status"], run["symbols"]) == (
        "broker",
        "succeeded",
        ["GOOG", "SPX_T"],
    )
    assert run["inserted"] == run["received"] == 2 * 61
    stored = MarketDataService(sessions).stored_bars(["SPX_T"])
    assert len(stored) == 61 and stored["session"].min().date() == date(2008, 1, 2)
    engine.dispose()


def test_the_platform_maps_feed_answers_to_its_errors(tmp_path):
    sim = Sim(tmp_path / "sim")
    feed = MarketFeed(sim.http)
    engine = create_db_engine(f"sqlite:///{tmp_path / 'platform.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    service = IngestionService(sessions, SystemClock(), feed)
    try:
        service.ingest_from_feed([FeedSymbol("NOPE", "NOPE")], date(2008, 1, 1), date(2008, 1, 31))
    except Exception as exc:
        assert (exc.code, exc.status_code) == ("unknown_symbol", 422)
        assert exc.details["run_id"].startswith("ing_")
    else:  # pragma: no cover
        raise AssertionError("an unknown symbol was accepted")
    down = MarketFeed(TestClient(sim.http.app, base_url="http://unreachable.invalid"))
    sim.http.post("/v1/controls/outage", json={"down": True})
    service.feed = down
    try:
        service.ingest_from_feed([FeedSymbol("SPX", "SPX")], date(2008, 1, 1), date(2008, 1, 31))
    except Exception as exc:
        assert (exc.code, exc.status_code) == ("brokerage_unavailable", 503)
    else:  # pragma: no cover
        raise AssertionError("a load went through an outage")
    assert MarketDataService(sessions).stored_bars(["SPX"]).empty
    engine.dispose()
