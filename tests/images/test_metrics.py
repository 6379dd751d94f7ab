import numpy as np
import pytest

from timegan.images.metrics import class_coverage, classifier_score, frechet_distance


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
