"""Diversity: do the synthetic windows cover the real ones? PCA and t-SNE, as in TimeGAN.

The reference protocol: take up to 1000 windows of each set, reduce each window to its mean
over features (a vector of `seq_len` values), then fit PCA on the real vectors and project both
sets, or run t-SNE on both sets together; plot the two point clouds over each other.

The mean over features cannot see how the features relate: windows whose features are swapped,
(sin, cos) against (cos, sin), have the same means and give the same clouds. `reduction="flatten"`
embeds the whole window instead (a vector of `seq_len * n_features` values), which tells such
sets apart; `reduction="mean"` (the default) is the paper's.
"""

import dataclasses
import logging

import matplotlib.figure
import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits

from evaluation import _checks
from evaluation._scaling import minmax_scale

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Embedding:
    """Two-dimensional coordinates of real and synthetic windows.

    Attributes:
        method: "pca" or "tsne".
        real: ndarray (n_real_used, 2).
        synthetic: ndarray (n_synthetic_used, 2).
        explained_variance_ratio: for PCA, the variance share of the two components (as
            fitted on the real data); None for t-SNE.
        reduction: how each window became a vector: "mean" (over features, the paper's) or
            "flatten" (steps x features).
    """

    method: str
    real: np.ndarray
    synthetic: np.ndarray
    explained_variance_ratio: object = None
    reduction: str = "mean"


REDUCTIONS = ("mean", "flatten")


def window_means(real, synthetic, max_samples=1000, normalize=True, seed=0):
    """Samples up to `max_samples` windows of each set and averages each window over features.

    Args:
        real: array (n_real, seq_len, n_features).
        synthetic: array (n_synthetic, seq_len, n_features).
        max_samples: windows kept per set (sampled without replacement). Defaults to 1000.
        normalize: MinMax-scale both arrays with the real data's per-feature range first, so
            that no feature dominates the mean. Defaults to True.
        seed: seed of the sampling. Defaults to 0.

    Returns:
        Tuple of ndarrays (min(n_real, max_samples), seq_len) and
        (min(n_synthetic, max_samples), seq_len).
    """
    real, synthetic = _sample_windows(real, synthetic, max_samples, normalize, seed)
    return real.mean(axis=2).astype(np.float64), synthetic.mean(axis=2).astype(np.float64)


def _sample_windows(real, synthetic, max_samples, normalize, seed):
    """Checks the pair, scales it if asked and draws up to `max_samples` windows of each set;
    every reduction embeds the same windows for one seed."""
    real, synthetic = _checks.check_pair(real, synthetic, min_seq_len=1)
    _checks.check_int(max_samples, "max_samples")
    _checks.check_seed(seed)
    if normalize:
        real, synthetic = minmax_scale(real, synthetic)
    rng = np.random.default_rng(seed)
    real = real[rng.permutation(len(real))[:max_samples]]
    synthetic = synthetic[rng.permutation(len(synthetic))[:max_samples]]
    return real, synthetic


def window_vectors(real, synthetic, reduction="mean", max_samples=1000, normalize=True, seed=0):
    """Samples up to `max_samples` windows of each set and turns each window into one vector.

    Args:
        real: array (n_real, seq_len, n_features).
        synthetic: array (n_synthetic, seq_len, n_features).
        reduction: "mean" (default): the mean over features, a vector of `seq_len` values (the
            paper's); "flatten": the whole window, `seq_len * n_features` values (step-major).
        max_samples: windows kept per set (sampled without replacement). Defaults to 1000.
        normalize: MinMax-scale both arrays with the real data's per-feature range first.
            Defaults to True.
        seed: seed of the sampling. Defaults to 0.

    Returns:
        Tuple of float64 ndarrays (min(n_real, max_samples), d) and
        (min(n_synthetic, max_samples), d), d = seq_len or seq_len * n_features.

    Raises:
        ValueError: on invalid arrays or parameters.
    """
    _checks.check_choice(reduction, "reduction", REDUCTIONS)
    if reduction == "mean":
        return window_means(real, synthetic, max_samples, normalize, seed)
    real, synthetic = _sample_windows(real, synthetic, max_samples, normalize, seed)
    return (
        real.reshape(len(real), -1).astype(np.float64),
        synthetic.reshape(len(synthetic), -1).astype(np.float64),
    )


def pca_embedding(real, synthetic, *, reduction="mean", max_samples=1000, normalize=True, seed=0):
    """Projects window vectors on the first two principal components of the real data.

    Args:
        real: array (n_real, seq_len, n_features), seq_len * n_features >= 2 ("flatten") or
            seq_len >= 2 ("mean").
        synthetic: array (n_synthetic, seq_len, n_features).
        reduction: "mean" (default, the paper's) or "flatten"; see `window_vectors`.
        max_samples: windows used per set. Defaults to 1000.
        normalize: see `window_means`. Defaults to True.
        seed: seed of the sampling. Defaults to 0.

    Returns:
        `Embedding` with method "pca".

    Raises:
        ValueError: on invalid arrays or parameters, or fewer than 2 real windows.
    """
    real_means, synthetic_means = window_vectors(real, synthetic, reduction, max_samples, normalize, seed)
    if len(real_means) < 2 or real_means.shape[1] < 2:
        raise ValueError(
            "Expected at least 2 real windows of at least 2 values (steps, or steps x features when "
            f"flattened) for PCA. Received: real.shape={np.shape(real)}, reduction={reduction!r}"
        )
    pca = PCA(n_components=2, random_state=seed).fit(real_means)
    return Embedding(
        method="pca",
        real=pca.transform(real_means),
        synthetic=pca.transform(synthetic_means),
        explained_variance_ratio=tuple(float(v) for v in pca.explained_variance_ratio_),
        reduction=reduction,
    )


def tsne_embedding(
    real, synthetic, *, reduction="mean", max_samples=1000, perplexity=40.0, max_iter=300, normalize=True, seed=0
):
    """Embeds the window vectors of both sets together with t-SNE.

    Args:
        real: array (n_real, seq_len, n_features).
        synthetic: array (n_synthetic, seq_len, n_features).
        reduction: "mean" (default, the paper's) or "flatten"; see `window_vectors`.
        max_samples: windows used per set. Defaults to 1000.
        perplexity: t-SNE perplexity; must be below the number of points embedded.
            Defaults to 40 (the reference's value).
        max_iter: t-SNE iterations, >= 250. Defaults to 300 (the reference's value).
        normalize: see `window_means`. Defaults to True.
        seed: seed of the sampling and of t-SNE. Defaults to 0.

    Returns:
        `Embedding` with method "tsne".

    Raises:
        ValueError: on invalid arrays or parameters.
    """
    _checks.check_positive_float(perplexity, "perplexity")
    _checks.check_int(max_iter, "max_iter", minimum=250)
    real_means, synthetic_means = window_vectors(real, synthetic, reduction, max_samples, normalize, seed)
    points = np.concatenate([real_means, synthetic_means])
    if perplexity >= len(points):
        raise ValueError(
            "Expected `perplexity` to be smaller than the number of windows embedded "
            f"({len(points)}). Received: perplexity={perplexity!r}"
        )
    # On a busy CPU, t-SNE's OpenMP threads wait for each other and run 100 times slower than
    # one thread does at these sizes (2000 points: ~2 s).
    with threadpool_limits(limits=1, user_api="openmp"):
        result = TSNE(
            n_components=2,
            perplexity=perplexity,
            max_iter=max_iter,
            init="random",  # as the reference (scikit-learn's default then)
            random_state=seed,
        ).fit_transform(points)
    return Embedding(
        method="tsne", real=result[: len(real_means)], synthetic=result[len(real_means) :], reduction=reduction
    )


def plot_embedding(embedding, ax=None):
    """Draws the real and synthetic points of an `Embedding` as two overlaid scatter plots.

    Args:
        embedding: `Embedding` from `pca_embedding` or `tsne_embedding`.
        ax: matplotlib Axes to draw on; a new Figure is created if None.

    Returns:
        The matplotlib Figure.
    """
    if ax is None:
        figure = matplotlib.figure.Figure(figsize=(5, 4.5))
        ax = figure.add_subplot()
    ax.scatter(*embedding.real.T, s=8, alpha=0.3, color="tab:red", label="real")
    ax.scatter(*embedding.synthetic.T, s=8, alpha=0.3, color="tab:blue", label="synthetic")
    of = "window means" if embedding.reduction == "mean" else "whole windows"
    if embedding.method == "pca":
        ratio = embedding.explained_variance_ratio
        ax.set_title(f"PCA of {of} (fitted on real)")
        ax.set_xlabel(f"PC 1 ({ratio[0]:.0%} of real variance)")
        ax.set_ylabel(f"PC 2 ({ratio[1]:.0%})")
    else:
        ax.set_title(f"t-SNE of {of} (both sets together)")
        ax.set_xlabel("t-SNE 1")
        ax.set_ylabel("t-SNE 2")
    ax.legend(markerscale=2)
    return ax.figure
