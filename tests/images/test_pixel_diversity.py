"""Within-class diversity in pixels: near-copies score near 0 whatever the classifier features say."""

import numpy as np
import pytest

from timegan.images.metrics import class_conditional_scores


def _setup(seed=0):
    rng = np.random.default_rng(seed)
    real_pixels = rng.uniform(-1, 1, (40, 6, 6))
    real_labels = np.arange(40) % 2
    real_features = rng.standard_normal((40, 3))
    requested = np.arange(20) % 2
    probabilities = np.eye(2)[requested]
    return real_pixels, real_labels, real_features, requested, probabilities


def test_copies_of_one_image_per_class_score_near_zero_in_pixels():
    real_pixels, real_labels, real_features, requested, probabilities = _setup()
    rng = np.random.default_rng(1)
    # One image per class plus faint noise, but widely spread features (a wavering classifier).
    fake_pixels = real_pixels[requested] + 1e-3 * rng.standard_normal((20, 6, 6))
    fake_features = 3.0 * rng.standard_normal((20, 3))
    scores = class_conditional_scores(
        fake_features,
        probabilities,
        requested,
        real_features,
        real_labels,
        fake_pixels=fake_pixels,
        real_pixels=real_pixels,
    )
    assert scores.diversity_ratio > 1.0
    assert scores.pixel_diversity_ratio < 0.01
    assert scores.to_dict()["pixel_diversity_ratio"] == scores.pixel_diversity_ratio


def test_real_images_against_themselves_give_one():
    real_pixels, real_labels, real_features, _, _ = _setup()
    scores = class_conditional_scores(
        real_features,
        np.eye(2)[real_labels],
        real_labels,
        real_features,
        real_labels,
        fake_pixels=real_pixels,
        real_pixels=real_pixels,
    )
    assert scores.pixel_diversity_ratio == pytest.approx(1.0) and scores.diversity_ratio == pytest.approx(1.0)
    without = class_conditional_scores(real_features, np.eye(2)[real_labels], real_labels, real_features, real_labels)
    assert without.pixel_diversity_ratio is None


def test_pixel_rows_must_match():
    real_pixels, real_labels, real_features, requested, probabilities = _setup()
    with pytest.raises(ValueError, match="Expected 20 generated and 40 real images. Received: 19 and 40"):
        class_conditional_scores(
            np.zeros((20, 3)),
            probabilities,
            requested,
            real_features,
            real_labels,
            fake_pixels=np.zeros((19, 6, 6)),
            real_pixels=real_pixels,
        )
