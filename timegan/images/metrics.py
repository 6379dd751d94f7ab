"""Generator quality as numbers: Frechet distance, classifier score and class coverage.

All functions are pure: they take classifier features or class probabilities (see
`classifier.ClassifierProbe`) and return numbers or a small dataclass.
"""

import warnings
from dataclasses import asdict, dataclass

import numpy as np
from scipy import linalg


def _check_2d(name, array, min_rows=2):
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != 2 or len(array) < min_rows:
        raise ValueError(f"Expected `{name}` of shape (n >= {min_rows}, d). Received: shape={array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"Expected `{name}` to be finite. Received: {int(np.sum(~np.isfinite(array)))} non-finite values")
    return array


def frechet_distance(features_a, features_b):
    """Frechet distance between Gaussians fitted to two feature sets (the FID formula).

    `||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))`.

    Args:
        features_a: `(n, d)` features.
        features_b: `(m, d)` features.

    Returns:
        A float >= 0 (tiny negative round-off is clipped to 0).
    """
    a = _check_2d("features_a", features_a)
    b = _check_2d("features_b", features_b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"Feature widths differ: features_a has {a.shape[1]}, features_b has {b.shape[1]}.")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(cov_a @ cov_b)
        if not np.all(np.isfinite(covmean)):
            # A singular product (e.g. dead features of a collapsed generator): the usual remedy is
            # a small ridge on both covariances.
            ridge = np.eye(a.shape[1]) * 1e-6
            covmean = linalg.sqrtm((cov_a + ridge) @ (cov_b + ridge))
    covmean = np.real(covmean)
    distance = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(covmean)
    return float(max(distance, 0.0))


def classifier_score(probabilities, eps=1e-12):
    """Inception-score analogue: `exp(mean_x KL(p(y|x) || p(y)))`.

    It is high (up to the number of classes) when each image is classified confidently and the
    classes are balanced; a collapsed generator scores near the number of modes it kept.

    Args:
        probabilities: `(n, num_classes)` class probabilities (rows sum to 1).
        eps: floor inside the logarithms. Default 1e-12.

    Returns:
        A float in [1, num_classes].
    """
    p = _check_2d("probabilities", probabilities, min_rows=1)
    marginal = p.mean(axis=0, keepdims=True)
    kl = np.sum(p * (np.log(p + eps) - np.log(marginal + eps)), axis=1)
    return float(np.exp(kl.mean()))


@dataclass(frozen=True)
class ClassCoverage:
    """How the predicted classes of generated images spread over the classes.

    Attributes:
        classes_covered: classes receiving at least `min_share` of the samples.
        kl_to_uniform: KL divergence (nats) of the predicted-class histogram to uniform;
            0 for perfect balance, log(num_classes) when all samples fall in one class.
        histogram: share of samples per class (sums to 1).
        min_share: the threshold used.
    """

    classes_covered: int
    kl_to_uniform: float
    histogram: tuple
    min_share: float

    def to_dict(self):
        """JSON-ready dict."""
        values = asdict(self)
        values["histogram"] = list(self.histogram)
        return values


def class_coverage(probabilities, min_share=0.01):
    """Class coverage of a sample from its classifier probabilities (argmax class per image).

    Args:
        probabilities: `(n, num_classes)` class probabilities.
        min_share: share of the samples a class needs to count as covered. Default 0.01
            (a tenth of the uniform share for 10 classes).

    Returns:
        A `ClassCoverage`.
    """
    p = _check_2d("probabilities", probabilities, min_rows=1)
    if not 0 < min_share <= 1:
        raise ValueError(f"Expected `min_share` in (0, 1]. Received: min_share={min_share!r}")
    num_classes = p.shape[1]
    counts = np.bincount(p.argmax(axis=1), minlength=num_classes)
    histogram = counts / counts.sum()
    nonzero = histogram > 0
    kl = float(np.sum(histogram[nonzero] * np.log(histogram[nonzero] * num_classes)))
    return ClassCoverage(
        classes_covered=int(np.sum(histogram >= min_share)),
        kl_to_uniform=max(kl, 0.0),
        histogram=tuple(float(h) for h in histogram),
        min_share=float(min_share),
    )
