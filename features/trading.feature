@allure.label.epic:Trading
Feature: The trading cycle
  An active client's money is managed by their strategy: QuantDesk recommends the weight
  of every symbol they trade, proposes the orders that move their portfolio there,
  waits for an operator's approval when the client asked for it, and executes the orders
  at the client's brokerage. Every order is placed once, whatever is retried, and every
  fill is accounted for to the cent, so the platform's book and the brokerage's agree.

  Rule: An active client's recommendation weighs their tradable universe equally, capped, leaving their cash buffer

    @smoke @critical
    Scenario: Alice's recommendation weighs her universe equally and keeps her cash buffer
      Given Alice is an active client with 10,000.00 USD trading ACME, BOLT, CRUX and DYNO with:
        | preference              | value |
        | maximum position weight | 30 %  |
        | cash buffer             | 4 %   |
      When Alice asks for their recommendation
      Then Alice's recommendation is:
        | symbol | weight |
        | ACME   | 24 %   |
        | BOLT   | 24 %   |
        | CRUX   | 24 %   |
        | DYNO   | 24 %   |
      And Alice's recommendation keeps 4 % in cash

    @critical
    Scenario Outline: A maximum position weight of <cap> caps each weight at it, and what it leaves stays cash
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | <cap> |
        | cash buffer             | 0 %   |
      When Alice asks for their recommendation
      Then Alice's recommendation is:
        | symbol | weight   |
        | ACME   | <weight> |
        | BOLT   | <weight> |
      And Alice's recommendation keeps <cash> in cash

      Examples:
        | cap     | weight  | cash   |
        | 49.99 % | 49.99 % | 0.02 % |
        | 50 %    | 50 %    | 0 %    |
        | 50.01 % | 50 %    | 0 %    |

    @normal
    Scenario: An excluded symbol gets no weight
      Given Alice is an active client with 10,000.00 USD trading ACME, BOLT and CRUX with:
        | preference              | value |
        | excluded                | CRUX  |
        | maximum position weight | 100 % |
        | cash buffer             | 10 %  |
      When Alice asks for their recommendation
      Then Alice's recommendation is:
        | symbol | weight |
        | ACME   | 45 %   |
        | BOLT   | 45 %   |

    @critical
    Scenario: A client who has not funded their account gets no recommendation
      Given Alice has done every onboarding step but "funded the account"
      When Alice asks for their recommendation
      Then the recommendation is refused because Alice is not active yet

  Rule: A rebalance proposes whole-share orders at today's closes, within the cash there is after the buffer

    @smoke @critical
    Scenario: A first rebalance buys every target in whole shares and keeps the buffer in cash
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      When Alice proposes a rebalance
      Then the proposed orders are:
        | side | symbol | shares | price     |
        | buy  | ACME   | 118    | 40.00 USD |
        | buy  | BOLT   | 158    | 30.00 USD |
      And the rebalance is expected to leave Alice 540.00 USD in cash
      And the rebalance is expected to leave Alice holding:
        | symbol | shares |
        | ACME   | 118    |
        | BOLT   | 158    |
      And the rebalance is approved

  Rule: Buys spend at most the cash after the buffer and the brokerage's commission

    @critical @needs.controls
    Scenario Outline: A commission of <commission> an order leaves room for <shares> shares
      Given Alice is an active client with 10,000.00 USD trading ACME with:
        | preference              | value |
        | maximum position weight | 100 % |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
      And the brokerage charges Alice <commission> an order
      When Alice proposes a rebalance
      Then the proposed orders are:
        | side | symbol | shares   | price     |
        | buy  | ACME   | <shares> | 40.00 USD |
      And the rebalance is expected to leave Alice <cash> in cash

      Examples:
        | commission | shares | cash       |
        | 19.99 USD  | 237    | 500.01 USD |
        | 20.00 USD  | 237    | 500.00 USD |
        | 20.01 USD  | 236    | 539.99 USD |

    @critical @needs.controls
    Scenario: A sell's commission comes out of the cash it brings, before the buys are sized
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      And Alice's brokerage account moves to the next session
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 50.00 USD |
        | BOLT   | 30.00 USD |
      And the brokerage charges Alice 5.00 USD an order
      When Alice proposes a rebalance
      Then the proposed orders are:
        | side | symbol | shares | price     |
        | sell | ACME   | 12     | 50.00 USD |
        | buy  | BOLT   | 19     | 30.00 USD |
      And the rebalance is expected to leave Alice 560.00 USD in cash

    @critical @needs.controls
    Scenario: When cash is short, the most under-weight symbol is bought first
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      And Alice deposits 1,000.00 USD
      And Alice's brokerage account moves to the next session
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 35.00 USD |
        | BOLT   | 25.00 USD |
      And the brokerage charges Alice 20.00 USD an order
      When Alice proposes a rebalance
      Then the proposed orders are:
        | side | symbol | shares | price     |
        | buy  | BOLT   | 24     | 25.00 USD |
        | buy  | ACME   | 11     | 35.00 USD |
      And the rebalance is expected to leave Alice 515.00 USD in cash

  Rule: A dry run shows the fills a rebalance would get now, and changes nothing anywhere

    @critical @needs.controls
    Scenario: A dry run prices the orders at the closes of the moment, and nothing is sent or changed
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      When today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 41.00 USD |
        | BOLT   | 30.00 USD |
      And Alice dry-runs the rebalance
      Then the dry run of Alice's rebalance would fill:
        | side | symbol | shares | price     |
        | buy  | ACME   | 118    | 41.00 USD |
        | buy  | BOLT   | 158    | 30.00 USD |
      And the dry run would leave Alice 422.00 USD in cash
      And the brokerage has received no order from Alice
      And the rebalance is approved
      And Alice's portfolio holds 10,000.00 USD in cash

  Rule: Execution places each order once at the brokerage and accounts for every fill to the cent

    @smoke @critical
    Scenario: Alice's rebalance is executed and her portfolio holds what was bought
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      When Alice executes the rebalance
      Then the rebalance is executed
      And Alice's portfolio holds:
        | symbol | shares | average cost |
        | ACME   | 118    | 40.00 USD    |
        | BOLT   | 158    | 30.00 USD    |
      And Alice's portfolio holds 540.00 USD in cash
      And the brokerage has received 2 orders from Alice
      And each of Alice's orders shows the brokerage's own reference for it
      And the platform's book of Alice agrees with the brokerage

    @critical @needs.controls
    Scenario: Cash after the fills is the cash before, less what was bought and its commission, to the cent
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And the brokerage charges Alice 0.01 USD a share, at least 1.50 USD an order
      And Alice has proposed a rebalance
      When Alice executes the rebalance
      Then Alice's portfolio holds 536.92 USD in cash
      And Alice's portfolio shows 3.08 USD paid in commissions
      And the platform's book of Alice agrees with the brokerage

    @critical @needs.controls
    Scenario: The next session values the portfolio at its closes, and its rebalance trades only the drift, selling first
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      When Alice's brokerage account moves to the next session
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 50.00 USD |
        | BOLT   | 30.00 USD |
      Then Alice's portfolio is valued at:
        | symbol | shares | price     | market value | unrealised gain | weight  |
        | ACME   | 118    | 50.00 USD | 5,900.00 USD | 1,180.00 USD    | 52.77 % |
        | BOLT   | 158    | 30.00 USD | 4,740.00 USD | 0.00 USD        | 42.4 %  |
      When Alice proposes a rebalance
      Then the proposed orders are:
        | side | symbol | shares | price     |
        | sell | ACME   | 12     | 50.00 USD |
        | buy  | BOLT   | 19     | 30.00 USD |
      And the rebalance is expected to leave Alice 570.00 USD in cash
      And the rebalance is expected to leave Alice holding:
        | symbol | shares |
        | ACME   | 106    |
        | BOLT   | 177    |
      When Alice executes the rebalance
      Then Alice's portfolio shows 120.00 USD of realised gains
      And Alice's portfolio holds:
        | symbol | shares | average cost |
        | ACME   | 106    | 40.00 USD    |
        | BOLT   | 177    | 30.00 USD    |
      And Alice's portfolio holds 570.00 USD in cash
      And the platform's book of Alice agrees with the brokerage

    @critical @needs.controls
    Scenario: The P&L over the days shows each session's value, the day's gain and the gain since the start, net of deposits
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      When Alice's brokerage account moves to the next session
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 50.00 USD |
        | BOLT   | 30.00 USD |
      And Alice's brokerage account moves to the next session
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 45.00 USD |
        | BOLT   | 33.00 USD |
      And Alice deposits 1,000.00 USD
      Then Alice's P&L over the days is:
        | session    | value         | day's gain   | total gain   |
        | 2018-01-02 | 10,000.00 USD | 0.00 USD     | 0.00 USD     |
        | 2018-01-03 | 11,180.00 USD | 1,180.00 USD | 1,180.00 USD |
        | 2018-01-04 | 12,064.00 USD | -116.00 USD  | 1,064.00 USD |

    @critical
    Scenario: Executing again with the same request key answers the execution made and places nothing more
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      When Alice executes the rebalance again with the same request key
      Then the rebalance is executed
      And the brokerage has received 2 orders from Alice

    @critical
    Scenario: Twenty executions arriving at once place each order once
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      When 20 executions of Alice's rebalance arrive at the same moment
      Then exactly one of them executes the rebalance and the others are refused because the rebalance is being executed or the rebalance is executed
      And the brokerage has received 2 orders from Alice
      And the platform's book of Alice agrees with the brokerage

    @critical
    Scenario: A newer proposal supersedes the one before, which can no longer be executed
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And Alice has proposed a rebalance
      When Alice proposes a rebalance
      And Alice executes the earlier rebalance
      Then the execution is refused because the rebalance is superseded by a newer proposal
      And the brokerage has received no order from Alice
      When Alice executes the rebalance
      Then the rebalance is executed
      And Alice's rebalances are, oldest first:
        | state                          |
        | superseded by a newer proposal |
        | executed                       |

    @critical
    Scenario: Two proposals for one client at the same moment do not both trade
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      When 2 proposals for Alice arrive at the same moment
      Then executing each of them executes exactly one, and the others are refused because the rebalance is superseded by a newer proposal
      And the brokerage has received 2 orders from Alice
      And the platform's book of Alice agrees with the brokerage

    @critical
    Scenario: An executed rebalance is not executed a second time
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      When Alice executes the rebalance
      Then the execution is refused because the rebalance is executed
      And the brokerage has received 2 orders from Alice

    @critical @needs.controls
    Scenario: A rebalance proposed at yesterday's closes is not executed today
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And Alice has proposed a rebalance
      When Alice's brokerage account moves to the next session
      And Alice executes the rebalance
      Then the execution is refused because the prices it was proposed at are no longer current
      And the brokerage has received no order from Alice

    @critical @needs.controls
    Scenario: A brokerage unavailable before the first order leaves the rebalance to execute later
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And the brokerage will fail Alice's next order
      When Alice executes the rebalance
      Then the execution is refused because the brokerage is unavailable
      And the rebalance is approved
      And the brokerage has received no order from Alice
      When Alice executes the rebalance
      Then the rebalance is executed
      And the brokerage has received 2 orders from Alice

  Rule: An execution can run in the background, counting its orders as its progress, and a cancel sends no further order

    @critical
    Scenario: Alice's rebalance executed in the background reports its progress and ends executed
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And Alice has proposed a rebalance
      When Alice executes the rebalance in the background
      And Alice executes the rebalance in the background again with the same request key
      Then the answer is the execution already under way
      And the execution ran in the background and its progress reached 100 % without going back
      And the rebalance is executed
      And the brokerage has received 2 orders from Alice
      And the platform's book of Alice agrees with the brokerage

    @critical
    Scenario Outline: The rebalance of a client trading <orders> is executed <how>
      Given Alice is an active client with 100,000.00 USD trading <orders>
      And Alice has proposed a rebalance
      When Alice executes the rebalance
      Then the rebalance was executed <how>
      And the rebalance is executed
      And the platform's book of Alice agrees with the brokerage

      Examples:
        | orders                                                    | how               |
        | as many symbols as the platform executes orders at once   | at once           |
        | one symbol more than the platform executes orders at once | in the background |

    @critical @needs.controls
    Scenario: A cancelled execution sends no further order, and the rebalance says how far it went
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And the brokerage takes 800 ms over each of Alice's orders
      And Alice has proposed a rebalance
      When Alice executes the rebalance in the background
      And an operator cancels the execution while its first order is at the brokerage
      Then the execution ends as cancelled
      And the rebalance is partly executed
      And the rebalance's reason is that the execution was cancelled; 1 of 2 orders not sent
      And the brokerage has received one order from Alice
      And Alice's portfolio holds:
        | symbol | shares | average cost |
        | ACME   | 118    | 40.00 USD    |
      And the platform's book of Alice agrees with the brokerage

  Rule: After a lost answer the book is repaired from the brokerage's orders, never by placing one again

    @critical @needs.controls
    Scenario: An order placed whose answer was lost is found by its reference, and the rest is executed after
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And the brokerage will place Alice's next order and lose its answer
      When Alice executes the rebalance
      Then the execution is refused because the brokerage is unavailable
      And the platform's book of Alice differs from the brokerage's in:
        | what     | symbol | platform | brokerage |
        | position | ACME   | 0        | 118       |
        | cash     |        | 10000.00 | 5280.00   |
      When an operator repairs Alice's book from the brokerage
      Then the repair recorded the fills of one order
      And the platform's book of Alice agrees with the brokerage
      And the brokerage has received one order from Alice
      When Alice executes the rebalance
      Then the rebalance is executed
      And the brokerage has received 2 orders from Alice
      And the platform's book of Alice agrees with the brokerage

    @critical @needs.controls
    Scenario: Executing again after a lost answer finds the order by its reference instead of placing it, and places the rest
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And the brokerage will place Alice's next order and lose its answer
      When Alice executes the rebalance
      Then the execution is refused because the brokerage is unavailable
      When Alice executes the rebalance
      Then the rebalance is executed
      And the brokerage has received 2 orders from Alice
      And Alice's portfolio holds:
        | symbol | shares | average cost |
        | ACME   | 118    | 40.00 USD    |
        | BOLT   | 158    | 30.00 USD    |
      And the platform's book of Alice agrees with the brokerage

  Rule: After failures in a row the platform stops calling the brokerage for a cool-down, then one trial call decides

    @critical @needs.controls @exclusive
    Scenario Outline: Executions failing <tries> leave the circuit to the brokerage <state>
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And Alice has proposed a rebalance
      And the brokerage's trading desk is down for Alice
      When Alice tries to execute the rebalance <tries>
      Then every try was refused because the brokerage is unavailable
      And the circuit to the brokerage is <state>
      And the rebalance is approved

      Examples:
        | tries                                            | state  |
        | one time fewer than it takes to open the circuit | closed |
        | as often as it takes to open the circuit         | open   |

    @critical @needs.controls @exclusive
    Scenario: An open circuit fails fast while the brokerage recovers, and the first execution after the cool-down closes it
      Given the platform's clock is stopped
      And Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And the brokerage's trading desk is down for Alice
      And Alice has tried to execute the rebalance as often as it takes to open the circuit
      When the brokerage's trading desk is back for Alice
      And the platform's clock reaches one second before the circuit's cool-down ends
      And Alice executes the rebalance
      Then the execution is refused because the brokerage is unavailable
      And Alice is told to try again when the circuit's cool-down ends
      And the circuit to the brokerage is open
      And the brokerage has received no order from Alice
      And the rebalance is approved
      When the platform's clock reaches the moment the circuit's cool-down ends
      And Alice executes the rebalance
      Then the rebalance is executed
      And the circuit to the brokerage is closed
      And the brokerage has received 2 orders from Alice

    @critical @needs.controls
    Scenario: An outage in the middle of a rebalance loses no order, and the next rebalance trades what was not sent
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And the brokerage's trading desk goes down for Alice after her first order
      When Alice executes the rebalance
      Then the rebalance is partly executed
      And the rebalance's reason is that the brokerage became unavailable; 1 orders not confirmed
      And the brokerage has received one order from Alice
      When the brokerage's trading desk is back for Alice
      Then the platform's book of Alice agrees with the brokerage
      When Alice proposes a rebalance
      Then the proposed orders are:
        | side | symbol | shares | price     |
        | buy  | BOLT   | 158    | 30.00 USD |

  Rule: An order's fill is recorded whole or not at all: a failure half-way leaves nothing to repair twice

    @critical @needs.controls
    Scenario: A failure half-way through recording a fill keeps none of it, stops the rebalance, and the repair records it once
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And the platform will fail half-way through recording Alice's next fill
      When Alice executes the rebalance
      Then the rebalance is failed
      And the brokerage has received one order from Alice
      And Alice's portfolio holds 10,000.00 USD in cash
      And the platform's book of Alice differs from the brokerage's in:
        | what     | symbol | platform | brokerage |
        | position | ACME   | 0        | 118       |
        | cash     |        | 10000.00 | 5280.00   |
      When an operator repairs Alice's book from the brokerage
      Then the platform's book of Alice agrees with the brokerage
      And Alice's portfolio holds:
        | symbol | shares | average cost |
        | ACME   | 118    | 40.00 USD    |
      And Alice's portfolio holds 5,280.00 USD in cash

  Rule: What the brokerage fills, rejects or leaves open is recorded order by order, and the rebalance says how far it went

    @critical @needs.controls
    Scenario: Orders the brokerage fills only in part leave the rebalance partly executed, and the book agrees
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And the brokerage fills only 50 % of each of Alice's orders
      And Alice has proposed a rebalance
      When Alice executes the rebalance
      Then the rebalance is partly executed
      And Alice's portfolio holds:
        | symbol | shares | average cost |
        | ACME   | 59     | 40.00 USD    |
        | BOLT   | 79     | 30.00 USD    |
      And Alice's portfolio holds 5,270.00 USD in cash
      And the platform's book of Alice agrees with the brokerage
      When an operator repairs Alice's book from the brokerage
      Then the repair recorded no fill

    @critical @needs.controls
    Scenario: A rebalance leaves the brokerage's open orders of an earlier one alone
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And the brokerage fills only 50 % of each of Alice's orders
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      When Alice proposes a rebalance
      And Alice executes the rebalance
      Then the brokerage has 4 open orders of Alice
      And the platform's book of Alice agrees with the brokerage

    @critical @needs.controls
    Scenario: An order the brokerage rejects is recorded with its reason, and the rest is executed
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And the brokerage rejects Alice's orders of BOLT because trading in it is halted
      And Alice has proposed a rebalance
      When Alice executes the rebalance
      Then the rebalance is partly executed
      And Alice's order to buy BOLT was rejected by the brokerage because trading in it is halted
      And the rebalance gives as its reason that BOLT was rejected because trading in it is halted
      And Alice's portfolio holds:
        | symbol | shares | average cost |
        | ACME   | 118    | 40.00 USD    |
      And Alice's portfolio holds 5,280.00 USD in cash
      And the platform's book of Alice agrees with the brokerage

  Rule: The platform's own limits deny an order before it reaches the brokerage

    @critical @needs.controls
    Scenario Outline: An order worth <worth>, <where> the largest order allowed, is sent
      Given Alice is an active client with <cash> trading ACME with:
        | preference              | value |
        | maximum position weight | 100 % |
        | cash buffer             | 0 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close      |
        | ACME   | 100.00 USD |
      And Alice has proposed a rebalance
      When Alice executes the rebalance
      Then the rebalance is executed
      And the brokerage has received one order from Alice

      Examples:
        | worth          | where           | cash           |
        | 250,000.00 USD | exactly at      | 250,000.00 USD |
        | 249,900.00 USD | one share under | 249,900.00 USD |

    @critical @needs.controls
    Scenario: An order one share over the largest order allowed is denied and never reaches the brokerage
      Given Alice is an active client with 250,100.00 USD trading ACME with:
        | preference              | value |
        | maximum position weight | 100 % |
        | cash buffer             | 0 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close      |
        | ACME   | 100.00 USD |
      And Alice has proposed a rebalance
      When Alice executes the rebalance
      Then the rebalance is failed
      And Alice's order to buy ACME was denied by the platform because it is worth more than the largest order allowed
      And the brokerage has received no order from Alice
      And Alice's portfolio holds 250,100.00 USD in cash

    @critical @needs.controls
    Scenario Outline: A buy that costs <cost>, <where> the cash there is, <outcome>
      Given Alice is an active client with 10,000.00 USD trading ACME with:
        | preference              | value |
        | maximum position weight | 100 % |
        | cash buffer             | 0 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
      And Alice has proposed a rebalance
      When today Alice's brokerage account trades at these closes:
        | symbol | close   |
        | ACME   | <close> |
      And Alice executes the rebalance
      Then the rebalance is <state>
      And Alice's order to buy ACME <order>

      Examples:
        | cost          | where                  | close     | outcome   | state    | order                                                                   |
        | 9,997.50 USD  | one cent a share under | 39.99 USD | is sent   | executed | was filled                                                              |
        | 10,000.00 USD | exactly at             | 40.00 USD | is sent   | executed | was filled                                                              |
        | 10,002.50 USD | one cent a share over  | 40.01 USD | is denied | failed   | was denied by the platform because it costs more than the cash there is |

    @critical @needs.controls
    Scenario: A buy of a symbol excluded since the proposal is denied, and the rest is sent
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      When Alice excludes BOLT from her universe
      And Alice executes the rebalance
      Then the rebalance is partly executed
      And Alice's order to buy BOLT was denied by the platform because the symbol is not in the client's universe
      And Alice's order to buy ACME was filled
      And the brokerage has received one order from Alice

    @critical @needs.controls
    Scenario Outline: A buy that would weigh <weight> of the portfolio, <where> the maximum position weight, <outcome>
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 0 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 40.00 USD |
      And Alice has proposed a rebalance
      When today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | <close>   |
        | BOLT   | 40.00 USD |
      And Alice executes the rebalance
      Then Alice's order to buy ACME <order>

      Examples:
        | weight  | where                 | close     | outcome   | order                                                                                             |
        | 50 %    | exactly at            | 40.00 USD | is sent   | was filled                                                                                        |
        | 50.01 % | one cent a share over | 40.01 USD | is denied | was denied by the platform because the position would weigh more than the maximum position weight |

    @critical
    Scenario Outline: A first rebalance of <cash> buys <what>, against the smallest order of 1.00 USD
      Given Alice is an active client with <cash> trading ACME with:
        | preference              | value |
        | maximum position weight | 100 % |
        | cash buffer             | 0 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close   |
        | ACME   | <close> |
      When Alice proposes a rebalance
      Then <orders>

      Examples:
        | cash     | close    | what                                 | orders                               |
        | 0.99 USD | 0.99 USD | nothing: one share is worth 0.99 USD | the rebalance proposes no order      |
        | 1.00 USD | 1.00 USD | one share, worth exactly the minimum | the rebalance proposes to buy 1 ACME |

    @critical @needs.controls
    Scenario Outline: A sell of one share worth <close> <outcome>, against the smallest order of 1.00 USD
      Given Alice is an active client with 2.00 USD trading ACME with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 0 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close    |
        | ACME   | 0.50 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      And today Alice's brokerage account trades at these closes:
        | symbol | close   |
        | ACME   | <close> |
      When Alice proposes a rebalance
      Then <orders>

      Examples:
        | close    | outcome         | orders                                |
        | 0.99 USD | is not proposed | the rebalance proposes no order       |
        | 1.00 USD | is proposed     | the rebalance proposes to sell 1 ACME |

    @critical @needs.controls
    Scenario: A price that moved since the proposal denies a buy that would weigh more than the maximum position weight
      Given Alice is an active client with 10,000.00 USD trading ACME with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 0 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
      And Alice has proposed a rebalance
      When today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 50.00 USD |
      And Alice executes the rebalance
      Then the rebalance is failed
      And Alice's order to buy ACME was denied by the platform because the position would weigh more than the maximum position weight
      And the brokerage has received no order from Alice
      And Alice's portfolio holds 10,000.00 USD in cash

  Rule: A day's loss beyond the client's daily loss limit halts her buying until an operator resumes her trading

    @critical @needs.controls
    Scenario Outline: A day's loss of 1,180.00 USD against a daily loss limit of <limit> leaves Alice's trading <state>
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And an operator has set Alice's daily loss limit to <limit>
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      When Alice's brokerage account moves to the next session
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 30.00 USD |
        | BOLT   | 30.00 USD |
      And Alice proposes a rebalance
      And Alice executes the rebalance
      Then Alice's trading is <state>
      And Alice's order to sell BOLT was filled
      And Alice's order to buy ACME <buy>
      And the platform's book of Alice agrees with the brokerage

      Examples:
        | limit        | state  | buy                                                  |
        | 1,179.99 USD | halted | was denied by the platform because trading is halted |
        | 1,180.00 USD | active | was filled                                           |
        | 1,180.01 USD | active | was filled                                           |

    @critical @needs.controls
    Scenario: An operator resumes a halted client's trading with a reason, and her next buy is sent
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And an operator has set Alice's daily loss limit to 1,000.00 USD
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      And Alice's brokerage account moves to the next session
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 30.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      And Alice's trading is halted
      And Alice's daily loss limit is 1,000.00 USD
      When an operator resumes Alice's trading because the loss was reviewed with the client
      Then Alice's trading is active
      And Alice's risk trail is, oldest first:
        | what                 | by       | why                                                                                                         |
        | daily loss limit set | operator | daily loss limit 1000.00: the client's mandate                                                              |
        | trading halted       | platform | the day's loss of 1180.00 since the close of the previous session is beyond the daily loss limit of 1000.00 |
        | trading resumed      | operator | the loss was reviewed with the client                                                                       |
      When Alice proposes a rebalance
      And Alice executes the rebalance
      Then Alice's order to buy ACME was filled
      And the platform's book of Alice agrees with the brokerage

    @critical @needs.controls
    Scenario: A halt lasts into the next sessions until an operator resumes trading
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And an operator has set Alice's daily loss limit to 1,000.00 USD
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      And Alice's brokerage account moves to the next session
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 30.00 USD |
        | BOLT   | 30.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      When Alice's brokerage account moves to the next session
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 30.00 USD |
        | BOLT   | 30.00 USD |
      And Alice proposes a rebalance
      And Alice executes the rebalance
      Then Alice's trading is halted
      And Alice's order to buy ACME was denied by the platform because trading is halted

    @normal
    Scenario: Trading that is not halted cannot be resumed
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      Then resuming Alice's trading is refused because Alice's trading is not halted

  Rule: An operator closes out a portfolio through the same approval and execution, leaving cash only

    @critical @needs.controls
    Scenario: Closing out sells every position, cancels what the brokerage still has open, and leaves cash only
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference              | value |
        | maximum position weight | 50 %  |
        | cash buffer             | 5 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
        | BOLT   | 30.00 USD |
      And the brokerage fills only 50 % of each of Alice's orders
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      And the brokerage fills Alice's orders in full
      When an operator closes out Alice's portfolio
      Then the proposed orders are:
        | side | symbol | shares | price     |
        | sell | ACME   | 59     | 40.00 USD |
        | sell | BOLT   | 79     | 30.00 USD |
      When Alice executes the rebalance
      Then the rebalance is executed
      And Alice's portfolio holds no position
      And Alice's portfolio holds 10,000.00 USD in cash
      And the brokerage has no open order of Alice
      And the platform's book of Alice agrees with the brokerage

    @critical @needs.controls
    Scenario: Closing out sells even a position worth less than the smallest order
      Given Alice is an active client with 40.00 USD trading ACME with:
        | preference              | value |
        | maximum position weight | 100 % |
        | cash buffer             | 0 %   |
      And today Alice's brokerage account trades at these closes:
        | symbol | close     |
        | ACME   | 40.00 USD |
      And Alice has proposed a rebalance
      And Alice has executed the rebalance
      And today Alice's brokerage account trades at these closes:
        | symbol | close    |
        | ACME   | 0.99 USD |
      When an operator closes out Alice's portfolio
      Then the proposed orders are:
        | side | symbol | shares | price    |
        | sell | ACME   | 1      | 0.99 USD |
      When Alice executes the rebalance
      Then the rebalance is executed
      And Alice's portfolio holds no position
      And Alice's portfolio holds 0.99 USD in cash

  Rule: A rebalance that needs approval waits for an operator, who approves or rejects it with a reason

    @critical
    Scenario: Alice's rebalance waits for approval, then is executed once approved
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference         | value    |
        | rebalance approval | required |
      And Alice has proposed a rebalance
      When Alice executes the rebalance
      Then the execution is refused because the rebalance is waiting for approval
      When an operator approves Alice's rebalance
      And Alice executes the rebalance
      Then the rebalance is executed
      And the rebalance's history is, oldest first:
        | from                 | to                   | by         |
        |                      | proposed             | the client |
        | proposed             | waiting for approval | the client |
        | waiting for approval | approved             | operator   |
        | approved             | being executed       | the client |
        | being executed       | executed             | the client |

    @critical
    Scenario: A rejected rebalance is never executed
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference         | value    |
        | rebalance approval | required |
      And Alice has proposed a rebalance
      When an operator rejects Alice's rebalance because it trades too much at once
      And Alice executes the rebalance
      Then the execution is refused because the rebalance is rejected
      And the rebalance's history shows it was rejected by an operator because it trades too much at once
      And the brokerage has received no order from Alice

    @normal
    Scenario: A rebalance that needs no approval cannot be approved again
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT
      And Alice has proposed a rebalance
      When an operator approves Alice's rebalance
      Then the approval is refused because the rebalance is approved

  Rule: A rebalance not executed within its lifetime expires, to the second

    @critical @needs.controls @exclusive
    Scenario Outline: A rebalance waiting for approval <moment>
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference         | value    |
        | rebalance approval | required |
      And the platform's clock is stopped
      And Alice has proposed a rebalance
      Then Alice's rebalance lasts 1 hour
      When the platform's clock reaches <when> Alice's rebalance expires
      Then the rebalance is <state>

      Examples:
        | moment                                        | when              | state                |
        | is still waiting one second before it expires | one second before | waiting for approval |
        | has expired at the moment it expires          | the moment        | expired              |

    @critical @needs.controls @exclusive
    Scenario: An expired rebalance is not approved
      Given Alice is an active client with 10,000.00 USD trading ACME and BOLT with:
        | preference         | value    |
        | rebalance approval | required |
      And the platform's clock is stopped
      And Alice has proposed a rebalance
      When the platform's clock reaches the moment Alice's rebalance expires
      And an operator approves Alice's rebalance
      Then the approval is refused because the rebalance is expired
