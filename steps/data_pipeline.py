from datetime import date

import parse
from behave import given, register_type, then, when
from hamcrest import (
    assert_that,
    contains_string,
    empty,
    equal_to,
    has_entries,
    has_item,
    is_not,
    none,
)

from support import datasets
from support.dsl.market_data import rule_name
from support.tables import table_to_frame


@parse.with_pattern(r"\d{4}-\d{2}-\d{2}")
def parse_iso_date(text: str) -> date:
    return date.fromisoformat(text)


register_type(IsoDate=parse_iso_date)


def _dates(table) -> list[date]:
    return [date.fromisoformat(d) for d in table_to_frame(table)["session"]]


@when("an operator loads the {source} history of {period} without these sessions:")
def step_load_history_without(context, source, period):
    context.world.market_data.load_history(source, period, without=_dates(context.table))


@when("an operator loads the {source} history of {period} again")
def step_load_history_again(context, source, period):
    context.world.market_data.load_history(source, period)


@given("the {source} history of {period} has been loaded")
@when("an operator loads the {source} history of {period}")
def step_load_history(context, source, period):
    context.world.market_data.load_history(source, period)


@when("an operator loads these daily bars of {symbol}:")
def step_load_bars(context, symbol):
    context.world.market_data.load_bars(symbol, table_to_frame(context.table))


@when("an operator loads a correction of the {symbol} bar of {session:IsoDate} closing at {close}")
def step_correct(context, symbol, session, close):
    context.world.market_data.correct_close(symbol, session, close)


@when("an operator tries to load {file} for {symbol}")
def step_try_load(context, file, symbol):
    context.world.market_data.attempt_load(file, symbol)


@given("the closes of the StockCharts ChartSchool {example} example have been loaded as {symbol}:")
def step_load_example(context, example, symbol):
    context.world.market_data.load_worked_example(symbol, table_to_frame(context.table))


@then("the load succeeds with every bar stored")
def step_all_stored(context):
    run = context.world.market_data.last_run
    assert_that(run, has_entries(status="succeeded", inserted=run["received"], rejected=0))


@then("the load stores {stored:d} {bars_noun} and sets {rejected:d} {rows_noun} aside")
def step_stored_and_rejected(context, stored, bars_noun, rejected, rows_noun):
    counts = context.world.market_data.run_counts()
    assert_that(counts, has_entries(inserted=stored, rejected=rejected))


@then("the load finds all {count:d} bars unchanged and stores none")
def step_all_unchanged(context, count):
    counts = context.world.market_data.run_counts()
    assert_that(counts, equal_to({"received": count, "inserted": 0, "updated": 0,
                                  "unchanged": count, "rejected": 0}))  # fmt: skip


@then("the load counts {updated:d} bar updated and stores no new bar")
def step_updated(context, updated):
    counts = context.world.market_data.run_counts()
    assert_that(counts, has_entries(updated=updated, inserted=0, rejected=0))


@then('the row of session "{session:Quoted}" is set aside for breaking the "{rule}" rule')
def step_quarantined(context, session, rule):
    assert_that(context.world.market_data.quarantined_rules(session), has_item(rule_name(rule)))


@then("{symbol} has a bar for every NYSE session of {period} and no other")
def step_every_session(context, symbol, period):
    expected = datasets.exchange_sessions(*datasets.parse_period(period))
    assert_that(context.world.market_data.stored_sessions(symbol), equal_to(expected))


@then("{symbol} has bars for exactly these sessions:")
def step_exact_sessions(context, symbol):
    stored = context.world.market_data.stored_sessions(symbol)
    assert_that(stored, equal_to(_dates(context.table)))


@then("{symbol} has no bars")
def step_no_bars(context, symbol):
    assert_that(context.world.market_data.stored_sessions(symbol), empty())


@then("the {symbol} bar of {session:IsoDate} closes at {close}")
def step_closes_at(context, symbol, session, close):
    bar = context.world.market_data.bar(symbol, session)
    assert_that(float(bar["close"]), equal_to(float(close)))


@then('the load is refused because "{reason}"')
def step_refused(context, reason):
    refusal = context.world.market_data.last_refusal
    assert_that(refusal, is_not(none()), "the load was accepted")
    assert_that(refusal.details.get("reason", ""), contains_string(reason))


@then("the refused load is on record as failed")
def step_refused_on_record(context):
    assert_that(context.world.market_data.refused_run(), has_entries(status="failed", inserted=0))


@then("the quality report of the load lists these missing {symbol} sessions:")
def step_gaps(context, symbol):
    missing = context.world.market_data.missing_sessions(symbol)
    assert_that(missing, equal_to(_dates(context.table)))


@then("the platform's {indicator} of {symbol} agrees with the worked example to the cent")
def step_indicator_agrees(context, indicator, symbol):
    platform, example = context.world.market_data.indicator_vs_example(indicator)
    assert_that(platform, equal_to(example))
