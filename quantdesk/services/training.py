"""Training jobs: a request checked at once, then the training in an operation's worker.

A job builds the feature set's complete rows of its symbols and range (the data is read
once, in the request, so a range with too little data is refused at once), evaluates
the algorithm walk-forward over chronological folds (``quantdesk.domain.training``),
trains the final model on every session, and registers it as the model's next version
with its artifact (``quantdesk.services.model_registry``). Progress never goes down and
names the step (``fold 3 of 5``); a cancel stops the job at the next step and leaves no
version and no file. scikit-learn is imported by the worker, never by the embedded start.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from quantdesk.domain.clients import FieldProblem
from quantdesk.domain.feature_sets import FEATURE_SETS, FeatureSet
from quantdesk.domain.q_learning import LinearQPolicy, train_linear_q
from quantdesk.domain.training import (
    ALGORITHMS,
    CLASSIFIERS,
    MIN_FOLD_SESSIONS,
    Fold,
    backtest_metrics,
    folds_fit,
    hyperparameter_problems,
    request_problems,
    sessions_needed,
    walk_forward,
)
from quantdesk.errors import TrainingFailed, ValidationFailed
from quantdesk.jobs.operations import Operations, Progress
from quantdesk.services.feature_sets import FeatureSetService
from quantdesk.services.model_registry import ModelRegistry, metric_text, signal_scores
from quantdesk.store import artifacts

KIND = "models.training"
LANE = "training"
HGB_CHUNK = 10  # boosting iterations between two progress reports (and cancel checks)


@dataclass(frozen=True)
class Job:
    model: str
    algorithm: str
    feature_set: FeatureSet
    symbols: list[str]
    start: date
    end: date
    folds: int
    gap_sessions: int
    seed: int
    hyperparameters: dict[str, float | int]

    def request(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "algorithm": self.algorithm,
            "feature_set": self.feature_set.key,
            "symbols": self.symbols,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "folds": self.folds,
            "gap_sessions": self.gap_sessions,
            "seed": self.seed,
            "hyperparameters": self.hyperparameters,
        }


def fingerprint(frame: pd.DataFrame, columns: list[str]) -> str:
    """sha256 of the rows a job saw: the symbols and sessions as text, then the features,
    label and next return as little-endian float64 bytes. Bars are float64 on SQLite and
    PostgreSQL alike, so the same rows give the same fingerprint on both."""
    digest = hashlib.sha256()
    keys = frame["symbol"].astype(str) + "|" + frame["session"].dt.strftime("%Y-%m-%d")
    digest.update("\n".join(keys.tolist()).encode())
    values = frame[[*columns, "label", "next_return"]].to_numpy(dtype="<f8")
    digest.update(np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


class TrainingService:
    def __init__(
        self,
        feature_sets: FeatureSetService,
        operations: Operations,
        registry: ModelRegistry,
    ) -> None:
        self.feature_sets = feature_sets
        self.operations = operations
        self.registry = registry

    # -- the request ---------------------------------------------------------------------
    def start(self, body: Mapping[str, Any], *, by: str) -> dict[str, Any]:
        """Check the request (every problem at once), then queue the job; its operation."""
        job, frame = self._checked(body)
        work = self._work(job, frame, by=by)
        return self.operations.submit(KIND, job.request(), work, lane=LANE)

    def _checked(self, body: Mapping[str, Any]) -> tuple[Job, pd.DataFrame]:
        start, end = body.get("start"), body.get("end")
        problems = request_problems(
            model=body.get("model"),
            algorithm=body.get("algorithm"),
            folds=body.get("folds"),
            gap_sessions=body.get("gap_sessions"),
            seed=body.get("seed"),
            start=start,
            end=end,
        )
        key = body.get("feature_set")
        feature_set = FEATURE_SETS.get(key) if isinstance(key, str) else None
        if feature_set is None:
            problems.append(
                FieldProblem(
                    "feature_set",
                    "unknown_feature_set",
                    f"feature_set must be one of: {', '.join(sorted(FEATURE_SETS))}.",
                )
            )
        hyperparameters: dict[str, float | int] = {}
        if body.get("algorithm") in ALGORITHMS:
            hyperparameters, wrong = hyperparameter_problems(
                body["algorithm"], body.get("hyperparameters")
            )
            problems.extend(wrong)
        symbols = list(body.get("symbols") or [])
        if problems:
            raise ValidationFailed([p.as_dict() for p in problems])
        assert feature_set is not None and start is not None and end is not None
        # Symbols are checked by the feature-set service (the one symbol rule).
        built = self.feature_sets.frame(feature_set.key, symbols, start, end)
        frame = feature_set.complete_rows(built)
        self._check_data(frame, symbols, body["folds"], body["gap_sessions"], body["algorithm"])
        job = Job(
            model=body["model"],
            algorithm=body["algorithm"],
            feature_set=feature_set,
            symbols=sorted(frame["symbol"].unique().tolist()),
            start=start,
            end=end,
            folds=body["folds"],
            gap_sessions=body["gap_sessions"],
            seed=body["seed"],
            hyperparameters=hyperparameters,
        )
        return job, frame

    @staticmethod
    def _check_data(
        frame: pd.DataFrame, symbols: list[str], folds: int, gap: int, algorithm: str
    ) -> None:
        problems = []
        if algorithm in CLASSIFIERS and len(frame) and frame["label"].nunique() < 2:
            problems.append(
                FieldProblem(
                    "start",
                    "one_outcome",
                    "every usable session of the range went the same way (up, or not up): "
                    "a classifier has nothing to tell apart.",
                )
            )
        present = set(frame["symbol"].unique().tolist())
        empty = [s for s in symbols if s.strip(" \t").upper() not in present]
        if empty:
            problems.append(
                FieldProblem(
                    "symbols",
                    "no_data",
                    f"no usable sessions in the range for: {', '.join(empty)}.",
                )
            )
        sessions = int(frame["session"].nunique())
        if not folds_fit(sessions, folds, gap):
            problems.append(
                FieldProblem(
                    "start",
                    "too_little_data",
                    f"the range holds {sessions} usable sessions; {folds} folds with a gap of "
                    f"{gap} need at least {sessions_needed(folds, gap)} (every fold trains and "
                    f"tests on at least {MIN_FOLD_SESSIONS} sessions).",
                )
            )
        if problems:
            raise ValidationFailed([p.as_dict() for p in problems])

    # -- the work ------------------------------------------------------------------------
    def _work(self, job: Job, frame: pd.DataFrame, *, by: str) -> Callable[[Progress], dict]:
        def work(progress: Progress) -> dict[str, Any]:
            return self._train(job, frame, progress, by=by)

        return work

    def _train(
        self, job: Job, frame: pd.DataFrame, progress: Progress, *, by: str
    ) -> dict[str, Any]:
        features = list(job.feature_set.features)
        days = np.sort(frame["session"].unique())
        position = np.searchsorted(days, frame["session"].to_numpy())
        cut = walk_forward(len(days), job.folds, job.gap_sessions)
        steps = job.folds + 2  # the folds, the final model, saving it
        fold_metrics = []
        tested = []
        for fold in cut:
            progress((fold.number - 1) / steps, f"fold {fold.number} of {job.folds}")
            train = frame.loc[position < fold.train_end]
            test = frame.loc[(position >= fold.test_start) & (position < fold.test_end)]
            _check_fold(job, fold, train)
            model = self._fit(job, train, features, progress, fold.number - 1, steps)
            scores, long = signal_scores(model, test[features].to_numpy("float64"))
            part = test.assign(score=scores, long=long.astype("int64"))
            fold_metrics.append(_fold_view(fold, days, part))
            tested.append(part)
        progress(job.folds / steps, "final model on every session")
        final = self._fit(job, frame, features, progress, job.folds, steps)
        progress((job.folds + 1) / steps, "saving the model")
        out_of_sample = pd.concat(tested, ignore_index=True)
        overall, equity = _evaluation(out_of_sample)
        data = artifacts.dumps(_artifact(job.algorithm, final))
        progress((job.folds + 1) / steps, "registering the version")  # a last cancel check
        version = self.registry.register(
            {
                "name": job.model,
                "algorithm": job.algorithm,
                "feature_set": job.feature_set.key,
                "symbols": json.dumps(job.symbols),
                "train_start": job.start,
                "train_end": job.end,
                "folds": job.folds,
                "gap_sessions": job.gap_sessions,
                "seed": job.seed,
                "hyperparameters": json.dumps(job.hyperparameters, sort_keys=True),
                "metrics": json.dumps(
                    {"overall": overall, "folds": fold_metrics, "equity": equity}
                ),
                "rows": len(frame),
                "sessions": len(days),
                "data_fingerprint": fingerprint(frame, features),
                "operation_id": progress.operation_id,
                "created_by": by,
            },
            data,
        )
        return {"model": job.model, "version": version["version"], "metrics": overall}

    def _fit(
        self,
        job: Job,
        rows: pd.DataFrame,
        features: list[str],
        progress: Progress,
        step: int,
        steps: int,
    ) -> Any:
        x = rows[features].to_numpy("float64")
        y = rows["label"].to_numpy("int64")
        h = job.hyperparameters
        if job.algorithm == "linear_q":
            episodes = int(h["episodes"])
            return train_linear_q(
                x,
                rows["next_return"].to_numpy("float64"),
                episodes=episodes,
                learning_rate=float(h["learning_rate"]),
                seed=job.seed,
                on_episode=lambda k: progress((step + k / episodes) / steps),
            )
        if job.algorithm == "logistic_regression":
            from sklearn.linear_model import LogisticRegression
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import StandardScaler

            model = make_pipeline(
                StandardScaler(),
                LogisticRegression(
                    C=float(h["c"]), max_iter=int(h["max_iter"]), random_state=job.seed
                ),
            )
            return model.fit(x, y)
        from sklearn.ensemble import HistGradientBoostingClassifier

        total = int(h["max_iter"])
        model = HistGradientBoostingClassifier(
            learning_rate=float(h["learning_rate"]),
            max_depth=int(h["max_depth"]),
            l2_regularization=float(h["l2_regularization"]),
            early_stopping=False,
            warm_start=True,
            random_state=job.seed,
        )
        # Boosting in chunks: between two, the job reports progress and can be cancelled.
        done = 0
        while done < total:
            done = min(total, done + HGB_CHUNK)
            model.set_params(max_iter=done)
            model.fit(x, y)
            progress((step + done / total) / steps)
        return model


def _check_fold(job: Job, fold: Fold, train: pd.DataFrame) -> None:
    """A classifier cannot learn from a fold whose sessions all went the same way: the job
    fails, saying which fold and why (found only once the folds are cut)."""
    outcomes = train["label"].unique()
    if job.algorithm in CLASSIFIERS and len(outcomes) < 2:
        went = "went up" if int(outcomes[0]) == 1 else "did not go up"
        raise TrainingFailed(
            f"Fold {fold.number} of {job.folds} trains only on sessions that {went}: "
            "a classifier has nothing to tell apart. Choose a longer range or fewer folds.",
            details={"fold": fold.number, "folds": job.folds, "sessions": went},
        )


def _artifact(algorithm: str, model: Any) -> Any:
    """What is saved: the scikit-learn estimator, or the agent's arrays."""
    if isinstance(model, LinearQPolicy):
        return model.as_arrays()
    return model


def _classification(part: pd.DataFrame) -> dict[str, float | None]:
    from sklearn.metrics import accuracy_score, roc_auc_score

    label = part["label"].to_numpy("int64")
    accuracy = float(accuracy_score(label, part["long"].to_numpy()))
    auc = (
        float(roc_auc_score(label, part["score"].to_numpy()))
        if len(np.unique(label)) == 2
        else None
    )
    return {"accuracy": accuracy, "roc_auc": auc}


def _daily(part: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per session: the signal's return (the average over symbols of position x next
    return) and buy-and-hold's (the average next return)."""
    held = part.assign(signal=part["long"] * part["next_return"])
    by_day = held.groupby("session", sort=True)
    return by_day["signal"].mean(), by_day["next_return"].mean()


def _metrics_view(values: Mapping[str, float | None]) -> dict[str, str | None]:
    return {name: metric_text(value) for name, value in values.items()}


def _fold_view(fold: Fold, days: np.ndarray, part: pd.DataFrame) -> dict[str, Any]:
    signal, hold = _daily(part)
    return {
        "fold": fold.number,
        "train_sessions": fold.train_end,
        "last_train_session": pd.Timestamp(days[fold.train_end - 1]).date().isoformat(),
        "first_test_session": pd.Timestamp(days[fold.test_start]).date().isoformat(),
        "last_test_session": pd.Timestamp(days[fold.test_end - 1]).date().isoformat(),
        "test_sessions": fold.test_end - fold.test_start,
        **_metrics_view(_classification(part)),
        **_metrics_view(backtest_metrics(signal.tolist())),
        "buy_and_hold_total_return": metric_text(backtest_metrics(hold.tolist())["total_return"]),
    }


def _evaluation(part: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any]]:
    signal, hold = _daily(part)
    mine, theirs = backtest_metrics(signal.tolist()), backtest_metrics(hold.tolist())
    overall = {
        **_metrics_view(_classification(part)),
        **_metrics_view(mine),
        "buy_and_hold": _metrics_view(theirs),
        "test_sessions": len(signal),
    }
    equity = {
        "sessions": [d.date().isoformat() for d in signal.index],
        "signal": [metric_text(v) for v in np.cumprod(1.0 + signal.to_numpy())],
        "buy_and_hold": [metric_text(v) for v in np.cumprod(1.0 + hold.to_numpy())],
    }
    return overall, equity
