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
    has_length,
    instance_of,
    is_not,
    less_than,
    none,
    not_none,
)

from support import datasets
from support.dsl.market_data import rule_name
from support.tables import table_to_frame


def _dates(table) -> list[date]:
    return [date.fromisoformat(d) for d in table_to_frame(table)["session"]]


@when("an operator makes an incremental load of the {source:Symbol} history of {period:Period}")
def step_incremental(context, source, period):
    context.world.market_data.load_kind(source, period, "incremental")


@when("an operator makes a backfill load of the {source:Symbol} history of {period:Period}")
def step_backfill(context, source, period):
    context.world.market_data.load_kind(source, period, "backfill")


@when("{count:d} operators load the {source:Symbol} history of {period:Period} at the same time")
def step_simultaneous(context, count, source, period):
    context.world.market_data.load_simultaneously(count, source, period)


@when("an operator loads the {source:Symbol} history of {period:Period} from the brokerage")
def step_load_from_broker(context, source, period):
    context.world.market_data.load_from_broker([source], period)


@when("an operator loads the {sources:Symbols} histories of {period:Period} from the brokerage")
def step_load_many_from_broker(context, sources, period):
    context.world.market_data.load_from_broker(sources, period)


@when(
    "an operator starts loading the {sources:Symbols} histories of {period:Period} "
    "from the brokerage"
)
def step_start_load(context, sources, period):
    context.world.market_data.start_load_from_broker(sources, period)


@when(
    'an operator tries to load the "{symbol:Quoted}" history of {period:Period} from the brokerage'
)
def step_try_load_symbol_from_broker(context, symbol, period):
    context.world.market_data.attempt_load_from_broker(symbol, period)


@then('the load is refused because "{symbol:Quoted}" breaks the symbol rule')
def step_refused_symbol(context, symbol):
    problems = context.world.market_data.symbol_refusal()
    assert_that(problems, has_length(1), "refused, but not for breaking the symbol rule")
    assert_that(problems[0]["message"], contains_string("symbol rule"))
    assert_that(problems[0]["message"], contains_string(symbol))


@then('nothing is stored for "{symbol:Quoted}"')
def step_nothing_stored(context, symbol):
    assert_that(context.world.market_data.nothing_stored_for(symbol), empty())


@when(
    'an operator loads these daily bars of {symbol:Symbol}, the one of session "{session:Quoted}" '
    'under the symbol "{written:Quoted}":'
)
def step_load_bars_one_under(context, symbol, session, written):
    context.world.market_data.load_bars_with_one_under(
        symbol, table_to_frame(context.table), session, written
    )


@when("an operator tries to load the {source:Symbol} history of {period:Period} from the brokerage")
def step_try_load_from_broker(context, source, period):
    context.world.market_data.attempt_load_from_broker(source, period)


@when("an operator loads a file of exactly the upload limit for {symbol:Symbol}")
def step_load_at_limit(context, symbol):
    context.world.market_data.load_file_at_upload_limit(symbol)


@when("an operator tries to load a file one byte over the upload limit for {symbol:Symbol}")
def step_try_oversized(context, symbol):
    context.world.market_data.attempt_oversized_load(symbol)


@when("the operator cancels the load")
def step_cancel(context):
    context.world.market_data.cancel_load()


@given("the momentum features of {symbol:Symbol} have been read")
def step_read_features(context, symbol):
    context.world.market_data.read_features(symbol)


@when(
    "the momentum features of {symbols:Symbols} are split {train:d}/{validation:d}/{test:d} "
    "into training, validation and test"
)
def step_split(context, symbols, train, validation, test):
    fractions = {"train": train / 100, "validation": validation / 100, "test": test / 100}
    context.world.market_data.split(symbols, fractions)


@when(
    "the momentum features of {symbols:Symbols} are split {train:d}/{validation:d}/{test:d} "
    "with {gap:d} sessions left out between the parts"
)
def step_split_gap(context, symbols, train, validation, test, gap):
    fractions = {"train": train / 100, "validation": validation / 100, "test": test / 100}
    context.world.market_data.split(symbols, fractions, gap=gap)


@then(
    "{count:d} sessions of {symbol:Symbol} lie between training and validation, "
    "and between validation and test"
)
def step_split_gaps(context, count, symbol):
    assert_that(context.world.market_data.sessions_between_parts(symbol), equal_to([count, count]))


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


@then("the stored {symbol:Symbol} closes of {period:Period} are those of the real {series}")
def step_real_closes(context, symbol, period, series):
    md = context.world.market_data
    assert_that(md.stored_closes(symbol, period), equal_to(md.real_closes(symbol, period)))


@then("the load completed at once, not in the background")
def step_at_once(context):
    assert_that(context.world.market_data.operation, none())


@then("the load ran in the background and its progress reached 100 % without going back")
def step_background_progress(context):
    md = context.world.market_data
    assert_that(md.operation, has_entries(status="succeeded", done=True))
    assert_that(md.progress_seen[-1], equal_to(100.0))
    assert_that(md.progress_seen, equal_to(sorted(md.progress_seen)))


@then("the load ends as cancelled")
def step_cancelled(context):
    assert_that(context.world.market_data.operation, has_entries(status="cancelled", done=True))


@then("{symbols:Symbols} each have a bar for every NYSE session of {period:Period}")
def step_each_every_session(context, symbols, period):
    expected = datasets.exchange_sessions(*datasets.parse_period(period))
    for symbol in symbols:
        assert_that(context.world.market_data.stored_sessions(symbol), equal_to(expected), symbol)


@then("{symbols:Symbols} have no bars")
def step_none_have_bars(context, symbols):
    for symbol in symbols:
        assert_that(context.world.market_data.stored_sessions(symbol), empty(), symbol)


@then(
    "{symbol:Symbol}'s indicators of {period:Period} start after their warm-up "
    "and cover every later session"
)
def step_warmup(context, symbol, period):
    panel = context.world.market_data.indicator_panel(symbol, period)
    assert_that(context.world.market_data.warmup_problems(panel), equal_to({}))


@then("every {kind} of {symbol:Symbol} over {period:Period} agrees with its definition:")
def step_agrees_with_definitions(context, kind, symbol, period):
    served, problems = context.world.market_data.served_by_definition(kind, symbol, period)
    assert_that(sorted(served), equal_to(sorted(row[kind] for row in context.table)))
    assert_that(problems, equal_to({}))


@when("an operator asks for the momentum features of {symbols:Symbols} over {period:Period}")
def step_ask_features(context, symbols, period):
    rows = context.world.market_data.feature_rows_over(symbols, period)
    context.world.last = rows


@then("the momentum features of {count:d} {sessions_noun} are served")
def step_features_served(context, count, sessions_noun):
    rows = context.world.last
    assert_that(rows, not_none(), "the request was refused")
    assert_that(len({row["session"] for row in rows}), equal_to(count))


@then("the request for features is refused because {reason:Phrase}")
def step_features_refused(context, reason):
    context.world.outcomes.assert_refused_because(reason)


@given("{symbol:Symbol} has closed at {close} on each of {count:d} sessions from {first:Date}")
def step_flat_history(context, symbol, close, count, first):
    context.world.market_data.load_flat_history(symbol, close, count, first)


@when("an operator asks for the {label:Indicator} of {symbol:Symbol} over {period:Period}")
def step_ask_indicator(context, label, symbol, period):
    context.world.last = context.world.market_data.indicator_of_period(symbol, label, period)


@then("it is served as defined for every session")
def step_indicator_as_defined(context):
    assert_that(context.world.last, is_not(none()), "the indicator was refused")
    assert_that(context.world.last, equal_to({}))


@then("it is refused as an indicator the platform does not offer")
def step_indicator_refused(context):
    reason = "the indicator is not one of the accepted values"
    context.world.outcomes.assert_refused_because(reason)


@then('the quality report counts {rows:d} row breaking the "{rule}" rule')
def step_quality_counts(context, rows, rule):
    assert_that(context.world.market_data.rules_counted(), has_entries({rule_name(rule): rows}))


@then("the momentum labels of {symbol:Symbol} are:")
def step_labels(context, symbol):
    words = {1: "yes", 0: "no", None: "not known yet"}
    shown = {s: words[label] for s, label in context.world.market_data.labels(symbol).items()}
    assert_that(shown, equal_to({row["session"]: row["next session up"] for row in context.table}))


@then("no momentum feature row of {symbol:Symbol} up to {day:Date} has changed")
def step_no_feature_change(context, symbol, day):
    assert_that(context.world.market_data.feature_changes(symbol, day), empty())


@then("the momentum row of {symbol:Symbol} for {day:Date} was unlabelled and now has its label")
def step_label_filled(context, symbol, day):
    md = context.world.market_data
    assert_that(md.feature_label(symbol, day), none())
    assert_that(md.feature_label(symbol, day, fresh=True), not_none())


@then(
    "every training session comes before every validation session, "
    "and those before every test session"
)
def step_split_order(context):
    parts = context.world.market_data.last_split["parts"]
    order = [
        parts[p][k]
        for p in ("train", "validation", "test")
        for k in ("first_session", "last_session")
    ]
    assert_that(order, equal_to(sorted(order)))
    assert_that(len(set(order)), equal_to(6))


@then("the parts hold {train:d} %, {validation:d} % and {test:d} % of the sessions")
def step_split_sizes(context, train, validation, test):
    split = context.world.market_data.last_split
    n = split["sessions"]
    expected = [n * train // 100, n * validation // 100]
    expected.append(n - sum(expected))
    got = [split["parts"][p]["sessions"] for p in ("train", "validation", "test")]
    assert_that(got, equal_to(expected))


@then("each session's rows of {symbols:Symbols} are in the same part")
def step_split_together(context, symbols):
    parts = context.world.market_data.last_split["parts"].values()
    count = len(symbols)
    assert_that([p["rows"] for p in parts], equal_to([p["sessions"] * count for p in parts]))


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


@given(
    "the closes of the StockCharts ChartSchool {example} example "
    "have been loaded as {symbol:Symbol}:"
)
def step_load_example(context, example, symbol):
    context.world.market_data.load_worked_example(symbol, table_to_frame(context.table))


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


@then(
    "the platform's {indicator:Indicator} of {symbol:Symbol} agrees with the worked example "
    "to the cent"
)
def step_indicator_agrees(context, indicator, symbol):
    platform, example = context.world.market_data.indicator_vs_example(indicator)
    assert_that(platform, equal_to(example))
