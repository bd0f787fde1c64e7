"""Fixtures shared by the in-process tests of the platform's HTTP contract."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from quantdesk.app import create_app
from quantdesk.settings import Settings
from quantdesk.store.db import create_db_engine, migrate

OPERATOR_KEY = "operator-key"


@contextmanager
def platform_client(tmp_path: Path, **overrides: Any) -> Iterator[TestClient]:
    """QuantDesk on a fresh, migrated SQLite database in ``tmp_path``.

    By default the broker is unreachable; ``overrides`` are further settings."""
    settings = Settings(
        **{
            "data_dir": tmp_path,
            "operator_key": OPERATOR_KEY,
            "broker_url": "http://127.0.0.1:9",
            "broker_timeout_seconds": 0.2,
            **overrides,
        }
    )
    engine = create_db_engine(settings.resolved_database_url())
    migrate(engine)
    engine.dispose()
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def client(tmp_path):
    with platform_client(tmp_path) as test_client:
        yield test_client
