import json

import numpy as np
import pytest

from timegan.images.classifier import build_classifier
from timegan.images.config import ImageGANConfig, ImageTrainingConfig
from timegan.images.networks import build_generator
from timegan.images.run import evaluate_generator, load_run, train_run


@pytest.fixture
def small():
    return ImageGANConfig(hidden_units=(8,), latent_dim=4, dropout=0.0)


def test_train_run_writes_a_loadable_run(tmp_path, digits28, small, seed):
    images, labels = digits28
    training = ImageTrainingConfig(dataset="mnist", epochs=1, batch_size=16, train_size=48, sample_grid=2)
    gan, summary = train_run(small, training, images, labels, tmp_path / "run", progress=False, data_source="fixture")
    assert summary["steps_per_epoch"] == 3 and summary["train_images"] == 48 and summary["diverged_at_epoch"] is None
    gan_config, train_config, generator, saved = load_run(tmp_path / "run")
    # load_run adds which epoch's generator it returned: here the last, as no epoch was scored.
    assert gan_config == small and train_config == training and saved == {**summary, "generator_epoch": 1}
    noise = np.zeros((2, 4), np.float32)
    np.testing.assert_allclose(generator(noise).numpy(), gan.generator(noise).numpy(), atol=1e-6)
    with pytest.raises(OSError, match="already exists and is not empty"):
        train_run(small, training, images, labels, tmp_path / "run", progress=False)


def test_train_run_refuses_conditional_without_labels(tmp_path, digits28, small):
    config = ImageGANConfig(hidden_units=(8,), latent_dim=4, conditional=True)
    with pytest.raises(ValueError, match="conditional=True needs class labels"):
        train_run(config, ImageTrainingConfig(epochs=1), digits28[0], None, tmp_path / "r", progress=False)
    assert not (tmp_path / "r").exists()


def test_load_run_rejects_a_foreign_config(tmp_path, digits28, small, seed):
    training = ImageTrainingConfig(epochs=1, batch_size=16, train_size=16)
    train_run(small, training, *digits28, tmp_path / "run", progress=False)
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    config["gan"]["learning_rate"] = 0.1
    (tmp_path / "run" / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"Unknown ImageGANConfig keys: \['learning_rate'\]"):
        load_run(tmp_path / "run")


def test_evaluate_scores_a_generator_and_flags_divergence(digits28, small, seed):
    images, _ = digits28
    generator, classifier = build_generator(small), build_classifier(feature_units=8)
    metrics = evaluate_generator(generator, small, classifier, images[:120], images[120:], num_samples=100)
    assert metrics["diverged"] is False and metrics["real_samples"] == 100
    assert metrics["frechet_distance"] > metrics["frechet_floor"] >= 0
    assert 1.0 <= metrics["classifier_score"] <= 10.0 and sum(metrics["class_histogram"]) == pytest.approx(1.0)
    kernel = generator.get_layer("output").kernel
    kernel.assign(np.full(kernel.shape, np.nan, np.float32))
    broken = evaluate_generator(generator, small, classifier, images[:120], images[120:], num_samples=100)
    assert broken["diverged"] is True and broken["non_finite_images"] == 100
    assert broken["frechet_distance"] is None and broken["classifier_score"] is None
    assert broken["frechet_floor"] == pytest.approx(metrics["frechet_floor"])


def test_stacked_epoch_scorer_counts_the_modes_the_evaluation_counts(digits28, seed):
    from timegan.images.data import stack_digits
    from timegan.images.run import evaluate_stacked, stacked_epoch_scorer

    config = ImageGANConfig(hidden_units=(8,), latent_dim=4, dropout=0.0, channels=3)
    generator, classifier = build_generator(config), build_classifier(feature_units=8)
    real, _ = stack_digits(*digits28, 150, seed=0)
    scores = stacked_epoch_scorer(config, classifier, num_samples=200, seed=7)(generator)
    # The same noise seed gives the evaluation's numbers: the curve ends where the evaluation starts.
    evaluated = evaluate_stacked(generator, config, classifier, real, num_samples=200, seed=7)
    assert scores == {name: evaluated[name] for name in ("modes_covered", "kl_to_uniform")}
    assert 1 <= scores["modes_covered"] <= 200 and 0 <= scores["kl_to_uniform"] <= np.log(1000) + 1e-9
    histograms, channel_kl = np.array(evaluated["channel_histograms"]), evaluated["channel_kl_to_uniform"]
    assert histograms.shape == (3, 10) and np.allclose(histograms.sum(axis=1), 1.0)
    for shares, kl in zip(histograms, channel_kl):
        drawn = shares[shares > 0]
        assert kl == pytest.approx(np.sum(drawn * np.log(drawn * 10)))
    kernel = generator.get_layer("output").kernel
    kernel.assign(np.full(kernel.shape, np.nan, np.float32))
    assert stacked_epoch_scorer(config, classifier, num_samples=200)(generator) == {
        "modes_covered": None,
        "kl_to_uniform": None,
    }
    with pytest.raises(ValueError, match="Received: num_samples=10"):
        stacked_epoch_scorer(config, classifier, num_samples=10)


class _MeanDigitProbe:
    """A stand-in classifier whose digit is an image's mean pixel, rounded (features unused)."""

    def __call__(self, images):
        digits = np.clip(np.rint(np.asarray(images).reshape(len(images), -1).mean(axis=1)), 0, 9).astype(int)
        return None, np.eye(10)[digits]


def test_stacked_modes_read_each_channel_of_each_sample_once():
    from types import SimpleNamespace

    from timegan.images.run import channel_digits, digits_to_modes, generated_modes

    digits = np.array([[8, 6, 5], [2, 3, 0], [0, 0, 1], [8, 8, 8], [9, 1, 9]])
    images = np.broadcast_to(digits[:, None, None, :].astype(np.float32), (5, 28, 28, 3))
    np.testing.assert_array_equal(channel_digits(_MeanDigitProbe(), images), digits)
    np.testing.assert_array_equal(digits_to_modes(digits), [865, 230, 1, 888, 919])

    # A generator whose channel c draws digit (i + c) % 10 for sample i of 40 (one batch): each
    # channel holds every digit exactly 4 times (shares 0.1, KL 0 per channel), and the 40 modes
    # are 10 three-digit numbers, 4 times each (KL log 100).
    def generator(noise, training=False):
        index = np.arange(len(noise))[:, None, None, None]
        return np.broadcast_to((index + np.arange(3)) % 10, (len(noise), 28, 28, 3)).astype(np.float32)

    config = SimpleNamespace(latent_dim=1, conditional=False)
    result = generated_modes(generator, config, _MeanDigitProbe(), num_samples=40, seed=0)
    assert result["num_samples"] == 40 and result["modes_covered"] == 10
    np.testing.assert_allclose(result["channel_histograms"], np.full((3, 10), 0.1))
    assert result["channel_kl_to_uniform"] == pytest.approx([0.0, 0.0, 0.0], abs=1e-12)
    assert result["kl_to_uniform"] == pytest.approx(np.log(100))
