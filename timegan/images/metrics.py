"""Generator quality as numbers: Frechet distance, classifier score, class and mode coverage, diversity.

All functions are pure: they take classifier features or class probabilities (see
`classifier.ClassifierProbe`) and return numbers or a small dataclass.
"""

import warnings
from dataclasses import asdict, dataclass

import numpy as np
from scipy import linalg
from scipy.spatial.distance import pdist


def _check_2d(name, array, min_rows=2):
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != 2 or len(array) < min_rows:
        raise ValueError(f"Expected `{name}` of shape (n >= {min_rows}, d). Received: shape={array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"Expected `{name}` to be finite. Received: {int(np.sum(~np.isfinite(array)))} non-finite values"
        )
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


def mean_pairwise_distance(features, max_samples=1000, seed=0):
    """Mean Euclidean distance between all pairs of feature vectors: the spread of a sample.

    Used per class as *within-class diversity*: a conditional generator that draws one image per
    class scores 0, real images of the class give the reference.

    Args:
        features: `(n, d)` features (n >= 2).
        max_samples: a seeded random subset of at most this many rows is used (the cost is
            quadratic). Default 1000.
        seed: seed of that subset. Default 0.

    Returns:
        A float >= 0.
    """
    x = _check_2d("features", features)
    if len(x) > max_samples:
        x = x[np.random.default_rng(seed).choice(len(x), max_samples, replace=False)]
    return float(pdist(x).mean())


@dataclass(frozen=True)
class ClassConditionalScores:
    """How well a conditional generator matches each class.

    Attributes:
        label_accuracy: share of generated images classified as the class they were asked for.
        frechet_per_class: Frechet distance per class (generated vs real images of that class).
        diversity_per_class: mean pairwise feature distance of the generated images per class.
        real_diversity_per_class: the same for real images of each class.
        diversity_ratio: mean over classes of generated / real diversity (1 = as varied as real).
        pixel_diversity_ratio: the same ratio with distances between the images' pixels instead of
            classifier features, or None. Near-copies of one ambiguous image can have spread-out
            classifier features (the classifier wavers between two classes); their pixels cannot.
    """

    label_accuracy: float
    frechet_per_class: tuple
    diversity_per_class: tuple
    real_diversity_per_class: tuple
    diversity_ratio: float
    pixel_diversity_ratio: float | None = None

    def to_dict(self):
        """JSON-ready dict."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def class_conditional_scores(
    fake_features, fake_probabilities, requested, real_features, real_labels, seed=0, fake_pixels=None, real_pixels=None
):
    """Label accuracy, per-class Frechet distance and within-class diversity of a conditional generator.

    Args:
        fake_features: `(n, d)` classifier features of generated images.
        fake_probabilities: `(n, K)` class probabilities of generated images.
        requested: `(n,)` the labels the images were generated for.
        real_features: `(m, d)` features of real images.
        real_labels: `(m,)` their labels.
        seed: seed of the diversity subsets. Default 0.
        fake_pixels: optional `(n, ...)` generated images, row for row with `fake_features`; with
            `real_pixels` (`(m, ...)`, row for row with `real_features`, same scale) they give
            `pixel_diversity_ratio`. Default None.
        real_pixels: see `fake_pixels`. Default None.

    Returns:
        A `ClassConditionalScores`.

    Raises:
        ValueError: mismatched lengths, or a class with fewer than 2 generated or real images.
    """
    fake_features = _check_2d("fake_features", fake_features)
    p = _check_2d("fake_probabilities", fake_probabilities, min_rows=1)
    real_features = _check_2d("real_features", real_features)
    requested, real_labels = np.asarray(requested), np.asarray(real_labels)
    if requested.shape != (len(fake_features),) or len(p) != len(fake_features):
        raise ValueError(
            f"Expected {len(fake_features)} requested labels and probability rows. "
            f"Received: {requested.shape}, {p.shape}"
        )
    if real_labels.shape != (len(real_features),):
        raise ValueError(f"Expected {len(real_features)} real labels. Received: shape={real_labels.shape}")
    pixels = None
    if fake_pixels is not None and real_pixels is not None:
        pixels = (
            np.asarray(fake_pixels, np.float64).reshape(len(fake_pixels), -1),
            np.asarray(real_pixels, np.float64).reshape(len(real_pixels), -1),
        )
        if len(pixels[0]) != len(fake_features) or len(pixels[1]) != len(real_features):
            raise ValueError(
                f"Expected {len(fake_features)} generated and {len(real_features)} real images. "
                f"Received: {len(pixels[0])} and {len(pixels[1])}"
            )
    frechet, diversity, real_diversity, pixel_ratios = [], [], [], []
    for k in range(p.shape[1]):
        fake_k, real_k = fake_features[requested == k], real_features[real_labels == k]
        if len(fake_k) < 2 or len(real_k) < 2:
            raise ValueError(
                f"Class {k} needs at least 2 generated and 2 real images. Received: {len(fake_k)} and {len(real_k)}"
            )
        frechet.append(frechet_distance(fake_k, real_k))
        diversity.append(mean_pairwise_distance(fake_k, seed=seed))
        real_diversity.append(mean_pairwise_distance(real_k, seed=seed))
        if pixels is not None:
            pixel_ratios.append(
                mean_pairwise_distance(pixels[0][requested == k], seed=seed)
                / max(mean_pairwise_distance(pixels[1][real_labels == k], seed=seed), 1e-12)
            )
    return ClassConditionalScores(
        label_accuracy=float(np.mean(p.argmax(axis=1) == requested)),
        frechet_per_class=tuple(frechet),
        diversity_per_class=tuple(diversity),
        real_diversity_per_class=tuple(real_diversity),
        diversity_ratio=float(np.mean(np.array(diversity) / np.array(real_diversity))),
        pixel_diversity_ratio=float(np.mean(pixel_ratios)) if pixels is not None else None,
    )


@dataclass(frozen=True)
class ModeCoverage:
    """Modes of Stacked MNIST reached by a sample (PacGAN, Lin et al. 2018, section 5.1).

    Attributes:
        modes_covered: modes with at least one sample.
        kl_to_uniform: KL divergence (nats) of the mode histogram to uniform over `num_modes`:
            0 for a perfectly balanced sample, log(num_modes) (6.91 for 1000) for one mode.
        num_modes: number of possible modes.
        num_samples: sample size.
    """

    modes_covered: int
    kl_to_uniform: float
    num_modes: int
    num_samples: int

    def to_dict(self):
        """JSON-ready dict."""
        return asdict(self)


def mode_coverage(modes, num_modes=1000):
    """Counts the modes of a sample and its KL divergence to the uniform mode distribution.

    Args:
        modes: `(n,)` integer mode indices in `[0, num_modes)`.
        num_modes: number of modes. Default 1000 (Stacked MNIST).

    Returns:
        A `ModeCoverage`.
    """
    modes = np.asarray(modes)
    if modes.ndim != 1 or not len(modes) or not np.issubdtype(modes.dtype, np.integer):
        raise ValueError(
            f"Expected a non-empty 1-D integer array of modes. Received: shape={modes.shape}, dtype={modes.dtype}"
        )
    if modes.min() < 0 or modes.max() >= num_modes:
        raise ValueError(f"Expected modes in [0, {num_modes}). Received: range [{modes.min()}, {modes.max()}]")
    histogram = np.bincount(modes, minlength=num_modes) / len(modes)
    nonzero = histogram > 0
    kl = float(np.sum(histogram[nonzero] * np.log(histogram[nonzero] * num_modes)))
    return ModeCoverage(int(nonzero.sum()), max(kl, 0.0), int(num_modes), len(modes))
