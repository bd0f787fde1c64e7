@allure.label.epic:Onboarding
Feature: Setting up a client's portfolio
  Before QuantDesk manages a client's money, the client says how: their portfolio
  preferences (the symbols to trade and those to leave out, how much of the portfolio
  one position may take, how much cash to keep aside, whether a rebalance waits for
  their approval) and the strategy that manages the portfolio. Preferences may name
  only symbols the platform has market data for, and a limit is refused when it is set,
  not discovered later when an order would break it.

  Rule: A client sets portfolio preferences over symbols the platform has market data for

    @critical
    Scenario: Alice's preferences are kept as she set them
      Given the platform has market data for ACME, BOLT and CRUX
      And Alice is a registered client
      When Alice sets their preferences to:
        | preference              | value              |
        | universe                | ACME, BOLT, CRUX   |
        | excluded                | CRUX               |
        | maximum position weight | 30 %               |
        | cash buffer             | 10 %               |
        | rebalance approval      | required           |
      Then Alice's preferences show:
        | preference              | value              |
        | universe                | ACME, BOLT, CRUX   |
        | excluded                | CRUX               |
        | tradable                | ACME, BOLT         |
        | maximum position weight | 30 %               |
        | cash buffer             | 10 %               |
        | rebalance approval      | required           |

    @critical
    Scenario Outline: A <risk tolerance> client's positions are capped at <weight> unless they choose otherwise
      Given the platform has market data for ACME and BOLT
      And Alice is a registered client whose risk tolerance is <risk tolerance>
      When Alice sets their preferences to trade ACME and BOLT
      Then Alice's preferences show a maximum position weight of <weight>

      Examples:
        | risk tolerance | weight |
        | conservative   | 15 %   |
        | moderate       | 25 %   |
        | aggressive     | 40 %   |

    @normal
    Scenario Outline: Preferences with <preference> "<value>" are refused: it <problem>
      Given the platform has market data for ACME and BOLT
      And Alice is a registered client
      When Alice tries to set their preferences to trade ACME and BOLT with <preference> "<value>"
      Then the preferences are refused, listing these problems:
        | preference   | problem   |
        | <preference> | <problem> |
      And Alice has no preferences

      Examples:
        | preference              | value      | problem                 |
        | universe                | ACME, ZZZZ | has no market data      |
        | excluded                | ACME, BOLT | leaves nothing to trade |
        | maximum position weight | 0 %        | is out of range         |
        | maximum position weight | 100.01 %   | is out of range         |
        | maximum position weight | a lot      | is not a number         |
        | cash buffer             | 50.01 %    | is out of range         |
        | cash buffer             | -0.01 %    | is out of range         |

    @normal
    Scenario: Preferences without a universe are refused
      Given the platform has market data for ACME and BOLT
      And Alice is a registered client
      When Alice tries to set their preferences to trade ACME and BOLT with universe ""
      Then the preferences are refused, listing these problems:
        | preference | problem    |
        | universe   | is missing |
      And Alice has no preferences

    @normal
    Scenario Outline: Preferences with a <preference> of <value> are accepted: at a limit is within it
      Given the platform has market data for ACME and BOLT
      And Alice is a registered client
      When Alice tries to set their preferences to trade ACME and BOLT with <preference> "<value>"
      Then Alice's preferences show a <preference> of <value>

      Examples:
        | preference              | value  |
        | maximum position weight | 0.01 % |
        | maximum position weight | 100 %  |
        | cash buffer             | 0 %    |
        | cash buffer             | 50 %   |

  Rule: A client chooses the strategy that manages their portfolio

    @critical
    Scenario: Alice chooses the built-in equal-weight strategy
      Given Alice is a registered client
      When Alice chooses the equal-weight strategy
      Then Alice's strategy is equal-weight

    @normal
    Scenario: A model that is not registered cannot be chosen
      Given Alice is a registered client
      When Alice chooses the model "growth"
      Then the choice is refused because "growth" is not a registered model
      And Alice has not chosen a strategy
