"""Training pictures: loss curves and real-vs-synthetic windows.

Each function draws on the Axes it is given (`ax=None`: on a new Figure) and returns the Figure.
Figures are plain `matplotlib.figure.Figure` objects, not registered with pyplot: nothing is kept
open after the caller drops them, and no global pyplot state is read or changed.
"""

import matplotlib.figure
import numpy as np


def _feature_label(name):
    return " ".join(str(part) for part in name) if isinstance(name, (tuple, list)) else str(name)


def _axes_grid(ax, rows, columns, figsize, sharey=None):
    """`ax` as a (rows, columns) array of Axes, or a new Figure's grid if `ax` is None."""
    if ax is None:
        figure = matplotlib.figure.Figure(figsize=figsize)
        return figure, figure.subplots(rows, columns, squeeze=False, sharey=sharey)
    axes = np.asarray(ax, dtype=object).reshape(-1)
    if len(axes) != rows * columns:
        raise ValueError(
            f"Expected `ax` to hold {rows * columns} Axes ({rows} x {columns}). Received: {len(axes)} Axes"
        )
    return axes[0].figure, axes.reshape(rows, columns)


def plot_losses(history, ax=None):
    """One panel per phase with every loss of that phase against its step (log scale).

    Args:
        history: DataFrame with columns phase, step and loss columns (`TimeGAN.losses()`).
        ax: Axes to draw on, one per phase in the order the phases appear (a single Axes for
            one phase); None draws on a new Figure, 5 x 3.6 inches per phase.

    Returns:
        matplotlib Figure.

    Raises:
        ValueError: if `ax` does not hold one Axes per phase.
    """
    phases = list(dict.fromkeys(history["phase"])) if len(history) else []
    figure, axes = _axes_grid(ax, 1, max(1, len(phases)), (5 * max(1, len(phases)), 3.6))
    for panel, phase in zip(axes[0], phases):
        rows = history[history["phase"] == phase]
        for column in history.columns.drop(["phase", "step"]):
            values = rows[column]
            if values.notna().any():
                smooth = values.rolling(max(1, len(values) // 100), min_periods=1).mean()
                panel.plot(rows["step"], smooth, label=column, linewidth=1)
        panel.set(title=f"{phase} phase", xlabel="step", yscale="log")
        panel.legend(fontsize="small")
        panel.grid(alpha=0.3)
    if ax is None:
        figure.tight_layout()
    return figure


def plot_real_vs_synthetic(
    real, synthetic, feature_names=None, ticker=None, n_windows=5, seed=0, *, features=None, ax=None
):
    """A few real windows beside a few synthetic ones, one row per feature, original units.

    Each row shows the real windows on the left and the synthetic ones on the right, on a
    shared y-axis. The windows drawn are picked at random with `seed`.

    Args:
        real: array (n, seq_len, n_features) in original units.
        synthetic: array (m, seq_len, n_features) in original units.
        feature_names: one name per feature: `(ticker, field)` tuples or strings. Defaults to
            x0, x1, ...
        ticker: draw the fields of this ticker only (names must be `(ticker, field)` tuples).
        n_windows: windows drawn per panel. Defaults to 5.
        seed: picks the windows. Defaults to 0.
        features: indices of the features to draw (instead of `ticker`). Defaults to all of them.
        ax: (rows, 2) Axes to draw on, rows = number of features drawn; None draws on a new
            Figure.

    Returns:
        matplotlib Figure.

    Raises:
        ValueError: if `ticker` is not among `feature_names`, both `ticker` and `features` are
            given, or `ax` has the wrong number of Axes.
    """
    n_features = np.shape(real)[2]
    names = [f"x{i}" for i in range(n_features)] if feature_names is None else list(feature_names)
    if ticker is not None and features is not None:
        raise ValueError(
            f"Expected `ticker` or `features`, not both. Received: ticker={ticker!r}, features={features!r}"
        )
    if ticker is not None:
        tickers = sorted({str(n[0]) for n in names if isinstance(n, (tuple, list))})
        features = [i for i, name in enumerate(names) if isinstance(name, (tuple, list)) and name[0] == ticker]
        if not features:
            raise ValueError(f"Expected `ticker` to be one of {tickers}. Received: ticker={ticker!r}")
    features = list(range(n_features)) if features is None else list(features)
    rng = np.random.default_rng(seed)
    picks = {
        "real": rng.choice(len(real), size=min(n_windows, len(real)), replace=False),
        "synthetic": rng.choice(len(synthetic), size=min(n_windows, len(synthetic)), replace=False),
    }
    figure, axes = _axes_grid(ax, len(features), 2, (10, 2.6 * len(features)), sharey="row")
    for row, feature in enumerate(features):
        label = _feature_label(names[feature])
        for panel, (which, data) in zip(axes[row], (("real", real), ("synthetic", synthetic))):
            panel.plot(np.asarray(data)[picks[which], :, feature].T, linewidth=1)
            panel.set_title(f"{label}: {len(picks[which])} {which} windows", fontsize="medium")
            panel.grid(alpha=0.3)
        axes[row, 0].set_ylabel(str(names[feature][-1]) if isinstance(names[feature], (tuple, list)) else label)
    for panel in axes[-1]:
        panel.set_xlabel("day in window")
    if ax is None:
        figure.tight_layout()
    return figure
