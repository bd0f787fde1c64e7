"""Loading daily bars from operators' files, reading them back, and the quality of each
load: steps of features/market_data.feature."""

from datetime import date

from behave import given, then, when
from hamcrest import (
    all_of,
    assert_that,
    contains_string,
    empty,
    equal_to,
    greater_than,
    has_entries,
    has_item,
    instance_of,
    less_than,
)

from support import datasets
from support.dsl.market_data import rule_name
from support.tables import table_to_frame


def _dates(table) -> list[date]:
    return [date.fromisoformat(d) for d in table_to_frame(table)["session"]]


@when("an operator makes an incremental load of the {source:Symbol} history of {period:Period}")
def step_incremental(context, source, period):
    context.world.market_data.load_history(source, period, kind="incremental")


@when("an operator makes a backfill load of the {source:Symbol} history of {period:Period}")
def step_backfill(context, source, period):
    context.world.market_data.load_history(source, period, kind="backfill")


@when("{count:d} operators load the {source:Symbol} history of {period:Period} at the same time")
def step_simultaneous(context, count, source, period):
    context.world.market_data.load_simultaneously(count, source, period)


@when(
    'an operator loads these daily bars of {symbol:Symbol}, the one of session "{session:Quoted}" '
    'under the symbol "{written:Quoted}":'
)
def step_load_bars_one_under(context, symbol, session, written):
    context.world.market_data.load_bars_with_one_under(
        symbol, table_to_frame(context.table), session, written
    )


@when("an operator loads a file of exactly the upload limit for {symbol:Symbol}")
def step_load_at_limit(context, symbol):
    context.world.market_data.load_file_at_upload_limit(symbol)


@when("an operator tries to load a file one byte over the upload limit for {symbol:Symbol}")
def step_try_oversized(context, symbol):
    context.world.market_data.attempt_oversized_load(symbol)


@then("the load stores {inserted:d} new bars and skips the {skipped:d} sessions it was not for")
def step_stored_and_skipped(context, inserted, skipped):
    counts = context.world.market_data.last_run
    assert_that(counts, has_entries(inserted=inserted, skipped=skipped, updated=0, unchanged=0))


@then("every load succeeds")
def step_every_load_succeeds(context):
    for outcome in context.world.market_data.simultaneous:
        assert_that(outcome, instance_of(dict))
        assert_that(outcome, has_entries(status="succeeded"))


@then("exactly one load stores the bars and the others find them unchanged")
def step_one_stores(context):
    runs = context.world.market_data.simultaneous
    inserted = sorted(r["inserted"] for r in runs)
    assert_that(inserted[:-1], equal_to([0] * (len(runs) - 1)))
    assert_that(inserted[-1], greater_than(0))
    assert_that(
        [r["inserted"] + r["unchanged"] for r in runs], equal_to([inserted[-1]] * len(runs))
    )


@then("{symbols:Symbols} each have a bar for every NYSE session of {period:Period}")
def step_each_every_session(context, symbols, period):
    expected = datasets.exchange_sessions(*datasets.parse_period(period))
    for symbol in symbols:
        assert_that(context.world.market_data.stored_sessions(symbol), equal_to(expected), symbol)


@then("{symbols:Symbols} have no bars")
def step_none_have_bars(context, symbols):
    for symbol in symbols:
        assert_that(context.world.market_data.stored_sessions(symbol), empty(), symbol)


@given("{symbol:Symbol} has closed at {close} on each of {count:d} sessions from {first:Date}")
def step_flat_history(context, symbol, close, count, first):
    context.world.market_data.load_flat_history(symbol, close, count, first)


@then('the quality report counts {rows:d} row breaking the "{rule}" rule')
def step_quality_counts(context, rows, rule):
    assert_that(context.world.market_data.rules_counted(), has_entries({rule_name(rule): rows}))


@when("an operator loads the {source:Symbol} history of {period:Period} without these sessions:")
def step_load_history_without(context, source, period):
    context.world.market_data.load_history(source, period, without=_dates(context.table))


@when("an operator loads the {source:Symbol} history of {period:Period} again")
def step_load_history_again(context, source, period):
    context.world.market_data.load_history(source, period)


@given("the {source:Symbol} history of {period:Period} has been loaded")
@when("an operator loads the {source:Symbol} history of {period:Period}")
def step_load_history(context, source, period):
    context.world.market_data.load_history(source, period)


@when("an operator loads these daily bars of {symbol:Symbol}:")
def step_load_bars(context, symbol):
    context.world.market_data.load_bars(symbol, table_to_frame(context.table))


@when("an operator loads a bar under a symbol {words}")
def step_load_described_symbol(context, words):
    context.world.market_data.load_bar_under_described_symbol(words)


@then("the bar is stored under that symbol in capitals")
def step_stored_in_capitals(context):
    md = context.world.market_data
    assert_that(md.stored_under_described_symbol(), equal_to([md.described_symbol.upper()]))


@when(
    "an operator loads a correction of the {symbol:Symbol} bar of {session:Date} closing at {close}"
)
def step_correct(context, symbol, session, close):
    context.world.market_data.correct_close(symbol, session, close)


@when("an operator tries to load {file:NotBars} for {symbol:Symbol}")
def step_try_load(context, file, symbol):
    context.world.market_data.attempt_load(file, symbol)


@then("the load succeeds with every bar stored")
def step_all_stored(context):
    run = context.world.market_data.last_run
    assert_that(
        run, has_entries(status="succeeded", inserted=run["received"], rejected=0, skipped=0)
    )


@then("the load reports how long it took, in milliseconds")
def step_duration(context):
    md = context.world.market_data
    assert_that(md.last_run["duration_ms"], all_of(greater_than(0), less_than(md.waited_ms)))


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


@then('the row set aside, of session "{session:Quoted}", is row {number:d} of the file')
def step_quarantined_row_number(context, session, number):
    assert_that(context.world.market_data.quarantined_row_number(session), equal_to(number))


@then('the row of session "{session:Quoted}" is set aside for breaking the "{rule}" rule')
def step_quarantined(context, session, rule):
    assert_that(context.world.market_data.quarantined_rules(session), has_item(rule_name(rule)))


@then("{symbol:Symbol} has a bar for every NYSE session of {period:Period} and no other")
def step_every_session(context, symbol, period):
    expected = datasets.exchange_sessions(*datasets.parse_period(period))
    assert_that(context.world.market_data.stored_sessions(symbol), equal_to(expected))


@then("{symbol:Symbol} has bars for exactly these sessions:")
def step_exact_sessions(context, symbol):
    stored = context.world.market_data.stored_sessions(symbol)
    assert_that(stored, equal_to(_dates(context.table)))


@then("{symbol:Symbol} has no bars")
def step_no_bars(context, symbol):
    assert_that(context.world.market_data.stored_sessions(symbol), empty())


@then("the {symbol:Symbol} bar of {session:Date} closes at {close}")
def step_closes_at(context, symbol, session, close):
    bar = context.world.market_data.bar(symbol, session)
    assert_that(float(bar["close"]), equal_to(float(close)))


@then('the load is refused because "{reason:Quoted}"')
def step_refused(context, reason):
    assert_that(context.world.outcomes.stated_reason("the load"), contains_string(reason))


@then("the load is refused because {reason:Phrase}")
def step_load_refused_because(context, reason):
    context.world.outcomes.assert_refused_because(reason)


@then("the refused load is on record as failed")
def step_refused_on_record(context):
    assert_that(context.world.market_data.refused_run(), has_entries(status="failed", inserted=0))


@then("the quality report of the load lists these missing {symbol:Symbol} sessions:")
def step_gaps(context, symbol):
    missing = context.world.market_data.missing_sessions(symbol)
    assert_that(missing, equal_to(_dates(context.table)))
