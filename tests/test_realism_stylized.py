"""The stylized-facts loss in training (`TimeGANConfig.stylized_weight`): what the generator
update adds and logs, the config migration and the command-line option."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf
from _train_command import train_command_config

from timegan import TimeGAN, TimeGANConfig, losses
from timegan.cli.train import build_parser, main
from timegan.model import LOG_NAMES


def price_series(rows=80, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    return 100 * np.exp(np.cumsum(rng.standard_t(4, size=(rows, n_features)) * 0.01, axis=0))


CONFIG = TimeGANConfig(seq_len=6, hidden_dim=4, num_layers=1, batch_size=4, representation="returns", burn_in=2)


def trained(weight, steps=(1, 1, 2)):
    keras.utils.set_random_seed(0)
    model = TimeGAN(dataclasses.replace(CONFIG, stylized_weight=weight))
    model.fit(price_series(), steps=steps, progress=False)
    return model


def test_weight_changes_only_the_joint_phase_and_the_loss_is_logged_when_on():
    off, on = trained(0.0), trained(50.0)
    assert "stylized" in LOG_NAMES
    joint = on.losses().query("phase == 'joint'")
    assert len(joint) == 2 and np.all(np.isfinite(joint["stylized"])) and np.all(joint["stylized"] > 0)
    assert on.losses().query("phase != 'joint'")["stylized"].isna().all()
    assert "stylized" not in off.losses()  # weight 0: not computed (the paper's graph), no column
    for name in ("generator", "supervisor"):  # what the generator update trains
        pairs = zip(getattr(off, name).get_weights(), getattr(on, name).get_weights())
        assert not all(np.array_equal(a, b) for a, b in pairs), name
    columns = list(off.losses().columns)  # the weight-0 run has no stylized column
    before_joint = [m.losses().query("phase != 'joint'")[columns[1:]].to_numpy(float) for m in (off, on)]
    np.testing.assert_array_equal(*before_joint)


def test_logged_stylized_loss_is_that_of_the_synthetic_path_generation_uses():
    model = trained(1.0, steps=0)
    x = tf.constant(model._prepare_windows(price_series(), None)[:4])
    z = tf.random.stateless_uniform((4, 6, 2), seed=[1, 2])
    x_hat = model.recovery(model.supervisor(model.generator(z)))
    expected = float(
        losses.stylized_facts_loss(x, x_hat, 1, CONFIG.stylized_lags, CONFIG.moment_eps, norm=CONFIG.stylized_norm)
    )
    logged = float(model._generator_embedder_update(x, z)["stylized"])
    assert logged == pytest.approx(expected, rel=1e-4)


def test_window_terms_add_to_the_logged_loss():
    model = trained(1.0, steps=0)
    config = dataclasses.replace(
        model.config,
        stylized_window_correlations=True,
        stylized_variance_ratio=True,
        stylized_correlation_dispersion=True,
        stylized_basket_kurtosis=True,
    )
    model = TimeGAN(config, representation=model.representation)
    model.build_networks(2)
    model.compile()
    x = tf.constant(model._prepare_windows(price_series(), None)[:4])
    z = tf.random.stateless_uniform((4, 6, 2), seed=[1, 2])
    x_hat = model.recovery(model.supervisor(model.generator(z)))
    options = dict(return_lags=1, abs_lags=CONFIG.stylized_lags, eps=CONFIG.moment_eps, norm=CONFIG.stylized_norm)
    expected = float(
        losses.stylized_facts_loss(x, x_hat, terms=losses.STYLIZED_TERMS + losses.OPTIONAL_TERMS, **options)
    )
    assert float(model._generator_embedder_update(x, z)["stylized"]) == pytest.approx(expected, rel=1e-4)
    assert expected > float(losses.stylized_facts_loss(x, x_hat, **options))


def test_returns_scale_takes_the_statistics_with_the_heavy_tails_undone():
    from timegan.representation import gaussianize, heavy_tail

    u = np.linspace(-4, 4, 17)[:, None] * np.ones((1, 2))
    delta = np.array([0.0, 0.2])
    np.testing.assert_allclose(losses.lambert_w_tails(u, delta).numpy(), heavy_tail(u, delta), rtol=1e-6)
    assert float(losses.lambert_w_tails(tf.constant([[50.0]]), 0.2)[0, 0]) == pytest.approx(6 * np.exp(3.6))
    model = trained(1.0, steps=0)
    model = TimeGAN(dataclasses.replace(model.config, stylized_scale="returns"), representation=model.representation)
    model.build_networks(2)
    model.compile()
    delta = model.representation.delta
    assert np.all(delta > 0)  # t(4) returns: heavy tails, a transform to undo
    x = tf.constant(model._prepare_windows(price_series(), None)[:4])
    z = tf.random.stateless_uniform((4, 6, 2), seed=[1, 2])
    x_hat = model.recovery(model.supervisor(model.generator(z)))
    tails = [losses.lambert_w_tails(v, delta.astype("float32")) for v in (x, x_hat)]
    expected = float(
        losses.stylized_facts_loss(*tails, 1, CONFIG.stylized_lags, CONFIG.moment_eps, norm=CONFIG.stylized_norm)
    )
    on_model_scale = float(
        losses.stylized_facts_loss(x, x_hat, 1, CONFIG.stylized_lags, CONFIG.moment_eps, norm=CONFIG.stylized_norm)
    )
    logged = float(model._generator_embedder_update(x, z)["stylized"])
    assert logged == pytest.approx(expected, rel=1e-4) and logged != pytest.approx(on_model_scale, rel=1e-3)
    # Gaussianised data come back as the returns they were: the real statistics are those of z.
    assert np.allclose(heavy_tail(gaussianize(np.array([3.0, -7.0]), 0.2), 0.2), [3.0, -7.0])


def test_old_config_without_the_field_loads_without_the_loss():
    values = CONFIG.to_dict()
    del values["stylized_weight"], values["stylized_lags"], values["stylized_return_lags"]
    config = TimeGANConfig.from_dict(values)
    assert (config.stylized_weight, config.stylized_lags, config.stylized_return_lags) == (0.0, 5, 1)
    newer = CONFIG.to_dict()
    del newer["stylized_return_lags"]  # saved with the loss on, before return lags were a field: lag 1
    assert TimeGANConfig.from_dict({**newer, "stylized_weight": 10.0}).stylized_return_lags == 1
    del newer["stylized_basket_kurtosis"]  # saved before the term: trained without it
    assert not TimeGANConfig.from_dict({**newer, "stylized_weight": 10.0}).stylized_basket_kurtosis
    del newer["stylized_correlation_dispersion"]  # saved before the term: trained without it
    assert not TimeGANConfig.from_dict({**newer, "stylized_weight": 10.0}).stylized_correlation_dispersion
    del newer["stylized_variance_ratio"]  # saved before the variance ratio: trained without it
    assert not TimeGANConfig.from_dict({**newer, "stylized_weight": 10.0}).stylized_variance_ratio
    del newer["stylized_window_correlations"]  # saved before the window terms: trained without them
    assert not TimeGANConfig.from_dict({**newer, "stylized_weight": 10.0}).stylized_window_correlations
    del newer["stylized_norm"]  # saved before the norm was a field: gaps averaged
    assert TimeGANConfig.from_dict({**newer, "stylized_weight": 10.0}).stylized_norm == "mean"
    del newer["stylized_scale"]  # saved before the scale was a field: the model's scale
    assert TimeGANConfig.from_dict({**newer, "stylized_weight": 10.0}).stylized_scale == "model"
    del newer["stylized_leverage_lags"]  # saved before the leverage term: trained without it
    assert TimeGANConfig.from_dict({**newer, "stylized_weight": 10.0}).stylized_leverage_lags == 0
    assert TimeGANConfig().stylized_leverage_lags == 5
    assert TimeGANConfig().stylized_weight == 0.0  # the library default is the paper's loss
    del values["synthetic_path"]  # older still
    assert TimeGANConfig.from_dict(values).stylized_weight == 0.0
    partial = CONFIG.to_dict()
    del partial["stylized_lags"]  # half of the group: not an old file, refused
    with pytest.raises(ValueError, match=r"Missing TimeGANConfig keys: \['stylized_lags'\]"):
        TimeGANConfig.from_dict(partial)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"stylized_weight": -1.0}, "stylized_weight"),
        ({"stylized_lags": 0}, "Expected `stylized_lags` to be a positive integer. Received: stylized_lags=0"),
        ({"stylized_leverage_lags": -1}, "stylized_leverage_lags=-1"),
        ({"stylized_scale": "levels"}, "stylized_scale='levels'"),
        ({"stylized_norm": "l1"}, "stylized_norm='l1'"),
    ],
)
def test_bad_values_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TimeGANConfig(**kwargs)


def test_window_correlations_must_be_a_bool():
    with pytest.raises(TypeError, match="Expected `stylized_window_correlations` to be a bool. Received: .*=1"):
        TimeGANConfig(stylized_window_correlations=1)


def test_train_command_passes_the_weight(tmp_path, capsys, monkeypatch):
    from timegan.cli.train import _stylized_weight

    defaults = build_parser().parse_args([])  # the command's default: on for returns, off for levels
    assert (_stylized_weight(defaults), defaults.stylized_return_lags, defaults.stylized_leverage_lags) == (10.0, 5, 5)
    assert defaults.stylized_abs_lags == TimeGANConfig().stylized_lags == 5
    assert defaults.stylized_norm == "l2" and TimeGANConfig().stylized_norm == "l2"
    assert _stylized_weight(build_parser().parse_args(["--representation", "levels"])) == 0.0
    assert _stylized_weight(build_parser().parse_args(["--stylized-weight", "0"])) == 0.0
    out = tmp_path / "run"
    argv = ["--tickers", "BA", "CAT", "--start", "2019-01-01", "--end", "2019-06-30", "--source", "bundled"]
    tiny = ["--seq-len", "6", "--hidden-dim", "4", "--num-layers", "1", "--batch-size", "4", "--quiet"]
    options = ["--stylized-weight", "2.5", "--stylized-return-lags", "3", "--stylized-leverage-lags", "0"]
    options += ["--stylized-abs-lags", "4"]
    options += ["--stylized-scale", "returns", "--stylized-norm", "mean"]
    options += ["--stylized-window-correlations", "--stylized-variance-ratio", "--stylized-correlation-dispersion"]
    options += ["--stylized-basket-kurtosis"]
    config = train_command_config([*argv, *tiny, "--steps", "1", *options, "--output-dir", str(out)], monkeypatch)
    names = ("weight", "return_lags", "lags", "leverage_lags", "scale", "norm", "window_correlations")
    names += ("variance_ratio",)
    names += ("correlation_dispersion", "basket_kurtosis")
    chosen = [getattr(config, f"stylized_{name}") for name in names]
    assert chosen == [2.5, 3, 4, 0, "returns", "mean", True, True, True, True]
    assert not defaults.stylized_window_correlations and not defaults.stylized_variance_ratio
    assert not defaults.stylized_correlation_dispersion and not defaults.stylized_basket_kurtosis
    assert main([*argv, *tiny, "--stylized-weight", "-1", "--output-dir", str(tmp_path / "bad")]) == 2
    assert "stylized_weight" in capsys.readouterr().err
    assert main([*argv, *tiny, "--stylized-abs-lags", "0", "--output-dir", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "Expected --stylized-abs-lags to be an integer >= 1. Received: 0" in err and "Traceback" not in err
    assert not (tmp_path / "bad").exists()


def test_window_correlations_follow_the_number_of_series_unless_asked(tmp_path, monkeypatch):
    from timegan.cli.train import WINDOW_CORRELATIONS_FROM, window_correlations

    assert build_parser().parse_args([]).stylized_window_correlations is None  # the rule decides
    assert not window_correlations(None, WINDOW_CORRELATIONS_FROM - 1, 10.0) and window_correlations(None, 20, 10.0)
    assert not window_correlations(None, 20, 0.0)  # no stylized-facts loss (levels): nothing to switch on
    assert window_correlations(True, 2, 10.0) and not window_correlations(False, 20, 10.0)
    argv = ["--tickers", "BA", "CAT", "--start", "2019-01-01", "--end", "2019-06-30", "--source", "bundled"]
    tiny = ["--seq-len", "6", "--hidden-dim", "4", "--num-layers", "1", "--batch-size", "4", "--quiet", "--steps", "1"]
    config = train_command_config([*argv, *tiny, "--output-dir", str(tmp_path / "run")], monkeypatch)
    assert config.stylized_window_correlations is False  # 2 series
