"""Finance scores: zero against themselves, ordered on known cases, exact on hand examples."""

import json

import numpy as np
import pytest

from evaluation.finance import (
    acf_score,
    aggregate_returns,
    correlation_distance,
    emd,
    evaluate_finance,
    excess_kurtosis,
    finance_scores,
    lagged_correlations,
    leverage_score,
    log_returns,
    real_floor,
    value_at_risk_and_shortfall,
)
from evaluation.stylized_facts import stylized_facts


def garch_returns(n, seed, alpha=0.1, gamma=0.0, beta=0.85, omega=1e-5, shape=()):
    """GARCH(1,1) (gamma > 0: GJR, losses raise the next variance more) with Gaussian shocks."""
    rng = np.random.default_rng(seed)
    shocks = rng.standard_normal((n, *shape))
    variance = np.full(shape, omega / (1 - alpha - gamma / 2 - beta))
    out = np.empty((n, *shape))
    for t in range(n):
        out[t] = np.sqrt(variance) * shocks[t]
        variance = omega + (alpha + gamma * (out[t] < 0)) * out[t] ** 2 + beta * variance
    return out


def prices(returns, start=100.0):
    """Prices from log returns along axis -2: (n,) -> (n+1, 1); (p, n, k) -> (p, n+1, k)."""
    returns = np.asarray(returns, dtype=np.float64)
    if returns.ndim == 1:
        returns = returns[:, None]
    zeros = np.zeros((*returns.shape[:-2], 1, returns.shape[-1]))
    return start * np.exp(np.concatenate([zeros, np.cumsum(returns, axis=-2)], axis=-2))


def test_every_score_is_zero_for_a_history_against_itself():
    history = prices(np.stack([garch_returns(1500, 0), garch_returns(1500, 1)], axis=1))
    scores = finance_scores(history, history[None], horizons=(1, 5, 20), max_lag=30)
    assert all(value == pytest.approx(0.0, abs=1e-12) for value in scores.emd.values())
    for value in (
        scores.acf_returns,
        scores.acf_abs,
        scores.acf_squared,
        scores.leverage,
        scores.correlation_returns,
        scores.correlation_abs,
        *scores.risk.values(),
    ):
        assert value == pytest.approx(0.0, abs=1e-9)
    assert scores.excess_kurtosis == pytest.approx(scores.excess_kurtosis_real)
    assert scores.hill_tail_index == pytest.approx(scores.hill_tail_index_real)
    assert scores.max_lag == 30 and scores.nan_reasons == {}


def test_acf_of_absolute_returns_puts_garch_closer_to_garch_than_gaussian_noise():
    real = garch_returns(20000, 0)[:, None]
    other_garch = garch_returns(4000, 1, shape=(20,)).T[..., None]  # 20 paths of 4000 days
    gaussian = np.random.default_rng(2).normal(0, real.std(), size=(20, 4000, 1))
    close, far = acf_score(real, other_garch, "abs", max_lag=50), acf_score(real, gaussian, "abs", max_lag=50)
    assert close < 0.5 * far
    assert acf_score(real, other_garch, "squared", max_lag=50) < acf_score(real, gaussian, "squared", max_lag=50)


def test_leverage_score_tells_a_leverage_effect_from_symmetric_volatility():
    real = garch_returns(20000, 0, alpha=0.02, gamma=0.25)[:, None]
    same = garch_returns(4000, 1, alpha=0.02, gamma=0.25, shape=(20,)).T[..., None]
    symmetric = garch_returns(4000, 2, alpha=0.145, shape=(20,)).T[..., None]  # same persistence
    assert leverage_score(real, same, max_lag=20) < 0.5 * leverage_score(real, symmetric, max_lag=20)


def test_heavy_tails_are_closer_to_heavy_tails_than_a_gaussian_on_emd_and_kurtosis():
    rng = np.random.default_rng(0)
    scale = 0.01 / np.sqrt(3.0)  # t(3) has variance 3
    real = scale * rng.standard_t(3, size=(20000, 1))
    heavy = scale * rng.standard_t(3, size=(10, 2000, 1))
    gaussian = rng.normal(0, real.std(), size=(10, 2000, 1))
    assert emd(real, heavy) < emd(real, gaussian)
    assert excess_kurtosis(heavy) > 3 and abs(excess_kurtosis(gaussian)) < 0.2
    with_heavy = finance_scores(prices(real[:, 0]), prices(heavy), horizons=(1,), max_lag=5)
    with_gaussian = finance_scores(prices(real[:, 0]), prices(gaussian), horizons=(1,), max_lag=5)
    assert with_heavy.risk["es_1pct_1d"] < with_gaussian.risk["es_1pct_1d"]
    assert with_heavy.hill_tail_index < with_gaussian.hill_tail_index


def test_value_at_risk_and_expected_shortfall_on_a_hand_computed_sample():
    x = [0.06, -0.05, 0.01, -0.03, 0.0, 0.02, -0.01, 0.03, 0.05, 0.04]  # sorted: -0.05 -0.03 -0.01 0 ...
    assert value_at_risk_and_shortfall(x, 0.1) == pytest.approx((0.05, 0.05))
    assert value_at_risk_and_shortfall(x, 0.2) == pytest.approx((0.03, 0.04))
    assert value_at_risk_and_shortfall(x, 0.25) == pytest.approx((0.01, 0.03))  # k = ceil(2.5) = 3
    assert value_at_risk_and_shortfall(np.arange(100.0) - 50, 0.07) == pytest.approx((44.0, 47.0))  # k = 7


def test_doubled_returns_give_exact_relative_errors_and_emd():
    r = np.array([0.06, -0.05, 0.01, -0.03, 0.0, 0.02, -0.01, 0.03, 0.05, 0.04] * 3)
    scores = finance_scores(
        prices(r), prices(2 * r)[None], horizons=(1, 2), alphas=(0.1,), risk_horizons=(1,), max_lag=3
    )
    assert scores.risk == pytest.approx({"var_10pct_1d": 1.0, "es_10pct_1d": 1.0})
    assert scores.risk_values["var_10pct_1d"] == pytest.approx((0.05, 0.10))
    assert scores.emd[1] == pytest.approx(np.mean(np.abs(r)))  # W1(x, 2x) = E|x| (same order)
    assert scores.acf_returns == pytest.approx(0.0, abs=1e-12)  # autocorrelation ignores scale


def test_aggregate_returns_rolling_and_disjoint():
    r = np.array([[1.0], [2.0], [3.0]])
    assert aggregate_returns(r, 2)[0].tolist() == [3.0, 5.0]
    assert aggregate_returns(r, 2, overlapping=False)[0].tolist() == [3.0]
    assert aggregate_returns(r, 4)[0].size == 0


def test_lagged_correlations_match_the_sample_autocorrelation_formula():
    x = np.random.default_rng(0).standard_normal((3, 40))
    y = x**2
    got = lagged_correlations(x, y, 5)
    xc, yc = x - x.mean(axis=1, keepdims=True), y - y.mean(axis=1, keepdims=True)
    for k in range(1, 6):
        want = np.sum(xc[:, :-k] * yc[:, k:], axis=1) / np.sqrt(np.sum(xc**2, axis=1) * np.sum(yc**2, axis=1))
        np.testing.assert_allclose(got[:, k - 1], want, atol=1e-12)


def test_excess_kurtosis_is_the_stylized_facts_estimator():
    paths = prices(0.01 * np.random.default_rng(0).standard_t(4, size=(5, 300, 2)))
    assert excess_kurtosis(log_returns(paths)) == pytest.approx(stylized_facts(paths).excess_kurtosis)


def test_correlation_distance_sees_cross_correlation_and_needs_two_features():
    rng = np.random.default_rng(0)
    cov = [[1.0, 0.7], [0.7, 1.0]]
    real = rng.multivariate_normal([0, 0], cov, size=5000)
    same = rng.multivariate_normal([0, 0], cov, size=(10, 500))
    independent = rng.standard_normal((10, 500, 2))
    assert correlation_distance(real, same) < 0.1 < correlation_distance(real, independent)
    assert correlation_distance(real, same, "abs") < correlation_distance(real, independent, "abs")
    single = finance_scores(prices(real[:, 0]), prices(same[..., :1]), horizons=(1,), max_lag=2)
    assert np.isnan(single.correlation_returns) and "2 features" in single.nan_reasons["correlation_returns"]


def test_paths_shorter_than_a_horizon_give_nan_with_the_reason():
    real = prices(garch_returns(3000, 0))
    short = prices(garch_returns(50, 1, shape=(8,)).T[..., None])  # 8 paths of 51 prices
    scores = finance_scores(real, short, max_lag=250)
    assert np.isnan(scores.emd[100]) and np.isfinite(scores.emd[20])
    assert "at least 100 returns" in scores.nan_reasons["emd_100"] and "50" in scores.nan_reasons["emd_100"]
    assert scores.max_lag == 49 and np.isfinite(scores.acf_abs)
    assert np.isfinite(scores.risk["var_1pct_20d"])
    two = finance_scores(real, prices(np.full((4, 1, 1), 0.01)), horizons=(1,))
    assert np.isnan(two.acf_abs) and "acf_abs" in two.nan_reasons and two.max_lag == 0


def test_floor_scores_the_second_half_against_the_first_and_is_json_ready():
    history = prices(np.stack([garch_returns(801, 0), garch_returns(801, 1)], axis=1))
    floor = real_floor(history, horizons=(1, 5), max_lag=10)
    assert floor.shapes == {"reference": (1, 400, 2), "synthetic": (1, 401, 2)}
    direct = finance_scores(history[:401], history[400:][None], horizons=(1, 5), max_lag=10)
    assert floor.summary() == pytest.approx(direct.summary())
    evaluation = evaluate_finance(history, history[None, :300], horizons=(1, 500), max_lag=10)
    text = json.dumps(evaluation.to_dict(), allow_nan=False)
    assert json.loads(text)["synthetic"]["scores"]["emd_500"] is None
    assert evaluation.settings["horizons"] == [1, 500]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h: finance_scores(h, -h[None]), "positive prices"),
        (lambda h: finance_scores(h, np.ones((2, 10, 3))), "the 2 features"),
        (lambda h: finance_scores(h, h[None], horizons=(0,)), "`horizons` to be a positive integer"),
        (lambda h: finance_scores(h, h[None], alphas=(0.7,)), "`alphas` to be a number in (0, 0.5)"),
        (lambda h: finance_scores(h, h[None], max_lag=0), "`max_lag` to be a positive integer"),
        (lambda h: finance_scores(h, h[None, None]), "shape (n, seq_len, n_features)"),
        (lambda h: acf_score(h, h, kind="cubed"), "`kind` to be one of"),
        (lambda h: value_at_risk_and_shortfall([], 0.05), "non-empty sample"),
        (lambda h: real_floor(h[:3]), "n_days >= 5"),
    ],
)
def test_bad_input_is_one_clear_error(call, message):
    history = prices(np.stack([garch_returns(60, 0), garch_returns(60, 1)], axis=1))
    with pytest.raises(ValueError) as error:
        call(history)
    assert message in str(error.value)
