from behave import given, step, then, when
from hamcrest import (
    assert_that,
    equal_to,
    has_entries,
    has_key,
    is_not,
    none,
    not_,
)

from support.dsl.brokerage import ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS


@given("{name} is a registered client with an account at the brokerage")
def step_registered_with_broker_account(context, name):
    context.world.onboarding.register(name)
    context.world.brokerage.open_broker_account(name)


@step("{name} has linked their brokerage account")
@when("{name} links their brokerage account again")
def step_linked(context, name):
    context.world.brokerage.link(name)


@when("{name} starts linking their brokerage account")
def step_start_link(context, name):
    context.world.brokerage.start_link(name)


@when("{name} allows access at the brokerage")
def step_allow(context, name):
    context.world.brokerage.answer_consent(name, "allow")


@when("{name} denies access at the brokerage")
def step_deny(context, name):
    context.world.brokerage.answer_consent(name, "deny")


@when("the brokerage sends {name} back to QuantDesk")
@when("{name} retries coming back from the brokerage")
def step_back(context, name):
    context.world.brokerage.deliver_answer(name)


@when("the brokerage's answer reaches QuantDesk with its state {problem}")
def step_back_state(context, problem):
    context.world.brokerage.deliver_answer(state=problem)


@when("the brokerage's answer reaches QuantDesk again")
def step_back_again(context):
    context.world.brokerage.deliver_answer()


@when("{name}'s answer from the brokerage reaches QuantDesk carrying {other}'s authorization code")
def step_back_with_code_of(context, name, other):
    context.world.brokerage.deliver_answer(name, code_of=other)


@then("{name}'s brokerage link is active with their brokerage account")
def step_link_active(context, name):
    brokerage = context.world.brokerage
    link = brokerage.link_of(name)
    assert_that(link, is_not(none()), f"{name} has no brokerage link")
    expected = {"status": "active", "broker_account_id": brokerage.broker_account_ids[name]}
    assert_that(link, has_entries(expected))


@then("{name}'s brokerage link needs their authorisation again")
def step_link_reauth(context, name):
    assert_that(context.world.brokerage.link_of(name), has_entries(status="reauth_required"))


@then("{name} has no brokerage link")
def step_no_link(context, name):
    assert_that(context.world.brokerage.link_of(name), none())


@then("QuantDesk can read {name}'s brokerage account")
def step_can_read_account(context, name):
    brokerage = context.world.brokerage
    account = brokerage.read_account(name)
    assert_that(account, is_not(none()), f"refused: {brokerage.last_refusal}")
    assert_that(account, has_entries(id=brokerage.broker_account_ids[name], status="ACTIVE"))


@then("QuantDesk is refused {name}'s brokerage account because {who} must link again")
def step_account_refused_reauth(context, name, who):
    brokerage = context.world.brokerage
    assert_that(brokerage.read_account(name), none(), "the brokerage account was read")
    assert_that(brokerage.last_refusal.code, equal_to("reauth_required"))


@then("a deposit for {name} is refused because {who} must link again")
def step_deposit_refused_reauth(context, name, who):
    brokerage = context.world.brokerage
    assert_that(brokerage.deposit(name, "100.00 USD"), none(), "the deposit was made")
    assert_that(brokerage.last_refusal.code, equal_to("reauth_required"))


@then("no answer about {name}'s link shows the brokerage's tokens")
def step_no_tokens(context, name):
    for answer in context.world.brokerage.link_answers(name):
        for key in ("access_token", "refresh_token", "code_verifier", "token"):
            assert_that(answer, not_(has_key(key)))


@then("the link is refused because {reason}")
@then("{name}'s link is refused because {reason}")
@then("the repeated answer is refused because {reason}")
def step_link_refused(context, reason, name=None):
    assert_that(context.world.brokerage.refusal_reason(), equal_to(reason))


@when("the brokerage's clock moves past the lifetime of an access token")
def step_clock_access(context):
    context.world.brokerage.advance_broker_clock(ACCESS_TOKEN_TTL_SECONDS + 60)


@when("the brokerage's clock moves past the lifetime of a refresh token")
def step_clock_refresh(context):
    context.world.brokerage.advance_broker_clock(REFRESH_TOKEN_TTL_SECONDS + 60)


@then("QuantDesk has renewed {name}'s access")
def step_renewed(context, name):
    assert_that(context.world.brokerage.renewed_since_linking(name), equal_to(True))


@then("QuantDesk has not renewed {name}'s access")
def step_not_renewed(context, name):
    assert_that(context.world.brokerage.renewed_since_linking(name), equal_to(False))


@given("the brokerage has withdrawn every access {name} granted")
@when("the brokerage withdraws every access {name} granted")
def step_withdraw(context, name):
    context.world.brokerage.withdraw_access(name)


@given("QuantDesk has found that {name} must link again")
def step_found_reauth(context, name):
    step_account_refused_reauth(context, name, name)


@when("the brokerage goes down")
def step_broker_down(context):
    context.world.brokerage.set_broker_down(True, context.world.cleanups)


@when("the brokerage is back")
def step_broker_back(context):
    context.world.brokerage.set_broker_down(False, context.world.cleanups)
