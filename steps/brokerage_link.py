from behave import given, step, then, when
from hamcrest import assert_that, equal_to, has_entries, has_key, is_not, none, not_


@step("{name:Name} has linked their brokerage account")
@when("{name:Name} links their brokerage account again")
def step_linked(context, name):
    context.world.brokerage_link.link(name)


@when("{name:Name} starts linking their brokerage account")
def step_start_link(context, name):
    context.world.brokerage_link.start(name)


@when("{name:Name} allows access at the brokerage")
def step_allow(context, name):
    context.world.brokerage_link.answer_consent(name, "allow")


@when("{name:Name} denies access at the brokerage")
def step_deny(context, name):
    context.world.brokerage_link.answer_consent(name, "deny")


@when("the brokerage sends {name:Name} back to QuantDesk")
@when("{name:Name} retries coming back from the brokerage")
def step_back(context, name):
    context.world.brokerage_link.deliver_answer(name)


@when("the brokerage's answer reaches QuantDesk with its state {problem}")
def step_back_state(context, problem):
    context.world.brokerage_link.deliver_answer(state=problem)


@when("the brokerage's answer reaches QuantDesk again")
def step_back_again(context):
    context.world.brokerage_link.deliver_answer()


@when(
    "{name:Name}'s answer from the brokerage reaches QuantDesk "
    "carrying {other:Name}'s authorization code"
)
def step_back_with_code_of(context, name, other):
    context.world.brokerage_link.deliver_answer(name, code_of=other)


@then("{name:Name}'s brokerage link is active with their brokerage account")
def step_link_active(context, name):
    link = context.world.brokerage_link.link_of(name)
    assert_that(link, is_not(none()), f"{name} has no brokerage link")
    account_id = context.world.brokerage.account_ids[name]
    assert_that(link, has_entries(status="active", broker_account_id=account_id))


@then("{name:Name}'s brokerage link needs their authorisation again")
def step_link_reauth(context, name):
    assert_that(context.world.brokerage_link.needs_authorisation_again(name), equal_to(True))


@then("{name:Name} has no brokerage link")
def step_no_link(context, name):
    assert_that(context.world.brokerage_link.link_of(name), none())


@then("QuantDesk can read {name:Name}'s brokerage account")
def step_can_read_account(context, name):
    account = context.world.brokerage_link.read_account(name, expect="accepted")
    account_id = context.world.brokerage.account_ids[name]
    assert_that(account, has_entries(id=account_id, status="ACTIVE"))


@then("QuantDesk is refused {name:Name}'s brokerage account because {reason:Phrase}")
def step_account_refused(context, name, reason):
    context.world.brokerage_link.read_account(name, expect="refused")
    context.world.outcomes.assert_refused_because(reason)


@given("QuantDesk has found that {name:Name} must link again")
def step_found_reauth(context, name):
    step_account_refused(context, name, f"{name} must link again")


@then("no answer about {name:Name}'s link shows the brokerage's tokens")
def step_no_tokens(context, name):
    for answer in context.world.brokerage_link.link_answers(name):
        for key in ("access_token", "refresh_token", "code_verifier", "token"):
            assert_that(answer, not_(has_key(key)))


@then("the link is refused because {reason:Phrase}")
@then("{name:Name}'s link is refused because {reason:Phrase}")
@then("the repeated answer is refused because {reason:Phrase}")
def step_link_refused(context, reason, name=None):
    context.world.outcomes.assert_refused_because(reason)


@then("QuantDesk has renewed {name:Name}'s access")
def step_renewed(context, name):
    assert_that(context.world.brokerage_link.renewed_since_linking(name), equal_to(True))


@then("QuantDesk has not renewed {name:Name}'s access")
def step_not_renewed(context, name):
    assert_that(context.world.brokerage_link.renewed_since_linking(name), equal_to(False))
