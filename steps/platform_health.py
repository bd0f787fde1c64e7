from behave import then, when
from hamcrest import all_of, assert_that, equal_to, has_entries, has_entry, has_key, is_not

from support.matchers import all_checks_ok


@when("the platform is asked how it is")
def step_ask(context):
    context.world.last = context.world.platform_health.check()


@then("it reports that it is alive")
def step_alive(context):
    assert_that(context.world.last[0], has_entries(status="ok"))


@when("someone asks for an address the platform does not have")
def step_unknown_address(context):
    context.world.platform_health.ask_unknown_address(context.world.aliases.tag)


@when("someone tries to delete the platform's health")
def step_delete_health(context):
    context.world.platform_health.try_delete_health()


@then("they are told there is nothing at that address, naming it")
def step_told_nothing_there(context):
    context.world.outcomes.assert_refused_because("there is nothing at that address")
    assert_that(context.world.platform_health.refusal_names("path"), equal_to(True))


@then("they are told that address does not take that request, naming both")
def step_told_not_allowed(context):
    context.world.outcomes.assert_refused_because("that address does not take that request")
    health = context.world.platform_health
    assert_that(health.refusal_names("method", "path"), equal_to(True))


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
