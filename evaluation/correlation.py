"""Joint structure of several series: correlation matrices of r and |r|, real against synthetic.

A portfolio model must move its series together as the market does. Two matrices across
features say how: the Pearson correlation of daily log returns r (prices moving together) and
that of |r| (volatility moving together, the cross-sectional side of volatility clustering).
Each is compared by the Frobenius norm of the difference of the real and the synthetic matrix,
beside the same distance between the two halves of the real history (the floor: sampling noise
plus the change of market between the halves). The estimators are `evaluation.finance`'s:
the matrix of a set of paths is the mean of the per-path matrices.

Not from Quant GANs (univariate); the |r| matrix is the cross-correlation of absolute returns
of Cont (2001), "Empirical properties of asset returns: stylized facts and statistical
issues", Quantitative Finance 1(2), section 6 (volatility clustering), taken across assets at
lag 0.
"""

import dataclasses

import matplotlib.figure
import numpy as np

from evaluation import _checks
from evaluation.finance import _check_returns, _mean_correlation, _pair

TRANSFORMS = ("returns", "abs")
TRANSFORM_LABELS = {"returns": "daily log returns r", "abs": "|r| (volatility)"}


@dataclasses.dataclass(frozen=True)
class CorrelationComparison:
    """Real and synthetic correlation matrices of one transform of the returns.

    Attributes:
        transform: "returns" (r) or "abs" (|r|).
        real: (n_features, n_features) matrix of the real returns.
        synthetic: (n_features, n_features) matrix of the synthetic returns (mean over paths).
        distance: ||real - synthetic||_F.
        floor: ||first half - second half||_F of the real returns (`real_halves`).
    """

    transform: str
    real: np.ndarray
    synthetic: np.ndarray
    distance: float
    floor: float

    @property
    def ratio(self):
        """distance / floor (1 is as close as the real market is to itself); NaN if floor is 0."""
        return self.distance / self.floor if self.floor > 0 else float("nan")

    def to_dict(self):
        """JSON-ready dict: matrices as nested lists, NaN (an undefined entry) as None."""

        def matrix(values):
            return [[float(v) if np.isfinite(v) else None for v in row] for row in values]

        return {
            "transform": self.transform,
            "distance": _json_float(self.distance),
            "real_floor": _json_float(self.floor),
            "ratio_to_floor": _json_float(self.ratio),
            "real": matrix(self.real),
            "synthetic": matrix(self.synthetic),
        }


def _json_float(value):
    return float(value) if np.isfinite(value) else None


def correlation_matrix(returns, transform="returns"):
    """Pearson correlation across features of r or |r|, the mean of the per-path matrices.

    Args:
        returns: daily log returns, one history (n_steps, n_features) or paths
            (n_paths, n_steps, n_features), n_steps >= 2.
        transform: "returns" (r) or "abs" (|r|). Default "returns".

    Returns:
        float64 ndarray (n_features, n_features); an entry of a feature constant in every path is
        NaN.

    Raises:
        TypeError: if `returns` is not numeric.
        ValueError: on a wrong shape, non-finite values, fewer than 2 steps or an unknown
            transform.
    """
    _checks.check_choice(transform, "transform", TRANSFORMS)
    values = _check_returns(returns, "returns")
    _check_steps(values, "returns")
    return _mean_correlation(values, transform)


def real_halves(returns):
    """Splits real returns into two halves for the floor.

    One history (one path) is cut in time at its middle; a set of paths (windows in time
    order) is cut into its first and second half of paths.

    Args:
        returns: (n_steps, n_features) or (n_paths, n_steps, n_features).

    Returns:
        `(first, second)`, each (n, m, n_features).

    Raises:
        ValueError: if a half would hold fewer than 2 returns per path or no path.
    """
    values = _check_returns(returns, "returns")
    n_paths, n_steps = values.shape[:2]
    if n_paths == 1:
        if n_steps < 4:
            raise ValueError(
                f"Expected a history of at least 4 returns to halve. Received: returns.shape={values.shape}"
            )
        middle = n_steps // 2
        return values[:, :middle], values[:, middle:]
    _check_steps(values, "returns")
    middle = n_paths // 2
    return values[:middle], values[middle : 2 * middle]


def split_history(returns, path_len):
    """Cuts one history into consecutive non-overlapping paths of `path_len` returns.

    Args:
        returns: (n_steps, n_features) or (1, n_steps, n_features); other paths are returned
            unchanged, as is a history too short for 2 paths of `path_len`.
        path_len: returns per path, >= 2.

    Returns:
        float64 ndarray (n_paths, path_len, n_features) (the last n_steps % path_len returns are
        left out), or the input as (n, n_steps, n_features).
    """
    values = _check_returns(returns, "returns")
    path_len = _checks.check_int(path_len, "path_len", minimum=2)
    n_paths = values.shape[1] // path_len
    if values.shape[0] != 1 or n_paths < 2:
        return values
    return values[0, : n_paths * path_len].reshape(n_paths, path_len, values.shape[2])


def joint_structure(real_returns, synthetic_returns):
    """Correlation matrices of r and |r| across features, real against synthetic, with the floor.

    Both matrices come from the same estimator (mean of per-path matrices over paths of the same
    length): a real history longer than the synthetic paths is first cut into consecutive
    non-overlapping paths of their length (`split_history`). This matters for |r|: over a whole
    history, the slow rise and fall of every stock's volatility together (2008, 2020) adds
    correlation that one year of returns does not see.

    Args:
        real_returns: daily log returns of the real data: one history (n_days, n_features) or
            paths in time order (n, n_steps, n_features), e.g. stride-1 windows.
        synthetic_returns: daily log returns (n_paths, n_steps, n_features).

    Returns:
        dict {"returns": CorrelationComparison, "abs": CorrelationComparison}.

    Raises:
        ValueError: on invalid arrays, different feature counts, fewer than 2 features or paths
            of fewer than 2 returns.
    """
    real, synthetic = _pair(real_returns, synthetic_returns)
    if real.shape[2] < 2:
        raise ValueError(f"Expected at least 2 features (tickers) to correlate. Received: {real.shape[2]} feature")
    _check_steps(synthetic, "synthetic_returns")
    real = split_history(real, synthetic.shape[1])
    first, second = real_halves(real)
    out = {}
    for transform in TRANSFORMS:
        real_matrix = _mean_correlation(real, transform)
        synthetic_matrix = _mean_correlation(synthetic, transform)
        floor = np.linalg.norm(_mean_correlation(first, transform) - _mean_correlation(second, transform))
        out[transform] = CorrelationComparison(
            transform=transform,
            real=real_matrix,
            synthetic=synthetic_matrix,
            distance=float(np.linalg.norm(real_matrix - synthetic_matrix)),
            floor=float(floor),
        )
    return out


def _check_steps(values, name):
    if values.shape[1] < 2:
        raise ValueError(
            f"Expected `{name}` to hold at least 2 returns per path (a correlation). Received: {name}.shape={values.shape}"
        )


def plot_correlation_matrices(joint, feature_names=None, figure=None):
    """Heat maps of the real and synthetic matrices side by side, one row per transform.

    Every panel shares the colour scale [-1, 1] (one colour bar), so equal colours are equal
    correlations across panels.

    Args:
        joint: the dict returned by `joint_structure`.
        feature_names: one label per feature; default 0, 1, ... Ticks are labelled up to 30
            features.
        figure: a `matplotlib.figure.Figure` to draw on; default a new one.

    Returns:
        The Figure.
    """
    rows = [joint[t] for t in TRANSFORMS if t in joint]
    n = rows[0].real.shape[0]
    names = [str(i) for i in range(n)] if feature_names is None else [str(f) for f in feature_names]
    size = min(5.5, 2.5 + 0.15 * n)
    if figure is None:
        figure = matplotlib.figure.Figure(figsize=(2 * size + 1.2, len(rows) * size), layout="constrained")
    axes = np.atleast_2d(figure.subplots(len(rows), 2, squeeze=False))
    image = None
    for row, comparison in zip(axes, rows):
        for ax, (side, matrix) in zip(row, (("real", comparison.real), ("synthetic", comparison.synthetic))):
            image = ax.imshow(matrix, vmin=-1, vmax=1, cmap="RdBu_r", interpolation="nearest")
            ax.set_title(f"{side}: {TRANSFORM_LABELS[comparison.transform]}", fontsize=10)
            if n <= 30:
                fontsize = 8 if n <= 10 else 6
                ax.set_xticks(range(n), names, rotation=90, fontsize=fontsize)
                ax.set_yticks(range(n), names, fontsize=fontsize)
            else:
                ax.set_xticks([])
                ax.set_yticks([])
        row[1].set_xlabel(
            f"distance {comparison.distance:.3f} (real floor {comparison.floor:.3f}, ratio {comparison.ratio:.2f})",
            fontsize=9,
        )
    figure.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="Pearson correlation")
    return figure
