"""PCA and t-SNE follow the paper's protocol, return the right shapes and are seeded."""

import numpy as np
import pytest

from evaluation.diversity import pca_embedding, plot_embedding, tsne_embedding, window_means, window_vectors


def rotating(n=200, seq_len=12, seed=0):
    """Windows (n, seq_len, 2) of (sin, cos) at random phases, and the same windows as (cos, sin)."""
    phase = np.random.default_rng(seed).uniform(0, 2 * np.pi, size=(n, 1))
    t = phase + 0.5 * np.arange(seq_len)
    windows = np.stack([np.sin(t), np.cos(t)], axis=-1)
    return windows, windows[..., ::-1]


def nearest(points, others):
    """Distance from each of `points` to the nearest of `others` (excluding itself if the same array)."""
    distances = np.linalg.norm(points[:, None] - others[None], axis=-1)
    if points is others:
        np.fill_diagonal(distances, np.inf)
    return distances.min(axis=1)


def test_swapped_features_are_told_apart_only_by_flattened_windows():
    sin_cos, cos_sin = rotating()
    paper = pca_embedding(sin_cos, cos_sin, seed=0)
    assert paper.reduction == "mean"
    # The mean over features is the same for both orders: the clouds coincide point for point.
    assert np.max(nearest(paper.synthetic, paper.real)) < 1e-3 * np.median(nearest(paper.real, paper.real))
    flat = pca_embedding(sin_cos, cos_sin, reduction="flatten", seed=0)
    assert flat.reduction == "flatten"
    # Flattened, every swapped window lies far from every real one, compared with real neighbours.
    assert np.min(nearest(flat.synthetic, flat.real)) > 20 * np.median(nearest(flat.real, flat.real))
    tsne = tsne_embedding(sin_cos[:40], cos_sin[:40], reduction="flatten", perplexity=5.0, max_iter=250, seed=0)
    assert tsne.reduction == "flatten" and tsne.real.shape == (40, 2)
    figure = plot_embedding(flat)
    assert figure.axes[0].get_title() == "PCA of whole windows (fitted on real)"


def test_window_vectors_flatten_step_major(sines):
    real, other = sines
    flat, _ = window_vectors(real, other, reduction="flatten", max_samples=5, normalize=False, seed=0)
    means, _ = window_vectors(real, other, reduction="mean", max_samples=5, normalize=False, seed=0)
    picked = real[np.random.default_rng(0).permutation(len(real))[:5]]
    np.testing.assert_array_equal(flat, picked.reshape(5, 36))
    np.testing.assert_allclose(means, picked.mean(axis=2))
    with pytest.raises(
        ValueError, match="Expected `reduction` to be one of 'mean', 'flatten'. Received: reduction='max'"
    ):
        window_vectors(real, other, reduction="max")


def test_window_means_samples_and_averages_over_features(sines):
    real, other = sines
    real_means, synthetic_means = window_means(real, other[:30], max_samples=50, normalize=False, seed=0)
    assert real_means.shape == (50, 12) and synthetic_means.shape == (30, 12)
    # Each row is the feature-mean of one real window.
    rows = {tuple(np.round(r, 10)) for r in real.mean(axis=2)}
    assert all(tuple(np.round(r, 10)) in rows for r in real_means)


def test_pca_is_fitted_on_real_and_deterministic(sines):
    real, other = sines
    first = pca_embedding(real, other, max_samples=100, seed=0)
    assert first.real.shape == (100, 2) and first.synthetic.shape == (100, 2)
    again = pca_embedding(real, other, max_samples=100, seed=0)
    np.testing.assert_array_equal(first.real, again.real)
    other_seed = pca_embedding(real, other, max_samples=100, seed=1)
    assert not np.array_equal(first.real, other_seed.real)
    # Fitted on the real points: they are centred and the first axis holds the most variance.
    np.testing.assert_allclose(first.real.mean(axis=0), 0.0, atol=1e-9)
    assert first.real[:, 0].var() >= first.real[:, 1].var()
    # The ratios are the projections' variances over the total variance of the real vectors.
    vectors, _ = window_vectors(real, other, max_samples=100, seed=0)
    np.testing.assert_allclose(first.explained_variance_ratio, first.real.var(axis=0) / vectors.var(axis=0).sum())


def test_tsne_shapes_and_determinism(sines):
    real, other = sines
    kwargs = {"max_samples": 30, "perplexity": 5.0, "max_iter": 250, "seed": 0}
    first = tsne_embedding(real, other[:20], **kwargs)
    assert first.real.shape == (30, 2) and first.synthetic.shape == (20, 2)
    again = tsne_embedding(real, other[:20], **kwargs)
    np.testing.assert_allclose(first.real, again.real)
    np.testing.assert_allclose(first.synthetic, again.synthetic)
    figure = plot_embedding(first)
    assert [len(c.get_offsets()) for c in figure.axes[0].collections] == [30, 20]


def test_errors(sines):
    real, other = sines
    with pytest.raises(
        ValueError,
        match="Expected `perplexity` to be smaller than the number of windows embedded \\(20\\). Received: perplexity=40.0",
    ):
        tsne_embedding(real[:10], other[:10])
    with pytest.raises(ValueError, match="Expected `max_iter` to be an integer >= 250. Received: max_iter=10"):
        tsne_embedding(real, other, max_iter=10)
    with pytest.raises(ValueError, match="Expected `max_samples` to be a positive integer. Received: max_samples=0"):
        pca_embedding(real, other, max_samples=0)
