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

  @needs.controls @exclusive @critical
  Scenario: A platform that cannot reach the brokerage is alive but not ready
    Given the brokerage cannot be reached
    When the platform is asked how it is
    Then it reports that it is alive
    And it reports that it is not ready because the brokerage cannot be reached
