"""Training jobs, the registry, aliases and predictions over the HTTP contract (SQLite,
in-process)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from quantdesk.market_history import load_history
from tests.conftest import OPERATOR, platform_client

CSV = {**OPERATOR, "Content-Type": "text/csv"}


def load(client, start: str, end: str, symbol: str = "SPX") -> None:
    bars = load_history([symbol], start=date.fromisoformat(start), end=date.fromisoformat(end))
    answer = client.post(
        "/v1/market-data/ingestions", content=bars.to_csv(index=False).encode(), headers=CSV
    )
    assert answer.status_code in (200, 201), answer.text


def wait_done(client, operation_id: str, deadline_s: float = 60.0) -> dict:
    deadline = time.monotonic() + deadline_s
    while True:
        operation = client.get(f"/v1/operations/{operation_id}", headers=OPERATOR).json()
        if operation["done"] or time.monotonic() > deadline:
            return operation
        time.sleep(0.02)  # poll interval under a deadline


def train(client, **overrides) -> dict:
    body = {
        "model": "direction",
        "algorithm": "logistic_regression",
        "feature_set": "momentum_v1",
        "symbols": ["SPX"],
        "start": "2017-01-03",
        "end": "2018-12-31",
        "folds": 3,
        "gap_sessions": 1,
        "seed": 7,
        **overrides,
    }
    answer = client.post("/v1/models/training-jobs", json=body, headers=OPERATOR)
    assert answer.status_code == 202, answer.text
    return wait_done(client, answer.json()["id"])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("models")
    with platform_client(tmp) as client:
        load(client, "2016-06-01", "2018-12-31")
        yield client, tmp


def test_a_job_registers_a_numbered_version_with_its_metrics(trained):
    client, _ = trained
    done = train(client, model="first")
    assert done["status"] == "succeeded", done
    version = client.get("/v1/models/first/versions/1", headers=OPERATOR).json()
    assert version["algorithm"] == "logistic_regression"
    assert set(version["metrics"]) >= {"accuracy", "roc_auc", "sharpe", "max_drawdown"}
    assert len(version["fold_metrics"]) == 3
    for fold in version["fold_metrics"]:
        assert fold["last_train_session"] < fold["first_test_session"]


@pytest.mark.parametrize("algorithm", ["hist_gradient_boosting", "linear_q"])
def test_the_same_request_gives_the_same_version_twice(trained, algorithm):
    client, _ = trained
    name = f"again-{algorithm.replace('_', '-')}"
    first = train(client, model=name, algorithm=algorithm)
    second = train(client, model=name, algorithm=algorithm)
    assert first["status"] == second["status"] == "succeeded", (first, second)
    one, two = (
        client.get(f"/v1/models/{name}/versions/{n}", headers=OPERATOR).json() for n in (1, 2)
    )
    assert one["artifact_sha256"] == two["artifact_sha256"]
    assert one["metrics"] == two["metrics"]
    assert one["data_fingerprint"] == two["data_fingerprint"]


def test_promote_predict_and_roll_back(trained):
    client, _ = trained
    for seed in (1, 2):
        assert (
            train(client, model="deploy", seed=seed, algorithm="linear_q")["status"] == "succeeded"
        )
    promote = client.put(
        "/v1/models/deploy/aliases/production",
        json={"version": 1, "reason": "first"},
        headers=OPERATOR,
    )
    assert promote.status_code == 200, promote.text
    predicted = client.post(
        "/v1/models/deploy/predictions",
        json={"symbols": ["SPX"], "as_of": "2018-06-01"},
        headers=OPERATOR,
    )
    assert predicted.status_code == 200, predicted.text
    assert predicted.json()["items"][0]["session"] == "2018-06-01"
    nowhere = client.post(
        "/v1/models/deploy/predictions",
        json={"alias": "staging", "symbols": ["SPX"], "as_of": "2018-06-01"},
        headers=OPERATOR,
    )
    assert nowhere.status_code == 409
    assert nowhere.json()["code"] == "alias_not_set"


def test_a_tampered_artifact_is_refused(trained):
    client, tmp = trained
    assert train(client, model="tamper")["status"] == "succeeded"
    client.put(
        "/v1/models/tamper/aliases/production", json={"version": 1, "reason": "r"}, headers=OPERATOR
    )
    (path,) = Path(tmp, "models", "tamper").glob("*.skops")
    path.write_bytes(path.read_bytes() + b"x")
    refused = client.post(
        "/v1/models/tamper/predictions",
        json={"symbols": ["SPX"], "as_of": "2018-06-01"},
        headers=OPERATOR,
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "artifact_tampered"


def test_a_bad_request_lists_every_problem(trained):
    client, _ = trained
    answer = client.post(
        "/v1/models/training-jobs",
        json={
            "model": "Bad Name",
            "algorithm": "magic",
            "feature_set": "nope",
            "symbols": ["SPX"],
            "start": "2018-01-02",
            "end": "2017-01-02",
            "folds": 1,
        },
        headers=OPERATOR,
    )
    assert answer.status_code == 422
    fields = {p["field"] for p in answer.json()["details"]["fields"]}
    assert fields == {"model", "algorithm", "feature_set", "end", "folds"}


def _trained_on(tmp_path, database_url: str | None) -> list[dict]:
    overrides = {"database_url": database_url} if database_url else {}
    with platform_client(tmp_path, **overrides) as client:
        load(client, "2016-06-01", "2018-12-31")
        out = []
        for algorithm in ("logistic_regression", "hist_gradient_boosting", "linear_q"):
            done = train(client, model=f"same-{algorithm.replace('_', '-')}", algorithm=algorithm)
            assert done["status"] == "succeeded", done
            version = client.get(
                f"/v1/models/{done['result']['model']}/versions/1", headers=OPERATOR
            ).json()
            out.append({k: version[k] for k in ("metrics", "data_fingerprint", "artifact_sha256")})
        return out


def test_sqlite_and_postgresql_train_the_same_models(tmp_path):
    from tests.services.test_ingestion_concurrency import _postgres

    databases = _postgres(tmp_path)
    url = next(databases)  # skips when PostgreSQL does not answer
    try:
        on_postgres = _trained_on(tmp_path / "pg", url)
    finally:
        next(databases, None)
    assert _trained_on(tmp_path / "sqlite", None) == on_postgres
