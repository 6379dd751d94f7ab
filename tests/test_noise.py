"""Persistent noise channels (`timegan.noise.persistent_channels`, `TimeGANConfig.persistent_noise`):
the recursion, its statistics, and the model that draws them in training and generation."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf
from _train_command import train_command_config
from scipy.special import ndtri

from timegan import TimeGAN, TimeGANConfig
from timegan.cli.train import build_parser, main
from timegan.noise import persistent_channels


def uniform(shape, seed=(1, 2)):
    return tf.random.stateless_uniform(shape, seed=seed)


def test_persistent_channels_are_a_stationary_ar1_with_uniform_marginals():
    z = uniform((2000, 150, 3))
    out = persistent_channels(z, 2, 0.9).numpy()
    np.testing.assert_array_equal(out[..., 0], z.numpy()[..., 0])  # the i.i.d. channel is untouched
    e = ndtri(out[..., 1])
    for lag in (1, 10):
        assert np.corrcoef(e[:, lag:].ravel(), e[:, :-lag].ravel())[0, 1] == pytest.approx(0.9**lag, abs=0.02)
    # Stationary: unit variance at the first and the last step alike.
    assert e[:, 0].std() == pytest.approx(1.0, abs=0.05) and e[:, -1].std() == pytest.approx(1.0, abs=0.05)
    counts = np.histogram(out[..., 2], bins=5, range=(0, 1))[0]
    assert counts.min() > 0.97 * counts.mean()  # uniform like the other channels


def test_the_recursion_does_not_depend_on_its_block_size():
    z = uniform((50, 150, 2))
    np.testing.assert_allclose(
        persistent_channels(z, 1, 0.8).numpy(), persistent_channels(z, 1, 0.8, block=7).numpy(), atol=1e-6
    )
    # By hand: s_0 = e_0, s_t = phi s_{t-1} + sqrt(1 - phi^2) e_t.
    e = ndtri(z.numpy()[..., 1].astype("float64"))
    s = [e[:, 0]]
    for t in range(1, 150):
        s.append(0.8 * s[-1] + 0.6 * e[:, t])
    np.testing.assert_allclose(ndtri(persistent_channels(z, 1, 0.8).numpy()[..., 1]), np.stack(s, 1), atol=2e-3)


def test_edge_persistences_and_errors():
    z = uniform((4, 10, 2))
    assert persistent_channels(z, 0, 0.9) is z
    np.testing.assert_allclose(persistent_channels(z, 2, 0.0).numpy(), z.numpy(), atol=1e-5)  # i.i.d. as drawn
    held = persistent_channels(z, 1, 1.0).numpy()[..., 1]
    np.testing.assert_allclose(held, np.repeat(held[:, :1], 10, axis=1))  # one value per path
    with pytest.raises(ValueError, match=r"Expected `count` <= the noise channels 2. Received: count=3"):
        persistent_channels(z, 3, 0.9)


def price_series(rows=80, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.standard_t(4, size=(rows, n_features)) * 0.01, axis=0))


CONFIG = TimeGANConfig(
    seq_len=6, hidden_dim=4, num_layers=1, batch_size=4, representation="returns", persistent_noise=3, burn_in=2
)


def test_model_draws_the_persistent_channels_in_training_and_generation(tmp_path):
    keras.utils.set_random_seed(0)
    model = TimeGAN(CONFIG)
    model.fit(price_series(), steps=(1, 1, 2), progress=False)
    assert CONFIG.noise_dim(2) == 5 and model.generator.input_shape[-1] == 5
    z = model._noise(64, 30).numpy()
    assert z.shape == (64, 30, 5)
    lag1 = [np.corrcoef(ndtri(z[:, 1:, c]).ravel(), ndtri(z[:, :-1, c]).ravel())[0, 1] for c in range(5)]
    assert max(map(abs, lag1[:2])) < 0.1 and min(lag1[2:]) > 0.9
    # Generation: sample i's noise depends on (seed, i) only, whatever the batch size.
    np.testing.assert_allclose(model.generate(5, seed=3, batch_size=2), model.generate(5, seed=3), rtol=1e-6)
    long = model._generation_noise(0, 0, 8, 200).numpy()
    assert np.corrcoef(ndtri(long[:, 1:, 4]).ravel(), ndtri(long[:, :-1, 4]).ravel())[0, 1] > 0.9
    model.save(tmp_path / "model")
    loaded = TimeGAN.load(tmp_path / "model")
    assert (loaded.config.persistent_noise, loaded.config.noise_persistence) == (3, 0.97)
    np.testing.assert_array_equal(loaded.generate(3, seed=4), model.generate(3, seed=4))


def test_zero_channels_is_the_papers_noise():
    keras.utils.set_random_seed(0)
    model = TimeGAN(dataclasses.replace(CONFIG, persistent_noise=0))
    model.build_networks(2)
    assert model.generator.input_shape[-1] == 2
    expected = tf.random.stateless_uniform((4, 6, 2), seed=tf.identity(model.noise_state.value))
    np.testing.assert_array_equal(model._noise(4, 6).numpy(), expected.numpy())


def test_config_checks_migration_and_command_line(tmp_path, capsys, monkeypatch):
    for bad, message in (
        ({"persistent_noise": -1}, "persistent_noise"),
        ({"noise_persistence": 1.5}, "noise_persistence"),
    ):
        with pytest.raises(ValueError, match=message):
            TimeGANConfig(**bad)
    old = CONFIG.to_dict()
    del old["persistent_noise"], old["noise_persistence"]  # saved before the field: the paper's noise
    assert TimeGANConfig.from_dict(old).persistent_noise == 0
    defaults = build_parser().parse_args([])
    assert (defaults.persistent_noise, defaults.noise_persistence) == (0, 0.97)
    out = tmp_path / "run"
    argv = ["--tickers", "BA", "CAT", "--start", "2019-01-01", "--end", "2019-06-30", "--source", "bundled"]
    tiny = ["--seq-len", "6", "--hidden-dim", "4", "--num-layers", "1", "--batch-size", "4", "--quiet"]
    options = ["--persistent-noise", "2", "--noise-persistence", "0.9"]
    config = train_command_config([*argv, *tiny, "--steps", "1", *options, "--output-dir", str(out)], monkeypatch)
    assert (config.persistent_noise, config.noise_persistence) == (2, 0.9)
    assert main([*argv, *tiny, "--noise-persistence", "2", "--output-dir", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "noise_persistence" in err and "Traceback" not in err
