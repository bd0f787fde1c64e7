@allure.label.epic:Market_data
Feature: Daily market data pipeline
  Models are trained and portfolios rebalanced on the daily prices the platform keeps.
  Operators load those prices from data vendors' files. A wrong price in the history
  silently becomes a wrong model or a wrong order, so the platform stores only bars
  that make sense, sets every other row aside with the rule it broke, never stores a
  bar twice, and reports the quality of every load, including exchange sessions for
  which no price arrived.

  Rule: Real exchange history is stored with one bar per trading session

    @smoke @critical
    Scenario: A year of S&P 500 history is stored for every NYSE session
      When an operator loads the SPX history of 2018
      Then the load succeeds with every bar stored
      And SPX has a bar for every NYSE session of 2018 and no other

    @normal
    Scenario: Indicators of real history are served for every session once warmed up
      Given the SPX history of 2018 has been loaded
      Then SPX's indicators of 2018 start after their warm-up and cover every later session

  Rule: A row that breaks a validation rule is set aside; the good rows are stored

    @critical
    Scenario Outline: A row whose <flaw> is set aside for breaking the "<rule>" rule
      When an operator loads these daily bars of ACME:
        | session    | open   | high   | low    | close   | volume   |
        | 2024-03-04 | 100.00 | 101.00 | 99.00  | 100.50  | 1000     |
        | <session>  | <open> | <high> | <low>  | <close> | <volume> |
        | 2024-03-06 | 100.50 | 102.00 | 100.00 | 101.50  | 1200     |
      Then the load stores 2 bars and sets 1 row aside
      And the row of session "<session>" is set aside for breaking the "<rule>" rule
      And the quality report counts 1 row breaking the "<rule>" rule
      And the row set aside, of session "<session>", is row 2 of the file
      And ACME has bars for exactly these sessions:
        | session    |
        | 2024-03-04 |
        | 2024-03-06 |

      Examples:
        | flaw                       | session    | open   | high   | low    | close  | volume | rule                     |
        | close is missing           | 2024-03-05 | 100.50 | 101.00 | 99.50  |        | 900    | missing value            |
        | session is not a date      | 5th March  | 100.50 | 101.00 | 99.50  | 100.00 | 900    | missing value            |
        | low price is zero          | 2024-03-05 | 100.50 | 101.00 | 0      | 100.00 | 900    | non-positive price       |
        | open is a cent below zero  | 2024-03-05 | -0.01  | 101.00 | 99.50  | 100.00 | 900    | non-positive price       |
        | high is a cent below close | 2024-03-05 | 100.00 | 100.99 | 99.00  | 101.00 | 900    | high below open or close |
        | high is a cent below open  | 2024-03-05 | 101.00 | 100.99 | 99.00  | 100.00 | 900    | high below open or close |
        | low is a cent above open   | 2024-03-05 | 100.00 | 101.00 | 100.01 | 100.50 | 900    | low above open or close  |
        | low is a cent above close  | 2024-03-05 | 100.50 | 101.00 | 100.01 | 100.00 | 900    | low above open or close  |
        | high is a cent below low   | 2024-03-05 | 100.00 | 99.99  | 100.00 | 100.00 | 900    | high below low           |
        | volume is one below zero   | 2024-03-05 | 100.50 | 101.00 | 99.50  | 100.00 | -1     | negative volume          |
        | volume is a fraction       | 2024-03-05 | 100.50 | 101.00 | 99.50  | 100.00 | 10.5   | non-integer volume       |
        | session is tomorrow        | tomorrow   | 100.50 | 101.00 | 99.50  | 100.00 | 900    | future session           |

    @normal
    Scenario Outline: A row exactly at the limit of a rule is stored: <edge>
      When an operator loads these daily bars of ACME:
        | session   | open   | high   | low   | close   | volume   |
        | <session> | <open> | <high> | <low> | <close> | <volume> |
      Then the load stores 1 bar and sets 0 rows aside

      Examples:
        | edge                                 | session    | open   | high   | low    | close  | volume |
        | the lowest price is one cent         | 2024-03-05 | 0.02   | 0.03   | 0.01   | 0.02   | 900    |
        | the high equals the close            | 2024-03-05 | 100.00 | 101.00 | 99.00  | 101.00 | 900    |
        | the high equals the open             | 2024-03-05 | 101.00 | 101.00 | 99.00  | 100.00 | 900    |
        | the low equals the open              | 2024-03-05 | 99.00  | 101.00 | 99.00  | 100.00 | 900    |
        | the low equals the close             | 2024-03-05 | 100.00 | 101.00 | 99.00  | 99.00  | 900    |
        | the high equals the low: a flat bar  | 2024-03-05 | 100.00 | 100.00 | 100.00 | 100.00 | 900    |
        | the volume is zero                   | 2024-03-05 | 100.50 | 101.00 | 99.50  | 100.00 | 0      |
        | the session is today                 | today      | 100.50 | 101.00 | 99.50  | 100.00 | 900    |

    @normal
    Scenario: Two rows for the same session are both set aside
      When an operator loads these daily bars of ACME:
        | session    | open   | high   | low    | close  | volume |
        | 2024-03-04 | 100.00 | 101.00 | 99.00  | 100.50 | 1000   |
        | 2024-03-05 | 100.50 | 101.00 | 99.50  | 100.00 | 900    |
        | 2024-03-05 | 100.50 | 101.50 | 99.50  | 101.00 | 950    |
      Then the load stores 1 bar and sets 2 rows aside
      And the row of session "2024-03-05" is set aside for breaking the "duplicate session" rule
      And ACME has bars for exactly these sessions:
        | session    |
        | 2024-03-04 |

  Rule: A symbol is 1 to 40 letters, digits, dots, underscores or hyphens; a row under any other symbol is set aside

    @critical
    Scenario Outline: A row whose symbol <flaw> is set aside for breaking the "invalid symbol" rule
      When an operator loads these daily bars of ACME, the one of session "2024-03-05" under the symbol "<symbol>":
        | session    | open   | high   | low    | close  | volume |
        | 2024-03-04 | 100.00 | 101.00 | 99.00  | 100.50 | 1000   |
        | 2024-03-05 | 100.50 | 101.00 | 99.50  | 100.00 | 900    |
        | 2024-03-06 | 100.50 | 102.00 | 100.00 | 101.50 | 1200   |
      Then the load stores 2 bars and sets 1 row aside
      And the row of session "2024-03-05" is set aside for breaking the "invalid symbol" rule
      And ACME has bars for exactly these sessions:
        | session    |
        | 2024-03-04 |
        | 2024-03-06 |

      Examples:
        | flaw                                 | symbol                                    |
        | carries a query string               | ACME?x=1                                  |
        | holds a space                        | AC ME                                     |
        | holds a slash                        | AC/ME                                     |
        | starts with a dot                    | .ACME                                     |
        | holds a letter outside A to Z        | ACMÉ                                      |
        | is 41 characters long, one too many  | ACMEACMEACMEACMEACMEACMEACMEACMEACMEACMEA |

    @normal
    Scenario Outline: A bar under a symbol <what> is stored under that symbol in capitals
      When an operator loads a bar under a symbol <what>
      Then the load stores 1 bar and sets 0 rows aside
      And the bar is stored under that symbol in capitals

      Examples:
        | what                                                 |
        | of 40 characters, the most                           |
        | in lower case with a dot, a hyphen and an underscore |

  Rule: Loading bars the platform already has stores nothing twice; a corrected bar replaces the old one

    @critical
    Scenario: Loading the same history again stores nothing new
      Given the SPX history of January 2018 has been loaded
      When an operator loads the SPX history of January 2018 again
      Then the load finds all 21 bars unchanged and stores none
      And SPX has a bar for every NYSE session of January 2018 and no other

    @critical
    Scenario Outline: A bar corrected <direction> replaces the stored one and is counted as updated
      Given the SPX history of January 2018 has been loaded
      When an operator loads a correction of the SPX bar of 2018-01-10 closing at <close>
      Then the load counts 1 bar updated and stores no new bar
      And the SPX bar of 2018-01-10 closes at <close>

      Examples: the stored close was 2748.23
        | direction | close   |
        | upwards   | 2750.00 |
        | downwards | 2740.00 |

  Rule: A file that is not daily bars is refused whole, with the reason, and nothing is stored

    @critical
    Scenario Outline: Loading <file> is refused because <reason>
      When an operator tries to load <file> for ACME
      Then the load is refused because "<reason>"
      And the refused load is on record as failed
      And ACME has no bars

      Examples:
        | file                           | reason                              |
        | a file without a close column  | missing required column(s) close    |
        | a spreadsheet that is not CSV  | not a CSV file                      |
        | an empty file                  | the file is empty                   |

    @normal
    Scenario: A file one byte over the upload limit is refused and nothing is stored
      When an operator tries to load a file one byte over the upload limit for ACME
      Then the load is refused because "larger than the upload limit"
      And ACME has no bars

    @normal
    Scenario: A file of exactly the upload limit is loaded whole
      When an operator loads a file of exactly the upload limit for ACME
      Then the load succeeds with every bar stored
      And the load reports how long it took, in milliseconds

  Rule: An incremental load adds only newer sessions; a backfill only older ones

    @critical
    Scenario: An incremental load stores only the sessions after the newest stored bar
      Given the SPX history of January 2018 has been loaded
      When an operator makes an incremental load of the SPX history of 2018-01-16 to 2018-02-28
      Then the load stores 19 new bars and skips the 12 sessions it was not for
      And SPX has a bar for every NYSE session of 2018-01-02 to 2018-02-28 and no other

    @critical
    Scenario: A backfill stores only the sessions before the oldest stored bar
      Given the SPX history of March 2018 has been loaded
      When an operator makes a backfill load of the SPX history of 2018-02-01 to 2018-03-15
      Then the load stores 19 new bars and skips the 11 sessions it was not for
      And SPX has a bar for every NYSE session of 2018-02-01 to 2018-03-31 and no other

  Rule: Loading the same bars at the same time still stores each bar once

    @critical
    Scenario: Four simultaneous loads of one history store each bar once
      When 4 operators load the SPX history of 2009 to 2018 at the same time
      Then every load succeeds
      And exactly one load stores the bars and the others find them unchanged
      And SPX has a bar for every NYSE session of 2009 to 2018 and no other

  Rule: Prices can be loaded from the brokerage's market-data feed, which replays real history

    @critical
    Scenario: A year of NASDAQ history is loaded from the brokerage
      When an operator loads the NDX history of 2017 from the brokerage
      Then the load completed at once, not in the background
      And the load succeeds with every bar stored
      And NDX has a bar for every NYSE session of 2017 and no other
      And the stored NDX closes of 2017 are those of the real NASDAQ Composite

    @normal
    Scenario: A load of a single day from the brokerage stores that day's bar
      When an operator loads the NDX history of 2017-01-03 to 2017-01-03 from the brokerage
      Then the load succeeds with every bar stored
      And NDX has a bar for every NYSE session of 2017-01-03 to 2017-01-03 and no other

    @normal
    Scenario: A load from the brokerage of a period ending the day before it starts is refused
      When an operator tries to load the NDX history of 2017-01-04 to 2017-01-03 from the brokerage
      Then the load is refused because the end is before the start
      And NDX has no bars

    @critical
    Scenario: A symbol that would rewrite the brokerage's address is refused and nothing is stored
      When an operator tries to load the "SPX?x=1" history of January 2018 from the brokerage
      Then the load is refused because "SPX?x=1" breaks the symbol rule
      And nothing is stored for "SPX?x=1"

    @critical @needs.controls @exclusive
    Scenario: Nothing is loaded while the brokerage is unavailable
      Given the brokerage is unavailable
      When an operator tries to load the SPX history of January 2018 from the brokerage
      Then the load is refused because "the brokerage is unavailable"
      And the refused load is on record as failed
      And SPX has no bars

  Rule: A load of more than one history runs in the background, reports its progress and can be cancelled

    @critical
    Scenario: A load of two histories from the brokerage completes in the background
      When an operator loads the SPX and NDX histories of 2005 to 2007 from the brokerage
      Then the load ran in the background and its progress reached 100 % without going back
      And SPX and NDX each have a bar for every NYSE session of 2005 to 2007

    @critical @needs.controls @exclusive
    Scenario: A cancelled load stores nothing
      Given the brokerage's market-data feed answers slowly
      When an operator starts loading the SPX, NDX and GOOG histories of 2005 to 2007 from the brokerage
      And the operator cancels the load
      Then the load ends as cancelled
      And SPX, NDX and GOOG have no bars

  Rule: The quality report of a load lists the NYSE sessions that have no bar

    @normal
    Scenario: Sessions left out of a history file are reported as gaps
      When an operator loads the SPX history of 2018-01-02 to 2018-03-29 without these sessions:
        | session    |
        | 2018-02-14 |
        | 2018-03-07 |
      Then the quality report of the load lists these missing SPX sessions:
        | session    |
        | 2018-02-14 |
        | 2018-03-07 |

  Rule: Indicators of stored closes agree with the published worked examples

    Source: StockCharts ChartSchool, "Relative Strength Index (RSI)" (cs-rsi.xls) and
    "Moving Averages - Simple and Exponential" (cs-movavg.xls). The examples have no
    dates: their closes are loaded on consecutive NYSE sessions of a made-up symbol.

    @critical
    Scenario: RSI(14) agrees with the StockCharts ChartSchool worked example
      Given the closes of the StockCharts ChartSchool RSI example have been loaded as RSIX:
        | day | close   | RSI(14) |
        | 1   | 44.3389 |         |
        | 2   | 44.0902 |         |
        | 3   | 44.1497 |         |
        | 4   | 43.6124 |         |
        | 5   | 44.3278 |         |
        | 6   | 44.8264 |         |
        | 7   | 45.0955 |         |
        | 8   | 45.4245 |         |
        | 9   | 45.8433 |         |
        | 10  | 46.0826 |         |
        | 11  | 45.8931 |         |
        | 12  | 46.0328 |         |
        | 13  | 45.6140 |         |
        | 14  | 46.2820 |         |
        | 15  | 46.2820 | 70.53   |
        | 16  | 46.0028 | 66.32   |
        | 17  | 46.0328 | 66.55   |
        | 18  | 46.4116 | 69.41   |
        | 19  | 46.2222 | 66.36   |
        | 20  | 45.6439 | 57.97   |
        | 21  | 46.2122 | 62.93   |
        | 22  | 46.2521 | 63.26   |
        | 23  | 45.7137 | 56.06   |
        | 24  | 46.4515 | 62.38   |
        | 25  | 45.7835 | 54.71   |
        | 26  | 45.3548 | 50.42   |
        | 27  | 44.0288 | 39.99   |
        | 28  | 44.1783 | 41.46   |
        | 29  | 44.2181 | 41.87   |
        | 30  | 44.5672 | 45.46   |
        | 31  | 43.4205 | 37.30   |
        | 32  | 42.6628 | 33.08   |
        | 33  | 43.1314 | 37.77   |
      Then the platform's RSI(14) of RSIX agrees with the worked example to the cent

    @critical
    Scenario: EMA(10) agrees with the StockCharts ChartSchool worked example
      Given the closes of the StockCharts ChartSchool moving-average example have been loaded as EMAX:
        | day | close   | EMA(10) |
        | 1   | 22.2734 |         |
        | 2   | 22.1940 |         |
        | 3   | 22.0847 |         |
        | 4   | 22.1741 |         |
        | 5   | 22.1840 |         |
        | 6   | 22.1344 |         |
        | 7   | 22.2337 |         |
        | 8   | 22.4323 |         |
        | 9   | 22.2436 |         |
        | 10  | 22.2933 | 22.22   |
        | 11  | 22.1542 | 22.21   |
        | 12  | 22.3926 | 22.24   |
        | 13  | 22.3816 | 22.27   |
        | 14  | 22.6109 | 22.33   |
        | 15  | 23.3558 | 22.52   |
        | 16  | 24.0519 | 22.80   |
        | 17  | 23.7530 | 22.97   |
        | 18  | 23.8324 | 23.13   |
        | 19  | 23.9516 | 23.28   |
        | 20  | 23.6338 | 23.34   |
        | 21  | 23.8225 | 23.43   |
        | 22  | 23.8722 | 23.51   |
        | 23  | 23.6537 | 23.54   |
        | 24  | 23.1870 | 23.47   |
        | 25  | 23.0976 | 23.40   |
        | 26  | 23.3260 | 23.39   |
        | 27  | 22.6805 | 23.26   |
        | 28  | 23.0976 | 23.23   |
        | 29  | 22.4025 | 23.08   |
        | 30  | 22.1725 | 22.92   |
      Then the platform's EMA(10) of EMAX agrees with the worked example to the cent

  Rule: Every indicator and feature of real history follows its published definition

    The worked examples pin two indicators on a month of made-up closes; here every
    indicator and feature the platform serves is checked, on every session of a year of
    real history, against its definition computed independently of the platform.

    @critical
    Scenario: The indicators of a year of S&P 500 history follow their definitions
      Given the SPX history of 2018 has been loaded
      Then every indicator of SPX over 2018 agrees with its definition:
        | indicator             | definition                                                    |
        | SMA(20)               | mean of the last 20 closes                                    |
        | SMA(50)               | mean of the last 50 closes                                    |
        | EMA(12)               | multiplier 2/13, seeded with the SMA of the first 12 closes   |
        | EMA(26)               | multiplier 2/27, seeded with the SMA of the first 26 closes   |
        | RSI(14)               | Wilder's, averages seeded with the means of 14 changes        |
        | MACD line             | EMA(12) minus EMA(26)                                         |
        | MACD signal           | EMA(9) of the MACD line                                       |
        | MACD histogram        | MACD line minus MACD signal                                   |
        | Bollinger upper band  | SMA(20) plus 2 population standard deviations of 20 closes    |
        | Bollinger middle band | SMA(20)                                                       |
        | Bollinger lower band  | SMA(20) minus 2 population standard deviations of 20 closes   |
        | daily return          | close over the previous close, minus 1                        |
        | volatility(20)        | sample standard deviation of 20 daily returns, times √252     |

    @normal
    Scenario Outline: An indicator of any period from 1 to 500 sessions is served: <indicator>
      Given the SPX history of 2018 has been loaded
      When an operator asks for the <indicator> of SPX over 2018
      Then it is served as defined for every session

      Examples:
        | indicator |
        | SMA(1)    |
        | SMA(500)  |
        | EMA(7)    |
        | RSI(2)    |

    @normal
    Scenario: The RSI of a price that has not moved is neutral, 50
      Given STILL has closed at 10.00 on each of 20 sessions from 2024-03-04
      When an operator asks for the RSI(14) of STILL over 2024-03-04 to 2024-03-29
      Then it is served as defined for every session

    @normal
    Scenario Outline: An indicator of a period outside 1 to 500 sessions is refused: <indicator>
      Given the SPX history of January 2018 has been loaded
      When an operator asks for the <indicator> of SPX over January 2018
      Then it is refused as an indicator the platform does not offer

      Examples:
        | indicator |
        | SMA(0)    |
        | SMA(501)  |

    @critical
    Scenario: The momentum features of a year of S&P 500 history follow their definitions
      Given the SPX history of 2018 has been loaded
      Then every momentum feature of SPX over 2018-01-02 to 2018-12-31 agrees with its definition:
        | momentum feature      | definition                                              |
        | 1-session return      | close over the close 1 session before, minus 1          |
        | 5-session return      | close over the close 5 sessions before, minus 1         |
        | 10-session return     | close over the close 10 sessions before, minus 1        |
        | RSI(14)               | as the indicator                                        |
        | MACD histogram        | as the indicator                                        |
        | volatility(20)        | as the indicator                                        |
        | distance from SMA(20) | close over SMA(20), minus 1                             |
        | next session up       | 1 when the next close is higher, 0 when not, none last  |
        | next session return   | next close over this close, minus 1; none on the last   |

  Rule: Features for learning use only what was known at each session, and are split in time order

    The momentum feature set (version 1): trailing returns, RSI(14), MACD histogram,
    volatility and distance to SMA(20), labelled with whether the next session closed up.

    @critical
    Scenario: Loading later prices never changes a past feature row
      Given the SPX history of 2018-01-02 to 2018-06-29 has been loaded
      And the momentum features of SPX have been read
      When an operator loads the SPX history of July 2018
      Then no momentum feature row of SPX up to 2018-06-28 has changed
      And the momentum row of SPX for 2018-06-29 was unlabelled and now has its label

    @normal
    Scenario Outline: Momentum features asked for <what> are served
      Given the SPX history of January 2018 has been loaded
      When an operator asks for the momentum features of <symbols> over <period>
      Then the momentum features of <count> are served

      Examples:
        | what                               | symbols    | period                   | count      |
        | one day, the first and the last    | SPX        | 2018-01-10 to 2018-01-10 | 1 session  |
        | 50 symbols, the most at once       | 50 symbols | January 2018             | 21 sessions |

    @normal
    Scenario Outline: Momentum features asked for <what> are refused
      Given the SPX history of January 2018 has been loaded
      When an operator asks for the momentum features of <symbols> over <period>
      Then the request for features is refused because the <field> <problem>

      Examples:
        | what                                     | symbols    | period                   | field   | problem             |
        | a period ending the day before it starts | SPX        | 2018-01-10 to 2018-01-09 | end     | is before the start |
        | 51 symbols, one more than the most       | 51 symbols | January 2018             | symbols | are more than 50    |

    @normal
    Scenario: A session followed by an unchanged close is labelled not up
      When an operator loads these daily bars of FLAT:
        | session    | open  | high  | low   | close | volume |
        | 2024-03-04 | 10.00 | 10.00 | 10.00 | 10.00 | 100    |
        | 2024-03-05 | 10.00 | 11.00 | 10.00 | 11.00 | 100    |
        | 2024-03-06 | 11.00 | 11.00 | 11.00 | 11.00 | 100    |
        | 2024-03-07 | 11.00 | 11.00 | 10.99 | 10.99 | 100    |
      Then the momentum labels of FLAT are:
        | session    | next session up |
        | 2024-03-04 | yes             |
        | 2024-03-05 | no              |
        | 2024-03-06 | no              |
        | 2024-03-07 | not known yet   |

    @critical
    Scenario: Training, validation and test sessions follow each other in time
      Given the SPX history of 2017 to 2018 has been loaded
      And the NDX history of 2017 to 2018 has been loaded
      When the momentum features of SPX and NDX are split 70/15/15 into training, validation and test
      Then every training session comes before every validation session, and those before every test session
      And the parts hold 70 %, 15 % and 15 % of the sessions
      And each session's rows of SPX and NDX are in the same part

    @normal
    Scenario: Sessions left out between the parts are counted in sessions, not rows
      Given the SPX history of 2018 has been loaded
      And the NDX history of 2018 has been loaded
      When the momentum features of SPX and NDX are split 70/15/15 with 5 sessions left out between the parts
      Then 5 sessions of SPX lie between training and validation, and between validation and test
      And each session's rows of SPX and NDX are in the same part
