"""Training on warm windows (`TimeGANConfig.train_burn_in`): the joint phase's losses and the
discriminator see synthetic windows after `train_burn_in` recurrent steps, as `generate` gives them
after `burn_in`; the config migration and the command-line option."""

import numpy as np
import pytest
from _train_command import train_command_config

from timegan import TimeGAN, TimeGANConfig, losses
from timegan.cli.train import build_parser, main

SEQ_LEN, BURN_IN = 6, 4


def price_series(rows=60, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.standard_t(4, size=(rows, n_features)) * 0.01, axis=0))


@pytest.fixture(scope="module")
def warm_model():
    """A returns model with `train_burn_in=BURN_IN`, built and fitted to the data (weights as initialised)."""
    config = TimeGANConfig(
        seq_len=SEQ_LEN, hidden_dim=4, num_layers=1, batch_size=4, representation="returns", train_burn_in=BURN_IN
    )
    model = TimeGAN(config)
    model.fit(price_series(), steps=0, progress=False)
    return model


def latents(model, z):
    """E_hat = G(z) and H_hat = S(E_hat) over the whole noise, as generation computes them."""
    e_hat = model.generator(z)
    return np.asarray(e_hat), np.asarray(model.supervisor(e_hat))


def test_the_generator_update_judges_the_windows_after_the_burn_in(warm_model):
    import tensorflow as tf

    model = warm_model
    x = tf.constant(model._prepare_windows(price_series(), None)[:4])
    z = tf.random.stateless_uniform((4, BURN_IN + SEQ_LEN, 2), seed=[1, 2])
    _, h_hat = latents(model, z)
    synthetic = np.asarray(model.recovery(h_hat), dtype="float32")
    warm, cold = synthetic[:, BURN_IN:], np.asarray(model(z[:, BURN_IN:]), dtype="float32")
    expected = {name: float(losses.moment_loss(x, windows)) for name, windows in (("warm", warm), ("cold", cold))}
    assert abs(expected["warm"] - expected["cold"]) > 1e-5  # the test can tell the two apart
    before = model.get_weights()
    logged = float(model._generator_embedder_update(x, z)["moments"])
    model.set_weights(before)  # the module's model stays as it was for the other tests
    assert logged == pytest.approx(expected["warm"], rel=1e-5)


def test_the_discriminator_judges_the_windows_after_the_burn_in(warm_model):
    import tensorflow as tf

    model, gamma = warm_model, warm_model.config.gamma
    x = tf.constant(model._prepare_windows(price_series(), None)[:4])
    z = tf.random.stateless_uniform((4, BURN_IN + SEQ_LEN, 2), seed=[3, 4])
    h = model.embedder(x)
    e_hat, h_hat = latents(model, z)

    def loss(e_hat, h_hat):
        real, supervised, generated = (model.discriminator(v) for v in (h, h_hat, e_hat))
        return float(losses.discriminator_loss(real, supervised, generated, gamma))

    warm = loss(e_hat[:, BURN_IN:], h_hat[:, BURN_IN:])
    cold_e = np.asarray(model.generator(z[:, BURN_IN:]))
    cold = loss(cold_e, np.asarray(model.supervisor(cold_e)))
    assert abs(warm - cold) > 1e-5
    before = model.get_weights()
    logged = float(model._discriminator_update(x, z))
    model.set_weights(before)
    assert logged == pytest.approx(warm, rel=1e-5)


def test_fit_draws_noise_for_the_burn_in_and_the_window(warm_model):
    """A joint step with too short a noise would judge windows of SEQ_LEN - BURN_IN steps against
    real ones of SEQ_LEN: the moment loss's shapes would not match."""
    model = TimeGAN(TimeGANConfig.from_dict(warm_model.config.to_dict()))
    model.fit(price_series(), steps=(1, 1, 2), progress=False)
    joint = model.losses().query("phase == 'joint'")
    assert len(joint) == 2 and np.isfinite(joint["moments"]).all()


def test_config_option_and_migration(tmp_path, monkeypatch, capsys):
    assert TimeGANConfig().train_burn_in == 0  # the paper's cold start stays the library default
    with pytest.raises(ValueError, match=r"train_burn_in.*Received: train_burn_in=-1"):
        TimeGANConfig(train_burn_in=-1)
    old = TimeGANConfig(representation="returns", burn_in=24).to_dict()
    del old["train_burn_in"]  # saved before the field: trained from a cold start
    assert TimeGANConfig.from_dict(old).train_burn_in == 0
    assert build_parser().parse_args([]).train_burn_in == 0
    argv = ["--tickers", "BA", "CAT", "--start", "2019-01-01", "--end", "2019-06-30", "--source", "bundled"]
    tiny = ["--seq-len", "6", "--hidden-dim", "4", "--num-layers", "1", "--batch-size", "4", "--quiet"]
    out = str(tmp_path / "run")
    config = train_command_config([*argv, *tiny, "--train-burn-in", "6", "--output-dir", out], monkeypatch)
    assert config.train_burn_in == 6
    assert main([*argv, *tiny, "--train-burn-in", "-2", "--output-dir", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "train_burn_in" in err and "-2" in err and "Traceback" not in err and err.count("\n") == 1
