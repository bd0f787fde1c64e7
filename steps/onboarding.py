from behave import given, then, when
from hamcrest import assert_that, empty, equal_to, has_entries, has_length, is_not, none

from support.tables import detail_table


@when("an operator registers {name} with:")
def step_register_with(context, name):
    onboarding = context.world.onboarding
    onboarding.register(name, **onboarding.details_from(name, detail_table(context.table)))


@given("{name} is a registered client")
def step_registered(context, name):
    context.world.onboarding.register(name)


@when("an operator tries to register {name} with:")
def step_try_register_with(context, name):
    onboarding = context.world.onboarding
    details = onboarding.details_from(name, detail_table(context.table))
    onboarding.attempt_registration(name, details)


@when('an operator tries to register {name} with {detail} "{value:Quoted}"')
def step_try_register_detail(context, name, detail, value):
    onboarding = context.world.onboarding
    onboarding.attempt_registration(name, onboarding.details_from(name, {detail: value}))


@when("an operator tries to register {name} with {other}'s email {variant}")
def step_try_register_email_variant(context, name, other, variant):
    onboarding = context.world.onboarding
    email = onboarding.email_of(other, variant)
    onboarding.attempt_registration(name, onboarding.details_from(name, {"email": email}))


@when("someone without a valid operator key tries to register {name}")
def step_register_without_key(context, name):
    onboarding = context.world.onboarding
    onboarding.attempt_registration(
        name, onboarding.default_details(name), operator_key="not-the-operator-key"
    )


@then("{name} is registered")
def step_is_registered(context, name):
    onboarding = context.world.onboarding
    assert_that(onboarding.clients_with_email(onboarding.email_of(name)), has_length(1))


@then("{name} is not registered")
def step_not_registered(context, name):
    onboarding = context.world.onboarding
    assert_that(onboarding.clients_with_email(onboarding.email_of(name)), empty())


@then("{name}'s client record shows:")
def step_record_shows(context, name):
    onboarding = context.world.onboarding
    expected = onboarding.details_from(name, detail_table(context.table))
    shown = {k: expected[k] for k in onboarding.details_from(name, {}) if k in expected}
    assert_that(onboarding.record_of(name), has_entries(shown))


@then("exactly one client is registered with {name}'s email")
def step_one_with_email(context, name):
    onboarding = context.world.onboarding
    assert_that(onboarding.clients_with_email(onboarding.email_of(name)), has_length(1))


@then("the registration is refused because the email is already registered")
def step_refused_duplicate(context):
    refusal = context.world.onboarding.last_refusal
    assert_that(refusal, is_not(none()), "the registration was accepted")
    assert_that(refusal.code, equal_to("email_already_registered"))


@then("the registration is refused because the caller is not an authenticated operator")
def step_refused_unauthenticated(context):
    refusal = context.world.onboarding.last_refusal
    assert_that(refusal, is_not(none()), "the registration was accepted")
    assert_that(refusal.code, equal_to("unauthenticated"))


@then("the registration is refused, listing these problems:")
def step_refused_problems(context):
    expected = {row["detail"]: row["problem"] for row in context.table}
    assert_that(context.world.onboarding.refusal_problems(), equal_to(expected))
