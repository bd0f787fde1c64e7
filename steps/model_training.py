"""Model training, the registry, aliases and predictions: steps of
features/model_training.feature."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from behave import given, then, when
from hamcrest import (
    assert_that,
    close_to,
    empty,
    equal_to,
    greater_than,
    has_length,
    is_in,
    less_than,
    less_than_or_equal_to,
    not_none,
)

from support import datasets
from support.dsl.model_training import METRICS, backtest, recommendation_and_expected

TRAINED_ON = "{symbols:Symbols} from {start:Date} to {end:Date}"


def _training(context):
    return context.world.model_training


# -- training ------------------------------------------------------------------------------


@given("{model:Name} has been trained with {algorithm:Algorithm} on " + TRAINED_ON)
@when("the quant trains {model:Name} with {algorithm:Algorithm} on " + TRAINED_ON)
def step_train(context, model, algorithm, symbols, start, end):
    _training(context).train(model, algorithm, symbols, start, end)


@when(
    "the quant trains {model:Name} with {algorithm:Algorithm} on "
    + TRAINED_ON
    + ", naming nothing else"
)
def step_train_minimal(context, model, algorithm, symbols, start, end):
    _training(context).train_naming_only_data(model, algorithm, symbols, start, end)


@then("version {number:d} of {model:Name} was trained with:")
def step_trained_with(context, number, model):
    settings = {row["setting"]: row["value"] for row in context.table}
    assert_that(_training(context).settings_of(model, number, list(settings)), equal_to(settings))


@given("{model:Name} has been trained with {algorithm:Algorithm} on " + TRAINED_ON + " twice")
@when("the quant trains {model:Name} with {algorithm:Algorithm} on " + TRAINED_ON + " twice")
def step_train_twice(context, model, algorithm, symbols, start, end):
    for _ in range(2):
        _training(context).train(model, algorithm, symbols, start, end)


@given("{model:Name} has versions trained on " + TRAINED_ON + " with:")
def step_train_versions(context, model, symbols, start, end):
    _train_versions(context, model, symbols, start, end, real=False)


@given("{model:Name} has versions trained on the real " + TRAINED_ON + " with:")
def step_train_versions_real(context, model, symbols, start, end):
    _train_versions(context, model, symbols, start, end, real=True)


def _train_versions(context, model, symbols, start, end, *, real):
    for row in context.table:
        done = _training(context).train(
            model, row["algorithm"], symbols, start, end, real_symbols=real
        )
        assert_that(done["result"]["version"], equal_to(int(row["version"])))


@then("the training succeeds, its progress never going down")
def step_training_succeeds(context):
    jobs = _training(context).jobs
    done = jobs.await_done()
    assert_that(done["status"], equal_to("succeeded"))
    seen = jobs.progress_seen
    assert_that(seen, equal_to(sorted(seen)), "progress went down")
    assert_that(seen[-1], equal_to(100.0))
    # 100 % is the end: while the job runs, its progress is below it.
    assert_that(_training(context).jobs.percent_while_running(), less_than(100.0))


@then("version {number:d} of {model:Name} is registered with the training's metrics:")
def step_version_registered(context, number, model):
    training = _training(context)
    version = training.version(model, number)
    result = training.jobs.current["result"]
    assert_that(result["version"], equal_to(number))
    names = [row["metric"] for row in context.table]
    assert_that(sorted(names), equal_to(sorted(METRICS)))
    for words in names:
        value = version["metrics"][METRICS[words]]
        assert_that(value, not_none(), f"{words} of version {number}")
        assert_that(value, equal_to(result["metrics"][METRICS[words]]), words)
    assert_that(version["operation_id"], equal_to(training.jobs.current["id"]))
    training.attach_evaluation(model, number)


@then(
    "none of the {count:d} folds of version {number:d} of {model:Name} trained on a session of "
    "its test window or on the {gap:d} session before it"
)
def step_no_fold_trained_on_its_test(context, count, number, model, gap):
    version = _training(context).version(model, number)
    folds = version["fold_metrics"]
    assert_that(folds, has_length(count))
    window = version["sessions"] // (count + 1)
    for fold, following in itertools.pairwise(folds):
        # Windows of equal size, each starting the session after the one before ends.
        after = datasets.exchange_sessions(
            date.fromisoformat(fold["last_test_session"]),
            date.fromisoformat(following["first_test_session"]),
        )
        assert_that(len(after), equal_to(2), f"fold {following['fold']} starts right after")
    for fold in folds:
        tested = datasets.exchange_sessions(
            date.fromisoformat(fold["first_test_session"]),
            date.fromisoformat(fold["last_test_session"]),
        )
        assert_that((fold["test_sessions"], len(tested)), equal_to((window, window)))
    for fold in folds:
        last_train = date.fromisoformat(fold["last_train_session"])
        first_test = date.fromisoformat(fold["first_test_session"])
        between = datasets.exchange_sessions(last_train + timedelta(days=1), first_test)
        # The sessions strictly between them are the ones left out.
        assert_that(len(between) - 1, equal_to(gap), f"fold {fold['fold']}")


@then(
    "the buy-and-hold of version {number:d} of {model:Name} grows as holding {symbol:Symbol} "
    "over its test sessions does"
)
def step_buy_and_hold(context, number, model, symbol):
    equity = _training(context).attach_evaluation(model, number)
    expected = _training(context).buy_and_hold_growth(symbol, equity["sessions"])
    shown = [float(v) for v in equity["buy_and_hold"]]
    assert_that(len(shown), equal_to(len(expected)))
    for day, mine, theirs in zip(equity["sessions"], shown, expected, strict=True):
        assert_that(mine, close_to(theirs, 1e-5), day)


@then("the backtest metrics of version {number:d} of {model:Name} follow from its growth")
def step_backtest_metrics(context, number, model):
    training = _training(context)
    metrics = training.version(model, number)["metrics"]
    equity = training.driver.equity(training.name(model), number)
    for curve, shown in ((equity["signal"], metrics), (equity["buy_and_hold"],
                                                       metrics["buy_and_hold"])):  # fmt: skip
        growth = [1.0, *(float(v) for v in curve)]
        returns = [b / a - 1.0 for a, b in itertools.pairwise(growth)]
        expected = backtest(returns)
        for key, value in expected.items():
            assert_that(float(shown[key]), close_to(value, 1e-4), key)
    assert_that(metrics["test_sessions"], equal_to(len(equity["sessions"])))


@then("{model:Name} has versions 1 and 2, trained with {first:Algorithm} and {second:Algorithm}")
def step_versions_algorithms(context, model, first, second):
    versions = _training(context).versions(model)
    shown = [(v["version"], v["algorithm"]) for v in versions]
    expected = [(1, _training(context).algorithm(first)), (2, _training(context).algorithm(second))]
    assert_that(shown, equal_to(expected))


@then("version {number:d} of {model:Name} is as it was registered")
def step_version_unchanged(context, number, model):
    first = _training(context).registered[(model, number)]
    now = _training(context).version(model, number)
    assert_that({**now, "aliases": []}, equal_to({**first, "aliases": []}))


# -- refused requests ----------------------------------------------------------------------


@when("the quant asks to train {model:Name} with:")
def step_ask_train_with(context, model):
    settings = {row["setting"]: row["value"] for row in context.table}
    _training(context).ask_with(model, settings)


@when("the quant asks to train {model:Name} with {setting:Setting} set to {value}")
def step_ask_train_setting(context, model, setting, value):
    _training(context).ask_with(model, {setting: value})


@when(
    "the quant asks to train {model:Name} on exactly {sessions:d} usable sessions of "
    "{symbol:Symbol} in {folds:d} folds with {gap:d} sessions left out before each test window"
)
def step_ask_train_sessions(context, model, sessions, symbol, folds, gap):
    _training(context).ask_on_usable_sessions(model, symbol, sessions, folds=folds, gap=gap)


@when("the quant asks to train {model:Name} with {algorithm:Algorithm} on " + TRAINED_ON)
def step_ask_train_algorithm(context, model, algorithm, symbols, start, end):
    training = _training(context)
    training.start(training.request(model, algorithm, symbols, start, end), expect="either")


@given(
    "{symbol:Symbol} has {moved:Moved} 1 % a session for {days:d} sessions from {first:Date}, "
    "then risen and fallen in turn for {turns:d} sessions"
)
def step_slide(context, symbol, moved, days, first, turns):
    step = 0.99 if moved == "fallen" else 1.01
    context.world.market_data.load_slide(symbol, first, days, turns, step=step)


@when(
    "the quant trains {model:Name} with {algorithm:Algorithm} on "
    + TRAINED_ON
    + ", expecting it to fail"
)
def step_train_failing(context, model, algorithm, symbols, start, end):
    training = _training(context)
    training.start(training.request(model, algorithm, symbols, start, end))
    training.jobs.await_done()


@then(
    "the training fails because fold {fold:d} of {folds:d} trains only on sessions that "
    "{went:Phrase}"
)
def step_training_fails(context, fold, folds, went):
    done = _training(context).jobs.current
    assert_that(done["status"], equal_to("failed"))
    assert_that(done["error"]["code"], equal_to("training_failed"))
    assert_that(done["error"]["details"], equal_to({"fold": fold, "folds": folds,
                                                    "sessions": went}))  # fmt: skip


@when("the quant asks to train {model:Name} on {symbols:Symbols}")
def step_ask_train_on(context, model, symbols):
    _training(context).ask_on(model, symbols)


@then("the training is accepted")
def step_training_accepted(context):
    assert_that(context.world.outcomes.refusal, equal_to(None))
    assert_that(_training(context).jobs.current, not_none())


@then("the training is refused listing:")
def step_training_refused_listing(context):
    problems = {row["field"]: row["problem"] for row in context.table}
    context.world.outcomes.assert_refused_listing(problems)


@then("the training is refused because {reason:Phrase}")
@then("the cancel is refused because {reason:Phrase}")
@then("the rollback is refused because {reason:Phrase}")
@then("the prediction is refused because {reason:Phrase}")
def step_refused_because(context, reason):
    context.world.outcomes.assert_refused_because(reason)


@then("{model:Name} has no version")
def step_no_version(context, model):
    assert_that(_training(context).versions(model), empty())


@then("{model:Name} still has exactly {count:d} version")
def step_versions_count(context, model, count):
    assert_that(_training(context).versions(model), has_length(count))


# -- cancelling and queueing ---------------------------------------------------------------


@when(
    "the quant starts a long training of {model:Name} with {algorithm:Algorithm} on " + TRAINED_ON
)
def step_start_long(context, model, algorithm, symbols, start, end):
    _training(context).start_long(model, algorithm, symbols, start, end)


@when("the training is part way through fold {fold:d} of {folds:d}")
def step_part_way(context, fold, folds):
    shown = _training(context).await_part_way(fold, folds)
    assert_that(shown["status"], equal_to("running"))


@when("the quant cancels the training")
def step_cancel(context):
    _training(context).cancel()


@when("the quant tries to cancel the finished training")
def step_cancel_finished(context):
    _training(context).cancel(expect="refused")


@then("the training is cancelled in fold {fold:d} of {folds:d}")
def step_cancelled_in(context, fold, folds):
    done = _training(context).jobs.await_done()
    assert_that(done["status"], equal_to("cancelled"))
    assert_that(done["progress"]["message"], equal_to(f"fold {fold} of {folds}"))
    assert_that(done["progress"]["percent"], less_than(100.0))


@then("no model file of {model:Name} is left")
def step_no_files(context, model):
    assert_that(_training(context).files(model), empty())


@when("the quant starts as many long trainings of {model:Name} as may run at once, and one more")
def step_start_many(context, model):
    _training(context).start_beyond_limit(model)


@then("the last of them waits queued while the others run")
def step_last_queued(context):
    running, last = _training(context).queue_state()
    assert_that(running, equal_to(["running"] * len(running)))
    assert_that(last, equal_to("queued"))


@when("the quant cancels the first of them")
def step_cancel_first(context):
    _training(context).cancel_first()


@then("the last of them starts running")
def step_last_runs(context):
    _training(context).await_last_running()


# -- reproducibility -----------------------------------------------------------------------


@then("versions 1 and 2 of {model:Name} have the same metrics, data fingerprint and model checksum")
def step_same_versions(context, model):
    one, two = (_training(context).version(model, n) for n in (1, 2))
    for key in ("metrics", "fold_metrics", "data_fingerprint", "artifact_sha256", "rows"):
        assert_that(two[key], equal_to(one[key]), key)


@then("versions 1 and 2 of {model:Name} saw different data")
def step_different_data(context, model):
    one, two = (_training(context).version(model, n) for n in (1, 2))
    assert_that(two["data_fingerprint"], is_not_equal(one["data_fingerprint"]))
    assert_that(two["sessions"], equal_to(one["sessions"] - 1))


def is_not_equal(value):
    from hamcrest import is_not

    return is_not(equal_to(value))


# -- aliases -------------------------------------------------------------------------------


BECAUSE = ' because "{reason:Quoted}"'


@given("version {number:d} of {model:Name} was promoted to {alias:Alias}" + BECAUSE)
def step_promoted(context, number, model, alias, reason):
    _training(context).promote(model, number, alias, reason)


@when("the quant promotes version {number:d} of {model:Name} to {alias:Alias}" + BECAUSE)
def step_promote(context, number, model, alias, reason):
    _training(context).promote(model, number, alias, reason, expect="either")


@given("version {number:d} of {model:Name} was forced into {alias:Alias}" + BECAUSE)
@when("the quant forces version {number:d} of {model:Name} into {alias:Alias}" + BECAUSE)
def step_force(context, number, model, alias, reason):
    _training(context).promote(model, number, alias, reason, force=True)


@when('the quant rolls back {alias:Alias} of {model:Name} because "{reason:Quoted}"')
def step_rollback(context, alias, model, reason):
    _training(context).rollback(model, alias, reason, expect="either")


@given(
    "version {better:d} of {model:Name} does {how:BetterOrWorse} than version {other:d} "
    "on the Sharpe ratio"
)
def step_compare_versions(context, better, model, how, other):
    mine = float(_training(context).version(model, better)["metrics"]["sharpe"])
    theirs = float(_training(context).version(model, other)["metrics"]["sharpe"])
    assert_that(mine, greater_than(theirs) if how == "better" else less_than(theirs))


@then("{alias:Alias} of {model:Name} is version {number:d}")
def step_alias_is(context, alias, model, number):
    assert_that(_training(context).alias(model, alias)["version"], equal_to(number))
    # The registry marks that version, and only that one, with the alias.
    marked = [v["version"] for v in _training(context).versions(model) if alias in v["aliases"]]
    assert_that(marked, equal_to([number]))


@when("the quant reads version {number:d} of {model:Name}")
def step_read_version(context, number, model):
    _training(context).read_version(model, number)


@when("the quant asks version {number:d} of {model:Name} about {symbol:Symbol} as of {day:Day}")
def step_ask_version(context, number, model, symbol, day):
    _training(context).predict(model, symbol, day, version=number, expect="either")


@when(
    "the quant promotes version {number:d} of {model:Name} to {alias:Alias} with a reason "
    "{length:d} characters long"
)
def step_promote_reason_length(context, number, model, alias, length):
    reason = ("because " * 100)[:length]
    _training(context).promote(model, number, alias, reason, expect="either")


@then("the quant is answered")
def step_quant_answered(context):
    assert_that(context.world.outcomes.refusal, equal_to(None))


@then("the quant is told there is no such version")
def step_quant_not_found(context):
    assert_that(context.world.outcomes.told_not_found(), equal_to(True))


@then("the quant is refused because {reason:Phrase}")
def step_quant_refused(context, reason):
    context.world.outcomes.assert_refused_because(reason)


@given("{model:Name} has {count:d} model file")
def step_model_files(context, model, count):
    assert_that(_training(context).files(model), has_length(count))


@then("the {alias:Alias} trail of {model:Name} reads:")
def step_trail(context, alias, model):
    moves = _training(context).alias(model, alias)["moves"]
    # The model's own record shows the same moves, and none of another model's.
    assert_that(_training(context).driver.model(_training(context).name(model))["alias_moves"],
                equal_to(moves))  # fmt: skip
    shown = [
        {
            "action": m["action"],
            "from": str(m["from_version"] or ""),
            "to": str(m["to_version"]),
            "forced": "yes" if m["forced"] else "no",
            "by": m["by"],
            "why": m["reason"],
        }
        for m in moves
    ]
    assert_that(shown, equal_to([dict(row.as_dict()) for row in context.table]))
    for move in moves:
        assert_that(move["at"], not_none())


@then(
    "the promotion is refused because version {number:d} does worse than version {other:d} "
    "on the Sharpe ratio, by the difference of their Sharpe ratios"
)
def step_promotion_refused(context, number, other):
    refusal = context.world.outcomes.last_refusal("the promotion")
    training, model = _training(context), _training(context).last_model
    mine = float(training.version(model, number)["metrics"]["sharpe"])
    theirs = float(training.version(model, other)["metrics"]["sharpe"])
    assert_that(refusal.code, equal_to("promotion_refused"))
    assert_that(refusal.details["current_version"], equal_to(other))
    assert_that(float(refusal.details["shortfall"]), close_to(theirs - mine, 2e-6))


# -- predictions ---------------------------------------------------------------------------


@given(
    "the production prediction of {model:Name} for {symbol:Symbol} as of {day:Date} has been read"
)
def step_read_prediction(context, model, symbol, day):
    _training(context).predict(model, symbol, day)


@then("the production prediction of {model:Name} for {symbol:Symbol} as of {day:Date} is unchanged")
def step_prediction_unchanged(context, model, symbol, day):
    before = _training(context).predictions[(symbol, day.isoformat())]
    now = _training(context).predict(model, symbol, day)
    assert_that(now["items"], equal_to(before["items"]))
    assert_that(now["items"][0]["session"], less_than_or_equal_to(day.isoformat()))


@when("the quant asks {model:Name}'s {alias:Alias} version about {symbol:Symbol} as of {day:Day}")
def step_ask_prediction(context, model, alias, symbol, day):
    _training(context).predict(model, symbol, day, alias=alias, expect="either")


@when(
    "the quant asks {model:Name}'s {alias:Alias} version about {symbol:Symbol} as of each of "
    "the last {count:d} sessions of {year:d}"
)
def step_ask_many(context, model, alias, symbol, count, year):
    sessions = datasets.exchange_sessions(date(year, 1, 1), date(year, 12, 31))[-count:]
    for day in sessions:
        _training(context).predict(model, symbol, day, alias=alias)


@then(
    "each prediction's score and signal are the ones {algorithm:Algorithm} trained by the "
    "book gives"
)
def step_predictions_by_the_book(context, algorithm):
    training = _training(context)
    items = [answer["items"][0] for answer in training.answers]
    books = training.by_the_book(training.last_model, 1, items)
    # Long when an up session is more likely than not (a classifier), or when holding is
    # worth more than not (the agent).
    threshold = 0.0 if algorithm == "the reinforcement-learning agent" else 0.5
    for item, book in zip(items, books, strict=True):
        assert_that(float(item["score"]), close_to(book, 1.5e-6), item["session"])
        assert_that(item["signal"], equal_to("long" if book > threshold else "flat"))


@then(
    "the accuracy of version {number:d} of {model:Name} is the share of test sessions its "
    "signal held {symbol:Symbol} exactly when {other:Symbol} rose next"
)
def step_accuracy_from_growth(context, number, model, symbol, other):
    training = _training(context)
    shown = float(training.version(model, number)["metrics"]["accuracy"])
    assert_that(shown, close_to(training.accuracy_from_growth(model, number, symbol), 1e-6))


@when(
    "the quant asks {model:Name}'s {alias:Alias} version about {symbol:Symbol}, written "
    '"{written:Quoted}", as of {day:Day}'
)
def step_ask_written(context, model, alias, symbol, written, day):
    _training(context).predict(model, symbol, day, alias=alias, written=written)


@then("the prediction is about {symbol:Symbol}, as when it is written {same:Symbol}")
def step_prediction_same_symbol(context, symbol, same):
    training = _training(context)
    asked = training.last_prediction()
    plain = training.predict(training.last_model, same, date.fromisoformat(asked["as_of"]))
    assert_that(asked["items"][0]["symbol"], equal_to(training.symbol(symbol)))
    assert_that(asked["items"], equal_to(plain["items"]))


@then("the prediction uses the features of {session:Date}")
def step_prediction_session(context, session):
    answer = _training(context).last_prediction()
    assert_that(answer["items"][0]["session"], equal_to(session.isoformat()))


@then("the prediction holds {symbol:Symbol} flat, with a score of 0")
def step_prediction_flat_zero(context, symbol):
    item = _training(context).last_prediction()["items"][0]
    assert_that((item["signal"], float(item["score"])), equal_to(("flat", 0.0)))


@then("the prediction holds {symbol:Symbol} long or flat, with the agent's score")
def step_prediction_agent(context, symbol):
    item = _training(context).last_prediction()["items"][0]
    assert_that(item["signal"], is_in(["long", "flat"]))
    assert_that(float(item["score"]) > 0, equal_to(item["signal"] == "long"))


@when("the model file of version {number:d} of {model:Name} is altered")
def step_alter_file(context, number, model):
    _training(context).damage(model, number, "bytes")


@when(
    "the model file of version {number:d} of {model:Name} is replaced by one holding an "
    "untrusted type"
)
def step_replace_file(context, number, model):
    _training(context).damage(model, number, "untrusted_type")


@then(
    "{first:Name} and {second:Name} were tested on the same sessions against the same buy-and-hold"
)
def step_compared(context, first, second):
    training = _training(context)
    one, two = training.compare(first, second)
    assert_that(two["sessions"], equal_to(one["sessions"]))
    assert_that(two["buy_and_hold"], equal_to(one["buy_and_hold"]))


# -- clients following a model ------------------------------------------------------------


@given("the real {symbols:Symbols} history of {period:Period} is on the platform")
def step_real_history(context, symbols, period):
    context.world.market_data.load_real_history(symbols, period)


@given(
    "{name:Name} is an active client with {cash:Money} trading {symbols:Symbols} by "
    "{model:Name}'s production version, with:"
)
def step_active_by_model(context, name, cash, symbols, model):
    preferences = {row["preference"]: row["value"] for row in context.table}
    context.world.trading.become_active(
        name, cash, ", ".join(symbols), preferences, model=f"{model}'s production version"
    )


@then("{name:Name}'s recommendation follows version {number:d} of {model:Name}")
def step_follows(context, name, number, model):
    shown, expected = recommendation_and_expected(
        context.world.trading, _training(context), name, model, number
    )
    assert_that(shown["model"]["version"], equal_to(number))
    weights = sorted((w["symbol"], Decimal(w["weight"])) for w in shown["weights"])
    assert_that(weights, equal_to(expected))


@then("a rebalance proposed for {name:Name} names version {number:d} of {model:Name}")
def step_batch_names_version(context, name, number, model):
    batch = context.world.trading.propose(name, expect="accepted")
    training = _training(context)
    assert_that(batch["model"], equal_to({"name": training.name(model), "version": number}))
