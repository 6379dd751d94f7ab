"""Finance scores of synthetic price paths against a real history, as in Quant GANs.

The scores follow Wiese, Knobloch, Korn & Kretschmer (2020), "Quant GANs: deep generation of
financial time series", Quantitative Finance 20(9), section 6 (evaluation metrics): EMD at
1/5/20/100 days, ACF scores of r, |r| and r^2 over S = 250 lags, the leverage effect score. What
is added (VaR/ES, correlation matrices, the real data's own floor) and where a definition departs
is said at each function. The section's text could not be read while this was written: the
definitions are the paper's as published and replicated, and the paper's ACF scores (about 0.02)
are an order of magnitude below what a Euclidean norm over 250 lags of a 2,400-day sample ACF
can be (its sampling noise alone is about sqrt(250 / 2400) = 0.32), so its normalisation differs
from the one here; see docs/finance.md.

Conventions, for every score:

* The real data is one long history of prices (n_days, n_features); the synthetic data is a set
  of paths (n_paths, path_len, n_features). Both become daily log returns
  r_t = log S_{t+1} - log S_t within each path; nothing is compared across path boundaries.
* A score is computed per feature and averaged over features (the per-feature values are kept
  in `FinanceScores.per_feature`).
* A score that the shapes do not allow (a horizon longer than the paths, a correlation matrix of
  one feature, a constant series) is NaN, and `FinanceScores.nan_reasons` says why.
* The floor: the same score between the two halves of the real history (the first half as the
  reference, the second as one "synthetic" path): sampling noise plus the change of market
  between the halves. For the ACF and leverage scores it is about twice what a perfect model
  scores (two noisy half-length curves against one full curve and a mean over many paths).
"""

import dataclasses
import logging
import math
import numbers
import warnings

import numpy as np
import scipy.stats

from evaluation import _checks
from evaluation.stylized_facts import hill_tail_index

logger = logging.getLogger(__name__)

HORIZONS = (1, 5, 20, 100)
MAX_LAG = 250
ALPHAS = (0.01, 0.05)
RISK_HORIZONS = (1, 20)
ACF_KINDS = ("returns", "abs", "squared")


# ---------------------------------------------------------------------------- inputs


def log_returns(prices, name="prices"):
    """Daily log returns within each path of a price array.

    Args:
        prices: positive prices, either one history (n_days, n_features) or paths
            (n_paths, path_len, n_features); at least 2 prices per path.
        name: argument name used in error messages.

    Returns:
        float64 ndarray (n_paths, path_len - 1, n_features); a history gives n_paths = 1.

    Raises:
        TypeError: if `prices` is not numeric.
        ValueError: on a wrong shape, a non-finite or a non-positive price.
    """
    values = _checks.check_windows(_as_paths(prices), name, min_seq_len=2)
    low = float(values.min())
    if low <= 0:
        raise ValueError(f"Expected `{name}` to hold positive prices (log returns). Received: min({name})={low!r}")
    return np.diff(np.log(values), axis=1)


def _as_paths(array):
    """Adds a leading path axis to a 2-D (n_days, n_features) array; anything else is left as is."""
    try:
        two_d = np.ndim(array) == 2
    except ValueError:  # ragged nested lists: check_windows names the problem
        return array
    return np.asarray(array)[None] if two_d else array


def _check_returns(returns, name):
    """Returns float64 (n_paths, n_steps, n_features) from a 2-D or 3-D log-return array."""
    return _checks.check_windows(_as_paths(returns), name, min_seq_len=1)


def _check_horizons(horizons, name):
    if isinstance(horizons, numbers.Integral):
        horizons = (horizons,)
    try:
        values = tuple(horizons)
    except TypeError:
        raise ValueError(f"Expected `{name}` to be positive integers. Received: {name}={horizons!r}") from None
    if not values:
        raise ValueError(f"Expected `{name}` to hold at least one horizon. Received: {name}={horizons!r}")
    return tuple(_checks.check_int(h, name) for h in values)


def _check_alphas(alphas):
    if isinstance(alphas, numbers.Real):
        alphas = (alphas,)
    values = tuple(alphas)
    if not values:
        raise ValueError(f"Expected `alphas` to hold at least one level. Received: alphas={alphas!r}")
    return tuple(_checks.check_fraction(a, "alphas", high=0.5) for a in values)


# ---------------------------------------------------------------------------- distributions


def aggregate_returns(returns, horizon, overlapping=True):
    """`horizon`-day log returns of each path, pooled over paths, per feature.

    The h-day log return from day t is r_t + ... + r_{t+h-1} = log S_{t+h} - log S_t.
    Quant GANs (section 6) compare the distributions of these "t-lagged" log returns of the
    one historical path and the generated paths; with a history of a few thousand days only
    rolling (overlapping) windows leave enough 100-day returns, which is the default here.

    Args:
        returns: daily log returns (n_steps, n_features) or (n_paths, n_steps, n_features).
        horizon: days aggregated, >= 1.
        overlapping: rolling windows starting every day (default) or disjoint blocks.

    Returns:
        list of n_features 1-D float arrays (empty where a path is shorter than `horizon`).

    Raises:
        ValueError: on an invalid array or horizon.
    """
    returns = _check_returns(returns, "returns")
    horizon = _checks.check_int(horizon, "horizon")
    n_paths, n_steps, n_features = returns.shape
    if n_steps < horizon:
        return [np.empty(0) for _ in range(n_features)]
    if overlapping:
        cumulative = np.concatenate([np.zeros((n_paths, 1, n_features)), np.cumsum(returns, axis=1)], axis=1)
        aggregated = cumulative[:, horizon:] - cumulative[:, :-horizon]
    else:
        blocks = n_steps // horizon
        aggregated = returns[:, : blocks * horizon].reshape(n_paths, blocks, horizon, n_features).sum(axis=2)
    return [aggregated[..., j].ravel() for j in range(n_features)]


def variance_ratio(returns, horizon):
    """Variance ratio VR(h) = Var(h-day log return) / (h Var(daily log return)), per feature.

    Lo & MacKinlay (1988), "Stock market prices do not follow random walks", Review of Financial
    Studies 1(1), eq. 5, with overlapping h-day returns (`aggregate_returns`). VR(h) = 1 +
    2 sum_{k=1}^{h-1} (1 - k/h) rho_k: 1 for returns without autocorrelation, below 1 for mean
    reversion, above 1 for momentum. It sets the width of the h-day return distribution, hence
    EMD(h) and the h-day VaR, once the daily marginal is right. Variances are pooled over paths
    around the pooled mean.

    Args:
        returns: daily log returns (n_steps, n_features) or (n_paths, n_steps, n_features).
        horizon: days aggregated, >= 1.

    Returns:
        float64 array (n_features,); NaN where the paths are shorter than `horizon` or a feature
        is constant.

    Raises:
        ValueError: on an invalid array or horizon.
    """
    returns = _check_returns(returns, "returns")
    horizon = _checks.check_int(horizon, "horizon")
    daily = returns.reshape(-1, returns.shape[2]).var(axis=0)
    aggregated = aggregate_returns(returns, horizon)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.array([a.var() / (horizon * d) if a.size and d > 0 else np.nan for a, d in zip(aggregated, daily)])


def volatility_dispersion(returns, window):
    """Standard deviation of the log volatility of disjoint `window`-day blocks, per feature.

    Each path is cut into disjoint blocks of `window` days (the rest dropped); the volatility of
    a block is the standard deviation of its daily log returns; the dispersion is the standard
    deviation over all blocks of the log of that volatility. How slowly it falls as `window`
    grows measures how long volatility regimes last: for i.i.d. returns it falls like the
    sampling error of a block's volatility, about 1 / sqrt(2 (window - 1)) (Gaussian); real
    daily prices keep most of it at a year (docs/finance.md, "What the 48-day default still
    misses"). A statistic of this project, not of the Quant GANs paper.

    Args:
        returns: daily log returns (n_steps, n_features) or (n_paths, n_steps, n_features).
        window: days per block, >= 2.

    Returns:
        float64 array (n_features,); NaN where fewer than 2 blocks fit or a block is constant.

    Raises:
        ValueError: on an invalid array or window.
    """
    returns = _check_returns(returns, "returns")
    window = _checks.check_int(window, "window", minimum=2)
    n_paths, n_steps, n_features = returns.shape
    blocks = n_steps // window
    if n_paths * blocks < 2:
        return np.full(n_features, np.nan)
    volatility = returns[:, : blocks * window].reshape(n_paths, blocks, window, n_features).std(axis=2, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_volatility = np.log(volatility.reshape(-1, n_features))
    dispersion = log_volatility.std(axis=0, ddof=1)
    dispersion[~np.isfinite(log_volatility).all(axis=0)] = np.nan
    return dispersion


def emd(real_returns, synthetic_returns, horizon=1, overlapping=True):
    """Wasserstein-1 (earth mover's) distance between real and synthetic h-day log returns.

    EMD(h) of Quant GANs (section 6), computed with `scipy.stats.wasserstein_distance` on the
    empirical distributions of the h-day log returns (`aggregate_returns`: rolling windows
    within each path, pooled over paths), in log-return units (not standardised), per feature
    and averaged over features.

    Args:
        real_returns: daily log returns (n_days, n_features) or (n, n_steps, n_features).
        synthetic_returns: daily log returns (n_paths, n_steps, n_features).
        horizon: days aggregated, >= 1. Default 1.
        overlapping: rolling (default) or disjoint h-day windows.

    Returns:
        float; NaN if either side has paths shorter than `horizon` (see `finance_scores` for
        the reason recorded).

    Raises:
        ValueError: on invalid arrays, different feature counts or an invalid horizon.
    """
    real, synthetic = _pair(real_returns, synthetic_returns)
    values = _emd_per_feature(real, synthetic, horizon, overlapping)
    return float(np.mean(values))


def _emd_per_feature(real, synthetic, horizon, overlapping):
    real_h = aggregate_returns(real, horizon, overlapping)
    synthetic_h = aggregate_returns(synthetic, horizon, overlapping)
    return np.array(
        [scipy.stats.wasserstein_distance(a, b) if len(a) and len(b) else np.nan for a, b in zip(real_h, synthetic_h)]
    )


def value_at_risk_and_shortfall(returns, alpha):
    """Historical value at risk and expected shortfall of a sample of returns.

    With the returns sorted in increasing order x_(1) <= ... <= x_(n) and k = ceil(alpha * n):
    VaR_alpha = -x_(k) and ES_alpha = -(x_(1) + ... + x_(k)) / k, both positive for losses
    (the historical-simulation estimators; Acerbi & Tasche 2002 for ES).

    Args:
        returns: 1-D array-like of returns (log returns here).
        alpha: tail probability in (0, 0.5), e.g. 0.01.

    Returns:
        `(var, es)` floats.

    Raises:
        ValueError: on an empty or non-finite sample, or an invalid `alpha`.
    """
    alpha = _checks.check_fraction(alpha, "alpha", high=0.5)
    x = np.asarray(returns, dtype=np.float64).ravel()
    if x.size == 0 or not np.all(np.isfinite(x)):
        bad = x.size - int(np.count_nonzero(np.isfinite(x)))
        raise ValueError(f"Expected a non-empty sample of finite returns. Received: {x.size} values, {bad} not finite")
    return _var_es_sorted(np.sort(x), alpha)


def _var_es_sorted(x, alpha):
    k = max(1, math.ceil(alpha * x.size - 1e-9))  # 1e-9: 0.07 * 100 is 7.000000000000001
    return float(-x[k - 1]), float(-x[:k].mean())


def excess_kurtosis(returns):
    """Excess (Fisher) kurtosis of log returns standardised per feature and pooled.

    The same estimator as `evaluation.stylized_facts` (population moments of the pooled,
    per-feature standardised returns; 0 for a Gaussian).

    Args:
        returns: log returns (n_steps, n_features) or (n_paths, n_steps, n_features).

    Returns:
        float; NaN if fewer than 4 returns or a constant feature.
    """
    z = _standardised_pool(_check_returns(returns, "returns"))
    return float(scipy.stats.kurtosis(z, fisher=True, bias=True)) if z.size >= 4 else float("nan")


def _standardised_pool(returns):
    mean = returns.mean(axis=(0, 1), keepdims=True)
    std = returns.std(axis=(0, 1), keepdims=True)
    if np.any(std == 0):
        return np.empty(0)
    return ((returns - mean) / std).ravel()


# ---------------------------------------------------------------------------- dependence


def _fft_size(n):
    return 1 << max(1, (2 * n - 1).bit_length())


def lagged_correlations(x, y, max_lag):
    """corr(x_t, y_{t+k}) for k = 1..max_lag within each path (the sample ACF estimator).

    sum_{t=1}^{n-k} (x_t - mean x)(y_{t+k} - mean y) / (n std(x) std(y)), means and standard
    deviations taken over the whole path: the usual biased sample autocorrelation (as in
    statsmodels' `acf`), defined at every lag < n. Computed with FFTs.

    Args:
        x: array (n_paths, n_steps) of one feature.
        y: array (n_paths, n_steps), the same shape (x itself for an autocorrelation).
        max_lag: largest lag, 1 <= max_lag <= n_steps - 1.

    Returns:
        ndarray (n_paths, max_lag); rows of constant paths are NaN.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = x.shape[1]
    xc = x - x.mean(axis=1, keepdims=True)
    yc = y - y.mean(axis=1, keepdims=True)
    size = _fft_size(n)
    cross = np.fft.irfft(np.conj(np.fft.rfft(xc, size, axis=1)) * np.fft.rfft(yc, size, axis=1), size, axis=1)
    scale = np.sqrt(np.sum(xc**2, axis=1) * np.sum(yc**2, axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scale[:, None] > 0, cross[:, 1 : max_lag + 1] / scale[:, None], np.nan)


def _transform(returns, kind):
    return {"returns": returns, "abs": np.abs(returns), "squared": returns**2}[kind]


def _curves(returns, kind, max_lag):
    """Mean over paths of the per-path curves, one column per feature: (max_lag, n_features)."""
    out = np.empty((max_lag, returns.shape[2]))
    for j in range(returns.shape[2]):
        r = returns[..., j]
        if kind == "leverage":
            per_path = lagged_correlations(r, r**2, max_lag)
        else:
            f = _transform(r, kind)
            per_path = lagged_correlations(f, f, max_lag)
        out[:, j] = _nanmean(per_path)
    return out


def _nanmean(values):
    """Mean over axis 0 ignoring NaN; an all-NaN column gives NaN without numpy's warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=0)


def usable_max_lag(real_returns, synthetic_returns, max_lag=MAX_LAG):
    """The largest lag both sides allow: min(max_lag, n_steps - 1 of each); 0 if none."""
    real = _check_returns(real_returns, "real_returns")
    synthetic = _check_returns(synthetic_returns, "synthetic_returns")
    max_lag = _checks.check_int(max_lag, "max_lag")
    return max(0, min(max_lag, real.shape[1] - 1, synthetic.shape[1] - 1))


def acf_score(real_returns, synthetic_returns, kind="returns", max_lag=MAX_LAG):
    """Quant GANs' ACF score: || C(f(r_real)) - mean_m C(f(r_m)) ||_2 over lags 1..L.

    C(f(r)) is the vector of autocorrelations corr(f(r_t), f(r_{t+k})), k = 1..L, of
    f(r) = r ("returns"), |r| ("abs") or r^2 ("squared"); the real curve comes from the one
    history, the synthetic curve is the mean of the per-path curves over the M generated
    paths, and the score is the Euclidean norm of the difference (Quant GANs, section 6,
    with S = L = 250). L = min(max_lag, n_steps - 1) of both sides (`usable_max_lag`); as a
    Euclidean norm over L lags, the score grows like sqrt(L): compare scores at the same L.

    Args:
        real_returns: daily log returns (n_days, n_features) or (n, n_steps, n_features).
        synthetic_returns: daily log returns (n_paths, n_steps, n_features).
        kind: "returns", "abs" or "squared". Default "returns".
        max_lag: the largest lag asked for, default 250.

    Returns:
        float, mean over features; NaN if the paths hold fewer than 2 returns or a feature is
        constant in every path.

    Raises:
        ValueError: on invalid arrays or parameters.
    """
    _checks.check_choice(kind, "kind", ACF_KINDS)
    return _dependence_score(real_returns, synthetic_returns, kind, max_lag)


def leverage_score(real_returns, synthetic_returns, max_lag=MAX_LAG):
    """Quant GANs' leverage effect score: the ACF score of the curve corr(r_t, r_{t+k}^2).

    Same estimator, averaging and norm as `acf_score` (Quant GANs, section 6): the real curve
    against the mean of the per-path synthetic curves, Euclidean norm over lags 1..L.

    Args:
        real_returns: daily log returns (n_days, n_features) or (n, n_steps, n_features).
        synthetic_returns: daily log returns (n_paths, n_steps, n_features).
        max_lag: the largest lag asked for, default 250.

    Returns:
        float, mean over features; NaN as for `acf_score`.
    """
    return _dependence_score(real_returns, synthetic_returns, "leverage", max_lag)


def _dependence_score(real_returns, synthetic_returns, kind, max_lag):
    real, synthetic = _pair(real_returns, synthetic_returns)
    lag = usable_max_lag(real, synthetic, max_lag)
    if lag < 1:
        return float("nan")
    return float(np.mean(_dependence_per_feature(real, synthetic, kind, lag)))


def _dependence_per_feature(real, synthetic, kind, lag):
    difference = _curves(real, kind, lag) - _curves(synthetic, kind, lag)
    return np.sqrt(np.sum(difference**2, axis=0))


def correlation_distance(real_returns, synthetic_returns, transform="returns"):
    """Frobenius distance between real and synthetic correlation matrices across features.

    The real matrix is the Pearson correlation of the daily log returns (or of |r|) of the
    history; the synthetic one is the mean of the per-path matrices over paths (as the ACF
    scores average per-path curves). Not part of Quant GANs (univariate); added for baskets of
    several tickers.

    Args:
        real_returns: daily log returns (n_days, n_features) or (n, n_steps, n_features).
        synthetic_returns: daily log returns (n_paths, n_steps, n_features).
        transform: "returns" (r) or "abs" (|r|). Default "returns".

    Returns:
        float ||R_real - R_synthetic||_F; NaN for one feature, or paths of fewer than 2 returns.
    """
    _checks.check_choice(transform, "transform", ("returns", "abs"))
    real, synthetic = _pair(real_returns, synthetic_returns)
    if real.shape[2] < 2 or real.shape[1] < 2 or synthetic.shape[1] < 2:
        return float("nan")
    return float(np.linalg.norm(_mean_correlation(real, transform) - _mean_correlation(synthetic, transform)))


def _mean_correlation(returns, transform):
    x = _transform(returns, transform)
    x = x - x.mean(axis=1, keepdims=True)
    std = np.sqrt(np.mean(x**2, axis=1))  # (n_paths, n_features)
    covariance = np.einsum("pti,ptj->pij", x, x) / x.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_path = covariance / (std[:, :, None] * std[:, None, :])
    return _nanmean(per_path)


def _pair(real_returns, synthetic_returns):
    real = _check_returns(real_returns, "real_returns")
    synthetic = _check_returns(synthetic_returns, "synthetic_returns")
    if real.shape[2] != synthetic.shape[2]:
        raise ValueError(
            f"Expected `synthetic_returns` to have the features of `real_returns` ({real.shape[2]}). "
            f"Received: synthetic_returns.shape={synthetic.shape}"
        )
    return real, synthetic


# ---------------------------------------------------------------------------- all scores


@dataclasses.dataclass(frozen=True)
class FinanceScores:
    """Every finance score of one set of paths against a reference history.

    Distances (smaller is better): `emd`, `acf_returns`, `acf_abs`, `acf_squared`,
    `leverage`, `risk` (relative errors), `correlation_returns`, `correlation_abs`.
    Values (compare with their `_real` twins): `excess_kurtosis`, `hill_tail_index`,
    `acf_returns_lag1`.

    Attributes:
        emd: {horizon: EMD(horizon)} in log-return units.
        acf_returns: ACF score of r.
        acf_abs: ACF score of |r|.
        acf_squared: ACF score of r^2.
        leverage: leverage effect score.
        max_lag: L, the number of lags of the ACF and leverage scores.
        excess_kurtosis: of the synthetic daily log returns (pooled, standardised per feature).
        excess_kurtosis_real: the same of the reference history.
        hill_tail_index: Hill index of the synthetic |r| (largest `tail_fraction`).
        hill_tail_index_real: the same of the reference history.
        acf_returns_lag1: lag-1 autocorrelation of synthetic r (mean over paths and features).
        acf_returns_lag1_real: the same of the reference history.
        risk: {"var_1pct_1d": ..., "es_5pct_20d": ...}: |synthetic - real| / |real| of the
            historical VaR and ES at each level and horizon (h-day rolling log returns).
        risk_values: {name: (real, synthetic)} of the same VaR and ES, as positive losses.
        correlation_returns: Frobenius distance of the correlation matrices of r.
        correlation_abs: the same for |r|.
        per_feature: {score name: [value per feature]} for the scores averaged over features.
        nan_reasons: {score name: why it is NaN}.
        shapes: {"reference": (n, n_steps, n_features), "synthetic": (...)} of the log returns.
    """

    emd: dict
    acf_returns: float
    acf_abs: float
    acf_squared: float
    leverage: float
    max_lag: int
    excess_kurtosis: float
    excess_kurtosis_real: float
    hill_tail_index: float
    hill_tail_index_real: float
    acf_returns_lag1: float
    acf_returns_lag1_real: float
    risk: dict
    risk_values: dict
    correlation_returns: float
    correlation_abs: float
    per_feature: dict
    nan_reasons: dict
    shapes: dict

    def summary(self):
        """The scalar scores as a flat dict of floats (NaN kept), in table order."""
        out = {f"emd_{h}": v for h, v in self.emd.items()}
        out.update(
            acf_returns=self.acf_returns,
            acf_abs=self.acf_abs,
            acf_squared=self.acf_squared,
            leverage=self.leverage,
            excess_kurtosis=self.excess_kurtosis,
            excess_kurtosis_real=self.excess_kurtosis_real,
            hill_tail_index=self.hill_tail_index,
            hill_tail_index_real=self.hill_tail_index_real,
            acf_returns_lag1=self.acf_returns_lag1,
            acf_returns_lag1_real=self.acf_returns_lag1_real,
        )
        out.update(self.risk)
        out.update(correlation_returns=self.correlation_returns, correlation_abs=self.correlation_abs)
        return out

    def to_dict(self):
        """JSON-ready dict (NaN as None, with `nan_reasons` saying why)."""
        return {
            "scores": {k: _json_float(v) for k, v in self.summary().items()},
            "max_lag": self.max_lag,
            "risk_values": {k: [_json_float(v) for v in pair] for k, pair in self.risk_values.items()},
            "per_feature": {k: [_json_float(v) for v in values] for k, values in self.per_feature.items()},
            "nan_reasons": dict(self.nan_reasons),
            "shapes": {k: list(v) for k, v in self.shapes.items()},
        }


@dataclasses.dataclass(frozen=True)
class FinanceEvaluation:
    """Finance scores of synthetic paths and the real data's own floor.

    Attributes:
        scores: `FinanceScores` of the synthetic paths against the whole real history.
        floor: `FinanceScores` of the second half of the real history against the first.
        settings: the parameters used (horizons, max_lag, alphas, ...).
    """

    scores: FinanceScores
    floor: FinanceScores
    settings: dict

    def to_dict(self):
        """JSON-ready dict for metrics.json: {"synthetic": ..., "real_floor": ..., "settings": ...}."""
        return {"synthetic": self.scores.to_dict(), "real_floor": self.floor.to_dict(), "settings": dict(self.settings)}


def _json_float(value):
    value = float(value)
    return value if math.isfinite(value) else None


def _check_settings(horizons, max_lag, alphas, risk_horizons, tail_fraction):
    return {
        "horizons": _check_horizons(horizons, "horizons"),
        "max_lag": _checks.check_int(max_lag, "max_lag"),
        "alphas": _check_alphas(alphas),
        "risk_horizons": _check_horizons(risk_horizons, "risk_horizons"),
        "tail_fraction": _checks.check_fraction(tail_fraction, "tail_fraction", high=0.5),
    }


def finance_scores(
    real_prices,
    synthetic_prices,
    *,
    horizons=HORIZONS,
    max_lag=MAX_LAG,
    alphas=ALPHAS,
    risk_horizons=RISK_HORIZONS,
    overlapping=True,
    tail_fraction=0.05,
):
    """Computes every finance score of synthetic price paths against a real price history.

    Args:
        real_prices: positive prices, one history (n_days, n_features) (or paths
            (n, length, n_features)).
        synthetic_prices: positive prices (n_paths, path_len, n_features), path_len >= 2; only
            their log returns matter (a path may start at any level).
        horizons: EMD horizons in days. Default (1, 5, 20, 100), as Quant GANs.
        max_lag: the ACF/leverage lags asked for, default 250 (Quant GANs' S); the score uses
            L = min(max_lag, shortest path's returns - 1), recorded in `max_lag` of the result.
        alphas: VaR/ES tail levels. Default (0.01, 0.05).
        risk_horizons: VaR/ES horizons in days. Default (1, 20).
        overlapping: rolling (default) or disjoint windows for multi-day returns.
        tail_fraction: tail share of the Hill estimator. Default 0.05.

    Returns:
        `FinanceScores`.

    Raises:
        TypeError: if an array is not numeric.
        ValueError: on invalid arrays (shape, NaN, non-positive prices), different feature
            counts, or invalid parameters.
    """
    settings = _check_settings(horizons, max_lag, alphas, risk_horizons, tail_fraction)
    real = log_returns(real_prices, "real_prices")
    synthetic = log_returns(synthetic_prices, "synthetic_prices")
    if real.shape[2] != synthetic.shape[2]:
        raise ValueError(
            f"Expected `synthetic_prices` to have the {real.shape[2]} features of `real_prices`. "
            f"Received: synthetic_prices with {synthetic.shape[2]} features"
        )
    return _scores(real, synthetic, settings, overlapping)


def _scores(real, synthetic, settings, overlapping):
    reasons, per_feature = {}, {}
    n_real, n_synthetic = real.shape[1], synthetic.shape[1]

    def too_short(name, needed):
        short = [side for side, n in (("reference", n_real), ("synthetic", n_synthetic)) if n < needed]
        if short:
            lengths = {"reference": n_real, "synthetic": n_synthetic}
            reasons[name] = (
                f"needs paths of at least {needed} returns; the {' and '.join(short)} paths have "
                f"{', '.join(str(lengths[s]) for s in short)}"
            )
        return bool(short)

    emd_values = {}
    for h in settings["horizons"]:
        name = f"emd_{h}"
        if too_short(name, h):
            emd_values[h] = float("nan")
            continue
        values = _emd_per_feature(real, synthetic, h, overlapping)
        per_feature[name] = values.tolist()
        emd_values[h] = float(np.mean(values))

    lag = min(settings["max_lag"], n_real - 1, n_synthetic - 1)
    dependence, lag1 = {}, None
    for kind in (*ACF_KINDS, "leverage"):
        name = "leverage" if kind == "leverage" else f"acf_{kind}"
        if too_short(name, 2):
            dependence[name] = float("nan")
            continue
        real_curves, synthetic_curves = _curves(real, kind, lag), _curves(synthetic, kind, lag)
        values = np.sqrt(np.sum((real_curves - synthetic_curves) ** 2, axis=0))
        per_feature[name] = values.tolist()
        dependence[name] = float(np.mean(values))
        if not np.all(np.isfinite(values)):
            reasons[name] = "a feature is constant in every path (its autocorrelation is undefined)"
        if kind == "returns":
            lag1 = float(np.nanmean(synthetic_curves[0])), float(np.nanmean(real_curves[0]))
    if lag1 is None:
        lag1 = (float("nan"), float("nan"))
        reasons["acf_returns_lag1"] = reasons.get("acf_returns", "paths of fewer than 2 returns")

    risk, risk_values = {}, {}
    for h in settings["risk_horizons"]:
        names = [f"{m}_{_percent(a)}pct_{h}d" for a in settings["alphas"] for m in ("var", "es")]
        short = [too_short(name, h) for name in names]  # every name gets its reason
        if any(short):
            risk.update({name: float("nan") for name in names})
            risk_values.update({name: (float("nan"), float("nan")) for name in names})
            continue
        # Sorted once per horizon and feature: VaR and ES at every level read the same order statistics.
        real_h = [np.sort(x) for x in aggregate_returns(real, h, overlapping)]
        synthetic_h = [np.sort(x) for x in aggregate_returns(synthetic, h, overlapping)]
        for alpha in settings["alphas"]:
            pairs = [(_var_es_sorted(a, alpha), _var_es_sorted(b, alpha)) for a, b in zip(real_h, synthetic_h)]
            for index, measure in enumerate(("var", "es")):
                name = f"{measure}_{_percent(alpha)}pct_{h}d"
                real_values = np.array([p[0][index] for p in pairs])
                synthetic_values = np.array([p[1][index] for p in pairs])
                with np.errstate(divide="ignore", invalid="ignore"):
                    errors = np.where(
                        real_values != 0, np.abs(synthetic_values - real_values) / np.abs(real_values), np.nan
                    )
                per_feature[name] = errors.tolist()
                risk[name] = float(np.mean(errors))
                risk_values[name] = (float(real_values.mean()), float(synthetic_values.mean()))
                if not np.all(np.isfinite(errors)):
                    reasons[name] = "the real value is 0 for a feature (relative error undefined)"

    correlations = {}
    for transform in ("returns", "abs"):
        name = f"correlation_{transform}"
        if real.shape[2] < 2:
            reasons[name] = "needs at least 2 features (tickers)"
            correlations[name] = float("nan")
        elif too_short(name, 2):
            correlations[name] = float("nan")
        else:
            correlations[name] = float(
                np.linalg.norm(_mean_correlation(real, transform) - _mean_correlation(synthetic, transform))
            )

    tail = settings["tail_fraction"]
    pooled_real, pooled_synthetic = _standardised_pool(real), _standardised_pool(synthetic)
    for name, pool in (("excess_kurtosis", pooled_synthetic), ("excess_kurtosis_real", pooled_real)):
        if pool.size < 4:
            reasons[name] = "fewer than 4 returns, or a constant feature"
    return FinanceScores(
        emd=emd_values,
        acf_returns=dependence["acf_returns"],
        acf_abs=dependence["acf_abs"],
        acf_squared=dependence["acf_squared"],
        leverage=dependence["leverage"],
        max_lag=int(max(lag, 0)),
        excess_kurtosis=excess_kurtosis(synthetic),
        excess_kurtosis_real=excess_kurtosis(real),
        hill_tail_index=hill_tail_index(pooled_synthetic, tail) if pooled_synthetic.size else float("nan"),
        hill_tail_index_real=hill_tail_index(pooled_real, tail) if pooled_real.size else float("nan"),
        acf_returns_lag1=lag1[0],
        acf_returns_lag1_real=lag1[1],
        risk=risk,
        risk_values=risk_values,
        correlation_returns=correlations["correlation_returns"],
        correlation_abs=correlations["correlation_abs"],
        per_feature=per_feature,
        nan_reasons=reasons,
        shapes={"reference": tuple(real.shape), "synthetic": tuple(synthetic.shape)},
    )


def _percent(alpha):
    return f"{100 * alpha:g}".replace(".", "_")


def real_floor(real_prices, **kwargs):
    """The scores of the second half of the real history against its first half.

    The history's days 0..m and m..n-1 (m = (n - 1) // 2, so each half has the same number of
    returns up to one) play reference and one synthetic path. This is the score a perfect model
    of a stationary market would get from sampling noise and non-stationarity alone, at about
    half the reference length (so it is a slight overestimate for the full history).

    Args:
        real_prices: positive prices (n_days, n_features), n_days >= 5.
        **kwargs: the keyword arguments of `finance_scores`.

    Returns:
        `FinanceScores`.

    Raises:
        ValueError: as `finance_scores`, or a history of fewer than 5 days.
    """
    values = np.asarray(real_prices, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] < 5:
        raise ValueError(
            f"Expected `real_prices` to be one history (n_days >= 5, n_features). "
            f"Received: real_prices.shape={np.shape(values)}"
        )
    middle = (values.shape[0] - 1) // 2
    return finance_scores(values[: middle + 1], values[middle:][None], **kwargs)


def evaluate_finance(real_prices, synthetic_prices, **kwargs):
    """Finance scores of synthetic paths and the real floor, in one call.

    Args:
        real_prices: positive prices (n_days, n_features), the whole real history.
        synthetic_prices: positive prices (n_paths, path_len, n_features).
        **kwargs: the keyword arguments of `finance_scores` (horizons, max_lag, alphas,
            risk_horizons, overlapping, tail_fraction).

    Returns:
        `FinanceEvaluation`; `.to_dict()` is ready for metrics.json.

    Raises:
        ValueError: as `finance_scores` and `real_floor`.
    """
    scores = finance_scores(real_prices, synthetic_prices, **kwargs)
    floor = real_floor(real_prices, **kwargs)
    settings = _check_settings(
        kwargs.get("horizons", HORIZONS),
        kwargs.get("max_lag", MAX_LAG),
        kwargs.get("alphas", ALPHAS),
        kwargs.get("risk_horizons", RISK_HORIZONS),
        kwargs.get("tail_fraction", 0.05),
    )
    settings = {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}
    settings["overlapping"] = bool(kwargs.get("overlapping", True))
    return FinanceEvaluation(scores=scores, floor=floor, settings=settings)


# ---------------------------------------------------------------------------- start of path


@dataclasses.dataclass(frozen=True)
class StartTransient:
    """The daily log returns of the first steps of each path against those of the rest.

    A recurrent generator starts every path from a zero state; if the paths' first returns
    differ from the later ones (a jump at the start), stitched or long paths show it. A
    generator without such a transient has `ratio_abs` and `ratio_std` near 1 (up to sampling
    noise; real windows cut from a history give the reference).

    Attributes:
        first: the number of first returns compared (steps 1..first of each path).
        mean_abs_first, mean_abs_rest: mean |r| of the first returns / of the later ones.
        std_first, std_rest: standard deviation of r in each group.
        ratio_abs: mean_abs_first / mean_abs_rest.
        ratio_std: std_first / std_rest.
        per_step_mean_abs: mean |r| at each return step 1..min(path_len - 1, 2 * first + 1)
            (averaged over paths and features).
    """

    first: int
    mean_abs_first: float
    mean_abs_rest: float
    std_first: float
    std_rest: float
    ratio_abs: float
    ratio_std: float
    per_step_mean_abs: list

    def to_dict(self):
        """JSON-ready dict (NaN as None)."""
        values = dataclasses.asdict(self)
        values["per_step_mean_abs"] = [_json_float(v) for v in self.per_step_mean_abs]
        return {k: _json_float(v) if isinstance(v, float) else v for k, v in values.items()}


def start_transient(paths, first=3):
    """Compares the first `first` daily log returns of each path with the rest of the path.

    Returns are taken within each path (`log_returns`), so return 1 is step 0 -> step 1. Each
    feature is divided by the standard deviation of its returns over all steps, so features of
    different scales weigh the same; the figures are in units of that standard deviation.

    Args:
        paths: positive prices (n_paths, path_len, n_features), path_len >= first + 2, or one
            history (n_days, n_features).
        first: how many first returns form the first group (>= 1). Default 3.

    Returns:
        A `StartTransient`.

    Raises:
        TypeError: if `paths` is not numeric.
        ValueError: on a bad shape, non-positive prices, or paths too short for `first`.
    """
    first = _checks.check_int(first, "first")
    returns = log_returns(paths, "paths")
    if returns.shape[1] < first + 1:
        raise ValueError(
            f"Expected paths of at least first + 2 = {first + 2} prices. Received: {returns.shape[1] + 1} prices"
        )
    scale = returns.reshape(-1, returns.shape[-1]).std(axis=0)
    scaled = np.divide(returns, scale, out=np.zeros_like(returns), where=scale > 0)
    head, rest = scaled[:, :first], scaled[:, first:]
    mean_abs_first, mean_abs_rest = float(np.abs(head).mean()), float(np.abs(rest).mean())
    std_first, std_rest = float(head.std()), float(rest.std())
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_abs = mean_abs_first / mean_abs_rest if mean_abs_rest > 0 else float("nan")
        ratio_std = std_first / std_rest if std_rest > 0 else float("nan")
    shown = min(scaled.shape[1], 2 * first + 1)
    return StartTransient(
        first=first,
        mean_abs_first=mean_abs_first,
        mean_abs_rest=mean_abs_rest,
        std_first=std_first,
        std_rest=std_rest,
        ratio_abs=ratio_abs,
        ratio_std=ratio_std,
        per_step_mean_abs=[float(v) for v in np.abs(scaled[:, :shown]).mean(axis=(0, 2))],
    )
