"""A small reinforcement-learning agent: one-step linear Q-learning of a long/flat position
(pure numpy).

Each (symbol, session) row is a state described by the feature set's features. The agent
chooses an action for the next session: flat (0, reward 0) or long (1, reward the next
session's return, in percent). Holding a symbol does not move its market, so the reward
of both actions is known for every past state and the agent learns off-policy from the
whole history: each update moves Q(s, a) towards the reward of a. Q is linear in the
standardised features plus a bias, trained by minibatch gradient steps in a seeded
random order, so the same data, hyper-parameters and seed always give the same weights.

Why one step. With a position that does not change the next state (the next session's
features are the same whatever the agent held), a bootstrapped target
``reward + discount x max_b Q(s', b)`` adds the same amount to both actions: the
advantage Q(long) - Q(flat), and so every decision and score, would not depend on the
discount at all. A discount only matters once the state includes what the agent holds
and changing it costs something (a trading cost): that agent is future work, and until
then the agent does not pretend to look further than the next session.

The policy holds a symbol when Q(long) > Q(flat); the advantage Q(long) - Q(flat) is its
score (higher means more confident that holding pays).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

BATCH_ROWS = 256
REWARD_SCALE = 100.0  # rewards in percent: daily returns are small numbers


@dataclass(frozen=True)
class LinearQPolicy:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (2, features + 1): flat, long; the last column is the bias

    def _phi(self, features: np.ndarray) -> np.ndarray:
        x = (np.asarray(features, dtype="float64") - self.mean) / self.scale
        return np.hstack([x, np.ones((len(x), 1))])

    def q_values(self, features: np.ndarray) -> np.ndarray:
        return self._phi(features) @ self.weights.T

    def advantage(self, features: np.ndarray) -> np.ndarray:
        q = self.q_values(features)
        return q[:, 1] - q[:, 0]

    def as_arrays(self) -> dict[str, np.ndarray]:
        return {"mean": self.mean, "scale": self.scale, "weights": self.weights}


def train_linear_q(
    features: np.ndarray,
    next_return: np.ndarray,
    *,
    episodes: int,
    learning_rate: float,
    seed: int,
    on_episode: Callable[[int], None] | None = None,
) -> LinearQPolicy:
    """Learn the policy; ``on_episode(k)`` is called after episode k (1-based)."""
    x = np.asarray(features, dtype="float64")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    policy = LinearQPolicy(mean, scale, np.zeros((2, x.shape[1] + 1)))
    phi = policy._phi(x)
    rewards = np.column_stack([np.zeros(len(x)), np.asarray(next_return) * REWARD_SCALE])
    rng = np.random.default_rng(seed)
    weights = policy.weights
    for episode in range(1, episodes + 1):
        order = rng.permutation(len(x))
        for lo in range(0, len(order), BATCH_ROWS):
            rows = order[lo : lo + BATCH_ROWS]
            error = rewards[rows] - phi[rows] @ weights.T  # (rows, 2)
            weights += learning_rate * (error.T @ phi[rows]) / len(rows)
        if on_episode is not None:
            on_episode(episode)
    return LinearQPolicy(mean, scale, weights)
