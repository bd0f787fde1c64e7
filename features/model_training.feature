@allure.label.epic:Models
Feature: Model training
  A quant trains models that predict whether a symbol's next session closes up, from the
  momentum features of real market history. Training runs in the background, where it
  can be followed and cancelled. Every model is evaluated walk-forward, on sessions it
  never trained on, and backtested against buy-and-hold. Each training that succeeds
  registers a numbered version that never changes; an alias such as "production" deploys
  one of them, and the clients whose strategy follows that alias trade on its signals.

  Rule: A training runs in the background, reports its progress and registers the next version of the model with its metrics

    @smoke @critical
    Scenario: A logistic regression trained on two years of S&P 500 history is registered as version 1
      Given the SPX history of 2016 to 2018 has been loaded
      When the quant trains Direction with logistic regression on SPX from 2017-01-03 to 2018-12-31
      Then the training succeeds, its progress never going down
      And version 1 of Direction is registered with the training's metrics:
        | metric           |
        | accuracy         |
        | ROC AUC          |
        | total return     |
        | annual return    |
        | Sharpe ratio     |
        | maximum drawdown |
      And none of the 3 folds of version 1 of Direction trained on a session of its test window or on the 1 session before it

    @critical
    Scenario: The backtest of a version holds the symbol on its signal and compares it with buy-and-hold
      Given the SPX history of 2016 to 2018 has been loaded
      When the quant trains Direction with gradient boosting on SPX from 2017-01-03 to 2018-12-31
      Then the buy-and-hold of version 1 of Direction grows as holding SPX over its test sessions does
      And the backtest metrics of version 1 of Direction follow from its growth
      And the accuracy of version 1 of Direction is the share of test sessions its signal held SPX exactly when SPX rose next

    @normal
    Scenario: A second training of a model registers version 2 and leaves version 1 as it was
      Given the SPX history of 2016 to 2018 has been loaded
      And Direction has been trained with logistic regression on SPX from 2017-01-03 to 2018-12-31
      When the quant trains Direction with the reinforcement-learning agent on SPX from 2017-01-03 to 2018-12-31
      Then Direction has versions 1 and 2, trained with logistic regression and the reinforcement-learning agent
      And version 1 of Direction is as it was registered

    @normal
    Scenario: A training that names only its data and algorithm is trained with the defaults
      Given the SPX history of 2016 to 2018 has been loaded
      When the quant trains Direction with logistic regression on SPX from 2017-01-03 to 2018-12-31, naming nothing else
      Then version 1 of Direction was trained with:
        | setting                                   | value |
        | folds                                     | 5     |
        | sessions left out before each test window | 1     |
        | seed                                      | 0     |
        | C                                         | 1     |
        | maximum iterations                        | 200   |

  Rule: A training the platform cannot do is refused at once, listing every problem, and registers nothing

    @critical
    Scenario: A training request with six problems is refused listing all six
      Given the SPX history of 2018 has been loaded
      When the quant asks to train Direction with:
        | setting     | value       |
        | model name  | Best Model  |
        | algorithm   | magic       |
        | feature set | momentum_v9 |
        | folds       | 1           |
        | from        | 2018-12-31  |
        | to          | 2018-01-02  |
        | seed        | -1          |
      Then the training is refused listing:
        | field       | problem                                 |
        | model name  | is not a valid model name               |
        | algorithm   | is not an algorithm the platform trains |
        | feature set | is not a published feature set          |
        | folds       | is out of range                         |
        | end         | is before the start                     |
        | seed        | is out of range                         |
      And Direction has no version

    @critical
    Scenario Outline: A training with <setting> set to <value> is <outcome>
      Given the SPX history of 2016 to 2018 has been loaded
      When the quant asks to train Direction with <setting> set to <value>
      Then the training is <outcome>

      Examples: the walk-forward folds, 2 to 10
        | setting | value | outcome                                   |
        | folds   | 1     | refused because the folds is out of range |
        | folds   | 2     | accepted                                  |
        | folds   | 10    | accepted                                  |
        | folds   | 11    | refused because the folds is out of range |

      Examples: the sessions left out before each test window, 0 to 20
        | setting                                   | value | outcome                                                                       |
        | sessions left out before each test window | -1    | refused because the sessions left out before each test window is out of range |
        | sessions left out before each test window | 0     | accepted                                                                      |
        | sessions left out before each test window | 20    | accepted                                                                      |
        | sessions left out before each test window | 21    | refused because the sessions left out before each test window is out of range |

      Examples: the seed, 0 to 4294967295
        | setting | value      | outcome                                       |
        | seed    | -1         | refused because the seed is out of range      |
        | seed    | 0          | accepted                                      |
        | seed    | 4294967295 | accepted                                      |
        | seed    | 4294967296 | refused because the seed is out of range      |
        | seed    | yes        | refused because the seed is of the wrong kind |

      Examples: the hyper-parameters of each algorithm, within their bounds
        | setting                             | value     | outcome                                                |
        | C                                   | -1        | refused because the C is out of range                  |
        | C                                   | 0         | refused because the C is out of range                  |
        | C                                   | 0.0001    | accepted                                               |
        | C                                   | 1000      | accepted                                               |
        | C                                   | 1000.0001 | refused because the C is out of range                  |
        | C                                   | yes       | refused because the C is of the wrong kind             |
        | learning rate                       | 1         | accepted                                               |
        | learning rate                       | 1.0001    | refused because the learning rate is out of range      |
        | maximum iterations                  | 0         | refused because the maximum iterations is out of range |
        | maximum iterations                  | 1         | accepted                                               |
        | maximum depth                       | 0         | refused because the maximum depth is out of range      |
        | maximum depth                       | 1         | accepted                                               |
        | maximum depth                       | 32        | accepted                                               |
        | maximum depth                       | 33        | refused because the maximum depth is out of range      |
        | the regression's maximum iterations | 9         | refused because the maximum iterations is out of range |
        | the regression's maximum iterations | 10        | accepted                                               |
        | episodes                            | 0         | refused because the episodes is out of range           |
        | episodes                            | 500       | accepted                                               |
        | episodes                            | 501       | refused because the episodes is out of range           |

    @critical
    Scenario Outline: <sessions> usable sessions are <outcome> for <folds> folds with <gap> sessions left out before each test window
      Given the SPX history of 2016 to 2018 has been loaded
      When the quant asks to train Direction on exactly <sessions> usable sessions of SPX in <folds> folds with <gap> sessions left out before each test window
      Then the training is <outcome>

      Examples: every fold trains and tests on at least 20 sessions
        | sessions | folds | gap | outcome                                                        |
        | 59       | 2     | 0   | refused because the start leaves too little data for the folds |
        | 60       | 2     | 0   | accepted                                                       |
        | 80       | 3     | 1   | refused because the start leaves too little data for the folds |
        | 81       | 3     | 1   | accepted                                                       |

    @critical
    Scenario: A classifier asked to learn from sessions that all went the same way is refused at once
      Given STILL has closed at 10.00 on each of 120 sessions from 2018-01-02
      When the quant asks to train Direction with logistic regression on STILL from 2018-01-02 to 2018-12-31
      Then the training is refused because the start holds sessions that all went the same way
      And Direction has no version

    @critical
    Scenario Outline: A training whose first fold would learn only from sessions that <went> fails, saying so
      Given SLIDE has <moved> 1 % a session for 80 sessions from 2018-01-02, then risen and fallen in turn for 80 sessions
      When the quant trains Direction with logistic regression on SLIDE from 2018-01-02 to 2018-12-31, expecting it to fail
      Then the training fails because fold 1 of 3 trains only on sessions that <went>
      And Direction has no version

      Examples:
        | moved  | went          |
        | fallen | did not go up |
        | risen  | went up       |

    @normal
    Scenario: A training on a symbol without prices is refused and registers nothing
      Given the SPX history of 2016 to 2018 has been loaded
      When the quant asks to train Direction on SPX and NONE
      Then the training is refused because the symbols have no prices in the range
      And Direction has no version

  Rule: A cancelled training stops at its next step and leaves no version and no model file behind

    @slow @critical @needs.controls
    Scenario: A long training cancelled in its second fold leaves nothing behind
      Given the SPX history of 1999 to 2018 has been loaded
      When the quant starts a long training of Patient with gradient boosting on SPX from 2000-01-03 to 2018-12-31
      And the training is part way through fold 2 of 5
      And the quant cancels the training
      Then the training is cancelled in fold 2 of 5
      And Patient has no version
      And no model file of Patient is left

    @normal
    Scenario: A finished training cannot be cancelled
      Given the SPX history of 2016 to 2018 has been loaded
      And Direction has been trained with logistic regression on SPX from 2017-01-03 to 2018-12-31
      When the quant tries to cancel the finished training
      Then the cancel is refused because the training has already finished
      And Direction still has exactly 1 version

    @slow @exclusive @normal
    Scenario: Trainings beyond the number that may run at once wait their turn
      Given the SPX history of 1999 to 2018 has been loaded
      When the quant starts as many long trainings of Patient as may run at once, and one more
      Then the last of them waits queued while the others run
      When the quant cancels the first of them
      Then the last of them starts running

  Rule: A version is its algorithm trained by the book on the rows of its range

    The book is scikit-learn's classifiers and the reinforcement-learning agent as the
    contract states them, trained by the suite itself on the feature rows the platform
    serves for the training range, with the version's hyper-parameters and seed.

    @critical
    Scenario Outline: A version of <algorithm> predicts as <algorithm> trained by the book does
      Given the SPX history of 2016 to 2018 has been loaded
      And Direction has been trained with <algorithm> on SPX from 2017-01-03 to 2018-12-31
      And version 1 of Direction was promoted to production because "first deployment"
      When the quant asks Direction's production version about SPX as of each of the last 10 sessions of 2018
      Then each prediction's score and signal are the ones <algorithm> trained by the book gives

      Examples:
        | algorithm                        |
        | logistic regression              |
        | gradient boosting                |
        | the reinforcement-learning agent |

    @normal
    Scenario: The agent trained on a price that never moves holds nothing, with a score of 0
      Given STILL has closed at 10.00 on each of 120 sessions from 2018-01-02
      And Calm has been trained with the reinforcement-learning agent on STILL from 2018-01-02 to 2018-12-31
      And version 1 of Calm was promoted to production because "first deployment"
      When the quant asks Calm's production version about STILL as of 2018-06-01
      Then the prediction holds STILL flat, with a score of 0

  Rule: The same data, algorithm, hyper-parameters and seed give the same model, to the byte

    @critical
    Scenario Outline: <algorithm> trained twice gives the same metrics and the same model file
      Given the SPX history of 2016 to 2018 has been loaded
      When the quant trains Twin with <algorithm> on SPX from 2017-01-03 to 2018-12-31 twice
      Then versions 1 and 2 of Twin have the same metrics, data fingerprint and model checksum

      Examples:
        | algorithm                        |
        | logistic regression              |
        | gradient boosting                |
        | the reinforcement-learning agent |

    @normal
    Scenario: A training on one session fewer saw different data
      Given the SPX history of 2016 to 2018 has been loaded
      And Twin has been trained with logistic regression on SPX from 2017-01-03 to 2018-12-31
      When the quant trains Twin with logistic regression on SPX from 2017-01-03 to 2018-12-28
      Then versions 1 and 2 of Twin saw different data

  Rule: An alias deploys one version; a version that does worse than the one deployed is not promoted unless forced, and a rollback returns the version before

    The agreed metric is the Sharpe ratio of the out-of-sample backtest.

    @critical
    Scenario: A better version is promoted, then rolled back, and the trail keeps every move
      Given the SPX history of 2016 to 2018 has been loaded
      And Direction has versions trained on SPX from 2017-01-03 to 2018-12-31 with:
        | version | algorithm           |
        | 1       | gradient boosting   |
        | 2       | logistic regression |
      And version 1 of Direction was promoted to production because "first deployment"
      And version 2 of Direction does better than version 1 on the Sharpe ratio
      When the quant promotes version 2 of Direction to production because "better Sharpe ratio"
      Then production of Direction is version 2
      When the quant rolls back production of Direction because "paper results disappoint"
      Then production of Direction is version 1
      And the production trail of Direction reads:
        | action   | from | to | forced | by       | why                      |
        | promote  |      | 1  | no     | operator | first deployment         |
        | promote  | 1    | 2  | no     | operator | better Sharpe ratio      |
        | rollback | 2    | 1  | no     | operator | paper results disappoint |

    @critical
    Scenario: A version that does worse than production is refused, saying by how much
      Given the SPX history of 2016 to 2018 has been loaded
      And Direction has versions trained on SPX from 2017-01-03 to 2018-12-31 with:
        | version | algorithm                        |
        | 1       | logistic regression              |
        | 2       | the reinforcement-learning agent |
      And version 1 of Direction was promoted to production because "first deployment"
      And version 2 of Direction does worse than version 1 on the Sharpe ratio
      When the quant promotes version 2 of Direction to production because "try the agent"
      Then the promotion is refused because version 2 does worse than version 1 on the Sharpe ratio, by the difference of their Sharpe ratios
      And production of Direction is version 1

    @critical
    Scenario: A worse version is promoted when the quant forces it, and the trail says so
      Given the SPX history of 2016 to 2018 has been loaded
      And Direction has versions trained on SPX from 2017-01-03 to 2018-12-31 with:
        | version | algorithm                        |
        | 1       | logistic regression              |
        | 2       | the reinforcement-learning agent |
      And version 1 of Direction was promoted to production because "first deployment"
      When the quant forces version 2 of Direction into production because "paper-trade the agent"
      Then production of Direction is version 2
      And the production trail of Direction reads:
        | action  | from | to | forced | by       | why                   |
        | promote |      | 1  | no     | operator | first deployment      |
        | promote | 1    | 2  | yes    | operator | paper-trade the agent |

    @normal
    Scenario: Forcing a version that does better overrides nothing, and the trail says so
      Given the SPX history of 2016 to 2018 has been loaded
      And Direction has versions trained on SPX from 2017-01-03 to 2018-12-31 with:
        | version | algorithm           |
        | 1       | gradient boosting   |
        | 2       | logistic regression |
      And version 1 of Direction was promoted to production because "first deployment"
      And version 2 of Direction does better than version 1 on the Sharpe ratio
      When the quant forces version 2 of Direction into production because "in a hurry"
      Then the production trail of Direction reads:
        | action  | from | to | forced | by       | why              |
        | promote |      | 1  | no     | operator | first deployment |
        | promote | 1    | 2  | no     | operator | in a hurry       |

    @normal
    Scenario: A version that does exactly as well as production is promoted
      Given the SPX history of 2016 to 2018 has been loaded
      And Twin has been trained with logistic regression on SPX from 2017-01-03 to 2018-12-31 twice
      And version 1 of Twin was promoted to production because "first deployment"
      When the quant promotes version 2 of Twin to production because "the same, retrained"
      Then production of Twin is version 2

    @normal
    Scenario: Rolling back twice walks back two promotions, and a third has nothing to return to
      Given the SPX history of 2016 to 2018 has been loaded
      And Direction has versions trained on SPX from 2017-01-03 to 2018-12-31 with:
        | version | algorithm                        |
        | 1       | the reinforcement-learning agent |
        | 2       | gradient boosting                |
        | 3       | logistic regression              |
      And version 1 of Direction was promoted to production because "first deployment"
      And version 2 of Direction was forced into production because "try it"
      And version 3 of Direction was forced into production because "try this one"
      And Echo has been trained with logistic regression on SPX from 2017-01-03 to 2018-12-31
      And version 1 of Echo was promoted to production because "another model, promoted last"
      When the quant rolls back production of Direction because "too risky"
      Then production of Direction is version 2
      When the quant rolls back production of Direction because "still too risky"
      Then production of Direction is version 1
      When the quant rolls back production of Direction because "once more"
      Then the rollback is refused because the alias has no earlier version to return to
      And production of Direction is version 1
      And the production trail of Direction reads:
        | action   | from | to | forced | by       | why              |
        | promote  |      | 1  | no     | operator | first deployment |
        | promote  | 1    | 2  | yes    | operator | try it           |
        | promote  | 2    | 3  | no     | operator | try this one     |
        | rollback | 3    | 2  | no     | operator | too risky        |
        | rollback | 2    | 1  | no     | operator | still too risky  |

    @normal
    Scenario Outline: Reading version <version> of a model that has none is <outcome>
      When the quant reads version <version> of Ghost
      Then the quant is <outcome>

      Examples: version numbers run from 1 to 2147483647
        | version    | outcome                                          |
        | 0          | refused because the version is below its minimum |
        | 1          | told there is no such version                    |
        | 2147483647 | told there is no such version                    |
        | 2147483648 | refused because the version is above its maximum |

    @normal
    Scenario Outline: Promoting version <version> of a model that has none is <outcome>
      When the quant promotes version <version> of Ghost to production because "try it"
      Then the quant is <outcome>

      Examples: version numbers run from 1 to 2147483647
        | version    | outcome                                          |
        | 0          | refused because the version is below its minimum |
        | 1          | told there is no such version                    |
        | 2147483647 | told there is no such version                    |
        | 2147483648 | refused because the version is above its maximum |

    @normal
    Scenario Outline: Asking version <version> of a model that has none for a prediction is <outcome>
      When the quant asks version <version> of Ghost about SPX as of 2018-06-01
      Then the quant is <outcome>

      Examples: version numbers run from 1 to 2147483647
        | version    | outcome                                          |
        | 0          | refused because the version is below its minimum |
        | 1          | told there is no such version                    |
        | 2147483647 | told there is no such version                    |
        | 2147483648 | refused because the version is above its maximum |

    @normal
    Scenario Outline: A promotion whose reason is <length> characters long is <outcome>
      Given the SPX history of 2018 has been loaded
      And Direction has been trained with logistic regression on SPX from 2018-03-01 to 2018-12-31
      When the quant promotes version 1 of Direction to production with a reason <length> characters long
      Then the quant is <outcome>

      Examples: a reason is 1 to 500 characters
        | length | outcome                                            |
        | 0      | refused because the reason is shorter than allowed |
        | 1      | answered                                           |
        | 2      | answered                                           |
        | 499    | answered                                           |
        | 500    | answered                                           |
        | 501    | refused because the reason is longer than allowed  |

  Rule: A prediction uses only the prices known on its date

    @critical
    Scenario: Loading later prices changes no earlier prediction
      Given the SPX history of 2016-01-04 to 2018-06-29 has been loaded
      And Direction has been trained with logistic regression on SPX from 2016-06-01 to 2018-06-29
      And version 1 of Direction was promoted to production because "first deployment"
      And the production prediction of Direction for SPX as of 2018-03-01 has been read
      When an operator makes an incremental load of the SPX history of 2018-07-02 to 2018-12-31
      Then the production prediction of Direction for SPX as of 2018-03-01 is unchanged

    @critical
    Scenario Outline: A prediction as of <day> uses the features of <session>
      Given the SPX history of 2018 has been loaded
      And Direction has been trained with logistic regression on SPX from 2018-03-01 to 2018-12-31
      And version 1 of Direction was promoted to production because "first deployment"
      When the quant asks Direction's production version about SPX as of <day>
      Then the prediction uses the features of <session>

      Examples:
        | day                  | session    |
        | 2018-03-02, a Friday | 2018-03-02 |
        | 2018-03-04, a Sunday | 2018-03-02 |
        | 2018-03-05, a Monday | 2018-03-05 |

    @normal
    Scenario: Asking an alias that points to no version is a conflict
      Given the SPX history of 2018 has been loaded
      And Direction has been trained with logistic regression on SPX from 2018-03-01 to 2018-12-31
      When the quant asks Direction's staging version about SPX as of 2018-06-01
      Then the prediction is refused because the alias points to no version

    @normal
    Scenario: A symbol asked in lower case with spaces around is the same symbol
      Given the SPX history of 2018 has been loaded
      And Direction has been trained with logistic regression on SPX from 2018-03-01 to 2018-12-31
      And version 1 of Direction was promoted to production because "first deployment"
      When the quant asks Direction's production version about SPX, written " spx ", as of 2018-06-01
      Then the prediction is about SPX, as when it is written SPX

  Rule: A model file is used only while it is exactly the file registered and holds only trusted types

    @critical @needs.controls
    Scenario: A model file whose bytes were changed is refused
      Given the SPX history of 2018 has been loaded
      And Direction has been trained with logistic regression on SPX from 2018-03-01 to 2018-12-31
      And version 1 of Direction was promoted to production because "first deployment"
      And Direction has 1 model file
      When the model file of version 1 of Direction is altered
      And the quant asks Direction's production version about SPX as of 2018-06-01
      Then the prediction is refused because the model file no longer matches its checksum

    @critical @needs.controls
    Scenario: A model file holding a type that is not trusted is refused, even with its checksum registered
      Given the SPX history of 2018 has been loaded
      And Direction has been trained with logistic regression on SPX from 2018-03-01 to 2018-12-31
      And version 1 of Direction was promoted to production because "first deployment"
      When the model file of version 1 of Direction is replaced by one holding an untrusted type
      And the quant asks Direction's production version about SPX as of 2018-06-01
      Then the prediction is refused because the model file holds types that are not trusted

  Rule: The reinforcement-learning agent is trained, evaluated, registered and deployed exactly like a supervised model

    @critical
    Scenario: The agent and a logistic regression are compared on the same test sessions, and the agent is deployed
      Given the SPX history of 2016 to 2018 has been loaded
      When the quant trains Agent with the reinforcement-learning agent on SPX from 2017-01-03 to 2018-12-31
      And the quant trains Classifier with logistic regression on SPX from 2017-01-03 to 2018-12-31
      Then Agent and Classifier were tested on the same sessions against the same buy-and-hold
      When the quant promotes version 1 of Agent to production because "paper-trade the agent"
      And the quant asks Agent's production version about SPX as of 2018-06-01
      Then the prediction holds SPX long or flat, with the agent's score

  Rule: A client whose strategy follows a model's alias trades on the version behind it

    @critical
    Scenario: Carol's recommendation follows production through a promotion and a rollback, and her rebalance names the version
      Given the real SPX and NDX history of 2015 to 2017 is on the platform
      And Direction has versions trained on the real SPX and NDX from 2016-01-04 to 2017-12-29 with:
        | version | algorithm           |
        | 1       | logistic regression |
        | 2       | gradient boosting   |
      And version 1 of Direction was promoted to production because "first deployment"
      And Carol is an active client with 10,000.00 USD trading SPX and NDX by Direction's production version, with:
        | preference              | value |
        | maximum position weight | 100 % |
        | cash buffer             | 0 %   |
      Then Carol's recommendation follows version 1 of Direction
      When the quant forces version 2 of Direction into production because "compare on paper"
      Then Carol's recommendation follows version 2 of Direction
      When the quant rolls back production of Direction because "back to the tested version"
      Then Carol's recommendation follows version 1 of Direction
      And a rebalance proposed for Carol names version 1 of Direction

    @normal
    Scenario: A client cannot follow a model that was never trained, whatever others were
      Given the SPX history of 2018 has been loaded
      And Zeta has been trained with logistic regression on SPX from 2018-03-01 to 2018-12-31
      And version 1 of Zeta was promoted to production because "first deployment"
      And Alice is a registered client
      When Alice chooses the model "Ghost"
      Then the choice is refused because "Ghost" is not a registered model

    @critical
    Scenario: A client cannot follow an alias of a model that points to no version
      Given the SPX history of 2018 has been loaded
      And Direction has been trained with logistic regression on SPX from 2018-03-01 to 2018-12-31
      And version 1 of Direction was promoted to production because "first deployment"
      And Alice is a registered client
      When Alice chooses the model "Direction's staging version"
      Then the choice is refused because the model has no version behind that alias
