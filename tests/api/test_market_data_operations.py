"""Incremental and backfill runs, upload limit, large loads as operations, feature sets
(in-process HTTP contract, SQLite)."""

from __future__ import annotations

import time
from datetime import date

import pytest

from quantdesk.market_history import load_history
from tests.conftest import OPERATOR, platform_client

CSV = {**OPERATOR, "Content-Type": "text/csv"}


def spx(start: str, end: str) -> bytes:
    bars = load_history(["SPX"], start=date.fromisoformat(start), end=date.fromisoformat(end))
    return bars.to_csv(index=False).encode()


def ingest(client, content: bytes, **params):
    return client.post("/v1/market-data/ingestions", content=content, headers=CSV, params=params)


def sessions(client, symbol="SPX"):
    items = client.get("/v1/market-data/bars", params={"symbol": symbol}, headers=OPERATOR).json()
    return [b["session"] for b in items["items"]]


def wait_done(client, operation_id: str, deadline_s: float = 20.0) -> dict:
    deadline = time.monotonic() + deadline_s
    while True:
        operation = client.get(f"/v1/operations/{operation_id}", headers=OPERATOR).json()
        if operation["done"] or time.monotonic() > deadline:
            return operation
        time.sleep(0.01)  # poll interval under a deadline


@pytest.fixture
def small_client(tmp_path):
    """Tiny limits: uploads over 16 KiB are refused, over 1 KiB run as operations."""
    with platform_client(
        tmp_path,
        market_data_max_upload_bytes=16 * 1024,
        market_data_sync_max_bytes=1024,
        market_data_write_chunk_rows=5,
    ) as test_client:
        yield test_client


def test_incremental_stores_only_sessions_after_the_newest_stored_bar(client):
    ingest(client, spx("2018-01-01", "2018-01-31"))
    run = ingest(client, spx("2018-01-16", "2018-02-28"), kind="incremental").json()
    assert (run["inserted"], run["skipped"], run["updated"], run["unchanged"]) == (19, 12, 0, 0)
    assert len(sessions(client)) == 21 + 19


def test_incremental_does_not_apply_a_changed_bar_it_skips(client):
    ingest(client, spx("2018-01-01", "2018-01-31"))
    bars = load_history(["SPX"], start=date(2018, 1, 31), end=date(2018, 1, 31))
    changed = bars.assign(close=2900.0, high=2900.0).to_csv(index=False).encode()
    run = ingest(client, changed, kind="incremental").json()
    assert (run["skipped"], run["updated"]) == (1, 0)
    bars = client.get("/v1/market-data/bars", params={"symbol": "SPX"}, headers=OPERATOR).json()
    assert bars["items"][-1]["close"] != "2900.0"


def test_backfill_stores_only_sessions_before_the_oldest_stored_bar(client):
    ingest(client, spx("2018-03-01", "2018-03-31"))
    run = ingest(client, spx("2018-02-01", "2018-03-15"), kind="backfill").json()
    assert (run["inserted"], run["skipped"]) == (19, 11)
    assert sessions(client)[0] == "2018-02-01"


def test_a_symbol_without_bars_takes_everything_whatever_the_kind(client):
    for kind in ("incremental", "backfill"):
        content = spx("2018-01-01", "2018-01-31").replace(b"SPX", kind.upper().encode())
        run = ingest(client, content, kind=kind).json()
        assert (run["inserted"], run["skipped"]) == (21, 0)


def test_an_upload_over_the_limit_is_refused_with_413_and_nothing_is_stored(small_client):
    content = spx("2017-01-01", "2018-12-31")
    assert len(content) > 16 * 1024
    answer = ingest(small_client, content)
    assert answer.status_code == 413
    assert answer.json()["code"] == "payload_too_large"
    assert answer.json()["details"]["limit_bytes"] == 16 * 1024
    assert sessions(small_client) == []


def test_a_large_upload_runs_as_an_operation_with_progress(small_client):
    answer = ingest(small_client, spx("2018-01-01", "2018-03-31"))
    assert answer.status_code == 202, answer.text
    operation = answer.json()
    assert answer.headers["location"] == f"/v1/operations/{operation['id']}"
    assert operation["status"] in ("queued", "running")
    done = wait_done(small_client, operation["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"]["percent"] == 100.0
    assert done["result"]["inserted"] == 61
    assert len(sessions(small_client)) == 61
    again = small_client.post(f"/v1/operations/{operation['id']}:cancel", headers=OPERATOR)
    assert (again.status_code, again.json()["code"]) == (409, "operation_finished")


def test_an_unknown_operation_is_not_found(client):
    answer = client.get("/v1/operations/op_nope", headers=OPERATOR)
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    cancel = client.post("/v1/operations/op_nope:cancel", headers=OPERATOR)
    assert cancel.status_code == 404


def test_a_feed_load_with_the_brokerage_down_is_503_and_stores_nothing(client):
    body = {"source": "broker", "symbols": ["SPX"], "start": "2018-01-01", "end": "2018-01-31"}
    answer = client.post("/v1/market-data/ingestions", json=body, headers=OPERATOR)
    assert answer.status_code == 503, answer.text
    error = answer.json()
    assert error["code"] == "brokerage_unavailable"
    run = client.get(f"/v1/market-data/ingestions/{error['details']['run_id']}", headers=OPERATOR)
    assert (run.json()["status"], run.json()["inserted"]) == ("failed", 0)
    assert sessions(client) == []


def test_feature_rows_and_a_chronological_split_over_http(client):
    ingest(client, spx("2018-01-01", "2018-12-31"))
    definition = client.get("/v1/market-data/feature-sets/momentum_v1", headers=OPERATOR).json()
    assert definition["label"] == "next_up"
    rows = client.get(
        "/v1/market-data/feature-sets/momentum_v1/rows",
        params={"symbols": "SPX", "start": "2018-12-01", "complete": "true"},
        headers=OPERATOR,
    ).json()["items"]
    assert rows[0]["session"] == "2018-12-03" and rows[0]["rsi_14"] is not None
    assert rows[-1]["session"] == "2018-12-28"  # the 31st has no next session yet
    split = client.get(
        "/v1/market-data/feature-sets/momentum_v1/split",
        params={"symbols": "SPX", "gap": 1},
        headers=OPERATOR,
    ).json()
    parts = split["parts"]
    assert parts["train"]["last_session"] < parts["validation"]["first_session"]
    assert parts["validation"]["last_session"] < parts["test"]["first_session"]
    unknown = client.get("/v1/market-data/feature-sets/nope_v9/rows?symbols=SPX", headers=OPERATOR)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    bad = client.get(
        "/v1/market-data/feature-sets/momentum_v1/split",
        params={"symbols": "SPX", "train": 0.9, "validation": 0.9, "test": 0.1},
        headers=OPERATOR,
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_failed")


def test_the_openapi_document_describes_feed_loads_without_dangling_references(client):
    document = client.get("/openapi.json")
    assert document.status_code == 200
    assert "#/$defs/" not in document.text
    body = document.json()["paths"]["/v1/market-data/ingestions"]["post"]["requestBody"]
    assert "broker_symbol" in str(body["content"]["application/json"]["schema"])
