"""TimeGAN on log returns: config migration, price paths from a start price, burn-in, saving, bad input."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from timegan import TimeGAN, TimeGANConfig


def price_series(rows=60, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    return (
        100
        * np.exp(np.cumsum(rng.standard_t(4, size=(rows, n_features)) * 0.01, axis=0))
        * np.arange(1, n_features + 1)
    )


@pytest.fixture(scope="module")
def returns_model():
    import keras

    keras.utils.set_random_seed(0)
    config = TimeGANConfig(seq_len=6, hidden_dim=4, num_layers=1, batch_size=4, representation="returns")
    model = TimeGAN(config)
    model.fit(price_series(), steps=1, progress=False)
    return model


def test_old_config_without_the_new_keys_loads_as_the_levels_model_it_was():
    values = TimeGANConfig().to_dict()
    for key in ("representation", "heavy_tail", "recovery_activation", "burn_in"):
        del values[key]
    config = TimeGANConfig.from_dict(values)
    assert (config.representation, config.recovery_head, config.burn_in) == ("levels", "sigmoid", 0)
    del values["seed"]
    with pytest.raises(ValueError, match=r"Missing TimeGANConfig keys: \['seed'\]"):
        TimeGANConfig.from_dict(values)


def test_unknown_representation_and_head_are_refused_by_name():
    with pytest.raises(ValueError, match="representation.*'levels', 'returns'.*Received: representation='prices'"):
        TimeGANConfig(representation="prices")
    with pytest.raises(ValueError, match="recovery_activation"):
        TimeGANConfig(recovery_activation="relu")
    with pytest.raises(ValueError, match="burn_in"):
        TimeGANConfig(burn_in=-1)


def test_returns_model_has_a_linear_recovery_head_and_levels_keeps_the_sigmoid(returns_model):
    import keras

    assert returns_model.recovery.get_layer("recovery_head").activation is keras.activations.linear
    assert TimeGANConfig().recovery_head == "sigmoid"
    assert TimeGANConfig(representation="returns", recovery_activation="tanh").recovery_head == "tanh"


def test_training_windows_are_standardised_returns_of_the_series(returns_model):
    prices = price_series()
    windows = returns_model._prepare_windows(prices, None)
    assert windows.shape == (len(prices) - 6, 6, 2)  # seq_len returns from seq_len + 1 prices
    expected = returns_model.representation.transform(prices)
    np.testing.assert_allclose(windows[:, 0], expected[:-5], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(returns_model.representation.last_prices, prices[-1])


def test_paths_start_from_the_last_real_prices_and_scale_with_the_start_price(returns_model):
    prices = price_series()
    default = returns_model.generate(3, seed=1, seq_len=12)
    assert default.shape == (3, 12, 2) and (default > 0).all()
    np.testing.assert_allclose(returns_model.generate(3, seed=1, seq_len=12, start_price=prices[-1]), default)
    one = returns_model.generate(3, seed=1, seq_len=12, start_price=1.0)
    np.testing.assert_allclose(default, one * prices[-1], rtol=1e-12)
    per_feature = returns_model.generate(3, seed=1, seq_len=12, start_price=[2.0, 5.0])
    np.testing.assert_allclose(per_feature, one * [2.0, 5.0], rtol=1e-12)
    frame = returns_model.generate_frame(3, seed=1, seq_len=12, start_price=1.0)
    np.testing.assert_allclose(frame["value"].to_numpy(), one.reshape(-1))


def test_long_paths_in_one_pass_and_burn_in_drops_the_first_recurrent_steps(returns_model):
    assert returns_model.generate(2, seed=0, seq_len=250).shape == (2, 250, 2)
    # The calibrations are estimated per path length (20 and 25 here): compare the generator's own paths.
    raw = TimeGAN.from_config(returns_model.get_config())
    raw.build_networks(2)
    raw.set_weights(returns_model.get_weights())
    raw.representation = returns_model.representation
    raw.config = dataclasses.replace(raw.config, marginal_calibration=False, drift_calibration=False)
    burnt = raw.generate(2, seed=3, seq_len=20, burn_in=5, start_price=1.0)
    whole = raw.generate(2, seed=3, seq_len=25, burn_in=0, start_price=1.0)
    # The same noise stream: the burnt-in path is the whole path's last 20 returns, from price 1.
    np.testing.assert_allclose(np.log(burnt), np.log(whole[:, 5:] / whole[:, 4:5]), atol=1e-9)


@pytest.mark.parametrize(
    "start_price, error, message",
    [
        (0.0, ValueError, r"finite and > 0.*Received: 0.0 for x0 value"),
        ([1.0, -2.0], ValueError, r"Received: -2.0 for x1 value"),
        (float("inf"), ValueError, "Received: inf"),
        ([1.0, 2.0, 3.0], ValueError, "a number or 2 numbers"),
        ("high", TypeError, "a number or 2 numbers"),
    ],
)
def test_bad_start_prices_are_named(returns_model, start_price, error, message):
    with pytest.raises(error, match=message):
        returns_model.generate(2, start_price=start_price)


def test_a_levels_model_refuses_a_start_price(tiny_config, sine_windows):
    model = TimeGAN(tiny_config)
    model.fit(sine_windows, steps=0, progress=False)
    with pytest.raises(ValueError, match="no `start_price` for representation='levels'"):
        model.generate(2, start_price=1.0)


def test_non_positive_price_in_returns_mode_names_row_and_feature():
    prices = price_series()
    prices[17, 1] = 0.0
    model = TimeGAN(TimeGANConfig(seq_len=6, hidden_dim=4, num_layers=1, batch_size=4, representation="returns"))
    with pytest.raises(ValueError, match=r"positive prices.*Received: 0.0 at row 17, feature 1 \('x1 value'\)"):
        model.fit(prices, steps=0, progress=False)


def test_windows_of_seq_len_plus_one_prices_are_accepted_in_returns_mode(returns_model):
    windows = np.stack([price_series(seed=s)[:7] for s in range(8)])
    model = TimeGAN(returns_model.config)
    model.fit(windows, steps=0, progress=False)
    assert model._prepare_windows(windows, None).shape == (8, 6, 2)
    with pytest.raises(ValueError, match="seq_len=7"):
        model.fit(windows[:, :6], steps=0, progress=False)


def test_saved_returns_model_keeps_its_representation_as_json(returns_model, tmp_path):
    returns_model.save(tmp_path / "model")
    assert not (tmp_path / "model" / "scaler.json").exists()
    state = json.loads((tmp_path / "model" / "representation.json").read_text())
    assert state["kind"] == "returns" and state["last_prices"] == returns_model.representation.last_prices.tolist()
    loaded = TimeGAN.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.generate(2, seed=4, seq_len=8), returns_model.generate(2, seed=4, seq_len=8))
    (tmp_path / "model" / "representation.json").unlink()
    with pytest.raises(ValueError, match="missing.*scaler.json or representation.json"):
        TimeGAN.load(tmp_path / "model")


def test_levels_model_still_writes_scaler_json_and_reads_an_old_scaler_argument(tiny_config, sine_windows, tmp_path):
    model = TimeGAN(tiny_config)
    model.fit(sine_windows, steps=0, progress=False)
    model.save(tmp_path / "model")
    state = json.loads((tmp_path / "model" / "scaler.json").read_text())
    assert state["kind"] == "levels" and not (tmp_path / "model" / "representation.json").exists()
    # Archives of earlier versions pass the fitted state as `scaler=` (without "kind").
    old = {k: v for k, v in state.items() if k != "kind"}
    rebuilt = TimeGAN(tiny_config, n_features=2, scaler=old)
    np.testing.assert_array_equal(rebuilt.scaler.data_max, model.representation.data_max)
    with pytest.raises(ValueError, match="Expected a fitted 'returns' representation"):
        TimeGAN(TimeGANConfig(representation="returns"), representation=state)


def test_train_run_refuses_a_non_positive_price_naming_column_and_date_before_writing(tmp_path):
    from timegan.run import train_run

    dates = pd.bdate_range("2021-01-04", periods=40, name="Date")
    columns = pd.MultiIndex.from_tuples([("AAA", "Adj Close"), ("BBB", "Adj Close")], names=["ticker", "field"])
    prices = pd.DataFrame(price_series(40), index=dates, columns=columns)
    prices.iloc[9, 1] = -1.0
    config = TimeGANConfig(seq_len=5, hidden_dim=4, num_layers=1, batch_size=4, representation="returns")
    with pytest.raises(ValueError, match=r"positive prices.*-1.0 in column \('BBB', 'Adj Close'\) on row 2021-01-15"):
        train_run(tmp_path / "run", prices=prices, config=config, steps=1, progress=False)
    with pytest.raises(ValueError, match="no `start_price` for representation='levels'"):
        train_run(tmp_path / "run", prices=prices.abs(), config=TimeGANConfig(), steps=1, start_price=[5.0])
    assert not (tmp_path / "run").exists()
