@allure.label.epic:Onboarding
Feature: Client onboarding
  Back-office operators register every new client before the client can be linked
  to a brokerage account and trade. A registration must describe a real, adult
  person with a way to reach them, and no person may be registered twice: two
  records for one client would split their money and their risk limits.

  Rule: An operator registers a client with their personal details

    @smoke @critical
    Scenario: A registered client can be found afterwards
      When an operator registers Alice with:
        | detail             | value        |
        | full name          | Alice Martin |
        | date of birth      | 1985-04-12   |
        | country            | GB           |
        | risk tolerance     | conservative |
        | investment horizon | 25           |
      Then Alice is registered
      And Alice's client record shows:
        | detail             | value        |
        | full name          | Alice Martin |
        | date of birth      | 1985-04-12   |
        | country            | GB           |
        | risk tolerance     | conservative |
        | investment horizon | 25           |

    @critical
    Scenario Outline: Only operators may register clients: an operator key that is <problem> is refused
      When someone with an operator key that is <problem> tries to register Frank
      Then the registration is refused because the caller is not an authenticated operator
      And Frank is not registered

      Examples:
        | problem |
        | wrong   |
        | missing |

  Rule: A client signs in with their own credentials and sees only their own record

    @critical
    Scenario: A registered client signs in and sees their own record
      Given Alice is a registered client
      When Alice signs in with their password
      Then Alice sees their own client record

    @critical
    Scenario: A wrong password is refused
      Given Alice is a registered client
      When Alice signs in with a wrong password
      Then the sign-in is refused because the email or password is wrong

    @needs.controls @exclusive @normal
    Scenario Outline: A sign-in lasts its announced lifetime to the second: <moment>
      Given Alice is a registered client
      And the platform's clock is stopped
      When Alice signs in with their password
      And the platform's clock reaches <moment>
      Then Alice <outcome>
      And Alice's sign-in lasts 1 hour

      Examples:
        | moment                                    | outcome                      |
        | one second before Alice's sign-in expires | sees their own client record |
        | the moment Alice's sign-in expires        | must sign in again           |

    @critical
    Scenario: An email nobody registered is refused exactly as a wrong password is
      When Zoe, who is not registered, signs in with a password
      Then the sign-in is refused because the email or password is wrong

    @critical
    Scenario: A client cannot see another client's record
      Given Alice is a registered client
      And Bob is a registered client
      When Bob signs in with their password
      And Bob asks for Alice's client record
      Then Bob is told there is no such client record

  Rule: An email address belongs to one client only, whatever its letter case

    @critical
    Scenario Outline: Registering Alice's email again <variant> is refused
      Given Alice is a registered client
      When an operator tries to register Bob with Alice's email <variant>
      Then the registration is refused because the email is already registered
      And exactly one client is registered with Alice's email

      Examples:
        | variant                 |
        | in upper case           |
        | in mixed case           |
        | with surrounding spaces |

  Rule: A registration with missing or invalid details is refused with every problem listed

    @normal
    Scenario Outline: A registration whose <detail> is "<value>" is refused: it <problem>
      When an operator tries to register Dave with <detail> "<value>"
      Then the registration is refused, listing these problems:
        | detail   | problem   |
        | <detail> | <problem> |
      And Dave is not registered

      Examples: Invalid details
        | detail             | value        | problem                           |
        | email              | dave.example | is not a valid email address      |
        | date of birth      | 12/04/1985   | is not a date                     |
        | date of birth      | 2999-01-01   | is in the future                  |
        | date of birth      | 2020-06-30   | makes the client younger than 18  |
        | risk tolerance     | reckless     | is not one of the accepted values |
        | country            | XX           | is not a country we serve         |
        | investment horizon | 0            | is outside 1 to 50 years          |
        | investment horizon | 51           | is outside 1 to 50 years          |
        | password           | short        | is not 12 to 128 characters long  |

    @normal
    Scenario Outline: A registration without a <detail> is refused
      When an operator tries to register Dave with <detail> "<value>"
      Then the registration is refused, listing these problems:
        | detail   | problem   |
        | <detail> | <problem> |
      And Dave is not registered

      Examples: Missing details
        | detail             | value | problem    |
        | full name          |       | is missing |
        | email              |       | is missing |
        | date of birth      |       | is missing |
        | country            |       | is missing |
        | risk tolerance     |       | is missing |
        | investment horizon |       | is missing |
        | password           |       | is missing |

    @normal
    Scenario Outline: A registration whose <detail> is <value> is accepted: at a limit is within it
      When an operator tries to register Dave with <detail> "<value>"
      Then Dave is registered

      Examples: At each limit
        | detail             | value                  |
        | full name          | 200 characters long    |
        | date of birth      | 18 years ago today     |
        | date of birth      | 18 years ago yesterday |
        | investment horizon | 1                      |
        | investment horizon | 50                     |
        | password           | 12 characters long     |
        | password           | 128 characters long    |

      Examples: In any letter case
        | detail         | value      |
        | country        | gb         |
        | risk tolerance | Aggressive |

    @normal
    Scenario Outline: A registration whose <detail> is <value> is refused: one step past a limit
      When an operator tries to register Dave with <detail> "<value>"
      Then the registration is refused, listing these problems:
        | detail   | problem   |
        | <detail> | <problem> |
      And Dave is not registered

      Examples:
        | detail        | value                 | problem                          |
        | full name     | 201 characters long   | is too long                      |
        | date of birth | 18 years ago tomorrow | makes the client younger than 18 |
        | date of birth | today                 | makes the client younger than 18 |
        | date of birth | tomorrow              | is in the future                 |
        | password      | 11 characters long    | is not 12 to 128 characters long |
        | password      | 129 characters long   | is not 12 to 128 characters long |

    @normal
    Scenario: A registration cut off in the middle is refused as unreadable
      When an operator sends a registration of Dave that is cut off in the middle
      Then the registration is refused as unreadable
      And Dave is not registered

    @normal
    Scenario: Every problem of a registration is reported at once
      When an operator tries to register Erin with:
        | detail         | value        |
        | full name      |              |
        | email          | erin-at-home |
        | date of birth  | 12th April   |
        | risk tolerance | reckless     |
      Then the registration is refused, listing these problems:
        | detail         | problem                           |
        | full name      | is missing                        |
        | email          | is not a valid email address      |
        | date of birth  | is not a date                     |
        | risk tolerance | is not one of the accepted values |
      And Erin is not registered

  Rule: A client is active once every onboarding step is done, and the checklist agrees with each step

    @smoke @critical
    Scenario: Alice becomes active after the last onboarding step
      Given the platform has market data for ACME and BOLT
      And Alice is a registered client with an account at the brokerage
      Then Alice's onboarding checklist shows:
        | step                       | done |
        | registered                 | yes  |
        | linked a brokerage account | no   |
        | set preferences            | no   |
        | chosen a strategy          | no   |
        | funded the account         | no   |
      And Alice is not active yet
      When Alice has linked their brokerage account
      And Alice sets their preferences to trade ACME and BOLT
      And Alice chooses the equal-weight strategy
      Then Alice is not active yet
      When Alice deposits 5,000.00 USD
      Then Alice's onboarding checklist shows:
        | step                       | done |
        | registered                 | yes  |
        | linked a brokerage account | yes  |
        | set preferences            | yes  |
        | chosen a strategy          | yes  |
        | funded the account         | yes  |
      And Alice is active

    @critical
    Scenario Outline: A client who has not <step> is not active
      Given Alice has done every onboarding step but "<step>"
      Then Alice's onboarding checklist shows "<step>" not done
      And Alice is not active yet

      Examples:
        | step               |
        | set preferences    |
        | chosen a strategy  |
        | funded the account |

  Rule: A client sees only their own onboarding

    @critical
    Scenario Outline: Bob cannot see Alice's <resource>
      Given Alice has done every onboarding step
      And Bob is a registered client
      When Bob asks for Alice's <resource>
      Then Bob is told there is no such <resource>

      Examples:
        | resource             |
        | brokerage link       |
        | brokerage account    |
        | preferences          |
        | strategy             |
        | deposits             |
        | onboarding checklist |
