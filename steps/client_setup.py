from behave import given, step, then, when
from hamcrest import assert_that, has_entries, none

from support.tables import detail_table


@given("the platform has market data for {symbols:Symbols}")
def step_market_data_for(context, symbols):
    context.world.market_data.hold_bars_of(symbols)


@given("{name:Name} is a registered client whose risk tolerance is {tolerance}")
def step_registered_with_tolerance(context, name, tolerance):
    context.world.onboarding.register(name, risk_tolerance=tolerance)


# -- preferences ------------------------------------------------------------------------


@when("{name:Name} sets their preferences to:")
def step_set_preferences(context, name):
    context.world.client_setup.set_preferences(name, detail_table(context.table), expect="accepted")


@step("{name:Name} sets their preferences to trade {symbols:Symbols}")
def step_set_universe(context, name, symbols):
    universe = {"universe": ", ".join(symbols)}
    context.world.client_setup.set_preferences(name, universe, expect="accepted")


@when(
    "{name:Name} tries to set their preferences to trade {symbols:Symbols} "
    'with {preference} "{value:Quoted}"'
)
def step_try_preferences(context, name, symbols, preference, value):
    given_ = {"universe": ", ".join(symbols), preference: value}
    context.world.client_setup.set_preferences(name, given_)


@then("{name:Name}'s preferences show:")
def step_preferences_show(context, name):
    shown = context.world.client_setup.preferences_shown(name)
    assert_that(shown, has_entries(detail_table(context.table)))


@then("{name:Name}'s preferences show a {preference} of {value}")
def step_preferences_one(context, name, preference, value):
    shown = context.world.client_setup.preferences_shown(name)
    assert_that(shown, has_entries({preference: value}))


@then("the preferences are refused, listing these problems:")
def step_preferences_refused(context):
    expected = {row["preference"]: row["problem"] for row in context.table}
    context.world.outcomes.assert_refused_listing(expected)


@then("{name:Name} has no preferences")
def step_no_preferences(context, name):
    assert_that(context.world.client_setup.preferences_of(name), none())


# -- strategy ---------------------------------------------------------------------------


@step("{name:Name} chooses the equal-weight strategy")
def step_equal_weight(context, name):
    context.world.client_setup.choose_strategy(name, "equal_weight", expect="accepted")


@when('{name:Name} chooses the model "{model:Quoted}"')
def step_choose_model(context, name, model):
    context.world.client_setup.choose_strategy(name, "model", model)


@then("{name:Name}'s strategy is equal-weight")
def step_strategy_is(context, name):
    strategy = context.world.client_setup.strategy_of(name)
    assert_that(strategy, has_entries(strategy="equal_weight", model_alias=None))


@then('the choice is refused because "{model:Quoted}" is not a registered model')
def step_strategy_refused(context, model):
    context.world.outcomes.assert_refused_listing({"model": "is not a registered model"})


@then("{name:Name} has not chosen a strategy")
def step_no_strategy(context, name):
    assert_that(context.world.client_setup.strategy_of(name), none())


@then("the choice is refused because the model has no version behind that alias")
def step_strategy_refused_alias(context):
    context.world.outcomes.assert_refused_listing({"model": "has no version behind that alias"})
