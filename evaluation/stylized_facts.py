"""Stylized facts of asset returns (Cont, 2001), measured on real and synthetic prices.

Log returns are taken within each path (a window, or a long path), standardised per feature,
and pooled over paths and features; autocorrelations pool the lag-k pairs of all paths. The
facts: heavy tails (excess kurtosis, Hill tail index), no linear autocorrelation of returns,
volatility clustering (slowly decaying autocorrelation of |r| and r^2), the leverage effect
(correlation of r_t with r_{t+k}^2, negative for equities) and gain/loss asymmetry (skewness,
and the size of the lower return quantile relative to the upper one).
"""

import dataclasses
import logging

import matplotlib.figure
import numpy as np
import pandas as pd

from evaluation import _checks

logger = logging.getLogger(__name__)

ACF_KINDS = {
    "returns": "returns r",
    "abs": "absolute returns |r|",
    "squared": "squared returns r²",
    "leverage": "leverage corr(r_t, r²_{t+k})",
}


@dataclasses.dataclass(frozen=True)
class StylizedFacts:
    """Stylized facts of one set of price paths.

    Attributes:
        n_returns: number of returns pooled.
        excess_kurtosis: Fisher kurtosis of the standardised returns (0 for a Gaussian).
        skewness: skewness of the standardised returns (negative: a longer loss tail).
        hill_tail_index: Hill estimate of the tail index of |r| over the largest
            `tail_fraction` of the absolute returns (smaller: heavier tails; about 3-5 for
            daily stock returns).
        gain_loss_ratio: |q(tail_fraction)| / q(1 - tail_fraction) of the demeaned returns
            (above 1: losses larger than gains).
        lags: int ndarray (max_lag,), the lags 1..max_lag.
        acf_returns: ndarray (max_lag,), autocorrelation of r.
        acf_abs: ndarray (max_lag,), autocorrelation of |r|.
        acf_squared: ndarray (max_lag,), autocorrelation of r^2.
        leverage: ndarray (max_lag,), correlation of r_t with r_{t+k}^2.
        tail_fraction: the tail share used by the Hill estimator and the quantile ratio.
    """

    n_returns: int
    excess_kurtosis: float
    skewness: float
    hill_tail_index: float
    gain_loss_ratio: float
    lags: np.ndarray
    acf_returns: np.ndarray
    acf_abs: np.ndarray
    acf_squared: np.ndarray
    leverage: np.ndarray
    tail_fraction: float

    def acf(self, kind):
        """Returns the curve of `kind` ("returns", "abs", "squared" or "leverage")."""
        _checks.check_choice(kind, "kind", tuple(ACF_KINDS))
        return {
            "returns": self.acf_returns,
            "abs": self.acf_abs,
            "squared": self.acf_squared,
            "leverage": self.leverage,
        }[kind]

    def summary(self):
        """Returns the scalar facts as a dict of floats (NaN where undefined).

        Curves are summarised by their value at lag 1 and their mean over lags 1..max_lag.
        """
        out = {
            "excess_kurtosis": self.excess_kurtosis,
            "hill_tail_index": self.hill_tail_index,
            "skewness": self.skewness,
            "gain_loss_ratio": self.gain_loss_ratio,
        }
        for kind in ACF_KINDS:
            curve = self.acf(kind)
            name = "leverage" if kind == "leverage" else f"acf_{kind}"
            out[f"{name}_lag1"] = float(curve[0])
            out[f"{name}_mean"] = float(np.mean(curve))
        return out

    def to_dict(self):
        """Returns the facts as a JSON-ready dict (curves as lists)."""
        out = {"n_returns": self.n_returns, "tail_fraction": self.tail_fraction, **self.summary()}
        out["lags"] = [int(k) for k in self.lags]
        for kind in ACF_KINDS:
            out[f"curve_{kind}"] = [float(v) for v in self.acf(kind)]
        return out


def log_returns(prices, features=None, name="prices"):
    """Log returns within each path.

    Args:
        prices: array (n_paths, length, n_features) of positive prices, length >= 3.
        features: indices of the features to use. Defaults to all.
        name: argument name used in error messages.

    Returns:
        ndarray (n_paths, length - 1, len(features)).

    Raises:
        ValueError: on an invalid array or feature list, or a price that is not positive.
    """
    prices = _checks.check_windows(prices, name, min_seq_len=3)
    features = _checks.check_features(features, prices.shape[2])
    prices = prices[:, :, features]
    low = float(prices.min())
    if low <= 0:
        raise ValueError(
            f"Expected the price features of `{name}` to be positive (log returns). "
            f"Received: min({name}[..., {features}])={low!r}"
        )
    return np.diff(np.log(prices), axis=1)


def _standardize(x):
    """Standardises each feature of x (n, length, k) over paths and steps; constant -> NaN."""
    mean = x.mean(axis=(0, 1), keepdims=True)
    std = x.std(axis=(0, 1), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(std > 0, (x - mean) / np.where(std > 0, std, 1.0), np.nan)


def _pooled_correlation(a, b, max_lag):
    """corr(a_t, b_{t+k}) for k = 1..max_lag, pooling the pairs of all paths and features.

    `a` and `b` are standardised arrays (n, length, k).
    """
    return np.array([np.mean(a[:, :-lag] * b[:, lag:]) for lag in range(1, max_lag + 1)])


def hill_tail_index(values, tail_fraction=0.05):
    """Hill estimator of the tail index of |values|.

    Args:
        values: array-like of observations.
        tail_fraction: share of the largest |values| used (k = tail_fraction * n, at least 2).

    Returns:
        The estimated tail index (float); NaN if the tail is degenerate.
    """
    _checks.check_fraction(tail_fraction, "tail_fraction", high=0.5)
    x = np.sort(np.abs(np.asarray(values, dtype=np.float64).ravel()))[::-1]
    k = max(2, int(tail_fraction * len(x)))
    if len(x) <= k or not x[k] > 0:
        return float("nan")
    hill = np.mean(np.log(x[:k])) - np.log(x[k])
    return float(1.0 / hill) if hill > 0 else float("nan")


def stylized_facts(prices, *, features=None, max_lag=None, tail_fraction=0.05):
    """Measures the stylized facts of the log returns of a set of price paths.

    Args:
        prices: array (n_paths, length, n_features) of positive prices (windows or long
            paths), length >= 3.
        features: indices of the price features to use. Defaults to all.
        max_lag: largest lag of the autocorrelation curves, at most length - 2. Defaults to
            min(10, length - 2).
        tail_fraction: tail share for the Hill index and the gain/loss ratio, in (0, 0.5).
            Defaults to 0.05.

    Returns:
        `StylizedFacts`.

    Raises:
        ValueError: on invalid arrays or parameters, or non-positive prices.
    """
    returns = log_returns(prices, features)
    n_steps = returns.shape[1]
    max_lag = min(10, n_steps - 1) if max_lag is None else max_lag
    _checks.check_int(max_lag, "max_lag")
    if max_lag > n_steps - 1:
        raise ValueError(
            f"Expected `max_lag` to be at most {n_steps - 1} (paths of {n_steps + 1} prices). "
            f"Received: max_lag={max_lag!r}"
        )
    _checks.check_fraction(tail_fraction, "tail_fraction", high=0.5)

    z = _standardize(returns)
    pooled = z.ravel()
    finite = pooled[np.isfinite(pooled)]
    if len(finite) >= 4:
        centred = finite - finite.mean()
        variance = np.mean(centred**2)
        kurtosis = float(np.mean(centred**4) / variance**2 - 3.0)
        skewness = float(np.mean(centred**3) / variance**1.5)
        low, high = np.quantile(finite, [tail_fraction, 1 - tail_fraction])
        gain_loss = float(abs(low) / high) if high > 0 else float("nan")
    else:
        kurtosis = skewness = gain_loss = float("nan")
    absolute = _standardize(np.abs(returns))
    squared = _standardize(returns**2)
    return StylizedFacts(
        n_returns=int(returns.size),
        excess_kurtosis=kurtosis,
        skewness=skewness,
        hill_tail_index=hill_tail_index(finite, tail_fraction) if len(finite) else float("nan"),
        gain_loss_ratio=gain_loss,
        lags=np.arange(1, max_lag + 1),
        acf_returns=_pooled_correlation(z, z, max_lag),
        acf_abs=_pooled_correlation(absolute, absolute, max_lag),
        acf_squared=_pooled_correlation(squared, squared, max_lag),
        leverage=_pooled_correlation(z, squared, max_lag),
        tail_fraction=tail_fraction,
    )


def facts_table(real, synthetic):
    """Puts the scalar facts of real and synthetic data side by side.

    Args:
        real: `StylizedFacts` of the real data.
        synthetic: `StylizedFacts` of the synthetic data.

    Returns:
        pandas DataFrame indexed by fact name with columns "real" and "synthetic".
    """
    return pd.DataFrame({"real": real.summary(), "synthetic": synthetic.summary()})


def plot_return_histogram(real, synthetic, *, features=None, bins=80, ax=None):
    """Histograms of standardised log returns, real vs synthetic, on a log density scale.

    The standard normal density is drawn for reference: heavy tails lie above it.

    Args:
        real: array (n_real, length, n_features) of positive prices.
        synthetic: array (n_synthetic, length, n_features) of positive prices.
        features: indices of the price features. Defaults to all.
        bins: number of histogram bins. Defaults to 80.
        ax: matplotlib Axes to draw on; a new Figure is created if None.

    Returns:
        The matplotlib Figure.
    """
    _checks.check_int(bins, "bins")
    samples = {
        "real": _standardize(log_returns(real, features, "real")).ravel(),
        "synthetic": _standardize(log_returns(synthetic, features, "synthetic")).ravel(),
    }
    samples = {k: v[np.isfinite(v)] for k, v in samples.items()}
    if ax is None:
        figure = matplotlib.figure.Figure(figsize=(6, 4))
        ax = figure.add_subplot()
    reach = max([8.0] + [float(np.max(np.abs(v))) for v in samples.values() if len(v)])
    edges = np.linspace(-reach, reach, bins + 1)
    for (label, values), color in zip(samples.items(), ("tab:red", "tab:blue")):
        if len(values):
            ax.hist(values, bins=edges, density=True, histtype="step", color=color, label=label)
    grid = np.linspace(-reach, reach, 400)
    gaussian = np.exp(-0.5 * grid**2) / np.sqrt(2 * np.pi)
    ax.plot(grid, gaussian, color="grey", linestyle="--", label="standard normal")
    ax.set_yscale("log")
    ax.set_ylim(bottom=1e-5)
    ax.set_xlabel("standardised log return")
    ax.set_ylabel("density (log scale)")
    ax.set_title("Return distribution")
    ax.legend(fontsize="small")
    return ax.figure


def plot_acf(real, synthetic, kind="abs", ax=None):
    """Plots one autocorrelation curve of real and synthetic facts against the lag.

    Args:
        real: `StylizedFacts` of the real data.
        synthetic: `StylizedFacts` of the synthetic data.
        kind: "returns", "abs", "squared" or "leverage". Defaults to "abs".
        ax: matplotlib Axes to draw on; a new Figure is created if None.

    Returns:
        The matplotlib Figure.
    """
    _checks.check_choice(kind, "kind", tuple(ACF_KINDS))
    if ax is None:
        figure = matplotlib.figure.Figure(figsize=(5, 3.5))
        ax = figure.add_subplot()
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.plot(real.lags, real.acf(kind), marker="o", color="tab:red", label="real")
    ax.plot(synthetic.lags, synthetic.acf(kind), marker="o", color="tab:blue", label="synthetic")
    ax.set_xlabel("lag k")
    ax.set_ylabel("correlation")
    ax.set_title(ACF_KINDS[kind])
    ax.legend(fontsize="small")
    return ax.figure
