import dataclasses

import numpy as np
import pytest

from timegan.rebalance import TabularGAN, TabularGANConfig
from timegan.rebalance.config import CONSTRAINTS


def test_learns_the_class_conditional_means_of_a_separable_toy(toy_gan):
    class0 = toy_gan.sample(400, 0, seed=1)
    class1 = toy_gan.sample(400, 1, seed=1)
    # Real means: class 0 (-3, 1), class 1 (3, -1), each column's spread 0.5.
    np.testing.assert_allclose(class0[:, :2].astype(float).mean(0), [-3, 1], atol=0.8)
    np.testing.assert_allclose(class1[:, :2].astype(float).mean(0), [3, -1], atol=0.8)


def test_samples_keep_constant_column_exact_and_categories_valid(toy_gan):
    records = toy_gan.sample(200, 1, seed=0)
    assert records.shape == (200, 4)
    assert np.all(records[:, 2] == 7.5)
    assert set(records[:, 3]) <= {"a", "b", "c"}
    encoded = toy_gan.sample(50, 0, seed=0, encoded=True)
    block = encoded[:, -3:]
    assert set(np.unique(block)) <= {0.0, 1.0}
    np.testing.assert_array_equal(block.sum(1), 1.0)


def test_class_conditional_categories(toy_gan):
    # Category "a" belongs to class 0 only: the conditional generator should mostly respect that.
    assert np.mean(toy_gan.sample(300, 0, seed=2)[:, 3] == "a") > 0.7
    assert np.mean(toy_gan.sample(300, 1, seed=2)[:, 3] != "a") > 0.7


def test_sample_seed_reproduces_and_default_stream_moves_on(toy_gan):
    first = toy_gan.sample(20, 1, seed=5)
    np.testing.assert_array_equal(first, toy_gan.sample(20, 1, seed=5))
    assert not np.array_equal(toy_gan.sample(20, 1), toy_gan.sample(20, 1))


def test_fit_with_the_same_seed_reproduces(toy_records, tiny_gan_config):
    X, y = toy_records
    runs = [TabularGAN(tiny_gan_config(), categorical=[3]).fit(X, y) for _ in range(2)]
    a, b = (run.sample(10, 1, seed=0, encoded=True) for run in runs)
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert set(runs[0].history_) == {"d_loss", "g_loss", "d_accuracy"}


def test_wgan_gp_and_straight_through_train(toy_records, tiny_gan_config):
    X, y = toy_records
    gan = TabularGAN(
        tiny_gan_config(loss="wgan-gp", discriminator_steps=2, straight_through=True), categorical=[3]
    ).fit(X, y)
    before = [w.copy() for w in gan.gan.discriminator.get_weights()]
    gan.gan.fit(
        gan._dataset(gan.encoder.transform(X), np.eye(2, dtype="float32")[y], y),
        steps_per_epoch=1,
        shuffle=False,
        verbose=0,
    )
    after = gan.gan.discriminator.get_weights()
    assert any(not np.allclose(b, a) for b, a in zip(before, after))
    assert np.isfinite(gan.history_["d_loss"][-1])


def test_save_and_load_sample_the_same_records(toy_gan, tmp_path):
    path = toy_gan.save(tmp_path / "gan")
    assert sorted(p.name for p in path.iterdir()) == ["classes.json", "config.json", "encoder.json", "generator.keras"]
    loaded = TabularGAN.load(path)
    np.testing.assert_array_equal(loaded.sample(30, 1, seed=3), toy_gan.sample(30, 1, seed=3))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda g: g.sample(0, 1), ValueError, "Expected `n` to be a positive integer. Received: n=0"),
        (lambda g: g.sample(2.0, 1), TypeError, "Expected `n` to be a positive integer. Received: n=2.0"),
        (lambda g: g.sample(5, 7), ValueError, "Unknown label. Expected one of [0, 1]. Received: label=7"),
    ],
)
def test_sample_errors(toy_gan, call, error, message):
    with pytest.raises(error) as raised:
        call(toy_gan)
    assert message in str(raised.value)


def test_fit_errors_and_unfitted():
    with pytest.raises(ValueError, match=r"Expected `y` of shape \(3,\), one label per record. Received: shape=\(2,\)"):
        TabularGAN(TabularGANConfig(steps=1)).fit(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="not fitted yet"):
        TabularGAN().sample(1, 0)
    with pytest.raises(TypeError, match="Expected `config` to be a TabularGANConfig. Received: dict"):
        TabularGAN({"steps": 1})


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"loss": "hinge"},
            ValueError,
            "Expected `loss` to be one of 'non-saturating', 'wgan-gp'. Received: loss='hinge'",
        ),
        ({"steps": 0}, ValueError, "Expected `steps` to be a positive integer. Received: steps=0"),
        ({"steps": 2.0}, TypeError, "Expected `steps` to be a positive integer. Received: steps=2.0"),
        (
            {"hidden_units": ()},
            ValueError,
            "Expected `hidden_units` to be a non-empty sequence of which each is a positive integer. "
            "Received: hidden_units=()",
        ),
        (
            {"hidden_units": (8, "8")},
            TypeError,
            "Expected `hidden_units` to be a non-empty sequence of which each is a positive integer. "
            "Received: hidden_units=(8, '8')",
        ),
        ({"dropout": 1.0}, ValueError, "Expected `dropout` to be a number in [0, 1). Received: dropout=1.0"),
        ({"beta_2": float("nan")}, ValueError, "Expected `beta_2` to be a number in [0, 1). Received: beta_2=nan"),
        (
            {"learning_rate": 0.0},
            ValueError,
            "Expected `learning_rate` to be a number in (0, 10]. Received: learning_rate=0.0",
        ),
        (
            {"gumbel_temperature": -0.5},
            ValueError,
            "Expected `gumbel_temperature` to be a finite number > 0. Received: gumbel_temperature=-0.5",
        ),
        (
            {"gp_weight": "10"},
            TypeError,
            "Expected `gp_weight` to be a number in [0, 1000000]. Received: gp_weight='10'",
        ),
        (
            {"straight_through": 1},
            TypeError,
            "Expected `straight_through` to be a bool. Received: straight_through=1",
        ),
        ({"seed": -1}, ValueError, "Expected `seed` to be an integer in [0, 4294967295]. Received: seed=-1"),
    ],
)
def test_config_errors(kwargs, error, message):
    with pytest.raises(error) as raised:
        TabularGANConfig(**kwargs)
    assert str(raised.value) == message


def test_config_constraints_cover_every_field():
    assert sorted(CONSTRAINTS) == sorted(field.name for field in dataclasses.fields(TabularGANConfig))


def test_config_from_json_refuses_missing_keys():
    values = TabularGANConfig().to_dict()
    del values["seed"]
    with pytest.raises(ValueError, match=r"Missing TabularGANConfig keys: \['seed'\]"):
        TabularGANConfig.from_dict(values)
    with pytest.raises(TypeError, match="Expected a dict of TabularGANConfig values. Received: list"):
        TabularGANConfig.from_dict([])


def test_config_round_trip_and_numpy_scalars():
    config = TabularGANConfig(steps=np.int64(5), hidden_units=[4, 4], learning_rate=np.float32(1e-3))
    assert config.steps == 5 and type(config.steps) is int and config.hidden_units == (4, 4)
    assert config.learning_rate == 1e-3 and type(config.learning_rate) is float
    assert TabularGANConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="Unknown TabularGANConfig keys: \\['epochs'\\]"):
        TabularGANConfig.from_dict({"epochs": 3})
