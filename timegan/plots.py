"""Training pictures: loss curves and real-vs-synthetic windows. Functions return Figures."""

import matplotlib.pyplot as plt
import numpy as np


def plot_losses(history):
    """One panel per phase with every loss of that phase against its step (log scale).

    Args:
        history: DataFrame with columns phase, step and loss columns (`TimeGAN.losses()`).

    Returns:
        matplotlib Figure.
    """
    phases = list(dict.fromkeys(history["phase"])) if len(history) else []
    figure, axes = plt.subplots(1, max(1, len(phases)), figsize=(5 * max(1, len(phases)), 3.6), squeeze=False)
    for ax, phase in zip(axes[0], phases):
        rows = history[history["phase"] == phase]
        for column in history.columns.drop(["phase", "step"]):
            values = rows[column]
            if values.notna().any():
                smooth = values.rolling(max(1, len(values) // 100), min_periods=1).mean()
                ax.plot(rows["step"], smooth, label=column, linewidth=1)
        ax.set(title=f"{phase} phase", xlabel="step", yscale="log")
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def plot_real_vs_synthetic(real, synthetic, feature_names, ticker, n_windows=5, seed=0):
    """The picture of the source report: one ticker's real windows beside synthetic ones.

    One row per field of `ticker`: real windows on the left, synthetic on the right, on a
    shared y-axis in original units.

    Args:
        real: array (n, seq_len, n_features) in original units.
        synthetic: array (m, seq_len, n_features) in original units.
        feature_names: `(ticker, field)` per feature.
        ticker: which ticker to draw.
        n_windows: windows drawn per panel.
        seed: picks the windows.

    Returns:
        matplotlib Figure.

    Raises:
        ValueError: if `ticker` is not among `feature_names`.
    """
    features = [i for i, name in enumerate(feature_names) if name[0] == ticker]
    if not features:
        raise ValueError(f"Unknown ticker {ticker!r}. Expected one of {sorted({n[0] for n in feature_names})}")
    rng = np.random.default_rng(seed)
    real_idx = rng.choice(len(real), size=min(n_windows, len(real)), replace=False)
    synth_idx = rng.choice(len(synthetic), size=min(n_windows, len(synthetic)), replace=False)
    figure, axes = plt.subplots(len(features), 2, figsize=(10, 2.8 * len(features)), squeeze=False, sharey="row")
    for row, feature in enumerate(features):
        field = feature_names[feature][1]
        for ax, data, idx, title in ((axes[row, 0], real, real_idx, "real"),
                                     (axes[row, 1], synthetic, synth_idx, "synthetic")):
            ax.plot(data[idx, :, feature].T, linewidth=1)
            ax.set_title(f"{ticker} {field}: {len(idx)} {title} windows", fontsize="medium")
            ax.grid(alpha=0.3)
        axes[row, 0].set_ylabel(field)
    for ax in axes[-1]:
        ax.set_xlabel("day in window")
    figure.tight_layout()
    return figure
