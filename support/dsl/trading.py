"""The trading cycle in business terms: an active client's recommendation, the rebalance
it proposes, its approval and execution at the brokerage, and the portfolio it leaves.

Symbols in the scenarios ("ACME") are aliases of tickers the brokerage's trading desk
trades (``TRADABLE``); prices are the closes the scenario gives its own client's account,
so scenarios running together never see each other's prices or orders.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import allure

from support import glossary
from support.datasets import symbol_list
from support.drivers.trading import TradingDriver, is_operation
from support.dsl.aliases import Aliases
from support.dsl.brokerage import Brokerage
from support.dsl.brokerage_link import BrokerageLink
from support.dsl.client_setup import ClientSetup, percent_text
from support.dsl.funding import Funding, amount_text
from support.dsl.onboarding import Onboarding
from support.dsl.operations import Operations
from support.dsl.outcomes import Expect, Outcomes, answer_or_refusal
from support.reporting import attach_table, attach_value_chart

# The synthetic universe of the simulated brokerage's trading desk.
TRADABLE = [f"SYN{i:03d}" for i in range(200)]
# Real symbols the desk trades at their real closes: a scenario names them as they are,
# and the platform holds their real history (loaded by the scenario that needs it).
REAL_TICKERS = ("SPX", "NDX")
# Tickers this run has given the platform bars of. They are reference data every trading
# scenario shares (a scenario's prices are its own account's closes), so one load a run
# is enough; loading them again would only find them unchanged.
_TICKERS_WITH_BARS: set[str] = set()


def money_words(amount: str) -> str:
    """``"2500.00"`` -> ``"2,500.00 USD"``, as the specification writes money."""
    return f"{Decimal(amount):,.2f} USD"


def before_and_after(batch: dict[str, Any], alias: Callable[[str], str]) -> list[dict[str, str]]:
    """Shares of each symbol and cash before the batch's orders and expected after them."""
    after = {p["symbol"]: int(p["quantity"]) for p in batch["positions_after"]}
    before = dict(after)
    for order in batch["orders"]:
        signed = order["quantity"] if order["side"] == "buy" else -order["quantity"]
        before[order["symbol"]] = before.get(order["symbol"], 0) - signed
    rows = [
        {"holding": alias(s), "before": str(before[s]), "after": str(after.get(s, 0))}
        for s in sorted(before)
    ]
    cash = {"before": money_words(batch["cash_before"]), "after": money_words(batch["cash_after"])}
    return [*rows, {"holding": "cash", **cash}]


@dataclass
class Trading:
    driver: TradingDriver
    onboarding: Onboarding
    client_setup: ClientSetup
    brokerage_link: BrokerageLink
    funding: Funding
    brokerage: Brokerage
    aliases: Aliases
    outcomes: Outcomes
    operations: Operations
    recommended: dict[str, dict[str, Any]] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    execution_keys: dict[str, str] = field(default_factory=dict)
    simultaneous: list[Any] = field(default_factory=list)
    dry_runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    earlier: dict[str, dict[str, Any]] = field(default_factory=dict)
    answered_again: dict[str, Any] | None = None
    preferences: dict[str, dict[str, str]] = field(default_factory=dict)
    proposed_together: list[dict[str, Any]] = field(default_factory=list)
    repaired: dict[str, Any] = field(default_factory=dict)
    # Whether the last execution of each client ran in the background (an operation).
    in_background: dict[str, bool] = field(default_factory=dict)

    def ticker(self, alias: str) -> str:
        if alias in REAL_TICKERS:
            return alias
        return self.aliases.ticker(alias, TRADABLE)

    def _as(self, name: str) -> tuple[str, str]:
        return self.onboarding.client_id(name), self.onboarding.token(name)

    # -- becoming a trading client --------------------------------------------------------
    def become_active(
        self,
        name: str,
        cash: str,
        symbols: str,
        preferences: dict[str, str] | None = None,
        *,
        model: str | None = None,
    ) -> None:
        """Every onboarding step, trading ``symbols`` with ``preferences``, funded with
        ``cash``."""
        with allure.step(f"{name} becomes an active client with {cash}, trading {symbols}"):
            if name not in self.onboarding.clients:
                self.onboarding.register(name)
            missing = [
                s
                for s in symbol_list(symbols)
                if self.ticker(s) not in _TICKERS_WITH_BARS and s not in REAL_TICKERS
            ]
            if missing:
                self.client_setup.market_data.hold_bars_of(missing, self.ticker)
                _TICKERS_WITH_BARS.update(self.ticker(s) for s in missing)
            self.brokerage_link.link(name)
            given = {"universe": symbols, **(preferences or {})}
            self.preferences[name] = given
            self.client_setup.set_preferences(name, given, expect="accepted", symbol_of=self.ticker)
            if model is None:
                self.client_setup.choose_strategy(name, "equal_weight", expect="accepted")
            else:
                self.client_setup.choose_strategy(name, "model", model, expect="accepted")
            self.funding.deposit(name, cash, expect="accepted")

    def exclude(self, name: str, symbol: str) -> None:
        """``name`` keeps her preferences but excludes ``symbol`` from her universe."""
        given = {**self.preferences[name], "excluded": symbol}
        with allure.step(f"{name} excludes {symbol} from her universe"):
            self.client_setup.set_preferences(name, given, expect="accepted", symbol_of=self.ticker)
        self.preferences[name] = given

    def propose_simultaneously(self, name: str, count: int) -> list[Any]:
        """``count`` proposals for ``name`` at once: each batch, or the refusal it met."""
        client_id, token = self._as(name)
        with (
            allure.step(f"{count} proposals for {name} arrive at once"),
            ThreadPoolExecutor(count) as pool,
        ):
            answers = list(
                pool.map(
                    lambda _: answer_or_refusal(
                        lambda: self.driver.propose(client_id, token=token)
                    ),
                    range(count),
                )
            )
        self.proposed_together = [a for a in answers if isinstance(a, dict)]
        return answers

    def execute_each_proposed_together(self, name: str) -> tuple[int, list[str]]:
        """Execute each batch the simultaneous proposals made: how many were executed, and
        why the others were refused (in the specification's words)."""
        client_id, token = self._as(name)
        executed, reasons = 0, []
        for batch in self.proposed_together:
            with allure.step(f"{name} executes rebalance {batch['id']}"):
                answer = answer_or_refusal(
                    lambda b=batch: self.driver.execute(client_id, b["id"], token=token)
                )
            if isinstance(answer, dict):
                executed += answer["status"] == "executed"
            else:
                reasons.append(glossary.reasons_of(answer, name)[0])
        return executed, reasons

    def set_closes(self, name: str, closes: dict[str, str]) -> None:
        """Today's closes at ``name``'s brokerage account: ``{"ACME": "40.00 USD"}``."""
        self.brokerage.set_closes(
            name, {self.ticker(alias): amount_text(price) for alias, price in closes.items()}
        )

    def become_active_with_many(self, name: str, cash: str, *, one_more: bool) -> int:
        """``name`` trades as many symbols as the platform executes orders at once (or
        ``one_more``); how many symbols that is."""
        count = self.driver.limits()["execution_sync_max_orders"] + (1 if one_more else 0)
        aliases = [f"STOCK{i:02d}" for i in range(1, count + 1)]
        preferences = {"maximum position weight": "100 %", "cash buffer": "0 %"}
        self.become_active(name, cash, ", ".join(aliases), preferences)
        return count

    # -- the recommendation ---------------------------------------------------------------
    def recommend(self, name: str, *, expect: Expect = "either") -> dict[str, Any] | None:
        client_id, token = self._as(name)
        with allure.step(f"{name} asks for their recommendation"):
            answer = self.outcomes.attempt(
                lambda: self.driver.recommendation(client_id, token=token),
                expect=expect,
                what=f"{name}'s recommendation",
                about=name,
            )
        if answer is not None:
            self.recommended[name] = answer
        return answer

    def weights(self, name: str) -> dict[str, str]:
        """``{alias: "23.75 %"}`` of the last recommendation."""
        answer = self.recommended[name]
        return {
            self.aliases.alias_of_ticker(w["symbol"]): percent_text(w["weight"])
            for w in answer["weights"]
        }

    def cash_weight(self, name: str) -> str:
        return percent_text(self.recommended[name]["cash"])

    # -- rebalance batches ----------------------------------------------------------------
    def propose(self, name: str, *, expect: Expect = "either") -> dict[str, Any] | None:
        client_id, token = self._as(name)
        with allure.step(f"{name} proposes a rebalance"):
            batch = self.outcomes.attempt(
                lambda: self.driver.propose(client_id, token=token),
                expect=expect,
                what=f"{name}'s rebalance",
                about=name,
            )
        if batch is not None:
            if name in self.batches:
                self.earlier[name] = self.batches[name]
            self.batches[name] = batch
            attach_table("Proposed orders", self.order_rows(name))
            attach_table(
                "The portfolio before and after the rebalance",
                before_and_after(batch, self.aliases.alias_of_ticker),
            )
        return batch

    def close_out(self, name: str, *, expect: Expect = "accepted") -> dict[str, Any] | None:
        client_id = self.onboarding.client_id(name)
        with allure.step(f"An operator closes out {name}'s portfolio"):
            batch = self.outcomes.attempt(
                lambda: self.driver.close_out(client_id),
                expect=expect,
                what=f"the close-out of {name}'s portfolio",
                about=name,
            )
        if batch is not None:
            self.batches[name] = batch
            attach_table("Orders closing out the portfolio", self.order_rows(name))
        return batch

    def batch(self, name: str) -> dict[str, Any]:
        """``name``'s last batch as the back office sees it now (an operator reads it, so a
        scenario that moves the platform's clock past ``name``'s sign-in still can)."""
        client_id = self.onboarding.client_id(name)
        self.batches[name] = self.driver.rebalance(client_id, self.batches[name]["id"])
        return self.batches[name]

    def _trade_row(self, trade: dict[str, Any]) -> dict[str, str]:
        """An order or a fill as the scenarios' tables write it."""
        return {
            "side": trade["side"],
            "symbol": self.aliases.alias_of_ticker(trade["symbol"]),
            "shares": str(trade["quantity"]),
            "price": money_words(trade["price"]),
        }

    def history_rows(self, name: str) -> list[dict[str, str]]:
        """The audit trail of ``name``'s last batch: each move, by whom, in words."""
        words = glossary.BATCH_STATES
        return [
            {
                "from": words.get(t["from"], t["from"] or "") if t["from"] else "",
                "to": words.get(t["to"], t["to"]),
                "by": "operator" if t["by"] == "operator" else "the client",
            }
            for t in self.batch(name)["transitions"]
        ]

    def order_rows(self, name: str) -> list[dict[str, str]]:
        return [self._trade_row(order) for order in self.batches[name]["orders"]]

    def expected_holdings(self, name: str) -> dict[str, str]:
        """``{alias: shares}`` the last batch expects ``name`` to hold after its orders."""
        return {
            self.aliases.alias_of_ticker(p["symbol"]): str(p["quantity"])
            for p in self.batches[name]["positions_after"]
        }

    def decide(
        self, name: str, *, approve: bool, reason: str | None = None, expect: Expect = "either"
    ) -> dict[str, Any] | None:
        client_id, batch_id = self.onboarding.client_id(name), self.batches[name]["id"]
        verb = "approves" if approve else "rejects"
        with allure.step(f"An operator {verb} {name}'s rebalance"):
            answer = self.outcomes.attempt(
                lambda: (self.driver.approve if approve else self.driver.reject)(
                    client_id, batch_id, reason
                ),
                expect=expect,
                what=f"the {verb[:-1]}al of {name}'s rebalance",
                about=name,
            )
        if answer is not None:
            self.batches[name] = answer
        return answer

    def execute(
        self,
        name: str,
        *,
        same_key: bool = False,
        earlier: bool = False,
        expect: Expect = "either",
    ) -> dict[str, Any] | None:
        """Execute ``name``'s last batch (``earlier``: the one it proposed before that)."""
        client_id, token = self._as(name)
        batch_id = (self.earlier if earlier else self.batches)[name]["id"]
        if not same_key:
            self.execution_keys[name] = f"execute-{secrets.token_hex(8)}"
        key = self.execution_keys[name]
        with allure.step(f"{name} executes the rebalance" + (" again" if same_key else "")):
            answer = self.outcomes.attempt(
                lambda: self.driver.execute(client_id, batch_id, token=token, key=key),
                expect=expect,
                what=f"the execution of {name}'s rebalance",
                about=name,
            )
        self.in_background[name] = answer is not None and is_operation(answer)
        if self.in_background[name]:  # a large batch: follow its operation to the end
            assert answer is not None
            self.operations.started(answer)
            self.operations.await_done()
            self.batch(name)
            return self.batches[name]
        if answer is not None and not earlier:
            self.batches[name] = answer
        return answer

    def execute_in_background(self, name: str, *, same_key: bool = False) -> dict[str, Any]:
        """Start executing ``name``'s last batch as an operation; the operation."""
        client_id, token = self._as(name)
        batch_id = self.batches[name]["id"]
        if not same_key:
            self.execution_keys[name] = f"execute-{secrets.token_hex(8)}"
        key = self.execution_keys[name]
        again = " again with the same request key" if same_key else ""
        with allure.step(f"{name} executes the rebalance in the background{again}"):
            operation = self.driver.execute(
                client_id, batch_id, token=token, key=key, background=True
            )
        if same_key:
            self.answered_again = operation
        else:
            self.operations.started(operation)
        return operation

    def await_execution(self) -> dict[str, Any]:
        """Follow the execution's operation to its end; the operation."""
        return self.operations.await_done()

    def cancel_execution_during_first_order(self) -> dict[str, Any]:
        """Once the operation is sending the first order, cancel it; the operation ended."""
        operation = self.operations.await_progress("order 1 of")
        assert not operation["done"], (
            f"the execution ended before it could be cancelled: {operation}"
        )
        return self.operations.cancel()

    def dry_run(self, name: str) -> dict[str, Any]:
        client_id, token = self._as(name)
        with allure.step(f"{name} dry-runs the rebalance"):
            self.dry_runs[name] = self.driver.dry_run(
                client_id, self.batches[name]["id"], token=token
            )
        attach_table("Fills the dry run expects", self.dry_fill_rows(name))
        return self.dry_runs[name]

    def dry_fill_rows(self, name: str) -> list[dict[str, str]]:
        return [self._trade_row(fill) for fill in self.dry_runs[name]["fills"]]

    def execute_simultaneously(self, name: str, count: int) -> list[Any]:
        """``count`` executions of ``name``'s batch at once, each with its own request key:
        each answer, or the refusal it met."""
        client_id, token = self._as(name)
        batch_id = self.batches[name]["id"]

        def run(i: int) -> Any:
            key = f"execute-{i}-{secrets.token_hex(6)}"
            return answer_or_refusal(
                lambda: self.driver.execute(client_id, batch_id, token=token, key=key)
            )

        with (
            allure.step(f"{count} executions of {name}'s rebalance arrive at once"),
            ThreadPoolExecutor(count) as pool,
        ):
            self.simultaneous = list(pool.map(run, range(count)))
        attach_table(
            "the simultaneous executions",
            [
                {"execution": str(n + 1), "answer": o["status"] if isinstance(o, dict) else str(o)}
                for n, o in enumerate(self.simultaneous)
            ],
        )
        return self.simultaneous

    def simultaneous_outcomes(self) -> tuple[list[str], list[str]]:
        """The states the simultaneous executions answered, and why the others were refused
        (in the specification's words)."""
        answered = [o["status"] for o in self.simultaneous if isinstance(o, dict)]
        reasons = [glossary.reasons_of(o)[0] for o in self.simultaneous if not isinstance(o, dict)]
        return answered, reasons

    # -- the portfolio --------------------------------------------------------------------
    def portfolio(self, name: str) -> dict[str, Any]:
        client_id, token = self._as(name)
        with allure.step(f"Look at {name}'s portfolio"):
            answer = self.driver.portfolio(client_id, token=token)
        attach_table(f"{name}'s portfolio", self.holding_rows(answer))
        return answer

    def valuation_rows(self, name: str) -> list[dict[str, str]]:
        """Each position of ``name``'s portfolio at the session's closes, as a person reads it."""
        return [
            {
                "symbol": self.aliases.alias_of_ticker(p["symbol"]),
                "shares": str(p["quantity"]),
                "price": money_words(p["price"]),
                "market value": money_words(p["market_value"]),
                "unrealised gain": money_words(p["unrealised_pnl"]),
                "weight": percent_text(p["weight"]),
            }
            for p in self.portfolio(name)["positions"]
        ]

    def pnl_rows(self, name: str) -> list[dict[str, str]]:
        """``name``'s portfolio at each session's close, as a person reads it; the value
        over the days goes to the report as a chart."""
        client_id, token = self._as(name)
        with allure.step(f"Look at {name}'s P&L over the days"):
            days = self.driver.portfolio_history(client_id, token=token)["days"]
        attach_value_chart(
            f"{name}'s portfolio value over the days",
            [d["session"] for d in days],
            [float(d["equity"]) for d in days],
        )
        return [
            {
                "session": d["session"],
                "value": money_words(d["equity"]),
                "day's gain": money_words(d["day_pnl"]),
                "total gain": money_words(d["total_pnl"]),
            }
            for d in days
        ]

    def states_of_rebalances(self, name: str) -> list[str]:
        """The state of each rebalance ``name`` has, oldest first, in words."""
        client_id, token = self._as(name)
        with allure.step(f"Look at {name}'s rebalances"):
            listed = self.driver.rebalances(client_id, token=token)
        return [glossary.BATCH_STATES.get(b["status"], b["status"]) for b in listed]

    def holding_rows(self, portfolio: dict[str, Any]) -> list[dict[str, str]]:
        return [
            {
                "symbol": self.aliases.alias_of_ticker(p["symbol"]),
                "shares": str(p["quantity"]),
                "average cost": money_words(p["average_cost"]),
            }
            for p in portfolio["positions"]
        ]

    def differences_with_brokerage(self, name: str) -> list[dict[str, Any]]:
        client_id, token = self._as(name)
        with allure.step(f"Compare the platform's book of {name} with the brokerage's"):
            return self.driver.reconciliation(client_id, token=token)["differences"]

    def difference_rows(self, name: str) -> list[dict[str, str]]:
        return [
            {
                "what": d["what"],
                "symbol": self.aliases.alias_of_ticker(d["symbol"]) if d["symbol"] else "",
                "platform": d["platform"],
                "brokerage": d["brokerage"],
            }
            for d in self.differences_with_brokerage(name)
        ]

    def repair(self, name: str) -> dict[str, Any]:
        with allure.step(f"An operator repairs {name}'s book from the brokerage"):
            self.repaired = self.driver.repair(self.onboarding.client_id(name))
        return self.repaired

    def references_agree(self, name: str) -> bool:
        """Whether each order of ``name``'s last batch shows the id the brokerage gave the
        order it holds under the batch's reference for it."""
        theirs = {o["client_order_id"]: o["id"] for o in self.orders_at_brokerage(name)}
        ours = {o["client_order_id"]: o["broker_order_id"] for o in self.batch(name)["orders"]}
        return bool(ours) and ours == theirs

    def orders_at_brokerage(self, name: str) -> list[dict[str, Any]]:
        return list(self.brokerage.orders_received(name))

    def order_of(self, name: str, side: str, alias: str) -> dict[str, Any]:
        """The order of ``name``'s last batch that ``side``s ``alias``, as it is now."""
        ticker = self.ticker(alias)
        found = [
            o for o in self.batch(name)["orders"] if o["symbol"] == ticker and o["side"] == side
        ]
        assert len(found) == 1, f"{name}'s rebalance has {len(found)} orders to {side} {alias}"
        return found[0]

    def fail_recording_next_fill(self, name: str) -> None:
        with allure.step(f"The platform will fail half-way through recording {name}'s next fill"):
            self.driver.fail_recording_fills(self.onboarding.client_id(name), 1)

    # -- the daily loss limit ---------------------------------------------------------
    def set_daily_loss_limit(self, name: str, limit: str) -> None:
        """An operator sets ``name``'s daily loss limit (``"1,180.00 USD"``)."""
        client_id = self.onboarding.client_id(name)
        with allure.step(f"An operator sets {name}'s daily loss limit to {limit}"):
            self.driver.set_daily_loss_limit(client_id, amount_text(limit), "the client's mandate")

    def risk(self, name: str) -> dict[str, Any]:
        client_id, token = self._as(name)
        with allure.step(f"Look at {name}'s trading risk"):
            return self.driver.risk(client_id, token=token)

    def resume_trading(self, name: str, reason: str, *, expect: Expect = "either") -> None:
        client_id = self.onboarding.client_id(name)
        with allure.step(f"An operator resumes {name}'s trading because {reason}"):
            self.outcomes.attempt(
                lambda: self.driver.resume_trading(client_id, reason),
                expect=expect,
                what=f"resuming {name}'s trading",
                about=name,
            )

    def risk_trail_rows(self, name: str) -> list[dict[str, str]]:
        """``name``'s risk trail, oldest first: what happened, by whom, and why."""
        rows = [
            {
                "what": glossary.RISK_EVENTS.get(e["kind"], e["kind"]),
                "by": e["by"],
                "why": e["message"],
            }
            for e in self.risk(name)["events"]
        ]
        attach_table(f"{name}'s risk trail", rows)
        return rows
