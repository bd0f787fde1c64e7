from behave import given, then, when
from hamcrest import all_of, assert_that, equal_to, has_entries, has_entry, has_key, is_not

from support.matchers import all_checks_ok


@when("the platform is asked how it is")
def step_ask(context):
    context.world.last = context.world.status.check()


@then("it reports that it is alive")
def step_alive(context):
    assert_that(context.world.last[0], has_entries(status="ok"))


@given("the brokerage cannot be reached")
def step_broker_unreachable(context):
    context.world.brokerage.set_broker_down(True, context.world.cleanups, unreachable=True)


@then("it reports that it is not ready because the brokerage cannot be reached")
def step_not_ready(context):
    readiness = context.world.last[1]
    assert_that(readiness["status"], equal_to("not_ready"))
    assert_that(readiness["checks"], all_of(has_entry("database", "ok"), has_key("broker")))
    assert_that(readiness["checks"]["broker"], is_not(equal_to("ok")))


@then("it reports that it is ready, with its database and the brokerage reachable")
def step_ready(context):
    readiness = context.world.last[1]
    assert_that(readiness["status"], equal_to("ready"))
    assert_that(readiness["checks"], all_checks_ok("database", "broker"))
