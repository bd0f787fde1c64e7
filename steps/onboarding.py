from behave import given, then, when
from hamcrest import assert_that, empty, equal_to, has_entries, has_length, is_not, none

from support.matchers import as_shown
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


@when("someone with an operator key that is {problem} tries to register {name}")
def step_register_without_key(context, name, problem):
    onboarding = context.world.onboarding
    key = {"wrong": "not-the-operator-key", "missing": ""}[problem]
    onboarding.attempt_registration(name, onboarding.default_details(name), operator_key=key)


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
    expected = context.world.onboarding.details_from(name, detail_table(context.table))
    record = context.world.onboarding.record_of(name)
    assert_that(record, has_entries({k: as_shown(expected[k]) for k in expected if k in record}))


@then("exactly one client is registered with {name}'s email")
def step_one_with_email(context, name):
    onboarding = context.world.onboarding
    assert_that(onboarding.clients_with_email(onboarding.email_of(name)), has_length(1))


@then("the registration is refused because the email is already registered")
def step_refused_duplicate(context):
    refusal = context.world.onboarding.last_refusal
    assert_that(refusal, is_not(none()), "the registration was accepted")
    assert_that(refusal.code, equal_to("email_already_registered"))


@when("an operator sends a registration of {name} that is cut off in the middle")
def step_garbled(context, name):
    context.world.onboarding.attempt_garbled_registration(name)


@then("the registration is refused as unreadable")
def step_refused_unreadable(context):
    refusal = context.world.onboarding.last_refusal
    assert_that(refusal, is_not(none()), "the registration was accepted")
    assert_that(refusal.code, equal_to("malformed_request"))


@then("the registration is refused because the caller is not an authenticated operator")
def step_refused_unauthenticated(context):
    refusal = context.world.onboarding.last_refusal
    assert_that(refusal, is_not(none()), "the registration was accepted")
    assert_that(refusal.code, equal_to("unauthenticated"))


@then("the registration is refused, listing these problems:")
def step_refused_problems(context):
    expected = {row["detail"]: row["problem"] for row in context.table}
    assert_that(context.world.onboarding.refusal_problems(), equal_to(expected))


@when("{name} signs in with their password")
def step_sign_in(context, name):
    assert_that(context.world.onboarding.sign_in(name), equal_to(True), "the sign-in was refused")


@when("{name}, who is not registered, signs in with a password")
def step_sign_in_unregistered(context, name):
    context.world.onboarding.sign_in(name)


@when("{name} signs in with a wrong password")
def step_sign_in_wrong(context, name):
    context.world.onboarding.sign_in(name, password="not-the-password-at-all")


@then("{name} sees their own client record")
def step_sees_own(context, name):
    onboarding = context.world.onboarding
    assert_that(onboarding.own_record(name), has_entries(email=onboarding.email_of(name)))


@then("{name} must sign in again")
def step_must_sign_in(context, name):
    refusal = context.world.onboarding.own_record_refusal(name)
    assert_that(refusal, is_not(none()), f"{name}'s sign-in was still accepted")
    assert_that(refusal.code, equal_to("invalid_token"))


@then("the sign-in is refused because the email or password is wrong")
def step_sign_in_refused(context):
    refusal = context.world.onboarding.last_refusal
    assert_that(refusal, is_not(none()), "the sign-in was accepted")
    assert_that(refusal.code, equal_to("invalid_credentials"))
