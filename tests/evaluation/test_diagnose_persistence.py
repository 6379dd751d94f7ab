"""scripts/diagnose_persistence.py and the two statistics it adds to evaluation.finance: the variance
ratio and the log-volatility spread of blocks."""

import numpy as np
import pytest

from evaluation.finance import variance_ratio, volatility_dispersion
from tests._scripts import load_script

script = load_script("diagnose_persistence")


def ar1(rng, phi, n_paths=50, n_steps=2000, features=1):
    e = rng.standard_normal((n_paths, n_steps, features))
    r = np.empty_like(e)
    r[:, 0] = e[:, 0]
    for t in range(1, n_steps):
        r[:, t] = phi * r[:, t - 1] + e[:, t]
    return r


def regimes(rng, block, n_paths=20, n_steps=2000):
    """Gaussian returns whose volatility is 0.5 or 2 for `block` days at a time."""
    levels = rng.choice([0.5, 2.0], size=(n_paths, -(-n_steps // block), 1))
    return np.repeat(levels, block, axis=1)[:, :n_steps] * rng.standard_normal((n_paths, n_steps, 1))


def test_variance_ratio_is_one_without_autocorrelation_and_follows_its_sign():
    rng = np.random.default_rng(0)
    assert variance_ratio(ar1(rng, 0.0), 20)[0] == pytest.approx(1.0, abs=0.05)
    # AR(1): VR(h) = 1 + 2 sum_{k<h} (1 - k/h) phi^k; about (1 + phi) / (1 - phi) for large h.
    phi, h = -0.3, 20
    expected = 1 + 2 * sum((1 - k / h) * phi**k for k in range(1, h))
    assert variance_ratio(ar1(rng, phi), h)[0] == pytest.approx(expected, rel=0.05)
    assert variance_ratio(ar1(rng, 0.3), h)[0] > 1.5
    assert np.isnan(variance_ratio(ar1(rng, 0.0, n_steps=10), 20)).all()  # paths shorter than the horizon
    assert np.isnan(variance_ratio(np.zeros((30, 2)), 5)).all()  # constant: NaN, not 0
    with pytest.raises(ValueError, match="horizon"):
        variance_ratio(ar1(rng, 0.0), 0)


def test_volatility_dispersion_falls_like_sampling_noise_without_regimes_and_stays_with_them():
    rng = np.random.default_rng(1)
    iid = ar1(rng, 0.0, n_paths=20)
    for window in (20, 100):  # the sampling error of a block's log volatility
        assert volatility_dispersion(iid, window)[0] == pytest.approx(1 / np.sqrt(2 * (window - 1)), rel=0.15)
    # Regimes of 500 days: log 4 apart, so a spread of about log(4) / 2 = 0.69 at any block up to 500 days.
    slow = regimes(rng, 500)
    assert volatility_dispersion(slow, 250)[0] == pytest.approx(np.log(4) / 2, rel=0.2)
    fast = regimes(rng, 10)
    assert volatility_dispersion(fast, 250)[0] < 0.25  # short regimes average out over a year
    assert np.isnan(volatility_dispersion(iid[:1, :30], 20)[0])  # one block only
    with pytest.raises(ValueError, match="window"):
        volatility_dispersion(iid, 1)


def test_acf_of_the_script_reads_an_ar1_and_is_nan_past_the_paths():
    rng = np.random.default_rng(2)
    values = script.acf(ar1(rng, 0.5, features=2), (1, 2))
    assert values == pytest.approx([0.5, 0.25], abs=0.03)
    short = script.acf(ar1(rng, 0.5, n_steps=5), (1, 4, 5, 40))  # paths of 5 days: lags 1-4 only
    assert np.isfinite(short[:2]).all() and np.isnan(short[2:]).all()
    assert np.isnan(script.acf(ar1(rng, 0.5, n_steps=1), (1,))).all()


@pytest.fixture(scope="module")
def returns_run(tmp_path_factory):
    """A returns run of an untrained tiny model with a training burn-in: the script needs no training."""
    from timegan import TimeGANConfig, load_prices, train_run

    out = tmp_path_factory.mktemp("runs") / "run"
    prices = load_prices(["BA", "CAT"], start="2018-01-01", end="2019-12-31", source="bundled")
    config = TimeGANConfig(
        seq_len=8, hidden_dim=4, num_layers=1, batch_size=16, representation="returns", burn_in=8, train_burn_in=3
    )
    train_run(out, prices=prices, config=config, steps=0, progress=False)
    return out


def test_prints_every_statistic_for_both_sides_and_the_three_window_kinds(returns_run, capsys):
    argv = ["--run", str(returns_run), "--n-paths", "20", "--path-length", "260", "--n-windows", "50"]
    assert script.main(argv) == 0
    out = capsys.readouterr().out
    assert "20 paths of 260 days (best model, trained on 8-day windows)" in out
    for row in ("ACF of r, lag 3", "ACF of |r|, lag 40", "variance ratio, 60 days", "log-volatility spread, 250 days"):
        line = next(line for line in out.splitlines() if line.startswith(row))
        assert len(line.split()) == len(row.split()) + 2 and "nan" not in line, line
    assert "trained (3 burn-in)" in out and "generated (8 burn-in)" in out and "acf lag 3" in out


def test_a_levels_run_and_a_missing_run_are_one_line_and_exit_2(tmp_path, capsys):
    from timegan import TimeGANConfig, load_prices, train_run

    assert script.main(["--run", str(tmp_path / "missing")]) == 2
    prices = load_prices(["BA"], start="2019-01-01", end="2019-06-30", source="bundled")
    train_run(
        tmp_path / "levels",
        prices=prices,
        config=TimeGANConfig(seq_len=5, hidden_dim=2, num_layers=1, batch_size=8),
        steps=0,
        progress=False,
    )
    assert script.main(["--run", str(tmp_path / "levels")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and all(e.startswith("diagnose_persistence: error:") for e in errors)
    assert "(levels)" in errors[1]
