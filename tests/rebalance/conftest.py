"""Tiny labelled records for the rebalancing tests."""

import numpy as np
import pytest


@pytest.fixture(scope="session")
def toy_records():
    """120 records, 80 of class 0 and 40 of class 1: two separable numeric columns
    (class means (-3, 1) and (3, -1)), one constant column (7.5) and a categorical column whose
    category follows the class ("a" for class 0, "b" or "c" for class 1)."""
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(80, int), np.ones(40, int)]
    first = np.where(y == 1, 3.0, -3.0) + rng.normal(0, 0.5, len(y))
    second = np.where(y == 1, -1.0, 1.0) + rng.normal(0, 0.5, len(y))
    category = np.where(y == 1, rng.choice(["b", "c"], len(y)), "a")
    X = np.empty((len(y), 4), dtype=object)
    X[:, 0], X[:, 1], X[:, 2], X[:, 3] = first, second, 7.5, category
    return X, y


@pytest.fixture(scope="session")
def toy_gan(toy_records):
    """A `TabularGAN` fitted for 100 steps on `toy_records` (column 3 categorical)."""
    import keras

    from timegan.rebalance import TabularGAN, TabularGANConfig

    keras.utils.set_random_seed(0)
    X, y = toy_records
    config = TabularGANConfig(
        steps=100, hidden_units=(16,), latent_dim=4, batch_size=32, learning_rate=5e-3, dropout=0.0, seed=0
    )
    return TabularGAN(config, categorical=[3]).fit(X, y)


@pytest.fixture
def tiny_gan_config():
    """A factory of the smallest GAN configuration (hidden 8, 2 steps), with overrides."""
    from timegan.rebalance import TabularGANConfig

    def make(**overrides):
        values = {"steps": 2, "hidden_units": (8,), "latent_dim": 4, "batch_size": 8, "seed": 0}
        values.update(overrides)
        return TabularGANConfig(**values)

    return make
