from behave import given, step, then, when
from hamcrest import assert_that, empty, equal_to, is_not, none

from support.dsl.funding import amount_text


@step("{name:Name} deposits {amount:Money}")
def step_deposit(context, name, amount):
    context.world.funding.deposit(name, amount)


@when("{name:Name} deposits {amount:Money} and the request is sent twice")
def step_deposit_twice(context, name, amount):
    context.world.last = context.world.funding.deposit_twice(name, amount)


@given("{name:Name} has deposited {amount:Money} with a request key")
def step_deposit_with_key(context, name, amount):
    context.world.funding.deposit_with_key(name, amount)


@when("{name:Name} sends the same request key with a deposit of {amount:Money}")
def step_same_key_other_deposit(context, name, amount):
    context.world.funding.deposit_with_same_key(name, amount)


@then("both answers describe the same deposit")
def step_same_deposit(context):
    first, second = context.world.last
    assert_that(first, is_not(none()), "the deposit was refused")
    assert_that(second, equal_to(first))


@then("{name:Name}'s brokerage account holds {amount:Money} in cash")
def step_cash(context, name, amount):
    assert_that(context.world.funding.cash_of(name), equal_to(amount_text(amount)))


@then("{name:Name}'s deposits are:")
def step_deposits_are(context, name):
    amounts = [d["amount"] for d in context.world.funding.deposits_of(name)]
    assert_that(amounts, equal_to([row["amount"] for row in context.table]))


@then("{name:Name} has no deposits")
def step_no_deposits(context, name):
    assert_that(context.world.funding.deposits_of(name), empty())


@then("the deposit is refused because {reason:Phrase}")
def step_deposit_refused(context, reason):
    context.world.outcomes.assert_refused_because(reason)


@then("a deposit for {name:Name} is refused because {reason:Phrase}")
def step_deposit_for_refused(context, name, reason):
    context.world.funding.deposit(name, "100.00 USD", expect="refused")
    context.world.outcomes.assert_refused_because(reason)
