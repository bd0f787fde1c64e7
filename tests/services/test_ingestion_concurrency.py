"""Simultaneous ingestions of one symbol, with real threads on a real database.

SQLite (a file, WAL) always; PostgreSQL too when the server of ``QUANTDESK_TEST_PG_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) answers: a fresh
database is created for the test and dropped after it.
"""

from __future__ import annotations

import os
import secrets
import threading
from datetime import date

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from quantdesk.clock import SystemClock
from quantdesk.domain.trading_calendar import get_calendar
from quantdesk.market_history import load_history
from quantdesk.services.ingestion import IngestionService
from quantdesk.store.db import create_db_engine, migrate, session_factory
from quantdesk.store.models import DailyBarRow

PG_URL = os.environ.get(
    "QUANTDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
THREADS = 6


def _sqlite(tmp_path):
    yield f"sqlite:///{tmp_path / 'concurrency.db'}"


def _postgres(_tmp_path):
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"quantdesk_unit_{secrets.token_hex(5)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not available at {PG_URL}: {type(exc).__name__}")
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request, tmp_path):
    urls = (_sqlite if request.param == "sqlite" else _postgres)(tmp_path)
    url = next(urls)
    engine = create_db_engine(url)
    migrate(engine)
    get_calendar()  # built once before the threads (its import silences warnings globally)
    try:
        yield IngestionService(session_factory(engine), SystemClock(), write_chunk_rows=50)
    finally:
        engine.dispose()
        next(urls, None)


def _csv(start: date, end: date) -> bytes:
    return load_history(["SPX"], start=start, end=end).to_csv(index=False).encode()


def _simultaneously(calls):
    """Run each call in its own thread, released together; (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        barrier.wait()
        try:
            results.append(call())
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def _stored(service) -> tuple[int, int]:
    with service.sessions() as session:
        total = session.scalar(select(func.count()).select_from(DailyBarRow))
        distinct = session.scalar(
            select(func.count()).select_from(
                select(DailyBarRow.symbol, DailyBarRow.session).distinct().subquery()
            )
        )
    return total, distinct


def test_simultaneous_loads_of_one_symbol_store_each_bar_once_and_count_exactly(service):
    content = _csv(date(2018, 1, 1), date(2018, 12, 31))
    results, errors = _simultaneously(
        [lambda i=i: service.ingest_csv(content, "full", source=f"t{i}") for i in range(THREADS)]
    )
    assert errors == []
    assert len(results) == THREADS
    assert _stored(service) == (251, 251)
    # Serialised: exactly one run inserted the year, every other found it unchanged.
    assert sorted(r["inserted"] for r in results) == [0] * (THREADS - 1) + [251]
    assert all(r["inserted"] + r["unchanged"] == 251 for r in results)


def test_simultaneous_overlapping_incremental_loads_never_duplicate(service):
    service.ingest_csv(_csv(date(2018, 1, 1), date(2018, 1, 31)), "full")
    contents = [_csv(date(2018, 1, 1), date(2018, m, 28)) for m in range(2, 2 + THREADS)]
    results, errors = _simultaneously(
        [lambda c=c: service.ingest_csv(c, "incremental") for c in contents]
    )
    assert errors == []
    total, distinct = _stored(service)
    assert (
        total
        == distinct
        == len(load_history(["SPX"], end=date(2018, 7, 28)))
        - len(load_history(["SPX"], end=date(2017, 12, 31)))
    )
    assert sum(r["inserted"] for r in results) == total - 21
