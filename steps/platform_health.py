from behave import then, when
from hamcrest import assert_that, equal_to, has_entries

from support.matchers import all_checks_ok


@when("the platform is asked how it is")
def step_ask(context):
    context.world.last = context.world.status.check()


@then("it reports that it is alive")
def step_alive(context):
    assert_that(context.world.last[0], has_entries(status="ok"))


@then("it reports that it is ready, with its database and the brokerage reachable")
def step_ready(context):
    readiness = context.world.last[1]
    assert_that(readiness["status"], equal_to("ready"))
    assert_that(readiness["checks"], all_checks_ok("database", "broker"))
