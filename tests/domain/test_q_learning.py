"""The linear Q-learning agent: deterministic for a seed, and it learns a policy that pays."""

from __future__ import annotations

import numpy as np

from quantdesk.domain.q_learning import train_linear_q


def _market(rows: int = 2000, seed: int = 3):
    """One feature that tells whether the next return is up: an agent must learn to hold
    when it is positive and stay flat when it is negative."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=(rows, 1))
    next_return = 0.01 * np.sign(signal[:, 0]) + rng.normal(0, 0.002, rows)
    return signal, next_return


def test_the_same_seed_gives_the_same_weights_and_another_seed_others():
    x, r = _market()
    runs = [train_linear_q(x, r, episodes=5, learning_rate=0.05, seed=seed) for seed in (1, 1, 2)]
    assert np.array_equal(runs[0].weights, runs[1].weights)
    assert not np.array_equal(runs[0].weights, runs[2].weights)


def test_the_agent_holds_when_holding_pays():
    x, r = _market()
    policy = train_linear_q(x, r, episodes=20, learning_rate=0.05, seed=1)
    positions = policy.advantage(x) > 0
    assert (positions == (x[:, 0] > 0)).mean() > 0.95
    assert policy.advantage(np.array([[2.0]]))[0] > 0 > policy.advantage(np.array([[-2.0]]))[0]


def test_every_episode_is_reported():
    x, r = _market(rows=50)
    seen = []
    train_linear_q(x, r, episodes=3, learning_rate=0.1, seed=0, on_episode=seen.append)
    assert seen == [1, 2, 3]
