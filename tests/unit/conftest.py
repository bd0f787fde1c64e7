"""Fixtures shared by the in-process tests of the platform's HTTP contract."""

import pytest
from fastapi.testclient import TestClient

from quantdesk.app import create_app
from quantdesk.settings import Settings
from quantdesk.store.db import create_db_engine, migrate

OPERATOR_KEY = "operator-key"


@pytest.fixture
def client(tmp_path):
    """QuantDesk on a fresh, migrated SQLite database; the broker is unreachable."""
    settings = Settings(
        data_dir=tmp_path,
        operator_key=OPERATOR_KEY,
        broker_url="http://127.0.0.1:9",
        broker_timeout_seconds=0.2,
    )
    engine = create_db_engine(settings.resolved_database_url())
    migrate(engine)
    engine.dispose()
    with TestClient(create_app(settings)) as test_client:
        yield test_client
