"""Baseline generators: seeded, shaped like model output, fitted correctly, only real days bootstrapped."""

import numpy as np
import pytest
import scipy.stats

from evaluation.baselines import (
    bootstrap_block_size,
    bootstrap_paths,
    fit_garch,
    gaussian_paths,
    normal_to_t,
)


def arch_simulated_prices(params, n, kind="garch", seed=0):
    """Prices whose percent log returns are simulated by `arch` itself (not by the code under test)."""
    from arch.univariate import GARCH, ConstantMean, StudentsT

    model = ConstantMean(
        None,
        volatility=GARCH(p=1, o=1 if kind == "gjr" else 0, q=1),
        distribution=StudentsT(seed=np.random.default_rng(seed)),
    )
    simulated = model.simulate(params, n, burn=500)["data"].to_numpy()
    return 100 * np.exp(np.concatenate([[0.0], np.cumsum(simulated / 100)]))[:, None]


@pytest.fixture(scope="module")
def history():
    """900 days of two correlated tickers with volatility clustering."""
    rng = np.random.default_rng(0)
    shocks = rng.multivariate_normal([0, 0], [[1.0, 0.6], [0.6, 1.0]], size=900)
    variance, returns = np.full(2, 1e-4), np.empty((900, 2))
    for t in range(900):
        returns[t] = np.sqrt(variance) * shocks[t]
        variance = 5e-6 + 0.1 * returns[t] ** 2 + 0.85 * variance
    return 50 * np.exp(np.concatenate([np.zeros((1, 2)), np.cumsum(returns, axis=0)]))


@pytest.fixture(scope="module")
def garch_fit(history):
    return fit_garch(history)


def generators(history, garch_fit):
    return {
        "garch": lambda seed, **kw: garch_fit.sample(4, 60, seed=seed, **kw),
        "bootstrap": lambda seed, **kw: bootstrap_paths(history, 4, 60, block_size=5, seed=seed, **kw),
        "gaussian": lambda seed, **kw: gaussian_paths(history, 4, 60, seed=seed, **kw),
    }


@pytest.mark.parametrize("name", ["garch", "bootstrap", "gaussian"])
def test_paths_are_seeded_shaped_and_start_at_the_given_price(history, garch_fit, name):
    generate = generators(history, garch_fit)[name]
    first, again, other = generate(3), generate(3), generate(4)
    assert first.shape == (4, 60, 2)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    np.testing.assert_allclose(first[:, 0], np.broadcast_to(history[-1], (4, 2)))  # default: last real prices
    np.testing.assert_allclose(generate(3, start_price=[10.0, 20.0])[:, 0], [[10.0, 20.0]] * 4)
    np.testing.assert_allclose(np.diff(np.log(generate(3, start_price=1.0)), axis=1), np.diff(np.log(first), axis=1))


def test_garch_fit_recovers_the_parameters_of_data_simulated_by_arch():
    truth = {"mu": 0.05, "omega": 0.05, "alpha": 0.1, "beta": 0.85, "nu": 6.0}
    fit = fit_garch(arch_simulated_prices(list(truth.values()), 6000, seed=1))
    got = fit.params[0]
    assert got["alpha"] == pytest.approx(0.1, abs=0.04)
    assert got["beta"] == pytest.approx(0.85, abs=0.05)
    assert got["nu"] == pytest.approx(6.0, abs=2.0)
    assert got["gamma"] == 0.0 and fit.converged == (True,)


def test_gjr_fit_sees_the_leverage_term_and_its_own_simulation_refits_close():
    truth = [0.05, 0.05, 0.02, 0.15, 0.85, 8.0]  # mu, omega, alpha, gamma, beta, nu
    fit = fit_garch(arch_simulated_prices(truth, 6000, kind="gjr", seed=2), kind="gjr")
    assert fit.params[0]["gamma"] == pytest.approx(0.15, abs=0.06)
    assert fit.params[0]["alpha"] < fit.params[0]["gamma"]
    # The project's own simulator, fitted again, gives back the parameters it was given.
    again = fit_garch(fit.sample(1, 8001, seed=3)[0], kind="gjr").params[0]
    for key, tolerance in (("alpha", 0.04), ("gamma", 0.06), ("beta", 0.05), ("nu", 3.0)):
        assert again[key] == pytest.approx(fit.params[0][key], abs=tolerance)


def test_copula_keeps_cross_correlation_and_independent_innovations_drop_it(history):
    returns = {
        d: np.diff(np.log(fit_garch(history, dependence=d).sample(20, 400, seed=0)), axis=1).reshape(-1, 2)
        for d in ("copula", "resample", "independent")
    }
    assert np.corrcoef(returns["copula"].T)[0, 1] == pytest.approx(0.6, abs=0.1)
    assert np.corrcoef(returns["resample"].T)[0, 1] == pytest.approx(0.6, abs=0.1)
    assert abs(np.corrcoef(returns["independent"].T)[0, 1]) < 0.05


def test_bootstrap_paths_hold_only_real_days_even_beyond_the_history(history):
    real = np.diff(np.log(history), axis=0)
    paths = bootstrap_paths(history, 3, 2000, block_size=10, seed=0)  # longer than the 900-day history
    synthetic = np.diff(np.log(paths), axis=1).reshape(-1, 2)
    nearest = np.min(np.abs(synthetic[:, None, :] - real[None, :, :]).sum(axis=2), axis=1)
    assert nearest.max() < 1e-12
    assert len(np.unique(synthetic[:, 0])) > 500  # many different days, not one block repeated


def test_bootstrap_block_size_follows_volatility_clustering(history):
    rng = np.random.default_rng(0)
    iid = 50 * np.exp(np.cumsum(0.01 * rng.standard_normal((900, 2)), axis=0))
    assert bootstrap_block_size(history) > bootstrap_block_size(iid)


def test_gaussian_paths_have_the_real_mean_and_covariance(history):
    real = np.diff(np.log(history), axis=0)
    synthetic = np.diff(np.log(gaussian_paths(history, 200, 500, seed=0)), axis=1).reshape(-1, 2)
    np.testing.assert_allclose(np.cov(synthetic.T), np.cov(real.T), rtol=0.02)
    assert abs(scipy.stats.kurtosis(synthetic[:, 0])) < 0.05


def test_normal_to_t_matches_scipy():
    x = np.linspace(-5, 5, 2001)
    for nu in (3.0, 6.0):
        np.testing.assert_allclose(normal_to_t(x, nu), scipy.stats.t.ppf(scipy.stats.norm.cdf(x), nu), atol=1e-5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h, f: fit_garch(-h), "finite positive prices"),
        (lambda h, f: fit_garch(h, kind="egarch"), "`kind` to be one of"),
        (lambda h, f: fit_garch(h, dependence="vine"), "`dependence` to be one of"),
        (lambda h, f: f.sample(2, 1), "`path_len` to be an integer >= 2"),
        (lambda h, f: f.sample(2, 10, start_price=-1.0), "`start_price` to be finite and > 0"),
        (lambda h, f: gaussian_paths(h, 0, 10), "`n_paths` to be a positive integer"),
        (lambda h, f: bootstrap_paths(h, 2, 10, block_size=0), "`block_size` to be a positive integer"),
        (lambda h, f: gaussian_paths(h, 2, 10, seed=-1), "`seed` to be an integer in [0, 4294967295]"),
        (lambda h, f: gaussian_paths(h[:2], 2, 10), "n_days >= 3"),
    ],
)
def test_bad_input_is_one_clear_error(history, garch_fit, call, message):
    with pytest.raises(ValueError) as error:
        call(history, garch_fit)
    assert message in str(error.value)
