import numpy as np
import pytest

from timegan.images.metrics import (
    class_conditional_scores,
    class_coverage,
    classifier_score,
    frechet_distance,
    mean_pairwise_distance,
    mode_coverage,
)


def test_frechet_distance_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(0).normal(size=(500, 8))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_grows_with_noise():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(2000, 8))
    noise = rng.normal(size=features.shape)
    distances = [frechet_distance(features, features + scale * noise) for scale in (0.1, 0.5, 1.0, 2.0)]
    assert distances == sorted(distances) and distances[0] > 0
    # Independent noise of std s adds s^2 to each of the 8 variances: trace term 8 * (sqrt(1+s^2) - 1)^2.
    assert distances[-1] == pytest.approx(8 * (np.sqrt(5) - 1) ** 2, rel=0.1)


def test_frechet_distance_of_shifted_gaussians_by_hand():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(20000, 3))
    assert frechet_distance(a, a + np.array([3.0, 0.0, 4.0])) == pytest.approx(25.0, rel=1e-6)


def test_frechet_distance_checks_shapes():
    with pytest.raises(ValueError, match="Feature widths differ"):
        frechet_distance(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"Expected `features_a` of shape \(n >= 2, d\). Received: shape=\(5,\)"):
        frechet_distance(np.zeros(5), np.zeros((5, 3)))


def test_classifier_score_bounds():
    confident_balanced = np.eye(10)[np.arange(1000) % 10]
    assert classifier_score(confident_balanced) == pytest.approx(10.0, rel=1e-6)
    collapsed = np.eye(10)[np.zeros(1000, int)]
    assert classifier_score(collapsed) == pytest.approx(1.0)
    two_modes = np.eye(10)[np.arange(1000) % 2]
    assert classifier_score(two_modes) == pytest.approx(2.0, rel=1e-6)
    uncertain = np.full((100, 10), 0.1)
    assert classifier_score(uncertain) == pytest.approx(1.0)


def test_class_coverage():
    probabilities = np.eye(4)[[0] * 90 + [1] * 9 + [2] * 1]
    coverage = class_coverage(probabilities, min_share=0.05)
    assert coverage.classes_covered == 2
    assert coverage.histogram == (0.9, 0.09, 0.01, 0.0)
    expected_kl = sum(p * np.log(p * 4) for p in (0.9, 0.09, 0.01))
    assert coverage.kl_to_uniform == pytest.approx(expected_kl)
    balanced = class_coverage(np.eye(4)[np.arange(40) % 4])
    assert balanced.classes_covered == 4 and balanced.kl_to_uniform == pytest.approx(0.0)
    assert class_coverage(np.eye(10)[np.zeros(7, int)]).kl_to_uniform == pytest.approx(np.log(10))


def test_mean_pairwise_distance_on_three_points():
    # Distances 3 (0-1), 4 (0-2), 5 (1-2): mean 4.
    assert mean_pairwise_distance([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]]) == pytest.approx(4.0)


def test_a_generator_with_one_image_per_class_has_no_within_class_diversity():
    rng = np.random.default_rng(0)
    real_labels = np.repeat(np.arange(3), 50)
    real = rng.normal(size=(150, 4)) + real_labels[:, None] * 5
    requested = np.repeat(np.arange(3), 20)
    one_per_class = np.eye(4)[requested] * 5  # every sample of a class is the same point
    probabilities = np.eye(3)[requested]
    scores = class_conditional_scores(one_per_class, probabilities, requested, real, real_labels)
    assert scores.label_accuracy == 1.0 and scores.diversity_ratio == 0.0
    varied = real[np.concatenate([np.arange(20), 50 + np.arange(20), 100 + np.arange(20)])]
    fair = class_conditional_scores(varied, np.eye(3)[(requested + 1) % 3], requested, real, real_labels)
    assert fair.label_accuracy == 0.0 and 0.8 < fair.diversity_ratio < 1.2
    assert max(fair.frechet_per_class) < min(scores.frechet_per_class)
    assert len(scores.to_dict()["frechet_per_class"]) == 3


def test_mode_coverage_counts_modes_and_kl():
    uniform = mode_coverage(np.arange(1000))
    assert (uniform.modes_covered, uniform.kl_to_uniform, uniform.num_samples) == (1000, pytest.approx(0.0), 1000)
    single = mode_coverage(np.full(26, 7))
    assert single.modes_covered == 1 and single.kl_to_uniform == pytest.approx(np.log(1000))
    half = mode_coverage(np.array([0, 1]), num_modes=4)  # two of four modes, equally: KL = log 2
    assert half.modes_covered == 2 and half.kl_to_uniform == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match=r"Expected modes in \[0, 1000\). Received: range \[0, 1000\]"):
        mode_coverage(np.array([0, 1000]))
