from behave import given, then, when
from hamcrest import assert_that, equal_to, is_in

from support.dsl.access_control import Outcome


@given("the platform holds {resource}")
def step_holds(context, resource):
    context.world.access_control.prepare(resource)


@given("{name:Name} is a signed-in client")
def step_signed_in_client(context, name):
    context.world.access_control.sign_in_client(name)


@when("someone who has not signed in tries to {door:Door}")
def step_anonymous_tries(context, door):
    context.world.access_control.try_door(None, door)


@when("{name:Name} tries to {door:Door}")
def step_client_tries(context, name, door):
    context.world.access_control.try_door(name, door)


@then("{name:Name} is answered as if {owner:Name} did not exist")
def step_as_if_missing(context, name, owner):
    access = context.world.access_control
    assert_that(access.answer.outcome, equal_to(Outcome.NOT_FOUND), f"{name} was not refused")
    assert_that(access.answer, equal_to(access.answer_for_missing_client()))


@then("{name:Name} is refused as not an operator")
def step_not_an_operator(context, name):
    outcome = context.world.access_control.answer.outcome
    assert_that(outcome, is_in([Outcome.NOT_IDENTIFIED, Outcome.NOT_ALLOWED]))


@then("they are refused until they sign in")
def step_must_sign_in(context):
    assert_that(context.world.access_control.answer.outcome, equal_to(Outcome.NOT_IDENTIFIED))


@then("the platform answers them without asking who they are")
def step_answers_anyone(context):
    outcome = context.world.access_control.answer.outcome
    assert_that(outcome, is_in([Outcome.LET_IN, Outcome.REFUSED_ON_ITS_MERITS]))


@then("nothing has changed in {resource}")
def step_unchanged(context, resource):
    before, now = context.world.access_control.shown_now(resource)
    assert_that(now, equal_to(before))


@when("the platform's contract is read")
def step_read_contract(context):
    context.world.access_control.read_contract()


@then("the access matrix has a row for every door it lists and for no other door")
def step_matrix_matches_contract(context):
    access = context.world.access_control
    mismatches = {
        "doors without a row": access.doors_without_row(),
        "rows without a door": access.rows_without_door(),
    }
    assert_that(mismatches, equal_to({"doors without a row": [], "rows without a door": []}))
