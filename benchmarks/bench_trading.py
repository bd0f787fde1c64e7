"""The trading cycle through HTTP, on the embedded platform (SQLite unless
``--database-url`` names PostgreSQL).

Run: ``.venv/bin/python -m benchmarks.bench_trading [--quick] [--database-url URL]``
(also part of ``make bench``, never of ``make test``).

1. **One 50-symbol portfolio**: a client trading SYN000..SYN049, maximum position weight
   5 %, approval required, 1,000,000.00 USD deposited; propose, approve (operator) and
   execute its rebalance (50 buys; more than run in a request, so the platform executes
   them in the background and the figure runs until its operation is done, polled every
   5 ms). The platform sends no server-timing header, so each
   figure is the request's wall time on loopback: an upper bound of its server time
   (client-side cost is one idle httpx call). Median over several fresh clients, after
   a warm-up client; target < 0.3 s for the three together.
2. **20 concurrent clients**: 20 clients (10-symbol universes, approval not required),
   onboarded first, then each runs recommendation, propose, execute, portfolio at the
   same moment, one thread and one httpx client each (a pool of 20 threads); repeated in
   rounds of fresh clients. p50/p95 of each endpoint's wall time and the error count;
   targets p95 < 0.1 s for every endpoint, 0 errors.

Onboarding reuses the acceptance suite's own World (registration, sign-in and the
brokerage link journey through the simulator's consent page); its Allure calls are
no-ops outside behave. The timed requests use plain httpx clients, not the suite's
recording client, so evidence rendering is not part of any figure.

Writes benchmarks/results/trading.json (trading_postgresql.json on PostgreSQL).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from benchmarks import write_results
from benchmarks.bench_startup import reference_seconds
from quantdesk.broker.client import BrokerClient, new_pkce_verifier, new_state
from support.drivers.brokerage import BrokerageDriver
from support.drivers.http import RecordingClient
from support.drivers.launcher import EmbeddedSystem
from support.drivers.redaction import Redactor
from support.world import Target, World

# The simulator's synthetic universe: the platform needs bars of every symbol a client
# puts in its universe (preferences refuse a symbol without market data).
TRADABLE = [f"SYN{i:03d}" for i in range(200)]
SESSIONS = ["2024-03-04", "2024-03-05", "2024-03-06"]
CYCLE = ("recommendation", "propose", "execute", "portfolio")
CONCURRENT_CLIENTS = 20
SINGLE_TARGET_S = 0.3
P95_TARGET_S = 0.1


def _bars_csv(symbols: list[str]) -> bytes:
    lines = ["symbol,session,open,high,low,close,volume"]
    for symbol in symbols:
        for i, session in enumerate(SESSIONS):
            lines.append(f"{symbol},{session},{100 + i},{101 + i},{99 + i},{100.5 + i},{1000 + i}")
    return ("\n".join(lines) + "\n").encode()


def _percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: with 20..60 samples p95 is a real one)."""
    ordered = sorted(samples)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


class Desk:
    """The embedded system, its operator and a way to make active clients."""

    def __init__(self, system: EmbeddedSystem) -> None:
        self.system = system
        self.target = Target(
            base_url=system.base_url,
            broker_url=system.broker_url,
            operator_key=system.operator_key,
            controls_enabled=True,
        )
        self.operator = httpx.Client(
            base_url=system.base_url, timeout=60, headers={"X-API-Key": system.operator_key}
        )
        self.made = 0

    def load_bars(self) -> None:
        answer = self.operator.post(
            "/v1/market-data/ingestions",
            content=_bars_csv(TRADABLE),
            params={"kind": "full", "source": "bench"},
            headers={"Content-Type": "text/csv"},
        )
        answer.raise_for_status()
        assert answer.json()["status"] == "succeeded", answer.text

    def active_client(
        self, universe: list[str], *, max_weight: str, approval: bool, cash: str
    ) -> tuple[str, str]:
        """A new active client (its id and sign-in token), onboarded as the suite does."""
        self.made += 1
        name = f"Trader{self.made}"
        world = World(self.target)
        try:
            world.onboarding.register(name)
            world.brokerage_link.link(name)  # the browser journey at the simulator
            client_id, token = world.onboarding.client_id(name), world.onboarding.token(name)
            world.client_setup.driver.set_preferences(
                client_id,
                {
                    "universe": universe,
                    "max_position_weight": max_weight,
                    "cash_buffer": "0",
                    "approval_required": approval,
                },
                token=token,
            )
            world.client_setup.driver.choose_strategy(
                client_id, {"strategy": "equal_weight"}, token=token
            )
            world.funding.driver.deposit(client_id, cash, token=token)
        finally:
            world.close()
        return client_id, token


class Cycle:
    """One client's trading requests over its own httpx client, each timed."""

    def __init__(self, base_url: str, client_id: str, token: str, operator: httpx.Client) -> None:
        self.http = httpx.Client(
            base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {token}"}
        )
        self.operator = operator  # approvals are the operator's
        self.path = f"/v1/clients/{client_id}"
        self.seconds: dict[str, float] = {}

    def _timed(
        self, what: str, method: str, path: str, *, http: httpx.Client | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        started = time.perf_counter()
        answer = (http or self.http).request(method, self.path + path, **kwargs)
        self.seconds[what] = time.perf_counter() - started
        if answer.status_code >= 400:
            raise RuntimeError(f"{what}: {answer.status_code} {answer.text[:300]}")
        return answer.json()

    def recommendation(self) -> dict[str, Any]:
        return self._timed("recommendation", "GET", "/recommendation")

    def propose(self) -> dict[str, Any]:
        return self._timed("propose", "POST", "/rebalances")

    def approve(self, batch_id: str) -> dict[str, Any]:
        return self._timed(
            "approve",
            "POST",
            f"/rebalances/{batch_id}:approve",
            json={"reason": "benchmark"},
            http=self.operator,
        )

    def execute(self, batch_id: str) -> dict[str, Any]:
        """Execute, and when the platform runs it in the background (a large batch), poll
        its operation (as an operator) until it is done: the time is until the batch ended."""
        key = {"Idempotency-Key": f"bench-{batch_id}"}
        started = time.perf_counter()
        answer = self._timed("execute", "POST", f"/rebalances/{batch_id}:execute", headers=key)
        while "done" in answer and not answer["done"]:
            time.sleep(0.005)  # poll interval; the loop ends with the operation
            answer = self.operator.get(f"/v1/operations/{answer['id']}").json()
        if "done" in answer:
            assert answer["status"] == "succeeded", answer
            answer = answer["result"]
        self.seconds["execute"] = time.perf_counter() - started
        return answer

    def portfolio(self) -> dict[str, Any]:
        return self._timed("portfolio", "GET", "/portfolio")

    def close(self) -> None:
        self.http.close()


def single_portfolio(desk: Desk, runs: int) -> dict[str, Any]:
    """Propose + approve + execute a 50-symbol portfolio; median of ``runs`` fresh clients."""
    universe = TRADABLE[:50]
    samples = []
    for i in range(runs + 1):  # the first is a warm-up (imports, first queries, pools)
        client_id, token = desk.active_client(
            universe, max_weight="0.05", approval=True, cash="1000000.00"
        )
        cycle = Cycle(desk.system.base_url, client_id, token, desk.operator)
        try:
            batch = cycle.propose()
            assert batch["status"] == "pending_approval", batch["status"]
            assert len(batch["orders"]) == 50, len(batch["orders"])
            cycle.approve(batch["id"])
            done = cycle.execute(batch["id"])
            assert done["status"] == "executed", done["status"]
        finally:
            cycle.close()
        if i:
            samples.append(dict(cycle.seconds))
            print(
                "  50 symbols: "
                + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in cycle.seconds.items())
            )
    figures = {
        f"{what}_s": round(statistics.median(s[what] for s in samples), 4)
        for what in ("propose", "approve", "execute")
    }
    figures["total_s"] = round(statistics.median(sum(s.values()) for s in samples), 4)
    figures.update(runs=runs, orders=50, target_s=SINGLE_TARGET_S, timing="loopback wall")
    return figures


def brokerage_floor(system: EmbeddedSystem, orders: int = 50) -> dict[str, Any]:
    """What the simulated brokerage alone takes: ``orders`` market orders placed one after
    the other, straight at the simulator (QuantDesk's own OAuth client, over loopback),
    on an account of its own. Execution places a batch's orders in sequence, so this is
    the floor under ``execute`` that no platform change can go below."""
    browser = RecordingClient(system.broker_url, Redactor(), system="brokerage")
    http = httpx.Client(base_url=system.broker_url, timeout=60)
    try:
        broker = BrokerClient(
            base_url=system.broker_url,
            client_id="quantdesk",
            client_secret=system.broker_client_secret,
            redirect_uri=f"{system.base_url}/v1/brokerage/callback",
            scope="account:read account:write trading",
            http=http,
        )
        username, password = f"floor-{secrets.token_hex(4)}", f"pw-{secrets.token_hex(12)}"
        pages = BrokerageDriver(browser)
        pages.sign_up(username, password)
        verifier = new_pkce_verifier()
        form = pages.open_consent_page(broker.authorization_url(new_state(), verifier))
        answer = pages.submit(form, "allow", username=username, password=password)
        token = broker.exchange_code(answer.query["code"], verifier).access_token
        broker.deposit(token, "1000000.00", f"floor-{username}")
        samples = []
        for round_ in range(3):
            started = time.perf_counter()
            for i in range(orders):
                broker.place_order(
                    token, symbol=TRADABLE[i], side="buy", qty=1, client_order_id=f"{round_}-{i}"
                )
            samples.append(time.perf_counter() - started)
    finally:
        http.close()
        browser.close()
    return {"orders": orders, "median_s": round(statistics.median(samples), 4), "runs": 3}


def _run_cycle(cycle: Cycle, start: threading.Barrier) -> tuple[dict[str, float], str | None]:
    start.wait()
    try:
        cycle.recommendation()
        batch = cycle.propose()
        cycle.execute(batch["id"])
        cycle.portfolio()
    except Exception as exc:  # counted, not raised: the benchmark reports every error
        return dict(cycle.seconds), f"{type(exc).__name__}: {exc}"
    return dict(cycle.seconds), None


def _universe(n: int, symbols: int) -> list[str]:
    """The ``n``-th client's ``symbols`` consecutive tickers (round the synthetic universe)."""
    first = (n * symbols) % len(TRADABLE)
    return [TRADABLE[(first + k) % len(TRADABLE)] for k in range(symbols)]


def one_at_a_time(desk: Desk, clients: int, symbols: int = 10) -> dict[str, float]:
    """The same cycle, one client after the other: each endpoint's cost without queueing
    (median of ``clients``), to read the concurrent figures against."""
    samples: dict[str, list[float]] = {what: [] for what in CYCLE}
    for n in range(clients):
        client_id, token = desk.active_client(
            _universe(n, symbols), max_weight="0.25", approval=False, cash="100000.00"
        )
        cycle = Cycle(desk.system.base_url, client_id, token, desk.operator)
        seconds, error = _run_cycle(cycle, threading.Barrier(1))
        cycle.close()
        if error:
            raise RuntimeError(error)
        for what, value in seconds.items():
            samples[what].append(value)
    return {f"{what}_s": round(statistics.median(v), 4) for what, v in samples.items()}


def concurrent_clients(desk: Desk, rounds: int, symbols: int = 10) -> dict[str, Any]:
    """``CONCURRENT_CLIENTS`` clients running the cycle together, ``rounds`` times."""
    samples: dict[str, list[float]] = {what: [] for what in CYCLE}
    errors: list[str] = []
    onboarding = []
    for round_ in range(rounds):
        cycles = []
        for i in range(CONCURRENT_CLIENTS):
            universe = _universe(round_ * CONCURRENT_CLIENTS + i, symbols)
            started = time.perf_counter()
            client_id, token = desk.active_client(
                universe, max_weight="0.25", approval=False, cash="100000.00"
            )
            onboarding.append(time.perf_counter() - started)
            cycles.append(Cycle(desk.system.base_url, client_id, token, desk.operator))
        start = threading.Barrier(len(cycles))
        with ThreadPoolExecutor(max_workers=len(cycles)) as pool:
            outcomes = list(pool.map(_run_cycle, cycles, [start] * len(cycles)))
        for cycle in cycles:
            cycle.close()
        for seconds, error in outcomes:
            for what, value in seconds.items():
                samples[what].append(value)
            if error:
                errors.append(error)
        print(f"  round {round_ + 1}/{rounds}: {len(errors)} error(s) so far")
    endpoints = {
        what: {
            "p50_s": round(_percentile(values, 0.5), 4),
            "p95_s": round(_percentile(values, 0.95), 4),
            "max_s": round(max(values), 4),
            "samples": len(values),
        }
        for what, values in samples.items()
        if values
    }
    return {
        "clients": CONCURRENT_CLIENTS,
        "threads": CONCURRENT_CLIENTS,
        "rounds": rounds,
        "symbols_per_client": symbols,
        "endpoints": endpoints,
        "worst_p95_s": max((e["p95_s"] for e in endpoints.values()), default=0.0),
        "errors": len(errors),
        "error_samples": errors[:5],
        "onboarding_median_s": round(statistics.median(onboarding), 3),
        "target_p95_s": P95_TARGET_S,
        "timing": "loopback wall",
    }


def run(quick: bool = False, database_url: str | None = None) -> dict[str, Any]:
    reference = reference_seconds()
    system = EmbeddedSystem(database_url=database_url).start()
    try:
        desk = Desk(system)
        desk.load_bars()
        print("propose + approve + execute, 50 symbols:")
        single = single_portfolio(desk, runs=2 if quick else 5)
        print(
            f"  median: propose {single['propose_s']:.3f} s + approve {single['approve_s']:.3f}"
            f" s + execute {single['execute_s']:.3f} s = {single['total_s']:.3f} s"
        )
        floor = brokerage_floor(system)
        print(f"  floor: 50 orders straight at the simulator {floor['median_s']:.3f} s")
        alone = one_at_a_time(desk, clients=3 if quick else 5)
        print(
            "one client at a time (10 symbols): "
            + ", ".join(f"{k[:-2]} {v * 1000:.0f} ms" for k, v in alone.items())
        )
        print(f"{CONCURRENT_CLIENTS} concurrent clients:")
        together = concurrent_clients(desk, rounds=1 if quick else 3)
        together["one_at_a_time_median"] = alone
        for what, e in together["endpoints"].items():
            print(
                f"  {what:15s} p50 {e['p50_s'] * 1000:6.1f} ms  p95 {e['p95_s'] * 1000:6.1f} ms"
                f"  max {e['max_s'] * 1000:6.1f} ms  ({e['samples']} requests)"
            )
        print(f"  errors: {together['errors']}")
    finally:
        system.stop()
    checks = {
        "single_50_under_0.3s": single["total_s"] < SINGLE_TARGET_S,
        "concurrent_p95_under_0.1s": together["worst_p95_s"] < P95_TARGET_S,
        "concurrent_no_errors": together["errors"] == 0,
    }
    for check, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {check}")
    report = {
        "benchmark": "trading",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": "postgresql" if database_url else "sqlite",
        "quick": quick,
        "reference_import_floor_s": round(reference, 3),
        "single_50": {**single, "ratio_to_reference": round(single["total_s"] / reference, 3)},
        "brokerage_floor_50_orders": floor,
        "concurrent": {
            **together,
            "ratio_to_reference": round(together["worst_p95_s"] / reference, 3),
        },
        "checks": checks,
    }
    name = "trading_postgresql.json" if database_url else "trading.json"
    print(f"wrote {write_results(name, report)}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer clients and one round")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    report = run(quick=args.quick, database_url=args.database_url)
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
