"""Ingestion runs read back: the run, the rows it set aside, and its quality report."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import utc_text
from quantdesk.domain.bars import RULE_DESCRIPTIONS, RULES
from quantdesk.domain.trading_calendar import DEFAULT_CALENDAR
from quantdesk.errors import NotFound
from quantdesk.store import ingestion_runs as run_store
from quantdesk.store.models import IngestionRunRow

COUNT_NAMES: tuple[str, ...] = (
    "received",
    "inserted",
    "updated",
    "unchanged",
    "skipped",
    "rejected",
)


def run_view(row: IngestionRunRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "source": row.source,
        "kind": row.kind,
        "status": row.status,
        "reason": row.reason,
        "range": (
            {"start": row.range_start.isoformat(), "end": row.range_end.isoformat()}
            if row.range_start and row.range_end
            else None
        ),
        "symbols": json.loads(row.symbols),
        **{name: getattr(row, name) or 0 for name in COUNT_NAMES},
        "duration_ms": row.duration_ms,
        "created_at": utc_text(row.created_at),
    }


class IngestionRunService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def _run(self, session: Session, run_id: str) -> IngestionRunRow:
        row = run_store.run_row(session, run_id)
        if row is None:
            raise NotFound("No ingestion run with that id.", details={"run_id": run_id})
        return row

    def get_run(self, run_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            return run_view(self._run(session, run_id))

    def quarantine(self, run_id: str) -> dict[str, Any]:
        with self.sessions() as session:
            self._run(session, run_id)
            items = run_store.quarantined_of(session, run_id)
        return {"run_id": run_id, "items": items}

    def quality_report(self, run_id: str) -> dict[str, Any]:
        run = self.get_run(run_id)
        counts = dict.fromkeys(RULES, 0)
        for item in self.quarantine(run_id)["items"]:
            for rule in item["rules"]:
                counts[rule] += 1
        with self.sessions() as session:
            gaps = json.loads(self._run(session, run_id).gaps)
        return {
            "run_id": run_id,
            "status": run["status"],
            "reason": run["reason"],
            "kind": run["kind"],
            "source": run["source"],
            "range": run["range"],
            "counts": {k: run[k] for k in COUNT_NAMES},
            "rules_broken": [
                {"rule": rule, "description": RULE_DESCRIPTIONS[rule], "rows": n}
                for rule, n in counts.items()
                if n
            ],
            "calendar": DEFAULT_CALENDAR,
            "gaps": [
                {"symbol": symbol, "missing_sessions": missing, "count": len(missing)}
                for symbol, missing in gaps.items()
            ],
        }
