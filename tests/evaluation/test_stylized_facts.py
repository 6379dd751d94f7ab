"""Stylized facts tell a Gaussian random walk from a GARCH(1,1), and see the leverage effect."""

import numpy as np
import pytest

from evaluation.stylized_facts import (
    facts_table,
    hill_tail_index,
    log_returns,
    plot_acf,
    plot_return_histogram,
    stylized_facts,
)


def test_gaussian_random_walk_has_no_stylized_facts(random_walk_prices):
    facts = stylized_facts(random_walk_prices)
    assert abs(facts.excess_kurtosis) < 0.15
    assert np.all(np.abs(facts.acf_returns) < 0.03)
    assert np.all(np.abs(facts.acf_abs) < 0.03)
    assert np.all(np.abs(facts.acf_squared) < 0.03)
    assert np.all(np.abs(facts.leverage) < 0.03)
    assert abs(facts.skewness) < 0.1
    assert facts.gain_loss_ratio == pytest.approx(1.0, abs=0.05)
    assert facts.hill_tail_index > 4.5  # thin tails


def test_garch_shows_heavy_tails_and_volatility_clustering(garch_prices):
    facts = stylized_facts(garch_prices)
    assert facts.excess_kurtosis > 1.0
    assert np.all(facts.acf_abs[:5] > 0.1) and np.all(facts.acf_squared[:5] > 0.1)
    assert facts.acf_abs[0] > facts.acf_abs[-1] > 0.05  # slow decay
    # Volatility clusters, but returns stay linearly unpredictable.
    assert np.all(np.abs(facts.acf_returns) < 0.03)
    assert facts.hill_tail_index < 4.5


def test_leverage_effect_is_negative_when_losses_raise_volatility(gjr_prices):
    facts = stylized_facts(gjr_prices)
    assert facts.leverage[0] < -0.1
    # The effect has a direction: in reversed time, past volatility does not predict returns.
    assert abs(stylized_facts(gjr_prices[:, ::-1]).leverage[0]) < 0.05


def path_of(returns):
    return 100 * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))[None, :, None]


def test_moments_and_gain_loss_asymmetry_of_known_distributions():
    rng = np.random.default_rng(0)
    laplace = stylized_facts(path_of(0.01 * rng.laplace(size=200000)))
    assert laplace.excess_kurtosis == pytest.approx(3.0, abs=0.2)  # Laplace: 3
    assert abs(laplace.skewness) < 0.05 and laplace.gain_loss_ratio == pytest.approx(1.0, abs=0.03)
    crashes = stylized_facts(path_of(0.01 * (1.0 - rng.exponential(size=200000))))
    assert crashes.skewness == pytest.approx(-2.0, abs=0.15)  # minus a centred exponential: -2
    assert crashes.gain_loss_ratio > 1.5  # the 5% worst losses are larger than the 5% best gains


def test_hill_index_recovers_a_student_t_tail():
    sample = np.random.default_rng(0).standard_t(df=3, size=200000)
    assert hill_tail_index(sample, tail_fraction=0.01) == pytest.approx(3.0, abs=0.4)


def test_acf_matches_a_direct_computation_on_one_long_path():
    rng = np.random.default_rng(3)
    returns = np.convolve(rng.standard_normal(5001), [1.0, 0.6], mode="valid")  # MA(1): rho_1 = 0.6 / 1.36
    prices = np.exp(np.concatenate([[0.0], np.cumsum(returns)]))[None, :, None]
    facts = stylized_facts(prices, max_lag=3)
    assert facts.acf_returns[0] == pytest.approx(0.6 / 1.36, abs=0.03)
    assert abs(facts.acf_returns[2]) < 0.04
    np.testing.assert_array_equal(facts.lags, [1, 2, 3])


def test_summary_table_and_plots(random_walk_prices, garch_prices):
    real, synthetic = stylized_facts(garch_prices), stylized_facts(random_walk_prices)
    table = facts_table(real, synthetic)
    assert list(table.columns) == ["real", "synthetic"]
    assert table.loc["excess_kurtosis", "real"] == real.excess_kurtosis
    assert table.loc["acf_abs_lag1", "synthetic"] == synthetic.acf_abs[0]
    figure = plot_acf(real, synthetic, kind="squared")
    assert len(figure.axes[0].get_lines()) == 3  # zero line, real, synthetic
    figure = plot_return_histogram(garch_prices[:500], random_walk_prices[:500])
    assert figure.axes[0].get_yscale() == "log"


def test_errors(random_walk_prices):
    with pytest.raises(
        ValueError,
        match=r"Expected the price features of `prices` to be positive \(log returns\). Received: min\(prices\[..., \[0\]\]\)=-1.0",
    ):
        log_returns(-np.ones((2, 5, 1)))
    with pytest.raises(
        ValueError, match="Expected `max_lag` to be at most 22 \\(paths of 24 prices\\). Received: max_lag=23"
    ):
        stylized_facts(random_walk_prices, max_lag=23)
    with pytest.raises(
        ValueError, match=r"Expected `features` to be distinct feature indices in \[0, 1\). Received: features=\[1\]"
    ):
        stylized_facts(random_walk_prices, features=[1])
    with pytest.raises(ValueError, match="Expected `kind` to be one of"):
        stylized_facts(random_walk_prices).acf("vol")


def test_constant_prices_give_nan_not_an_error():
    facts = stylized_facts(np.full((4, 6, 1), 10.0))
    assert np.isnan(facts.excess_kurtosis) and np.all(np.isnan(facts.acf_abs))
