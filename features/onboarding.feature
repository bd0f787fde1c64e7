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
    Scenario: Only operators may register clients
      When someone without a valid operator key tries to register Frank
      Then the registration is refused because the caller is not an authenticated operator
      And Frank is not registered

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

    @critical
    Scenario: A client cannot see another client's record
      Given Alice is a registered client
      And Bob is a registered client
      When Bob signs in with their password
      And Bob asks for Alice's client record
      Then Bob is told there is no such client

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
    Scenario Outline: A registration whose <detail> <problem> is refused
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
        | password           | short        | is too short                      |

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
    Scenario: Every problem of a registration is reported at once
      When an operator tries to register Erin with:
        | detail         | value        |
        | full name      |              |
        | email          | erin-at-home |
        | date of birth  | yesterday    |
        | risk tolerance | reckless     |
      Then the registration is refused, listing these problems:
        | detail         | problem                           |
        | full name      | is missing                        |
        | email          | is not a valid email address      |
        | date of birth  | is not a date                     |
        | risk tolerance | is not one of the accepted values |
      And Erin is not registered
