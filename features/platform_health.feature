@smoke @allure.label.epic:Operations
Feature: Platform health
  Operations and the acceptance gate must know that QuantDesk is running and can
  reach everything it depends on (its database and the brokerage) before anyone
  relies on it. A platform that is up but cannot reach a dependency is not ready.

  @blocker
  Scenario: The platform is up and ready for business
    When the platform is asked how it is
    Then it reports that it is alive
    And it reports that it is ready, with its database and the brokerage reachable

  @normal
  Scenario: An address the platform does not have is answered as not found, naming it
    When someone asks for an address the platform does not have
    Then they are told there is nothing at that address, naming it

  @normal
  Scenario: A request an address does not take is refused, naming the method and the address
    When someone tries to delete the platform's health
    Then they are told that address does not take that request, naming both

  @needs.controls @exclusive @critical
  Scenario: A platform that cannot reach the brokerage is alive but not ready
    Given the brokerage cannot be reached
    When the platform is asked how it is
    Then it reports that it is alive
    And it reports that it is not ready because the brokerage cannot be reached
