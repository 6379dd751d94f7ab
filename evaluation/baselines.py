"""The classic generators a quant would use instead of a GAN, to score beside it.

Each makes price paths shaped like a generative model's output, (n_paths, path_len,
n_features), from a real price history (n_days, n_features), seeded, starting from a given
price (default: the last real prices):

* `fit_garch(..., kind="garch")`: GARCH(1,1) with Student-t innovations (Bollerslev 1986, 1987);
* `fit_garch(..., kind="gjr")`: GJR-GARCH(1,1,1) with Student-t innovations (Glosten,
  Jagannathan & Runkle 1993), whose variance reacts more to losses (the leverage effect);
* `bootstrap_paths`: the stationary bootstrap of the real daily log-return vectors (Politis &
  Romano 1994);
* `gaussian_paths`: an i.i.d. Gaussian random walk in log price with the real mean and
  covariance of daily log returns.

The GARCH models are fitted with the `arch` package, one ticker at a time, on percent log
returns (100 * log return: `arch`'s optimiser is tuned for that scale), with a constant mean.
How several tickers move together is `dependence` (see `fit_garch`).
"""

import dataclasses
import logging

import numpy as np
import scipy.stats

from evaluation import _checks
from timegan.representation import check_start_price

logger = logging.getLogger(__name__)

GARCH_KINDS = ("garch", "gjr")
DEPENDENCE = ("copula", "resample", "independent")
PERCENT = 100.0


def _check_history(prices, name="prices"):
    """Returns the history as float64 (n_days, n_features) of positive prices, n_days >= 3."""
    try:
        values = np.asarray(prices, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"Expected `{name}` to be a numeric array (n_days, n_features). Received: {type(prices).__name__}"
        ) from None
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] < 3 or values.shape[1] < 1:
        raise ValueError(
            f"Expected `{name}` to be one history (n_days >= 3, n_features). Received: {name}.shape={values.shape}"
        )
    if not np.all(np.isfinite(values)) or values.min() <= 0:
        raise ValueError(
            f"Expected `{name}` to hold finite positive prices. Received: min({name})={float(np.nanmin(values))!r}"
        )
    return values


def _check_start_price(start_price, history):
    """Returns the start price per feature (`timegan.representation.check_start_price`): the last real prices if None."""
    start = check_start_price(start_price, history.shape[1])
    return history[-1].copy() if start is None else start


def _check_request(n_paths, path_len, seed):
    return (
        _checks.check_int(n_paths, "n_paths"),
        _checks.check_int(path_len, "path_len", minimum=2),
        _checks.check_seed(seed),
    )


def prices_from_returns(returns, start_price):
    """Cumulates daily log returns (n_paths, n_steps, n_features) into prices from `start_price`.

    Returns:
        float64 array (n_paths, n_steps + 1, n_features) whose first step is `start_price`.
    """
    log_paths = np.cumsum(returns, axis=1)
    log_paths = np.concatenate([np.zeros((returns.shape[0], 1, returns.shape[2])), log_paths], axis=1)
    return start_price[None, None, :] * np.exp(log_paths)


def _log_returns(history):
    return np.diff(np.log(history), axis=0)


# ---------------------------------------------------------------------------- GARCH


@dataclasses.dataclass(frozen=True)
class GarchFit:
    """A GARCH-type model fitted per ticker, ready to simulate.

    The variance recursion, on percent log returns r_t = mu + eps_t, eps_t = sigma_t z_t:
    sigma_t^2 = omega + (alpha + gamma 1[eps_{t-1} < 0]) eps_{t-1}^2 + beta sigma_{t-1}^2
    (gamma = 0 for GARCH(1,1)); z_t has mean 0 and variance 1 (a standardised Student-t with
    `nu` degrees of freedom per ticker, unless `dependence="resample"`).

    Attributes:
        kind: "garch" or "gjr".
        dependence: "copula", "resample" or "independent" (see `fit_garch`).
        params: one dict per feature: mu, omega, alpha, gamma, beta, nu (percent units), and
            sample_variance (of the percent log returns, the start if not stationary).
        correlation: (n_features, n_features) correlation of the normal scores of the
            standardised residuals (the Gaussian copula), identity unless "copula".
        std_resid: (n_days - 1, n_features) standardised residuals (used by "resample").
        last_prices: (n_features,) the last real prices, the default start.
        converged: one bool per feature, the optimiser's convergence.
    """

    kind: str
    dependence: str
    params: tuple
    correlation: np.ndarray
    std_resid: np.ndarray
    last_prices: np.ndarray
    converged: tuple

    def _param(self, name):
        return np.array([p[name] for p in self.params])

    def persistence(self):
        """alpha + gamma / 2 + beta per feature (< 1: the variance is stationary)."""
        return self._param("alpha") + self._param("gamma") / 2 + self._param("beta")

    def sample(self, n_paths, path_len, *, seed=0, start_price=None, burn=500):
        """Simulates price paths.

        Each path starts from the stationary variance omega / (1 - persistence) (the sample
        variance if the fit is not stationary) and runs `burn` days before the kept days, so
        paths are draws from the model's stationary law, not continuations of the history.

        Args:
            n_paths: number of paths (>= 1).
            path_len: prices per path (>= 2), so path_len - 1 returns.
            seed: non-negative int. Default 0.
            start_price: positive number or one per feature; default the last real prices.
            burn: discarded days before each path. Default 500.

        Returns:
            float64 array (n_paths, path_len, n_features) of prices.

        Raises:
            ValueError: on an invalid count, length, seed or start price.
        """
        n_paths, path_len, seed = _check_request(n_paths, path_len, seed)
        burn = _checks.check_int(burn, "burn", minimum=0)
        start = _check_start_price(start_price, self.last_prices[None])
        rng = np.random.default_rng(seed)
        n_steps = burn + path_len - 1
        shocks = self._innovations(rng, n_paths, n_steps)
        mu, omega, alpha, gamma, beta = (self._param(k) for k in ("mu", "omega", "alpha", "gamma", "beta"))
        persistence = self.persistence()
        sample_variance = self._param("sample_variance")
        variance = np.where(persistence < 1, omega / np.maximum(1 - persistence, 1e-12), sample_variance)
        variance = np.broadcast_to(variance, (n_paths, len(self.params))).copy()
        returns = np.empty((n_paths, n_steps, len(self.params)))
        for t in range(n_steps):
            eps = np.sqrt(variance) * shocks[:, t]
            returns[:, t] = mu + eps
            variance = omega + (alpha + gamma * (eps < 0)) * eps**2 + beta * variance
        return prices_from_returns(returns[:, burn:] / PERCENT, start)

    def _innovations(self, rng, n_paths, n_steps):
        n_features = len(self.params)
        nu = np.array([p["nu"] for p in self.params])
        scale = np.sqrt((nu - 2) / nu)  # a t(nu) variable has variance nu / (nu - 2)
        if self.dependence == "resample":
            rows = rng.integers(0, len(self.std_resid), size=(n_paths, n_steps))
            return self.std_resid[rows]
        if self.dependence == "independent":
            return (
                np.stack([rng.standard_t(nu[j], size=(n_paths, n_steps)) for j in range(n_features)], axis=-1) * scale
            )
        normal = rng.standard_normal((n_paths, n_steps, n_features)) @ np.linalg.cholesky(self.correlation).T
        return np.stack([normal_to_t(normal[..., j], nu[j]) for j in range(n_features)], axis=-1) * scale


_GRID = np.linspace(-9.0, 9.0, 36001)


def normal_to_t(x, nu):
    """F_t^-1(Phi(x)): maps standard normal draws to Student-t(nu) draws, rank for rank.

    `scipy.stats.t.ppf` is slow on millions of values, so the monotone map is tabulated once
    per call on 36,001 points of [-9, 9] (normal draws beyond |9| have probability 2e-19) and
    interpolated linearly; the error is below 1e-6 on [-5, 5] (tested).

    Args:
        x: array of standard normal values.
        nu: degrees of freedom (> 0).

    Returns:
        array of the shape of `x`.
    """
    table = scipy.stats.t.ppf(scipy.stats.norm.cdf(_GRID), nu)
    return np.interp(x, _GRID, table)


def fit_garch(prices, *, kind="garch", dependence="copula"):
    """Fits a GARCH(1,1)-t or GJR-GARCH(1,1,1)-t per ticker with `arch`.

    Each feature's percent log returns get `arch_model(y, mean="Constant", vol="GARCH",
    p=1, o=0 or 1, q=1, dist="t")`. Several tickers:

    * "copula" (default): Student-t innovations with each ticker's fitted nu, tied across
      tickers by a Gaussian copula whose correlation is that of the normal scores
      Phi^-1(F_t(z)) of the standardised residuals z. Keeps the t marginals of the fitted
      model and the same-day cross-correlation.
    * "resample": innovations are whole days of the real standardised residuals drawn with
      replacement (filtered historical simulation; Barone-Adesi et al. 1999): keeps the
      empirical innovation law and its cross-sectional dependence, but not the t law.
    * "independent": independent Student-t innovations per ticker (no cross-correlation).

    Args:
        prices: positive prices (n_days, n_features), n_days >= 3 (GARCH needs hundreds).
        kind: "garch" (default) or "gjr".
        dependence: "copula" (default), "resample" or "independent".

    Returns:
        `GarchFit`.

    Raises:
        TypeError: if `prices` is not numeric.
        ValueError: on an invalid history (shape, NaN, non-positive price) or option.
    """
    from arch import arch_model

    _checks.check_choice(kind, "kind", GARCH_KINDS)
    _checks.check_choice(dependence, "dependence", DEPENDENCE)
    history = _check_history(prices)
    returns = PERCENT * _log_returns(history)
    params, residuals, converged = [], [], []
    for j in range(history.shape[1]):
        model = arch_model(
            returns[:, j], mean="Constant", vol="GARCH", p=1, o=1 if kind == "gjr" else 0, q=1, dist="t", rescale=False
        )
        result = model.fit(disp="off")
        values = result.params
        converged.append(result.convergence_flag == 0)
        if not converged[-1]:
            logger.warning("The %s fit of feature %d did not converge (flag %s).", kind, j, result.convergence_flag)
        params.append(
            {
                "mu": float(values["mu"]),
                "omega": float(values["omega"]),
                "alpha": float(values["alpha[1]"]),
                "gamma": float(values["gamma[1]"]) if kind == "gjr" else 0.0,
                "beta": float(values["beta[1]"]),
                "nu": float(values["nu"]),
                "sample_variance": float(np.var(returns[:, j])),
            }
        )
        residuals.append(np.asarray(result.std_resid, dtype=np.float64))
    std_resid = np.stack(residuals, axis=1)
    std_resid = std_resid[np.all(np.isfinite(std_resid), axis=1)]
    correlation = np.eye(history.shape[1])
    if dependence == "copula" and history.shape[1] > 1:
        nu = np.array([p["nu"] for p in params])
        uniform = scipy.stats.t.cdf(std_resid / np.sqrt((nu - 2) / nu), nu)
        scores = scipy.stats.norm.ppf(np.clip(uniform, 1e-12, 1 - 1e-12))
        correlation = np.corrcoef(scores, rowvar=False)
    return GarchFit(
        kind=kind,
        dependence=dependence,
        params=tuple(params),
        correlation=correlation,
        std_resid=std_resid,
        last_prices=history[-1].copy(),
        converged=tuple(converged),
    )


def garch_paths(prices, n_paths, path_len, *, kind="garch", dependence="copula", seed=0, start_price=None):
    """`fit_garch(prices, ...).sample(n_paths, path_len, ...)` in one call (see both)."""
    return fit_garch(prices, kind=kind, dependence=dependence).sample(
        n_paths, path_len, seed=seed, start_price=start_price
    )


# ---------------------------------------------------------------------------- bootstrap


def bootstrap_block_size(prices):
    """The expected block length of `bootstrap_paths` when none is given, in days.

    Politis & White's (2004; corrected by Patton, Politis & White 2009) optimal stationary-
    bootstrap block length (`arch.bootstrap.optimal_block_length`) of the squared daily log
    returns, averaged over features and rounded: blocks long enough to carry volatility
    clustering (the returns themselves are nearly uncorrelated and would give 1-3 days).

    Args:
        prices: positive prices (n_days, n_features).

    Returns:
        int >= 1.
    """
    from arch.bootstrap import optimal_block_length

    returns = _log_returns(_check_history(prices))
    lengths = optimal_block_length(returns**2)["stationary"].to_numpy()
    return max(1, round(float(np.mean(lengths))))


def bootstrap_paths(prices, n_paths, path_len, *, block_size=None, seed=0, start_price=None):
    """Stationary block bootstrap of the real daily log-return vectors.

    `arch.bootstrap.StationaryBootstrap` resamples blocks of consecutive days of the whole
    return vector (all tickers of a day together, so cross-correlation is kept) with
    geometrically distributed lengths of mean `block_size`, wrapping around the end of the
    history. A path longer than the history joins independent resamples.

    Args:
        prices: positive prices (n_days, n_features), n_days >= 3.
        n_paths: number of paths (>= 1).
        path_len: prices per path (>= 2).
        block_size: expected block length in days; default `bootstrap_block_size(prices)`.
        seed: non-negative int. Default 0.
        start_price: positive number or one per feature; default the last real prices.

    Returns:
        float64 array (n_paths, path_len, n_features) of prices whose daily log returns are
        all real days.

    Raises:
        ValueError: on an invalid history, count, length, block size, seed or start price.
    """
    from arch.bootstrap import StationaryBootstrap

    history = _check_history(prices)
    n_paths, path_len, seed = _check_request(n_paths, path_len, seed)
    block_size = bootstrap_block_size(history) if block_size is None else _checks.check_int(block_size, "block_size")
    start = _check_start_price(start_price, history)
    returns = _log_returns(history)
    per_path = -(-(path_len - 1) // len(returns))  # resamples joined per path
    bootstrap = StationaryBootstrap(block_size, returns, seed=np.random.default_rng(seed))
    draws = [data[0] for data, _ in bootstrap.bootstrap(n_paths * per_path)]
    paths = np.stack([np.concatenate(draws[i * per_path : (i + 1) * per_path])[: path_len - 1] for i in range(n_paths)])
    return prices_from_returns(paths, start)


# ---------------------------------------------------------------------------- random walk


def gaussian_paths(prices, n_paths, path_len, *, seed=0, start_price=None):
    """An i.i.d. Gaussian random walk in log price (geometric Brownian motion, daily steps).

    Daily log returns are drawn from N(m, C) with m and C the sample mean and covariance of
    the real daily log returns: right volatility and cross-correlation, no heavy tails, no
    volatility clustering, no leverage.

    Args:
        prices: positive prices (n_days, n_features), n_days >= 3.
        n_paths: number of paths (>= 1).
        path_len: prices per path (>= 2).
        seed: non-negative int. Default 0.
        start_price: positive number or one per feature; default the last real prices.

    Returns:
        float64 array (n_paths, path_len, n_features) of prices.
    """
    history = _check_history(prices)
    n_paths, path_len, seed = _check_request(n_paths, path_len, seed)
    start = _check_start_price(start_price, history)
    returns = _log_returns(history)
    mean = returns.mean(axis=0)
    covariance = np.atleast_2d(np.cov(returns, rowvar=False))
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(mean, covariance, size=(n_paths, path_len - 1), method="cholesky")
    return prices_from_returns(draws, start)
