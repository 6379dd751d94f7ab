"""PCA and t-SNE follow the paper's protocol, return the right shapes and are seeded."""

import numpy as np
import pytest

from evaluation.diversity import pca_embedding, plot_embedding, tsne_embedding, window_means


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
    assert sum(first.explained_variance_ratio) <= 1.0


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
    with pytest.raises(ValueError, match="Expected `perplexity` to be smaller than the number of windows embedded \\(20\\). Received: perplexity=40.0"):
        tsne_embedding(real[:10], other[:10])
    with pytest.raises(ValueError, match="Expected `max_iter` to be an integer >= 250. Received: max_iter=10"):
        tsne_embedding(real, other, max_iter=10)
    with pytest.raises(ValueError, match="Expected `max_samples` to be a positive integer. Received: max_samples=0"):
        pca_embedding(real, other, max_samples=0)
