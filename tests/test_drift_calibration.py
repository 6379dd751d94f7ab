"""Drift calibration (`TimeGANConfig.drift_calibration`): generated series get the training data's
drift; the offset depends on the weights only; older runs generate as before."""

import dataclasses

import keras
import numpy as np
import pytest

from timegan import TimeGAN, TimeGANConfig
from timegan.cli.train import build_parser
from timegan.model import CALIBRATION_VALUES

CONFIG = TimeGANConfig(
    seq_len=6, hidden_dim=4, num_layers=1, batch_size=4, representation="returns", burn_in=2, marginal_calibration=False
)


def price_series(rows=80, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.standard_t(4, size=(rows, n_features)) * 0.01, axis=0))


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    fitted = TimeGAN(dataclasses.replace(CONFIG, drift_calibration=False))
    fitted.fit(price_series(), steps=(1, 1, 2), progress=False)
    return fitted


def model_scale_mean(model, paths):
    """Each feature's mean of the paths' returns on the model's scale (start price 100 put back)."""
    with_start = np.concatenate([np.full((len(paths), 1, paths.shape[2]), 100.0), paths], axis=1)
    return model.representation.transform(with_start).mean(axis=(0, 1))


def test_calibrated_paths_have_the_training_drift_and_the_raw_ones_keep_the_bias(model):
    offset = model.drift_offset()
    assert offset.shape == (2,) and np.all(np.isfinite(offset))
    np.testing.assert_array_equal(offset, model.drift_offset())  # a function of the weights only
    weights = model.recovery.get_weights()
    model.recovery.set_weights([w + 0.5 for w in weights])  # new weights: drawn again, not the kept value
    assert not np.allclose(model.drift_offset(), offset)
    model.recovery.set_weights(weights)
    np.testing.assert_array_equal(model.drift_offset(), offset)
    # A barely trained generator is far from the data's mean of 0 on the model's scale.
    assert np.max(np.abs(offset)) > 0.05
    raw = model.generate(2000, seed=3, start_price=100.0)
    np.testing.assert_allclose(model_scale_mean(model, raw), offset, atol=0.03)
    calibrated_model = TimeGAN.from_config(model.get_config())
    calibrated_model.build_networks(2)
    calibrated_model.set_weights(model.get_weights())
    calibrated_model.config = dataclasses.replace(model.config, drift_calibration=True)
    calibrated = calibrated_model.generate(2000, seed=3, start_price=100.0)
    np.testing.assert_allclose(model_scale_mean(model, calibrated), 0.0, atol=0.03)
    # Only the level of the returns moves: each step shifts by the same amount on the model's scale.
    with_start = [np.concatenate([np.full((2000, 1, 2), 100.0), p], axis=1) for p in (raw, calibrated)]
    shift = model.representation.transform(with_start[0]) - model.representation.transform(with_start[1])
    np.testing.assert_allclose(shift, np.broadcast_to(offset, shift.shape), atol=1e-6)


def test_the_training_data_has_mean_zero_on_the_models_scale(model):
    for heavy_tail in (True, False):
        config = dataclasses.replace(CONFIG, heavy_tail=heavy_tail)
        windows = TimeGAN(config)._prepare_windows(price_series(rows=400, seed=1), None)
        assert np.max(np.abs(windows.mean(axis=(0, 1)))) < 0.02, heavy_tail
    assert CALIBRATION_VALUES >= 4096 * 24


def test_old_configs_load_without_calibration_and_new_ones_have_it():
    values = CONFIG.to_dict()
    assert TimeGANConfig().drift_calibration and values["drift_calibration"]
    del values["drift_calibration"]  # saved before the field: generated the generator's own drift
    assert not TimeGANConfig.from_dict(values).drift_calibration
    with pytest.raises(TypeError, match="Expected `drift_calibration` to be a bool. Received: .*=1"):
        TimeGANConfig(drift_calibration=1)


def test_train_command_switches_it():
    # A run written with the switch off: tests/test_marginal_calibration.py (one training for both).
    assert build_parser().parse_args([]).drift_calibration
    assert not build_parser().parse_args(["--no-drift-calibration"]).drift_calibration
