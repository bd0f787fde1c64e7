"""The platform's clock: shared steps of every feature that probes a lifetime."""

from behave import given, then, when
from hamcrest import assert_that, equal_to

from support.dsl.platform_clock import duration_of


@given("the platform's clock is stopped")
def step_clock_stopped(context):
    context.world.platform_clock.stop()


@when("the platform's clock reaches one second before {what:Lifetime} expires")
def step_clock_before(context, what):
    context.world.platform_clock.reach(what, seconds_before=1)


@when("the platform's clock reaches {seconds:d} seconds before {what:Lifetime} expires")
def step_clock_seconds_before(context, seconds, what):
    context.world.platform_clock.reach(what, seconds_before=seconds)


@when("the platform's clock reaches the moment {what:Lifetime} expires")
def step_clock_at(context, what):
    context.world.platform_clock.reach(what)


@then("{what:Lifetime} lasts {duration:Duration}")
def step_lasts(context, what, duration):
    assert_that(context.world.platform_clock.lifetime(what), equal_to(duration_of(duration)))
