"""Single-use codes and idempotency keys hold when requests race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import Sim, pkce_pair, query_of


def test_a_code_exchanged_concurrently_gives_tokens_once(tmp_path):
    sim = Sim(tmp_path)
    sim.sign_up("alice")
    verifier, challenge = pkce_pair()
    code = query_of(sim.consent(challenge))["code"]
    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(lambda _: sim.exchange(code, verifier).status_code, range(6)))
    assert statuses == [200, 400, 400, 400, 400, 400]


def test_concurrent_deposits_with_one_key_deposit_once(tmp_path):
    sim = Sim(tmp_path)
    sim.sign_up("alice")
    token = sim.link().tokens["access_token"]
    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda _: sim.deposit(token, "10", key="k1"), range(6)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sim.account(token).json()["cash"] == "10.00"
