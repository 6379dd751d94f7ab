"""Which latent path makes the synthetic data (`TimeGANConfig.synthetic_path`): generation, the
moment loss, saving, the config migration and the command-line options."""

import numpy as np
import pytest
from _scripts import load_script

from timegan import TimeGAN, TimeGANConfig, losses
from timegan.cli.train import build_parser


def price_series(rows=60, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.standard_t(4, size=(rows, n_features)) * 0.01, axis=0))


def tiny_model(synthetic_path):
    import keras

    keras.utils.set_random_seed(0)
    config = TimeGANConfig(
        seq_len=6,
        hidden_dim=4,
        num_layers=1,
        batch_size=4,
        representation="returns",
        burn_in=2,
        synthetic_path=synthetic_path,
    )
    model = TimeGAN(config)
    model.fit(price_series(), steps=0, progress=False)  # built and fitted to the data; weights as initialised
    return model


@pytest.fixture(scope="module")
def generator_model():
    return tiny_model("generator")


def by_hand(model, z, supervised):
    latent = model.generator(z)
    if supervised:
        latent = model.supervisor(latent)
    return np.asarray(model.recovery(latent), dtype="float64")


def test_old_config_without_synthetic_path_loads_with_the_supervisor_path_it_was_trained_with():
    values = TimeGANConfig(representation="returns", burn_in=24).to_dict()
    del values["synthetic_path"]
    config = TimeGANConfig.from_dict(values)
    assert config.synthetic_path == "supervisor" and config.burn_in == 24
    # A config from before both added groups gets the values of both.
    for key in ("representation", "heavy_tail", "recovery_activation", "burn_in"):
        del values[key]
    assert TimeGANConfig.from_dict(values).synthetic_path == "supervisor"
    assert TimeGANConfig().synthetic_path == "supervisor"  # the library default stays the paper's


def test_unknown_synthetic_path_is_refused_by_name():
    with pytest.raises(ValueError, match=r"synthetic_path.*'supervisor', 'generator'.*Received: synthetic_path='s'"):
        TimeGANConfig(synthetic_path="s")


def test_generator_path_generates_r_of_g_and_the_paper_path_r_of_s_of_g(generator_model):
    model = generator_model
    n, burn_in, seq_len = 3, model.config.burn_in, model.config.seq_len
    z = model._generation_noise(7, 0, n, burn_in + seq_len)
    direct, supervised = by_hand(model, z, False)[:, burn_in:], by_hand(model, z, True)[:, burn_in:]
    assert np.abs(direct - supervised).max() > 1e-3  # the two paths differ: the test can tell them apart
    np.testing.assert_allclose(model.generate_scaled(n, seed=7), direct, rtol=1e-5, atol=1e-6)
    paper = TimeGAN(TimeGANConfig.from_dict({**model.config.to_dict(), "synthetic_path": "supervisor"}))
    paper.fit(price_series(), steps=0, progress=False)
    paper.set_weights(model.get_weights())
    np.testing.assert_allclose(paper.generate_scaled(n, seed=7), supervised, rtol=1e-5, atol=1e-6)
    # generate (the recurrent loop, in prices) maps the same model-scale path to prices, moved to
    # the training data's marginal (marginal calibration, on by default).
    prices = model.generate(n, seed=7, start_price=1.0)
    calibrated = model.calibrate_marginal(direct)
    expected = model.representation.inverse_transform(calibrated, start_prices=np.ones(2), include_start=False)
    np.testing.assert_allclose(prices, expected, rtol=1e-5)


@pytest.mark.parametrize("synthetic_path", ["supervisor", "generator"])
def test_moment_loss_is_on_the_path_that_generation_uses(synthetic_path, generator_model):
    import tensorflow as tf

    model = generator_model
    if synthetic_path == "supervisor":
        model = TimeGAN(TimeGANConfig.from_dict({**model.config.to_dict(), "synthetic_path": "supervisor"}))
        model.fit(price_series(), steps=0, progress=False)
        model.set_weights(generator_model.get_weights())
    x = tf.constant(model._prepare_windows(price_series(), None)[:4])
    z = tf.random.stateless_uniform((4, 6, 2), seed=[1, 2])
    expected = {
        path: float(losses.moment_loss(x, by_hand(model, z, path == "supervisor").astype("float32")))
        for path in ("supervisor", "generator")
    }
    assert abs(expected["supervisor"] - expected["generator"]) > 1e-4
    before = model.get_weights()
    logged = float(model._generator_embedder_update(x, z)["moments"])
    model.set_weights(before)  # the module's model stays as it was for the other tests
    assert logged == pytest.approx(expected[synthetic_path], rel=1e-5)


def test_saved_model_keeps_its_synthetic_path(generator_model, tmp_path):
    generator_model.save(tmp_path / "model")
    loaded = TimeGAN.load(tmp_path / "model")
    assert loaded.config.synthetic_path == "generator"
    np.testing.assert_array_equal(loaded.generate(2, seed=4, seq_len=9), generator_model.generate(2, seed=4, seq_len=9))


def test_train_command_passes_synthetic_path_and_refuses_an_unknown_one(capsys):
    assert build_parser().parse_args([]).synthetic_path == "supervisor"
    assert build_parser().parse_args(["--synthetic-path", "generator"]).synthetic_path == "generator"
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--synthetic-path", "decoder"])
    assert exit_info.value.code == 2 and "invalid choice: 'decoder'" in capsys.readouterr().err


def test_finance_benchmark_names_one_row_per_synthetic_path():
    script = load_script("benchmark_finance")
    args = script.build_parser().parse_args(["--tickers", "BA", "--synthetic-paths", "supervisor", "generator"])
    assert args.synthetic_paths == ["supervisor", "generator"] and args.cell == "gru"
    assert script.row_name("returns", "supervisor") == "TimeGAN returns"
    assert script.row_name("returns", "generator") == "TimeGAN returns, generator path"
