from behave import given, step, then, when
from hamcrest import assert_that, empty, equal_to, has_entries, is_not, none

from support.dsl.brokerage import amount_text
from support.dsl.client_setup import (
    PREFERENCE_NAMES,
    PREFERENCE_PROBLEMS,
    STEPS,
    STRATEGY_PROBLEMS,
    symbol_list,
)
from support.tables import detail_table


@given("the platform has market data for {symbols}")
def step_market_data_for(context, symbols):
    context.world.client_setup.has_market_data(symbol_list(symbols))


@given("{name} is a registered client whose risk tolerance is {tolerance}")
def step_registered_with_tolerance(context, name, tolerance):
    context.world.onboarding.register(name, risk_tolerance=tolerance)


# -- preferences ------------------------------------------------------------------------
@when("{name} sets their preferences to:")
def step_set_preferences(context, name):
    setup = context.world.client_setup
    assert_that(setup.set_preferences(name, detail_table(context.table)), is_not(none()))


@step("{name} sets their preferences to trade {symbols}")
def step_set_universe(context, name, symbols):
    setup = context.world.client_setup
    assert_that(setup.set_preferences(name, {"universe": symbols}), is_not(none()))


@when('{name} tries to set their preferences to trade {symbols} with {preference} "{value:Quoted}"')
def step_try_preferences(context, name, symbols, preference, value):
    context.world.client_setup.set_preferences(name, {"universe": symbols, preference: value})


@then("{name}'s preferences show:")
def step_preferences_show(context, name):
    shown = context.world.client_setup.preferences_shown(name)
    assert_that(shown, has_entries(detail_table(context.table)))


@then("{name}'s preferences show a {preference} of {value}")
def step_preferences_one(context, name, preference, value):
    shown = context.world.client_setup.preferences_shown(name)
    assert_that(shown, has_entries({preference: value}))


@then("the preferences are refused, listing these problems:")
def step_preferences_refused(context):
    expected = {row["preference"]: row["problem"] for row in context.table}
    problems = context.world.client_setup.refusal_problems(PREFERENCE_NAMES, PREFERENCE_PROBLEMS)
    assert_that(problems, equal_to(expected))


@then("{name} has no preferences")
def step_no_preferences(context, name):
    assert_that(context.world.client_setup.read_as(name, name, "preferences"), none())


# -- strategy ---------------------------------------------------------------------------
@step("{name} chooses the equal-weight strategy")
def step_equal_weight(context, name):
    setup = context.world.client_setup
    assert_that(setup.choose_strategy(name, "equal_weight"), is_not(none()))


@when('{name} chooses the model "{model}"')
def step_choose_model(context, name, model):
    context.world.client_setup.choose_strategy(name, "model", model)


@then("{name}'s strategy is equal-weight")
def step_strategy_is(context, name):
    strategy = context.world.client_setup.read_as(name, name, "strategy")
    assert_that(strategy, has_entries(strategy="equal_weight", model_alias=None))


@then('the choice is refused because "{model}" is not a registered model')
def step_strategy_refused(context, model):
    problems = context.world.client_setup.refusal_problems({}, STRATEGY_PROBLEMS)
    assert_that(problems, equal_to({"model_alias": "is not a registered model"}))


@then("{name} has not chosen a strategy")
def step_no_strategy(context, name):
    assert_that(context.world.client_setup.read_as(name, name, "strategy"), none())


# -- funding ----------------------------------------------------------------------------
@step("{name} deposits {amount}")
def step_deposit(context, name, amount):
    context.world.brokerage.deposit(name, amount)


@when("{name} deposits {amount} and the request is sent twice")
def step_deposit_twice(context, name, amount):
    context.world.last = context.world.brokerage.deposit_twice(name, amount)


@given("{name} has deposited {amount} with a request key")
def step_deposit_with_key(context, name, amount):
    made = context.world.brokerage.deposit_with_key(name, amount)
    assert_that(made, is_not(none()), "the deposit was refused")


@when("{name} sends the same request key with a deposit of {amount}")
def step_same_key_other_deposit(context, name, amount):
    context.world.brokerage.deposit_with_same_key(name, amount)


@then("both answers describe the same deposit")
def step_same_deposit(context):
    first, second = context.world.last
    assert_that(first, is_not(none()), "the deposit was refused")
    assert_that(second, equal_to(first))


@then("{name}'s brokerage account holds {amount} in cash")
def step_cash(context, name, amount):
    assert_that(context.world.brokerage.cash_of(name), equal_to(amount_text(amount)))


@then("{name}'s deposits are:")
def step_deposits_are(context, name):
    amounts = [d["amount"] for d in context.world.brokerage.deposits_of(name)]
    assert_that(amounts, equal_to([row["amount"] for row in context.table]))


@then("{name} has no deposits")
def step_no_deposits(context, name):
    assert_that(context.world.brokerage.deposits_of(name), empty())


@then("the deposit is refused because {reason}")
def step_deposit_refused(context, reason):
    assert_that(context.world.client_setup.deposit_refusal(), equal_to(reason))


# -- the checklist ----------------------------------------------------------------------
@then("{name}'s onboarding checklist shows:")
def step_checklist_shows(context, name):
    setup = context.world.client_setup
    expected = {STEPS[row["step"]]: row["done"] == "yes" for row in context.table}
    checklist = setup.checklist(name)
    assert_that(checklist["steps"], equal_to(expected))
    assert_that(setup.checklist_from_each_step(name), equal_to(checklist["steps"]))


@then('{name}\'s onboarding checklist shows "{step_words}" not done')
def step_checklist_not_done(context, name, step_words):
    setup = context.world.client_setup
    steps = setup.checklist(name)["steps"]
    expected = {key: key != STEPS[step_words] for key in STEPS.values()}
    assert_that(steps, equal_to(expected))
    assert_that(setup.checklist_from_each_step(name), equal_to(steps))


@then("{name}'s onboarding checklist shows the link needs authorisation again")
def step_checklist_reauth(context, name):
    checklist = context.world.client_setup.checklist(name)
    assert_that(checklist, has_entries(brokerage_link="reauth_required", status="registered"))
    assert_that(checklist["steps"], has_entries(brokerage_linked=False))


@then("{name} is active")
def step_active(context, name):
    assert_that(context.world.client_setup.status_of(name), equal_to(("active", "active")))


@then("{name} is not active yet")
def step_not_active(context, name):
    statuses = context.world.client_setup.status_of(name)
    assert_that(statuses, equal_to(("registered", "registered")))


@given('{name} has done every onboarding step but "{step_words}"')
def step_all_but(context, name, step_words):
    context.world.client_setup.complete_onboarding(name, skip=step_words)


@given("{name} has done every onboarding step")
def step_all(context, name):
    context.world.client_setup.complete_onboarding(name)


# -- whose data -------------------------------------------------------------------------
@when("{viewer} asks for {subject}'s {resource}")
def step_asks_for(context, viewer, subject, resource):
    context.world.last = context.world.client_setup.read_as(viewer, subject, resource)


@then("{viewer} is told there is no such {resource}")
def step_no_such(context, viewer, resource):
    assert_that(context.world.last, none(), f"{viewer} was shown another client's {resource}")
    assert_that(context.world.client_setup.told_not_found(), equal_to(True), "not 'not found'")
