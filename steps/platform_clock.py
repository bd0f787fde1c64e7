from behave import given, then, when
from hamcrest import assert_that, equal_to

from support.dsl.platform import duration_of


@given("the platform's clock is stopped")
def step_clock_stopped(context):
    context.world.clock.stop()


@when("the platform's clock reaches one second before {what} expires")
def step_clock_before(context, what):
    context.world.clock.reach(what, seconds_before=1)


@when("the platform's clock reaches {seconds:d} seconds before {what} expires")
def step_clock_seconds_before(context, seconds, what):
    context.world.clock.reach(what, seconds_before=seconds)


@when("the platform's clock reaches the moment {what} expires")
def step_clock_at(context, what):
    context.world.clock.reach(what)


@then("{what} lasts {duration}")
def step_lasts(context, what, duration):
    assert_that(context.world.clock.lifetime(what), equal_to(duration_of(duration)))
