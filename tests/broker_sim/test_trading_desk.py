"""The brokerage's trading desk: orders fill at the session's close, cash and positions
move with the fill, controls act on one account only."""

from __future__ import annotations

from datetime import date

import pytest

from quantdesk.broker_sim import universe
from tests.conftest import assert_error, bearer, pkce_pair, query_of

ALL_SCOPES = "account:read account:write trading"


class Trader:
    def __init__(self, sim, username: str, cash: str = "100000") -> None:
        self.sim = sim
        self.account_id = sim.sign_up(username)["account"]["id"]
        verifier, challenge = pkce_pair()
        code = query_of(sim.consent(challenge, username=username, scope=ALL_SCOPES))["code"]
        self.headers = bearer(sim.exchange(code, verifier).json()["access_token"])
        if cash != "0":
            made = sim.http.post(
                "/v1/account/deposits", json={"amount": cash}, headers=self.headers
            )
            assert made.status_code == 201, made.text

    def order(self, symbol="SYN001", qty=10, side="buy", expect=201, **more):
        body = {"symbol": symbol, "qty": qty, "side": side, **more}
        answer = self.sim.http.post("/v1/orders", json=body, headers=self.headers)
        assert answer.status_code == expect, answer.text
        return answer.json()

    def get(self, path: str, **params):
        answer = self.sim.http.get(path, params=params, headers=self.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def control(self, what: str, method: str = "put", **body):
        path = f"/v1/controls/accounts/{self.account_id}/{what}"
        answer = getattr(self.sim.http, method)(path, json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def alice(sim):
    return Trader(sim, "alice")


def close(symbol: str, on: date = universe.START_SESSION) -> int:
    cents = universe.close_cents(symbol, on)
    assert cents is not None
    return cents


def test_the_synthetic_universe_is_the_same_on_every_machine():
    assert len(universe.SYNTHETIC_SYMBOLS) == 200
    first = [universe.close_cents(s, universe.START_SESSION) for s in universe.SYNTHETIC_SYMBOLS]
    assert all(c and c > 0 for c in first)
    assert universe.close_cents("SYN000", date(2018, 1, 2)) == close("SYN000")
    assert universe.close_cents("SYN000", date(2018, 1, 1)) is None  # a holiday


def test_a_market_buy_fills_at_the_close_and_moves_cash_and_position_together(alice):
    price = close("SYN001")
    order = alice.order("SYN001", 10)
    assert order["status"] == "filled" and order["filled_qty"] == "10"
    assert order["filled_avg_price"] == f"{price / 100:.4f}"
    account = alice.get("/v1/account/trading")
    assert account["cash"] == f"{(10_000_000 - 10 * price) / 100:.2f}"
    assert account["equity"] == "100000.00"
    [position] = alice.get("/v1/positions")
    assert position["qty"] == "10" and position["unrealized_pl"] == "0.00"


def test_slippage_and_commission_are_charged_against_the_trader(alice):
    alice.control("terms", slippage_bps=100, commission_per_share="0.01", commission_minimum="1")
    price = close("SYN002")
    bought = alice.order("SYN002", 10)
    expected = -(-price * 101 // 100)  # one per cent up, to the whole cent
    assert bought["filled_avg_price"] == f"{expected / 100:.4f}"
    assert bought["commission"] == "1.00"
    sold = alice.order("SYN002", 10, side="sell")
    assert sold["filled_avg_price"] == f"{price * 99 // 100 / 100:.4f}"


def test_a_client_order_id_is_unique_in_the_account_and_finds_the_order(alice):
    placed = alice.order(client_order_id="batch-1-order-1")
    found = alice.get("/v1/orders:by_client_order_id", client_order_id="batch-1-order-1")
    assert found["id"] == placed["id"]
    again = alice.sim.http.post(
        "/v1/orders",
        json={"symbol": "SYN001", "qty": 1, "side": "buy", "client_order_id": "batch-1-order-1"},
        headers=alice.headers,
    )
    assert_error(again, 409, "duplicate_client_order_id")
    assert len(alice.get("/v1/orders")) == 1
    book = alice.sim.http.get(f"/v1/controls/accounts/{alice.account_id}/orders").json()
    assert [o["client_order_id"] for o in book["orders"]] == ["batch-1-order-1"]


def test_a_buy_the_cash_cannot_pay_for_is_rejected_and_changes_nothing(sim):
    poor = Trader(sim, "poor", cash="10")
    order = poor.order("SYN003", 1000)
    assert order["status"] == "rejected" and "buying power" in order["reject_reason"]
    assert poor.get("/v1/account/trading")["cash"] == "10.00"
    assert poor.get("/v1/positions") == []


def test_selling_more_than_is_held_is_rejected(alice):
    assert alice.order("SYN004", 1, side="sell")["status"] == "rejected"


def test_a_partial_fill_leaves_the_rest_open_until_a_later_close(alice):
    alice.control("terms", fill_ratio="0.5")
    order = alice.order("SYN005", 11)
    assert (order["status"], order["filled_qty"]) == ("partially_filled", "5")
    alice.control("terms", fill_ratio="1")
    alice.control("session", method="post", advance_sessions=1)
    done = alice.get(f"/v1/orders/{order['id']}")
    assert (done["status"], done["filled_qty"]) == ("filled", "11")


def test_an_open_order_can_be_cancelled_once(alice):
    alice.control("terms", fill_ratio="0")
    order = alice.order("SYN006", 3)
    assert order["status"] == "accepted"
    cancelled = alice.sim.http.delete(f"/v1/orders/{order['id']}", headers=alice.headers)
    assert cancelled.status_code == 204
    again = alice.sim.http.delete(f"/v1/orders/{order['id']}", headers=alice.headers)
    assert_error(again, 409, "order_not_cancelable")


def test_a_limit_order_waits_for_its_price(alice):
    price = close("SYN007")
    order = alice.order("SYN007", 1, type="limit", limit_price=f"{(price - 1) / 100:.2f}")
    assert order["status"] == "accepted"
    at_limit = alice.order("SYN007", 1, type="limit", limit_price=f"{price / 100:.2f}")
    assert at_limit["status"] == "filled"


def test_rejections_and_faults_are_scoped_to_one_account(sim, alice):
    bob = Trader(sim, "bob")
    alice.control("rejections", next_orders=1, reason="market closed for this account")
    alice.control("faults", fail_next=1, status=503)
    failed = sim.http.post(
        "/v1/orders", json={"symbol": "SYN001", "qty": 1, "side": "buy"}, headers=alice.headers
    )
    assert_error(failed, 503, "desk_fault")
    assert alice.get("/v1/orders") == []  # a failed call places nothing
    rejected = alice.order()
    assert rejected["reject_reason"] == "market closed for this account"
    assert alice.order()["status"] == "filled"
    assert bob.order()["status"] == "filled"


def test_the_session_only_moves_forward_and_prices_move_with_it(alice):
    alice.order("SYN008", 10)
    moved = alice.control("session", method="post", advance_sessions=5)
    assert moved["session"] == "2018-01-09"
    later = close("SYN008", date(2018, 1, 9))
    [position] = alice.get("/v1/positions")
    assert position["current_price"] == f"{later / 100:.2f}"
    back = alice.sim.http.post(
        f"/v1/controls/accounts/{alice.account_id}/session", json={"advance_sessions": 0}
    )
    assert back.status_code == 422


def test_prices_of_the_session_for_the_platform_to_value_a_portfolio(alice):
    prices = alice.get("/v1/account/prices", symbols="SYN001,SPX")
    assert prices["session"] == "2018-01-02"
    assert prices["prices"]["SYN001"] == f"{close('SYN001') / 100:.2f}"
    assert prices["prices"]["SPX"] == f"{close('SPX') / 100:.2f}"


def test_placing_an_order_needs_the_trading_scope(sim):
    sim.sign_up("carol")
    token = sim.link("carol").tokens["access_token"]
    refused = sim.http.post(
        "/v1/orders", json={"symbol": "SYN001", "qty": 1, "side": "buy"}, headers=bearer(token)
    )
    assert_error(refused, 403, "insufficient_scope")


def test_a_scenario_can_state_the_closes_of_its_own_account(sim, alice):
    bob = Trader(sim, "bob")
    alice.control("prices", closes={"SYN010": "50.00"})
    assert alice.get("/v1/account/prices", symbols="SYN010")["prices"] == {"SYN010": "50.00"}
    assert alice.order("SYN010", 3)["filled_avg_price"] == "50.0000"
    assert alice.get("/v1/account/trading")["cash"] == "99850.00"
    assert bob.get("/v1/account/prices", symbols="SYN010")["prices"]["SYN010"] != "50.00"
    refused = sim.http.put(
        f"/v1/controls/accounts/{alice.account_id}/prices", json={"closes": {"SYN010": "0.001"}}
    )
    assert_error(refused, 422, "validation_failed")


def test_last_equity_is_the_equity_at_the_previous_sessions_close(alice):
    first = alice.get("/v1/account/trading")
    assert first["last_equity"] == first["equity"] == "100000.00"  # nothing traded through a close
    alice.control("prices", closes={"SYN011": "40.00"})
    alice.order("SYN011", 100)
    alice.control("session", method="post", advance_sessions=1)
    alice.control("prices", closes={"SYN011": "38.50"})
    account = alice.get("/v1/account/trading")
    assert account["last_equity"] == "100000.00"  # 96,000 cash + 100 x 40.00
    assert account["equity"] == "99850.00"  # the day lost 100 x 1.50
    alice.control("session", method="post", advance_sessions=2)
    later = close("SYN011", date(2018, 1, 4))  # the close before the new session
    assert (
        alice.get("/v1/account/trading")["last_equity"] == f"{96_000 + later:.2f}"
    )  # 100 shares x the close in cents


def test_an_outage_fails_every_trading_call_of_one_account_until_cleared(sim, alice):
    bob = Trader(sim, "bob")
    alice.control("faults", outage=True, status=503)
    for path in ("/v1/account/trading", "/v1/positions", "/v1/orders"):
        answer = sim.http.get(path, headers=alice.headers)
        assert_error(answer, 503, "desk_outage")
    alice.order(expect=503)
    assert bob.get("/v1/account/trading")["cash"] == "100000.00"
    alice.control("faults", outage=False)
    assert alice.get("/v1/orders") == []


def test_an_outage_can_start_after_some_orders(alice):
    alice.control("faults", outage_after_orders=1)
    alice.order("SYN012", 1)
    alice.order("SYN013", 1, expect=503)
    assert alice.sim.http.get("/v1/positions", headers=alice.headers).status_code == 503


def test_the_portfolio_history_has_each_sessions_closing_equity(alice):
    alice.control("prices", closes={"SYN014": "40.00"})
    alice.order("SYN014", 100)
    alice.control("session", method="post", advance_sessions=1)
    alice.control("prices", closes={"SYN014": "41.00"})
    history = alice.get("/v1/account/portfolio/history")
    assert history["sessions"] == ["2018-01-02", "2018-01-03"]
    assert history["equity"] == ["100000.00", "100100.00"]
    assert history["deposits"] == ["100000.00", "100000.00"]
