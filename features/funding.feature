@allure.label.epic:Onboarding
Feature: Funding a client's brokerage account
  A client funds their linked brokerage account through QuantDesk. A deposit moves the
  client's money, so it needs a linked account, its amount is checked to the cent, and
  it is made exactly once however often the same request is sent again.

  Rule: A client funds their linked brokerage account through QuantDesk

    @critical
    Scenario: Alice deposits cash into their linked paper account
      Given Alice is a registered client with an account at the brokerage
      And Alice has linked their brokerage account
      When Alice deposits 2,500.00 USD
      Then Alice's brokerage account holds 2,500.00 USD in cash
      And Alice's deposits are:
        | amount  |
        | 2500.00 |

    @critical
    Scenario: A deposit sent twice with the same request key is made once
      Given Alice is a registered client with an account at the brokerage
      And Alice has linked their brokerage account
      When Alice deposits 1,000.00 USD and the request is sent twice
      Then both answers describe the same deposit
      And Alice's brokerage account holds 1,000.00 USD in cash

    @critical
    Scenario Outline: A request key used for <first> and again for <second> is refused the second time and nothing more is deposited
      Given Alice is a registered client with an account at the brokerage
      And Alice has linked their brokerage account
      And Alice has deposited <first> with a request key
      When Alice sends the same request key with a deposit of <second>
      Then the deposit is refused because the request key was used for another deposit
      And Alice's brokerage account holds <first> in cash

      Examples:
        | first      | second     |
        | 100.00 USD | 200.00 USD |
        | 200.00 USD | 100.00 USD |

    @normal
    Scenario: Funding needs a linked brokerage account
      Given Alice is a registered client
      When Alice deposits 100.00 USD
      Then the deposit is refused because Alice has not linked a brokerage account
      And Alice has no deposits

    @normal
    Scenario Outline: A deposit of <amount> is refused
      Given Alice is a registered client with an account at the brokerage
      And Alice has linked their brokerage account
      When Alice deposits <amount>
      Then the deposit is refused because the amount <problem>
      And Alice's brokerage account holds 0.00 USD in cash
      And Alice has no deposits

      Examples:
        | amount            | problem                        |
        | 0.00 USD          | is out of range                |
        | -5.00 USD         | is out of range                |
        | 10.005 USD        | has more than 2 decimal places |
        | ten USD           | is not a number                |
        | 10,000,000.01 USD | is out of range                |

    @normal
    Scenario Outline: A deposit of <amount> is accepted: at a limit is within it
      Given Alice is a registered client with an account at the brokerage
      And Alice has linked their brokerage account
      When Alice deposits <amount>
      Then Alice's brokerage account holds <amount> in cash
      And Alice's deposits are:
        | amount   |
        | <stored> |

      Examples:
        | amount            | stored      |
        | 0.01 USD          | 0.01        |
        | 10,000,000.00 USD | 10000000.00 |
        | 12.50 USD         | 12.50       |
