"""Feature sets for learning and their split in time order: steps of
features/market_data.feature."""

from behave import given, then, when
from hamcrest import (
    assert_that,
    empty,
    equal_to,
    none,
    not_none,
)


@given("the momentum features of {symbol:Symbol} have been read")
def step_read_features(context, symbol):
    context.world.feature_sets.read_features(symbol)


@when(
    "the momentum features of {symbols:Symbols} are split {train:d}/{validation:d}/{test:d} "
    "into training, validation and test"
)
def step_split(context, symbols, train, validation, test):
    fractions = {"train": train / 100, "validation": validation / 100, "test": test / 100}
    context.world.feature_sets.split(symbols, fractions)


@when(
    "the momentum features of {symbols:Symbols} are split {train:d}/{validation:d}/{test:d} "
    "with {gap:d} sessions left out between the parts"
)
def step_split_gap(context, symbols, train, validation, test, gap):
    fractions = {"train": train / 100, "validation": validation / 100, "test": test / 100}
    context.world.feature_sets.split(symbols, fractions, gap=gap)


@then(
    "{count:d} sessions of {symbol:Symbol} lie between training and validation, "
    "and between validation and test"
)
def step_split_gaps(context, count, symbol):
    assert_that(context.world.feature_sets.sessions_between_parts(symbol), equal_to([count, count]))


@then("every momentum feature of {symbol:Symbol} over {period:Period} agrees with its definition:")
def step_features_agree_with_definitions(context, symbol, period):
    served, problems = context.world.feature_sets.against_definitions(symbol, period)
    assert_that(sorted(served), equal_to(sorted(row["momentum feature"] for row in context.table)))
    assert_that(problems, equal_to({}))


@when("an operator asks for the momentum features of {symbols:Symbols} over {period:Period}")
def step_ask_features(context, symbols, period):
    rows = context.world.feature_sets.feature_rows_over(symbols, period)
    context.world.last = rows


@then("the momentum features of {count:d} {sessions_noun} are served")
def step_features_served(context, count, sessions_noun):
    rows = context.world.last
    assert_that(rows, not_none(), "the request was refused")
    assert_that(len({row["session"] for row in rows}), equal_to(count))


@then("the request for features is refused because {reason:Phrase}")
def step_features_refused(context, reason):
    context.world.outcomes.assert_refused_because(reason)


@then("the momentum labels of {symbol:Symbol} are:")
def step_labels(context, symbol):
    words = {1: "yes", 0: "no", None: "not known yet"}
    shown = {s: words[label] for s, label in context.world.feature_sets.labels(symbol).items()}
    assert_that(shown, equal_to({row["session"]: row["next session up"] for row in context.table}))


@then("no momentum feature row of {symbol:Symbol} up to {day:Date} has changed")
def step_no_feature_change(context, symbol, day):
    assert_that(context.world.feature_sets.feature_changes(symbol, day), empty())


@then("the momentum row of {symbol:Symbol} for {day:Date} was unlabelled and now has its label")
def step_label_filled(context, symbol, day):
    feature_sets = context.world.feature_sets
    assert_that(feature_sets.feature_label(symbol, day), none())
    assert_that(feature_sets.feature_label(symbol, day, fresh=True), not_none())


@then(
    "every training session comes before every validation session, "
    "and those before every test session"
)
def step_split_order(context):
    parts = context.world.feature_sets.last_split["parts"]
    order = [
        parts[p][k]
        for p in ("train", "validation", "test")
        for k in ("first_session", "last_session")
    ]
    assert_that(order, equal_to(sorted(order)))
    assert_that(len(set(order)), equal_to(6))


@then("the parts hold {train:d} %, {validation:d} % and {test:d} % of the sessions")
def step_split_sizes(context, train, validation, test):
    split = context.world.feature_sets.last_split
    n = split["sessions"]
    expected = [n * train // 100, n * validation // 100]
    expected.append(n - sum(expected))
    got = [split["parts"][p]["sessions"] for p in ("train", "validation", "test")]
    assert_that(got, equal_to(expected))


@then("each session's rows of {symbols:Symbols} are in the same part")
def step_split_together(context, symbols):
    parts = context.world.feature_sets.last_split["parts"].values()
    count = len(symbols)
    assert_that([p["rows"] for p in parts], equal_to([p["sessions"] * count for p in parts]))
