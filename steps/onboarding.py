from behave import given, then, when
from hamcrest import assert_that, empty, equal_to, has_entries, has_length, none

from support.dsl.onboarding import STEPS
from support.matchers import as_shown
from support.tables import detail_table

# -- registering ------------------------------------------------------------------------


@when("an operator registers {name:Name} with:")
def step_register_with(context, name):
    onboarding = context.world.onboarding
    onboarding.register(name, **onboarding.details_from(name, detail_table(context.table)))


@given("{name:Name} is a registered client")
def step_registered(context, name):
    context.world.onboarding.register(name)


@when("an operator tries to register {name:Name} with:")
def step_try_register_with(context, name):
    onboarding = context.world.onboarding
    details = onboarding.details_from(name, detail_table(context.table))
    onboarding.attempt_registration(name, details)


@when('an operator tries to register {name:Name} with {detail} "{value:Quoted}"')
def step_try_register_detail(context, name, detail, value):
    onboarding = context.world.onboarding
    onboarding.attempt_registration(name, onboarding.details_from(name, {detail: value}))


@when("an operator tries to register {name:Name} with {other:Name}'s email {variant}")
def step_try_register_email_variant(context, name, other, variant):
    onboarding = context.world.onboarding
    email = onboarding.email_of(other, variant)
    onboarding.attempt_registration(name, onboarding.details_from(name, {"email": email}))


@when("someone with an operator key that is {problem} tries to register {name:Name}")
def step_register_without_key(context, name, problem):
    onboarding = context.world.onboarding
    key = {"wrong": "not-the-operator-key", "missing": ""}[problem]
    onboarding.attempt_registration(name, onboarding.default_details(name), operator_key=key)


@when("an operator sends a registration of {name:Name} that is cut off in the middle")
def step_garbled(context, name):
    context.world.onboarding.attempt_garbled_registration(name)


@then("{name:Name} is registered")
def step_is_registered(context, name):
    onboarding = context.world.onboarding
    assert_that(onboarding.clients_with_email(onboarding.email_of(name)), has_length(1))


@then("{name:Name} is not registered")
def step_not_registered(context, name):
    onboarding = context.world.onboarding
    assert_that(onboarding.clients_with_email(onboarding.email_of(name)), empty())


@then("{name:Name}'s client record shows:")
def step_record_shows(context, name):
    expected = context.world.onboarding.details_from(name, detail_table(context.table))
    record = context.world.onboarding.record_of(name)
    assert_that(record, has_entries({k: as_shown(expected[k]) for k in expected if k in record}))


@then("exactly one client is registered with {name:Name}'s email")
def step_one_with_email(context, name):
    onboarding = context.world.onboarding
    assert_that(onboarding.clients_with_email(onboarding.email_of(name)), has_length(1))


@then("the registration is refused because {reason:Phrase}")
def step_registration_refused(context, reason):
    context.world.outcomes.assert_refused_because(reason)


@then("the registration is refused as {reason:Phrase}")
def step_registration_refused_as(context, reason):
    context.world.outcomes.assert_refused_because(reason)


@then("the registration is refused, listing these problems:")
def step_refused_problems(context):
    expected = {row["detail"]: row["problem"] for row in context.table}
    context.world.outcomes.assert_refused_listing(expected)


# -- signing in -------------------------------------------------------------------------


@when("{name:Name} signs in with their password")
def step_sign_in(context, name):
    context.world.onboarding.sign_in(name, expect="accepted")


@when("{name:Name}, who is not registered, signs in with a password")
def step_sign_in_unregistered(context, name):
    context.world.onboarding.sign_in(name)


@when("{name:Name} signs in with a wrong password")
def step_sign_in_wrong(context, name):
    context.world.onboarding.sign_in(name, password="not-the-password-at-all")


@then("{name:Name} sees their own client record")
def step_sees_own(context, name):
    onboarding = context.world.onboarding
    assert_that(onboarding.own_record(name), has_entries(email=onboarding.email_of(name)))


@then("{name:Name} must sign in again")
def step_must_sign_in(context, name):
    context.world.onboarding.own_record(name, expect="refused")
    context.world.outcomes.assert_refused_because(f"{name} must sign in again")


@then("the sign-in is refused because {reason:Phrase}")
def step_sign_in_refused(context, reason):
    context.world.outcomes.assert_refused_because(reason)


# -- the checklist ----------------------------------------------------------------------


@then("{name:Name}'s onboarding checklist shows:")
def step_checklist_shows(context, name):
    checklist = context.world.checklist
    expected = {STEPS[row["step"]]: row["done"] == "yes" for row in context.table}
    shown = checklist.checklist(name)
    assert_that(shown["steps"], equal_to(expected))
    assert_that(checklist.checklist_from_each_step(name), equal_to(shown["steps"]))


@then('{name:Name}\'s onboarding checklist shows "{step_words:Quoted}" not done')
def step_checklist_not_done(context, name, step_words):
    checklist = context.world.checklist
    steps = checklist.checklist(name)["steps"]
    expected = {key: key != STEPS[step_words] for key in STEPS.values()}
    assert_that(steps, equal_to(expected))
    assert_that(checklist.checklist_from_each_step(name), equal_to(steps))


@then("{name:Name}'s onboarding checklist shows the link needs authorisation again")
def step_checklist_reauth(context, name):
    checklist = context.world.checklist
    assert_that(checklist.shows_link_needs_authorisation_again(name), equal_to(True))


@then("{name:Name} is active")
def step_active(context, name):
    assert_that(context.world.checklist.status_of(name), equal_to(("active", "active")))


@then("{name:Name} is not active yet")
def step_not_active(context, name):
    statuses = context.world.checklist.status_of(name)
    assert_that(statuses, equal_to(("registered", "registered")))


@given('{name:Name} has done every onboarding step but "{step_words:Quoted}"')
def step_all_but(context, name, step_words):
    context.world.checklist.complete(name, skip=step_words)


@given("{name:Name} has done every onboarding step")
def step_all(context, name):
    context.world.checklist.complete(name)


# -- whose data -------------------------------------------------------------------------


@when("{viewer:Name} asks for {subject:Name}'s {resource:Holding}")
def step_asks_for(context, viewer, subject, resource):
    context.world.last = context.world.checklist.read(subject, resource, viewer=viewer)


@then("{viewer:Name} is told there is no such {resource:Holding}")
def step_no_such(context, viewer, resource):
    assert_that(context.world.last, none(), f"{viewer} was shown another client's {resource}")
    assert_that(context.world.outcomes.told_not_found(), equal_to(True), "not 'not found'")
