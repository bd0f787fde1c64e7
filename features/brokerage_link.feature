@allure.label.epic:Onboarding
Feature: Linking a client's brokerage account
  QuantDesk trades in each client's own paper account at their brokerage. The client
  grants QuantDesk access at the brokerage itself, signing in there: QuantDesk never
  learns the client's brokerage password. The access QuantDesk receives is kept
  encrypted, is never shown to anyone, and is renewed quietly while the brokerage allows
  it. Once the brokerage withdraws it, nothing that needs the brokerage happens until
  the client grants access again.

  Background:
    Given Alice is a registered client with an account at the brokerage

  Rule: A client links their account by granting access at the brokerage

    @smoke @critical
    Scenario: Alice links their brokerage account
      When Alice starts linking their brokerage account
      And Alice allows access at the brokerage
      And the brokerage sends Alice back to QuantDesk
      Then Alice's brokerage link is active with their brokerage account
      And QuantDesk can read Alice's brokerage account
      And no answer about Alice's link shows the brokerage's tokens

    @critical
    Scenario: Alice declines at the brokerage
      When Alice starts linking their brokerage account
      And Alice denies access at the brokerage
      And the brokerage sends Alice back to QuantDesk
      Then the link is refused because Alice declined access
      And Alice has no brokerage link

  Rule: A started link waits a limited time for the brokerage's answer

    @needs.controls @exclusive @normal
    Scenario: Alice comes back from the brokerage one second before the started link expires
      Given the platform's clock is stopped
      When Alice starts linking their brokerage account
      And Alice allows access at the brokerage
      And the platform's clock reaches one second before Alice's started link expires
      And the brokerage sends Alice back to QuantDesk
      Then Alice's brokerage link is active with their brokerage account
      And Alice's started link lasts 10 minutes

    @needs.controls @exclusive @normal
    Scenario: Alice comes back from the brokerage the moment the started link expires
      Given the platform's clock is stopped
      When Alice starts linking their brokerage account
      And Alice allows access at the brokerage
      And the platform's clock reaches the moment Alice's started link expires
      And the brokerage sends Alice back to QuantDesk
      Then the link is refused because the link took too long
      And Alice has no brokerage link

  Rule: Only the brokerage's answer to a link the client started is accepted, and only once

    @critical
    Scenario Outline: An answer whose state is <problem> links nothing
      When Alice starts linking their brokerage account
      And Alice allows access at the brokerage
      And the brokerage's answer reaches QuantDesk with its state <problem>
      Then the link is refused because the answer does not belong to a link the client started
      And Alice has no brokerage link

      Examples:
        | problem   |
        | missing   |
        | different |

    @critical
    Scenario: The brokerage's answer cannot be used twice
      Given Alice has linked their brokerage account
      When the brokerage's answer reaches QuantDesk again
      Then the repeated answer is refused because the link was already completed
      And Alice's brokerage link is active with their brokerage account

    @critical
    Scenario: An authorization code is exchanged only once
      Given Alice has linked their brokerage account
      And Bob is a registered client with an account at the brokerage
      When Bob starts linking their brokerage account
      And Bob allows access at the brokerage
      And Bob's answer from the brokerage reaches QuantDesk carrying Alice's authorization code
      Then Bob's link is refused because the brokerage did not accept the authorization
      And Bob has no brokerage link
      And QuantDesk is refused Alice's brokerage account because Alice must link again

  Rule: QuantDesk renews its access quietly, and stops when the brokerage withdraws it

    @needs.controls @exclusive @critical
    Scenario: An expired access token is renewed before the next brokerage call
      Given Alice has linked their brokerage account
      When the brokerage's clock moves past the lifetime of an access token
      Then QuantDesk can read Alice's brokerage account
      And Alice's brokerage link is active with their brokerage account

    @needs.controls @exclusive @normal
    Scenario Outline: QuantDesk renews an access token from 30 seconds before it expires: <moment>
      Given the platform's clock is stopped
      And Alice has linked their brokerage account
      When the platform's clock reaches <moment>
      Then QuantDesk can read Alice's brokerage account
      And QuantDesk <renewal> Alice's access

      Examples:
        | moment                                   | renewal         |
        | 31 seconds before Alice's access expires | has not renewed |
        | 30 seconds before Alice's access expires | has renewed     |
        | 29 seconds before Alice's access expires | has renewed     |

    @needs.controls @critical
    Scenario: Access withdrawn at the brokerage must be granted again
      Given Alice has linked their brokerage account
      When the brokerage withdraws every access Alice granted
      Then a deposit for Alice is refused because Alice must link again
      And Alice's brokerage link needs their authorisation again
      And Alice's onboarding checklist shows the link needs authorisation again

    @needs.controls @exclusive @normal
    Scenario: Access ends when the refresh token expires
      Given Alice has linked their brokerage account
      When the brokerage's clock moves past the lifetime of a refresh token
      Then QuantDesk is refused Alice's brokerage account because Alice must link again
      And Alice's brokerage link needs their authorisation again

    @needs.controls @critical
    Scenario: Linking again restores access
      Given Alice has linked their brokerage account
      And the brokerage has withdrawn every access Alice granted
      And QuantDesk has found that Alice must link again
      When Alice links their brokerage account again
      Then Alice's brokerage link is active with their brokerage account
      And QuantDesk can read Alice's brokerage account

  Rule: A brokerage that is down during linking changes nothing, and the client can retry

    @needs.controls @exclusive @critical
    Scenario: The brokerage is down when Alice comes back from it
      When Alice starts linking their brokerage account
      And Alice allows access at the brokerage
      And the brokerage goes down
      And the brokerage sends Alice back to QuantDesk
      Then the link is refused because the brokerage is unavailable
      And Alice has no brokerage link
      When the brokerage is back
      And Alice retries coming back from the brokerage
      Then Alice's brokerage link is active with their brokerage account
