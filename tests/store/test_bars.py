"""The daily_bars repository: one row builder for every write, and the upsert that
inserts new bars and overwrites corrected ones in place (quantdesk.store.bars)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from quantdesk.domain.bar_validation import validate_bars
from quantdesk.store import bars as bar_store
from quantdesk.store.db import create_db_engine, migrate, session_factory
from quantdesk.store.models import DailyBarRow, IngestionRunRow
from tests.conftest import BARS_TODAY, bar_frame, good_row


@pytest.fixture
def sessions(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'bars.db'}")
    migrate(engine)
    factory = session_factory(engine)
    with factory.begin() as session:
        for run_id in ("run_1", "run_2"):
            session.add(
                IngestionRunRow(
                    id=run_id,
                    source="upload",
                    kind="full",
                    status="succeeded",
                    symbols="[]",
                    received=0,
                    inserted=0,
                    updated=0,
                    unchanged=0,
                    rejected=0,
                    duration_ms=0,
                    gaps="{}",
                    created_at=datetime.now(UTC),
                )
            )
    yield factory
    engine.dispose()


def valid(*rows: tuple):
    return validate_bars(bar_frame(*rows), today=BARS_TODAY).valid


def test_a_row_is_the_written_columns_in_order_as_plain_values():
    rows = bar_store.bar_rows(valid(good_row("2024-01-02", volume=7)), "run_1")
    assert rows == [("SPX", "2024-01-02", 10.0, 11.0, 9.0, 10.5, 7, "run_1")]
    assert [type(value) for value in rows[0]] == [str, str, float, float, float, float, int, str]
    assert len(rows[0]) == len(bar_store.WRITTEN_COLUMNS)


def test_the_upsert_inserts_new_bars_and_overwrites_a_corrected_one_in_place(sessions):
    with sessions.begin() as session:
        bar_store.BarWriter(session).write(
            bar_store.bar_rows(valid(good_row("2024-01-02"), good_row("2024-01-03")), "run_1")
        )
    with sessions() as session:
        first_id = session.scalar(
            select(DailyBarRow.id).where(DailyBarRow.session == date(2024, 1, 2))
        )
    with sessions.begin() as session:
        bar_store.BarWriter(session).write(
            bar_store.bar_rows(valid(good_row("2024-01-02", close=10.25)), "run_2")
        )
    with sessions() as session:
        stored = session.scalars(select(DailyBarRow).order_by(DailyBarRow.session)).all()
        assert [(b.session, b.close, b.run_id) for b in stored] == [
            (date(2024, 1, 2), 10.25, "run_2"),
            (date(2024, 1, 3), 10.5, "run_1"),
        ]
        assert stored[0].id == first_id
        frame = bar_store.stored_frame(session, ["SPX"], date(2024, 1, 3), None)
        assert frame["session"].dt.date.tolist() == [date(2024, 1, 3)]
        assert bar_store.edge_sessions(session, ["SPX", "NDX"], newest=True) == {
            "SPX": date(2024, 1, 3)
        }


def test_the_upsert_statement_names_the_conflict_key_and_every_value():
    sql = bar_store.upsert_bars_sql("qmark")
    assert sql.count("?") == len(bar_store.WRITTEN_COLUMNS)
    assert "ON CONFLICT (symbol, session) DO UPDATE SET open = excluded.open" in sql
    assert sql.endswith("run_id = excluded.run_id")
    assert bar_store.upsert_bars_sql("format").count("%s") == len(bar_store.WRITTEN_COLUMNS)
