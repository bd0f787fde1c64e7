@allure.label.epic:Security
Feature: Who may open each door of the platform
  Everything the platform offers is a door: reading or changing a client's data,
  loading market data, signing in. Each door opens to some callers only: to anyone
  (health, sign-in, the brokerage's answer to a link), to a client and the operators
  for that client's own data, to a signed-in client for their own record, or to
  operators only. A client must never learn that another client exists, let alone
  change their data, and a refused caller changes nothing. The access matrix records
  who may open each door; a new door without a row in it fails this specification
  until someone decides who may open it.

  Rule: Every door of the platform is in the access matrix

    @blocker
    Scenario: Every door of the platform is in the access matrix
      When the platform's contract is read
      Then the access matrix has a row for every door it lists and for no other door

  Rule: To another client, a client's data does not exist

    @critical
    Scenario Outline: Bob cannot <action> <resource>
      Given the platform holds <resource>
      And Bob is a signed-in client
      When Bob tries to <action> <resource>
      Then Bob is answered as if Alice did not exist
      And nothing has changed in <resource>

      Examples:
        | action    | resource                     |
        | read      | Alice's client record        |
        | read      | Alice's onboarding checklist |
        | change    | Alice's preferences          |
        | read      | Alice's preferences          |
        | change    | Alice's strategy             |
        | read      | Alice's strategy             |
        | start     | Alice's brokerage link       |
        | read      | Alice's brokerage link       |
        | read      | Alice's brokerage account    |
        | add to    | Alice's deposits             |
        | read      | Alice's deposits             |
        | read      | Alice's recommendation       |
        | propose   | Alice's rebalance            |
        | read      | Alice's rebalances           |
        | read      | Alice's rebalance            |
        | dry-run   | Alice's rebalance            |
        | execute   | Alice's rebalance            |
        | read      | Alice's portfolio            |
        | reconcile | Alice's portfolio            |
        | read      | Alice's portfolio history    |
        | read      | Alice's trading risk         |

  Rule: Only operators open the back office; a signed-in client is refused

    @critical
    Scenario Outline: A signed-in client cannot <action> <resource>
      Given the platform holds <resource>
      And Bob is a signed-in client
      When Bob tries to <action> <resource>
      Then Bob is refused as not an operator
      And nothing has changed in <resource>

      Examples:
        | action    | resource                            |
        | add to    | the register of clients             |
        | search    | the register of clients             |
        | load      | a symbol's daily bars               |
        | read      | a symbol's daily bars               |
        | read      | a symbol's indicators               |
        | read      | the market data limits              |
        | read      | the trading limits                  |
        | read      | a market data load                  |
        | read      | a market data load's quarantine     |
        | read      | a market data load's quality report |
        | read      | the published feature sets          |
        | read      | a feature set                       |
        | read      | a feature set's rows                |
        | read      | a feature set's split               |
        | read      | an operation                        |
        | cancel    | an operation                        |
        | approve   | a client's rebalance                |
        | reject    | a client's rebalance                |
        | repair    | a client's book                     |
        | close out | a client's portfolio                |
        | set       | a client's daily loss limit         |
        | resume    | a client's trading                  |
        | start     | a model's training                  |
        | read      | the training limits                 |
        | read      | the registered models               |
        | read      | a model                             |
        | read      | a model version                     |
        | read      | a model version's backtest          |
        | read      | a model's alias                     |
        | move      | a model's alias                     |
        | roll back | a model's alias                     |
        | ask       | a model's predictions               |

      @needs.controls
      Examples: The test controls
        | action | resource                   |
        | read   | the platform's clock       |
        | stop   | the platform's clock       |
        | read   | a client's injected faults |
        | arm    | a client's injected faults |
        | read   | a model's files            |
        | damage | a model version's file     |

  Rule: Every door but the public ones refuses a caller who has not signed in

    @critical
    Scenario Outline: Someone who has not signed in cannot <action> <resource>
      Given the platform holds <resource>
      When someone who has not signed in tries to <action> <resource>
      Then they are refused until they sign in
      And nothing has changed in <resource>

      Examples: A client's own data
        | action    | resource                     |
        | read      | a client's own record        |
        | read      | Alice's client record        |
        | read      | Alice's onboarding checklist |
        | change    | Alice's preferences          |
        | read      | Alice's preferences          |
        | change    | Alice's strategy             |
        | read      | Alice's strategy             |
        | start     | Alice's brokerage link       |
        | read      | Alice's brokerage link       |
        | read      | Alice's brokerage account    |
        | add to    | Alice's deposits             |
        | read      | Alice's deposits             |
        | read      | Alice's recommendation       |
        | propose   | Alice's rebalance            |
        | read      | Alice's rebalances           |
        | read      | Alice's rebalance            |
        | dry-run   | Alice's rebalance            |
        | execute   | Alice's rebalance            |
        | read      | Alice's portfolio            |
        | reconcile | Alice's portfolio            |
        | read      | Alice's portfolio history    |
        | read      | Alice's trading risk         |

      Examples: The back office
        | action    | resource                            |
        | add to    | the register of clients             |
        | search    | the register of clients             |
        | load      | a symbol's daily bars               |
        | read      | a symbol's daily bars               |
        | read      | a symbol's indicators               |
        | read      | the market data limits              |
        | read      | the trading limits                  |
        | read      | a market data load                  |
        | read      | a market data load's quarantine     |
        | read      | a market data load's quality report |
        | read      | the published feature sets          |
        | read      | a feature set                       |
        | read      | a feature set's rows                |
        | read      | a feature set's split               |
        | read      | an operation                        |
        | cancel    | an operation                        |
        | approve   | a client's rebalance                |
        | reject    | a client's rebalance                |
        | repair    | a client's book                     |
        | close out | a client's portfolio                |
        | set       | a client's daily loss limit         |
        | resume    | a client's trading                  |
        | start     | a model's training                  |
        | read      | the training limits                 |
        | read      | the registered models               |
        | read      | a model                             |
        | read      | a model version                     |
        | read      | a model version's backtest          |
        | read      | a model's alias                     |
        | move      | a model's alias                     |
        | roll back | a model's alias                     |
        | ask       | a model's predictions               |

      @needs.controls
      Examples: The test controls
        | action | resource                   |
        | read   | the platform's clock       |
        | stop   | the platform's clock       |
        | read   | a client's injected faults |
        | arm    | a client's injected faults |
        | read   | a model's files            |
        | damage | a model version's file     |

  Rule: The public doors open to anyone

    @critical
    Scenario Outline: Anyone may <action> <resource>
      When someone who has not signed in tries to <action> <resource>
      Then the platform answers them without asking who they are

      Examples:
        | action  | resource                         |
        | read    | the platform's health            |
        | read    | the platform's readiness         |
        | start   | a client session                 |
        | deliver | the brokerage's answer to a link |
        | read    | the platform's contract          |
        | read    | the contract's documentation     |
