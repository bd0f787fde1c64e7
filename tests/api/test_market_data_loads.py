"""Market-data ingestion through the HTTP contract in-process (FastAPI TestClient, SQLite)."""

from datetime import date

import pytest

from quantdesk.market_history import load_history
from tests.conftest import OPERATOR

CSV = {**OPERATOR, "Content-Type": "text/csv"}
HEADER = "symbol,session,open,high,low,close,volume\n"
GOOD = "ACME,2024-03-04,100,101,99,100.5,1000\nACME,2024-03-06,100.5,102,100,101.5,1200\n"


def ingest(client, text: str | bytes, **params):
    content = text.encode() if isinstance(text, str) else text
    return client.post("/v1/market-data/ingestions", content=content, headers=CSV, params=params)


def bars(client, symbol="ACME", **params):
    answer = client.get(
        "/v1/market-data/bars", params={"symbol": symbol, **params}, headers=OPERATOR
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_good_rows_are_stored_with_prices_as_decimal_strings(client):
    answer = ingest(client, HEADER + GOOD, kind="full", source="vendor")
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run | {"id": None, "created_at": None, "duration_ms": None} == {
        "id": None,
        "source": "vendor",
        "kind": "full",
        "status": "succeeded",
        "reason": None,
        "range": {"start": "2024-03-04", "end": "2024-03-06"},
        "symbols": ["ACME"],
        "received": 2,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "rejected": 0,
        "duration_ms": None,
        "created_at": None,
    }
    assert bars(client)[0] == {
        "symbol": "ACME",
        "session": "2024-03-04",
        "open": "100.0",
        "high": "101.0",
        "low": "99.0",
        "close": "100.5",
        "volume": "1000",
    }
    assert client.get(f"/v1/market-data/ingestions/{run['id']}", headers=OPERATOR).json() == run


def test_same_file_twice_stores_nothing_new_and_a_correction_updates(client):
    ingest(client, HEADER + GOOD)
    again = ingest(client, HEADER + GOOD).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)
    fixed = ingest(client, HEADER + "ACME,2024-03-04,100,101,99,100.75,1000\n").json()
    assert (fixed["inserted"], fixed["updated"], fixed["unchanged"]) == (0, 1, 0)
    assert [b["close"] for b in bars(client)] == ["100.75", "101.5"]


def test_bad_rows_are_quarantined_with_their_rules_and_reported(client):
    text = HEADER + GOOD + "ACME,2024-03-05,100,99,101,100,-5\nACME,2024-03-07,1,2,0.5,,10\n"
    run = ingest(client, text).json()
    assert (run["status"], run["inserted"], run["rejected"]) == ("succeeded_with_rejections", 2, 2)
    quarantine = client.get(
        f"/v1/market-data/ingestions/{run['id']}/quarantine", headers=OPERATOR
    ).json()["items"]
    assert [(q["row_number"], q["rules"]) for q in quarantine] == [
        (
            3,
            [
                "high_below_open_or_close",
                "low_above_open_or_close",
                "high_below_low",
                "negative_volume",
            ],
        ),
        (4, ["missing_value"]),
    ]
    assert quarantine[1]["values"]["close"] is None
    report = client.get(
        f"/v1/market-data/ingestions/{run['id']}/quality-report", headers=OPERATOR
    ).json()
    assert report["counts"]["rejected"] == 2
    assert {r["rule"]: r["rows"] for r in report["rules_broken"]}["missing_value"] == 1
    # 2024-03-05 was quarantined, so the stored range 03-04..03-06 misses one session.
    assert report["gaps"] == [{"symbol": "ACME", "missing_sessions": ["2024-03-05"], "count": 1}]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04\x00\x00", "not a CSV file"),
        ("symbol,session,open,high,low,volume\nACME,2024-03-04,1,2,0.5,1\n", "close"),
    ],
)
def test_a_malformed_file_fails_the_run_and_stores_nothing(client, content, reason):
    answer = ingest(client, content)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "malformed_market_data"
    assert reason in body["details"]["reason"]
    run = client.get(f"/v1/market-data/ingestions/{body['details']['run_id']}", headers=OPERATOR)
    assert (run.json()["status"], run.json()["inserted"]) == ("failed", 0)
    assert bars(client) == []


def test_indicators_use_the_history_before_the_range_as_warm_up(client):
    history = load_history(["SPX"], start=date(2018, 1, 1), end=date(2018, 6, 30))
    ingest(client, history.to_csv(index=False))
    params = {"symbol": "SPX", "start": "2018-06-01", "end": "2018-06-05"}
    items = client.get("/v1/market-data/indicators", params=params, headers=OPERATOR).json()[
        "items"
    ]
    assert [i["session"] for i in items] == ["2018-06-01", "2018-06-04", "2018-06-05"]
    assert all(i["sma_50"] is not None and i["rsi_14"] is not None for i in items)
    extra = client.get(
        "/v1/market-data/indicators", params={**params, "indicators": "ema_10"}, headers=OPERATOR
    ).json()
    assert extra["indicators"] == ["ema_10"] and set(extra["items"][0]) == {"session", "ema_10"}


def test_refusals_use_the_error_shape(client):
    assert client.get("/v1/market-data/bars", params={"symbol": "X"}).status_code == 401
    unknown = client.get("/v1/market-data/ingestions/ing_nope", headers=OPERATOR)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    wrong_kind = ingest(client, HEADER + GOOD, kind="weekly")
    assert (wrong_kind.status_code, wrong_kind.json()["code"]) == (422, "validation_failed")
    backwards = client.get(
        "/v1/market-data/bars",
        params={"symbol": "X", "start": "2024-02-01", "end": "2024-01-01"},
        headers=OPERATOR,
    )
    assert backwards.status_code == 422
    bad_name = client.get(
        "/v1/market-data/indicators",
        params={"symbol": "X", "indicators": "magic_3"},
        headers=OPERATOR,
    )
    assert bad_name.json()["details"]["fields"][0]["field"] == "indicators"
    xml = client.post(
        "/v1/market-data/ingestions",
        content=b"<bars/>",
        headers={**OPERATOR, "Content-Type": "application/xml"},
    )
    assert (xml.status_code, xml.json()["code"]) == (415, "unsupported_media_type")
    not_a_feed = client.post("/v1/market-data/ingestions", json={"a": 1}, headers=OPERATOR)
    assert (not_a_feed.status_code, not_a_feed.json()["code"]) == (422, "validation_failed")
    assert {f["field"] for f in not_a_feed.json()["details"]["fields"]} >= {
        "source",
        "symbols",
        "start",
        "end",
        "a",
    }
