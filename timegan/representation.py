"""What the model learns: price levels <-> the model's scale, invertible and stored as JSON.

Two representations share one interface (`fit`, `transform`, `inverse_transform`, `to_dict`,
`from_dict`, attribute `kind`), built by name with `make_representation` and restored from JSON
with `representation_from_dict`:

- `"levels"`: `timegan.preprocessing.FeatureScaler`, per-feature MinMax scaling of the prices to
  [0, 1] (the TimeGAN paper's protocol). Shapes are kept: (..., n_features) -> (..., n_features).
- `"returns"`: `ReturnsRepresentation`, per-feature log returns, standardised with stored
  statistics, then optionally made Gaussian by the inverse Lambert W transform (Goerg 2011;
  used on returns by Quant GANs, Wiese et al. 2020, section 5). A series of `steps + 1` prices
  gives `steps` returns, and `inverse_transform` cumulates `steps` returns from start prices
  back into a price path.

Units: prices in the data's units (currency; volume in shares); log returns are dimensionless
(natural log per time step); the model's scale is dimensionless (about N(0, 1) for "returns",
[0, 1] for "levels").

Both refuse NaN/inf and report on every feature that is constant in the fitted data: such a
feature comes back exactly as its constant (levels) or its constant return (returns), whatever
the model outputs for it.

Example (prices: float array (n_rows, n_features), column 3 a volume):

    >>> representation = make_representation("returns", volume_features=[3]).fit(prices)
    >>> u = representation.transform(prices)                       # (n_rows - 1, n_features)
    >>> paths = representation.inverse_transform(u_generated, start_prices=prices[-1])
    >>> # u_generated (n, steps, n_features) -> paths (n, steps + 1, n_features), paths[:, 0] = start
    >>> state = representation.to_dict()                           # JSON; representation_from_dict(state)

For a model trained on windows of `seq_len` returns, cut windows of `seq_len + 1` prices (or
transform the series once and cut windows of the returns).

Sources:
    G. M. Goerg (2011), "Lambert W random variables - a new family of generalized skewed
    distributions with applications to risk estimation", Annals of Applied Statistics 5(3).
    G. M. Goerg (2015), "The Lambert Way to Gaussianize heavy-tailed data with the inverse of
    Tukey's h transformation as a special case", The Scientific World Journal.
    M. Wiese, R. Knobloch, R. Korn, P. Kretschmer (2020), "Quant GANs: deep generation of
    financial time series", Quantitative Finance 20(9), section 5 (pre-processing).
    L. Gudmundsson, J. B. Bremnes, J. E. Haugen, T. Engen-Skaugen (2012), "Downscaling RCM
    precipitation to the station scale using statistical transformations - a comparison of
    methods", Hydrology and Earth System Sciences 16 (empirical quantile mapping: `quantile_map`).
"""

import logging

import numpy as np
import scipy.optimize
import scipy.special

from timegan._validation import (
    Bool,
    Integer,
    Options,
    Real,
    Sequence,
    String,
    check_dict_keys,
    check_number_list,
    validate,
)
from timegan.preprocessing import FeatureScaler, check_feature_array

logger = logging.getLogger(__name__)

KINDS = ("levels", "returns")

# Above delta = 1 the Lambert W x Gaussian variable has no finite mean and daily returns never
# look like that (Quant GANs report delta around 0.1-0.3 for the S&P 500); the search stops there.
MAX_DELTA = 1.0

# Marginal calibration (`quantile_map`): the probabilities at which the fitted data's u and a
# generator's u are compared, Phi(z) for z = -3.7, -3.65, ..., 3.7 (149 points). Phi(-3.7) is about
# 1e-4, the rarest day of 20 years of daily returns, so the map follows the history into its tails;
# at +-3 (1.3e-3) the most extreme generated days came out up to 8 times the largest real move at
# 20 tickers through the heavy-tail map (docs/finance.md, "Marginal calibration").
MARGINAL_Z = np.linspace(-3.7, 3.7, 149)
MARGINAL_PROBABILITIES = scipy.special.ndtr(MARGINAL_Z)


def _check_delta(delta):
    delta = np.asarray(delta, dtype="float64")
    if not np.all(np.isfinite(delta)) or np.any(delta < 0):
        raise ValueError(f"Expected `delta` to be finite and >= 0. Received: delta={delta.tolist()!r}")
    return delta


def gaussianize(z, delta):
    """The inverse Lambert W transform W_delta (Goerg 2011; Goerg 2015 for this heavy-tail case).

    `W_delta(z) = sign(z) * sqrt(W(delta * z**2) / delta)`, W the principal branch of the Lambert
    W function (`scipy.special.lambertw`); `W_0(z) = z`. It undoes `heavy_tail`.

    Args:
        z: float array of standardised values, any shape.
        delta: tail parameter >= 0 (scalar, or an array broadcasting against `z`, e.g. one per
            feature in the last axis).

    Returns:
        float64 array of the shape of `z`; lighter-tailed (Gaussian if `z` is Lambert W x Gaussian).

    Raises:
        ValueError: if `delta` is negative or not finite.
    """
    z = np.asarray(z, dtype="float64")
    delta = np.broadcast_to(_check_delta(delta), z.shape)
    out = z.copy()
    heavy = delta > 0
    if heavy.any():
        d, zz = delta[heavy], z[heavy]
        out[heavy] = np.sign(zz) * np.sqrt(np.real(scipy.special.lambertw(d * zz * zz)) / d)
    return out


def heavy_tail(u, delta):
    """The Lambert W x Gaussian map `u * exp(delta * u**2 / 2)` (Goerg 2011, with mu=0, sigma=1).

    Args:
        u: float array, any shape.
        delta: tail parameter >= 0 (scalar or broadcasting against `u`).

    Returns:
        float64 array of the shape of `u`; inf where the result overflows.

    Raises:
        ValueError: if `delta` is negative or not finite.
    """
    u = np.asarray(u, dtype="float64")
    delta = _check_delta(delta)
    with np.errstate(over="ignore", invalid="ignore"):
        return u * np.exp(delta * u * u / 2)


def quantile_map(u, source_quantiles, target_quantiles, source_std, target_std):
    """Moves each feature of `u` from a source distribution to a target one (empirical quantile mapping).

    Per feature j, the piecewise-linear map through the points `(source_quantiles[k, j],
    target_quantiles[k, j])` (Gudmundsson et al. 2012, "QUANT" with linear interpolation), both
    quantiles taken at the same probabilities (`MARGINAL_PROBABILITIES` for the models); beyond
    the first and last points it goes on as a straight line of slope `target_std[j] /
    source_std[j]`. The map is non-decreasing, so it keeps each series' ranks: the order of the
    values in time, and with it the dependence a recurrent model generated, is unchanged; a
    sample of the source comes out with the target's quantiles. A feature whose source quantiles
    are all equal (a constant) maps to the target's median.

    Args:
        u: float array (..., n_features), values of the source distribution.
        source_quantiles, target_quantiles: float arrays (n_quantiles, n_features), n_quantiles
            >= 2, each column non-decreasing.
        source_std, target_std: float arrays (n_features,), >= 0: the spread of each distribution,
            for the slope beyond the points.

    Returns:
        float64 array of the shape of `u`.

    Raises:
        ValueError: on shapes that do not match, NaN/inf, or quantiles that decrease.
    """
    u = np.asarray(u, dtype=np.float64)
    source, target = np.asarray(source_quantiles, np.float64), np.asarray(target_quantiles, np.float64)
    source_std, target_std = np.asarray(source_std, np.float64), np.asarray(target_std, np.float64)
    n_features = u.shape[-1] if u.ndim else 0
    if (
        source.ndim != 2
        or source.shape != target.shape
        or len(source) < 2
        or source.shape[1] != n_features
        or source_std.shape != (n_features,)
        or target_std.shape != (n_features,)
    ):
        raise ValueError(
            "Expected quantiles (n_quantiles >= 2, n_features) and spreads (n_features,) for the last axis of "
            f"`u`. Received: u.shape={u.shape}, source_quantiles.shape={source.shape}, "
            f"target_quantiles.shape={target.shape}, source_std.shape={source_std.shape}, "
            f"target_std.shape={target_std.shape}"
        )
    for name, array in (("u", u), ("source_quantiles", source), ("target_quantiles", target)):
        if not np.isfinite(array).all():
            raise ValueError(f"Expected `{name}` to be finite. Received: a NaN or inf value")
    for name, array in (("source_quantiles", source), ("target_quantiles", target)):
        if (np.diff(array, axis=0) < 0).any():
            raise ValueError(f"Expected each column of `{name}` to be non-decreasing. Received: a decreasing column")
    for name, array in (("source_std", source_std), ("target_std", target_std)):
        if not (np.isfinite(array) & (array >= 0)).all():
            raise ValueError(f"Expected `{name}` to be finite and >= 0. Received: {name}={array.tolist()}")
    out = np.empty_like(u)
    for j in range(n_features):
        x, xp, fp = u[..., j], source[:, j], target[:, j]
        if xp[-1] == xp[0] or source_std[j] == 0:
            out[..., j] = fp[len(fp) // 2]
            continue
        # np.interp needs increasing points: equal source quantiles (ties) are kept apart by 1e-12
        # of the source's range, far below any difference that matters.
        xp = xp + np.arange(len(xp)) * 1e-12 * (xp[-1] - xp[0])
        slope = target_std[j] / source_std[j]
        mapped = np.interp(x, xp, fp)
        mapped = np.where(x > xp[-1], fp[-1] + (x - xp[-1]) * slope, mapped)
        out[..., j] = np.where(x < xp[0], fp[0] + (x - xp[0]) * slope, mapped)
    return out


def _excess_kurtosis(x):
    centred = x - x.mean()
    variance = np.mean(centred**2)
    return float(np.mean(centred**4) / variance**2 - 3.0)


def _delta_gmm(z):
    """Delta for which `gaussianize(z, delta)` has excess kurtosis 0 (the GMM step of Goerg 2011's IGMM).

    The kurtosis of W_delta(z) falls as delta grows, so the moment equation is solved by bracketing
    (Brent's method); data without excess kurtosis gives 0 and the search is capped at MAX_DELTA.
    """
    if _excess_kurtosis(z) <= 0:
        return 0.0
    if _excess_kurtosis(gaussianize(z, MAX_DELTA)) > 0:
        return MAX_DELTA
    return float(scipy.optimize.brentq(lambda d: _excess_kurtosis(gaussianize(z, d)), 0.0, MAX_DELTA, xtol=1e-9))


def fit_lambert_w(values, tol=1e-8, max_iter=100):
    """Estimates the Lambert W x Gaussian parameters (mu, sigma, delta) of a sample by IGMM.

    Iterative generalized method of moments (IGMM, Goerg 2011), the estimator
    Quant GANs use (Wiese et al. 2020, section 5): with `z = (y - mu) / sigma`, delta is set so
    that `W_delta(z)` has zero excess kurtosis; `mu` and `sigma` become the mean and standard
    deviation of the back-transformed `W_delta(z) * sigma + mu`; repeat until the parameters move
    by less than `tol` (relative to sigma).

    Args:
        values: 1-D float array with at least 2 distinct finite values.
        tol: convergence tolerance. Default 1e-8.
        max_iter: iterations at most. Default 100.

    Returns:
        `(mu, sigma, delta)` as floats: the latent Gaussian's mean and standard deviation and
        the tail parameter in [0, MAX_DELTA]. `gaussianize((values - mu) / sigma, delta)` is then
        close to N(0, 1).
    """
    y = np.asarray(values, dtype="float64")
    mu, sigma, delta = float(y.mean()), float(y.std()), 0.0
    for _ in range(max_iter):
        z = (y - mu) / sigma
        delta = _delta_gmm(z)
        x = gaussianize(z, delta) * sigma + mu
        new_mu, new_sigma = float(x.mean()), float(x.std())
        converged = abs(new_mu - mu) + abs(new_sigma - sigma) < tol * sigma
        mu, sigma = new_mu, new_sigma
        if converged:
            break
    return mu, sigma, delta


def _location(shape, index, names):
    """Where `index` lies in an array of `shape`: "window 3, step 5, feature 1 ('Open')" etc."""
    feature = index[-1]
    parts = [f"feature {feature}" if names is None else f"feature {feature} ({names[feature]!r})"]
    if len(shape) == 2:
        parts.insert(0, f"row {index[0]}")
    elif len(shape) >= 3:
        parts[:0] = [f"window {', '.join(str(i) for i in index[:-2])}", f"step {index[-2]}"]
    return ", ".join(parts)


class ReturnsRepresentation:
    """Per-feature log returns, standardised, optionally Gaussianised by the inverse Lambert W transform.

    For a price feature, the log return is `r_t = log(p_t) - log(p_{t-1})`. For a volume feature
    (indices in `volume_features`) it is `log(1 + v_t) - log(1 + v_{t-1})`: volumes can be 0
    (a holiday row, a halted stock), where `log(v)` is undefined, and adding one share changes
    nothing at the size of real volumes; prices get no such shift because it would bias the
    returns of low-priced series.

    On the model's scale each return becomes `u = W_delta((r - mean) / std)` with the per-feature
    statistics fitted by `fit` (`delta = 0` and the sample mean/std without `heavy_tail`; the
    IGMM estimates of `fit_lambert_w` with it), so `u` is about N(0, 1) also for heavy-tailed
    returns. A feature whose returns have zero variance (a constant price) gets `u = 0` and comes
    back exactly as its constant return (0: the start price itself), with a warning from `fit`.

    Args:
        heavy_tail: apply the inverse Lambert W transform. Default True.
        volume_features: indices of volume-like features (log changes of 1 + volume). Default ().

    Attributes (after `fit` or `from_dict`):
        mean, std, delta: float64 arrays (n_features,), the statistics above.
        last_prices: float64 array (n_features,), the last row of the fitted prices; the default
            start of `inverse_transform`.
        u_quantiles: float64 array (len(MARGINAL_PROBABILITIES), n_features), the quantiles of
            the fitted data's `u` at `MARGINAL_PROBABILITIES`, and u_std (n_features,) its
            standard deviation: the target of a model's marginal calibration (`quantile_map`).
            None for a state saved before they were stored.
        feature_names: list of names given to `fit`, or None.

    JSON state (`to_dict`): `{"kind": "returns", "heavy_tail", "volume_features", "mean", "std",
    "delta", "last_prices"}` plus `"u_quantiles"` (one list per feature) and `"u_std"` when
    fitted with them, and `"feature_names"` when known.

    Raises (constructor):
        TypeError: if `heavy_tail` is not a bool or `volume_features` not a sequence of integers.
        ValueError: if `volume_features` holds a negative index.
    """

    kind = "returns"

    def __init__(self, heavy_tail=True, volume_features=()):
        self.heavy_tail = validate(heavy_tail, "heavy_tail", Bool())
        self.volume_features = validate(volume_features, "volume_features", Sequence(Integer(0), min_length=0))
        self.mean = self.std = self.delta = self.last_prices = None
        self.u_quantiles = self.u_std = None
        self.feature_names = None

    @property
    def n_features(self):
        """Number of features, None before `fit`."""
        return None if self.mean is None else len(self.mean)

    def fit(self, prices, feature_names=None):
        """Fits the per-feature statistics of the log returns of `prices`.

        Args:
            prices: float array (n_rows, n_features), one price series in time order, or windows
                (n, steps, n_features) (each window's returns are taken within the window;
                overlapping windows weigh their common returns several times, so prefer the series).
                Prices > 0; volume features >= 0; at least 2 time steps.
            feature_names: optional sequence of n_features names, used in messages and saved.

        Returns:
            self.

        Raises:
            TypeError: if `prices` is not numeric.
            ValueError: on NaN/inf, fewer than 2 steps, a non-positive price or negative volume
                (naming row and feature), a volume index beyond the features, or a bad
                `feature_names`.
        """
        array = check_feature_array(prices, "prices")
        n_features = array.shape[-1]
        if any(i >= n_features for i in self.volume_features):
            raise ValueError(
                f"Expected `volume_features` to be indices in [0, {n_features}). "
                f"Received: volume_features={list(self.volume_features)}"
            )
        if feature_names is not None:
            names = validate(feature_names, "feature_names", Sequence(String()))
            if len(names) != n_features:
                raise ValueError(f"Expected {n_features} `feature_names`. Received: feature_names={list(names)!r}")
            self.feature_names = list(names)
        else:
            self.feature_names = None
        returns = self._log_returns(array).reshape(-1, n_features)
        mean, std, delta = returns.mean(axis=0), returns.std(axis=0), np.zeros(n_features)
        for j in range(n_features):
            if std[j] == 0:
                logger.warning(
                    "%s has log returns of zero variance (constant return %r) in the fitted data: every "
                    "generated return of it is that constant.",
                    _label(self.feature_names, j),
                    float(mean[j]),
                )
            elif self.heavy_tail:
                mean[j], std[j], delta[j] = fit_lambert_w(returns[:, j])
        self.mean, self.std, self.delta = mean, std, delta
        self.last_prices = array.reshape(-1, n_features)[-1].copy()
        self.fit_marginal(self.transform(array))
        return self

    def fit_marginal(self, u):
        """Fits the target of marginal calibration, `u_quantiles` and `u_std`, on values of `u`.

        `fit` calls it on the fitted data; `TimeGAN.fit` calls it again with the held-out days
        added when it is given them, so the target covers the whole history, as the baselines'
        fits do (the networks still never see those days).

        Args:
            u: float array (..., n_features) on the model's scale (`transform` output), finite.

        Returns:
            self.

        Raises:
            ValueError: if not fitted, on a feature count different from `fit`, or NaN/inf.
        """
        self._check_fitted()
        values = self._check_features(check_feature_array(u, "u"), "u").reshape(-1, self.n_features)
        self.u_quantiles = np.quantile(values, MARGINAL_PROBABILITIES, axis=0)
        self.u_std = values.std(axis=0)
        return self

    def transform(self, prices):
        """Maps prices to the model's scale.

        Args:
            prices: float array (n_rows, n_features) or windows (n, steps, n_features), as in `fit`.

        Returns:
            float64 array (n_rows - 1, n_features) or (n, steps - 1, n_features): `u` per return,
            about N(0, 1); 0 for a zero-variance feature.

        Raises:
            ValueError: if not fitted, on a feature count different from `fit`, NaN/inf, fewer than
                2 steps, or a non-positive price / negative volume (naming row and feature).
        """
        self._check_fitted()
        array = self._check_features(check_feature_array(prices, "prices"), "prices")
        centred = self._log_returns(array) - self.mean
        z = np.divide(centred, self.std, out=np.zeros_like(centred), where=self.std > 0)
        return gaussianize(z, self.delta)

    def inverse_transform(self, data, start_prices=None, include_start=True):
        """Maps model-scale returns back to price paths.

        `r = heavy_tail(u, delta) * std + mean` per feature (`r = mean` where `std` is 0), then
        prices `p_t = p_0 * exp(r_1 + ... + r_t)` (volume features: `v_t = v_0 + (1 + v_0) *
        expm1(r_1 + ... + r_t)`, the inverse of the log changes of 1 + volume).

        Args:
            data: model outputs, float array (steps, n_features) or (n, steps, n_features).
            start_prices: prices before the first return: (n_features,) for every path, or
                (n, n_features) one row per path. Default None: the last prices of the fitted data.
            include_start: put the start prices as step 0 of each path. Default True.

        Returns:
            float64 prices (steps + 1, n_features) or (n, steps + 1, n_features) with
            `include_start`, else (steps, n_features) / (n, steps, n_features).

        Raises:
            ValueError: if not fitted, on NaN/inf in `data`, start prices of the wrong shape or
                not positive (volume: not >= 0), or a path that overflows float64.
        """
        self._check_fitted()
        include_start = validate(include_start, "include_start", Bool())
        u = self._check_features(check_feature_array(data, "data"), "data")
        if start_prices is None:
            start = self.last_prices
        else:
            start = check_feature_array(np.atleast_2d(start_prices), "start_prices").reshape(np.shape(start_prices))
        paths_shape = u.shape[:-2] + (u.shape[-1],)
        if start.shape not in ((self.n_features,), paths_shape):
            raise ValueError(
                f"Expected `start_prices` of shape ({self.n_features},) or {paths_shape}. "
                f"Received: start_prices.shape={np.shape(start_prices)}"
            )
        self._check_positive(start, "start_prices")
        moving = self.std > 0
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.where(moving, heavy_tail(u, self.delta), 0.0)
            returns = z * np.where(moving, self.std, 0.0) + self.mean
            cumulative = np.cumsum(returns, axis=-2)
            start = np.broadcast_to(start, paths_shape)[..., None, :]
            growth = np.expm1(cumulative)
            volume = self._volume_mask(self.n_features)
            # p0 * exp(0) is p0 exactly, and v0 + (1 + v0) * expm1(0) is v0 exactly: constants come back exact.
            paths = np.where(volume, start + (1 + start) * growth, start * np.exp(cumulative))
        if not np.isfinite(paths).all():
            raise ValueError(
                "The price paths overflow float64 (inf or NaN): the returns sum to more than "
                f"log({np.finfo(np.float64).max:.4g}) = 709.8. Expected model outputs on the fitted scale."
            )
        if include_start:
            paths = np.concatenate([np.broadcast_to(start, paths.shape[:-2] + (1, self.n_features)), paths], axis=-2)
        return paths

    def to_dict(self):
        """Returns the fitted state as a JSON-serialisable dict (see the class docstring)."""
        self._check_fitted()
        values = {
            "kind": self.kind,
            "heavy_tail": self.heavy_tail,
            "volume_features": list(self.volume_features),
            "mean": self.mean.tolist(),
            "std": self.std.tolist(),
            "delta": self.delta.tolist(),
            "last_prices": self.last_prices.tolist(),
        }
        if self.u_quantiles is not None:
            values["u_quantiles"] = self.u_quantiles.T.tolist()
            values["u_std"] = self.u_std.tolist()
        if self.feature_names is not None:
            values["feature_names"] = list(self.feature_names)
        return values

    @classmethod
    def from_dict(cls, values):
        """Restores a representation from `to_dict` output.

        Raises:
            TypeError: if `values` is not a dict, a setting has the wrong type, or a statistic is
                not a list of numbers (the first bad entry named).
            ValueError: on unknown or missing keys, statistics that are NaN/inf or of unequal
                lengths, `std < 0`, `delta` outside [0, MAX_DELTA], last prices that are not
                positive, `u_quantiles` without `u_std` (or the reverse), or `u_quantiles` that
                are not one non-decreasing list of `len(MARGINAL_PROBABILITIES)` per feature.
        """
        required = ("kind", "heavy_tail", "volume_features", "mean", "std", "delta", "last_prices")
        optional = ("feature_names", "u_quantiles", "u_std")
        check_dict_keys(values, cls.__name__, required=required, optional=optional)
        if values["kind"] != cls.kind:
            raise ValueError(f"Expected `kind` to be {cls.kind!r}. Received: kind={values['kind']!r}")
        representation = cls(values["heavy_tail"], values["volume_features"])
        arrays = {name: check_number_list(values[name], name) for name in ("mean", "std", "delta", "last_prices")}
        n_features = len(arrays["mean"])
        for name, array in arrays.items():
            if len(array) != n_features:
                raise ValueError(
                    f"Expected `{name}` to hold {n_features} values like `mean`. Received: {len(array)} values"
                )
        for name, constraint in (("std", Real(0, None)), ("delta", Real(0, MAX_DELTA))):
            for i, value in enumerate(arrays[name]):
                validate(float(value), f"{name}[{i}]", constraint)
        if any(i >= n_features for i in representation.volume_features):
            raise ValueError(
                f"Expected `volume_features` to be indices in [0, {n_features}). "
                f"Received: volume_features={list(representation.volume_features)}"
            )
        names = values.get("feature_names")
        if names is not None:
            names = list(validate(names, "feature_names", Sequence(String())))
            if len(names) != n_features:
                raise ValueError(f"Expected {n_features} `feature_names`. Received: feature_names={names!r}")
        representation.feature_names = names
        representation.mean, representation.std, representation.delta = arrays["mean"], arrays["std"], arrays["delta"]
        representation._check_positive(arrays["last_prices"], "last_prices")
        representation.last_prices = arrays["last_prices"]
        if ("u_quantiles" in values) != ("u_std" in values):
            raise ValueError("Expected both `u_quantiles` and `u_std`, or neither. Received: one of them")
        if "u_quantiles" in values:
            representation.u_quantiles, representation.u_std = _check_u_quantiles(
                values["u_quantiles"], values["u_std"], n_features
            )
        return representation

    def _check_fitted(self):
        if self.mean is None:
            raise ValueError("The representation is not fitted; call `fit` first.")

    def _check_features(self, array, name):
        if array.shape[-1] != self.n_features:
            raise ValueError(
                f"Expected {self.n_features} features in the last axis of `{name}`. Received: {name}.shape={array.shape}"
            )
        return array

    def _volume_mask(self, n_features):
        mask = np.zeros(n_features, dtype=bool)
        mask[[i for i in self.volume_features if i < n_features]] = True
        return mask

    def _check_positive(self, array, name):
        """Prices must be > 0 (log of 0), volumes >= 0; names the first offending entry."""
        volume = self._volume_mask(array.shape[-1])
        bad = np.where(volume, array < 0, array <= 0)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            what = "non-negative volumes" if volume[index[-1]] else "positive prices"
            raise ValueError(
                f"Expected `{name}` to hold {what} for log returns. Received: {float(array[index])!r} at "
                f"{_location(array.shape, index, self.feature_names)}"
            )

    def _log_returns(self, array):
        if array.shape[-2] < 2:
            raise ValueError(f"Expected at least 2 time steps to take returns. Received: prices.shape={array.shape}")
        self._check_positive(array, "prices")
        volume = self._volume_mask(array.shape[-1])
        logs = np.where(volume, np.log1p(np.where(volume, array, 0.0)), np.log(np.where(volume, 1.0, array)))
        return np.diff(logs, axis=-2)


def _check_u_quantiles(quantiles, u_std, n_features):
    """Stored `u_quantiles` (one list per feature) and `u_std` as arrays (K, n_features), (n_features,)."""
    if not isinstance(quantiles, (list, tuple)) or len(quantiles) != n_features:
        raise ValueError(
            f"Expected `u_quantiles` to be {n_features} lists, one per feature. Received: "
            f"{len(quantiles) if isinstance(quantiles, (list, tuple)) else type(quantiles).__name__}"
        )
    columns = []
    for j, column in enumerate(quantiles):
        array = check_number_list(column, f"u_quantiles[{j}]")
        if len(array) != len(MARGINAL_PROBABILITIES) or (np.diff(array) < 0).any():
            raise ValueError(
                f"Expected `u_quantiles[{j}]` to be {len(MARGINAL_PROBABILITIES)} non-decreasing numbers. "
                f"Received: {len(array)} numbers{'' if len(array) != len(MARGINAL_PROBABILITIES) else ', decreasing'}"
            )
        columns.append(array)
    u_std = check_number_list(u_std, "u_std")
    if len(u_std) != n_features:
        raise ValueError(f"Expected `u_std` to hold {n_features} values like `mean`. Received: {len(u_std)} values")
    for i, value in enumerate(u_std):
        validate(float(value), f"u_std[{i}]", Real(0, None))
    return np.stack(columns, axis=1), u_std


def _label(names, index):
    return f"Feature {index}" if names is None else f"Feature {index} ({names[index]!r})"


def volume_features(names):
    """Indices of the volume-like features: those whose name (or a tuple name's last part) is "volume".

    Args:
        names: feature names, strings or tuples such as `("BA", "Volume")`.
    """
    return [i for i, name in enumerate(names) if str(name[-1] if isinstance(name, tuple) else name).lower() == "volume"]


def check_start_price(start_price, n_features, representation="returns", volumes=(), feature_names=None):
    """Checks the start price of returns paths; the one check the model, the runs and the baselines use.

    Args:
        start_price: None, one number for every feature, or `n_features` numbers (price units).
        n_features: number of features of the paths.
        representation: "returns" or "levels" (levels paths are learned price levels: no start).
        volumes: indices of volume features (`volume_features`), which may start at 0.
        feature_names: names used in the message, if given.

    Returns:
        float64 array `(n_features,)`, or None when `start_price` is None.

    Raises:
        TypeError: if `start_price` is not numeric.
        ValueError: if it is given for representation "levels", is not one number or
            `n_features` numbers, or a value is not finite and > 0 (volumes: >= 0).
    """
    if start_price is None:
        return None
    if representation != "returns":
        raise ValueError(
            "Expected no `start_price` for representation='levels' (its paths are the learned price levels; "
            f"train with representation='returns'). Received: start_price={start_price!r}"
        )
    try:
        values = np.asarray(start_price, dtype="float64")
    except (TypeError, ValueError):
        raise TypeError(
            f"Expected `start_price` to be a number or {n_features} numbers. Received: {type(start_price).__name__}"
        ) from None
    if values.ndim > 1 or values.size not in (1, n_features):
        raise ValueError(
            f"Expected `start_price` to be a number or {n_features} numbers (one per feature). "
            f"Received: start_price={start_price!r}"
        )
    values = np.broadcast_to(values, (n_features,)).copy()
    volume = np.zeros(n_features, bool)
    volume[list(volumes)] = True
    bad = ~np.isfinite(values) | np.where(volume, values < 0, values <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        name = f"feature {i}" if feature_names is None else " ".join(map(str, np.atleast_1d(feature_names[i])))
        raise ValueError(
            f"Expected `start_price` to be finite and > 0 (volumes >= 0). Received: {float(values[i])!r} for {name}"
        )
    return values


def make_representation(kind, **options):
    """Builds an unfitted representation by name.

    Args:
        kind: "levels" (`FeatureScaler`, no options) or "returns" (`ReturnsRepresentation`,
            options `heavy_tail`, `volume_features`).
        **options: passed to the class.

    Raises:
        ValueError: on an unknown `kind`, or options given to "levels".
        TypeError: on options the class does not take.
    """
    kind = validate(kind, "kind", Options(*KINDS))
    if kind == "levels":
        if options:
            raise ValueError(f"Expected no options for kind='levels'. Received: {sorted(options)}")
        return FeatureScaler()
    return ReturnsRepresentation(**options)


def representation_from_dict(values):
    """Restores a fitted representation from its `to_dict` output, dispatching on `kind`.

    A dict without `kind` is a `scaler.json` of an earlier version: levels.

    Raises:
        TypeError: if `values` is not a dict.
        ValueError: on an unknown kind or invalid state (see each class's `from_dict`).
    """
    if not isinstance(values, dict):
        raise TypeError(f"Expected a dict of representation state. Received: {type(values).__name__}")
    kind = values.get("kind", "levels")
    if kind not in KINDS:
        raise ValueError(f"Expected `kind` to be one of {', '.join(map(repr, KINDS))}. Received: kind={kind!r}")
    return FeatureScaler.from_dict(values) if kind == "levels" else ReturnsRepresentation.from_dict(values)
