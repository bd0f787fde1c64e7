from behave import given, step, then, when
from hamcrest import (
    assert_that,
    contains_inanyorder,
    empty,
    equal_to,
    greater_than,
    has_length,
)

from support import glossary
from support.dsl.client_setup import fraction_text
from support.dsl.funding import amount_text
from support.dsl.trading import money_words
from support.glossary import BATCH_STATES
from support.tables import detail_table


def _trading(context):
    return context.world.trading


@given("{name:Name} is an active client with {cash:Money} trading {symbols:Symbols} with:")
def step_active_client_with(context, name, cash, symbols):
    preferences = detail_table(context.table)
    _trading(context).become_active(name, cash, ", ".join(symbols), preferences)


@given("{name:Name} is an active client with {cash:Money} trading {symbols:Symbols}")
def step_active_client(context, name, cash, symbols):
    _trading(context).become_active(name, cash, ", ".join(symbols))


@step("today {name:Name}'s brokerage account trades at these closes:")
def step_closes(context, name):
    _trading(context).set_closes(name, detail_table(context.table))


@step("{name:Name}'s brokerage account moves to the next session")
def step_next_session(context, name):
    context.world.brokerage.next_session(name)


@given(
    "the brokerage charges {name:Name} {per_share:Money} a share, at least {minimum:Money} an order"
)
def step_commission(context, name, per_share, minimum):
    context.world.brokerage.charge_commission(name, amount_text(per_share), amount_text(minimum))


@given("the brokerage fills only {percent:Percent} of each of {name:Name}'s orders")
def step_fill_only(context, percent, name):
    context.world.brokerage.fill_only(name, fraction_text(percent))


@given("the brokerage rejects {name:Name}'s orders of {symbol:Symbol} because {reason:Phrase}")
def step_reject_orders(context, name, symbol, reason):
    trading = _trading(context)
    context.world.brokerage.reject_orders_of(name, trading.ticker(symbol), reason)


@then(
    "{name:Name}'s order to {side:Side} {symbol:Symbol} was rejected by the brokerage "
    "because {reason:Phrase}"
)
def step_order_rejected(context, name, side, symbol, reason):
    order = _trading(context).order_of(name, side, symbol)
    assert_that((order["status"], order["message"]), equal_to(("rejected", reason)))


@given("the brokerage will place {name:Name}'s next order and lose its answer")
def step_lose_answer(context, name):
    context.world.brokerage.lose_next_answer(name)


@when("an operator repairs {name:Name}'s book from the brokerage")
def step_repair(context, name):
    _trading(context).repair(name)


@then("the repair recorded the fills of one order")
def step_repaired_one(context):
    assert_that(_trading(context).repaired["repaired_orders"], equal_to(1))


@then("the repair recorded no fill")
def step_repaired_none(context):
    assert_that(_trading(context).repaired["repaired_orders"], equal_to(0))


@then("the platform's book of {name:Name} differs from the brokerage's in:")
def step_book_differs(context, name):
    expected = [dict(r.as_dict()) for r in context.table]
    assert_that(_trading(context).difference_rows(name), contains_inanyorder(*expected))


@then(
    "{name:Name}'s order to {side:Side} {symbol:Symbol} was denied by the platform "
    "because {reason:Phrase}"
)
def step_order_denied(context, name, side, symbol, reason):
    order = _trading(context).order_of(name, side, symbol)
    expected = ("denied", glossary.check_denial(reason))
    assert_that((order["status"], glossary.denial_words(order["denied_limit"])), equal_to(expected))


@step("the brokerage fills {name:Name}'s orders in full")
def step_fill_in_full(context, name):
    context.world.brokerage.fill_only(name, "1")


@when("an operator closes out {name:Name}'s portfolio")
def step_close_out(context, name):
    _trading(context).close_out(name)


@then("{name:Name}'s portfolio holds no position")
def step_no_position(context, name):
    assert_that(_trading(context).portfolio(name)["positions"], empty())


@then("the brokerage has no open order of {name:Name}")
def step_no_open_order(context, name):
    assert_that(context.world.brokerage.open_orders_of(name), empty())


@given("the brokerage charges {name:Name} {per_order:Money} an order")
def step_commission_per_order(context, name, per_order):
    context.world.brokerage.charge_commission(name, per_order=amount_text(per_order))


@given("the brokerage will fail {name:Name}'s next order")
def step_fail_next_order(context, name):
    context.world.brokerage.fail_next_orders(name, 1)


@when("{name:Name} asks for their recommendation")
def step_recommend(context, name):
    _trading(context).recommend(name)


@then("{name:Name}'s recommendation is:")
def step_recommendation_is(context, name):
    expected = detail_table(context.table)
    assert_that(_trading(context).weights(name), equal_to(expected))


@then("{name:Name}'s recommendation keeps {percent:Percent} in cash")
def step_recommendation_cash(context, name, percent):
    assert_that(_trading(context).cash_weight(name), equal_to(percent))


@then("the recommendation is refused because {reason:Phrase}")
@then("the execution is refused because {reason:Phrase}")
@then("the approval is refused because {reason:Phrase}")
def step_refused_because(context, reason):
    context.world.outcomes.assert_refused_because(reason)


@when("{name:Name} proposes a rebalance")
def step_propose(context, name):
    _trading(context).propose(name)


@given("{name:Name} has proposed a rebalance")
def step_has_proposed(context, name):
    _trading(context).propose(name, expect="accepted")


@then("the proposed orders are:")
def step_proposed_orders(context):
    trading = _trading(context)
    rows = trading.order_rows(trading.outcomes.about)
    expected = [dict(row.as_dict()) for row in context.table]
    sides = [row["side"] for row in rows]
    assert_that(sides, equal_to(sorted(sides, key=lambda side: side != "sell")))
    assert_that(rows, contains_inanyorder(*expected))


@then("the rebalance is expected to leave {name:Name} {cash:Money} in cash")
def step_expected_cash(context, name, cash):
    assert_that(money_words(_trading(context).batches[name]["cash_after"]), equal_to(cash))


@then("the rebalance is expected to leave {name:Name} holding:")
def step_expected_holdings(context, name):
    expected = detail_table(context.table)
    assert_that(_trading(context).expected_holdings(name), equal_to(expected))


@then("the rebalance is {state:BatchState}")
def step_rebalance_is(context, state):
    trading = _trading(context)
    status = trading.batch(trading.outcomes.about)["status"]
    assert_that(BATCH_STATES.get(status, status), equal_to(state))


@when("an operator approves {name:Name}'s rebalance")
def step_approve(context, name):
    _trading(context).decide(name, approve=True)


@when("an operator rejects {name:Name}'s rebalance because {reason:Phrase}")
def step_reject(context, name, reason):
    _trading(context).decide(name, approve=False, reason=reason, expect="accepted")


@then("the rebalance's history shows it was rejected by an operator because {reason:Phrase}")
def step_history(context, reason):
    trading = _trading(context)
    trail = trading.batch(trading.outcomes.about)["transitions"]
    rejected = [t for t in trail if t["to"] == "rejected"]
    assert_that([(t["by"], t["reason"]) for t in rejected], equal_to([("operator", reason)]))


@when("{name:Name} dry-runs the rebalance")
def step_dry_run(context, name):
    _trading(context).dry_run(name)


@then("the dry run of {name:Name}'s rebalance would fill:")
def step_dry_fills(context, name):
    rows = _trading(context).dry_fill_rows(name)
    assert_that(rows, contains_inanyorder(*[dict(r.as_dict()) for r in context.table]))


@then("the dry run would leave {name:Name} {cash:Money} in cash")
def step_dry_cash(context, name, cash):
    assert_that(money_words(_trading(context).dry_runs[name]["cash_after"]), equal_to(cash))


@when("{name:Name} executes the rebalance")
def step_execute(context, name):
    _trading(context).execute(name)


@when("{name:Name} executes the earlier rebalance")
def step_execute_earlier(context, name):
    _trading(context).execute(name, earlier=True)


@given("{name:Name} has executed the rebalance")
def step_has_executed(context, name):
    _trading(context).execute(name, expect="accepted")


@when("{name:Name} executes the rebalance again with the same request key")
def step_execute_again(context, name):
    _trading(context).execute(name, same_key=True, expect="accepted")


@when("{count:d} executions of {name:Name}'s rebalance arrive at the same moment")
def step_execute_simultaneously(context, count, name):
    _trading(context).execute_simultaneously(name, count)


@then(
    "exactly one of them executes the rebalance and the others are refused because {reason:Phrase}"
)
def step_exactly_one_executes(context, reason):
    executed, reasons = _trading(context).simultaneous_outcomes()
    assert_that(executed, equal_to(["executed"]))
    allowed = {glossary.check_reason(words) for words in reason.split(" or ")}
    assert_that(set(reasons) - allowed, empty())


@then("{name:Name}'s portfolio holds:")
def step_portfolio_holds(context, name):
    trading = _trading(context)
    rows = trading.holding_rows(trading.portfolio(name))
    assert_that(rows, contains_inanyorder(*[dict(r.as_dict()) for r in context.table]))


@then("{name:Name}'s portfolio is valued at:")
def step_portfolio_valued(context, name):
    rows = _trading(context).valuation_rows(name)
    assert_that(rows, contains_inanyorder(*[dict(r.as_dict()) for r in context.table]))


@then("{name:Name}'s portfolio shows {amount:Money} of realised gains")
def step_realised(context, name, amount):
    assert_that(money_words(_trading(context).portfolio(name)["realised_pnl"]), equal_to(amount))


@then("{name:Name}'s rebalances are, oldest first:")
def step_rebalances_are(context, name):
    expected = [row["state"] for row in context.table]
    assert_that(_trading(context).states_of_rebalances(name), equal_to(expected))


@then("{name:Name}'s portfolio holds {cash:Money} in cash")
def step_portfolio_cash(context, name, cash):
    assert_that(money_words(_trading(context).portfolio(name)["cash"]), equal_to(cash))


@then("{name:Name}'s portfolio shows {amount:Money} paid in commissions")
def step_commissions(context, name, amount):
    assert_that(money_words(_trading(context).portfolio(name)["commissions"]), equal_to(amount))


@then("the brokerage has received {count:d} orders from {name:Name}")
def step_orders_received(context, count, name):
    assert_that(_trading(context).orders_at_brokerage(name), has_length(count))


@then("the brokerage has received one order from {name:Name}")
def step_one_order_received(context, name):
    assert_that(_trading(context).orders_at_brokerage(name), has_length(1))


@then("the brokerage has received no order from {name:Name}")
def step_no_order_received(context, name):
    assert_that(_trading(context).orders_at_brokerage(name), empty())


@then("the platform's book of {name:Name} agrees with the brokerage")
def step_book_agrees(context, name):
    assert_that(_trading(context).differences_with_brokerage(name), empty())


@then("{name:Name}'s order to {side:Side} {symbol:Symbol} was filled")
def step_order_filled(context, name, side, symbol):
    order = _trading(context).order_of(name, side, symbol)
    shown = (order["status"], order["denied_limit"], order["filled_price"] is not None)
    assert_that(shown, equal_to(("filled", None, True)))


@given("an operator has set {name:Name}'s daily loss limit to {limit:Money}")
def step_daily_loss_limit(context, name, limit):
    _trading(context).set_daily_loss_limit(name, limit)


@step("{name:Name}'s trading is {state:TradingState}")
def step_trading_state(context, name, state):
    risk = _trading(context).risk(name)
    # A halt always says why; active trading has no halt reason.
    shown = (risk["trading"], risk["halted_reason"] is not None)
    assert_that(shown, equal_to((state, state == "halted")))


@step("{name:Name}'s daily loss limit is {limit:Money}")
def step_daily_loss_limit_is(context, name, limit):
    assert_that(_trading(context).risk(name)["daily_loss_limit"], equal_to(amount_text(limit)))


@when("an operator resumes {name:Name}'s trading because {reason:Phrase}")
def step_resume(context, name, reason):
    _trading(context).resume_trading(name, reason)


@then("resuming {name:Name}'s trading is refused because {reason:Phrase}")
def step_resume_refused(context, name, reason):
    _trading(context).resume_trading(name, "no reason to", expect="refused")
    context.world.outcomes.assert_refused_because(glossary.check_reason(reason))


@then("{name:Name}'s risk trail is, oldest first:")
def step_risk_trail(context, name):
    expected = [dict(r.as_dict()) for r in context.table]
    assert_that(_trading(context).risk_trail_rows(name), equal_to(expected))


@given("the platform will fail half-way through recording {name:Name}'s next fill")
def step_fail_recording(context, name):
    _trading(context).fail_recording_next_fill(name)


@step("the brokerage's trading desk is down for {name:Name}")
def step_desk_down(context, name):
    context.world.brokerage.desk_down(name)


@given("the brokerage's trading desk goes down for {name:Name} after her first order")
def step_desk_down_after_first(context, name):
    context.world.brokerage.desk_down(name, after_orders=1)


@step("the brokerage's trading desk is back for {name:Name}")
def step_desk_back(context, name):
    context.world.brokerage.desk_back(name)


@step("{name:Name} tries to execute the rebalance {tries:CircuitTries}")
@step("{name:Name} has tried to execute the rebalance {tries:CircuitTries}")
def step_try_execute(context, name, tries):
    context.world.brokerage_circuit.try_execute(name, tries)


@then("every try was refused because {reason:Phrase}")
def step_every_try_refused(context, reason):
    refusals = context.world.brokerage_circuit.refusals
    assert_that(refusals, has_length(greater_than(0)))
    assert_that(set(refusals), equal_to({glossary.check_reason(reason)}))


@then("the circuit to the brokerage is {state:CircuitState}")
def step_circuit_state(context, state):
    circuit = context.world.brokerage_circuit.view()
    # An open circuit says since when; a closed one has no opening.
    shown = (circuit["state"].replace("_", " "), circuit["opened_at"] is not None)
    assert_that(shown, equal_to((state, state != "closed")))


@then("{name:Name} is told to try again when the circuit's cool-down ends")
def step_retry_at(context, name):
    circuit = context.world.brokerage_circuit
    refusal = context.world.outcomes.last_refusal()
    assert_that(circuit.retry_at(refusal), equal_to(circuit.cool_down_ends()))


@when("the platform's clock reaches one second before the circuit's cool-down ends")
def step_before_cool_down_ends(context):
    context.world.brokerage_circuit.reach_end_of_cool_down(seconds_before=1)


@when("the platform's clock reaches the moment the circuit's cool-down ends")
def step_cool_down_ends(context):
    context.world.brokerage_circuit.reach_end_of_cool_down()


@then("{name:Name}'s P&L over the days is:")
def step_pnl_over_days(context, name):
    expected = [dict(r.as_dict()) for r in context.table]
    assert_that(_trading(context).pnl_rows(name), equal_to(expected))


@when("{name:Name} executes the rebalance in the background")
def step_execute_in_background(context, name):
    _trading(context).execute_in_background(name)


@when("{name:Name} executes the rebalance in the background again with the same request key")
def step_execute_in_background_again(context, name):
    _trading(context).execute_in_background(name, same_key=True)


@then("the answer is the execution already under way")
def step_same_operation(context):
    trading = _trading(context)
    assert_that(trading.answered_again["id"], equal_to(trading.operations.current["id"]))


@then("the execution ran in the background and its progress reached 100 % without going back")
def step_execution_progress(context):
    operation = _trading(context).await_execution()
    seen = context.world.operations.progress_seen
    assert_that(operation["status"], equal_to("succeeded"))
    assert_that((seen[-1], seen), equal_to((100.0, sorted(seen))))


@given("the brokerage takes {milliseconds:d} ms over each of {name:Name}'s orders")
def step_slow_orders(context, milliseconds, name):
    context.world.brokerage.slow_orders(name, milliseconds)


@when("an operator cancels the execution while its first order is at the brokerage")
def step_cancel_execution(context):
    _trading(context).cancel_execution_during_first_order()


@then("the execution ends as cancelled")
def step_execution_cancelled(context):
    assert_that(context.world.operations.current["status"], equal_to("cancelled"))


@given("{name:Name} is an active client with {cash:Money} trading {many:ManySymbols}")
def step_active_with_many(context, name, cash, many):
    _trading(context).become_active_with_many(name, cash, one_more=many.startswith("one"))


@then("the rebalance was executed {how:ExecutedHow}")
def step_executed_how(context, how):
    trading = _trading(context)
    shown = "in the background" if trading.in_background[trading.outcomes.about] else "at once"
    assert_that(shown, equal_to(how))


@when("{name:Name} excludes {symbol:Symbol} from her universe")
def step_exclude(context, name, symbol):
    _trading(context).exclude(name, symbol)


@when("{count:d} proposals for {name:Name} arrive at the same moment")
def step_propose_simultaneously(context, count, name):
    _trading(context).propose_simultaneously(name, count)


@then(
    "executing each of them executes exactly one, and the others are refused because "
    "{reason:Phrase}"
)
def step_one_of_the_proposals_executes(context, reason):
    trading = _trading(context)
    executed, reasons = trading.execute_each_proposed_together(trading.outcomes.about)
    refused = len(trading.proposed_together) - 1
    assert_that((executed, reasons), equal_to((1, [glossary.check_reason(reason)] * refused)))


@then("the rebalance's history is, oldest first:")
def step_history_table(context):
    trading = _trading(context)
    expected = [dict(r.as_dict()) for r in context.table]
    assert_that(trading.history_rows(trading.outcomes.about), equal_to(expected))


@then("the rebalance gives as its reason that {symbol:Symbol} was rejected because {reason:Phrase}")
def step_batch_reason(context, symbol, reason):
    trading = _trading(context)
    batch = trading.batch(trading.outcomes.about)
    assert_that(batch["reason"], equal_to(f"{trading.ticker(symbol)}: {reason}"))


@then("the rebalance proposes no order")
def step_no_order(context):
    trading = _trading(context)
    assert_that(trading.batches[trading.outcomes.about]["orders"], empty())


@then("the rebalance proposes to {side:Side} {shares:d} {symbol:Symbol}")
def step_proposes_one(context, side, shares, symbol):
    trading = _trading(context)
    rows = trading.order_rows(trading.outcomes.about)
    assert_that(
        [(r["side"], r["shares"], r["symbol"]) for r in rows],
        equal_to([(side, str(shares), symbol)]),
    )


@then("the brokerage has {count:d} open orders of {name:Name}")
def step_open_orders(context, count, name):
    assert_that(context.world.brokerage.open_orders_of(name), has_length(count))


@then("each of {name:Name}'s orders shows the brokerage's own reference for it")
def step_references(context, name):
    assert_that(_trading(context).references_agree(name), equal_to(True))


@then("the rebalance's reason is that {reason:Phrase}")
def step_batch_reason_words(context, reason):
    trading = _trading(context)
    assert_that(trading.batch(trading.outcomes.about)["reason"], equal_to(reason))
