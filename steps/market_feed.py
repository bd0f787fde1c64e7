"""Loads from the brokerage's market-data feed and loads run in the background: steps of
features/market_data.feature."""

from behave import then, when
from hamcrest import (
    assert_that,
    contains_string,
    empty,
    equal_to,
    has_entries,
    has_length,
    none,
)


@when("an operator loads the {source:Symbol} history of {period:Period} from the brokerage")
def step_load_from_broker(context, source, period):
    context.world.market_feed.load_from_broker([source], period)


@when("an operator loads the {sources:Symbols} histories of {period:Period} from the brokerage")
def step_load_many_from_broker(context, sources, period):
    context.world.market_feed.load_from_broker(sources, period)


@when(
    "an operator starts loading the {sources:Symbols} histories of {period:Period} "
    "from the brokerage"
)
def step_start_load(context, sources, period):
    context.world.market_feed.start_load_from_broker(sources, period)


@when(
    'an operator tries to load the "{symbol:Quoted}" history of {period:Period} from the brokerage'
)
def step_try_load_symbol_from_broker(context, symbol, period):
    context.world.market_feed.attempt_load_from_broker(symbol, period)


@then('the load is refused because "{symbol:Quoted}" breaks the symbol rule')
def step_refused_symbol(context, symbol):
    problems = context.world.market_feed.symbol_refusal()
    assert_that(problems, has_length(1), "refused, but not for breaking the symbol rule")
    assert_that(problems[0]["message"], contains_string("symbol rule"))
    assert_that(problems[0]["message"], contains_string(symbol))


@then('nothing is stored for "{symbol:Quoted}"')
def step_nothing_stored(context, symbol):
    assert_that(context.world.market_feed.nothing_stored_for(symbol), empty())


@when("an operator tries to load the {source:Symbol} history of {period:Period} from the brokerage")
def step_try_load_from_broker(context, source, period):
    context.world.market_feed.attempt_load_from_broker(source, period)


@when("the operator cancels the load")
def step_cancel(context):
    context.world.operations.cancel()


@then("the stored {symbol:Symbol} closes of {period:Period} are those of the real {series}")
def step_real_closes(context, symbol, period, series):
    md = context.world.market_data
    assert_that(md.stored_closes(symbol, period), equal_to(md.real_closes(symbol, period)))


@then("the load completed at once, not in the background")
def step_at_once(context):
    assert_that(context.world.operations.current, none())


@then("the load ran in the background and its progress reached 100 % without going back")
def step_background_progress(context):
    operations = context.world.operations
    assert_that(operations.current, has_entries(status="succeeded", done=True))
    assert_that(operations.progress_seen[-1], equal_to(100.0))
    assert_that(operations.progress_seen, equal_to(sorted(operations.progress_seen)))


@then("the load ends as cancelled")
def step_cancelled(context):
    assert_that(context.world.operations.current, has_entries(status="cancelled", done=True))
