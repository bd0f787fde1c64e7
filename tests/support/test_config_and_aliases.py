from support.config import TargetConfig
from support.dsl.aliases import Aliases


def test_userdata_wins_over_environment():
    config = TargetConfig.from_sources(
        {"base_url": "http://a:1/"},
        {"QUANTDESK_BASE_URL": "http://b:2", "QUANTDESK_OPERATOR_KEY": "k"},
    )
    assert config.base_url == "http://a:1"
    assert config.operator_key == "k"
    assert config.remote


def test_embedded_by_default():
    assert not TargetConfig.from_sources({}, {}).remote


def test_aliases_are_stable_within_a_scenario_and_unique_across():
    first, second = Aliases(), Aliases()
    assert first.email("Alice") == first.email("Alice")
    assert first.email("Alice") != second.email("Alice")
    assert first.name("Alice").startswith("Alice ")
    assert first.email("Mary Ann").startswith("mary-ann-")


def test_symbol_aliases_are_tickers_unique_per_scenario():
    first, second = Aliases("3f9c2a1b"), Aliases("0badcafe")
    assert first.symbol("SPX") == "SPX_3F9C2A1B" == first.symbol(" spx ")
    assert first.symbol("SPX") != second.symbol("SPX")
    assert first.symbol("Brent crude") == "BRENT_CRUDE_3F9C2A1B"


def test_each_symbol_alias_gets_its_own_tradable_ticker_and_keeps_it():
    aliases = Aliases()
    tradable = ["SYN000", "SYN001", "SYN002"]
    assert [aliases.ticker(a, tradable) for a in ("ACME", "BOLT", "acme")] == [
        "SYN000",
        "SYN001",
        "SYN000",
    ]
    assert aliases.alias_of_ticker("SYN001") == "BOLT"
    assert aliases.alias_of_ticker("SYN002") == "SYN002"
