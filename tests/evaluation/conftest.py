"""Fixtures of the evaluation tests: small windows and simulated price paths."""

import numpy as np
import pytest

from evaluation import _posthoc


def _windows(path, seq_len):
    starts = np.arange(len(path) - seq_len + 1)
    return path[starts[:, None] + np.arange(seq_len)]


@pytest.fixture
def sines():
    """Two independent sets (400, 12, 3) of the paper's sine windows in [0, 1]."""
    from evaluation.datasets import sine_windows

    return (
        sine_windows(n=400, seq_len=12, n_features=3, seed=1),
        sine_windows(n=400, seq_len=12, n_features=3, seed=2),
    )


@pytest.fixture
def random_walk_prices():
    """Windows (19977, 24, 1) of a Gaussian random walk in log price: i.i.d. returns."""
    rng = np.random.default_rng(0)
    path = 100 * np.exp(np.cumsum(0.01 * rng.standard_normal(20000)))
    return _windows(path, 24)[..., None]


def simulate_garch(n, omega=1e-5, alpha=0.15, beta=0.8, leverage=False, seed=0):
    """GARCH(1,1) returns; with `leverage`, only negative returns raise the next variance (GJR)."""
    rng = np.random.default_rng(seed)
    shocks = rng.standard_normal(n)
    variance = omega / (1 - beta - (alpha / 2 if leverage else alpha))
    returns = np.empty(n)
    for t in range(n):
        returns[t] = np.sqrt(variance) * shocks[t]
        news = returns[t] ** 2 * (returns[t] < 0 if leverage else 1)
        variance = omega + alpha * news + beta * variance
    return returns


@pytest.fixture
def garch_prices():
    """Windows (19977, 24, 1) of prices whose log returns follow a GARCH(1,1)."""
    path = 100 * np.exp(np.cumsum(simulate_garch(20000)))
    return _windows(path, 24)[..., None]


@pytest.fixture
def gjr_prices():
    """Windows of prices with a leverage effect: negative returns raise future volatility."""
    path = 100 * np.exp(np.cumsum(simulate_garch(20000, alpha=0.3, beta=0.65, leverage=True, seed=1)))
    return _windows(path, 24)[..., None]


@pytest.fixture
def day_windows():
    """`make(n, seq_len=6)`: stride-1 windows (n, seq_len, 2) of a series whose value is its day / 1000."""

    def make(n, seq_len=6):
        days = np.arange(n + seq_len - 1) / 1000
        return np.stack([days[i : i + seq_len] for i in range(n)])[..., None].repeat(2, axis=2)

    return make


@pytest.fixture
def spy(monkeypatch):
    """Records the arrays every post-hoc network is trained and tested on."""
    seen = {"train": [], "predict": []}
    train, predict = _posthoc.Trainer.train, _posthoc.Trainer.predict

    def spy_train(self, data, *args, **kwargs):
        seen["train"].append([np.array(a) for a in data])
        return train(self, data, *args, **kwargs)

    def spy_predict(self, x, *args, **kwargs):
        seen["predict"].append(np.array(x))
        return predict(self, x, *args, **kwargs)

    monkeypatch.setattr(_posthoc.Trainer, "train", spy_train)
    monkeypatch.setattr(_posthoc.Trainer, "predict", spy_predict)
    return seen
