"""Model training in business terms: a quant trains a model on stored history, follows and
cancels the job, reads the registered versions, deploys one by alias and asks it for
predictions.

Model names in the scenarios ("Direction") are aliased per scenario, so scenarios running
together never see each other's versions or aliases. The suite trains small: three
walk-forward folds, one session left out before each test window, seed 7, unless a step
says otherwise.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

import allure
import numpy as np
import pandas as pd

from support import datasets, oracles
from support.drivers.http import ApiError
from support.drivers.models import ModelsDriver
from support.dsl.aliases import Aliases
from support.dsl.market_data import MarketData
from support.dsl.operations import Operations
from support.dsl.outcomes import Expect, Outcomes
from support.dsl.trading import Trading
from support.reporting import attach_table, attach_value_chart

FEATURE_SET = "momentum_v1"
ALGORITHMS = {
    "logistic regression": "logistic_regression",
    "gradient boosting": "hist_gradient_boosting",
    "the reinforcement-learning agent": "linear_q",
}
DEFAULTS = {"folds": 3, "gap_sessions": 1, "seed": 7}
# Boosting kept short, so the suite stays fast.
HYPERPARAMETERS = {"hist_gradient_boosting": {"max_iter": 30}}
# A job that takes many seconds: boosting for long over twenty years, in five folds (the
# first fold about a second, the whole job many more).
LONG_JOB = {"folds": 5, "hyperparameters": {"max_iter": 300, "max_depth": 6}}
# Jobs that would run for a minute: they only wait their turn, and are cancelled.
VERY_LONG_JOB = {"folds": 5, "hyperparameters": {"max_iter": 2000, "max_depth": 6}}
# The metrics a version is registered with, as the specification names them.
METRICS = {
    "accuracy": "accuracy",
    "ROC AUC": "roc_auc",
    "total return": "total_return",
    "annual return": "annual_return",
    "Sharpe ratio": "sharpe",
    "maximum drawdown": "max_drawdown",
}
# Request settings as the specification names them, with the contract's field.
SETTINGS = {
    "folds": ("folds", int),
    "sessions left out before each test window": ("gap_sessions", int),
    "seed": ("seed", int),
    "C": ("hyperparameters.c", float),
    "maximum iterations": ("hyperparameters.max_iter", int),
    "the regression's maximum iterations": ("hyperparameters.max_iter", int),
    "learning rate": ("hyperparameters.learning_rate", float),
    "maximum depth": ("hyperparameters.max_depth", int),
    "episodes": ("hyperparameters.episodes", int),
}
# A setting "set to yes" is sent as JSON true: a flag where a number belongs.
YES_NO = {"yes": True, "no": False}
SESSIONS_PER_YEAR = 252


def algorithm_of(words: str) -> str:
    assert words in ALGORITHMS, f"no algorithm called {words!r}: {sorted(ALGORITHMS)}"
    return ALGORITHMS[words]


def backtest(returns: list[float]) -> dict[str, float]:
    """The backtest metrics of daily returns, as empyrical defines them (the suite's oracle:
    written from the definitions, not from the platform's code)."""
    r = np.asarray(returns, dtype="float64")
    growth = np.cumprod(1.0 + r)
    peak = np.maximum.accumulate(np.maximum(growth, 1.0))  # from the money put in
    sharpe = r.mean() / r.std(ddof=1) * math.sqrt(SESSIONS_PER_YEAR)
    return {
        "total_return": float(growth[-1] - 1.0),
        "annual_return": float(growth[-1] ** (SESSIONS_PER_YEAR / len(r)) - 1.0),
        "sharpe": float(sharpe),
        "max_drawdown": float((growth / peak - 1.0).min()),
    }


@dataclass
class ModelTraining:
    driver: ModelsDriver
    market_data: MarketData
    aliases: Aliases
    outcomes: Outcomes
    cleanups: list[Callable[[], None]]
    jobs: Operations = field(init=False)
    # The operations this scenario started, to cancel whatever is left at its end.
    started: list[str] = field(default_factory=list)
    predictions: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # Each version as it was registered, to see later that it never changed.
    registered: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    last_model: str = ""
    answers: list[dict[str, Any]] = field(default_factory=list)
    queue: list[dict[str, Any]] = field(default_factory=list)
    _cleanup_armed: bool = False

    def __post_init__(self) -> None:
        self.jobs = Operations(self.driver)  # type: ignore[arg-type]

    def name(self, model: str) -> str:
        return self.aliases.model(model)

    @staticmethod
    def algorithm(words: str) -> str:
        return algorithm_of(words)

    def symbol(self, symbol: str) -> str:
        return self.market_data.aliases.symbol(symbol)

    # -- training ------------------------------------------------------------------------
    def request(
        self,
        model: str,
        algorithm: str,
        symbols: list[str],
        start: date,
        end: date,
        *,
        real_symbols: bool = False,
        **settings: Any,
    ) -> dict[str, Any]:
        key = ALGORITHMS.get(algorithm, algorithm)
        return {
            "model": self.name(model),
            "algorithm": key,
            "hyperparameters": dict(HYPERPARAMETERS.get(key, {})),
            "feature_set": FEATURE_SET,
            "symbols": symbols if real_symbols else [self.symbol(s) for s in symbols],
            "start": start.isoformat(),
            "end": end.isoformat(),
            **DEFAULTS,
            **settings,
        }

    def start(self, request: dict[str, Any], *, expect: Expect = "accepted") -> dict | None:
        """Start a training job; its operation (None when refused, the refusal kept)."""
        self._arm_cleanup()
        with allure.step(f"Start training {request['model']} ({request['algorithm']})"):
            operation = self.outcomes.attempt(
                lambda: self.driver.train(request), expect=expect, what="the training"
            )
        if operation is not None:
            self.started.append(operation["id"])
            self.jobs.started(operation)
        return operation

    def train(self, model: str, algorithm: str, symbols: list[str], start: date, end: date,
              **settings: Any) -> dict[str, Any]:  # fmt: skip
        """Train to the end; the finished operation, which must have succeeded."""
        self.last_model = model
        self.start(self.request(model, algorithm, symbols, start, end, **settings))
        done = self.jobs.await_done(deadline_s=120)
        assert done["status"] == "succeeded", f"the training did not succeed: {done}"
        number = done["result"]["version"]
        self.registered[(model, number)] = self.version(model, number)
        return done

    # -- requests the platform may refuse ------------------------------------------------
    def base_request(self, model: str, algorithm: str = "logistic regression") -> dict:
        """The suite's ordinary training: SPX, 2017 and 2018, three folds."""
        return self.request(model, algorithm, ["SPX"], date(2017, 1, 3), date(2018, 12, 31))

    def ask_with(self, model: str, settings: dict[str, str]) -> dict | None:
        """Ask for the ordinary training with ``settings`` (in the specification's words)
        changed; a hyper-parameter picks the algorithm it belongs to."""
        owner = {"learning rate": "gradient boosting", "maximum iterations": "gradient boosting",
                 "maximum depth": "gradient boosting",
                 "episodes": "the reinforcement-learning agent"}  # fmt: skip
        algorithm = next((owner[s] for s in settings if s in owner), "logistic regression")
        request = self.base_request(model, algorithm)
        for words, value in settings.items():
            if words in ("from", "to"):
                request["start" if words == "from" else "end"] = value
            elif words == "algorithm":
                request["algorithm"] = ALGORITHMS.get(value, value)
            elif words == "feature set":
                request["feature_set"] = value
            elif words == "model name":
                request["model"] = value
            else:
                key, kind = SETTINGS[words]
                typed = YES_NO[value] if value in YES_NO else kind(value)
                if key.startswith("hyperparameters."):
                    request.setdefault("hyperparameters", {})[key.split(".", 1)[1]] = typed
                else:
                    request[key] = typed
        self.last_model = model
        return self.start(request, expect="either")

    def ask_on(self, model: str, symbols: list[str]) -> dict | None:
        request = {**self.base_request(model), "symbols": [self.symbol(s) for s in symbols]}
        return self.start(request, expect="either")

    def usable_sessions(self, symbol: str) -> list[str]:
        """The sessions of ``symbol`` with complete momentum rows (features and label)."""
        rows = self.market_data.driver.feature_rows(FEATURE_SET, [self.symbol(symbol)])
        return [r["session"] for r in rows if r["label"] is not None and all(
            r[k] is not None for k in r if k not in ("symbol", "session"))]  # fmt: skip

    def ask_on_usable_sessions(self, model: str, symbol: str, count: int, *, folds: int,
                               gap: int) -> dict | None:  # fmt: skip
        """A training whose range holds exactly ``count`` usable sessions: a row is usable
        once its next session's close is known, so the range ends one session after the
        last usable one (whose label needs no bar beyond the range)."""
        usable = self.usable_sessions(symbol)
        start, end = usable[-count - 1], usable[-1]
        request = {**self.base_request(model), "start": start, "end": end,
                   "folds": folds, "gap_sessions": gap}  # fmt: skip
        return self.start(request, expect="either")

    # -- long trainings ------------------------------------------------------------------
    def start_long(self, model: str, algorithm: str, symbols: list[str], start: date,
                   end: date) -> dict:  # fmt: skip
        return self.start(self.request(model, algorithm, symbols, start, end, **LONG_JOB))

    def start_beyond_limit(self, model: str) -> None:
        """As many long trainings as may run at once, and one more."""
        allowed = self.limits()["max_running_jobs"]
        request = self.request(model, "gradient boosting", ["SPX"], date(2000, 1, 3),
                               date(2018, 12, 31), **VERY_LONG_JOB)  # fmt: skip
        self.queue = [self.start(request) for _ in range(allowed + 1)]
        # The first ones are running once the workers took them.
        for operation in self.queue[:-1]:
            self._await_status(operation, "running")

    def _await_status(self, operation: dict[str, Any], status: str) -> dict[str, Any]:
        self.jobs.started(operation)
        deadline = time.monotonic() + 30
        while True:
            shown = self.driver.operation(operation["id"])
            if shown["status"] == status:
                return shown
            assert not shown["done"], f"the training ended before it was {status}: {shown}"
            assert time.monotonic() < deadline, f"the training is not {status}: {shown}"
            time.sleep(0.02)  # poll interval under the deadline above

    def await_part_way(self, fold: int, folds: int) -> dict[str, Any]:
        """Poll until the job is in ``fold`` and its progress has moved since the fold
        began (the steps within a fold report too); the operation as last seen."""
        started = self.jobs.await_progress(f"fold {fold} of {folds}")
        deadline = time.monotonic() + 30
        while True:
            shown = self.driver.operation(started["id"])
            self.jobs.saw(shown)
            moved = shown["progress"]["percent"] > started["progress"]["percent"]
            if shown["done"] or (
                moved and shown["progress"]["message"] == started["progress"]["message"]
            ):
                return shown
            assert time.monotonic() < deadline, f"no progress within the fold: {shown}"
            time.sleep(0.01)  # poll interval under the deadline above

    def queue_state(self) -> tuple[list[str], str]:
        shown = [self.driver.operation(o["id"])["status"] for o in self.queue]
        return shown[:-1], shown[-1]

    def cancel_first(self) -> None:
        self.cancel(self.queue[0])

    def await_last_running(self) -> None:
        last = self.queue[-1]
        shown = self._await_status(last, "running")
        assert shown["status"] == "running"

    def _arm_cleanup(self) -> None:
        if not self._cleanup_armed:
            self.cleanups.append(self._cancel_leftovers)
            self._cleanup_armed = True

    def _cancel_leftovers(self) -> None:
        """Jobs a scenario left running stop, so they never slow another scenario."""
        for operation_id in self.started:
            try:
                if not self.driver.operation(operation_id)["done"]:
                    self.driver.cancel_operation(operation_id)
            except ApiError:
                pass  # finished in between: nothing to stop

    def cancel(
        self, operation: dict[str, Any] | None = None, *, expect: Expect = "accepted"
    ) -> dict[str, Any] | None:
        target = operation or self.jobs.current
        assert target is not None, "no training was started"
        with allure.step("Cancel the training"):
            return self.outcomes.attempt(
                lambda: self.driver.cancel_operation(target["id"]),
                expect=expect,
                what="the cancel",
            )

    def limits(self) -> dict[str, Any]:
        return self.driver.limits()

    # -- the registry --------------------------------------------------------------------
    def read_version(self, model: str, number: int) -> dict[str, Any] | None:
        with allure.step(f"Read version {number} of {model}"):
            return self.outcomes.attempt(
                lambda: self.driver.version(self.name(model), number), what="the version"
            )

    def settings_of(self, model: str, number: int, names: list[str]) -> dict[str, str]:
        """The version's ``names`` settings, in the specification's words and numbers."""
        version = self.version(model, number)
        shown = {}
        for words in names:
            key, _ = SETTINGS[words]
            value = (
                version["hyperparameters"][key.split(".", 1)[1]]
                if key.startswith("hyperparameters.")
                else version[key]
            )
            shown[words] = f"{value:g}"
        return shown

    def train_naming_only_data(self, model: str, algorithm: str, symbols: list[str],
                               start: date, end: date) -> dict[str, Any]:  # fmt: skip
        """A training that sends only the model, algorithm, feature set, symbols and range:
        the platform's defaults decide the rest."""
        request = self.request(model, algorithm, symbols, start, end)
        for name in ("folds", "gap_sessions", "seed", "hyperparameters"):
            request.pop(name)
        self.last_model = model
        self.start(request)
        done = self.jobs.await_done(deadline_s=120)
        assert done["status"] == "succeeded", f"the training did not succeed: {done}"
        return done

    def versions(self, model: str) -> list[dict[str, Any]]:
        try:
            return self.driver.model(self.name(model))["versions"]
        except ApiError as missing:
            if missing.status == 404:
                return []
            raise

    def version(self, model: str, number: int) -> dict[str, Any]:
        return self.driver.version(self.name(model), number)

    def files(self, model: str) -> list[str]:
        return self.driver.artifact_files(self.name(model))

    def attach_evaluation(self, model: str, number: int) -> dict[str, Any]:
        """The version's equity curve against buy-and-hold (a chart) and its metrics per
        fold (a table), in the report; the curve."""
        version = self.version(model, number)
        equity = self.driver.equity(self.name(model), number)
        signal = [float(v) for v in equity["signal"]]
        hold = [float(v) for v in equity["buy_and_hold"]]
        attach_value_chart(
            f"{model} version {number}: growth of 1 USD, signal against buy-and-hold",
            equity["sessions"],
            signal,
            others={"buy-and-hold": hold},
            unit="growth of 1 USD",
        )
        attach_table(
            f"{model} version {number}: metrics per fold",
            [
                {
                    "fold": str(f["fold"]),
                    "trained up to": f["last_train_session"],
                    "tested": f"{f['first_test_session']} to {f['last_test_session']}",
                    **{words: str(f[key]) for words, key in METRICS.items()},
                }
                for f in version["fold_metrics"]
            ],
        )
        return equity

    # -- aliases -------------------------------------------------------------------------
    def promote(self, model: str, number: int, alias: str, reason: str, *, force: bool = False,
                expect: Expect = "accepted") -> dict[str, Any] | None:  # fmt: skip
        with allure.step(f"Promote version {number} of {model} to {alias}"):
            return self.outcomes.attempt(
                lambda: self.driver.promote(
                    self.name(model), alias, number, reason=reason, force=force
                ),
                expect=expect,
                what="the promotion",
            )

    def rollback(self, model: str, alias: str, reason: str, *,
                 expect: Expect = "accepted") -> dict[str, Any] | None:  # fmt: skip
        with allure.step(f"Roll back {alias} of {model}"):
            return self.outcomes.attempt(
                lambda: self.driver.rollback(self.name(model), alias, reason=reason),
                expect=expect,
                what="the rollback",
            )

    def alias(self, model: str, alias: str) -> dict[str, Any]:
        return self.driver.alias(self.name(model), alias)

    # -- predictions ---------------------------------------------------------------------
    def predict(
        self,
        model: str,
        symbol: str,
        as_of: date,
        *,
        alias: str = "production",
        version: int | None = None,
        written: str | None = None,
        expect: Expect = "accepted",
    ) -> dict | None:
        """Ask ``alias`` (or ``version``) of ``model`` about ``symbol``, its ticker
        ``written`` as given (e.g. lower case) when given."""
        ticker = self.symbol(symbol)
        if written is not None:
            ticker = written.replace(symbol.lower(), ticker.lower())
        which = {"version": version} if version is not None else {"alias": alias}
        with allure.step(f"Ask {alias} of {model} about {symbol} as of {as_of}"):
            answer = self.outcomes.attempt(
                lambda: self.driver.predict(self.name(model), [ticker], as_of, **which),
                expect=expect,
                what="the prediction",
            )
        if answer is not None:
            self.predictions[(symbol, as_of.isoformat())] = answer
            self.answers.append(answer)
        return answer

    def last_prediction(self) -> dict[str, Any]:
        assert self.answers, "no prediction was answered"
        return self.answers[-1]

    def compare(self, first: str, second: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The two models' version 1 backtests, with a table comparing their metrics."""
        curves = [self.attach_evaluation(model, 1) for model in (first, second)]
        rows = []
        for model in (first, second):
            metrics = self.version(model, 1)["metrics"]
            rows.append({"model": model, **{w: str(metrics[k]) for w, k in METRICS.items()}})
        hold = self.version(first, 1)["metrics"]["buy_and_hold"]
        rows.append({"model": "buy-and-hold", **{w: str(hold.get(k, "")) for w, k in
                                                 METRICS.items()}})  # fmt: skip
        attach_table(f"{first} against {second}", rows)
        return curves[0], curves[1]

    def predictions_of(self, model: str, number: int, tickers: list[str], as_of: date) -> dict:
        """Version ``number``'s predictions, asked by its number (no alias involved)."""
        answer = self.driver.predict(self.name(model), tickers, as_of, version=number)
        assert (answer["alias"], answer["version"]) == (None, number), answer
        return answer

    def damage(self, model: str, number: int, how: str) -> None:
        with allure.step(f"Damage the model file of version {number} of {model} ({how})"):
            self.driver.damage_artifact(self.name(model), number, how)

    # -- oracles -------------------------------------------------------------------------
    def complete_rows(self, tickers: list[str], start: date, end: date) -> pd.DataFrame:
        """The momentum rows a training of ``start..end`` learns from: every feature and
        the label known, bars up to ``end`` only (so ``end`` itself has no label)."""
        rows = self.market_data.driver.feature_rows(FEATURE_SET, tickers, start, end)
        frame = pd.DataFrame(rows)
        columns = [c for c in frame.columns if c not in ("symbol", "session")]
        frame = frame.dropna(subset=columns).sort_values(["symbol", "session"], kind="stable")
        return frame.reset_index(drop=True).astype({c: "float64" for c in columns})

    def by_the_book(self, model: str, number: int, predictions: list[dict[str, Any]]) -> list:
        """The scores the version's algorithm, trained by the book on the same rows with the
        same hyper-parameters and seed, gives the rows the predictions used (one symbol)."""
        version = self.version(model, number)
        start = date.fromisoformat(version["training_range"]["start"])
        end = date.fromisoformat(version["training_range"]["end"])
        rows = self.complete_rows(version["symbols"], start, end)
        features = [c for c in rows.columns if c not in ("symbol", "session", "label",
                                                          "next_return")]  # fmt: skip
        asked_rows = pd.DataFrame(
            self.market_data.driver.feature_rows(FEATURE_SET, [predictions[0]["symbol"]])
        ).set_index("session")
        asked = asked_rows.loc[[p["session"] for p in predictions], features]
        x, asked_x = rows[features].to_numpy("float64"), asked.to_numpy("float64")
        y = rows["label"].to_numpy("int64")
        h, seed = version["hyperparameters"], version["seed"]
        if version["algorithm"] == "linear_q":
            return oracles.linear_q_advantage(
                x, rows["next_return"].to_numpy("float64"), asked_x,
                episodes=h["episodes"], learning_rate=h["learning_rate"], seed=seed,
            ).tolist()  # fmt: skip
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if version["algorithm"] == "logistic_regression":
            book = make_pipeline(StandardScaler(), LogisticRegression(
                C=h["c"], max_iter=h["max_iter"], random_state=seed))  # fmt: skip
        else:
            book = HistGradientBoostingClassifier(
                learning_rate=h["learning_rate"], max_iter=h["max_iter"],
                max_depth=h["max_depth"], l2_regularization=h["l2_regularization"],
                early_stopping=False, random_state=seed,
            )  # fmt: skip
        return book.fit(x, y).predict_proba(asked_x)[:, 1].tolist()

    def accuracy_from_growth(self, model: str, number: int, symbol: str) -> float:
        """The share of test sessions whose position (long when the signal's growth
        moved that session) matched the label, from the version's own growth curve and the
        feature rows' labels (one symbol)."""
        equity = self.driver.equity(self.name(model), number)
        growth = [1.0, *(float(v) for v in equity["signal"])]
        held = [abs(b / a - 1.0) > 1e-9 for a, b in itertools.pairwise(growth)]
        rows = self.market_data.driver.feature_rows(FEATURE_SET, [self.symbol(symbol)])
        labels = {r["session"]: r["label"] for r in rows}
        matched = [int(h) == labels[d] for d, h in zip(equity["sessions"], held, strict=True)]
        return sum(matched) / len(matched)

    def buy_and_hold_growth(self, symbol: str, sessions: list[str]) -> list[float]:
        """Growth of 1 USD held in ``symbol`` from the first of ``sessions`` to the session
        after the last, from the real closes (the suite's own copy of the history)."""
        first, last = date.fromisoformat(sessions[0]), date.fromisoformat(sessions[-1])
        closes = datasets.history(symbol, first, last + pd.Timedelta(days=10), symbol=symbol)
        close = closes.set_index(closes["session"].dt.date.astype(str))["close"].astype(float)
        position = close.index.get_indexer(sessions)
        assert (position >= 0).all(), "a tested session is not a real session"
        next_return = close.to_numpy()[position + 1] / close.to_numpy()[position] - 1.0
        return np.cumprod(1.0 + next_return).tolist()


def expected_weights(scores: dict[str, Decimal], cap: Decimal, buffer: Decimal) -> dict:
    """The suite's oracle of a model strategy's weights: the symbols held long share
    ``1 - buffer`` in proportion to their scores, none above ``cap`` (what a capped symbol
    cannot take goes to the others), each rounded down to a millionth."""
    weights = dict.fromkeys(scores, Decimal(0))
    open_symbols = [s for s, score in scores.items() if score > 0]
    investable = 1 - buffer
    while open_symbols and investable > 0:
        total = sum(scores[s] for s in open_symbols)
        shares = {s: investable * scores[s] / total for s in open_symbols}
        capped = [s for s in open_symbols if shares[s] >= cap]
        if not capped:
            weights.update(shares)
            break
        for s in capped:
            weights[s] = cap
            investable -= cap
        open_symbols = [s for s in open_symbols if s not in capped]
    step = Decimal("0.000001")
    return {s: w.quantize(step, rounding=ROUND_DOWN) for s, w in weights.items()}


def recommendation_and_expected(
    trading: Trading, training: ModelTraining, name: str, model: str, number: int
) -> tuple[dict[str, Any], list[tuple[str, Decimal]]]:
    """``name``'s recommendation, and the weights version ``number`` of ``model`` gives
    her universe as of the session the recommendation was made for."""
    shown = trading.recommend(name, expect="accepted")
    assert shown is not None and shown["model"] is not None, f"{name} follows no model"
    tickers = [w["symbol"] for w in shown["weights"]]
    as_of = date.fromisoformat(shown["model"]["as_of"])
    predicted = training.predictions_of(model, number, tickers, as_of)["items"]
    attach_table(
        f"{model} version {number} as of {as_of}: signals for {name}",
        [{"symbol": p["symbol"], "signal": p["signal"], "score": str(p["score"]),
          "features of": p["session"]} for p in predicted],
    )  # fmt: skip
    scores = {
        p["symbol"]: Decimal(p["score"]) if p["signal"] == "long" else Decimal(0) for p in predicted
    }
    expected = expected_weights(
        scores, Decimal(shown["max_position_weight"]), Decimal(shown["cash_buffer"])
    )
    return shown, sorted(expected.items())
