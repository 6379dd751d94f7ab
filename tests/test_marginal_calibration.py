"""Marginal calibration (`TimeGANConfig.marginal_calibration`): generated series get the training
data's distribution of daily returns by quantile mapping, which keeps their order in time; older
runs generate as before."""

import dataclasses
import json

import keras
import numpy as np
import pytest
from _train_command import train_command_config
from scipy import stats

from timegan import TimeGAN, TimeGANConfig
from timegan.cli.train import build_parser
from timegan.representation import MARGINAL_PROBABILITIES, ReturnsRepresentation, quantile_map

CONFIG = TimeGANConfig(seq_len=6, hidden_dim=4, num_layers=1, batch_size=4, representation="returns", burn_in=2)


def price_series(rows=300, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.standard_t(4, size=(rows, n_features)) * 0.01, axis=0))


def quantiles(sample):
    return np.quantile(sample.reshape(-1, sample.shape[-1]), MARGINAL_PROBABILITIES, axis=0)


def test_quantile_map_gives_the_target_distribution_and_keeps_the_order():
    rng = np.random.default_rng(0)
    source = np.stack([rng.normal(0.3, 0.8, 200_000), rng.gamma(2.0, 1.0, 200_000)], axis=1)
    target = np.stack([rng.standard_normal(200_000), rng.standard_t(5, 200_000)], axis=1)
    mapped = quantile_map(source, quantiles(source), quantiles(target), source.std(axis=0), target.std(axis=0))
    for j in range(2):
        # Kolmogorov-Smirnov distance to the target: small for the mapped sample, large before.
        assert stats.ks_2samp(mapped[:, j], target[:, j]).statistic < 0.01
        assert stats.ks_2samp(source[:, j], target[:, j]).statistic > 0.1
        order = np.argsort(source[:, j], kind="stable")
        assert np.all(np.diff(mapped[order, j]) >= 0)  # non-decreasing: ranks kept
    # Beyond the last point: a straight line of slope target_std / source_std.
    q_source, q_target = quantiles(source), quantiles(target)
    far = quantile_map(q_source[-1:] + 1.0, q_source, q_target, np.array([2.0, 1.0]), np.array([1.0, 3.0]))
    np.testing.assert_allclose(far[0], q_target[-1] + [0.5, 3.0])
    near = quantile_map(q_source[:1] - 2.0, q_source, q_target, np.array([2.0, 1.0]), np.array([1.0, 3.0]))
    np.testing.assert_allclose(near[0], q_target[0] - [1.0, 6.0])


def test_quantile_map_sends_a_constant_to_the_targets_median_and_refuses_bad_input():
    constant = np.zeros((len(MARGINAL_PROBABILITIES), 1))
    target = np.linspace(-1, 1, len(MARGINAL_PROBABILITIES))[:, None]
    np.testing.assert_array_equal(quantile_map(np.zeros((3, 1)), constant, target, [0.0], [1.0]), 0.0)
    with pytest.raises(ValueError, match=r"Expected quantiles .* Received: u.shape=\(3, 2\)"):
        quantile_map(np.zeros((3, 2)), constant, target, [0.0], [1.0])
    with pytest.raises(ValueError, match="`source_quantiles` to be non-decreasing"):
        quantile_map(np.zeros((3, 1)), target[::-1], target, [1.0], [1.0])
    with pytest.raises(ValueError, match="Expected `u` to be finite"):
        quantile_map(np.full((3, 1), np.nan), target, target, [1.0], [1.0])
    with pytest.raises(ValueError, match=r"Expected `target_std` to be finite and >= 0. Received: target_std=\[-1.0\]"):
        quantile_map(np.zeros((3, 1)), target, target, [1.0], [-1.0])


def test_representation_stores_the_training_quantiles_as_json():
    prices = price_series()
    representation = ReturnsRepresentation().fit(prices)
    u = representation.transform(prices)
    np.testing.assert_allclose(representation.u_quantiles, quantiles(u))
    np.testing.assert_allclose(representation.u_std, u.std(axis=0))
    state = json.loads(json.dumps(representation.to_dict()))
    assert len(state["u_quantiles"]) == 2 and len(state["u_quantiles"][0]) == len(MARGINAL_PROBABILITIES)
    restored = ReturnsRepresentation.from_dict(state)
    np.testing.assert_array_equal(restored.u_quantiles, representation.u_quantiles)
    old = {k: v for k, v in state.items() if k not in ("u_quantiles", "u_std")}  # saved before them
    assert ReturnsRepresentation.from_dict(old).u_quantiles is None
    with pytest.raises(ValueError, match="Expected both `u_quantiles` and `u_std`, or neither"):
        ReturnsRepresentation.from_dict({**old, "u_std": state["u_std"]})
    short = {**state, "u_quantiles": [column[:10] for column in state["u_quantiles"]]}
    with pytest.raises(ValueError, match=r"Expected `u_quantiles\[0\]` to be 149 non-decreasing numbers. Received: 10"):
        ReturnsRepresentation.from_dict(short)
    backwards = {**state, "u_quantiles": [column[::-1] for column in state["u_quantiles"]]}
    with pytest.raises(ValueError, match="non-decreasing numbers. Received: 149 numbers, decreasing"):
        ReturnsRepresentation.from_dict(backwards)


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    fitted = TimeGAN(CONFIG)
    fitted.fit(price_series(), steps=(1, 1, 2), progress=False)
    return fitted


def model_scale(model, paths):
    with_start = np.concatenate([np.full((len(paths), 1, paths.shape[2]), 100.0), paths], axis=1)
    return model.representation.transform(with_start)


def test_generated_returns_have_the_training_marginal_and_the_models_order(model):
    assert model.config.marginal_calibration
    raw_model = TimeGAN.from_config(model.get_config())
    raw_model.build_networks(2)
    raw_model.set_weights(model.get_weights())
    raw_model.representation = model.representation
    raw_model.config = dataclasses.replace(model.config, marginal_calibration=False, drift_calibration=False)
    raw = model_scale(model, raw_model.generate(3000, seed=3, start_price=100.0))
    calibrated = model_scale(model, model.generate(3000, seed=3, start_price=100.0))
    # The share of generated values below each of the training data's quantiles is its probability.
    target = model.representation.u_quantiles

    def worst_gap(u):
        shares = (u.reshape(-1, 1, 2) <= target[None]).mean(axis=0)
        return np.abs(shares - MARGINAL_PROBABILITIES[:, None]).max()

    assert worst_gap(raw) > 0.05  # a barely trained generator is far from the data's marginal
    assert worst_gap(calibrated) < 0.015  # 18 000 values a feature: sampling error about 0.004
    for j in range(2):
        order = np.argsort(raw[..., j].ravel(), kind="stable")
        assert np.all(np.diff(calibrated[..., j].ravel()[order]) >= -1e-9)


def test_a_generator_whose_marginal_moves_along_a_path_is_calibrated_for_each_length(model):
    model._marginal_cache.value = None
    target = model.representation.u_quantiles

    def worst_gap(length):
        u = model_scale(model, model.generate(max(3000 * 6 // length, 100), seed=5, seq_len=length, start_price=100.0))
        shares = (u.reshape(-1, 1, 2) <= target[None]).mean(axis=0)
        return np.abs(shares - MARGINAL_PROBABILITIES[:, None]).max()

    try:
        # A barely trained generator settles along a path: over a year its spread is far from
        # that of its training windows (so the check is not vacuous); each is mapped onto the data's.
        spread = [model.generator_marginal(length=length)["std"] for length in (6, 250)]
        assert np.all(np.abs(np.log(spread[1] / spread[0])) > np.log(1.3))
        assert worst_gap(6) < 0.02 and worst_gap(250) < 0.02
        # A year-long path mapped with the windows' estimate would not get the data's marginal.
        u = model._draw(model._loop_networks(), 9, 100, 250, model.config.burn_in)
        mapped = model.calibrate_marginal(u, length=6)
        shares = (mapped.reshape(-1, 1, 2) <= target[None]).mean(axis=0)
        assert np.abs(shares - MARGINAL_PROBABILITIES[:, None]).max() > 0.05
    finally:
        model._marginal_cache.value = None


@pytest.mark.parametrize("length", [0, -3, 2.5, True, "250"])
def test_a_bad_calibration_length_is_named(model, length):
    with pytest.raises(ValueError, match=r"Expected `length` to be an integer >= 1. Received: length="):
        model.generator_marginal(length=length)


def test_a_representation_without_quantiles_cannot_be_calibrated(model):
    old = TimeGAN.from_config(model.get_config())
    old.build_networks(2)
    old.set_weights(model.get_weights())
    state = {k: v for k, v in model.representation.to_dict().items() if k not in ("u_quantiles", "u_std")}
    old.representation = ReturnsRepresentation.from_dict(state)
    with pytest.raises(ValueError, match="set `marginal_calibration=False` or train again"):
        old.generate(2, seed=0)
    old.config = dataclasses.replace(model.config, marginal_calibration=False)
    assert old.generate(2, seed=0).shape == (2, 6, 2)


def test_old_configs_load_without_it_and_the_train_command_switches_it(tmp_path, monkeypatch):
    values = CONFIG.to_dict()
    assert TimeGANConfig().marginal_calibration and values["marginal_calibration"]
    del values["marginal_calibration"]  # saved before the field: the generator's own marginal
    assert not TimeGANConfig.from_dict(values).marginal_calibration
    with pytest.raises(TypeError, match="Expected `marginal_calibration` to be a bool. Received: .*=1"):
        TimeGANConfig(marginal_calibration=1)
    assert build_parser().parse_args([]).marginal_calibration
    argv = ["--tickers", "BA", "CAT", "--start", "2019-01-01", "--end", "2019-06-30", "--source", "bundled"]
    tiny = ["--seq-len", "6", "--hidden-dim", "4", "--num-layers", "1", "--batch-size", "4", "--quiet", "--steps", "1"]
    switches = ["--no-marginal-calibration", "--no-drift-calibration"]
    config = train_command_config([*argv, *tiny, *switches, "--output-dir", str(tmp_path / "run")], monkeypatch)
    assert config.marginal_calibration is False and config.drift_calibration is False


def test_the_target_covers_the_held_out_days_the_networks_never_see():
    prices = price_series(rows=400, seed=2)
    train, held_out = prices[:300], prices[310:]
    keras.utils.set_random_seed(0)
    model = TimeGAN(CONFIG)
    model.fit(train, steps=0, progress=False, validation_data=held_out)
    representation = model.representation
    days = np.concatenate([representation.transform(train), representation.transform(held_out)])
    np.testing.assert_allclose(representation.u_quantiles, quantiles(days), atol=1e-5)  # float32 windows
    np.testing.assert_allclose(representation.u_std, days.std(axis=0), rtol=1e-5)
    alone = ReturnsRepresentation().fit(train)  # mean, std, delta: the training days only
    np.testing.assert_array_equal(representation.delta, alone.delta)
    assert np.abs(alone.u_quantiles - representation.u_quantiles).max() > 1e-3
    with pytest.raises(ValueError, match=r"Expected 2 features in the last axis of `u`"):
        representation.fit_marginal(np.zeros((5, 3)))
