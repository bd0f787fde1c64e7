"""The model registry: numbered, immutable versions of named models, aliases that deploy
them (``production``, ...) with the trail of every move, and predictions from the version
behind an alias.

A version is written by a training job (``quantdesk.services.training``) together with
its artifact file; nothing changes it afterwards. An alias moves by promotion (refused
when the version does worse than the one there now on the agreed metric, unless forced
with a reason) or by rollback (back to the version the last promotion still in force
replaced). Artifacts are loaded only when their bytes match the registered checksum and
they hold trusted types (``quantdesk.store.artifacts``).
"""

from __future__ import annotations

import json
import math
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from quantdesk.clock import SystemClock, utc_text
from quantdesk.domain.clients import FieldProblem
from quantdesk.domain.feature_sets import get_feature_set
from quantdesk.domain.q_learning import LinearQPolicy
from quantdesk.domain.symbols import parse_symbol, symbol_problem
from quantdesk.domain.training import (
    ALIAS_RULE,
    FLAT,
    LONG,
    PROMOTION_METRIC,
    promotion_check,
    valid_alias,
    valid_model_name,
)
from quantdesk.errors import (
    AliasNotSet,
    ModelInputsMissing,
    NotFound,
    NothingToRollBack,
    PromotionRefused,
    ValidationFailed,
)
from quantdesk.services.feature_sets import MAX_SYMBOLS, FeatureSetService
from quantdesk.services.market_data import decimal_text
from quantdesk.store import artifacts
from quantdesk.store.models import AliasMoveRow, ModelAliasRow, ModelVersionRow

DEFAULT_ALIAS = "production"


def metric_text(value: float | None) -> str | None:
    """A metric as the contract's decimal string (6 decimals), ``None`` when undefined."""
    if value is None or not math.isfinite(value):
        return None
    return decimal_text(round(value, 6))


def parse_reference(text: str) -> tuple[str, str]:
    """``name@alias`` (``name`` alone: the production alias) as (name, alias)."""
    name, _, alias = text.strip().partition("@")
    return name, alias or DEFAULT_ALIAS


@dataclass(frozen=True)
class Predictor:
    """A loaded model version: long/flat signals and their scores for feature rows."""

    name: str
    version: int
    algorithm: str
    feature_set: str
    model: Any

    def scores(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return signal_scores(self.model, features)


def signal_scores(model: Any, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(score, long?) per row: the probability of an up session for a classifier, the
    advantage of holding for the reinforcement-learning agent."""
    if isinstance(model, LinearQPolicy):
        advantage = model.advantage(features)
        return advantage, advantage > 0
    probability = model.predict_proba(features)[:, 1]
    return probability, probability > 0.5


def version_view(row: ModelVersionRow, aliases: list[str]) -> dict[str, Any]:
    metrics = json.loads(row.metrics)
    return {
        "name": row.name,
        "version": row.version,
        "algorithm": row.algorithm,
        "feature_set": row.feature_set,
        "symbols": json.loads(row.symbols),
        "training_range": {"start": row.train_start.isoformat(), "end": row.train_end.isoformat()},
        "folds": row.folds,
        "gap_sessions": row.gap_sessions,
        "seed": row.seed,
        "hyperparameters": json.loads(row.hyperparameters),
        "rows": row.rows,
        "sessions": row.sessions,
        "metrics": metrics["overall"],
        "fold_metrics": metrics["folds"],
        "data_fingerprint": row.data_fingerprint,
        "operation_id": row.operation_id,
        "artifact_sha256": row.artifact_sha256,
        "aliases": aliases,
        "created_by": row.created_by,
        "created_at": utc_text(row.created_at),
    }


def move_view(row: AliasMoveRow) -> dict[str, Any]:
    return {
        "alias": row.alias,
        "action": row.action,
        "from_version": row.from_version,
        "to_version": row.to_version,
        "forced": row.forced,
        "by": row.by,
        "reason": row.reason,
        "at": utc_text(row.at),
    }


class ModelRegistry:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: SystemClock,
        data_dir: Path,
        feature_sets: FeatureSetService,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.feature_sets = feature_sets
        self.artifact_dir = data_dir / "models"
        self._loaded: dict[str, Any] = {}  # by artifact checksum: verified bytes, parsed once
        self._lock = threading.Lock()

    # -- writing a version ---------------------------------------------------------------
    def artifact_path(self, name: str, operation_id: str) -> Path:
        return self.artifact_dir / name / f"{operation_id}.skops"

    def register(self, values: Mapping[str, Any], artifact: bytes) -> dict[str, Any]:
        """Write the artifact, then the next version of the model; a failure leaves neither."""
        path = self.artifact_path(values["name"], values["operation_id"])
        artifacts.write(path, artifact)
        try:
            for _ in range(5):  # two jobs of one model finishing together take turns
                try:
                    return self._insert_version(values, path, artifacts.sha256_of(artifact))
                except IntegrityError:
                    continue
            raise RuntimeError("could not number the model version")
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def _insert_version(self, values: Mapping[str, Any], path: Path, sha: str) -> dict[str, Any]:
        with self.sessions.begin() as session:
            latest = session.scalar(
                select(func.max(ModelVersionRow.version)).where(
                    ModelVersionRow.name == values["name"]
                )
            )
            row = ModelVersionRow(
                id=f"mv_{uuid.uuid4().hex[:20]}",
                version=(latest or 0) + 1,
                artifact_path=str(path),
                artifact_sha256=sha,
                created_at=self.clock.now(),
                **values,
            )
            session.add(row)
            session.flush()
            return version_view(row, [])

    # -- reading -------------------------------------------------------------------------
    def models(self) -> dict[str, Any]:
        with self.sessions() as session:
            counts = session.execute(
                select(ModelVersionRow.name, func.max(ModelVersionRow.version))
                .group_by(ModelVersionRow.name)
                .order_by(ModelVersionRow.name)
            ).all()
            aliases = self._aliases(session, None)
        return {
            "items": [
                {"name": name, "latest_version": latest, "aliases": aliases.get(name, {})}
                for name, latest in counts
            ]
        }

    @staticmethod
    def _aliases(session: Session, name: str | None) -> dict[str, dict[str, int]]:
        query = select(ModelAliasRow)
        if name is not None:
            query = query.where(ModelAliasRow.name == name)
        out: dict[str, dict[str, int]] = {}
        for row in session.scalars(query.order_by(ModelAliasRow.alias)):
            out.setdefault(row.name, {})[row.alias] = row.version
        return out

    def model(self, name: str) -> dict[str, Any]:
        with self.sessions() as session:
            rows = list(
                session.scalars(
                    select(ModelVersionRow)
                    .where(ModelVersionRow.name == name)
                    .order_by(ModelVersionRow.version)
                )
            )
            if not rows:
                raise NotFound("No model with that name.", details={"model": name})
            aliases = self._aliases(session, name).get(name, {})
            moves = session.scalars(
                select(AliasMoveRow).where(AliasMoveRow.name == name).order_by(AliasMoveRow.id)
            )
            return {
                "name": name,
                "aliases": aliases,
                "versions": [version_view(r, _named(aliases, r.version)) for r in rows],
                "alias_moves": [move_view(m) for m in moves],
            }

    def version(self, name: str, version: int) -> dict[str, Any]:
        with self.sessions() as session:
            row = self._version(session, name, version)
            aliases = self._aliases(session, name).get(name, {})
            return version_view(row, _named(aliases, version))

    @staticmethod
    def _version(session: Session, name: str, version: int) -> ModelVersionRow:
        row = session.scalar(
            select(ModelVersionRow).where(
                ModelVersionRow.name == name, ModelVersionRow.version == version
            )
        )
        if row is None:
            raise NotFound(
                "No such version of the model.", details={"model": name, "version": version}
            )
        return row

    def equity(self, name: str, version: int) -> dict[str, Any]:
        """The backtest's equity curve against buy-and-hold, session by session."""
        with self.sessions() as session:
            row = self._version(session, name, version)
            return {"model": name, "version": version, **json.loads(row.metrics)["equity"]}

    # -- aliases -------------------------------------------------------------------------
    def promote(
        self,
        name: str,
        alias: str,
        version: int,
        *,
        by: str,
        reason: str | None,
        force: bool,
    ) -> dict[str, Any]:
        _check_alias(alias)
        with self.sessions.begin() as session:
            candidate = self._version(session, name, version)
            current = session.get(ModelAliasRow, (name, alias), with_for_update=True)
            there = self._version(session, name, current.version) if current else None
            check = promotion_check(
                json.loads(candidate.metrics)["overall"],
                json.loads(there.metrics)["overall"] if there else None,
            )
            if not check.allowed and not force:
                raise PromotionRefused(
                    f"Version {version} does worse than version {there.version} on "
                    f"{PROMOTION_METRIC} by {metric_text(check.shortfall)}; force the "
                    "promotion with a reason to deploy it anyway.",
                    details={
                        "model": name,
                        "alias": alias,
                        "metric": PROMOTION_METRIC,
                        "candidate": metric_text(check.candidate),
                        "current": metric_text(check.current),
                        "current_version": there.version,
                        "shortfall": metric_text(check.shortfall),
                    },
                )
            self._move(
                session,
                name,
                alias,
                current,
                version,
                action="promote",
                by=by,
                reason=reason,
                forced=force and not check.allowed,
            )
        return self.alias(name, alias)

    def rollback(self, name: str, alias: str, *, by: str, reason: str | None) -> dict[str, Any]:
        _check_alias(alias)
        with self.sessions.begin() as session:
            current = session.get(ModelAliasRow, (name, alias), with_for_update=True)
            if current is None:
                raise AliasNotSet(
                    f"The {alias!r} alias of {name!r} points to no version.",
                    details={"model": name, "alias": alias},
                )
            last = session.scalar(
                select(AliasMoveRow)
                .where(
                    AliasMoveRow.name == name,
                    AliasMoveRow.alias == alias,
                    AliasMoveRow.action == "promote",
                    AliasMoveRow.undone.is_(False),
                )
                .order_by(AliasMoveRow.id.desc())
                .limit(1)
            )
            if last is None or last.from_version is None:
                raise NothingToRollBack(
                    f"The {alias!r} alias of {name!r} has no earlier version to return to.",
                    details={"model": name, "alias": alias, "version": current.version},
                )
            last.undone = True
            self._move(
                session,
                name,
                alias,
                current,
                last.from_version,
                action="rollback",
                by=by,
                reason=reason,
                forced=False,
            )
        return self.alias(name, alias)

    def _move(
        self,
        session: Session,
        name: str,
        alias: str,
        current: ModelAliasRow | None,
        version: int,
        *,
        action: str,
        by: str,
        reason: str | None,
        forced: bool,
    ) -> None:
        now = self.clock.now()
        session.add(
            AliasMoveRow(
                name=name,
                alias=alias,
                action=action,
                from_version=current.version if current else None,
                to_version=version,
                forced=forced,
                undone=False,
                by=by,
                reason=(reason or "").strip() or None,
                at=now,
            )
        )
        if current is None:
            session.add(ModelAliasRow(name=name, alias=alias, version=version, updated_at=now))
        else:
            current.version = version
            current.updated_at = now

    def alias(self, name: str, alias: str) -> dict[str, Any]:
        with self.sessions() as session:
            row = session.get(ModelAliasRow, (name, alias))
            if row is None:
                raise NotFound(
                    "No such alias of the model.", details={"model": name, "alias": alias}
                )
            moves = session.scalars(
                select(AliasMoveRow)
                .where(AliasMoveRow.name == name, AliasMoveRow.alias == alias)
                .order_by(AliasMoveRow.id)
            )
            return {
                "model": name,
                "alias": alias,
                "version": row.version,
                "updated_at": utc_text(row.updated_at),
                "moves": [move_view(m) for m in moves],
            }

    def alias_problem(self, reference: str) -> FieldProblem | None:
        """Why ``name@alias`` cannot drive a strategy, or ``None`` when it can."""
        name, alias = parse_reference(reference)
        with self.sessions() as session:
            if session.get(ModelAliasRow, (name, alias)) is not None:
                return None
            known = session.scalar(
                select(func.count())
                .select_from(ModelVersionRow)
                .where(ModelVersionRow.name == name)
            )
        if not known:
            return FieldProblem(
                "model_alias", "unknown_model", f"No registered model is called {name!r}."
            )
        return FieldProblem(
            "model_alias", "unknown_alias", f"The {alias!r} alias of {name!r} points to no version."
        )

    # -- test controls -------------------------------------------------------------------
    def artifact_files(self, name: str) -> list[str]:
        folder = self.artifact_dir / name
        if not valid_model_name(name) or not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir())

    def damage_artifact(self, name: str, version: int, how: str) -> None:
        """Change a version's artifact file: its ``bytes``, or replace it with one holding
        an ``untrusted_type`` whose checksum is registered (controls only)."""
        import fractions

        with self.sessions.begin() as session:
            row = self._version(session, name, version)
            path = Path(row.artifact_path)
            if how == "bytes":
                data = bytearray(path.read_bytes())
                data[len(data) // 2] ^= 0xFF
                artifacts.write(path, bytes(data))
            else:
                data = artifacts.dumps({"smuggled": fractions.Fraction(1, 3)})
                artifacts.write(path, data)
                row.artifact_sha256 = artifacts.sha256_of(data)

    # -- predicting ----------------------------------------------------------------------
    def predictor(self, name: str, alias: str, version: int | None = None) -> Predictor:
        """The version behind ``alias`` (or ``version`` itself), loaded and verified."""
        with self.sessions() as session:
            if version is None:
                pointer = session.get(ModelAliasRow, (name, alias))
                if pointer is None:
                    raise AliasNotSet(
                        f"The {alias!r} alias of {name!r} points to no version.",
                        details={"model": name, "alias": alias},
                    )
                version = pointer.version
            row = self._version(session, name, version)
        what = {"model": name, "version": row.version}
        with self._lock:
            model = artifacts.load_verified(
                Path(row.artifact_path), row.artifact_sha256, what, self._loaded
            )
        if row.algorithm == "linear_q":  # the agent's file holds its arrays
            model = LinearQPolicy(**model)
        return Predictor(name, row.version, row.algorithm, row.feature_set, model)

    def predict(
        self,
        name: str,
        alias: str,
        symbols: list[str],
        as_of: date,
        version: int | None = None,
    ) -> dict[str, Any]:
        """Predictions of the version behind ``alias`` (or of ``version``, when given) for
        ``symbols`` as of a date."""
        problems = []
        if not symbols:
            problems.append({"field": "symbols", "code": "required", "message": "name a symbol"})
        elif len(symbols) > MAX_SYMBOLS:
            problems.append(
                {"field": "symbols", "code": "too_many", "message": f"at most {MAX_SYMBOLS}"}
            )
        elif (refused := symbol_problem("symbols", symbols)) is not None:
            problems.append(refused)
        if not valid_alias(alias):
            problems.append({"field": "alias", "code": "invalid_alias", "message": ALIAS_RULE})
        if problems:
            raise ValidationFailed(problems)
        wanted = list(dict.fromkeys(parse_symbol(s) or s for s in symbols))
        predictor = self.predictor(name, alias, version)
        return {
            "model": name,
            "alias": None if version is not None else alias,
            "version": predictor.version,
            "as_of": as_of.isoformat(),
            "items": self.predictions(predictor, wanted, as_of),
        }

    def predictions(
        self, predictor: Predictor, symbols: list[str], as_of: date
    ) -> list[dict[str, Any]]:
        """The prediction of each symbol from its last feature row on or before ``as_of``:
        only bars up to ``as_of`` are read, so later bars cannot change it."""
        import pandas as pd  # lazily: pandas stays out of the platform's start

        feature_set = get_feature_set(predictor.feature_set)
        features = list(feature_set.features)
        frame = self.feature_sets.frame(feature_set.key, symbols, None, as_of)
        known = frame.loc[
            (frame["session"] <= pd.Timestamp(as_of)) & frame[features].notna().all(axis=1)
        ]
        last = known.groupby("symbol", sort=False).tail(1).set_index("symbol")
        missing = [s for s in symbols if s not in last.index]
        if missing:
            raise ModelInputsMissing(
                f"No complete feature row on or before {as_of.isoformat()} for: "
                f"{', '.join(missing)}; load their prices first.",
                details={"symbols": missing, "as_of": as_of.isoformat()},
            )
        rows = last.loc[list(symbols)]
        scores, long = predictor.scores(rows[features].to_numpy(dtype="float64"))
        return [
            {
                "symbol": symbol,
                "session": rows["session"].iloc[i].date().isoformat(),
                "signal": LONG if long[i] else FLAT,
                "score": metric_text(float(scores[i])),
            }
            for i, symbol in enumerate(symbols)
        ]


def _named(aliases: Mapping[str, int], version: int) -> list[str]:
    return sorted(alias for alias, v in aliases.items() if v == version)


def _check_alias(alias: str) -> None:
    if not valid_alias(alias):
        raise ValidationFailed([{"field": "alias", "code": "invalid_alias", "message": ALIAS_RULE}])
