"""The brokerage as a party in the scenarios: accounts people hold there, its clock, its
outages. Shared by every feature that involves the brokerage."""

from behave import given, when

from support.dsl.brokerage import ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS


@given("{name:Name} is a registered client with an account at the brokerage")
def step_registered_with_broker_account(context, name):
    context.world.onboarding.register(name)
    context.world.brokerage.open_account(name)


@when("the brokerage's clock moves past the lifetime of an access token")
def step_clock_access(context):
    context.world.brokerage.advance_clock(ACCESS_TOKEN_TTL_SECONDS + 60)


@when("the brokerage's clock moves past the lifetime of a refresh token")
def step_clock_refresh(context):
    context.world.brokerage.advance_clock(REFRESH_TOKEN_TTL_SECONDS + 60)


@given("the brokerage has withdrawn every access {name:Name} granted")
@when("the brokerage withdraws every access {name:Name} granted")
def step_withdraw(context, name):
    context.world.brokerage.withdraw_access(name)


@when("the brokerage goes down")
@given("the brokerage is unavailable")
def step_broker_down(context):
    context.world.brokerage.go_down()


@given("the brokerage cannot be reached")
def step_broker_unreachable(context):
    context.world.brokerage.go_down(unreachable=True)


@when("the brokerage is back")
def step_broker_back(context):
    context.world.brokerage.come_back()


@given("the brokerage's market-data feed answers slowly")
def step_feed_slow(context):
    context.world.brokerage.feed_is_slow()
