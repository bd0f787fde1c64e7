"""The ``ingestion_runs`` and ``quarantined_rows`` tables: a run's record and the rows it
set aside, with the rules they broke."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.domain.bars import BAR_COLUMNS
from quantdesk.store.models import IngestionRunRow, QuarantinedRowRow


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else str(value)
    return value


def save_run(sessions: sessionmaker[Session], run: dict[str, Any]) -> IngestionRunRow:
    """Record a run that stored nothing (failed, or no bars), in its own transaction."""
    row = IngestionRunRow(**run)
    with sessions.begin() as session:
        session.add(row)
    return row


def run_row(session: Session, run_id: str) -> IngestionRunRow | None:
    return session.get(IngestionRunRow, run_id)


def add_quarantined(session: Session, run_id: str, quarantined: pd.DataFrame) -> None:
    """Store the rows a run set aside (``ValidationResult.quarantined``), values as given."""
    session.execute(
        insert(QuarantinedRowRow),
        [
            {
                "run_id": run_id,
                "row_number": int(r["row"]) + 1,
                "raw_values": json.dumps({c: _jsonable(r[c]) for c in BAR_COLUMNS}),
                "rules": json.dumps(list(r["rules"])),
            }
            for r in quarantined.to_dict("records")
        ],
    )


def quarantined_of(session: Session, run_id: str) -> list[dict[str, Any]]:
    """The rows run ``run_id`` set aside, by their 1-based row of the file."""
    rows = session.scalars(
        select(QuarantinedRowRow)
        .where(QuarantinedRowRow.run_id == run_id)
        .order_by(QuarantinedRowRow.row_number)
    )
    return [
        {
            "row_number": r.row_number,
            "values": json.loads(r.raw_values),
            "rules": json.loads(r.rules),
        }
        for r in rows
    ]
