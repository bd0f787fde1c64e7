"""Indicators of stored closes against worked examples and their definitions: steps of
features/market_data.feature."""

from behave import given, then, when
from hamcrest import (
    assert_that,
    equal_to,
    is_not,
    none,
)

from support.tables import table_to_frame


@then(
    "{symbol:Symbol}'s indicators of {period:Period} start after their warm-up "
    "and cover every later session"
)
def step_warmup(context, symbol, period):
    panel = context.world.indicators.indicator_panel(symbol, period)
    assert_that(context.world.indicators.warmup_problems(panel), equal_to({}))


@then("every indicator of {symbol:Symbol} over {period:Period} agrees with its definition:")
def step_indicators_agree_with_definitions(context, symbol, period):
    served, problems = context.world.indicators.against_definitions(symbol, period)
    assert_that(sorted(served), equal_to(sorted(row["indicator"] for row in context.table)))
    assert_that(problems, equal_to({}))


@when("an operator asks for the {label:Indicator} of {symbol:Symbol} over {period:Period}")
def step_ask_indicator(context, label, symbol, period):
    context.world.last = context.world.indicators.indicator_of_period(symbol, label, period)


@then("it is served as defined for every session")
def step_indicator_as_defined(context):
    assert_that(context.world.last, is_not(none()), "the indicator was refused")
    assert_that(context.world.last, equal_to({}))


@then("it is refused as an indicator the platform does not offer")
def step_indicator_refused(context):
    reason = "the indicator is not one of the accepted values"
    context.world.outcomes.assert_refused_because(reason)


@given(
    "the closes of the StockCharts ChartSchool {example} example "
    "have been loaded as {symbol:Symbol}:"
)
def step_load_example(context, example, symbol):
    context.world.indicators.load_worked_example(symbol, table_to_frame(context.table))


@then(
    "the platform's {indicator:Indicator} of {symbol:Symbol} agrees with the worked example "
    "to the cent"
)
def step_indicator_agrees(context, indicator, symbol):
    platform, example = context.world.indicators.indicator_vs_example(indicator)
    assert_that(platform, equal_to(example))
